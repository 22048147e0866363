//! The entry points to inspections and their areas for priority action: `inspections` and `priorityActions`
//! (connections).

use async_graphql::{Context, Object};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, Order, QueryFilter};
use send_model::domain;
use send_model::entity::priority_action;

use super::connection::connection;
use super::context::{db, model};
use super::enums::PriorityActionTheme;
use super::inputs::{InspectionFilter, InspectionOrder};
use super::objects::{Inspection, PriorityAction};
use super::pagination::{Total, connection_complexity, paginate};
use crate::error::ApiResult;
use crate::read_model::inspections::{InspectionCriteria, InspectionSort, filtered, order, tallied_count};
use crate::read_model::order::{KeyKind, SortKey};
use crate::read_model::search::text_contains_words;

connection!(InspectionConnection, InspectionEdge, Inspection, "inspections");

connection!(PriorityActionConnection, PriorityActionEdge, PriorityAction, "areas for priority action");

/// The entry points to inspections and their areas for priority action.
#[derive(Default)]
pub struct InspectionQuery;

#[Object]
impl InspectionQuery {
    /// Inspections, a page at a time (Relay cursor connection), filtered and ordered. Default order: start date
    /// ascending.
    #[graphql(complexity = "connection_complexity(child_complexity, first)")]
    async fn inspections(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Page size: from 0 to the server's page-size limit (`limits.pageSize` of a request's `extensions.cost`); 20 when omitted."
        )]
        first: Option<i32>,
        #[graphql(desc = "Return items after this cursor (a `cursor` or `pageInfo.endCursor` from a previous page).")]
        after: Option<String>,
        #[graphql(desc = "Which inspections.")] filter: Option<InspectionFilter>,
        #[graphql(desc = "Order (default START_DATE ascending).")] order_by: Option<InspectionOrder>,
    ) -> ApiResult<InspectionConnection> {
        let model = model(ctx).await?;
        let criteria = InspectionCriteria::from(&filter.unwrap_or_default());
        let sort = InspectionSort::from(order_by.unwrap_or_default());
        let select = filtered(model, &criteria, sort)?;
        let keys = order(sort);
        let total = match tallied_count(model, &criteria)? {
            Some(n) => Total::Known(n),
            None => Total::Count,
        };
        let (offset, rows, has_next, total) = paginate(ctx, db(ctx).await?, select, &keys, total, first, after).await?;
        let nodes = rows.into_iter().map(|(m, key)| (Inspection(m), key)).collect();
        Ok(InspectionConnection::new(offset, nodes, has_next, total))
    }

    /// Areas for priority action, a page at a time (Relay cursor connection), in report order (by inspection, then
    /// position in the report), each with its inspection. `search` keeps those whose text contains every word
    /// (case-insensitive substring match with SQL `LIKE`, which scans the few thousand actions there are; no
    /// full-text index). Only actions whose text is known (their report PDF was imported) match a search.
    #[graphql(complexity = "connection_complexity(child_complexity, first)")]
    async fn priority_actions(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Words the action's text must all contain (any case, any order); blank: no text filter. At most 200 \
                    characters and 16 words."
        )]
        search: Option<String>,
        #[graphql(desc = "Only actions coded into this theme.")] theme: Option<PriorityActionTheme>,
        #[graphql(
            desc = "Page size: from 0 to the server's page-size limit (`limits.pageSize` of a request's `extensions.cost`); 20 when omitted."
        )]
        first: Option<i32>,
        #[graphql(desc = "Return items after this cursor (a `cursor` or `pageInfo.endCursor` from a previous page).")]
        after: Option<String>,
    ) -> ApiResult<PriorityActionConnection> {
        let mut select = priority_action::Entity::find();
        if let Some(search) = search.as_deref().filter(|s| !s.trim().is_empty()) {
            select = select.filter(text_contains_words(search)?);
        }
        if let Some(theme) = theme {
            select = select.filter(priority_action::Column::Theme.eq(domain::Theme::from(theme)));
        }
        let col = |c: priority_action::Column| Expr::col((priority_action::Entity, c));
        let keys = [
            SortKey::new(col(priority_action::Column::InspectionId), Order::Asc, KeyKind::Int),
            SortKey::new(col(priority_action::Column::Ordinal), Order::Asc, KeyKind::Int),
        ];
        let (offset, rows, has_next, total) =
            paginate(ctx, db(ctx).await?, select, &keys, Total::Count, first, after).await?;
        let nodes = rows.into_iter().map(|(m, key)| (PriorityAction(m), key)).collect();
        Ok(PriorityActionConnection::new(offset, nodes, has_next, total))
    }
}
