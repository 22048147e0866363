//! `send-api`'s options as its command line reads them (every `--max-*` flag and its `SEND_*` variable, the
//! safelist file, CORS origins), its logs (a request's lines carry its request ID; `--log-format json` writes one
//! JSON object per line), and the server's own pages under the tightest limits an operator can set for clients.

use std::io::Write;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use clap::Parser;
use http_body_util::BodyExt;
use send_api::cli::{HttpArgs, LogFormat};
use send_api::{ConnectionLimits, HttpConfig, Limits};
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::support::http::{GRAPHQL_RESPONSE, call, gauge_in, get, post, router, router_with, sha256_hex};
use crate::support::{TempDir, each_backend, each_backend_with_data};

/// `send-api`'s HTTP options alone, parsed as the binary parses them (it flattens the same `HttpArgs`).
#[derive(Debug, Parser)]
#[command(name = "send-api")]
struct Cli {
    #[command(flatten)]
    http: HttpArgs,
}

/// The configuration `args` describe, or the error `send-api` would stop with.
fn parse(args: &[&str]) -> Result<(HttpConfig, LogFormat), String> {
    let cli =
        Cli::try_parse_from(std::iter::once("send-api").chain(args.iter().copied())).map_err(|e| e.to_string())?;
    let config = cli.http.config().map_err(|e| format!("{e:#}"))?;
    Ok((config, cli.http.log_format))
}

/// A persisted-query manifest allowing `queries`, written to `dir/name`.
fn manifest(dir: &TempDir, name: &str, queries: &[&str]) -> String {
    let operations: Vec<Value> =
        queries.iter().map(|q| json!({"id": sha256_hex(q), "name": "Op", "type": "query", "body": q})).collect();
    let text = json!({"format": "apollo-persisted-query-manifest", "version": 1, "operations": operations});
    let path = dir.join(name);
    std::fs::write(&path, text.to_string()).expect("write manifest");
    path.to_string_lossy().into_owned()
}

/// The safelist in the manifest at `path`.
fn safelist_of(path: &str) -> send_api::Safelist {
    send_api::Safelist::from_manifest(&std::fs::read_to_string(path).expect("manifest")).expect("a manifest")
}

/// Every limit, cache and CORS value as its fields show it, to compare whole configurations.
fn shown(config: &HttpConfig) -> String {
    format!(
        "{:?} body={} max-age={} cors={:?} apq={} safelist={:?} cache={} refresh={:?} {:?} body-timeout={:?} exports={}",
        config.limits,
        config.max_body_bytes,
        config.cache_max_age,
        config.cors_origins,
        config.apq_capacity,
        config.safelist.as_ref().map(|s| s.len()),
        config.response_cache_bytes,
        config.version_refresh,
        config.connections,
        config.body_timeout,
        config.max_exports
    )
}

#[test]
fn every_http_flag_reaches_the_configuration() {
    let dir = TempDir::new();
    let safelist = manifest(&dir, "safelist.json", &["{ dataset { title } }", "{ dataset { licence } }"]);
    let (config, format) = parse(&[
        "--max-body-bytes",
        "1000",
        "--max-depth",
        "7",
        "--max-complexity",
        "900",
        "--max-aliases",
        "3",
        "--max-root-fields",
        "4",
        "--max-page-size",
        "50",
        "--request-timeout",
        "2.5",
        "--cache-max-age",
        "60",
        "--cors-origins",
        "https://a.example, https://b.example,",
        "--apq-capacity",
        "5",
        "--safelist",
        &safelist,
        "--response-cache-bytes",
        "1024",
        "--version-refresh",
        "0.25",
        "--max-connections",
        "77",
        "--header-timeout",
        "3",
        "--write-timeout",
        "4",
        "--body-timeout",
        "5",
        "--max-exports",
        "6",
        "--log-format",
        "json",
    ])
    .expect("valid flags");
    let expected = HttpConfig {
        limits: Limits {
            max_depth: 7,
            max_complexity: 900,
            max_aliases: 3,
            max_root_fields: 4,
            max_page_size: 50,
            timeout: Duration::from_millis(2500),
        },
        max_body_bytes: 1000,
        cache_max_age: 60,
        // Trimmed, the blank after the last comma dropped.
        cors_origins: vec!["https://a.example".to_owned(), "https://b.example".to_owned()],
        apq_capacity: 5,
        safelist: Some(Arc::new(safelist_of(&safelist))),
        response_cache_bytes: 1024,
        version_refresh: Duration::from_millis(250),
        connections: ConnectionLimits {
            max_connections: 77,
            header_timeout: Duration::from_secs(3),
            write_timeout: Duration::from_secs(4),
        },
        body_timeout: Duration::from_secs(5),
        max_exports: 6,
    };
    assert_eq!(shown(&config), shown(&expected));
    assert_eq!(config.safelist.as_ref().map(|s| s.len()), Some(2), "the manifest's two operations");
    assert_eq!(format, LogFormat::Json);
}

