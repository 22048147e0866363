//! The operations endpoints: `/health`, `/ready` (which follows the database and its migrations), `/metrics` and
//! `/schema.graphql`.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};

use crate::support::http::{GRAPHQL_RESPONSE, PROFILE, call, get, get_ok, post, router, send};
use crate::support::{TestDb, each_backend, each_backend_with_data, gql_data};

#[tokio::test]
async fn health_answers_ok() {
    each_backend(|t| async move {
        let (status, _, body) = send(&t, Request::get("/health").body(Body::empty()).expect("request")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(serde_json::from_str::<Value>(&body).expect("json")["status"], "ok");
        t
    })
    .await;
}

#[tokio::test]
async fn operations_endpoints_report_health_readiness_metrics_and_the_schema() {
    each_backend_with_data(|t| async move {
        let app = router(&t);
        let a = call(&app, get("/health", &[])).await;
        assert_eq!((a.status, a.json()["status"].clone()), (StatusCode::OK, json!("ok")));
        get_ok(&app, "/ready").await;

        // Metrics: requests by operation and status, latency, import runs, the dataset version.
        for _ in 0..2 {
            call(&app, post("query Profile { dataset { title } }", None)).await;
        }
        call(&app, post("query Broken { nosuchfield }", Some(GRAPHQL_RESPONSE))).await;
        let metrics = call(&app, get("/metrics", &[])).await;
        assert!(metrics.header(header::CONTENT_TYPE).starts_with("text/plain"));
        let text = metrics.text();
        assert!(text.contains("send_graphql_requests_total{operation=\"Profile\",status=\"200\"} 2"), "{text}");
        assert!(text.contains("send_graphql_requests_total{operation=\"Broken\",status=\"400\"} 1"), "{text}");
        assert!(text.contains("send_graphql_request_duration_seconds_count{operation=\"Profile\"} 2"), "{text}");
        assert!(text.contains("send_graphql_request_duration_seconds_bucket{operation=\"Profile\",le=\"+Inf\"} 2"));
        assert!(text.contains("send_http_requests_total{route=\"/ready\",status=\"200\"} 1"), "{text}");
        let runs = gql_data(&t.db, "{ dataset { version importRuns(first: 100) { id } } }").await;
        let count = runs["dataset"]["importRuns"].as_array().map_or(0, Vec::len);
        assert!(text.contains(&format!("send_import_runs {count}\n")), "{count}: {text}");
        let version = runs["dataset"]["version"].as_str().expect("version").to_owned();
        assert!(text.contains(&format!("send_dataset_version{{version=\"{version}\"}} {}", &version[1..])), "{text}");

        let a = call(&app, get("/schema.graphql", &[])).await;
        assert_eq!(a.text(), send_api::sdl());
        assert!(a.text().contains("type Query"));
        let a = call(&app, get("/nowhere", &[])).await;
        assert_eq!((a.status, a.code().as_str()), (StatusCode::NOT_FOUND, "NOT_FOUND"));

        // Readiness follows the database: a closed pool is not ready.
        t.db.clone().close().await.ok();
        let a = call(&app, get("/ready", &[])).await;
        assert_eq!(a.status, StatusCode::SERVICE_UNAVAILABLE, "{}", a.text());
        assert_eq!(a.json()["status"], "not ready");
        let a = call(&app, post(PROFILE, None)).await;
        assert_eq!((a.status, a.code().as_str()), (StatusCode::SERVICE_UNAVAILABLE, "INTERNAL"), "never a 500");
        let metrics = call(&app, get("/metrics", &[])).await;
        assert!(metrics.text().contains("send_database_up 0"), "{}", metrics.text());
        t
    })
    .await;
}

#[tokio::test]
async fn ready_is_503_until_the_database_is_migrated() {
    for backend in crate::support::backends() {
        let t = TestDb::new_unmigrated(&backend).await;
        let app = router(&t);
        let a = call(&app, get("/ready", &[])).await;
        assert_eq!(a.status, StatusCode::SERVICE_UNAVAILABLE, "{}", a.text());
        assert!(a.json()["reason"].as_str().unwrap_or("").contains("migration"), "{}", a.text());
        send_model::migrate(&t.db).await.expect("migrate");
        assert_eq!(call(&app, get("/ready", &[])).await.status, StatusCode::OK);
        t.close().await;
        crate::support::record_pass(&backend);
    }
}
