//! `/areas/{code}`: one local area. Who it is (codes, region, partners, the reorganisations that made or ended it),
//! its current outcome in both views, its timeline under both frameworks with its predecessors', when its next
//! inspection is due and by which rule, and what its latest report asked it to put right.

use serde_json::Value;

use super::charts::{Bar, Segment, bars};
use super::figure::{Cell, Drawing, Figure, Table};
use super::national::{outcome_class, outcome_words};
use super::values::text;

/// The figures of an area's page, in page order; each names its area as `{code}`.
pub const FIGURES: [Figure; 5] = [SUMMARY, TIMELINE, SCHEDULE, ACTIONS, NEIGHBOURS];

/// How the area's statistical neighbours fared.
const NEIGHBOURS: Figure = Figure {
    id: "neighbours",
    title: "How its statistical neighbours fared",
    selection: "neighbours: area(code: \"{code}\") { name statisticalNeighbours { rank area { name code \
                currentOutcome { outcome start { text } } } } }",
    draw: draw_neighbours,
};

/// The area's facts and its current outcome in both views.
const SUMMARY: Figure = Figure {
    id: "summary",
    title: "The area and its current outcome",
    selection: "summary: area(code: \"{code}\") { name code dfeCode ofstedUrn current validTo region { name code } \
                partners { name } predecessors { area { name code } effective } successors { area { name code } \
                effective } currentOutcome { outcome start { text } published { text } } \
                currentOutcomeWithLineage { outcome framework start { text } area { name code } } }",
    draw: draw_summary,
};

/// Every inspection of the area and of the areas it replaced.
const TIMELINE: Figure = Figure {
    id: "timeline",
    title: "Inspections, under both frameworks, with those of the areas it replaced",
    selection: "timeline: area(code: \"{code}\") { timeline { viaPredecessor inspection { key framework \
                inspectionType start { text } published { text } outcome outcomeDescription reportUrl area { name \
                code } } } }",
    draw: draw_timeline,
};

/// What the 2023 framework's rules expect next.
const SCHEDULE: Figure = Figure {
    id: "schedule",
    title: "The next inspection expected, and the rule that says so",
    selection: "schedule: area(code: \"{code}\") { schedule { inspectionType due ruleId ruleDescription ruleSource \
                done overdue } }",
    draw: draw_schedule,
};

/// The areas for priority action of its current outcome's report.
const ACTIONS: Figure = Figure {
    id: "priority-actions",
    title: "What the latest report asked the area to put right",
    selection: "priorityActions: area(code: \"{code}\") { name currentOutcome { outcome priorityActionsNotYetRead \
                reportUrl priorityActions { ordinal themeLabel text } } }",
    draw: draw_actions,
};

fn area_link(a: &Value) -> Cell {
    Cell::link(text(&a["name"]), format!("/areas/{}", text(&a["code"])))
}

fn draw_summary(a: &Value) -> Drawing {
    let name = text(&a["name"]);
    let mut lead = format!("{name} ({}) is in the {} region.", text(&a["code"]), text(&a["region"]["name"]));
    let official = &a["currentOutcome"];
    if official.is_null() {
        lead.push_str(" It has had no full inspection under the 2023 framework yet.");
    } else {
        lead.push_str(&format!(
            " Its current outcome is {}, from its full inspection under the 2023 framework that started {} \
             (published {}).",
            outcome_words(official["outcome"].as_str().unwrap_or("")),
            text(&official["start"]["text"]),
            text(&official["published"]["text"]),
        ));
    }
    let lineage = &a["currentOutcomeWithLineage"];
    if !lineage.is_null() && (official.is_null() || lineage["area"]["code"] != a["code"]) {
        lead.push_str(&format!(
            " Counting the areas it replaced and the 2016 framework, its latest full inspection found: {} ({}, \
             {} framework).",
            outcome_words(lineage["outcome"].as_str().unwrap_or("")),
            text(&lineage["area"]["name"]),
            text(&lineage["framework"]).replace("FRAMEWORK_", ""),
        ));
    }
    if a["current"] == false {
        lead.push_str(&format!(" It was abolished on {}.", text(&a["validTo"])));
    }
    let mut rows = vec![
        vec![Cell::text("GSS code"), Cell::text(text(&a["code"]))],
        vec![Cell::text("DfE code"), Cell::text(text(&a["dfeCode"]))],
        vec![Cell::text("Ofsted URN"), Cell::text(text(&a["ofstedUrn"]))],
        vec![
            Cell::text("region"),
            Cell::link(text(&a["region"]["name"]), format!("/regions/{}", text(&a["region"]["code"]))),
        ],
    ];
    for p in a["partners"].as_array().into_iter().flatten() {
        rows.push(vec![Cell::text("health partner"), Cell::text(text(&p["name"]))]);
    }
    for (what, links) in [("replaced", &a["predecessors"]), ("replaced by", &a["successors"])] {
        for l in links.as_array().into_iter().flatten() {
            let area = &l["area"];
            let label = format!("{} (on {})", text(&area["name"]), text(&l["effective"]));
            rows.push(vec![Cell::text(what), Cell::link(label, format!("/areas/{}", text(&area["code"])))]);
        }
    }
    Drawing { lead, chart: None, table: Table { columns: vec!["fact", "value"], rows } }
}

