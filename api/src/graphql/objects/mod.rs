//! The object types of the schema: the graph a query walks (an area's inspections, an inspection's area). Each wraps
//! a storage row, as async-graphql's examples wrap theirs, so that the public schema can evolve apart from the
//! tables. The types are declared here, with what their fields share (an area's inspections, an area by id, an area's
//! timeline); each file holds the fields of one family, and imports only this module: the schema's graph refers to
//! itself (an area's inspections, an inspection's area), its modules do not.

mod area;
mod history;
mod import_run;
mod inspection;
mod priority_action;
mod region;
mod visit;

use async_graphql::{Context, ID, SimpleObject};
use send_model::entity;

use super::context::{loaders, model};
use super::enums::InspectionType;
use super::loaders::InspectionsOfArea;
use super::profile::OutcomeProfile;
use super::scalars::Date;
use crate::error::{ApiError, ApiResult};
use crate::read_model::AreaInspections;

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

/// A local area: the footprint of one local authority, current or abolished by a reorganisation.
pub struct Area(pub entity::local_area::Model);

/// An area's current outcome beside its region's and England's outcome profiles.
#[derive(SimpleObject)]
pub struct Comparison {
    /// The area's latest 2023-framework full inspection (official view); null if it has none yet.
    pub current_outcome: Option<Inspection>,
    /// The outcome profile of the area's ONS region.
    pub region: OutcomeProfile,
    /// The outcome profile of England.
    pub england: OutcomeProfile,
}

/// One of the nine ONS regions of England.
pub struct Region(pub entity::region::Model);

/// An NHS Integrated Care Board: a health partner in a local area partnership (2023 framework).
pub struct HealthPartner(pub entity::icb::Model);

/// A reorganisation link between two areas.
pub struct LineageLink {
    pub(crate) row: entity::area_lineage::Model,
    pub(crate) other_id: i32,
}

/// One of an area's statistical neighbours, with its rank in the set.
pub struct StatisticalNeighbour {
    pub(crate) rank: i32,
    pub(crate) area_id: i32,
}

/// One entry of an area's timeline.
pub struct TimelineEntry {
    pub(crate) inspection: entity::inspection::Model,
    pub(crate) via_predecessor: bool,
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

/// One inspection of one local area.
pub struct Inspection(pub entity::inspection::Model);

/// An area for priority action named in a 2023-framework report.
pub struct PriorityAction(pub entity::priority_action::Model);

/// An area for improvement named in a 2023-framework report (read from the report PDF).
pub struct ImprovementArea(pub entity::improvement_area::Model);

/// A thematic visit: a national theme looked at in a few areas, with no judgement on any area.
pub struct ThematicVisit(pub entity::thematic_visit::Model);

/// One import: a source file read and loaded in one transaction.
pub struct ImportRun(pub entity::import_run::Model);

/// An area's inspections with their priority actions: from the read model when a request of its version has read
/// them, else through the request's loader (one statement for every area asked for meanwhile), which keeps them there.
pub async fn area_inspections(ctx: &Context<'_>, area_id: i32) -> ApiResult<std::sync::Arc<AreaInspections>> {
    if let Some(cached) = model(ctx).await?.cached_inspections(area_id) {
        return Ok(cached);
    }
    Ok(loaders(ctx)?.load_one(InspectionsOfArea(area_id)).await?.unwrap_or_default())
}

pub(crate) async fn load_area(ctx: &Context<'_>, id: i32) -> ApiResult<Area> {
    model(ctx)
        .await?
        .area(id)
        .cloned()
        .map(Area)
        .ok_or_else(|| ApiError::internal(format!("BUG: area {id} referenced but missing")))
}

/// The area's and its predecessors' inspections, oldest first.
pub(crate) async fn timeline_of(area: &entity::local_area::Model, ctx: &Context<'_>) -> ApiResult<Vec<TimelineEntry>> {
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

/// An inspection's natural key: `AREA/FRAMEWORK/TYPE/START`.
pub async fn inspection_key(ctx: &Context<'_>, m: &entity::inspection::Model) -> ApiResult<String> {
    let area = load_area(ctx, m.area_id).await?;
    Ok(crate::read_model::keys::inspection_key(&area.0.gss_code, m))
}

/// Days from an inspection's last day on site to its publication, when both are known to the day.
pub fn days_to_publication(m: &entity::inspection::Model) -> Option<i32> {
    use send_model::domain::DatePrecision;
    match (m.end_date, m.end_precision, m.published, m.published_precision) {
        (Some(end), Some(DatePrecision::Day), Some(published), Some(DatePrecision::Day)) => {
            i32::try_from((published - end).num_days()).ok()
        }
        _ => None,
    }
}
