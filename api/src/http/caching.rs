//! HTTP caching of read-mostly data: an ETag derived from the dataset version and the request, `304 Not Modified`
//! for a matching `If-None-Match`, and `Cache-Control`.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

/// A weak ETag (compression changes the bytes, not the meaning) over the dataset version and `parts` (the request:
/// resolved query, variables, operation name, media type, or the export's path and parameters). The version leads,
/// readable, so a tag shows which data it was computed on.
pub fn etag(version: Option<&str>, parts: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part.len().to_le_bytes());
        hasher.update(part.as_bytes());
    }
    let digest: String = hasher.finalize().iter().take(12).map(|b| format!("{b:02x}")).collect();
    format!("W/\"{}-{digest}\"", version.unwrap_or("r0"))
}

/// What a request's `If-None-Match` asks of an answer with a tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Precondition {
    /// It lists this tag (weak comparison): the client's copy is current, whatever the answer would be now.
    Listed,
    /// It is `*`: any current representation will do. Only an answer that would be `200` has one, so `*` is
    /// honoured only once that is known (a mutation over GET, a query that fails or a bad parameter is refused
    /// instead).
    Any,
    /// Neither (or no `If-None-Match`).
    None,
}

/// What the request's `If-None-Match` says about `etag`.
fn precondition(headers: &HeaderMap, etag: &str) -> Precondition {
    let bare = |t: &str| t.trim().trim_start_matches("W/").to_owned();
    let wanted = bare(etag);
    let mut any = false;
    for tag in headers.get_all(header::IF_NONE_MATCH).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(','))
    {
        if bare(tag) == wanted {
            return Precondition::Listed;
        }
        any |= tag.trim() == "*";
    }
    if any { Precondition::Any } else { Precondition::None }
}

/// Whether the request's `If-None-Match` lists `etag` (weak comparison): a tag is only ever sent with a `200`
/// answer, of this request on this dataset version, so the client's copy is current. `*` does not count here.
pub fn not_modified(headers: &HeaderMap, etag: &str) -> bool {
    precondition(headers, etag) == Precondition::Listed
}

/// Whether the request's `If-None-Match` lists `etag` or is `*`: for an answer already known to be `200`.
pub fn not_modified_if_ok(headers: &HeaderMap, etag: &str) -> bool {
    precondition(headers, etag) != Precondition::None
}

/// The `ETag` and `Cache-Control` values of a cacheable response.
pub fn validators(etag: &str, max_age: u32) -> Option<(HeaderValue, HeaderValue)> {
    Some((HeaderValue::from_str(etag).ok()?, HeaderValue::from_str(&format!("public, max-age={max_age}")).ok()?))
}

/// Headers of a cacheable response.
pub fn cacheable(headers: &mut HeaderMap, etag: &str, max_age: u32) {
    if let Some((etag, cache_control)) = validators(etag, max_age) {
        headers.insert(header::ETAG, etag);
        headers.insert(header::CACHE_CONTROL, cache_control);
    }
}

/// `304 Not Modified` with the validators a cache needs.
pub fn not_modified_response(etag: &str, max_age: u32, vary: &'static str) -> Response {
    let mut response = StatusCode::NOT_MODIFIED.into_response();
    cacheable(response.headers_mut(), etag, max_age);
    response.headers_mut().insert(header::VARY, HeaderValue::from_static(vary));
    response
}

/// A GraphQL answer kept for cacheable GETs.
#[derive(Debug, Clone)]
pub struct Cached {
    /// The dataset version it was computed on: it answers only while that is the current version.
    pub version: Option<String>,
    /// Its ETag.
    pub etag: String,
    /// The response body.
    pub body: axum::body::Bytes,
    /// Its content type.
    pub content_type: &'static str,
    /// The operation's name, for the metrics.
    pub operation: Option<String>,
    /// The `ETag` and `Cache-Control` header values, made once.
    pub validators: Option<(HeaderValue, HeaderValue)>,
}

impl crate::cache::Weigh for Cached {
    fn weight(&self) -> usize {
        let text = |s: &Option<String>| s.as_ref().map_or(0, String::capacity);
        std::mem::size_of::<Cached>()
            + self.body.len()
            + self.etag.capacity()
            + text(&self.version)
            + text(&self.operation)
            + self.validators.as_ref().map_or(0, |(a, b)| a.len() + b.len())
    }
}

/// Answers to GETs by request (media type and query string as sent), each with the version it was computed on,
/// bounded by the bytes of their keys and bodies. A hit costs a hash of the query string, no SHA-256 and no parsing.
pub type ResponseCache = crate::cache::BoundedCache<std::sync::Arc<Cached>>;