#[test]
fn bad_options_stop_send_api_with_a_clear_error() {
    let dir = TempDir::new();
    let missing = dir.join("nowhere.json").to_string_lossy().into_owned();
    std::fs::write(dir.join("not-a-manifest.json"), "{\"operations\": []}").expect("write");
    let not_manifest = dir.join("not-a-manifest.json").to_string_lossy().into_owned();
    for (args, expected) in [
        (vec!["--max-depth", "deep"], "invalid value 'deep' for '--max-depth"),
        (vec!["--request-timeout", "0"], "--request-timeout must be a positive number of seconds"),
        (vec!["--request-timeout", "NaN"], "--request-timeout must be a positive number of seconds"),
        (vec!["--version-refresh=-1"], "--version-refresh must be a non-negative number of seconds"),
        (vec!["--log-format", "xml"], "invalid value 'xml' for '--log-format"),
        (vec!["--safelist", &missing], "cannot read the safelist"),
        (vec!["--safelist", &not_manifest], "not a persisted-query manifest"),
    ] {
        let error = parse(&args).map(|_| ()).expect_err("refused");
        assert!(error.contains(expected), "{args:?}: {error}");
    }
    let error = parse(&["--safelist", &not_manifest]).map(|_| ()).expect_err("refused");
    assert!(error.contains("not-a-manifest.json"), "the error names the file: {error}");
}

/// Runs [`every_http_environment_variable_reaches_the_configuration`] again in a child process of this test binary
/// with exactly `variables` as its environment (a test cannot safely set its own process's environment) and
/// `SEND_CONFIG_CHILD` saying what to check there, and checks that it ran and passed.
fn run_child(mode: &str, variables: &[(&str, &str)]) {
    let output = Command::new(std::env::current_exe().expect("this test binary"))
        .args([
            "--exact",
            "http::config::every_http_environment_variable_reaches_the_configuration",
            "--nocapture",
            "--test-threads",
            "1",
        ])
        .env_clear()
        .envs(variables.iter().copied())
        .env("SEND_CONFIG_CHILD", mode)
        .output()
        .expect("run the child");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "the child ({mode}) failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains("1 passed"), "the child ({mode}) ran its test:\n{stdout}");
}

/// Each `SEND_*` variable reaches the configuration, and a flag beats its variable; with none, the configuration is
/// the documented defaults (`HttpConfig::default()`). The test runs itself in child processes with the variables
/// set; in a child (`SEND_CONFIG_CHILD` set), it checks the configuration they give.
#[test]
fn every_http_environment_variable_reaches_the_configuration() {
    if let Ok(mode) = std::env::var("SEND_CONFIG_CHILD") {
        check_environment(&mode);
        return;
    }
    let dir = TempDir::new();
    let safelist = manifest(&dir, "safelist.json", &["{ dataset { title } }"]);
    let variables = [
        ("SEND_MAX_BODY_BYTES", "2000"),
        ("SEND_MAX_DEPTH", "8"),
        ("SEND_MAX_COMPLEXITY", "800"),
        ("SEND_MAX_ALIASES", "6"),
        ("SEND_MAX_ROOT_FIELDS", "9"),
        ("SEND_MAX_PAGE_SIZE", "70"),
        ("SEND_REQUEST_TIMEOUT", "1.5"),
        ("SEND_CACHE_MAX_AGE", "30"),
        ("SEND_CORS_ORIGINS", "https://x.example,https://y.example"),
        ("SEND_APQ_CAPACITY", "11"),
        ("SEND_SAFELIST", safelist.as_str()),
        ("SEND_RESPONSE_CACHE_BYTES", "4096"),
        ("SEND_VERSION_REFRESH", "3"),
        ("SEND_MAX_CONNECTIONS", "88"),
        ("SEND_HEADER_TIMEOUT", "6"),
        ("SEND_WRITE_TIMEOUT", "7"),
        ("SEND_BODY_TIMEOUT", "8"),
        ("SEND_MAX_EXPORTS", "9"),
        ("SEND_LOG_FORMAT", "json"),
    ];
    run_child("environment", &variables);
    run_child("defaults", &[]);
}

