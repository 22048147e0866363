//! Research queries on the real bundled data: timelines across reorganisations, the two views of an area's current
//! outcome, the computed inspection schedule, and the programme's coverage.

use std::collections::HashSet;

use crate::support::{bundled_inspections, csv_rows, each_backend_with_data, gql_data};

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
async fn theme_shares_are_of_systemic_failings_inspections_by_year_and_region() {
    each_backend_with_data(|t| async move {
        let rows = bundled_inspections();
        for (year, region, region_name) in [
            (None, None, None),
            (Some("2023"), Some("E12000006"), Some("East of England")),
            (Some("2024"), Some("E12000006"), Some("East of England")),
            (Some("2025"), None, None),
        ] {
            let systemic: Vec<_> = rows
                .iter()
                .filter(|r| r["outcome"] == "systemic")
                .filter(|r| year.is_none_or(|y| r["inspection_start"].starts_with(y)))
                .filter(|r| region_name.is_none_or(|n| r["region"] == n))
                .collect();
            let mut filter = Vec::new();
            if let Some(y) = year {
                filter.push(format!("year: {y}"));
            }
            if let Some(r) = region {
                filter.push(format!("region: \"{r}\""));
            }
            let data = gql_data(
                &t.db,
                &format!("{{ priorityActionThemes(filter: {{{}}}) {{ label inspections systemicInspections systemicInspectionsNotYetRead shareOfSystemicInspections }} }}", filter.join(", ")),
            )
            .await;
            // A systemic-failings row without themes has its priority actions not yet read: out of the share.
            let unread = systemic.iter().filter(|r| r["priority_actions"].trim().is_empty()).count();
            let read = systemic.len() - unread;
            for theme in data["priorityActionThemes"].as_array().expect("themes") {
                let label = theme["label"].as_str().expect("label");
                let citing = systemic.iter().filter(|r| r["priority_actions"].split(';').any(|p| p.trim() == label)).count();
                assert_eq!(theme["systemicInspections"], systemic.len(), "{label}");
                assert_eq!(theme["systemicInspectionsNotYetRead"], unread, "{label}");
                assert_eq!(theme["inspections"], citing, "{label}");
                if read == 0 {
                    assert!(theme["shareOfSystemicInspections"].is_null(), "no share of nothing: {label}");
                } else {
                    let share = theme["shareOfSystemicInspections"].as_f64().expect("share");
                    assert!((share - citing as f64 / read as f64).abs() < 1e-12, "{label}");
                }
            }
        }
        t
    })
    .await;
}

