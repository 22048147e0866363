//! Statistical neighbours through the schema: an area's sets and population as the lookup gives them, and
//! `neighboursOf` on outcome profiles and inspections, against counts taken by hand from the CSV files; codes that
//! name no area, or no area with neighbours, are bad input.

use std::collections::HashMap;

use serde_json::Value;

use crate::support::{
    NEIGHBOURS_FILE, bundled_inspections, csv_rows, each_backend_with_data, error_code, gql, gql_data,
    neighbours_in_lookup,
};

/// The inspection rows of the bundled files whose area is one of `areas`.
fn rows_of(areas: &[String]) -> Vec<HashMap<String, String>> {
    bundled_inspections().into_iter().filter(|r| areas.contains(&r["la_code_gss"])).collect()
}

/// `(code, rank)` of a list of `statisticalNeighbours { rank area { code } }`.
fn codes(list: &Value) -> Vec<(String, i64)> {
    list.as_array()
        .expect("neighbours")
        .iter()
        .map(|n| (n["area"]["code"].as_str().expect("code").to_owned(), n["rank"].as_i64().expect("rank")))
        .collect()
}

fn ranked(gss: &[String]) -> Vec<(String, i64)> {
    gss.iter().cloned().zip(1..).collect()
}

#[tokio::test]
async fn an_areas_statistical_neighbours_and_population_are_the_lookups() {
    each_backend_with_data(|t| async move {
        let data = gql_data(
            &t.db,
            r#"{ suffolk: area(code: "935") { population0To25 statisticalNeighbours { rank area { code current } }
                   previous: statisticalNeighbours(set: PREVIOUS) { rank area { code } } }
                 herefordshire: area(code: "E06000019") { statisticalNeighbours(set: PREVIOUS) { rank area { code current } } }
                 cumbria: area(code: "E10000006") { population0To25 statisticalNeighbours { rank } }
                 cumberland: area(code: "E06000063") { population0To25 statisticalNeighbours { rank } } }"#,
        )
        .await;
        let suffolk = &data["suffolk"];
        assert_eq!(codes(&suffolk["statisticalNeighbours"]), ranked(&neighbours_in_lookup("E10000029", false)));
        assert!(suffolk["statisticalNeighbours"].as_array().expect("list").iter().all(|n| n["area"]["current"] == true));
        assert_eq!(codes(&suffolk["previous"]), ranked(&neighbours_in_lookup("E10000029", true)));
        let row = csv_rows(NEIGHBOURS_FILE).into_iter().find(|r| r["la_code_new"] == "E10000029").expect("Suffolk");
        assert_eq!(suffolk["population0To25"].as_i64(), row["ons_population_0-25"].parse().ok());
        // A former area named by its DfE code in a previous set stays itself.
        let herefordshire = &data["herefordshire"]["statisticalNeighbours"];
        assert_eq!(codes(herefordshire), ranked(&neighbours_in_lookup("E06000019", true)));
        assert!(herefordshire.as_array().expect("list").iter().any(|n| n["area"]["code"] == "E10000006" && n["area"]["current"] == false));
        // Cumbria keeps its own population and has no current set; Cumberland was given Cumbria's figure, left out.
        assert_eq!(data["cumbria"]["population0To25"], 128_211);
        assert_eq!(data["cumbria"]["statisticalNeighbours"], serde_json::json!([]));
        assert!(data["cumberland"]["population0To25"].is_null());
        assert_eq!(data["cumberland"]["statisticalNeighbours"].as_array().map(Vec::len), Some(10));
        t
    })
    .await;
}

/// The 2023 framework's outcomes and their codes in the CSV files.
const OUTCOMES_2023: [(&str, &str); 3] = [
    ("TYPICALLY_POSITIVE", "positive"),
    ("INCONSISTENT", "inconsistent"),
    ("WIDESPREAD_SYSTEMIC_FAILINGS", "systemic"),
];

