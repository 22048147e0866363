//! CSV export of what researchers download most: `/export/inspections.csv` and `/export/outcome-profile.csv`.
//!
//! Both take the same filters as their GraphQL fields, as query parameters with the same names and values
//! (`?framework=FRAMEWORK_2023&year=2023&region=E12000006`), checked the same way. Rows are streamed: the
//! inspections as they are read, inside one read snapshot; the profile's rows (its counts computed in one snapshot
//! first, since a refused filter must still be a `400`) as they are written. The licence is in a
//! `Link: <...>; rel="license"` header. Cells a spreadsheet would read as a formula (starting `=`, `+`, `-`, `@`,
//! tab or carriage return) are prefixed with `'`.

use std::borrow::Cow;

use async_graphql::{InputType, Value};
use axum::body::{Body, Bytes};
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use send_model::entity::{inspection, local_area, region};
use tokio::sync::OwnedSemaphorePermit;

use super::caching;
use super::params::{enum_param, input_from_params, pairs};
use super::state::AppState;
use crate::error::{Refusal, code};
use crate::graphql::enums;
use crate::graphql::inputs::{
    InspectionFilter, InspectionOrder, InspectionOrderField, OutcomeProfileFilter, ProfileGrouping,
};
use crate::licence::{LICENCE, LICENCE_URL};
use crate::read_model::Scope;
use crate::read_model::inspections::{self, InspectionCriteria, InspectionSort};
use crate::read_model::keys::{global_id, inspection_key};
use crate::read_model::profiles::{self, Profile, ProfileCriteria};

/// Rows per streamed chunk.
const CHUNK_ROWS: usize = 200;

/// Prefixes a cell a spreadsheet would evaluate as a formula, so that it reads as text.
pub fn neutralise(cell: &str) -> Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{cell}"))
    } else {
        Cow::Borrowed(cell)
    }
}

/// The headers of a CSV download named `file`.
fn csv_headers(file: &str, etag: &str, max_age: u32) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8; header=present"));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{file}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    if let Ok(v) = HeaderValue::from_str(&format!("<{LICENCE_URL}>; rel=\"license\"; title=\"{LICENCE}\"")) {
        headers.insert(header::LINK, v);
    }
    caching::cacheable(&mut headers, etag, max_age);
    headers
}

/// Opens the snapshot an export reads and answers `304` when `If-None-Match` lists the export's tag (the client's
/// copy is current). The ETag covers the dataset version, the endpoint and its parameters. `If-None-Match: *` is
/// answered later, by [`unchanged`], once the export is known to succeed.
async fn open(
    state: &AppState,
    headers: &HeaderMap,
    endpoint: &str,
    params: &[(String, String)],
) -> Result<(Scope, String, OwnedSemaphorePermit), Response> {
    // Taken before the snapshot and held while it is: exports never hold more than their share of the pool.
    let permit = state.exports.clone().try_acquire_owned().map_err(|_| busy(state.config.max_exports))?;
    let (snapshot, version) = state.versioned_snapshot().await.map_err(IntoResponse::into_response)?;
    let canonical = serde_urlencoded::to_string(params).unwrap_or_default();
    let etag = caching::etag(version.as_deref(), &[endpoint, &canonical]);
    if caching::not_modified(headers, &etag) {
        snapshot.finish().await;
        return Err(caching::not_modified_response(&etag, state.config.cache_max_age, "Accept-Encoding"));
    }
    Ok((snapshot, etag, permit))
}

/// `503` with `Retry-After` when `max` exports are already streaming.
fn busy(max: usize) -> Response {
    let message =
        format!("{max} exports are already streaming from this server, the most it serves at once; try again shortly");
    let mut response = Refusal::new(StatusCode::SERVICE_UNAVAILABLE, code::SERVER_BUSY, message).into_response();
    response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
    response
}

/// `304` for an export that is known to succeed when `If-None-Match` is `*` (or lists its tag).
fn unchanged(state: &AppState, headers: &HeaderMap, etag: &str) -> Option<Response> {
    caching::not_modified_if_ok(headers, etag)
        .then(|| caching::not_modified_response(etag, state.config.cache_max_age, "Accept-Encoding"))
}

/// CSV being written: records with their cells neutralised, taken out as bytes a chunk at a time (one writer per
/// chunk, not per row).
struct CsvOut(csv::Writer<Vec<u8>>);

