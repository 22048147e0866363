//! The importer's entry points as the tests call them.

use std::path::PathBuf;

use sea_orm::DatabaseConnection;
use send_importer::{ImportError, ImportOptions, ImportSummary, import, read_paths};

/// Imports the files (or folders) at `paths` with the default options.
pub async fn import_paths(db: &DatabaseConnection, paths: &[PathBuf]) -> Result<ImportSummary, ImportError> {
    import(db, read_paths(paths).expect("read"), ImportOptions::default()).await
}

/// `send-import`'s arguments `args` (after the program name), parsed as the binary parses them.
pub fn cli_args(args: &[&str]) -> send_importer::cli::ImportArgs {
    use clap::Parser;
    send_importer::cli::ImportArgs::try_parse_from(std::iter::once("send-import").chain(args.iter().copied()))
        .expect("arguments")
}
