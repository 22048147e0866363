//! What an import is told: how to import (a dry run, when a file is a bulk load) and what to record for the report
//! PDFs among its sources.

/// How to import.
#[derive(Debug, Clone, Copy)]
pub struct ImportOptions {
    /// Validate and report what would change, then roll back.
    pub dry_run: bool,
    /// A file of at least this many inspection rows, more than the database holds, is a bulk load: the inspections'
    /// and priority actions' secondary indexes (and on PostgreSQL the key between them) are built after its rows
    /// instead of row by row (see [`send_model::backend::set_aside`]). [`BULK_LOAD_ROWS`] by default.
    pub bulk_load_rows: usize,
    /// PostgreSQL: how long a bulk load keeps trying to lock its tables while readers hold them before the import
    /// fails ([`send_model::backend::LOCK_PATIENCE`] by default).
    pub bulk_lock_patience: std::time::Duration,
}

/// The default [`ImportOptions::bulk_load_rows`]: below it, rebuilding whole indexes costs more than it saves.
pub const BULK_LOAD_ROWS: usize = 20_000;

impl Default for ImportOptions {
    fn default() -> Self {
        Self { dry_run: false, bulk_load_rows: BULK_LOAD_ROWS, bulk_lock_patience: send_model::backend::LOCK_PATIENCE }
    }
}

/// What to record for the report PDFs of an import (facts the reports do not state).
#[derive(Debug, Clone, Copy, Default)]
pub struct ReportOptions {
    /// The publication date of every report PDF of the import (`send-import --published`). Without it the reports
    /// are silent on the date: the database keeps what it has (e.g. from `ofsted_report_links.csv` or Ofsted's
    /// statistics), and nothing is invented.
    pub published: Option<chrono::NaiveDate>,
}
