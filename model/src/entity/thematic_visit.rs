//! Thematic visits: national themes, no judgement on the area.

use sea_orm::entity::prelude::*;

use crate::domain::{DatePrecision, VisitTheme};

/// A row of `thematic_visit`. Natural key: (year, theme, visit_key).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "thematic_visit")]
pub struct Model {
    /// Internal id.
    #[sea_orm(primary_key)]
    pub id: i32,
    /// Year of the thematic review.
    pub year: i32,
    /// National theme.
    pub theme: VisitTheme,
    /// The area's GSS code, or the label of an anonymous visit.
    pub visit_key: String,
    /// The area visited, when named publicly.
    pub area_id: Option<i32>,
    /// How an anonymous visit is described.
    pub label: Option<String>,
    /// Pathways looked at, codes separated by `;`.
    pub pathways: String,
    /// First day of the visit, when known.
    pub visit_start: Option<Date>,
    /// Precision of `visit_start`.
    pub visit_start_precision: Option<DatePrecision>,
    /// Last day of the visit, when known.
    pub visit_end: Option<Date>,
    /// Precision of `visit_end`.
    pub visit_end_precision: Option<DatePrecision>,
    /// Title of the national report.
    pub report_title: String,
    /// When the national report was published.
    pub report_published: Option<Date>,
    /// The national report's address, when known.
    pub report_url: Option<String>,
    /// Where the facts were read.
    pub source: String,
    /// The import run that last wrote this row.
    pub import_run_id: i32,
}

/// No relations are navigated from here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
