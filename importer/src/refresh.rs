//! `send-import --refresh`: the one command a weekly scheduler runs. It fetches the Data to Insight summary (a
//! conditional request: an unchanged page is not downloaded again), imports it, then downloads the report PDF of
//! every 2023-framework full inspection whose report has not been read (the links the summary and the report links
//! gave) and imports each through the report path, on its own: one report that fails is reported and tried again on
//! the next run, the others are kept. Downloads are polite: one at a time, a pause between them, a user agent naming
//! the project, retries with backoff (see [`crate::fetch`]).

use std::collections::HashSet;
use std::fmt;
use std::time::Duration;

use chrono::NaiveDate;
use sea_orm::{ColumnTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder};
use send_model::domain::{Framework, InspectionType, Outcome, SourceKind};
use send_model::entity::{inspection, inspection_field_source, local_area};

use crate::error::ImportError;
use crate::fetch::{FetchOptions, Fetched, fetch, validators_of};
use crate::import_summary::FileSummary;
use crate::import_with;
use crate::names::{redact_url, shown};
use crate::options::{ImportOptions, ReportOptions};

/// Where the summary is published.
pub const DEFAULT_SUMMARY_URL: &str = "https://data-to-insight.github.io/ofsted-send-scrape-tool/";

/// The pause between two downloads from the same servers, in seconds.
pub const DEFAULT_DELAY_SECONDS: u64 = 2;

/// How to refresh.
#[derive(Debug, Clone)]
pub struct RefreshOptions {
    /// The summary's address.
    pub summary_url: String,
    /// The pause between downloads.
    pub delay: Duration,
    /// Timeouts, size cap and retries of every download.
    pub fetch: FetchOptions,
    /// Download the summary even when the server says it has not changed.
    pub force: bool,
}

/// An inspection the refresh added.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct NewInspection {
    /// The area's name.
    pub area: String,
    /// The outcome, when known.
    pub outcome: Option<String>,
    /// The publication date, when known.
    pub published: Option<NaiveDate>,
}

/// A report that could not be read this time.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FailedReport {
    /// Its address, without secrets.
    pub url: String,
    /// Why.
    pub reason: String,
}

/// What a refresh did: the closing summary a person can act on.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Refreshed {
    /// The summary's address, without secrets.
    pub summary_url: String,
    /// The summary's import; `None` when the server said it had not changed.
    pub summary: Option<FileSummary>,
    /// Inspections added by this run, newest publication first.
    pub new_inspections: Vec<NewInspection>,
    /// Reports read and imported, by address.
    pub reports_read: Vec<String>,
    /// Reports that could not be read (tried again on the next run).
    pub reports_failed: Vec<FailedReport>,
}

