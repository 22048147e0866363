//! An area's history: the reorganisations that made it, its timeline across them, and the inspections its
//! schedule expects next.

use async_graphql::{Context, Object, SimpleObject};
use send_model::domain::Framework as DomainFramework;
use send_model::entity::{area_lineage, inspection, local_area};

use super::{Area, Inspection, area_inspections, load_area};
use crate::error::ApiResult;
use crate::graphql::context::model;
use crate::graphql::enums::InspectionType;
use crate::graphql::scalars::Date;

/// The area's and its predecessors' inspections, oldest first.
pub(crate) async fn timeline_of(area: &local_area::Model, ctx: &Context<'_>) -> ApiResult<Vec<TimelineEntry>> {
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
    pub(super) inspection: inspection::Model,
    pub(super) via_predecessor: bool,
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

/// A reorganisation link between two areas.
pub struct LineageLink {
    pub(super) row: area_lineage::Model,
    pub(super) other_id: i32,
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
