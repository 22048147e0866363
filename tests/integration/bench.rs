//! The benchmark's canonical workloads (issue 7) answer without errors, and the dashboard map's SQL statement bound
//! holds whatever the number of areas. (Timings are the benchmark's business, never asserted here.)

use send_bench::{CountedDb, WORKLOADS, synth};

use crate::support::{TempDir, each_backend, each_backend_with_data};

/// Workload 2's bound: all areas with their latest inspection, partners and priority actions.
const MAP_STATEMENT_BOUND: usize = 4;

#[tokio::test]
async fn canonical_workloads_answer_on_the_real_data() {
    each_backend_with_data(|t| async move {
        let counted = CountedDb::open(&t.url).await.expect("open");
        for w in WORKLOADS {
            let (sql, response) = counted.statement_texts(w.query).await;
            let statements = sql.len();
            if std::env::var_os("SEND_SHOW_SQL").is_some() {
                eprintln!("workload {}: {statements} statements\n  {}", w.number, sql.join("\n  "));
            }
            assert!(response.errors.is_empty(), "workload {}: {:?}", w.number, response.errors);
            let data = serde_json::to_value(&response.data).expect("json");
            assert!(
                data.as_object().is_some_and(|o| o.values().all(|v| !v.is_null())),
                "workload {}: {data}",
                w.number
            );
            if w.number == 2 {
                let edges = data["areas"]["edges"].as_array().map_or(0, Vec::len);
                assert_eq!(edges, 153, "the map holds every current area");
                assert!(statements <= MAP_STATEMENT_BOUND, "workload 2 took {statements} statements");
            }
        }
        counted.db.close().await.ok();
        t
    })
    .await;
}

#[tokio::test]
async fn the_dashboard_map_costs_the_same_statements_with_many_more_areas() {
    each_backend(|t| async move {
        let dir = TempDir::new();
        let data = synth::generate(&dir.join("csv"), 3_000, 7).expect("generate");
        assert!(data.areas > 200, "more areas than a page: {}", data.areas);
        let files = send_importer::read_paths(&data.files).expect("read");
        send_importer::import(&t.db, files, Default::default()).await.expect("synthetic data imports cleanly");
        let counted = CountedDb::open(&t.url).await.expect("open");
        let map = WORKLOADS[1];
        let (statements, response) = counted.statements(map.query).await;
        assert!(response.errors.is_empty(), "{:?}", response.errors);
        let data_json = serde_json::to_value(&response.data).expect("json");
        assert_eq!(data_json["areas"]["edges"].as_array().map_or(0, Vec::len), 200, "a full page");
        assert_eq!(data_json["areas"]["totalCount"], data.areas);
        assert!(statements <= MAP_STATEMENT_BOUND, "workload 2 took {statements} statements with {} areas", data.areas);
        let inspections = crate::support::gql_data(&t.db, "{ inspections(first: 0) { totalCount } }").await;
        assert_eq!(inspections["inspections"]["totalCount"], data.inspections, "every synthetic row is loaded");
        counted.db.close().await.ok();
        t
    })
    .await;
}

#[test]
fn the_synthetic_generator_is_deterministic() {
    let (a, b) = (TempDir::new(), TempDir::new());
    let first = synth::generate(&a.join("csv"), 500, 3).expect("generate");
    let second = synth::generate(&b.join("csv"), 500, 3).expect("generate");
    assert_eq!(first.inspections, 500);
    for (x, y) in first.files.iter().zip(&second.files) {
        assert_eq!(std::fs::read(x).expect("read"), std::fs::read(y).expect("read"), "{}", x.display());
    }
    let other = synth::generate(&b.join("other"), 500, 4).expect("generate");
    let inspections = |d: &synth::Dataset| std::fs::read(d.files.last().expect("files")).expect("read");
    assert_ne!(inspections(&first), inspections(&other), "another seed, another dataset");
}
