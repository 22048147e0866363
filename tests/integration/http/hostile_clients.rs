//! Hostile clients through a real socket: requests built to crash the server, fill its memory or hold its connections.
//! After each abuse the server must still answer `/health` and a real query within a bound.

use std::net::SocketAddr;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

use crate::support::http::{encode, gauge_in, sha256_hex};
use crate::support::{TestDb, each_backend_with_data};

/// How long a well-behaved request may take here before the test calls the server unresponsive: generous for a
/// debug build on a loaded machine, far below the timeouts the abuses would otherwise hold things for.
const ANSWER_BOUND: Duration = Duration::from_secs(5);

/// A server on a loopback port, stopped when dropped.
struct Running {
    addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            stop.send(()).ok();
        }
    }
}

async fn start(t: &TestDb, config: send_api::HttpConfig) -> Running {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let state = send_api::AppState::with_config(t.db.clone(), config);
    tokio::spawn(send_api::serve(listener, state, async move {
        stopped.await.ok();
    }));
    Running { addr, stop: Some(stop) }
}

/// An HTTP/1.1 answer: status, head and body (chunked bodies decoded).
struct Answer {
    status: u16,
    head: String,
    body: Vec<u8>,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Sends `raw` on a new connection (which it asks the server to close) and reads the whole answer, within
/// [`ANSWER_BOUND`].
async fn exchange(addr: SocketAddr, raw: Vec<u8>) -> Answer {
    let work = async {
        let mut stream = TcpStream::connect(addr).await.expect("connect");
        stream.write_all(&raw).await.expect("send");
        let mut bytes = Vec::new();
        stream.read_to_end(&mut bytes).await.expect("read");
        bytes
    };
    let bytes = tokio::time::timeout(ANSWER_BOUND, work).await.expect("the server answered within the bound");
    parse_answer(&bytes)
}

fn parse_answer(bytes: &[u8]) -> Answer {
    let split = bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no HTTP head in {:?}", String::from_utf8_lossy(&bytes[..bytes.len().min(200)])));
    let head = String::from_utf8_lossy(&bytes[..split]).into_owned();
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).expect("status");
    let mut body = bytes[split + 4..].to_vec();
    if head.to_ascii_lowercase().contains("transfer-encoding: chunked") {
        body = dechunk(&body);
    }
    Answer { status, head, body }
}

