//! Report PDFs as import sources: each report becomes one inspection of the `report` kind, through the same checks,
//! precedence rule and transaction as any other file, with its priority actions' texts and evidence and its areas for
//! improvement; the API serves them and searches the actions' texts.

use std::collections::BTreeSet;
use std::path::PathBuf;

use clap::Parser;
use sea_orm::{DatabaseConnection, EntityTrait};
use send_importer::ImportError;
use send_model::entity::improvement_area;
use serde_json::Value;

use super::{fixture, report, split_list};
use crate::support::import::import_paths;
use crate::support::{TempDir, data_file, each_backend_with_data, gql_data, snapshot, without_runs};

const SUFFOLK: &str = "80565_suffolk__area_send_full_inspection_-_30_january_2024.pdf";
const HALTON: &str = "80471_halton__area_send_full_inspection_-_26_january_2024.pdf";

/// The 20 sample reports, in name order.
fn all_reports() -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(data_file("reports"))
        .expect("list data/reports")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "pdf"))
        .collect();
    paths.sort();
    assert_eq!(paths.len(), 20);
    paths
}

fn outcome_enum(label: &str) -> &'static str {
    match label {
        "positive" => "TYPICALLY_POSITIVE",
        "inconsistent" => "INCONSISTENT",
        "systemic" => "WIDESPREAD_SYSTEMIC_FAILINGS",
        other => panic!("unknown outcome {other:?} in expected.csv"),
    }
}

/// The 2023 full inspection of `code` starting on `start`, as the API gives it.
async fn inspection_of(db: &DatabaseConnection, code: &str, start: &str) -> (Value, Value) {
    let data = gql_data(
        db,
        &format!(
            r#"{{ area(code: "{code}") {{ partners {{ code }}
                inspections(framework: FRAMEWORK_2023, inspectionType: FULL) {{
                  start {{ date }} end {{ date }} published {{ date }} outcome priorityActionCount
                  priorityActions {{ ordinal themeLabel text evidence }}
                  areasForImprovement {{ ordinal text theme evidence }} }} }} }}"#
        ),
    )
    .await;
    let area = data["area"].clone();
    let found = area["inspections"]
        .as_array()
        .expect("inspections")
        .iter()
        .find(|i| i["start"]["date"] == start)
        .unwrap_or_else(|| panic!("no 2023 full inspection of {code} starting {start}: {area}"))
        .clone();
    (area, found)
}

#[tokio::test]
async fn every_sample_report_is_imported_and_served() {
    each_backend_with_data(|t| async move {
        let result = import_paths(&t.db, &all_reports()).await.expect("the 20 reports import");
        assert_eq!(result.files.len(), 20);
        assert!(result.files.iter().all(|f| f.format == "ofsted-report-pdf"));
        let mut with_actions = 0;
        for row in crate::support::csv_rows("reports/expected.csv") {
            let (area, inspection) = inspection_of(&t.db, &row["la_code_gss"], &row["inspection_start"]).await;
            let file = &row["file"];
            assert_eq!(inspection["end"]["date"], row["inspection_end"].as_str(), "{file}");
            assert_eq!(inspection["published"]["date"], row["published"].as_str(), "{file}");
            assert_eq!(inspection["outcome"], outcome_enum(&row["outcome"]), "{file}");
            let partners: BTreeSet<String> = area["partners"]
                .as_array()
                .expect("partners")
                .iter()
                .map(|p| p["code"].as_str().expect("code").to_owned())
                .collect();
            let expected_icbs: BTreeSet<String> = split_list(&row["icb_codes"]).into_iter().collect();
            assert_eq!(partners, expected_icbs, "{file}");
            let count: usize = row["priority_action_count"].parse().expect("count");
            let actions = inspection["priorityActions"].as_array().expect("actions");
            assert_eq!(inspection["priorityActionCount"], count, "{file}");
            assert_eq!(actions.len(), count, "{file}");
            let themes: Vec<&str> = actions.iter().map(|a| a["themeLabel"].as_str().expect("label")).collect();
            assert_eq!(themes, split_list(&row["priority_action_themes"]), "{file}");
            for (i, action) in actions.iter().enumerate() {
                assert_eq!(action["ordinal"], i + 1, "{file}");
                let text = action["text"].as_str().unwrap_or_default();
                assert!(text.len() > 20, "{file}: action {} has no text: {action}", i + 1);
                assert!(!action["evidence"].as_array().expect("evidence").is_empty(), "{file}: {action}");
            }
            if count > 0 {
                with_actions += 1;
            }
            for area in inspection["areasForImprovement"].as_array().expect("areas for improvement") {
                assert!(!area["text"].as_str().expect("text").is_empty(), "{file}: {area}");
            }
        }
        assert!(with_actions >= 6, "the systemic-failings reports have actions");
        let stored = improvement_area::Entity::find().all(&t.db).await.expect("areas for improvement");
        assert!(stored.len() >= 20, "the reports name areas for improvement: {}", stored.len());
        t
    })
    .await;
}

