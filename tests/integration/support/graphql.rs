//! The GraphQL schema run without HTTP, and the error code of an answer.

use sea_orm::DatabaseConnection;
use serde_json::Value;

/// Runs a GraphQL query through the schema (no HTTP) and returns the whole response as JSON.
pub async fn gql(db: &DatabaseConnection, query: &str) -> Value {
    let schema = send_api::build_schema(db.clone());
    let response = send_api::execute(&schema, db, async_graphql::Request::new(query)).await;
    serde_json::to_value(&response).expect("response as JSON")
}

/// Runs a query that must succeed and returns its `data`.
pub async fn gql_data(db: &DatabaseConnection, query: &str) -> Value {
    let response = gql(db, query).await;
    assert!(response.get("errors").is_none_or(|e| e.as_array().is_some_and(Vec::is_empty)), "errors: {response:#}");
    response["data"].clone()
}

/// The `extensions.code` of a response's first error.
pub fn error_code(response: &Value) -> &str {
    response["errors"][0]["extensions"]["code"].as_str().unwrap_or("(no code)")
}
