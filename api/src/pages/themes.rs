//! `/themes`: what inspections finding widespread or systemic failings asked areas to put right, the themes counted
//! and the reports' own words searchable (`/themes?search=...`, a plain form: no script).

use serde_json::Value;

use super::figure::{self, Cell, Drawing, Place, Table};
use super::html::{self, escape};
use super::national;
use super::values::text;
use crate::read_model::search::MAX_SEARCH_CHARS;

/// The page's query: the themes, and the areas for priority action whose text holds every word of `$search`.
pub const QUERY: &str = "query Themes($search: String, $searching: Boolean!) { themes: priorityActionThemes { theme \
     label priorityActions inspections systemicInspections systemicInspectionsNotYetRead shareOfSystemicInspections } \
     actions: priorityActions(search: $search, first: 100) @include(if: $searching) { totalCount edges { node { \
     ordinal themeLabel text inspection { key start { text } area { name code } } } } } }";

/// The page, from the answer to [`QUERY`] for `search` (the words searched, if any).
pub fn page(data: &Value, version: Option<&str>, search: Option<&str>) -> String {
    let mut content = String::from("<h1>Themes of the areas for priority action</h1>\n");
    let place = Place::national();
    let themes = &national::FIGURES.iter().find(|f| f.id == "themes");
    if let Some(f) = themes {
        let drawing = (f.draw)(&data["themes"]);
        content.push_str(&figure::section(f, &drawing, &place, version));
    }
    content.push_str(&format!(
        "<section class=\"search\" aria-labelledby=\"search-title\"><h2 id=\"search-title\">Search the reports' \
         words</h2>\n<form method=\"get\" action=\"/themes\" role=\"search\"><label for=\"search\">Words every area \
         for priority action must contain</label> <input id=\"search\" name=\"search\" type=\"search\" \
         maxlength=\"{MAX_SEARCH_CHARS}\" value=\"{}\"> <button type=\"submit\">Search</button></form>\n",
        escape(search.unwrap_or(""))
    ));
    if search.is_some() {
        let drawing = results(&data["actions"], search.unwrap_or(""));
        content.push_str(&format!("<p class=\"lead\" role=\"status\">{}</p>\n", escape(&drawing.lead)));
        content.push_str(&drawing.table.html("search-results", "Areas for priority action found"));
    }
    content.push_str("</section>\n");
    html::page("Themes", version, &content)
}

fn results(actions: &Value, search: &str) -> Drawing {
    let edges = actions["edges"].as_array().cloned().unwrap_or_default();
    let total = actions["totalCount"].as_i64().unwrap_or(0);
    let rows: Vec<Vec<Cell>> = edges
        .iter()
        .map(|e| {
            let n = &e["node"];
            let area = &n["inspection"]["area"];
            vec![
                Cell::link(text(&area["name"]), format!("/areas/{}", text(&area["code"]))),
                Cell::text(text(&n["inspection"]["start"]["text"])),
                Cell::text(text(&n["themeLabel"])),
                Cell::text(text(&n["text"])),
            ]
        })
        .collect();
    let shown = if (rows.len() as i64) < total { format!(" (the first {} shown)", rows.len()) } else { String::new() };
    let lead = format!("{total} areas for priority action contain every word of \u{201c}{search}\u{201d}{shown}.");
    Drawing { lead, chart: None, table: Table { columns: vec!["area", "inspection started", "theme", "text"], rows } }
}
