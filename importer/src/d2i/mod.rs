//! The Data to Insight weekly summary page (issue 15): the HTML table, one row per local authority holding its latest
//! 2023-framework full inspection, that local authority data teams use. This module only reads it into typed rows;
//! it writes nothing.
//!
//! Columns are read by header name (surrounding space, case and runs of space ignored), in any order. The required
//! columns are those every snapshot since 2024 has ([`REQUIRED`]); the others ([`OPTIONAL`]) may be absent (the
//! 2024 snapshots have no `Previous Inspection Date`). Unknown columns are ignored and listed in
//! [`Summary::unknown_columns`], for the caller to report as a warning.
//!
//! The whole page is refused (one [`Problem`]) when it is over [`MAX_SUMMARY_BYTES`], has no table, has a table
//! whose header lacks a required column, is truncated (a table, row or cell not closed; a row with fewer or more
//! cells than the header), has more than [`MAX_SUMMARY_ROWS`] rows or [`MAX_SUMMARY_CELLS`] cells, or does not state its
//! time. A bad value in a row
//! is a row problem in [`Summary::problems`]: the field is `None` (or the row left out, when it is the URN, DfE
//! code or name that identify it), and the other rows are read.
//!
//! The page's quirks, all real: `01/01/1900` means no date; `NaN` or an empty cell means unknown; dates are
//! `dd/mm/yyyy` or `dd/mm/yy` (`yy` is 20yy); the grade is `1.0`/`2.0`/`3.0` (`1`/`2`/`3` in 2024); the outcome
//! sentence may be "Inspection outcome section not found."; the next-inspection date may be a sentence saying it was
//! not found.

mod html;
#[cfg(test)]
mod tests;

use chrono::{NaiveDate, NaiveDateTime};
use send_model::domain::{DfeCode, GssCode, GssKind, OfstedUrn, Outcome};

use crate::error::Problem;
use crate::limits::{MAX_SUMMARY_BYTES, MAX_SUMMARY_CELLS, MAX_SUMMARY_ROWS};
use crate::outcome_phrases::{FULL_INSPECTION, first_stated};

/// A snapshot of the summary page, read.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// The page's own time ("Summary data last updated: dd mm yyyy HH:MM").
    pub taken_at: NaiveDateTime,
    /// The rows that could be read, in page order.
    pub rows: Vec<SummaryRow>,
    /// Row-level problems (a value that does not parse, a grade the sentence contradicts, no outcome at all); none
    /// is fatal.
    pub problems: Vec<Problem>,
    /// Headers of columns the reader does not know, as written; they are ignored.
    pub unknown_columns: Vec<String>,
}

/// One row of the summary: a local authority's latest full inspection under the 2023 framework.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SummaryRow {
    /// 1-based line of the row's `<tr>` in the page.
    pub line: u64,
    /// 1-based number of the row in the table's body.
    pub row: usize,
    /// `URN`: Ofsted's provider URN of the local authority.
    pub urn: OfstedUrn,
    /// `La Code`: DfE's 3-digit code.
    pub la_code: DfeCode,
    /// `Region Code`: the tool's short region code (`YH`, `GL`, `E`, …), when given.
    pub region_code: Option<String>,
    /// `LTLA23CD`: the ONS GSS code of the authority, when given.
    pub ltla23cd: Option<GssCode>,
    /// `Local Authority`: the name as written (lower case, Ofsted's spelling: `bristol`).
    pub local_authority: String,
    /// `Previous Inspection Date` (absent in 2024 snapshots; `None` also for `01/01/1900`).
    pub previous_inspection: Option<NaiveDate>,
    /// `Inspection Start Date`: the front page's first day (not Ofsted's Monday of the on-site week).
    pub inspection_start: Option<NaiveDate>,
    /// `Inspection End Date`.
    pub inspection_end: Option<NaiveDate>,
    /// `Outcome Grade` (1, 2, 3) as the 2023 framework's full-inspection outcome; `None` for `NaN`.
    pub grade: Option<Outcome>,
    /// `Inspection Outcome Text`: the report's outcome sentence; `None` for "Inspection outcome section not found.".
    pub outcome_text: Option<String>,
    /// The outcome the sentence states, read from its wording; `None` without a sentence or when it states none.
    pub stated_outcome: Option<Outcome>,
    /// `Publication Date`.
    pub published: Option<NaiveDate>,
    /// `Next Inspection`, as written ("5 years", "18 months").
    pub next_inspection: Option<String>,
    /// `Next Inspection By Date`.
    pub next_inspection_by: Option<NaiveDate>,
    /// The `href` of `Inspection Link` (the report PDF, `https://files.ofsted.gov.uk/v1/file/N`).
    pub report_url: Option<String>,
}

