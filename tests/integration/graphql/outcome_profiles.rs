//! Outcome profiles through the schema: Ofsted's 2023 release reproduced, every framework and type and a region
//! against counts taken from the CSV files, intervals and small numbers, cumulative counts as at a date, groupings by
//! year, ONS region, Ofsted region and ICB, and the filters that are bad input.

use std::collections::HashMap;

use serde_json::Value;

use crate::support::{
    bundled_inspections, csv_rows, each_backend_with_data, error_code, full_2023_placed_by, gql, gql_data,
};

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

/// Total and per-outcome counts of a profile object.
fn counts(profile: &Value) -> (i64, HashMap<String, i64>) {
    let by: HashMap<String, i64> = profile["outcomes"]
        .as_array()
        .expect("outcomes")
        .iter()
        .map(|o| (o["outcome"].as_str().expect("o").to_owned(), o["count"].as_i64().expect("n")))
        .collect();
    (profile["total"].as_i64().expect("total"), by)
}

#[tokio::test]
async fn shares_come_with_wilson_intervals_and_a_small_number_flag() {
    each_backend_with_data(|t| async move {
        let data = gql_data(
            &t.db,
            r#"{ england: outcomeProfile(filter: {framework: FRAMEWORK_2023, year: 2023}) { total smallNumber outcomes { outcome share interval { lower upper } } }
                 east: outcomeProfile(filter: {framework: FRAMEWORK_2023, year: 2023, region: "E12000006"}) { total smallNumber } }"#,
        )
        .await;
        let england = &data["england"];
        assert_eq!(england["smallNumber"], false);
        for o in england["outcomes"].as_array().expect("outcomes") {
            let (share, lower, upper) = (
                o["share"].as_f64().expect("share"),
                o["interval"]["lower"].as_f64().expect("lower"),
                o["interval"]["upper"].as_f64().expect("upper"),
            );
            assert!(0.0 <= lower && lower < share && share < upper && upper <= 1.0, "{o}");
        }
        let positive = &england["outcomes"][0]["interval"];
        assert!((positive["lower"].as_f64().expect("l") - 0.137).abs() < 0.001, "{positive}");
        assert!((positive["upper"].as_f64().expect("u") - 0.461).abs() < 0.001, "{positive}");
        let east_total = data["east"]["total"].as_i64().expect("total");
        assert!(east_total < 10);
        assert_eq!(data["east"]["smallNumber"], true);
        t
    })
    .await;
}

#[tokio::test]
async fn cumulative_profiles_count_inspections_carried_out_by_a_date() {
    each_backend_with_data(|t| async move {
        let rows = bundled_inspections();
        let data = gql_data(
            &t.db,
            r#"{ a: outcomeProfile(filter: {framework: FRAMEWORK_2023, asAt: "2023-12-31"}) { total asAt }
                 b: outcomeProfile(filter: {framework: FRAMEWORK_2023, asAt: "2024-12-31"}) { total } }"#,
        )
        .await;
        assert_eq!(data["a"]["total"], 26, "as at 31 December 2023");
        assert_eq!(data["a"]["asAt"], "2023-12-31");
        assert_eq!(data["b"]["total"], full_2023_placed_by(&rows, "2024-12-31"));
        assert_eq!(full_2023_placed_by(&rows, "2023-12-31"), 26);
        t
    })
    .await;
}

#[tokio::test]
async fn written_statements_of_action_by_ofsted_region_match_the_csv() {
    each_backend_with_data(|t| async move {
        let ofsted_of: HashMap<String, String> =
            csv_rows("regions.csv").into_iter().map(|r| (r["region_name"].clone(), r["ofsted_region"].clone())).collect();
        let mut expected: HashMap<String, (i64, i64)> = HashMap::new();
        for r in bundled_inspections() {
            if r["framework"] == "2016" && r["inspection_type"] == "full" {
                let entry = expected.entry(ofsted_of[&r["region"]].clone()).or_default();
                entry.0 += 1;
                entry.1 += i64::from(r["outcome"] == "wsoa");
            }
        }
        let data = gql_data(
            &t.db,
            "{ outcomeProfiles(filter: {framework: FRAMEWORK_2016}, groupBy: OFSTED_REGION) { key label profile { ofstedRegion total smallNumber outcomes { outcome count } } } }",
        )
        .await;
        let groups = data["outcomeProfiles"].as_array().expect("groups");
        assert_eq!(groups.len(), 8, "eight Ofsted regions");
        for g in groups {
            let key = g["key"].as_str().expect("key");
            let (total, by) = counts(&g["profile"]);
            let (want_total, want_wsoa) = expected.get(key).copied().unwrap_or_default();
            assert_eq!((total, by["WSOA_REQUIRED"]), (want_total, want_wsoa), "{key}");
            assert_eq!(g["profile"]["ofstedRegion"], key);
        }
        let all: i64 = groups.iter().map(|g| g["profile"]["total"].as_i64().expect("t")).sum();
        assert_eq!(all, expected.values().map(|v| v.0).sum::<i64>(), "every inspection in exactly one group");
        t
    })
    .await;
}

