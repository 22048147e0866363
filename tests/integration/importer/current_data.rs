//! The bundled data as it now runs: past 2024 (`data/inspections_2025_2026.csv`), and rows are held with what is known:
//! an outcome whose priority actions are not yet read, an inspection whose start no source gives. Every expected figure
//! is counted here from the bundled files, independently of the importer and the API.

use std::collections::HashMap;

use send_importer::ImportError;

use crate::support::import::{import_paths, inspections_file};
use crate::support::{
    TempDir, bundled_inspections, csv_rows, each_backend_with_data, full_2023_placed_by, gql_data, snapshot,
    without_runs,
};

/// Full 2023-framework rows of `rows` whose start falls in `year`, by outcome code.
fn by_outcome(rows: &[HashMap<String, String>], year: &str) -> HashMap<String, i64> {
    let mut counts = HashMap::new();
    for r in rows {
        if r["framework"] == "2023" && r["inspection_type"] == "full" && r["inspection_start"].starts_with(year) {
            *counts.entry(r["outcome"].clone()).or_default() += 1;
        }
    }
    counts
}

#[tokio::test]
async fn full_inspections_are_counted_by_start_year_as_ofsted_does() {
    let later = csv_rows("inspections_2025_2026.csv");
    each_backend_with_data(|t| {
        let later = later.clone();
        async move {
            for (year, expected) in [
                ("2023", HashMap::from([("positive".to_owned(), 7), ("inconsistent".to_owned(), 11), ("systemic".to_owned(), 8)])),
                ("2024", HashMap::from([("positive".to_owned(), 7), ("inconsistent".to_owned(), 15), ("systemic".to_owned(), 6)])),
                ("2025", by_outcome(&later, "2025")),
                ("2026", by_outcome(&later, "2026")),
            ] {
                let data = gql_data(
                    &t.db,
                    &format!("{{ outcomeProfile(filter: {{framework: FRAMEWORK_2023, year: {year}}}) {{ total startUnknown outcomes {{ outcome count }} }} }}"),
                )
                .await;
                let p = &data["outcomeProfile"];
                let total: i64 = expected.values().sum();
                assert_eq!(p["total"], total, "{year}");
                for (name, code) in [("TYPICALLY_POSITIVE", "positive"), ("INCONSISTENT", "inconsistent"), ("WIDESPREAD_SYSTEMIC_FAILINGS", "systemic")] {
                    let count = p["outcomes"].as_array().expect("outcomes").iter().find(|o| o["outcome"] == name).expect("outcome")["count"].clone();
                    assert_eq!(count, expected.get(code).copied().unwrap_or(0), "{year} {code}");
                }
                // Those without a start date, published in the year or the next, may belong to it: said, not counted.
                let unplaced = later
                    .iter()
                    .filter(|r| r["inspection_type"] == "full" && r["inspection_start"].is_empty())
                    .filter(|r| {
                        let published: i32 = r["published"][..4].parse().expect("year");
                        let y: i32 = year.parse().expect("year");
                        published == y || published == y + 1
                    })
                    .count();
                assert_eq!(p["startUnknown"], unplaced, "{year}");
            }
            assert_eq!(by_outcome(&later, "2025").values().sum::<i64>(), 28, "the README's count of the file");
            t
        }
    })
    .await;
}

