//! The kind of source that created an inspection, on the inspection itself. `inspection_field_source` then needs rows
//! only for the fields a later source changed: the fields an inspection was created with are credited to its own
//! kind. Existing inspections have a field-source row for every field they were created with, so the default
//! ('curated') is never consulted for them.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("inspection")
                    .add_column(ColumnDef::new("source_kind").text().not_null().default("curated"))
                    .to_owned(),
            )
            .await
    }
}
