//! The HTTP face through the router (no socket), one real socket end to end, and `send-api`'s start-up.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

use crate::support::{TestDb, backends, each_backend, each_backend_with_data};

const PROFILE: &str =
    "{ outcomeProfile(filter: {framework: FRAMEWORK_2023, year: 2023}) { total outcomes { outcome count share } } }";

async fn send(t: &TestDb, request: Request<Body>) -> (StatusCode, String, String) {
    let app = send_api::app(send_api::AppState::new(t.db.clone()));
    let response = app.oneshot(request).await.expect("infallible router");
    let status = response.status();
    let content_type =
        response.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let body = response.into_body().collect().await.expect("body").to_bytes();
    (status, content_type, String::from_utf8_lossy(&body).into_owned())
}

fn post(body: &str) -> Request<Body> {
    Request::post("/graphql")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_owned()))
        .expect("request")
}

/// Percent-encodes a query-string value.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

fn total_of(body: &str) -> Value {
    let json: Value = serde_json::from_str(body).expect("JSON body");
    json["data"]["outcomeProfile"]["total"].clone()
}

#[tokio::test]
async fn post_graphql_answers_the_2023_profile() {
    each_backend_with_data(|t| async move {
        let (status, content_type, body) = send(&t, post(&serde_json::json!({ "query": PROFILE }).to_string())).await;
        assert_eq!(status, StatusCode::OK);
        assert!(content_type.contains("json"), "{content_type}");
        assert_eq!(total_of(&body), 26);
        t
    })
    .await;
}

#[tokio::test]
async fn get_graphql_runs_a_query_from_the_query_string() {
    each_backend_with_data(|t| async move {
        let request = Request::get(format!("/graphql?query={}", encode(PROFILE))).body(Body::empty()).expect("request");
        let (status, _, body) = send(&t, request).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(total_of(&body), 26);
        t
    })
    .await;
}

