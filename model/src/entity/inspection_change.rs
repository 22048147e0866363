//! What each import changed in an inspection it did not add: the basis of `changes(since:)` and the feeds (what an
//! import added is `inspection.created_run_id`).

use sea_orm::entity::prelude::*;

/// A row of `inspection_change`: one import's update of one inspection.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "inspection_change")]
pub struct Model {
    /// Internal id.
    #[sea_orm(primary_key)]
    pub id: i32,
    /// The inspection.
    pub inspection_id: i32,
    /// The import run that changed it.
    pub import_run_id: i32,
    /// The fields whose values it changed or added, as in import reports (`published`, `outcome`, ...), joined by
    /// `,`.
    pub fields: String,
}

/// No relations are navigated from here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