impl CsvOut {
    fn new() -> Self {
        Self(csv::Writer::from_writer(Vec::new()))
    }

    fn record(&mut self, cells: &[Cow<'_, str>]) {
        let neutral: Vec<Cow<'_, str>> = cells.iter().map(|c| neutralise(c)).collect();
        // Writing to memory cannot fail.
        self.0.write_record(neutral.iter().map(|c| c.as_bytes())).ok();
    }

    /// The bytes written since the last call.
    fn take(&mut self) -> Vec<u8> {
        std::mem::replace(&mut self.0, csv::Writer::from_writer(Vec::new())).into_inner().unwrap_or_default()
    }
}

/// A chunk of the response body, or the error that aborts it.
type Chunk = Result<Bytes, std::io::Error>;

/// Where a streamed export writes: records go to the response body as they are written, [`CHUNK_ROWS`] at a time.
struct CsvSender {
    out: CsvOut,
    rows: usize,
    tx: tokio::sync::mpsc::Sender<Chunk>,
}

impl CsvSender {
    /// Writes one record; `false` once the client has gone away (the writer should stop).
    async fn record(&mut self, cells: &[Cow<'_, str>]) -> bool {
        self.out.record(cells);
        self.rows += 1;
        !self.rows.is_multiple_of(CHUNK_ROWS) || self.tx.send(Ok(Bytes::from(self.out.take()))).await.is_ok()
    }

    /// Sends the records not sent yet: the body is complete.
    async fn finish(mut self) {
        let chunk = self.out.take();
        if !chunk.is_empty() {
            self.tx.send(Ok(Bytes::from(chunk))).await.ok();
        }
    }

    /// Aborts the body, so the client sees a failed download rather than a silently short file.
    async fn fail(self) {
        self.tx.send(Err(std::io::Error::other("export failed"))).await.ok();
    }
}

/// A CSV download named `file`, streamed: its header row is `columns`, and `write` (run in its own task, inside the
/// request's span so its log lines carry the request ID) writes the records, finishing or failing the body.
fn streamed_csv<F, Fut>(state: &AppState, file: &str, etag: &str, columns: &[&str], write: F) -> Response
where
    F: FnOnce(CsvSender) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let (tx, rx) = tokio::sync::mpsc::channel::<Chunk>(8);
    let mut out = CsvOut::new();
    out.record(&columns.iter().map(|c| Cow::Borrowed(*c)).collect::<Vec<_>>());
    let sender = CsvSender { out, rows: 0, tx };
    tokio::spawn(tracing::Instrument::in_current_span(write(sender)));
    let body = futures_util::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|item| (item, rx)) }).fuse();
    let mut response = Response::new(Body::from_stream(body));
    *response.headers_mut() = csv_headers(file, etag, state.config.cache_max_age);
    response
}

/// `GET /export/inspections.csv`: the inspections the `inspections` connection would list for the same `filter`
/// (its fields as parameters), in the order `orderBy` (`START_DATE`, `PUBLISHED`, `AREA_NAME`) and `direction`
/// (`ASC`, `DESC`) give, every page at once.
pub async fn inspections(State(state): State<AppState>, headers: HeaderMap, RawQuery(qs): RawQuery) -> Response {
    let params = match pairs(qs.as_deref()) {
        Ok(p) => p,
        Err(r) => return r.into_response(),
    };
    let parsed = (|| {
        let filter: InspectionFilter = input_from_params(&params, &["orderBy", "direction"])?;
        let field: Option<InspectionOrderField> = enum_param(&params, "orderBy")?;
        let direction: Option<enums::OrderDirection> = enum_param(&params, "direction")?;
        Ok::<_, Refusal>((
            filter,
            InspectionOrder { field: field.unwrap_or_default(), direction: direction.unwrap_or_default() },
        ))
    })();
    let (filter, order) = match parsed {
        Ok(p) => p,
        Err(r) => return r.into_response(),
    };
    let (snapshot, etag, permit) = match open(&state, &headers, "inspections.csv", &params).await {
        Ok(opened) => opened,
        Err(response) => return response,
    };
    let model = match snapshot.model().await {
        Ok(model) => model,
        Err(e) => return Refusal::unavailable(&e).into_response(),
    };
    let select = match inspections::ordered(model, &InspectionCriteria::from(&filter), InspectionSort::from(order)) {
        Ok(select) => select,
        Err(e) => return Refusal::from(e).into_response(),
    };
    if let Some(response) = unchanged(&state, &headers, &etag) {
        snapshot.finish().await;
        return response;
    }
    streamed_csv(&state, "inspections.csv", &etag, &INSPECTION_COLUMNS, move |mut csv| async move {
        let result = async {
            // Each row's area and region come from the read model of the snapshot's version.
            let model = snapshot.model().await?;
            let mut stream = select.stream(snapshot.db().await?).await?;
            while let Some(row) = stream.next().await {
                let row = row?;
                let area = model.area(row.area_id);
                let region = area.and_then(|a| model.region(&a.region_code));
                if !csv.record(&inspection_cells(&row, area, region)).await {
                    return Ok(false); // The client went away.
                }
            }
            Ok::<_, sea_orm::DbErr>(true)
        }
        .await;
        snapshot.finish().await;
        drop(permit);
        match result {
            Ok(true) => csv.finish().await,
            Ok(false) => {}
            Err(e) => {
                tracing::error!(error = %e, "export: reading inspections failed mid-stream");
                csv.fail().await;
            }
        }
    })
}

