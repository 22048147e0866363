//! Imports against readers and against each other, on every backend: a reader sees an import entirely or not at
//! all, and two imports at once are serialised.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use send_importer::{ImportOptions, import, read_paths};

use crate::support::{TempDir, bundled_inspections, csv_rows, each_backend_with_data, gql_data};

/// A curated inspections file with one 2023-framework full inspection per current area, starting on `start`.
fn new_inspections(dir: &TempDir, name: &str, start: &str, published: &str) -> PathBuf {
    let path = dir.join(name);
    let mut w = csv::Writer::from_path(&path).expect("create");
    w.write_record(send_importer::layout::Layout::Inspections.columns()).expect("header");
    for area in csv_rows("local_areas.csv") {
        w.write_record([
            area["name"].as_str(),
            &area["la_code_gss"],
            &area["la_code_dfe"],
            &area["region"],
            "2023",
            "full",
            start,
            "",
            published,
            "positive",
            "",
            "https://example.org/test-fixture",
        ])
        .expect("row");
    }
    w.flush().expect("flush");
    path
}

const STATE: &str = r#"{ inspections(first: 0) { totalCount } outcomeProfile(filter: {framework: FRAMEWORK_2023, year: 2028}) { total } dataset { lastImport { id } } }"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readers_see_an_import_entirely_or_not_at_all() {
    each_backend_with_data(|t| async move {
        let dir = TempDir::new();
        let file = new_inspections(&dir, "more.csv", "2028-03-06", "2028-05-05");
        let areas = csv_rows("local_areas.csv").len() as i64;
        let before = gql_data(&t.db, STATE).await;
        let old = (bundled_inspections().len() as i64, 0, before["dataset"]["lastImport"]["id"].as_i64().expect("id"));

        // `importing` is true until the import has committed, `began` once it has started: an answer overlapped the
        // import when the import had not finished as it was asked and had begun by the time it came back (counting
        // only answers that both started and ended during the import missed a slow answer spanning a quick import).
        let importing = Arc::new(AtomicBool::new(true));
        let began = Arc::new(AtomicBool::new(false));
        let during = Arc::new(AtomicUsize::new(0));
        let reader = {
            let (db, importing, began, during) = (t.db.clone(), importing.clone(), began.clone(), during.clone());
            tokio::spawn(async move {
                let mut seen = Vec::new();
                let mut after_import = 0;
                while after_import < 5 {
                    let unfinished = importing.load(Ordering::SeqCst);
                    if !unfinished {
                        after_import += 1;
                    }
                    let data = gql_data(&db, STATE).await;
                    if unfinished && began.load(Ordering::SeqCst) {
                        during.fetch_add(1, Ordering::SeqCst);
                    }
                    seen.push((
                        data["inspections"]["totalCount"].as_i64().expect("total"),
                        data["outcomeProfile"]["total"].as_i64().expect("profile"),
                        data["dataset"]["lastImport"]["id"].as_i64().expect("id"),
                    ));
                }
                seen
            })
        };
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        began.store(true, Ordering::SeqCst);
        import(&t.db, read_paths(&[file]).expect("read"), ImportOptions::default()).await.expect("import");
        importing.store(false, Ordering::SeqCst);
        let seen = reader.await.expect("reader");
        let new = (old.0 + areas, areas, old.2 + 1);
        assert!(during.load(Ordering::SeqCst) > 0, "some answers were given while the import ran");
        for state in &seen {
            assert!(*state == old || *state == new, "a mixed answer {state:?}: neither {old:?} nor {new:?}");
        }
        assert_eq!(seen.first(), Some(&old));
        assert_eq!(seen.last(), Some(&new));
        t
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_imports_at_once_are_serialised_and_both_land() {
    each_backend_with_data(|t| async move {
        let dir = TempDir::new();
        let a = new_inspections(&dir, "a.csv", "2028-03-06", "2028-05-05");
        let b = new_inspections(&dir, "b.csv", "2029-03-05", "2029-05-04");
        let areas = csv_rows("local_areas.csv").len() as i64;
        let first = tokio::spawn({
            let db = t.db.clone();
            async move { import(&db, read_paths(&[a]).expect("read"), ImportOptions::default()).await }
        });
        let second = tokio::spawn({
            let db = t.db.clone();
            async move { import(&db, read_paths(&[b]).expect("read"), ImportOptions::default()).await }
        });
        let (first, second) = (first.await.expect("task"), second.await.expect("task"));
        let (first, second) = (first.expect("first import"), second.expect("second import"));
        assert_eq!(first.inserted() + second.inserted(), 2 * i32::try_from(areas).expect("n"));
        let data = gql_data(
            &t.db,
            "{ inspections(first: 0) { totalCount } dataset { importRuns(first: 2) { source rowsInserted } } }",
        )
        .await;
        assert_eq!(
            data["inspections"]["totalCount"],
            bundled_inspections().len() as i64 + 2 * areas,
            "both imports landed, nothing twice"
        );
        let runs = data["dataset"]["importRuns"].as_array().expect("runs");
        assert!(runs.iter().all(|r| r["rowsInserted"] == areas), "{runs:?}");
        t
    })
    .await;
}
