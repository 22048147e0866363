//! Curated files with mistakes: each problem named by file, line and column, every problem listed, a file of no known
//! layout named as such, and the database exactly as it was, even when good files came with the bad one.

use send_importer::{ImportError, ImportOptions, import, read_paths};

use super::{BUNDLED_FILES, column, edited_inspections};
use crate::support::{TempDir, data_file, each_backend, each_backend_with_data, snapshot};

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
                        r.remove(column("outcome"));
                    }
                }),
                1,
                "outcome",
                "expected a column named \"outcome\"",
            ),
            (
                "unknown outcome",
                Box::new(|rows| rows[1][column("outcome")] = "good".into()),
                2,
                "outcome",
                "found \"good\"",
            ),
            (
                "bad date",
                Box::new(|rows| rows[1][column("inspection_start")] = "2017-02-30".into()),
                2,
                "inspection_start",
                "expected an ISO date",
            ),
            (
                "date in another format",
                Box::new(|rows| rows[1][column("published")] = "29/06/2017".into()),
                2,
                "published",
                "found \"29/06/2017\"",
            ),
            (
                "end before start",
                Box::new(|rows| rows[2][column("inspection_end")] = "2024-07-01".into()),
                3,
                "inspection_end",
                "on or after inspection_start",
            ),
            (
                "published before start",
                Box::new(|rows| rows[1][column("published")] = "2017-01-01".into()),
                2,
                "published",
                "on or after inspection_start",
            ),
            (
                "unknown area code",
                Box::new(|rows| rows[1][column("la_code_gss")] = "E10000099".into()),
                2,
                "la_code_gss",
                "found E10000099",
            ),
            (
                "malformed area code",
                Box::new(|rows| rows[1][column("la_code_gss")] = "Suffolk".into()),
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
                Box::new(|rows| rows[1][column("outcome")] = "positive".into()),
                2,
                "outcome",
                "a 2023-framework full outcome",
            ),
            (
                "type of the other framework",
                Box::new(|rows| {
                    rows[1][column("inspection_type")] = "monitoring".into();
                    rows[1][column("outcome")] = String::new();
                }),
                2,
                "inspection_type",
                "a 2023-framework type",
            ),
            (
                "unknown framework",
                Box::new(|rows| rows[1][column("framework")] = "2019".into()),
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
                    let row = rows.iter_mut().find(|r| r[column("outcome")] == "systemic").expect("systemic row");
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
            rows[1][column("outcome")] = "good".into();
            rows[5][column("inspection_start")] = "yesterday".into();
            rows[9][column("la_code_gss")] = "E10000099".into();
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
        let bad = edited_inspections(&dir, |rows| rows[1][column("outcome")] = "good".into());
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
