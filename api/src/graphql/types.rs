//! GraphQL object types. Each wraps a storage row (as async-graphql's examples wrap theirs), so that the public
//! schema can evolve apart from the tables.

use async_graphql::{Context, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use send_model::domain::{self, Framework as DomainFramework, PartialDate};
use send_model::entity::{
    area_lineage, icb, import_run, improvement_area, inspection, local_area, priority_action, region, thematic_visit,
};

use super::enums::{Framework, InspectionType, Outcome, Pathway, PriorityActionTheme, VisitTheme};
use super::loaders::{AliasesOfArea, ImportRunId, ImprovementsOfInspection, InspectionId, InspectionsOfArea, Loaders};
use super::scalars::{Date, PublishedDate};
use crate::error::{ApiError, ApiResult};
use crate::read_model::{AreaInspections, ReadModel, Scope};

/// The request's loaders.
pub fn loaders<'a>(ctx: &Context<'a>) -> ApiResult<&'a Loaders> {
    ctx.data::<Loaders>().map_err(|_| ApiError::internal("BUG: request without loaders".to_owned()))
}

/// The request's scope: its read model and (begun when first needed) its read snapshot.
pub fn scope<'a>(ctx: &Context<'a>) -> ApiResult<&'a Scope> {
    ctx.data::<std::sync::Arc<Scope>>()
        .map(|s| &**s)
        .map_err(|_| ApiError::internal("BUG: request without a scope".to_owned()))
}

/// The request's read model.
pub async fn model<'a>(ctx: &Context<'a>) -> ApiResult<&'a ReadModel> {
    Ok(scope(ctx)?.model().await?)
}

/// The latest full inspection under the 2023 framework among an area's inspections (oldest first): its current
/// outcome in the official-statistics view.
fn latest_2023_full(inspections: &[inspection::Model]) -> Option<&inspection::Model> {
    inspections
        .iter()
        .rev()
        .find(|i| i.framework == DomainFramework::F2023 && i.inspection_type == domain::InspectionType::Full)
}

/// An area's inspections with their priority actions: from the read model when a request of its version has read
/// them, else through the request's loader (one statement for every area asked for meanwhile), which keeps them there.
pub async fn area_inspections(ctx: &Context<'_>, area_id: i32) -> ApiResult<std::sync::Arc<AreaInspections>> {
    if let Some(cached) = model(ctx).await?.cached_inspections(area_id) {
        return Ok(cached);
    }
    Ok(loaders(ctx)?.load_one(InspectionsOfArea(area_id)).await?.unwrap_or_default())
}

async fn load_area(ctx: &Context<'_>, id: i32) -> ApiResult<Area> {
    model(ctx)
        .await?
        .area(id)
        .cloned()
        .map(Area)
        .ok_or_else(|| ApiError::internal(format!("BUG: area {id} referenced but missing")))
}

/// Anything with a global ID that `node(id:)` fetches again: an area (its GSS code) or an inspection (its natural
/// key). IDs are stable across re-imports.
#[derive(async_graphql::Interface)]
#[graphql(field(name = "id", ty = "ApiResult<ID>", desc = "The global ID, stable across re-imports."))]
pub enum Node {
    /// A local area.
    Area(Area),
    /// An inspection.
    Inspection(Inspection),
}

/// An inspection's natural key: `AREA/FRAMEWORK/TYPE/START`.
pub async fn inspection_key(ctx: &Context<'_>, m: &inspection::Model) -> ApiResult<String> {
    let area = load_area(ctx, m.area_id).await?;
    Ok(key_of(&area.0.gss_code, m))
}

/// What stands before the date in the key of an inspection whose start is not known: the key then gives its
/// publication date, never a date that would read as its start.
pub const PUBLISHED_KEY_PREFIX: &str = "published-";

/// An inspection's natural key given its area's GSS code: `E10000029/2023/full/2023-11-13`, or
/// `E06000034/2023/full/published-2026-03-09` when the start is not known.
pub fn key_of(gss_code: &str, m: &inspection::Model) -> String {
    let date = PartialDate::from_parts(m.start_date, m.start_precision);
    let prefix = if m.start_known { "" } else { PUBLISHED_KEY_PREFIX };
    format!("{}/{}/{}/{prefix}{date}", gss_code, m.framework.code(), m.inspection_type.code())
}

