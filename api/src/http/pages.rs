//! The readers' pages over HTTP: `/`, `/embed/{figure}`, `/figures/{figure}.csv` and the site's stylesheet. A page
//! is one GraphQL query of its figures, run in one snapshot through the schema (`graphql::run`, as the feed), drawn
//! by `crate::pages`, and cached like a GraphQL GET: an ETag over the dataset version and the address, `304`, and
//! the response cache. Pages carry a strict Content-Security-Policy: no script at all, styles only from this site,
//! and only embeds may be framed.

use std::sync::Arc;

use async_graphql::Request as GqlRequest;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::caching::{self, Cached};
use super::graphql::X_CACHE;
use super::state::AppState;
use crate::error::{Refusal, code};
use crate::graphql::run;
use crate::pages;

/// The policy of every page: nothing runs, styles come from this site only, and no other site may frame it.
pub const PAGE_POLICY: &str = "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; \
     form-action 'self'; frame-ancestors 'none'";

/// The policy of an embed: a page's, except that any site may frame it.
pub const EMBED_POLICY: &str = "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; \
     form-action 'none'; frame-ancestors *";

const HTML: &str = "text/html; charset=utf-8";
const CSV: &str = "text/csv; charset=utf-8";

/// The site's stylesheet, compiled in.
const SITE_CSS: &str = include_str!("../../assets/site/site.css");

/// `GET /`.
pub async fn national(State(state): State<AppState>, headers: HeaderMap, RawQuery(qs): RawQuery) -> Response {
    let pinned = pinned_version(qs.as_deref());
    let query = pages::query_of(&pages::national::FIGURES, None);
    answer(&state, &headers, "/", qs.as_deref(), HTML, PAGE_POLICY, GqlRequest::new(&query), "page", |data, version| {
        Some(with_notice(pages::national(data, version), pinned.as_deref(), version))
    })
    .await
}

/// A kind of page of one place (an area, a region): how its code is checked, its figures and how its page is drawn.
struct Kind {
    /// What it is, in a `404`'s words.
    what: &'static str,
    /// The same with its article, for a figure "of" one.
    one: &'static str,
    /// Its addresses' first segment: `/{segment}/{code}`.
    segment: &'static str,
    /// Whether a code can name one (and be written into its query).
    valid: fn(&str) -> bool,
    /// Its figures.
    figures: &'static [pages::figure::Figure],
    /// Its figure named so.
    figure: fn(&str) -> Option<&'static pages::figure::Figure>,
    /// Its page, from its figures' answers.
    page: fn(&serde_json::Value, Option<&str>) -> Option<String>,
}

const AREA: Kind = Kind {
    what: "area",
    one: "an area",
    segment: "areas",
    valid: pages::is_area_code,
    figures: &pages::area::FIGURES,
    figure: pages::area_figure,
    page: pages::area_page,
};

const REGION: Kind = Kind {
    what: "region",
    one: "a region",
    segment: "regions",
    valid: pages::is_region_code,
    figures: &pages::region::FIGURES,
    figure: pages::region_figure,
    page: pages::region_page,
};

/// `GET /areas/{code}`.
pub async fn area(state: State<AppState>, headers: HeaderMap, code: Path<String>, qs: RawQuery) -> Response {
    place(&AREA, state, headers, code, qs).await
}

/// `GET /regions/{code}` (its code or its name).
pub async fn region(state: State<AppState>, headers: HeaderMap, code: Path<String>, qs: RawQuery) -> Response {
    place(&REGION, state, headers, code, qs).await
}

/// `GET /areas/{code}/figures/{figure}.csv`.
pub async fn area_figure_csv(state: State<AppState>, headers: HeaderMap, path: Path<(String, String)>) -> Response {
    place_csv(&AREA, state, headers, path).await
}

/// `GET /regions/{code}/figures/{figure}.csv`.
pub async fn region_figure_csv(state: State<AppState>, headers: HeaderMap, path: Path<(String, String)>) -> Response {
    place_csv(&REGION, state, headers, path).await
}

/// `GET /embed/areas/{code}/{figure}`.
pub async fn area_embed(state: State<AppState>, headers: HeaderMap, path: Path<(String, String)>) -> Response {
    place_embed(&AREA, state, headers, path).await
}

/// `GET /embed/regions/{code}/{figure}`.
pub async fn region_embed(state: State<AppState>, headers: HeaderMap, path: Path<(String, String)>) -> Response {
    place_embed(&REGION, state, headers, path).await
}

async fn place(
    kind: &Kind,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(code): Path<String>,
    RawQuery(qs): RawQuery,
) -> Response {
    let what = format!("{} with the code {code:?}", kind.what);
    if !(kind.valid)(&code) {
        return not_found(&state, &what).await;
    }
    let pinned = pinned_version(qs.as_deref());
    let query = pages::query_of(kind.figures, Some(&code));
    let path = format!("/{}/{code}", kind.segment);
    answer(
        &state,
        &headers,
        &path,
        qs.as_deref(),
        HTML,
        PAGE_POLICY,
        GqlRequest::new(&query),
        &what,
        |data, version| (kind.page)(data, version).map(|html| with_notice(html, pinned.as_deref(), version)),
    )
    .await
}

