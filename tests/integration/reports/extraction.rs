//! The report-PDF extractor (`send-import --extract`): every real report in data/reports/ against the values a
//! reader took from it (data/reports/expected.csv), and the refusals of what is not a readable report.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::OnceLock;

use chrono::NaiveDate;
use clap::Parser;
use send_importer::pdf::{ExtractError, Extractor, ReportFacts, outcome_name};
use send_model::domain::Outcome;
use serde_json::Value;

use super::{fixture, reports_dir, split_list};
use crate::support::TempDir;
use crate::support::import::cli_args;

fn extractor() -> &'static Extractor {
    static EXTRACTOR: OnceLock<Extractor> = OnceLock::new();
    EXTRACTOR.get_or_init(|| Extractor::bundled().expect("the bundled reference data is valid"))
}

/// One row of expected.csv.
struct Expected {
    file: String,
    la_code_gss: String,
    inspection_start: NaiveDate,
    inspection_end: NaiveDate,
    outcome: String,
    previous_inspection: String,
    icb_codes: BTreeSet<String>,
    priority_action_count: usize,
    priority_action_themes: Vec<String>,
}

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap_or_else(|e| panic!("bad date {text:?} in expected.csv: {e}"))
}

fn expected_rows() -> Vec<Expected> {
    let mut reader = csv::Reader::from_path(reports_dir().join("expected.csv")).expect("open expected.csv");
    let headers = reader.headers().expect("header").clone();
    let column = |name: &str| headers.iter().position(|h| h == name).unwrap_or_else(|| panic!("no column {name}"));
    let (file, gss, start, end, outcome, previous, icbs, count, themes) = (
        column("file"),
        column("la_code_gss"),
        column("inspection_start"),
        column("inspection_end"),
        column("outcome"),
        column("previous_inspection"),
        column("icb_codes"),
        column("priority_action_count"),
        column("priority_action_themes"),
    );
    reader
        .records()
        .map(|r| {
            let r = r.expect("a CSV record");
            let field = |i: usize| r.get(i).unwrap_or_default().to_owned();
            Expected {
                file: field(file),
                la_code_gss: field(gss),
                inspection_start: date(&field(start)),
                inspection_end: date(&field(end)),
                outcome: field(outcome),
                previous_inspection: field(previous),
                icb_codes: split_list(&field(icbs)).into_iter().collect(),
                priority_action_count: field(count).parse().expect("a count"),
                priority_action_themes: split_list(&field(themes)),
            }
        })
        .collect()
}

/// Parses expected.csv's free-text previous inspection ("23 to 27 May 2016", "27 June to 1 July 2016",
/// "14 November to 18 November 2016", "16 May 2016") into its first day and, for a range, its last day. Written
/// here, independently of the extractor's own date reader.
fn previous_dates(text: &str) -> Option<(NaiveDate, Option<NaiveDate>)> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let full = |t: &str| NaiveDate::parse_from_str(t.trim(), "%d %B %Y").ok();
    let Some((left, right)) = text.split_once(" to ") else {
        return Some((full(text).unwrap_or_else(|| panic!("bad previous date {text:?}")), None));
    };
    let end = full(right).unwrap_or_else(|| panic!("bad previous range {text:?}"));
    let year = end.format("%Y").to_string();
    let month = end.format("%B").to_string();
    let left = left.trim();
    let start = full(left)
        .or_else(|| full(&format!("{left} {year}")))
        .or_else(|| full(&format!("{left} {month} {year}")))
        .unwrap_or_else(|| panic!("bad previous range {text:?}"));
    Some((start, Some(end)))
}

fn expected_outcome(code: &str) -> &'static str {
    outcome_name(Outcome::parse(code).unwrap_or_else(|e| panic!("bad outcome {code:?} in expected.csv: {e}")))
}

