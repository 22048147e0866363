//! Areas for improvement named in 2023-framework reports (read from the report PDF; no other source has them).

use sea_orm::entity::prelude::*;

use crate::domain::Theme;

/// A row of `improvement_area`. Natural key: (inspection, ordinal).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "improvement_area")]
pub struct Model {
    /// Internal id.
    #[sea_orm(primary_key)]
    pub id: i32,
    /// The inspection whose report names it.
    pub inspection_id: i32,
    /// Position in the report, from 1.
    pub ordinal: i32,
    /// The report's text.
    pub text: String,
    /// Theme it is coded into by the report taxonomy; `None` when no rule matched.
    pub theme: Option<Theme>,
    /// The words and phrases of `text` that decided the theme, joined by `"; "` in text order; `None` when none.
    pub evidence: Option<String>,
    /// The import run that last wrote this row.
    pub import_run_id: i32,
}

/// No relations are navigated from here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
