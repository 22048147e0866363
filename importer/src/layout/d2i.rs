//! The Data to Insight summary as an import source: each row becomes a 2023-framework full inspection of
//! [`SourceKind::Summary`], the lowest rank (it is a scrape of the reports), checked and written like any other
//! file's rows (see `crate::import`).
//!
//! What a row gives: the start (or, when the page has none, the row is held at its publication date), the end, the
//! publication date, the outcome (only when the grade and the sentence agree, or only one is given) and the report's
//! link. A row the page cannot place in time (no start and no publication) or whose values the reader refused is
//! reported with its line and left out, as is a row whose area no code resolves (in [`crate::catalog`]): a weekly
//! scrape with one odd row still brings the others. A page that cannot be read as a whole (no table, an unknown
//! header, truncated, no time) is refused.
//!
//! [`SourceKind::Summary`]: send_model::domain::SourceKind::Summary

use send_model::domain::{DatePrecision, Framework, InspectionType, PartialDate};

use crate::d2i::{Summary, SummaryRow, TAKEN_AT_LABEL, read_summary};
use crate::error::Problem;
use crate::names::shown;
use crate::options::ReportOptions;
use crate::rows::{AreaRef, InspectionFacts, InspectionRow, Layout, Parsed, ParsedFile, RegionRef, Rows};
use crate::source::SourceFile;

/// What only the summary's pages say: the line stating its time and its title (misspelt in 2024).
const SUMMARY_MARKERS: [&str; 3] = [TAKEN_AT_LABEL, "CS SEND Inspections Overview", "CS SEND Inpections Overview"];

/// Whether an HTML page says it is the summary (case ignored).
fn is_summary_page(bytes: &[u8]) -> bool {
    let text = String::from_utf8_lossy(bytes).to_lowercase();
    SUMMARY_MARKERS.iter().any(|m| text.contains(&m.to_lowercase()))
}

/// The summary reader of [`Layout::Summary`]: reads a page into a parsed file of inspection rows; the whole page
/// refused is one problem.
pub fn read(source: SourceFile, _: &ReportOptions) -> Parsed {
    let summary = match read_summary(&source.name, &source.bytes) {
        Ok(summary) => summary,
        // A page that does not say it is the summary is some other web page: most often the address of a page
        // that links to a data file rather than the file's own.
        Err(problem) if !is_summary_page(&source.bytes) => {
            let message = "expected a data file or the Data to Insight summary page, found another HTML page (the \
                           address is probably a web page that links to the file; use the file's own address)";
            return (
                None,
                vec![Problem { line: 1, column: "file".to_owned(), message: message.to_owned(), ..problem }],
            );
        }
        Err(problem) => return (None, vec![problem]),
    };
    let Summary { taken_at, rows, problems, unknown_columns } = summary;
    let mut warnings: Vec<String> = problems.iter().map(|p| format!("{p}; the value is not taken")).collect();
    if !unknown_columns.is_empty() {
        warnings.push(format!(
            "{}: columns the reader does not know are ignored: {}",
            shown(&source.name),
            unknown_columns.iter().map(|c| format!("{c:?}")).collect::<Vec<_>>().join(", ")
        ));
    }
    let rows_read = rows.len();
    let read_from = source.recorded_name();
    let mut inspections = Vec::new();
    for row in rows {
        match inspection(&row, &read_from) {
            Some(r) => inspections.push(r),
            None => warnings.push(format!(
                "{}:{}: Inspection Start Date: expected a start or a publication date to place the inspection by, \
                 found neither; the row is left out",
                shown(&source.name),
                row.line
            )),
        }
    }
    let file = ParsedFile {
        source,
        layout: Layout::Summary,
        rows_read,
        rows: Rows::Inspections(inspections),
        warnings,
        snapshot_at: Some(taken_at),
    };
    (Some(file), Vec::new())
}

/// One row as an inspection, read from the page `read_from`; `None` when it has neither a start nor a publication
/// date.
fn inspection(row: &SummaryRow, read_from: &str) -> Option<InspectionRow> {
    let day = |d: chrono::NaiveDate| PartialDate::from_parts(d, DatePrecision::Day);
    let start = row.inspection_start.or(row.published).map(day)?;
    Some(InspectionRow {
        line: row.line,
        area: AreaRef::Codes {
            gss: row.ltla23cd.clone(),
            dfe: row.la_code.clone(),
            urn: row.urn.clone(),
            name: row.local_authority.clone(),
        },
        gss: None,
        // The codes are checked together when the area is resolved (`AreaRef::Codes`).
        dfe: None,
        region: RegionRef::NotStated,
        framework: Framework::F2023,
        inspection_type: InspectionType::Full,
        start,
        start_known: row.inspection_start.is_some(),
        facts: InspectionFacts {
            // An unknown value (`01/01/1900`, `NaN`, an empty cell) says nothing: it never empties a stored one.
            end: row.inspection_end.map(|d| Some(day(d))),
            published: row.published.map(|d| Some(day(d))),
            outcome: row.outcome().map(Some),
            report_url: row.report_url.clone().map(Some),
            ..InspectionFacts::default()
        },
        source_url: read_from.to_owned(),
        report: None,
    })
}
