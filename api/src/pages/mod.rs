//! Pages for readers (journalists, councils): server-rendered HTML over the same data, readable with scripts off,
//! every number an answer of the GraphQL API. A page is a list of figures ([`figure::Figure`]); the HTTP face
//! (`crate::http::pages`) asks the schema all of a page's figures in one query, in one snapshot, and draws them here.
//! This module knows nothing of HTTP or of the database: it turns GraphQL answers into HTML.

pub mod charts;
pub mod figure;
pub mod html;
pub mod national;

use serde_json::Value;

use figure::Figure;

/// The one GraphQL query that answers every figure of a page.
pub fn query_of(figures: &[Figure]) -> String {
    let selections: Vec<&str> = figures.iter().map(|f| f.selection).collect();
    format!("{{ {} }}", selections.join(" "))
}

/// The figure named `id`, among those any page shows.
pub fn figure(id: &str) -> Option<&'static Figure> {
    national::FIGURES.iter().find(|f| f.id == id)
}

/// `/`: the national picture, from the answer `data` of [`query_of`] its figures.
pub fn national(data: &Value, version: Option<&str>) -> String {
    let mut content = String::from(
        "<h1>Area SEND inspections in England</h1>\n<p class=\"intro\">Ofsted and the CQC inspect how each of \
         England's 153 local areas serves children and young people with special educational needs and/or \
         disabilities. This site shows what those inspections found, area by area and year by year. Every figure \
         gives its numbers as a table, a download, and the query that produced it.</p>\n",
    );
    for f in &national::FIGURES {
        let drawing = (f.draw)(&data[f.alias()]);
        content.push_str(&figure::section(f, &drawing, "/", version));
    }
    html::page("England", version, &content)
}

/// `/embed/{id}`: one figure bare, from the answer of its own query.
pub fn embed(f: &Figure, data: &Value, version: Option<&str>) -> String {
    let drawing = (f.draw)(&data[f.alias()]);
    let content = format!("<h1>{}</h1>\n{}", html::escape(f.title), figure::body(f, &drawing));
    html::embed(f.title, version, &content, &format!("/#{}", f.id))
}

/// `/figures/{id}.csv`: a figure's table, from the answer of its own query.
pub fn csv(f: &Figure, data: &Value) -> String {
    (f.draw)(&data[f.alias()]).table.csv()
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
