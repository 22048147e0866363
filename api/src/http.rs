//! The HTTP face: `/graphql` (POST, and GET for queries or GraphiQL), `/health`.

use async_graphql::http::GraphiQLSource;
use async_graphql_axum::{GraphQLRequest, GraphQLResponse};
use axum::extract::{RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use sea_orm::DatabaseConnection;

use crate::graphql::{AppSchema, build_schema, execute};

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    /// The schema.
    pub schema: AppSchema,
    /// The database (also in the schema's data; kept here to build per-request loaders).
    pub db: DatabaseConnection,
}

impl AppState {
    /// State over `db`.
    pub fn new(db: DatabaseConnection) -> Self {
        Self { schema: build_schema(db.clone()), db }
    }
}

/// The router. Tests call it without a socket.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/graphql", get(graphql_get).post(graphql_post))
        .route("/health", get(health))
        .layer(axum::middleware::from_fn(log_request))
        .with_state(state)
}

/// Logs each request once it is answered: method, path, status and time taken.
async fn log_request(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let (method, path) = (request.method().clone(), request.uri().path().to_owned());
    let started = std::time::Instant::now();
    let response = next.run(request).await;
    let micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
    tracing::info!(%method, %path, status = response.status().as_u16(), micros, "request");
    response
}

async fn graphql_post(State(state): State<AppState>, request: GraphQLRequest) -> GraphQLResponse {
    execute(&state.schema, &state.db, request.into_inner()).await.into()
}

/// `GET /graphql?query=...` runs a query; a plain `GET /graphql` opens GraphiQL.
async fn graphql_get(State(state): State<AppState>, RawQuery(query): RawQuery) -> Response {
    let Some(query) = query.filter(|q| !q.is_empty()) else {
        return Html(GraphiQLSource::build().endpoint("/graphql").title("Area SEND inspections API").finish())
            .into_response();
    };
    match async_graphql::http::parse_query_string(&query) {
        Ok(request) => {
            let response = execute(&state.schema, &state.db, request).await;
            GraphQLResponse::from(response).into_response()
        }
        Err(e) => (
            StatusCode::BAD_REQUEST,
            [(header::CONTENT_TYPE, "application/json")],
            Json(serde_json::json!({
                "errors": [{"message": format!("cannot read the query string: {e}"), "extensions": {"code": "BAD_REQUEST"}}]
            }))
            .into_response()
            .into_body(),
        )
            .into_response(),
    }
}

async fn health() -> Json<serde_json::Value> {
    Json(serde_json::json!({"status": "ok"}))
}