/// The columns of `inspections.csv`.
pub const INSPECTION_COLUMNS: [&str; 23] = [
    "id",
    "key",
    "area_code",
    "area_name",
    "dfe_code",
    "region_code",
    "region_name",
    "ofsted_region",
    "framework",
    "inspection_type",
    "start_date",
    "start_precision",
    "end_date",
    "published",
    "outcome",
    "outcome_description",
    "significant_weaknesses",
    "weaknesses_progress_made",
    "weaknesses_progress_not_made",
    "priority_action_count",
    "report_url",
    "source_url",
    "year",
];

/// A GraphQL enum value's name, as filters take it.
fn enum_name<T: InputType>(value: &T) -> String {
    match value.to_value() {
        Value::Enum(name) => name.to_string(),
        other => other.to_string(),
    }
}

fn inspection_cells<'a>(
    m: &'a inspection::Model,
    area: Option<&'a local_area::Model>,
    region: Option<&'a region::Model>,
) -> Vec<Cow<'a, str>> {
    let date = |d: Option<chrono::NaiveDate>| {
        Cow::Owned(d.map(|d| send_model::domain::IsoDay(d).to_string()).unwrap_or_default())
    };
    let number = |n: Option<i32>| Cow::Owned(n.map(|n| n.to_string()).unwrap_or_default());
    let text = |t: Option<&'a str>| Cow::Borrowed(t.unwrap_or(""));
    let gss = area.map_or("", |a| a.gss_code.as_str());
    let key = inspection_key(gss, m);
    vec![
        Cow::Owned(global_id("Inspection", &key)),
        Cow::Owned(key),
        Cow::Borrowed(gss),
        text(area.map(|a| a.name.as_str())),
        text(area.and_then(|a| a.dfe_code.as_deref())),
        text(area.map(|a| a.region_code.as_str())),
        text(region.map(|r| r.name.as_str())),
        text(region.map(|r| r.ofsted_region.as_str())),
        Cow::Owned(enum_name(&enums::Framework::from(m.framework))),
        Cow::Owned(enum_name(&enums::InspectionType::from(m.inspection_type))),
        date(m.start_known.then_some(m.start_date)),
        Cow::Owned(if m.start_known {
            enum_name(&crate::graphql::scalars::DatePrecision::from(m.start_precision))
        } else {
            String::new()
        }),
        date(m.end_date),
        date(m.published),
        Cow::Owned(m.outcome.map(|o| enum_name(&enums::Outcome::from(o))).unwrap_or_default()),
        Cow::Borrowed(m.outcome.map_or("", |o| o.description())),
        number(m.significant_weaknesses),
        number(m.weaknesses_progress_made),
        number(m.weaknesses_progress_not_made),
        number(m.priority_action_count),
        text(m.report_url.as_deref()),
        Cow::Borrowed(m.source_url.as_str()),
        // Ofsted's counting year: the year the inspection started (none when no source gives the start).
        number(m.start_known.then_some(m.start_year)),
    ]
}

/// The columns of `outcome-profile.csv`.
pub const PROFILE_COLUMNS: [&str; 15] = [
    "group_key",
    "group_label",
    "framework",
    "inspection_type",
    "year",
    "as_at",
    "outcome",
    "outcome_description",
    "count",
    "share",
    "ci95_lower",
    "ci95_upper",
    "total",
    "unknown",
    "small_number",
];

