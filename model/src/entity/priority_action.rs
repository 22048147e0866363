//! Areas for priority action named in 2023-framework reports.

use sea_orm::entity::prelude::*;

use crate::domain::Theme;

/// A row of `priority_action`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "priority_action")]
pub struct Model {
    /// Internal id.
    #[sea_orm(primary_key)]
    pub id: i32,
    /// The inspection whose report names it.
    pub inspection_id: i32,
    /// Position in the report, from 1.
    pub ordinal: i32,
    /// Theme it is coded into.
    pub theme: Theme,
    /// The report's text, when known.
    pub text: Option<String>,
    /// The words and phrases of `text` that decided the theme (the report's taxonomy), joined by `"; "` in text
    /// order; `None` when unknown (the theme came from a curated file or statistics).
    pub evidence: Option<String>,
    /// The import run that last wrote this row.
    pub import_run_id: i32,
}

/// No relations are navigated from here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