/// One of the nine ONS regions of England.
pub struct Region(pub region::Model);

/// One of the nine ONS regions of England.
#[Object]
impl Region {
    /// ONS region code, `E12000001` to `E12000009`.
    async fn code(&self) -> &str {
        &self.0.code
    }

    /// ONS region name, e.g. "East of England".
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// The Ofsted region it falls in. Ofsted uses eight regions: "North East, Yorkshire and the Humber" joins two ONS
    /// regions.
    async fn ofsted_region(&self) -> &str {
        &self.0.ofsted_region
    }

    /// The import run that last changed this record: the file or URL it came from, and when.
    async fn import_run(&self, ctx: &Context<'_>) -> ApiResult<Option<ImportRun>> {
        Ok(loaders(ctx)?.load_one(ImportRunId(self.0.import_run_id)).await?.map(ImportRun))
    }
}

/// An NHS Integrated Care Board: a health partner in a local area partnership (2023 framework).
pub struct HealthPartner(pub icb::Model);

/// An NHS Integrated Care Board: a health partner in a local area partnership (2023 framework).
#[Object]
impl HealthPartner {
    /// ONS ICB code, `E54...` (July 2022 set).
    async fn code(&self) -> &str {
        &self.0.code
    }

    /// Name, e.g. "NHS Suffolk and North East Essex Integrated Care Board".
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// The import run that last changed this record: the file or URL it came from, and when.
    async fn import_run(&self, ctx: &Context<'_>) -> ApiResult<Option<ImportRun>> {
        Ok(loaders(ctx)?.load_one(ImportRunId(self.0.import_run_id)).await?.map(ImportRun))
    }
}

/// A reorganisation link between two areas.
pub struct LineageLink {
    row: area_lineage::Model,
    other_id: i32,
}

/// A reorganisation link: the other area and the day the change took effect.
#[Object]
impl LineageLink {
    /// The area at the other end of the link (a predecessor or a successor).
    async fn area(&self, ctx: &Context<'_>) -> ApiResult<Area> {
        load_area(ctx, self.other_id).await
    }

    /// The day the successor came into being.
    async fn effective(&self) -> Date {
        Date(self.row.effective)
    }

    /// The reorganisation in words, e.g. "Northamptonshire (E10000021) replaced by North Northamptonshire
    /// (E06000061) on 2021-04-01".
    async fn reorganisation(&self, ctx: &Context<'_>) -> ApiResult<String> {
        let predecessor = load_area(ctx, self.row.predecessor_id).await?;
        let successor = load_area(ctx, self.row.successor_id).await?;
        Ok(format!(
            "{} ({}) replaced by {} ({}) on {}",
            predecessor.0.name,
            predecessor.0.gss_code,
            successor.0.name,
            successor.0.gss_code,
            send_model::domain::IsoDay(self.row.effective)
        ))
    }
}

/// A local area: the footprint of one local authority, current or abolished by a reorganisation.
pub struct Area(pub local_area::Model);

/// A local area: the footprint of one local authority. Areas abolished by a reorganisation (e.g. Northamptonshire,
/// 2021) are kept, with `current: false`, because older inspections belong to them.
#[Object]
impl Area {
    /// ONS GSS code, the stable identifier (e.g. `E10000029` for Suffolk).
    async fn code(&self) -> &str {
        &self.0.gss_code
    }

    /// Global ID (the `Node` interface): opaque, stable across re-imports. Use `code` for the GSS code.
    async fn id(&self, _ctx: &Context<'_>) -> ApiResult<ID> {
        Ok(ID(super::connection::global_id("Area", &self.0.gss_code)))
    }

    /// DfE's 3-digit local authority code (e.g. `935`). A successor may keep its predecessor's code.
    async fn dfe_code(&self) -> Option<&str> {
        self.0.dfe_code.as_deref()
    }

    /// Ofsted's provider URN for the area, where known (e.g. `80565`).
    async fn ofsted_urn(&self) -> Option<&str> {
        self.0.ofsted_urn.as_deref()
    }

    /// Name as ONS and DfE write it (e.g. "Bristol, City of").
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// The import run that last changed this record: the file or URL it came from, and when.
    async fn import_run(&self, ctx: &Context<'_>) -> ApiResult<Option<ImportRun>> {
        Ok(loaders(ctx)?.load_one(ImportRunId(self.0.import_run_id)).await?.map(ImportRun))
    }

