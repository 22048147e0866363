//! The Atom feed at `/feeds/inspections.atom`, parsed back by a feed crate: the newest inspections first, its filters,
//! its caching, and its refusals.

use axum::http::{StatusCode, header};

use crate::support::http::{Answer, call, get};
use crate::support::{bundled_inspections, each_backend_with_data};

#[tokio::test]
async fn the_atom_feed_lists_the_newest_inspections_and_parses_as_atom() {
    each_backend_with_data(|t| async move {
        let app = send_api::app(send_api::AppState::new(t.db.clone()));
        let Answer { status, headers, body } = call(&app, get("/feeds/inspections.atom", &[])).await;
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
        let Answer { status, body, .. } =
            call(&app, get("/feeds/inspections.atom?outcome=WIDESPREAD_SYSTEMIC_FAILINGS&region=E12000008", &[])).await;
        assert_eq!(status, StatusCode::OK);
        let feed = atom_syndication::Feed::read_from(&body[..]).expect("atom");
        let expected =
            bundled_inspections().iter().filter(|r| r["outcome"] == "systemic" && r["region"] == "South East").count();
        assert_eq!(feed.entries().len(), expected);
        assert!(feed.entries().iter().all(|e| e.title().as_str().contains("widespread systemic failings")));
        // One area.
        let Answer { body, .. } = call(&app, get("/feeds/inspections.atom?area=E06000039", &[])).await;
        let feed = atom_syndication::Feed::read_from(&body[..]).expect("atom");
        let slough = bundled_inspections().iter().filter(|r| r["la_code_gss"] == "E06000039").count();
        assert_eq!(feed.entries().len(), slough);
        assert!(feed.entries().iter().all(|e| e.title().as_str().starts_with("Slough: ")));

        // Cached like the other GETs; refusals are the client's mistakes, with a code.
        let Answer { headers, .. } = call(&app, get("/feeds/inspections.atom?area=E06000039", &[])).await;
        let etag = headers[header::ETAG].to_str().expect("etag").to_owned();
        let Answer { status, .. } =
            call(&app, get("/feeds/inspections.atom?area=E06000039", &[(header::IF_NONE_MATCH, &etag)])).await;
        assert_eq!(status, StatusCode::NOT_MODIFIED);
        for (uri, fragment) in [
            ("/feeds/inspections.atom?colour=red", "unknown query parameter `colour`: expected outcome, region, area"),
            ("/feeds/inspections.atom?outcome=GOOD", "GOOD"),
            ("/feeds/inspections.atom?region=E99999999", "E99999999"),
        ] {
            let Answer { status, body, .. } = call(&app, get(uri, &[])).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}");
            let json: serde_json::Value = serde_json::from_slice(&body).expect("JSON error");
            assert_eq!(json["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{uri}: {json}");
            assert!(json["errors"][0]["message"].as_str().is_some_and(|m| m.contains(fragment)), "{uri}: {json}");
        }
        t
    })
    .await;
}
