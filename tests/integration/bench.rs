//! The benchmark's canonical workloads answer without errors, the synthetic data is deterministic, and the SQL
//! statements of the dashboard's queries stay a small constant whatever the number of areas (the no-N+1 guarantee).
//! Timings are the benchmark's business, never asserted here.

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

/// The no-N+1 guarantee: a page of areas with their latest inspection, partners and priority actions costs the same
/// few SQL statements whether it holds 5 areas or 100.
#[tokio::test]
async fn a_dashboard_page_costs_a_constant_number_of_statements() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    each_backend_with_data(|t| async move {
        let mut db = send_model::connect(&send_model::DbConfig::new(t.url.clone())).await.expect("connect");
        let statements = Arc::new(AtomicUsize::new(0));
        let counter = statements.clone();
        db.set_metric_callback(move |_| {
            counter.fetch_add(1, Ordering::SeqCst);
        });
        let mut counts = Vec::new();
        let mut seen = 0;
        let mut end_cursor = String::new();
        // One schema, as a server has: its read model (regions, areas, ICBs, tallies) is built once per dataset
        // version, by the first request; what is counted is what each request costs after that.
        let schema = send_api::build_schema(db.clone());
        let run = |query: String| {
            let (schema, db) = (schema.clone(), db.clone());
            async move {
                let response = send_api::execute(&schema, &db, async_graphql::Request::new(query)).await;
                assert!(response.errors.is_empty(), "{:?}", response.errors);
                serde_json::to_value(&response.data).expect("json")
            }
        };
        run("{ area(code: \"E10000029\") { code } }".to_owned()).await;
        // 5 areas, then all 153 (in two pages of 100, the second after the first's end cursor).
        for (n, follow) in [(5, false), (100, false), (100, true)] {
            statements.store(0, Ordering::SeqCst);
            let after = if follow { format!(", after: \"{end_cursor}\"") } else { String::new() };
            let data = run(
                format!("{{ areas(first: {n}{after}) {{ pageInfo {{ endCursor }} edges {{ node {{ code partners {{ name }} latestInspection {{ outcome priorityActions {{ theme }} }} }} }} }} }}"),
            )
            .await;
            let len = data["areas"]["edges"].as_array().map_or(0, Vec::len);
            if n == 100 {
                seen += len;
            }
            end_cursor = data["areas"]["pageInfo"]["endCursor"].as_str().unwrap_or_default().to_owned();
            counts.push(statements.load(Ordering::SeqCst));
        }
        assert_eq!(seen, 153, "both pages cover all 153 areas");
        assert!(counts.iter().all(|c| *c == counts[0]), "statements must not grow with the number of areas: {counts:?}");
        assert!(counts[0] <= 8, "a small constant: {counts:?}");
        db.close().await.ok();
        t
    })
    .await;
}