#[tokio::test]
async fn the_dataset_version_changes_only_when_data_changes() {
    each_backend_with_data(|t| async move {
        let version = |db: sea_orm::DatabaseConnection| async move {
            gql_data(&db, "{ dataset { version } }").await["dataset"]["version"].as_str().expect("version").to_owned()
        };
        let first = version(t.db.clone()).await;
        send_importer::import(&t.db, send_importer::bundled(), Default::default()).await.expect("re-import");
        assert_eq!(version(t.db.clone()).await, first, "an import that changes nothing keeps the version");
        let ods = crate::support::data_file("official/Area_SEND_inspection_data_01_May_2016_to_31_August_2022.ods");
        send_importer::import(&t.db, send_importer::read_paths(&[ods]).expect("read"), Default::default())
            .await
            .expect("ods");
        assert_ne!(version(t.db.clone()).await, first, "an import that adds values changes it");
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

/// The no-N+1 guarantee: a page of areas with their latest inspection, partners and priority actions costs the same
/// few SQL statements whether it holds 5 areas or 100.
#[tokio::test]
async fn a_dashboard_page_costs_a_constant_number_of_statements() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    each_backend_with_data(|t| async move {
        let mut db = send_model::connect(&send_model::DbConfig::new(t.url.clone())).await.expect("connect");
        let statements = Arc::new(AtomicUsize::new(0));
        let counter = statements.clone();
        db.set_metric_callback(move |_| {
            counter.fetch_add(1, Ordering::SeqCst);
        });
        let mut counts = Vec::new();
        let mut seen = 0;
        let mut end_cursor = String::new();
        // One schema, as a server has: its read model (regions, areas, ICBs, tallies) is built once per dataset
        // version, by the first request; what is counted is what each request costs after that.
        let schema = send_api::build_schema(db.clone());
        let run = |query: String| {
            let (schema, db) = (schema.clone(), db.clone());
            async move {
                let response = send_api::execute(&schema, &db, async_graphql::Request::new(query)).await;
                assert!(response.errors.is_empty(), "{:?}", response.errors);
                serde_json::to_value(&response.data).expect("json")
            }
        };
        run("{ area(code: \"E10000029\") { code } }".to_owned()).await;
        // 5 areas, then all 153 (in two pages of 100, the second after the first's end cursor).
        for (n, follow) in [(5, false), (100, false), (100, true)] {
            statements.store(0, Ordering::SeqCst);
            let after = if follow { format!(", after: \"{end_cursor}\"") } else { String::new() };
            let data = run(
                format!("{{ areas(first: {n}{after}) {{ pageInfo {{ endCursor }} edges {{ node {{ code partners {{ name }} latestInspection {{ outcome priorityActions {{ theme }} }} }} }} }} }}"),
            )
            .await;
            let len = data["areas"]["edges"].as_array().map_or(0, Vec::len);
            if n == 100 {
                seen += len;
            }
            end_cursor = data["areas"]["pageInfo"]["endCursor"].as_str().unwrap_or_default().to_owned();
            counts.push(statements.load(Ordering::SeqCst));
        }
        assert_eq!(seen, 153, "both pages cover all 153 areas");
        assert!(counts.iter().all(|c| *c == counts[0]), "statements must not grow with the number of areas: {counts:?}");
        assert!(counts[0] <= 8, "a small constant: {counts:?}");
        db.close().await.ok();
        t
    })
    .await;
}

#[tokio::test]
async fn global_ids_fetch_areas_and_inspections_again() {
    each_backend_with_data(|t| async move {
        let ids = gql_data(
            &t.db,
            r#"{ suffolk: area(code: "E10000029") { id inspections { id key } }
                 northants: area(code: "E10000021") { inspections { id key } } }"#,
        )
        .await;
        let id_of = |area: &str, key: &str| -> String {
            ids[area]["inspections"]
                .as_array()
                .expect("inspections")
                .iter()
                .find(|i| i["key"] == key)
                .and_then(|i| i["id"].as_str())
                .expect("id")
                .to_owned()
        };
        let area_id = ids["suffolk"]["id"].as_str().expect("id").to_owned();
        let inspection_id = id_of("suffolk", "E10000029/2023/full/2023-11-13");
        let month_id = id_of("northants", "E10000021/2016/full/2017-05");
        assert!(!area_id.contains("E10000029") && !inspection_id.contains("2023-11-13"), "IDs are opaque");
        // A well-formed ID of an inspection that does not exist (IDs encode "Type:key" as hex).
        let missing: String = "Inspection:E10000029/2023/full/2020-01-06".bytes().map(|b| format!("{b:02x}")).collect();
        let data = gql_data(
            &t.db,
            &format!(
                r#"{{ a: node(id: "{area_id}") {{ id ... on Area {{ name }} }}
                     i: node(id: "{inspection_id}") {{ id ... on Inspection {{ key outcome }} }}
                     month: node(id: "{month_id}") {{ id ... on Inspection {{ key }} }}
                     missing: node(id: "{missing}") {{ id }}
                     garbage: node(id: "not an id") {{ id }} }}"#
            ),
        )
        .await;
        assert_eq!(data["a"]["name"], "Suffolk");
        assert_eq!(data["a"]["id"], area_id.as_str());
        assert_eq!(data["i"]["outcome"], "WIDESPREAD_SYSTEMIC_FAILINGS");
        assert_eq!(data["i"]["id"], inspection_id.as_str());
        assert_eq!(data["month"]["key"], "E10000021/2016/full/2017-05", "month-precision IDs round-trip");
        assert!(data["missing"].is_null() && data["garbage"].is_null());
        // Every inspection's ID fetches that same inspection, and IDs survive a re-import.
        send_importer::import(&t.db, send_importer::bundled(), Default::default()).await.expect("re-import");
        let page = gql_data(&t.db, "{ inspections(first: 100) { edges { node { id } } } }").await;
        for edge in page["inspections"]["edges"].as_array().expect("edges").iter().take(25) {
            let id = edge["node"]["id"].as_str().expect("id");
            let again = gql_data(&t.db, &format!(r#"{{ node(id: "{id}") {{ id }} }}"#)).await;
            assert_eq!(again["node"]["id"], id);
        }
        let again = gql_data(&t.db, r#"{ area(code: "E10000029") { id } }"#).await;
        assert_eq!(again["area"]["id"], area_id.as_str(), "stable across re-imports");
        t
    })
    .await;
}

#[tokio::test]
async fn connections_filter_by_ofsted_region_and_icb() {
    each_backend_with_data(|t| async move {
        let rows = bundled_inspections();
        let combined = ["North East", "Yorkshire and The Humber"];
        let data = gql_data(
            &t.db,
            r#"{ inspections(first: 0, filter: {ofstedRegion: "North East, Yorkshire and the Humber"}) { totalCount }
                 areas(first: 0, filter: {icb: "E54000059"}) { totalCount }
                 icbInspections: inspections(first: 0, filter: {icb: "E54000059"}) { totalCount } }"#,
        )
        .await;
        assert_eq!(
            data["inspections"]["totalCount"],
            rows.iter().filter(|r| combined.contains(&r["region"].as_str())).count()
        );
        let served: Vec<String> = csv_rows("local_areas.csv")
            .into_iter()
            .filter(|r| r["icb_codes"].split(';').any(|c| c == "E54000059"))
            .map(|r| r["la_code_gss"].clone())
            .collect();
        assert_eq!(data["areas"]["totalCount"], served.len());
        assert_eq!(
            data["icbInspections"]["totalCount"],
            rows.iter().filter(|r| served.contains(&r["la_code_gss"])).count()
        );
        let bad = crate::support::gql(&t.db, r#"{ areas(filter: {ofstedRegion: "Narnia"}) { totalCount } }"#).await;
        assert_eq!(crate::support::error_code(&bad), "BAD_USER_INPUT");
        t
    })
    .await;
}

#[tokio::test]
async fn an_area_compares_with_its_region_and_england() {
    each_backend_with_data(|t| async move {
        let rows = bundled_inspections();
        let full_2023 = |region: Option<&str>| {
            rows.iter()
                .filter(|r| r["framework"] == "2023" && r["inspection_type"] == "full")
                .filter(|r| region.is_none_or(|g| r["region"] == g))
                .count()
        };
        let data = gql_data(
            &t.db,
            r#"{ area(code: "E10000029") { comparison { currentOutcome { key } region { region total } england { total } } } }"#,
        )
        .await;
        let c = &data["area"]["comparison"];
        assert_eq!(c["currentOutcome"]["key"], "E10000029/2023/full/2023-11-13");
        assert_eq!(c["region"]["region"], "E12000006");
        assert_eq!(c["region"]["total"], full_2023(Some("East of England")));
        assert_eq!(c["england"]["total"], full_2023(None));
        t
    })
    .await;
}

#[tokio::test]
async fn every_kind_of_record_names_the_import_run_it_came_from() {
    each_backend_with_data(|t| async move {
        let data = gql_data(
            &t.db,
            r#"{ area(code: "E10000029") { importRun { source } region { importRun { source } }
                   partners { importRun { source } }
                   inspections { importRun { source finishedAt } priorityActions { importRun { source } } } }
                 thematicVisits { importRun { source } } }"#,
        )
        .await;
        let area = &data["area"];
        assert_eq!(area["importRun"]["source"], "bundled:data/ofsted_report_links.csv", "the URN came last");
        assert_eq!(area["region"]["importRun"]["source"], "bundled:data/regions.csv");
        assert_eq!(area["partners"][0]["importRun"]["source"], "bundled:data/icbs.csv");
        assert_eq!(area["inspections"][0]["importRun"]["source"], "bundled:data/inspections.csv");
        assert!(area["inspections"][0]["importRun"]["finishedAt"].is_string());
        assert_eq!(area["inspections"][2]["priorityActions"][0]["importRun"]["source"], "bundled:data/inspections.csv");
        assert_eq!(data["thematicVisits"][0]["importRun"]["source"], "bundled:data/thematic_visits.csv");
        t
    })
    .await;
}

