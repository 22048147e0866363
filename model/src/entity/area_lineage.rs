//! Reorganisations: which areas replaced which, and when.

use sea_orm::entity::prelude::*;

/// A row of `area_lineage`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "area_lineage")]
pub struct Model {
    /// Internal id.
    #[sea_orm(primary_key)]
    pub id: i32,
    /// The abolished (or replaced) area.
    pub predecessor_id: i32,
    /// The area that took over (all or part of) its footprint.
    pub successor_id: i32,
    /// The day the successor came into being.
    pub effective: Date,
    /// The import run that last wrote this row.
    pub import_run_id: i32,
}

/// No relations are navigated from here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
