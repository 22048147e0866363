//! The importer on the real bundled files: counts, idempotence, dry runs, dependency order, and every kind of bad
//! file (each leaving the database exactly as it was).

use sea_orm::{EntityTrait, PaginatorTrait};
use send_importer::{ImportError, ImportOptions, import, read_paths};
use send_model::entity::{
    area_alias, area_partner, import_run, inspection, local_area, priority_action, thematic_visit,
};

use crate::support::{
    TempDir, bundled_inspections, csv_rows, data_dir, data_file, each_backend, each_backend_with_data, snapshot,
};

const BUNDLED_FILES: [&str; 10] = [
    "regions.csv",
    "icbs.csv",
    "local_areas.csv",
    "area_lineage.csv",
    "area_aliases.csv",
    "inspections.csv",
    "inspections_2025_2026.csv",
    "d2i_summary_2026-06-29.html",
    "ofsted_report_links.csv",
    "thematic_visits.csv",
];

async fn count<E: EntityTrait>(db: &sea_orm::DatabaseConnection, _e: E) -> u64
where
    E::Model: Sync,
{
    E::find().count(db).await.expect("count")
}

#[tokio::test]
async fn every_file_in_data_is_imported_with_counts_taken_from_the_files() {
    each_backend(|t| async move {
        let sources = read_paths(&[data_dir()]).expect("read data/");
        assert_eq!(sources.len(), BUNDLED_FILES.len(), "data/ holds exactly the bundled files");
        let report = import(&t.db, sources, ImportOptions::default()).await.expect("import data/");
        for file in &report.files {
            let name = file.source.rsplit('/').next().expect("file name");
            let rows = if name.ends_with(".html") {
                // The summary page: one `<tr>` per row, after the header row.
                std::fs::read_to_string(data_file(name)).expect("page").matches("<tr").count() - 1
            } else {
                csv_rows(name).len()
            };
            assert_eq!(file.rows_read, rows, "{name}: rows read");
        }

        let inspections = bundled_inspections();
        let lineage = csv_rows("area_lineage.csv");
        let areas = csv_rows("local_areas.csv");
        let predecessors: std::collections::HashSet<&String> = lineage.iter().map(|r| &r["predecessor_gss"]).collect();
        let themes: usize =
            inspections.iter().map(|r| r["priority_actions"].split(';').filter(|t| !t.trim().is_empty()).count()).sum();
        let partners: usize = areas.iter().map(|r| r["icb_codes"].split(';').filter(|c| !c.is_empty()).count()).sum();

        assert_eq!(count(&t.db, inspection::Entity).await, inspections.len() as u64);
        assert_eq!(inspections.len(), 254 + 44, "the bundled dataset has the 254 rows to 2024 and the 44 later ones");
        assert_eq!(count(&t.db, local_area::Entity).await, (areas.len() + predecessors.len()) as u64);
        assert_eq!(areas.len(), 153);
        assert_eq!(count(&t.db, priority_action::Entity).await, themes as u64);
        assert_eq!(count(&t.db, area_partner::Entity).await, partners as u64);
        assert_eq!(count(&t.db, area_alias::Entity).await, csv_rows("area_aliases.csv").len() as u64);
        assert_eq!(count(&t.db, thematic_visit::Entity).await, csv_rows("thematic_visits.csv").len() as u64);
        assert_eq!(count(&t.db, import_run::Entity).await, BUNDLED_FILES.len() as u64, "one import run per file");

        // Every report URL of ofsted_report_links.csv is on its inspection; the others come from the summary's links.
        let links: std::collections::HashSet<String> =
            csv_rows("ofsted_report_links.csv").into_iter().map(|r| r["report_url"].clone()).collect();
        let page = std::fs::read_to_string(data_file("d2i_summary_2026-06-29.html")).expect("page");
        let linked: std::collections::HashSet<String> =
            page.split("href=\"").skip(1).filter_map(|s| s.split('"').next()).map(str::to_owned).collect();
        let urls: Vec<String> = inspection::Entity::find()
            .all(&t.db)
            .await
            .expect("inspections")
            .into_iter()
            .filter_map(|i| i.report_url)
            .collect();
        let stored: std::collections::HashSet<String> = urls.iter().cloned().collect();
        assert!(links.is_subset(&stored), "every link of ofsted_report_links.csv is stored");
        assert!(stored.iter().all(|u| links.contains(u) || linked.contains(u)), "no URL from elsewhere");
        assert!(stored.len() > links.len(), "the summary added links for later inspections");
        t
    })
    .await;
}

