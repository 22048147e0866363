//! GraphiQL, served by the API itself: `/graphql` asked for HTML, its assets, and a strict content security
//! policy (nothing inline, nothing from another origin).

use axum::body::Body;
use axum::http::{Request, StatusCode, header};

use crate::support::each_backend;
use crate::support::http::{call, get, get_ok, router, send};

#[tokio::test]
async fn get_graphql_without_a_query_opens_graphiql() {
    each_backend(|t| async move {
        let request =
            Request::get("/graphql").header(header::ACCEPT, "text/html").body(Body::empty()).expect("request");
        let (status, content_type, body) = send(&t, request).await;
        assert_eq!(status, StatusCode::OK);
        assert!(content_type.starts_with("text/html"), "{content_type}");
        assert!(body.contains("graphiql"), "GraphiQL page");
        t
    })
    .await;
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
            let a = get_ok(&app, asset).await;
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
