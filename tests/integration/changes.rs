//! Issue 15: what changed, said two ways: `changes(since:)` in GraphQL, and the Atom feed at
//! `/feeds/inspections.atom`, through the router (no socket), the feed parsed back by a feed crate.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use send_importer::{ImportOptions, SourceFile, import};
use tower::ServiceExt;

use crate::support::{bundled_inspections, each_backend_with_data, error_code, gql, gql_data};

const HEADER: &str = "area_name,la_code_gss,la_code_dfe,region,framework,inspection_type,inspection_start,inspection_end,published,outcome,priority_actions,source_url";

#[tokio::test]
async fn changes_since_a_version_list_what_was_added_and_what_changed_with_its_source() {
    each_backend_with_data(|t| async move {
        let version = gql_data(&t.db, "{ dataset { version } }").await["dataset"]["version"].as_str().expect("v").to_owned();
        // A new inspection, and a later edition of a row already held with another end date.
        let slough = bundled_inspections().into_iter().find(|r| r["area_name"] == "Slough" && r["framework"] == "2023").expect("row");
        let file = format!(
            "{HEADER}\nSlough,E06000039,871,South East,2023,monitoring,2026-10-05,2026-10-06,2026-11-20,effective_action,,https://example.org/a\n\
             Slough,E06000039,871,South East,2023,full,{},2025-07-12,{},systemic,,https://example.org/b\n",
            slough["inspection_start"], slough["published"]
        );
        import(&t.db, vec![SourceFile::new("later.csv", file.into_bytes())], ImportOptions::default()).await.expect("import");
        let query = format!(
            r#"{{ changes(since: "{version}") {{ afterVersion truncated items {{ change fields inspection {{ key inspectionType }} importRun {{ source }} }} }} }}"#
        );
        let data = gql_data(&t.db, &query).await;
        let changes = &data["changes"];
        assert_eq!(changes["afterVersion"], version.as_str());
        assert_eq!(changes["truncated"], false);
        let items = changes["items"].as_array().expect("items");
        assert_eq!(items.len(), 2, "{items:#?}");
        let added = items.iter().find(|i| i["change"] == "ADDED").expect("added");
        assert_eq!(added["inspection"]["inspectionType"], "MONITORING");
        assert_eq!(added["importRun"]["source"], "later.csv");
        let updated = items.iter().find(|i| i["change"] == "UPDATED").expect("updated");
        assert_eq!(updated["fields"], serde_json::json!(["inspection_end"]));
        assert_eq!(updated["importRun"]["source"], "later.csv");

        // Since a date before every import: everything, a page at a time.
        let data = gql_data(&t.db, r#"{ changes(since: "2000-01-01", first: 5) { afterVersion truncated items { change } } }"#).await;
        assert_eq!(data["changes"]["afterVersion"], "r0");
        assert_eq!(data["changes"]["truncated"], true);
        assert_eq!(data["changes"]["items"].as_array().map(Vec::len), Some(5));
        // Nothing since now.
        let latest = gql_data(&t.db, "{ dataset { version } }").await["dataset"]["version"].as_str().expect("v").to_owned();
        let data = gql_data(&t.db, &format!(r#"{{ changes(since: "{latest}") {{ items {{ change }} }} }}"#)).await;
        assert_eq!(data["changes"]["items"].as_array().map(Vec::len), Some(0));
        // A `since` that is neither is the client's mistake.
        let answer = gql(&t.db, r#"{ changes(since: "last week") { truncated } }"#).await;
        assert_eq!(error_code(&answer), "BAD_USER_INPUT");
        t
    })
    .await;
}

async fn get(
    app: &axum::Router,
    uri: &str,
    headers: &[(header::HeaderName, &str)],
) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let mut request = Request::get(uri);
    for (name, value) in headers {
        request = request.header(name, *value);
    }
    let response = app.clone().oneshot(request.body(Body::empty()).expect("request")).await.expect("router");
    let (status, headers) = (response.status(), response.headers().clone());
    (status, headers, response.into_body().collect().await.expect("body").to_bytes().to_vec())
}

#[tokio::test]
async fn the_atom_feed_lists_the_newest_inspections_and_parses_as_atom() {
    each_backend_with_data(|t| async move {
        let app = send_api::app(send_api::AppState::new(t.db.clone()));
        let (status, headers, body) = get(&app, "/feeds/inspections.atom", &[]).await;
        assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
        assert!(headers[header::CONTENT_TYPE].to_str().expect("type").starts_with("application/atom+xml"));
        let feed = atom_syndication::Feed::read_from(&body[..]).expect("a valid Atom feed");
        assert_eq!(feed.entries().len(), 50, "the newest 50");
        // Newest publication first: the first entry is the newest publication of the data.
        let newest = bundled_inspections().into_iter().map(|r| r["published"].clone()).max().expect("newest");
        let first = &feed.entries()[0];
        assert_eq!(first.published().map(|d| d.date_naive().to_string()), Some(newest));
        let days: Vec<String> =
            feed.entries().iter().filter_map(|e| e.published().map(|d| d.date_naive().to_string())).collect();
        assert!(days.windows(2).all(|w| w[0] >= w[1]), "{days:?}");
        assert!(feed.entries().iter().all(|e| e.id().starts_with("tag:") && e.content().is_some()));
        let ids: std::collections::HashSet<&str> = feed.entries().iter().map(|e| e.id()).collect();
        assert_eq!(ids.len(), 50, "every entry its own id");

        // Filtered: systemic failings in the South East, as many as the data holds (under 50).
        let (status, _, body) =
            get(&app, "/feeds/inspections.atom?outcome=WIDESPREAD_SYSTEMIC_FAILINGS&region=E12000008", &[]).await;
        assert_eq!(status, StatusCode::OK);
        let feed = atom_syndication::Feed::read_from(&body[..]).expect("atom");
        let expected =
            bundled_inspections().iter().filter(|r| r["outcome"] == "systemic" && r["region"] == "South East").count();
        assert_eq!(feed.entries().len(), expected);
        assert!(feed.entries().iter().all(|e| e.title().as_str().contains("widespread systemic failings")));
        // One area.
        let (_, _, body) = get(&app, "/feeds/inspections.atom?area=E06000039", &[]).await;
        let feed = atom_syndication::Feed::read_from(&body[..]).expect("atom");
        let slough = bundled_inspections().iter().filter(|r| r["la_code_gss"] == "E06000039").count();
        assert_eq!(feed.entries().len(), slough);
        assert!(feed.entries().iter().all(|e| e.title().as_str().starts_with("Slough: ")));

        // Cached like the other GETs; refusals are the client's mistakes, with a code.
        let (_, headers, _) = get(&app, "/feeds/inspections.atom?area=E06000039", &[]).await;
        let etag = headers[header::ETAG].to_str().expect("etag").to_owned();
        let (status, _, _) =
            get(&app, "/feeds/inspections.atom?area=E06000039", &[(header::IF_NONE_MATCH, &etag)]).await;
        assert_eq!(status, StatusCode::NOT_MODIFIED);
        for (uri, fragment) in [
            ("/feeds/inspections.atom?colour=red", "unknown query parameter `colour`: expected outcome, region, area"),
            ("/feeds/inspections.atom?outcome=GOOD", "GOOD"),
            ("/feeds/inspections.atom?region=E99999999", "E99999999"),
        ] {
            let (status, _, body) = get(&app, uri, &[]).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}");
            let json: serde_json::Value = serde_json::from_slice(&body).expect("JSON error");
            assert_eq!(json["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{uri}: {json}");
            assert!(json["errors"][0]["message"].as_str().is_some_and(|m| m.contains(fragment)), "{uri}: {json}");
        }
        t
    })
    .await;
}