    /// This area against its region and England on the same measure: its current outcome (official view) beside
    /// the outcome profile of its ONS region and of England, for the 2023 framework's full inspections.
    async fn comparison(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only inspections that started in this year (default: all years).")] year: Option<i32>,
        #[graphql(desc = "Only inspections carried out by this date (default: all).")] as_at: Option<Date>,
    ) -> ApiResult<Comparison> {
        use super::profile::{OutcomeProfileFilter, outcome_profile};
        let db = scope(ctx)?;
        let filter = OutcomeProfileFilter {
            framework: Framework::F2023,
            inspection_type: InspectionType::Full,
            year,
            as_at,
            region: None,
            ofsted_region: None,
            icb: None,
        };
        let region =
            outcome_profile(db, &OutcomeProfileFilter { region: Some(self.0.region_code.clone()), ..filter.clone() })
                .await?;
        let england = outcome_profile(db, &filter).await?;
        let of_area = area_inspections(ctx, self.0.id).await?;
        let current = latest_2023_full(&of_area.inspections).cloned().map(Inspection);
        Ok(Comparison { current_outcome: current, region, england })
    }

    /// Other names other publishers use (e.g. Ofsted's "Bristol"), sorted.
    async fn aliases(&self, ctx: &Context<'_>) -> ApiResult<Vec<String>> {
        let rows = loaders(ctx)?.load_one(AliasesOfArea(self.0.id)).await?.unwrap_or_default();
        Ok(rows.into_iter().map(|a| a.alias).collect())
    }

    /// The ONS region the area lies in (for an abolished area, that of its successor).
    async fn region(&self, ctx: &Context<'_>) -> ApiResult<Region> {
        model(ctx)
            .await?
            .region(&self.0.region_code)
            .cloned()
            .map(Region)
            .ok_or_else(|| ApiError::internal(format!("BUG: region {} missing", self.0.region_code)))
    }

    /// False when a reorganisation abolished the area (its `validTo` is set).
    async fn current(&self) -> bool {
        self.0.valid_to.is_none()
    }

    /// First day of an area created by a reorganisation; null for areas that predate the data.
    async fn valid_from(&self) -> Option<Date> {
        self.0.valid_from.map(Date)
    }

    /// Last day of an abolished area; null for current areas.
    async fn valid_to(&self) -> Option<Date> {
        self.0.valid_to.map(Date)
    }

    /// The NHS ICBs in the area's partnership, as named in its inspection report (empty when not yet known).
    async fn partners(&self, ctx: &Context<'_>) -> ApiResult<Vec<HealthPartner>> {
        Ok(model(ctx).await?.partners(self.0.id).into_iter().map(HealthPartner).collect())
    }

    /// Areas this one replaced (all or part of), with the date of the reorganisation.
    async fn predecessors(&self, ctx: &Context<'_>) -> ApiResult<Vec<LineageLink>> {
        Ok(model(ctx)
            .await?
            .lineage(self.0.id)
            .iter()
            .filter(|l| l.successor_id == self.0.id)
            .map(|l| LineageLink { other_id: l.predecessor_id, row: l.clone() })
            .collect())
    }

    /// Areas that replaced this one, with the date of the reorganisation.
    async fn successors(&self, ctx: &Context<'_>) -> ApiResult<Vec<LineageLink>> {
        Ok(model(ctx)
            .await?
            .lineage(self.0.id)
            .iter()
            .filter(|l| l.predecessor_id == self.0.id)
            .map(|l| LineageLink { other_id: l.successor_id, row: l.clone() })
            .collect())
    }

    /// The area's own inspections (under this code; a predecessor's are on the predecessor), oldest first.
    /// Optionally only those of one framework and/or type.
    async fn inspections(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only inspections under this framework.")] framework: Option<Framework>,
        #[graphql(desc = "Only inspections of this type.")] inspection_type: Option<InspectionType>,
    ) -> ApiResult<Vec<Inspection>> {
        let of_area = area_inspections(ctx, self.0.id).await?;
        let framework: Option<DomainFramework> = framework.map(Into::into);
        let inspection_type: Option<domain::InspectionType> = inspection_type.map(Into::into);
        Ok(of_area
            .inspections
            .iter()
            .filter(|i| framework.is_none_or(|f| i.framework == f))
            .filter(|i| inspection_type.is_none_or(|t| i.inspection_type == t))
            .cloned()
            .map(Inspection)
            .collect())
    }

