//! Rows with what is known (issue 15). Outcomes are published before anyone knows an inspection's start date (two
//! reports of 2026 give none) or has read its priority actions, and such rows must be held, not refused:
//! * `inspection.start_known`: false when no source gives the start. The row is then placed at its publication
//!   date (`start_date`, `start_precision` and `start_year` hold that date, so ordering, pages and cumulative counts
//!   "as at" a date place it there), and every count by start year or start date range leaves it out.
//! * the tallies keep the same flag as a dimension, so that an in-year profile can say how many it left out, and
//!   `inspection_tally.priority_actions_unread` counts widespread/systemic-failings inspections whose priority
//!   actions are not yet read (`priority_action_count` null), which theme statistics report.
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
        // Tallies are derived: the next import rebuilds them, and so does this.
        count_unread(manager).await
    }
}

/// Recounts `priority_actions_unread` for a database migrated with data in it (every start is known until now).
async fn count_unread(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
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
        .await
        .map(|_| ())
}