#[tokio::test]
async fn the_bundled_copy_equals_the_files_in_data() {
    for (source, name) in send_importer::bundled().iter().zip(BUNDLED_FILES) {
        let on_disk = std::fs::read(data_file(name)).expect("read");
        assert_eq!(source.bytes, on_disk, "{name}: the binary embeds the current data/ file");
    }
}

#[tokio::test]
async fn files_load_in_dependency_order_whatever_order_they_are_given_in() {
    each_backend(|t| async move {
        let mut paths: Vec<_> = BUNDLED_FILES.iter().map(|n| data_file(n)).collect();
        paths.reverse();
        let report = import(&t.db, read_paths(&paths).expect("read"), ImportOptions::default()).await.expect("import");
        let order: Vec<&str> = report.files.iter().map(|f| f.format.as_str()).collect();
        assert_eq!(order.first(), Some(&"curated-csv/regions"));
        assert_eq!(order.last(), Some(&"curated-csv/thematic_visits"));
        assert_eq!(count(&t.db, inspection::Entity).await, bundled_inspections().len() as u64);
        t
    })
    .await;
}

#[tokio::test]
async fn reimporting_changes_nothing_but_the_import_runs() {
    each_backend_with_data(|t| async move {
        let before = snapshot(&t.db).await;
        let report =
            import(&t.db, read_paths(&[data_dir()]).expect("read"), ImportOptions::default()).await.expect("re-import");
        assert_eq!(report.inserted(), 0);
        assert_eq!(report.updated(), 0);
        assert!(report.files.iter().all(|f| f.changes.is_empty()));
        assert!(report.files.iter().all(|f| f.unchanged > 0));
        let after = snapshot(&t.db).await;
        let without_runs = |s: &str| s.lines().filter(|l| !l.starts_with("import_run:")).collect::<Vec<_>>().join("\n");
        assert_eq!(without_runs(&before), without_runs(&after), "only import runs were written");
        assert_eq!(count(&t.db, import_run::Entity).await, 2 * BUNDLED_FILES.len() as u64);
        t
    })
    .await;
}

#[tokio::test]
async fn a_dry_run_reports_what_would_change_and_writes_nothing() {
    each_backend(|t| async move {
        let before = snapshot(&t.db).await;
        let report = import(&t.db, send_importer::bundled(), ImportOptions { dry_run: true, ..Default::default() })
            .await
            .expect("dry run");
        assert!(report.dry_run);
        assert_eq!(report.files.iter().find(|f| f.format.ends_with("/inspections")).map(|f| f.inserted), Some(254));
        let later = report.files.iter().find(|f| f.source.ends_with("inspections_2025_2026.csv")).map(|f| f.inserted);
        assert_eq!(later, Some(csv_rows("inspections_2025_2026.csv").len() as i32));
        assert_eq!(snapshot(&t.db).await, before, "a dry run leaves the database as it was");
        assert!(report.to_string().contains("dry run: nothing was written"));
        t
    })
    .await;
}

