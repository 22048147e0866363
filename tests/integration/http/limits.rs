//! Every limit of `send-api`'s configuration refuses with its own code and status: the body's size, a query's depth,
//! complexity, aliases and root fields, the page size and the time a query may take.

use std::time::Duration;

use axum::http::{StatusCode, header};
use serde_json::{Value, json};

use crate::support::each_backend_with_data;
use crate::support::http::{GRAPHQL_RESPONSE, call, get_query, post, post_json, router, router_with};

#[tokio::test]
async fn every_limit_refuses_with_its_own_code() {
    each_backend_with_data(|t| async move {
        let limits = send_api::Limits {
            max_depth: 5,
            max_complexity: 500,
            max_aliases: 2,
            max_root_fields: 3,
            max_page_size: 10,
            timeout: Duration::from_secs(30),
        };
        let config = send_api::HttpConfig { limits: limits.clone(), max_body_bytes: 400, ..Default::default() };
        let app = router_with(&t, config.clone());
        let refused = |query: &'static str, code: &'static str| {
            let app = app.clone();
            async move {
                let a = call(&app, post(query, Some(GRAPHQL_RESPONSE))).await;
                assert_eq!(a.code(), code, "{query}: {}", a.text());
                a
            }
        };
        // Body size: POST and GET.
        let padded = format!("{{ dataset {{ title }} }}{}", " ".repeat(400));
        let a = call(&app, post(&padded, None)).await;
        assert_eq!((a.status, a.code().as_str()), (StatusCode::PAYLOAD_TOO_LARGE, "REQUEST_TOO_LARGE"));
        let a = call(&app, get_query(&padded, &[])).await;
        assert_eq!((a.status, a.code().as_str()), (StatusCode::URI_TOO_LONG, "REQUEST_TOO_LARGE"));

        // Depth: a valid query (an area's inspections' area's inspections...) one level over the limit of 5 is
        // refused; the same query at the limit runs.
        let at_limit = r#"{ area(code: "E10000029") { inspections { area { inspections { key } } } } }"#;
        let too_deep = r#"{ area(code: "E10000029") { inspections { area { inspections { area { name } } } } } }"#;
        for query in [at_limit, too_deep] {
            let a = call(&router(&t), post(query, Some(GRAPHQL_RESPONSE))).await;
            assert_eq!(a.status, StatusCode::OK, "valid under the default limits: {}", a.text());
            assert!(a.json()["errors"].is_null(), "{}", a.text());
        }
        let a = call(&app, post(at_limit, Some(GRAPHQL_RESPONSE))).await;
        assert_eq!(a.status, StatusCode::OK, "depth 5 is at the limit: {}", a.text());
        assert!(
            a.json()["data"]["area"]["inspections"][0]["area"]["inspections"][0]["key"].is_string(),
            "{}",
            a.text()
        );
        let a = refused(too_deep, "QUERY_TOO_DEEP").await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST);
        assert!(a.json().get("data").is_none(), "{}", a.text());

        // Complexity counts `first`: the same selection passes with a small page and fails with a big one.
        let small = "{ inspections(first: 5) { edges { node { key year framework outcome inspectionType } } } }";
        let big = "{ inspections(first: 10) { edges { node { key year framework outcome inspectionType } } } }";
        let costed = json!({"query": small, "extensions": {"cost": true}});
        let a = call(&app, post_json(&costed, None)).await;
        assert!(a.json()["errors"].is_null(), "{}", a.text());
        let cost = &a.json()["extensions"]["cost"];
        let small_cost = cost["complexity"].as_u64().expect("complexity reported");
        assert_eq!(cost["limits"]["complexity"], 500);
        assert!(cost["depth"].as_u64().is_some_and(|d| d >= 4), "{cost}");
        let costed_big = json!({"query": big, "extensions": {"cost": true}});
        let big_cost = call(&app, post_json(&costed_big, None)).await.json()["extensions"]["cost"]["complexity"]
            .as_u64()
            .expect("complexity");
        assert!(big_cost > small_cost * 3 / 2, "a bigger page costs more: {small_cost} vs {big_cost}");
        let without = call(&app, post(small, None)).await;
        assert!(without.json().get("extensions").is_none(), "cost only when asked: {}", without.text());
        let tight = send_api::Limits { max_complexity: usize::try_from(small_cost).expect("fits"), ..limits.clone() };
        let app_tight = router_with(&t, send_api::HttpConfig { limits: tight, ..config.clone() });
        assert!(call(&app_tight, post(small, None)).await.json()["errors"].is_null(), "at the limit is allowed");
        let a = call(&app_tight, post(big, Some(GRAPHQL_RESPONSE))).await;
        assert_eq!((a.status, a.code().as_str()), (StatusCode::BAD_REQUEST, "QUERY_TOO_COMPLEX"), "{}", a.text());

        // Aliases, counted through fragments, and root fields.
        refused("{ a: dataset { title } b: dataset { licence } c: dataset { version } }", "TOO_MANY_ALIASES").await;
        refused(
            "{ ...F } fragment F on Query { x: dataset { title } y: dataset { licence } z: dataset { version } }",
            "TOO_MANY_ALIASES",
        )
        .await;
        refused(
            "{ dataset { title } coverage { areas } timeliness { inspections } thematicVisits { label } }",
            "TOO_MANY_ROOT_FIELDS",
        )
        .await;

        // Page size: a field error (the rest of the query still answers).
        let a = call(&app, post("{ inspections(first: 11) { totalCount } dataset { title } }", Some(GRAPHQL_RESPONSE)))
            .await;
        assert_eq!((a.status, a.code().as_str()), (StatusCode::OK, "PAGE_SIZE_TOO_LARGE"));
        assert!(a.json()["data"]["dataset"]["title"].is_string());

        // Time: execution had started, so the answer is 200 with `data: null` under either media type.
        let instant = send_api::Limits { timeout: Duration::from_nanos(1), ..limits };
        let app_instant = router_with(&t, send_api::HttpConfig { limits: instant, ..config });
        for accept in [None, Some(GRAPHQL_RESPONSE)] {
            let query = "{ areas(first: 10) { edges { node { code inspections { key } } } } }";
            let a = call(&app_instant, post(query, accept)).await;
            assert_eq!((a.status, a.code().as_str()), (StatusCode::OK, "TIMEOUT"), "{accept:?}: {}", a.text());
            assert_eq!(a.json()["data"], Value::Null, "{}", a.text());
            assert_eq!(a.header(header::CACHE_CONTROL), "no-store");
        }
        t
    })
    .await;
}
