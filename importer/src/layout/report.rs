//! A report PDF as an import source: its facts become one inspection row of [`SourceKind::Report`], checked and
//! written like any other file's (see `crate::import`). The extractor it reads with is given to it (the layouts build
//! it over the bundled reference data: `Extractor::bundled`).
//!
//! [`SourceKind::Report`]: send_model::domain::SourceKind::Report

use chrono::NaiveDate;
use send_model::domain::{GssCode, GssKind, InspectionType, PartialDate};

use crate::error::Problem;
use crate::pdf::{ExtractError, Extractor, ReportFacts};
use crate::rows::{
    AreaRef, InspectionFacts, InspectionRow, Layout, Parsed, ParsedFile, RegionRef, ReportDetails, Rows,
};
use crate::source::SourceFile;

/// Whether `bytes` are a PDF document (they start with `%PDF`).
pub fn is_pdf(bytes: &[u8]) -> bool {
    bytes.starts_with(b"%PDF")
}

/// Reads a report PDF into a parsed file of one inspection row. `published` is the publication date to record
/// (`--published`); without it the row is silent on the date (reports do not state it). A report that cannot be
/// read is one problem naming the file and what was missing.
pub fn parse_report(extractor: &Extractor, source: SourceFile, published: Option<NaiveDate>) -> Parsed {
    match extractor.extract_bytes(&source.name, &source.bytes) {
        Ok(facts) => match report_row(&source, facts, published) {
            Ok(row) => {
                let file = ParsedFile {
                    source,
                    layout: Layout::Report,
                    rows_read: 1,
                    rows: Rows::Inspections(vec![row]),
                    warnings: Vec::new(),
                    snapshot_at: None,
                };
                (Some(file), Vec::new())
            }
            Err(problem) => (None, vec![problem]),
        },
        Err(e) => (None, vec![extract_problem(&source.name, &e)]),
    }
}

/// An extraction error as an import problem (its message without the file name, which the problem carries).
fn extract_problem(file: &str, e: &ExtractError) -> Problem {
    let text = e.to_string();
    let message = text.strip_prefix(&format!("{file}: ")).unwrap_or(&text).to_owned();
    Problem { file: file.to_owned(), line: 1, column: "report".to_owned(), message }
}

fn report_row(source: &SourceFile, facts: ReportFacts, published: Option<NaiveDate>) -> Result<InspectionRow, Problem> {
    let problem =
        |message: String| Problem { file: source.name.clone(), line: 1, column: "report".to_owned(), message };
    let gss = GssCode::parse(&facts.area_code, GssKind::LocalArea)
        .map_err(|e| problem(format!("expected the GSS code of a local area, found {:?} ({e})", facts.area_code)))?;
    let mut themes = Vec::new();
    for (i, action) in facts.priority_actions.iter().enumerate() {
        let theme = action.theme.ok_or_else(|| {
            problem(format!(
                "expected a theme for area for priority action {} (a rule of the report taxonomy matching its text), found none in {:?}",
                i + 1,
                action.text
            ))
        })?;
        themes.push(theme);
    }
    let day = PartialDate::from_parts;
    let full = facts.inspection_type == InspectionType::Full;
    let count = i32::try_from(facts.priority_actions.len()).unwrap_or(i32::MAX);
    let row_facts = InspectionFacts {
        end: Some(facts.inspection_end.map(|d| day(d, send_model::domain::DatePrecision::Day))),
        published: published.map(|d| Some(day(d, send_model::domain::DatePrecision::Day))),
        outcome: Some(Some(facts.outcome)),
        // Only full inspections have areas for priority action; other reports are silent on them.
        priority_action_count: full.then_some(Some(count)),
        themes: full.then_some(themes),
        ..Default::default()
    };
    let report_url = crate::names::is_url(&source.name).then(|| source.name.clone());
    Ok(InspectionRow {
        line: 1,
        area: AreaRef::Code(gss.clone()),
        gss: Some(gss),
        dfe: None,
        region: RegionRef::NotStated,
        framework: facts.framework,
        inspection_type: facts.inspection_type,
        start: day(facts.inspection_start, send_model::domain::DatePrecision::Day),
        start_known: true,
        facts: row_facts,
        source_url: source.name.clone(),
        report: Some(Box::new(ReportDetails {
            priority_actions: facts.priority_actions,
            areas_for_improvement: facts.areas_for_improvement,
            report_url,
            icb_codes: facts.icb_codes,
        })),
    })
}
