//! ODS and XLSX workbooks as sheets of rows, read within the limits of [`crate::limits`] (`crate::layout` finds the
//! table in each).
//!
//! A workbook is untrusted: calamine's `worksheet_range` holds the dense rectangle between a sheet's first and last
//! cells (one cell in `A1` and one in `XFD1048576` is 17 billion cells), its ODS reader expands repeated rows and
//! cells for every sheet when the file is opened, and nothing bounds what a zip member inflates to. So:
//! 1. before calamine sees the file, every zip member is inflated through a counting reader (the bytes a member
//!    really inflates to, not the size it declares), and a workbook of too many members or too many inflated
//!    bytes is refused ([`check_members`]);
//! 2. an XLSX sheet is read cell by cell (`worksheet_cells_reader`), never as a range, and only the cells present
//!    are held, within a cell budget for the whole workbook;
//! 3. an ODS's `content.xml` is first read as a stream counting the cells calamine would hold on opening it (the
//!    repeated rows and cells it expands, repeated empty ones excepted as it does), and refused beyond the budget,
//!    before calamine opens it ([`ods_cells`]).
//!
//! 4. every cell reference of an XLSX (a cell's or a row's `r`, a `ref` range) is checked to lie within the largest
//!    sheet a spreadsheet can hold before calamine reads it: calamine 0.38 accumulates a reference's letters and
//!    digits into a `u32` unchecked, so `AAAAAAAAAAAAAAAA1` overflows (a panic in a debug build, a wrong cell in a
//!    release one) ([`xlsx_references`]).
//!
//! Rows with no cell are not held (their line numbers are kept on the rows that are); a held row has a cell for
//! every column between the sheet's first and last, as calamine's range had, so the tables read from the real files
//! are the same as before.

mod members;
mod ods_count;
mod references;
mod sheets;

use crate::error::Problem;
use crate::limits::MAX_WORKBOOK_CELLS;
use crate::names::shown;
use crate::source::SourceFile;

use members::{Kind, check_members};
use ods_count::ods_cells;
use references::xlsx_references;
pub(crate) use sheets::Sheets;
use sheets::{Budget, ods_sheets, xlsx_sheets};

/// Every sheet of a workbook (its name and rows, each with its 1-based line), and the text of a `Notes` sheet (shown to
/// the user as warnings).
pub(crate) fn sheets(
    source: &SourceFile,
    at: &impl Fn(u64, &str, String) -> Problem,
) -> Result<(Sheets, Vec<String>), Problem> {
    let kind = check_members(&source.bytes).map_err(|m| at(1, "file", m))?;
    let mut budget = Budget { left: MAX_WORKBOOK_CELLS };
    let sheets = match kind {
        Kind::Xlsx => {
            xlsx_references(&source.bytes).map_err(|m| at(1, "file", m))?;
            xlsx_sheets(source, &mut budget)
        }
        Kind::Ods => {
            ods_cells(&source.bytes).map_err(|m| at(1, "file", m))?;
            ods_sheets(source, &mut budget)
        }
    }
    .map_err(|m| at(1, "file", m))?;
    let mut notes = Vec::new();
    for (sheet, raw) in &sheets {
        if sheet.trim().eq_ignore_ascii_case("notes") {
            // Ofsted's notes sheets are a table of (note number, note text).
            for (_, cells) in raw {
                if let (Some(number), Some(text)) = (cells.get(0), cells.get(1))
                    && number.parse::<u32>().is_ok()
                    && !text.is_empty()
                {
                    notes.push(format!(
                        "{}: {} sheet, note {number}: {text}",
                        shown(&source.recorded_name()),
                        shown(sheet)
                    ));
                }
            }
        }
    }
    Ok((sheets, notes))
}
