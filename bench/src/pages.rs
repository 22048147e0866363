//! The readers' pages against the GraphQL answers they render (issue 17: a page is served within a small multiple
//! of its query's answer). Each page is one GraphQL query drawn as HTML, so the comparison is the page's `GET` with
//! the response cache off against a `POST` of the very query the page runs: what drawing and serving the HTML adds.

use std::time::Duration;

use serde_json::{Value, json};

use crate::load::{self, Target};

/// One page and the query it runs.
pub struct Page {
    /// Its name in the report.
    pub name: &'static str,
    /// Its address.
    pub path: String,
    /// The GraphQL query it runs.
    pub query: String,
}

/// The pages measured: the national picture (five figures, the map among them) and an area's page.
pub fn pages() -> Vec<Page> {
    use send_api::pages::{area, national, query_of};
    vec![
        Page { name: "/ (national)", path: "/".into(), query: query_of(&national::FIGURES, None) },
        Page {
            name: "/areas/E06000061",
            path: "/areas/E06000061".into(),
            query: query_of(&area::FIGURES, Some("E06000061")),
        },
    ]
}

/// Measures each page against its query on the server at `base` (whose response cache must be off), interleaved
/// over `duration` with `connections` connections; prints a row per page and returns them as JSON.
pub async fn compare(base: &str, connections: usize, duration: Duration) -> Value {
    println!(
        "{:<20} {:>10} {:>12} {:>8} {:>10} {:>12}",
        "page", "page/s", "GraphQL/s", "ratio", "page p50", "GraphQL p50"
    );
    let mut rows = Vec::new();
    for page in pages() {
        let targets = [
            Target { post: false, url: format!("{base}{}", page.path), body: None },
            Target {
                post: true,
                url: format!("{base}/graphql"),
                body: Some(json!({ "query": page.query }).to_string()),
            },
        ];
        let stats = load::interleaved(&targets, connections, duration, 4).await;
        let (html, graphql) = (stats[0], stats[1]);
        let ratio = graphql.rps / html.rps;
        println!(
            "{:<20} {:>10.0} {:>12.0} {:>7.2}x {:>8.2}ms {:>10.2}ms",
            page.name, html.rps, graphql.rps, ratio, html.p50_ms, graphql.p50_ms
        );
        rows.push(json!({
            "page": page.name, "page_stats": html.json(), "graphql_stats": graphql.json(),
            "page_cost_over_graphql": ratio,
        }));
    }
    Value::Array(rows)
}
