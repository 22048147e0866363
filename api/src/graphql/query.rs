//! The root query: every entry point, one module per family, merged into the one `Query` type the schema serves.
//! A new root field goes into its family's `...Query` object (a new family: its module, and its object here); a root
//! connection field is declared with `connection_field!` in its family's module, its object listed here.

use async_graphql::MergedObject;

use super::areas::{AreaQuery, AreasField};
use super::changes::ChangesQuery;
use super::dataset::DatasetQuery;
use super::inspections::{InspectionsField, PriorityActionsField};
use super::profile::ProfileQuery;
use super::themes::ThemeQuery;
use super::timeliness::TimelinessQuery;
use super::visits::VisitQuery;

/// The root of every query over area SEND inspection outcomes in England.
#[derive(MergedObject, Default)]
#[graphql(name = "Query")]
pub struct Query(
    AreaQuery,
    AreasField,
    InspectionsField,
    PriorityActionsField,
    ProfileQuery,
    ThemeQuery,
    VisitQuery,
    DatasetQuery,
    TimelinessQuery,
    ChangesQuery,
);
