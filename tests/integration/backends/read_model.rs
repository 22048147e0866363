//! The read model (regions, areas, tallies kept at import time), held by a schema between dataset versions, against
//! the rows: the tallies equal counting the inspections, follow an area that changes region, and never mix with rows
//! of another import in one answer; and while the database is unreachable the read model still answers and the rest
//! fails fast.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::support::http::{Answer, GRAPHQL_RESPONSE, call, post_json};
use crate::support::import::{import_paths, inspections_file};
use crate::support::{TestDb, each_backend_with_data, gql_data};

#[tokio::test]
async fn counts_kept_at_import_time_equal_counting_the_inspections() {
    each_backend_with_data(|t| async move {
        // A second import that adds inspections and values: the tallies must follow it.
        let ods = crate::support::data_file("official/Area_SEND_inspection_data_01_May_2016_to_31_August_2022.ods");
        send_importer::import(&t.db, send_importer::read_paths(&[ods]).expect("read"), Default::default())
            .await
            .expect("ods");
        let mut checked = 0;
        for (framework, kind) in
            [("FRAMEWORK_2016", "FULL"), ("FRAMEWORK_2016", "REVISIT"), ("FRAMEWORK_2023", "FULL"), ("FRAMEWORK_2023", "MONITORING")]
        {
            for year in 2016..=2026 {
                for region in ["", ", region: \"E12000007\""] {
                    let data = gql_data(
                        &t.db,
                        &format!("{{ outcomeProfile(filter: {{framework: {framework}, inspectionType: {kind}, year: {year}{region}}}) {{ total unknown outcomes {{ outcome count }} }} }}"),
                    )
                    .await;
                    let profile = &data["outcomeProfile"];
                    let mut sum = profile["unknown"].as_u64().expect("unknown");
                    for o in profile["outcomes"].as_array().expect("outcomes") {
                        // `nameContains: ""` matches every area but is not a tallied filter: the database counts.
                        let counted = gql_data(
                            &t.db,
                            &format!(
                                "{{ inspections(first: 0, filter: {{framework: {framework}, inspectionType: {kind}, year: {year}, outcome: {}, nameContains: \"\"{region}}}) {{ totalCount }} }}",
                                o["outcome"].as_str().expect("outcome")
                            ),
                        )
                        .await;
                        assert_eq!(o["count"], counted["inspections"]["totalCount"], "{framework} {kind} {year}{region}: {o}");
                        sum += o["count"].as_u64().expect("count");
                        checked += o["count"].as_u64().expect("count");
                    }
                    let all = gql_data(
                        &t.db,
                        &format!("{{ a: inspections(first: 0, filter: {{framework: {framework}, inspectionType: {kind}, year: {year}, nameContains: \"\"{region}}}) {{ totalCount }} b: inspections(first: 0, filter: {{framework: {framework}, inspectionType: {kind}, year: {year}{region}}}) {{ totalCount }} }}"),
                    )
                    .await;
                    assert_eq!(all["a"]["totalCount"], sum, "{framework} {kind} {year}{region}: total and unknown");
                    assert_eq!(all["b"]["totalCount"], sum, "{framework} {kind} {year}{region}: a tallied page total");
                }
            }
        }
        assert!(checked > 100, "the comparison covered the data: {checked}");
        t
    })
    .await;
}

#[tokio::test]
async fn an_area_that_changes_region_takes_its_inspections_and_counts_along() {
    each_backend_with_data(|t| async move {
        let dir = crate::support::TempDir::new();
        let text = std::fs::read_to_string(crate::support::data_file("local_areas.csv")).expect("local_areas.csv");
        let moved = text.replace("E10000029,935,Suffolk,East of England,", "E10000029,935,Suffolk,London,");
        assert_ne!(moved, text, "the edit applies");
        let path = dir.join("local_areas.csv");
        std::fs::write(&path, moved).expect("write");
        let count = |region: &'static str| {
            let db = t.db.clone();
            async move {
                let data = gql_data(
                    &db,
                    &format!(
                        "{{ a: inspections(filter: {{areaCode: \"E10000029\", region: \"{region}\"}}) {{ totalCount }} p: outcomeProfile(filter: {{framework: FRAMEWORK_2023, year: 2023, region: \"{region}\"}}) {{ total }} }}"
                    ),
                )
                .await;
                (data["a"]["totalCount"].as_u64().expect("count"), data["p"]["total"].as_u64().expect("total"))
            }
        };
        let (east_before, london_before) = (count("E12000006").await, count("E12000007").await);
        assert_eq!(east_before.0, 3, "Suffolk's three inspections are in the East of England");
        assert_eq!(london_before.0, 0);
        send_importer::import(&t.db, send_importer::read_paths(&[path]).expect("read"), Default::default())
            .await
            .expect("import the move");
        let (east, london) = (count("E12000006").await, count("E12000007").await);
        assert_eq!((east.0, london.0), (0, 3), "the inspections follow their area");
        // Suffolk's 2023 full inspection moves from one region's profile to the other's.
        assert_eq!((east.1, london.1), (east_before.1 - 1, london_before.1 + 1));
        t
    })
    .await;
}