/// `GET /export/outcome-profile.csv`: the `outcomeProfile` for the same `filter` (its fields as parameters;
/// `framework` is required), one row per outcome; with `groupBy` (`YEAR`, `REGION`, `OFSTED_REGION`, `ICB`), the
/// `outcomeProfiles` of each group, one row per group and outcome.
pub async fn outcome_profile(State(state): State<AppState>, headers: HeaderMap, RawQuery(qs): RawQuery) -> Response {
    let parsed = (|| {
        let params = pairs(qs.as_deref())?;
        let filter: OutcomeProfileFilter = input_from_params(&params, &["groupBy"])?;
        let group: Option<ProfileGrouping> = enum_param(&params, "groupBy")?;
        Ok::<_, Refusal>((params, filter, group))
    })();
    let (params, filter, group) = match parsed {
        Ok(p) => p,
        Err(r) => return r.into_response(),
    };
    let (snapshot, etag, _permit) = match open(&state, &headers, "outcome-profile.csv", &params).await {
        Ok(opened) => opened,
        Err(response) => return response,
    };
    let criteria = ProfileCriteria::from(&filter);
    let groups = match group {
        None => profiles::profile(&snapshot, &criteria).await.map(|p| vec![(String::new(), String::new(), p)]),
        Some(g) => profiles::profiles(&snapshot, &criteria, g.into())
            .await
            .map(|gs| gs.into_iter().map(|g| (g.key, g.label, g.profile)).collect()),
    };
    snapshot.finish().await;
    let groups = match groups {
        Ok(g) => g,
        Err(e) => return Refusal::from(e).into_response(),
    };
    if let Some(response) = unchanged(&state, &headers, &etag) {
        return response;
    }
    // The profiles are a few hundred counts at most, computed in the snapshot; their rows are written as sent.
    streamed_csv(&state, "outcome-profile.csv", &etag, &PROFILE_COLUMNS, move |mut csv| async move {
        for (key, label, p) in &groups {
            for row in profile_rows(key, label, p) {
                if !csv.record(&row).await {
                    return; // The client went away.
                }
            }
        }
        csv.finish().await;
    })
}

fn profile_rows<'a>(key: &'a str, label: &'a str, p: &'a Profile) -> Vec<Vec<Cow<'a, str>>> {
    let float = |f: Option<f64>| Cow::Owned(f.map(|f| f.to_string()).unwrap_or_default());
    let criteria = &p.criteria;
    p.outcomes
        .iter()
        .map(|o| {
            vec![
                Cow::Borrowed(key),
                Cow::Borrowed(label),
                Cow::Owned(enum_name(&enums::Framework::from(criteria.framework))),
                Cow::Owned(enum_name(&enums::InspectionType::from(criteria.inspection_type))),
                Cow::Owned(criteria.year.map(|y| y.to_string()).unwrap_or_default()),
                Cow::Owned(criteria.as_at.map(|d| send_model::domain::IsoDay(d).to_string()).unwrap_or_default()),
                Cow::Owned(enum_name(&enums::Outcome::from(o.outcome))),
                Cow::Borrowed(o.outcome.description()),
                Cow::Owned(o.count.to_string()),
                float(o.share),
                float(o.interval.map(|i| i.lower)),
                float(o.interval.map(|i| i.upper)),
                Cow::Owned(p.total.to_string()),
                Cow::Owned(p.unknown.to_string()),
                Cow::Borrowed(if p.small_number { "true" } else { "false" }),
            ]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::{CsvOut, neutralise};

    #[test]
    fn cells_a_spreadsheet_would_evaluate_are_neutralised() {
        for formula in ["=1+1", "+44 20", "-2", "@SUM(A1)", "\tx", "\rx", "=HYPERLINK(\"http://x\")"] {
            assert_eq!(neutralise(formula), format!("'{formula}"), "{formula:?}");
        }
        for plain in ["Suffolk", "2023-11-13", "E10000029", "", "a=b"] {
            assert!(matches!(neutralise(plain), Cow::Borrowed(_)), "{plain:?} left as it is");
        }
        let mut out = CsvOut::new();
        out.record(&[Cow::Borrowed("=cmd|' /C calc'!A0"), Cow::Borrowed("a,b")]);
        let line = String::from_utf8(out.take()).unwrap_or_default();
        assert_eq!(line, "'=cmd|' /C calc'!A0,\"a,b\"\n");
    }
}
