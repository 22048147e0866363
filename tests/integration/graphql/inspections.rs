//! Inspections through the schema: filters that compose and match the CSV files, orders, and page sizes and cursors
//! checked.

use std::collections::HashMap;

use serde_json::Value;

use crate::support::{bundled_inspections, each_backend_with_data, error_code, gql, gql_data};

/// The codes of inspections matching `filter`, all pages.
async fn inspection_ids(db: &sea_orm::DatabaseConnection, filter: &str) -> (i64, Vec<String>) {
    let data = gql_data(
        db,
        &format!("{{ inspections(first: 100, filter: {{{filter}}}) {{ totalCount edges {{ node {{ key }} }} }} }}"),
    )
    .await;
    let ids = data["inspections"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["node"]["key"].as_str().expect("key").to_owned())
        .collect();
    (data["inspections"]["totalCount"].as_i64().expect("total"), ids)
}

#[tokio::test]
async fn inspection_filters_compose_and_match_the_csv() {
    each_backend_with_data(|t| async move {
        let rows = bundled_inspections();
        let count = |f: &dyn Fn(&HashMap<String, String>) -> bool| rows.iter().filter(|r| f(r)).count() as i64;

        let (total, _) = inspection_ids(&t.db, "").await;
        assert_eq!(total, rows.len() as i64);
        let (total, _) = inspection_ids(&t.db, "framework: FRAMEWORK_2016, inspectionType: REVISIT").await;
        assert_eq!(total, count(&|r| r["framework"] == "2016" && r["inspection_type"] == "revisit"));
        let (total, ids) = inspection_ids(&t.db, "outcome: WIDESPREAD_SYSTEMIC_FAILINGS, year: 2024").await;
        assert_eq!(total, count(&|r| r["outcome"] == "systemic" && r["inspection_start"].starts_with("2024")));
        assert!(ids.iter().all(|id| id.contains("/2023/full/2024-")), "{ids:?}");
        let (total, _) = inspection_ids(&t.db, r#"region: "E12000007", framework: FRAMEWORK_2023"#).await;
        assert_eq!(total, count(&|r| r["region"] == "London" && r["framework"] == "2023"));
        let (total, ids) = inspection_ids(&t.db, r#"startedFrom: "2023-11-01", startedTo: "2023-11-30""#).await;
        assert_eq!(
            total,
            count(&|r| r["inspection_start"].as_str() >= "2023-11-01" && r["inspection_start"].as_str() <= "2023-11-30")
        );
        assert!(ids.contains(&"E10000029/2023/full/2023-11-13".to_owned()));
        let (total, _) = inspection_ids(&t.db, r#"areaCode: "935""#).await;
        assert_eq!(total, 3);
        let (total, _) = inspection_ids(&t.db, r#"areaCode: "E10000099""#).await;
        assert_eq!(total, 0, "an unknown area matches nothing");
        let (total, _) = inspection_ids(&t.db, r#"nameContains: "northamptonshire""#).await;
        assert_eq!(total, count(&|r| r["area_name"].to_lowercase().contains("northamptonshire")));
        let response = gql(&t.db, r#"{ inspections(filter: {startedFrom: "13/11/2023"}) { totalCount } }"#).await;
        assert_eq!(error_code(&response), "BAD_USER_INPUT", "a malformed date is the client's error");
        assert!(response["errors"][0]["message"].as_str().expect("m").contains("expected a date yyyy-mm-dd"));
        t
    })
    .await;
}

#[tokio::test]
async fn inspections_are_ordered_as_asked() {
    each_backend_with_data(|t| async move {
        let dates = |data: &Value, field: &str| -> Vec<String> {
            data["inspections"]["edges"].as_array().expect("edges").iter().map(|e| e["node"][field]["text"].as_str().unwrap_or("").to_owned()).collect()
        };
        let data = gql_data(&t.db, "{ inspections(first: 100) { edges { node { start { text } } } } }").await;
        let starts = dates(&data, "start");
        assert!(starts.windows(2).all(|w| w[0] <= w[1]), "default: start ascending");
        let data = gql_data(&t.db, "{ inspections(first: 50, orderBy: {field: PUBLISHED, direction: DESC}) { edges { node { published { text } } } } }").await;
        let published = dates(&data, "published");
        assert!(published.windows(2).all(|w| w[0] >= w[1]), "{published:?}");
        let newest = bundled_inspections().into_iter().map(|r| r["published"].clone()).max().expect("max");
        assert_eq!(published[0], newest);
        let data = gql_data(&t.db, "{ inspections(first: 5, orderBy: {field: AREA_NAME}) { edges { node { area { name } } } } }").await;
        assert_eq!(data["inspections"]["edges"][0]["node"]["area"]["name"], "Barking and Dagenham");
        t
    })
    .await;
}

#[tokio::test]
async fn page_size_is_limited_and_cursors_are_checked() {
    each_backend_with_data(|t| async move {
        let response = gql(&t.db, "{ inspections(first: 201) { totalCount } }").await;
        assert_eq!(error_code(&response), "PAGE_SIZE_TOO_LARGE");
        let data = gql_data(&t.db, "{ inspections(first: 100) { edges { cursor } } }").await;
        assert_eq!(data["inspections"]["edges"].as_array().map(Vec::len), Some(100), "100 is allowed");
        let response = gql(&t.db, "{ areas(first: -1) { totalCount } }").await;
        assert_eq!(error_code(&response), "BAD_USER_INPUT");
        let response = gql(&t.db, "{ inspections(after: \"not a cursor\") { totalCount } }").await;
        assert_eq!(error_code(&response), "BAD_USER_INPUT");
        t
    })
    .await;
}
