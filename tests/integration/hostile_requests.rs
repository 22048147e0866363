//! Requests that are the client's mistake or the client's attack (issue 14, item 8): each gets a GraphQL error with
//! a stable code and the right status, never `INTERNAL`, and says what would have been right. And the read model
//! keeps answering while the database is unreachable.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::support::http::{Answer, GRAPHQL_RESPONSE, call, post_json};
use crate::support::TestDb;

/// A TCP relay to a PostgreSQL server that can be cut, as an outage would.
struct Relay {
    addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
    links: std::sync::Arc<std::sync::Mutex<Vec<tokio::task::JoinHandle<()>>>>,
}

impl Relay {
    async fn start(target: String) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let links = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let kept = links.clone();
        let task = tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let target = target.clone();
                let link = tokio::spawn(async move {
                    if let Ok(mut server) = tokio::net::TcpStream::connect(target).await {
                        tokio::io::copy_bidirectional(&mut client, &mut server).await.ok();
                    }
                });
                kept.lock().expect("links").push(link);
            }
        });
        Self { addr, task, links }
    }

    /// Stops listening and cuts every connection.
    fn cut(&self) {
        self.task.abort();
        for link in self.links.lock().expect("links").drain(..) {
            link.abort();
        }
    }
}

#[tokio::test]
async fn during_a_database_outage_the_read_model_still_answers_and_the_rest_fails_fast() {
    let Ok(admin) = std::env::var("TEST_DATABASE_URL") else { return };
    if admin.is_empty() {
        return;
    }
    let backend = crate::support::Backend::Postgres(admin);
    let t = TestDb::new(&backend).await;
    send_importer::import(&t.db, send_importer::bundled(), Default::default()).await.expect("import");
    // The test database's host and port, reached through the relay.
    let authority = t.url.split('@').nth(1).and_then(|r| r.split('/').next()).expect("host:port").to_owned();
    let relay = Relay::start(authority.clone()).await;
    let relayed_url = t.url.replacen(&authority, &relay.addr.to_string(), 1);
    let db = send_model::connect(&send_model::DbConfig::new(relayed_url)).await.expect("connect through the relay");
    // Every request checks the version: the outage is met at once.
    let config = send_api::HttpConfig { version_refresh: Duration::ZERO, ..Default::default() };
    let router = send_api::app(send_api::AppState::with_config(db.clone(), config));
    let from_model = json!({"query": "{ outcomeProfile(filter: {framework: FRAMEWORK_2023, year: 2023}) { total } }"});
    let from_database = json!({"query": "{ inspections(first: 2) { edges { node { key } } } }"});
    let Answer { status, .. } = call(&router, post_json(&from_model, Some(GRAPHQL_RESPONSE))).await;
    assert_eq!(status, StatusCode::OK);
    relay.cut();
    // The first request meets the outage (and may wait for the pool); the read model answers it all the same.
    let Answer { status, body, .. } = call(&router, post_json(&from_model, Some(GRAPHQL_RESPONSE))).await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    for _ in 0..5 {
        let started = Instant::now();
        let Answer { status, body, .. } = call(&router, post_json(&from_model, Some(GRAPHQL_RESPONSE))).await;
        let body: Value = serde_json::from_slice(&body).expect("json");
        assert_eq!((status, &body["data"]["outcomeProfile"]["total"]), (StatusCode::OK, &json!(26)), "{body}");
        // Far below the pool's 5 s timeout, which every request waited for before.
        assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
        let started = Instant::now();
        let Answer { status, .. } = call(&router, post_json(&from_database, Some(GRAPHQL_RESPONSE))).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
    }
    db.close().await.ok();
    t.close().await;
}