#[tokio::test]
async fn counts_kept_at_import_time_equal_counting_the_inspections() {
    each_backend_with_data(|t| async move {
        // A second import that adds inspections and values: the tallies must follow it.
        let ods = crate::support::data_file("official/Area_SEND_inspection_data_01_May_2016_to_31_August_2022.ods");
        send_importer::import(&t.db, send_importer::read_paths(&[ods]).expect("read"), Default::default())
            .await
            .expect("ods");
        let mut checked = 0;
        for (framework, kind) in
            [("FRAMEWORK_2016", "FULL"), ("FRAMEWORK_2016", "REVISIT"), ("FRAMEWORK_2023", "FULL"), ("FRAMEWORK_2023", "MONITORING")]
        {
            for year in 2016..=2026 {
                for region in ["", ", region: \"E12000007\""] {
                    let data = gql_data(
                        &t.db,
                        &format!("{{ outcomeProfile(filter: {{framework: {framework}, inspectionType: {kind}, year: {year}{region}}}) {{ total unknown outcomes {{ outcome count }} }} }}"),
                    )
                    .await;
                    let profile = &data["outcomeProfile"];
                    let mut sum = profile["unknown"].as_u64().expect("unknown");
                    for o in profile["outcomes"].as_array().expect("outcomes") {
                        // `nameContains: ""` matches every area but is not a tallied filter: the database counts.
                        let counted = gql_data(
                            &t.db,
                            &format!(
                                "{{ inspections(first: 0, filter: {{framework: {framework}, inspectionType: {kind}, year: {year}, outcome: {}, nameContains: \"\"{region}}}) {{ totalCount }} }}",
                                o["outcome"].as_str().expect("outcome")
                            ),
                        )
                        .await;
                        assert_eq!(o["count"], counted["inspections"]["totalCount"], "{framework} {kind} {year}{region}: {o}");
                        sum += o["count"].as_u64().expect("count");
                        checked += o["count"].as_u64().expect("count");
                    }
                    let all = gql_data(
                        &t.db,
                        &format!("{{ a: inspections(first: 0, filter: {{framework: {framework}, inspectionType: {kind}, year: {year}, nameContains: \"\"{region}}}) {{ totalCount }} b: inspections(first: 0, filter: {{framework: {framework}, inspectionType: {kind}, year: {year}{region}}}) {{ totalCount }} }}"),
                    )
                    .await;
                    assert_eq!(all["a"]["totalCount"], sum, "{framework} {kind} {year}{region}: total and unknown");
                    assert_eq!(all["b"]["totalCount"], sum, "{framework} {kind} {year}{region}: a tallied page total");
                }
            }
        }
        assert!(checked > 100, "the comparison covered the data: {checked}");
        t
    })
    .await;
}

