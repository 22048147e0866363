//! `send-api`'s command line (`ServeArgs`) and its options for the HTTP face, shared by the binary and the tests that
//! check them.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::{Args, ValueEnum};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

use crate::graphql::Limits;
use crate::http::{ConnectionLimits, HttpConfig, Safelist};

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line (for log collectors), with the request ID of the request being answered.
    Json,
}

/// Serve the area SEND inspection outcomes GraphQL API.
///
/// With no configuration it uses the SQLite file var/send.db (created, migrated and filled with the bundled real
/// dataset on first start) and listens on 127.0.0.1:8080: open http://127.0.0.1:8080/graphql in a browser.
#[derive(Debug, clap::Parser)]
#[command(version)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "SEND_BIND", default_value = "127.0.0.1:8080")]
    pub bind: std::net::SocketAddr,

    /// Do not import the bundled dataset into an empty database.
    #[arg(long, env = "SEND_NO_BUNDLED_IMPORT")]
    pub no_bundled_import: bool,

    /// Serve reads from this database (a PostgreSQL read replica) instead of --database-url, which is then used only
    /// to migrate and, when empty, to import the bundled data. Pool options apply to both.
    #[arg(long, env = "READ_DATABASE_URL")]
    pub read_database_url: Option<String>,

    /// Where the database is.
    #[command(flatten)]
    pub database: send_importer::cli::DatabaseArgs,

    /// The HTTP face.
    #[command(flatten)]
    pub http: HttpArgs,
}

impl ServeArgs {
    /// Seconds one SQL statement may run on PostgreSQL when `--db-statement-timeout` is not given: a runaway query
    /// must not hold a pooled connection for long. (`send-import` has none: its wait for another import's lock is
    /// one statement.)
    pub const STATEMENT_TIMEOUT_SECS: u64 = 30;
}

/// Options of the HTTP face: limits, caching, CORS, persisted queries.
#[derive(Debug, Clone, Args)]
pub struct HttpArgs {
    /// Largest request body (POST) or query string (GET), in bytes.
    #[arg(long, env = "SEND_MAX_BODY_BYTES", default_value_t = HttpConfig::default().max_body_bytes)]
    pub max_body_bytes: usize,
    /// Deepest nesting of fields a query may have.
    #[arg(long, env = "SEND_MAX_DEPTH", default_value_t = Limits::default().max_depth)]
    pub max_depth: usize,
    /// Largest query complexity: each field counts 1, a connection counts `first` times its selection.
    #[arg(long, env = "SEND_MAX_COMPLEXITY", default_value_t = Limits::default().max_complexity)]
    pub max_complexity: usize,
    /// Most aliases in one operation.
    #[arg(long, env = "SEND_MAX_ALIASES", default_value_t = Limits::default().max_aliases)]
    pub max_aliases: usize,
    /// Most root fields in one operation.
    #[arg(long, env = "SEND_MAX_ROOT_FIELDS", default_value_t = Limits::default().max_root_fields)]
    pub max_root_fields: usize,
    /// Largest page (`first`) a connection returns.
    #[arg(long, env = "SEND_MAX_PAGE_SIZE", default_value_t = Limits::default().max_page_size)]
    pub max_page_size: i32,
    /// Longest a GraphQL request may run, in seconds (fractions allowed).
    #[arg(long, env = "SEND_REQUEST_TIMEOUT", default_value_t = Limits::default().timeout.as_secs_f64())]
    pub request_timeout: f64,
    /// `Cache-Control: max-age` of cacheable GET responses, in seconds.
    #[arg(long, env = "SEND_CACHE_MAX_AGE", default_value_t = HttpConfig::default().cache_max_age)]
    pub cache_max_age: u32,
    /// Origins CORS allows, comma-separated; `*` for any (the default: the data are public and read-only).
    #[arg(long, env = "SEND_CORS_ORIGINS", default_values_t = HttpConfig::default().cors_origins, value_delimiter = ',')]
    pub cors_origins: Vec<String>,
    /// How many automatic persisted queries each replica remembers.
    #[arg(long, env = "SEND_APQ_CAPACITY", default_value_t = HttpConfig::default().apq_capacity)]
    pub apq_capacity: usize,
    /// Safelist mode: serve only the operations of this persisted-query manifest (Apollo's JSON format).
    #[arg(long, env = "SEND_SAFELIST")]
    pub safelist: Option<std::path::PathBuf>,
    /// Bytes of GET answers kept in memory, served without touching the database (0 turns the cache off).
    #[arg(long, env = "SEND_RESPONSE_CACHE_BYTES", default_value_t = HttpConfig::default().response_cache_bytes)]
    pub response_cache_bytes: usize,
    /// Seconds the dataset version (of cached GET answers and of the read model) is trusted before it is read again: a
    /// replica serves a new import within this.
    #[arg(long, env = "SEND_VERSION_REFRESH", default_value_t = HttpConfig::default().version_refresh.as_secs_f64())]
    pub version_refresh: f64,
    /// Most connections open at once; at the cap the oldest idle connection is closed to make room.
    #[arg(long, env = "SEND_MAX_CONNECTIONS", default_value_t = ConnectionLimits::MAX_CONNECTIONS)]
    pub max_connections: usize,
    /// Seconds a client has to send a request's head; also how long an idle connection is kept open.
    #[arg(long, env = "SEND_HEADER_TIMEOUT", default_value_t = ConnectionLimits::HEADER_TIMEOUT_SECS)]
    pub header_timeout: u64,
    /// Seconds a response may wait for the client to read it before the connection is closed.
    #[arg(long, env = "SEND_WRITE_TIMEOUT", default_value_t = ConnectionLimits::WRITE_TIMEOUT_SECS)]
    pub write_timeout: u64,
    /// Seconds a client has to send a request's body.
    #[arg(long, env = "SEND_BODY_TIMEOUT", default_value_t = HttpConfig::BODY_TIMEOUT_SECS)]
    pub body_timeout: u64,
    /// Most CSV exports streaming at once (each holds a database connection while it streams); more are `503`.
    #[arg(long, env = "SEND_MAX_EXPORTS", default_value_t = HttpConfig::MAX_EXPORTS)]
    pub max_exports: usize,
    /// Log format.
    #[arg(long, env = "SEND_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
}