#[tokio::test]
async fn an_answer_never_mixes_the_read_model_of_one_import_with_rows_of_the_next() {
    each_backend_with_data(|t| async move {
        // After the import below, the read model (regions, areas, tallies) this schema holds is of the previous version.
        let schema = schema_whose_read_model_lags(&t.db);
        let kinds = [("FRAMEWORK_2016", "FULL"), ("FRAMEWORK_2016", "REVISIT"), ("FRAMEWORK_2023", "FULL")];
        // One request per kind: the profile's total comes from the read model's tally, `totalCount` (with a filter
        // the tallies do not cover) from counting rows in the request's snapshot.
        let both = |framework: &str, kind: &str| {
            format!(
                "{{ p: outcomeProfile(filter: {{framework: {framework}, inspectionType: {kind}}}) {{ total unknown }} \
                 c: inspections(first: 0, filter: {{framework: {framework}, inspectionType: {kind}, nameContains: \"\"}}) {{ totalCount }} }}"
            )
        };
        let ask = |query: String| {
            let (schema, db) = (schema.clone(), t.db.clone());
            async move {
                let data = data_through(&schema, &db, &query).await;
                let tallied = data["p"]["total"].as_u64().expect("total") + data["p"]["unknown"].as_u64().expect("unknown");
                (tallied, data["c"]["totalCount"].as_u64().expect("count"))
            }
        };
        let mut before = Vec::new();
        for (framework, kind) in kinds {
            let (tallied, counted) = ask(both(framework, kind)).await;
            assert_eq!(tallied, counted, "{framework} {kind} before the import");
            before.push(counted);
        }
        import_one_more_barking_inspection(&t.db).await;
        let mut changed = false;
        for ((framework, kind), old) in kinds.into_iter().zip(before) {
            let (tallied, counted) = ask(both(framework, kind)).await;
            assert_eq!(tallied, counted, "{framework} {kind}: the profile and the count of one answer agree after the import");
            changed |= counted != old;
        }
        assert!(changed, "the import added inspections, so at least one count moved");
        t
    })
    .await;
}

#[tokio::test]
async fn an_areas_inspections_held_in_the_read_model_are_those_of_the_answers_version() {
    each_backend_with_data(|t| async move {
        // After the import below, the read model this schema holds (with Barking and Dagenham's inspections, read by
        // the first request) is of the previous version.
        let schema = schema_whose_read_model_lags(&t.db);
        // The area's inspections (from the read model once read) beside a count of its rows in the request's
        // snapshot (always from the database).
        let query = "{ area(code: \"E09000002\") { inspections { key } timeline { inspection { key } } } \
                     c: inspections(first: 0, filter: {areaCode: \"E09000002\"}) { totalCount } }";
        let ask = || {
            let (schema, db) = (schema.clone(), t.db.clone());
            async move {
                let data = data_through(&schema, &db, query).await;
                let held = data["area"]["inspections"].as_array().map_or(0, Vec::len);
                let timeline = data["area"]["timeline"].as_array().map_or(0, Vec::len);
                (held, timeline, data["c"]["totalCount"].as_u64().expect("count") as usize)
            }
        };
        let (held, timeline, counted) = ask().await;
        assert_eq!((held, timeline), (counted, counted), "before the import");
        assert!(counted > 0, "Barking and Dagenham has inspections");
        // Asked again: now from the model (still the same answer).
        assert_eq!(ask().await, (counted, counted, counted));
        import_one_more_barking_inspection(&t.db).await;
        assert_eq!(ask().await, (counted + 1, counted + 1, counted + 1), "the new inspection, held and counted alike");
        t
    })
    .await;
}

