//! `send-import`: loads area SEND inspection files into the database.

use std::process::ExitCode;

use clap::Parser;
use send_importer::cli::{ImportArgs, run};

#[tokio::main]
async fn main() -> ExitCode {
    match run(ImportArgs::parse()).await {
        Ok(report) => {
            print!("{report}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("send-import: {e:#}");
            ExitCode::FAILURE
        }
    }
}
