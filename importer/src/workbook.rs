//! ODS and XLSX workbooks as tables, read within the limits of [`crate::limits`].
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

use std::collections::BTreeSet;
use std::io::{BufReader, Cursor, Read};

use chrono::NaiveDate;
use csv::StringRecord;

use crate::error::Problem;
use crate::layout::{Table, into_table};
use crate::limits::{MAX_WORKBOOK_CELLS, MAX_WORKBOOK_ENTRIES, MAX_WORKBOOK_INFLATED_BYTES};
use crate::names::shown;
use crate::source::SourceFile;

/// The kinds of workbook read: both are zip files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Ods,
    Xlsx,
}

/// Every sheet of a workbook as a table, and the text of a `Notes` sheet (shown to the user as warnings).
pub(crate) fn tables(
    source: &SourceFile,
    at: &impl Fn(u64, &str, String) -> Problem,
) -> Result<(Vec<Table>, Vec<String>), Problem> {
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
    let mut tables = Vec::new();
    let mut notes = Vec::new();
    for (sheet, raw) in sheets {
        if sheet.trim().eq_ignore_ascii_case("notes") {
            // Ofsted's notes sheets are a table of (note number, note text).
            for (_, cells) in &raw {
                if let (Some(number), Some(text)) = (cells.get(0), cells.get(1))
                    && number.parse::<u32>().is_ok()
                    && !text.is_empty()
                {
                    notes.push(format!(
                        "{}: {} sheet, note {number}: {text}",
                        shown(&source.recorded_name()),
                        shown(&sheet)
                    ));
                }
            }
        }
        tables.push(into_table(format!("{} [sheet {sheet}]", source.name), raw));
    }
    Ok((tables, notes))
}

/// Inflates every member of the workbook's zip through a counting reader, refusing a zip of more than
/// [`MAX_WORKBOOK_ENTRIES`] members or whose members inflate to more than [`MAX_WORKBOOK_INFLATED_BYTES`] in all;
/// tells an ODS from an XLSX by the members it holds.
fn check_members(bytes: &[u8]) -> Result<Kind, String> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| format!("expected an ODS or XLSX workbook, found a zip file that cannot be read ({e})"))?;
    if archive.len() > MAX_WORKBOOK_ENTRIES {
        return Err(format!(
            "expected a workbook of at most {MAX_WORKBOOK_ENTRIES} zip members, found {}",
            archive.len()
        ));
    }
    let mut total: u64 = 0;
    let mut kind = None;
    for i in 0..archive.len() {
        let mut member = archive
            .by_index(i)
            .map_err(|e| format!("expected a readable workbook, found a zip member that cannot be read ({e})"))?;
        let name = member.name().map(|n| n.into_owned()).unwrap_or_default();
        match name.as_str() {
            "content.xml" => kind = kind.or(Some(Kind::Ods)),
            "xl/workbook.xml" => kind = Some(Kind::Xlsx),
            "xl/workbook.bin" => {
                return Err(
                    "expected an ODS or XLSX workbook, found an XLSB workbook (save it as .xlsx or .ods)".to_owned()
                );
            }
            _ => {}
        }
        // Read one byte past what is left: a member that reaches it is over the limit, whatever it declares.
        let left = MAX_WORKBOOK_INFLATED_BYTES - total;
        let inflated = std::io::copy(&mut (&mut member).take(left + 1), &mut std::io::sink()).map_err(|e| {
            format!("expected a readable workbook, found a zip member {:?} that cannot be inflated ({e})", shown(&name))
        })?;
        total += inflated;
        if total > MAX_WORKBOOK_INFLATED_BYTES {
            return Err(format!(
                "expected a workbook whose zip members inflate to at most {MAX_WORKBOOK_INFLATED_BYTES} bytes in all, \
                 found more (member {:?} reaches the limit)",
                shown(&name)
            ));
        }
    }
    kind.ok_or_else(|| {
        "expected an ODS or XLSX workbook, found a zip file of neither (no content.xml or xl/workbook.xml)".to_owned()
    })
}

