//! The importer (`send-import`): the curated files of `data/` and their mistakes, Ofsted's published files from a path
//! or a URL, the Data to Insight summary page and the weekly refresh, Data to Insight's lookup of statistical
//! neighbours, the bundled data as it now runs, and hostile files that must never get unbounded memory, time or disk.

mod bad_files;
mod curated_files;
mod current_data;
mod hostile_files;
mod neighbours;
mod official_files;
mod refresh;
mod summary_page;

use crate::support::{TempDir, data_file};

/// The files of `data/`, in the order of `send_importer::bundled()`.
const BUNDLED_FILES: [&str; 11] = [
    "regions.csv",
    "icbs.csv",
    "local_areas.csv",
    "area_lineage.csv",
    "area_aliases.csv",
    "inspections.csv",
    "inspections_2025_2026.csv",
    "d2i_summary_2026-06-29.html",
    "ofsted_report_links.csv",
    "thematic_visits.csv",
    "d2i_provider_data_lookup.csv",
];

/// Writes `data/inspections.csv` into `dir` after `edit` (row 0 is the header), returning its path.
fn edited_inspections(dir: &TempDir, edit: impl FnOnce(&mut Vec<Vec<String>>)) -> std::path::PathBuf {
    let mut reader =
        csv::ReaderBuilder::new().has_headers(false).from_path(data_file("inspections.csv")).expect("open");
    let mut rows: Vec<Vec<String>> =
        reader.records().map(|r| r.expect("record").iter().map(str::to_owned).collect()).collect();
    edit(&mut rows);
    let path = dir.join("inspections.csv");
    let mut writer = csv::Writer::from_path(&path).expect("create");
    for row in &rows {
        writer.write_record(row).expect("write");
    }
    writer.flush().expect("flush");
    path
}

/// The index of the column `name` in `data/inspections.csv`, read from its header: the tests edit cells by name, so
/// they follow the file's own order.
fn column(name: &str) -> usize {
    static HEADER: std::sync::LazyLock<Vec<String>> = std::sync::LazyLock::new(|| {
        let mut reader = csv::Reader::from_path(data_file("inspections.csv")).expect("open");
        reader.headers().expect("header").iter().map(str::to_owned).collect()
    });
    HEADER.iter().position(|h| h == name).unwrap_or_else(|| panic!("inspections.csv has no column {name:?}"))
}
