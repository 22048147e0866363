//! The area SEND inspection outcomes API: a GraphQL schema over the model crate, served over HTTP by axum.
//!
//! Architecture invariants: only this crate speaks GraphQL; every schema that answers requests is built by
//! [`graphql::build_schema_with`] (the server, the tests, the bench and the fuzz targets; [`graphql::build_schema`]
//! is it with the default limits, [`graphql::build_schema_sharing`] it sharing a cache of parsed documents), the
//! SDL by [`graphql::sdl`] from the same types, and the router by [`http::app`].

pub mod cache;
pub mod error;
pub mod graphql;
pub mod http;
pub mod licence;
pub mod pages;
pub mod read_model;

pub mod cli;

pub use graphql::{AppSchema, Limits, build_schema, build_schema_with, execute, sdl};
pub use http::{AppState, ConnectionLimits, HttpConfig, Safelist, app, serve};
pub use read_model::{ReadModel, ReadModels, Scope};

use futures_util::future::BoxFuture;
use sea_orm::DatabaseConnection;
use send_importer::{ImportOptions, ImportSummary, bundled, import, is_empty};

/// Readies a database for serving: brings its schema up to date and, when it holds no data yet (and
/// `import_bundled`), imports the bundled dataset. Returns the import's report when one ran.
///
/// Boxed, like [`open_for_serving`], [`serve`] and [`execute`] (ARCHITECTURE.md, "Build time"): compiled once, here,
/// not again in each binary that awaits it.
pub fn prepare(db: &DatabaseConnection, import_bundled: bool) -> BoxFuture<'_, anyhow::Result<Option<ImportSummary>>> {
    Box::pin(prepare_unboxed(db, import_bundled))
}

async fn prepare_unboxed(db: &DatabaseConnection, import_bundled: bool) -> anyhow::Result<Option<ImportSummary>> {
    use anyhow::Context;
    send_model::migrate(db).await.context("cannot migrate the database")?;
    if import_bundled && is_empty(db).await.context("cannot read the database")? {
        let report =
            import(db, bundled(), ImportOptions::default()).await.context("cannot import the bundled dataset")?;
        return Ok(Some(report));
    }
    Ok(None)
}

/// Opens the database `send-api` serves: prepares the primary (`config`: migrate, import the bundled data when empty
/// and `import_bundled`), then, when `read_url` names a read replica, serves from that instead (with the same pool
/// options), closing the primary pool. Boxed, as [`prepare`].
pub fn open_for_serving<'a>(
    config: &'a send_model::DbConfig,
    read_url: Option<&'a str>,
    import_bundled: bool,
) -> BoxFuture<'a, anyhow::Result<DatabaseConnection>> {
    Box::pin(open_for_serving_unboxed(config, read_url, import_bundled))
}

async fn open_for_serving_unboxed(
    config: &send_model::DbConfig,
    read_url: Option<&str>,
    import_bundled: bool,
) -> anyhow::Result<DatabaseConnection> {
    use anyhow::Context;
    let db = send_model::connect(config).await.with_context(|| format!("cannot open the database {}", config.url))?;
    if let Some(report) = prepare(&db, import_bundled).await? {
        tracing::info!(
            inserted = report.inserted(),
            files = report.files.len(),
            "imported the bundled dataset into an empty database"
        );
    }
    let Some(url) = read_url else { return Ok(db) };
    db.close().await.ok();
    let read = send_model::DbConfig { url: url.to_owned(), ..config.clone() };
    tracing::info!("serving reads from the read database (--read-database-url)");
    send_model::connect(&read).await.context("cannot open the read database")
}