impl SummaryRow {
    /// The row's outcome: the grade and the sentence when they agree, whichever is given when only one is, and
    /// `None` when they disagree or neither is given (both cases are row problems).
    pub fn outcome(&self) -> Option<Outcome> {
        match (self.grade, self.stated_outcome) {
            (Some(g), Some(s)) => (g == s).then_some(g),
            (g, s) => g.or(s),
        }
    }
}

/// A column of the summary the reader knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    Urn,
    LaCode,
    RegionCode,
    Ltla,
    LocalAuthority,
    Previous,
    Start,
    End,
    Grade,
    Text,
    Published,
    Next,
    NextBy,
    Link,
}

/// The columns every snapshot has, by header.
pub const REQUIRED: [&str; 7] = [
    "URN",
    "La Code",
    "Local Authority",
    "Inspection Start Date",
    "Inspection End Date",
    "Outcome Grade",
    "Publication Date",
];

/// The columns read when present, by header.
pub const OPTIONAL: [&str; 7] = [
    "Region Code",
    "LTLA23CD",
    "Previous Inspection Date",
    "Inspection Outcome Text",
    "Next Inspection",
    "Next Inspection By Date",
    "Inspection Link",
];

const REQUIRED_COLS: [Col; 7] =
    [Col::Urn, Col::LaCode, Col::LocalAuthority, Col::Start, Col::End, Col::Grade, Col::Published];
const OPTIONAL_COLS: [Col; 7] =
    [Col::RegionCode, Col::Ltla, Col::Previous, Col::Text, Col::Next, Col::NextBy, Col::Link];

/// The line stating the page's time.
pub(crate) const TAKEN_AT_LABEL: &str = "Summary data last updated:";
/// What the tool writes when it found no outcome sentence.
const NO_OUTCOME_TEXT: &str = "Inspection outcome section not found.";
/// What the tool writes in `Next Inspection By Date` when it has no date.
const NO_NEXT_DATE: [&str; 2] = ["Next inspection time frame not found", "Last inspection date not provided"];

