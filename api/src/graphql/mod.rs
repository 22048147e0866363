//! The GraphQL schema: one function builds it for the server, the SDL export and the tests; one function runs a
//! request against it (limits, read snapshot, stable error codes).

pub mod areas;
pub mod changes;
pub mod connection;
pub mod context;
pub mod dataset;
pub mod document_weight;
pub mod enums;
pub mod inputs;
pub mod inspections;
pub mod limits;
pub mod loaders;
pub mod objects;
pub mod pagination;
pub mod profile;
pub mod query;
pub mod scalars;
pub mod suggest;
pub mod themes;
pub mod timeliness;
pub mod visits;

use std::sync::Arc;

use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{EmptyMutation, EmptySubscription, ErrorExtensions, Request, Response, Schema, ServerError, Value};
use sea_orm::DatabaseConnection;

use crate::error::{Refusal, code};
use crate::read_model::{ReadModels, Scope};

pub use limits::Limits;

/// The schema type served at `/graphql`.
pub type AppSchema = Schema<query::Query, EmptyMutation, EmptySubscription>;

/// Builds the schema over `db` with the default [`Limits`], checking the dataset version on every request (no
/// staleness at all: what the tests want after an import).
pub fn build_schema(db: DatabaseConnection) -> AppSchema {
    build_schema_with(db, &Limits::default(), Arc::new(ReadModels::new(std::time::Duration::ZERO)))
}

/// Builds the schema over `db` with `limits` (depth and complexity are checked by async-graphql; the rest by
/// [`run`] and the resolvers, which read the limits from the schema's data) and the read `models` its requests share.
pub fn build_schema_with(db: DatabaseConnection, limits: &Limits, models: Arc<ReadModels>) -> AppSchema {
    build_schema_sharing(db, limits, models, Documents::default())
}

/// [`build_schema_with`], sharing the cache of parsed `documents` with other schemas: a server's two (clients' and
/// its own, see `AppState`) hold one between them, so that what it may hold is bounded once.
pub fn build_schema_sharing(
    db: DatabaseConnection,
    limits: &Limits,
    models: Arc<ReadModels>,
    documents: Documents,
) -> AppSchema {
    let build = || {
        Schema::build(query::Query::default(), EmptyMutation, EmptySubscription)
            .data(db.clone())
            .data(models.clone())
            .data(documents.clone())
            .data(limits.clone())
            .limit_depth(limits.max_depth)
            .limit_complexity(limits.max_complexity)
    };
    // Any extension makes async-graphql look up every field's type by name and run the extension chain around
    // each resolver (a tenth of a timeline's time), so only the requests that ask for their cost go through the
    // schema with the analyzer.
    let costed = build().extension(async_graphql::extensions::Analyzer).finish();
    build().data(Costed(costed)).finish()
}

/// The same schema with async-graphql's analyzer, which records each query's complexity and depth: what runs a
/// request that asks for its cost (see [`run`]).
struct Costed(AppSchema);

/// The schema as SDL, sorted for stable diffs: the content of `schema.graphql`.
pub fn sdl() -> String {
    // The SDL does not depend on the connection: an unconnected handle is enough to build the schema.
    let schema = Schema::build(query::Query::default(), EmptyMutation, EmptySubscription).finish();
    schema.sdl_with_options(
        async_graphql::SDLExportOptions::new()
            .sorted_fields()
            .sorted_arguments()
            .sorted_enum_items()
            .include_specified_by(),
    )
}

/// Runs one request in its own [`Scope`] (so that an import committing meanwhile is seen entirely or not at all),
/// with fresh per-request loaders and the schema's limits, and gives every error a stable `extensions.code`.
///
/// Boxed (ARCHITECTURE.md, "Build time"): the execution is compiled once, here, not again in each binary and test
/// that awaits it.
pub fn execute<'a>(
    schema: &'a AppSchema,
    db: &'a DatabaseConnection,
    request: Request,
) -> futures_util::future::BoxFuture<'a, Response> {
    Box::pin(execute_unboxed(schema, db, request))
}

