//! Pages for readers (journalists, councils): server-rendered HTML over the same data, readable with scripts off,
//! every number an answer of the GraphQL API. A page is a list of figures ([`figure::Figure`]); the HTTP face
//! (`crate::http::pages`) asks the schema all of a page's figures in one query, in one snapshot, and draws them here.
//! This module knows nothing of HTTP or of the database: it turns GraphQL answers into HTML.

pub mod area;
pub mod charts;
pub mod figure;
pub mod html;
pub mod map;
pub mod national;
pub mod region;
pub mod themes;
mod values;

use serde_json::Value;

use figure::{Figure, Place};

/// The one GraphQL query that answers every figure of a page (of the area `code`, for an area's page).
pub fn query_of(figures: &[Figure], code: Option<&str>) -> String {
    let selections: Vec<String> = figures.iter().map(|f| f.selection_for(code)).collect();
    format!("{{ {} }}", selections.join(" "))
}

/// The national figure named `id` (those of `/` and the map's other view).
pub fn figure(id: &str) -> Option<&'static Figure> {
    national::FIGURES.iter().chain(&national::OTHER_FIGURES).find(|f| f.id == id)
}

/// The area figure named `id`.
pub fn area_figure(id: &str) -> Option<&'static Figure> {
    area::FIGURES.iter().find(|f| f.id == id)
}

/// Whether `code` can name an area in an address and a query: letters and digits only (an area's GSS code, DfE
/// code or URN), so that it can be written into the page's query as it is.
pub fn is_area_code(code: &str) -> bool {
    (1..=12).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// The region figure named `id`.
pub fn region_figure(id: &str) -> Option<&'static Figure> {
    region::FIGURES.iter().find(|f| f.id == id)
}

/// Whether `code` can name a region in an address and a query: its code or its name (letters, digits, spaces and
/// commas), so that it can be written into the page's query as it is.
pub fn is_region_code(code: &str) -> bool {
    (1..=60).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_alphanumeric() || b" ,".contains(&b))
}

/// `/regions/{code}`, from the answer `data` of [`query_of`] the region figures; `None` when the region has no area.
pub fn region_page(data: &Value, version: Option<&str>) -> Option<String> {
    let (name, code) = region::name_and_code(data)?;
    let place = Place::region(&code);
    let mut content = format!("<h1>{}</h1>\n", html::escape(&name));
    for f in &region::FIGURES {
        let drawing = (f.draw)(&data[f.alias()]);
        content.push_str(&figure::section(f, &drawing, &place, version));
    }
    Some(html::page(&name, version, &content))
}

/// `/areas/{code}`, from the answer `data` of [`query_of`] the area figures; `None` when no area has the code.
pub fn area_page(data: &Value, version: Option<&str>) -> Option<String> {
    let summary = &data["summary"];
    let code = summary["code"].as_str()?;
    let name = summary["name"].as_str().unwrap_or(code);
    let place = Place::area(code);
    let mut content = format!("<h1>{}</h1>\n", html::escape(name));
    for f in &area::FIGURES {
        let drawing = (f.draw)(&data[f.alias()]);
        content.push_str(&figure::section(f, &drawing, &place, version));
    }
    Some(html::page(name, version, &content))
}

/// `/`: the national picture, from the answer `data` of [`query_of`] its figures.
pub fn national(data: &Value, version: Option<&str>) -> String {
    let mut content = String::from(
        "<h1>Area SEND inspections in England</h1>\n<p class=\"intro\">Ofsted and the CQC inspect how each of \
         England's 153 local areas serves children and young people with special educational needs and/or \
         disabilities. This site shows what those inspections found, area by area and year by year. Every figure \
         gives its numbers as a table, a download, and the query that produced it.</p>\n",
    );
    let place = Place::national();
    for f in &national::FIGURES {
        let drawing = (f.draw)(&data[f.alias()]);
        content.push_str(&figure::section(f, &drawing, &place, version));
    }
    html::page("England", version, &content)
}

/// `/embed/...`: one figure bare, from the answer of its own query, naming the page it is from (`source`).
pub fn embed(f: &Figure, data: &Value, version: Option<&str>, source: &str) -> Option<String> {
    let answer = &data[f.alias()];
    if answer.is_null() {
        return None;
    }
    let drawing = (f.draw)(answer);
    let content = format!("<h1>{}</h1>\n{}", html::escape(f.title), figure::body(f, &drawing));
    Some(html::embed(f.title, version, &content, &format!("{source}#{}", f.id)))
}

/// A figure's table as CSV, from the answer of its own query (`None` when it names no area).
pub fn csv(f: &Figure, data: &Value) -> Option<String> {
    let answer = &data[f.alias()];
    (!answer.is_null()).then(|| (f.draw)(answer).table.csv())
}

/// A page saying what was looked for and not found.
pub fn not_found(what: &str, version: Option<&str>) -> String {
    let content = format!(
        "<h1>Not found</h1>\n<p>There is no {}. <a href=\"/\">The national picture</a> links to every area.</p>\n",
        html::escape(what)
    );
    html::page("Not found", version, &content)
}

/// What a permalink pinned to `pinned` says when the data has changed since (`None` when it is the version shown).
pub fn version_notice(pinned: &str, current: Option<&str>) -> Option<String> {
    (Some(pinned) != current).then(|| {
        format!(
            "<p class=\"notice\" role=\"note\">This link was made for dataset version {}; the figures below are of \
             version {}, the current one.</p>\n",
            html::escape(pinned),
            html::escape(current.unwrap_or("none"))
        )
    })
}