fn normalise_header(h: &str) -> String {
    h.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// Reads a summary page: `name` names it in problems, `bytes` is the page. `Err` refuses the whole page (see the
/// module's documentation); row problems are in [`Summary::problems`].
pub fn read_summary(name: &str, bytes: &[u8]) -> Result<Summary, Problem> {
    let at = |line: u64, column: &str, message: String| Problem {
        file: name.to_owned(),
        line,
        column: column.to_owned(),
        message,
    };
    if bytes.len() > MAX_SUMMARY_BYTES {
        return Err(at(
            1,
            "file",
            format!("expected a summary page of at most {MAX_SUMMARY_BYTES} bytes, found {} bytes", bytes.len()),
        ));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = 1 + bytes[..e.valid_up_to()].iter().filter(|&&b| b == b'\n').count() as u64;
        at(line, "file", format!("expected an HTML page in UTF-8, found invalid bytes at byte {}", e.valid_up_to()))
    })?;

    let table =
        html::first_table(text, MAX_SUMMARY_ROWS, MAX_SUMMARY_CELLS).map_err(|e| at(e.line, "table", e.message))?;
    let Some(table) = table else {
        return Err(at(1, "table", "expected an HTML page with the summary's <table>, found no table".to_owned()));
    };
    let Some((header, body)) = table.split_first() else {
        return Err(at(1, "table", "expected a header row of <th> cells, found an empty table".to_owned()));
    };

    // Columns by header name.
    let found: Vec<String> = header.cells.iter().map(|c| normalise_header(&c.text)).collect();
    let mut index = Vec::new();
    let mut missing = Vec::new();
    for (names, cols, required) in [(&REQUIRED, &REQUIRED_COLS, true), (&OPTIONAL, &OPTIONAL_COLS, false)] {
        for (name, &col) in names.iter().zip(cols.iter()) {
            let key = normalise_header(name);
            let mut hits = found.iter().enumerate().filter(|(_, h)| **h == key).map(|(i, _)| i);
            match (hits.next(), hits.next()) {
                (Some(i), None) => index.push((col, i, *name)),
                (Some(_), Some(_)) => {
                    return Err(at(header.line, "header", format!("expected one column {name:?}, found two")));
                }
                (None, _) if required => missing.push(*name),
                (None, _) => {}
            }
        }
    }
    let header_text: Vec<&str> = header.cells.iter().map(|c| c.text.as_str()).collect();
    if !header.all_th || !missing.is_empty() {
        return Err(at(
            header.line,
            "header",
            format!(
                "expected a header row of <th> cells with the summary's columns {} (missing {}), found {:?}",
                REQUIRED.join(", "),
                missing.join(", "),
                header_text.join(", ")
            ),
        ));
    }
    let unknown_columns = header
        .cells
        .iter()
        .enumerate()
        .filter(|(i, _)| !index.iter().any(|(_, j, _)| j == i))
        .map(|(_, c)| c.text.clone())
        .collect();

    // A row of the wrong width is a page cut short or broken: refuse it rather than read half of it.
    for (n, row) in body.iter().enumerate() {
        if row.cells.len() != header.cells.len() {
            return Err(at(
                row.line,
                "table",
                format!(
                    "expected {} cells in row {} (one per header), found {} (the page is truncated or malformed)",
                    header.cells.len(),
                    n + 1,
                    row.cells.len()
                ),
            ));
        }
    }

    let taken_at = taken_at(text).map_err(|(line, message)| at(line, TAKEN_AT_LABEL.trim_end_matches(':'), message))?;

    let mut problems = Vec::new();
    let mut rows = Vec::new();
    for (n, row) in body.iter().enumerate() {
        let mut reader = RowReader { name, row, index: &index, problems: &mut problems };
        if let Some(r) = reader.read(n + 1) {
            rows.push(r);
        }
    }
    Ok(Summary { taken_at, rows, problems, unknown_columns })
}

/// The page's time, or the line and what was wrong.
fn taken_at(text: &str) -> Result<NaiveDateTime, (u64, String)> {
    let expected = format!("expected the snapshot's time as \"{TAKEN_AT_LABEL} dd mm yyyy HH:MM\"");
    let Some(at) = text.find(TAKEN_AT_LABEL) else {
        return Err((1, format!("{expected}, found no such line")));
    };
    let line = 1 + text[..at].bytes().filter(|&b| b == b'\n').count() as u64;
    let rest = &text[at + TAKEN_AT_LABEL.len()..];
    let value = rest[..rest.find(['<', '\n']).unwrap_or(rest.len())].trim();
    let value = value.get(..40).unwrap_or(value);
    NaiveDateTime::parse_from_str(value, "%d %m %Y %H:%M").map_err(|_| (line, format!("{expected}, found {value:?}")))
}

/// Reads one row's cells into a [`SummaryRow`], recording a problem for each that does not parse.
struct RowReader<'a> {
    name: &'a str,
    row: &'a html::Row,
    index: &'a [(Col, usize, &'static str)],
    problems: &'a mut Vec<Problem>,
}

/// A cell's text with `NaN` and empty read as nothing.
fn given(text: &str) -> Option<&str> {
    let t = text.trim();
    (!t.is_empty() && !t.eq_ignore_ascii_case("nan")).then_some(t)
}

