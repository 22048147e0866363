//! What can go wrong in an import, with messages that name the file, line and column.

use std::fmt;

use crate::names::shown;

/// One problem found in a source: `file:line: column: what was expected, what was found`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    /// The file (path or URL) as the user named it.
    pub file: String,
    /// 1-based line of the file (the header is line 1 of a CSV).
    pub line: u64,
    /// The column (or `header`, or `file`).
    pub column: String,
    /// What was expected and what was found.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}: {}", shown(&self.file), self.line, self.column, self.message)
    }
}

/// Why an import wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// A source could not be read at all.
    #[error("cannot read {}: {error}", shown(.source_name))]
    Read {
        /// The path or URL.
        source_name: String,
        /// The underlying error.
        error: std::io::Error,
    },
    /// A file is larger than the size cap ([`crate::limits::MAX_FILE_BYTES`] or `--max-download-bytes`).
    #[error(
        "cannot read {}: expected a file of at most {limit} bytes, found more (raise --max-download-bytes if it is expected)",
        shown(.source_name)
    )]
    TooLarge {
        /// The path.
        source_name: String,
        /// The cap, in bytes.
        limit: u64,
    },
    /// The sources were read but are not valid; every problem is listed.
    #[error("{} problem(s) found; nothing was written:\n{}", .0.len(), ProblemList(.0))]
    Invalid(Vec<Problem>),
    /// The database failed; the transaction was rolled back.
    #[error("database error, nothing was written: {0}")]
    Database(#[from] sea_orm::DbErr),
}

struct ProblemList<'a>(&'a [Problem]);

impl fmt::Display for ProblemList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{p}")?;
        }
        Ok(())
    }
}
