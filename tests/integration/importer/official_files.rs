//! Ofsted's published files as they are, from a path or a loopback URL: the 2016-framework official statistics
//! (ODS), the 2023-framework management information (CSV, XLSX, ODS), precedence between sources, and every fault a
//! download can have.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use send_importer::{ImportError, ImportOptions, import, read_paths};
use send_model::domain::{Framework, InspectionType, Outcome};
use send_model::entity::inspection;

use crate::support::import::import_paths;
use crate::support::serve::{Reply, Server};
use crate::support::{
    TempDir, TestDb, data_file, each_backend, each_backend_with_data, fixture, snapshot, without_runs,
};

const ODS: &str = "official/Area_SEND_inspection_data_01_May_2016_to_31_August_2022.ods";
const MI_CSV: &str = "official/mi_ofsted_winter_2223.csv";

/// Counts read straight from the ODS's data sheet with calamine, independently of the importer: full inspections,
/// those with "Yes" in the WSoA column, and revisit outcomes.
fn ods_counts() -> (usize, usize, HashMap<String, usize>) {
    use calamine::Reader;
    let mut book = calamine::open_workbook_auto(data_file(ODS)).expect("open ods");
    let range = book.worksheet_range("Area_SEND_up_to_31_Aug_2022").expect("data sheet");
    let rows: Vec<Vec<String>> = range.rows().map(|r| r.iter().map(ToString::to_string).collect()).collect();
    let header = rows.iter().position(|r| r.get(1).is_some_and(|c| c == "Local authority code")).expect("header");
    let data = &rows[header + 1..];
    let full = data.iter().filter(|r| r.get(1).is_some_and(|c| c.starts_with('E'))).count();
    let wsoa = data.iter().filter(|r| r.get(6).is_some_and(|c| c == "Yes")).count();
    let mut revisits = HashMap::new();
    for r in data {
        if let Some(outcome) = r.get(10).filter(|c| !c.is_empty()) {
            *revisits.entry(outcome.clone()).or_default() += 1;
        }
    }
    (full, wsoa, revisits)
}

async fn count(db: &sea_orm::DatabaseConnection, t: InspectionType, outcome: Option<Outcome>) -> usize {
    let mut q = inspection::Entity::find()
        .filter(inspection::Column::Framework.eq(Framework::F2016))
        .filter(inspection::Column::InspectionType.eq(t));
    if let Some(o) = outcome {
        q = q.filter(inspection::Column::Outcome.eq(o));
    }
    q.all(db).await.expect("count").len()
}

#[tokio::test]
async fn the_official_ods_gives_the_2016_framework_records_exactly_as_published() {
    each_backend(|t| async move {
        let reference: Vec<PathBuf> =
            ["regions.csv", "icbs.csv", "local_areas.csv", "area_lineage.csv"].iter().map(|n| data_file(n)).collect();
        import_paths(&t.db, &reference).await.expect("import");
        let report = import_paths(&t.db, &[data_file(ODS)]).await.expect("import");

        let (full, wsoa, revisits) = ods_counts();
        assert_eq!((full, wsoa), (149, 82), "the published table");
        assert_eq!(count(&t.db, InspectionType::Full, None).await, full);
        assert_eq!(count(&t.db, InspectionType::Full, Some(Outcome::WsoaRequired)).await, wsoa);
        assert_eq!(count(&t.db, InspectionType::Revisit, None).await, 46);
        assert_eq!(count(&t.db, InspectionType::Revisit, Some(Outcome::AllWeaknessesAddressed)).await, 20);
        assert_eq!(count(&t.db, InspectionType::Revisit, Some(Outcome::SomeWeaknessesAddressed)).await, 24);
        assert_eq!(count(&t.db, InspectionType::Revisit, Some(Outcome::NoWeaknessesAddressed)).await, 2);
        assert_eq!((revisits["Yes"], revisits["Some"], revisits["No"]), (20, 24, 2), "the file itself");

        let warnings = &report.files[0].warnings;
        assert!(warnings.iter().any(|w| w.contains("note 2") && w.contains("Dorset")), "{warnings:#?}");
        assert!(warnings.iter().any(|w| w.contains("note 3") && w.contains("Northamptonshire")), "{warnings:#?}");
        assert!(report.to_string().contains("warning:") && report.to_string().contains("Northamptonshire"));

        // Predecessor codes are kept: Buckinghamshire's 2022 inspection sits on the old county code.
        let bucks = gql_ids(&t.db, "E10000002").await;
        assert_eq!(bucks, vec!["E10000002/2016/full/2022-03-07"]);
        t
    })
    .await;
}

