//! What every handler shares ([`AppState`]) and how the HTTP face is configured ([`HttpConfig`]).

use std::sync::Arc;
use std::time::Duration;

use sea_orm::DatabaseConnection;

use super::apq::{self, Safelist};
use super::caching;
use super::metrics::Metrics;
use super::server::ConnectionLimits;
use crate::error::Refusal;
use crate::graphql::{AppSchema, Documents, Limits, build_schema_sharing};
use crate::read_model::Scope;

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
    /// Bytes of queries one replica keeps registered as automatic persisted queries: with the entry bound
    /// ([`HttpConfig::apq_capacity`]), what bounds a store that any client can write to.
    pub const APQ_STORE_BYTES: usize = 32 * 1024 * 1024;
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
    /// The schema clients' requests run against, with the configured limits.
    pub schema: AppSchema,
    /// The schema the server's own fixed documents (the pages, the feed) run against: the configured limits raised to
    /// at least the defaults ([`Limits::at_least`]), so that limits lowered for clients do not break the pages. The
    /// two share one cache of parsed documents.
    pub own_schema: AppSchema,
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
        let documents = Documents::default();
        let own_limits = config.limits.at_least(&Limits::default());
        Self {
            schema: build_schema_sharing(db.clone(), &config.limits, models.clone(), documents.clone()),
            own_schema: build_schema_sharing(db.clone(), &own_limits, models.clone(), documents),
            db,
            apq: Arc::new(apq::PersistedQueries::new(config.apq_capacity, HttpConfig::APQ_STORE_BYTES)),
            models,
            responses: Arc::new(caching::ResponseCache::new(usize::MAX, config.response_cache_bytes)),
            exports: Arc::new(tokio::sync::Semaphore::new(config.max_exports)),
            config: Arc::new(config),
            metrics: Arc::new(Metrics::default()),
        }
    }

    /// A read snapshot begun now and the dataset version it sees, for an answer tagged with that version (which may
    /// be newer than the one last checked); a database that cannot be reached is a `503`.
    pub async fn versioned_snapshot(&self) -> Result<(Scope, Option<String>), Refusal> {
        let snapshot =
            Scope::begin(self.db.clone(), self.models.clone()).await.map_err(|e| Refusal::unavailable(&e))?;
        let version = snapshot.version().await.map_err(|e| Refusal::unavailable(&e))?;
        Ok((snapshot, version))
    }
}
