//! The hostile soak (issue 14): a running `send-api` abused as an attacker did, at a multiple of the sizes that
//! took it down, while a probe sends a real query every 200 ms on a new connection. For each abuse it reports the
//! server's resident memory after it (and its peak), and the slowest and failed probes during it.
//!
//! Every request goes to the loopback address the server was started on; every loop is bounded in count.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpSocket, TcpStream};

/// The query the probe sends: real data, through the read model and the database.
const PROBE: &str = "{ outcomeProfile(filter: {framework: FRAMEWORK_2023, year: 2023}) { total } \
                     inspections(first: 3) { edges { node { key } } } }";

/// What one abuse did to the server.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The abuse.
    pub name: String,
    /// What was sent, in words.
    pub sent: String,
    /// How long it ran, seconds.
    pub seconds: f64,
    /// The server's resident memory once it ended, MiB.
    pub rss_mib: f64,
    /// The server's peak resident memory so far, MiB.
    pub peak_mib: f64,
    /// Probes sent during it.
    pub probes: usize,
    /// Probes that failed or answered wrongly.
    pub probe_failures: usize,
    /// The slowest probe, milliseconds.
    pub slowest_probe_ms: f64,
}

impl Outcome {
    /// As JSON.
    pub fn json(&self) -> Value {
        json!({
            "name": self.name, "sent": self.sent, "seconds": self.seconds, "rss_mib": self.rss_mib,
            "peak_mib": self.peak_mib, "probes": self.probes, "probe_failures": self.probe_failures,
            "slowest_probe_ms": self.slowest_probe_ms,
        })
    }
}