/// What a child of [`every_http_environment_variable_reaches_the_configuration`] checks: `mode` is `defaults` (no
/// variable set) or `environment` (every variable set).
fn check_environment(mode: &str) {
    let (config, format) = parse(&[]).expect("valid variables");
    if mode == "defaults" {
        assert_eq!(shown(&config), shown(&HttpConfig::default()));
        assert_eq!(config.cors_origins, ["*"]);
        assert_eq!(format, LogFormat::Text);
        return;
    }
    assert_eq!(mode, "environment");
    let expected = HttpConfig {
        limits: Limits {
            max_depth: 8,
            max_complexity: 800,
            max_aliases: 6,
            max_root_fields: 9,
            max_page_size: 70,
            timeout: Duration::from_millis(1500),
        },
        max_body_bytes: 2000,
        cache_max_age: 30,
        cors_origins: vec!["https://x.example".to_owned(), "https://y.example".to_owned()],
        apq_capacity: 11,
        safelist: Some(Arc::new(safelist_of(&std::env::var("SEND_SAFELIST").expect("SEND_SAFELIST")))),
        response_cache_bytes: 4096,
        version_refresh: Duration::from_secs(3),
        connections: ConnectionLimits {
            max_connections: 88,
            header_timeout: Duration::from_secs(6),
            write_timeout: Duration::from_secs(7),
        },
        body_timeout: Duration::from_secs(8),
        max_exports: 9,
    };
    assert_eq!(shown(&config), shown(&expected));
    assert_eq!(config.safelist.as_ref().map(|s| s.len()), Some(1));
    assert_eq!(format, LogFormat::Json);
    // A flag beats its variable.
    let (config, format) = parse(&["--max-depth", "3", "--log-format", "text"]).expect("valid");
    assert_eq!((config.limits.max_depth, config.limits.max_complexity), (3, 800));
    assert_eq!(format, LogFormat::Text);
}

/// Log lines written to memory.
#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().map_err(|_| std::io::Error::other("poisoned"))?.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Buffer {
    fn lines(&self) -> Vec<String> {
        let bytes = self.0.lock().expect("buffer").clone();
        String::from_utf8_lossy(&bytes).lines().map(str::to_owned).collect()
    }
}

/// Requests answered through the router while `send-api`'s log subscriber (in `format`) writes to a buffer: a
/// `/health` with the request ID `{prefix}-ok`, then a `/ready` with `{prefix}-down` after the pool is closed (its
/// warning is logged inside the request).
async fn logged(db: &sea_orm::DatabaseConnection, format: LogFormat, prefix: &str) -> Vec<String> {
    let buffer = Buffer::default();
    let writer = buffer.clone();
    let subscriber = send_api::cli::log_subscriber(format, "info", move || writer.clone(), false);
    let _guard = tracing::subscriber::set_default(subscriber);
    let app = send_api::app(send_api::AppState::new(db.clone()));
    let request = |path: &str, id: String| {
        Request::get(path).header(send_api::http::REQUEST_ID, id).body(Body::empty()).expect("request")
    };
    let response = app.clone().oneshot(request("/health", format!("{prefix}-ok"))).await.expect("router");
    assert_eq!(response.status(), StatusCode::OK);
    response.into_body().collect().await.expect("body");
    db.clone().close().await.ok();
    let response = app.oneshot(request("/ready", format!("{prefix}-down"))).await.expect("router");
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(response.headers().get(header::CACHE_CONTROL).and_then(|v| v.to_str().ok()), Some("no-store"));
    buffer.lines()
}

#[tokio::test]
async fn log_lines_carry_the_request_id_in_text_and_json() {
    each_backend(|t| async move {
        let lines = logged(&t.db, LogFormat::Text, "text").await;
        let line = lines.iter().find(|l| l.contains("path=\"/health\"")).unwrap_or_else(|| panic!("{lines:#?}"));
        assert!(line.contains("request_id=text-ok") && line.contains("status=200"), "{line}");
        assert!(line.contains(" INFO "), "{line}");
        let warning = lines.iter().find(|l| l.contains("readiness check")).unwrap_or_else(|| panic!("{lines:#?}"));
        assert!(warning.contains("request_id=text-down") && warning.contains(" WARN "), "{warning}");
        let answered = lines.iter().find(|l| l.contains("path=\"/ready\"")).unwrap_or_else(|| panic!("{lines:#?}"));
        assert!(answered.contains("request_id=text-down") && answered.contains("status=503"), "{answered}");
        t
    })
    .await;
    each_backend(|t| async move {
        let lines = logged(&t.db, LogFormat::Json, "json").await;
        assert!(lines.len() >= 3, "{lines:#?}");
        let objects: Vec<Value> = lines
            .iter()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not a JSON line ({e}): {l}")))
            .collect();
        let of = |id: &str| -> Vec<&Value> { objects.iter().filter(|o| o["span"]["request_id"] == id).collect() };
        let ok = of("json-ok");
        assert_eq!(ok.len(), 1, "{objects:#?}");
        assert_eq!(
            (&ok[0]["level"], &ok[0]["fields"]["message"], &ok[0]["fields"]["path"], &ok[0]["fields"]["status"]),
            (&json!("INFO"), &json!("request"), &json!("/health"), &json!(200))
        );
        assert!(ok[0]["timestamp"].is_string(), "{}", ok[0]);
        let down = of("json-down");
        let levels: Vec<&Value> = down.iter().map(|o| &o["level"]).collect();
        assert_eq!(levels, [&json!("WARN"), &json!("INFO")], "the warning, then the request: {down:#?}");
        assert_eq!(down[1]["fields"]["status"], 503);
        t
    })
    .await;
}

