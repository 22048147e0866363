//! Counts kept at import time, so that outcome profiles, theme counts and page totals read a few hundred rows
//! whatever the number of inspections: `inspection_tally` counts inspections by framework, type, start year, ONS
//! region and outcome; `theme_tally` counts priority actions (and the inspections citing them) by start year, ONS
//! region and theme; each also holds roll-ups over regions (`region_code` ''). Every import rebuilds both in its own
//! transaction; this migration fills them from the rows already there. Also an index that serves inspections in start-date order within a framework (pages of one
//! framework, newest first, no longer sort every inspection of the framework).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The tallies' contents, from the rows as they are now (frozen here: the model crate keeps its own copy, which may
/// change with the schema).
const FILL: [&str; 4] = [
    "INSERT INTO inspection_tally (framework, inspection_type, start_year, region_code, outcome, inspections) \
     SELECT i.framework, i.inspection_type, i.start_year, a.region_code, i.outcome, COUNT(*) \
     FROM inspection i JOIN local_area a ON a.id = i.area_id GROUP BY 1, 2, 3, 4, 5",
    // Roll-ups over regions (region_code ''), what queries for all of England read.
    "INSERT INTO inspection_tally (framework, inspection_type, start_year, region_code, outcome, inspections) \
     SELECT framework, inspection_type, start_year, '', outcome, SUM(inspections) \
     FROM inspection_tally GROUP BY framework, inspection_type, start_year, outcome",
    "INSERT INTO theme_tally (start_year, region_code, theme, priority_actions, inspections) \
     SELECT i.start_year, a.region_code, p.theme, COUNT(*), COUNT(DISTINCT p.inspection_id) \
     FROM priority_action p JOIN inspection i ON i.id = p.inspection_id JOIN local_area a ON a.id = i.area_id \
     GROUP BY 1, 2, 3",
    "INSERT INTO theme_tally (start_year, region_code, theme, priority_actions, inspections) \
     SELECT start_year, '', theme, SUM(priority_actions), SUM(inspections) FROM theme_tally GROUP BY start_year, theme",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("inspection_tally")
                    .col(ColumnDef::new("id").integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new("framework").text().not_null())
                    .col(ColumnDef::new("inspection_type").text().not_null())
                    .col(ColumnDef::new("start_year").integer().not_null())
                    .col(ColumnDef::new("region_code").text().not_null())
                    .col(ColumnDef::new("outcome").text().null())
                    .col(ColumnDef::new("inspections").big_integer().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_inspection_tally_framework_type_year")
                    .table("inspection_tally")
                    .col("framework")
                    .col("inspection_type")
                    .col("start_year")
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_inspection_tally_year_outcome")
                    .table("inspection_tally")
                    .col("start_year")
                    .col("outcome")
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("theme_tally")
                    .col(ColumnDef::new("id").integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new("start_year").integer().not_null())
                    .col(ColumnDef::new("region_code").text().not_null())
                    .col(ColumnDef::new("theme").text().not_null())
                    .col(ColumnDef::new("priority_actions").big_integer().not_null())
                    .col(ColumnDef::new("inspections").big_integer().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(Index::create().name("ix_theme_tally_year").table("theme_tally").col("start_year").to_owned())
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_inspection_framework_start_date")
                    .table("inspection")
                    .col("framework")
                    .col("start_date")
                    .col("id")
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        for sql in FILL {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }
}
