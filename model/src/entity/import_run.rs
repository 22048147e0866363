//! One import: a source read by the importer and loaded in one transaction.

use sea_orm::entity::prelude::*;

/// A row of `import_run`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "import_run")]
pub struct Model {
    /// Sequential id.
    #[sea_orm(primary_key)]
    pub id: i32,
    /// The path or URL that was read.
    pub source: String,
    /// The format the file was read as.
    pub format: String,
    /// SHA-256 of the bytes read, lowercase hex.
    pub sha256: String,
    /// When the import began.
    pub started_at: DateTimeUtc,
    /// When it committed.
    pub finished_at: DateTimeUtc,
    /// `succeeded` (failed imports write nothing, so that the database is left exactly as it was).
    pub status: String,
    /// Data rows read from the source.
    pub rows_read: i32,
    /// Records inserted.
    pub rows_inserted: i32,
    /// Records updated.
    pub rows_updated: i32,
    /// Records already as the source says.
    pub rows_unchanged: i32,
    /// Reserved for a failure message.
    pub error: Option<String>,
    /// What changed, as JSON.
    pub summary: Option<String>,
    /// The HTTP `ETag` of a source fetched from a URL.
    pub etag: Option<String>,
    /// The HTTP `Last-Modified` of a source fetched from a URL.
    pub last_modified: Option<String>,
    /// A snapshot's own time, as the source states it (the Data to Insight summary's "last updated"): a snapshot
    /// older than one already imported changes nothing.
    pub snapshot_at: Option<DateTime>,
}

/// No relations are navigated from here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