#[tokio::test]
async fn suffolk_adds_only_what_the_report_holds_and_a_second_import_changes_nothing() {
    each_backend_with_data(|t| async move {
        let first = import_paths(&t.db, &[report(SUFFOLK)]).await.expect("first import");
        let file = &first.files[0];
        assert_eq!((file.inserted, file.updated, file.changed()), (0, 1, 0), "{first}");
        let fields: BTreeSet<&str> =
            file.changes.iter().flat_map(|c| c.fields.iter().map(|f| f.field.as_str())).collect();
        assert!(fields.contains("priority_action_texts"), "{first}");
        assert!(fields.contains("areas_for_improvement"), "{first}");
        for field in &fields {
            assert!(
                ["priority_action_texts", "areas_for_improvement", "inspection_end", "priority_action_count"]
                    .contains(field),
                "only report-only (or empty) fields are added: {first}"
            );
        }
        let (_, inspection) = inspection_of(&t.db, "E10000029", "2023-11-13").await;
        let themes: Vec<&str> = inspection["priorityActions"]
            .as_array()
            .expect("actions")
            .iter()
            .map(|a| a["themeLabel"].as_str().expect("label"))
            .collect();
        assert_eq!(themes, ["strategic governance and oversight", "education health and care plans"]);

        let before = snapshot(&t.db).await;
        let second = import_paths(&t.db, &[report(SUFFOLK)]).await.expect("second import");
        assert_eq!((second.inserted(), second.updated()), (0, 0), "{second}");
        assert_eq!(second.files[0].unchanged, 1, "{second}");
        let after = snapshot(&t.db).await;
        assert_eq!(without_runs(&before), without_runs(&after), "a second import writes nothing but its run");
        t
    })
    .await;
}

#[tokio::test]
async fn a_report_that_does_not_parse_stops_the_whole_batch() {
    each_backend_with_data(|t| async move {
        let dir = TempDir::new();
        let bytes = std::fs::read(report(SUFFOLK)).expect("read Suffolk");
        let bad = dir.join("suffolk_truncated.pdf");
        std::fs::write(&bad, &bytes[..bytes.len() * 2 / 5]).expect("write");
        let before = snapshot(&t.db).await;
        let areas_before = improvement_area::Entity::find().all(&t.db).await.expect("areas").len();
        let err = import_paths(&t.db, &[report(HALTON), bad.clone()]).await.expect_err("a bad report fails");
        let ImportError::Invalid(problems) = &err else { panic!("expected problems, got {err}") };
        assert_eq!(problems.len(), 1, "{err}");
        assert_eq!(problems[0].file, bad.display().to_string(), "{err}");
        assert!(problems[0].message.contains("truncated"), "{err}");
        assert_eq!(snapshot(&t.db).await, before, "nothing is written");
        let areas_after = improvement_area::Entity::find().all(&t.db).await.expect("areas").len();
        assert_eq!(areas_after, areas_before);
        t
    })
    .await;
}

