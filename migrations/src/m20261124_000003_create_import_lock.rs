//! A one-row table that an import writes first, so that on SQLite the import takes the database's write lock before
//! it reads anything (a second import then waits for the first instead of failing on a stale snapshot). PostgreSQL
//! uses an advisory lock instead and never touches this table.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("import_lock")
                    .col(integer("id").primary_key())
                    .col(timestamp_with_time_zone("taken_at"))
                    .to_owned(),
            )
            .await
    }
}
