//! Headers of the answers: CORS (open and restricted, preflights included), compression, request IDs, and
//! `X-Content-Type-Options: nosniff` on every answer.

use axum::body::Body;
use axum::http::{Method, Request, header};
use serde_json::{Value, json};

use crate::support::http::{Answer, GRAPHQL_RESPONSE, PROFILE, call, get, get_query, post_json, router, router_with};
use crate::support::{each_backend_with_data, gql_data};

/// A CORS preflight of `/graphql` from `origin` for `method`, with `headers`.
fn preflight(origin: &str, method: &str, headers: &[(header::HeaderName, &str)]) -> Request<Body> {
    let mut request = Request::builder()
        .method(Method::OPTIONS)
        .uri("/graphql")
        .header(header::ORIGIN, origin)
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, method);
    for (name, value) in headers {
        request = request.header(name, *value);
    }
    request.body(Body::empty()).expect("request")
}

#[tokio::test]
async fn cors_compression_and_request_ids() {
    each_backend_with_data(|t| async move {
        let app = router(&t);
        let request_headers = [(header::ACCESS_CONTROL_REQUEST_HEADERS, "content-type")];
        let a = call(&app, preflight("https://dashboard.example", "POST", &request_headers)).await;
        assert!(a.status.is_success(), "{}", a.status);
        assert_eq!(a.header(header::ACCESS_CONTROL_ALLOW_ORIGIN), "*");
        assert!(a.header(header::ACCESS_CONTROL_ALLOW_METHODS).contains("POST"), "{:?}", a.headers);
        let allowed: Vec<&str> = a.header(header::ACCESS_CONTROL_ALLOW_HEADERS).split(',').map(str::trim).collect();
        for name in ["content-type", "accept", "if-none-match", "x-request-id"] {
            assert!(allowed.contains(&name), "{name} allowed: {allowed:?}");
        }
        assert_eq!(a.header(header::ACCESS_CONTROL_MAX_AGE), "86400");
        // A preflight is a request like any other: it has an ID (a new one, or its own) and is counted.
        assert_eq!(a.header(send_api::http::REQUEST_ID).len(), 16, "{:?}", a.headers);
        let fresh = router(&t);
        let own_id = [(send_api::http::REQUEST_ID, "preflight-7")];
        let a = call(&fresh, preflight("https://dashboard.example", "GET", &own_id)).await;
        assert_eq!(a.header(send_api::http::REQUEST_ID), "preflight-7");
        let metrics = call(&fresh, get("/metrics", &[])).await.text();
        let line = format!("send_http_requests_total{{route=\"/graphql\",status=\"{}\"}} 1", a.status.as_u16());
        assert!(metrics.contains(&line), "{line} in {metrics}");
        let a = call(&app, get_query(PROFILE, &[(header::ORIGIN, "https://dashboard.example")])).await;
        assert_eq!(a.header(header::ACCESS_CONTROL_ALLOW_ORIGIN), "*");
        assert!(a.header(header::ACCESS_CONTROL_EXPOSE_HEADERS).contains("etag"), "{:?}", a.headers);

        let config =
            send_api::HttpConfig { cors_origins: vec!["https://allowed.example".to_owned()], ..Default::default() };
        let strict = router_with(&t, config);
        let a = call(&strict, get_query(PROFILE, &[(header::ORIGIN, "https://allowed.example")])).await;
        assert_eq!(a.header(header::ACCESS_CONTROL_ALLOW_ORIGIN), "https://allowed.example");
        let a = call(&strict, get_query(PROFILE, &[(header::ORIGIN, "https://other.example")])).await;
        assert!(a.headers.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none(), "{:?}", a.headers);
        for (origin, allowed) in [("https://allowed.example", true), ("https://other.example", false)] {
            let a = call(&strict, preflight(origin, "POST", &[])).await;
            assert_eq!(
                a.headers.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_some(),
                allowed,
                "{origin}: {:?}",
                a.headers
            );
            assert_eq!(a.header(send_api::http::REQUEST_ID).len(), 16, "{origin}: {:?}", a.headers);
        }

        // Compression.
        let a = call(&app, get_query(PROFILE, &[(header::ACCEPT_ENCODING, "gzip")])).await;
        assert_eq!(a.header(header::CONTENT_ENCODING), "gzip");
        let mut text = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&a.body[..]), &mut text).expect("gzip");
        let json: Value = serde_json::from_str(&text).expect("JSON inside");
        assert_eq!(json["data"], gql_data(&t.db, PROFILE).await);
        let a = call(&app, get("/export/inspections.csv", &[(header::ACCEPT_ENCODING, "br")])).await;
        assert_eq!(a.header(header::CONTENT_ENCODING), "br");
        assert!(!a.body.starts_with(b"id,"), "compressed");

        // Request IDs: generated, or kept when sane.
        let a = call(&app, get("/health", &[])).await;
        let id = a.header(send_api::http::REQUEST_ID).to_owned();
        assert_eq!(id.len(), 16, "{id:?}");
        let b = call(&app, get("/health", &[])).await;
        assert_ne!(b.header(send_api::http::REQUEST_ID), id, "each request its own");
        let a = call(&app, get("/health", &[(send_api::http::REQUEST_ID, "trace-42.a:b")])).await;
        assert_eq!(a.header(send_api::http::REQUEST_ID), "trace-42.a:b");
        let a = call(&app, get("/health", &[(send_api::http::REQUEST_ID, "bad id with spaces")])).await;
        assert_eq!(a.header(send_api::http::REQUEST_ID).len(), 16);
        t
    })
    .await;
}

#[tokio::test]
async fn every_answer_says_nosniff() {
    each_backend_with_data(|t| async move {
        let config = send_api::HttpConfig { max_body_bytes: 200, ..Default::default() };
        let router = send_api::app(send_api::AppState::with_config(t.db.clone(), config));
        let get = |uri: &str| Request::get(uri).body(Body::empty()).expect("request");
        let requests = vec![
            post_json(&json!({"query": "{ dataset { licence } }"}), Some(GRAPHQL_RESPONSE)),
            post_json(&json!({"query": "{ nothing }"}), Some(GRAPHQL_RESPONSE)),
            post_json(&json!({"query": "x".repeat(300)}), Some(GRAPHQL_RESPONSE)),
            get("/graphql?query=%7B%20dataset%20%7B%20licence%20%7D%20%7D"),
            get("/health"),
            get("/ready"),
            get("/metrics"),
            get("/schema.graphql"),
            get("/export/inspections.csv"),
            get("/export/outcome-profile.csv?framework=FRAMEWORK_2023"),
            get("/nowhere"),
        ];
        for request in requests {
            let uri = request.uri().clone();
            let Answer { status, headers, .. } = call(&router, request).await;
            assert_eq!(
                headers.get(header::X_CONTENT_TYPE_OPTIONS).and_then(|v| v.to_str().ok()),
                Some("nosniff"),
                "{uri} ({status})"
            );
        }
        t
    })
    .await;
}
