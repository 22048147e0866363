//! The GraphQL schema: one function builds it for the server, the SDL export and the tests.

pub mod connection;
pub mod enums;
pub mod error;
pub mod loaders;
pub mod profile;
pub mod query;
pub mod scalars;
pub mod types;

use async_graphql::{EmptyMutation, EmptySubscription, ErrorExtensions, Request, Response, Schema};
use sea_orm::DatabaseConnection;

pub use error::code;

/// The schema type served at `/graphql`.
pub type AppSchema = Schema<query::Query, EmptyMutation, EmptySubscription>;

/// Deepest nesting a query may have.
pub const MAX_DEPTH: usize = 16;
/// Largest complexity (fields counted, connections by their page size) a query may have.
pub const MAX_COMPLEXITY: usize = 20_000;

/// Builds the schema over `db`. Used by the server, `schema.graphql` export and tests alike.
pub fn build_schema(db: DatabaseConnection) -> AppSchema {
    Schema::build(query::Query, EmptyMutation, EmptySubscription)
        .data(db)
        .limit_depth(MAX_DEPTH)
        .limit_complexity(MAX_COMPLEXITY)
        .finish()
}

/// The schema as SDL, sorted for stable diffs: the content of `schema.graphql`.
pub fn sdl() -> String {
    // The SDL does not depend on the connection: an unconnected handle is enough to build the schema.
    let schema = Schema::build(query::Query, EmptyMutation, EmptySubscription).finish();
    schema
        .sdl_with_options(async_graphql::SDLExportOptions::new().sorted_fields().sorted_arguments().sorted_enum_items())
}

/// The read-only snapshot one request reads through.
pub struct ReadSnapshot(pub std::sync::Arc<sea_orm::DatabaseTransaction>);

/// Runs one request in its own read snapshot (so that an import committing meanwhile is seen entirely or not at
/// all), with fresh per-request loaders, and gives every error a stable `extensions.code`.
pub async fn execute(schema: &AppSchema, db: &DatabaseConnection, request: Request) -> Response {
    let parse_failed = async_graphql::parser::parse_query(&request.query).is_err();
    let txn = match send_model::backend::begin_snapshot(db).await {
        Ok(txn) => std::sync::Arc::new(txn),
        Err(e) => {
            tracing::error!(error = %e, "cannot begin a read transaction");
            let error = async_graphql::ServerError::new("internal error", None);
            let mut response = Response::from_errors(vec![error]);
            response.errors[0].extensions = async_graphql::Error::new("internal error")
                .extend_with(|_, e| e.set("code", code::INTERNAL))
                .extensions;
            return response;
        }
    };
    let request = request.data(ReadSnapshot(txn.clone())).data(loaders::for_request(txn.clone()));
    let mut response = schema.execute(request).await;
    // Read-only: ending it either way is the same; commit releases the snapshot promptly.
    if let Ok(txn) = std::sync::Arc::try_unwrap(txn) {
        txn.commit().await.ok();
    }
    for error in &mut response.errors {
        let has_code = error.extensions.as_ref().is_some_and(|e| e.get("code").is_some());
        if !has_code {
            // Errors raised before execution (syntax, validation, limits) carry no code from async-graphql.
            // With a path, it is an argument async-graphql could not coerce (a custom scalar such as `Date` is only
            // checked then): the client's input. Resolver errors always carry their own code.
            let code = if parse_failed {
                code::GRAPHQL_PARSE_FAILED
            } else if error.path.is_empty() {
                code::GRAPHQL_VALIDATION_FAILED
            } else if error.message.starts_with("Failed to parse") || error.message.starts_with("Invalid value") {
                code::BAD_USER_INPUT
            } else {
                code::INTERNAL
            };
            let extended = async_graphql::Error::new(error.message.clone()).extend_with(|_, e| e.set("code", code));
            error.extensions = extended.extensions;
        }
    }
    response
}
