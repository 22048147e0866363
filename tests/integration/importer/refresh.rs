//! `send-import --refresh` against a loopback server serving the summary (its links pointing at the same server) and
//! real report PDFs (`data/reports/`); one link answers 404 and one times out. Those are reported, the rest imported,
//! and a second run fetches only what is still missing.

use std::collections::HashMap;
use std::time::Duration;

use send_importer::{ImportOptions, import};

use crate::support::serve::{Reply, Server};
use crate::support::{TestDb, csv_rows, data_file, each_backend, gql_data};

/// The bundled data without the report links and the bundled summary: no inspection has a report link yet, so the
/// only downloads are the served page's (no test reaches beyond loopback).
fn without_links() -> Vec<send_importer::SourceFile> {
    send_importer::bundled()
        .into_iter()
        .filter(|f| !f.name.ends_with(".html") && !f.name.ends_with("ofsted_report_links.csv"))
        .collect()
}

/// The served summary: the bundled page's header and the rows of the areas whose report PDF we have (their links
/// now `/file/N` on this server), plus two rows whose links fail; and the replies. Returns the routes, the number of
/// rows with a readable report, and the two failing paths.
struct Site {
    routes: HashMap<&'static str, Vec<Reply>>,
    readable: usize,
    missing: &'static str,
    slow: &'static str,
}

fn site(base: &str) -> Site {
    let page = std::fs::read_to_string(data_file("d2i_summary_2026-06-29.html")).expect("page");
    let reports = csv_rows("reports/expected.csv");
    let starts: Vec<usize> = page.match_indices("<tr").map(|(i, _)| i).collect();
    let body_start = starts[1];
    let table_end = page.rfind("</table>").expect("table end");
    let rows: Vec<&str> = starts[1..]
        .iter()
        .zip(starts[2..].iter().copied().chain([table_end]))
        .map(|(a, b)| page[*a..b].trim_end())
        .collect();
    let cell = |row: &str, n: usize| -> String {
        row.split("<td>").nth(n + 1).and_then(|c| c.split("</td>").next()).unwrap_or("").to_owned()
    };
    let leak = |s: String| -> &'static str { Box::leak(s.into_boxed_str()) };
    let mut routes: HashMap<&'static str, Vec<Reply>> = HashMap::new();
    let mut kept = Vec::new();
    let mut readable = 0;
    let mut failing = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let href_at = row.find("href=\"").map(|i| i + 6);
        let Some(href_at) = href_at else { continue };
        let href_end = href_at + row[href_at..].find('"').expect("href end");
        let path = leak(format!("/file/{i}"));
        let linked = format!("{}{base}{path}{}", &row[..href_at], &row[href_end..]);
        // The row's inspection is the one a report of ours describes: same area, start within a few days.
        let report = reports.iter().find(|r| {
            r["la_code_gss"] == cell(row, 3) && {
                let start = chrono::NaiveDate::parse_from_str(&cell(row, 6), "%d/%m/%y").ok();
                let expected = chrono::NaiveDate::parse_from_str(&r["inspection_start"], "%Y-%m-%d").ok();
                matches!((start, expected), (Some(a), Some(b)) if (a - b).num_days().abs() <= 7)
            }
        });
        if let Some(r) = report {
            let pdf = std::fs::read(data_file(&format!("reports/{}", r["file"]))).expect("pdf");
            routes.insert(path, vec![Reply::ok(pdf, "application/pdf")]);
            kept.push(linked);
            readable += 1;
        } else if failing.len() < 2 && !cell(row, 6).is_empty() && cell(row, 6) != "01/01/1900" {
            failing.push(path);
            kept.push(linked);
        }
    }
    let (missing, slow) = (failing[0], failing[1]);
    routes.insert(missing, vec![Reply::status(404)]);
    routes.insert(
        slow,
        vec![Reply { delay: Duration::from_secs(4), ..Reply::ok(b"%PDF-late".to_vec(), "application/pdf") }],
    );
    let served = format!("{}{}\n    {}", &page[..body_start], kept.join("\n    "), &page[table_end..]);
    routes.insert("/summary", vec![Reply::ok(served.into_bytes(), "text/html; charset=utf-8")]);
    Site { routes, readable, missing, slow }
}

