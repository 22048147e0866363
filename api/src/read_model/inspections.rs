//! Which inspections a request asks for and in what order ([`InspectionCriteria`], [`InspectionSort`]): their SQL
//! selection and order, read by the `inspections` connection and the CSV export alike, and, when the criteria
//! allow, their count from the tallies.

use sea_orm::sea_query::{Expr, ExprTrait, JoinType};
use sea_orm::{ColumnTrait, EntityTrait, Order, QueryFilter, QuerySelect, RelationTrait, Select};
use send_model::entity::{inspection, local_area};
use send_model::{domain, tally};

use chrono::NaiveDate;

use super::held::ReadModel;
use super::order::{KeyKind, SortKey, order_by_keys};
use super::search::name_contains;
use crate::error::ApiResult;

/// Which inspections: every field narrows the result, omitted fields do not (the GraphQL `InspectionFilter`, and
/// the export's parameters, in domain terms).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InspectionCriteria {
    /// Under this framework.
    pub framework: Option<domain::Framework>,
    /// Of this type.
    pub inspection_type: Option<domain::InspectionType>,
    /// With this outcome.
    pub outcome: Option<domain::Outcome>,
    /// Of areas in this ONS region (code).
    pub region: Option<String>,
    /// Of areas in this Ofsted region (name).
    pub ofsted_region: Option<String>,
    /// Of areas served by this ICB (code).
    pub icb: Option<String>,
    /// Of the statistical neighbours, in this set, of the area with this code (GSS, DfE or URN).
    pub neighbours_of: Option<(String, domain::NeighbourSet)>,
    /// Started in this year.
    pub year: Option<i32>,
    /// Started on or after this day.
    pub started_from: Option<NaiveDate>,
    /// Started on or before this day.
    pub started_to: Option<NaiveDate>,
    /// Published in this year.
    pub published_year: Option<i32>,
    /// Published on or after this day.
    pub published_from: Option<NaiveDate>,
    /// Published on or before this day.
    pub published_to: Option<NaiveDate>,
    /// Of the area with this code (GSS, DfE or URN).
    pub area_code: Option<String>,
    /// Of areas whose name contains this text.
    pub name_contains: Option<String>,
}

/// What inspections are ordered by.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SortField {
    /// Start date, ties by id.
    #[default]
    StartDate,
    /// Publication date, unpublished last.
    Published,
    /// The area's name, then start date.
    AreaName,
}

/// The order of a list of inspections.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct InspectionSort {
    /// The field.
    pub field: SortField,
    /// Descending instead of ascending.
    pub descending: bool,
}

/// The order of inspections as sort keys (ties broken by id, so pages are stable).
pub fn order(sort: InspectionSort) -> Vec<SortKey> {
    let direction = if sort.descending { Order::Desc } else { Order::Asc };
    let col = |c: inspection::Column| Expr::col((inspection::Entity, c));
    let area_name = Expr::col((local_area::Entity, local_area::Column::Name));
    let id = SortKey::new(col(inspection::Column::Id), Order::Asc, KeyKind::Int);
    match sort.field {
        // Ties by id in the same direction: the (framework, start_date, id) index then serves a page of one
        // framework as a plain walk that stops after the page (a tie-break on the area's name, in another table,
        // made SQLite sort every inspection of the framework first).
        SortField::StartDate => vec![
            SortKey::new(col(inspection::Column::StartDate), direction.clone(), KeyKind::Date),
            SortKey::new(col(inspection::Column::Id), direction, KeyKind::Int),
        ],
        SortField::Published => vec![
            SortKey::new(col(inspection::Column::Published).is_null(), Order::Asc, KeyKind::Bool),
            SortKey::new(col(inspection::Column::Published), direction, KeyKind::Date),
            id,
        ],
        SortField::AreaName => vec![
            SortKey::new(area_name, direction, KeyKind::Text),
            SortKey::new(col(inspection::Column::StartDate), Order::Asc, KeyKind::Date),
            id,
        ],
    }
}