/// The column's name as a spreadsheet writes it (0 is `A`, 16383 is `XFD`).
fn column_name(column: u32) -> String {
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
type Sheets = Vec<(String, Vec<(u64, StringRecord)>)>;

/// The cells a workbook may still hold ([`MAX_WORKBOOK_CELLS`] for the whole workbook).
struct Budget {
    left: u64,
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

/// Every sheet of an XLSX, read cell by cell.
fn xlsx_sheets(source: &SourceFile, budget: &mut Budget) -> Result<Sheets, String> {
    use calamine::Reader;
    let mut workbook: calamine::Xlsx<_> = calamine::Xlsx::new(Cursor::new(source.bytes.as_slice()))
        .map_err(|e| format!("expected an XLSX workbook, found a zip file calamine cannot read as one ({e})"))?;
    let mut sheets = Vec::new();
    for sheet in workbook.sheet_names().clone() {
        let unreadable =
            |e: calamine::XlsxError| format!("expected a readable sheet {:?}, found an error ({e})", shown(&sheet));
        let mut cells = SheetCells::new(&sheet);
        match workbook.worksheet_cells_reader(&sheet) {
            Ok(mut reader) => {
                while let Some(cell) = reader.next_cell().map_err(unreadable)? {
                    let value = calamine::Data::from(cell.get_value().clone());
                    if value != calamine::Data::Empty {
                        let (row, column) = cell.get_position();
                        cells.push(budget, row, column, &value)?;
                    }
                }
            }
            // A chart sheet or a dialog sheet holds no cells (calamine's range was empty for it).
            Err(calamine::XlsxError::NotAWorksheet(_)) => {}
            Err(e) => return Err(unreadable(e)),
        }
        let rows = cells.rows(budget)?;
        sheets.push((sheet, rows));
    }
    Ok(sheets)
}

/// Every sheet of an ODS (whose cells [`ods_cells`] has counted).
fn ods_sheets(source: &SourceFile, budget: &mut Budget) -> Result<Sheets, String> {
    use calamine::Reader;
    let mut workbook: calamine::Ods<_> = calamine::Ods::new(Cursor::new(source.bytes.as_slice()))
        .map_err(|e| format!("expected an ODS workbook, found a zip file calamine cannot read as one ({e})"))?;
    let mut sheets = Vec::new();
    for sheet in workbook.sheet_names().clone() {
        let range = workbook
            .worksheet_range(&sheet)
            .map_err(|e| format!("expected a readable sheet {:?}, found an error ({e})", shown(&sheet)))?;
        let (top, left) = range.start().unwrap_or_default();
        let mut cells = SheetCells::new(&sheet);
        for (row, column, value) in range.used_cells() {
            cells.push(budget, top + row as u32, left + column as u32, value)?;
        }
        let rows = cells.rows(budget)?;
        sheets.push((sheet, rows));
    }
    Ok(sheets)
}

/// calamine's largest sheet (rows and columns): it caps repeats there, and so does the count.
const ODS_MAX_ROWS: u64 = 1_048_576;
const ODS_MAX_COLUMNS: u64 = 16_384;

/// One `table:table-row` of an ODS as calamine reads it: the cells it holds for the row (before repeating it),
/// and where its first and last non-empty cells are.
#[derive(Default)]
struct OdsRow {
    repeats: u64,
    held: u64,
    pending_empty: u64,
    first: Option<u64>,
    last: u64,
}

impl OdsRow {
    /// One cell, repeated `repeats` times: calamine holds the empty cells before a non-empty one, and each repeat
    /// of a non-empty one, up to its last column.
    fn cell(&mut self, repeats: u64, non_empty: bool) {
        self.held += self.pending_empty.min(ODS_MAX_COLUMNS.saturating_sub(self.held));
        self.pending_empty = 0;
        let repeats = repeats.min(ODS_MAX_COLUMNS.saturating_sub(self.held));
        if non_empty && repeats > 0 {
            self.first.get_or_insert(self.held);
            self.held += repeats;
            self.last = self.held - 1;
        } else if !non_empty {
            self.pending_empty = repeats;
        }
    }
}

/// One `table:table` of an ODS, as calamine reads it on opening the file: the rows it reads, then the rectangle
/// from the first to the last non-empty row (each row repeated), between the first and last non-empty columns.
#[derive(Default)]
struct OdsTable {
    name: String,
    rows: u64,
    held: u64,
    span: u64,
    empty_rows_since: u64,
    first: Option<u64>,
    last: u64,
}

impl OdsTable {
    fn row(&mut self, row: &OdsRow) {
        let repeats = row.repeats.min(ODS_MAX_ROWS.saturating_sub(self.rows));
        self.rows += repeats;
        self.held += row.held;
        match row.first {
            Some(first) => {
                self.span += if self.first.is_some() { self.empty_rows_since + repeats } else { repeats };
                self.empty_rows_since = 0;
                self.first = Some(self.first.map_or(first, |f| f.min(first)));
                self.last = self.last.max(row.last);
            }
            None if self.first.is_some() => self.empty_rows_since += repeats,
            None => {}
        }
    }

    /// The cells calamine holds for the table: its rows as read, and the rectangle it builds of them.
    fn cells(&self) -> u64 {
        let width = self.first.map_or(0, |first| self.last + 1 - first);
        self.held.saturating_add(self.span.saturating_mul(width))
    }
}

/// Reads an ODS's `content.xml` as a stream, counting the cells calamine holds when it opens the file (for every
/// sheet at once), and refuses the workbook when they are more than [`MAX_WORKBOOK_CELLS`]. What is counted
/// follows calamine's ODS reader (0.38): a row's cells up to its last non-empty one, repeats expanded; then each
/// sheet's rectangle of rows from the first to the last non-empty one, repeated rows expanded. A cell is counted
/// as non-empty when it has any value or type attribute or a formula (at least what calamine holds).
fn ods_cells(bytes: &[u8]) -> Result<(), String> {
    use quick_xml::events::Event;
    let unreadable =
        |e: &dyn std::fmt::Display| format!("expected an ODS workbook, found unreadable content.xml ({e})");
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| unreadable(&e))?;
    let content = archive.by_name("content.xml").map_err(|e| unreadable(&e))?;
    let mut reader = quick_xml::Reader::from_reader(BufReader::new(content));
    let mut buf = Vec::new();
    let mut counted: u64 = 0;
    let mut table: Option<OdsTable> = None;
    let mut row: Option<OdsRow> = None;
    // Inside a cell, its content (paragraphs, annotations) is skipped.
    let mut cell_depth = 0_usize;
    loop {
        let event = reader.read_event_into(&mut buf).map_err(|e| unreadable(&e))?;
        let (start, is_empty) = match &event {
            Event::Start(e) => (Some(e), false),
            Event::Empty(e) => (Some(e), true),
            _ => (None, false),
        };
        if cell_depth > 0 {
            match event {
                Event::Start(_) => cell_depth += 1,
                Event::End(_) => cell_depth -= 1,
                Event::Eof => break,
                _ => {}
            }
            buf.clear();
            continue;
        }
        if let Some(e) = start {
            match e.name().as_ref() {
                "table:table" if !is_empty => {
                    let name = attribute(e, "table:name").unwrap_or_default();
                    table = Some(OdsTable { name, ..Default::default() });
                }
                "table:table-row" if table.is_some() => {
                    let repeats = number(e, "table:number-rows-repeated")?;
                    let new = OdsRow { repeats, ..Default::default() };
                    if is_empty {
                        if let Some(t) = table.as_mut() {
                            t.row(&new);
                        }
                    } else {
                        row = Some(new);
                    }
                }
                "table:table-cell" | "table:covered-table-cell" if row.is_some() => {
                    let repeats = number(e, "table:number-columns-repeated")?;
                    let non_empty = e.attributes().flatten().any(|a| {
                        matches!(
                            a.key.as_ref(),
                            "office:value"
                                | "office:string-value"
                                | "office:date-value"
                                | "office:time-value"
                                | "office:boolean-value"
                                | "office:value-type"
                                | "table:formula"
                        )
                    });
                    if let Some(r) = row.as_mut() {
                        r.cell(repeats, non_empty);
                    }
                    if !is_empty {
                        cell_depth = 1;
                    }
                }
                _ => {}
            }
        }
        match event {
            Event::End(e) if e.name().as_ref() == "table:table-row" => {
                if let (Some(t), Some(r)) = (table.as_mut(), row.take()) {
                    t.row(&r);
                    if counted.saturating_add(t.cells()) > MAX_WORKBOOK_CELLS {
                        return Err(format!(
                            "expected a workbook whose sheets hold at most {MAX_WORKBOOK_CELLS} cells, found more \
                             (sheet {:?} reaches row {}, column {})",
                            shown(&t.name),
                            t.rows,
                            column_name(u32::try_from(t.last.max(r.held.saturating_sub(1))).unwrap_or(u32::MAX))
                        ));
                    }
                }
            }
            Event::End(e) if e.name().as_ref() == "table:table" => {
                if let Some(t) = table.take() {
                    counted = counted.saturating_add(t.cells());
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    Ok(())
}

/// The largest sheet a spreadsheet holds: columns `A` to `XFD`, rows 1 to 1 048 576.
const GRID_COLUMNS: u64 = 16_384;
const GRID_ROWS: u64 = 1_048_576;

/// Reads every XML member of an XLSX under `xl/` as a stream and refuses the workbook when a cell reference in it (an
/// attribute `r`, or `ref` of one cell or a range `A1:B2`) lies outside the grid of [`GRID_COLUMNS`] by
/// [`GRID_ROWS`]. Only references of the form calamine parses (letters, then digits) are judged; any other text is
/// left for calamine to refuse.
fn xlsx_references(bytes: &[u8]) -> Result<(), String> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| format!("expected an XLSX workbook, found a zip file that cannot be read ({e})"))?;
    for i in 0..archive.len() {
        let mut member = archive
            .by_index(i)
            .map_err(|e| format!("expected a readable workbook, found a zip member that cannot be read ({e})"))?;
        let name = member.name().map(|n| n.into_owned()).unwrap_or_default();
        if !(name.starts_with("xl/") && name.ends_with(".xml")) {
            continue;
        }
        // Within the inflated bytes `check_members` allowed.
        let mut text = Vec::new();
        member.read_to_end(&mut text).map_err(|e| {
            format!("expected a readable workbook, found a zip member {:?} that cannot be inflated ({e})", shown(&name))
        })?;
        if let Some(value) =
            attribute_values(&text, &["r", "ref"]).find(|v| v.split(':').any(|part| !within_grid(part)))
        {
            return Err(format!(
                "expected cell references within A1:XFD{GRID_ROWS}, found {:?} in member {:?}",
                shown(&value),
                shown(&name)
            ));
        }
    }
    Ok(())
}

/// The values of every attribute named one of `names` (by local name; `xmlns:` declarations excepted) in XML text,
/// found by a scan of the bytes rather than a parse: an XML error earlier in a member stops a parser, while calamine's
/// reader may still go on to read the attribute (the fuzzer found such a member), so every `name="value"` (or
/// `'value'`, spaces around `=` allowed) is judged wherever it is.
fn attribute_values<'a>(text: &'a [u8], names: &'a [&str]) -> impl Iterator<Item = String> + 'a {
    let is_name = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b':' | b'.' | b'-');
    text.iter().enumerate().filter(|(_, b)| **b == b'=').filter_map(move |(at, _)| {
        // The name before `=`.
        let mut end = at;
        while end > 0 && text[end - 1].is_ascii_whitespace() {
            end -= 1;
        }
        let mut start = end;
        while start > 0 && is_name(text[start - 1]) {
            start -= 1;
        }
        let qualified = std::str::from_utf8(&text[start..end]).ok()?;
        if qualified.starts_with("xmlns") {
            return None;
        }
        let local = qualified.rsplit(':').next().unwrap_or(qualified);
        if !names.contains(&local) {
            return None;
        }
        // The quoted value after it.
        let mut open = at + 1;
        while open < text.len() && text[open].is_ascii_whitespace() {
            open += 1;
        }
        let quote = *text.get(open).filter(|q| matches!(q, b'"' | b'\''))?;
        let close = text[open + 1..].iter().position(|b| *b == quote)? + open + 1;
        Some(String::from_utf8_lossy(&text[open + 1..close]).into_owned())
    })
}

/// Whether a reference is safe to give calamine and, when it is a whole reference (letters then digits: `XFD1048576`,
/// a row `12`, a column `AB`), lies within the grid. calamine adds up the leading run of letters and the run of digits
/// after it in a `u32` whatever follows them (`AAAAAAAAA` then a NUL overflowed in the fuzzer), so those runs are
/// judged in every value; other text after them is calamine's to refuse.
fn within_grid(reference: &str) -> bool {
    let bytes = reference.as_bytes();
    let letters = bytes.iter().take_while(|b| b.is_ascii_alphabetic()).count();
    let digits = bytes[letters..].iter().take_while(|b| b.is_ascii_digit()).count();
    let column = bytes[..letters]
        .iter()
        .fold(0_u64, |n, b| n.saturating_mul(26).saturating_add(u64::from(b.to_ascii_uppercase() - b'A') + 1));
    let row = bytes[letters..letters + digits]
        .iter()
        .fold(0_u64, |n, b| n.saturating_mul(10).saturating_add(u64::from(b - b'0')));
    // Each run only grows as it is read, so a total within a u32 never overflowed on the way.
    if column > u64::from(u32::MAX) || row > u64::from(u32::MAX) {
        return false;
    }
    letters + digits < bytes.len() || (column <= GRID_COLUMNS && row <= GRID_ROWS)
}

/// An attribute's text.
fn attribute(e: &quick_xml::events::BytesStart<'_>, key: &str) -> Option<String> {
    e.attributes().flatten().find(|a| a.key.as_ref() == key).map(|a| a.value.into_owned())
}

/// A repeat count (1 when absent).
fn number(e: &quick_xml::events::BytesStart<'_>, key: &str) -> Result<u64, String> {
    match attribute(e, key) {
        None => Ok(1),
        Some(text) => text.trim().parse().map_err(|_| format!("expected a whole number in {}, found {text:?}", key)),
    }
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
    fn attributes_are_found_by_local_name_whatever_comes_before() {
        let xml = br#"<a x:r = 'A1' ref="B2:C3"/><bad&x/><c r="D4" xmlns:r="urn:x" rr="E5" r:id="F6">"#;
        let found: Vec<String> = super::attribute_values(xml, &["r", "ref"]).collect();
        assert_eq!(found, ["A1", "B2:C3", "D4"]);
    }

    #[test]
    fn references_are_judged_against_the_grid() {
        for inside in ["A1", "XFD1048576", "a1", "1048576", "XFD", "", "$A$1", "A1B", "Sheet1!A1"] {
            assert!(super::within_grid(inside), "{inside}");
        }
        for outside in [
            "XFE1",
            "A1048577",
            "AAAAAAAAAAAAAAAA1",
            "A99999999999999999999",
            "4294967297",
            "AAAAAAAAA\0\0\0\rAAA1",
            "A99999999999!x",
        ] {
            assert!(!super::within_grid(outside), "{outside}");
        }
    }

    #[test]
    fn columns_are_named_as_spreadsheets_do() {
        assert_eq!(column_name(0), "A");
        assert_eq!(column_name(25), "Z");
        assert_eq!(column_name(26), "AA");
        assert_eq!(column_name(16_383), "XFD");
    }
}
