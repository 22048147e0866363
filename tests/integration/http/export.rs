//! The CSV export (`/export/inspections.csv`, `/export/outcome-profile.csv`): the GraphQL filters and orders, parsed
//! back and compared with GraphQL's answers, keyset pages in the export's order, and cells a spreadsheet would evaluate
//! neutralised.

use axum::Router;
use axum::http::{StatusCode, header};
use sea_orm::DatabaseConnection;
use serde_json::Value;

use crate::support::http::{PROFILE, call, get, get_ok, router};
use crate::support::{each_backend_with_data, error_code, gql, gql_data};

fn parse_csv(body: &[u8]) -> (Vec<String>, Vec<csv::StringRecord>) {
    let mut reader = csv::Reader::from_reader(body);
    let headers = reader.headers().expect("header row").iter().map(str::to_owned).collect();
    let rows = reader.records().collect::<Result<Vec<_>, _>>().expect("valid CSV");
    (headers, rows)
}

/// The inspections' keys of an `inspections` connection's answer, in its order.
fn keys_of(connection: &Value) -> Vec<String> {
    connection["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["node"]["key"].as_str().expect("key").to_owned())
        .collect()
}

/// The `key` column of an exported inspections CSV, in its order.
fn exported_keys(body: &[u8]) -> Vec<String> {
    let (columns, rows) = parse_csv(body);
    let key = columns.iter().position(|c| c == "key").expect("key column");
    rows.iter().map(|r| r[key].to_owned()).collect()
}

async fn a_etag(app: &Router, uri: &str) -> String {
    get_ok(app, uri).await.header(header::ETAG).to_owned()
}

/// Asserts that the inspections export at `uri` lists the inspections of GraphQL's `query` (some, not none), the same
/// ones in the same order, and returns the query's data.
async fn assert_export_lists_as_graphql(app: &Router, db: &DatabaseConnection, query: &str, uri: &str) -> Value {
    let data = gql_data(db, query).await;
    let keys = keys_of(&data["inspections"]);
    assert!(!keys.is_empty(), "{query}: no inspections to compare");
    assert_eq!(exported_keys(&get_ok(app, uri).await.body), keys, "{uri} lists what {query} answers");
    data
}

#[tokio::test]
async fn csv_exports_take_the_graphql_filters_and_parse_back() {
    each_backend_with_data(|t| async move {
        let app = router(&t);
        let a = get_ok(&app, "/export/inspections.csv?framework=FRAMEWORK_2023&inspectionType=FULL").await;
        assert!(a.header(header::CONTENT_TYPE).starts_with("text/csv"));
        assert!(a.header(header::LINK).contains("rel=\"license\""), "{:?}", a.headers);
        assert!(a.header(header::LINK).contains("open-government-licence"));
        assert!(a.header(header::ETAG).starts_with("W/"));
        let (columns, rows) = parse_csv(&a.body);
        assert_eq!(columns[..4], ["id", "key", "area_code", "area_name"]);
        let data = gql_data(
            &t.db,
            "{ inspections(first: 100, filter: {framework: FRAMEWORK_2023, inspectionType: FULL}) { totalCount edges { node { id key outcome } } } }",
        )
        .await;
        assert_eq!(rows.len() as u64, data["inspections"]["totalCount"].as_u64().expect("count"));
        let index = |name: &str| columns.iter().position(|c| c == name).expect("column");
        let graphql: Vec<(String, String, String)> = data["inspections"]["edges"]
            .as_array()
            .expect("edges")
            .iter()
            .map(|e| {
                let n = &e["node"];
                let s = |v: &Value| v.as_str().unwrap_or("").to_owned();
                (s(&n["id"]), s(&n["key"]), s(&n["outcome"]))
            })
            .collect();
        let exported: Vec<(String, String, String)> = rows
            .iter()
            .map(|r| (r[index("id")].to_owned(), r[index("key")].to_owned(), r[index("outcome")].to_owned()))
            .collect();
        assert_eq!(exported, graphql, "the same inspections, in the same order, with the same IDs and outcomes");

        // Every inspection, ordered by area name descending.
        let a = call(&app, get("/export/inspections.csv?orderBy=AREA_NAME&direction=DESC", &[])).await;
        let (_, rows) = parse_csv(&a.body);
        assert_eq!(rows.len(), crate::support::bundled_inspections().len());
        let names: Vec<&str> = rows.iter().map(|r| &r[index("area_name")]).collect();
        assert!(names.windows(2).all(|w| w[0] >= w[1]), "descending names");
        for row in &rows {
            for cell in row {
                assert!(!cell.starts_with(['=', '+', '-', '@']), "no cell reads as a formula: {cell:?}");
            }
        }

        // Bad parameters are 400 with the reason; the valid values are named.
        for (query, expect) in [
            ("framework=FRAMEWORK_1999", "FRAMEWORK_2016, FRAMEWORK_2023"),
            ("colour=red", "unknown query parameter `colour`"),
            ("year=soon", "`year`: expected a whole number"),
            ("region=E12000099", "E12000099"),
            ("orderBy=SIZE", "START_DATE"),
        ] {
            let a = call(&app, get(&format!("/export/inspections.csv?{query}"), &[])).await;
            assert_eq!((a.status, a.code().as_str()), (StatusCode::BAD_REQUEST, "BAD_USER_INPUT"), "{query}");
            let message = a.json()["errors"][0]["message"].as_str().unwrap_or("").to_owned();
            assert!(message.contains(expect), "{query}: {message}");
        }

        // Caching, as for GraphQL GETs.
        let etag = a_etag(&app, "/export/inspections.csv?year=2024").await;
        let again = call(&app, get("/export/inspections.csv?year=2024", &[(header::IF_NONE_MATCH, &etag)])).await;
        assert_eq!(again.status, StatusCode::NOT_MODIFIED);

        // The outcome profile, ungrouped and grouped, agrees with GraphQL.
        let a = get_ok(&app, "/export/outcome-profile.csv?framework=FRAMEWORK_2023&year=2023").await;
        let (columns, rows) = parse_csv(&a.body);
        let col = |name: &str| columns.iter().position(|c| c == name).expect("column");
        let profile = gql_data(&t.db, PROFILE).await;
        let expected: Vec<(String, String)> = profile["outcomeProfile"]["outcomes"]
            .as_array()
            .expect("outcomes")
            .iter()
            .map(|o| (o["outcome"].as_str().unwrap_or("").to_owned(), o["count"].to_string()))
            .collect();
        let got: Vec<(String, String)> =
            rows.iter().map(|r| (r[col("outcome")].to_owned(), r[col("count")].to_owned())).collect();
        assert_eq!(got, expected);
        let total = profile["outcomeProfile"]["total"].to_string();
        assert!(rows.iter().all(|r| r[col("total")] == *total), "every row carries the total {total}");

        let a = call(&app, get("/export/outcome-profile.csv?framework=FRAMEWORK_2016&groupBy=OFSTED_REGION", &[])).await;
        let (columns, rows) = parse_csv(&a.body);
        let col = |name: &str| columns.iter().position(|c| c == name).expect("column");
        let groups = gql_data(
            &t.db,
            "{ outcomeProfiles(filter: {framework: FRAMEWORK_2016}, groupBy: OFSTED_REGION) { key profile { outcomes { outcome count } } } }",
        )
        .await;
        let expected: Vec<(String, String, String)> = groups["outcomeProfiles"]
            .as_array()
            .expect("groups")
            .iter()
            .flat_map(|g| {
                let key = g["key"].as_str().unwrap_or("").to_owned();
                g["profile"]["outcomes"].as_array().cloned().unwrap_or_default().into_iter().map(move |o| {
                    (key.clone(), o["outcome"].as_str().unwrap_or("").to_owned(), o["count"].to_string())
                })
            })
            .collect();
        let got: Vec<(String, String, String)> = rows
            .iter()
            .map(|r| (r[col("group_key")].to_owned(), r[col("outcome")].to_owned(), r[col("count")].to_owned()))
            .collect();
        assert_eq!(got, expected);
        assert!(got.len() >= 8, "every Ofsted region listed: {}", got.len());

        let a = call(&app, get("/export/outcome-profile.csv?year=2023", &[])).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST);
        assert!(a.text().contains("`framework` is required"), "{}", a.text());
        t
    })
    .await;
}

