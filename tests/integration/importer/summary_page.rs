//! The Data to Insight weekly summary page imported (three real snapshots: of 2024 and 2025 in `tests/fixtures/d2i/`,
//! of 2026 the bundled one in `data/`). It ranks below every other source, an older snapshot never replaces a newer
//! one, a new row for an area holding another inspection is a new inspection, and a page that cannot be read is refused
//! with the database unchanged.

use std::path::PathBuf;

use send_importer::{ImportError, ImportOptions, ImportSummary, SourceFile, import};

use crate::support::{TestDb, each_backend, snapshot, without_runs};

/// The three real snapshots, oldest first.
const SNAPSHOTS: [&str; 3] = ["summary_2024-08-08.html", "summary_2025-06-09.html", "summary_2026-06-29.html"];

/// A snapshot's page: the newest is the bundled one (`data/`), the others are test fixtures.
fn fixture(name: &str) -> PathBuf {
    if name == SNAPSHOTS[2] {
        return crate::support::data_file("d2i_summary_2026-06-29.html");
    }
    crate::support::fixture("d2i").join(name)
}

fn page(name: &str) -> SourceFile {
    SourceFile::new(name, std::fs::read(fixture(name)).expect("fixture"))
}

/// The bundled dataset without its summary snapshot (and, with `later` false, without the 2025-26 inspections).
fn bundled_without_summary(later: bool) -> Vec<SourceFile> {
    send_importer::bundled()
        .into_iter()
        .filter(|f| !f.name.ends_with(".html"))
        .filter(|f| later || !f.name.ends_with("inspections_2025_2026.csv"))
        .collect()
}

async fn load(t: &TestDb, sources: Vec<SourceFile>) -> ImportSummary {
    import(&t.db, sources, ImportOptions::default()).await.expect("import")
}

#[tokio::test]
async fn a_snapshot_only_adds_to_what_higher_ranked_sources_gave() {
    for name in SNAPSHOTS {
        // Each snapshot on its own into the bundled data: every change it makes fills an empty field.
        each_backend(|t| async move {
            load(&t, bundled_without_summary(true)).await;
            let report = load(&t, vec![page(name)]).await;
            let file = &report.files[0];
            assert_eq!(file.format, "d2i-summary");
            for change in &file.changes {
                for field in &change.fields {
                    assert!(field.before.is_none(), "{name}: {} changed {field:?}", change.record);
                }
            }
            // Where they disagree, the higher-ranked value stands and the difference is reported.
            assert!(
                file.warnings.iter().any(|w| w.contains("sources disagree") && w.contains("ranks above summary")),
                "{name}: {:#?}",
                file.warnings
            );
            t
        })
        .await;
    }
}

#[tokio::test]
async fn the_newest_twice_and_an_older_one_after_it_change_nothing() {
    each_backend(|t| async move {
        load(&t, bundled_without_summary(true)).await;
        load(&t, vec![page(SNAPSHOTS[2])]).await;
        for name in [SNAPSHOTS[2], SNAPSHOTS[0], SNAPSHOTS[1]] {
            let before = snapshot(&t.db).await;
            let report = load(&t, vec![page(name)]).await;
            assert_eq!((report.inserted(), report.updated()), (0, 0), "{name}");
            assert_eq!(without_runs(&snapshot(&t.db).await), without_runs(&before), "{name}");
            if name != SNAPSHOTS[2] {
                assert!(
                    report.files[0]
                        .warnings
                        .iter()
                        .any(|w| w.contains("is older than the snapshot of 2026-06-29 07:36:00 already imported")),
                    "{name}: {:#?}",
                    report.files[0].warnings
                );
            }
        }
        // The page's own time is recorded as the snapshot's.
        let data = crate::support::gql_data(&t.db, "{ dataset { dataRunsTo lastImport { format snapshotAt } } }").await;
        assert_eq!(data["dataset"]["lastImport"]["format"], "d2i-summary");
        assert_eq!(data["dataset"]["lastImport"]["snapshotAt"], "2025-06-09T11:02:00");
        t
    })
    .await;
}

#[tokio::test]
async fn a_new_row_for_an_area_is_a_new_inspection_and_rows_without_a_start_are_held() {
    each_backend(|t| async move {
        // Without the 2025-26 file, the newest snapshot alone brings Cornwall's reinspection and the two
        // inspections whose start no source gives.
        load(&t, bundled_without_summary(false)).await;
        let report = load(&t, vec![page(SNAPSHOTS[2])]).await;
        assert!(report.inserted() > 0, "{report}");
        let data = crate::support::gql_data(
            &t.db,
            r#"{ cornwall: inspections(filter: {areaCode: "E06000052", framework: FRAMEWORK_2023, inspectionType: FULL}) { edges { node { start { text } outcome } } }
                 thurrock: inspections(filter: {areaCode: "E06000034", framework: FRAMEWORK_2023, inspectionType: FULL}) { edges { node { start { text } year published { text } reportUrl } } } }"#,
        )
        .await;
        let cornwall = data["cornwall"]["edges"].as_array().expect("edges");
        assert_eq!(cornwall.len(), 2, "the earlier inspection is kept: {cornwall:?}");
        assert!(cornwall.iter().any(|e| e["node"]["start"]["text"] == "2026-03-23"), "{cornwall:?}");
        let thurrock = data["thurrock"]["edges"].as_array().expect("edges");
        let held: Vec<_> = thurrock.iter().filter(|e| e["node"]["start"].is_null()).collect();
        assert_eq!(held.len(), 1, "{thurrock:?}");
        assert!(held[0]["node"]["year"].is_null());
        assert!(held[0]["node"]["reportUrl"].as_str().is_some_and(|u| u.starts_with("https://files.ofsted.gov.uk/")));
        t
    })
    .await;
}

