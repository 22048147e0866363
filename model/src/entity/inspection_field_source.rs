//! Which kind of source set an inspection's field: the basis of the precedence rule between sources.

use sea_orm::entity::prelude::*;

use crate::domain::SourceKind;

/// A row of `inspection_field_source`. Natural key: (inspection, field).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "inspection_field_source")]
pub struct Model {
    /// Internal id.
    #[sea_orm(primary_key)]
    pub id: i32,
    /// The inspection.
    pub inspection_id: i32,
    /// The field's name, as in import reports (`published`, `outcome`, ...).
    pub field: String,
    /// The kind of source its current value came from.
    pub source_kind: SourceKind,
    /// The import run that set it.
    pub import_run_id: i32,
}

/// No relations are navigated from here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