async fn place_csv(
    kind: &Kind,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((code, file)): Path<(String, String)>,
) -> Response {
    let what = format!("figure table {file:?} of {} with the code {code:?}", kind.one);
    let Some(f) = file.strip_suffix(".csv").and_then(kind.figure).filter(|_| (kind.valid)(&code)) else {
        return not_found(&state, &what).await;
    };
    let path = format!("/{}/{code}/figures/{file}", kind.segment);
    figure_alone(&state, &headers, f, Some(&code), &path, &what, Alone::Table(&format!("{code}-{}", f.id))).await
}

async fn place_embed(
    kind: &Kind,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path((code, id)): Path<(String, String)>,
) -> Response {
    let what = format!("figure {id:?} of {} with the code {code:?}", kind.one);
    let Some(f) = (kind.figure)(&id).filter(|_| (kind.valid)(&code)) else {
        return not_found(&state, &what).await;
    };
    let path = format!("/embed/{}/{code}/{id}", kind.segment);
    figure_alone(&state, &headers, f, Some(&code), &path, &what, Alone::Embed(&format!("/{}/{code}", kind.segment)))
        .await
}

/// `html` with a notice after the start of its main content when it was asked for as of another version.
fn with_notice(html: String, pinned: Option<&str>, version: Option<&str>) -> String {
    match pinned.and_then(|p| pages::version_notice(p, version)) {
        Some(notice) => html.replacen("<main id=\"main\">\n", &format!("<main id=\"main\">\n{notice}"), 1),
        None => html,
    }
}

/// Marks a CSV answer as a download named `name`.csv.
fn attachment(response: &mut Response, name: &str) {
    if let Ok(disposition) = HeaderValue::from_str(&format!("attachment; filename=\"{name}.csv\"")) {
        response.headers_mut().insert(header::CONTENT_DISPOSITION, disposition);
    }
}

/// `GET /themes` (`?search=words`).
pub async fn themes(State(state): State<AppState>, headers: HeaderMap, RawQuery(qs): RawQuery) -> Response {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(qs.as_deref().unwrap_or("")).unwrap_or_default();
    let search = pairs.into_iter().find(|(k, _)| k == "search").map(|(_, v)| v).filter(|v| !v.trim().is_empty());
    if let Some(words) = &search
        && let Err(e) = crate::read_model::search::search_terms("search", words, false)
    {
        // The reader's own mistake (too long, too many words): said on the page, as a 400.
        let mut response = Refusal::from(e).into_response();
        with_policy(&mut response, PAGE_POLICY);
        return response;
    }
    let variables = serde_json::json!({ "search": search, "searching": search.is_some() });
    let request = GqlRequest::new(pages::themes::QUERY).variables(async_graphql::Variables::from_json(variables));
    answer(&state, &headers, "/themes", qs.as_deref(), HTML, PAGE_POLICY, request, "page", |data, version| {
        Some(pages::themes::page(data, version, search.as_deref()))
    })
    .await
}

/// `GET /embed/{figure}`.
pub async fn embed(State(state): State<AppState>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    let Some(f) = pages::figure(&id) else { return not_found(&state, &format!("figure named {id:?}")).await };
    let path = format!("/embed/{id}");
    figure_alone(&state, &headers, f, None, &path, &format!("figure named {id:?}"), Alone::Embed("/")).await
}

/// `GET /figures/{figure}.csv`.
pub async fn figure_csv(State(state): State<AppState>, headers: HeaderMap, Path(file): Path<String>) -> Response {
    let Some(f) = file.strip_suffix(".csv").and_then(pages::figure) else {
        return not_found(&state, &format!("figure table named {file:?}")).await;
    };
    let path = format!("/figures/{file}");
    figure_alone(&state, &headers, f, None, &path, &format!("figure table named {file:?}"), Alone::Table(f.id)).await
}

/// How a figure alone is answered.
enum Alone<'a> {
    /// Its table as CSV, downloaded as `{0}.csv`.
    Table(&'a str),
    /// The figure itself for framing, naming the page it is from.
    Embed(&'a str),
}

/// A figure alone at `path` (of the place `code`, if any): its table or its embed.
async fn figure_alone(
    state: &AppState,
    headers: &HeaderMap,
    f: &'static pages::figure::Figure,
    code: Option<&str>,
    path: &str,
    what: &str,
    alone: Alone<'_>,
) -> Response {
    let request = GqlRequest::new(f.query(code));
    match alone {
        Alone::Table(name) => {
            let mut response =
                answer(state, headers, path, None, CSV, PAGE_POLICY, request, what, |data, _| pages::csv(f, data))
                    .await;
            attachment(&mut response, name);
            response
        }
        Alone::Embed(source) => {
            answer(state, headers, path, None, HTML, EMBED_POLICY, request, what, |data, version| {
                pages::embed(f, data, version, source)
            })
            .await
        }
    }
}

/// `GET /assets/site.css`.
pub async fn stylesheet() -> Response {
    let mut response = ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], SITE_CSS).into_response();
    // It changes only with the binary: an hour keeps a reload cheap without pinning an old style for long.
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
    response
}

