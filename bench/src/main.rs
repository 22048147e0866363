//! `send-bench`: measures the API against this machine's ceiling and prints a table (and writes JSON).
//!
//! `cargo run --release -p send-bench -- --quick` runs everything in a few minutes; without `--quick` the scale and
//! import sections go up to 1e6 inspections. Every target is a ratio of two figures measured in the same run.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::{Parser, Subcommand};
use send_bench::load::{self, Target};
use send_bench::{CountedDb, WORKLOADS, synth};
use serde_json::{Value, json};

/// Benchmark the area SEND inspection outcomes API.
#[derive(Debug, Parser)]
struct Args {
    #[command(subcommand)]
    command: Option<Sub>,
    /// Short runs and sizes up to 1e5 (a few minutes).
    #[arg(long)]
    quick: bool,
    /// Where to write the figures as JSON.
    #[arg(long, default_value = "target/bench/results.json")]
    out: PathBuf,
    /// A PostgreSQL URL whose role may create databases (adds the PostgreSQL columns), e.g.
    /// postgres://send:send@127.0.0.1:5432/send_test?sslmode=disable
    #[arg(long, env = "BENCH_DATABASE_URL")]
    postgres: Option<String>,
    /// Concurrent connections of the load generator.
    #[arg(long, default_value_t = 16)]
    connections: usize,
    /// Seconds per throughput measurement (default 2 with --quick, 5 otherwise).
    #[arg(long)]
    seconds: Option<f64>,
    /// Inspection counts for the scale and import sections (default 1000,10000,100000 with --quick,
    /// 1000,100000,1000000 otherwise).
    #[arg(long, value_delimiter = ',')]
    sizes: Option<Vec<usize>>,
}

#[derive(Debug, Subcommand)]
enum Sub {
    /// Internal: serve `database_url` like send-api does, plus `/__ceiling/{n}` returning workload n's response
    /// bytes from memory; prints `listening ADDR` once ready.
    Serve {
        /// The database.
        database_url: String,
        /// Serve with the response cache off (every GET computed), as the pages' comparison needs.
        #[arg(long)]
        no_response_cache: bool,
    },
    /// The readers' pages against the GraphQL answers they render, on the real data (SQLite), the response cache
    /// off: how many times a page costs its query's answer.
    Pages {
        /// Seconds per page.
        #[arg(long, default_value_t = 4.0)]
        seconds: f64,
        /// Where to write the figures as JSON.
        #[arg(long, default_value = "target/bench/pages.json")]
        out: PathBuf,
    },
    /// Abuse a running `send-api` (issue 14's items 2 to 4, at `--scale` times the sizes that took it down) while a
    /// probe sends a real query every 200 ms; print the server's memory and the probes' worst latency per abuse.
    Hostile {
        /// Multiple of the sizes.
        #[arg(long, default_value_t = 10)]
        scale: usize,
        /// The `send-api` binary (default: the one beside this one).
        #[arg(long)]
        send_api: Option<PathBuf>,
        /// Where to write the figures as JSON.
        #[arg(long, default_value = "target/bench/hostile.json")]
        out: PathBuf,
        /// Only these abuses (comma-separated: gets, apq, documents, connections, exports).
        #[arg(long, value_delimiter = ',')]
        only: Vec<String>,
    },
    /// Write the synthetic dataset (regions, ICBs, areas, inspections as curated CSVs) to a folder, to import or
    /// profile by hand: `send-import DIR/regions.csv DIR/icbs.csv DIR/local_areas.csv`, then `DIR/inspections.csv`.
    Generate {
        /// How many inspections.
        #[arg(long)]
        size: usize,
        /// The seed (the same seed and size give the same bytes).
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// The folder to write to.
        out: PathBuf,
    },
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    match args.command {
        Some(Sub::Serve { ref database_url, no_response_cache }) => {
            runtime.block_on(serve(database_url, no_response_cache))
        }
        Some(Sub::Pages { seconds, ref out }) => runtime.block_on(pages(args.connections, seconds, out)),
        Some(Sub::Generate { size, seed, ref out }) => {
            let data = synth::generate(out, size, seed)?;
            println!("{} inspections of {} areas written to {}", data.inspections, data.areas, out.display());
            Ok(())
        }
        Some(Sub::Hostile { scale, ref send_api, ref out, ref only }) => {
            runtime.block_on(hostile(scale, send_api.as_deref(), out, only))
        }
        None => runtime.block_on(bench(&args)),
    }
}

