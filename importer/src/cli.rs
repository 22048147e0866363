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

    /// Seconds a request waits for a pooled connection (or a new connection) before it fails.
    #[arg(long, env = "SEND_DB_ACQUIRE_TIMEOUT", default_value_t = 5)]
    pub db_acquire_timeout: u64,

    /// Seconds a single SQL statement may run on PostgreSQL before the server cancels it (0: no limit).
    /// Default: 30 for send-api; no limit for send-import, whose lock wait for another import is one statement.
    #[arg(long, env = "SEND_DB_STATEMENT_TIMEOUT")]
    pub db_statement_timeout: Option<u64>,
}

impl DatabaseArgs {
    /// The connection configuration these options name (creating the data folder for the default SQLite file), with
    /// `default_statement_timeout` (seconds, 0 for none) when none is given.
    pub fn config_with(&self, default_statement_timeout: u64) -> std::io::Result<DbConfig> {
        let seconds = self.db_statement_timeout.unwrap_or(default_statement_timeout);
        let mut config = self.config()?;
        config.statement_timeout = (seconds > 0).then(|| Duration::from_secs(seconds));
        Ok(config)
    }

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
            statement_timeout: self.db_statement_timeout.filter(|s| *s > 0).map(Duration::from_secs),
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
    /// Files, folders or http(s) URLs. A folder contributes its .csv, .ods, .xlsx, .pdf and .html files. Formats are
    /// told from the content: our curated CSVs, Ofsted's 2016-framework official statistics (ODS/XLSX),
    /// 2023-framework management information (CSV/ODS/XLSX), area SEND inspection report PDFs (2023 framework: one
    /// inspection each, with its priority actions' texts and its areas for improvement; the report ranks above every
    /// other source) and the Data to Insight weekly summary page (HTML; ranks below every other source, and a
    /// snapshot older than one already imported changes nothing). Use `--bundled` for the dataset built into the
    /// binary. With `--extract`: report PDF files.
    #[arg(required_unless_present_any = ["bundled", "refresh"])]
    pub sources: Vec<String>,

    /// The weekly refresh, for a scheduler: fetch the Data to Insight summary (`--summary`; not downloaded again
    /// when unchanged, unless `--force`), import it, then download and import the report PDF of every inspection
    /// whose report has not been read, one at a time with `--delay` between them. A report that fails is reported
    /// and tried again on the next run; the others are kept. Prints what changed: new inspections, reports read,
    /// reports that failed. Exits 1 when the summary could not be imported.
    #[arg(long, conflicts_with_all = ["sources", "bundled", "extract", "dry_run", "published"])]
    pub refresh: bool,

    /// The summary page `--refresh` reads.
    #[arg(long, value_name = "URL", default_value = crate::refresh::DEFAULT_SUMMARY_URL, requires = "refresh")]
    pub summary: String,

    /// Seconds `--refresh` waits between two downloads.
    #[arg(long, value_name = "SECONDS", default_value_t = crate::refresh::DEFAULT_DELAY_SECONDS, requires = "refresh")]
    pub delay: u64,

    /// Read each FILE as an Ofsted area SEND inspection report PDF (2023 framework) and print what it states,
    /// without opening any database. Output: JSON Lines on stdout, one JSON object per report on one line, in the
    /// order given, with the fields file, area_code, inspection_start, inspection_end, previous_inspection_start,
    /// previous_inspection_end (ISO dates or null), framework, inspection_type, outcome (GraphQL enum name),
    /// icb_codes, priority_actions and areas_for_improvement (lists of {text, theme, evidence}) and published
    /// (null: reports do not state it). A file that cannot be read is named on stderr with what was missing; the
    /// others are still printed, and the exit status is then 1.
    #[arg(long, conflicts_with_all = ["bundled", "dry_run", "force", "published"])]
    pub extract: bool,

    /// The publication date (YYYY-MM-DD) of the report PDFs of this run (reports do not state it). Without it, an
    /// inspection keeps the publication date the database has (from Ofsted's statistics or the report links).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_day)]
    pub published: Option<chrono::NaiveDate>,

    /// Import the bundled dataset (the files of data/ compiled into the binary).
    #[arg(long)]
    pub bundled: bool,

    /// Validate and print the import summary of what would change, without writing anything.
    #[arg(long)]
    pub dry_run: bool,

    /// How to print the import summary.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,

    /// Seconds to wait for a server to accept the connection.
    #[arg(long, env = "SEND_CONNECT_TIMEOUT", default_value_t = 10)]
    pub connect_timeout: u64,

    /// Seconds a whole download may take.
    #[arg(long, env = "SEND_DOWNLOAD_TIMEOUT", default_value_t = 120)]
    pub timeout: u64,

    /// Largest file accepted, in bytes, from a URL or a path (a larger one is refused, naming it and the cap).
    /// What a file may then inflate to is capped too: a workbook's zip members 64 MiB and 5 million cells, a PDF's
    /// streams 32 MiB and 200 pages (see the importer's `limits` module).
    #[arg(long, env = "SEND_MAX_DOWNLOAD_BYTES", default_value_t = crate::limits::MAX_FILE_BYTES)]
    pub max_download_bytes: u64,

    /// Retries after a server error (5xx) or a failed connection, with doubling waits from 0.5 s.
    #[arg(long, default_value_t = 3)]
    pub retries: u32,

