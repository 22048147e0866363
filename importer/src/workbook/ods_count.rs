//! An ODS's cells counted before calamine opens it: calamine's ODS reader expands repeated rows and cells for every
//! sheet when the file is opened, so `content.xml` is first read as a stream counting the cells it would hold.

use std::io::{BufReader, Cursor};

use crate::limits::MAX_WORKBOOK_CELLS;
use crate::names::shown;

use super::sheets::column_name;

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
pub(super) fn ods_cells(bytes: &[u8]) -> Result<(), String> {
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
