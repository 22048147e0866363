//! A figure: one question, the GraphQL selection that answers it, and how its answer is drawn. Every figure is shown
//! the same way: a sentence stating its numbers, an SVG chart with text labels where a chart helps, the table of its
//! numbers, and links to its CSV, its GraphQL query (opened in GraphiQL), a permalink and an embeddable copy.

use std::fmt::Write as _;

use serde_json::Value;

use super::html::{escape, url_component};

/// One figure of a page.
pub struct Figure {
    /// Its name in addresses: `/embed/{id}`, `/figures/{id}.csv`, the page's `#{id}`.
    pub id: &'static str,
    /// Its heading.
    pub title: &'static str,
    /// The GraphQL selection that answers it: one root field under an alias named like the figure, so that a page
    /// asks all its figures in one query; `{ selection }` is the query a reader can run. An area's figure names
    /// its area as `{code}`, filled in by [`Figure::selection_for`].
    pub selection: &'static str,
    /// Draws the figure from the alias's value.
    pub draw: fn(&Value) -> Drawing,
}

impl Figure {
    /// The selection for the area `code` (for a national figure, the selection as it is).
    pub fn selection_for(&self, code: Option<&str>) -> String {
        match code {
            Some(code) => self.selection.replace("{code}", code),
            None => self.selection.to_owned(),
        }
    }

    /// The standalone GraphQL query of the figure (of the area `code`, for an area's figure).
    pub fn query(&self, code: Option<&str>) -> String {
        format!("{{ {} }}", self.selection_for(code))
    }

    /// The alias its answer comes under.
    pub fn alias(&self) -> &'static str {
        self.selection.split(':').next().unwrap_or(self.selection).trim()
    }
}

/// What a figure shows.
pub struct Drawing {
    /// One or two sentences stating the figure's main numbers (also the chart's text alternative).
    pub lead: String,
    /// An inline SVG chart, when a chart helps.
    pub chart: Option<String>,
    /// The numbers behind the figure.
    pub table: Table,
}

/// A table of a figure's numbers (also its CSV).
pub struct Table {
    /// Column headings.
    pub columns: Vec<&'static str>,
    /// Rows, as text; a cell may be a link (see [`Cell`]).
    pub rows: Vec<Vec<Cell>>,
}

/// One table cell: text, optionally a link.
pub struct Cell {
    /// The text.
    pub text: String,
    /// Where it links to.
    pub href: Option<String>,
    /// What the CSV holds instead of the text (a document's address rather than the word "report").
    pub csv: Option<String>,
}

impl Cell {
    /// A cell of text.
    pub fn text(text: impl Into<String>) -> Self {
        Self { text: text.into(), href: None, csv: None }
    }

    /// A cell linking to `href` within the site (the CSV holds its text).
    pub fn link(text: impl Into<String>, href: impl Into<String>) -> Self {
        Self { text: text.into(), href: Some(href.into()), csv: None }
    }

    /// A cell linking to a document elsewhere, shown as `label`; the CSV holds the document's address.
    pub fn document(label: impl Into<String>, url: &str) -> Self {
        Self { text: label.into(), href: Some(url.to_owned()), csv: Some(url.to_owned()) }
    }
}

impl Table {
    /// The table as CSV (a heading row, then the rows' text). Cells a spreadsheet would read as a formula are
    /// prefixed with `'`, as in the exports.
    pub fn csv(&self) -> String {
        let mut out = String::new();
        let line = |cells: Vec<&str>, out: &mut String| {
            let quoted: Vec<String> = cells
                .iter()
                .map(|c| {
                    let c =
                        if c.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{c}") } else { (*c).to_owned() };
                    if c.contains([',', '"', '\n', '\r']) { format!("\"{}\"", c.replace('"', "\"\"")) } else { c }
                })
                .collect();
            out.push_str(&quoted.join(","));
            out.push('\n');
        };
        line(self.columns.clone(), &mut out);
        for row in &self.rows {
            line(row.iter().map(|c| c.csv.as_deref().unwrap_or(&c.text)).collect(), &mut out);
        }
        out
    }

    /// The table as HTML, with a caption whose id is `{id}-caption` (`id` unique on its page).
    ///
    /// A table wider than the screen scrolls sideways inside its box, so the box takes the keyboard's focus (arrow
    /// keys then scroll it) and is named by the caption; `group`, not `region`, since the figure's section is already
    /// a landmark of that name.
    pub fn html(&self, id: &str, caption: &str) -> String {
        let id = escape(id);
        let mut out = format!(
            "<div class=\"table-wrap\" tabindex=\"0\" role=\"group\" aria-labelledby=\"{id}-caption\"><table>\n"
        );
        let _ = writeln!(out, "<caption id=\"{id}-caption\">{}</caption>", escape(caption));
        out.push_str("<thead><tr>");
        for c in &self.columns {
            let _ = write!(out, "<th scope=\"col\">{}</th>", escape(c));
        }
        out.push_str("</tr></thead>\n<tbody>\n");
        for row in &self.rows {
            out.push_str("<tr>");
            for (i, cell) in row.iter().enumerate() {
                let text = match &cell.href {
                    Some(href) => format!("<a href=\"{}\">{}</a>", escape(href), escape(&cell.text)),
                    None => escape(&cell.text),
                };
                // The first cell names the row.
                if i == 0 {
                    let _ = write!(out, "<th scope=\"row\">{text}</th>");
                } else {
                    let _ = write!(out, "<td>{text}</td>");
                }
            }
            out.push_str("</tr>\n");
        }
        out.push_str("</tbody>\n</table></div>\n");
        out
    }
}

