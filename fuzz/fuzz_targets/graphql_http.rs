//! A request to `POST /graphql` as a client controls it, through the router the server runs
//! (`send_api::app`, driven with tower's `oneshot`, no socket). The first byte picks the `Content-Type` and
//! `Accept` headers; the rest is the body (a JSON request `{"query", "variables", "operationName", "extensions"}`
//! in the seeds, anything after mutation).
//!
//! The answer must never be a 5xx (a client's request is never the server's fault, and the database here is up),
//! and every error in a JSON body must carry an `extensions.code` other than `INTERNAL`.
#![no_main]

use axum::body::Body;
use axum::http::{Request, header};
use http_body_util::BodyExt;
use libfuzzer_sys::fuzz_target;
use tower::ServiceExt;

const CONTENT_TYPES: [&str; 4] =
    ["application/json", "application/graphql", "application/json; charset=utf-8", "text/plain"];
const ACCEPTS: [&str; 4] = ["application/graphql-response+json", "application/json", "*/*", "text/html"];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else { return };
    let content_type = CONTENT_TYPES[usize::from(selector & 3)];
    let accept = ACCEPTS[usize::from((selector >> 2) & 3)];
    let server = send_fuzz::server();
    let request = Request::post("/graphql")
        .header(header::CONTENT_TYPE, content_type)
        .header(header::ACCEPT, accept)
        .body(Body::from(body.to_vec()))
        .expect("a request");
    let router = send_api::app(server.state.clone());
    let (status, bytes) = server.runtime.block_on(async {
        let response = router.oneshot(request).await.expect("the router always answers");
        let (parts, body) = response.into_parts();
        (parts.status, body.collect().await.expect("a body").to_bytes())
    });
    let shown = String::from_utf8_lossy(body);
    assert!(!status.is_server_error(), "{status} for {content_type} / {accept}: {shown:?}");
    if let Ok(answer) = serde_json::from_slice::<serde_json::Value>(&bytes) {
        send_fuzz::assert_errors_coded(&answer, &shown);
    }
});