#[tokio::test]
async fn a_row_whose_area_or_outcome_cannot_be_told_is_reported_with_its_line() {
    let text = std::fs::read_to_string(fixture(SNAPSHOTS[2])).expect("page");
    // The first row's codes and name point at no area; the second row's grade contradicts its sentence.
    let line_of = |at: usize| text[..at].matches('\n').count() + 1;
    // Rows of cells (the header row holds `<th>` cells).
    let rows: Vec<usize> = text
        .match_indices("<tr")
        .map(|(i, _)| i)
        .filter(|&i| text[i..].split_once('>').is_some_and(|(_, rest)| rest.trim_start().starts_with("<td")))
        .take(2)
        .collect();
    let (first, second) = (rows[0], rows[1]);
    let first_row = &text[first..second];
    let cells: Vec<&str> = first_row.split("<td>").skip(1).map(|c| c.split("</td>").next().unwrap_or("")).collect();
    let mut nowhere = first_row.to_owned();
    for (cell, new) in cells.iter().take(5).zip(["99999", "999", "ZZ", "E08999999", "nowhere at all"]) {
        nowhere = nowhere.replacen(&format!("<td>{cell}</td>"), &format!("<td>{new}</td>"), 1);
    }
    let second_end = second + text[second..].find("</tr>").expect("row end");
    let second_row = &text[second..second_end];
    let grade = second_row.split("<td>").nth(9).and_then(|c| c.split("</td>").next()).expect("grade cell");
    let other = if grade == "1.0" { "3.0" } else { "1.0" };
    let contradicted = second_row.replacen(&format!("<td>{grade}</td>"), &format!("<td>{other}</td>"), 1);
    let page = format!("{}{nowhere}{contradicted}{}", &text[..first], &text[second_end..]);
    let (first_line, second_line) = (line_of(first), line_of(second));
    each_backend(|t| {
        let page = page.clone();
        async move {
            load(&t, bundled_without_summary(true)).await;
            let report = load(&t, vec![SourceFile::new("odd.html", page.into_bytes())]).await;
            let warnings = &report.files[0].warnings;
            assert!(
                warnings
                    .iter()
                    .any(|w| w.starts_with(&format!("odd.html:{first_line}: URN: expected a known local area"))),
                "{warnings:#?}"
            );
            // A bad value is reported at its cell's line, within the row.
            let grade_line = |w: &String| -> Option<usize> {
                w.strip_prefix("odd.html:")?
                    .split(':')
                    .next()?
                    .parse()
                    .ok()
                    .filter(|_| w.contains("Outcome Grade: expected the grade to agree"))
            };
            assert!(
                warnings.iter().filter_map(grade_line).any(|line| (second_line..second_line + 16).contains(&line)),
                "{warnings:#?}"
            );
            t
        }
    })
    .await;
}

#[tokio::test]
async fn a_page_that_cannot_be_read_is_refused_and_changes_nothing() {
    let text = std::fs::read_to_string(fixture(SNAPSHOTS[2])).expect("page");
    let table_at = text.find("<table").expect("table");
    let cases: Vec<(&str, String, &str)> = vec![
        ("no table", format!("{}</body></html>", &text[..table_at]), "found no table"),
        ("unknown headers", text.replace("Publication Date", "Date Published"), "Publication Date"),
        ("truncated", text[..text.len() / 2].to_owned(), "expected"),
        ("no time", text.replace("Summary data last updated:", "Updated:"), "Summary data last updated"),
    ];
    each_backend(|t| {
        let cases = cases.clone();
        async move {
            load(&t, bundled_without_summary(true)).await;
            for (case, page, expected) in cases {
                let before = snapshot(&t.db).await;
                let result =
                    import(&t.db, vec![SourceFile::new("page.html", page.into_bytes())], ImportOptions::default())
                        .await;
                assert_eq!(snapshot(&t.db).await, before, "{case}: the database is unchanged");
                let Err(ImportError::Invalid(problems)) = result else {
                    panic!("{case}: expected a refusal, got {result:?}")
                };
                let problems: Vec<String> = problems.iter().map(ToString::to_string).collect();
                assert_eq!(problems.len(), 1, "{case}: {problems:#?}");
                assert!(
                    problems[0].starts_with("page.html:") && problems[0].contains(expected),
                    "{case}: {problems:#?}"
                );
            }
            t
        }
    })
    .await;
}