    /// The most recent inspection (by start date), optionally of one framework; null when there is none.
    async fn latest_inspection(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only consider inspections under this framework.")] framework: Option<Framework>,
    ) -> ApiResult<Option<Inspection>> {
        let of_area = area_inspections(ctx, self.0.id).await?;
        let framework: Option<DomainFramework> = framework.map(Into::into);
        Ok(of_area
            .inspections
            .iter()
            .rev()
            .find(|i| framework.is_none_or(|f| i.framework == f))
            .cloned()
            .map(Inspection))
    }

    /// Every inspection of this area and of the areas it replaced (recursively, through `predecessors`), oldest
    /// first: the area's history across reorganisations and frameworks. Entries say whether they came through a
    /// predecessor and whether their outcome is comparable with the current framework's.
    async fn timeline(&self, ctx: &Context<'_>) -> ApiResult<Vec<TimelineEntry>> {
        timeline_of(&self.0, ctx).await
    }

    /// The official-statistics view of the area's current outcome: its latest full inspection under the current
    /// (2023) framework, of this area itself. A new area does not inherit a predecessor's outcome and a 2016-framework
    /// outcome does not carry over, so this is null for areas not yet inspected under the 2023 framework (see
    /// `timeline` for the lineage view).
    async fn current_outcome(&self, ctx: &Context<'_>) -> ApiResult<Option<Inspection>> {
        let of_area = area_inspections(ctx, self.0.id).await?;
        Ok(latest_2023_full(&of_area.inspections).cloned().map(Inspection))
    }

    /// The lineage view of the area's current outcome: its latest full inspection under either framework, of this
    /// area or of an area it replaced. Unlike `currentOutcome` (the official-statistics view) it may be a
    /// predecessor's, or a 2016-framework outcome that is not comparable with the current framework's; check the
    /// inspection's `area` and `framework`.
    async fn current_outcome_with_lineage(&self, ctx: &Context<'_>) -> ApiResult<Option<Inspection>> {
        let timeline = timeline_of(&self.0, ctx).await?;
        Ok(timeline
            .into_iter()
            .rev()
            .find(|e| e.inspection.inspection_type == domain::InspectionType::Full)
            .map(|e| Inspection(e.inspection)))
    }

    /// The inspections expected next under the 2023 framework's rules (a versioned rule set), computed from the
    /// area's latest 2023-framework full inspection: each with its due date, the rule it follows, and whether it is
    /// done or overdue as of `asOf`. An area not yet inspected under the 2023 framework is due by the end of the
    /// programme (31 March 2028).
    async fn schedule(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The date to judge `overdue` against (default: the date the data runs to, \
                          `dataset { dataRunsTo }`).")]
        as_of: Option<Date>,
    ) -> ApiResult<Vec<ExpectedInspection>> {
        use send_model::schedule::{add_months, current_rules, programme_end};
        let as_of = match as_of {
            Some(d) => d.0,
            None => model(ctx).await?.default_as_at(),
        };
        let of_area = area_inspections(ctx, self.0.id).await?;
        let rows = &of_area.inspections;
        let rules = current_rules();
        let latest_full = latest_2023_full(rows);
        let Some(full) = latest_full else {
            // An abolished area is inspected no more.
            if self.0.valid_to.is_some() {
                return Ok(Vec::new());
            }
            return Ok(vec![ExpectedInspection {
                inspection_type: InspectionType::Full,
                due: Date(programme_end()),
                after: None,
                rule_id: "2023-programme".to_owned(),
                rule_version: rules.version.to_owned(),
                rule_description: "every area's first full inspection under the 2023 framework by the end of 2027/28"
                    .to_owned(),
                rule_source: rules.source.to_owned(),
                done: false,
                overdue: as_of > programme_end(),
            }]);
        };
        let Some(outcome) = full.outcome else { return Ok(Vec::new()) };
        let base = full.published.or(full.end_date).unwrap_or(full.start_date);
        Ok(rules
            .rules
            .iter()
            .filter(|r| r.after == outcome)
            .map(|rule| {
                let due = add_months(base, rule.months);
                let done = rows.iter().any(|i| {
                    i.framework == DomainFramework::F2023
                        && i.inspection_type == rule.next
                        && i.start_date > full.start_date
                });
                ExpectedInspection {
                    inspection_type: rule.next.into(),
                    due: Date(due),
                    after: Some(Inspection(full.clone())),
                    rule_id: rule.id.to_owned(),
                    rule_version: rules.version.to_owned(),
                    rule_description: rule.description.to_owned(),
                    rule_source: rules.source.to_owned(),
                    done,
                    overdue: !done && as_of > due,
                }
            })
            .collect())
    }
}

