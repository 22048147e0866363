//! Every query of the API through the schema (no HTTP), on the real bundled data, with expected figures computed
//! from the CSV files where the issue does not state them.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use crate::support::{bundled_inspections, csv_rows, each_backend, each_backend_with_data, error_code, gql, gql_data};

/// The 2023 outcome profile, exactly the query of the issue, reproduces Ofsted's release as at 31 December 2023.
#[tokio::test]
async fn the_2023_outcome_profile_is_26_inspections_7_11_8() {
    each_backend_with_data(|t| async move {
        let data = gql_data(
            &t.db,
            "{ outcomeProfile(filter: {framework: FRAMEWORK_2023, year: 2023}) { total outcomes { outcome count share } } }",
        )
        .await;
        let profile = &data["outcomeProfile"];
        assert_eq!(profile["total"], 26);
        let outcomes: Vec<(&str, i64)> = profile["outcomes"]
            .as_array()
            .expect("outcomes")
            .iter()
            .map(|o| (o["outcome"].as_str().expect("name"), o["count"].as_i64().expect("count")))
            .collect();
        assert_eq!(outcomes, vec![("TYPICALLY_POSITIVE", 7), ("INCONSISTENT", 11), ("WIDESPREAD_SYSTEMIC_FAILINGS", 8)]);
        let shares: f64 = profile["outcomes"].as_array().expect("outcomes").iter().map(|o| o["share"].as_f64().expect("share")).sum();
        assert!((shares - 1.0).abs() < 1e-9, "shares sum to 1, got {shares}");
        assert!((profile["outcomes"][0]["share"].as_f64().expect("share") - 7.0 / 26.0).abs() < 1e-12);
        t
    })
    .await;
}

/// Counts per outcome, computed from inspections.csv independently of the importer and the API.
fn csv_outcome_counts(framework: &str, kind: &str, year: Option<&str>, region: Option<&str>) -> HashMap<String, i64> {
    let mut counts = HashMap::new();
    for r in bundled_inspections() {
        if r["framework"] == framework
            && r["inspection_type"] == kind
            && year.is_none_or(|y| r["inspection_start"].starts_with(y))
            && region.is_none_or(|g| r["region"] == g)
        {
            *counts.entry(r["outcome"].clone()).or_insert(0) += 1;
        }
    }
    counts
}

#[tokio::test]
async fn outcome_profiles_match_the_csv_for_every_framework_type_and_a_region() {
    each_backend_with_data(|t| async move {
        let cases = [
            ("FRAMEWORK_2016", "FULL", "2016", "full", None, vec![("WSOA_REQUIRED", "wsoa"), ("WSOA_NOT_REQUIRED", "no_wsoa")]),
            (
                "FRAMEWORK_2016",
                "REVISIT",
                "2016",
                "revisit",
                None,
                vec![
                    ("ALL_WEAKNESSES_ADDRESSED", "all_addressed"),
                    ("SOME_WEAKNESSES_ADDRESSED", "some_addressed"),
                    ("NO_WEAKNESSES_ADDRESSED", "none_addressed"),
                ],
            ),
            (
                "FRAMEWORK_2023",
                "FULL",
                "2023",
                "full",
                Some(("E12000006", "East of England")),
                vec![("TYPICALLY_POSITIVE", "positive"), ("INCONSISTENT", "inconsistent"), ("WIDESPREAD_SYSTEMIC_FAILINGS", "systemic")],
            ),
        ];
        for (framework, kind, csv_framework, csv_kind, region, outcomes) in cases {
            let region_arg = region.map_or(String::new(), |(code, _)| format!(", region: \"{code}\""));
            let data = gql_data(
                &t.db,
                &format!(
                    "{{ outcomeProfile(filter: {{framework: {framework}, inspectionType: {kind}{region_arg}}}) {{ total unknown outcomes {{ outcome count }} }} }}"
                ),
            )
            .await;
            let expected = csv_outcome_counts(csv_framework, csv_kind, None, region.map(|(_, name)| name));
            let got = &data["outcomeProfile"];
            let names: Vec<&str> = got["outcomes"].as_array().expect("outcomes").iter().map(|o| o["outcome"].as_str().expect("o")).collect();
            assert_eq!(names, outcomes.iter().map(|(n, _)| *n).collect::<Vec<_>>(), "fixed order, zero counts included");
            let mut total = 0;
            for (i, (_, code)) in outcomes.iter().enumerate() {
                let want = expected.get(*code).copied().unwrap_or(0);
                assert_eq!(got["outcomes"][i]["count"], want, "{framework} {kind} {code}");
                total += want;
            }
            assert_eq!(got["total"], total);
            assert_eq!(got["unknown"], expected.get("").copied().unwrap_or(0));
        }
        // The bundled 2016 revisit whose outcome is not stated is counted apart.
        let data = gql_data(&t.db, "{ outcomeProfile(filter: {framework: FRAMEWORK_2016, inspectionType: REVISIT}) { unknown } }").await;
        assert_eq!(data["outcomeProfile"]["unknown"], 1);
        t
    })
    .await;
}