#[tokio::test]
async fn keyset_pages_follow_every_order_and_match_the_csv_export() {
    each_backend_with_data(|t| async move {
        let app = router(&t);
        for field in ["START_DATE", "PUBLISHED", "AREA_NAME"] {
            for direction in ["ASC", "DESC"] {
                // Page through every inspection 37 at a time, each page after the previous page's end cursor.
                let mut keys: Vec<String> = Vec::new();
                let mut after = String::new();
                let mut total = None;
                loop {
                    let data = gql_data(
                        &t.db,
                        &format!(
                            "{{ inspections(first: 37{after}, orderBy: {{field: {field}, direction: {direction}}}) {{ totalCount pageInfo {{ hasNextPage hasPreviousPage endCursor }} edges {{ node {{ key }} }} }} }}"
                        ),
                    )
                    .await;
                    let page = &data["inspections"];
                    total = total.or(page["totalCount"].as_u64());
                    assert_eq!(page["totalCount"].as_u64(), total, "every page reports the same total");
                    assert_eq!(page["pageInfo"]["hasPreviousPage"].as_bool(), Some(!after.is_empty()));
                    keys.extend(
                        page["edges"].as_array().expect("edges").iter().map(|e| e["node"]["key"].as_str().unwrap_or("").to_owned()),
                    );
                    if page["pageInfo"]["hasNextPage"].as_bool() != Some(true) {
                        break;
                    }
                    let cursor = page["pageInfo"]["endCursor"].as_str().expect("cursor");
                    after = format!(", after: \"{cursor}\"");
                }
                let expected = crate::support::bundled_inspections().len();
                assert_eq!(keys.len(), expected, "{field} {direction}: every inspection once");
                assert_eq!(total, Some(expected as u64));
                let distinct: std::collections::HashSet<&String> = keys.iter().collect();
                assert_eq!(distinct.len(), keys.len(), "{field} {direction}: no inspection twice");
                // The export lists the same order in one go.
                let a = get_ok(&app, &format!("/export/inspections.csv?orderBy={field}&direction={direction}")).await;
                assert_eq!(keys, exported_keys(&a.body), "{field} {direction}: pages in the export's order");
            }
        }
        // A cursor of another order is refused, not misread.
        let data = gql_data(&t.db, "{ areas(first: 1) { pageInfo { endCursor } } }").await;
        let cursor = data["areas"]["pageInfo"]["endCursor"].as_str().expect("cursor").to_owned();
        let response = gql(&t.db, &format!("{{ inspections(first: 1, after: \"{cursor}\") {{ totalCount }} }}")).await;
        assert_eq!(error_code(&response), "BAD_USER_INPUT", "{response}");
        t
    })
    .await;
}

