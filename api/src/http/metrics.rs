//! Counters and latency histograms for `/metrics`, in Prometheus' text format.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Duration;

/// Upper bounds of the latency histogram's buckets, in seconds.
const BUCKETS: [f64; 12] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];

/// Distinct operation names tracked; later names are counted as `other`, so clients cannot grow the metrics
/// without bound.
const MAX_OPERATIONS: usize = 100;

#[derive(Debug, Default, Clone)]
struct Histogram {
    /// Count per bucket (not cumulative; made cumulative when rendered).
    counts: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
}

#[derive(Debug, Default)]
struct Inner {
    /// Operation → status → count.
    graphql: BTreeMap<String, BTreeMap<u16, u64>>,
    latency: BTreeMap<String, Histogram>,
    /// Route → status → count.
    http: BTreeMap<String, BTreeMap<u16, u64>>,
}

/// Adds one to `map[key][status]`, allocating the key only the first time it is seen.
fn bump(map: &mut BTreeMap<String, BTreeMap<u16, u64>>, key: &str, status: u16) {
    match map.get_mut(key) {
        Some(by_status) => *by_status.entry(status).or_default() += 1,
        None => {
            map.insert(key.to_owned(), BTreeMap::from([(status, 1)]));
        }
    }
}

/// The process's request metrics.
#[derive(Debug, Default)]
pub struct Metrics {
    inner: Mutex<Inner>,
    /// Connections open now (kept by the accept loop).
    pub connections_open: std::sync::atomic::AtomicUsize,
}

/// An operation name as a label: as sent when it is a GraphQL name, `anonymous` when absent.
fn operation_label(name: Option<&str>) -> &str {
    match name {
        None => "anonymous",
        Some(n) if !n.is_empty() && n.len() <= 100 && n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') => n,
        Some(_) => "invalid",
    }
}

impl Metrics {
    /// Counts a `/graphql` request by operation and status, and its latency.
    pub fn record_graphql(&self, operation: Option<&str>, status: u16, elapsed: Duration) {
        let Ok(mut inner) = self.inner.lock() else { return };
        let mut label = operation_label(operation);
        if !inner.latency.contains_key(label) && inner.latency.len() >= MAX_OPERATIONS {
            label = "other";
        }
        bump(&mut inner.graphql, label, status);
        if !inner.latency.contains_key(label) {
            inner.latency.insert(label.to_owned(), Histogram::default());
        }
        let Some(histogram) = inner.latency.get_mut(label) else { return };
        let seconds = elapsed.as_secs_f64();
        if let Some(i) = BUCKETS.iter().position(|b| seconds <= *b) {
            histogram.counts[i] += 1;
        }
        histogram.sum += seconds;
        histogram.count += 1;
    }

    /// Counts an HTTP request by route and status.
    pub fn record_http(&self, route: &str, status: u16) {
        if let Ok(mut inner) = self.inner.lock() {
            bump(&mut inner.http, route, status);
        }
    }

    /// The request metrics in Prometheus' text format.
    pub fn render(&self, out: &mut String) {
        let Ok(inner) = self.inner.lock() else { return };
        let open = self.connections_open.load(std::sync::atomic::Ordering::Relaxed);
        let _ = writeln!(out, "# HELP send_connections_open HTTP connections open now.");
        let _ = writeln!(out, "# TYPE send_connections_open gauge");
        let _ = writeln!(out, "send_connections_open {open}");
        let _ = writeln!(out, "# HELP send_http_requests_total HTTP requests answered, by route and status.");
        let _ = writeln!(out, "# TYPE send_http_requests_total counter");
        for (route, by_status) in &inner.http {
            for (status, n) in by_status {
                let _ =
                    writeln!(out, "send_http_requests_total{{route=\"{}\",status=\"{status}\"}} {n}", escape(route));
            }
        }
        let _ = writeln!(out, "# HELP send_graphql_requests_total GraphQL requests, by operation name and status.");
        let _ = writeln!(out, "# TYPE send_graphql_requests_total counter");
        for (op, by_status) in &inner.graphql {
            for (status, n) in by_status {
                let op = escape(op);
                let _ = writeln!(out, "send_graphql_requests_total{{operation=\"{op}\",status=\"{status}\"}} {n}");
            }
        }
        let _ = writeln!(out, "# HELP send_graphql_request_duration_seconds Time to answer a GraphQL request.");
        let _ = writeln!(out, "# TYPE send_graphql_request_duration_seconds histogram");
        for (op, h) in &inner.latency {
            let op = escape(op);
            let mut cumulative = 0;
            for (bound, n) in BUCKETS.iter().zip(h.counts) {
                cumulative += n;
                let _ = writeln!(
                    out,
                    "send_graphql_request_duration_seconds_bucket{{operation=\"{op}\",le=\"{bound}\"}} {cumulative}"
                );
            }
            let _ = writeln!(
                out,
                "send_graphql_request_duration_seconds_bucket{{operation=\"{op}\",le=\"+Inf\"}} {}",
                h.count
            );
            let _ = writeln!(out, "send_graphql_request_duration_seconds_sum{{operation=\"{op}\"}} {}", h.sum);
            let _ = writeln!(out, "send_graphql_request_duration_seconds_count{{operation=\"{op}\"}} {}", h.count);
        }
    }
}

/// Escapes a label value as Prometheus' text format requires.
pub fn escape(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}