/// Where a page's figures live: the page, and the addresses of its figures' tables and embeds.
pub struct Place {
    /// The page's address.
    pub page: String,
    /// The prefix of its figures' CSV addresses (`{prefix}/{id}.csv`).
    pub tables: String,
    /// The prefix of its figures' embeds (`{prefix}/{id}`).
    pub embeds: String,
    /// The area or region the page is of, if any.
    pub code: Option<String>,
}

impl Place {
    /// The national page.
    pub fn national() -> Self {
        Self { page: "/".into(), tables: "/figures".into(), embeds: "/embed".into(), code: None }
    }

    /// The page of the region `code` (its GSS code).
    pub fn region(code: &str) -> Self {
        Self::of("regions", code)
    }

    /// The page of the area `code` (its GSS code).
    pub fn area(code: &str) -> Self {
        Self::of("areas", code)
    }

    /// The page of the area or region `code` whose pages are under `/{kind}/`.
    fn of(kind: &str, code: &str) -> Self {
        Self {
            page: format!("/{kind}/{code}"),
            tables: format!("/{kind}/{code}/figures"),
            embeds: format!("/embed/{kind}/{code}"),
            code: Some(code.to_owned()),
        }
    }
}

/// The figure as a section of a page: heading, lead, chart, table and its links, at `place`, showing the dataset
/// version `version`.
pub fn section(figure: &Figure, drawing: &Drawing, place: &Place, version: Option<&str>) -> String {
    let page = place.page.as_str();
    let mut out = String::new();
    let id = figure.id;
    let _ = writeln!(out, "<section class=\"figure\" id=\"{id}\" aria-labelledby=\"{id}-title\">");
    let _ = writeln!(out, "<h2 id=\"{id}-title\">{}</h2>", escape(figure.title));
    out.push_str(&body(figure, drawing));
    let permalink = match version {
        Some(v) => format!("{page}?version={}#{id}", url_component(v)),
        None => format!("{page}#{id}"),
    };
    let _ = writeln!(
        out,
        "<ul class=\"figure-links\"><li><a href=\"{}/{id}.csv\" download>Download the table (CSV)</a></li>\
         <li><a href=\"/graphiql?query={}\">The GraphQL query</a></li><li><a href=\"{}\">Permalink to this \
         version</a></li><li><a href=\"{}/{id}\">Embed</a></li></ul>",
        escape(&place.tables),
        url_component(&figure.query(place.code.as_deref())),
        escape(&permalink),
        escape(&place.embeds),
    );
    out.push_str("</section>\n");
    out
}

/// The lead, chart and table: what a section and an embed share.
pub fn body(figure: &Figure, drawing: &Drawing) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "<p class=\"lead\">{}</p>", escape(&drawing.lead));
    if let Some(chart) = &drawing.chart {
        let _ = writeln!(out, "<figure class=\"chart\">{chart}</figure>");
    }
    // A long table (a row per area) folds away under its caption: the page stays readable, the numbers one
    // click (or key) away, with no script.
    if drawing.table.rows.len() > LONG_TABLE {
        let _ = write!(
            out,
            "<details class=\"table-fold\"><summary>The table of its {} rows</summary>\n{}</details>\n",
            drawing.table.rows.len(),
            drawing.table.html(figure.id, figure.title)
        );
    } else {
        out.push_str(&drawing.table.html(figure.id, figure.title));
    }
    out
}

/// Tables longer than this are folded (see [`body`]).
const LONG_TABLE: usize = 20;

#[cfg(test)]
mod tests {
    use super::{Cell, Table};

    #[test]
    fn a_table_is_csv_with_quoting_and_formulas_neutralised() {
        let table = Table {
            columns: vec!["name", "count"],
            rows: vec![
                vec![Cell::text("Bristol, City of"), Cell::text("3")],
                vec![Cell::text("=1+1"), Cell::text("-")],
            ],
        };
        assert_eq!(table.csv(), "name,count\n\"Bristol, City of\",3\n'=1+1,'-\n");
        let html = table.html("areas", "Areas");
        assert!(html.contains("aria-labelledby=\"areas-caption\"><table>\n<caption id=\"areas-caption\">"), "{html}");
        assert!(html.contains("<th scope=\"row\">Bristol, City of</th><td>3</td>"), "{html}");
    }
}
