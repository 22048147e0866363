//! `send-import`: loads area SEND inspection files into the database.

use std::process::ExitCode;

use clap::Parser;
use send_importer::cli::{ImportArgs, run};

#[tokio::main]
async fn main() -> ExitCode {
    let args = ImportArgs::parse();
    if args.extract {
        // A panic inside the PDF libraries is caught and reported as a damaged file: do not print it twice.
        let default_hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let in_pdf_library =
                info.location().is_some_and(|l| l.file().contains("pdf-extract") || l.file().contains("lopdf"));
            if !in_pdf_library {
                default_hook(info);
            }
        }));
        // The reports that were read are printed even when others were not.
        return match send_importer::cli::extract(&args.sources) {
            Ok(extracted) => {
                print!("{}", extracted.json_lines);
                for e in &extracted.errors {
                    eprintln!("send-import: {e}");
                }
                if extracted.errors.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE }
            }
            Err(e) => {
                eprintln!("send-import: {e:#}");
                ExitCode::FAILURE
            }
        };
    }
    match run(args).await {
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

/// mimalloc instead of the system allocator: the importer and the server allocate many small short-lived values
/// (a row's fields, a response's values), where glibc's malloc and free showed as a fifth of the profile.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