/// An area's current outcome beside its region's and England's outcome profiles.
#[derive(SimpleObject)]
pub struct Comparison {
    /// The area's latest 2023-framework full inspection (official view); null if it has none yet.
    pub current_outcome: Option<Inspection>,
    /// The outcome profile of the area's ONS region.
    pub region: super::profile::OutcomeProfile,
    /// The outcome profile of England.
    pub england: super::profile::OutcomeProfile,
}

/// The area's and its predecessors' inspections, oldest first.
async fn timeline_of(area: &local_area::Model, ctx: &Context<'_>) -> ApiResult<Vec<TimelineEntry>> {
    let model = model(ctx).await?;
    let mut areas = vec![(area.id, false)];
    let mut frontier = vec![area.id];
    let mut seen = std::collections::HashSet::from([area.id]);
    while let Some(id) = frontier.pop() {
        for link in model.lineage(id).iter().filter(|l| l.successor_id == id) {
            if seen.insert(link.predecessor_id) {
                areas.push((link.predecessor_id, true));
                frontier.push(link.predecessor_id);
            }
        }
    }
    let mut entries = Vec::new();
    for (id, via) in areas {
        let of_area = area_inspections(ctx, id).await?;
        entries
            .extend(of_area.inspections.iter().map(|m| TimelineEntry { inspection: m.clone(), via_predecessor: via }));
    }
    entries.sort_by_key(|e| (e.inspection.start_date, e.inspection.id));
    Ok(entries)
}

/// One entry of an area's timeline.
pub struct TimelineEntry {
    inspection: inspection::Model,
    via_predecessor: bool,
}

/// One inspection in an area's history, possibly of an area it replaced.
#[Object]
impl TimelineEntry {
    /// The inspection (its `area` says which area it was of).
    async fn inspection(&self) -> Inspection {
        Inspection(self.inspection.clone())
    }

    /// True when the inspection was of a predecessor area (before a reorganisation), not of this area itself.
    async fn via_predecessor(&self) -> bool {
        self.via_predecessor
    }

    /// True when the outcome is comparable with the current (2023) framework's outcomes; 2016-framework outcomes
    /// (written statements of action) are on a different scale.
    async fn comparable_with_current_framework(&self) -> bool {
        self.inspection.framework == DomainFramework::F2023
    }
}

/// An inspection the 2023 framework's rules expect next, with the rule it follows.
#[derive(SimpleObject)]
pub struct ExpectedInspection {
    /// The type of inspection expected.
    pub inspection_type: InspectionType,
    /// The latest date it is expected by (counted from the report's publication).
    pub due: Date,
    /// The full inspection the expectation follows; null for an area not yet inspected under the 2023 framework.
    pub after: Option<Inspection>,
    /// The rule's identifier, e.g. `2023-systemic-monitoring`.
    pub rule_id: String,
    /// The version of the rule set.
    pub rule_version: String,
    /// The rule in words.
    pub rule_description: String,
    /// Where the rule is stated.
    pub rule_source: String,
    /// True when an inspection of that type has started since.
    pub done: bool,
    /// True when it is not done and `due` is before `asOf`.
    pub overdue: bool,
}

/// Days from an inspection's last day on site to its publication, when both are known to the day.
pub fn days_to_publication(m: &inspection::Model) -> Option<i32> {
    use send_model::domain::DatePrecision;
    match (m.end_date, m.end_precision, m.published, m.published_precision) {
        (Some(end), Some(DatePrecision::Day), Some(published), Some(DatePrecision::Day)) => {
            i32::try_from((published - end).num_days()).ok()
        }
        _ => None,
    }
}