/// Every difference between what was extracted from one report and what expected.csv says.
fn differences(e: &Expected, f: &ReportFacts) -> Vec<String> {
    let mut out = Vec::new();
    let mut check = |what: &str, ok: bool, found: String, expected: String| {
        if !ok {
            out.push(format!("{}: {what}: extracted {found}, expected {expected}", e.file));
        }
    };
    check("area_code", f.area_code == e.la_code_gss, f.area_code.clone(), e.la_code_gss.clone());
    check(
        "inspection_start",
        f.inspection_start == e.inspection_start,
        f.inspection_start.to_string(),
        e.inspection_start.to_string(),
    );
    check(
        "inspection_end",
        f.inspection_end == Some(e.inspection_end),
        format!("{:?}", f.inspection_end),
        e.inspection_end.to_string(),
    );
    let outcome =
        serde_json::to_value(f).ok().and_then(|v| v.get("outcome").and_then(Value::as_str).map(str::to_owned));
    check(
        "outcome",
        outcome.as_deref() == Some(expected_outcome(&e.outcome)),
        format!("{outcome:?}"),
        expected_outcome(&e.outcome).to_owned(),
    );
    match previous_dates(&e.previous_inspection) {
        None => check(
            "previous inspection",
            f.previous_inspection_start.is_none() && f.previous_inspection_end.is_none(),
            format!("{:?} to {:?}", f.previous_inspection_start, f.previous_inspection_end),
            "none".to_owned(),
        ),
        Some((start, end)) => {
            check(
                "previous_inspection_start",
                f.previous_inspection_start == Some(start),
                format!("{:?}", f.previous_inspection_start),
                start.to_string(),
            );
            // expected.csv gives one day where a reader noted only the first; the report may give the range.
            let end_ok = match end {
                Some(end) => f.previous_inspection_end == Some(end),
                None => f.previous_inspection_end.is_none_or(|found| found >= start),
            };
            check("previous_inspection_end", end_ok, format!("{:?}", f.previous_inspection_end), format!("{end:?}"));
        }
    }
    let icbs: BTreeSet<String> = f.icb_codes.iter().cloned().collect();
    check("icb_codes", icbs == e.icb_codes, format!("{icbs:?}"), format!("{:?}", e.icb_codes));
    check(
        "number of priority actions",
        f.priority_actions.len() == e.priority_action_count,
        f.priority_actions.len().to_string(),
        e.priority_action_count.to_string(),
    );
    let themes: Vec<String> =
        f.priority_actions.iter().map(|a| a.theme.map(|t| t.code().to_owned()).unwrap_or_default()).collect();
    check(
        "priority action themes",
        themes == e.priority_action_themes,
        format!("{themes:?}"),
        format!("{:?}", e.priority_action_themes),
    );
    for (i, action) in f.priority_actions.iter().enumerate() {
        check(
            "priority action evidence",
            !action.evidence.is_empty() && action.text.len() > 40,
            format!("action {} {:?} with evidence {:?}", i + 1, action.text, action.evidence),
            "a sentence and the words that decided its theme".to_owned(),
        );
    }
    out
}

#[test]
fn every_report_pdf_gives_the_facts_of_expected_csv() {
    let rows = expected_rows();
    assert_eq!(rows.len(), 20, "expected.csv lists the 20 sample reports");
    let pdfs: BTreeSet<String> = std::fs::read_dir(reports_dir())
        .expect("list data/reports")
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .filter(|n| n.ends_with(".pdf"))
        .collect();
    let listed: BTreeSet<String> = rows.iter().map(|r| r.file.clone()).collect();
    assert_eq!(pdfs, listed, "every PDF of data/reports/ is in expected.csv, and every row has its PDF");

    let mut problems = Vec::new();
    for row in &rows {
        let path = reports_dir().join(&row.file);
        match extractor().extract_file(&path) {
            Ok(facts) => {
                assert_eq!(facts.file, path.display().to_string(), "the file is named as given");
                assert_eq!(facts.framework.code(), "2023");
                assert_eq!(facts.inspection_type.code(), "full");
                problems.extend(differences(row, &facts));
            }
            Err(e) => problems.push(format!("{}: not read: {e}", row.file)),
        }
    }
    assert!(problems.is_empty(), "{} difference(s):\n{}", problems.len(), problems.join("\n"));
}

