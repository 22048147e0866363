//! `/`: the national picture. How far the 2023 framework's programme has got, its outcomes by year with their
//! intervals, the priority-action themes, and the latest reports published: each a [`Figure`] answered by the API.

use serde_json::Value;

use super::charts::{Bar, Segment, bars, legend};
use super::figure::{Cell, Drawing, Figure, Table};
use super::html::escape;
use super::map::{self, Caption, MapArea, MapView};
use super::values::{int, percent, text};

/// The figures of `/`, in page order.
pub const FIGURES: [Figure; 5] = [MAP, COVERAGE, OUTCOMES_BY_YEAR, THEMES, LATEST];

/// Figures not on `/` but served as tables and embeds: the map's alternative view.
pub const OTHER_FIGURES: [Figure; 1] = [MAP_HEX];

/// What both maps ask: every current area's latest full inspection under the 2023 framework.
const MAP_SELECTION: &str = "map: areas(first: 200) { edges { node { code name region { code name } currentOutcome { outcome start { text } } \
     } } }";

/// What each area's latest full inspection under the 2023 framework found.
const MAP: Figure =
    Figure { id: "map", title: "Each area's current outcome", selection: MAP_SELECTION, draw: draw_map_geographic };

/// The same as a cartogram, each area sized by its population.
const MAP_HEX: Figure = Figure {
    id: "map-hex",
    title: "Each area's current outcome, each area sized by its population",
    selection: MAP_SELECTION,
    draw: draw_map_hex,
};

/// How many areas have had a 2023-framework full inspection, and the pace the rest need.
const COVERAGE: Figure = Figure {
    id: "coverage",
    title: "How far the 2023 framework's inspections have got",
    selection: "coverage: coverage { asAt areas inspected remaining programmeEnd neededPerYear }",
    draw: draw_coverage,
};

/// Outcomes of the 2023 framework's full inspections, by the year they were carried out.
const OUTCOMES_BY_YEAR: Figure = Figure {
    id: "outcomes-by-year",
    title: "Outcomes of full inspections under the 2023 framework, by year carried out",
    selection: "outcomesByYear: outcomeProfiles(filter: {framework: FRAMEWORK_2023, inspectionType: FULL}, \
                groupBy: YEAR) { key profile { total startUnknown smallNumber outcomes { outcome description \
                count share interval { lower upper } } } }",
    draw: draw_outcomes_by_year,
};

/// What inspections with widespread or systemic failings asked areas to put right.
const THEMES: Figure = Figure {
    id: "themes",
    title: "What areas were asked to put right: themes of the areas for priority action",
    selection: "themes: priorityActionThemes { theme label priorityActions inspections systemicInspections \
                systemicInspectionsNotYetRead shareOfSystemicInspections }",
    draw: draw_themes,
};

/// The newest reports.
const LATEST: Figure = Figure {
    id: "latest-reports",
    title: "The latest reports published",
    selection: "latestReports: inspections(first: 10, orderBy: {field: PUBLISHED, direction: DESC}) { edges { \
                node { key area { name code } framework inspectionType outcomeDescription published { text } \
                reportUrl } } }",
    draw: draw_latest,
};

/// The CSS class of an outcome (its fill and pattern).
pub fn outcome_class(outcome: &str) -> &'static str {
    match outcome {
        "TYPICALLY_POSITIVE" => "outcome-positive",
        "INCONSISTENT" => "outcome-inconsistent",
        "WIDESPREAD_SYSTEMIC_FAILINGS" => "outcome-systemic",
        _ => "outcome-other",
    }
}

/// An outcome in a few words, for labels.
pub fn outcome_words(outcome: &str) -> &'static str {
    match outcome {
        "TYPICALLY_POSITIVE" => "typically positive",
        "INCONSISTENT" => "inconsistent",
        "WIDESPREAD_SYSTEMIC_FAILINGS" => "widespread or systemic failings",
        "WSOA_REQUIRED" => "written statement of action required",
        "WSOA_NOT_REQUIRED" => "no written statement of action",
        _ => "other",
    }
}

