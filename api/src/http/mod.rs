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
mod pages;
mod params;
mod server;
mod state;

use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures_util::future::BoxFuture;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tracing::Instrument;

pub use apq::Safelist;
pub use graphql::X_CACHE;
pub use metrics::Metrics;
pub use server::ConnectionLimits;
pub use state::{AppState, HttpConfig};

use crate::error::{Refusal, code};

/// The request-ID header: taken from the request when it carries a sane one, generated otherwise, and returned.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The router. Tests call it without a socket.
pub fn app(state: AppState) -> Router {
    let cors = cors(&state.config.cors_origins);
    Router::new()
        .route("/graphql", get(graphql::handle).post(graphql::handle).fallback(graphql::handle))
        .route("/graphiql", get(graphiql::explorer))
        .route("/graphiql/{file}", get(graphiql::asset))
        .route("/", get(pages::national))
        .route("/embed/{figure}", get(pages::embed))
        .route("/figures/{file}", get(pages::figure_csv))
        .route("/areas/{code}", get(pages::area))
        .route("/areas/{code}/figures/{file}", get(pages::area_figure_csv))
        .route("/embed/areas/{code}/{figure}", get(pages::area_embed))
        .route("/themes", get(pages::themes))
        .route("/regions/{code}", get(pages::region))
        .route("/regions/{code}/figures/{file}", get(pages::region_figure_csv))
        .route("/embed/regions/{code}/{figure}", get(pages::region_embed))
        .route("/assets/site.css", get(pages::stylesheet))
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
            "no endpoint at {path}: see / (the readers' pages), /graphql, /export/inspections.csv, /export/outcome-profile.csv, /feeds/inspections.atom, /health, /ready, /metrics, /schema.graphql"
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
