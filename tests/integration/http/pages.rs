//! The readers' pages through the router: `/` and its figures' numbers against the GraphQL answers to the same
//! questions, their tables as CSV parsed back, embeds and their framing, caching (ETag, `304`, the response cache),
//! the Content-Security-Policy, and a page that says what it could not find.

use axum::Router;
use axum::http::{StatusCode, header};

use crate::support::each_backend_with_data;
use crate::support::gql_data;
use crate::support::http::{Answer, call, encode, get, get_ok, router};

/// The text of an HTML page, tags removed and entities of the escaper undone, whitespace collapsed.
fn visible_text(html: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                text.push(' ');
            }
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    let text = text
        .replace("&amp;", "&")
        .replace("&apos;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// What a map figure's lead says of `areas` (an `areas` connection's answer with each node's current outcome).
fn map_lead(areas: &serde_json::Value) -> String {
    let nodes = areas["edges"].as_array().expect("edges");
    let count = |outcome: Option<&str>| {
        nodes.iter().filter(|n| n["node"]["currentOutcome"]["outcome"].as_str() == outcome).count()
    };
    format!(
        "Of the {} current local areas: {} typically positive, {} inconsistent, {} widespread or systemic failings, \
         {} not yet inspected under the 2023 framework.",
        areas["totalCount"],
        count(Some("TYPICALLY_POSITIVE")),
        count(Some("INCONSISTENT")),
        count(Some("WIDESPREAD_SYSTEMIC_FAILINGS")),
        count(None)
    )
}

/// Asserts that a GET of `path` is `404 Not Found` with a page saying `said`, and returns the answer.
async fn not_found_page(app: &Router, path: &str, said: &str) -> Answer {
    let missing = call(app, get(path, &[])).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND, "{path}");
    let text = visible_text(&missing.text());
    assert!(text.contains(said), "{path}: {text}");
    missing
}

fn csv_of(body: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_reader(body);
    let columns = reader.headers().expect("header").iter().map(str::to_owned).collect();
    let rows = reader.records().map(|r| r.expect("row").iter().map(str::to_owned).collect()).collect();
    (columns, rows)
}

