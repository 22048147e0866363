//! `Area`: a local area, its reference data (statistical neighbours and population included), inspections, outcomes
//! and schedule.

use async_graphql::{Context, ID, Object};
use send_model::domain::{self, Framework as DomainFramework};
use send_model::entity::inspection;

use super::*;
use crate::error::{ApiError, ApiResult};
use crate::graphql::context::{loaders, model, scope};
use crate::graphql::enums::{Framework, InspectionType, NeighbourSet};
use crate::graphql::loaders::AliasesOfArea;
use crate::graphql::scalars::Date;
use crate::read_model::keys::global_id;

/// The latest full inspection under the 2023 framework among an area's inspections (oldest first): its current
/// outcome in the official-statistics view.
pub(crate) fn latest_2023_full(inspections: &[inspection::Model]) -> Option<&inspection::Model> {
    inspections
        .iter()
        .rev()
        .find(|i| i.framework == DomainFramework::F2023 && i.inspection_type == domain::InspectionType::Full)
}

impl Area {
    /// The reorganisations this area took part in on one side: `sides` gives a lineage row's (this side, other side)
    /// area ids; each row where this area is on this side links to the area on the other.
    async fn lineage_links(
        &self,
        ctx: &Context<'_>,
        sides: fn(&entity::area_lineage::Model) -> (i32, i32),
    ) -> ApiResult<Vec<LineageLink>> {
        Ok(model(ctx)
            .await?
            .lineage(self.0.id)
            .iter()
            .filter_map(|l| {
                let (this, other) = sides(l);
                (this == self.0.id).then(|| LineageLink { other_id: other, row: l.clone() })
            })
            .collect())
    }
}

/// A local area: the footprint of one local authority. Areas abolished by a reorganisation (e.g. Northamptonshire,
/// 2021) are kept, with `current: false`, because older inspections belong to them.
#[Object]
impl Area {
    /// ONS GSS code, the stable identifier (e.g. `E10000029` for Suffolk).
    async fn code(&self) -> &str {
        &self.0.gss_code
    }

    /// Global ID (the `Node` interface): opaque, stable across re-imports. Use `code` for the GSS code.
    pub(crate) async fn id(&self, _ctx: &Context<'_>) -> ApiResult<ID> {
        Ok(ID(global_id("Area", &self.0.gss_code)))
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
        ImportRun::of(ctx, self.0.import_run_id).await
    }

    /// This area against its region and England on the same measure: its current outcome (official view) beside
    /// the outcome profile of its ONS region and of England, for the 2023 framework's full inspections.
    async fn comparison(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only inspections that started in this year (default: all years).")] year: Option<i32>,
        #[graphql(desc = "Only inspections carried out by this date (default: all).")] as_at: Option<Date>,
    ) -> ApiResult<Comparison> {
        use crate::read_model::profiles::{ProfileCriteria, profile};
        let db = scope(ctx)?;
        let england = ProfileCriteria {
            year,
            as_at: as_at.map(|d| d.0),
            ..ProfileCriteria::of(domain::Framework::F2023, domain::InspectionType::Full)
        };
        let region =
            profile(db, &ProfileCriteria { region: Some(self.0.region_code.clone()), ..england.clone() }).await?;
        let england = profile(db, &england).await?;
        let of_area = area_inspections(ctx, self.0.id).await?;
        let current = latest_2023_full(&of_area.inspections).cloned().map(Inspection);
        Ok(Comparison { current_outcome: current, region: OutcomeProfile(region), england: OutcomeProfile(england) })
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

    /// DfE's children's services statistical neighbours of the area: the ten areas most alike it on DfE's measures,
    /// most alike first, as Data to Insight's lookup of local authorities gives them. Every current area has ten
    /// current neighbours, each a current area; the previous set is given by DfE codes, so it may name an area since
    /// abolished (Cumbria), and has nine for Cumberland and nine for Westmorland and Furness. Empty when the data
    /// gives none (an abolished area's current set). Their outcome profile is `outcomeProfile(filter:
    /// {neighboursOf: ...})`.
    async fn statistical_neighbours(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which set (default CURRENT).", default)] set: NeighbourSet,
    ) -> ApiResult<Vec<StatisticalNeighbour>> {
        Ok(model(ctx)
            .await?
            .neighbours(self.0.id, set.into())
            .iter()
            .zip(1..)
            .map(|(&area_id, rank)| StatisticalNeighbour { rank, area_id })
            .collect())
    }

    /// Residents aged 0 to 25, ONS's estimate as Data to Insight's lookup of local authorities gives it (the year is
    /// not stated there). Null where the lookup gives no figure of the area's own: Cumberland, and Westmorland and
    /// Furness, are each given Cumbria's whole figure, which is kept on Cumbria only.
    #[graphql(name = "population0To25")]
    async fn population_0_to_25(&self, ctx: &Context<'_>) -> ApiResult<Option<i32>> {
        Ok(model(ctx).await?.population_0_25(self.0.id))
    }

    /// Areas this one replaced (all or part of), with the date of the reorganisation.
    async fn predecessors(&self, ctx: &Context<'_>) -> ApiResult<Vec<LineageLink>> {
        self.lineage_links(ctx, |l| (l.successor_id, l.predecessor_id)).await
    }

    /// Areas that replaced this one, with the date of the reorganisation.
    async fn successors(&self, ctx: &Context<'_>) -> ApiResult<Vec<LineageLink>> {
        self.lineage_links(ctx, |l| (l.predecessor_id, l.successor_id)).await
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

/// One of an area's statistical neighbours: an area DfE ranks alike it, and where in the set.
#[Object]
impl StatisticalNeighbour {
    /// The neighbour's place in the set: 1 is the area most alike, 10 the least.
    async fn rank(&self) -> i32 {
        self.rank
    }

    /// The neighbour.
    async fn area(&self, ctx: &Context<'_>) -> ApiResult<Area> {
        load_area(ctx, self.area_id).await
    }
}