#[tokio::test]
async fn the_profile_of_an_areas_neighbours_equals_one_counted_by_hand_from_the_csv() {
    each_backend_with_data(|t| async move {
        let neighbours = neighbours_in_lookup("E10000029", false);
        let full_2023: Vec<HashMap<String, String>> = rows_of(&neighbours)
            .into_iter()
            .filter(|r| r["framework"] == "2023" && r["inspection_type"] == "full")
            .collect();
        for (filter, year) in [
            (r#"neighboursOf: "E10000029""#, None),
            (r#"neighboursOf: "935""#, None),
            (r#"neighboursOf: "e10000029", neighboursSet: CURRENT"#, None),
            (r#"neighboursOf: "E10000029", year: 2024"#, Some("2024")),
        ] {
            let data = gql_data(
                &t.db,
                &format!(
                    "{{ outcomeProfile(filter: {{framework: FRAMEWORK_2023, {filter}}}) {{ total unknown neighboursOf neighboursSet \
                     outcomes {{ outcome count share interval {{ lower upper }} }} }} }}"
                ),
            )
            .await;
            let p = &data["outcomeProfile"];
            let counted: Vec<&HashMap<String, String>> =
                full_2023.iter().filter(|r| year.is_none_or(|y| r["inspection_start"].starts_with(y))).collect();
            let count = |code: &str| counted.iter().filter(|r| r["outcome"] == code).count() as i64;
            let mut total = 0;
            for (i, (name, code)) in OUTCOMES_2023.iter().enumerate() {
                let o = &p["outcomes"][i];
                assert_eq!((o["outcome"].as_str(), o["count"].as_i64()), (Some(*name), Some(count(code))), "{filter}");
                total += count(code);
            }
            assert_eq!(p["total"], total, "{filter}");
            assert_eq!(p["unknown"], count(""), "{filter}");
            assert!(total >= if year.is_none() { 5 } else { 1 }, "{filter}: Suffolk's neighbours have inspections to compare");
            assert_eq!(p["neighboursOf"], "E10000029", "{filter}: echoed as its GSS code");
            assert_eq!(p["neighboursSet"], "CURRENT");
            for o in p["outcomes"].as_array().expect("outcomes") {
                let (share, lower, upper) = (o["share"].as_f64(), o["interval"]["lower"].as_f64(), o["interval"]["upper"].as_f64());
                let (Some(share), Some(lower), Some(upper)) = (share, lower, upper) else { panic!("{o}") };
                assert!(lower <= share && share <= upper, "{filter}: {o}");
            }
        }
        // Grouped, the same inspections fall into their regions.
        let data = gql_data(
            &t.db,
            r#"{ outcomeProfiles(groupBy: REGION, filter: {framework: FRAMEWORK_2023, neighboursOf: "E10000029"}) { label profile { total neighboursOf } } }"#,
        )
        .await;
        let groups = data["outcomeProfiles"].as_array().expect("groups");
        assert_eq!(groups.len(), 9);
        for g in groups {
            let by_hand = full_2023.iter().filter(|r| r["region"] == g["label"] && !r["outcome"].is_empty()).count();
            assert_eq!(g["profile"]["total"], by_hand as i64, "{g}");
            assert_eq!(g["profile"]["neighboursOf"], "E10000029");
        }
        t
    })
    .await;
}

#[tokio::test]
async fn inspections_of_an_areas_neighbours_are_counted_by_hand() {
    each_backend_with_data(|t| async move {
        let current = rows_of(&neighbours_in_lookup("E10000029", false));
        // Herefordshire's previous set names Cumbria (909), a former area with a 2016 inspection, and Somerset (933),
        // whose DfE code names the current Somerset, not the county it replaced (inspected in 2020).
        let previous = rows_of(&neighbours_in_lookup("E06000019", true));
        assert!(previous.iter().any(|r| r["la_code_gss"] == "E10000006"));
        assert!(previous.iter().all(|r| r["la_code_gss"] != "E10000027"));
        let data = gql_data(
            &t.db,
            r#"{ all: inspections(first: 100, filter: {neighboursOf: "e10000029"}) { totalCount edges { node { area { code } } } }
                 full2023: inspections(filter: {neighboursOf: "E10000029", framework: FRAMEWORK_2023, inspectionType: FULL}) { totalCount }
                 previous: inspections(filter: {neighboursOf: "E06000019", neighboursSet: PREVIOUS}) { totalCount }
                 previous2016: inspections(filter: {neighboursOf: "E06000019", neighboursSet: PREVIOUS, framework: FRAMEWORK_2016}) { totalCount } }"#,
        )
        .await;
        assert_eq!(data["all"]["totalCount"], current.len() as i64);
        let full_2023 = current.iter().filter(|r| r["framework"] == "2023" && r["inspection_type"] == "full").count();
        assert_eq!(data["full2023"]["totalCount"], full_2023 as i64);
        assert_eq!(data["previous"]["totalCount"], previous.len() as i64);
        assert_eq!(data["previous2016"]["totalCount"], previous.iter().filter(|r| r["framework"] == "2016").count() as i64);
        let areas: Vec<&str> = data["all"]["edges"]
            .as_array()
            .expect("edges")
            .iter()
            .map(|e| e["node"]["area"]["code"].as_str().expect("code"))
            .collect();
        assert_eq!(areas.len(), current.len());
        assert!(!areas.contains(&"E10000029"), "the area itself is not its own neighbour");
        t
    })
    .await;
}

#[tokio::test]
async fn neighbours_of_a_code_no_area_has_or_of_an_area_without_neighbours_is_bad_input() {
    each_backend_with_data(|t| async move {
        for (code, says) in [
            ("E06009999", "no local area has the code"),
            ("not a code", "expected a GSS code"),
            // Northamptonshire, abolished in 2021: the lookup gives it no neighbours.
            ("E10000021", "has no statistical neighbours in the current set (it is a former area)"),
        ] {
            for query in [
                format!(r#"{{ outcomeProfile(filter: {{framework: FRAMEWORK_2023, neighboursOf: "{code}"}}) {{ total }} }}"#),
                format!(
                    r#"{{ outcomeProfiles(groupBy: YEAR, filter: {{framework: FRAMEWORK_2023, neighboursOf: "{code}"}}) {{ key }} }}"#
                ),
                format!(r#"{{ inspections(filter: {{neighboursOf: "{code}"}}) {{ totalCount }} }}"#),
            ] {
                let response = gql(&t.db, &query).await;
                assert_eq!(error_code(&response), "BAD_USER_INPUT", "{query}: {response}");
                let message = response["errors"][0]["message"].as_str().unwrap_or("");
                assert!(message.contains("`neighboursOf`") && message.contains(says), "{query}: {message}");
            }
        }
        t
    })
    .await;
}
