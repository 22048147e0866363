//! `ImportRun`: where a record came from (the provenance every object gives through `importRun`).

use async_graphql::{Context, Object};

use super::*;
use crate::error::ApiResult;
use crate::graphql::context::loaders;
use crate::graphql::loaders::ImportRunId;
use crate::graphql::scalars::DateTime;

impl ImportRun {
    /// The run with `id`, through the request's loader (one statement for every run asked for meanwhile): what
    /// every object's `importRun` answers.
    pub async fn of(ctx: &Context<'_>, id: i32) -> ApiResult<Option<ImportRun>> {
        Ok(loaders(ctx)?.load_one(ImportRunId(id)).await?.map(ImportRun))
    }
}

/// One import: a source read by `send-import` (or on first start) and loaded in one transaction.
#[Object]
impl ImportRun {
    /// Sequential number.
    async fn id(&self) -> i32 {
        self.0.id
    }

    /// The path or URL read (`bundled:data/...` for the dataset built into the binary).
    async fn source(&self) -> &str {
        &self.0.source
    }

    /// The layout it was read as, e.g. `curated-csv/inspections`.
    async fn format(&self) -> &str {
        &self.0.format
    }

    /// SHA-256 of the bytes read, lowercase hex.
    async fn sha256(&self) -> &str {
        &self.0.sha256
    }

    /// When the import began.
    async fn started_at(&self) -> DateTime {
        DateTime(self.0.started_at)
    }

    /// When it committed.
    async fn finished_at(&self) -> DateTime {
        DateTime(self.0.finished_at)
    }

    /// The time a snapshot states for itself (the Data to Insight summary's "last updated", as the page gives it,
    /// in UK local time); null for sources that state none.
    async fn snapshot_at(&self) -> Option<chrono::NaiveDateTime> {
        self.0.snapshot_at
    }

    /// Data rows read from the source.
    async fn rows_read(&self) -> i32 {
        self.0.rows_read
    }

    /// Records inserted.
    async fn rows_inserted(&self) -> i32 {
        self.0.rows_inserted
    }

    /// Records updated.
    async fn rows_updated(&self) -> i32 {
        self.0.rows_updated
    }

    /// Records that were already as the source says.
    async fn rows_unchanged(&self) -> i32 {
        self.0.rows_unchanged
    }
}