#[tokio::test]
async fn priority_actions_are_searched_by_words_and_paged() {
    each_backend_with_data(|t| async move {
        // A folder contributes its .pdf files.
        let dir = TempDir::new();
        for path in all_reports() {
            let name = path.file_name().expect("name").to_string_lossy().into_owned();
            std::fs::copy(&path, dir.join(&name)).expect("copy");
        }
        let result = import_paths(&t.db, std::slice::from_ref(&dir.0)).await.expect("import the folder of reports");
        assert_eq!(result.files.len(), 20, "{result}");
        let data = gql_data(
            &t.db,
            r#"{ priorityActions(search: "Annual  REVIEWS", first: 50) { totalCount
                 edges { node { ordinal text theme inspection { area { code } start { date } } } } } }"#,
        )
        .await;
        let edges = data["priorityActions"]["edges"].as_array().expect("edges");
        assert!(!edges.is_empty(), "{data}");
        assert_eq!(data["priorityActions"]["totalCount"], edges.len());
        for edge in edges {
            let text = edge["node"]["text"].as_str().expect("text").to_lowercase();
            assert!(text.contains("annual") && text.contains("reviews"), "{text}");
        }
        assert!(
            edges.iter().any(|e| e["node"]["inspection"]["area"]["code"] == "E10000029" && e["node"]["ordinal"] == 2),
            "Suffolk's second action is found: {data}"
        );
        let none =
            gql_data(&t.db, r#"{ priorityActions(search: "annual zebra") { totalCount edges { cursor } } }"#).await;
        assert_eq!(none["priorityActions"]["totalCount"], 0);

        let all = gql_data(
            &t.db,
            r#"{ priorityActions(first: 6, theme: STRATEGIC_GOVERNANCE_AND_OVERSIGHT) { edges { node { text } } } }"#,
        )
        .await;
        let all: Vec<Value> = all["priorityActions"]["edges"].as_array().expect("edges").to_vec();
        assert_eq!(all.len(), 6);
        let first = gql_data(
            &t.db,
            r#"{ priorityActions(first: 3, theme: STRATEGIC_GOVERNANCE_AND_OVERSIGHT) {
                 pageInfo { hasNextPage endCursor } edges { node { text theme } } } }"#,
        )
        .await;
        assert_eq!(first["priorityActions"]["pageInfo"]["hasNextPage"], true);
        let cursor = first["priorityActions"]["pageInfo"]["endCursor"].as_str().expect("cursor");
        let second = gql_data(
            &t.db,
            &format!(
                r#"{{ priorityActions(first: 3, theme: STRATEGIC_GOVERNANCE_AND_OVERSIGHT, after: "{cursor}") {{
                     pageInfo {{ hasPreviousPage }} edges {{ node {{ text }} }} }} }}"#
            ),
        )
        .await;
        assert_eq!(second["priorityActions"]["pageInfo"]["hasPreviousPage"], true);
        let paged: Vec<Value> = first["priorityActions"]["edges"]
            .as_array()
            .expect("edges")
            .iter()
            .chain(second["priorityActions"]["edges"].as_array().expect("edges"))
            .map(|e| serde_json::json!({ "node": { "text": e["node"]["text"] } }))
            .collect();
        assert_eq!(paged, all, "two pages of 3 are the first 6");
        for e in first["priorityActions"]["edges"].as_array().expect("edges") {
            assert_eq!(e["node"]["theme"], "STRATEGIC_GOVERNANCE_AND_OVERSIGHT");
        }
        t
    })
    .await;
}

#[tokio::test]
async fn published_flag_sets_the_publication_date() {
    each_backend_with_data(|t| async move {
        let path = report(SUFFOLK).display().to_string();
        let args = send_importer::cli::ImportArgs::try_parse_from([
            "send-import",
            "--database-url",
            &t.url,
            "--published",
            "2024-02-01",
            &path,
        ])
        .expect("arguments");
        let out = send_importer::cli::run(args).await.expect("import with --published");
        assert!(out.contains("published: 2024-01-30 -> 2024-02-01"), "{out}");
        let (_, inspection) = inspection_of(&t.db, "E10000029", "2023-11-13").await;
        assert_eq!(inspection["published"]["date"], "2024-02-01");
        let bad = send_importer::cli::ImportArgs::try_parse_from(["send-import", "--published", "30/01/2024", &path]);
        assert!(bad.is_err(), "a date that is not YYYY-MM-DD is refused");
        t
    })
    .await;
}