#[tokio::test]
async fn the_national_page_shows_the_apis_numbers_with_their_tables_and_links() {
    each_backend_with_data(|t| async move {
        let app = router(&t);
        let page = get_ok(&app, "/").await;
        assert!(page.header(header::CONTENT_TYPE).starts_with("text/html"));
        let policy = page.header(header::CONTENT_SECURITY_POLICY).to_owned();
        assert!(policy.contains("default-src 'none'") && policy.contains("frame-ancestors 'none'"), "{policy}");
        assert!(!policy.contains("script-src"), "a page runs no script: {policy}");
        let html = page.text();
        assert!(!html.contains("<script") && !html.contains(" style="), "nothing the policy would block");
        let text = visible_text(&html);

        // The same questions asked of the API: every number the page states is its answer.
        let data = gql_data(
            &t.db,
            "{ coverage { asAt areas inspected remaining } outcomeProfiles(filter: {framework: FRAMEWORK_2023}, \
             groupBy: YEAR) { key profile { total outcomes { outcome count } } } \
             latest: inspections(first: 1, orderBy: {field: PUBLISHED, direction: DESC}) { edges { node { area { name } \
             published { text } } } } }",
        )
        .await;
        let c = &data["coverage"];
        let coverage = format!(
            "By {}, {} of the {} local areas had had a full inspection under the 2023 framework; {} had not.",
            c["asAt"].as_str().expect("asAt"),
            c["inspected"],
            c["areas"],
            c["remaining"]
        );
        assert!(text.contains(&coverage), "the page says {coverage:?}");
        for group in data["outcomeProfiles"].as_array().expect("groups") {
            let year = group["key"].as_str().expect("year");
            let counts: Vec<String> = group["profile"]["outcomes"]
                .as_array()
                .expect("outcomes")
                .iter()
                .map(|o| o["count"].to_string())
                .collect();
            let said = format!("{year}: {} inspections, {} typically positive, {} inconsistent, {} widespread or systemic failings",
                group["profile"]["total"], counts[0], counts[1], counts[2]);
            assert!(text.contains(&said), "the page says {said:?}");
        }
        let newest = &data["latest"]["edges"][0]["node"];
        assert!(text.contains(&format!(
            "The newest report in the data is {}'s, published {}.",
            newest["area"]["name"].as_str().expect("name"),
            newest["published"]["text"].as_str().expect("date")
        )));

        // The map: every current area a link to its page, coloured and counted by its current outcome.
        let areas =
            gql_data(&t.db, "{ areas(first: 200) { totalCount edges { node { code currentOutcome { outcome } } } } }")
                .await;
        let nodes = areas["areas"]["edges"].as_array().expect("edges");
        let said = map_lead(&areas["areas"]);
        assert!(text.contains(&said), "the page says {said:?}");
        let map = &html[html.find("id=\"geographic-svg\"").expect("the map")..];
        let map = &map[..map.find("</svg>").expect("its end")];
        for n in nodes {
            let code = n["node"]["code"].as_str().expect("code");
            assert!(map.contains(&format!("<a href=\"/areas/{code}\"")), "{code} links to its page");
        }
        let hex = get_ok(&app, "/embed/map-hex").await;
        assert!(visible_text(&hex.text()).contains(&said), "the cartogram counts the same");

        // Every figure links to its table, its query, a permalink and an embed, and each link answers.
        for id in ["map", "coverage", "outcomes-by-year", "themes", "latest-reports"] {
            assert!(html.contains(&format!("id=\"{id}\"")), "{id}");
            for link in [format!("/figures/{id}.csv"), format!("/embed/{id}")] {
                assert!(html.contains(&format!("href=\"{link}\"")), "{link}");
                get_ok(&app, &link).await;
            }
        }
        assert!(html.contains("href=\"/graphiql?query=%7B%20coverage%3A%20coverage"), "the figure's own query");
        let explorer = get_ok(&app, "/graphiql?query=%7B%20coverage%20%7B%20areas%20%7D%20%7D").await;
        assert!(explorer.header(header::CONTENT_TYPE).starts_with("text/html"));
        let css = call(&app, get("/assets/site.css", &[])).await;
        assert_eq!((css.status, css.header(header::CONTENT_TYPE)), (StatusCode::OK, "text/css; charset=utf-8"));
        t
    })
    .await;
}

#[tokio::test]
async fn a_figures_table_downloads_as_csv_that_parses_back_to_the_apis_answer() {
    each_backend_with_data(|t| async move {
        let app = router(&t);
        let a = get_ok(&app, "/figures/outcomes-by-year.csv").await;
        assert!(a.header(header::CONTENT_TYPE).starts_with("text/csv"));
        assert!(a.header(header::CONTENT_DISPOSITION).contains("outcomes-by-year.csv"));
        let (columns, rows) = csv_of(&a.body);
        assert_eq!(columns[..3], ["year", "outcome", "inspections"]);
        let data = gql_data(
            &t.db,
            "{ outcomeProfiles(filter: {framework: FRAMEWORK_2023}, groupBy: YEAR) { key profile { outcomes { count } } } }",
        )
        .await;
        let expected: Vec<(String, String)> = data["outcomeProfiles"]
            .as_array()
            .expect("groups")
            .iter()
            .flat_map(|g| {
                let year = g["key"].as_str().expect("year").to_owned();
                g["profile"]["outcomes"]
                    .as_array()
                    .expect("outcomes")
                    .iter()
                    .map(move |o| (year.clone(), o["count"].to_string()))
                    .collect::<Vec<_>>()
            })
            .collect();
        let got: Vec<(String, String)> = rows.iter().map(|r| (r[0].clone(), r[2].clone())).collect();
        assert_eq!(got, expected);

        let a = call(&app, get("/figures/coverage.csv", &[])).await;
        let (_, rows) = csv_of(&a.body);
        let coverage = gql_data(&t.db, "{ coverage { inspected } }").await;
        let inspected = rows.iter().find(|r| r[0] == "inspected under the 2023 framework").expect("row");
        assert_eq!(inspected[1], coverage["coverage"]["inspected"].to_string());
        t
    })
    .await;
}

