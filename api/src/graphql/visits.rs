//! `thematicVisits`: national themes looked at in a few areas.

use async_graphql::{Context, Object};
use sea_orm::{ColumnTrait, EntityTrait, JoinType, QueryFilter, QueryOrder, QuerySelect};
use send_model::domain;
use send_model::entity::{local_area, thematic_visit};

use super::context::{db, model};
use super::inputs::ThematicVisitFilter;
use super::objects::ThematicVisit;
use crate::error::ApiResult;

/// The entry point for thematic visits.
#[derive(Default)]
pub struct VisitQuery;

#[Object]
impl VisitQuery {
    /// Thematic visits (e.g. the 2024 review of preparation for adulthood), by year then area name; visits whose
    /// area is not named publicly come last.
    async fn thematic_visits(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which visits.")] filter: Option<ThematicVisitFilter>,
    ) -> ApiResult<Vec<ThematicVisit>> {
        let model = model(ctx).await?;
        let filter = filter.unwrap_or_default();
        let mut select = thematic_visit::Entity::find().join(
            JoinType::LeftJoin,
            thematic_visit::Entity::belongs_to(local_area::Entity)
                .from(thematic_visit::Column::AreaId)
                .to(local_area::Column::Id)
                .into(),
        );
        if let Some(year) = filter.year {
            select = select.filter(thematic_visit::Column::Year.eq(year));
        }
        if let Some(theme) = filter.theme {
            select = select.filter(thematic_visit::Column::Theme.eq(domain::VisitTheme::from(theme)));
        }
        if let Some(code) = &filter.region {
            select = select.filter(local_area::Column::RegionCode.eq(model.region_code(code)?));
        }
        let rows = select
            .order_by_asc(thematic_visit::Column::Year)
            .order_by_asc(thematic_visit::Column::AreaId.is_null())
            .order_by_asc(sea_orm::sea_query::Expr::col((local_area::Entity, local_area::Column::Name)))
            .order_by_asc(thematic_visit::Column::Id)
            .all(db(ctx).await?)
            .await?;
        Ok(rows.into_iter().map(ThematicVisit).collect())
    }
}