async fn execute_unboxed(schema: &AppSchema, db: &DatabaseConnection, request: Request) -> Response {
    match schema.data::<Arc<ReadModels>>() {
        Some(models) => match run(schema, Scope::lazy(db.clone(), models.clone()), request).await {
            Ok(response) => response,
            Err(e) => Refusal::unavailable(&e).into_graphql(),
        },
        None => Refusal::request(code::INTERNAL, "internal error: a schema without read models").into_graphql(),
    }
}

/// Runs `request` in `scope`: parses it, applies the limits async-graphql does not (aliases, root fields, time),
/// executes it, and codes its errors. With `"cost": true` in the request's `extensions`, the response's
/// `extensions.cost` gives the query's complexity and depth beside the limits. An answer that read the read model
/// and the database at two dataset versions (an import committed in between) is computed again in a scope begun
/// at once, whose model is its snapshot's. An error when the database could not be read at all (the request is
/// then refused as a whole: HTTP 503).
pub async fn run(schema: &AppSchema, scope: Scope, mut request: Request) -> Result<Response, sea_orm::DbErr> {
    let limits = schema.data::<Limits>().cloned().unwrap_or_default();
    let wants_cost = request.extensions.get("cost").is_some_and(|v| *v == Value::Boolean(true));
    let operation_name = request.operation_name.clone();
    let shape = match document(schema, &mut request) {
        // Measured, and refused when over a limit, before anything walks the document with its fragments spread
        // (async-graphql's validation does): a fragment cycle or a deep chain of fragments would exhaust the stack.
        Ok(document) => match limits::Shape::of(&document, operation_name.as_deref())
            .and_then(|shape| limits.check_shape(&shape).map(|()| shape))
            .and_then(|shape| required_variables(&document, operation_name.as_deref(), &request).map(|()| shape))
        {
            Ok(shape) => {
                request.set_parsed_query(Arc::unwrap_or_clone(document));
                shape
            }
            Err(refusal) => {
                scope.finish().await;
                return Ok(refusal.into_graphql());
            }
        },
        Err(e) => {
            scope.finish().await;
            return Ok(Refusal::request(code::GRAPHQL_PARSE_FAILED, e.message).into_graphql());
        }
    };
    let mut scope = Arc::new(scope);
    let mut again = Some(copy_of(&request));
    let mut response = loop {
        let executed = request.data(scope.clone()).data(loaders::for_request(scope.clone()));
        let runner = match schema.data::<Costed>() {
            Some(costed) if wants_cost => &costed.0,
            _ => schema,
        };
        let started = std::time::Instant::now();
        let response = match tokio::time::timeout(limits.timeout, runner.execute(executed)).await {
            // The timer's granularity (a millisecond) lets a query that never waits finish past the limit: it is
            // refused all the same.
            Ok(response) if started.elapsed() <= limits.timeout => response,
            _ => {
                let ms = limits.timeout.as_millis();
                finish(scope).await;
                let message = format!("the query took longer than the {ms} ms limit; ask for less");
                return Ok(Refusal::request(code::TIMEOUT, message).into_graphql());
            }
        };
        if let Some(e) = scope.failure() {
            finish(scope).await;
            return Err(e);
        }
        // Once only: the second scope's model is its own snapshot's, so it cannot be mixed.
        let Some(copy) = again.take().filter(|_| scope.mixed()) else { break response };
        let fresh = scope.again().await;
        finish(scope).await;
        scope = Arc::new(fresh?);
        request = copy;
    };
    finish(scope).await;
    let analysis = response.extensions.remove("analyzer");
    if wants_cost {
        response.extensions.insert("cost".to_owned(), limits.cost(analysis.as_ref(), &shape));
    }
    for error in &mut response.errors {
        let has_code = error.extensions.as_ref().is_some_and(|e| e.get("code").is_some());
        if !has_code {
            let code = code_of_uncoded(error);
            if let Some(message) = limits.explain(code).or_else(|| vocabulary().explain(&error.message)) {
                error.message = message;
            }
            let extended = async_graphql::Error::new(error.message.clone()).extend_with(|_, e| e.set("code", code));
            error.extensions = extended.extensions;
        }
    }
    Ok(response)
}

