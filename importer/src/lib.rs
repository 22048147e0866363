//! The importer: reads published area SEND inspection files, validates every row, and loads each import in one
//! transaction, recording an import run per source.
//!
//! The flow is parse (each file into typed rows) -> check (references across files and against the database) ->
//! write (one transaction, idempotent upserts). Nothing is written unless every source passes the first two steps.
//!
//! Architecture invariant: every write to the database goes through [`import`].

pub mod catalog;
pub mod cli;
pub mod d2i;
pub mod error;
pub mod fetch;
pub mod import_summary;
pub mod layout;
pub mod limits;
mod load;
pub mod names;
mod options;
mod outcome_phrases;
pub mod pdf;
pub mod refresh;
pub mod rows;
pub mod source;
mod workbook;

use futures_util::future::BoxFuture;
use sea_orm::{DatabaseConnection, TransactionTrait};

pub use error::{ImportError, Problem};
pub use import_summary::ImportSummary;
pub use options::{BULK_LOAD_ROWS, ImportOptions, ReportOptions};
pub use source::{SourceFile, bundled, read_paths, read_paths_within};

/// Imports `sources` into `db` in one transaction: every problem in any source is reported and nothing is written,
/// or every source is loaded and recorded as an import run.
pub fn import(
    db: &DatabaseConnection,
    sources: Vec<SourceFile>,
    options: ImportOptions,
) -> BoxFuture<'_, Result<ImportSummary, ImportError>> {
    import_with(db, sources, options, ReportOptions::default())
}

/// [`import`], with what to record for report PDFs. Each source is read by its layout's reader ([`layout::read`]:
/// a report PDF or the summary page told by its content, anything else as a table) into typed rows, which all go
/// through the same checks, precedence rule and transaction.
///
/// Boxed (ARCHITECTURE.md, "Build time"): the import is compiled once, here, not again in `send-import`, `send-api`
/// (which imports the bundled data) and `send-bench`.
pub fn import_with(
    db: &DatabaseConnection,
    sources: Vec<SourceFile>,
    options: ImportOptions,
    reports: ReportOptions,
) -> BoxFuture<'_, Result<ImportSummary, ImportError>> {
    Box::pin(import_unboxed(db, sources, options, reports))
}

async fn import_unboxed(
    db: &DatabaseConnection,
    sources: Vec<SourceFile>,
    options: ImportOptions,
    reports: ReportOptions,
) -> Result<ImportSummary, ImportError> {
    let mut problems = Vec::new();
    let mut parsed = Vec::new();
    for source in sources {
        let (file, mut file_problems) = layout::read(source, &reports);
        parsed.extend(file);
        problems.append(&mut file_problems);
    }
    // Files are loaded in dependency order (areas before the inspections that name them), whatever order they came in.
    parsed.sort_by_key(|f| f.layout);

    let txn = db.begin().await?;
    // Imports are serialised: a second one waits here for the first to commit, then checks against what it wrote.
    send_model::backend::lock_imports(&txn, || {
        eprintln!("send-import: another import is running; waiting for it to finish");
    })
    .await?;
    let mut catalog = catalog::Catalog::load(&txn).await?;
    problems.extend(catalog.check(&mut parsed));
    if !problems.is_empty() {
        txn.rollback().await?;
        return Err(ImportError::Invalid(problems));
    }
    send_model::backend::bulk_write_cache(&txn, true).await?;
    let mut files = Vec::new();
    for file in &parsed {
        files.push(load::write_file(&txn, file, &options).await?);
    }
    // The counts the API reads instead of every inspection follow the rows in the same transaction.
    if !options.dry_run && files.iter().any(|f| f.inserted + f.updated > 0) {
        send_model::tally::rebuild(&txn).await?;
    }
    send_model::backend::bulk_write_cache(&txn, false).await?;
    if options.dry_run {
        txn.rollback().await?;
    } else {
        txn.commit().await?;
        let bulk = files.iter().position(|f| usize::try_from(f.inserted).is_ok_and(|n| n >= options.bulk_load_rows));
        if let Some(file) = bulk
            && let Err(e) = send_model::backend::after_bulk_load(db, &load::BULK_TABLES).await
        {
            // The import has committed: a failed clean-up (e.g. a role that does not own the tables) is reported,
            // not an error; PostgreSQL's autovacuum does the same work later.
            files[file].warnings.push(format!("imported, but VACUUM (ANALYZE) after the bulk load failed: {e}"));
        }
    }
    Ok(ImportSummary { dry_run: options.dry_run, files, not_modified: Vec::new() })
}

/// Whether the database holds no inspection yet (a fresh database, to be filled with the bundled data).
pub async fn is_empty(db: &DatabaseConnection) -> Result<bool, sea_orm::DbErr> {
    use sea_orm::{EntityTrait, PaginatorTrait};
    Ok(send_model::entity::import_run::Entity::find().count(db).await? == 0)
}
