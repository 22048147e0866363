//! GraphQL over HTTP through the router: POST and GET, the status codes and media types of the specification,
//! malformed requests and missing variables (client errors, never 500), and the same answers as the schema gives
//! without HTTP.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};

use crate::support::http::{
    Answer, GRAPHQL_RESPONSE, PROFILE, call, encode, get, get_ok, get_query, post, post_body, post_json, router, send,
    total_of,
};
use crate::support::{each_backend_with_data, error_code, gql_data};

#[tokio::test]
async fn post_graphql_answers_the_2023_profile() {
    each_backend_with_data(|t| async move {
        let (status, content_type, body) =
            send(&t, post_body(&serde_json::json!({ "query": PROFILE }).to_string())).await;
        assert_eq!(status, StatusCode::OK);
        assert!(content_type.contains("json"), "{content_type}");
        assert_eq!(total_of(&body), 26);
        t
    })
    .await;
}

#[tokio::test]
async fn get_graphql_runs_a_query_from_the_query_string() {
    each_backend_with_data(|t| async move {
        let request = Request::get(format!("/graphql?query={}", encode(PROFILE))).body(Body::empty()).expect("request");
        let (status, _, body) = send(&t, request).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(total_of(&body), 26);
        t
    })
    .await;
}

#[tokio::test]
async fn malformed_requests_are_client_errors_never_500() {
    each_backend_with_data(|t| async move {
        let (status, _, _) = send(&t, post_body("{not json")).await;
        assert!(status.is_client_error(), "{status}");
        let request = Request::get("/graphql?query=%7B&variables=%7Bbad").body(Body::empty()).expect("request");
        let (status, _, body) = send(&t, request).await;
        assert!(status.is_client_error(), "{status} {body}");
        let (status, _, body) = send(&t, post_body(r#"{"query": "{ area(code: \"xyz\") { name } }"}"#)).await;
        assert_eq!(status, StatusCode::OK);
        let json: Value = serde_json::from_str(&body).expect("json");
        assert_eq!(json["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
        let (status, _, body) = send(&t, post_body(r#"{"query": "{ area(code: "}"#)).await;
        assert_ne!(status, StatusCode::INTERNAL_SERVER_ERROR);
        let json: Value = serde_json::from_str(&body).expect("json");
        assert_eq!(json["errors"][0]["extensions"]["code"], "GRAPHQL_PARSE_FAILED");
        t
    })
    .await;
}

/// Every entry point answers the same over HTTP (POST and GET) as through the schema.
#[tokio::test]
async fn every_query_answers_the_same_over_http_as_through_the_schema() {
    let queries = [
        PROFILE,
        r#"{ area(code: "E10000029") { code name partners { code } inspections { id outcome priorityActions { theme } } } }"#,
        r#"{ areas(first: 5, filter: {region: "E12000006"}, orderBy: {field: CODE}) { totalCount edges { cursor node { code } } } }"#,
        r#"{ inspections(first: 5, filter: {framework: FRAMEWORK_2023, outcome: WIDESPREAD_SYSTEMIC_FAILINGS}) { totalCount edges { node { id } } } }"#,
        r#"{ priorityActionThemes(filter: {year: 2024}) { theme priorityActions inspections } }"#,
        r#"{ thematicVisits(filter: {year: 2024}) { area { code } label pathways } }"#,
        r#"{ dataset { licence attribution sources { source sha256 } } }"#,
    ];
    each_backend_with_data(|t| async move {
        for query in queries {
            let direct = crate::support::gql_data(&t.db, query).await;
            assert!(direct.as_object().is_some_and(|o| o.values().all(|v| !v.is_null())), "{query}: {direct}");
            let (status, _, body) = send(&t, post_body(&serde_json::json!({ "query": query }).to_string())).await;
            assert_eq!(status, StatusCode::OK, "{query}");
            let json: Value = serde_json::from_str(&body).expect("json");
            assert_eq!(json["data"], direct, "POST {query}");
            let request =
                Request::get(format!("/graphql?query={}", encode(query))).body(Body::empty()).expect("request");
            let (status, _, body) = send(&t, request).await;
            assert_eq!(status, StatusCode::OK, "{query}");
            let json: Value = serde_json::from_str(&body).expect("json");
            assert_eq!(json["data"], direct, "GET {query}");
        }
        t
    })
    .await;
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
        let a = get_ok(&app, &uri).await;
        assert_eq!(a.json()["data"]["area"]["name"], "Suffolk");
        t
    })
    .await;
}

#[tokio::test]
async fn a_required_variable_not_sent_is_a_request_error() {
    each_backend_with_data(|t| async move {
        let router = send_api::app(send_api::AppState::new(t.db.clone()));
        let query = "query($y: Int!) { outcomeProfile(filter: {framework: FRAMEWORK_2023, year: $y}) { total } }";
        for variables in [json!(null), json!({}), json!({"y": null})] {
            let Answer { status, body, .. } =
                call(&router, post_json(&json!({"query": query, "variables": variables}), Some(GRAPHQL_RESPONSE)))
                    .await;
            let body: Value = serde_json::from_slice(&body).expect("json");
            assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
            assert_eq!(error_code(&body), "BAD_VARIABLES", "{body}");
            assert!(body.get("data").is_none(), "a request error has no data: {body}");
            assert!(body["errors"][0]["message"].as_str().is_some_and(|m| m.contains("$y")), "{body}");
            // The legacy media type: 200, as the specification asks, still without data.
            let Answer { status, body, .. } =
                call(&router, post_json(&json!({"query": query, "variables": variables}), Some("application/json")))
                    .await;
            let body: Value = serde_json::from_slice(&body).expect("json");
            assert_eq!((status, error_code(&body)), (StatusCode::OK, "BAD_VARIABLES"), "{body}");
        }
        // Given, or with a default, it runs.
        let Answer { status, body, .. } =
            call(&router, post_json(&json!({"query": query, "variables": {"y": 2023}}), Some(GRAPHQL_RESPONSE))).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(serde_json::from_slice::<Value>(&body).expect("json")["data"]["outcomeProfile"]["total"], 26);
        let defaulted =
            "query($y: Int! = 2023) { outcomeProfile(filter: {framework: FRAMEWORK_2023, year: $y}) { total } }";
        let Answer { status, .. } =
            call(&router, post_json(&json!({"query": defaulted}), Some(GRAPHQL_RESPONSE))).await;
        assert_eq!(status, StatusCode::OK);
        t
    })
    .await;
}