/// Inspections narrowed by `criteria`, in the order `sort`: what the CSV export lists.
pub fn ordered(
    model: &ReadModel,
    criteria: &InspectionCriteria,
    sort: InspectionSort,
) -> ApiResult<Select<inspection::Entity>> {
    Ok(order_by_keys(filtered(model, criteria, sort)?, &order(sort)))
}

/// How many inspections `filter` selects, from the tallies, when it filters only on what they count by
/// (framework, type, outcome, region, Ofsted region, year); `None` otherwise.
pub fn tallied_count(model: &ReadModel, criteria: &InspectionCriteria) -> ApiResult<Option<u64>> {
    let InspectionCriteria {
        framework,
        inspection_type,
        outcome,
        region,
        ofsted_region,
        icb: None,
        neighbours_of: None,
        year,
        started_from: None,
        started_to: None,
        published_year: None,
        published_from: None,
        published_to: None,
        area_code: None,
        name_contains: None,
    } = criteria
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
        .filter(|t| framework.is_none_or(|f| t.framework == f))
        .filter(|t| inspection_type.is_none_or(|k| t.inspection_type == k))
        .filter(|t| outcome.is_none_or(|o| t.outcome == Some(o)))
        .filter(|t| year.is_none_or(|y| t.start_known && t.start_year == y))
        .filter(|t| regions.admits(&t.region_code))
        .map(|t| t.inspections)
        .sum();
    Ok(Some(u64::try_from(n).unwrap_or(0)))
}

/// Inspections narrowed by `criteria` (joined to their area when `criteria` or `sort` needs its name), not yet
/// ordered.
pub fn filtered(
    model: &ReadModel,
    criteria: &InspectionCriteria,
    sort: InspectionSort,
) -> ApiResult<Select<inspection::Entity>> {
    let filter = criteria;
    let mut select = inspection::Entity::find();
    // The area's table only when its name filters or orders: a page of one region then reads the inspections'
    // index and rows alone (areas come from the read model).
    if filter.name_contains.is_some() || sort.field == SortField::AreaName {
        select = select.join(JoinType::InnerJoin, inspection::Relation::Area.def());
    }
    if let Some(f) = filter.framework {
        select = select.filter(inspection::Column::Framework.eq(f));
    }
    if let Some(t) = filter.inspection_type {
        select = select.filter(inspection::Column::InspectionType.eq(t));
    }
    if let Some(o) = filter.outcome {
        select = select.filter(inspection::Column::Outcome.eq(o));
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
    if let Some((code, set)) = &filter.neighbours_of {
        select = select.filter(inspection::Column::AreaId.is_in(model.neighbours_of(code, *set)?.1.iter().copied()));
    }
    // An inspection whose start is not known has no year and no start to compare: these filters leave it out.
    if filter.year.is_some() || filter.started_from.is_some() || filter.started_to.is_some() {
        select = select.filter(inspection::Column::StartKnown.eq(true));
    }
    if let Some(year) = filter.year {
        select = select.filter(inspection::Column::StartYear.eq(year));
    }
    if let Some(from) = filter.started_from {
        select = select.filter(inspection::Column::StartDate.gte(from));
    }
    if let Some(to) = filter.started_to {
        select = select.filter(inspection::Column::StartDate.lte(to));
    }
    // An inspection not yet published has no publication date: these filters leave it out.
    if let Some(year) = filter.published_year {
        let first = NaiveDate::from_ymd_opt(year, 1, 1);
        let last = NaiveDate::from_ymd_opt(year, 12, 31);
        let (Some(first), Some(last)) = (first, last) else {
            return Err(crate::error::ApiError::bad_input(format!("`publishedYear`: no such year as {year}")));
        };
        select = select.filter(inspection::Column::Published.between(first, last));
    }
    if let Some(from) = filter.published_from {
        select = select.filter(inspection::Column::Published.gte(from));
    }
    if let Some(to) = filter.published_to {
        select = select.filter(inspection::Column::Published.lte(to));
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