#[tokio::test]
async fn an_outcome_profile_of_a_type_the_framework_lacks_is_bad_input() {
    each_backend_with_data(|t| async move {
        let response =
            gql(&t.db, "{ outcomeProfile(filter: {framework: FRAMEWORK_2016, inspectionType: MONITORING}) { total } }")
                .await;
        assert_eq!(error_code(&response), "BAD_USER_INPUT");
        let response =
            gql(&t.db, "{ outcomeProfile(filter: {framework: FRAMEWORK_2023, region: \"E99\"}) { total } }").await;
        assert_eq!(error_code(&response), "BAD_USER_INPUT");
        let response =
            gql(&t.db, "{ outcomeProfile(filter: {framework: FRAMEWORK_2023, region: \"E12000010\"}) { total } }")
                .await;
        assert_eq!(error_code(&response), "BAD_USER_INPUT");
        assert!(response["errors"][0]["message"].as_str().expect("message").contains("no ONS region"));
        t
    })
    .await;
}

const SUFFOLK: &str = r#"{ area(code: "E10000029") {
    code name dfeCode ofstedUrn current region { code name ofstedRegion }
    partners { code name }
    inspections { key framework inspectionType start { date precision text } end { text } published { text }
      outcome outcomeDescription priorityActionCount priorityActions { ordinal theme themeLabel } reportUrl sourceUrl
      importRun { id format } }
} }"#;

#[tokio::test]
async fn suffolk_has_its_three_inspections_and_both_icbs() {
    each_backend_with_data(|t| async move {
        let data = gql_data(&t.db, SUFFOLK).await;
        let area = &data["area"];
        assert_eq!(area["name"], "Suffolk");
        assert_eq!(area["dfeCode"], "935");
        assert_eq!(area["ofstedUrn"], "80565");
        assert_eq!(area["current"], true);
        assert_eq!(area["region"]["code"], "E12000006");
        let partners: HashSet<&str> =
            area["partners"].as_array().expect("partners").iter().map(|p| p["name"].as_str().expect("name")).collect();
        assert_eq!(
            partners,
            HashSet::from([
                "NHS Suffolk and North East Essex Integrated Care Board",
                "NHS Norfolk and Waveney Integrated Care Board"
            ])
        );
        let inspections = area["inspections"].as_array().expect("inspections");
        assert_eq!(inspections.len(), 3);
        let (full_2016, revisit, full_2023) = (&inspections[0], &inspections[1], &inspections[2]);
        assert_eq!(
            (full_2016["framework"].as_str(), full_2016["inspectionType"].as_str()),
            (Some("FRAMEWORK_2016"), Some("FULL"))
        );
        assert_eq!(full_2016["start"]["text"], "2016-12-12");
        assert_eq!(full_2016["outcome"], "WSOA_REQUIRED");
        assert_eq!(revisit["inspectionType"], "REVISIT");
        assert_eq!(revisit["start"]["text"], "2019-01-21");
        assert_eq!(revisit["outcome"], "SOME_WEAKNESSES_ADDRESSED");
        assert_eq!(full_2023["key"], "E10000029/2023/full/2023-11-13");
        assert_eq!(full_2023["start"]["date"], "2023-11-13");
        assert_eq!(full_2023["start"]["precision"], "DAY");
        assert_eq!(full_2023["end"]["text"], "2023-11-17");
        assert_eq!(full_2023["published"]["text"], "2024-01-30");
        assert_eq!(full_2023["outcome"], "WIDESPREAD_SYSTEMIC_FAILINGS");
        assert!(
            full_2023["outcomeDescription"]
                .as_str()
                .expect("description")
                .contains("widespread and/or systemic failings")
        );
        assert_eq!(full_2023["priorityActionCount"], 2);
        assert_eq!(full_2023["priorityActions"].as_array().map(Vec::len), Some(2));
        assert_eq!(full_2023["priorityActions"][0]["theme"], "STRATEGIC_GOVERNANCE_AND_OVERSIGHT");
        assert_eq!(full_2023["priorityActions"][1]["themeLabel"], "education health and care plans");
        assert!(full_2023["reportUrl"].as_str().expect("report").starts_with("https://files.ofsted.gov.uk/"));
        assert!(full_2023["sourceUrl"].as_str().expect("source").contains("80565_suffolk"));
        assert_eq!(full_2023["importRun"]["format"], "curated-csv/ofsted_report_links", "the run that last changed it");
        t
    })
    .await;
}

