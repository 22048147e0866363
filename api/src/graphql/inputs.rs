//! The input objects and order enums that arguments take: filters and orders of every entry point.

use async_graphql::{Enum, InputObject};

use super::enums::{Framework, InspectionType, NeighbourSet, OrderDirection, Outcome, VisitTheme};
use super::scalars::Date;
use crate::read_model::inspections::{InspectionCriteria, InspectionSort, SortField};
use crate::read_model::profiles::ProfileCriteria;

/// Filters on inspections. Every field narrows the result; omitted fields do not filter.
#[derive(InputObject, Debug, Clone, Default)]
pub struct InspectionFilter {
    /// Only inspections under this framework.
    pub framework: Option<Framework>,
    /// Only inspections of this type.
    pub inspection_type: Option<InspectionType>,
    /// Only inspections with this outcome.
    pub outcome: Option<Outcome>,
    /// Only inspections of areas in this ONS region: its code (`E12000006`) or name ("East of England"), in any case.
    pub region: Option<String>,
    /// Only inspections of areas in this Ofsted region (name, e.g. "North East, Yorkshire and the Humber", in any case).
    pub ofsted_region: Option<String>,
    /// Only inspections of areas served by this ICB (code, e.g. `E54000023`), as named in their reports.
    pub icb: Option<String>,
    /// Only inspections of the statistical neighbours of this area (GSS code, DfE code or Ofsted URN, in any case):
    /// the ten areas DfE ranks most alike it in the set `neighboursSet`, not the area itself, each with the
    /// inspections under its own code (a predecessor's are not its). A code no area has, or an area with no
    /// neighbours in the set, is bad input.
    pub neighbours_of: Option<String>,
    /// Which set of statistical neighbours `neighboursOf` means (default CURRENT).
    #[graphql(default)]
    pub neighbours_set: NeighbourSet,
    /// Only inspections that started in this calendar year (Ofsted's counting rule).
    pub year: Option<i32>,
    /// Only inspections that started on or after this date.
    pub started_from: Option<Date>,
    /// Only inspections that started on or before this date.
    pub started_to: Option<Date>,
    /// Only inspections published in this calendar year (a report is often published the year after its
    /// inspection: "failed in 2024" read by publication).
    pub published_year: Option<i32>,
    /// Only inspections published on or after this date.
    pub published_from: Option<Date>,
    /// Only inspections published on or before this date.
    pub published_to: Option<Date>,
    /// Only inspections of this area: GSS code, DfE code or Ofsted URN, in any case.
    pub area_code: Option<String>,
    /// Only inspections of areas whose name contains this text (case-insensitive; at most 200 characters).
    pub name_contains: Option<String>,
}

impl From<&InspectionFilter> for InspectionCriteria {
    fn from(f: &InspectionFilter) -> Self {
        Self {
            framework: f.framework.map(Into::into),
            inspection_type: f.inspection_type.map(Into::into),
            outcome: f.outcome.map(Into::into),
            region: f.region.clone(),
            ofsted_region: f.ofsted_region.clone(),
            icb: f.icb.clone(),
            neighbours_of: f.neighbours_of.clone().map(|code| (code, f.neighbours_set.into())),
            year: f.year,
            started_from: f.started_from.map(|d| d.0),
            started_to: f.started_to.map(|d| d.0),
            published_year: f.published_year,
            published_from: f.published_from.map(|d| d.0),
            published_to: f.published_to.map(|d| d.0),
            area_code: f.area_code.clone(),
            name_contains: f.name_contains.clone(),
        }
    }
}

/// Fields inspections can be ordered by.
#[derive(async_graphql::Enum, Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum InspectionOrderField {
    /// Start date; inspections that started the same day in the order they were first imported (reversed when
    /// descending).
    #[default]
    StartDate,
    /// Publication date (unpublished last when ascending).
    Published,
    /// The area's name.
    AreaName,
}

/// How to order inspections.
#[derive(InputObject, Debug, Clone, Copy, Default)]
pub struct InspectionOrder {
    /// The field to order by.
    #[graphql(default)]
    pub field: InspectionOrderField,
    /// Ascending or descending.
    #[graphql(default)]
    pub direction: OrderDirection,
}

impl From<InspectionOrder> for InspectionSort {
    fn from(o: InspectionOrder) -> Self {
        let field = match o.field {
            InspectionOrderField::StartDate => SortField::StartDate,
            InspectionOrderField::Published => SortField::Published,
            InspectionOrderField::AreaName => SortField::AreaName,
        };
        Self { field, descending: o.direction == OrderDirection::Desc }
    }
}

