//! The GraphQL schema: one function builds it for the server, the SDL export and the tests; one function runs a
//! request against it (limits, read snapshot, stable error codes).

pub mod connection;
pub mod enums;
pub mod error;
pub mod limits;
pub mod loaders;
pub mod profile;
pub mod query;
pub mod scalars;
pub mod types;

use std::sync::Arc;

use async_graphql::{EmptyMutation, EmptySubscription, ErrorExtensions, Request, Response, Schema, ServerError, Value};
use sea_orm::{DatabaseConnection, DatabaseTransaction};

pub use error::code;
pub use limits::Limits;

/// The schema type served at `/graphql`.
pub type AppSchema = Schema<query::Query, EmptyMutation, EmptySubscription>;

/// Builds the schema over `db` with the default [`Limits`]. Used by the SDL export and tests.
pub fn build_schema(db: DatabaseConnection) -> AppSchema {
    build_schema_with(db, &Limits::default())
}

/// Builds the schema over `db` with `limits` (depth and complexity are checked by async-graphql; the rest by
/// [`run`] and the resolvers, which read the limits from the schema's data).
pub fn build_schema_with(db: DatabaseConnection, limits: &Limits) -> AppSchema {
    Schema::build(query::Query, EmptyMutation, EmptySubscription)
        .data(db)
        .data(limits.clone())
        .limit_depth(limits.max_depth)
        .limit_complexity(limits.max_complexity)
        // Records each query's complexity and depth, reported when the client asks (see `run`).
        .extension(async_graphql::extensions::Analyzer)
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
pub struct ReadSnapshot(pub Arc<DatabaseTransaction>);

/// A read snapshot opened for one request: everything the request reads, including the dataset version its HTTP
/// caching headers are derived from, sees the same committed data.
pub struct Snapshot(Arc<DatabaseTransaction>);

impl Snapshot {
    /// Opens a snapshot.
    pub async fn begin(db: &DatabaseConnection) -> Result<Self, sea_orm::DbErr> {
        send_model::backend::begin_snapshot(db).await.map(|t| Self(Arc::new(t)))
    }

    /// The transaction, for reads outside GraphQL (CSV export, caching headers).
    pub fn txn(&self) -> &DatabaseTransaction {
        &self.0
    }

    /// The dataset version as `dataset { version }` reports it (null before the first import).
    pub async fn dataset_version(&self) -> Result<Option<String>, sea_orm::DbErr> {
        query::dataset_version(&self.0).await
    }

    /// Ends the snapshot (read-only: committing just releases it promptly).
    pub async fn finish(self) {
        if let Ok(txn) = Arc::try_unwrap(self.0) {
            txn.commit().await.ok();
        }
    }
}

/// A GraphQL error with a stable code and no path.
pub fn error_response(message: impl Into<String>, code: &'static str) -> Response {
    let message = message.into();
    let mut error = ServerError::new(message.clone(), None);
    error.extensions = async_graphql::Error::new(message).extend_with(|_, e| e.set("code", code)).extensions;
    Response::from_errors(vec![error])
}

/// Runs one request in its own read snapshot (so that an import committing meanwhile is seen entirely or not at
/// all), with fresh per-request loaders and the schema's limits, and gives every error a stable `extensions.code`.
pub async fn execute(schema: &AppSchema, db: &DatabaseConnection, request: Request) -> Response {
    match Snapshot::begin(db).await {
        Ok(snapshot) => run(schema, snapshot, request).await,
        Err(e) => {
            tracing::error!(error = %e, "cannot begin a read transaction");
            error_response("internal error", code::INTERNAL)
        }
    }
}

/// Runs `request` in `snapshot`: parses it, applies the limits async-graphql does not (aliases, root fields, time),
/// executes it, and codes its errors. With `"cost": true` in the request's `extensions`, the response's
/// `extensions.cost` gives the query's complexity and depth beside the limits.
pub async fn run(schema: &AppSchema, snapshot: Snapshot, mut request: Request) -> Response {
    let limits = schema.data::<Limits>().cloned().unwrap_or_default();
    let wants_cost = request.extensions.get("cost").is_some_and(|v| *v == Value::Boolean(true));
    let operation_name = request.operation_name.clone();
    let shape = match request.parsed_query() {
        Ok(document) => limits::Shape::of(document, operation_name.as_deref()),
        Err(e) => {
            snapshot.finish().await;
            return error_response(e.message, code::GRAPHQL_PARSE_FAILED);
        }
    };
    if let Err((message, code)) = limits.check_shape(&shape) {
        snapshot.finish().await;
        return error_response(message, code);
    }
    let txn = snapshot.0.clone();
    let request = request.data(ReadSnapshot(txn.clone())).data(loaders::for_request(txn));
    let mut response = match tokio::time::timeout(limits.timeout, schema.execute(request)).await {
        Ok(response) => response,
        Err(_) => {
            let ms = limits.timeout.as_millis();
            snapshot.finish().await;
            return error_response(
                format!("the query took longer than the {ms} ms limit; ask for less"),
                code::TIMEOUT,
            );
        }
    };
    snapshot.finish().await;
    let analysis = response.extensions.remove("analyzer");
    if wants_cost {
        response.extensions.insert("cost".to_owned(), limits.cost(analysis.as_ref(), &shape));
    }
    for error in &mut response.errors {
        let has_code = error.extensions.as_ref().is_some_and(|e| e.get("code").is_some());
        if !has_code {
            let code = code_of_uncoded(error);
            if let Some(message) = limits.explain(code) {
                error.message = message;
            }
            let extended = async_graphql::Error::new(error.message.clone()).extend_with(|_, e| e.set("code", code));
            error.extensions = extended.extensions;
        }
    }
    response
}

/// The code of an error async-graphql raised itself. Errors raised before execution (validation, its limits) carry
/// no code. With a path, it is an argument async-graphql could not coerce (a custom scalar such as `Date` is only
/// checked then): the client's input. Resolver errors always carry their own code.
fn code_of_uncoded(error: &ServerError) -> &'static str {
    match error.message.as_str() {
        "Query is too complex." => code::QUERY_TOO_COMPLEX,
        "Query is nested too deep." => code::QUERY_TOO_DEEP,
        _ if error.path.is_empty() => code::GRAPHQL_VALIDATION_FAILED,
        m if m.starts_with("Failed to parse") || m.starts_with("Invalid value") => code::BAD_USER_INPUT,
        _ => code::INTERNAL,
    }
}

/// Whether `response` is a request error: refused before execution, so it has no data at all.
pub fn is_request_error(response: &Response) -> bool {
    response.data == Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|e| {
            let code = e.extensions.as_ref().and_then(|x| x.get("code")).and_then(|c| match c {
                Value::String(s) => Some(s.as_str()),
                _ => None,
            });
            code.is_some_and(code::is_request_error)
        })
}
