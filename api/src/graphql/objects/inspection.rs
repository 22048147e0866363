//! `Inspection`, and its natural key.

use async_graphql::{Context, ID, Object};

use super::*;
use crate::error::ApiResult;
use crate::graphql::context::loaders;
use crate::graphql::enums::{Framework, InspectionType, Outcome};
use crate::graphql::loaders::ImprovementsOfInspection;
use crate::graphql::scalars::PublishedDate;
use crate::read_model::keys::global_id;

/// One inspection of one local area, under either framework.
#[Object]
impl Inspection {
    /// Global ID (the `Node` interface): opaque, stable across re-imports. Use `key` for a readable identifier.
    pub(crate) async fn id(&self, ctx: &Context<'_>) -> ApiResult<ID> {
        Ok(ID(global_id("Inspection", &inspection_key(ctx, &self.0).await?)))
    }

    /// The inspection's natural key, readable and stable across re-imports: `AREA/FRAMEWORK/TYPE/START`, e.g.
    /// `E10000029/2023/full/2023-11-13` (the start as published: `yyyy-mm` when only the month is known; for an
    /// inspection whose start is not known, `published-` and its publication date, e.g.
    /// `E06000034/2023/full/published-2026-03-09`, which changes once a source gives the start).
    async fn key(&self, ctx: &Context<'_>) -> ApiResult<String> {
        inspection_key(ctx, &self.0).await
    }

    /// The area inspected, under the code it had at the time (a predecessor for inspections before a
    /// reorganisation).
    async fn area(&self, ctx: &Context<'_>) -> ApiResult<Area> {
        load_area(ctx, self.0.area_id).await
    }

    /// The framework the inspection was carried out under.
    async fn framework(&self) -> Framework {
        self.0.framework.into()
    }

    /// Full, revisit (2016) or monitoring (2023).
    async fn inspection_type(&self) -> InspectionType {
        self.0.inspection_type.into()
    }

    /// First day on site (or only the month, for a few rows); null when no source gives it (an outcome published
    /// before its dates are known): the inspection is then placed by its publication date.
    async fn start(&self) -> Option<PublishedDate> {
        self.0.start_known.then(|| PublishedDate::from_parts(self.0.start_date, self.0.start_precision))
    }

    /// Last day on site; null where the source does not give it (2016-framework inspections ran about 5 days).
    async fn end(&self) -> Option<PublishedDate> {
        PublishedDate::maybe(self.0.end_date, self.0.end_precision)
    }

    /// When the report (or outcome letter) was published; null where not known.
    async fn published(&self) -> Option<PublishedDate> {
        PublishedDate::maybe(self.0.published, self.0.published_precision)
    }

    /// The calendar year of the start date: the year Ofsted's statistics count the inspection in, even when the
    /// report is published the next year. Null when the start date is not known: no year is guessed.
    async fn year(&self) -> Option<i32> {
        self.0.start_known.then_some(self.0.start_year)
    }

    /// Days from the last day on site to publication: Ofsted's timeliness measure. Null unless both dates are known
    /// to the day (2016-framework sources give no end date).
    async fn days_to_publication(&self) -> Option<i32> {
        days_to_publication(&self.0)
    }

    /// The outcome; null where the source does not state it.
    async fn outcome(&self) -> Option<Outcome> {
        self.0.outcome.map(Into::into)
    }

    /// The outcome in the words of Ofsted's reports and statistics.
    async fn outcome_description(&self) -> Option<&'static str> {
        self.0.outcome.map(|o| o.description())
    }

    /// 2016 framework: the number of significant weaknesses in the written statement of action, where published.
    async fn significant_weaknesses(&self) -> Option<i32> {
        self.0.significant_weaknesses
    }

    /// 2023 full inspections: the number of areas for priority action (0 unless the outcome is widespread and/or
    /// systemic failings); null for other inspections.
    async fn priority_action_count(&self) -> Option<i32> {
        self.0.priority_action_count
    }

    /// True for a widespread/systemic-failings inspection whose areas for priority action are not yet read (its
    /// outcome is published; no report PDF or curated row has given them yet): `priorityActionCount` is then null,
    /// meaning "not yet known", not "none".
    async fn priority_actions_not_yet_read(&self) -> bool {
        self.0.priority_actions_not_yet_read()
    }

    /// The areas for priority action, in report order (empty for most inspections).
    async fn priority_actions(&self, ctx: &Context<'_>) -> ApiResult<Vec<PriorityAction>> {
        let of_area = area_inspections(ctx, self.0.area_id).await?;
        Ok(of_area.actions_of(self.0.id).iter().cloned().map(PriorityAction).collect())
    }

    /// The areas for improvement, in report order: known only once the inspection's report PDF has been imported
    /// (empty otherwise, and for reports that name none).
    async fn areas_for_improvement(&self, ctx: &Context<'_>) -> ApiResult<Vec<ImprovementArea>> {
        let rows = loaders(ctx)?.load_one(ImprovementsOfInspection(self.0.id)).await?.unwrap_or_default();
        Ok(rows.into_iter().map(ImprovementArea).collect())
    }

    /// The report on Ofsted's site, where known.
    async fn report_url(&self) -> Option<&str> {
        self.0.report_url.as_deref()
    }

    /// Where the facts of this record were read (a published file or report).
    async fn source_url(&self) -> &str {
        &self.0.source_url
    }

    /// The import run that last changed this record.
    async fn import_run(&self, ctx: &Context<'_>) -> ApiResult<Option<ImportRun>> {
        ImportRun::of(ctx, self.0.import_run_id).await
    }
}