#[tokio::test]
async fn pages_are_cached_like_graphql_gets_and_embeds_alone_may_be_framed() {
    each_backend_with_data(|t| async move {
        let app = router(&t);
        for path in [
            "/",
            "/embed/themes",
            "/figures/themes.csv",
            "/areas/E10000029",
            "/areas/E10000029/figures/timeline.csv",
            "/embed/areas/E10000029/summary",
            "/regions/E12000006",
            "/regions/E12000006/figures/latest-reports.csv",
            "/embed/regions/E12000006/areas",
            "/themes",
            "/themes?search=plans",
        ] {
            let first = get_ok(&app, path).await;
            let etag = first.header(header::ETAG).to_owned();
            assert!(etag.starts_with("W/\""), "{path}: {etag}");
            assert!(first.header(header::CACHE_CONTROL).starts_with("public, max-age="));
            let policy = first.header(header::CONTENT_SECURITY_POLICY);
            assert!(policy.starts_with("default-src 'none'"), "{path}: every page and table has the policy: {policy}");
            let again = call(&app, get(path, &[(header::IF_NONE_MATCH, &etag)])).await;
            assert_eq!(again.status, StatusCode::NOT_MODIFIED, "{path}");
            let repeat = call(&app, get(path, &[])).await;
            assert_eq!(repeat.header(send_api::http::X_CACHE), "HIT", "{path}");
            assert_eq!(repeat.body, first.body, "{path}: the cached answer is the same");
        }
        let embed = call(&app, get("/embed/coverage", &[])).await;
        assert!(embed.header(header::CONTENT_SECURITY_POLICY).contains("frame-ancestors *"));
        let text = visible_text(&embed.text());
        assert!(text.contains("Source: Area SEND inspection outcomes"), "{text}");
        assert!(text.contains("Open Government Licence"), "the embed carries the attribution");
        let page = call(&app, get("/", &[])).await;
        assert!(page.header(header::CONTENT_SECURITY_POLICY).contains("frame-ancestors 'none'"));

        // A permalink pinned to another version says that the figures are of the current one.
        let pinned = call(&app, get("/?version=r1", &[])).await;
        assert!(visible_text(&pinned.text()).contains("This link was made for dataset version r1"));
        let version = gql_data(&t.db, "{ dataset { version } }").await;
        let current = version["dataset"]["version"].as_str().expect("version");
        let here = call(&app, get(&format!("/?version={}", encode(current)), &[])).await;
        assert!(!here.text().contains("This link was made"), "no notice on the current version");

        // What is not there is a page saying what was looked for, with the same policy.
        let missing = not_found_page(&app, "/embed/rainfall", "There is no figure named \"rainfall\"").await;
        assert!(missing.header(header::CONTENT_TYPE).starts_with("text/html"));
        assert!(missing.header(header::CONTENT_SECURITY_POLICY).contains("default-src 'none'"));
        let missing = call(&app, get("/figures/rainfall.csv", &[])).await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
        t
    })
    .await;
}

