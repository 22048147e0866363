//! The area SEND inspection outcomes API: a GraphQL schema over the model crate, served over HTTP by axum.
//!
//! Architecture invariants: only this crate speaks GraphQL; the schema is built by [`graphql::build_schema`] and the
//! router by [`http::app`], each used alike by the server, the SDL export and the tests.

pub mod graphql;
pub mod http;

pub use graphql::{AppSchema, build_schema, execute, sdl};
pub use http::{AppState, app};

use sea_orm::DatabaseConnection;
use send_importer::{ImportOptions, ImportReport, bundled, import, is_empty};

/// Readies a database for serving: brings its schema up to date and, when it holds no data yet (and
/// `import_bundled`), imports the bundled dataset. Returns the import's report when one ran.
pub async fn prepare(db: &DatabaseConnection, import_bundled: bool) -> anyhow::Result<Option<ImportReport>> {
    use anyhow::Context;
    send_model::migrate(db).await.context("cannot migrate the database")?;
    if import_bundled && is_empty(db).await.context("cannot read the database")? {
        let report =
            import(db, bundled(), ImportOptions::default()).await.context("cannot import the bundled dataset")?;
        return Ok(Some(report));
    }
    Ok(None)
}
