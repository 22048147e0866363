//! Writes validated files in one transaction: an idempotent upsert on natural keys, with a record of every change.
//!
//! Each file owns some columns and writes only those: `local_areas.csv` owns an area's DfE code, name, region and
//! (when it names any) its ICBs; `area_lineage.csv` owns `valid_from`/`valid_to` and the predecessor areas;
//! `ofsted_report_links.csv` owns an area's Ofsted URN and an inspection's report URL; Data to Insight's lookup of
//! local authorities owns statistical neighbours and populations (tables of their own). So importing the files in any
//! combination, any number of times, converges on the same rows and re-importing changes nothing.
//!
//! This module records each file as an import run and hands its rows to the writer of their kind: `reference`
//! (regions, ICBs, areas, lineage, aliases), `inspections` (merged under the rule of `precedence`, their facts
//! compared as text by `facts`), `report_links`, `visits` and `neighbours` (statistical neighbours and populations);
//! `compare` counts what each did.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseTransaction, DbErr, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder,
};
use send_model::entity::import_run;

use crate::import_summary::FileSummary;
use crate::options::ImportOptions;
use crate::rows::{ParsedFile, Rows};

mod compare;
mod facts;
mod inspections;
mod neighbours;
mod precedence;
mod reference;
mod report_links;
mod visits;

use compare::{FileCounts, FileWrite};
pub use inspections::BULK_TABLES;
use inspections::write_inspections;
use neighbours::write_neighbours;
use reference::{write_aliases, write_areas, write_icbs, write_lineage, write_regions};
use report_links::write_report_links;
use visits::write_visits;

/// Files with more rows than this get a progress bar on a terminal, and a log line otherwise.
const PROGRESS_ROWS: usize = 5_000;

/// A progress bar over a large file's rows when stderr is a terminal; a plain log line when it is not.
fn row_progress(file: &ParsedFile) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if file.rows_read <= PROGRESS_ROWS {
        return indicatif::ProgressBar::hidden();
    }
    if !std::io::stderr().is_terminal() {
        eprintln!("send-import: loading {} rows from {}", file.rows_read, crate::names::shown(&file.source.name));
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(file.rows_read as u64);
    if let Ok(style) = indicatif::ProgressStyle::with_template("{msg} {bar:30} {pos}/{len} rows ({eta})") {
        bar.set_style(style);
    }
    bar.set_message(format!("loading {}", crate::names::shown(&file.source.name)));
    bar
}

/// The time of a snapshot of the same layout already imported that is newer than `file`'s own (none when `file`
/// states no time, or is the newest).
async fn newer_snapshot(
    txn: &DatabaseTransaction,
    file: &ParsedFile,
    run_id: i32,
) -> Result<Option<chrono::NaiveDateTime>, DbErr> {
    let Some(taken_at) = file.snapshot_at else { return Ok(None) };
    let newest = import_run::Entity::find()
        .filter(import_run::Column::Format.eq(file.layout.name()))
        .filter(import_run::Column::Id.ne(run_id))
        .filter(import_run::Column::SnapshotAt.gt(taken_at))
        .order_by_desc(import_run::Column::SnapshotAt)
        .one(txn)
        .await?;
    Ok(newest.and_then(|run| run.snapshot_at))
}

/// Writes one parsed file inside `txn`, recording it as an import run.
pub async fn write_file(
    txn: &DatabaseTransaction,
    file: &ParsedFile,
    options: &ImportOptions,
) -> Result<FileSummary, DbErr> {
    let started_at = Utc::now();
    let run = import_run::ActiveModel {
        source: Set(file.source.recorded_name()),
        format: Set(file.layout.name().to_owned()),
        sha256: Set(file.source.sha256.clone()),
        started_at: Set(started_at),
        finished_at: Set(started_at),
        status: Set("running".to_owned()),
        rows_read: Set(0),
        rows_inserted: Set(0),
        rows_updated: Set(0),
        rows_unchanged: Set(0),
        etag: Set(file.source.etag.clone()),
        last_modified: Set(file.source.last_modified.clone()),
        snapshot_at: Set(file.snapshot_at),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    let run_id = run.id;
    let mut counts = FileCounts::default();
    let mut warnings = file.warnings.clone();
    let progress = row_progress(file);
    let w = FileWrite { txn, run: run_id, counts: &mut counts };
    match &file.rows {
        Rows::Regions(rows) => write_regions(w, rows).await?,
        Rows::Icbs(rows) => write_icbs(w, rows).await?,
        Rows::LocalAreas(rows) => write_areas(w, rows).await?,
        Rows::Lineage(rows) => write_lineage(w, rows).await?,
        Rows::Aliases(rows) => write_aliases(w, rows).await?,
        Rows::Inspections(_) => match newer_snapshot(txn, file, run_id).await? {
            // A snapshot older than one already imported is stale as a whole: its values never replace a newer
            // snapshot's, and what it alone says was true of a week since superseded.
            Some(newer) => {
                warnings.push(format!(
                    "{}: a snapshot of {} is older than the snapshot of {newer} already imported: nothing is taken \
                     from it",
                    crate::names::shown(&file.source.name),
                    file.snapshot_at.map(|t| t.to_string()).unwrap_or_default()
                ));
                w.counts.unchanged += i32::try_from(file.rows_read).unwrap_or(i32::MAX);
            }
            None => write_inspections(w, file, &mut warnings, &progress, options).await?,
        },
        Rows::ReportLinks(rows) => write_report_links(w, rows).await?,
        Rows::ThematicVisits(rows) => write_visits(w, rows).await?,
        Rows::StatisticalNeighbours(rows) => write_neighbours(w, rows).await?,
    }
    progress.finish_and_clear();
    let report = FileSummary {
        source: file.source.recorded_name(),
        format: file.layout.name().to_owned(),
        sha256: file.source.sha256.clone(),
        rows_read: file.rows_read,
        inserted: counts.inserted,
        updated: counts.updated,
        unchanged: counts.unchanged,
        changes: counts.changes,
        warnings,
        import_run_id: Some(run_id),
    };
    let mut run = run.into_active_model();
    run.finished_at = Set(Utc::now());
    run.status = Set("succeeded".to_owned());
    run.rows_read = Set(i32::try_from(file.rows_read).unwrap_or(i32::MAX));
    run.rows_inserted = Set(report.inserted);
    run.rows_updated = Set(report.updated);
    run.rows_unchanged = Set(report.unchanged);
    run.summary = Set(serde_json::to_string(&report).ok());
    run.update(txn).await?;
    Ok(report)
}
