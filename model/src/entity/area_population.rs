//! An area's population aged 0 to 25, as Data to Insight's lookup of local authorities gives it.

use sea_orm::entity::prelude::*;

/// A row of `area_population`: at most one per area.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "area_population")]
pub struct Model {
    /// Internal id.
    #[sea_orm(primary_key)]
    pub id: i32,
    /// The area (unique).
    #[sea_orm(unique)]
    pub area_id: i32,
    /// Residents aged 0 to 25 (ONS estimate).
    pub population_0_25: i32,
    /// The import run that last wrote this row.
    pub import_run_id: i32,
}

/// No relations are navigated from here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