/// An area for priority action named in a 2023-framework report.
pub struct PriorityAction(pub priority_action::Model);

/// An area for priority action named in a report with widespread and/or systemic failings.
#[Object]
impl PriorityAction {
    /// Position in the report, from 1.
    async fn ordinal(&self) -> i32 {
        self.0.ordinal
    }

    /// The theme it is coded into.
    async fn theme(&self) -> PriorityActionTheme {
        self.0.theme.into()
    }

    /// The theme's label, e.g. "strategic governance and oversight".
    async fn theme_label(&self) -> &'static str {
        self.0.theme.code()
    }

    /// The report's wording, when the report PDF has been imported (null when only the theme is known, from a
    /// curated file).
    async fn text(&self) -> Option<&str> {
        self.0.text.as_deref()
    }

    /// The words and phrases of `text` that decided the theme under the report taxonomy, in text order (empty when
    /// the text is not known, or the theme came from a curated file).
    async fn evidence(&self) -> Vec<String> {
        evidence_list(self.0.evidence.as_deref())
    }

    /// The inspection whose report names it.
    async fn inspection(&self, ctx: &Context<'_>) -> ApiResult<Inspection> {
        loaders(ctx)?
            .load_one(InspectionId(self.0.inspection_id))
            .await?
            .map(Inspection)
            .ok_or_else(|| ApiError::internal("a priority action's inspection is missing"))
    }

    /// The import run that last changed this record: the file or URL it came from, and when.
    async fn import_run(&self, ctx: &Context<'_>) -> ApiResult<Option<ImportRun>> {
        Ok(loaders(ctx)?.load_one(ImportRunId(self.0.import_run_id)).await?.map(ImportRun))
    }
}

/// Evidence as stored (phrases joined by `"; "`) as a list.
fn evidence_list(stored: Option<&str>) -> Vec<String> {
    stored.map(|e| e.split("; ").filter(|p| !p.is_empty()).map(str::to_owned).collect()).unwrap_or_default()
}

/// An area for improvement named in a 2023-framework report (read from the report PDF).
pub struct ImprovementArea(pub improvement_area::Model);

/// An area for improvement named in an inspection report: something the partnership should improve, less urgent
/// than an area for priority action. Only report PDFs give them.
#[Object]
impl ImprovementArea {
    /// Position in the report, from 1.
    async fn ordinal(&self) -> i32 {
        self.0.ordinal
    }

    /// The report's wording.
    async fn text(&self) -> &str {
        &self.0.text
    }

    /// The theme the report taxonomy codes it into; null when no rule of the taxonomy matched its text.
    async fn theme(&self) -> Option<PriorityActionTheme> {
        self.0.theme.map(Into::into)
    }

    /// The words and phrases of `text` that decided the theme, in text order (empty when no theme).
    async fn evidence(&self) -> Vec<String> {
        evidence_list(self.0.evidence.as_deref())
    }
}

/// One inspection of one local area.
pub struct Inspection(pub inspection::Model);

/// One inspection of one local area, under either framework.
#[Object]
impl Inspection {
    /// Global ID (the `Node` interface): opaque, stable across re-imports. Use `key` for a readable identifier.
    async fn id(&self, ctx: &Context<'_>) -> ApiResult<ID> {
        Ok(ID(super::connection::global_id("Inspection", &inspection_key(ctx, &self.0).await?)))
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
        Ok(loaders(ctx)?.load_one(ImportRunId(self.0.import_run_id)).await?.map(ImportRun))
    }
}

/// A thematic visit: a national theme looked at in a few areas, with no judgement on any area.
pub struct ThematicVisit(pub thematic_visit::Model);

/// A thematic visit: a national theme looked at in a few local area partnerships, with no judgement on any of them.
#[Object]
impl ThematicVisit {
    /// The year of the thematic review.
    async fn year(&self) -> i32 {
        self.0.year
    }

    /// The national theme.
    async fn theme(&self) -> VisitTheme {
        self.0.theme.into()
    }

    /// The area visited; null when the national report does not name it.
    async fn area(&self, ctx: &Context<'_>) -> ApiResult<Option<Area>> {
        match self.0.area_id {
            Some(id) => load_area(ctx, id).await.map(Some),
            None => Ok(None),
        }
    }

