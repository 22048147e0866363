//! The HTTP face as a public API (issue 6): GraphQL over HTTP's status codes and media types, caching, persisted
//! queries, limits, CORS, compression, request IDs, CSV export, operations endpoints, the offline GraphiQL and
//! graceful shutdown. Through the router (no socket), except shutdown, which needs one.

use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tower::ServiceExt;

use crate::support::{TestDb, each_backend, each_backend_with_data, error_code, gql, gql_data};

const PROFILE: &str =
    "{ outcomeProfile(filter: {framework: FRAMEWORK_2023, year: 2023}) { total outcomes { outcome count share } } }";
const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";

/// An answer: status, headers, body bytes.
struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Answer {
    fn header(&self, name: header::HeaderName) -> &str {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    fn code(&self) -> String {
        self.json()["errors"][0]["extensions"]["code"].as_str().unwrap_or("(no code)").to_owned()
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

async fn call(app: &Router, request: Request<Body>) -> Answer {
    let response = app.clone().oneshot(request).await.expect("infallible router");
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.into_body().collect().await.expect("body").to_bytes().to_vec();
    Answer { status, headers, body }
}

fn router(t: &TestDb) -> Router {
    send_api::app(send_api::AppState::new(t.db.clone()))
}

fn router_with(t: &TestDb, config: send_api::HttpConfig) -> Router {
    send_api::app(send_api::AppState::with_config(t.db.clone(), config))
}

fn post_json(body: &Value, accept: Option<&str>) -> Request<Body> {
    let mut request = Request::post("/graphql").header(header::CONTENT_TYPE, "application/json");
    if let Some(accept) = accept {
        request = request.header(header::ACCEPT, accept);
    }
    request.body(Body::from(body.to_string())).expect("request")
}

fn post(query: &str, accept: Option<&str>) -> Request<Body> {
    post_json(&json!({ "query": query }), accept)
}

/// Percent-encodes a query-string value.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

fn get(uri: &str, headers: &[(header::HeaderName, &str)]) -> Request<Body> {
    let mut request = Request::get(uri);
    for (name, value) in headers {
        request = request.header(name, *value);
    }
    request.body(Body::empty()).expect("request")
}

fn get_query(query: &str, headers: &[(header::HeaderName, &str)]) -> Request<Body> {
    get(&format!("/graphql?query={}", encode(query)), headers)
}

fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

#[tokio::test]
async fn graphql_over_http_media_types_and_status_codes() {
    each_backend_with_data(|t| async move {
        let app = router(&t);
        // Content negotiation.
        let a = call(&app, post(PROFILE, Some(GRAPHQL_RESPONSE))).await;
        assert_eq!(a.status, StatusCode::OK);
        assert!(a.header(header::CONTENT_TYPE).starts_with(GRAPHQL_RESPONSE), "{:?}", a.headers);
        let expected = gql_data(&t.db, PROFILE).await;
        assert_eq!(a.json()["data"], expected);
        let a = call(&app, post(PROFILE, None)).await;
        assert!(a.header(header::CONTENT_TYPE).starts_with("application/json"), "no Accept means application/json");
        let a = call(&app, post(PROFILE, Some("*/*"))).await;
        assert!(a.header(header::CONTENT_TYPE).starts_with("application/json"));
        let a = call(&app, post(PROFILE, Some("application/json;q=0.5, application/graphql-response+json"))).await;
        assert!(a.header(header::CONTENT_TYPE).starts_with(GRAPHQL_RESPONSE), "the higher quality wins");
        let a = call(&app, post(PROFILE, Some("application/json, application/graphql-response+json;q=0.1"))).await;
        assert!(a.header(header::CONTENT_TYPE).starts_with("application/json"));
        let a = call(&app, post(PROFILE, Some("text/csv"))).await;
        assert_eq!((a.status, a.code().as_str()), (StatusCode::NOT_ACCEPTABLE, "NOT_ACCEPTABLE"));

        // Requests that are not GraphQL requests at all.
        let text_body = Request::post("/graphql")
            .header(header::CONTENT_TYPE, "text/plain")
            .body(Body::from(json!({ "query": PROFILE }).to_string()))
            .expect("request");
        let a = call(&app, text_body).await;
        assert_eq!((a.status, a.code().as_str()), (StatusCode::UNSUPPORTED_MEDIA_TYPE, "UNSUPPORTED_MEDIA_TYPE"));
        let no_type = Request::post("/graphql").body(Body::from("{}")).expect("request");
        assert_eq!(call(&app, no_type).await.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        for (body, what) in [
            ("{not json", "not JSON"),
            ("[{\"query\": \"{ dataset { title } }\"}]", "a batch"),
            ("{}", "no query"),
            ("{\"query\": 5}", "query not a string"),
            ("{\"query\": \"{ dataset { title } }\", \"variables\": \"x\"}", "variables not an object"),
            ("{\"query\": \"{ dataset { title } }\", \"extensions\": []}", "extensions not an object"),
        ] {
            let request = Request::post("/graphql")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body))
                .expect("request");
            let a = call(&app, request).await;
            assert_eq!((a.status, a.code().as_str()), (StatusCode::BAD_REQUEST, "BAD_REQUEST"), "{what}: {}", a.text());
        }
        let a = call(&app, get("/graphql?variables=%7Bbad", &[])).await;
        assert_eq!((a.status, a.code().as_str()), (StatusCode::BAD_REQUEST, "BAD_REQUEST"));

        // Request errors: 400 without data under application/graphql-response+json, 200 under application/json.
        for (query, code) in
            [("{ area(code: ", "GRAPHQL_PARSE_FAILED"), ("{ nosuchfield }", "GRAPHQL_VALIDATION_FAILED")]
        {
            let a = call(&app, post(query, Some(GRAPHQL_RESPONSE))).await;
            assert_eq!((a.status, a.code()), (StatusCode::BAD_REQUEST, code.to_owned()), "{query}");
            assert!(a.json().get("data").is_none(), "a request error has no data: {}", a.text());
            let a = call(&app, post(query, Some("application/json"))).await;
            assert_eq!((a.status, a.code()), (StatusCode::OK, code.to_owned()), "{query}");
        }
        // A field error is a partial success: 200 with data either way.
        let a = call(&app, post(r#"{ area(code: "xyz") { name } dataset { title } }"#, Some(GRAPHQL_RESPONSE))).await;
        assert_eq!((a.status, a.code().as_str()), (StatusCode::OK, "BAD_USER_INPUT"));
        assert!(a.json()["data"]["dataset"]["title"].is_string(), "{}", a.text());

        // Methods.
        let put = Request::put("/graphql").header(header::CONTENT_TYPE, "application/json").body(Body::from("{}"));
        let a = call(&app, put.expect("request")).await;
        assert_eq!((a.status, a.code().as_str()), (StatusCode::METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED"));
        assert_eq!(a.header(header::ALLOW), "GET, POST");
        let a = call(&app, get_query("mutation { anything }", &[])).await;
        assert_eq!((a.status, a.code().as_str()), (StatusCode::METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED"));
        assert_eq!(a.header(header::ALLOW), "POST", "a mutation must be POSTed");
        let a = call(&app, post("mutation { anything }", Some(GRAPHQL_RESPONSE))).await;
        assert_eq!(
            (a.status, a.code().as_str()),
            (StatusCode::BAD_REQUEST, "GRAPHQL_VALIDATION_FAILED"),
            "no mutations"
        );

        // GET with variables and an operation name.
        let document = "query Other { dataset { title } } query Area($code: String!) { area(code: $code) { name } }";
        let uri = format!(
            "/graphql?query={}&variables={}&operationName=Area",
            encode(document),
            encode(r#"{"code": "E10000029"}"#)
        );
        let a = call(&app, get(&uri, &[])).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text());
        assert_eq!(a.json()["data"]["area"]["name"], "Suffolk");
        t
    })
    .await;
}

/// Imports these files of `data/` into the test's database.
async fn import(t: &TestDb, names: &[&str]) {
    let paths: Vec<_> = names.iter().map(|n| crate::support::data_file(n)).collect();
    let files = send_importer::read_paths(&paths).expect("read");
    send_importer::import(&t.db, files, Default::default()).await.expect("import");
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

#[tokio::test]
async fn automatic_persisted_queries_register_then_hit_and_safelist_mode_refuses_others() {
    each_backend_with_data(|t| async move {
        let app = router(&t);
        let hash = sha256_hex(PROFILE);
        let extensions = json!({"persistedQuery": {"version": 1, "sha256Hash": hash}}).to_string();
        let hash_only = format!("/graphql?extensions={}", encode(&extensions));

        let miss = call(&app, get(&hash_only, &[])).await;
        assert_eq!(miss.status, StatusCode::OK);
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

        let hit = call(&app, get(&hash_only, &[])).await;
        assert_eq!(hit.status, StatusCode::OK, "{}", hit.text());
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

/// A CORS preflight of `/graphql` from `origin` for `method`, with `headers`.
fn preflight(origin: &str, method: &str, headers: &[(header::HeaderName, &str)]) -> Request<Body> {
    let mut request = Request::builder()
        .method(Method::OPTIONS)
        .uri("/graphql")
        .header(header::ORIGIN, origin)
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, method);
    for (name, value) in headers {
        request = request.header(name, *value);
    }
    request.body(Body::empty()).expect("request")
}

#[tokio::test]
async fn cors_compression_and_request_ids() {
    each_backend_with_data(|t| async move {
        let app = router(&t);
        let request_headers = [(header::ACCESS_CONTROL_REQUEST_HEADERS, "content-type")];
        let a = call(&app, preflight("https://dashboard.example", "POST", &request_headers)).await;
        assert!(a.status.is_success(), "{}", a.status);
        assert_eq!(a.header(header::ACCESS_CONTROL_ALLOW_ORIGIN), "*");
        assert!(a.header(header::ACCESS_CONTROL_ALLOW_METHODS).contains("POST"), "{:?}", a.headers);
        let allowed: Vec<&str> = a.header(header::ACCESS_CONTROL_ALLOW_HEADERS).split(',').map(str::trim).collect();
        for name in ["content-type", "accept", "if-none-match", "x-request-id"] {
            assert!(allowed.contains(&name), "{name} allowed: {allowed:?}");
        }
        assert_eq!(a.header(header::ACCESS_CONTROL_MAX_AGE), "86400");
        // A preflight is a request like any other: it has an ID (a new one, or its own) and is counted.
        assert_eq!(a.header(send_api::http::REQUEST_ID).len(), 16, "{:?}", a.headers);
        let fresh = router(&t);
        let own_id = [(send_api::http::REQUEST_ID, "preflight-7")];
        let a = call(&fresh, preflight("https://dashboard.example", "GET", &own_id)).await;
        assert_eq!(a.header(send_api::http::REQUEST_ID), "preflight-7");
        let metrics = call(&fresh, get("/metrics", &[])).await.text();
        let line = format!("send_http_requests_total{{route=\"/graphql\",status=\"{}\"}} 1", a.status.as_u16());
        assert!(metrics.contains(&line), "{line} in {metrics}");
        let a = call(&app, get_query(PROFILE, &[(header::ORIGIN, "https://dashboard.example")])).await;
        assert_eq!(a.header(header::ACCESS_CONTROL_ALLOW_ORIGIN), "*");
        assert!(a.header(header::ACCESS_CONTROL_EXPOSE_HEADERS).contains("etag"), "{:?}", a.headers);

        let config =
            send_api::HttpConfig { cors_origins: vec!["https://allowed.example".to_owned()], ..Default::default() };
        let strict = router_with(&t, config);
        let a = call(&strict, get_query(PROFILE, &[(header::ORIGIN, "https://allowed.example")])).await;
        assert_eq!(a.header(header::ACCESS_CONTROL_ALLOW_ORIGIN), "https://allowed.example");
        let a = call(&strict, get_query(PROFILE, &[(header::ORIGIN, "https://other.example")])).await;
        assert!(a.headers.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none(), "{:?}", a.headers);
        for (origin, allowed) in [("https://allowed.example", true), ("https://other.example", false)] {
            let a = call(&strict, preflight(origin, "POST", &[])).await;
            assert_eq!(
                a.headers.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_some(),
                allowed,
                "{origin}: {:?}",
                a.headers
            );
            assert_eq!(a.header(send_api::http::REQUEST_ID).len(), 16, "{origin}: {:?}", a.headers);
        }

        // Compression.
        let a = call(&app, get_query(PROFILE, &[(header::ACCEPT_ENCODING, "gzip")])).await;
        assert_eq!(a.header(header::CONTENT_ENCODING), "gzip");
        let mut text = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&a.body[..]), &mut text).expect("gzip");
        let json: Value = serde_json::from_str(&text).expect("JSON inside");
        assert_eq!(json["data"], gql_data(&t.db, PROFILE).await);
        let a = call(&app, get("/export/inspections.csv", &[(header::ACCEPT_ENCODING, "br")])).await;
        assert_eq!(a.header(header::CONTENT_ENCODING), "br");
        assert!(!a.body.starts_with(b"id,"), "compressed");

        // Request IDs: generated, or kept when sane.
        let a = call(&app, get("/health", &[])).await;
        let id = a.header(send_api::http::REQUEST_ID).to_owned();
        assert_eq!(id.len(), 16, "{id:?}");
        let b = call(&app, get("/health", &[])).await;
        assert_ne!(b.header(send_api::http::REQUEST_ID), id, "each request its own");
        let a = call(&app, get("/health", &[(send_api::http::REQUEST_ID, "trace-42.a:b")])).await;
        assert_eq!(a.header(send_api::http::REQUEST_ID), "trace-42.a:b");
        let a = call(&app, get("/health", &[(send_api::http::REQUEST_ID, "bad id with spaces")])).await;
        assert_eq!(a.header(send_api::http::REQUEST_ID).len(), 16);
        t
    })
    .await;
}

fn parse_csv(body: &[u8]) -> (Vec<String>, Vec<csv::StringRecord>) {
    let mut reader = csv::Reader::from_reader(body);
    let headers = reader.headers().expect("header row").iter().map(str::to_owned).collect();
    let rows = reader.records().collect::<Result<Vec<_>, _>>().expect("valid CSV");
    (headers, rows)
}

#[tokio::test]
async fn csv_exports_take_the_graphql_filters_and_parse_back() {
    each_backend_with_data(|t| async move {
        let app = router(&t);
        let a = call(&app, get("/export/inspections.csv?framework=FRAMEWORK_2023&inspectionType=FULL", &[])).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text());
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
        let a = call(&app, get("/export/outcome-profile.csv?framework=FRAMEWORK_2023&year=2023", &[])).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text());
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

async fn a_etag(app: &Router, uri: &str) -> String {
    let a = call(app, get(uri, &[])).await;
    assert_eq!(a.status, StatusCode::OK);
    a.header(header::ETAG).to_owned()
}

#[tokio::test]
async fn operations_endpoints_report_health_readiness_metrics_and_the_schema() {
    each_backend_with_data(|t| async move {
        let app = router(&t);
        let a = call(&app, get("/health", &[])).await;
        assert_eq!((a.status, a.json()["status"].clone()), (StatusCode::OK, json!("ok")));
        let a = call(&app, get("/ready", &[])).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text());

        // Metrics: requests by operation and status, latency, import runs, the dataset version.
        for _ in 0..2 {
            call(&app, post("query Profile { dataset { title } }", None)).await;
        }
        call(&app, post("query Broken { nosuchfield }", Some(GRAPHQL_RESPONSE))).await;
        let metrics = call(&app, get("/metrics", &[])).await;
        assert!(metrics.header(header::CONTENT_TYPE).starts_with("text/plain"));
        let text = metrics.text();
        assert!(text.contains("send_graphql_requests_total{operation=\"Profile\",status=\"200\"} 2"), "{text}");
        assert!(text.contains("send_graphql_requests_total{operation=\"Broken\",status=\"400\"} 1"), "{text}");
        assert!(text.contains("send_graphql_request_duration_seconds_count{operation=\"Profile\"} 2"), "{text}");
        assert!(text.contains("send_graphql_request_duration_seconds_bucket{operation=\"Profile\",le=\"+Inf\"} 2"));
        assert!(text.contains("send_http_requests_total{route=\"/ready\",status=\"200\"} 1"), "{text}");
        let runs = gql_data(&t.db, "{ dataset { version importRuns(first: 100) { id } } }").await;
        let count = runs["dataset"]["importRuns"].as_array().map_or(0, Vec::len);
        assert!(text.contains(&format!("send_import_runs {count}\n")), "{count}: {text}");
        let version = runs["dataset"]["version"].as_str().expect("version").to_owned();
        assert!(text.contains(&format!("send_dataset_version{{version=\"{version}\"}} {}", &version[1..])), "{text}");

        let a = call(&app, get("/schema.graphql", &[])).await;
        assert_eq!(a.text(), send_api::sdl());
        assert!(a.text().contains("type Query"));
        let a = call(&app, get("/nowhere", &[])).await;
        assert_eq!((a.status, a.code().as_str()), (StatusCode::NOT_FOUND, "NOT_FOUND"));

        // Readiness follows the database: a closed pool is not ready.
        t.db.clone().close().await.ok();
        let a = call(&app, get("/ready", &[])).await;
        assert_eq!(a.status, StatusCode::SERVICE_UNAVAILABLE, "{}", a.text());
        assert_eq!(a.json()["status"], "not ready");
        let a = call(&app, post(PROFILE, None)).await;
        assert_eq!((a.status, a.code().as_str()), (StatusCode::SERVICE_UNAVAILABLE, "INTERNAL"), "never a 500");
        let metrics = call(&app, get("/metrics", &[])).await;
        assert!(metrics.text().contains("send_database_up 0"), "{}", metrics.text());
        t
    })
    .await;
}

#[tokio::test]
async fn ready_is_503_until_the_database_is_migrated() {
    for backend in crate::support::backends() {
        let t = TestDb::new_unmigrated(&backend).await;
        let app = router(&t);
        let a = call(&app, get("/ready", &[])).await;
        assert_eq!(a.status, StatusCode::SERVICE_UNAVAILABLE, "{}", a.text());
        assert!(a.json()["reason"].as_str().unwrap_or("").contains("migration"), "{}", a.text());
        send_model::migrate(&t.db).await.expect("migrate");
        assert_eq!(call(&app, get("/ready", &[])).await.status, StatusCode::OK);
        t.close().await;
        crate::support::record_pass(&backend);
    }
}

#[tokio::test]
async fn graphiql_is_served_by_the_api_itself_under_a_strict_policy() {
    each_backend(|t| async move {
        let app = router(&t);
        let page = call(&app, get("/graphql", &[(header::ACCEPT, "text/html,application/xhtml+xml")])).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.header(header::CONTENT_TYPE).starts_with("text/html"));
        let policy = page.header(header::CONTENT_SECURITY_POLICY).to_owned();
        assert!(policy.contains("script-src 'self'") && policy.contains("default-src 'none'"), "{policy}");
        assert!(!policy.contains("unsafe"), "{policy}");
        let html = page.text();
        assert!(!html.contains("http://") && !html.contains("https://"), "nothing from another origin: {html}");
        let mut assets = Vec::new();
        for attribute in ["src=\"", "href=\""] {
            for piece in html.split(attribute).skip(1) {
                assets.push(piece.split('"').next().unwrap_or("").to_owned());
            }
        }
        let scripts = html.matches("<script").count();
        assert_eq!(scripts, html.matches("<script src=").count(), "no inline script");
        assert!(assets.iter().any(|a| a.ends_with("graphiql.min.js")), "{assets:?}");
        for asset in assets.iter().filter(|a| !a.starts_with("data:")) {
            let a = call(&app, get(asset, &[])).await;
            assert_eq!(a.status, StatusCode::OK, "{asset}");
            let expected = if asset.ends_with(".js") { "text/javascript" } else { "text/css" };
            assert!(a.header(header::CONTENT_TYPE).starts_with(expected), "{asset}: {:?}", a.headers);
            assert!(!a.body.is_empty());
        }
        let init = call(&app, get("/graphiql/init.js", &[])).await.text();
        assert!(init.contains("outcomeProfile"), "the example query");
        let versions = call(&app, get("/graphiql/VERSIONS", &[])).await.text();
        assert!(versions.contains("graphiql 3."), "{versions}");
        assert_eq!(call(&app, get("/graphiql/nothing.js", &[])).await.status, StatusCode::NOT_FOUND);
        t
    })
    .await;
}

/// SIGTERM's path: once shutdown starts, a request already being received still gets its answer, the server
/// stops, and new connections are refused.
#[tokio::test]
async fn graceful_shutdown_finishes_in_flight_requests_and_refuses_new_ones() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    each_backend_with_data(|t| async move {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind loopback");
        let addr = listener.local_addr().expect("addr");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let state = send_api::AppState::new(t.db.clone());
        let server = tokio::spawn(send_api::serve(listener, state, async {
            stopped.await.ok();
        }));
        let body = json!({ "query": PROFILE }).to_string();
        let (head, rest) = body.split_at(10);
        let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
        let request = format!(
            "POST /graphql HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{head}",
            body.len()
        );
        stream.write_all(request.as_bytes()).await.expect("write head");
        tokio::time::sleep(Duration::from_millis(200)).await;
        stop.send(()).expect("signal shutdown");
        tokio::time::sleep(Duration::from_millis(200)).await;
        stream.write_all(rest.as_bytes()).await.expect("the in-flight request may finish");
        let mut response = String::new();
        stream.read_to_string(&mut response).await.expect("read");
        assert!(response.starts_with("HTTP/1.1 200"), "{response}");
        assert!(response.contains("\"total\":"), "{response}");
        tokio::time::timeout(Duration::from_secs(10), server).await.expect("the server stops").expect("join").expect("serve");
        assert!(tokio::net::TcpStream::connect(addr).await.is_err(), "new connections are refused");
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
                let a = call(&app, get(&format!("/export/inspections.csv?orderBy={field}&direction={direction}"), &[])).await;
                let (columns, rows) = parse_csv(&a.body);
                let key = columns.iter().position(|c| c == "key").expect("key column");
                let exported: Vec<String> = rows.iter().map(|r| r[key].to_owned()).collect();
                assert_eq!(keys, exported, "{field} {direction}: pages in the export's order");
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
        let a = call(&app, get("/export/inspections.csv?orderBy=AREA_NAME", &[])).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text());
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

        let a = call(&app, get("/export/outcome-profile.csv?framework=FRAMEWORK_2023&groupBy=ICB", &[])).await;
        assert_eq!(a.status, StatusCode::OK, "{}", a.text());
        assert_eq!(a.header(header::CONTENT_DISPOSITION), "attachment; filename=\"outcome-profile.csv\"");
        t
    })
    .await;
}