pub(super) fn draw_map_geographic(areas: &Value) -> Drawing {
    draw_map(areas, MapView::Geographic)
}

fn draw_map_hex(areas: &Value) -> Drawing {
    draw_map(areas, MapView::Hex)
}

/// The category of the map's areas with no 2023-framework full inspection yet: class, words.
const NOT_INSPECTED: (&str, &str) = ("not-inspected", "not yet inspected under the 2023 framework");

/// The categories of the map, in legend order: class, words (the 2023 framework's outcomes, then not inspected).
fn map_categories() -> [(&'static str, &'static str); 4] {
    let outcome = |o: &str| (outcome_class(o), outcome_words(o));
    [outcome("TYPICALLY_POSITIVE"), outcome("INCONSISTENT"), outcome("WIDESPREAD_SYSTEMIC_FAILINGS"), NOT_INSPECTED]
}

fn draw_map(areas: &Value, view: MapView) -> Drawing {
    let nodes: Vec<&Value> =
        areas["edges"].as_array().map(|e| e.iter().map(|e| &e["node"]).collect()).unwrap_or_default();
    let category = |n: &Value| match n["currentOutcome"]["outcome"].as_str() {
        Some(outcome) => (outcome_class(outcome), outcome_words(outcome)),
        None => NOT_INSPECTED,
    };
    let hrefs: Vec<String> = nodes.iter().map(|n| format!("/areas/{}", text(&n["code"]))).collect();
    let names: Vec<String> = nodes.iter().map(|n| text(&n["name"])).collect();
    let codes: Vec<String> = nodes.iter().map(|n| text(&n["code"])).collect();
    let drawn: Vec<MapArea<'_>> = nodes
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let (class, label) = category(n);
            MapArea { code: &codes[i], name: &names[i], class, label, href: &hrefs[i] }
        })
        .collect();
    let counts: Vec<(&str, &str, usize)> = map_categories()
        .into_iter()
        .map(|(class, words)| (class, words, drawn.iter().filter(|a| a.class == class).count()))
        .collect();
    let parts: Vec<String> = counts.iter().map(|(_, words, n)| format!("{n} {words}")).collect();
    let lead = format!("Of the {} current local areas: {}.", drawn.len(), parts.join(", "));
    let (title, other) = match view {
        MapView::Geographic => (
            "Map of England's local areas by current outcome",
            ("/embed/map-hex", "the same map as a cartogram, each area sized by its population"),
        ),
        MapView::Hex => ("Cartogram of England's local areas by current outcome", ("/#map", "the geographic map")),
    };
    let svg = map::svg(view, &drawn, &Caption { id: &format!("{}-svg", view.slug()), title, desc: &lead });
    let mut legend = String::from("<ul class=\"legend\">");
    for (class, words, n) in &counts {
        legend.push_str(&format!(
            "<li><svg class=\"map swatch\" viewBox=\"0 0 16 16\" width=\"16\" height=\"16\" aria-hidden=\"true\">\
             <rect class=\"{class}\" width=\"16\" height=\"16\"/></svg> {} ({n})</li>",
            escape(words)
        ));
    }
    legend.push_str("</ul>");
    // The regions of the areas drawn, each a link to its page, in name order.
    let mut regions: Vec<(String, String)> =
        nodes.iter().map(|n| (text(&n["region"]["name"]), text(&n["region"]["code"]))).collect();
    regions.sort();
    regions.dedup();
    let regions: Vec<String> = regions
        .iter()
        .filter(|(name, _)| !name.is_empty())
        .map(|(name, code)| format!("<a href=\"/regions/{}\">{}</a>", escape(code), escape(name)))
        .collect();
    let chart = format!(
        "{}{legend}{svg}<p class=\"map-note\">Each area links to its page. See also <a href=\"{}\">{}</a>. {}</p>\
         <p class=\"regions\">By region: {}.</p>",
        map::pattern_defs(),
        other.0,
        escape(other.1),
        escape(view.attribution()),
        regions.join(", "),
    );
    let rows = nodes
        .iter()
        .map(|n| {
            let (_, label) = category(n);
            vec![
                Cell::link(text(&n["name"]), format!("/areas/{}", text(&n["code"]))),
                Cell::text(text(&n["code"])),
                Cell::text(label),
                Cell::text(text(&n["currentOutcome"]["start"]["text"])),
            ]
        })
        .collect();
    let table = Table { columns: vec!["area", "code", "current outcome", "inspection started"], rows };
    Drawing { lead, chart: Some(chart), table }
}

