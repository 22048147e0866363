//! NHS Integrated Care Boards, the health partners of the 2023 framework.

use sea_orm::entity::prelude::*;

/// A row of `icb`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "icb")]
pub struct Model {
    /// ONS code, `E54...`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub code: String,
    /// Name, e.g. "NHS Suffolk and North East Essex Integrated Care Board".
    pub name: String,
    /// The import run that last wrote this row.
    pub import_run_id: i32,
}

/// No relations are navigated from here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
