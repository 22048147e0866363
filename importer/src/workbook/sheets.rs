//! A workbook's sheets as rows, every cell held counted against one budget for the whole workbook: an XLSX sheet
//! streamed cell by cell (never `worksheet_range`, whose dense rectangle may be billions of cells), an ODS sheet through
//! calamine's range once its cells are counted (see `ods_count`); each cell as text.

use std::collections::BTreeSet;
use std::io::Cursor;

use chrono::NaiveDate;
use csv::StringRecord;

use crate::limits::MAX_WORKBOOK_CELLS;
use crate::names::shown;
use crate::source::SourceFile;

/// The column's name as a spreadsheet writes it (0 is `A`, 16383 is `XFD`).
pub(super) fn column_name(column: u32) -> String {
    let mut letters = Vec::new();
    let mut n = u64::from(column) + 1;
    while n > 0 {
        n -= 1;
        letters.push(char::from(b'A' + (n % 26) as u8));
        n /= 26;
    }
    letters.iter().rev().collect()
}

/// Each sheet's name and its rows (each with its 1-based line).
pub(crate) type Sheets = Vec<(String, Vec<(u64, StringRecord)>)>;

/// The cells a workbook may still hold ([`MAX_WORKBOOK_CELLS`] for the whole workbook).
pub(super) struct Budget {
    pub(super) left: u64,
}

impl Budget {
    /// Takes `cells` from the budget, or says what was found past it (`sheet`, reaching `row`, `column`, 0-based).
    fn take(&mut self, cells: u64, sheet: &str, row: u64, column: u32) -> Result<(), String> {
        if cells > self.left {
            return Err(format!(
                "expected a workbook whose sheets hold at most {MAX_WORKBOOK_CELLS} cells, found more (sheet {:?} \
                 reaches row {}, column {})",
                shown(sheet),
                row + 1,
                column_name(column)
            ));
        }
        self.left -= cells;
        Ok(())
    }
}

/// The cells present in one sheet, by position, held until the sheet is read; then its rows.
struct SheetCells<'a> {
    sheet: &'a str,
    cells: Vec<(u32, u32, String)>,
}

impl<'a> SheetCells<'a> {
    fn new(sheet: &'a str) -> Self {
        Self { sheet, cells: Vec::new() }
    }

    /// Holds one non-empty cell (0-based row and column), within the budget.
    fn push(&mut self, budget: &mut Budget, row: u32, column: u32, cell: &calamine::Data) -> Result<(), String> {
        budget.take(1, self.sheet, u64::from(row), column)?;
        self.cells.push((row, column, cell_text(cell)));
        Ok(())
    }

    /// The rows holding a cell, each with its 1-based line and a cell for every column between the sheet's first
    /// and last (the gaps taken from the budget).
    fn rows(mut self, budget: &mut Budget) -> Result<Vec<(u64, StringRecord)>, String> {
        // Stable: a position given twice keeps the later cell, as calamine's range did.
        self.cells.sort_by_key(|&(row, column, _)| (row, column));
        let (Some(first), Some(last)) = (self.cells.iter().map(|c| c.1).min(), self.cells.iter().map(|c| c.1).max())
        else {
            return Ok(Vec::new());
        };
        let width = u64::from(last - first) + 1;
        let held: BTreeSet<u32> = self.cells.iter().map(|c| c.0).collect();
        let present = self.cells.len() as u64;
        let last_row = held.last().copied().unwrap_or_default();
        // The cells already taken are part of the rows' cells.
        budget.take((held.len() as u64 * width).saturating_sub(present), self.sheet, u64::from(last_row), last)?;
        let mut rows = Vec::with_capacity(held.len());
        let mut cells = self.cells.into_iter().peekable();
        while let Some(&(row, _, _)) = cells.peek() {
            let mut texts: Vec<String> = Vec::new();
            while let Some((_, column, text)) = cells.next_if(|c| c.0 == row) {
                let at = (column - first) as usize;
                texts.resize(at, String::new());
                texts.truncate(at);
                texts.push(text);
            }
            texts.resize(width as usize, String::new());
            rows.push((u64::from(row) + 1, StringRecord::from(texts)));
        }
        Ok(rows)
    }
}

