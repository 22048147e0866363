//! `send-api` serving: what it does on start (migrate, import the bundled data into an empty database, once), a query
//! over a real socket, answers from a read database when one is given, and graceful shutdown.

use std::time::Duration;

use serde_json::json;

use crate::support::http::{PROFILE, total_of};
use crate::support::{TestDb, backends, each_backend_with_data};

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

/// SIGTERM's path: once shutdown starts, a request already being received still gets its answer, the server
/// stops, and new connections are refused.
#[tokio::test]
async fn graceful_shutdown_finishes_in_flight_requests_and_refuses_new_ones() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    each_backend_with_data(|t| async move {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind loopback");
        let addr = listener.local_addr().expect("addr");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let state = send_api::AppState::new(t.db.clone());
        let server = tokio::spawn(send_api::serve(listener, state, async {
            stopped.await.ok();
        }));
        let body = json!({ "query": PROFILE }).to_string();
        let (head, rest) = body.split_at(10);
        let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
        let request = format!(
            "POST /graphql HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{head}",
            body.len()
        );
        stream.write_all(request.as_bytes()).await.expect("write head");
        tokio::time::sleep(Duration::from_millis(200)).await;
        stop.send(()).expect("signal shutdown");
        tokio::time::sleep(Duration::from_millis(200)).await;
        stream.write_all(rest.as_bytes()).await.expect("the in-flight request may finish");
        let mut response = String::new();
        stream.read_to_string(&mut response).await.expect("read");
        assert!(response.starts_with("HTTP/1.1 200"), "{response}");
        assert!(response.contains("\"total\":"), "{response}");
        tokio::time::timeout(Duration::from_secs(10), server).await.expect("the server stops").expect("join").expect("serve");
        assert!(tokio::net::TcpStream::connect(addr).await.is_err(), "new connections are refused");
        t
    })
    .await;
}
