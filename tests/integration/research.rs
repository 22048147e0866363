//! Research queries on the real bundled data: timelines across reorganisations, the two views of an area's current
//! outcome, the computed inspection schedule, and the programme's coverage.

use crate::support::{each_backend_with_data, gql_data};

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
        // A server's schema: its read model (regions, areas, tallies) is re-checked only every ten minutes, so after
        // the import below the model it holds is of the previous dataset version.
        let models = std::sync::Arc::new(send_api::Models::new(std::time::Duration::from_secs(600)));
        let schema = send_api::build_schema_with(t.db.clone(), &send_api::Limits::default(), models);
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
                let response = send_api::execute(&schema, &db, async_graphql::Request::new(query)).await;
                assert!(response.errors.is_empty(), "{:?}", response.errors);
                let data = serde_json::to_value(&response.data).expect("json");
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
        // A server's schema whose read model is re-checked only every ten minutes: after the import below, the model
        // it holds (with Barking and Dagenham's inspections, read by the first request) is of the previous version.
        let models = std::sync::Arc::new(send_api::Models::new(std::time::Duration::from_secs(600)));
        let schema = send_api::build_schema_with(t.db.clone(), &send_api::Limits::default(), models);
        // The area's inspections (from the read model once read) beside a count of its rows in the request's
        // snapshot (always from the database).
        let query = "{ area(code: \"E09000002\") { inspections { key } timeline { inspection { key } } } \
                     c: inspections(first: 0, filter: {areaCode: \"E09000002\"}) { totalCount } }";
        let ask = || {
            let (schema, db) = (schema.clone(), t.db.clone());
            async move {
                let response = send_api::execute(&schema, &db, async_graphql::Request::new(query)).await;
                assert!(response.errors.is_empty(), "{:?}", response.errors);
                let data = serde_json::to_value(&response.data).expect("json");
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

/// Imports a curated file with one more 2023-framework full inspection, of Barking and Dagenham.
async fn import_one_more_barking_inspection(db: &sea_orm::DatabaseConnection) {
    let dir = crate::support::TempDir::new();
    let header = std::fs::read_to_string(crate::support::data_file("inspections.csv")).expect("read");
    let header = header.lines().next().expect("header");
    let file = dir.join("inspections.csv");
    std::fs::write(
        &file,
        format!("{header}\nBarking and Dagenham,E09000002,301,London,2023,full,2026-06-01,2026-06-05,2026-07-20,positive,,https://example.org/report.pdf\n"),
    )
    .expect("write");
    let report = send_importer::import(db, send_importer::read_paths(&[file]).expect("read"), Default::default())
        .await
        .expect("import");
    assert_eq!(report.inserted(), 1, "{report:?}");
}
