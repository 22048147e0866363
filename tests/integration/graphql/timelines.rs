//! An area's past and future through the schema: lineage across reorganisations, timelines that carry a
//! predecessor's inspections, the two views of the current outcome, the computed inspection schedule, and the
//! programme's coverage and timeliness.

use std::collections::HashSet;

use crate::support::{bundled_inspections, each_backend_with_data, gql_data};

#[tokio::test]
async fn lineage_links_northamptonshire_to_its_successors_and_its_inspection_stays_on_the_predecessor() {
    each_backend_with_data(|t| async move {
        let data = gql_data(
            &t.db,
            r#"{ area(code: "E10000021") { name current validTo successors { area { code name validFrom } effective reorganisation }
                 inspections { start { text precision } outcome } } }"#,
        )
        .await;
        let area = &data["area"];
        assert_eq!(area["current"], false);
        assert_eq!(area["validTo"], "2021-03-31");
        let successors: Vec<&str> =
            area["successors"].as_array().expect("s").iter().map(|s| s["area"]["code"].as_str().expect("c")).collect();
        assert_eq!(successors, vec!["E06000061", "E06000062"]);
        assert_eq!(area["successors"][0]["effective"], "2021-04-01");
        assert_eq!(
            area["successors"][0]["reorganisation"],
            "Northamptonshire (E10000021) replaced by North Northamptonshire (E06000061) on 2021-04-01"
        );
        assert_eq!(area["successors"][0]["area"]["validFrom"], "2021-04-01");
        assert_eq!(area["inspections"][0]["start"]["text"], "2017-05");
        assert_eq!(area["inspections"][0]["start"]["precision"], "MONTH");
        assert_eq!(area["inspections"][0]["outcome"], "WSOA_NOT_REQUIRED");
        let data =
            gql_data(&t.db, r#"{ area(code: "E06000061") { predecessors { area { code current } effective } } }"#)
                .await;
        assert_eq!(data["area"]["predecessors"][0]["area"]["code"], "E10000021");
        assert_eq!(data["area"]["predecessors"][0]["area"]["current"], false);
        t
    })
    .await;
}