#[tokio::test]
async fn a_changed_row_is_reported_field_by_field() {
    each_backend_with_data(|t| async move {
        let dir = TempDir::new();
        let path = edited_inspections(&dir, |rows| {
            let suffolk_2023 = rows.iter_mut().find(|r| r[1] == "E10000029" && r[4] == "2023").expect("Suffolk 2023");
            suffolk_2023[8] = "2024-01-31".to_owned();
        });
        let report = import(&t.db, read_paths(&[path]).expect("read"), ImportOptions::default()).await.expect("import");
        let file = &report.files[0];
        assert_eq!((file.inserted, file.updated, file.unchanged), (0, 1, 253));
        let change = &file.changes[0];
        assert_eq!(change.record, "inspection E10000029 2023 full 2023-11-13");
        assert_eq!(change.fields.len(), 1);
        assert_eq!(change.fields[0].field, "published");
        assert_eq!(change.fields[0].before.as_deref(), Some("2024-01-30"));
        assert_eq!(change.fields[0].after.as_deref(), Some("2024-01-31"));
        assert!(report.to_string().contains("published: 2024-01-30 -> 2024-01-31"), "{report}");
        t
    })
    .await;
}

/// Writes `data/inspections.csv` into `dir` after `edit` (row 0 is the header), returning its path.
fn edited_inspections(dir: &TempDir, edit: impl FnOnce(&mut Vec<Vec<String>>)) -> std::path::PathBuf {
    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).from_path(data_file("inspections.csv")).expect("open");
    let mut rows: Vec<Vec<String>> =
        reader.records().map(|r| r.expect("record").iter().map(str::to_owned).collect()).collect();
    edit(&mut rows);
    let path = dir.join("inspections.csv");
    let mut writer = csv::Writer::from_path(&path).expect("create");
    for row in &rows {
        writer.write_record(row).expect("write");
    }
    writer.flush().expect("flush");
    path
}

/// Imports a bad file into a database holding the bundled data, and returns the problems (as `file:line: column:
/// message` lines) after checking that the database is exactly as it was.
async fn problems_of(db: &sea_orm::DatabaseConnection, path: std::path::PathBuf) -> Vec<String> {
    let before = snapshot(db).await;
    let result = import(db, read_paths(&[path]).expect("read"), ImportOptions::default()).await;
    assert_eq!(snapshot(db).await, before, "a bad file leaves the database exactly as it was");
    match result {
        Err(ImportError::Invalid(problems)) => problems.iter().map(ToString::to_string).collect(),
        other => panic!("expected problems, got {other:?}"),
    }
}

/// Asserts one problem names `line` and `column` and contains `text`.
fn assert_problem(problems: &[String], line: u64, column: &str, text: &str) {
    let prefix = format!("inspections.csv:{line}: {column}: ");
    assert!(
        problems.iter().any(|p| p.contains(&prefix) && p.contains(text)),
        "no problem with {prefix:?} and {text:?} in {problems:#?}"
    );
}

