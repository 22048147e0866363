//! The bundled data as the tests read it, independently of the importer: its files, their rows, and where an
//! inspection row is placed in time.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The repository's `data/` folder.
pub fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../data")
}

/// A path under `data/`.
pub fn data_file(name: &str) -> PathBuf {
    data_dir().join(name)
}

/// The bundled files of inspections, in the `inspections.csv` layout.
pub const INSPECTION_FILES: [&str; 2] = ["inspections.csv", "inspections_2025_2026.csv"];

/// The header row of the `inspections.csv` layout.
pub const INSPECTIONS_HEADER: &str = "area_name,la_code_gss,la_code_dfe,region,framework,inspection_type,inspection_start,inspection_end,published,outcome,priority_actions,source_url";

/// Every row of the bundled files of inspections ([`INSPECTION_FILES`]): what a database of the bundled dataset holds.
pub fn bundled_inspections() -> Vec<HashMap<String, String>> {
    INSPECTION_FILES.iter().flat_map(|name| csv_rows(name)).collect()
}

/// Where a row of the `inspections.csv` layout is placed in time: its start, or its publication when no source gives
/// the start (the API counts such an inspection from its publication).
pub fn placed_on(r: &HashMap<String, String>) -> &str {
    if r["inspection_start"].is_empty() { &r["published"] } else { &r["inspection_start"] }
}

/// How many of `rows` (of the `inspections.csv` layout) are full inspections under the 2023 framework placed on or
/// before `date` ([`placed_on`]): the total of the 2023 outcome profile as at that date.
pub fn full_2023_placed_by(rows: &[HashMap<String, String>], date: &str) -> usize {
    rows.iter().filter(|r| r["framework"] == "2023" && r["inspection_type"] == "full" && placed_on(r) <= date).count()
}

/// A file of `tests/fixtures/`.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(name)
}

/// The rows of a CSV under `data/`, as header-keyed maps.
pub fn csv_rows(name: &str) -> Vec<HashMap<String, String>> {
    let mut reader = csv::Reader::from_path(data_file(name)).expect("open csv");
    let headers = reader.headers().expect("header").clone();
    reader
        .records()
        .map(|r| {
            let r = r.expect("record");
            headers.iter().zip(r.iter()).map(|(h, v)| (h.to_owned(), v.to_owned())).collect()
        })
        .collect()
}

/// Data to Insight's lookup of local authorities, bundled: each area's statistical neighbours and population.
pub const NEIGHBOURS_FILE: &str = "d2i_provider_data_lookup.csv";

/// The GSS code of the area a DfE code names, read from the files: a current area's (`local_areas.csv`), else a
/// former area's (`area_lineage.csv`).
pub fn gss_of_dfe(dfe: &str) -> Option<String> {
    let current =
        csv_rows("local_areas.csv").into_iter().find(|r| r["la_code_dfe"] == dfe).map(|r| r["la_code_gss"].clone());
    current.or_else(|| {
        csv_rows("area_lineage.csv")
            .into_iter()
            .find(|r| r["predecessor_dfe"] == dfe)
            .map(|r| r["predecessor_gss"].clone())
    })
}

/// The GSS codes of an area's statistical neighbours as the lookup gives them, in rank order: the current set by its
/// GSS codes (`stat_neighbours_la_code`), the previous set by its DfE codes (`stat_neighbours_previous`), each through
/// [`gss_of_dfe`]. Empty when the lookup has no row with that GSS code (`la_code_new`).
pub fn neighbours_in_lookup(gss: &str, previous: bool) -> Vec<String> {
    let Some(row) = csv_rows(NEIGHBOURS_FILE).into_iter().find(|r| r["la_code_new"] == gss) else { return Vec::new() };
    let column = if previous { "stat_neighbours_previous" } else { "stat_neighbours_la_code" };
    let codes = row[column].split(',').map(str::trim).filter(|c| !c.is_empty());
    if previous {
        codes.map(|c| gss_of_dfe(c).unwrap_or_else(|| panic!("DfE code {c} of no area"))).collect()
    } else {
        codes.map(str::to_owned).collect()
    }
}
