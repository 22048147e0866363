//! The root query: every entry point, one module per family, merged into the one `Query` type the schema serves.
//! A new root field goes into its family's `...Query` object (a new family: its module, and its object here).

use async_graphql::MergedObject;

use super::areas::AreaQuery;
use super::changes::ChangesQuery;
use super::dataset::DatasetQuery;
use super::inspections::InspectionQuery;
use super::profile::ProfileQuery;
use super::themes::ThemeQuery;
use super::timeliness::TimelinessQuery;
use super::visits::VisitQuery;

/// The root of every query over area SEND inspection outcomes in England.
#[derive(MergedObject, Default)]
#[graphql(name = "Query")]
pub struct Query(
    AreaQuery,
    InspectionQuery,
    ProfileQuery,
    ThemeQuery,
    VisitQuery,
    DatasetQuery,
    TimelinessQuery,
    ChangesQuery,
);
