//! GraphQL over HTTP, following the GraphQL-over-HTTP specification.
//!
//! - `POST /graphql` with `Content-Type: application/json` and a body `{"query", "variables", "operationName",
//!   "extensions"}`; `GET /graphql?query=&variables=&operationName=&extensions=` for queries only (a mutation over
//!   GET is `405`). Other methods: `405` with `Allow`.
//! - The response is `application/graphql-response+json` when the `Accept` header prefers it, `application/json`
//!   otherwise (and when there is no `Accept`); `406` when it allows neither.
//! - With `application/graphql-response+json`, a request error (the document cannot be parsed or validated, a limit
//!   refuses it, a persisted query is missing) is `400` and has no `data`; with `application/json` it is `200`, as
//!   the specification asks for legacy clients. A request that is not GraphQL at all (bad JSON, no query) is `400`
//!   either way; `413` when too large, `415` when a POST body is not JSON.
//! - GET answers without errors are cacheable: `ETag` (dataset version and request) and `Cache-Control`; an
//!   `If-None-Match` listing the tag is `304` without running the query. `If-None-Match: *` is `304` only for a
//!   request that is answered `200`: a refusal (a mutation over GET, a request error) is never hidden by a `304`.
//! - A plain `GET /graphql` from a browser (accepting `text/html`, no query) opens GraphiQL.

use std::time::Instant;

use async_graphql::parser::types::OperationType;
use async_graphql::{Request as GqlRequest, Variables};
use axum::body::{Body, Bytes};
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::caching::Cached;
use super::state::AppState;
use super::{caching, graphiql};
use crate::error::{Refusal, code};
use crate::graphql::{is_request_error, run};
use crate::read_model::Scope;

/// The two media types a GraphQL response can be sent in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Media {
    /// `application/graphql-response+json`: status codes tell request errors apart.
    GraphqlResponse,
    /// `application/json`: the legacy type, `200` for every well-formed request.
    Json,
}

impl Media {
    fn content_type(self) -> &'static str {
        match self {
            Media::GraphqlResponse => "application/graphql-response+json; charset=utf-8",
            Media::Json => "application/json; charset=utf-8",
        }
    }
}

/// Chooses the response media type from `Accept`: the one with the higher quality, `application/graphql-response+json`
/// on a tie; wildcards and no header mean `application/json`. `None` when neither is acceptable.
pub fn negotiate(accept: Option<&str>) -> Option<Media> {
    let Some(accept) = accept.filter(|a| !a.trim().is_empty()) else { return Some(Media::Json) };
    let (mut graphql, mut json, mut wildcard) = (None::<f32>, None::<f32>, None::<f32>);
    for range in accept.split(',') {
        let mut parts = range.split(';');
        let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = parts
            .filter_map(|p| p.trim().strip_prefix("q=").and_then(|q| q.trim().parse::<f32>().ok()))
            .next()
            .unwrap_or(1.0);
        let slot = match media.as_str() {
            "application/graphql-response+json" => &mut graphql,
            "application/json" => &mut json,
            "*/*" | "application/*" => &mut wildcard,
            _ => continue,
        };
        *slot = Some(slot.map_or(q, |old: f32| old.max(q)));
    }
    let json = json.or(wildcard).unwrap_or(0.0);
    let graphql = graphql.unwrap_or(0.0);
    if graphql > 0.0 && graphql >= json {
        Some(Media::GraphqlResponse)
    } else if json > 0.0 {
        Some(Media::Json)
    } else {
        None
    }
}

/// The parameters of a GraphQL-over-HTTP request, from a JSON body or a query string.
#[derive(Debug, Default)]
struct Params {
    query: Option<String>,
    operation_name: Option<String>,
    variables: Option<serde_json::Value>,
    extensions: serde_json::Map<String, serde_json::Value>,
}

fn bad_request(message: impl Into<String>) -> Refusal {
    Refusal::request(code::BAD_REQUEST, message)
}