/// The local links (`href="/..."`) of an HTML page, each once, in the order they first stand.
fn local_links(html: &str) -> Vec<String> {
    let mut links: Vec<String> = Vec::new();
    for part in html.split("href=\"/").skip(1) {
        let link = format!("/{}", part.split('"').next().unwrap_or("")).replace("&amp;", "&");
        if !links.contains(&link) {
            links.push(link);
        }
    }
    links
}

/// Where a link goes, codes aside: `/areas/E10000029/figures/x.csv` and `/areas/E06000001/figures/x.csv` are the
/// same route.
fn route_of(link: &str) -> String {
    let path = link.split('?').next().unwrap_or(link);
    path.split('/').map(|s| if s.chars().any(|c| c.is_ascii_digit()) { "*" } else { s }).collect::<Vec<_>>().join("/")
}

#[tokio::test]
async fn the_servers_own_pages_and_feed_answer_whatever_limits_an_operator_sets_for_clients() {
    each_backend_with_data(|t| async move {
        // Every limit at its tightest, as an operator sets it: no client query could run, and one that started
        // would time out at once.
        let (tightest, _) = parse(&[
            "--max-depth=1",
            "--max-complexity=1",
            "--max-aliases=0",
            "--max-root-fields=1",
            "--max-page-size=1",
            "--request-timeout=0.000000001",
        ])
        .expect("valid limits");
        let tight = router_with(&t, tightest);
        let usual = router(&t);
        // The pages and what they link to (one of each route), the search and the feed: each as under the defaults.
        let mut paths = vec!["/".to_owned(), "/themes?search=plan".to_owned(), "/feeds/inspections.atom".to_owned()];
        let mut routes: Vec<String> = paths.iter().map(|p| route_of(p)).collect();
        let mut next = 0;
        while next < paths.len() {
            let path = paths[next].clone();
            next += 1;
            let expected = call(&usual, get(&path, &[])).await;
            assert_eq!(expected.status, StatusCode::OK, "GET {path} under the default limits: {}", expected.text());
            let a = call(&tight, get(&path, &[])).await;
            assert_eq!(a.status, StatusCode::OK, "GET {path} under the tightest limits: {}", a.text());
            assert_eq!(a.text(), expected.text(), "GET {path}: the same answer whatever the limits");
            if a.header(header::CONTENT_TYPE).starts_with("text/html") {
                for link in local_links(&a.text()) {
                    let route = route_of(&link);
                    if !routes.contains(&route) && !link.starts_with("/graphql") && !link.contains('#') {
                        routes.push(route);
                        paths.push(link);
                    }
                }
            }
        }
        for route in ["/areas/", "/regions/", "/embed/", "/figures/"] {
            assert!(routes.iter().any(|r| r.starts_with(route)), "no link to {route} was followed: {routes:?}");
        }
        // The pages' parsed documents are in the one cache of documents the server bounds and reports.
        let metrics = call(&tight, get("/metrics", &[])).await.text();
        let documents = gauge_in(&metrics, "send_cache_entries", "{cache=\"documents\"}");
        assert!(documents >= 3.0, "the pages' documents are not in the reported cache: {metrics}");
        // Clients are still held to the limits.
        let a = call(&tight, post("{ a: dataset { title } }", Some(GRAPHQL_RESPONSE))).await;
        assert_eq!((a.status, a.code().as_str()), (StatusCode::BAD_REQUEST, "TOO_MANY_ALIASES"), "{}", a.text());
        let a = call(&tight, post("{ dataset { title } }", Some(GRAPHQL_RESPONSE))).await;
        assert_eq!(a.code(), "TIMEOUT", "{}", a.text());
        t
    })
    .await;
}
