//! How the schema takes requests: stable error codes for bad queries, text searches held to their bounds, errors that
//! say what would have been valid, and a parsed document reused with each request's own operation and variables.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::Value;

use crate::support::http::{Answer, call};
use crate::support::{each_backend_with_data, error_code, gql};

#[tokio::test]
async fn bad_queries_get_stable_error_codes() {
    each_backend_with_data(|t| async move {
        assert_eq!(error_code(&gql(&t.db, "{ nope }").await), "GRAPHQL_VALIDATION_FAILED");
        assert_eq!(error_code(&gql(&t.db, "{ area(code: ").await), "GRAPHQL_PARSE_FAILED");
        assert_eq!(error_code(&gql(&t.db, "{ area(code: 5) { name } }").await), "GRAPHQL_VALIDATION_FAILED");
        let deep = format!(
            "{{ area(code: \"E10000029\") {{ {} code {} }} }}",
            "successors { area { ".repeat(10),
            "} } ".repeat(10)
        );
        assert_eq!(error_code(&gql(&t.db, &deep).await), "QUERY_TOO_DEEP", "depth limit");
        t
    })
    .await;
}

#[tokio::test]
async fn text_searches_over_their_bounds_or_with_control_characters_are_bad_input() {
    each_backend_with_data(|t| async move {
        let long = "a".repeat(50_000);
        let words = vec!["word"; 5_000].join(" ");
        let cases = [
            format!("{{ inspections(first: 1, filter: {{nameContains: \"{long}\"}}) {{ totalCount }} }}"),
            format!("{{ areas(first: 1, filter: {{nameContains: \"{long}\"}}) {{ totalCount }} }}"),
            format!("{{ priorityActions(first: 1, search: \"{words}\") {{ totalCount }} }}"),
            "{ inspections(first: 1, filter: {nameContains: \"a\\u0000b\"}) { totalCount } }".to_owned(),
            "{ areas(first: 1, filter: {nameContains: \"Suff\\u0007olk\"}) { totalCount } }".to_owned(),
        ];
        for query in &cases {
            let response = gql(&t.db, query).await;
            assert_eq!(error_code(&response), "BAD_USER_INPUT", "{}: {response}", &query[..60]);
            let message = response["errors"][0]["message"].as_str().unwrap_or_default();
            assert!(message.contains("limit") || message.contains("control character"), "{message}");
        }
        // Within the bounds, a search still runs.
        let at_limit =
            format!("{{ areas(first: 1, filter: {{nameContains: \"{}\"}}) {{ totalCount }} }}", "a".repeat(200));
        let response = gql(&t.db, &at_limit).await;
        assert_eq!(response["data"]["areas"]["totalCount"], 0, "{response}");
        let suffolk = gql(&t.db, "{ areas(first: 1, filter: {nameContains: \"suff\"}) { totalCount } }").await;
        assert_eq!(suffolk["data"]["areas"]["totalCount"], 1, "{suffolk}");
        // The same rule for the CSV export's parameter.
        let router = send_api::app(send_api::AppState::new(t.db.clone()));
        let uri = format!("/export/inspections.csv?nameContains={long}");
        let Answer { status, body, .. } = call(&router, Request::get(uri).body(Body::empty()).expect("request")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{}", String::from_utf8_lossy(&body));
        let body: Value = serde_json::from_slice(&body).expect("json");
        assert_eq!(error_code(&body), "BAD_USER_INPUT");
        t
    })
    .await;
}

#[tokio::test]
async fn enum_and_input_field_errors_say_what_is_valid() {
    each_backend_with_data(|t| async move {
        let cases = [
            (
                "{ outcomeProfile(filter: {framework: FRAMEWORK_2024}) { total } }",
                ["FRAMEWORK_2016, FRAMEWORK_2023", "Did you mean \"FRAMEWORK_2023\"?"],
            ),
            (
                "{ inspections(first: 1, filter: {outcome: typically_positive}) { totalCount } }",
                ["WIDESPREAD_SYSTEMIC_FAILINGS", "Did you mean \"TYPICALLY_POSITIVE\"?"],
            ),
            (
                "{ outcomeProfile(filter: {framework: FRAMEWORK_2023, yaer: 2023}) { total } }",
                ["expected fields", "Did you mean \"year\"?"],
            ),
            ("{ outcomeProfil { total } }", ["Did you mean \"outcomeProfile\"", "outcomeProfile"]),
            ("{ outcomeProfile(filtr: {framework: FRAMEWORK_2023}) { total } }", ["Did you mean \"filter\"", "filtr"]),
        ];
        for (query, expected) in cases {
            let response = gql(&t.db, query).await;
            assert_eq!(error_code(&response), "GRAPHQL_VALIDATION_FAILED", "{response}");
            let messages: Vec<&str> =
                response["errors"].as_array().into_iter().flatten().filter_map(|e| e["message"].as_str()).collect();
            for text in expected {
                assert!(messages.iter().any(|m| m.contains(text)), "{query}: {text:?} not in {messages:?}");
            }
        }
        t
    })
    .await;
}

#[tokio::test]
async fn a_document_parsed_once_still_answers_each_request_by_its_own_operation_and_variables() {
    each_backend_with_data(|t| async move {
        // One schema, so that its parsed-document cache is hit from the second request on.
        let schema = send_api::build_schema(t.db.clone());
        let query = "query A($code: String!) { area(code: $code) { name } } query B { outcomeProfile(filter: {framework: FRAMEWORK_2023, year: 2023}) { total } }";
        for _ in 0..2 {
            for (code, name) in [("E10000029", "Suffolk"), ("E09000002", "Barking and Dagenham")] {
                let request = async_graphql::Request::new(query)
                    .operation_name("A")
                    .variables(async_graphql::Variables::from_json(serde_json::json!({ "code": code })));
                let response = send_api::execute(&schema, &t.db, request).await;
                assert!(response.errors.is_empty(), "{:?}", response.errors);
                assert_eq!(serde_json::to_value(&response.data).expect("json")["area"]["name"], name);
            }
            let response = send_api::execute(&schema, &t.db, async_graphql::Request::new(query).operation_name("B")).await;
            let data = serde_json::to_value(&response.data).expect("json");
            assert_eq!(data["outcomeProfile"]["total"], 26, "{data}");
            assert!(data.get("area").is_none(), "{data}");
        }
        t
    })
    .await;
}