#[tokio::test]
async fn an_area_page_shows_its_timeline_outcomes_schedule_and_actions_as_the_api_gives_them() {
    each_backend_with_data(|t| async move {
        let app = router(&t);
        // North Northamptonshire: a successor (its predecessor's 2016 inspection on its timeline) with systemic
        // failings and areas for priority action.
        let page = get_ok(&app, "/areas/E06000061").await;
        assert!(page.header(header::CONTENT_SECURITY_POLICY).contains("default-src 'none'"));
        let html = page.text();
        let text = visible_text(&html);
        let data = gql_data(
            &t.db,
            "{ area(code: \"E06000061\") { name predecessors { area { code name } } timeline { viaPredecessor } \
             currentOutcome { outcome start { text } priorityActions { themeLabel } } schedule { due } } }",
        )
        .await;
        let a = &data["area"];
        assert!(html.contains("<h1>North Northamptonshire</h1>"));
        let predecessor = &a["predecessors"][0]["area"];
        assert!(html.contains(&format!("href=\"/areas/{}\"", predecessor["code"].as_str().expect("code"))));
        let entries = a["timeline"].as_array().expect("timeline");
        let via = entries.iter().filter(|e| e["viaPredecessor"] == true).count();
        assert!(via > 0, "the predecessor's inspections are on the successor's timeline");
        assert!(
            text.contains(&format!("{} inspections in all, {via} of them of the areas it replaced.", entries.len()))
        );
        assert_eq!(a["currentOutcome"]["outcome"], "WIDESPREAD_SYSTEMIC_FAILINGS");
        assert!(text.contains(&format!(
            "from its full inspection under the 2023 framework that started {}",
            a["currentOutcome"]["start"]["text"].as_str().expect("start")
        )));
        let actions = a["currentOutcome"]["priorityActions"].as_array().expect("actions");
        assert!(!actions.is_empty());
        assert!(text.contains(&format!("latest report named {} areas for priority action", actions.len())));
        for due in a["schedule"].as_array().expect("schedule") {
            assert!(text.contains(due["due"].as_str().expect("due")), "{due}");
        }

        // How its statistical neighbours fared, counted as the API counts them.
        let n = gql_data(
            &t.db,
            "{ area(code: \"E06000061\") { statisticalNeighbours { area { currentOutcome { outcome } } } } }",
        )
        .await;
        let neighbours = n["area"]["statisticalNeighbours"].as_array().expect("neighbours");
        assert_eq!(neighbours.len(), 10);
        let count = |o: Option<&str>| {
            neighbours.iter().filter(|x| x["area"]["currentOutcome"]["outcome"].as_str() == o).count()
        };
        let said = format!(
            "Of North Northamptonshire's 10 statistical neighbours (DfE's children's services set): {} typically \
             positive, {} inconsistent, {} widespread or systemic failings, {} not yet inspected under the 2023 \
             framework.",
            count(Some("TYPICALLY_POSITIVE")),
            count(Some("INCONSISTENT")),
            count(Some("WIDESPREAD_SYSTEMIC_FAILINGS")),
            count(None)
        );
        assert!(text.contains(&said), "the page says {said:?}");

        // The timeline's table downloads as CSV with a row per entry; the embed may be framed.
        let csv = get_ok(&app, "/areas/E06000061/figures/timeline.csv").await;
        let (columns, rows) = csv_of(&csv.body);
        assert_eq!(columns[0], "started");
        assert_eq!(rows.len(), entries.len());
        let embed = get_ok(&app, "/embed/areas/E06000061/timeline").await;
        assert!(embed.header(header::CONTENT_SECURITY_POLICY).contains("frame-ancestors *"));

        // Any code of the area, in any case, is the same page.
        for code in ["e06000061", "940"] {
            let other = get_ok(&app, &format!("/areas/{code}")).await;
            assert!(other.text().contains("<h1>North Northamptonshire</h1>"), "{code}");
        }

        // No area has the code, or it is no code at all: a page saying what was looked for.
        for (path, said) in [
            ("/areas/E06999999", "There is no area with the code \"E06999999\""),
            ("/areas/x%3Cb%3E", "There is no area with the code \"x<b>\""),
            ("/areas/E06000061/figures/rainfall.csv", "There is no figure table \"rainfall.csv\""),
            ("/embed/areas/E99999999/summary", "There is no figure \"summary\" of an area with the code \"E99999999\""),
        ] {
            not_found_page(&app, path, said).await;
        }
        t
    })
    .await;
}