#[tokio::test]
async fn profiles_group_by_year_region_and_icb() {
    each_backend_with_data(|t| async move {
        let data = gql_data(
            &t.db,
            r#"{ years: outcomeProfiles(filter: {framework: FRAMEWORK_2023}, groupBy: YEAR) { key profile { year total } }
                 regions: outcomeProfiles(filter: {framework: FRAMEWORK_2023}, groupBy: REGION) { key label profile { total } }
                 icbs: outcomeProfiles(filter: {framework: FRAMEWORK_2023}, groupBy: ICB) { key profile { total } } }"#,
        )
        .await;
        let rows = bundled_inspections();
        let full_2023: Vec<_> = rows.iter().filter(|r| r["framework"] == "2023" && r["inspection_type"] == "full").collect();
        let years: Vec<(String, i64)> = data["years"]
            .as_array()
            .expect("years")
            .iter()
            .map(|g| (g["key"].as_str().expect("k").to_owned(), g["profile"]["total"].as_i64().expect("t")))
            .collect();
        for (year, total) in &years {
            assert_eq!(*total, full_2023.iter().filter(|r| r["inspection_start"].starts_with(year.as_str())).count() as i64);
        }
        assert_eq!(years.first(), Some(&("2023".to_owned(), 26)));
        let regions = data["regions"].as_array().expect("regions");
        assert_eq!(regions.len(), 9, "all nine regions, zero counts included");
        for g in regions {
            let label = g["label"].as_str().expect("label");
            assert_eq!(g["profile"]["total"], full_2023.iter().filter(|r| r["region"] == label).count() as i64, "{label}");
        }
        // An area counts under each ICB its report names: Suffolk under both of its ICBs.
        let partners: HashMap<String, Vec<String>> = csv_rows("local_areas.csv")
            .into_iter()
            .map(|r| (r["la_code_gss"].clone(), r["icb_codes"].split(';').filter(|c| !c.is_empty()).map(str::to_owned).collect()))
            .collect();
        let icbs = data["icbs"].as_array().expect("icbs");
        assert_eq!(icbs.len(), csv_rows("icbs.csv").len());
        for g in icbs {
            let code = g["key"].as_str().expect("code");
            let want = full_2023
                .iter()
                .filter(|r| partners.get(&r["la_code_gss"]).is_some_and(|p| p.iter().any(|c| c == code)))
                .count() as i64;
            assert_eq!(g["profile"]["total"], want, "{code}");
        }
        let suffolk_icbs = gql_data(&t.db, r#"{ a: outcomeProfile(filter: {framework: FRAMEWORK_2023, icb: "E54000022"}) { total } b: outcomeProfile(filter: {framework: FRAMEWORK_2023, icb: "E54000023"}) { total } }"#).await;
        assert!(suffolk_icbs["a"]["total"].as_i64().expect("a") >= 1 && suffolk_icbs["b"]["total"].as_i64().expect("b") >= 1);
        t
    })
    .await;
}

#[tokio::test]
async fn unknown_groups_are_bad_input() {
    each_backend_with_data(|t| async move {
        let r = gql(
            &t.db,
            r#"{ outcomeProfile(filter: {framework: FRAMEWORK_2016, ofstedRegion: "Yorkshire"}) { total } }"#,
        )
        .await;
        assert_eq!(error_code(&r), "BAD_USER_INPUT");
        assert!(r["errors"][0]["message"].as_str().expect("m").contains("North East, Yorkshire and the Humber"));
        let r =
            gql(&t.db, r#"{ outcomeProfile(filter: {framework: FRAMEWORK_2023, icb: "E54999999"}) { total } }"#).await;
        assert_eq!(error_code(&r), "BAD_USER_INPUT");
        t
    })
    .await;
}