/// Shortens a found value for a message.
fn shown(text: &str) -> String {
    let mut s: String = text.chars().take(80).collect();
    if s.len() < text.len() {
        s.push('…');
    }
    format!("{s:?}")
}

impl<'a> RowReader<'a> {
    fn cell(&self, col: Col) -> Option<(&'static str, &'a html::Cell)> {
        self.index.iter().find(|(c, _, _)| *c == col).and_then(|&(_, i, h)| self.row.cells.get(i).map(|c| (h, c)))
    }

    fn problem(&mut self, header: &str, line: u64, message: String) {
        self.problems.push(Problem { file: self.name.to_owned(), line, column: header.to_owned(), message });
    }

    /// Reads `col` with `parse` (given text only); a failure is a problem and `None`.
    fn field<T>(&mut self, col: Col, parse: impl Fn(&str) -> Result<Option<T>, String>) -> Option<T> {
        let (header, cell) = self.cell(col)?;
        let text = given(&cell.text)?;
        match parse(text) {
            Ok(v) => v,
            Err(expected) => {
                let line = cell.line;
                self.problem(header, line, format!("expected {expected}, found {}", shown(text)));
                None
            }
        }
    }

    fn read(&mut self, number: usize) -> Option<SummaryRow> {
        let line = self.row.line;
        let urn = self.field(Col::Urn, |t| OfstedUrn::parse(t).map(Some).map_err(|e| e.expected));
        let la_code = self.field(Col::LaCode, |t| DfeCode::parse(t).map(Some).map_err(|e| e.expected));
        let local_authority = self.field(Col::LocalAuthority, |t| Ok(Some(t.to_owned())));
        let region_code = self.field(Col::RegionCode, |t| Ok(Some(t.to_owned())));
        let ltla23cd =
            self.field(Col::Ltla, |t| GssCode::parse(t, GssKind::LocalArea).map(Some).map_err(|e| e.expected));
        let previous_inspection = self.field(Col::Previous, parse_date);
        let inspection_start = self.field(Col::Start, parse_date);
        let inspection_end = self.field(Col::End, parse_date);
        let published = self.field(Col::Published, parse_date);
        let next_inspection = self.field(Col::Next, |t| Ok(Some(t.to_owned())));
        let next_inspection_by = self.field(Col::NextBy, |t| {
            if NO_NEXT_DATE.iter().any(|n| n.eq_ignore_ascii_case(t)) { Ok(None) } else { parse_date(t) }
        });
        let grade = self.field(Col::Grade, parse_grade);
        let outcome_text =
            self.field(Col::Text, |t| Ok((!t.eq_ignore_ascii_case(NO_OUTCOME_TEXT)).then(|| t.to_owned())));
        let report_url = self.link();

        // The grade and the sentence are read separately from the report: say when they disagree or are both missing.
        let stated_outcome = outcome_text.as_deref().and_then(stated_outcome);
        let grade_at = self.cell(Col::Grade).map(|(h, c)| (h, c.line, c.text.clone()));
        if let Some((header, cell_line, grade_text)) = grade_at {
            let text_found = outcome_text.as_deref().map_or_else(|| format!("{NO_OUTCOME_TEXT:?}"), shown);
            match (grade, stated_outcome) {
                (Some(g), Some(s)) if g != s => self.problem(
                    header,
                    cell_line,
                    format!(
                        "expected the grade to agree with the outcome sentence, which states {:?}; found grade {:?} ({:?})",
                        s.code(),
                        grade_text,
                        g.code()
                    ),
                ),
                (None, None) => self.problem(
                    header,
                    cell_line,
                    format!(
                        "expected an outcome: a grade (1.0 typically positive, 2.0 inconsistent, 3.0 widespread and/or \
                         systemic failings) or an outcome sentence; found grade {grade_text:?} and sentence {text_found}"
                    ),
                ),
                (_, None) if outcome_text.is_some() => self.problem(
                    header,
                    cell_line,
                    format!(
                        "expected the outcome sentence to state an outcome (\"typically lead to positive experiences \
                         and outcomes\", \"lead to inconsistent experiences and outcomes\" or \"widespread and/or \
                         systemic failings\"), found {text_found}"
                    ),
                ),
                _ => {}
            }
        }

        let (Some(urn), Some(la_code), Some(local_authority)) = (urn, la_code, local_authority) else {
            self.problem(
                "row",
                line,
                format!(
                    "expected a URN, a La Code and a Local Authority to identify row {number}; the row is left out"
                ),
            );
            return None;
        };
        Some(SummaryRow {
            line,
            row: number,
            urn,
            la_code,
            region_code,
            ltla23cd,
            local_authority,
            previous_inspection,
            inspection_start,
            inspection_end,
            grade,
            outcome_text,
            stated_outcome,
            published,
            next_inspection,
            next_inspection_by,
            report_url,
        })
    }