#[test]
fn areas_for_improvement_are_read_in_report_order() {
    let path = reports_dir().join("80565_suffolk__area_send_full_inspection_-_30_january_2024.pdf");
    let facts = extractor().extract_file(&path).expect("Suffolk's report is read");
    let texts: Vec<&str> = facts.areas_for_improvement.iter().map(|a| a.text.as_str()).collect();
    assert_eq!(texts.len(), 3, "Suffolk's report has three areas for improvement: {texts:#?}");
    assert!(texts.first().is_some_and(|t| t.starts_with("Leaders across the partnership should use performance data")));
    assert!(texts.get(2).is_some_and(|t| t.ends_with("improve outcomes in these areas for children with SEND.")));
    // The first area for priority action keeps its bullet list, which continues on the next page.
    let first = facts.priority_actions.first().map(|a| a.text.as_str()).unwrap_or_default();
    assert!(first.starts_with("The LAP should work more collaboratively"), "{first}");
    assert!(first.ends_with("better supported to lead fulfilling lives."), "{first}");
    assert!(!first.contains("Suffolk County"), "the responsible-body column is not part of the action: {first}");
}

#[test]
fn running_footers_narrower_than_the_front_page_give_the_inspection_dates() {
    // A made-up report: the front page says 11 to 19 May 2023 (from the notice), every footer 15 to 19 May 2023.
    let facts = extractor().extract_file(&fixture("report_with_footer_dates.pdf")).expect("the made-up report is read");
    assert_eq!(facts.area_code, "E09000011");
    assert_eq!(facts.inspection_start, NaiveDate::from_ymd_opt(2023, 5, 15).expect("date"));
    assert_eq!(facts.inspection_end, NaiveDate::from_ymd_opt(2023, 5, 19));
    assert_eq!(facts.previous_inspection_start, NaiveDate::from_ymd_opt(2016, 6, 27));
    assert_eq!(facts.previous_inspection_end, NaiveDate::from_ymd_opt(2016, 7, 1));
    assert_eq!(facts.icb_codes, ["E54000030"]);
    // Two areas for improvement with no gap between them, the table header repeated above them.
    let read: Vec<(&str, Option<&str>)> =
        facts.areas_for_improvement.iter().map(|a| (a.text.as_str(), a.theme.map(|t| t.code()))).collect();
    assert_eq!(
        read,
        [
            (
                "Leaders should reduce the waiting times for speech and language therapy so that children are seen sooner.",
                Some("health waiting times")
            ),
            (
                "Leaders should improve the quality of EHC plans and the timeliness of annual reviews.",
                Some("education health and care plans")
            ),
        ]
    );
}

/// The error for `path`, which must not be read as a report; checks the message names the file.
fn refusal(path: &Path) -> String {
    match extractor().extract_file(path) {
        Ok(facts) => panic!("{} was read as a report: {facts:?}", path.display()),
        Err(e) => {
            let message = e.to_string();
            assert_eq!(e.file(), path.display().to_string());
            assert!(message.contains(&path.display().to_string()), "the message names the file: {message}");
            message
        }
    }
}

#[test]
fn a_file_that_is_not_a_pdf_is_refused() {
    let dir = TempDir::new();
    let path = dir.join("inspections.pdf");
    std::fs::write(&path, "area_name,la_code_gss\nSuffolk,E10000029\n").expect("write");
    let message = refusal(&path);
    assert!(message.contains("not a PDF") && message.contains("%PDF-"), "{message}");
}

#[test]
fn a_truncated_download_is_refused() {
    let dir = TempDir::new();
    let bytes = std::fs::read(reports_dir().join("80565_suffolk__area_send_full_inspection_-_30_january_2024.pdf"))
        .expect("read a report");
    let path = dir.join("suffolk_first_40_percent.pdf");
    std::fs::write(&path, bytes.get(..bytes.len() * 2 / 5).expect("a prefix")).expect("write");
    let message = refusal(&path);
    assert!(message.contains("truncated") && message.contains("%%EOF"), "{message}");
}

