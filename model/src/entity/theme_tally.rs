//! Priority actions counted by start year, ONS region and theme, rebuilt by every import (see [`crate::tally`]).

use sea_orm::entity::prelude::*;

use crate::domain::Theme;

/// A row of `theme_tally`: one combination and its counts.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "theme_tally")]
pub struct Model {
    /// Internal id.
    #[sea_orm(primary_key)]
    pub id: i32,
    /// Calendar year the inspections started.
    pub start_year: i32,
    /// False for inspections whose start date no source gives (`start_year` is then their publication year): an
    /// in-year count leaves them out, a cumulative one counts them.
    pub start_known: bool,
    /// The inspected areas' ONS region.
    pub region_code: String,
    /// The theme.
    pub theme: Theme,
    /// Areas for priority action with this theme.
    pub priority_actions: i64,
    /// Inspections with at least one area for priority action of this theme.
    pub inspections: i64,
}

/// No relations are navigated from here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
