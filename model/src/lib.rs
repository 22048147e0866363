//! The shared model of the area SEND inspection outcomes API: domain types, sea-orm entities, and the database
//! connection with its migrations.
//!
//! Architecture invariant: this crate knows nothing of HTTP or GraphQL; the importer and the API both build on it.

pub mod backend;
pub mod domain;
pub mod entity;
pub mod fact;
pub mod schedule;
pub mod similarity;
pub mod tally;

use std::path::{Path, PathBuf};
use std::time::Duration;

use futures_util::future::BoxFuture;
use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbBackend, DbErr};
use send_migrations::{Migrator, MigratorTrait};

/// How to connect: the URL and the pool's limits.
#[derive(Debug, Clone)]
pub struct DbConfig {
    /// `sqlite://PATH` or `postgres://...`.
    pub url: String,
    /// Largest number of pooled connections.
    pub max_connections: u32,
    /// How long a request may wait for a pooled connection before it fails.
    pub acquire_timeout: Duration,
    /// Longest a single statement may run (PostgreSQL only; SQLite has no such setting).
    pub statement_timeout: Option<Duration>,
}

impl DbConfig {
    /// A configuration with the defaults suited to a small server.
    pub fn new(url: impl Into<String>) -> Self {
        Self { url: url.into(), max_connections: 16, acquire_timeout: Duration::from_secs(5), statement_timeout: None }
    }
}

/// The default database: an SQLite file `send.db` in `dir`, created with the folder when missing.
pub fn default_sqlite_url(dir: &Path) -> std::io::Result<String> {
    std::fs::create_dir_all(dir)?;
    let path: PathBuf = dir.join("send.db");
    Ok(format!("sqlite://{}?mode=rwc", path.display()))
}

/// Opens a pool on `config.url`. SQLite files are created when missing and use WAL, so that readers never wait for
/// an import's transaction and never see half of it.
///
/// Boxed, like the other entry points the binaries await (ARCHITECTURE.md, "Build time"): the connection code of both
/// drivers is compiled once, here, rather than again in every binary.
pub fn connect(config: &DbConfig) -> BoxFuture<'static, Result<DatabaseConnection, DbErr>> {
    let mut options = ConnectOptions::new(config.url.clone());
    options
        .max_connections(config.max_connections)
        .min_connections(1)
        .acquire_timeout(config.acquire_timeout)
        // `SEND_LOG_SQL=1` logs every statement with its time (target `sqlx::query`): how to see what a slow request
        // ran.
        .sqlx_logging(std::env::var_os("SEND_LOG_SQL").is_some_and(|v| v == "1"))
        .connect_timeout(config.acquire_timeout)
        .map_sqlx_sqlite_opts(|o: SqliteConnectOptions| {
            o.create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(30))
                // Statement journals (every multi-row insert inside a transaction keeps one) and temporary sort
                // tables in memory, not in temporary files.
                .pragma("temp_store", "memory")
                // Reads through a memory map of up to 256 MiB of the file instead of a read() per page outside
                // SQLite's small per-connection cache.
                .pragma("mmap_size", "268435456")
                .row_buffer_size(1024)
        });
    if let Some(timeout) = config.statement_timeout {
        options.statement_timeout(timeout);
    }
    Box::pin(Database::connect(options))
}

/// Brings the schema up to date (idempotent). Boxed, as [`connect`].
pub fn migrate(db: &DatabaseConnection) -> BoxFuture<'_, Result<(), DbErr>> {
    Box::pin(Migrator::up(db, None))
}

/// How many migrations the database still lacks (0 when its schema is up to date). Fails when the database cannot
/// be reached.
pub async fn pending_migrations(db: &DatabaseConnection) -> Result<usize, DbErr> {
    Ok(Migrator::get_pending_migrations(db).await?.len())
}

/// Whether the backend is SQLite (the embedded default) or PostgreSQL.
pub fn backend_name(db: &DatabaseConnection) -> &'static str {
    match db.get_database_backend() {
        DbBackend::Sqlite => "sqlite",
        DbBackend::Postgres => "postgres",
        _ => "other",
    }
}