#[tokio::test]
async fn an_inspection_without_a_start_date_is_held_at_its_publication_and_never_given_a_year() {
    each_backend_with_data(|t| async move {
        let rows = bundled_inspections();
        let unknown: Vec<_> = rows.iter().filter(|r| r["inspection_start"].is_empty()).collect();
        assert_eq!(unknown.len(), 2, "Buckinghamshire and Thurrock, 2026");
        for r in &unknown {
            let data = gql_data(
                &t.db,
                &format!(
                    r#"{{ area(code: "{}") {{ inspections {{ id key start {{ text }} year published {{ text }} outcome }} }} }}"#,
                    r["la_code_gss"]
                ),
            )
            .await;
            let held: Vec<_> = data["area"]["inspections"]
                .as_array()
                .expect("inspections")
                .iter()
                .filter(|i| i["published"]["text"] == r["published"].as_str())
                .collect();
            assert_eq!(held.len(), 1, "{}: held once", r["area_name"]);
            assert!(held[0]["start"].is_null(), "no start is guessed: {held:?}");
            assert!(held[0]["year"].is_null(), "no year is guessed: {held:?}");
            // Its key gives its publication, marked as such, not a date that would read as its start; it finds it.
            let key = format!("{}/2023/full/published-{}", r["la_code_gss"], r["published"]);
            assert_eq!(held[0]["key"], key.as_str());
            let id = held[0]["id"].as_str().expect("id");
            let found = gql_data(&t.db, &format!(r#"{{ node(id: "{id}") {{ ... on Inspection {{ key }} }} }}"#)).await;
            assert_eq!(found["node"]["key"], key.as_str());
        }
        // A cumulative profile counts them from their publication; a filter by year or start leaves them out.
        let all = rows.iter().filter(|r| r["framework"] == "2023" && r["inspection_type"] == "full").count();
        let first_unknown = unknown.iter().map(|r| r["published"].clone()).min().expect("date");
        let data = gql_data(
            &t.db,
            &format!(
                r#"{{ all: outcomeProfile(filter: {{framework: FRAMEWORK_2023}}) {{ total startUnknown }}
                     at: outcomeProfile(filter: {{framework: FRAMEWORK_2023, asAt: "{first_unknown}"}}) {{ total }}
                     y2026: inspections(filter: {{framework: FRAMEWORK_2023, inspectionType: FULL, year: 2026}}) {{ totalCount }} }}"#
            ),
        )
        .await;
        assert_eq!(data["all"]["total"], all);
        assert_eq!(data["all"]["startUnknown"], 0);
        assert_eq!(data["at"]["total"], full_2023_placed_by(&rows, &first_unknown));
        let known_2026 = rows
            .iter()
            .filter(|r| r["framework"] == "2023" && r["inspection_type"] == "full" && r["inspection_start"].starts_with("2026"))
            .count();
        assert_eq!(data["y2026"]["totalCount"], known_2026);
        t
    })
    .await;
}

#[tokio::test]
async fn cornwall_has_two_full_inspections_and_slough_awaits_its_priority_actions() {
    each_backend_with_data(|t| async move {
        let rows = bundled_inspections();
        let cornwall: Vec<_> = rows
            .iter()
            .filter(|r| r["la_code_gss"] == "E06000052" && r["framework"] == "2023" && r["inspection_type"] == "full")
            .collect();
        assert_eq!(cornwall.len(), 2);
        let latest = cornwall.iter().map(|r| r["inspection_start"].clone()).max().expect("latest");
        let data = gql_data(
            &t.db,
            r#"{ cornwall: area(code: "E06000052") { currentOutcome { key start { text } }
                   inspections { framework inspectionType } }
                 slough: area(code: "E06000039") { currentOutcome { outcome priorityActionCount priorityActionsNotYetRead } }
                 themes: priorityActionThemes(filter: {year: 2025}) { systemicInspections systemicInspectionsNotYetRead } }"#,
        )
        .await;
        let full_2023 = data["cornwall"]["inspections"]
            .as_array()
            .expect("inspections")
            .iter()
            .filter(|i| i["framework"] == "FRAMEWORK_2023" && i["inspectionType"] == "FULL")
            .count();
        assert_eq!(full_2023, 2, "the reinspection is a new inspection, not a rewrite");
        assert_eq!(data["cornwall"]["currentOutcome"]["start"]["text"], latest.as_str());
        let slough = &data["slough"]["currentOutcome"];
        assert_eq!(slough["outcome"], "WIDESPREAD_SYSTEMIC_FAILINGS");
        assert!(slough["priorityActionCount"].is_null(), "not yet read is not none: {slough}");
        assert_eq!(slough["priorityActionsNotYetRead"], true);
        let unread_2025 = rows
            .iter()
            .filter(|r| r["outcome"] == "systemic" && r["inspection_start"].starts_with("2025") && r["priority_actions"].is_empty())
            .count();
        assert!(unread_2025 > 0);
        assert_eq!(data["themes"][0]["systemicInspectionsNotYetRead"], unread_2025);
        t
    })
    .await;
}