    /// Download a URL even when the server says it has not changed since it was last imported.
    #[arg(long)]
    pub force: bool,

    /// Where the database is.
    #[command(flatten)]
    pub database: DatabaseArgs,
}

fn parse_day(text: &str) -> Result<chrono::NaiveDate, String> {
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|e| format!("expected a date YYYY-MM-DD ({e})"))
}

/// How `send-import` prints its import summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// Lines for people.
    Text,
    /// One JSON document.
    Json,
}

/// What `send-import --extract` read: the JSON Lines of the reports it read, and the files it could not read.
#[derive(Debug)]
pub struct Extracted {
    /// One JSON object per report read, each on its own line (JSON Lines), in the order given.
    pub json_lines: String,
    /// Why each other file was refused (each message names the file and what was missing).
    pub errors: Vec<crate::pdf::ExtractError>,
}

/// Reads each report PDF of `files` (`send-import --extract`), against the bundled reference data; touches no
/// database.
pub fn extract(files: &[String]) -> anyhow::Result<Extracted> {
    let extractor = crate::pdf::Extractor::bundled()?;
    let mut json_lines = String::new();
    let mut errors = Vec::new();
    for result in crate::pdf::extract_files(&extractor, files) {
        match result {
            Ok(facts) => {
                json_lines.push_str(&serde_json::to_string(&facts)?);
                json_lines.push('\n');
            }
            Err(e) => errors.push(e),
        }
    }
    Ok(Extracted { json_lines, errors })
}

/// Runs `send-import` with parsed arguments and returns what it prints on success (text, or JSON with
/// `--format json`; JSON Lines with `--extract`). An error lists every problem; `main` prints it and exits non-zero.
///
/// Boxed (ARCHITECTURE.md, "Build time"): compiled here, so the binary compiles next to nothing of its own.
pub fn run(args: ImportArgs) -> futures_util::future::BoxFuture<'static, anyhow::Result<String>> {
    Box::pin(run_unboxed(args))
}

async fn run_unboxed(args: ImportArgs) -> anyhow::Result<String> {
    use anyhow::Context;
    if args.extract {
        let extracted = extract(&args.sources)?;
        if extracted.errors.is_empty() {
            return Ok(extracted.json_lines);
        }
        let messages: Vec<String> = extracted.errors.iter().map(ToString::to_string).collect();
        anyhow::bail!(
            "{} of {} report(s) could not be read:\n{}",
            messages.len(),
            args.sources.len(),
            messages.join("\n")
        );
    }
    let config = args.database.config_with(0).context("cannot create the data folder")?;
    let db = send_model::connect(&config).await.with_context(|| {
        format!("cannot open the database {}", crate::names::shown(&crate::names::redact_url(&config.url)))
    })?;
    send_model::migrate(&db).await.context("cannot migrate the database")?;
    let options = crate::fetch::FetchOptions {
        connect_timeout: Duration::from_secs(args.connect_timeout.max(1)),
        timeout: Duration::from_secs(args.timeout.max(1)),
        max_bytes: args.max_download_bytes,
        retries: args.retries,
        ..Default::default()
    };
    if args.refresh {
        let refresh = crate::refresh::RefreshOptions {
            summary_url: args.summary.clone(),
            delay: Duration::from_secs(args.delay),
            fetch: options,
            force: args.force,
        };
        let refreshed = crate::refresh::refresh(&db, &refresh).await;
        db.close().await.ok();
        let refreshed = refreshed?;
        return match args.format {
            OutputFormat::Json => Ok(serde_json::to_string_pretty(&refreshed)? + "\n"),
            OutputFormat::Text => Ok(refreshed.to_string()),
        };
    }
    let mut sources = Vec::new();
    let mut not_modified = Vec::new();
    let mut paths = Vec::new();
    for source in &args.sources {
        if crate::names::is_url(source) {
            // Import runs record a URL without its secrets: the last run of "the same URL" is looked up so.
            let recorded = crate::names::redact_url(source);
            let validators =
                if args.force { Default::default() } else { crate::fetch::validators_of(&db, &recorded).await? };
            match crate::fetch::fetch(source, &validators, &options).await? {
                crate::fetch::Fetched::File(file) => sources.push(file),
                crate::fetch::Fetched::NotModified => not_modified.push(recorded),
            }
        } else {
            paths.push(PathBuf::from(source));
        }
    }
    sources.extend(crate::read_paths_within(&paths, args.max_download_bytes)?);
    if args.bundled {
        sources.extend(crate::bundled());
    }
    let summary = if sources.is_empty() {
        Ok(crate::ImportSummary { dry_run: args.dry_run, files: Vec::new(), not_modified: Vec::new() })
    } else {
        let reports = crate::options::ReportOptions { published: args.published };
        crate::import_with(
            &db,
            sources,
            crate::options::ImportOptions { dry_run: args.dry_run, ..Default::default() },
            reports,
        )
        .await
    };
    db.close().await.ok();
    let mut summary = match summary {
        Ok(summary) => summary,
        Err(e @ crate::ImportError::Invalid(_)) => return Err(e.into()),
        Err(e) => return Err(anyhow::Error::new(e).context("import failed")),
    };
    summary.not_modified = not_modified;
    match args.format {
        OutputFormat::Json => Ok(serde_json::to_string_pretty(&summary)? + "\n"),
        OutputFormat::Text => Ok(summary.to_string()),
    }
}