impl Params {
    fn from_json(body: &[u8]) -> Result<Self, Refusal> {
        let value: serde_json::Value =
            serde_json::from_slice(body).map_err(|e| bad_request(format!("the body is not JSON: {e}")))?;
        let serde_json::Value::Object(mut object) = value else {
            return Err(bad_request("the body must be a JSON object {\"query\": ...} (batches are not supported)"));
        };
        let text = |object: &mut serde_json::Map<String, serde_json::Value>, key: &str| match object.remove(key) {
            None | Some(serde_json::Value::Null) => Ok(None),
            Some(serde_json::Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(bad_request(format!("`{key}` must be a string"))),
        };
        let query = text(&mut object, "query")?;
        let operation_name = text(&mut object, "operationName")?;
        let variables = object.remove("variables");
        let extensions = match object.remove("extensions") {
            None | Some(serde_json::Value::Null) => serde_json::Map::new(),
            Some(serde_json::Value::Object(m)) => m,
            Some(_) => return Err(bad_request("`extensions` must be an object")),
        };
        Ok(Self { query, operation_name, variables, extensions })
    }

    fn from_query_string(qs: &str) -> Result<Self, Refusal> {
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_str(qs).map_err(|e| bad_request(format!("cannot read the query string: {e}")))?;
        let mut params = Params::default();
        for (key, value) in pairs {
            match key.as_str() {
                "query" => params.query = Some(value),
                "operationName" => params.operation_name = Some(value).filter(|v| !v.is_empty()),
                "variables" if !value.is_empty() => {
                    params.variables = Some(
                        serde_json::from_str(&value)
                            .map_err(|e| bad_request(format!("`variables` is not JSON: {e}")))?,
                    );
                }
                "extensions" if !value.is_empty() => match serde_json::from_str(&value) {
                    Ok(serde_json::Value::Object(m)) => params.extensions = m,
                    _ => return Err(bad_request("`extensions` must be a JSON object")),
                },
                _ => {}
            }
        }
        Ok(params)
    }
}

/// `/graphql`, every method.
pub async fn handle(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    RawQuery(query_string): RawQuery,
    body: Body,
) -> Response {
    let started = Instant::now();
    let mut operation = None;
    let response = match answer(&state, &method, &headers, query_string, body, &mut operation).await {
        Ok(response) => response,
        Err(refusal) => {
            let method_not_allowed = refusal.status == StatusCode::METHOD_NOT_ALLOWED;
            let mut response = refusal.into_response();
            if method_not_allowed {
                let allow = if is_get(&method) { "POST" } else { "GET, POST" };
                response.headers_mut().insert(header::ALLOW, HeaderValue::from_static(allow));
            }
            response
        }
    };
    state.metrics.record_graphql(operation.as_deref(), response.status().as_u16(), started.elapsed());
    response
}

async fn answer(
    state: &AppState,
    method: &Method,
    headers: &HeaderMap,
    query_string: Option<String>,
    body: Body,
    operation: &mut Option<String>,
) -> Result<Response, Refusal> {
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok());
    let query_string = query_string.filter(|q| !q.is_empty());
    if is_get(method) && query_string.is_none() && accept.is_some_and(|a| a.contains("text/html")) {
        return Ok(graphiql::page());
    }
    let media = negotiate(accept).ok_or_else(|| {
        Refusal::new(
            StatusCode::NOT_ACCEPTABLE,
            code::NOT_ACCEPTABLE,
            "the Accept header allows neither application/graphql-response+json nor application/json",
        )
    })?;
    let limit = state.config.max_body_bytes;
    // A GET's tag covers the dataset version and the request as sent (its query string and the media type).
    let qs = query_string.unwrap_or_default();
    let tag_of = |version: Option<&str>| caching::etag(version, &[&qs, media.content_type()]);
    let cache_key = format!("{}|{qs}", media.content_type());
    if is_get(method) && qs.len() <= limit {
        // Answered before: served from memory, with no parsing and no database (the version is the watched one).
        let version = state.models.current_version(&state.db).await.map_err(|e| Refusal::unavailable(&e))?;
        if let Some(hit) = state.responses.get(&cache_key).filter(|hit| hit.version == version) {
            operation.clone_from(&hit.operation);
            if caching::not_modified_if_ok(headers, &hit.etag) {
                return Ok(caching::not_modified_response(&hit.etag, state.config.cache_max_age, "Accept"));
            }
            return Ok(cached_response(&hit, true));
        }
        let tag = tag_of(version.as_deref());
        if caching::not_modified(headers, &tag) {
            return Ok(caching::not_modified_response(&tag, state.config.cache_max_age, "Accept"));
        }
    }
    let params = match *method {
        Method::GET | Method::HEAD => {
            if qs.len() > limit {
                return Err(Refusal::new(
                    StatusCode::URI_TOO_LONG,
                    code::REQUEST_TOO_LARGE,
                    format!(
                        "the query string is {} bytes; the limit is {limit}: use POST or a persisted query",
                        qs.len()
                    ),
                ));
            }
            Params::from_query_string(&qs)?
        }
        Method::POST => {
            let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
            let essence = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
            if essence != "application/json" {
                return Err(Refusal::new(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    code::UNSUPPORTED_MEDIA_TYPE,
                    format!("a POST body must be application/json, found {content_type:?}"),
                ));
            }
            Params::from_json(&read_body(body, limit, state.config.body_timeout).await?)?
        }
        _ => {
            return Err(Refusal::new(
                StatusCode::METHOD_NOT_ALLOWED,
                code::METHOD_NOT_ALLOWED,
                format!("{method} is not allowed on /graphql: use GET for queries or POST"),
            ));
        }
    };
    let hash = params.extensions.get("persistedQuery").map(super::apq::persisted_hash).transpose()?;
    if params.query.is_none() && hash.is_none() {
        return Err(bad_request("the request has no `query` (nor a persisted query's hash)"));
    }
    let query = match super::apq::resolve(&state.apq, state.config.safelist.as_deref(), params.query, hash) {
        Ok(query) => query,
        // A persisted query the server cannot settle is a GraphQL request error, answered as the protocol says.
        Err(refusal) => return Ok(graphql_response(media, &refusal.into_graphql())),
    };
    let variables = match params.variables {
        None | Some(serde_json::Value::Null) => None,
        Some(v @ serde_json::Value::Object(_)) => Some(v),
        Some(_) => return Err(bad_request("`variables` must be a JSON object")),
    };
    let mut request = GqlRequest::new(query.clone());
    if let Some(name) = &params.operation_name {
        request = request.operation_name(name.clone());
    }
    if let Some(v) = &variables {
        request = request.variables(Variables::from_json(v.clone()));
    }
    for (key, value) in &params.extensions {
        request.extensions.insert(key.clone(), async_graphql::Value::from_json(value.clone()).unwrap_or_default());
    }
    // Which operation runs decides GET's refusal of mutations and names the request in the metrics. A document
    // that does not parse is reported by `run`, as GraphQL errors.
    if let Ok(document) = crate::graphql::document(&state.schema, &mut request) {
        let chosen = match &document.operations {
            // The parser keeps anonymous operations as `Single`, named ones in `Multiple`.
            async_graphql::parser::types::DocumentOperations::Single(op) => Some((None, op)),
            async_graphql::parser::types::DocumentOperations::Multiple(ops) => match &params.operation_name {
                Some(name) => ops.get_key_value(name.as_str()).map(|(n, op)| (Some(n.to_string()), op)),
                None if ops.len() == 1 => ops.iter().next().map(|(n, op)| (Some(n.to_string()), op)),
                None => None,
            },
        };
        if let Some((name, op)) = chosen {
            *operation = name.or_else(|| params.operation_name.clone());
            if is_get(method) && op.node.ty != OperationType::Query {
                return Err(Refusal::new(
                    StatusCode::METHOD_NOT_ALLOWED,
                    code::METHOD_NOT_ALLOWED,
                    format!("a {} cannot be sent with GET: use POST", op.node.ty),
                ));
            }
        }
    }
    if !is_get(method) {
        // Its snapshot is begun only if a statement is needed: many answers come from the read model alone.
        let response = run(&state.schema, Scope::lazy(state.db.clone(), state.models.clone()), request)
            .await
            .map_err(|e| Refusal::unavailable(&e))?;
        return Ok(graphql_response(media, &response));
    }
    // The tag of this answer comes from its own snapshot's version, which may be newer than the watched one.
    let (snapshot, version) = state.versioned_snapshot().await?;
    let tag = tag_of(version.as_deref());
    if caching::not_modified(headers, &tag) {
        snapshot.finish().await;
        return Ok(caching::not_modified_response(&tag, state.config.cache_max_age, "Accept"));
    }
    let response = run(&state.schema, snapshot, request).await.map_err(|e| Refusal::unavailable(&e))?;
    if !response.errors.is_empty() {
        return Ok(graphql_response(media, &response));
    }
    let (_, body) = graphql_body(media, &response);
    let validators = caching::validators(&tag, state.config.cache_max_age);
    let content_type = media.content_type();
    let cached =
        Cached { version, etag: tag, body: body.into(), content_type, operation: operation.clone(), validators };
    let cached = std::sync::Arc::new(cached);
    state.responses.insert(&cache_key, cached.clone());
    // `If-None-Match: *` is answered only now, known to be a success: a refusal always wins over `304`.
    if caching::not_modified_if_ok(headers, &cached.etag) {
        return Ok(caching::not_modified_response(&cached.etag, state.config.cache_max_age, "Accept"));
    }
    Ok(cached_response(&cached, false))
}