/// Opens a workbook of `kind` (`XLSX`, `ODS`) with calamine's reader `W`.
fn open<'a, W>(source: &'a SourceFile, kind: &str) -> Result<W, String>
where
    W: calamine::Reader<Cursor<&'a [u8]>>,
    W::Error: std::fmt::Display,
{
    W::new(Cursor::new(source.bytes.as_slice()))
        .map_err(|e| format!("expected an {kind} workbook, found a zip file calamine cannot read as one ({e})"))
}

/// What a sheet calamine cannot read is reported as.
fn unreadable(sheet: &str, e: impl std::fmt::Display) -> String {
    format!("expected a readable sheet {:?}, found an error ({e})", shown(sheet))
}

/// Every sheet of `workbook`, in order, each sheet's cells held by `read` and then made rows, all within `budget`.
fn each_sheet<W, RS>(
    workbook: &mut W,
    budget: &mut Budget,
    mut read: impl FnMut(&mut W, &mut SheetCells<'_>, &mut Budget) -> Result<(), String>,
) -> Result<Sheets, String>
where
    RS: std::io::Read + std::io::Seek,
    W: calamine::Reader<RS>,
{
    let mut sheets = Vec::new();
    for sheet in workbook.sheet_names().clone() {
        let mut cells = SheetCells::new(&sheet);
        read(workbook, &mut cells, budget)?;
        let rows = cells.rows(budget)?;
        sheets.push((sheet, rows));
    }
    Ok(sheets)
}

/// Every sheet of an XLSX, read cell by cell.
pub(super) fn xlsx_sheets(source: &SourceFile, budget: &mut Budget) -> Result<Sheets, String> {
    let mut workbook: calamine::Xlsx<_> = open(source, "XLSX")?;
    each_sheet(&mut workbook, budget, |workbook, cells, budget| {
        match workbook.worksheet_cells_reader(cells.sheet) {
            Ok(mut reader) => {
                while let Some(cell) = reader.next_cell().map_err(|e| unreadable(cells.sheet, e))? {
                    let value = calamine::Data::from(cell.get_value().clone());
                    if value != calamine::Data::Empty {
                        let (row, column) = cell.get_position();
                        cells.push(budget, row, column, &value)?;
                    }
                }
                Ok(())
            }
            // A chart sheet or a dialog sheet holds no cells (calamine's range was empty for it).
            Err(calamine::XlsxError::NotAWorksheet(_)) => Ok(()),
            Err(e) => Err(unreadable(cells.sheet, e)),
        }
    })
}

/// Every sheet of an ODS (whose cells [`ods_cells`](super::ods_count::ods_cells) has counted).
pub(super) fn ods_sheets(source: &SourceFile, budget: &mut Budget) -> Result<Sheets, String> {
    use calamine::Reader;
    let mut workbook: calamine::Ods<_> = open(source, "ODS")?;
    each_sheet(&mut workbook, budget, |workbook, cells, budget| {
        let range = workbook.worksheet_range(cells.sheet).map_err(|e| unreadable(cells.sheet, e))?;
        let (top, left) = range.start().unwrap_or_default();
        for (row, column, value) in range.used_cells() {
            cells.push(budget, top + row as u32, left + column as u32, value)?;
        }
        Ok(())
    })
}

/// A spreadsheet cell as text: dates as ISO `yyyy-mm-dd`, whole numbers without a decimal point.
fn cell_text(cell: &calamine::Data) -> String {
    use calamine::Data;
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_owned(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTimeIso(s) => s.get(..10).unwrap_or(s).to_owned(),
        Data::DurationIso(s) => s.clone(),
        Data::DateTime(d) => {
            // Excel serial date: days since 1899-12-30.
            let days = d.as_f64().floor() as i64;
            NaiveDate::from_ymd_opt(1899, 12, 30)
                .and_then(|base| base.checked_add_signed(chrono::Duration::days(days)))
                .map_or_else(|| d.as_f64().to_string(), |date| send_model::domain::IsoDay(date).to_string())
        }
        Data::Error(e) => format!("#ERROR {e:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_named_as_spreadsheets_do() {
        assert_eq!(column_name(0), "A");
        assert_eq!(column_name(25), "Z");
        assert_eq!(column_name(26), "AA");
        assert_eq!(column_name(16_383), "XFD");
    }
}
