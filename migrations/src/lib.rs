//! The database's schema history, applied in order by [`Migrator`].
//!
//! Migrations are append-only: once one has been applied anywhere it is never edited, and a change to the schema is a
//! new file `mYYYYMMDD_HHMMSS_<verb>_<noun>.rs`. They name tables and columns as strings and import no entity, so
//! that frozen history never follows today's structs.

pub use sea_orm_migration::prelude::*;

mod m20261124_000001_create_tables;
mod m20261124_000002_add_provenance;
mod m20261124_000003_create_import_lock;
mod m20261124_000004_add_inspection_source_kind;
mod m20261124_000005_index_inspections_by_year;
mod m20261124_000006_create_tallies;
mod m20261124_000007_add_report_details;
mod m20261124_000008_add_inspection_region;
mod m20261207_000009_add_unknown_starts_and_unread_actions;
mod m20261208_000010_create_statistical_neighbours;

/// Every migration of the schema, oldest first.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261124_000001_create_tables::Migration),
            Box::new(m20261124_000002_add_provenance::Migration),
            Box::new(m20261124_000003_create_import_lock::Migration),
            Box::new(m20261124_000004_add_inspection_source_kind::Migration),
            Box::new(m20261124_000005_index_inspections_by_year::Migration),
            Box::new(m20261124_000006_create_tallies::Migration),
            Box::new(m20261124_000007_add_report_details::Migration),
            Box::new(m20261124_000008_add_inspection_region::Migration),
            Box::new(m20261207_000009_add_unknown_starts_and_unread_actions::Migration),
            Box::new(m20261208_000010_create_statistical_neighbours::Migration),
        ]
    }
}