    /// The `href` of `Inspection Link` (an http(s) URL); a cell with text but no link is a problem.
    fn link(&mut self) -> Option<String> {
        let (header, cell) = self.cell(Col::Link)?;
        let (line, href, text) = (cell.line, cell.href.clone(), cell.text.clone());
        match href {
            Some(h) if h.starts_with("https://") || h.starts_with("http://") => Some(h),
            Some(h) => {
                self.problem(header, line, format!("expected a link to the report (https://…), found {}", shown(&h)));
                None
            }
            None => {
                if given(&text).is_some() {
                    self.problem(
                        header,
                        line,
                        format!("expected a link (<a href>) to the report, found {}", shown(&text)),
                    );
                }
                None
            }
        }
    }
}

/// A date written `dd/mm/yyyy` or `dd/mm/yy` (20yy); `01/01/1900` is the tool's "no date".
fn parse_date(text: &str) -> Result<Option<NaiveDate>, String> {
    let expected = || "a date dd/mm/yyyy or dd/mm/yy (01/01/1900, NaN or empty for none)".to_owned();
    let parts: Vec<&str> = text.split('/').collect();
    let [d, m, y] = parts.as_slice() else { return Err(expected()) };
    let digits = |s: &str, lens: &[usize]| lens.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit());
    if !(digits(d, &[1, 2]) && digits(m, &[1, 2]) && digits(y, &[2, 4])) {
        return Err(expected());
    }
    let number = |s: &str| s.parse::<u32>().map_err(|_| expected());
    let (day, month, year) = (number(d)?, number(m)?, number(y)?);
    let year = if y.len() == 2 { 2000 + year } else { year };
    if (day, month, year) == (1, 1, 1900) {
        return Ok(None);
    }
    let year = i32::try_from(year).map_err(|_| expected())?;
    NaiveDate::from_ymd_opt(year, month, day).map(Some).ok_or_else(expected)
}

/// The grade `1`, `2`, `3` (written `1.0` since 2025) as the 2023 framework's full-inspection outcome.
fn parse_grade(text: &str) -> Result<Option<Outcome>, String> {
    let whole = text.strip_suffix(".0").unwrap_or(text);
    match whole {
        "1" => Ok(Some(Outcome::TypicallyPositive)),
        "2" => Ok(Some(Outcome::Inconsistent)),
        "3" => Ok(Some(Outcome::WidespreadSystemicFailings)),
        _ => Err("a grade 1.0, 2.0 or 3.0 (NaN or empty for none)".to_owned()),
    }
}

/// The outcome an outcome sentence states, from its wording (the first phrase of the three found).
pub fn stated_outcome(sentence: &str) -> Option<Outcome> {
    let text: String = sentence
        .to_lowercase()
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    // The summary's sentences also use the singular verb.
    let singular = [
        ("typically leads to positive experiences and outcomes", Outcome::TypicallyPositive),
        ("leads to inconsistent experiences and outcomes", Outcome::Inconsistent),
    ];
    first_stated(&text, FULL_INSPECTION.iter().chain(&singular))
}
