//! Other names of an area, as other publishers write them (Ofsted's "Bristol" for "Bristol, City of").

use sea_orm::entity::prelude::*;

/// A row of `area_alias`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "area_alias")]
pub struct Model {
    /// Internal id.
    #[sea_orm(primary_key)]
    pub id: i32,
    /// The area this name stands for.
    pub area_id: i32,
    /// The name as written.
    pub alias: String,
    /// The name lower-cased with punctuation folded, the lookup key (unique).
    pub normalised: String,
    /// Who writes the area this way, e.g. `Ofsted`.
    pub publisher: String,
    /// The import run that last wrote this row.
    pub import_run_id: i32,
}

/// No relations are navigated from here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
