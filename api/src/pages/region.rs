//! `/regions/{code}`: one ONS region (by its code or its name). Its outcomes by year beside England's, its areas on
//! the map with their current outcomes, and its latest reports: the national figures narrowed to the region.

use serde_json::Value;

use super::figure::{Drawing, Figure};
use super::national;

/// The figures of a region's page, in page order; each names its region as `{code}`.
pub const FIGURES: [Figure; 3] = [AREAS, OUTCOMES, LATEST];

/// The region's areas and their current outcomes.
const AREAS: Figure = Figure {
    id: "areas",
    title: "The region's areas and their current outcomes",
    selection: "map: areas(first: 200, filter: {region: \"{code}\"}) { edges { node { code name region { code name } \
                currentOutcome { outcome start { text } } } } }",
    draw: draw_areas,
};

/// The region's outcomes by year.
const OUTCOMES: Figure = Figure {
    id: "outcomes-by-year",
    title: "Outcomes of the region's full inspections under the 2023 framework, by year carried out",
    selection: "outcomesByYear: outcomeProfiles(filter: {framework: FRAMEWORK_2023, inspectionType: FULL, region: \
                \"{code}\"}, groupBy: YEAR) { key profile { total startUnknown smallNumber outcomes { outcome \
                description count share interval { lower upper } } } }",
    draw: national::draw_outcomes_by_year,
};

/// The region's newest reports.
const LATEST: Figure = Figure {
    id: "latest-reports",
    title: "The region's latest reports",
    selection: "latestReports: inspections(first: 10, filter: {region: \"{code}\"}, orderBy: {field: PUBLISHED, \
                direction: DESC}) { edges { node { key area { name code } framework inspectionType \
                outcomeDescription published { text } reportUrl } } }",
    draw: national::draw_latest,
};

fn draw_areas(areas: &Value) -> Drawing {
    national::draw_map_geographic(areas)
}

/// The region's name and code, from the answer to its page's query (`None` when it has no area).
pub fn name_and_code(data: &Value) -> Option<(String, String)> {
    let region = &data["map"]["edges"][0]["node"]["region"];
    Some((region["name"].as_str()?.to_owned(), region["code"].as_str()?.to_owned()))
}