fn draw_coverage(c: &Value) -> Drawing {
    let (areas, inspected, remaining) = (int(&c["areas"]), int(&c["inspected"]), int(&c["remaining"]));
    let pace = c["neededPerYear"].as_f64();
    let mut lead = format!(
        "By {}, {inspected} of the {areas} local areas had had a full inspection under the 2023 framework; \
         {remaining} had not.",
        text(&c["asAt"])
    );
    match pace {
        Some(p) => {
            lead.push_str(&format!(" Inspecting them all by {} takes about {p:.0} a year.", text(&c["programmeEnd"])))
        }
        None => lead.push_str(" The programme's end has passed."),
    }
    let chart = bars(
        "coverage-chart",
        "Local areas inspected and not yet inspected under the 2023 framework",
        &lead,
        &[Bar {
            label: "Areas".into(),
            segments: vec![
                Segment { class: "inspected", value: inspected as f64, label: format!("{inspected} inspected") },
                Segment { class: "not-inspected", value: remaining as f64, label: format!("{remaining} not yet") },
            ],
            note: format!("{areas} in all"),
        }],
    );
    let row = |what: &str, value: String| vec![Cell::text(what), Cell::text(value)];
    let table = Table {
        columns: vec!["measure", "value"],
        rows: vec![
            row("counted to", text(&c["asAt"])),
            row("local areas", areas.to_string()),
            row("inspected under the 2023 framework", inspected.to_string()),
            row("not yet inspected", remaining.to_string()),
            row("programme ends", text(&c["programmeEnd"])),
            row("inspections needed per year", pace.map(|p| format!("{p:.1}")).unwrap_or_default()),
        ],
    };
    Drawing { lead, chart: Some(chart), table }
}

pub(super) fn draw_outcomes_by_year(groups: &Value) -> Drawing {
    let groups = groups.as_array().cloned().unwrap_or_default();
    let mut chart_rows = Vec::new();
    let mut rows = Vec::new();
    let mut sentences = Vec::new();
    for g in &groups {
        let year = text(&g["key"]);
        let p = &g["profile"];
        let outcomes = p["outcomes"].as_array().cloned().unwrap_or_default();
        let mut segments = Vec::new();
        let mut parts = Vec::new();
        for o in &outcomes {
            let name = o["outcome"].as_str().unwrap_or("");
            let count = int(&o["count"]);
            let words = outcome_words(name);
            segments.push(Segment {
                class: outcome_class(name),
                value: count as f64,
                label: format!("{count} {words}"),
            });
            parts.push(format!("{count} {words}"));
            let interval = &o["interval"];
            rows.push(vec![
                Cell::text(year.clone()),
                Cell::text(words),
                Cell::text(count.to_string()),
                Cell::text(percent(&o["share"])),
                Cell::text(if interval.is_null() {
                    String::new()
                } else {
                    format!("{}–{}", percent(&interval["lower"]), percent(&interval["upper"]))
                }),
            ]);
        }
        let total = int(&p["total"]);
        let small = if p["smallNumber"] == true { " (too few to compare shares)" } else { "" };
        sentences.push(format!("{year}: {total} inspections, {}{small}", parts.join(", ")));
        let unknown = int(&p["startUnknown"]);
        let note = if unknown > 0 { format!("{total}; {unknown} undated left out") } else { format!("{total} in all") };
        chart_rows.push(Bar { label: year, segments, note });
    }
    let lead = if sentences.is_empty() {
        "No full inspection under the 2023 framework is in the data yet.".to_owned()
    } else {
        format!("{}.", sentences.join("; "))
    };
    // The outcomes in the order their segments go, for the legend.
    let mut kinds: Vec<(&str, &str)> = Vec::new();
    for g in &groups {
        for o in g["profile"]["outcomes"].as_array().into_iter().flatten() {
            let name = o["outcome"].as_str().unwrap_or("");
            let kind = (outcome_class(name), outcome_words(name));
            if !kinds.contains(&kind) {
                kinds.push(kind);
            }
        }
    }
    let chart = (!chart_rows.is_empty()).then(|| {
        let svg =
            bars("outcomes-by-year-chart", "Outcomes of full inspections by year carried out", &lead, &chart_rows);
        format!("{}{svg}", legend(&kinds))
    });
    let table = Table { columns: vec!["year", "outcome", "inspections", "share", "95% interval of the share"], rows };
    Drawing { lead, chart, table }
}