fn dechunk(mut rest: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(end) = rest.windows(2).position(|w| w == b"\r\n") {
        let size = usize::from_str_radix(String::from_utf8_lossy(&rest[..end]).trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        let start = end + 2;
        out.extend_from_slice(&rest[start..(start + size).min(rest.len())]);
        rest = &rest[(start + size + 2).min(rest.len())..];
    }
    out
}

fn post_raw(query: &str) -> Vec<u8> {
    let body = json!({ "query": query }).to_string();
    format!(
        "POST /graphql HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n\
         Accept: application/graphql-response+json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

fn get_raw(path: &str) -> Vec<u8> {
    format!("GET {path} HTTP/1.1\r\nHost: t\r\nAccept: application/graphql-response+json\r\nConnection: close\r\n\r\n")
        .into_bytes()
}

/// The query every check ends with: real data, from the read model and the database.
const REAL_QUERY: &str = "{ outcomeProfile(filter: {framework: FRAMEWORK_2023, year: 2023}) { total } \
                          inspections(first: 3) { edges { node { key } } } }";

/// The server still answers `/health` and a real query, each within [`ANSWER_BOUND`].
async fn still_serves(addr: SocketAddr) {
    let health = exchange(addr, get_raw("/health")).await;
    assert_eq!(health.status, 200, "{}", health.text());
    let real = exchange(addr, post_raw(REAL_QUERY)).await;
    assert_eq!(real.status, 200, "{}", real.text());
    let data = real.json();
    assert!(data.get("errors").is_none(), "{data}");
    assert!(data["data"]["outcomeProfile"]["total"].as_i64().is_some_and(|n| n >= 26), "{data}");
    assert_eq!(data["data"]["inspections"]["edges"].as_array().map_or(0, Vec::len), 3, "{data}");
}

/// A gauge's value from `/metrics`: the series `name` with exactly `labels` (`""` for none).
async fn gauge(addr: SocketAddr, name: &str, labels: &str) -> f64 {
    gauge_in(&exchange(addr, get_raw("/metrics")).await.text(), name, labels)
}

fn first_code(answer: &Answer) -> String {
    answer.json()["errors"][0]["extensions"]["code"].as_str().unwrap_or("(none)").to_owned()
}

#[tokio::test]
async fn fragment_cycles_chains_and_bombs_are_refused_before_anything_walks_them() {
    each_backend_with_data(|t| async move {
        let server = start(&t, send_api::HttpConfig::default()).await;
        let chain: String = (0..1400).map(|i| format!("fragment F{i} on Query {{ ...F{} }} ", i + 1)).collect();
        let bomb: String =
            (0..40).map(|i| format!("fragment B{i} on Query {{ ...B{n} ...B{n} }} ", n = i + 1)).collect();
        let cases = [
            ("{ ...A } fragment A on Query { ...A }".to_owned(), "GRAPHQL_VALIDATION_FAILED"),
            ("{ dataset { ...D } } fragment D on Dataset { licence ...D }".to_owned(), "GRAPHQL_VALIDATION_FAILED"),
            (
                "{ ...A } fragment A on Query { ...B } fragment B on Query { dataset { ...C } } \
                 fragment C on Dataset { licence ... on Dataset { ...D } } fragment D on Dataset { ...C }"
                    .to_owned(),
                "GRAPHQL_VALIDATION_FAILED",
            ),
            // A cycle in a fragment the operation does not use is still a cycle validation would follow.
            ("{ dataset { licence } } fragment U on Query { ...U }".to_owned(), "GRAPHQL_VALIDATION_FAILED"),
            (format!("{{ ...F0 }} {chain} fragment F1400 on Query {{ dataset {{ licence }} }}"), "QUERY_TOO_DEEP"),
            (format!("{{ ...B0 }} {bomb} fragment B40 on Query {{ dataset {{ licence }} }}"), "QUERY_TOO_COMPLEX"),
        ];
        for (query, code) in &cases {
            let post = exchange(server.addr, post_raw(query)).await;
            assert_eq!(post.status, 400, "POST {}: {}", &query[..60.min(query.len())], post.text());
            assert_eq!(first_code(&post), *code, "POST: {}", post.text());
            assert!(post.json().get("data").is_none(), "a request error has no data");
            if query.len() < 30_000 {
                let get = exchange(server.addr, get_raw(&format!("/graphql?query={}", encode(query)))).await;
                assert_eq!(get.status, 400, "GET: {}", get.text());
                assert_eq!(first_code(&get), *code, "GET: {}", get.text());
            }
            still_serves(server.addr).await;
        }
        // A modest document with fragments still runs: the checks refuse shapes, not fragments.
        let fine = "{ ...Q } fragment Q on Query { dataset { ...D } } fragment D on Dataset { licence }";
        let answer = exchange(server.addr, post_raw(fine)).await;
        assert_eq!(answer.status, 200, "{}", answer.text());
        assert!(answer.json()["data"]["dataset"]["licence"].is_string());
        t
    })
    .await;
}

#[tokio::test]
async fn deeply_nested_text_is_a_parse_error_not_a_crash() {
    each_backend_with_data(|t| async move {
        let server = start(&t, send_api::HttpConfig::default()).await;
        // As deep as the body limit allows.
        let depth = 12_000;
        let fields = format!("{}{}", "{a".repeat(depth), "}".repeat(depth));
        let lists = format!("{{ area(code: {}1{}) {{ name }} }}", "[".repeat(depth), "]".repeat(depth));
        let objects =
            format!("{{ inspections(filter: {}{}) {{ totalCount }} }}", "{a:".repeat(depth), "}".repeat(depth));
        for query in [fields, lists, objects] {
            let answer = exchange(server.addr, post_raw(&query)).await;
            assert_eq!(answer.status, 400, "{}", answer.text());
            assert_eq!(first_code(&answer), "GRAPHQL_PARSE_FAILED", "{}", answer.text());
            still_serves(server.addr).await;
        }
        t
    })
    .await;
}

#[tokio::test]
async fn every_cache_stays_within_the_bytes_it_holds_keys_included() {
    each_backend_with_data(|t| async move {
        let response_cache_bytes = 1024 * 1024;
        let config = send_api::HttpConfig { response_cache_bytes, ..Default::default() };
        let server = start(&t, config).await;
        // GETs padded with a comment: each a new cache key of 30 KB with a small answer (the body alone would fit
        // hundreds of times).
        let padding = format!("#{}", "a".repeat(30 * 1024));
        for i in 0..120 {
            let query = format!("{{ dataset {{ licence }} }}\n{padding}{i}\n");
            let answer = exchange(server.addr, get_raw(&format!("/graphql?query={}", encode(&query)))).await;
            assert_eq!(answer.status, 200, "{}", answer.text());
        }
        let held = gauge(server.addr, "send_cache_bytes", "{cache=\"responses\"}").await;
        assert!(held > 0.0 && held <= response_cache_bytes as f64, "responses cache holds {held} bytes");
        // Documents of many fields: a parsed tree is many times its text, and is what the cache holds.
        let fields = "licence ".repeat(3000);
        for i in 0..60 {
            let answer = exchange(server.addr, post_raw(&format!("{{ dataset {{ {fields} }} }} #{i}"))).await;
            assert_eq!(answer.status, 200, "{}", answer.text());
        }
        let documents = gauge(server.addr, "send_cache_bytes", "{cache=\"documents\"}").await;
        let entries = gauge(server.addr, "send_cache_entries", "{cache=\"documents\"}").await;
        assert!(documents <= 32.0 * 1024.0 * 1024.0, "documents cache holds {documents} bytes");
        assert!(entries < 60.0, "documents of 3000 fields each are weighed by their trees: {entries} kept");
        // Automatic persisted queries: registrations of 60 KB each, past the store's bytes.
        let big = format!("{{ dataset {{ licence }} }} #{}", "x".repeat(60 * 1024));
        for i in 0..600 {
            let query = format!("{big}{i}");
            let hash = sha256_hex(&query);
            let body = json!({ "query": query, "extensions": {"persistedQuery": {"version": 1, "sha256Hash": hash}} });
            let body = body.to_string();
            let raw = format!(
                "POST /graphql HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
                 Connection: close\r\n\r\n{body}",
                body.len()
            );
            let answer = exchange(server.addr, raw.into_bytes()).await;
            assert_eq!(answer.status, 200, "{}", answer.text());
        }
        let apq = gauge(server.addr, "send_cache_bytes", "{cache=\"persisted_queries\"}").await;
        assert!(apq <= 32.0 * 1024.0 * 1024.0, "persisted queries hold {apq} bytes");
        still_serves(server.addr).await;
        t
    })
    .await;
}

#[tokio::test]
async fn idle_and_half_sent_connections_are_closed_and_never_shut_out_a_real_client() {
    each_backend_with_data(|t| async move {
        let connections = send_api::ConnectionLimits {
            max_connections: 32,
            header_timeout: Duration::from_millis(800),
            ..Default::default()
        };
        let server = start(&t, send_api::HttpConfig { connections, ..Default::default() }).await;
        // Far more connections than the cap, half of them sending a request head that never ends.
        let mut held = Vec::new();
        for i in 0..200 {
            let mut stream = TcpStream::connect(server.addr).await.expect("connect");
            if i % 2 == 1 {
                stream.write_all(b"POST /graphql HTTP/1.1\r\nHost: t\r\nContent-Type: app").await.ok();
            }
            held.push(stream);
        }
        // A real client gets in at once: the oldest idle connections make room.
        still_serves(server.addr).await;
        // The cap, and the quarter over it that connections asked to close may take while they go.
        let open = gauge(server.addr, "send_connections_open", "").await;
        assert!(open <= 40.0, "{open} connections open, over the cap of 32 and its slack of 8");
        // A connection that sends nothing is closed by the server within the header timeout.
        let mut idle = TcpStream::connect(server.addr).await.expect("connect");
        let mut buf = [0u8; 64];
        let read = tokio::time::timeout(ANSWER_BOUND, idle.read(&mut buf)).await;
        assert!(matches!(read, Ok(Ok(0)) | Ok(Err(_))), "an idle connection was left open: {read:?}");
        // And one that keeps a request head half-sent.
        let mut slow = TcpStream::connect(server.addr).await.expect("connect");
        slow.write_all(b"GET /health HTTP/1.1\r\nHo").await.expect("send");
        let read = tokio::time::timeout(ANSWER_BOUND, slow.read_to_end(&mut Vec::new())).await;
        assert!(read.is_ok(), "a half-sent head was left open");
        drop(held);
        t
    })
    .await;
}

#[tokio::test]
async fn a_body_that_never_arrives_is_refused_with_408() {
    each_backend_with_data(|t| async move {
        let config = send_api::HttpConfig { body_timeout: Duration::from_millis(500), ..Default::default() };
        let server = start(&t, config).await;
        let mut stream = TcpStream::connect(server.addr).await.expect("connect");
        stream
            .write_all(b"POST /graphql HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"qu")
            .await
            .expect("send");
        let mut bytes = Vec::new();
        tokio::time::timeout(ANSWER_BOUND, stream.read_to_end(&mut bytes)).await.expect("answered").ok();
        let answer = parse_answer(&bytes);
        assert_eq!(answer.status, 408, "{}", answer.text());
        assert_eq!(first_code(&answer), "REQUEST_TIMEOUT");
        still_serves(server.addr).await;
        t
    })
    .await;
}

/// A connection whose receive buffer is tiny and which never reads: the server's writes stall.
async fn never_reading(addr: SocketAddr, raw: &[u8]) -> TcpStream {
    let socket = TcpSocket::new_v4().expect("socket");
    socket.set_recv_buffer_size(1024).expect("buffer");
    let mut stream = socket.connect(addr).await.expect("connect");
    stream.write_all(raw).await.expect("send");
    stream
}

#[tokio::test]
async fn exports_to_clients_that_never_read_cannot_hold_the_pool() {
    each_backend_with_data(|t| async move {
        // Enough rows that an export cannot fit in the sockets' and channel's buffers.
        let dir = crate::support::TempDir::new();
        let data = send_bench::synth::generate(&dir.join("csv"), 12_000, 11).expect("generate");
        let files = send_importer::read_paths(&data.files).expect("read");
        send_importer::import(&t.db, files, Default::default()).await.expect("synthetic data imports");
        let connections = send_api::ConnectionLimits { write_timeout: Duration::from_secs(1), ..Default::default() };
        let config = send_api::HttpConfig { max_exports: 2, connections, ..Default::default() };
        let server = start(&t, config).await;
        let export = b"GET /export/inspections.csv HTTP/1.1\r\nHost: t\r\n\r\n";
        let mut stalled = Vec::new();
        for _ in 0..2 {
            stalled.push(never_reading(server.addr, export).await);
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
        // The two stalled exports hold their permits: a third is refused at once, not queued behind them.
        let third = exchange(server.addr, get_raw("/export/inspections.csv")).await;
        assert_eq!(third.status, 503, "{}", &third.text()[..200.min(third.body.len())]);
        assert_eq!(first_code(&third), "SERVER_BUSY");
        assert!(third.head.to_ascii_lowercase().contains("retry-after"), "{}", third.head);
        // The rest of the service is unaffected, the database included.
        let ready = exchange(server.addr, get_raw("/ready")).await;
        assert_eq!(ready.status, 200, "{}", ready.text());
        still_serves(server.addr).await;
        // Once the write timeout has closed the stalled connections, their permits and snapshots are released.
        let mut served = None;
        for _ in 0..40 {
            tokio::time::sleep(Duration::from_millis(250)).await;
            let answer = exchange(server.addr, get_raw("/export/inspections.csv")).await;
            if answer.status == 200 {
                served = Some(answer);
                break;
            }
        }
        let served = served.expect("an export is served again once the stalled ones were dropped");
        let rows = csv::Reader::from_reader(served.body.as_slice()).records().count();
        assert!(rows >= 12_000, "the whole export: {rows} rows");
        drop(stalled);
        t
    })
    .await;
}
