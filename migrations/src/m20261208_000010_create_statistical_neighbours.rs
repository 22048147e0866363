//! Statistical neighbours and populations (issue 17), from Data to Insight's lookup of local authorities:
//! * `statistical_neighbour`: DfE's children's services statistical neighbours of an area, one row per neighbour, in
//!   two sets (`neighbour_set`: `current`, `previous`), each ranked from 1 (the most alike) to at most 10. Unique by
//!   (area, set, rank); a neighbour is an area too, so a former area stays as itself in the set that named it.
//! * `area_population`: the area's population aged 0 to 25, at most one row per area. A table of its own rather than
//!   a column of `local_area`: the lookup owns it, so writing it leaves the area's own row (and the import run that
//!   last wrote it) alone.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// A foreign key from `table.column` to `target.id`, named after both ends.
fn fk(table: &'static str, column: &'static str, target: &'static str) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(format!("fk_{table}_{column}"))
        .from(table, column)
        .to(target, "id")
        .on_delete(ForeignKeyAction::Restrict)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("statistical_neighbour")
                    .col(ColumnDef::new("id").integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new("area_id").integer().not_null())
                    .col(ColumnDef::new("neighbour_set").text().not_null())
                    .col(ColumnDef::new("rank").integer().not_null())
                    .col(ColumnDef::new("neighbour_id").integer().not_null())
                    .col(ColumnDef::new("import_run_id").integer().not_null())
                    .foreign_key(&mut fk("statistical_neighbour", "area_id", "local_area"))
                    .foreign_key(&mut fk("statistical_neighbour", "neighbour_id", "local_area"))
                    .foreign_key(&mut fk("statistical_neighbour", "import_run_id", "import_run"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_statistical_neighbour_area_id_neighbour_set_rank")
                    .table("statistical_neighbour")
                    .col("area_id")
                    .col("neighbour_set")
                    .col("rank")
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("area_population")
                    .col(ColumnDef::new("id").integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new("area_id").integer().not_null())
                    .col(ColumnDef::new("population_0_25").integer().not_null())
                    .col(ColumnDef::new("import_run_id").integer().not_null())
                    .foreign_key(&mut fk("area_population", "area_id", "local_area"))
                    .foreign_key(&mut fk("area_population", "import_run_id", "import_run"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_area_population_area_id")
                    .table("area_population")
                    .col("area_id")
                    .unique()
                    .to_owned(),
            )
            .await
    }
}