    /// How an area that is not named is described.
    async fn label(&self) -> Option<&str> {
        self.0.label.as_deref()
    }

    /// The pathways the visit looked at.
    async fn pathways(&self) -> Vec<Pathway> {
        self.0.pathways.split(';').filter_map(|p| domain::Pathway::parse(p).ok()).map(Into::into).collect()
    }

    /// First day (or month) of the visit, where known.
    async fn start(&self) -> Option<PublishedDate> {
        PublishedDate::maybe(self.0.visit_start, self.0.visit_start_precision)
    }

    /// Last day of the visit, where known.
    async fn end(&self) -> Option<PublishedDate> {
        PublishedDate::maybe(self.0.visit_end, self.0.visit_end_precision)
    }

    /// Title of the national report.
    async fn report_title(&self) -> &str {
        &self.0.report_title
    }

    /// When the national report was published.
    async fn report_published(&self) -> Option<Date> {
        self.0.report_published.map(Date)
    }

    /// The national report's address, where known.
    async fn report_url(&self) -> Option<&str> {
        self.0.report_url.as_deref()
    }

    /// Where these facts were read.
    async fn source(&self) -> &str {
        &self.0.source
    }

    /// The import run that last changed this record: the file or URL it came from, and when.
    async fn import_run(&self, ctx: &Context<'_>) -> ApiResult<Option<ImportRun>> {
        Ok(loaders(ctx)?.load_one(ImportRunId(self.0.import_run_id)).await?.map(ImportRun))
    }
}

/// One import: a source file read and loaded in one transaction.
pub struct ImportRun(pub import_run::Model);

/// One import: a source read by `send-import` (or on first start) and loaded in one transaction.
#[Object]
impl ImportRun {
    /// Sequential number.
    async fn id(&self) -> i32 {
        self.0.id
    }

    /// The path or URL read (`bundled:data/...` for the dataset built into the binary).
    async fn source(&self) -> &str {
        &self.0.source
    }

    /// The layout it was read as, e.g. `curated-csv/inspections`.
    async fn format(&self) -> &str {
        &self.0.format
    }

    /// SHA-256 of the bytes read, lowercase hex.
    async fn sha256(&self) -> &str {
        &self.0.sha256
    }

    /// When the import began.
    async fn started_at(&self) -> DateTime<Utc> {
        self.0.started_at
    }

    /// When it committed.
    async fn finished_at(&self) -> DateTime<Utc> {
        self.0.finished_at
    }

    /// The time a snapshot states for itself (the Data to Insight summary's "last updated", as the page gives it,
    /// in UK local time); null for sources that state none.
    async fn snapshot_at(&self) -> Option<chrono::NaiveDateTime> {
        self.0.snapshot_at
    }

    /// Data rows read from the source.
    async fn rows_read(&self) -> i32 {
        self.0.rows_read
    }

    /// Records inserted.
    async fn rows_inserted(&self) -> i32 {
        self.0.rows_inserted
    }

    /// Records updated.
    async fn rows_updated(&self) -> i32 {
        self.0.rows_updated
    }

    /// Records that were already as the source says.
    async fn rows_unchanged(&self) -> i32 {
        self.0.rows_unchanged
    }
}

/// How often one theme is cited among areas for priority action.
#[derive(SimpleObject, Debug, Clone)]
pub struct ThemeCount {
    /// The theme.
    pub theme: PriorityActionTheme,
    /// The theme's label, e.g. "education health and care plans".
    pub label: &'static str,
    /// Areas for priority action coded into this theme.
    pub priority_actions: i32,
    /// Inspections citing the theme at least once.
    pub inspections: i32,
    /// Inspections with widespread and/or systemic failings in the same filter.
    pub systemic_inspections: i32,
    /// Of `systemicInspections`, those whose areas for priority action are not yet read (the outcome is published,
    /// the report's actions not yet coded): they cite no theme yet, so they are left out of the share.
    pub systemic_inspections_not_yet_read: i32,
    /// `inspections / (systemicInspections - systemicInspectionsNotYetRead)`: the share of systemic-failings
    /// inspections whose actions are read that cite the theme (null when there are none).
    pub share_of_systemic_inspections: Option<f64>,
}