/// A cacheable GET answer from `cached`, with `X-Cache` saying whether it came from the cache.
fn cached_response(cached: &Cached, hit: bool) -> Response {
    let mut http = (StatusCode::OK, [(header::CONTENT_TYPE, cached.content_type)], cached.body.clone()).into_response();
    let headers = http.headers_mut();
    headers.insert(header::VARY, HeaderValue::from_static("Accept"));
    headers.insert(X_CACHE, HeaderValue::from_static(if hit { "HIT" } else { "MISS" }));
    if let Some((etag, cache_control)) = &cached.validators {
        headers.insert(header::ETAG, etag.clone());
        headers.insert(header::CACHE_CONTROL, cache_control.clone());
    }
    http
}

/// Whether a GET was answered from the server's response cache (`HIT`) or computed (`MISS`).
pub const X_CACHE: header::HeaderName = header::HeaderName::from_static("x-cache");

/// GET, or HEAD (a GET without the body).
fn is_get(method: &Method) -> bool {
    *method == Method::GET || *method == Method::HEAD
}

/// The body, refused when over `limit` bytes or still arriving after `timeout` (a client sending a byte at a time
/// would otherwise hold its connection and buffer for as long as it likes).
async fn read_body(body: Body, limit: usize, timeout: std::time::Duration) -> Result<Bytes, Refusal> {
    match tokio::time::timeout(timeout, axum::body::to_bytes(body, limit)).await {
        Ok(Ok(bytes)) => Ok(bytes),
        Ok(Err(_)) => Err(Refusal::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            code::REQUEST_TOO_LARGE,
            format!("the request body is over the limit of {limit} bytes: use a persisted query"),
        )),
        Err(_) => Err(Refusal::new(
            StatusCode::REQUEST_TIMEOUT,
            code::REQUEST_TIMEOUT,
            format!("the request body did not arrive within {} s", timeout.as_secs_f64()),
        )),
    }
}

