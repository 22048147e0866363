//! Operations endpoints: `/health`, `/ready`, `/metrics`, `/schema.graphql`.

use std::fmt::Write;

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use sea_orm::{EntityTrait, PaginatorTrait};
use send_model::entity::import_run;

use super::metrics::escape;
use super::state::AppState;

/// `/health`: the process is up (it does not touch the database; see `/ready`).
pub async fn health() -> Json<serde_json::Value> {
    Json(serde_json::json!({"status": "ok"}))
}

/// `/ready`: `200` when the database answers and its schema is up to date, `503` otherwise, with the reason. Load
/// balancers route to a replica only while it is ready.
pub async fn ready(State(state): State<AppState>) -> Response {
    let (status, body) = match send_model::pending_migrations(&state.db).await {
        Ok(0) => {
            (StatusCode::OK, serde_json::json!({"status": "ready", "backend": send_model::backend_name(&state.db)}))
        }
        Ok(n) => (
            StatusCode::SERVICE_UNAVAILABLE,
            serde_json::json!({"status": "not ready", "reason": format!("the database lacks {n} migration(s)")}),
        ),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check: the database is unreachable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                serde_json::json!({"status": "not ready", "reason": "the database is unreachable"}),
            )
        }
    };
    (status, [(header::CACHE_CONTROL, "no-store")], Json(body)).into_response()
}

/// `/metrics`: Prometheus text format: requests by route and status, GraphQL requests by operation and status,
/// GraphQL latency histograms, import runs and the dataset version.
pub async fn metrics(State(state): State<AppState>) -> Response {
    let mut out = String::new();
    state.metrics.render(&mut out);
    let data = async {
        let snapshot = crate::read_model::Scope::begin(state.db.clone(), state.models.clone()).await?;
        let runs = import_run::Entity::find().count(snapshot.db().await?).await;
        let version = snapshot.version().await;
        snapshot.finish().await;
        Ok::<_, sea_orm::DbErr>((runs?, version?))
    };
    let (up, runs, version) = match data.await {
        Ok((runs, version)) => (1, Some(runs), version),
        Err(e) => {
            tracing::warn!(error = %e, "metrics: cannot read the database");
            (0, None, None)
        }
    };
    let documents = state.schema.data::<crate::graphql::Documents>().map_or((0, 0), |d| d.size());
    let caches =
        [("responses", state.responses.size()), ("persisted_queries", state.apq.size()), ("documents", documents)];
    let _ = writeln!(out, "# HELP send_cache_bytes Bytes an in-memory cache holds, keys included, as it weighs them.");
    let _ = writeln!(out, "# TYPE send_cache_bytes gauge");
    for (name, (bytes, _)) in caches {
        let _ = writeln!(out, "send_cache_bytes{{cache=\"{name}\"}} {bytes}");
    }
    let _ = writeln!(out, "# HELP send_cache_entries Entries an in-memory cache holds.");
    let _ = writeln!(out, "# TYPE send_cache_entries gauge");
    for (name, (_, entries)) in caches {
        let _ = writeln!(out, "send_cache_entries{{cache=\"{name}\"}} {entries}");
    }
    let _ = writeln!(out, "# HELP send_database_up Whether the database answered this scrape.");
    let _ = writeln!(out, "# TYPE send_database_up gauge");
    let _ = writeln!(out, "send_database_up {up}");
    if let Some(runs) = runs {
        let _ = writeln!(out, "# HELP send_import_runs Import runs recorded in the database.");
        let _ = writeln!(out, "# TYPE send_import_runs gauge");
        let _ = writeln!(out, "send_import_runs {runs}");
    }
    if let Some(version) = version {
        let number = version.trim_start_matches('r');
        let _ = writeln!(
            out,
            "# HELP send_dataset_version The dataset version served (the label; the value is its number)."
        );
        let _ = writeln!(out, "# TYPE send_dataset_version gauge");
        let _ = writeln!(out, "send_dataset_version{{version=\"{}\"}} {number}", escape(&version));
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8"), (header::CACHE_CONTROL, "no-store")], out)
        .into_response()
}

/// `/schema.graphql`: the schema in SDL, as committed in `schema.graphql`.
pub async fn schema() -> Response {
    static SDL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let sdl = SDL.get_or_init(crate::graphql::sdl).clone();
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")], sdl)
        .into_response()
}
