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

/// Import area SEND inspection data (the curated CSVs of data/) into the database, in one transaction.
///
/// Every row is validated first; on any problem nothing is written and every problem is listed as
/// `file:line: column: what was expected, what was found`. Re-importing a file changes nothing.
#[derive(Debug, clap::Parser)]
#[command(version)]
pub struct ImportArgs {
    /// Files or folders (a folder contributes its .csv files). Use `--bundled` for the dataset built into the binary.
    #[arg(required_unless_present = "bundled")]
    pub sources: Vec<PathBuf>,

    /// Import the bundled dataset (the files of data/ compiled into the binary).
    #[arg(long)]
    pub bundled: bool,

    /// Validate and report what would change, without writing anything.
    #[arg(long)]
    pub dry_run: bool,

    /// Print the report as JSON instead of text.
    #[arg(long)]
    pub json: bool,

    /// Where the database is.
    #[command(flatten)]
    pub database: DatabaseArgs,
}

/// Runs `send-import` with parsed arguments and returns what it prints on success (text, or JSON with `--json`).
/// An error lists every problem; `main` prints it and exits non-zero.
pub async fn run(args: ImportArgs) -> anyhow::Result<String> {
    use anyhow::Context;
    let mut sources = crate::read_paths(&args.sources)?;
    if args.bundled {
        sources.extend(crate::bundled());
    }
    let config = args.database.config().context("cannot create the data folder")?;
    let db = send_model::connect(&config).await.with_context(|| format!("cannot open the database {}", config.url))?;
    send_model::migrate(&db).await.context("cannot migrate the database")?;
    let report = crate::import(&db, sources, crate::ImportOptions { dry_run: args.dry_run }).await;
    db.close().await.ok();
    let report = match report {
        Ok(report) => report,
        Err(e @ crate::ImportError::Invalid(_)) => return Err(e.into()),
        Err(e) => return Err(anyhow::Error::new(e).context("import failed")),
    };
    if args.json { Ok(serde_json::to_string_pretty(&report)? + "\n") } else { Ok(report.to_string()) }
}
