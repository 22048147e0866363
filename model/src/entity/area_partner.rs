//! The ICBs that serve an area, as named in its inspection report.

use sea_orm::entity::prelude::*;

/// A row of `area_partner`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "area_partner")]
pub struct Model {
    /// Internal id.
    #[sea_orm(primary_key)]
    pub id: i32,
    /// The area.
    pub area_id: i32,
    /// The ICB's code.
    pub icb_code: String,
    /// The import run that last wrote this row.
    pub import_run_id: i32,
}

/// No relations are navigated from here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