/// Filters on areas.
#[derive(InputObject, Debug, Clone, Default)]
pub struct AreaFilter {
    /// Only areas in this ONS region: its code (`E12000006`) or name ("East of England"), in any case.
    pub region: Option<String>,
    /// Only areas in this Ofsted region (name, e.g. "North East, Yorkshire and the Humber", in any case).
    pub ofsted_region: Option<String>,
    /// Only areas served by this ICB (code, e.g. `E54000023`), as named in their reports.
    pub icb: Option<String>,
    /// Only areas whose name contains this text (case-insensitive; at most 200 characters).
    pub name_contains: Option<String>,
    /// Only the area with this code: GSS code, DfE code or Ofsted URN, in any case.
    pub area_code: Option<String>,
    /// Include areas abolished by a reorganisation (default false: the 153 current areas).
    #[graphql(default)]
    pub include_former: bool,
}

/// Fields areas can be ordered by.
#[derive(async_graphql::Enum, Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum AreaOrderField {
    /// Name.
    #[default]
    Name,
    /// GSS code.
    Code,
}

/// How to order areas.
#[derive(InputObject, Debug, Clone, Copy, Default)]
pub struct AreaOrder {
    /// The field to order by.
    #[graphql(default)]
    pub field: AreaOrderField,
    /// Ascending or descending.
    #[graphql(default)]
    pub direction: OrderDirection,
}

/// Filters on priority-action themes.
#[derive(InputObject, Debug, Clone, Default)]
pub struct ThemeFilter {
    /// Only inspections that started in this calendar year.
    pub year: Option<i32>,
    /// Only areas in this ONS region: its code (`E12000006`) or name ("East of England"), in any case.
    pub region: Option<String>,
}

/// Filters on thematic visits.
#[derive(InputObject, Debug, Clone, Default)]
pub struct ThematicVisitFilter {
    /// Only visits of this year's review.
    pub year: Option<i32>,
    /// Only visits on this theme.
    pub theme: Option<VisitTheme>,
    /// Only visits to areas in this ONS region, by code or name in any case (anonymous visits are left out when set).
    pub region: Option<String>,
}

/// Filters on timeliness.
#[derive(InputObject, Debug, Clone)]
pub struct TimelinessFilter {
    /// The framework (2016-framework sources give no end date, so only the 2023 framework has figures).
    #[graphql(default_with = "Framework::F2023")]
    pub framework: Framework,
    /// The inspection type (default FULL).
    #[graphql(default_with = "InspectionType::Full")]
    pub inspection_type: InspectionType,
    /// Only areas in this ONS region: its code (`E12000006`) or name ("East of England"), in any case.
    pub region: Option<String>,
}

/// What to group outcome profiles by.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Debug)]
#[graphql(remote = "crate::read_model::profiles::Grouping")]
pub enum ProfileGrouping {
    /// The calendar year the inspections started (Ofsted's counting rule), each year with inspections.
    Year,
    /// The nine ONS regions, all listed.
    Region,
    /// The eight Ofsted regions, all listed.
    OfstedRegion,
    /// The ICBs, all listed; an area counts under each ICB its report names (areas whose ICBs are not yet known are
    /// in no group).
    Icb,
}

/// What to profile.
#[derive(async_graphql::InputObject, Debug, Clone)]
pub struct OutcomeProfileFilter {
    /// The framework (required: outcomes differ between frameworks).
    pub framework: Framework,
    /// The inspection type (default FULL).
    #[graphql(default_with = "InspectionType::Full")]
    pub inspection_type: InspectionType,
    /// Only inspections that started in this calendar year (Ofsted counts an inspection in the year it was carried
    /// out, even when published the next year); all years when omitted.
    pub year: Option<i32>,
    /// Only inspections carried out (started) on or before this date: with `year` omitted, the cumulative profile as
    /// at a date, as Ofsted's releases "as at 31 December" count.
    pub as_at: Option<Date>,
    /// Only areas in this ONS region: its code (`E12000006`) or name ("East of England"), in any case; all of England
    /// when omitted.
    pub region: Option<String>,
    /// Only areas in this Ofsted region (name, e.g. "North East, Yorkshire and the Humber", in any case).
    pub ofsted_region: Option<String>,
    /// Only areas served by this ICB (code, e.g. `E54000023`), as named in their reports.
    pub icb: Option<String>,
    /// Only the statistical neighbours of this area (GSS code, DfE code or Ofsted URN, in any case): the ten areas
    /// DfE ranks most alike it in the set `neighboursSet`, not the area itself, so that the area's own outcome can be
    /// set beside its neighbours' profile and interval. A code no area has, or an area with no neighbours in the set,
    /// is bad input.
    pub neighbours_of: Option<String>,
    /// Which set of statistical neighbours `neighboursOf` means (default CURRENT).
    #[graphql(default)]
    pub neighbours_set: NeighbourSet,
}

impl From<&OutcomeProfileFilter> for ProfileCriteria {
    fn from(f: &OutcomeProfileFilter) -> Self {
        Self {
            framework: f.framework.into(),
            inspection_type: f.inspection_type.into(),
            year: f.year,
            as_at: f.as_at.map(|d| d.0),
            region: f.region.clone(),
            ofsted_region: f.ofsted_region.clone(),
            icb: f.icb.clone(),
            neighbours_of: f.neighbours_of.clone(),
            neighbours_set: f.neighbours_set.into(),
        }
    }
}
