//! What an import did (or, with `--dry-run`, would do).

use std::fmt;

/// One field's value before and after.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FieldChange {
    /// The field's name.
    pub field: String,
    /// The stored value (none for a new record or an empty field).
    pub before: Option<String>,
    /// The source's value.
    pub after: Option<String>,
}

/// A record updated.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Change {
    /// Which record, e.g. `inspection E10000029 2023 full 2023-11-13`.
    pub record: String,
    /// `added` (only fields that were empty got values) or `updated` (a value changed). Inserted records are
    /// counted in the file report, not listed.
    pub action: String,
    /// The fields that changed.
    pub fields: Vec<FieldChange>,
}

/// What one source contributed.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FileSummary {
    /// The source as its import run records it (a file's name, a URL without its secrets).
    pub source: String,
    /// The format it was read as.
    pub format: String,
    /// SHA-256 of its bytes.
    pub sha256: String,
    /// Data rows read.
    pub rows_read: usize,
    /// Records inserted.
    pub inserted: i32,
    /// Records updated (values added or changed).
    pub updated: i32,
    /// Records already as the source says.
    pub unchanged: i32,
    /// Every insert and update.
    pub changes: Vec<Change>,
    /// Warnings that did not stop the import.
    pub warnings: Vec<String>,
    /// The import run that recorded it (the id it would have had, in a dry run).
    pub import_run_id: Option<i32>,
}

/// What a whole import did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ImportSummary {
    /// True when nothing was written.
    pub dry_run: bool,
    /// Per source, in load order.
    pub files: Vec<FileSummary>,
    /// URLs the server said had not changed since their last import (not downloaded, not imported).
    pub not_modified: Vec<String>,
}

impl ImportSummary {
    /// Records inserted over all files.
    pub fn inserted(&self) -> i32 {
        self.files.iter().map(|f| f.inserted).sum()
    }

    /// Records updated over all files.
    pub fn updated(&self) -> i32 {
        self.files.iter().map(|f| f.updated).sum()
    }
}

impl FileSummary {
    /// Records that only gained values they lacked.
    pub fn added(&self) -> usize {
        self.changes.iter().filter(|c| c.action == "added").count()
    }

    /// Records with a value changed.
    pub fn changed(&self) -> usize {
        self.changes.iter().filter(|c| c.action == "updated").count()
    }
}

impl fmt::Display for ImportSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (insert, update) = if self.dry_run { ("would insert", "would update") } else { ("inserted", "updated") };
        for file in &self.files {
            let detail = if file.updated > 0 {
                format!(" (values added to {}, changed in {})", file.added(), file.changed())
            } else {
                String::new()
            };
            writeln!(
                f,
                "{} ({}): {} rows read; {insert} {}, {update} {}{detail}, unchanged {}",
                crate::names::shown(&file.source),
                file.format,
                file.rows_read,
                file.inserted,
                file.updated,
                file.unchanged
            )?;
            for change in file.changes.iter().filter(|c| c.action == "added") {
                let fields: Vec<String> = change
                    .fields
                    .iter()
                    .map(|c| format!("{}: {}", c.field, c.after.as_deref().unwrap_or("(empty)")))
                    .collect();
                writeln!(f, "  added to {}: {}", change.record, fields.join("; "))?;
            }
            for change in file.changes.iter().filter(|c| c.action == "updated") {
                let fields: Vec<String> = change
                    .fields
                    .iter()
                    .map(|c| {
                        format!(
                            "{}: {} -> {}",
                            c.field,
                            c.before.as_deref().unwrap_or("(empty)"),
                            c.after.as_deref().unwrap_or("(empty)")
                        )
                    })
                    .collect();
                writeln!(f, "  changed {}: {}", change.record, fields.join("; "))?;
            }
            for warning in &file.warnings {
                writeln!(f, "  warning: {warning}")?;
            }
        }
        for url in &self.not_modified {
            let url = crate::names::shown(url);
            writeln!(f, "{url}: not modified since its last import (the server answered 304); nothing to import")?;
        }
        if self.dry_run {
            writeln!(f, "dry run: nothing was written")?;
        }
        Ok(())
    }
}