/// Values a spreadsheet would evaluate, imported from a curated file, leave the export prefixed with `'`. (Cells
/// are trimmed on import, so a leading tab or carriage return cannot arrive through a file; the unit test of
/// `neutralise` covers those.)
#[tokio::test]
async fn exported_csv_neutralises_imported_formula_like_values() {
    each_backend_with_data(|t| async move {
        let hostile = [
            ("E10000029", "=HYPERLINK(\"http://example.invalid\",\"Suffolk\")"),
            ("E10000007", "+Derbyshire"),
            ("E06000015", "-Derby"),
            ("E09000002", "@SUM(A1:A9)"),
        ];
        let original = std::fs::read_to_string(crate::support::data_file("local_areas.csv")).expect("local_areas.csv");
        let mut reader = csv::Reader::from_reader(original.as_bytes());
        let columns = reader.headers().expect("header").clone();
        let name = columns.iter().position(|c| c == "name").expect("name column");
        let mut writer = csv::Writer::from_writer(Vec::new());
        writer.write_record(&columns).expect("write");
        let mut renamed = 0;
        for record in reader.records() {
            let record = record.expect("record");
            let mut cells: Vec<String> = record.iter().map(str::to_owned).collect();
            if let Some((_, new)) = hostile.iter().find(|(code, _)| *code == cells[0]) {
                cells[name] = (*new).to_owned();
                renamed += 1;
            }
            writer.write_record(&cells).expect("write");
        }
        assert_eq!(renamed, hostile.len(), "every area to rename is in local_areas.csv");
        let file = send_importer::SourceFile::new("local_areas.csv", writer.into_inner().expect("csv bytes"));
        let report = send_importer::import(&t.db, vec![file], Default::default()).await.expect("import the names");
        assert!(report.updated() >= 4, "the names changed: {report:?}");

        let app = router(&t);
        let a = get_ok(&app, "/export/inspections.csv?orderBy=AREA_NAME").await;
        assert_eq!(a.header(header::CONTENT_DISPOSITION), "attachment; filename=\"inspections.csv\"");
        let (columns, rows) = parse_csv(&a.body);
        let code = columns.iter().position(|c| c == "area_code").expect("area_code");
        let area_name = columns.iter().position(|c| c == "area_name").expect("area_name");
        for (gss, name) in hostile {
            let exported: Vec<&str> = rows.iter().filter(|r| &r[code] == gss).map(|r| &r[area_name]).collect();
            assert!(!exported.is_empty(), "{gss} has inspections");
            for cell in exported {
                assert_eq!(cell, format!("'{name}"), "{gss}");
            }
        }
        for row in &rows {
            for cell in row {
                assert!(!cell.starts_with(['=', '+', '-', '@', '\t', '\r']), "no cell reads as a formula: {cell:?}");
            }
        }
        // GraphQL answers the names as they are: neutralising is the CSV's business.
        let data = gql_data(&t.db, r#"{ area(code: "E10000007") { name } }"#).await;
        assert_eq!(data["area"]["name"], "+Derbyshire");

        let a = get_ok(&app, "/export/outcome-profile.csv?framework=FRAMEWORK_2023&groupBy=ICB").await;
        assert_eq!(a.header(header::CONTENT_DISPOSITION), "attachment; filename=\"outcome-profile.csv\"");
        t
    })
    .await;
}

#[tokio::test]
async fn the_inspections_export_gives_the_counting_year_and_takes_the_new_filters_in_any_case() {
    each_backend_with_data(|t| async move {
        let app = router(&t);
        let a = get_ok(&app, "/export/inspections.csv").await;
        let (columns, rows) = parse_csv(&a.body);
        assert_eq!(columns.last().map(String::as_str), Some("year"), "a column added last keeps the others' places");
        let col = |name: &str| columns.iter().position(|c| c == name).expect("column");
        let mut unknown_start = 0;
        for row in &rows {
            let (start, year) = (&row[col("start_date")], &row[col("year")]);
            if start.is_empty() {
                assert!(year.is_empty(), "no year for {}: no source gives its start", &row[col("key")]);
                unknown_start += 1;
            } else {
                assert_eq!(year, &start[..4], "Ofsted counts {} in the year it started", &row[col("key")]);
            }
        }
        assert!(unknown_start > 0, "the bundled data holds inspections whose start no source gives");

        // The publication filters and any-case codes reach the export as parameters, as in GraphQL.
        assert_export_lists_as_graphql(
            &app,
            &t.db,
            "{ inspections(first: 200, filter: {publishedYear: 2024, region: \"E12000002\"}) { totalCount edges { node { key } } } }",
            "/export/inspections.csv?publishedYear=2024&region=north%20west",
        )
        .await;

        // The feed takes an area's code in any case too.
        let upper = call(&app, get("/feeds/inspections.atom?area=E10000029", &[])).await;
        let lower = get_ok(&app, "/feeds/inspections.atom?area=e10000029").await;
        let entries = |text: &str| text.matches("<entry>").count();
        assert!(entries(&upper.text()) > 0);
        assert_eq!(entries(&lower.text()), entries(&upper.text()));
        t
    })
    .await;
}

#[tokio::test]
async fn the_exports_take_neighbours_of_an_area_as_graphql_does() {
    each_backend_with_data(|t| async move {
        let app = router(&t);
        let data = assert_export_lists_as_graphql(
            &app,
            &t.db,
            r#"{ inspections(first: 200, filter: {neighboursOf: "E06000019", neighboursSet: PREVIOUS}) { edges { node { key } } }
                 outcomeProfile(filter: {framework: FRAMEWORK_2023, neighboursOf: "E10000029"}) { total } }"#,
            "/export/inspections.csv?neighboursOf=e06000019&neighboursSet=PREVIOUS",
        )
        .await;

        let a = get_ok(&app, "/export/outcome-profile.csv?framework=FRAMEWORK_2023&neighboursOf=935").await;
        let (columns, rows) = parse_csv(&a.body);
        let total = columns.iter().position(|c| c == "total").expect("total column");
        assert!(rows.iter().all(|r| r[total].parse::<i64>().ok() == data["outcomeProfile"]["total"].as_i64()));

        let a = call(&app, get("/export/inspections.csv?neighboursOf=E06009999", &[])).await;
        assert_eq!((a.status, a.code().as_str()), (StatusCode::BAD_REQUEST, "BAD_USER_INPUT"), "{}", a.text());
        t
    })
    .await;
}
