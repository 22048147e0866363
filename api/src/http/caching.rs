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

/// Whether the request's `If-None-Match` lists `etag` (weak comparison) or is `*`.
pub fn not_modified(headers: &HeaderMap, etag: &str) -> bool {
    let bare = |t: &str| t.trim().trim_start_matches("W/").to_owned();
    let wanted = bare(etag);
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|t| t.trim() == "*" || bare(t) == wanted)
}

/// Headers of a cacheable response.
pub fn cacheable(headers: &mut HeaderMap, etag: &str, max_age: u32) {
    if let Ok(value) = HeaderValue::from_str(etag) {
        headers.insert(header::ETAG, value);
    }
    if let Ok(value) = HeaderValue::from_str(&format!("public, max-age={max_age}")) {
        headers.insert(header::CACHE_CONTROL, value);
    }
}

/// `304 Not Modified` with the validators a cache needs.
pub fn not_modified_response(etag: &str, max_age: u32, vary: &'static str) -> Response {
    let mut response = StatusCode::NOT_MODIFIED.into_response();
    cacheable(response.headers_mut(), etag, max_age);
    response.headers_mut().insert(header::VARY, HeaderValue::from_static(vary));
    response
}
