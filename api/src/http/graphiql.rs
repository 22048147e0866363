//! GraphiQL, served entirely by `send-api`: its scripts and styles are built from the npm packages by
//! `api/assets/graphiql/build.sh` and compiled into the binary, so the explorer works with no internet and under a
//! strict Content-Security-Policy (no inline script or style, nothing from another origin).

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::error::{Refusal, code};

/// The policy sent with the page and its assets: only this origin's scripts, styles and API. The one hash allows the
/// single `<style>` element GraphiQL 3.9.0 adds while a dialog is open (its scroll lock: `overflow: hidden` on the
/// body); the browser test opens a dialog, so an upgrade that changes it fails there, not silently.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self' 'sha256-Y/huXlwoYkVyQlxwSVcCi1RCDGDCSVBzDt0hYP9qlTc='; \
     img-src 'self' data:; font-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; \
     frame-ancestors 'none'";

const PAGE: &[u8] = include_bytes!("../../assets/graphiql/index.html");

/// The assets under `/graphiql/`: name, content type, bytes.
const ASSETS: &[(&str, &str, &[u8])] = &[
    ("graphiql.min.js", "text/javascript; charset=utf-8", include_bytes!("../../assets/graphiql/graphiql.min.js")),
    ("graphiql.min.css", "text/css; charset=utf-8", include_bytes!("../../assets/graphiql/graphiql.min.css")),
    (
        "react.production.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/graphiql/react.production.min.js"),
    ),
    (
        "react-dom.production.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/graphiql/react-dom.production.min.js"),
    ),
    ("init.js", "text/javascript; charset=utf-8", include_bytes!("../../assets/graphiql/init.js")),
    ("page.css", "text/css; charset=utf-8", include_bytes!("../../assets/graphiql/page.css")),
    ("VERSIONS", "text/plain; charset=utf-8", include_bytes!("../../assets/graphiql/VERSIONS")),
];

fn with_policy(content_type: &'static str, bytes: &'static [u8], cache: &'static str) -> Response {
    let mut response = ([(header::CONTENT_TYPE, content_type)], bytes).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    response
}

/// The GraphiQL page (a plain `GET /graphql` from a browser).
pub fn page() -> Response {
    let mut response = with_policy("text/html; charset=utf-8", PAGE, "no-cache");
    response.headers_mut().insert(header::VARY, HeaderValue::from_static("Accept"));
    response
}

/// `GET /graphiql`: the explorer at its own address, so that a page can link to it with a query to open
/// (`?query=...`, read by `init.js`).
pub async fn explorer() -> Response {
    page()
}

/// `GET /graphiql/{file}`.
pub async fn asset(Path(file): Path<String>) -> Response {
    match ASSETS.iter().find(|(name, _, _)| *name == file) {
        // The assets change only with the binary; an hour keeps a reload cheap without pinning old versions.
        Some((_, content_type, bytes)) => with_policy(content_type, bytes, "public, max-age=3600"),
        None => Refusal::new(StatusCode::NOT_FOUND, code::NOT_FOUND, format!("no GraphiQL asset named {file:?}"))
            .into_response(),
    }
}
