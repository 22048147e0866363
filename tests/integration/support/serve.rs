//! A loopback HTTP server for tests, written on a raw socket so that it can misbehave on purpose: wrong lengths,
//! slow answers, errors then success.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// One canned answer.
#[derive(Debug, Clone)]
pub struct Reply {
    /// Status code.
    pub status: u16,
    /// Extra headers.
    pub headers: Vec<(String, String)>,
    /// Body bytes.
    pub body: Vec<u8>,
    /// The `Content-Length` declared (the body's length unless set: larger to simulate a cut-off download).
    pub declared_length: Option<usize>,
    /// Wait before answering.
    pub delay: Duration,
    /// Answer 304 to a request whose `If-None-Match` equals this.
    pub etag: Option<String>,
}

impl Reply {
    /// A 200 with `body` and `content_type`.
    pub fn ok(body: Vec<u8>, content_type: &str) -> Self {
        Self {
            status: 200,
            headers: vec![("Content-Type".into(), content_type.into())],
            body,
            declared_length: None,
            delay: Duration::ZERO,
            etag: None,
        }
    }

    /// An empty answer with `status`.
    pub fn status(status: u16) -> Self {
        Self { status, ..Self::ok(Vec::new(), "text/plain") }
    }
}

/// The server: routes by path to a sequence of replies (the last one repeats); records each request's head.
pub struct Server {
    /// Where it listens.
    pub addr: SocketAddr,
    /// Request heads received, in order.
    pub requests: Arc<Mutex<Vec<String>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Server {
    /// Starts serving `routes` on 127.0.0.1 at a free port.
    pub async fn start(routes: HashMap<&'static str, Vec<Reply>>) -> Self {
        Self::start_with(|_| routes).await
    }

    /// Starts a server whose routes are made knowing its address (for pages that link back to it).
    pub async fn start_with(routes_of: impl FnOnce(SocketAddr) -> HashMap<&'static str, Vec<Reply>>) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind loopback");
        let addr = listener.local_addr().expect("addr");
        let routes = routes_of(addr);
        let requests = Arc::new(Mutex::new(Vec::new()));
        let routes = Arc::new(Mutex::new(routes));
        let log = requests.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((mut stream, _)) = listener.accept().await else { return };
                let routes = routes.clone();
                let log = log.clone();
                tokio::spawn(async move {
                    let mut head = Vec::new();
                    let mut buf = [0u8; 1024];
                    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                        match stream.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => head.extend_from_slice(&buf[..n]),
                        }
                    }
                    let head = String::from_utf8_lossy(&head).into_owned();
                    let path = head.split_whitespace().nth(1).unwrap_or("/").to_owned();
                    log.lock().expect("log").push(head.clone());
                    let reply = {
                        let mut routes = routes.lock().expect("routes");
                        match routes.get_mut(path.as_str()) {
                            Some(list) if list.len() > 1 => Some(list.remove(0)),
                            Some(list) => list.first().cloned(),
                            None => None,
                        }
                    };
                    let reply = reply.unwrap_or_else(|| Reply::status(404));
                    tokio::time::sleep(reply.delay).await;
                    let if_none_match = head.lines().find_map(|l| {
                        l.to_ascii_lowercase().strip_prefix("if-none-match:").map(|v| v.trim().to_owned())
                    });
                    let (status, body) = match (&reply.etag, if_none_match) {
                        (Some(etag), Some(sent)) if sent == etag.to_ascii_lowercase() => (304, Vec::new()),
                        _ => (reply.status, reply.body.clone()),
                    };
                    let mut out = format!("HTTP/1.1 {status} X\r\nConnection: close\r\n");
                    for (k, v) in &reply.headers {
                        out.push_str(&format!("{k}: {v}\r\n"));
                    }
                    if let Some(etag) = &reply.etag {
                        out.push_str(&format!("ETag: {etag}\r\n"));
                    }
                    out.push_str(&format!("Content-Length: {}\r\n\r\n", reply.declared_length.unwrap_or(body.len())));
                    let _ = stream.write_all(out.as_bytes()).await;
                    let _ = stream.write_all(&body).await;
                    let _ = stream.shutdown().await;
                });
            }
        });
        Self { addr, requests, task }
    }

    /// The URL of `path` on this server.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}
