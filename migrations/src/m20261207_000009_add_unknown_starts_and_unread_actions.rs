//! Rows with what is known (issue 15). Outcomes are published before anyone knows an inspection's start date (two
//! reports of 2026 give none) or has read its priority actions, and such rows must be held, not refused:
//! * `inspection.start_known`: false when no source gives the start. The row is then placed at its publication
//!   date (`start_date`, `start_precision` and `start_year` hold that date, so ordering, pages and cumulative counts
//!   "as at" a date place it there), and every count by start year or start date range leaves it out.
//! * the tallies keep the same flag as a dimension, so that an in-year profile can say how many it left out, and
//!   `inspection_tally.priority_actions_unread` counts widespread/systemic-failings inspections whose priority
//!   actions are not yet read (`priority_action_count` null), which theme statistics report.
//! * `inspection.created_run_id`: the import run that added the inspection, so that what is new since a dataset
//!   version or a date can be told from what changed (`inspection_field_source` records the run of each change).
//! * `inspection_change`: what each import changed in an inspection it did not add.
//! * `import_run.snapshot_at`: the time a snapshot states for itself (the weekly Data to Insight summary), so that
//!   an older snapshot imported after a newer one changes nothing.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // The newest publication among each tally row's inspections: the date the data runs to, read with the
        // tallies instead of scanning every inspection.
        manager
            .alter_table(
                Table::alter()
                    .table("inspection_tally")
                    .add_column(ColumnDef::new("last_published").date().null())
                    .to_owned(),
            )
            .await?;
        for table in ["inspection", "inspection_tally", "theme_tally"] {
            manager
                .alter_table(
                    Table::alter()
                        .table(table)
                        .add_column(ColumnDef::new("start_known").boolean().not_null().default(true))
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table("inspection_tally")
                    .add_column(ColumnDef::new("priority_actions_unread").big_integer().not_null().default(0))
                    .to_owned(),
            )
            .await?;
        // A snapshot's own time (the Data to Insight summary states when it was last updated).
        manager
            .alter_table(
                Table::alter()
                    .table("import_run")
                    .add_column(ColumnDef::new("snapshot_at").timestamp().null())
                    .to_owned(),
            )
            .await?;
        // The run that added each inspection (what `changes(since:)` and the feed call new). For rows already there
        // the best known is the run that last wrote them.
        manager
            .alter_table(
                Table::alter()
                    .table("inspection")
                    .add_column(ColumnDef::new("created_run_id").integer().null())
                    .to_owned(),
            )
            .await?;
        manager.get_connection().execute_unprepared("UPDATE inspection SET created_run_id = import_run_id").await?;
        // What each import changed in an inspection it did not add (fields joined by `,`).
        manager
            .create_table(
                Table::create()
                    .table("inspection_change")
                    .col(ColumnDef::new("id").integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new("inspection_id").integer().not_null())
                    .col(ColumnDef::new("import_run_id").integer().not_null())
                    .col(ColumnDef::new("fields").text().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_inspection_change_inspection_id")
                            .from("inspection_change", "inspection_id")
                            .to("inspection", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_inspection_change_import_run_id")
                    .table("inspection_change")
                    .col("import_run_id")
                    .col("inspection_id")
                    .to_owned(),
            )
            .await?;
        // Tallies are derived: the next import rebuilds them, and so does this.
        recount_tallies(manager).await
    }
}

/// Recounts `priority_actions_unread` and `last_published` for a database migrated with data in it (every start is
/// known until now).
async fn recount_tallies(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .get_connection()
        .execute_unprepared(
            "UPDATE inspection_tally SET priority_actions_unread = (SELECT COUNT(*) FROM inspection i \
             WHERE i.framework = inspection_tally.framework AND i.inspection_type = inspection_tally.inspection_type \
             AND i.start_year = inspection_tally.start_year AND i.outcome = 'systemic' \
             AND i.priority_action_count IS NULL \
             AND (inspection_tally.region_code = '' OR i.region_code = inspection_tally.region_code)) \
             WHERE outcome = 'systemic'",
        )
        .await?;
    manager
        .get_connection()
        .execute_unprepared(
            "UPDATE inspection_tally SET last_published = (SELECT MAX(i.published) FROM inspection i \
             WHERE i.framework = inspection_tally.framework AND i.inspection_type = inspection_tally.inspection_type \
             AND i.start_year = inspection_tally.start_year \
             AND (i.outcome = inspection_tally.outcome OR (i.outcome IS NULL AND inspection_tally.outcome IS NULL)) \
             AND (inspection_tally.region_code = '' OR i.region_code = inspection_tally.region_code))",
        )
        .await
        .map(|_| ())
}