/// A server's memory from `/proc/PID/status`: (resident now, peak), MiB.
pub fn memory(pid: u32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kib| kib.parse::<f64>().ok())
            .map_or(0.0, |kib| kib / 1024.0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// Sends the probe on a new connection every 200 ms until `stop`; returns each probe's latency (`None`: failed).
async fn probe(addr: SocketAddr, stop: Arc<AtomicBool>) -> Vec<Option<Duration>> {
    let mut results = Vec::new();
    let body = json!({ "query": PROBE }).to_string();
    while !stop.load(Ordering::Relaxed) && results.len() < 100_000 {
        let started = Instant::now();
        let ok =
            tokio::time::timeout(Duration::from_secs(10), post(addr, &body)).await.ok().flatten().is_some_and(
                |(status, text)| status == 200 && text.contains("\"total\":") && !text.contains("\"errors\""),
            );
        results.push(ok.then(|| started.elapsed()));
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    results
}

/// One POST on a new connection: its status and body.
async fn post(addr: SocketAddr, body: &str) -> Option<(u16, String)> {
    let raw = format!(
        "POST /graphql HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    );
    exchange(addr, raw.as_bytes()).await
}

/// Sends `raw` on a new connection and reads the answer to its end.
async fn exchange(addr: SocketAddr, raw: &[u8]) -> Option<(u16, String)> {
    use tokio::io::AsyncReadExt;
    let mut stream = TcpStream::connect(addr).await.ok()?;
    stream.write_all(raw).await.ok()?;
    let mut bytes = Vec::new();
    stream.read_to_end(&mut bytes).await.ok()?;
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let status = text.split(' ').nth(1)?.parse().ok()?;
    Some((status, text))
}

/// Runs `abuse` while the probe runs, and measures.
async fn measured<F: std::future::Future<Output = String>>(
    name: &str,
    addr: SocketAddr,
    pid: u32,
    abuse: F,
) -> Outcome {
    let stop = Arc::new(AtomicBool::new(false));
    let probing = tokio::spawn(probe(addr, stop.clone()));
    let started = Instant::now();
    let sent = abuse.await;
    let seconds = started.elapsed().as_secs_f64();
    stop.store(true, Ordering::Relaxed);
    let probes = probing.await.unwrap_or_default();
    let (rss_mib, peak_mib) = memory(pid);
    Outcome {
        name: name.to_owned(),
        sent,
        seconds,
        rss_mib,
        peak_mib,
        probes: probes.len(),
        probe_failures: probes.iter().filter(|p| p.is_none()).count(),
        slowest_probe_ms: probes.iter().flatten().map(|d| d.as_secs_f64() * 1000.0).fold(0.0, f64::max),
    }
}

/// Sends `count` requests made by `request(i)`, `concurrency` at a time, each on a new connection.
async fn flood(addr: SocketAddr, count: usize, concurrency: usize, request: impl Fn(usize) -> Vec<u8>) -> usize {
    let request = Arc::new(request);
    let mut answered = 0;
    let mut next = 0;
    while next < count {
        let batch: Vec<_> = (next..count.min(next + concurrency))
            .map(|i| {
                let raw = request(i);
                tokio::spawn(async move { exchange(addr, &raw).await.is_some() })
            })
            .collect();
        next += batch.len();
        for task in batch {
            answered += usize::from(task.await.unwrap_or(false));
        }
    }
    answered
}

fn get_query(query: &str) -> Vec<u8> {
    let encoded: String = query
        .bytes()
        .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect();
    format!("GET /graphql?query={encoded} HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n").into_bytes()
}

fn post_body(body: &str) -> Vec<u8> {
    format!(
        "POST /graphql HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// A soak's run so far: the server under test and the outcomes measured.
struct Soak<'a> {
    addr: SocketAddr,
    pid: u32,
    /// The abuses asked for; empty for all.
    only: &'a [String],
    outcomes: Vec<Outcome>,
}

impl Soak<'_> {
    /// Runs `abuse` (unless `key` is not among those asked for), measuring the server meanwhile as `name`.
    async fn run(&mut self, key: &str, name: &str, abuse: impl std::future::Future<Output = String>) {
        if self.only.is_empty() || self.only.iter().any(|o| o == key) {
            self.outcomes.push(measured(name, self.addr, self.pid, abuse).await);
        }
    }
}

/// The abuses of issue 14's items 2 to 4, each at `scale` times the size that took the server down, against the
/// server at `addr` (process `pid`). `max_fds` bounds how many sockets this process holds at once.
///
/// `only` names the abuses to run (`gets`, `apq`, `documents`, `connections`, `exports`); empty runs them all.
pub async fn soak(addr: SocketAddr, pid: u32, scale: usize, max_fds: usize, only: &[String]) -> Vec<Outcome> {
    let (rss, _) = memory(pid);
    let mut soak = Soak { addr, pid, only, outcomes: Vec::new() };
    soak.outcomes.push(Outcome {
        name: "started".to_owned(),
        sent: "nothing".to_owned(),
        seconds: 0.0,
        rss_mib: rss,
        peak_mib: memory(pid).1,
        probes: 0,
        probe_failures: 0,
        slowest_probe_ms: 0.0,
    });
    // Item 2: GETs padded with a 60 KB comment, each a new cache key.
    let count = 6_000 * scale;
    soak.run("gets", "GET answers (padded keys)", async move {
        let padding = "a".repeat(60 * 1024);
        let answered =
            flood(addr, count, 32, |i| get_query(&format!("{{ dataset {{ licence }} }} #{padding}{i}"))).await;
        format!("{count} GETs of 60 KB, {answered} answered")
    })
    .await;
    // Item 2: persisted-query registrations of 60 KB each.
    soak.run("apq", "persisted-query registrations", async move {
        let padding = "b".repeat(60 * 1024);
        let answered = flood(addr, count, 32, |i| {
            let query = format!("{{ dataset {{ licence }} }} #{padding}{i}");
            let hash: String = Sha256::digest(query.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
            post_body(
                &json!({"query": query, "extensions": {"persistedQuery": {"version": 1, "sha256Hash": hash}}})
                    .to_string(),
            )
        })
        .await;
        format!("{count} registrations of 60 KB, {answered} answered")
    })
    .await;
    // Item 2: distinct documents of many fields, whose parsed trees are many times their text.
    let documents = 600 * scale;
    soak.run("documents", "parsed documents (many fields)", async move {
        let fields = "licence ".repeat(7_000);
        let answered = flood(addr, documents, 16, |i| {
            post_body(&json!({"query": format!("{{ dataset {{ {fields} }} }} #{i}")}).to_string())
        })
        .await;
        format!("{documents} documents of 56 KB, {answered} answered")
    })
    .await;
    // Item 3: idle and half-sent connections, in waves as large as this process's descriptors allow.
    let total = 3_000 * scale;
    let wave = total.min(max_fds.saturating_sub(500).max(100));
    soak.run("connections", "idle and half-sent connections", async move {
        let mut opened = 0;
        while opened < total {
            let mut held = Vec::new();
            for i in 0..wave.min(total - opened) {
                let Ok(mut stream) = TcpStream::connect(addr).await else { continue };
                if i % 2 == 1 {
                    stream.write_all(b"POST /graphql HTTP/1.1\r\nHost: bench\r\nContent-").await.ok();
                }
                held.push(stream);
            }
            opened += held.len().max(1);
            tokio::time::sleep(Duration::from_secs(3)).await;
        }
        format!("{opened} connections opened, in waves of up to {wave} held 3 s each")
    })
    .await;
    // Item 4: CSV exports to clients that never read.
    let exports = 16 * scale;
    soak.run("exports", "exports never read", async move {
        let mut held = Vec::new();
        for _ in 0..exports {
            let Ok(socket) = TcpSocket::new_v4() else { continue };
            socket.set_recv_buffer_size(1024).ok();
            let Ok(mut stream) = socket.connect(addr).await else { continue };
            stream.write_all(b"GET /export/inspections.csv HTTP/1.1\r\nHost: bench\r\n\r\n").await.ok();
            held.push(stream);
        }
        let ready = exchange(addr, b"GET /ready HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n").await;
        tokio::time::sleep(Duration::from_secs(5)).await;
        format!("{} exports held unread for 5 s; /ready answered {:?}", held.len(), ready.map(|(s, _)| s))
    })
    .await;
    soak.outcomes
}