async fn gql_ids(db: &sea_orm::DatabaseConnection, code: &str) -> Vec<String> {
    let data = crate::support::gql_data(db, &format!("{{ area(code: \"{code}\") {{ inspections {{ key }} }} }}")).await;
    data["area"]["inspections"]
        .as_array()
        .expect("list")
        .iter()
        .map(|i| i["key"].as_str().expect("key").to_owned())
        .collect()
}

#[tokio::test]
async fn official_files_after_the_bundled_data_add_only_what_it_lacked_and_disagree_on_nothing() {
    each_backend_with_data(|t| async move {
        let report = import_paths(&t.db, &[data_file(ODS), data_file(MI_CSV)]).await.expect("import");
        let (ods, mi) = (&report.files[0], &report.files[1]);
        assert_eq!((ods.inserted, mi.inserted), (0, 0), "no new inspections");
        assert_eq!(ods.changed(), 0, "no value the bundled data had was changed");
        assert!(ods.added() > 0, "significant weaknesses counts are added");
        assert!(ods.changes.iter().all(|c| c.action == "added"));
        assert!(
            ods.changes
                .iter()
                .flat_map(|c| &c.fields)
                .all(|f| f.field.starts_with("significant_weaknesses") || f.field.starts_with("weaknesses_progress")),
            "{:#?}",
            ods.changes
        );
        assert_eq!((mi.rows_read, mi.unchanged, mi.updated), (16, 16, 0), "the MI's 16 rows all match");
        let all_warnings: Vec<&String> = report.files.iter().flat_map(|f| &f.warnings).collect();
        assert!(all_warnings.iter().all(|w| !w.contains("disagree")), "{all_warnings:#?}");
        let data =
            crate::support::gql_data(&t.db, r#"{ area(code: "E08000025") { inspections { significantWeaknesses } } }"#)
                .await;
        assert_eq!(data["area"]["inspections"][0]["significantWeaknesses"], 13, "Birmingham's WSoA had 13");
        t
    })
    .await;
}

#[tokio::test]
async fn reimporting_any_official_file_changes_nothing_but_its_import_run() {
    each_backend_with_data(|t| async move {
        for file in
            [data_file(ODS), data_file(MI_CSV), fixture("mi_2023_framework.xlsx"), fixture("mi_2023_framework.ods")]
        {
            import_paths(&t.db, std::slice::from_ref(&file)).await.expect("import");
            let before = snapshot(&t.db).await;
            let report = import_paths(&t.db, std::slice::from_ref(&file)).await.expect("import");
            assert_eq!((report.inserted(), report.updated()), (0, 0), "{}", file.display());
            assert_eq!(without_runs(&snapshot(&t.db).await), without_runs(&before), "{}", file.display());
        }
        t
    })
    .await;
}

#[tokio::test]
async fn the_management_information_reads_the_same_as_csv_xlsx_and_ods() {
    each_backend_with_data(|t| async move {
        for file in [data_file(MI_CSV), fixture("mi_2023_framework.xlsx"), fixture("mi_2023_framework.ods")] {
            let report = import(
                &t.db,
                read_paths(std::slice::from_ref(&file)).expect("read"),
                ImportOptions { dry_run: true, ..Default::default() },
            )
            .await
            .expect("import");
            let f = &report.files[0];
            assert_eq!(f.format, "ofsted-management-information-2023-framework", "{}", file.display());
            assert_eq!((f.rows_read, f.inserted, f.updated, f.unchanged), (16, 0, 0, 16), "{}", file.display());
            assert!(
                f.warnings.iter().any(|w| w.contains("ignored column")),
                "extra columns are reported once: {:?}",
                f.warnings
            );
        }
        t
    })
    .await;
}

/// Writes the MI CSV into `dir` after replacing `from` with `to` in its text.
fn edited_mi(dir: &TempDir, from: &str, to: &str) -> PathBuf {
    let text = std::fs::read_to_string(data_file(MI_CSV)).expect("read").replacen(from, to, 1);
    let path = dir.join("mi.csv");
    std::fs::write(&path, text).expect("write");
    path
}

#[tokio::test]
async fn an_unknown_area_name_names_the_closest_names() {
    each_backend_with_data(|t| async move {
        let dir = TempDir::new();
        let path = edited_mi(&dir, "\"Brighton and Hove\"", "\"Brighton & Hov\"");
        let before = snapshot(&t.db).await;
        let err =
            import(&t.db, read_paths(&[path]).expect("read"), ImportOptions::default()).await.expect_err("unknown");
        let ImportError::Invalid(problems) = err else { panic!("expected problems") };
        let message = problems[0].to_string();
        assert!(message.contains("mi.csv:2: local area partnership: expected the name of a local area"), "{message}");
        assert!(message.contains("closest names: \"Brighton and Hove\""), "{message}");
        assert_eq!(snapshot(&t.db).await, before);
        // Ofsted's own spellings resolve through the alias table.
        let path = edited_mi(&dir, "\"Enfield\"", "\"Bristol\"");
        let err =
            import(&t.db, read_paths(&[path]).expect("read"), ImportOptions::default()).await.expect_err("region");
        let ImportError::Invalid(problems) = err else { panic!("expected problems") };
        assert!(problems[0].to_string().contains("ofsted region: expected \"South West\""), "{problems:?}");
        t
    })
    .await;
}

#[tokio::test]
async fn disagreeing_sources_follow_the_precedence_rule_and_say_so() {
    each_backend_with_data(|t| async move {
        let dir = TempDir::new();
        // The MI says Brighton and Hove's report came out a day later than our curated row says.
        let path = edited_mi(&dir, "\"31/05/2023\"", "\"01/06/2023\"");
        let report = import_paths(&t.db, &[path]).await.expect("import");
        let f = &report.files[0];
        assert_eq!(f.changed(), 1);
        assert_eq!(f.changes[0].fields[0].before.as_deref(), Some("2023-05-31"));
        assert_eq!(f.changes[0].fields[0].after.as_deref(), Some("2023-06-01"));
        let warning = f.warnings.iter().find(|w| w.contains("disagree")).expect("a disagreement warning");
        assert!(warning.contains("curated") && warning.contains("2023-05-31"), "{warning}");
        assert!(warning.contains("management_information") && warning.contains("2023-06-01"), "{warning}");
        assert!(warning.contains("kept 2023-06-01"), "{warning}");

        // The curated file, less specific, no longer overwrites it, and says why.
        let report = import_paths(&t.db, &[data_file("inspections.csv")]).await.expect("import");
        let f = &report.files[0];
        assert_eq!(f.updated, 0, "{:#?}", f.changes);
        let warning = f.warnings.iter().find(|w| w.contains("disagree")).expect("a disagreement warning");
        assert!(warning.contains("kept 2023-06-01") && warning.contains("ranks above curated"), "{warning}");
        let data = crate::support::gql_data(
            &t.db,
            r#"{ area(code: "E06000043") { latestInspection { published { text } } } }"#,
        )
        .await;
        assert_eq!(data["area"]["latestInspection"]["published"]["text"], "2023-06-01");
        t
    })
    .await;
}

fn import_args(t: &TestDb, extra: &[&str]) -> send_importer::cli::ImportArgs {
    use clap::Parser;
    let mut args =
        vec!["send-import", "--database-url", &t.url, "--timeout", "2", "--connect-timeout", "2", "--retries", "2"];
    args.extend_from_slice(extra);
    send_importer::cli::ImportArgs::try_parse_from(args).expect("arguments")
}

#[tokio::test]
async fn every_format_is_imported_from_a_loopback_url() {
    let ods = std::fs::read(data_file(ODS)).expect("ods");
    let mi = std::fs::read(data_file(MI_CSV)).expect("mi");
    let xlsx = std::fs::read(fixture("mi_2023_framework.xlsx")).expect("xlsx");
    let mi_ods = std::fs::read(fixture("mi_2023_framework.ods")).expect("mi ods");
    let curated = std::fs::read(data_file("inspections.csv")).expect("csv");
    let server = Server::start(HashMap::from([
        ("/official.ods", vec![Reply::ok(ods, "application/vnd.oasis.opendocument.spreadsheet")]),
        ("/mi.csv", vec![Reply::ok(mi, "text/csv")]),
        ("/mi.xlsx", vec![Reply::ok(xlsx, "application/octet-stream")]),
        ("/mi.ods", vec![Reply::ok(mi_ods, "application/vnd.oasis.opendocument.spreadsheet")]),
        ("/inspections.csv", vec![Reply::ok(curated, "text/csv")]),
    ]))
    .await;
    each_backend_with_data(|t| async {
        for path in ["/official.ods", "/mi.csv", "/mi.xlsx", "/mi.ods", "/inspections.csv"] {
            let url = server.url(path);
            let out = send_importer::cli::run(import_args(&t, &["--format", "json", &url])).await.expect("import");
            let json: serde_json::Value = serde_json::from_str(&out).expect("json");
            let file = &json["files"][0];
            assert_eq!(file["source"], url.as_str());
            assert_eq!(file["inserted"], 0, "{path}");
            assert_eq!(file["sha256"].as_str().map(str::len), Some(64));
        }
        t
    })
    .await;
}

#[tokio::test]
async fn an_unchanged_remote_file_is_not_downloaded_again() {
    let mut reply = Reply::ok(std::fs::read(data_file(MI_CSV)).expect("mi"), "text/csv");
    reply.etag = Some("\"mi-v1\"".to_owned());
    let server = Server::start(HashMap::from([("/mi.csv", vec![reply])])).await;
    each_backend_with_data(|t| async {
        let url = server.url("/mi.csv");
        send_importer::cli::run(import_args(&t, &[&url])).await.expect("first import");
        let before = snapshot(&t.db).await;
        let out = send_importer::cli::run(import_args(&t, &[&url])).await.expect("second import");
        assert!(out.contains("not modified since its last import"), "{out}");
        assert_eq!(snapshot(&t.db).await, before, "nothing written, not even an import run");
        let out = send_importer::cli::run(import_args(&t, &["--force", &url])).await.expect("forced");
        assert!(out.contains("16 rows read"), "{out}");
        t
    })
    .await;
    let requests = server.requests.lock().expect("log").clone();
    assert!(requests.iter().any(|r| r.to_ascii_lowercase().contains("if-none-match: \"mi-v1\"")), "{requests:#?}");
}

#[tokio::test]
async fn a_server_error_is_retried_then_succeeds() {
    let mi = std::fs::read(data_file(MI_CSV)).expect("mi");
    let server = Server::start(HashMap::from([("/mi.csv", vec![Reply::status(500), Reply::ok(mi, "text/csv")])])).await;
    each_backend_with_data(|t| async {
        let out = send_importer::cli::run(import_args(&t, &[&server.url("/mi.csv")])).await.expect("retried");
        assert!(out.contains("16 rows read"), "{out}");
        t
    })
    .await;
    let gets = server.requests.lock().expect("log").len();
    assert!(gets >= 2, "retried after the 500 ({gets} requests)");
}

#[tokio::test]
async fn download_faults_fail_clearly_and_leave_the_database_unchanged() {
    let mi = std::fs::read(data_file(MI_CSV)).expect("mi");
    let mut slow = Reply::ok(mi.clone(), "text/csv");
    slow.delay = Duration::from_secs(5);
    let mut truncated = Reply::ok(mi[..mi.len() / 2].to_vec(), "text/csv");
    truncated.declared_length = Some(mi.len());
    let big = Reply::ok(vec![b'a'; 4096], "text/csv");
    let server = Server::start(HashMap::from([
        ("/missing.csv", vec![Reply::status(404)]),
        ("/always-500.csv", vec![Reply::status(503)]),
        ("/slow.csv", vec![slow]),
        ("/truncated.csv", vec![truncated]),
        (
            "/page.html",
            vec![Reply::ok(
                b"<!DOCTYPE html><html><body>Download the data</body></html>".to_vec(),
                "text/html; charset=utf-8",
            )],
        ),
        ("/sniffed.csv", vec![Reply::ok(b"<!DOCTYPE html><html><body>not data</body></html>".to_vec(), "text/csv")]),
        ("/big.csv", vec![big]),
    ]))
    .await;
    let cases = [
        ("/missing.csv", vec![], "404 Not Found"),
        ("/always-500.csv", vec![], "503"),
        ("/slow.csv", vec![], "did not answer in time"),
        ("/truncated.csv", vec![], "cut short"),
        ("/page.html", vec![], "HTML page"),
        ("/sniffed.csv", vec![], "HTML page"),
        ("/big.csv", vec!["--max-download-bytes", "1000"], "size cap of 1000 bytes"),
    ];
    each_backend_with_data(|t| async {
        for (path, extra, expected) in &cases {
            let before = snapshot(&t.db).await;
            let url = server.url(path);
            let mut args: Vec<&str> = extra.clone();
            args.push(&url);
            let err = send_importer::cli::run(import_args(&t, &args)).await.expect_err(path);
            let message = format!("{err:#}");
            assert!(message.contains(expected), "{path}: {message}");
            assert!(message.contains(&url), "{path}: the message names the URL: {message}");
            assert_eq!(snapshot(&t.db).await, before, "{path}: database unchanged");
        }
        t
    })
    .await;
    let requests = server.requests.lock().expect("log").clone();
    let gets = |path: &str| requests.iter().filter(|r| r.starts_with(&format!("GET {path} "))).count();
    let runs = crate::support::backends().len();
    assert_eq!(gets("/missing.csv"), runs, "a 404 is not retried");
    assert_eq!(gets("/always-500.csv"), 3 * runs, "a 5xx is retried (--retries 2)");
}
