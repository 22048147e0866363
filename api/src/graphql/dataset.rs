//! `dataset` (where the data comes from, how fresh it is, its licence) and `coverage` (how far the 2023
//! framework's programme has got).

use async_graphql::{Context, Object};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use send_model::domain;
use send_model::entity::{import_run, inspection};

use super::context::{db, model};
use super::objects::ImportRun;
use super::pagination::{connection_complexity, page_size};
use super::scalars::{Date, DateTime};
use crate::error::ApiResult;
use crate::licence::{ATTRIBUTION, LICENCE, LICENCE_URL};

/// Where the data comes from, how fresh it is, and on what terms it may be reused.
pub struct Dataset;

/// Where the data comes from, how fresh it is, and on what terms it may be reused.
#[Object]
impl Dataset {
    /// The dataset's version: changes with every import that changes data (the number of the last import run that
    /// inserted or updated a record), so caches keyed on it stay correct. Null before the first import.
    async fn version(&self, ctx: &Context<'_>) -> ApiResult<Option<String>> {
        Ok(model(ctx).await?.version.clone())
    }

    /// The date the data runs to: the newest publication of an inspection in it, or the day of the newest snapshot
    /// of a source imported (the Data to Insight summary states when it was taken), whichever is later. A report
    /// published later is not in it yet, so counts without a date (`coverage`, `Area.schedule`) are taken at this
    /// date, not today. Null before the first import.
    async fn data_runs_to(&self, ctx: &Context<'_>) -> ApiResult<Option<Date>> {
        Ok(model(ctx).await?.runs_to().map(Date))
    }

    /// The dataset's name.
    async fn title(&self) -> &'static str {
        "Area SEND inspection outcomes in England"
    }

    /// The licence: Open Government Licence v3.0.
    async fn licence(&self) -> &'static str {
        LICENCE
    }

    /// The licence's text.
    async fn licence_url(&self) -> &'static str {
        LICENCE_URL
    }

    /// The attribution to show with any reuse.
    async fn attribution(&self) -> &'static str {
        ATTRIBUTION
    }

    /// The most recent import.
    async fn last_import(&self, ctx: &Context<'_>) -> ApiResult<Option<ImportRun>> {
        let run = import_run::Entity::find().order_by_desc(import_run::Column::Id).one(db(ctx).await?).await?;
        Ok(run.map(ImportRun))
    }

    /// When an import last changed any record; null before the first import.
    async fn last_updated(&self, ctx: &Context<'_>) -> ApiResult<Option<DateTime>> {
        let run = import_run::Entity::find()
            .filter(
                Condition::any().add(import_run::Column::RowsInserted.gt(0)).add(import_run::Column::RowsUpdated.gt(0)),
            )
            .order_by_desc(import_run::Column::Id)
            .one(db(ctx).await?)
            .await?;
        Ok(run.map(|r| DateTime(r.finished_at)))
    }

    /// The latest import of each distinct source, oldest first.
    async fn sources(&self, ctx: &Context<'_>) -> ApiResult<Vec<ImportRun>> {
        let runs = import_run::Entity::find().order_by_desc(import_run::Column::Id).all(db(ctx).await?).await?;
        let mut seen = std::collections::HashSet::new();
        let mut latest: Vec<ImportRun> =
            runs.into_iter().filter(|r| seen.insert(r.source.clone())).map(ImportRun).collect();
        latest.reverse();
        Ok(latest)
    }

    /// Import runs, newest first.
    #[graphql(complexity = "connection_complexity(child_complexity, Some(first))")]
    async fn import_runs(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "How many runs (at most the server's page-size limit, `limits.pageSize` of a request's \
                          `extensions.cost`).",
            default = 20
        )]
        first: i32,
    ) -> ApiResult<Vec<ImportRun>> {
        let limit = page_size(ctx, Some(first))?;
        let runs =
            import_run::Entity::find().order_by_desc(import_run::Column::Id).limit(limit).all(db(ctx).await?).await?;
        Ok(runs.into_iter().map(ImportRun).collect())
    }
}

/// Progress of the 2023 framework's programme of full inspections.
#[derive(async_graphql::SimpleObject)]
pub struct Coverage {
    /// The date counted to.
    pub as_at: Date,
    /// Current local areas (153).
    pub areas: i32,
    /// Of them, those with a full inspection under the 2023 framework carried out by `asAt`.
    pub inspected: i32,
    /// Those without one yet.
    pub remaining: i32,
    /// When the framework expects every area to have been inspected (end of 2027/28).
    pub programme_end: Date,
    /// Full inspections of new areas needed per year from `asAt` to finish on time; null once the end has passed.
    pub needed_per_year: Option<f64>,
}

/// Entry points about the dataset as a whole.
#[derive(Default)]
pub struct DatasetQuery;

#[Object]
impl DatasetQuery {
    /// How far the 2023 framework's programme has got: of the current local areas, how many have had a full
    /// inspection under it carried out by `asAt`, how many remain, and the pace needed to inspect them all by the
    /// end of 2027/28.
    async fn coverage(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Count inspections carried out (started) on or before this date (default: the date the data \
                          runs to, `dataset { dataRunsTo }`). An inspection whose start is not known counts from \
                          its publication."
        )]
        as_at: Option<Date>,
    ) -> ApiResult<Coverage> {
        let model = model(ctx).await?;
        let as_at = as_at.map_or_else(|| model.default_as_at(), |d| d.0);
        let current: std::collections::HashSet<i32> =
            model.areas().filter(|a| a.valid_to.is_none()).map(|a| a.id).collect();
        let inspected: std::collections::HashSet<i32> = inspection::Entity::find()
            .filter(inspection::Column::Framework.eq(domain::Framework::F2023))
            .filter(inspection::Column::InspectionType.eq(domain::InspectionType::Full))
            .filter(inspection::Column::StartDate.lte(as_at))
            .all(db(ctx).await?)
            .await?
            .into_iter()
            .map(|i| i.area_id)
            .filter(|id| current.contains(id))
            .collect();
        let end = send_model::schedule::programme_end();
        let areas = i32::try_from(current.len()).unwrap_or(i32::MAX);
        let done = i32::try_from(inspected.len()).unwrap_or(i32::MAX);
        let days_left = (end - as_at).num_days();
        let remaining = areas - done;
        Ok(Coverage {
            as_at: Date(as_at),
            areas,
            inspected: done,
            remaining,
            programme_end: Date(end),
            needed_per_year: (days_left > 0).then(|| f64::from(remaining) / (days_left as f64 / 365.25)),
        })
    }

    /// Where the data comes from, when it was last imported, and its licence and attribution.
    async fn dataset(&self) -> Dataset {
        Dataset
    }
}
