//! How `InspectionFilter` and `InspectionOrder` read inspections: the SQL selection and order (for the
//! `inspections` connection and the CSV export) and, when the filter allows, the count from the tallies.

use sea_orm::sea_query::{Expr, ExprTrait, JoinType};
use sea_orm::{ColumnTrait, EntityTrait, Order, QueryFilter, QuerySelect, RelationTrait, Select};
use send_model::entity::{inspection, local_area};
use send_model::{domain, tally};

use super::inputs::{InspectionFilter, InspectionOrder, InspectionOrderField};
use super::pagination::{KeyKind, SortKey, order_by_keys, sort_order};
use super::search::name_contains;
use crate::error::ApiResult;
use crate::read_model::ReadModel;

/// The order of inspections as sort keys (ties broken by id, so pages are stable).
pub fn inspection_order(order: InspectionOrder) -> Vec<SortKey> {
    let direction = sort_order(order.direction);
    let col = |c: inspection::Column| Expr::col((inspection::Entity, c));
    let area_name = Expr::col((local_area::Entity, local_area::Column::Name));
    let id = SortKey::new(col(inspection::Column::Id), Order::Asc, KeyKind::Int);
    match order.field {
        // Ties by id in the same direction: the (framework, start_date, id) index then serves a page of one
        // framework as a plain walk that stops after the page (a tie-break on the area's name, in another table,
        // made SQLite sort every inspection of the framework first).
        InspectionOrderField::StartDate => vec![
            SortKey::new(col(inspection::Column::StartDate), direction.clone(), KeyKind::Date),
            SortKey::new(col(inspection::Column::Id), direction, KeyKind::Int),
        ],
        InspectionOrderField::Published => vec![
            SortKey::new(col(inspection::Column::Published).is_null(), Order::Asc, KeyKind::Bool),
            SortKey::new(col(inspection::Column::Published), direction, KeyKind::Date),
            id,
        ],
        InspectionOrderField::AreaName => vec![
            SortKey::new(area_name, direction, KeyKind::Text),
            SortKey::new(col(inspection::Column::StartDate), Order::Asc, KeyKind::Date),
            id,
        ],
    }
}

/// Inspections narrowed by `filter`, in `order`: what the CSV export lists.
pub fn inspection_select(
    model: &ReadModel,
    filter: &InspectionFilter,
    order: InspectionOrder,
) -> ApiResult<Select<inspection::Entity>> {
    Ok(order_by_keys(filtered_inspections(model, filter, order)?, &inspection_order(order)))
}

/// How many inspections `filter` selects, from the tallies, when it filters only on what they count by
/// (framework, type, outcome, region, Ofsted region, year); `None` otherwise.
pub(crate) fn tallied_count(model: &ReadModel, filter: &InspectionFilter) -> ApiResult<Option<u64>> {
    let InspectionFilter {
        framework,
        inspection_type,
        outcome,
        region,
        ofsted_region,
        icb: None,
        year,
        started_from: None,
        started_to: None,
        area_code: None,
        name_contains: None,
    } = filter
    else {
        return Ok(None);
    };
    // Both region filters narrow together, as they do on the inspections.
    let regions = match model.regions_allowed(region.as_deref(), ofsted_region.as_deref())? {
        None => tally::Regions::England,
        Some(codes) => tally::Regions::These(codes),
    };
    let n: i64 = model
        .inspection_tally
        .iter()
        .filter(|t| framework.is_none_or(|f| t.framework == domain::Framework::from(f)))
        .filter(|t| inspection_type.is_none_or(|k| t.inspection_type == domain::InspectionType::from(k)))
        .filter(|t| outcome.is_none_or(|o| t.outcome == Some(domain::Outcome::from(o))))
        .filter(|t| year.is_none_or(|y| t.start_known && t.start_year == y))
        .filter(|t| regions.admits(&t.region_code))
        .map(|t| t.inspections)
        .sum();
    Ok(Some(u64::try_from(n).unwrap_or(0)))
}

/// Inspections narrowed by `filter` (joined to their area when `filter` or `order` needs its name).
pub(crate) fn filtered_inspections(
    model: &ReadModel,
    filter: &InspectionFilter,
    order: InspectionOrder,
) -> ApiResult<Select<inspection::Entity>> {
    let mut select = inspection::Entity::find();
    // The area's table only when its name filters or orders: a page of one region then reads the inspections'
    // index and rows alone (areas come from the read model).
    if filter.name_contains.is_some() || order.field == InspectionOrderField::AreaName {
        select = select.join(JoinType::InnerJoin, inspection::Relation::Area.def());
    }
    if let Some(f) = filter.framework {
        select = select.filter(inspection::Column::Framework.eq(domain::Framework::from(f)));
    }
    if let Some(t) = filter.inspection_type {
        select = select.filter(inspection::Column::InspectionType.eq(domain::InspectionType::from(t)));
    }
    if let Some(o) = filter.outcome {
        select = select.filter(inspection::Column::Outcome.eq(domain::Outcome::from(o)));
    }
    // The inspection's own copy of its area's region, which the (framework, region, start date) index serves.
    if let Some(code) = &filter.region {
        select = select.filter(inspection::Column::RegionCode.eq(model.region_code(code)?));
    }
    if let Some(name) = &filter.ofsted_region {
        select = select.filter(inspection::Column::RegionCode.is_in(model.regions_of_ofsted_region(name)?));
    }
    if let Some(code) = &filter.icb {
        select = select.filter(inspection::Column::AreaId.is_in(model.areas_served_by_icb(code)?));
    }
    // An inspection whose start is not known has no year and no start to compare: these filters leave it out.
    if filter.year.is_some() || filter.started_from.is_some() || filter.started_to.is_some() {
        select = select.filter(inspection::Column::StartKnown.eq(true));
    }
    if let Some(year) = filter.year {
        select = select.filter(inspection::Column::StartYear.eq(year));
    }
    if let Some(from) = filter.started_from {
        select = select.filter(inspection::Column::StartDate.gte(from.0));
    }
    if let Some(to) = filter.started_to {
        select = select.filter(inspection::Column::StartDate.lte(to.0));
    }
    if let Some(code) = &filter.area_code {
        // An unknown (but well-formed) code matches nothing, as in every other filter.
        let id = model.area_by_code(code)?.map_or(-1, |a| a.id);
        select = select.filter(inspection::Column::AreaId.eq(id));
    }
    if let Some(text) = &filter.name_contains {
        select = select.filter(name_contains(text)?);
    }
    Ok(select)
}