#[tokio::test]
async fn get_graphql_without_a_query_opens_graphiql() {
    each_backend(|t| async move {
        let request =
            Request::get("/graphql").header(header::ACCEPT, "text/html").body(Body::empty()).expect("request");
        let (status, content_type, body) = send(&t, request).await;
        assert_eq!(status, StatusCode::OK);
        assert!(content_type.starts_with("text/html"), "{content_type}");
        assert!(body.contains("graphiql"), "GraphiQL page");
        t
    })
    .await;
}

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
async fn malformed_requests_are_client_errors_never_500() {
    each_backend_with_data(|t| async move {
        let (status, _, _) = send(&t, post("{not json")).await;
        assert!(status.is_client_error(), "{status}");
        let request = Request::get("/graphql?query=%7B&variables=%7Bbad").body(Body::empty()).expect("request");
        let (status, _, body) = send(&t, request).await;
        assert!(status.is_client_error(), "{status} {body}");
        let (status, _, body) = send(&t, post(r#"{"query": "{ area(code: \"xyz\") { name } }"}"#)).await;
        assert_eq!(status, StatusCode::OK);
        let json: Value = serde_json::from_str(&body).expect("json");
        assert_eq!(json["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
        let (status, _, body) = send(&t, post(r#"{"query": "{ area(code: "}"#)).await;
        assert_ne!(status, StatusCode::INTERNAL_SERVER_ERROR);
        let json: Value = serde_json::from_str(&body).expect("json");
        assert_eq!(json["errors"][0]["extensions"]["code"], "GRAPHQL_PARSE_FAILED");
        t
    })
    .await;
}

/// What `send-api` does on start: migrate, import the bundled data into an empty database, and not again.
#[tokio::test]
async fn start_up_imports_the_bundled_data_once_then_serves_it_over_a_real_socket() {
    for backend in backends() {
        let t = TestDb::new(&backend).await;
        let first = send_api::prepare(&t.db, true).await.expect("prepare");
        assert!(first.is_some_and(|r| r.inserted() > 0), "an empty database gets the bundled data");
        let second = send_api::prepare(&t.db, true).await.expect("prepare again");
        assert!(second.is_none(), "a database with data is left alone");

        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind loopback");
        let addr = listener.local_addr().expect("addr");
        let server =
            tokio::spawn(axum::serve(listener, send_api::app(send_api::AppState::new(t.db.clone()))).into_future());
        let body = serde_json::json!({ "query": PROFILE }).to_string();
        let request = format!(
            "POST /graphql HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
        tokio::io::AsyncWriteExt::write_all(&mut stream, request.as_bytes()).await.expect("write");
        let mut response = String::new();
        tokio::io::AsyncReadExt::read_to_string(&mut stream, &mut response).await.expect("read");
        server.abort();
        assert!(response.starts_with("HTTP/1.1 200"), "{response}");
        let json = response.split("\r\n\r\n").nth(1).expect("body");
        assert_eq!(total_of(json), 26);
        t.close().await;
        crate::support::record_pass(&backend);
    }
}

/// Every entry point answers the same over HTTP (POST and GET) as through the schema.
#[tokio::test]
async fn every_query_answers_the_same_over_http_as_through_the_schema() {
    let queries = [
        PROFILE,
        r#"{ area(code: "E10000029") { code name partners { code } inspections { id outcome priorityActions { theme } } } }"#,
        r#"{ areas(first: 5, filter: {region: "E12000006"}, orderBy: {field: CODE}) { totalCount edges { cursor node { code } } } }"#,
        r#"{ inspections(first: 5, filter: {framework: FRAMEWORK_2023, outcome: WIDESPREAD_SYSTEMIC_FAILINGS}) { totalCount edges { node { id } } } }"#,
        r#"{ priorityActionThemes(filter: {year: 2024}) { theme priorityActions inspections } }"#,
        r#"{ thematicVisits(filter: {year: 2024}) { area { code } label pathways } }"#,
        r#"{ dataset { licence attribution sources { source sha256 } } }"#,
    ];
    each_backend_with_data(|t| async move {
        for query in queries {
            let direct = crate::support::gql_data(&t.db, query).await;
            assert!(direct.as_object().is_some_and(|o| o.values().all(|v| !v.is_null())), "{query}: {direct}");
            let (status, _, body) = send(&t, post(&serde_json::json!({ "query": query }).to_string())).await;
            assert_eq!(status, StatusCode::OK, "{query}");
            let json: Value = serde_json::from_str(&body).expect("json");
            assert_eq!(json["data"], direct, "POST {query}");
            let request =
                Request::get(format!("/graphql?query={}", encode(query))).body(Body::empty()).expect("request");
            let (status, _, body) = send(&t, request).await;
            assert_eq!(status, StatusCode::OK, "{query}");
            let json: Value = serde_json::from_str(&body).expect("json");
            assert_eq!(json["data"], direct, "GET {query}");
        }
        t
    })
    .await;
}

/// With a read database, `send-api` migrates and fills the primary but answers from the read database.
#[tokio::test]
async fn reads_are_served_from_the_read_database_when_one_is_given() {
    for backend in backends() {
        let primary = TestDb::new(&backend).await;
        let replica = TestDb::new(&backend).await;
        // The "replica" holds only reference data, so its answers differ from the primary's.
        let reference: Vec<_> =
            ["regions.csv", "icbs.csv", "local_areas.csv"].iter().map(|n| crate::support::data_file(n)).collect();
        send_importer::import(&replica.db, send_importer::read_paths(&reference).expect("read"), Default::default())
            .await
            .expect("import");
        let config = send_model::DbConfig::new(primary.url.clone());
        let served = send_api::open_for_serving(&config, Some(&replica.url), true).await.expect("open");
        let data = crate::support::gql_data(
            &served,
            "{ inspections(first: 0) { totalCount } areas(first: 0) { totalCount } }",
        )
        .await;
        assert_eq!(data["inspections"]["totalCount"], 0, "answers come from the read database");
        assert_eq!(data["areas"]["totalCount"], 153);
        let primary_data = crate::support::gql_data(&primary.db, "{ inspections(first: 0) { totalCount } }").await;
        assert_eq!(
            primary_data["inspections"]["totalCount"],
            crate::support::bundled_inspections().len(),
            "the primary was prepared"
        );
        served.close().await.ok();
        primary.close().await;
        replica.close().await;
        crate::support::record_pass(&backend);
    }
}