fn draw_timeline(a: &Value) -> Drawing {
    let entries = a["timeline"].as_array().cloned().unwrap_or_default();
    let rows: Vec<Vec<Cell>> = entries
        .iter()
        .map(|e| {
            let i = &e["inspection"];
            let report = match i["reportUrl"].as_str() {
                Some(url) => Cell::document("report", url),
                None => Cell::text(""),
            };
            let of = if e["viaPredecessor"] == true { area_link(&i["area"]) } else { Cell::text("") };
            vec![
                Cell::text(text(&i["start"]["text"])),
                Cell::text(text(&i["framework"]).replace("FRAMEWORK_", "")),
                Cell::text(text(&i["inspectionType"]).to_lowercase()),
                Cell::text(text(&i["outcomeDescription"])),
                Cell::text(text(&i["published"]["text"])),
                of,
                report,
            ]
        })
        .collect();
    let via = entries.iter().filter(|e| e["viaPredecessor"] == true).count();
    let lead = format!(
        "{} inspections in all{}.",
        entries.len(),
        if via > 0 { format!(", {via} of them of the areas it replaced") } else { String::new() }
    );
    Drawing {
        lead,
        chart: None,
        table: Table {
            columns: vec!["started", "framework", "type", "outcome", "published", "of the former area", "report"],
            rows,
        },
    }
}

fn draw_schedule(a: &Value) -> Drawing {
    let expected = a["schedule"].as_array().cloned().unwrap_or_default();
    let rows: Vec<Vec<Cell>> = expected
        .iter()
        .map(|e| {
            let state = if e["done"] == true {
                "done"
            } else if e["overdue"] == true {
                "overdue"
            } else {
                "due"
            };
            vec![
                Cell::text(text(&e["inspectionType"]).to_lowercase()),
                Cell::text(text(&e["due"])),
                Cell::text(state),
                Cell::text(text(&e["ruleDescription"])),
                Cell::document(text(&e["ruleId"]), &text(&e["ruleSource"])),
            ]
        })
        .collect();
    let lead = match expected.iter().find(|e| e["done"] != true) {
        Some(e) => format!(
            "The next {} inspection is due by {}{}: {}.",
            text(&e["inspectionType"]).to_lowercase(),
            text(&e["due"]),
            if e["overdue"] == true { ", and is overdue" } else { "" },
            text(&e["ruleDescription"])
        ),
        None => "No further inspection is expected under the current rules.".to_owned(),
    };
    Drawing { lead, chart: None, table: Table { columns: vec!["type", "due by", "state", "rule", "rule's id"], rows } }
}

fn draw_actions(a: &Value) -> Drawing {
    let current = &a["currentOutcome"];
    let actions = current["priorityActions"].as_array().cloned().unwrap_or_default();
    let rows: Vec<Vec<Cell>> = actions
        .iter()
        .map(|p| {
            vec![Cell::text(text(&p["ordinal"])), Cell::text(text(&p["themeLabel"])), Cell::text(text(&p["text"]))]
        })
        .collect();
    let name = text(&a["name"]);
    let lead = if current.is_null() {
        format!("{name} has no report under the 2023 framework yet.")
    } else if current["priorityActionsNotYetRead"] == true {
        format!(
            "{name}'s latest report found widespread or systemic failings; its areas for priority action are not yet read into the data."
        )
    } else if actions.is_empty() {
        format!("{name}'s latest report named no area for priority action.")
    } else {
        format!("{name}'s latest report named {} areas for priority action.", actions.len())
    };
    Drawing { lead, chart: None, table: Table { columns: vec!["number", "theme", "what the report says"], rows } }
}

fn draw_neighbours(a: &Value) -> Drawing {
    let neighbours = a["statisticalNeighbours"].as_array().cloned().unwrap_or_default();
    let name = text(&a["name"]);
    let outcome_of = |n: &Value| n["area"]["currentOutcome"]["outcome"].as_str().map(str::to_owned);
    let rows: Vec<Vec<Cell>> = neighbours
        .iter()
        .map(|n| {
            vec![
                Cell::text(text(&n["rank"])),
                area_link(&n["area"]),
                Cell::text(outcome_of(n).map_or("not yet inspected under the 2023 framework", |o| outcome_words(&o))),
                Cell::text(text(&n["area"]["currentOutcome"]["start"]["text"])),
            ]
        })
        .collect();
    if neighbours.is_empty() {
        let lead = format!("No statistical neighbours are recorded for {name}.");
        return Drawing {
            lead,
            chart: None,
            table: Table { columns: vec!["rank", "area", "current outcome", "inspection started"], rows },
        };
    }
    let outcomes = ["TYPICALLY_POSITIVE", "INCONSISTENT", "WIDESPREAD_SYSTEMIC_FAILINGS"];
    let count = |o: Option<&str>| neighbours.iter().filter(|n| outcome_of(n).as_deref() == o).count();
    let mut parts: Vec<String> = outcomes.iter().map(|o| format!("{} {}", count(Some(o)), outcome_words(o))).collect();
    parts.push(format!("{} not yet inspected under the 2023 framework", count(None)));
    let lead = format!(
        "Of {name}'s {} statistical neighbours (DfE's children's services set): {}.",
        neighbours.len(),
        parts.join(", ")
    );
    let mut segments: Vec<Segment> = outcomes
        .iter()
        .map(|o| Segment {
            class: outcome_class(o),
            value: count(Some(o)) as f64,
            label: format!("{} {}", count(Some(o)), outcome_words(o)),
        })
        .collect();
    segments.push(Segment {
        class: "not-inspected",
        value: count(None) as f64,
        label: format!("{} not yet inspected", count(None)),
    });
    let chart = bars(
        "neighbours-chart",
        "Current outcomes of the area's statistical neighbours",
        &lead,
        &[Bar { label: "neighbours".into(), segments, note: format!("{} in all", neighbours.len()) }],
    );
    Drawing {
        lead,
        chart: Some(chart),
        table: Table { columns: vec!["rank", "area", "current outcome", "inspection started"], rows },
    }
}
