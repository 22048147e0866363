//! Requests through the router (no socket), as the HTTP tests make them, and the answers they read.

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tower::ServiceExt;

use super::TestDb;

/// The 2023 outcome profile: on the bundled data, a total of 26.
pub const PROFILE: &str =
    "{ outcomeProfile(filter: {framework: FRAMEWORK_2023, year: 2023}) { total outcomes { outcome count share } } }";

/// The media type of GraphQL over HTTP (`application/json` is the legacy one).
pub const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";

/// An answer: status, headers, body bytes.
pub struct Answer {
    /// The status.
    pub status: StatusCode,
    /// The headers.
    pub headers: HeaderMap,
    /// The body, decompressed by nothing.
    pub body: Vec<u8>,
}

impl Answer {
    /// A header's value (`""` when absent or not text).
    pub fn header(&self, name: header::HeaderName) -> &str {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
    }

    /// The body as JSON; panics, showing it, when it is not.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    /// The `extensions.code` of the first error.
    pub fn code(&self) -> String {
        self.json()["errors"][0]["extensions"]["code"].as_str().unwrap_or("(no code)").to_owned()
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// The answer of `app` to `request`.
pub async fn call(app: &Router, request: Request<Body>) -> Answer {
    let response = app.clone().oneshot(request).await.expect("infallible router");
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.into_body().collect().await.expect("body").to_bytes().to_vec();
    Answer { status, headers, body }
}

/// The answer of `app` to a GET of `uri`, which must be `200 OK` (the message names the URI and shows the body).
pub async fn get_ok(app: &Router, uri: &str) -> Answer {
    let a = call(app, get(uri, &[])).await;
    assert_eq!(a.status, StatusCode::OK, "GET {uri}: {}", a.text());
    a
}

/// The status, `Content-Type` and body text of the answer of a router over `t` to `request`.
pub async fn send(t: &TestDb, request: Request<Body>) -> (StatusCode, String, String) {
    let a = call(&router(t), request).await;
    (a.status, a.header(header::CONTENT_TYPE).to_owned(), a.text())
}

/// The router of `send-api` over `t`, with the default configuration.
pub fn router(t: &TestDb) -> Router {
    send_api::app(send_api::AppState::new(t.db.clone()))
}

/// The router of `send-api` over `t`, with `config`.
pub fn router_with(t: &TestDb, config: send_api::HttpConfig) -> Router {
    send_api::app(send_api::AppState::with_config(t.db.clone(), config))
}

/// A POST of `body` to `/graphql`, with `Accept: accept` when given.
pub fn post_json(body: &Value, accept: Option<&str>) -> Request<Body> {
    let mut request = Request::post("/graphql").header(header::CONTENT_TYPE, "application/json");
    if let Some(accept) = accept {
        request = request.header(header::ACCEPT, accept);
    }
    request.body(Body::from(body.to_string())).expect("request")
}

/// A POST of `query` to `/graphql`, with `Accept: accept` when given.
pub fn post(query: &str, accept: Option<&str>) -> Request<Body> {
    post_json(&json!({ "query": query }), accept)
}

/// A POST of `body`, as it is, to `/graphql` as `application/json`.
pub fn post_body(body: &str) -> Request<Body> {
    Request::post("/graphql")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_owned()))
        .expect("request")
}

/// A GET of `uri` with `headers`.
pub fn get(uri: &str, headers: &[(header::HeaderName, &str)]) -> Request<Body> {
    let mut request = Request::get(uri);
    for (name, value) in headers {
        request = request.header(name, *value);
    }
    request.body(Body::empty()).expect("request")
}

/// A GET of `query` from `/graphql`, with `headers`.
pub fn get_query(query: &str, headers: &[(header::HeaderName, &str)]) -> Request<Body> {
    get(&format!("/graphql?query={}", encode(query)), headers)
}

/// Percent-encodes a query-string value.
pub fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

/// The SHA-256 of `text`, in lower-case hex (a persisted query's hash).
pub fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// The `total` of an answer to [`PROFILE`].
pub fn total_of(body: &str) -> Value {
    let json: Value = serde_json::from_str(body).expect("JSON body");
    json["data"]["outcomeProfile"]["total"].clone()
}

/// A gauge's value in the text of `/metrics`: the series `name` with exactly `labels` (`""` for none).
pub fn gauge_in(metrics: &str, name: &str, labels: &str) -> f64 {
    let series = format!("{name}{labels} ");
    metrics
        .lines()
        .find_map(|l| l.strip_prefix(&series).and_then(|v| v.trim().parse::<f64>().ok()))
        .unwrap_or_else(|| panic!("no {series} in {metrics}"))
}
