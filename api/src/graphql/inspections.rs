//! The entry points to inspections and their areas for priority action: `inspections` and `priorityActions`
//! (connections).

use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, Order, QueryFilter};
use send_model::domain;
use send_model::entity::priority_action;

use super::connection::connection;
use super::context::{db, model};
use super::enums::PriorityActionTheme;
use super::inputs::{InspectionFilter, InspectionOrder};
use super::objects::{Inspection, PriorityAction};
use super::pagination::{Total, connection_field, paginate};
use crate::read_model::inspections::{InspectionCriteria, InspectionSort, filtered, order, tallied_count};
use crate::read_model::order::{KeyKind, SortKey};
use crate::read_model::search::text_contains_words;

connection!(InspectionConnection, InspectionEdge, Inspection, "inspections");

connection!(PriorityActionConnection, PriorityActionEdge, PriorityAction, "areas for priority action");

connection_field! {
    /// Inspections, a page at a time (Relay cursor connection), filtered and ordered. Default order: start date
    /// ascending.
    InspectionsField.inspections(ctx, page;
        filter: Option<InspectionFilter> = "Which inspections.",
        order_by: Option<InspectionOrder> = "Order (default START_DATE ascending).",
    ) -> InspectionConnection {
        let model = model(ctx).await?;
        let criteria = InspectionCriteria::from(&filter.unwrap_or_default());
        let sort = InspectionSort::from(order_by.unwrap_or_default());
        let select = filtered(model, &criteria, sort)?;
        let keys = order(sort);
        let total = match tallied_count(model, &criteria)? {
            Some(n) => Total::Known(n),
            None => Total::Count,
        };
        let (offset, rows, has_next, total) = paginate(ctx, db(ctx).await?, select, &keys, total, page).await?;
        let nodes = rows.into_iter().map(|(m, key)| (Inspection(m), key)).collect();
        Ok(InspectionConnection::new(offset, nodes, has_next, total))
    }
}

connection_field! {
    /// Areas for priority action, a page at a time (Relay cursor connection), in report order (by inspection, then
    /// position in the report), each with its inspection. `search` keeps those whose text contains every word
    /// (case-insensitive substring match with SQL `LIKE`, which scans the few thousand actions there are; no
    /// full-text index). Only actions whose text is known (their report PDF was imported) match a search.
    PriorityActionsField.priority_actions(ctx, page;
        search: Option<String> = "Words the action's text must all contain (any case, any order); blank: no text \
                                  filter. At most 200 characters and 16 words.",
        theme: Option<PriorityActionTheme> = "Only actions coded into this theme.",
    ) -> PriorityActionConnection {
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
        let (offset, rows, has_next, total) = paginate(ctx, db(ctx).await?, select, &keys, Total::Count, page).await?;
        let nodes = rows.into_iter().map(|(m, key)| (PriorityAction(m), key)).collect();
        Ok(PriorityActionConnection::new(offset, nodes, has_next, total))
    }
}
