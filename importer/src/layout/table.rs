//! The read stage: a file's bytes as tables (CSV text, or the sheets of a workbook via `crate::workbook`), each with
//! its header found within its first rows.

use csv::StringRecord;

use crate::error::Problem;
use crate::source::SourceFile;

use super::detect::{detect, normalise_header};

/// A table read from a file: its header (normalised) and data rows with their line numbers.
#[derive(Debug, Clone)]
pub struct Table {
    /// How problems name the table: the file, and the sheet of a workbook.
    pub name: String,
    /// Line of the header row.
    pub header_line: u64,
    /// The header, normalised.
    pub header: Vec<String>,
    /// The data rows, each with its line (or spreadsheet row) number. A `StringRecord` keeps a row's cells in one
    /// buffer: a million rows as a `String` per cell took twice the memory, and zeroing it was a third of parsing.
    pub rows: Vec<(u64, StringRecord)>,
}

/// How many rows above the header a published file may have (Ofsted's sheets have four text rows).
pub(super) const HEADER_SEARCH_ROWS: usize = 12;

/// Splits raw rows into a table: the header is the first row (within the first few) that matches a layout; when none
/// does, the first row.
fn into_table(name: String, raw: Vec<(u64, StringRecord)>) -> Table {
    let header_at = raw.iter().take(HEADER_SEARCH_ROWS).position(|(_, cells)| {
        let header: Vec<String> = cells.iter().map(normalise_header).collect();
        detect(&header).is_some()
    });
    let mut rows = raw;
    let at = header_at.unwrap_or(0).min(rows.len());
    let mut rest = rows.split_off(at);
    let (header_line, header) = if rest.is_empty() {
        (1, Vec::new())
    } else {
        let (line, cells) = rest.remove(0);
        (line, cells.iter().map(normalise_header).collect())
    };
    Table { name, header_line, header, rows: rest }
}

/// A workbook's sheets as tables (see `crate::workbook`), each named by the file and its sheet, and the text of its
/// `Notes` sheet.
pub(super) fn workbook_tables(
    source: &SourceFile,
    at: &impl Fn(u64, &str, String) -> Problem,
) -> Result<(Vec<Table>, Vec<String>), Problem> {
    let (sheets, notes) = crate::workbook::sheets(source, at)?;
    let tables = sheets.into_iter().map(|(sheet, raw)| into_table(format!("{} [sheet {sheet}]", source.name), raw));
    Ok((tables.collect(), notes))
}

/// What a file's bytes are.
pub(super) enum Content<'a> {
    /// Text: a CSV.
    Text(&'a str),
    /// A zip container: an ODS or XLSX workbook.
    Workbook,
}

pub(super) fn content<'a>(
    source: &'a SourceFile,
    at: &impl Fn(u64, &str, String) -> Problem,
) -> Result<Content<'a>, Problem> {
    let bytes = &source.bytes;
    if bytes.starts_with(b"PK\x03\x04") {
        return Ok(Content::Workbook);
    }
    if bytes.starts_with(b"%PDF") {
        return Err(at(1, "file", "expected a CSV, ODS or XLSX data file, found a PDF document".to_owned()));
    }
    if bytes.starts_with(&[0xd0, 0xcf, 0x11, 0xe0]) {
        return Err(at(
            1,
            "file",
            "expected a CSV, ODS or XLSX data file, found a legacy Excel .xls workbook (save it as .xlsx or .ods)"
                .to_owned(),
        ));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        at(
            1,
            "file",
            format!(
                "expected a CSV (UTF-8 text), ODS or XLSX data file, found binary content (invalid UTF-8 at byte {})",
                e.valid_up_to()
            ),
        )
    })?;
    // `layout::read` gives pages to the summary reader first; a page reaching here is read as a table by mistake.
    if is_html(bytes) {
        return Err(at(
            1,
            "file",
            "expected a data file, found an HTML page (the address is probably a web page that links to the file)"
                .to_owned(),
        ));
    }
    Ok(Content::Text(text))
}

/// Whether `bytes` are an HTML page (the Data to Insight summary is one; no data file is): they start, after a
/// byte-order mark and white space, with `<!doctype html` or `<html`, in any case.
pub(crate) fn is_html(bytes: &[u8]) -> bool {
    // The first kilobyte is enough to see past any white space, and never copies a large file.
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(1024)]);
    let start: String = text.trim_start_matches('\u{feff}').trim_start().chars().take(14).collect();
    let start = start.to_ascii_lowercase();
    start.starts_with("<!doctype html") || start.starts_with("<html")
}

/// Line numbers of records, from their byte offsets. The csv crate's own `Position::line` is wrong after a CRLF
/// terminator (rust-csv issue 395: Data to Insight's files end their lines so) and after blank lines, and its byte
/// offset may point at the line break before a record: counting the line breaks before the record's first byte gives
/// the line a reader of the file sees.
struct Lines<'a> {
    bytes: &'a [u8],
    /// The offset counted up to, and the line it is on.
    at: usize,
    line: u64,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Self {
        Self { bytes: text.as_bytes(), at: 0, line: 1 }
    }

    /// The line of the record the csv crate places at byte `offset` (offsets only grow).
    fn of(&mut self, offset: u64) -> u64 {
        let mut start = usize::try_from(offset).unwrap_or(usize::MAX).clamp(self.at, self.bytes.len());
        while matches!(self.bytes.get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        self.line += self.bytes[self.at..start].iter().filter(|&&b| b == b'\n').count() as u64;
        self.at = start;
        self.line
    }
}

pub(super) fn csv_table(name: &str, text: &str, at: &impl Fn(u64, &str, String) -> Problem) -> Result<Table, Problem> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut lines = Lines::new(text);
    let mut raw = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            at(
                e.position().map_or(0, |p| lines.of(p.byte())),
                "row",
                format!("expected a CSV record, found unreadable text ({e})"),
            )
        })?;
        let line = record.position().map_or(0, |p| lines.of(p.byte()));
        raw.push((line, record));
    }
    Ok(into_table(name.to_owned(), raw))
}

#[cfg(test)]
mod tests {
    use super::csv_table;
    use crate::error::Problem;

    fn lines(text: &str) -> Vec<(u64, Vec<String>)> {
        let at =
            |line, column: &str, message| Problem { file: String::new(), line, column: column.to_owned(), message };
        let table = csv_table("t.csv", text, &at).expect("a table");
        let header = (table.header_line, table.header);
        std::iter::once(header)
            .chain(table.rows.into_iter().map(|(line, r)| (line, r.iter().map(str::to_owned).collect())))
            .collect()
    }

    #[test]
    fn records_are_numbered_by_the_lines_a_reader_sees() {
        let expected = |t: &str| {
            vec![
                (1, vec!["a".to_owned(), "b".to_owned()]),
                (2, vec!["1".to_owned(), format!("x{t}y")]),
                (5, vec!["3".to_owned(), "4".to_owned()]),
                (6, vec!["5".to_owned(), "6".to_owned()]),
            ]
        };
        // Line feeds, CRLF (Data to Insight's files), blank lines and a quoted cell over two lines.
        assert_eq!(lines("a,b\n1,\"x\ny\"\n\n3,4\n5,6\n"), expected("\n"));
        assert_eq!(lines("a,b\r\n1,\"x\r\ny\"\r\n\r\n3,4\r\n5,6"), expected("\r\n"));
    }
}