#[tokio::test]
async fn a_region_page_narrows_the_national_figures_to_its_areas_by_code_or_name() {
    each_backend_with_data(|t| async move {
        let app = router(&t);
        let by_code = get_ok(&app, "/regions/E12000002").await;
        let by_name = get_ok(&app, "/regions/north%20west").await;
        let text = visible_text(&by_code.text());
        assert!(by_code.text().contains("<h1>North West</h1>"));
        assert_eq!(visible_text(&by_name.text()), text, "the same page by name");

        let areas = gql_data(
            &t.db,
            "{ areas(first: 200, filter: {region: \"E12000002\"}) { totalCount edges { node { currentOutcome { outcome } } } } }",
        )
        .await;
        let said = map_lead(&areas["areas"]);
        assert!(text.contains(&said), "the page says {said:?}");

        let csv = get_ok(&app, "/regions/E12000002/figures/outcomes-by-year.csv").await;
        let (_, rows) = csv_of(&csv.body);
        let profile = gql_data(
            &t.db,
            "{ outcomeProfiles(filter: {framework: FRAMEWORK_2023, region: \"E12000002\"}, groupBy: YEAR) { profile { outcomes { count } } } }",
        )
        .await;
        let expected: Vec<String> = profile["outcomeProfiles"]
            .as_array()
            .expect("groups")
            .iter()
            .flat_map(|g| g["profile"]["outcomes"].as_array().expect("outcomes").iter().map(|o| o["count"].to_string()))
            .collect();
        let got: Vec<String> = rows.iter().map(|r| r[2].clone()).collect();
        assert_eq!(got, expected);

        // The national page links to every region's page.
        let national = call(&app, get("/", &[])).await.text();
        for code in ["E12000001", "E12000002", "E12000009"] {
            assert!(national.contains(&format!("href=\"/regions/{code}\"")), "{code}");
        }
        not_found_page(&app, "/regions/Narnia", "There is no region with the code \"Narnia\"").await;
        t
    })
    .await;
}

#[tokio::test]
async fn the_themes_page_counts_the_themes_and_searches_the_reports_words() {
    each_backend_with_data(|t| async move {
        // The bundled data codes themes but holds no report's words: import one real report for its text.
        let suffolk = crate::support::data_file("reports").join("80565_suffolk__area_send_full_inspection_-_30_january_2024.pdf");
        crate::support::import::import_paths(&t.db, &[suffolk]).await.expect("a real report imports");
        let app = router(&t);
        let page = get_ok(&app, "/themes").await;
        let html = page.text();
        assert!(html.contains("<form method=\"get\" action=\"/themes\" role=\"search\">"), "a form that needs no script");
        let themes = gql_data(&t.db, "{ priorityActionThemes { label inspections } }").await;
        let text = visible_text(&html);
        for t in themes["priorityActionThemes"].as_array().expect("themes") {
            let row = format!("{} ", t["label"].as_str().expect("label"));
            assert!(text.contains(&row), "{row}");
        }

        // A search finds what the API finds, each result linking to its area.
        let words = "education health care";
        let found = gql_data(
            &t.db,
            &format!("{{ priorityActions(search: \"{words}\", first: 100) {{ totalCount edges {{ node {{ text inspection {{ area {{ code }} }} }} }} }} }}"),
        )
        .await;
        let total = found["priorityActions"]["totalCount"].as_u64().expect("count");
        assert!(total > 0, "the report has actions about education, health and care plans");
        let answer = get_ok(&app, &format!("/themes?search={}", encode(words))).await;
        let text = visible_text(&answer.text());
        assert!(text.contains(&format!("{total} areas for priority action contain every word of \u{201c}{words}\u{201d}")), "{text}");
        for e in found["priorityActions"]["edges"].as_array().expect("edges") {
            let code = e["node"]["inspection"]["area"]["code"].as_str().expect("code");
            assert!(answer.text().contains(&format!("href=\"/areas/{code}\"")));
        }

        // A search over the API's bounds is the reader's mistake, said as such.
        let too_long = call(&app, get(&format!("/themes?search={}", "a".repeat(300)), &[])).await;
        assert_eq!(too_long.status, StatusCode::BAD_REQUEST);
        assert_eq!(too_long.json()["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
        t
    })
    .await;
}
