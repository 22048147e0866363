//! The nine ONS regions of England.

use sea_orm::entity::prelude::*;

/// A row of `region`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "region")]
pub struct Model {
    /// ONS code, `E12000001`..`E12000009`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub code: String,
    /// ONS name.
    pub name: String,
    /// The Ofsted region it falls in (Ofsted uses eight).
    pub ofsted_region: String,
    /// The import run that last wrote this row.
    pub import_run_id: i32,
}

/// No relations are navigated from here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
