//! `/feeds/inspections.atom`: an Atom feed (RFC 4287) of inspections, newest publication first, so that a reporter's
//! feed reader or a dashboard learns of a new report the day it is imported. Filtered by `outcome` (a GraphQL
//! `Outcome` name), `region` (an ONS region code) and `area` (any code `area(code:)` takes), checked as the GraphQL
//! filter checks them: the feed is one GraphQL query of the schema, rendered as Atom, so it never says anything the
//! API does not. An entry's `updated` is when the import that last changed the inspection finished.

use async_graphql::{Request as GqlRequest, Variables};
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::caching;
use super::state::AppState;
use crate::error::{Refusal, code};
use crate::graphql::run;
use crate::licence::{ATTRIBUTION, LICENCE_URL};
use crate::pages::html::escape;

/// Entries in a feed: the newest inspections.
pub const FEED_ENTRIES: i32 = 50;

/// The query parameters a feed takes, and the `InspectionFilter` field each sets.
const PARAMETERS: [(&str, &str); 3] = [("outcome", "outcome"), ("region", "region"), ("area", "areaCode")];

/// The one query behind every feed.
const QUERY: &str = "query Feed($filter: InspectionFilter, $first: Int) { inspections(first: $first, filter: $filter, \
     orderBy: {field: PUBLISHED, direction: DESC}) { edges { node { key framework inspectionType area { name code } \
     outcome outcomeDescription start { text } end { text } published { text } reportUrl importRun { finishedAt } } } } }";

/// Where the feed's IDs are minted (RFC 4151 tag URIs: stable whatever host serves the feed).
const TAG: &str = "tag:send-api.local,2026";

/// `GET /feeds/inspections.atom`.
pub async fn inspections(State(state): State<AppState>, RawQuery(query): RawQuery, headers: HeaderMap) -> Response {
    let params: Vec<(String, String)> = match serde_urlencoded::from_str(query.as_deref().unwrap_or("")) {
        Ok(p) => p,
        Err(e) => return bad(format!("cannot read the query string: {e}")),
    };
    let mut filter = serde_json::Map::new();
    for (key, value) in &params {
        let Some((_, field)) = PARAMETERS.iter().find(|(name, _)| name == key) else {
            let valid: Vec<&str> = PARAMETERS.iter().map(|(name, _)| *name).collect();
            return bad(format!("unknown query parameter `{key}`: expected {}", valid.join(", ")));
        };
        filter.insert((*field).to_owned(), Value::String(value.clone()));
    }
    let (snapshot, version) = match state.versioned_snapshot().await {
        Ok(opened) => opened,
        Err(refusal) => return refusal.into_response(),
    };
    let canonical = serde_urlencoded::to_string(&params).unwrap_or_default();
    let etag = caching::etag(version.as_deref(), &["feeds/inspections", &canonical]);
    if caching::not_modified(&headers, &etag) {
        snapshot.finish().await;
        return caching::not_modified_response(&etag, state.config.cache_max_age, "Accept-Encoding");
    }
    // An enum name the schema does not know is given as a string: the GraphQL layer refuses it like any other.
    let variables = json!({ "filter": Value::Object(filter), "first": FEED_ENTRIES });
    let request = GqlRequest::new(QUERY).variables(Variables::from_json(variables));
    let response = match run(&state.own_schema, snapshot, request).await {
        Ok(r) => r,
        Err(e) => return Refusal::unavailable(&e).into_response(),
    };
    if let Some(error) = response.errors.first() {
        let code = error
            .extensions
            .as_ref()
            .and_then(|e| e.get("code"))
            .and_then(|c| match c {
                async_graphql::Value::String(s) => code::known(s),
                _ => None,
            })
            .unwrap_or(code::BAD_USER_INPUT);
        // The query is fixed and valid: a value it refuses came from a parameter, the client's mistake.
        let code = if code == code::GRAPHQL_VALIDATION_FAILED { code::BAD_USER_INPUT } else { code };
        let status = if code == code::INTERNAL { StatusCode::INTERNAL_SERVER_ERROR } else { StatusCode::BAD_REQUEST };
        let message = format!("a query parameter was refused: {}", error.message);
        return Refusal::new(status, code, message).into_response();
    }
    let data = response.data.into_json().unwrap_or_default();
    let self_link = if canonical.is_empty() {
        "/feeds/inspections.atom".to_owned()
    } else {
        format!("/feeds/inspections.atom?{canonical}")
    };
    let body = render(&data, &self_link, &params);
    let mut out_headers = HeaderMap::new();
    out_headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/atom+xml; charset=utf-8"));
    caching::cacheable(&mut out_headers, &etag, state.config.cache_max_age);
    (StatusCode::OK, out_headers, body).into_response()
}

fn bad(message: String) -> Response {
    Refusal::bad_input(message).into_response()
}