#[tokio::test]
async fn an_area_is_found_by_gss_dfe_or_urn_and_a_shared_dfe_code_means_the_current_area() {
    each_backend_with_data(|t| async move {
        for code in ["E10000029", "935", "80565"] {
            let data = gql_data(&t.db, &format!("{{ area(code: \"{code}\") {{ code }} }}")).await;
            assert_eq!(data["area"]["code"], "E10000029", "{code}");
        }
        // Buckinghamshire kept DfE code 825 when the county became a unitary authority in 2020.
        let data = gql_data(&t.db, "{ area(code: \"825\") { code current } }").await;
        assert_eq!(data["area"]["code"], "E06000060");
        let data = gql_data(&t.db, "{ area(code: \"E10000099\") { code } }").await;
        assert_eq!(data["area"], Value::Null, "an unknown but well-formed code is null, not an error");
        let response = gql(&t.db, "{ area(code: \"Suffolk\") { code } }").await;
        assert_eq!(error_code(&response), "BAD_USER_INPUT");
        let data = gql_data(&t.db, "{ area(code: \"E06000023\") { name aliases } }").await;
        assert_eq!(data["area"]["aliases"], serde_json::json!(["Bristol"]));
        t
    })
    .await;
}

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
async fn areas_page_through_all_153_current_areas_with_cursors() {
    each_backend_with_data(|t| async move {
        let mut seen = Vec::new();
        let mut after = String::new();
        loop {
            let data = gql_data(
                &t.db,
                &format!("{{ areas(first: 100{after}) {{ totalCount pageInfo {{ hasNextPage endCursor }} edges {{ cursor node {{ code name }} }} }} }}"),
            )
            .await;
            let page = &data["areas"];
            assert_eq!(page["totalCount"], 153);
            seen.extend(page["edges"].as_array().expect("edges").iter().map(|e| e["node"]["name"].as_str().expect("name").to_owned()));
            if page["pageInfo"]["hasNextPage"] == false {
                break;
            }
            after = format!(", after: \"{}\"", page["pageInfo"]["endCursor"].as_str().expect("cursor"));
        }
        assert_eq!(seen.len(), 153);
        let mut sorted = seen.clone();
        sorted.sort();
        assert_eq!(seen, sorted, "ordered by name");
        let expected: HashSet<String> = csv_rows("local_areas.csv").into_iter().map(|r| r["name"].clone()).collect();
        assert_eq!(seen.into_iter().collect::<HashSet<_>>(), expected);

        let data = gql_data(&t.db, "{ areas(first: 0, filter: {includeFormer: true}) { totalCount } }").await;
        assert_eq!(data["areas"]["totalCount"], 161);
        let data = gql_data(&t.db, r#"{ areas(filter: {region: "E12000006"}, orderBy: {field: CODE, direction: DESC}) { totalCount edges { node { code region { code } } } } }"#).await;
        let expected = csv_rows("local_areas.csv").iter().filter(|r| r["region"] == "East of England").count();
        assert_eq!(data["areas"]["totalCount"], expected);
        let codes: Vec<&str> = data["areas"]["edges"].as_array().expect("e").iter().map(|e| e["node"]["code"].as_str().expect("c")).collect();
        assert!(codes.windows(2).all(|w| w[0] > w[1]), "descending codes: {codes:?}");
        let data = gql_data(&t.db, r#"{ areas(filter: {nameContains: "HELENS"}) { edges { node { name } } } }"#).await;
        assert_eq!(data["areas"]["edges"][0]["node"]["name"], "St. Helens");
        let data = gql_data(&t.db, r#"{ areas(filter: {nameContains: "%"}) { totalCount } }"#).await;
        assert_eq!(data["areas"]["totalCount"], 0, "LIKE wildcards in the text are literal");
        t
    })
    .await;
}

#[tokio::test]
async fn page_size_is_limited_and_cursors_are_checked() {
    each_backend_with_data(|t| async move {
        let response = gql(&t.db, "{ inspections(first: 201) { totalCount } }").await;
        assert_eq!(error_code(&response), "PAGE_SIZE_TOO_LARGE");
        let data = gql_data(&t.db, "{ inspections(first: 100) { edges { cursor } } }").await;
        assert_eq!(data["inspections"]["edges"].as_array().map(Vec::len), Some(100), "100 is allowed");
        let response = gql(&t.db, "{ areas(first: -1) { totalCount } }").await;
        assert_eq!(error_code(&response), "BAD_USER_INPUT");
        let response = gql(&t.db, "{ inspections(after: \"not a cursor\") { totalCount } }").await;
        assert_eq!(error_code(&response), "BAD_USER_INPUT");
        t
    })
    .await;
}

/// The codes of inspections matching `filter`, all pages.
async fn inspection_ids(db: &sea_orm::DatabaseConnection, filter: &str) -> (i64, Vec<String>) {
    let data = gql_data(
        db,
        &format!("{{ inspections(first: 100, filter: {{{filter}}}) {{ totalCount edges {{ node {{ key }} }} }} }}"),
    )
    .await;
    let ids = data["inspections"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["node"]["key"].as_str().expect("key").to_owned())
        .collect();
    (data["inspections"]["totalCount"].as_i64().expect("total"), ids)
}

#[tokio::test]
async fn inspection_filters_compose_and_match_the_csv() {
    each_backend_with_data(|t| async move {
        let rows = bundled_inspections();
        let count = |f: &dyn Fn(&HashMap<String, String>) -> bool| rows.iter().filter(|r| f(r)).count() as i64;

        let (total, _) = inspection_ids(&t.db, "").await;
        assert_eq!(total, rows.len() as i64);
        let (total, _) = inspection_ids(&t.db, "framework: FRAMEWORK_2016, inspectionType: REVISIT").await;
        assert_eq!(total, count(&|r| r["framework"] == "2016" && r["inspection_type"] == "revisit"));
        let (total, ids) = inspection_ids(&t.db, "outcome: WIDESPREAD_SYSTEMIC_FAILINGS, year: 2024").await;
        assert_eq!(total, count(&|r| r["outcome"] == "systemic" && r["inspection_start"].starts_with("2024")));
        assert!(ids.iter().all(|id| id.contains("/2023/full/2024-")), "{ids:?}");
        let (total, _) = inspection_ids(&t.db, r#"region: "E12000007", framework: FRAMEWORK_2023"#).await;
        assert_eq!(total, count(&|r| r["region"] == "London" && r["framework"] == "2023"));
        let (total, ids) = inspection_ids(&t.db, r#"startedFrom: "2023-11-01", startedTo: "2023-11-30""#).await;
        assert_eq!(
            total,
            count(&|r| r["inspection_start"].as_str() >= "2023-11-01" && r["inspection_start"].as_str() <= "2023-11-30")
        );
        assert!(ids.contains(&"E10000029/2023/full/2023-11-13".to_owned()));
        let (total, _) = inspection_ids(&t.db, r#"areaCode: "935""#).await;
        assert_eq!(total, 3);
        let (total, _) = inspection_ids(&t.db, r#"areaCode: "E10000099""#).await;
        assert_eq!(total, 0, "an unknown area matches nothing");
        let (total, _) = inspection_ids(&t.db, r#"nameContains: "northamptonshire""#).await;
        assert_eq!(total, count(&|r| r["area_name"].to_lowercase().contains("northamptonshire")));
        let response = gql(&t.db, r#"{ inspections(filter: {startedFrom: "13/11/2023"}) { totalCount } }"#).await;
        assert_eq!(error_code(&response), "BAD_USER_INPUT", "a malformed date is the client's error");
        assert!(response["errors"][0]["message"].as_str().expect("m").contains("expected a date yyyy-mm-dd"));
        t
    })
    .await;
}

#[tokio::test]
async fn inspections_are_ordered_as_asked() {
    each_backend_with_data(|t| async move {
        let dates = |data: &Value, field: &str| -> Vec<String> {
            data["inspections"]["edges"].as_array().expect("edges").iter().map(|e| e["node"][field]["text"].as_str().unwrap_or("").to_owned()).collect()
        };
        let data = gql_data(&t.db, "{ inspections(first: 100) { edges { node { start { text } } } } }").await;
        let starts = dates(&data, "start");
        assert!(starts.windows(2).all(|w| w[0] <= w[1]), "default: start ascending");
        let data = gql_data(&t.db, "{ inspections(first: 50, orderBy: {field: PUBLISHED, direction: DESC}) { edges { node { published { text } } } } }").await;
        let published = dates(&data, "published");
        assert!(published.windows(2).all(|w| w[0] >= w[1]), "{published:?}");
        let newest = bundled_inspections().into_iter().map(|r| r["published"].clone()).max().expect("max");
        assert_eq!(published[0], newest);
        let data = gql_data(&t.db, "{ inspections(first: 5, orderBy: {field: AREA_NAME}) { edges { node { area { name } } } } }").await;
        assert_eq!(data["inspections"]["edges"][0]["node"]["area"]["name"], "Barking and Dagenham");
        t
    })
    .await;
}

#[tokio::test]
async fn priority_action_themes_count_actions_and_inspections() {
    each_backend_with_data(|t| async move {
        let mut actions: HashMap<String, i64> = HashMap::new();
        let mut inspections: HashMap<String, i64> = HashMap::new();
        for r in bundled_inspections() {
            let themes: Vec<&str> = r["priority_actions"].split(';').map(str::trim).filter(|s| !s.is_empty()).collect();
            for theme in &themes {
                *actions.entry((*theme).to_owned()).or_default() += 1;
            }
            for theme in themes.into_iter().collect::<HashSet<_>>() {
                *inspections.entry(theme.to_owned()).or_default() += 1;
            }
        }
        let data = gql_data(&t.db, "{ priorityActionThemes { theme label priorityActions inspections } }").await;
        let themes = data["priorityActionThemes"].as_array().expect("themes");
        assert_eq!(themes.len(), 10, "every theme, zero counts included");
        for theme in themes {
            let label = theme["label"].as_str().expect("label");
            assert_eq!(theme["priorityActions"], actions.get(label).copied().unwrap_or(0), "{label}");
            assert_eq!(theme["inspections"], inspections.get(label).copied().unwrap_or(0), "{label}");
        }
        let counts: Vec<i64> = themes.iter().map(|t| t["priorityActions"].as_i64().expect("n")).collect();
        assert!(counts.windows(2).all(|w| w[0] >= w[1]), "most cited first: {counts:?}");
        let data = gql_data(
            &t.db,
            r#"{ priorityActionThemes(filter: {year: 2023, region: "E12000006"}) { label priorityActions } }"#,
        )
        .await;
        let total: i64 = data["priorityActionThemes"]
            .as_array()
            .expect("t")
            .iter()
            .map(|t| t["priorityActions"].as_i64().expect("n"))
            .sum();
        let expected: usize = bundled_inspections()
            .iter()
            .filter(|r| r["region"] == "East of England" && r["inspection_start"].starts_with("2023"))
            .map(|r| r["priority_actions"].split(';').filter(|s| !s.trim().is_empty()).count())
            .sum();
        assert_eq!(total, expected as i64);
        t
    })
    .await;
}

#[tokio::test]
async fn thematic_visits_list_the_named_pfa_partnerships_and_one_anonymous() {
    each_backend_with_data(|t| async move {
        let data = gql_data(&t.db, "{ thematicVisits(filter: {year: 2024, theme: PREPARATION_FOR_ADULTHOOD}) { area { name } label pathways start { text precision } reportPublished } }").await;
        let visits = data["thematicVisits"].as_array().expect("visits");
        assert_eq!(visits.len(), 6);
        let named: Vec<&str> = visits.iter().filter_map(|v| v["area"]["name"].as_str()).collect();
        assert_eq!(named, vec!["Bath and North East Somerset", "Newcastle upon Tyne", "Thurrock", "Wandsworth", "Wolverhampton"]);
        assert!(visits[5]["area"].is_null() && visits[5]["label"].is_string(), "the unnamed sixth comes last");
        assert!(visits.iter().all(|v| v["pathways"] == serde_json::json!(["HEALTH", "INDEPENDENT_LIVING", "EMPLOYMENT", "COMMUNITY_INCLUSION"])));
        assert!(visits.iter().all(|v| v["reportPublished"] == "2024-12-16"));
        assert_eq!(visits[4]["start"]["text"], "2024-02");
        assert_eq!(visits[4]["start"]["precision"], "MONTH");
        let data = gql_data(&t.db, r#"{ thematicVisits(filter: {region: "E12000005"}) { area { name } } }"#).await;
        assert_eq!(data["thematicVisits"], serde_json::json!([{"area": {"name": "Wolverhampton"}}]));
        let data = gql_data(&t.db, "{ thematicVisits(filter: {year: 2023}) { year } }").await;
        assert_eq!(data["thematicVisits"], serde_json::json!([]));
        t
    })
    .await;
}

#[tokio::test]
async fn the_dataset_names_its_licence_sources_and_last_import() {
    each_backend_with_data(|t| async move {
        let data = gql_data(&t.db, "{ dataset { title licence licenceUrl attribution lastUpdated lastImport { id source format rowsRead } sources { source sha256 } importRuns(first: 3) { id } } }").await;
        let d = &data["dataset"];
        assert_eq!(d["licence"], "Open Government Licence v3.0");
        assert!(d["attribution"].as_str().expect("a").starts_with("Contains public sector information licensed under the Open Government Licence v3.0"));
        assert_eq!(d["lastImport"]["source"], "bundled:data/thematic_visits.csv");
        assert_eq!(d["lastImport"]["rowsRead"], csv_rows("thematic_visits.csv").len());
        assert_eq!(d["sources"].as_array().map(Vec::len), Some(send_importer::bundled().len()));
        assert!(d["sources"].as_array().expect("s").iter().all(|s| s["sha256"].as_str().is_some_and(|h| h.len() == 64)));
        assert_eq!(d["importRuns"].as_array().map(Vec::len), Some(3));
        assert!(d["lastUpdated"].is_string());
        t
    })
    .await;
}

#[tokio::test]
async fn an_empty_database_answers_with_empty_results_not_errors() {
    each_backend(|t| async move {
        let data = gql_data(&t.db, "{ dataset { lastImport { id } lastUpdated } areas { totalCount } outcomeProfile(filter: {framework: FRAMEWORK_2023}) { total outcomes { count share } } }").await;
        assert_eq!(data["dataset"]["lastImport"], Value::Null);
        assert_eq!(data["areas"]["totalCount"], 0);
        assert_eq!(data["outcomeProfile"]["total"], 0);
        assert_eq!(data["outcomeProfile"]["outcomes"][0]["share"], Value::Null, "no share of nothing");
        t
    })
    .await;
}

#[tokio::test]
async fn bad_queries_get_stable_error_codes() {
    each_backend_with_data(|t| async move {
        assert_eq!(error_code(&gql(&t.db, "{ nope }").await), "GRAPHQL_VALIDATION_FAILED");
        assert_eq!(error_code(&gql(&t.db, "{ area(code: ").await), "GRAPHQL_PARSE_FAILED");
        assert_eq!(error_code(&gql(&t.db, "{ area(code: 5) { name } }").await), "GRAPHQL_VALIDATION_FAILED");
        let deep = format!(
            "{{ area(code: \"E10000029\") {{ {} code {} }} }}",
            "successors { area { ".repeat(10),
            "} } ".repeat(10)
        );
        assert_eq!(error_code(&gql(&t.db, &deep).await), "QUERY_TOO_DEEP", "depth limit");
        t
    })
    .await;
}

#[tokio::test]
async fn a_document_parsed_once_still_answers_each_request_by_its_own_operation_and_variables() {
    each_backend_with_data(|t| async move {
        // One schema, so that its parsed-document cache is hit from the second request on.
        let schema = send_api::build_schema(t.db.clone());
        let query = "query A($code: String!) { area(code: $code) { name } } query B { outcomeProfile(filter: {framework: FRAMEWORK_2023, year: 2023}) { total } }";
        for _ in 0..2 {
            for (code, name) in [("E10000029", "Suffolk"), ("E09000002", "Barking and Dagenham")] {
                let request = async_graphql::Request::new(query)
                    .operation_name("A")
                    .variables(async_graphql::Variables::from_json(serde_json::json!({ "code": code })));
                let response = send_api::execute(&schema, &t.db, request).await;
                assert!(response.errors.is_empty(), "{:?}", response.errors);
                assert_eq!(serde_json::to_value(&response.data).expect("json")["area"]["name"], name);
            }
            let response = send_api::execute(&schema, &t.db, async_graphql::Request::new(query).operation_name("B")).await;
            let data = serde_json::to_value(&response.data).expect("json");
            assert_eq!(data["outcomeProfile"]["total"], 26, "{data}");
            assert!(data.get("area").is_none(), "{data}");
        }
        t
    })
    .await;
}
