//! The HTTP face: GraphQL over HTTP at `/graphql`, CSV export, operations endpoints and the offline GraphiQL,
//! behind (outermost first) request IDs with metrics and structured request logs, CORS, and compression.

mod apq;
mod caching;
mod export;
mod feed;
mod graphiql;
mod graphql;
mod metrics;
mod ops;
mod server;

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures_util::future::BoxFuture;
use sea_orm::DatabaseConnection;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tracing::Instrument;

pub use apq::Safelist;
pub use graphql::X_CACHE;
pub use metrics::Metrics;
pub use server::ConnectionLimits;

use crate::error::{Refusal, code};
use crate::graphql::{AppSchema, Limits, build_schema_with};

/// The request-ID header: taken from the request when it carries a sane one, generated otherwise, and returned.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// How the HTTP face behaves. Every field has a `send-api` option; [`HttpConfig::default`] is what it serves with
/// none given.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// The GraphQL limits (depth, complexity, aliases, root fields, page size, time).
    pub limits: Limits,
    /// Largest request body (POST) or query string (GET), in bytes.
    pub max_body_bytes: usize,
    /// `Cache-Control: max-age` of cacheable GET responses, in seconds.
    pub cache_max_age: u32,
    /// Origins allowed by CORS; `*` allows any (the default: the data are public and read-only).
    pub cors_origins: Vec<String>,
    /// How many automatic persisted queries one replica remembers (oldest forgotten first).
    pub apq_capacity: usize,
    /// Safelist mode: serve only these operations.
    pub safelist: Option<Arc<Safelist>>,
    /// Bytes of GET answers kept in memory (0: no response cache).
    pub response_cache_bytes: usize,
    /// How long the dataset version is trusted before it is read again: a new import is served within this.
    pub version_refresh: Duration,
    /// Open connections and their timeouts.
    pub connections: ConnectionLimits,
    /// Longest a request body may take to arrive.
    pub body_timeout: Duration,
    /// Most CSV exports streaming at once: each holds a database snapshot while it streams, so exports can never
    /// take the whole pool.
    pub max_exports: usize,
}

impl HttpConfig {
    /// Default of [`HttpConfig::body_timeout`], in seconds.
    pub const BODY_TIMEOUT_SECS: u64 = 30;
    /// Default of [`HttpConfig::max_exports`].
    pub const MAX_EXPORTS: usize = 4;
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            limits: Limits::default(),
            max_body_bytes: 64 * 1024,
            cache_max_age: 300,
            cors_origins: vec!["*".to_owned()],
            apq_capacity: 10_000,
            safelist: None,
            response_cache_bytes: 64 * 1024 * 1024,
            version_refresh: Duration::from_secs(1),
            connections: ConnectionLimits::default(),
            body_timeout: Duration::from_secs(Self::BODY_TIMEOUT_SECS),
            max_exports: Self::MAX_EXPORTS,
        }
    }
}

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    /// The schema.
    pub schema: AppSchema,
    /// The database (also in the schema's data; kept here to open per-request snapshots).
    pub db: DatabaseConnection,
    /// The configuration.
    pub config: Arc<HttpConfig>,
    /// Automatic persisted queries registered with this replica.
    pub apq: Arc<apq::PersistedQueries>,
    /// Request counters and latency histograms for `/metrics`.
    pub metrics: Arc<Metrics>,
    /// The read model of the current dataset version (also in the schema's data), re-checked at most every
    /// `version_refresh`: cached GETs then need no database round trip.
    pub models: Arc<crate::read_model::ReadModels>,
    /// GET answers by ETag.
    pub responses: Arc<caching::ResponseCache>,
    /// Permits for CSV exports streaming at once.
    pub exports: Arc<tokio::sync::Semaphore>,
}

impl AppState {
    /// State over `db` with the default configuration.
    pub fn new(db: DatabaseConnection) -> Self {
        Self::with_config(db, HttpConfig::default())
    }

    /// State over `db` with `config`.
    pub fn with_config(db: DatabaseConnection, config: HttpConfig) -> Self {
        let models = Arc::new(crate::read_model::ReadModels::new(config.version_refresh));
        Self {
            schema: build_schema_with(db.clone(), &config.limits, models.clone()),
            db,
            apq: Arc::new(apq::PersistedQueries::new(config.apq_capacity, apq::STORE_BYTES)),
            models,
            responses: Arc::new(caching::ResponseCache::new(usize::MAX, config.response_cache_bytes)),
            exports: Arc::new(tokio::sync::Semaphore::new(config.max_exports)),
            config: Arc::new(config),
            metrics: Arc::new(Metrics::default()),
        }
    }
}