#[tokio::test]
async fn an_area_that_changes_region_takes_its_inspections_and_counts_along() {
    each_backend_with_data(|t| async move {
        let dir = crate::support::TempDir::new();
        let text = std::fs::read_to_string(crate::support::data_file("local_areas.csv")).expect("local_areas.csv");
        let moved = text.replace("E10000029,935,Suffolk,East of England,", "E10000029,935,Suffolk,London,");
        assert_ne!(moved, text, "the edit applies");
        let path = dir.join("local_areas.csv");
        std::fs::write(&path, moved).expect("write");
        let count = |region: &'static str| {
            let db = t.db.clone();
            async move {
                let data = gql_data(
                    &db,
                    &format!(
                        "{{ a: inspections(filter: {{areaCode: \"E10000029\", region: \"{region}\"}}) {{ totalCount }} p: outcomeProfile(filter: {{framework: FRAMEWORK_2023, year: 2023, region: \"{region}\"}}) {{ total }} }}"
                    ),
                )
                .await;
                (data["a"]["totalCount"].as_u64().expect("count"), data["p"]["total"].as_u64().expect("total"))
            }
        };
        let (east_before, london_before) = (count("E12000006").await, count("E12000007").await);
        assert_eq!(east_before.0, 3, "Suffolk's three inspections are in the East of England");
        assert_eq!(london_before.0, 0);
        send_importer::import(&t.db, send_importer::read_paths(&[path]).expect("read"), Default::default())
            .await
            .expect("import the move");
        let (east, london) = (count("E12000006").await, count("E12000007").await);
        assert_eq!((east.0, london.0), (0, 3), "the inspections follow their area");
        // Suffolk's 2023 full inspection moves from one region's profile to the other's.
        assert_eq!((east.1, london.1), (east_before.1 - 1, london_before.1 + 1));
        t
    })
    .await;
}