/// `send-import --refresh` of `summary` into `t`, with no delay between reports and no retry, and `extra` options.
fn refresh_args(t: &TestDb, summary: &str, extra: &[&str]) -> send_importer::cli::ImportArgs {
    use clap::Parser;
    let mut args = vec![
        "send-import",
        "--database-url",
        &t.url,
        "--refresh",
        "--summary",
        summary,
        "--delay",
        "0",
        "--timeout",
        "2",
        "--retries",
        "0",
    ];
    args.extend_from_slice(extra);
    send_importer::cli::ImportArgs::try_parse_from(args).expect("arguments")
}

/// The options of a refresh whose report is read back as JSON.
const JSON: [&str; 4] = ["--connect-timeout", "2", "--format", "json"];

#[tokio::test]
async fn a_refresh_imports_the_summary_and_every_report_it_can_then_only_what_is_missing() {
    let mut counts = (0, "", "");
    let server = Server::start_with(|addr| {
        let site = site(&format!("http://{addr}"));
        counts = (site.readable, site.missing, site.slow);
        site.routes
    })
    .await;
    let (readable, missing, slow) = counts;
    assert!(readable >= 5, "enough real reports are served: {readable}");
    let summary = server.url("/summary");
    each_backend(|t| {
        let (summary, server_requests) = (summary.clone(), server.requests.clone());
        async move {
            import(&t.db, without_links(), ImportOptions::default()).await.expect("bundled");
            server_requests.lock().expect("log").clear();
            let out = send_importer::cli::run(refresh_args(&t, &summary, &JSON)).await.expect("refresh");
            let first: serde_json::Value = serde_json::from_str(&out).expect("JSON");
            assert_eq!(first["reports_read"].as_array().map(Vec::len), Some(readable), "{first:#}");
            let failed = first["reports_failed"].as_array().expect("failed");
            assert_eq!(failed.len(), 2, "{first:#}");
            let reason = |path: &str| {
                failed
                    .iter()
                    .find(|f| f["url"].as_str().is_some_and(|u| u.ends_with(path)))
                    .map(|f| f["reason"].to_string())
            };
            assert!(reason(missing).is_some_and(|r| r.contains("404")), "{first:#}");
            assert!(reason(slow).is_some_and(|r| r.contains("did not answer in time")), "{first:#}");
            // What the reports gave is in: their priority actions' texts.
            let data = gql_data(&t.db, "{ priorityActions(first: 0, search: \"the\") { totalCount } }").await;
            assert!(data["priorityActions"]["totalCount"].as_i64().is_some_and(|n| n > 0), "{data}");

            // The second run asks again for the summary and for the two that failed, nothing else.
            server_requests.lock().expect("log").clear();
            let out = send_importer::cli::run(refresh_args(&t, &summary, &JSON)).await.expect("second refresh");
            let second: serde_json::Value = serde_json::from_str(&out).expect("JSON");
            assert_eq!(second["reports_read"].as_array().map(Vec::len), Some(0), "{second:#}");
            assert_eq!(second["reports_failed"].as_array().map(Vec::len), Some(2), "{second:#}");
            let mut paths: Vec<String> = server_requests
                .lock()
                .expect("log")
                .iter()
                .filter_map(|r| r.split_whitespace().nth(1).map(str::to_owned))
                .collect();
            paths.sort();
            let mut expected = vec![missing.to_owned(), slow.to_owned(), "/summary".to_owned()];
            expected.sort();
            assert_eq!(paths, expected);
            t
        }
    })
    .await;
}

#[tokio::test]
async fn the_closing_summary_names_new_inspections_with_outcome_and_publication() {
    let server = Server::start_with(|addr| site(&format!("http://{addr}")).routes).await;
    let summary = server.url("/summary");
    each_backend(|t| {
        let summary = summary.clone();
        async move {
            // Without the 2025-26 file, the summary brings the later inspections: the summary says which.
            let sources =
                without_links().into_iter().filter(|f| !f.name.ends_with("inspections_2025_2026.csv")).collect();
            import(&t.db, sources, ImportOptions::default()).await.expect("bundled");
            let out = send_importer::cli::run(refresh_args(&t, &summary, &[])).await.expect("refresh");
            let line = out.lines().find(|l| l.ends_with("new inspections:") || l.ends_with("new inspection:"));
            assert!(line.is_some(), "{out}");
            assert!(
                out.lines().any(|l| l.starts_with("  ") && l.contains(", published 20")),
                "each new inspection with its outcome and publication: {out}"
            );
            assert!(out.contains("report(s) could not be read (tried again on the next run):"), "{out}");
            t
        }
    })
    .await;
}