/// The router. Tests call it without a socket.
pub fn app(state: AppState) -> Router {
    let cors = cors(&state.config.cors_origins);
    Router::new()
        .route("/graphql", get(graphql::handle).post(graphql::handle).fallback(graphql::handle))
        .route("/graphiql/{file}", get(graphiql::asset))
        .route("/export/inspections.csv", get(export::inspections))
        .route("/export/outcome-profile.csv", get(export::outcome_profile))
        .route("/feeds/inspections.atom", get(feed::inspections))
        .route("/health", get(ops::health))
        .route("/ready", get(ops::ready))
        .route("/metrics", get(ops::metrics))
        .route("/schema.graphql", get(ops::schema))
        .fallback(not_found)
        .layer(CompressionLayer::new())
        .layer(cors)
        // Outermost, so that every answer, a CORS preflight's included, carries a request ID, is counted and logged.
        .layer(axum::middleware::from_fn_with_state(state.clone(), observe))
        .with_state(state)
}

/// Serves `app` on `listener` until `shutdown` resolves, within the configuration's connection limits, then stops
/// accepting connections and lets in-flight requests finish before returning.
///
/// Boxed (ARCHITECTURE.md, "Build time"): `shutdown` is boxed before it reaches the server, so the server, its
/// connections and the router's stack are compiled once, here, whatever future the caller passes.
pub fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> BoxFuture<'static, std::io::Result<()>> {
    serve_boxed(listener, state, Box::pin(shutdown))
}

fn serve_boxed(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: BoxFuture<'static, ()>,
) -> BoxFuture<'static, std::io::Result<()>> {
    let limits = state.config.connections.clone();
    let metrics = state.metrics.clone();
    Box::pin(server::serve(listener, app(state), limits, metrics, shutdown))
}

fn cors(origins: &[String]) -> CorsLayer {
    let allow_origin = if origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(origins.iter().filter_map(|o| HeaderValue::from_str(o).ok()))
    };
    CorsLayer::new()
        .allow_origin(allow_origin)
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([header::CONTENT_TYPE, header::ACCEPT, header::IF_NONE_MATCH, REQUEST_ID])
        .expose_headers([header::ETAG, header::LINK, REQUEST_ID])
        .max_age(Duration::from_secs(86_400))
}

async fn not_found(request: Request) -> Response {
    let path = request.uri().path().to_owned();
    Refusal::new(
        StatusCode::NOT_FOUND,
        code::NOT_FOUND,
        format!(
            "no endpoint at {path}: see /graphql, /export/inspections.csv, /export/outcome-profile.csv, /feeds/inspections.atom, /health, /ready, /metrics, /schema.graphql"
        ),
    )
    .into_response()
}

/// Gives each request an ID (kept from `x-request-id` when sane), runs it inside a span carrying that ID so every
/// log line of the request has it, returns the ID in the response, counts the request for `/metrics` and logs it
/// once answered.
async fn observe(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let id = request
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| is_sane_request_id(v))
        .map_or_else(new_request_id, str::to_owned);
    let route = request.extensions().get::<MatchedPath>().cloned();
    let (method, uri) = (request.method().clone(), request.uri().clone());
    let span = tracing::info_span!("request", request_id = %id);
    let started = Instant::now();
    let mut response = next.run(request).instrument(span.clone()).await;
    let elapsed = started.elapsed();
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID, value);
    }
    // Every answer, not only pages: a browser must never guess a JSON or CSV answer to be something it runs.
    response.headers_mut().insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    let status = response.status().as_u16();
    state.metrics.record_http(route.as_ref().map_or("unmatched", MatchedPath::as_str), status);
    let micros = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX);
    span.in_scope(|| tracing::info!(%method, path = uri.path(), status, micros, "request"));
    response
}

/// A client-sent request ID is kept when it is 1 to 128 characters of `A-Z a-z 0-9 - _ . :`.
fn is_sane_request_id(id: &str) -> bool {
    (1..=128).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b))
}

/// A new request ID: 16 hex digits, unique within the process and unpredictable across processes.
fn new_request_id() -> String {
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    static SEED: std::sync::OnceLock<std::collections::hash_map::RandomState> = std::sync::OnceLock::new();
    let mut hasher = SEED.get_or_init(std::collections::hash_map::RandomState::new).build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    format!("{:016x}", hasher.finish())
}
