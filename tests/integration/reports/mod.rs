//! Ofsted's report PDFs: the extractor (`send-import --extract`) against what a reader took from each real report,
//! and the reports imported as sources of inspections.

mod extraction;
mod import;

use std::path::PathBuf;

use crate::support::data_file;

/// `data/reports/`: the real reports and what a reader took from them (`expected.csv`).
fn reports_dir() -> PathBuf {
    data_file("reports")
}

/// A real report of `data/reports/`.
fn report(name: &str) -> PathBuf {
    reports_dir().join(name)
}

/// A made-up PDF of `data/reports/fixtures/`.
fn fixture(name: &str) -> PathBuf {
    reports_dir().join("fixtures").join(name)
}

/// The items of a `;`-separated list of `expected.csv`.
fn split_list(text: &str) -> Vec<String> {
    text.split(';').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
}