/// The hostile soak against a `send-api` child on a scratch SQLite database with the bundled data.
async fn hostile(scale: usize, send_api: Option<&Path>, out: &Path, only: &[String]) -> anyhow::Result<()> {
    let binary = match send_api {
        Some(path) => path.to_owned(),
        None => std::env::current_exe()?.with_file_name("send-api"),
    };
    let dir = temp_dir("hostile")?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let addr: std::net::SocketAddr = format!("127.0.0.1:{port}").parse()?;
    let mut child = Command::new(&binary)
        .args(["--bind", &addr.to_string(), "--data-dir"])
        .arg(&dir)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .with_context(|| format!("cannot start {}", binary.display()))?;
    let client = send_importer::fetch::http_client().build()?;
    let mut up = false;
    for _ in 0..600 {
        if client.get(format!("http://{addr}/ready")).send().await.is_ok_and(|r| r.status().is_success()) {
            up = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    anyhow::ensure!(up, "send-api did not become ready on {addr}");
    let max_fds = std::fs::read_to_string("/proc/self/limits")
        .ok()
        .and_then(|l| l.lines().find(|l| l.starts_with("Max open files"))?.split_whitespace().nth(3)?.parse().ok())
        .unwrap_or(1024);
    let outcomes = send_bench::hostile::soak(addr, child.id(), scale, max_fds, only).await;
    child.kill().ok();
    child.wait().ok();
    std::fs::remove_dir_all(&dir).ok();
    println!(
        "| abuse (x{scale}) | sent | s | RSS after (MiB) | peak RSS (MiB) | probes | failed | slowest probe (ms) |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for o in &outcomes {
        println!(
            "| {} | {} | {:.1} | {:.0} | {:.0} | {} | {} | {:.0} |",
            o.name, o.sent, o.seconds, o.rss_mib, o.peak_mib, o.probes, o.probe_failures, o.slowest_probe_ms
        );
    }
    if let Some(parent) = out.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let json = json!({ "scale": scale, "machine": machine(), "abuses": outcomes.iter().map(|o| o.json()).collect::<Vec<_>>() });
    std::fs::write(out, serde_json::to_string_pretty(&json)?)?;
    Ok(())
}

/// A JSON POST of `query` through the router.
fn post(query: &str) -> axum::http::Request<axum::body::Body> {
    axum::http::Request::post("/graphql")
        .header("content-type", "application/json")
        .body(axum::body::Body::from(json!({ "query": query }).to_string()))
        .unwrap_or_default()
}

/// The pages' comparison against a `serve` child with the response cache off.
async fn pages(connections: usize, seconds: f64, out: &Path) -> anyhow::Result<()> {
    let dir = temp_dir("pages")?;
    let server = Server::start_with(&sqlite_url(&dir)?, &["--no-response-cache"])?;
    println!(
        "== the readers' pages against their GraphQL answers: real data, SQLite, response cache off, {connections} connections, {seconds} s each"
    );
    let rows = send_bench::pages::compare(&server.base, connections, Duration::from_secs_f64(seconds)).await;
    drop(server);
    if let Some(parent) = out.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let report = json!({ "date": chrono::Utc::now().to_rfc3339(), "machine": machine(), "pages": rows });
    std::fs::write(out, serde_json::to_string_pretty(&report)?)?;
    println!("written to {}", out.display());
    Ok(())
}

async fn serve(database_url: &str, no_response_cache: bool) -> anyhow::Result<()> {
    use tower::ServiceExt;
    let db = send_model::connect(&send_model::DbConfig::new(database_url.to_owned())).await?;
    send_api::prepare(&db, true).await?;
    send_api::pages::map::prepare();
    let config = if no_response_cache {
        send_api::HttpConfig { response_cache_bytes: 0, ..send_api::HttpConfig::default() }
    } else {
        send_api::HttpConfig::default()
    };
    let app = send_api::app(send_api::AppState::with_config(db.clone(), config));
    let mut ceiling = Vec::new();
    for w in WORKLOADS {
        let response = app.clone().oneshot(post(w.query)).await?;
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await?;
        ceiling.push(bytes);
    }
    let ceiling = std::sync::Arc::new(ceiling);
    let app = app.route(
        "/__ceiling/{n}",
        axum::routing::get(move |axum::extract::Path(n): axum::extract::Path<usize>| {
            let ceiling = ceiling.clone();
            async move {
                let body = ceiling.get(n.wrapping_sub(1)).cloned().unwrap_or_default();
                ([("content-type", "application/json; charset=utf-8")], body)
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    println!("listening {}", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}

/// A `serve` child process.
struct Server {
    child: Child,
    base: String,
}

impl Server {
    fn start(database_url: &str) -> anyhow::Result<Self> {
        Self::start_with(database_url, &[])
    }

    fn start_with(database_url: &str, options: &[&str]) -> anyhow::Result<Self> {
        let mut child = Command::new(std::env::current_exe()?)
            .args(["serve", database_url])
            .args(options)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()?;
        let stdout = child.stdout.take().context("no stdout")?;
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line)?;
        let addr = line.trim().strip_prefix("listening ").with_context(|| format!("server said {line:?}"))?;
        Ok(Self { base: format!("http://{addr}"), child })
    }

    /// Peak resident set size so far, in MiB (Linux).
    fn peak_rss_mib(&self) -> Option<f64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        let kib: f64 = status.lines().find(|l| l.starts_with("VmHWM:"))?.split_whitespace().nth(1)?.parse().ok()?;
        Some(kib / 1024.0)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

fn temp_dir(name: &str) -> anyhow::Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("send-bench-{}-{name}", std::process::id()));
    if dir.exists() {
        std::fs::remove_dir_all(&dir)?;
    }
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

fn sqlite_url(dir: &Path) -> anyhow::Result<String> {
    Ok(send_model::default_sqlite_url(dir)?)
}

/// A fresh PostgreSQL database next to `admin_url`'s; returns its URL.
async fn fresh_postgres(admin_url: &str, name: &str) -> anyhow::Result<String> {
    use sea_orm::ConnectionTrait;
    let admin = sea_orm::Database::connect(admin_url).await?;
    admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\"")).await?;
    admin.execute_unprepared(&format!("CREATE DATABASE \"{name}\"")).await?;
    admin.close().await.ok();
    let (base, query) = admin_url.split_once('?').map_or((admin_url, ""), |(b, q)| (b, q));
    let base = base.rsplit_once('/').map_or(base, |(b, _)| b);
    Ok(if query.is_empty() { format!("{base}/{name}") } else { format!("{base}/{name}?{query}") })
}

async fn bench(args: &Args) -> anyhow::Result<()> {
    let seconds = args.seconds.unwrap_or(if args.quick { 2.0 } else { 5.0 });
    let sizes = args.sizes.clone().unwrap_or(if args.quick {
        vec![1_000, 10_000, 100_000]
    } else {
        vec![1_000, 100_000, 1_000_000]
    });
    let duration = Duration::from_secs_f64(seconds);
    let mut report = json!({
        "date": chrono::Utc::now().to_rfc3339(),
        "machine": machine(),
        "connections": args.connections,
        "seconds_per_measurement": seconds,
    });

    // 1. Throughput on the real data (SQLite), against the ceiling.
    println!("== throughput: real data, SQLite, {} connections, {seconds} s each", args.connections);
    let dir = temp_dir("real")?;
    let url = sqlite_url(&dir)?;
    let server = Server::start(&url)?;
    let mut rows = Vec::new();
    println!(
        "{:<28} {:>10} {:>10} {:>10} {:>9} {:>9} {:>8} {:>8}",
        "workload", "ceiling/s", "POST/s", "GET/s", "POST x", "GET x", "POST p99", "GET p99"
    );
    for w in WORKLOADS {
        let body = json!({ "query": w.query }).to_string();
        // The ceiling is asked with the same query string as the GET, so both requests and both responses are the
        // same bytes on the wire: the ratio measures what serving the answer costs beyond HTTP itself.
        let query_string = format!("query={}", percent_encode(w.query));
        let targets = [
            Target { post: false, url: format!("{}/__ceiling/{}?{query_string}", server.base, w.number), body: None },
            Target { post: true, url: format!("{}/graphql", server.base), body: Some(body) },
            Target { post: false, url: format!("{}/graphql?{query_string}", server.base), body: None },
        ];
        let stats = load::interleaved(&targets, args.connections, duration, 4).await;
        let (ceiling, posted, got) = (stats[0], stats[1], stats[2]);
        println!(
            "{:<28} {:>10.0} {:>10.0} {:>10.0} {:>9.2} {:>9.2} {:>7.1}ms {:>7.1}ms",
            format!("{} {}", w.number, w.name),
            ceiling.rps,
            posted.rps,
            got.rps,
            posted.rps / ceiling.rps,
            got.rps / ceiling.rps,
            posted.p99_ms,
            got.p99_ms
        );
        rows.push(json!({
            "workload": w.number, "name": w.name, "ceiling": ceiling.json(), "post": posted.json(), "get": got.json(),
            "post_ratio": posted.rps / ceiling.rps, "get_ratio": got.rps / ceiling.rps,
        }));
    }
    let rss = server.peak_rss_mib();
    drop(server);
    println!("peak RSS of the server (real data): {:.1} MiB", rss.unwrap_or(f64::NAN));
    report["throughput"] = Value::Array(rows);
    report["peak_rss_mib_real"] = json!(rss);

    // 2. SQL statements per workload, on each backend.
    println!("\n== SQL statements per workload (real data)");
    let mut statements = json!({});
    let counted = CountedDb::open(&url).await?;
    statements["sqlite"] = count_statements(&counted).await;
    counted.db.close().await.ok();
    if let Some(admin) = &args.postgres {
        let pg = fresh_postgres(admin, "send_bench_real").await?;
        let db = send_model::connect(&send_model::DbConfig::new(pg.clone())).await?;
        send_api::prepare(&db, true).await?;
        db.close().await.ok();
        let counted = CountedDb::open(&pg).await?;
        statements["postgres"] = count_statements(&counted).await;
        counted.db.close().await.ok();
    }
    for w in WORKLOADS {
        let n = |backend: &str| {
            statements[backend][w.number.to_string()].as_u64().map_or("-".to_owned(), |n| n.to_string())
        };
        println!(
            "{:<28} sqlite {:>3}   postgres {:>3}",
            format!("{} {}", w.number, w.name),
            n("sqlite"),
            n("postgres")
        );
    }
    report["statements"] = statements;
    std::fs::remove_dir_all(&dir).ok();

    // 3 and 4. Scale and import, per size.
    println!("\n== scale and import (synthetic data)");
    let mut scale = Vec::new();
    for &size in &sizes {
        let dir = temp_dir(&format!("synth-{size}"))?;
        let data = synth::generate(&dir.join("csv"), size, 42)?;
        let inspections_csv = dir.join("csv").join("inspections.csv");
        let mut entry = json!({ "inspections": data.inspections, "areas": data.areas });
        let db_dir = dir.join("db");
        std::fs::create_dir_all(&db_dir)?;
        let url = sqlite_url(&db_dir)?;
        let (import_rps, latencies) = import_and_time(&url, &data, args.quick).await?;
        entry["sqlite"] = json!({ "import_rows_per_s": import_rps, "latency_ms": latencies });
        if let Some(bulk) = sqlite_bulk(&inspections_csv, data.inspections, &dir)? {
            bulk.record(&mut entry["sqlite"], import_rps);
        }
        if size == *sizes.iter().max().unwrap_or(&0) {
            let server = Server::start(&url)?;
            for w in WORKLOADS {
                let body = json!({ "query": w.query }).to_string();
                let target = Target { post: true, url: format!("{}/graphql", server.base), body: Some(body) };
                load::run(&target, 4, Duration::from_millis(500)).await;
            }
            entry["peak_rss_mib"] = json!(server.peak_rss_mib());
        }
        if let Some(admin) = &args.postgres {
            let pg = fresh_postgres(admin, &format!("send_bench_{size}")).await?;
            let (import_rps, latencies) = import_and_time(&pg, &data, args.quick).await?;
            entry["postgres"] = json!({ "import_rows_per_s": import_rps, "latency_ms": latencies });
            if let Some(bulk) = postgres_copy(&pg, &inspections_csv, data.inspections)? {
                bulk.record(&mut entry["postgres"], import_rps);
            }
        }
        let show = |backend: &str| {
            let e = &entry[backend];
            if e.is_null() {
                return String::new();
            }
            let lat: Vec<String> = (1..=5)
                .map(|n| format!("{:.1}", e["latency_ms"][n.to_string()].as_f64().unwrap_or(f64::NAN)))
                .collect();
            format!(
                "{backend}: import {:.0} rows/s (bulk {:.0}, ratio {:.2}; bulk with indexes {:.0}, ratio {:.2}); \
                 latency ms w1..w5 {}",
                e["import_rows_per_s"].as_f64().unwrap_or(f64::NAN),
                e["bulk_rows_per_s"].as_f64().unwrap_or(f64::NAN),
                e["import_ratio"].as_f64().unwrap_or(f64::NAN),
                e["indexed_bulk_rows_per_s"].as_f64().unwrap_or(f64::NAN),
                e["import_ratio_indexed"].as_f64().unwrap_or(f64::NAN),
                lat.join(" / ")
            )
        };
        println!(
            "{:>8} inspections ({} areas)\n    {}\n    {}",
            data.inspections,
            data.areas,
            show("sqlite"),
            show("postgres")
        );
        if let Some(rss) = entry["peak_rss_mib"].as_f64() {
            println!("    peak RSS of the server: {rss:.1} MiB");
        }
        scale.push(entry);
        std::fs::remove_dir_all(&dir).ok();
    }
    // Slowdown of the largest size against the smallest, per workload.
    if let (Some(first), Some(last)) = (scale.first(), scale.last()) {
        for backend in ["sqlite", "postgres"] {
            if first[backend].is_null() {
                continue;
            }
            let ratios: Vec<String> = (1..=5)
                .map(|n| {
                    let key = n.to_string();
                    let r = last[backend]["latency_ms"][&key].as_f64().unwrap_or(f64::NAN)
                        / first[backend]["latency_ms"][&key].as_f64().unwrap_or(f64::NAN);
                    format!("w{n} {r:.2}x")
                })
                .collect();
            println!(
                "{backend}: latency at {} vs {} inspections: {}",
                last["inspections"],
                first["inspections"],
                ratios.join(", ")
            );
        }
    }
    report["scale"] = Value::Array(scale);
    if let Some(parent) = args.out.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(&args.out, serde_json::to_string_pretty(&report)?)?;
    println!("\nfigures written to {}", args.out.display());
    Ok(())
}

async fn count_statements(counted: &CountedDb) -> Value {
    let mut out = json!({});
    for w in WORKLOADS {
        let (n, response) = counted.statements(w.query).await;
        if !response.errors.is_empty() {
            eprintln!("workload {} failed: {:?}", w.number, response.errors);
        }
        out[w.number.to_string()] = json!(n);
    }
    out
}

/// Migrates `url`, imports the dataset (timed: inspection rows per second over the whole import, validation
/// included), then times each workload in-process (median of several runs).
async fn import_and_time(url: &str, data: &synth::Dataset, quick: bool) -> anyhow::Result<(f64, Value)> {
    let db = send_model::connect(&send_model::DbConfig::new(url.to_owned())).await?;
    send_model::migrate(&db).await?;
    // The reference files first, untimed; then the inspections file, timed (validation included), as the bulk load
    // it is compared with loads that one file.
    let (inspections, reference): (Vec<PathBuf>, Vec<PathBuf>) =
        data.files.iter().cloned().partition(|p| p.ends_with("inspections.csv"));
    let import = |paths: Vec<PathBuf>| {
        let db = db.clone();
        async move {
            let files = send_importer::read_paths(&paths)?;
            send_importer::import(&db, files, Default::default())
                .await
                .map_err(|e| anyhow::anyhow!("import failed: {e}"))
        }
    };
    import(reference).await?;
    let started = Instant::now();
    import(inspections).await?;
    let rows_per_s = data.inspections as f64 / started.elapsed().as_secs_f64();
    let schema = send_api::build_schema(db.clone());
    let mut latencies = json!({});
    let runs = if quick { 5 } else { 15 };
    for w in WORKLOADS {
        let mut times = Vec::new();
        for _ in 0..runs {
            let started = Instant::now();
            let response = send_api::execute(&schema, &db, w.query.into()).await;
            times.push(started.elapsed().as_secs_f64() * 1000.0);
            if !response.errors.is_empty() {
                eprintln!("workload {} failed: {:?}", w.number, response.errors);
            }
        }
        times.sort_by(f64::total_cmp);
        latencies[w.number.to_string()] = json!(times[times.len() / 2]);
    }
    db.close().await.ok();
    Ok((rows_per_s, latencies))
}

/// The inspections CSV's columns, for the raw bulk-load table.
const RAW_COLUMNS: &str = "area_name, la_code_gss, la_code_dfe, region, framework, inspection_type, inspection_start, \
     inspection_end, published, outcome, priority_actions, source_url";

/// The inspection table's secondary indexes, over the raw table's columns: the index work any load of the file
/// into the API's schema must do, added to the raw bulk load for a second reference.
const RAW_INDEXES: [&str; 6] = [
    "la_code_gss, framework, inspection_type, inspection_start",
    "framework, inspection_type, (substr(inspection_start, 1, 4))",
    "inspection_start",
    "outcome",
    "framework, inspection_start",
    "framework, region, inspection_start",
];

/// Rows per second of a bulk load of the same CSV into an equivalent table, and of the same load followed by
/// building the API's indexes on it.
#[derive(Debug, Clone, Copy)]
struct Bulk {
    plain: f64,
    indexed: f64,
}

impl Bulk {
    /// The figures and ratios of an import of `import_rps` against this bulk load, into `entry`.
    fn record(self, entry: &mut Value, import_rps: f64) {
        entry["bulk_rows_per_s"] = json!(self.plain);
        entry["import_ratio"] = json!(import_rps / self.plain);
        entry["indexed_bulk_rows_per_s"] = json!(self.indexed);
        entry["import_ratio_indexed"] = json!(import_rps / self.indexed);
    }
}

/// `sqlite3 .import` of the same CSV (`rows` data rows) into an equivalent table, then its indexes built; `None`
/// without the sqlite3 CLI.
fn sqlite_bulk(csv: &Path, rows: usize, dir: &Path) -> anyhow::Result<Option<Bulk>> {
    let db = dir.join("bulk.db");
    let columns: Vec<String> = RAW_COLUMNS.split(", ").map(|c| format!("{} TEXT", c.trim())).collect();
    let load = format!("CREATE TABLE raw ({});\n.import --csv --skip 1 {} raw\n", columns.join(", "), csv.display());
    let indexes: String =
        RAW_INDEXES.iter().enumerate().map(|(i, cols)| format!("CREATE INDEX raw_{i} ON raw ({cols});\n")).collect();
    let run = |script: &str| {
        let started = Instant::now();
        let status = Command::new("sqlite3").arg(&db).stdin(Stdio::piped()).spawn().and_then(|mut child| {
            use std::io::Write;
            child.stdin.take().map(|mut s| s.write_all(script.as_bytes()));
            child.wait()
        });
        status.ok().filter(|s| s.success()).map(|_| started.elapsed().as_secs_f64())
    };
    match run(&load).zip(run(&format!("BEGIN;\n{indexes}COMMIT;\n"))) {
        Some((load, index)) => Ok(Some(Bulk { plain: rows as f64 / load, indexed: rows as f64 / (load + index) })),
        None => {
            eprintln!("(no sqlite3 CLI: `apt-get install sqlite3` for the raw bulk-load comparison)");
            Ok(None)
        }
    }
}

/// PostgreSQL `COPY` (psql's `\copy`) of the same CSV into an equivalent table, then its indexes built.
fn postgres_copy(url: &str, csv: &Path, rows: usize) -> anyhow::Result<Option<Bulk>> {
    let columns: Vec<String> = RAW_COLUMNS.split(", ").map(|c| format!("{} TEXT", c.trim())).collect();
    let create =
        Command::new("psql").args([url, "-q", "-c", &format!("CREATE TABLE raw ({})", columns.join(", "))]).status();
    if !create.is_ok_and(|s| s.success()) {
        eprintln!("(psql unavailable: no COPY comparison)");
        return Ok(None);
    }
    let started = Instant::now();
    let copy = Command::new("psql")
        .args([url, "-q", "-c", &format!("\\copy raw FROM '{}' WITH (FORMAT csv, HEADER true)", csv.display())])
        .status()?;
    anyhow::ensure!(copy.success(), "psql \\copy failed");
    let load = started.elapsed().as_secs_f64();
    let indexes: String = RAW_INDEXES.iter().map(|cols| format!("CREATE INDEX ON raw ({cols}); ")).collect();
    let started = Instant::now();
    let index = Command::new("psql").args([url, "-q", "-c", &format!("BEGIN; {indexes} COMMIT;")]).status()?;
    anyhow::ensure!(index.success(), "psql CREATE INDEX failed");
    let index = started.elapsed().as_secs_f64();
    Ok(Some(Bulk { plain: rows as f64 / load, indexed: rows as f64 / (load + index) }))
}

fn machine() -> Value {
    let cpu = std::fs::read_to_string("/proc/cpuinfo").ok().and_then(|t| {
        t.lines().find(|l| l.starts_with("model name")).map(|l| l.split(':').nth(1).unwrap_or("").trim().to_owned())
    });
    json!({
        "cpus": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
        "cpu": cpu,
        "os": std::env::consts::OS,
    })
}

/// mimalloc instead of the system allocator: the importer and the server allocate many small short-lived values
/// (a row's fields, a response's values), where glibc's malloc and free showed as a fifth of the profile.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
