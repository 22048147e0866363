//! Why a file was not read as a report.

/// Why a file was not read as a report; every message starts with the file's name and says what was missing.
#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    /// The file could not be opened or read.
    #[error("{file}: cannot read the file: {error}")]
    Read {
        /// The path as given.
        file: String,
        /// The underlying error.
        error: std::io::Error,
    },
    /// The bytes are not a PDF.
    #[error("{file}: not a PDF: no %PDF- header at the start of the file (it begins {found:?})")]
    NotPdf {
        /// The path as given.
        file: String,
        /// The first bytes, as text.
        found: String,
    },
    /// The PDF stops before its end (an interrupted download).
    #[error("{file}: truncated PDF: no %%EOF end-of-file marker at the end of the file (an incomplete download?)")]
    Truncated {
        /// The path as given.
        file: String,
    },
    /// The PDF library could not read the file.
    #[error("{file}: damaged PDF: {reason}")]
    Damaged {
        /// The path as given.
        file: String,
        /// What the library said (or that it panicked).
        reason: String,
    },
    /// The PDF is past a limit of what a file may cost to read (see [`crate::limits`]).
    #[error("{file}: {reason}")]
    Limit {
        /// The path as given.
        file: String,
        /// The limit, and what was found past it.
        reason: String,
    },
    /// The PDF needs a password.
    #[error("{file}: encrypted PDF: no text can be read without its password")]
    Encrypted {
        /// The path as given.
        file: String,
    },
    /// The PDF has no text (scanned pages, images only).
    #[error("{file}: no text: the PDF has no text layer (an image-only or scanned document?)")]
    NoText {
        /// The path as given.
        file: String,
    },
    /// The text is not that of a 2023-framework area SEND inspection report.
    #[error("{file}: not an area SEND inspection report: {reason}")]
    NotAReport {
        /// The path as given.
        file: String,
        /// What was looked for and what was found instead.
        reason: String,
    },
    /// A fact every report states was not found.
    #[error("{file}: missing {what}")]
    Missing {
        /// The path as given.
        file: String,
        /// The fact, and where it was looked for.
        what: String,
    },
    /// The area the report names is not a known local area.
    #[error(
        "{file}: unknown area: {name:?} (from the report's title) is not a local area or alias in data/local_areas.csv or data/area_aliases.csv"
    )]
    UnknownArea {
        /// The path as given.
        file: String,
        /// The name as the report writes it.
        name: String,
    },
}

impl ExtractError {
    /// The file the error is about.
    pub fn file(&self) -> &str {
        match self {
            ExtractError::Read { file, .. }
            | ExtractError::NotPdf { file, .. }
            | ExtractError::Truncated { file }
            | ExtractError::Damaged { file, .. }
            | ExtractError::Limit { file, .. }
            | ExtractError::Encrypted { file }
            | ExtractError::NoText { file }
            | ExtractError::NotAReport { file, .. }
            | ExtractError::Missing { file, .. }
            | ExtractError::UnknownArea { file, .. } => file,
        }
    }
}