/// A `404` page saying what was looked for.
pub async fn not_found(state: &AppState, what: &str) -> Response {
    let version = state.models.current_version(&state.db).await.ok().flatten();
    let mut response =
        (StatusCode::NOT_FOUND, [(header::CONTENT_TYPE, HTML)], pages::not_found(what, version.as_deref()))
            .into_response();
    with_policy(&mut response, PAGE_POLICY);
    response
}

/// The version a permalink pins (`?version=r12`), if any.
fn pinned_version(qs: Option<&str>) -> Option<String> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(qs.unwrap_or("")).ok()?;
    pairs.into_iter().find(|(k, _)| k == "version").map(|(_, v)| v)
}

fn with_policy(response: &mut Response, policy: &'static str) {
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(policy));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
}

/// Answers a page or a figure's table at `path` (with the query string `qs`): from the response cache or a `304`
/// when it can, else by running `query` in one snapshot and drawing its data with `draw`. What `draw` cannot draw
/// (no area has the code), or a code the API refuses, is a `404` page saying it looked for `what`.
#[allow(clippy::too_many_arguments)]
async fn answer(
    state: &AppState,
    headers: &HeaderMap,
    path: &str,
    qs: Option<&str>,
    content_type: &'static str,
    policy: &'static str,
    request: GqlRequest,
    what: &str,
    draw: impl FnOnce(&serde_json::Value, Option<&str>) -> Option<String>,
) -> Response {
    let address = match qs {
        Some(q) if !q.is_empty() => format!("{path}?{q}"),
        _ => path.to_owned(),
    };
    let key = format!("page|{address}");
    let version = match state.models.current_version(&state.db).await {
        Ok(v) => v,
        Err(e) => return Refusal::unavailable(&e).into_response(),
    };
    let tag = caching::etag(version.as_deref(), &["page", &address]);
    let max_age = state.config.cache_max_age;
    if caching::not_modified(headers, &tag) {
        return caching::not_modified_response(&tag, max_age, "Accept-Encoding");
    }
    if let Some(hit) = state.responses.get(&key).filter(|hit| hit.version == version) {
        return respond(&hit, true, policy);
    }
    // The version the answer is of: the snapshot's, which may be newer than the one checked above.
    let (scope, version) = match state.versioned_snapshot().await {
        Ok(opened) => opened,
        Err(refusal) => return refusal.into_response(),
    };
    let response = match run(&state.own_schema, scope, request).await {
        Ok(r) => r,
        Err(e) => return Refusal::unavailable(&e).into_response(),
    };
    let refused = |e: &async_graphql::ServerError| {
        e.extensions.as_ref().and_then(|x| x.get("code")) == Some(&async_graphql::Value::from(code::BAD_USER_INPUT))
    };
    if response.errors.iter().any(refused) {
        return not_found(state, what).await;
    }
    if let Some(error) = response.errors.first() {
        // The queries are the pages' own: one that fails is the server's fault, never the reader's.
        tracing::error!(path, error = %error.message, "a page's query failed");
        return Refusal::new(StatusCode::INTERNAL_SERVER_ERROR, code::INTERNAL, "internal error").into_response();
    }
    let data = response.data.into_json().unwrap_or_default();
    let Some(body) = draw(&data, version.as_deref()) else { return not_found(state, what).await };
    let tag = caching::etag(version.as_deref(), &["page", &address]);
    let cached = Arc::new(Cached {
        version,
        validators: caching::validators(&tag, max_age),
        etag: tag,
        body: body.into(),
        content_type,
        operation: None,
    });
    state.responses.insert(&key, cached.clone());
    respond(&cached, false, policy)
}

fn respond(cached: &Cached, hit: bool, policy: &'static str) -> Response {
    let mut response =
        (StatusCode::OK, [(header::CONTENT_TYPE, cached.content_type)], cached.body.clone()).into_response();
    let headers = response.headers_mut();
    headers.insert(X_CACHE, HeaderValue::from_static(if hit { "HIT" } else { "MISS" }));
    if let Some((etag, cache_control)) = &cached.validators {
        headers.insert(header::ETAG, etag.clone());
        headers.insert(header::CACHE_CONTROL, cache_control.clone());
    }
    with_policy(&mut response, policy);
    response
}