/// Fetches and imports the summary, then every report not yet read. Fails only when the summary cannot be fetched
/// or imported (nothing is then written); a report that fails is listed in [`Refreshed::reports_failed`].
pub async fn refresh(db: &DatabaseConnection, options: &RefreshOptions) -> anyhow::Result<Refreshed> {
    use anyhow::Context;
    let summary_url = redact_url(&options.summary_url);
    let first_new = next_inspection_id(db).await?;
    let validators =
        if options.force { Default::default() } else { validators_of(db, &redact_url(&options.summary_url)).await? };
    let summary = match fetch(&options.summary_url, &validators, &options.fetch).await? {
        Fetched::NotModified => None,
        Fetched::File(file) => {
            let report = import_with(db, vec![file], ImportOptions::default(), ReportOptions::default())
                .await
                .context("the summary was not imported")?;
            report.files.into_iter().next()
        }
    };
    let unread = unread_reports(db).await?;
    let bar = progress(unread.len());
    let mut reports_read = Vec::new();
    let mut reports_failed = Vec::new();
    for (i, (url, published)) in unread.iter().enumerate() {
        if i > 0 {
            tokio::time::sleep(options.delay).await;
        }
        bar.set_message(shown(&redact_url(url)));
        match read_report(db, url, *published, &options.fetch).await {
            Ok(()) => reports_read.push(redact_url(url)),
            Err(reason) => reports_failed.push(FailedReport { url: redact_url(url), reason }),
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    Ok(Refreshed {
        summary_url,
        summary,
        new_inspections: added_since(db, first_new).await?,
        reports_read,
        reports_failed,
    })
}

/// Downloads one report and imports it on its own; the reason it failed, in words a user understands.
async fn read_report(
    db: &DatabaseConnection,
    url: &str,
    published: Option<NaiveDate>,
    options: &FetchOptions,
) -> Result<(), String> {
    let file = match fetch(url, &Default::default(), options).await {
        Ok(Fetched::File(file)) => file,
        Ok(Fetched::NotModified) => {
            return Err("the server answered 304 Not Modified to an unconditional request".into());
        }
        Err(e) => return Err(e.reason),
    };
    match import_with(db, vec![file], ImportOptions::default(), ReportOptions { published }).await {
        Ok(_) => Ok(()),
        Err(ImportError::Invalid(problems)) => {
            Err(problems.iter().map(|p| format!("{}: {}", p.column, p.message)).collect::<Vec<_>>().join("; "))
        }
        Err(e) => Err(e.to_string()),
    }
}

/// The report links of 2023-framework full inspections whose report has not been read (no field of theirs comes
/// from a report), with each inspection's publication date, oldest first.
async fn unread_reports(db: &DatabaseConnection) -> Result<Vec<(String, Option<NaiveDate>)>, DbErr> {
    let read: HashSet<i32> = inspection_field_source::Entity::find()
        .filter(inspection_field_source::Column::SourceKind.eq(SourceKind::Report))
        .all(db)
        .await?
        .into_iter()
        .map(|f| f.inspection_id)
        .collect();
    let mut seen = HashSet::new();
    Ok(inspection::Entity::find()
        .filter(inspection::Column::Framework.eq(Framework::F2023))
        .filter(inspection::Column::InspectionType.eq(InspectionType::Full))
        .filter(inspection::Column::ReportUrl.is_not_null())
        .order_by_asc(inspection::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .filter(|m| m.source_kind != SourceKind::Report && !read.contains(&m.id))
        .filter_map(|m| Some((m.report_url?, m.published)))
        .filter(|(url, _)| crate::names::is_url(url) && seen.insert(url.clone()))
        .collect())
}

/// The id the next inspection inserted gets (ids only grow): what this run adds is from it on.
async fn next_inspection_id(db: &DatabaseConnection) -> Result<i32, DbErr> {
    let last = inspection::Entity::find().order_by_desc(inspection::Column::Id).one(db).await?;
    Ok(last.map_or(0, |m| m.id) + 1)
}

/// The inspections from id `first` on, newest publication first.
async fn added_since(db: &DatabaseConnection, first: i32) -> Result<Vec<NewInspection>, DbErr> {
    let rows = inspection::Entity::find()
        .filter(inspection::Column::Id.gte(first))
        .find_also_related(local_area::Entity)
        .all(db)
        .await?;
    let mut added: Vec<NewInspection> = rows
        .into_iter()
        .map(|(m, area)| NewInspection {
            area: area.map_or_else(|| format!("area {}", m.area_id), |a| a.name),
            outcome: m.outcome.map(|o| outcome_label(o).to_owned()),
            published: m.published,
        })
        .collect();
    added.sort_by(|a, b| b.published.cmp(&a.published).then_with(|| a.area.cmp(&b.area)));
    Ok(added)
}

/// An outcome in a few words, as a closing summary lists it.
fn outcome_label(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::TypicallyPositive => "typically positive",
        Outcome::Inconsistent => "inconsistent",
        Outcome::WidespreadSystemicFailings => "widespread/systemic failings",
        other => other.code(),
    }
}

/// A progress bar over the reports on a terminal; hidden otherwise (each download logs a line instead).
fn progress(reports: usize) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if reports == 0 || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(reports as u64);
    if let Ok(style) = indicatif::ProgressStyle::with_template("reading reports {bar:30} {pos}/{len} {msg}") {
        bar.set_style(style);
    }
    bar
}

impl fmt::Display for Refreshed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.summary {
            Some(file) => writeln!(
                f,
                "summary {}: {} rows read; inserted {}, updated {}, unchanged {}",
                shown(&self.summary_url),
                file.rows_read,
                file.inserted,
                file.updated,
                file.unchanged
            )?,
            None => writeln!(f, "summary {}: not changed since the last refresh", shown(&self.summary_url))?,
        }
        if let Some(file) = &self.summary {
            for warning in &file.warnings {
                writeln!(f, "  warning: {warning}")?;
            }
        }
        match self.new_inspections.len() {
            0 => writeln!(f, "no new inspections")?,
            n => {
                writeln!(f, "{n} new inspection{}:", if n == 1 { "" } else { "s" })?;
                for i in &self.new_inspections {
                    let outcome = i.outcome.as_deref().unwrap_or("outcome not yet known");
                    let published = i
                        .published
                        .map_or_else(|| "publication date not known".to_owned(), |d| format!("published {d}"));
                    writeln!(f, "  {}, {outcome}, {published}", i.area)?;
                }
            }
        }
        writeln!(f, "{} report(s) read", self.reports_read.len())?;
        if !self.reports_failed.is_empty() {
            writeln!(f, "{} report(s) could not be read (tried again on the next run):", self.reports_failed.len())?;
            for r in &self.reports_failed {
                writeln!(f, "  {}: {}", shown(&r.url), r.reason)?;
            }
        }
        Ok(())
    }
}
