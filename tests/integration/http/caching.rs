//! Caching of GET answers: ETags that follow the dataset version, the response cache and the window in which it
//! trusts the version, `If-None-Match` (`*` included, which never hides a refusal), and automatic persisted queries
//! (registration, capacity, safelist mode).

use std::time::Duration;

use axum::http::{StatusCode, header};
use serde_json::json;

use crate::support::http::{
    GRAPHQL_RESPONSE, PROFILE, call, encode, get, get_ok, get_query, post, post_json, router, router_with, sha256_hex,
};
use crate::support::{TestDb, each_backend, each_backend_with_data, gql_data};

/// Imports these files of `data/` into the test's database.
async fn import(t: &TestDb, names: &[&str]) {
    let paths: Vec<_> = names.iter().map(|n| crate::support::data_file(n)).collect();
    crate::support::import::import_paths(&t.db, &paths).await.expect("import");
}

#[tokio::test]
async fn get_answers_carry_etags_that_follow_the_dataset_version() {
    each_backend(|t| async move {
        import(&t, &["regions.csv", "icbs.csv", "local_areas.csv", "area_lineage.csv"]).await;
        // The version is read afresh for every request here; see the next test for the refresh window.
        let config = send_api::HttpConfig { cache_max_age: 60, version_refresh: Duration::ZERO, ..Default::default() };
        let app = router_with(&t, config);
        let query = "{ inspections(first: 0) { totalCount } }";
        let first = call(&app, get_query(query, &[])).await;
        assert_eq!(first.status, StatusCode::OK);
        assert_eq!(first.header(send_api::http::X_CACHE), "MISS");
        let cached = call(&app, get_query(query, &[])).await;
        assert_eq!(cached.header(send_api::http::X_CACHE), "HIT", "the second GET comes from the response cache");
        assert_eq!(
            (cached.body.clone(), cached.header(header::ETAG)),
            (first.body.clone(), first.header(header::ETAG))
        );
        assert_eq!(first.json()["data"]["inspections"]["totalCount"], 0);
        let etag = first.header(header::ETAG).to_owned();
        assert!(etag.starts_with("W/\""), "a weak ETag: {etag:?}");
        assert_eq!(first.header(header::CACHE_CONTROL), "public, max-age=60");
        assert!(first.header(header::VARY).contains("Accept"), "{:?}", first.headers);

        let again = call(&app, get_query(query, &[(header::IF_NONE_MATCH, &etag)])).await;
        assert_eq!(again.status, StatusCode::NOT_MODIFIED);
        assert!(again.body.is_empty());
        assert_eq!(again.header(header::ETAG), etag);
        let listed = format!("W/\"other\", {etag}");
        assert_eq!(
            call(&app, get_query(query, &[(header::IF_NONE_MATCH, &listed)])).await.status,
            StatusCode::NOT_MODIFIED
        );

        // The tag depends on the request: another query, or another media type, is another representation.
        let other = call(&app, get_query("{ inspections(first: 1) { totalCount } }", &[])).await;
        assert_ne!(other.header(header::ETAG), etag);
        let typed = call(&app, get_query(query, &[(header::ACCEPT, GRAPHQL_RESPONSE)])).await;
        assert_ne!(typed.header(header::ETAG), etag);

        // POSTs and answers with errors are not cached.
        let posted = call(&app, post(query, None)).await;
        assert_eq!(posted.header(header::CACHE_CONTROL), "no-store");
        assert!(posted.headers.get(header::ETAG).is_none());
        let failed = call(&app, get_query(r#"{ area(code: "xyz") { name } }"#, &[])).await;
        assert_eq!(failed.header(header::CACHE_CONTROL), "no-store");
        assert!(failed.headers.get(header::ETAG).is_none());

        // An import that changes data changes the version, so the old tag no longer matches.
        import(&t, &["inspections.csv"]).await;
        let after = call(&app, get_query(query, &[(header::IF_NONE_MATCH, &etag)])).await;
        assert_eq!(after.status, StatusCode::OK, "the data changed");
        assert_ne!(after.header(header::ETAG), etag);
        let rows = crate::support::csv_rows("inspections.csv").len();
        assert_eq!(after.json()["data"]["inspections"]["totalCount"], rows);
        let version = gql_data(&t.db, "{ dataset { version } }").await["dataset"]["version"].clone();
        assert!(after.header(header::ETAG).contains(version.as_str().expect("a version")), "{version}");
        assert_eq!(after.header(send_api::http::X_CACHE), "MISS", "a new version is computed afresh");
        t
    })
    .await;
}

/// Cached GETs trust the dataset version for `version_refresh`, so an import is served within that window: before
/// it ends the old answer (and its tag) still comes from memory, with no database round trip.
#[tokio::test]
async fn cached_answers_follow_an_import_once_the_version_refresh_window_ends() {
    each_backend(|t| async move {
        import(&t, &["regions.csv", "icbs.csv", "local_areas.csv", "area_lineage.csv"]).await;
        let query = "{ inspections(first: 0) { totalCount } }";
        let patient =
            router_with(&t, send_api::HttpConfig { version_refresh: Duration::from_secs(3600), ..Default::default() });
        let eager = router_with(&t, send_api::HttpConfig { version_refresh: Duration::ZERO, ..Default::default() });
        let before = call(&patient, get_query(query, &[])).await;
        assert_eq!(before.json()["data"]["inspections"]["totalCount"], 0);
        import(&t, &["inspections.csv"]).await;
        let stale = call(&patient, get_query(query, &[])).await;
        assert_eq!(stale.header(send_api::http::X_CACHE), "HIT");
        assert_eq!(stale.json()["data"]["inspections"]["totalCount"], 0, "within the window: the answer held");
        let fresh = call(&eager, get_query(query, &[])).await;
        assert_eq!(fresh.header(send_api::http::X_CACHE), "MISS");
        assert_eq!(
            fresh.json()["data"]["inspections"]["totalCount"],
            crate::support::csv_rows("inspections.csv").len()
        );
        assert_ne!(fresh.header(header::ETAG), stale.header(header::ETAG));
        // POSTs are never cached: they always read the database.
        let posted = call(&patient, post(query, None)).await;
        assert_eq!(
            posted.json()["data"]["inspections"]["totalCount"],
            crate::support::csv_rows("inspections.csv").len()
        );
        t
    })
    .await;
}

/// `If-None-Match: *` asks for `304` whenever a current representation exists; only an answer that would be `200`
/// has one, so a refusal (a mutation over GET, a request error, a failed query, a bad export parameter) is never
/// hidden behind a `304`.
#[tokio::test]
async fn if_none_match_any_never_hides_a_refusal() {
    each_backend_with_data(|t| async move {
        let app = router(&t);
        let any = [(header::IF_NONE_MATCH, "*")];
        let a = call(&app, get_query("mutation { anything }", &any)).await;
        assert_eq!((a.status, a.code().as_str()), (StatusCode::METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED"));
        assert_eq!(a.header(header::ALLOW), "POST");
        let a = call(
            &app,
            get_query("{ nosuchfield }", &[(header::IF_NONE_MATCH, "*"), (header::ACCEPT, GRAPHQL_RESPONSE)]),
        )
        .await;
        assert_eq!((a.status, a.code().as_str()), (StatusCode::BAD_REQUEST, "GRAPHQL_VALIDATION_FAILED"));
        let a = call(&app, get_query("{ nosuchfield }", &any)).await;
        assert_eq!((a.status, a.code().as_str()), (StatusCode::OK, "GRAPHQL_VALIDATION_FAILED"), "application/json");
        let a = call(&app, get_query(r#"{ area(code: "xyz") { name } }"#, &any)).await;
        assert_eq!((a.status, a.code().as_str()), (StatusCode::OK, "BAD_USER_INPUT"), "a failed query: {}", a.text());
        let a = call(&app, get("/graphql?query=%7Bdataset%7Btitle%7D%7D&variables=%7Bbad", &any)).await;
        assert_eq!((a.status, a.code().as_str()), (StatusCode::BAD_REQUEST, "BAD_REQUEST"));
        let small = router_with(&t, send_api::HttpConfig { max_body_bytes: 400, ..Default::default() });
        let a = call(&small, get(&format!("/graphql?query={}", encode(&"x".repeat(500))), &any)).await;
        assert_eq!((a.status, a.code().as_str()), (StatusCode::URI_TOO_LONG, "REQUEST_TOO_LARGE"));

        // A query that succeeds: 304, computed (MISS) or from the response cache (HIT).
        let query = "{ dataset { licence } }";
        let a = call(&app, get_query(query, &any)).await;
        assert_eq!(a.status, StatusCode::NOT_MODIFIED, "{}", a.text());
        assert!(a.header(header::ETAG).starts_with("W/"), "{:?}", a.headers);
        let a = call(&app, get_query(query, &any)).await;
        assert_eq!(a.status, StatusCode::NOT_MODIFIED);
        let a = call(&app, get_query(query, &[])).await;
        assert_eq!((a.status, a.header(send_api::http::X_CACHE)), (StatusCode::OK, "HIT"));

        // Exports: bad parameters, read before or after the snapshot opens, are refused; a good one is 304.
        for uri in [
            "/export/inspections.csv?framework=FRAMEWORK_2030",
            "/export/inspections.csv?region=E12000099",
            "/export/outcome-profile.csv?year=2023",
            "/export/outcome-profile.csv?framework=FRAMEWORK_2023&region=E12000099",
        ] {
            let a = call(&app, get(uri, &any)).await;
            assert_eq!(
                (a.status, a.code().as_str()),
                (StatusCode::BAD_REQUEST, "BAD_USER_INPUT"),
                "{uri}: {}",
                a.text()
            );
        }
        for uri in
            ["/export/inspections.csv?year=2024", "/export/outcome-profile.csv?framework=FRAMEWORK_2023&year=2023"]
        {
            let a = call(&app, get(uri, &any)).await;
            assert_eq!(a.status, StatusCode::NOT_MODIFIED, "{uri}: {}", a.text());
            assert!(a.body.is_empty());
        }
        t
    })
    .await;
}

#[tokio::test]
async fn automatic_persisted_queries_register_then_hit_and_safelist_mode_refuses_others() {
    each_backend_with_data(|t| async move {
        let app = router(&t);
        let hash = sha256_hex(PROFILE);
        let extensions = json!({"persistedQuery": {"version": 1, "sha256Hash": hash}}).to_string();
        let hash_only = format!("/graphql?extensions={}", encode(&extensions));

        let miss = get_ok(&app, &hash_only).await;
        assert_eq!(miss.json()["errors"][0]["message"], "PersistedQueryNotFound", "what Apollo clients look for");
        assert_eq!(miss.code(), "PERSISTED_QUERY_NOT_FOUND");
        assert_eq!(miss.header(header::CACHE_CONTROL), "no-store", "a miss must not be cached");
        let miss = call(&app, get(&hash_only, &[(header::ACCEPT, GRAPHQL_RESPONSE)])).await;
        assert_eq!(miss.status, StatusCode::BAD_REQUEST);

        let wrong = json!({"query": PROFILE, "extensions": {"persistedQuery": {"version": 1, "sha256Hash": sha256_hex("x")}}});
        let a = call(&app, post_json(&wrong, None)).await;
        assert_eq!(a.code(), "PERSISTED_QUERY_HASH_MISMATCH");

        let register = json!({"query": PROFILE, "extensions": {"persistedQuery": {"version": 1, "sha256Hash": hash}}});
        let a = call(&app, post_json(&register, None)).await;
        assert_eq!(a.status, StatusCode::OK);
        let expected = gql_data(&t.db, PROFILE).await;
        assert_eq!(a.json()["data"], expected);

        let hit = get_ok(&app, &hash_only).await;
        assert_eq!(hit.json()["data"], expected);
        assert!(hit.header(header::ETAG).starts_with("W/"), "a hit is cacheable");
        assert!(hash_only.len() < 200, "the GET URL stays short: {}", hash_only.len());

        // Safelist mode: only the manifest's operations, by hash or by exact text, without registration.
        let manifest = json!({
            "format": "apollo-persisted-query-manifest", "version": 1,
            "operations": [{"id": hash, "name": "Profile", "type": "query", "body": PROFILE}]
        })
        .to_string();
        let safelist = send_api::Safelist::from_manifest(&manifest).expect("manifest");
        assert_eq!(safelist.len(), 1);
        let config = send_api::HttpConfig { safelist: Some(std::sync::Arc::new(safelist)), ..Default::default() };
        let safe = router_with(&t, config);
        let a = call(&safe, get(&hash_only, &[])).await;
        assert_eq!(a.json()["data"], expected, "{}", a.text());
        let a = call(&safe, post(PROFILE, None)).await;
        assert_eq!(a.json()["data"], expected);
        let a = call(&safe, post("{ dataset { title } }", Some(GRAPHQL_RESPONSE))).await;
        assert_eq!((a.status, a.code().as_str()), (StatusCode::BAD_REQUEST, "PERSISTED_QUERY_NOT_ALLOWED"));
        let other = json!({"query": "{ dataset { title } }", "extensions": {"persistedQuery": {"version": 1, "sha256Hash": sha256_hex("{ dataset { title } }")}}});
        assert_eq!(call(&safe, post_json(&other, None)).await.code(), "PERSISTED_QUERY_NOT_ALLOWED", "no registering");

        let forged = manifest.replace(&hash, &sha256_hex("something else"));
        let error = send_api::Safelist::from_manifest(&forged).expect_err("an id that is not the body's hash");
        assert!(error.contains("operation 1"), "{error}");
        t
    })
    .await;
}

/// Each replica remembers `apq_capacity` persisted queries, forgetting the oldest first.
#[tokio::test]
async fn persisted_queries_beyond_the_capacity_forget_the_oldest() {
    each_backend_with_data(|t| async move {
        let config = send_api::HttpConfig { apq_capacity: 2, ..Default::default() };
        let app = router_with(&t, config);
        let queries = ["{ dataset { title } }", "{ dataset { licence } }", "{ dataset { version } }"];
        let persisted = |query: &str| json!({"persistedQuery": {"version": 1, "sha256Hash": sha256_hex(query)}});
        // POSTs, so that no answer comes from the response cache.
        let by_hash = |query: &str| post_json(&json!({ "extensions": persisted(query) }), None);
        let register = |query: &str| post_json(&json!({ "query": query, "extensions": persisted(query) }), None);
        for query in &queries[..2] {
            assert!(call(&app, register(query)).await.json()["errors"].is_null());
        }
        for query in &queries[..2] {
            assert!(call(&app, by_hash(query)).await.json()["data"]["dataset"].is_object(), "{query} remembered");
        }
        assert!(call(&app, register(queries[2])).await.json()["errors"].is_null());
        let a = call(&app, by_hash(queries[0])).await;
        assert_eq!(a.code(), "PERSISTED_QUERY_NOT_FOUND", "the oldest is forgotten: {}", a.text());
        for query in &queries[1..] {
            let a = call(&app, by_hash(query)).await;
            assert!(a.json()["data"]["dataset"].is_object(), "{query} still remembered: {}", a.text());
        }
        // A client re-registers after a miss; that pushes out the next oldest.
        assert!(call(&app, register(queries[0])).await.json()["errors"].is_null());
        assert!(call(&app, by_hash(queries[0])).await.json()["data"]["dataset"].is_object());
        assert_eq!(call(&app, by_hash(queries[1])).await.code(), "PERSISTED_QUERY_NOT_FOUND");

        // Capacity 0 remembers nothing (but still runs a query sent with its hash).
        let none = router_with(&t, send_api::HttpConfig { apq_capacity: 0, ..Default::default() });
        assert!(call(&none, register(queries[0])).await.json()["data"]["dataset"].is_object());
        assert_eq!(call(&none, by_hash(queries[0])).await.code(), "PERSISTED_QUERY_NOT_FOUND");
        t
    })
    .await;
}