fn draw_themes(themes: &Value) -> Drawing {
    let themes = themes.as_array().cloned().unwrap_or_default();
    let systemic = themes.first().map_or(0, |t| int(&t["systemicInspections"]));
    let unread = themes.first().map_or(0, |t| int(&t["systemicInspectionsNotYetRead"]));
    let top: Vec<String> =
        themes.iter().take(3).map(|t| format!("{} ({})", text(&t["label"]), int(&t["inspections"]))).collect();
    let mut lead = format!(
        "Of {systemic} inspections finding widespread or systemic failings, the themes cited by most were {}.",
        top.join(", ")
    );
    if unread > 0 {
        lead.push_str(&format!(" {unread} of them are not yet read into themes and are left out of the shares."));
    }
    let chart_rows: Vec<Bar> = themes
        .iter()
        .map(|t| {
            let n = int(&t["inspections"]);
            Bar {
                label: String::new(),
                segments: vec![Segment {
                    class: "theme",
                    value: n as f64,
                    label: format!("{}: {n} inspections", text(&t["label"])),
                }],
                note: text(&t["label"]),
            }
        })
        .collect();
    let chart = bars("themes-chart", "Inspections citing each theme", &lead, &chart_rows);
    let rows = themes
        .iter()
        .map(|t| {
            vec![
                Cell::text(text(&t["label"])),
                Cell::text(int(&t["priorityActions"]).to_string()),
                Cell::text(int(&t["inspections"]).to_string()),
                Cell::text(percent(&t["shareOfSystemicInspections"])),
            ]
        })
        .collect();
    let table = Table {
        columns: vec!["theme", "areas for priority action", "inspections citing it", "share of those read"],
        rows,
    };
    Drawing { lead, chart: Some(chart), table }
}

pub(super) fn draw_latest(latest: &Value) -> Drawing {
    let edges = latest["edges"].as_array().cloned().unwrap_or_default();
    let rows: Vec<Vec<Cell>> = edges
        .iter()
        .map(|e| {
            let n = &e["node"];
            let code = text(&n["area"]["code"]);
            let report = match n["reportUrl"].as_str() {
                Some(url) => Cell::document("report", url),
                None => Cell::text(""),
            };
            vec![
                Cell::link(text(&n["area"]["name"]), format!("/areas/{code}")),
                Cell::text(text(&n["published"]["text"])),
                Cell::text(text(&n["outcomeDescription"])),
                report,
            ]
        })
        .collect();
    let lead = match edges.first() {
        Some(e) => format!(
            "The newest report in the data is {}'s, published {}.",
            text(&e["node"]["area"]["name"]),
            text(&e["node"]["published"]["text"])
        ),
        None => "No report is in the data yet.".to_owned(),
    };
    Drawing { lead, chart: None, table: Table { columns: vec!["area", "published", "outcome", "report"], rows } }
}