impl HttpArgs {
    /// The configuration these options describe (reads the safelist, if any).
    pub fn config(&self) -> anyhow::Result<HttpConfig> {
        anyhow::ensure!(
            self.request_timeout.is_finite() && self.request_timeout > 0.0,
            "--request-timeout must be a positive number of seconds, found {}",
            self.request_timeout
        );
        let safelist = match &self.safelist {
            None => None,
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("cannot read the safelist {}", path.display()))?;
                let list = Safelist::from_manifest(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
                Some(Arc::new(list))
            }
        };
        Ok(HttpConfig {
            limits: Limits {
                max_depth: self.max_depth,
                max_complexity: self.max_complexity,
                max_aliases: self.max_aliases,
                max_root_fields: self.max_root_fields,
                max_page_size: self.max_page_size,
                timeout: Duration::from_secs_f64(self.request_timeout),
            },
            max_body_bytes: self.max_body_bytes,
            cache_max_age: self.cache_max_age,
            cors_origins: self.cors_origins.iter().map(|o| o.trim().to_owned()).filter(|o| !o.is_empty()).collect(),
            apq_capacity: self.apq_capacity,
            safelist,
            response_cache_bytes: self.response_cache_bytes,
            version_refresh: Duration::try_from_secs_f64(self.version_refresh)
                .context("--version-refresh must be a non-negative number of seconds")?,
            connections: ConnectionLimits {
                max_connections: self.max_connections.max(1),
                header_timeout: Duration::from_secs(self.header_timeout.max(1)),
                write_timeout: Duration::from_secs(self.write_timeout.max(1)),
            },
            body_timeout: Duration::from_secs(self.body_timeout.max(1)),
            max_exports: self.max_exports.max(1),
        })
    }
}

/// The subscriber `send-api` logs through: lines in `format`, filtered by `directives` (`RUST_LOG`'s syntax; `info`
/// when they do not parse), written to `writer` (standard output for the binary, a buffer in tests), with colours
/// when `ansi`. A request's lines are inside its `request` span, so each carries its `request_id` (in JSON, as
/// `span.request_id`).
pub fn log_subscriber<W>(
    format: LogFormat,
    directives: &str,
    writer: W,
    ansi: bool,
) -> Box<dyn tracing::Subscriber + Send + Sync>
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    let filter = EnvFilter::try_new(directives).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(writer);
    match format {
        LogFormat::Text => Box::new(builder.with_ansi(ansi).finish()),
        LogFormat::Json => Box::new(builder.json().with_current_span(true).finish()),
    }
}