#[tokio::test]
async fn an_answer_never_mixes_the_read_model_of_one_import_with_rows_of_the_next() {
    each_backend_with_data(|t| async move {
        // A server's schema: its read model (regions, areas, tallies) is re-checked only every ten minutes, so after
        // the import below the model it holds is of the previous dataset version.
        let models = std::sync::Arc::new(send_api::ReadModels::new(std::time::Duration::from_secs(600)));
        let schema = send_api::build_schema_with(t.db.clone(), &send_api::Limits::default(), models);
        let kinds = [("FRAMEWORK_2016", "FULL"), ("FRAMEWORK_2016", "REVISIT"), ("FRAMEWORK_2023", "FULL")];
        // One request per kind: the profile's total comes from the read model's tally, `totalCount` (with a filter
        // the tallies do not cover) from counting rows in the request's snapshot.
        let both = |framework: &str, kind: &str| {
            format!(
                "{{ p: outcomeProfile(filter: {{framework: {framework}, inspectionType: {kind}}}) {{ total unknown }} \
                 c: inspections(first: 0, filter: {{framework: {framework}, inspectionType: {kind}, nameContains: \"\"}}) {{ totalCount }} }}"
            )
        };
        let ask = |query: String| {
            let (schema, db) = (schema.clone(), t.db.clone());
            async move {
                let response = send_api::execute(&schema, &db, async_graphql::Request::new(query)).await;
                assert!(response.errors.is_empty(), "{:?}", response.errors);
                let data = serde_json::to_value(&response.data).expect("json");
                let tallied = data["p"]["total"].as_u64().expect("total") + data["p"]["unknown"].as_u64().expect("unknown");
                (tallied, data["c"]["totalCount"].as_u64().expect("count"))
            }
        };
        let mut before = Vec::new();
        for (framework, kind) in kinds {
            let (tallied, counted) = ask(both(framework, kind)).await;
            assert_eq!(tallied, counted, "{framework} {kind} before the import");
            before.push(counted);
        }
        import_one_more_barking_inspection(&t.db).await;
        let mut changed = false;
        for ((framework, kind), old) in kinds.into_iter().zip(before) {
            let (tallied, counted) = ask(both(framework, kind)).await;
            assert_eq!(tallied, counted, "{framework} {kind}: the profile and the count of one answer agree after the import");
            changed |= counted != old;
        }
        assert!(changed, "the import added inspections, so at least one count moved");
        t
    })
    .await;
}

#[tokio::test]
async fn an_areas_inspections_held_in_the_read_model_are_those_of_the_answers_version() {
    each_backend_with_data(|t| async move {
        // A server's schema whose read model is re-checked only every ten minutes: after the import below, the model
        // it holds (with Barking and Dagenham's inspections, read by the first request) is of the previous version.
        let models = std::sync::Arc::new(send_api::ReadModels::new(std::time::Duration::from_secs(600)));
        let schema = send_api::build_schema_with(t.db.clone(), &send_api::Limits::default(), models);
        // The area's inspections (from the read model once read) beside a count of its rows in the request's
        // snapshot (always from the database).
        let query = "{ area(code: \"E09000002\") { inspections { key } timeline { inspection { key } } } \
                     c: inspections(first: 0, filter: {areaCode: \"E09000002\"}) { totalCount } }";
        let ask = || {
            let (schema, db) = (schema.clone(), t.db.clone());
            async move {
                let response = send_api::execute(&schema, &db, async_graphql::Request::new(query)).await;
                assert!(response.errors.is_empty(), "{:?}", response.errors);
                let data = serde_json::to_value(&response.data).expect("json");
                let held = data["area"]["inspections"].as_array().map_or(0, Vec::len);
                let timeline = data["area"]["timeline"].as_array().map_or(0, Vec::len);
                (held, timeline, data["c"]["totalCount"].as_u64().expect("count") as usize)
            }
        };
        let (held, timeline, counted) = ask().await;
        assert_eq!((held, timeline), (counted, counted), "before the import");
        assert!(counted > 0, "Barking and Dagenham has inspections");
        // Asked again: now from the model (still the same answer).
        assert_eq!(ask().await, (counted, counted, counted));
        import_one_more_barking_inspection(&t.db).await;
        assert_eq!(ask().await, (counted + 1, counted + 1, counted + 1), "the new inspection, held and counted alike");
        t
    })
    .await;
}

/// Imports a curated file with one more 2023-framework full inspection, of Barking and Dagenham.
async fn import_one_more_barking_inspection(db: &sea_orm::DatabaseConnection) {
    let dir = crate::support::TempDir::new();
    let header = std::fs::read_to_string(crate::support::data_file("inspections.csv")).expect("read");
    let header = header.lines().next().expect("header");
    let file = dir.join("inspections.csv");
    std::fs::write(
        &file,
        format!("{header}\nBarking and Dagenham,E09000002,301,London,2023,full,2026-06-01,2026-06-05,2026-07-20,positive,,https://example.org/report.pdf\n"),
    )
    .expect("write");
    let report = send_importer::import(db, send_importer::read_paths(&[file]).expect("read"), Default::default())
        .await
        .expect("import");
    assert_eq!(report.inserted(), 1, "{report:?}");
}