/// A server's schema whose read model is re-checked only every ten minutes: after an import, the model it holds is
/// of the previous dataset version while the rows a request reads are of the new one.
fn schema_whose_read_model_lags(db: &sea_orm::DatabaseConnection) -> send_api::AppSchema {
    let models = std::sync::Arc::new(send_api::ReadModels::new(Duration::from_secs(600)));
    send_api::build_schema_with(db.clone(), &send_api::Limits::default(), models)
}

/// The data of `schema`'s answer to `query`, which must have no errors.
async fn data_through(schema: &send_api::AppSchema, db: &sea_orm::DatabaseConnection, query: &str) -> Value {
    let response = send_api::execute(schema, db, async_graphql::Request::new(query)).await;
    assert!(response.errors.is_empty(), "{query}: {:?}", response.errors);
    serde_json::to_value(&response.data).expect("json")
}

/// Imports a curated file with one more 2023-framework full inspection, of Barking and Dagenham.
async fn import_one_more_barking_inspection(db: &sea_orm::DatabaseConnection) {
    let dir = crate::support::TempDir::new();
    let file = inspections_file(
        &dir,
        "inspections.csv",
        "Barking and Dagenham,E09000002,301,London,2023,full,2026-06-01,2026-06-05,2026-07-20,positive,,https://example.org/report.pdf\n",
    );
    let report = import_paths(db, &[file]).await.expect("import");
    assert_eq!(report.inserted(), 1, "{report:?}");
}

/// A TCP relay to a PostgreSQL server that can be cut, as an outage would.
struct Relay {
    addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
    links: std::sync::Arc<std::sync::Mutex<Vec<tokio::task::JoinHandle<()>>>>,
}

impl Relay {
    async fn start(target: String) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let links = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let kept = links.clone();
        let task = tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let target = target.clone();
                let link = tokio::spawn(async move {
                    if let Ok(mut server) = tokio::net::TcpStream::connect(target).await {
                        tokio::io::copy_bidirectional(&mut client, &mut server).await.ok();
                    }
                });
                kept.lock().expect("links").push(link);
            }
        });
        Self { addr, task, links }
    }

    /// Stops listening and cuts every connection.
    fn cut(&self) {
        self.task.abort();
        for link in self.links.lock().expect("links").drain(..) {
            link.abort();
        }
    }
}

#[tokio::test]
async fn during_a_database_outage_the_read_model_still_answers_and_the_rest_fails_fast() {
    let Ok(admin) = std::env::var("TEST_DATABASE_URL") else { return };
    if admin.is_empty() {
        return;
    }
    let backend = crate::support::Backend::Postgres(admin);
    let t = TestDb::new(&backend).await;
    send_importer::import(&t.db, send_importer::bundled(), Default::default()).await.expect("import");
    // The test database's host and port, reached through the relay.
    let authority = t.url.split('@').nth(1).and_then(|r| r.split('/').next()).expect("host:port").to_owned();
    let relay = Relay::start(authority.clone()).await;
    let relayed_url = t.url.replacen(&authority, &relay.addr.to_string(), 1);
    let db = send_model::connect(&send_model::DbConfig::new(relayed_url)).await.expect("connect through the relay");
    // Every request checks the version: the outage is met at once.
    let config = send_api::HttpConfig { version_refresh: Duration::ZERO, ..Default::default() };
    let router = send_api::app(send_api::AppState::with_config(db.clone(), config));
    let from_model = json!({"query": "{ outcomeProfile(filter: {framework: FRAMEWORK_2023, year: 2023}) { total } }"});
    let from_database = json!({"query": "{ inspections(first: 2) { edges { node { key } } } }"});
    let Answer { status, .. } = call(&router, post_json(&from_model, Some(GRAPHQL_RESPONSE))).await;
    assert_eq!(status, StatusCode::OK);
    relay.cut();
    // The first request meets the outage (and may wait for the pool); the read model answers it all the same.
    let Answer { status, body, .. } = call(&router, post_json(&from_model, Some(GRAPHQL_RESPONSE))).await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    for _ in 0..5 {
        let started = Instant::now();
        let Answer { status, body, .. } = call(&router, post_json(&from_model, Some(GRAPHQL_RESPONSE))).await;
        let body: Value = serde_json::from_slice(&body).expect("json");
        assert_eq!((status, &body["data"]["outcomeProfile"]["total"]), (StatusCode::OK, &json!(26)), "{body}");
        // Far below the pool's 5 s timeout, which every request waited for before.
        assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
        let started = Instant::now();
        let Answer { status, .. } = call(&router, post_json(&from_database, Some(GRAPHQL_RESPONSE))).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
    }
    db.close().await.ok();
    t.close().await;
}
