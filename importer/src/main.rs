//! `send-import`: loads area SEND inspection files into the database.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;
use send_importer::cli::DatabaseArgs;
use send_importer::{ImportError, ImportOptions};

/// Import area SEND inspection data (the curated CSVs of data/) into the database, in one transaction.
///
/// Every row is validated first; on any problem nothing is written and every problem is listed as
/// `file:line: column: what was expected, what was found`. Re-importing a file changes nothing.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// Files or folders (a folder contributes its .csv files). Use `--bundled` for the dataset built into the binary.
    #[arg(required_unless_present = "bundled")]
    sources: Vec<PathBuf>,

    /// Import the bundled dataset (the files of data/ compiled into the binary).
    #[arg(long)]
    bundled: bool,

    /// Validate and report what would change, without writing anything.
    #[arg(long)]
    dry_run: bool,

    /// Print the report as JSON instead of text.
    #[arg(long)]
    json: bool,

    #[command(flatten)]
    database: DatabaseArgs,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    match run(args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("send-import: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> anyhow::Result<()> {
    let mut sources = send_importer::read_paths(&args.sources)?;
    if args.bundled {
        sources.extend(send_importer::bundled());
    }
    let config = args.database.config().context("cannot create the data folder")?;
    let db = send_model::connect(&config).await.with_context(|| format!("cannot open the database {}", config.url))?;
    send_model::migrate(&db).await.context("cannot migrate the database")?;
    let report = send_importer::import(&db, sources, ImportOptions { dry_run: args.dry_run }).await;
    db.close().await.ok();
    match report {
        Ok(report) => {
            if args.json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                print!("{report}");
            }
            Ok(())
        }
        Err(e @ ImportError::Invalid(_)) => Err(e.into()),
        Err(e) => Err(e).context("import failed"),
    }
}