#[tokio::test]
async fn a_report_fetched_from_a_url_records_where_it_came_from() {
    use std::collections::HashMap;

    use crate::support::serve::{Reply, Server};
    let pdf = std::fs::read(report(SUFFOLK)).expect("pdf");
    let server = Server::start(HashMap::from([("/v1/file/suffolk", vec![Reply::ok(pdf, "application/pdf")])])).await;
    each_backend_with_data(|t| async {
        let url = server.url("/v1/file/suffolk");
        let args = send_importer::cli::ImportArgs::try_parse_from([
            "send-import",
            "--database-url",
            &t.url,
            "--format",
            "json",
            "--published",
            "2024-01-30",
            &url,
        ])
        .expect("arguments");
        let out = send_importer::cli::run(args).await.expect("import from a loopback URL");
        let json: Value = serde_json::from_str(&out).expect("json report");
        let file = &json["files"][0];
        assert_eq!(file["source"], url.as_str());
        assert_eq!(file["inserted"], 0, "{out}");
        // The bundled links name Ofsted's address for this report; the report itself, fetched from elsewhere, ranks
        // above them, and the disagreement is reported with both values.
        let warnings = file["warnings"].as_array().expect("warnings");
        assert!(
            warnings.iter().any(|w| w.as_str().is_some_and(|w| w.contains("report_url") && w.contains(url.as_str()))),
            "{out}"
        );
        let (_, inspection) = inspection_of(&t.db, "E10000029", "2023-11-13").await;
        let data = gql_data(
            &t.db,
            r#"{ area(code: "E10000029") { inspections { start { text } reportUrl published { text } } } }"#,
        )
        .await;
        let suffolk_2023 = data["area"]["inspections"]
            .as_array()
            .expect("inspections")
            .iter()
            .find(|i| i["start"]["text"] == "2023-11-13")
            .expect("the 2023 inspection")
            .clone();
        assert_eq!(suffolk_2023["reportUrl"], url.as_str(), "{inspection}");
        assert_eq!(suffolk_2023["published"]["text"], "2024-01-30");
        t
    })
    .await;
    assert!(server.requests.lock().expect("log").iter().any(|r| r.starts_with("GET /v1/file/suffolk")));
}

#[tokio::test]
async fn a_lower_ranked_file_cannot_replace_themes_a_report_confirmed() {
    each_backend_with_data(|t| async move {
        import_paths(&t.db, &[report(SUFFOLK)]).await.expect("the report");
        // A curated file that changes Suffolk's 2023 themes after the report confirmed them.
        let dir = TempDir::new();
        let text = std::fs::read_to_string(data_file("inspections.csv")).expect("inspections.csv");
        let edited = text.replace(
            "systemic,strategic governance and oversight; education health and care plans,",
            "systemic,commissioning; education health and care plans,",
        );
        assert_ne!(edited, text, "the edit applies");
        let path = dir.join("inspections.csv");
        std::fs::write(&path, edited).expect("write");
        let report = import_paths(&t.db, &[path]).await.expect("the curated file");
        assert_eq!(report.updated(), 0, "{report}");
        let warnings: Vec<&String> = report.files.iter().flat_map(|f| &f.warnings).collect();
        assert!(
            warnings.iter().any(|w| w.contains("priority_actions") && w.contains("report ranks above curated")),
            "the disagreement is reported: {warnings:#?}"
        );
        let (_, inspection) = inspection_of(&t.db, "E10000029", "2023-11-13").await;
        let actions = inspection["priorityActions"].as_array().expect("actions");
        assert_eq!(actions[0]["themeLabel"], "strategic governance and oversight", "{inspection}");
        assert!(actions.iter().all(|a| a["text"].as_str().is_some_and(|t| !t.is_empty())), "texts kept: {inspection}");
        t
    })
    .await;
}

#[tokio::test]
async fn a_monitoring_inspection_report_adds_a_monitoring_inspection() {
    each_backend_with_data(|t| async move {
        let path = fixture("monitoring_inspection_report.pdf");
        let report = import_paths(&t.db, &[path]).await.expect("import");
        assert_eq!(report.inserted(), 1, "{report}");
        let data = gql_data(
            &t.db,
            r#"{ area(code: "E10000029") { inspections(framework: FRAMEWORK_2023, inspectionType: MONITORING) { start { text } end { text } outcome } } }"#,
        )
        .await;
        let found = data["area"]["inspections"].as_array().expect("inspections");
        assert_eq!(found.len(), 1, "{data}");
        assert_eq!(found[0]["start"]["text"], "2025-06-30");
        assert_eq!(found[0]["end"]["text"], "2025-07-02");
        assert_eq!(found[0]["outcome"], "EFFECTIVE_ACTION");
        t
    })
    .await;
}
