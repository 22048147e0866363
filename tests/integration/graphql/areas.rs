//! Areas through the schema: one area and its inspections and partners, lookup by GSS code, DfE code or URN, pages of
//! every current area, connections filtered by Ofsted region and ICB, an area beside its region and England, and
//! global IDs that fetch areas and inspections again.

use std::collections::HashSet;

use serde_json::Value;

use crate::support::{bundled_inspections, csv_rows, each_backend_with_data, error_code, gql, gql_data};

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
