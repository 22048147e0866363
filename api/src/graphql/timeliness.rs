//! `timeliness`: how long reports took to publish after the last day on site, by year.

use async_graphql::{Context, Object};
use sea_orm::{ColumnTrait, EntityTrait, JoinType, QueryFilter, QuerySelect, RelationTrait};
use send_model::domain;
use send_model::entity::{inspection, local_area};

use super::context::{db, model};
use super::enums::{Framework, InspectionType};
use super::inputs::TimelinessFilter;
use crate::error::ApiResult;

/// How long reports took to publish, for one year's inspections.
#[derive(async_graphql::SimpleObject)]
pub struct Timeliness {
    /// The year the inspections started.
    pub year: i32,
    /// Inspections whose last day on site and publication are both known to the day (the others are left out).
    pub inspections: i32,
    /// Median days from the last day on site to publication.
    pub median: Option<f64>,
    /// First quartile (linear interpolation between order statistics, as R's default and Excel's QUARTILE.INC).
    pub lower_quartile: Option<f64>,
    /// Third quartile.
    pub upper_quartile: Option<f64>,
    /// Fewest days.
    pub min: Option<i32>,
    /// Most days.
    pub max: Option<i32>,
}

/// The `q` quantile of sorted values by linear interpolation between order statistics (R's type 7).
pub fn quantile(sorted: &[i32], q: f64) -> Option<f64> {
    let last = sorted.len().checked_sub(1)?;
    let position = q * last as f64;
    let (low, high) = (position.floor() as usize, position.ceil() as usize);
    let (a, b) = (f64::from(sorted[low]), f64::from(sorted[high.min(last)]));
    Some(a + (b - a) * (position - low as f64))
}

/// The entry point for publication timeliness.
#[derive(Default)]
pub struct TimelinessQuery;

#[Object]
impl TimelinessQuery {
    /// How long reports took to publish after the last day on site, by the year the inspections started: median
    /// and quartiles of `Inspection.daysToPublication`.
    async fn timeliness(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which inspections (default: 2023-framework full inspections in England).")] filter: Option<
            TimelinessFilter,
        >,
    ) -> ApiResult<Vec<Timeliness>> {
        let model = model(ctx).await?;
        let filter = filter.unwrap_or(TimelinessFilter {
            framework: Framework::F2023,
            inspection_type: InspectionType::Full,
            region: None,
        });
        let mut select = inspection::Entity::find()
            .join(JoinType::InnerJoin, inspection::Relation::Area.def())
            .filter(inspection::Column::Framework.eq(domain::Framework::from(filter.framework)))
            .filter(inspection::Column::InspectionType.eq(domain::InspectionType::from(filter.inspection_type)));
        if let Some(code) = &filter.region {
            select = select.filter(local_area::Column::RegionCode.eq(model.region_code(code)?));
        }
        let mut by_year: std::collections::BTreeMap<i32, Vec<i32>> = std::collections::BTreeMap::new();
        // An inspection whose start is not known has no year to be counted in.
        for m in select.all(db(ctx).await?).await?.into_iter().filter(|m| m.start_known) {
            let days = super::objects::days_to_publication(&m);
            let entry = by_year.entry(m.start_year).or_default();
            entry.extend(days);
        }
        Ok(by_year
            .into_iter()
            .map(|(year, mut days)| {
                days.sort_unstable();
                Timeliness {
                    year,
                    inspections: i32::try_from(days.len()).unwrap_or(i32::MAX),
                    median: quantile(&days, 0.5),
                    lower_quartile: quantile(&days, 0.25),
                    upper_quartile: quantile(&days, 0.75),
                    min: days.first().copied(),
                    max: days.last().copied(),
                }
            })
            .collect())
    }
}
