//! Inspections by the year they started (and outcome): theme counts and systemic-failings counts filter on the year
//! alone, which the (framework, type, year) index cannot serve, so they scanned every inspection of an outcome.

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
            .create_index(
                Index::create()
                    .name("ix_inspection_start_year_outcome")
                    .table("inspection")
                    .col("start_year")
                    .col("outcome")
                    .to_owned(),
            )
            .await
    }
}
