//! The inspected area's ONS region on the inspection itself, indexed with the framework and start date: a page of
//! one framework and region, newest first, then reads exactly its rows from the index instead of walking the
//! framework's inspections until enough of them are in the region. The importer keeps it equal to the area's region
//! (set when an inspection is inserted, rewritten for an area whose region changes).

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
                Table::alter().table("inspection").add_column(ColumnDef::new("region_code").text().null()).to_owned(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared(
                "UPDATE inspection SET region_code = (SELECT a.region_code FROM local_area a WHERE a.id = inspection.area_id)",
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_inspection_framework_region_start_date")
                    .table("inspection")
                    .col("framework")
                    .col("region_code")
                    .col("start_date")
                    .col("id")
                    .to_owned(),
            )
            .await?;
        // Theme counts and systemic-failings shares read the tallies now (migration 6): this index only slowed imports.
        manager.drop_index(Index::drop().name("ix_inspection_start_year_outcome").table("inspection").to_owned()).await
    }
}
