//! Reads an Ofsted/CQC area SEND inspection report (2023 framework, the PDF Ofsted publishes for each local area
//! partnership) into the facts it states: the area, the inspection dates, the previous inspection, the outcome,
//! the ICBs of the partnership, the areas for priority action (each coded into a theme, see [`taxonomy`]) and the
//! areas for improvement. Used by `send-import --extract`; nothing here touches a database.
//!
//! How each fact is found in the text (the layout every report shares):
//! - the area: the title "Area SEND inspection of X Local Area Partnership" on the first page (else the running
//!   footer "... inspection report: X Local Area Partnership", else the council named under "Information about the
//!   local area partnership"), resolved to its GSS code through the names and aliases of the bundled reference data
//!   (`data/local_areas.csv`, `data/area_aliases.csv`), compared by [`normalise_name`](crate::catalog::normalise_name);
//! - the dates: the line "Inspection dates: ..." and "Date(s) of previous inspection: ..." (see [`dates`]); when the
//!   running footer of the pages gives a narrower range within the front page's, the footer's wins (Ofsted's
//!   statistics follow it where a front page counted from the start of the notice period);
//! - the outcome: the first of the three outcome sentences of the 2023 framework after "Inspection outcome"
//!   (monitoring inspections: "is / is not taking effective action");
//! - the ICBs: the ICB names of `data/icbs.csv` (without "NHS", followed by "Integrated Care Board" or "ICB")
//!   written under "Information about the local area partnership" (else under "Local area partnership details");
//! - the areas for priority action: the rows of the table headed "Responsible body | Areas for priority action",
//!   its columns told apart by position (see [`text`]); a row starts where both columns start a new paragraph;
//! - the areas for improvement: the paragraphs under the heading "Areas for improvement".
//!
//! Anything that is not such a report is refused with an [`ExtractError`] that names the file and what was
//! missing. The PDF library is never trusted not to panic: a panic is caught and reported as a damaged file.

mod actions;
pub mod bounds;
pub mod dates;
mod error;
mod extractor;
mod facts;
mod pages;
mod statements;
pub mod taxonomy;
pub mod text;

pub use error::ExtractError;
pub use extractor::{Extractor, extract_files};
pub use facts::{ReportFacts, outcome_name};