/// A string field of a JSON object, or "".
fn text<'a>(value: &'a Value, path: &[&str]) -> &'a str {
    path.iter().try_fold(value, |v, key| v.get(key)).and_then(Value::as_str).unwrap_or("")
}

/// A GraphQL enum name in words (`WIDESPREAD_SYSTEMIC_FAILINGS` → `widespread systemic failings`).
fn words(name: &str) -> String {
    name.to_lowercase().replace('_', " ")
}

/// The feed document of the query's answer.
fn render(data: &Value, self_link: &str, params: &[(String, String)]) -> String {
    let nodes: Vec<&Value> = data
        .pointer("/inspections/edges")
        .and_then(Value::as_array)
        .map(|edges| edges.iter().filter_map(|e| e.get("node")).collect())
        .unwrap_or_default();
    let updated_of = |node: &Value| text(node, &["importRun", "finishedAt"]).to_owned();
    let feed_updated = nodes
        .iter()
        .map(|n| updated_of(n))
        .max()
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".to_owned());
    let filters: Vec<String> = params.iter().map(|(k, v)| format!("{k} {v}")).collect();
    let subtitle = if filters.is_empty() {
        "Every local area, newest publication first.".to_owned()
    } else {
        format!("Filtered by {}; newest publication first.", filters.join(", "))
    };
    let mut out =
        String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    out.push_str(&format!(
        "  <id>{TAG}:feeds/inspections{}</id>\n",
        escape(self_link.trim_start_matches("/feeds/inspections.atom"))
    ));
    out.push_str("  <title>Area SEND inspections in England</title>\n");
    out.push_str(&format!("  <subtitle>{}</subtitle>\n", escape(&subtitle)));
    out.push_str(&format!("  <updated>{}</updated>\n", escape(&feed_updated)));
    out.push_str("  <author><name>Area SEND inspection outcomes API</name></author>\n");
    out.push_str(&format!("  <rights>{}</rights>\n", escape(ATTRIBUTION)));
    out.push_str(&format!("  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n", escape(self_link)));
    out.push_str(&format!("  <link rel=\"license\" href=\"{}\"/>\n", escape(LICENCE_URL)));
    for node in nodes {
        let area = text(node, &["area", "name"]);
        let outcome = node.get("outcome").and_then(Value::as_str).map(words);
        let title = match &outcome {
            Some(o) => format!("{area}: {o}"),
            None => format!("{area}: outcome not yet published"),
        };
        let kind = format!(
            "{} inspection ({} framework)",
            words(text(node, &["inspectionType"])),
            text(node, &["framework"]).trim_start_matches("FRAMEWORK_")
        );
        let mut content = format!("Area SEND {kind} of {area} ({})", text(node, &["area", "code"]));
        match (text(node, &["start", "text"]), text(node, &["end", "text"])) {
            ("", _) => content.push_str(", start date not known"),
            (start, "") => content.push_str(&format!(", started {start}")),
            (start, end) => content.push_str(&format!(", on site {start} to {end}")),
        }
        match text(node, &["published", "text"]) {
            "" => content.push_str("; not yet published."),
            published => content.push_str(&format!("; published {published}.")),
        }
        if let Some(description) = node.get("outcomeDescription").and_then(Value::as_str) {
            content.push(' ');
            content.push_str(description);
        }
        out.push_str("  <entry>\n");
        out.push_str(&format!("    <id>{TAG}:inspection/{}</id>\n", escape(text(node, &["key"]))));
        out.push_str(&format!("    <title>{}</title>\n", escape(&title)));
        let updated = updated_of(node);
        out.push_str(&format!(
            "    <updated>{}</updated>\n",
            escape(if updated.is_empty() { &feed_updated } else { &updated })
        ));
        if let Some(day) = node.pointer("/published/text").and_then(Value::as_str).filter(|d| d.len() == 10) {
            out.push_str(&format!("    <published>{}T00:00:00Z</published>\n", escape(day)));
        }
        if let Some(url) = node.get("reportUrl").and_then(Value::as_str) {
            out.push_str(&format!("    <link rel=\"alternate\" type=\"application/pdf\" href=\"{}\"/>\n", escape(url)));
        }
        if let Some(o) = node.get("outcome").and_then(Value::as_str) {
            out.push_str(&format!("    <category term=\"{}\" label=\"{}\"/>\n", escape(o), escape(&words(o))));
        }
        out.push_str(&format!("    <content type=\"text\">{}</content>\n", escape(&content)));
        out.push_str("  </entry>\n");
    }
    out.push_str("</feed>\n");
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn text_is_escaped_for_xml() {
        assert_eq!(
            crate::pages::html::escape("a & b <c> \"d\" 'e'\u{1}"),
            "a &amp; b &lt;c&gt; &quot;d&quot; &apos;e&apos;"
        );
    }
}
