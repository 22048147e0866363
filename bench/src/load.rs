//! A loopback load generator: a fixed number of keep-alive connections, each sending one request after another for
//! a fixed time; throughput and latency percentiles of the successful requests.

use std::time::{Duration, Instant};

/// One request to repeat.
#[derive(Debug, Clone)]
pub struct Target {
    /// `GET` or `POST`.
    pub post: bool,
    /// The full URL.
    pub url: String,
    /// The JSON body of a POST.
    pub body: Option<String>,
}

/// What a run measured.
#[derive(Debug, Clone, Copy, Default)]
pub struct Stats {
    /// Successful (200) requests in the timed window.
    pub requests: u64,
    /// Failed requests (any other status, or a transport error).
    pub errors: u64,
    /// Requests per second.
    pub rps: f64,
    /// Median latency, milliseconds.
    pub p50_ms: f64,
    /// 99th-percentile latency, milliseconds.
    pub p99_ms: f64,
}

impl Stats {
    /// As JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "requests": self.requests, "errors": self.errors, "rps": self.rps,
            "p50_ms": self.p50_ms, "p99_ms": self.p99_ms,
        })
    }
}

async fn once(client: &reqwest::Client, target: &Target) -> bool {
    let request = if target.post {
        client
            .post(&target.url)
            .header("content-type", "application/json")
            .body(target.body.clone().unwrap_or_default())
    } else {
        client.get(&target.url)
    };
    match request.send().await {
        Ok(response) => {
            let ok = response.status() == reqwest::StatusCode::OK;
            response.bytes().await.is_ok() && ok
        }
        Err(_) => false,
    }
}

/// Raw measurements of one or more runs.
#[derive(Debug, Clone, Default)]
pub struct Sample {
    latencies: Vec<u32>,
    errors: u64,
    seconds: f64,
}

impl Sample {
    /// Adds another run's measurements.
    pub fn merge(&mut self, other: Sample) {
        self.latencies.extend(other.latencies);
        self.errors += other.errors;
        self.seconds += other.seconds;
    }

    /// Throughput and percentiles.
    pub fn stats(&self) -> Stats {
        let mut latencies = self.latencies.clone();
        latencies.sort_unstable();
        let percentile = |p: f64| {
            if latencies.is_empty() {
                return 0.0;
            }
            let i = ((latencies.len() as f64 - 1.0) * p).round() as usize;
            f64::from(latencies[i]) / 1000.0
        };
        Stats {
            requests: latencies.len() as u64,
            errors: self.errors,
            rps: latencies.len() as f64 / self.seconds.max(f64::MIN_POSITIVE),
            p50_ms: percentile(0.5),
            p99_ms: percentile(0.99),
        }
    }
}

/// Runs each target in turn, `rounds` times over, for `duration` in all per target: interleaving keeps a drift in
/// the machine's speed from favouring one target, so their ratios stay fair on a noisy machine.
pub async fn interleaved(targets: &[Target], connections: usize, duration: Duration, rounds: u32) -> Vec<Stats> {
    let mut samples = vec![Sample::default(); targets.len()];
    let slice = duration / rounds.max(1);
    for _ in 0..rounds.max(1) {
        for (target, sample) in targets.iter().zip(&mut samples) {
            sample.merge(run(target, connections, slice).await);
        }
    }
    samples.iter().map(Sample::stats).collect()
}

/// Sends `target` over `connections` connections for `duration` (after one warm-up request per connection).
pub async fn run(target: &Target, connections: usize, duration: Duration) -> Sample {
    let mut tasks = Vec::new();
    let start = Instant::now() + Duration::from_millis(100);
    let end = start + duration;
    for _ in 0..connections {
        let target = target.clone();
        tasks.push(tokio::spawn(async move {
            // One client per connection, so each task keeps exactly one keep-alive connection.
            let client = send_importer::fetch::http_client()
                .pool_max_idle_per_host(1)
                .timeout(Duration::from_secs(30))
                .build()
                .unwrap_or_default();
            once(&client, &target).await;
            tokio::time::sleep_until(start.into()).await;
            let (mut latencies, mut errors) = (Vec::new(), 0u64);
            while Instant::now() < end {
                let sent = Instant::now();
                if once(&client, &target).await {
                    latencies.push(u32::try_from(sent.elapsed().as_micros()).unwrap_or(u32::MAX));
                } else {
                    errors += 1;
                }
            }
            (latencies, errors)
        }));
    }
    let mut latencies = Vec::new();
    let mut errors = 0;
    for task in tasks {
        if let Ok((l, e)) = task.await {
            latencies.extend(l);
            errors += e;
        }
    }
    let seconds = (Instant::now().max(end) - start).as_secs_f64();
    Sample { latencies, errors, seconds }
}