#[test]
fn a_pdf_cut_short_but_ending_in_an_eof_marker_is_refused_without_a_panic() {
    let dir = TempDir::new();
    let mut bytes = std::fs::read(reports_dir().join("80471_halton__area_send_full_inspection_-_26_january_2024.pdf"))
        .expect("read");
    bytes.truncate(bytes.len() * 2 / 5);
    bytes.extend_from_slice(b"\n%%EOF\n");
    let path = dir.join("halton_damaged.pdf");
    std::fs::write(&path, &bytes).expect("write");
    // Whatever the library makes of the first pages, a report without its later facts is not accepted.
    let message = refusal(&path);
    assert!(message.contains("halton_damaged.pdf: "), "{message}");
}

#[test]
fn an_encrypted_pdf_is_refused() {
    let message = refusal(&fixture("encrypted.pdf"));
    assert!(message.contains("encrypted") && message.contains("password"), "{message}");
}

#[test]
fn an_image_only_pdf_is_refused_for_having_no_text() {
    let message = refusal(&fixture("image_only.pdf"));
    assert!(message.contains("no text"), "{message}");
}

#[test]
fn a_panic_of_the_pdf_library_becomes_an_error() {
    let message = refusal(&fixture("panics_pdf_extract.pdf"));
    assert!(message.contains("damaged PDF") && message.contains("failed"), "{message}");
}

#[test]
fn a_thematic_visit_letter_is_not_a_report() {
    let message = refusal(&fixture("thematic_visit_letter.pdf"));
    assert!(message.contains("not an area SEND inspection report"), "{message}");
    assert!(message.contains("Area SEND inspection of") && message.contains("thematic"), "{message}");
}

#[test]
fn a_school_inspection_report_is_not_a_report() {
    let message = refusal(&fixture("school_inspection_report.pdf"));
    assert!(message.contains("not an area SEND inspection report"), "{message}");
    assert!(message.contains("School inspection report"), "the message quotes what the file begins with: {message}");
}

#[test]
fn a_report_without_inspection_dates_names_the_missing_fact() {
    let message = refusal(&fixture("report_without_dates.pdf"));
    assert!(message.contains("missing the inspection dates"), "{message}");
}

#[test]
fn a_report_of_an_unknown_area_names_the_area() {
    let message = refusal(&fixture("report_of_unknown_area.pdf"));
    assert!(message.contains("unknown area") && message.contains("\"atlantis\""), "{message}");
}

#[test]
fn a_missing_file_is_named() {
    let path = reports_dir().join("no_such_report.pdf");
    let message = refusal(&path);
    assert!(message.contains("cannot read the file"), "{message}");
}

#[tokio::test]
async fn send_import_extract_prints_one_json_object_per_report() {
    let suffolk = reports_dir().join("80565_suffolk__area_send_full_inspection_-_30_january_2024.pdf");
    let bolton = reports_dir().join("80432_bolton__area_send_full_inspection_-_30_august_2024.pdf");
    let (suffolk, bolton) = (suffolk.display().to_string(), bolton.display().to_string());
    // No database option is given and none is opened: the default SQLite folder is not created.
    let dir = TempDir::new();
    let data_dir = dir.join("var");
    let data_dir = data_dir.display().to_string();
    let args = cli_args(&["--extract", "--data-dir", &data_dir, &suffolk, &bolton]);
    let output = send_importer::cli::run(args).await.expect("both reports are read");
    assert!(!Path::new(&data_dir).exists(), "--extract opened no database");

    let objects: Vec<Value> =
        output.lines().map(|l| serde_json::from_str(l).expect("each line is one JSON object")).collect();
    assert_eq!(objects.len(), 2, "{output}");
    let field = |i: usize, name: &str| objects.get(i).and_then(|o| o.get(name)).cloned().unwrap_or(Value::Null);
    assert_eq!(field(0, "file"), Value::from(suffolk.clone()));
    assert_eq!(field(0, "area_code"), Value::from("E10000029"));
    assert_eq!(field(0, "inspection_start"), Value::from("2023-11-13"));
    assert_eq!(field(0, "inspection_end"), Value::from("2023-11-17"));
    assert_eq!(field(0, "previous_inspection_start"), Value::from("2019-01-21"));
    assert_eq!(field(0, "previous_inspection_end"), Value::from("2019-01-23"));
    assert_eq!(field(0, "framework"), Value::from("2023"));
    assert_eq!(field(0, "inspection_type"), Value::from("full"));
    assert_eq!(field(0, "outcome"), Value::from("WIDESPREAD_SYSTEMIC_FAILINGS"));
    assert_eq!(field(0, "icb_codes"), serde_json::json!(["E54000023", "E54000022"]));
    assert_eq!(field(0, "published"), Value::Null);
    let actions = field(0, "priority_actions");
    let themes: Vec<&str> =
        actions.as_array().map(|a| a.iter().filter_map(|x| x.get("theme")?.as_str()).collect()).unwrap_or_default();
    assert_eq!(themes, ["strategic governance and oversight", "education health and care plans"]);
    let evidence = actions.get(1).and_then(|a| a.get("evidence")).cloned().unwrap_or(Value::Null);
    assert!(evidence.as_array().is_some_and(|e| e.contains(&Value::from("ehc plan"))), "{evidence}");
    assert_eq!(field(1, "area_code"), Value::from("E08000001"));
    assert_eq!(field(1, "outcome"), Value::from("TYPICALLY_POSITIVE"));
    assert_eq!(field(1, "priority_actions"), serde_json::json!([]));
    assert!(field(1, "areas_for_improvement").as_array().is_some_and(|a| !a.is_empty()));
}

