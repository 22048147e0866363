//! The importer's entry points as the tests call them.

use std::path::PathBuf;

use sea_orm::DatabaseConnection;
use send_importer::{ImportError, ImportOptions, ImportSummary, import, read_paths};

use super::{INSPECTIONS_HEADER, TempDir};

/// Imports the files (or folders) at `paths` with the default options.
pub async fn import_paths(db: &DatabaseConnection, paths: &[PathBuf]) -> Result<ImportSummary, ImportError> {
    import(db, read_paths(paths).expect("read"), ImportOptions::default()).await
}

/// Writes the file `name` in `dir` in the `inspections.csv` layout, its header then `rows` (lines, each ending in a
/// newline), and returns its path.
pub fn inspections_file(dir: &TempDir, name: &str, rows: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, format!("{INSPECTIONS_HEADER}\n{rows}")).expect("write");
    path
}

/// `send-import`'s arguments `args` (after the program name), parsed as the binary parses them.
pub fn cli_args(args: &[&str]) -> send_importer::cli::ImportArgs {
    use clap::Parser;
    send_importer::cli::ImportArgs::try_parse_from(std::iter::once("send-import").chain(args.iter().copied()))
        .expect("arguments")
}