/// A bad-file case: its name, the edit that breaks the file, and the line (0: any), column and text of the problem.
type BadCase = (&'static str, Box<dyn FnOnce(&mut Vec<Vec<String>>)>, u64, &'static str, &'static str);

// Columns of inspections.csv, by index.
const GSS: usize = 1;

const FRAMEWORK: usize = 4;

const TYPE: usize = 5;

const START: usize = 6;

const END: usize = 7;

const PUBLISHED: usize = 8;

const OUTCOME: usize = 9;

#[tokio::test]
async fn bad_files_are_rejected_with_file_line_and_column_and_the_database_is_untouched() {
    each_backend_with_data(|t| async move {
        let dir = TempDir::new();
        // Line 2 is the first data row: Barking and Dagenham, 2016 full, no_wsoa. Line 3 is its 2023 full inspection.
        let cases: Vec<BadCase> = vec![
            (
                "missing column",
                Box::new(|rows| {
                    for r in rows.iter_mut() {
                        r.remove(OUTCOME);
                    }
                }),
                1,
                "outcome",
                "expected a column named \"outcome\"",
            ),
            ("unknown outcome", Box::new(|rows| rows[1][OUTCOME] = "good".into()), 2, "outcome", "found \"good\""),
            (
                "bad date",
                Box::new(|rows| rows[1][START] = "2017-02-30".into()),
                2,
                "inspection_start",
                "expected an ISO date",
            ),
            (
                "date in another format",
                Box::new(|rows| rows[1][PUBLISHED] = "29/06/2017".into()),
                2,
                "published",
                "found \"29/06/2017\"",
            ),
            (
                "end before start",
                Box::new(|rows| rows[2][END] = "2024-07-01".into()),
                3,
                "inspection_end",
                "on or after inspection_start",
            ),
            (
                "published before start",
                Box::new(|rows| rows[1][PUBLISHED] = "2017-01-01".into()),
                2,
                "published",
                "on or after inspection_start",
            ),
            (
                "unknown area code",
                Box::new(|rows| rows[1][GSS] = "E10000099".into()),
                2,
                "la_code_gss",
                "found E10000099",
            ),
            (
                "malformed area code",
                Box::new(|rows| rows[1][GSS] = "Suffolk".into()),
                2,
                "la_code_gss",
                "expected a local authority GSS code",
            ),
            (
                "duplicate key",
                Box::new(|rows| {
                    let copy = rows[1].clone();
                    rows.insert(2, copy);
                }),
                3,
                "inspection_start",
                "duplicate of line 2",
            ),
            (
                "outcome of the other framework",
                Box::new(|rows| rows[1][OUTCOME] = "positive".into()),
                2,
                "outcome",
                "a 2023-framework full outcome",
            ),
            (
                "type of the other framework",
                Box::new(|rows| {
                    rows[1][TYPE] = "monitoring".into();
                    rows[1][OUTCOME] = String::new();
                }),
                2,
                "inspection_type",
                "a 2023-framework type",
            ),
            (
                "unknown framework",
                Box::new(|rows| rows[1][FRAMEWORK] = "2019".into()),
                2,
                "framework",
                "expected a framework (2016, 2023)",
            ),
            (
                "region that is not the area's",
                Box::new(|rows| rows[1][3] = "North West".into()),
                2,
                "region",
                "expected \"London\"",
            ),
            (
                "priority actions on a non-systemic outcome",
                Box::new(|rows| rows[2][10] = "commissioning".into()),
                3,
                "priority_actions",
                "expected an empty cell",
            ),
            (
                "unknown theme",
                Box::new(|rows| {
                    let row = rows.iter_mut().find(|r| r[OUTCOME] == "systemic").expect("systemic row");
                    row[10] = "governance".into();
                }),
                0,
                "priority_actions",
                "found \"governance\"",
            ),
        ];
        for (name, edit, line, column, text) in cases {
            let path = edited_inspections(&dir, edit);
            let problems = problems_of(&t.db, path).await;
            if line == 0 {
                assert!(
                    problems.iter().any(|p| p.contains(&format!(": {column}: ")) && p.contains(text)),
                    "{name}: {problems:#?}"
                );
            } else {
                assert_problem(&problems, line, column, text);
            }
            // The message names the file as given, then line and column.
            assert!(problems.iter().all(|p| p.starts_with(&dir.0.display().to_string())), "{name}: {problems:#?}");
        }
        t
    })
    .await;
}

#[tokio::test]
async fn every_problem_in_a_file_is_listed_not_just_the_first() {
    each_backend_with_data(|t| async move {
        let dir = TempDir::new();
        let path = edited_inspections(&dir, |rows| {
            rows[1][OUTCOME] = "good".into();
            rows[5][START] = "yesterday".into();
            rows[9][GSS] = "E10000099".into();
        });
        let problems = problems_of(&t.db, path).await;
        assert_problem(&problems, 2, "outcome", "good");
        assert_problem(&problems, 6, "inspection_start", "yesterday");
        assert_problem(&problems, 10, "la_code_gss", "E10000099");
        t
    })
    .await;
}

#[tokio::test]
async fn one_bad_file_among_good_ones_writes_nothing_at_all() {
    each_backend(|t| async move {
        let dir = TempDir::new();
        let bad = edited_inspections(&dir, |rows| rows[1][OUTCOME] = "good".into());
        let mut paths: Vec<_> =
            BUNDLED_FILES.iter().filter(|n| **n != "inspections.csv").map(|n| data_file(n)).collect();
        paths.push(bad);
        let before = snapshot(&t.db).await;
        let result = import(&t.db, read_paths(&paths).expect("read"), ImportOptions::default()).await;
        assert!(matches!(result, Err(ImportError::Invalid(_))), "{result:?}");
        assert_eq!(snapshot(&t.db).await, before, "not even the good files were loaded");
        t
    })
    .await;
}

#[tokio::test]
async fn a_file_of_no_known_layout_is_named_as_such() {
    each_backend(|t| async move {
        let dir = TempDir::new();
        let path = dir.join("mystery.csv");
        std::fs::write(&path, "colour,size\nred,3\n").expect("write");
        let problems = problems_of(&t.db, path).await;
        assert_eq!(problems.len(), 1);
        assert!(
            problems[0].contains("mystery.csv:1: header: expected the header row of a known layout"),
            "{problems:?}"
        );
        let binary = dir.join("binary.csv");
        std::fs::write(&binary, [0xff_u8, 0xfe, 0x00, 0x41]).expect("write");
        let problems = problems_of(&t.db, binary).await;
        assert!(
            problems[0].contains(
                "binary.csv:1: file: expected a CSV (UTF-8 text), ODS or XLSX data file, found binary content"
            ),
            "{problems:?}"
        );
        t
    })
    .await;
}

#[tokio::test]
async fn inspections_before_their_areas_are_unknown_area_problems() {
    each_backend(|t| async move {
        let problems = problems_of(&t.db, data_file("inspections.csv")).await;
        assert_eq!(problems.len(), 254, "every row names an area the empty database does not know");
        assert!(problems[0].contains("la_code_gss: expected the code of a known local area"), "{}", problems[0]);
        t
    })
    .await;
}

fn cli_args(args: &[&str]) -> send_importer::cli::ImportArgs {
    use clap::Parser;
    send_importer::cli::ImportArgs::try_parse_from(std::iter::once("send-import").chain(args.iter().copied()))
        .expect("arguments")
}

#[tokio::test]
async fn the_command_line_imports_reports_and_fails_with_every_problem() {
    each_backend(|t| async move {
        let data = data_dir().display().to_string();
        let out =
            send_importer::cli::run(cli_args(&["--database-url", &t.url, "--dry-run", &data])).await.expect("dry run");
        assert!(out.contains("inspections.csv (curated-csv/inspections): 254 rows read; would insert 254"), "{out}");
        assert_eq!(count(&t.db, inspection::Entity).await, 0);

        let out = send_importer::cli::run(cli_args(&["--database-url", &t.url, &data])).await.expect("import");
        assert!(out.contains("254 rows read; inserted 254, updated 0, unchanged 0"), "{out}");

        let out = send_importer::cli::run(cli_args(&["--database-url", &t.url, "--format", "json", &data]))
            .await
            .expect("json");
        let json: serde_json::Value = serde_json::from_str(&out).expect("JSON report");
        assert_eq!(json["files"].as_array().map(Vec::len), Some(BUNDLED_FILES.len()));
        assert!(json["files"].as_array().expect("files").iter().all(|f| f["inserted"] == 0 && f["updated"] == 0));

        let dir = TempDir::new();
        let bad = edited_inspections(&dir, |rows| rows[1][OUTCOME] = "good".into());
        let before = snapshot(&t.db).await;
        let err = send_importer::cli::run(cli_args(&["--database-url", &t.url, &bad.display().to_string()]))
            .await
            .expect_err("bad file fails");
        let message = format!("{err:#}");
        assert!(message.contains("nothing was written"), "{message}");
        assert!(message.contains(&format!("{}:2: outcome: expected an outcome", bad.display())), "{message}");
        assert_eq!(snapshot(&t.db).await, before);
        t
    })
    .await;
}