#[tokio::test]
async fn send_import_extract_fails_naming_each_unreadable_file() {
    let good = reports_dir().join("80432_bolton__area_send_full_inspection_-_30_august_2024.pdf");
    let bad = fixture("thematic_visit_letter.pdf");
    let (good, bad) = (good.display().to_string(), bad.display().to_string());
    let error = send_importer::cli::run(cli_args(&["--extract", &good, &bad])).await.expect_err("one is refused");
    let message = format!("{error:#}");
    assert!(message.contains("1 of 2 report(s) could not be read"), "{message}");
    assert!(message.contains(&bad) && !message.contains(&good), "{message}");
    // The binary's own path prints the reports it read and names the others.
    let extracted = send_importer::cli::extract(&[good.clone(), bad.clone()]).expect("reference data");
    assert_eq!(extracted.json_lines.lines().count(), 1);
    assert!(matches!(extracted.errors.as_slice(), [ExtractError::NotAReport { file, .. }] if *file == bad));
}

#[test]
fn extract_is_documented_in_the_help_with_its_output_format() {
    use clap::CommandFactory;
    let help = send_importer::cli::ImportArgs::command().render_long_help().to_string();
    assert!(help.contains("--extract"), "{help}");
    assert!(help.contains("JSON Lines") && help.contains("one JSON object per report"), "{help}");
    assert!(
        send_importer::cli::ImportArgs::try_parse_from(["send-import", "--extract", "--bundled", "x.pdf"]).is_err(),
        "--extract reads the files given, not the bundled dataset"
    );
}

#[test]
fn a_monitoring_inspection_report_gives_its_type_and_outcome() {
    // Made up (no real monitoring report is among the samples): the title says "monitoring inspection of" and the
    // outcome is whether the partnership is taking effective action.
    let facts = extractor().extract_file(&fixture("monitoring_inspection_report.pdf")).expect("the report is read");
    assert_eq!(facts.area_code, "E10000029");
    assert_eq!(facts.inspection_type, send_model::domain::InspectionType::Monitoring);
    assert_eq!(facts.outcome, Outcome::EffectiveAction);
    assert_eq!(outcome_name(facts.outcome), "EFFECTIVE_ACTION");
    assert_eq!((facts.inspection_start, facts.inspection_end), (date("2025-06-30"), Some(date("2025-07-02"))));
    assert_eq!(
        (facts.previous_inspection_start, facts.previous_inspection_end),
        (Some(date("2023-11-13")), Some(date("2023-11-17")))
    );
    assert_eq!(facts.icb_codes, ["E54000023"]);
    assert!(facts.priority_actions.is_empty());
}
