//! Questions as readers ask them: area codes and region names in any case, regions by name as well as by code, and
//! "published in 2024" beside "carried out in 2024". Each answer is checked against the same question asked the
//! canonical way, or against the inspections' own dates read back in full.

use serde_json::Value;

use crate::support::{each_backend_with_data, error_code, gql, gql_data};

/// Every inspection's outcome and dates, read back page by page (the reference the filters are checked against).
async fn every_inspection(db: &sea_orm::DatabaseConnection) -> Vec<Value> {
    let mut all = Vec::new();
    let mut after = String::new();
    loop {
        let query = format!(
            "{{ inspections(first: 200{after}) {{ pageInfo {{ hasNextPage endCursor }} edges {{ node {{ key outcome \
             year published {{ date }} }} }} }} }}"
        );
        let data = gql_data(db, &query).await;
        let page = &data["inspections"];
        all.extend(page["edges"].as_array().expect("edges").iter().map(|e| e["node"].clone()));
        if page["pageInfo"]["hasNextPage"] != true {
            return all;
        }
        after = format!(", after: \"{}\"", page["pageInfo"]["endCursor"].as_str().expect("cursor"));
    }
}

fn total(data: &Value, field: &str) -> u64 {
    data[field]["totalCount"].as_u64().expect("totalCount")
}

#[tokio::test]
async fn area_codes_and_region_names_are_taken_in_any_case() {
    each_backend_with_data(|t| async move {
        for code in ["e10000029", "E10000029", " e10000029 "] {
            let data = gql_data(&t.db, &format!("{{ area(code: \"{code}\") {{ name code }} }}")).await;
            assert_eq!(data["area"]["name"], "Suffolk", "{code:?}");
            assert_eq!(data["area"]["code"], "E10000029");
        }
        let upper = gql_data(&t.db, "{ inspections(filter: {areaCode: \"E10000029\"}) { totalCount } }").await;
        let lower = gql_data(&t.db, "{ inspections(filter: {areaCode: \"e10000029\"}) { totalCount } }").await;
        assert!(total(&upper, "inspections") > 0);
        assert_eq!(total(&lower, "inspections"), total(&upper, "inspections"));

        // A region by its code in any case, or by its name in any case: the same inspections.
        let by_code = gql_data(&t.db, "{ inspections(filter: {region: \"E12000002\"}) { totalCount } }").await;
        assert!(total(&by_code, "inspections") > 0);
        for region in ["e12000002", "North West", "north west", "NORTH WEST"] {
            let data =
                gql_data(&t.db, &format!("{{ inspections(filter: {{region: \"{region}\"}}) {{ totalCount }} }}")).await;
            assert_eq!(total(&data, "inspections"), total(&by_code, "inspections"), "{region:?}");
        }
        let areas_by_name = gql_data(&t.db, "{ areas(filter: {region: \"north west\"}) { totalCount } }").await;
        let areas_by_code = gql_data(&t.db, "{ areas(filter: {region: \"E12000002\"}) { totalCount } }").await;
        assert_eq!(total(&areas_by_name, "areas"), total(&areas_by_code, "areas"));
        assert!(total(&areas_by_code, "areas") > 0);

        // A profile of a region given by name counts that region and names it by its code.
        let named = gql_data(
            &t.db,
            "{ outcomeProfile(filter: {framework: FRAMEWORK_2023, region: \"east of england\"}) { region total } }",
        )
        .await;
        let coded =
            gql_data(&t.db, "{ outcomeProfile(filter: {framework: FRAMEWORK_2023, region: \"E12000006\"}) { region total } }")
                .await;
        assert_eq!(named["outcomeProfile"]["region"], "E12000006");
        assert_eq!(named["outcomeProfile"]["total"], coded["outcomeProfile"]["total"]);
        let ofsted = gql_data(
            &t.db,
            "{ outcomeProfile(filter: {framework: FRAMEWORK_2023, ofstedRegion: \"north east, yorkshire and the humber\"}) { ofstedRegion total } }",
        )
        .await;
        assert_eq!(ofsted["outcomeProfile"]["ofstedRegion"], "North East, Yorkshire and the Humber");

        // A name no region has is the client's mistake, and the answer says what the names are.
        let response = gql(&t.db, "{ inspections(filter: {region: \"Narnia\"}) { totalCount } }").await;
        assert_eq!(error_code(&response), "BAD_USER_INPUT");
        let message = response["errors"][0]["message"].as_str().expect("message");
        assert!(message.contains("Narnia") && message.contains("North West"), "{message}");
        t
    })
    .await;
}

#[tokio::test]
async fn inspections_filter_by_publication_as_well_as_by_start() {
    each_backend_with_data(|t| async move {
        let all = every_inspection(&t.db).await;
        let published_in = |year: &str| {
            all.iter().filter(|n| n["published"]["date"].as_str().is_some_and(|d| d.starts_with(year))).count() as u64
        };
        let systemic_published_in = |year: &str| {
            all.iter()
                .filter(|n| n["outcome"] == "WIDESPREAD_SYSTEMIC_FAILINGS")
                .filter(|n| n["published"]["date"].as_str().is_some_and(|d| d.starts_with(year)))
                .count() as u64
        };
        for year in [2017, 2024, 2025] {
            let data =
                gql_data(&t.db, &format!("{{ inspections(filter: {{publishedYear: {year}}}) {{ totalCount }} }}")).await;
            assert_eq!(total(&data, "inspections"), published_in(&year.to_string()), "published in {year}");
            assert!(total(&data, "inspections") > 0, "the bundled data has reports published in {year}");
            let range = gql_data(
                &t.db,
                &format!(
                    "{{ inspections(filter: {{publishedFrom: \"{year}-01-01\", publishedTo: \"{year}-12-31\"}}) {{ totalCount }} }}"
                ),
            )
            .await;
            assert_eq!(total(&range, "inspections"), total(&data, "inspections"), "a year is its first to last day");
        }

        // "Failed in 2024" read both ways: by publication and by start (Ofsted's counting year) are different
        // questions with different answers, each equal to a count of the inspections' own dates.
        let by_publication = gql_data(
            &t.db,
            "{ inspections(filter: {outcome: WIDESPREAD_SYSTEMIC_FAILINGS, publishedYear: 2024}) { totalCount } }",
        )
        .await;
        let by_start =
            gql_data(&t.db, "{ inspections(filter: {outcome: WIDESPREAD_SYSTEMIC_FAILINGS, year: 2024}) { totalCount } }")
                .await;
        let started_2024 = all
            .iter()
            .filter(|n| n["outcome"] == "WIDESPREAD_SYSTEMIC_FAILINGS" && n["year"] == 2024)
            .count() as u64;
        assert_eq!(total(&by_publication, "inspections"), systemic_published_in("2024"));
        assert_eq!(total(&by_start, "inspections"), started_2024);
        assert_ne!(
            total(&by_publication, "inspections"),
            total(&by_start, "inspections"),
            "reports follow inspections by weeks, so the two readings of a year differ on the bundled data"
        );

        // An inspection not yet published is in neither reading of any year.
        let unpublished = all.iter().filter(|n| n["published"].is_null()).count() as u64;
        let every_year: u64 = {
            let mut sum = 0;
            for year in 2016..=2027 {
                let data =
                    gql_data(&t.db, &format!("{{ inspections(filter: {{publishedYear: {year}}}) {{ totalCount }} }}"))
                        .await;
                sum += total(&data, "inspections");
            }
            sum
        };
        assert_eq!(every_year + unpublished, all.len() as u64, "every inspection is published in one year or none");
        t
    })
    .await;
}