/// The status and body of a GraphQL response in `media`: the status the specification gives, and no `data` on a
/// request error.
fn graphql_body(media: Media, response: &async_graphql::Response) -> (StatusCode, Vec<u8>) {
    if !is_request_error(response) {
        return (StatusCode::OK, serde_json::to_vec(response).unwrap_or_default());
    }
    let status = if media == Media::GraphqlResponse { StatusCode::BAD_REQUEST } else { StatusCode::OK };
    let mut json = serde_json::to_value(response).unwrap_or_else(|_| serde_json::json!({"errors": []}));
    if let Some(object) = json.as_object_mut() {
        object.remove("data");
    }
    (status, serde_json::to_vec(&json).unwrap_or_default())
}

/// A GraphQL response that is not cached (a POST, or an answer with errors): `Cache-Control: no-store`. Cacheable
/// GET answers go through [`cached_response`].
fn graphql_response(media: Media, response: &async_graphql::Response) -> Response {
    let (status, body) = graphql_body(media, response);
    let mut http = (status, [(header::CONTENT_TYPE, media.content_type())], body).into_response();
    let headers = http.headers_mut();
    headers.insert(header::VARY, HeaderValue::from_static("Accept"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    http
}

#[cfg(test)]
mod tests {
    use super::{Media, negotiate};

    #[test]
    fn accept_headers_choose_the_media_type() {
        assert_eq!(negotiate(None), Some(Media::Json));
        assert_eq!(negotiate(Some("application/graphql-response+json")), Some(Media::GraphqlResponse));
        assert_eq!(
            negotiate(Some("application/json, application/graphql-response+json")),
            Some(Media::GraphqlResponse)
        );
        assert_eq!(negotiate(Some("application/json;q=1, application/graphql-response+json;q=0.9")), Some(Media::Json));
        assert_eq!(negotiate(Some("text/html, */*;q=0.8")), Some(Media::Json));
        assert_eq!(negotiate(Some("text/html")), None);
        assert_eq!(negotiate(Some("application/json;q=0")), None);
    }
}