/// Parsed GraphQL documents by query text: the same few documents arrive again and again (dashboards, persisted
/// queries), and parsing is the largest fixed cost of a request answered from the read model. Bounded by
/// [`Documents::CAPACITY`] entries and [`Documents::BYTES`], each document weighed by what its syntax tree holds
/// (a parsed document holds many times its text). A clone shares the cache.
#[derive(Clone)]
pub struct Documents(Arc<crate::cache::BoundedCache<Arc<ExecutableDocument>>>);

impl Default for Documents {
    fn default() -> Self {
        Self(Arc::new(crate::cache::BoundedCache::new(Self::CAPACITY, Self::BYTES)))
    }
}

impl Documents {
    /// How many documents are kept.
    pub const CAPACITY: usize = 1024;
    /// Bytes of parsed documents and their texts kept.
    pub const BYTES: usize = 32 * 1024 * 1024;

    fn get(&self, query: &str) -> Option<Arc<ExecutableDocument>> {
        self.0.get(query)
    }

    /// The bytes held (as weighed) and the number of documents.
    pub fn size(&self) -> (usize, usize) {
        self.0.size()
    }

    fn keep(&self, query: &str, document: &ExecutableDocument) {
        if !self.0.contains(query) {
            self.0.insert(query, Arc::new(document.clone()));
        }
    }
}

/// The request's parsed document, from the schema's cache of parsed documents when it is there (parsed and kept
/// otherwise). For a look at the document before [`run`] (which looks it up again).
pub fn document(schema: &AppSchema, request: &mut Request) -> Result<Arc<ExecutableDocument>, ServerError> {
    let documents = schema.data::<Documents>();
    if let Some(document) = documents.and_then(|d| d.get(&request.query)) {
        return Ok(document);
    }
    let query = request.query.clone();
    let document = request.parsed_query()?;
    if let Some(documents) = documents {
        documents.keep(&query, document);
    }
    Ok(Arc::new(document.clone()))
}

/// Refuses a request that does not give a value to a variable its operation requires (non-null, no default): a
/// request error, the client's, found before execution (async-graphql would find it only in the resolver, as an
/// internal error).
fn required_variables(
    document: &ExecutableDocument,
    operation_name: Option<&str>,
    request: &Request,
) -> Result<(), Refusal> {
    let Some(operation) = limits::operation(document, operation_name) else { return Ok(()) };
    for definition in &operation.node.variable_definitions {
        let definition = &definition.node;
        let given = request.variables.get(&definition.name.node);
        if !definition.var_type.node.nullable
            && definition.default_value.is_none()
            && given.is_none_or(|v| *v == Value::Null)
        {
            return Err(Refusal::request(
                code::BAD_VARIABLES,
                format!(
                    "the variable ${} of required type {} was not given a value: send it in `variables`",
                    definition.name.node, definition.var_type.node
                ),
            ));
        }
    }
    Ok(())
}

/// The schema's enum values and input fields, for error messages (the schema is the code's, so read once).
fn vocabulary() -> &'static suggest::Vocabulary {
    static VOCABULARY: std::sync::OnceLock<suggest::Vocabulary> = std::sync::OnceLock::new();
    VOCABULARY.get_or_init(|| suggest::Vocabulary::of_sdl(&sdl()))
}

/// Ends a request's scope once nothing else holds it (the request's data and loaders are dropped after execution).
async fn finish(scope: Arc<Scope>) {
    if let Ok(scope) = Arc::try_unwrap(scope) {
        scope.finish().await;
    }
}

/// The request as the client sent it, without the per-request data added for execution.
fn copy_of(request: &Request) -> Request {
    let mut copy = Request::new(request.query.clone()).variables(request.variables.clone());
    copy.operation_name.clone_from(&request.operation_name);
    copy.extensions.clone_from(&request.extensions);
    copy
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