#[tokio::test]
async fn counts_without_a_date_are_taken_at_the_date_the_data_runs_to() {
    each_backend_with_data(|t| async move {
        // The newest publication, or the day of the newest snapshot bundled, whichever is later.
        let published = bundled_inspections().into_iter().map(|r| r["published"].clone()).max().expect("newest");
        let page = std::fs::read(crate::support::data_file("d2i_summary_2026-06-29.html")).expect("page");
        let taken = send_importer::d2i::read_summary("page", &page).expect("summary").taken_at.date().to_string();
        let newest = published.max(taken);
        let data = gql_data(
            &t.db,
            &format!(
                r#"{{ dataset {{ dataRunsTo }} coverage {{ asAt inspected }} at: coverage(asAt: "{newest}") {{ inspected }}
                     area(code: "E06000039") {{ schedule {{ due overdue }} }} }}"#
            ),
        )
        .await;
        assert_eq!(data["dataset"]["dataRunsTo"], newest.as_str());
        assert_eq!(data["coverage"]["asAt"], newest.as_str(), "not today");
        assert_eq!(data["coverage"]["inspected"], data["at"]["inspected"]);
        t
    })
    .await;
}

#[tokio::test]
async fn a_systemic_row_is_taken_without_themes_and_filled_by_a_later_reading() {
    each_backend_with_data(|t| async move {
        let dir = TempDir::new();
        let slough = csv_rows("inspections_2025_2026.csv").into_iter().find(|r| r["area_name"] == "Slough").expect("Slough");
        let row = |themes: &str| {
            format!(
                "Slough,E06000039,871,South East,2023,full,{},{},{},systemic,{themes},https://example.org/coded\n",
                slough["inspection_start"], slough["inspection_end"], slough["published"]
            )
        };
        let coded = inspections_file(&dir, "coded.csv", &row("co-production; social care"));
        import_paths(&t.db, &[coded]).await.expect("import");
        let query = r#"{ area(code: "E06000039") { currentOutcome { priorityActionCount priorityActionsNotYetRead priorityActions { theme } } } }"#;
        let data = gql_data(&t.db, query).await;
        let current = &data["area"]["currentOutcome"];
        assert_eq!(current["priorityActionCount"], 2);
        assert_eq!(current["priorityActionsNotYetRead"], false);
        // A later file that has not read them says nothing of them: the reading stands.
        let unread = inspections_file(&dir, "unread.csv", &row(""));
        let before = snapshot(&t.db).await;
        let report = import_paths(&t.db, &[unread]).await.expect("import");
        assert_eq!(report.updated(), 0, "{report}");
        assert_eq!(without_runs(&snapshot(&t.db).await), without_runs(&before));
        t
    })
    .await;
}

#[tokio::test]
async fn a_start_given_later_fills_the_held_inspection_and_no_row_without_any_date_is_taken() {
    each_backend_with_data(|t| async move {
        let dir = TempDir::new();
        let bucks = bundled_inspections().into_iter().find(|r| r["area_name"] == "Buckinghamshire" && r["inspection_start"].is_empty()).expect("row");
        let dated = inspections_file(
            &dir,
            "dated.csv",
            &format!("Buckinghamshire,E06000060,825,South East,2023,full,2025-12-01,2025-12-05,{},inconsistent,,https://example.org/dated\n", bucks["published"]),
        );
        let count = r#"{ inspections(filter: {areaCode: "E06000060", framework: FRAMEWORK_2023}) { totalCount edges { node { start { text } year } } } }"#;
        let before = gql_data(&t.db, count).await["inspections"]["totalCount"].clone();
        let report = import_paths(&t.db, &[dated]).await.expect("import");
        assert_eq!((report.inserted(), report.updated()), (0, 1), "{report}");
        let data = gql_data(&t.db, count).await;
        assert_eq!(data["inspections"]["totalCount"], before, "the same inspection, now placed");
        let nodes = data["inspections"]["edges"].as_array().expect("edges");
        assert!(nodes.iter().any(|e| e["node"]["start"]["text"] == "2025-12-01" && e["node"]["year"] == 2025), "{nodes:?}");

        let undated = inspections_file(
            &dir,
            "undated.csv",
            "Thurrock,E06000034,883,East of England,2023,full,,,,inconsistent,,https://example.org/x\n",
        );
        let before = snapshot(&t.db).await;
        let result = import_paths(&t.db, &[undated]).await;
        assert_eq!(snapshot(&t.db).await, before);
        let Err(ImportError::Invalid(problems)) = result else { panic!("expected problems, got {result:?}") };
        let problems: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert!(
            problems.iter().any(|p| p.contains("undated.csv:2: inspection_start: expected a date") && p.contains("no publication date")),
            "{problems:#?}"
        );
        t
    })
    .await;
}
