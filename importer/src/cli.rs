//! Command-line options shared by `send-import` and `send-api`.

use std::path::PathBuf;
use std::time::Duration;

use send_model::DbConfig;

/// Where the database is and how to pool connections to it.
#[derive(Debug, Clone, clap::Args)]
pub struct DatabaseArgs {
    /// Database URL: `sqlite://PATH?mode=rwc` or `postgres://USER:PASS@HOST/DB?sslmode=disable`.
    /// Default: the SQLite file `send.db` in --data-dir.
    #[arg(long, env = "DATABASE_URL")]
    pub database_url: Option<String>,

    /// Folder for the default SQLite database, created if missing.
    #[arg(long, env = "SEND_DATA_DIR", default_value = "var")]
    pub data_dir: PathBuf,

    /// Largest number of pooled database connections.
    #[arg(long, env = "SEND_DB_MAX_CONNECTIONS", default_value_t = 16)]
    pub db_max_connections: u32,

    /// Seconds a request waits for a pooled connection before it fails.
    #[arg(long, env = "SEND_DB_ACQUIRE_TIMEOUT", default_value_t = 5)]
    pub db_acquire_timeout: u64,
}

impl DatabaseArgs {
    /// The connection configuration these options name (creating the data folder for the default SQLite file).
    pub fn config(&self) -> std::io::Result<DbConfig> {
        let url = match &self.database_url {
            Some(url) => url.clone(),
            None => send_model::default_sqlite_url(&self.data_dir)?,
        };
        Ok(DbConfig {
            url,
            max_connections: self.db_max_connections.max(1),
            acquire_timeout: Duration::from_secs(self.db_acquire_timeout.max(1)),
        })
    }
}