#[tokio::test]
async fn northamptonshires_2017_inspection_is_on_both_successors_timelines() {
    each_backend_with_data(|t| async move {
        for code in ["E06000061", "E06000062"] {
            let data = gql_data(
                &t.db,
                &format!(
                    r#"{{ area(code: "{code}") {{ timeline {{ viaPredecessor comparableWithCurrentFramework inspection {{ key area {{ code }} framework }} }} currentOutcome {{ key }} }} }}"#
                ),
            )
            .await;
            let timeline = data["area"]["timeline"].as_array().expect("timeline");
            let first = &timeline[0];
            assert_eq!(first["inspection"]["key"], "E10000021/2016/full/2017-05", "{code}");
            assert_eq!(first["viaPredecessor"], true);
            assert_eq!(first["comparableWithCurrentFramework"], false);
            assert_eq!(first["inspection"]["area"]["code"], "E10000021");
            let own: Vec<_> = timeline.iter().filter(|e| e["viaPredecessor"] == false).collect();
            let expected_own = bundled_inspections().iter().filter(|r| r["la_code_gss"] == code).count();
            assert_eq!(own.len(), expected_own, "{code}");
            assert!(own.iter().all(|e| e["inspection"]["area"]["code"] == code));
        }
        // The official view: no inheritance; North Northamptonshire's own 2024 inspection is its current outcome.
        let data = gql_data(&t.db, r#"{ area(code: "E06000061") { currentOutcome { key outcome } } }"#).await;
        assert_eq!(data["area"]["currentOutcome"]["key"], "E06000061/2023/full/2024-01-22");
        // Somerset (2023) has no inspection of its own: no official outcome, but the lineage view shows the former
        // county's latest full inspection (a 2016-framework outcome, not comparable).
        let rows = bundled_inspections();
        assert!(rows.iter().all(|r| r["la_code_gss"] != "E06000066"), "the fixture assumption");
        let county_latest = rows
            .iter()
            .filter(|r| r["la_code_gss"] == "E10000027" && r["inspection_type"] == "full")
            .map(|r| r["inspection_start"].clone())
            .max()
            .expect("the former county was inspected");
        let data = gql_data(
            &t.db,
            r#"{ area(code: "E06000066") { currentOutcome { key } currentOutcomeWithLineage { key framework area { code } } } }"#,
        )
        .await;
        assert!(data["area"]["currentOutcome"].is_null());
        let lineage = &data["area"]["currentOutcomeWithLineage"];
        assert_eq!(lineage["key"], format!("E10000027/2016/full/{county_latest}"));
        assert_eq!(lineage["framework"], "FRAMEWORK_2016");
        assert_eq!(lineage["area"]["code"], "E10000027");
        // An area inspected only under the 2016 framework has no current outcome in the official view.
        let only_2016: HashSet<String> = {
            let rows = bundled_inspections();
            let with_2023: HashSet<&String> = rows.iter().filter(|r| r["framework"] == "2023").map(|r| &r["la_code_gss"]).collect();
            rows.iter().filter(|r| !with_2023.contains(&r["la_code_gss"])).map(|r| r["la_code_gss"].clone()).collect()
        };
        let code = only_2016.iter().find(|c| c.starts_with("E0")).expect("an area");
        let data = gql_data(&t.db, &format!(r#"{{ area(code: "{code}") {{ currentOutcome {{ key }} timeline {{ inspection {{ key }} }} }} }}"#)).await;
        assert!(data["area"]["currentOutcome"].is_null(), "{code}");
        assert!(!data["area"]["timeline"].as_array().expect("t").is_empty());
        t
    })
    .await;
}

#[tokio::test]
async fn suffolks_monitoring_inspection_is_expected_18_months_after_publication() {
    each_backend_with_data(|t| async move {
        let data = gql_data(
            &t.db,
            r#"{ early: area(code: "E10000029") { schedule(asOf: "2025-01-01") { inspectionType due ruleId ruleVersion done overdue after { published { text } } } }
                 late: area(code: "E10000029") { schedule(asOf: "2025-09-01") { inspectionType due overdue } } }"#,
        )
        .await;
        let schedule = data["early"]["schedule"].as_array().expect("schedule");
        let monitoring = schedule.iter().find(|e| e["inspectionType"] == "MONITORING").expect("monitoring expected");
        assert_eq!(monitoring["due"], "2025-07-30", "18 months after 30 January 2024");
        assert_eq!(monitoring["ruleId"], "2023-systemic-monitoring");
        assert_eq!(monitoring["after"]["published"]["text"], "2024-01-30");
        assert_eq!(monitoring["overdue"], false);
        assert!(monitoring["ruleVersion"].as_str().is_some_and(|v| !v.is_empty()));
        let full = schedule.iter().find(|e| e["inspectionType"] == "FULL").expect("full reinspection expected");
        assert_eq!(full["due"], "2027-01-30", "about 3 years after publication");
        let late = data["late"]["schedule"].as_array().expect("schedule");
        let monitoring = late.iter().find(|e| e["inspectionType"] == "MONITORING").expect("monitoring");
        assert_eq!(monitoring["overdue"], true, "no monitoring inspection in the data by September 2025");
        // A typically positive area is next due about 5 years on; an area never inspected under 2023, by 2028.
        let data = gql_data(&t.db, r#"{ bolton: area(code: "E08000001") { schedule(asOf: "2025-01-01") { inspectionType due ruleId } } }"#).await;
        assert_eq!(data["bolton"]["schedule"][0]["due"], "2029-08-30");
        assert_eq!(data["bolton"]["schedule"][0]["ruleId"], "2023-positive-full");
        t
    })
    .await;
}

#[tokio::test]
async fn coverage_of_the_153_areas_as_at_31_december_2024() {
    each_backend_with_data(|t| async move {
        let inspected: HashSet<String> = bundled_inspections()
            .into_iter()
            .filter(|r| {
                r["framework"] == "2023"
                    && r["inspection_type"] == "full"
                    && crate::support::placed_on(r) <= "2024-12-31"
            })
            .map(|r| r["la_code_gss"].clone())
            .collect();
        let data = gql_data(
            &t.db,
            r#"{ coverage(asAt: "2024-12-31") { areas inspected remaining programmeEnd neededPerYear } }"#,
        )
        .await;
        let c = &data["coverage"];
        assert_eq!(c["areas"], 153);
        assert_eq!(c["inspected"], inspected.len());
        assert_eq!(c["remaining"], 153 - inspected.len());
        assert_eq!(c["programmeEnd"], "2028-03-31");
        let pace = c["neededPerYear"].as_f64().expect("pace");
        let years = 1186.0 / 365.25; // 31 December 2024 to 31 March 2028
        assert!((pace - (153 - inspected.len()) as f64 / years).abs() < 0.01, "{pace}");
        let data = gql_data(&t.db, r#"{ coverage(asAt: "2022-12-31") { inspected } }"#).await;
        assert_eq!(data["coverage"]["inspected"], 0, "the framework began in January 2023");
        t
    })
    .await;
}

#[tokio::test]
async fn timeliness_gives_days_to_publication_and_its_distribution_by_year() {
    each_backend_with_data(|t| async move {
        let day = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
        let mut by_year: std::collections::BTreeMap<String, Vec<i64>> = Default::default();
        for r in bundled_inspections() {
            if r["framework"] == "2023"
                && r["inspection_type"] == "full"
                && let (Some(end), Some(published)) = (day(&r["inspection_end"]), day(&r["published"]))
            {
                by_year.entry(r["inspection_start"][..4].to_owned()).or_default().push((published - end).num_days());
            }
        }
        let data = gql_data(
            &t.db,
            r#"{ timeliness { year inspections median lowerQuartile upperQuartile min max }
                 area(code: "E10000029") { inspections { daysToPublication } } }"#,
        )
        .await;
        // Suffolk: last day on site 17 November 2023, published 30 January 2024.
        assert_eq!(data["area"]["inspections"][2]["daysToPublication"], 74);
        assert!(data["area"]["inspections"][0]["daysToPublication"].is_null(), "no end date in the 2016 framework");
        let years = data["timeliness"].as_array().expect("years");
        assert_eq!(years.len(), by_year.len());
        for y in years {
            let mut days = by_year[&y["year"].to_string()].clone();
            days.sort_unstable();
            assert_eq!(y["inspections"], days.len(), "{y}");
            assert_eq!(y["min"], days[0]);
            assert_eq!(y["max"], days[days.len() - 1]);
            // The median of an odd count is the middle value; of an even count, the mean of the two middle values.
            let n = days.len();
            let median = if n % 2 == 1 { days[n / 2] as f64 } else { (days[n / 2 - 1] + days[n / 2]) as f64 / 2.0 };
            assert!((y["median"].as_f64().expect("median") - median).abs() < 1e-9, "{y}");
            let (lq, uq) = (y["lowerQuartile"].as_f64().expect("lq"), y["upperQuartile"].as_f64().expect("uq"));
            assert!(days[0] as f64 <= lq && lq <= median && median <= uq && uq <= days[n - 1] as f64, "{y}");
        }
        t
    })
    .await;
}
