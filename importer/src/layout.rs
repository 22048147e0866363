//! The curated CSV layouts of `data/`, told apart by their headers, and the typed rows each parses into.
//!
//! Columns are matched by name (surrounding space and case ignored), in any order; extra columns are ignored and
//! reported once as a warning; a missing column is a problem on line 1.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use csv::StringRecord;
use send_model::domain::{
    DatePrecision, DfeCode, Framework, GssCode, GssKind, InspectionType, OfstedUrn, Outcome, ParseError, PartialDate,
    Pathway, SourceKind, Theme, VisitTheme,
};

use crate::error::Problem;
use crate::source::SourceFile;

/// A file layout the importer reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Layout {
    /// `regions.csv`: the nine ONS regions.
    Regions,
    /// `icbs.csv`: NHS Integrated Care Boards.
    Icbs,
    /// `local_areas.csv`: the current local areas.
    LocalAreas,
    /// `area_lineage.csv`: reorganisations.
    Lineage,
    /// `area_aliases.csv`: other publishers' names for areas.
    Aliases,
    /// `inspections.csv`: inspections under both frameworks.
    Inspections,
    /// Ofsted's official statistics for the 2016 framework (the ODS "underlying data": one row per area, its full
    /// inspection and revisit side by side).
    Official2016,
    /// Ofsted's management information / official statistics for the 2023 framework (areas named, not coded).
    ManagementInformation2023,
    /// An area SEND inspection report PDF (2023 framework), read by [`crate::pdf::Extractor`] into one inspection.
    Report,
    /// `ofsted_report_links.csv`: report URLs and Ofsted URNs.
    ReportLinks,
    /// The Data to Insight weekly summary page (HTML), read by [`crate::summary`]: each local authority's latest
    /// 2023-framework full inspection.
    Summary,
    /// `thematic_visits.csv`: thematic visits.
    ThematicVisits,
}

impl Layout {
    /// Every layout, in the order their files are loaded (each may refer to those before it): the order of the
    /// variants, which files are sorted by.
    pub const LOAD_ORDER: [Layout; 12] = [
        Layout::Regions,
        Layout::Icbs,
        Layout::LocalAreas,
        Layout::Lineage,
        Layout::Aliases,
        Layout::Inspections,
        Layout::Official2016,
        Layout::ManagementInformation2023,
        Layout::Report,
        Layout::ReportLinks,
        // Last of the inspection sources: the lowest rank, it fills only what the others left empty.
        Layout::Summary,
        Layout::ThematicVisits,
    ];

    /// The name recorded as the import run's format.
    pub fn name(self) -> &'static str {
        match self {
            Layout::Regions => "curated-csv/regions",
            Layout::Icbs => "curated-csv/icbs",
            Layout::LocalAreas => "curated-csv/local_areas",
            Layout::Lineage => "curated-csv/area_lineage",
            Layout::Aliases => "curated-csv/area_aliases",
            Layout::Inspections => "curated-csv/inspections",
            Layout::Official2016 => "ofsted-official-statistics-2016-framework",
            Layout::ManagementInformation2023 => "ofsted-management-information-2023-framework",
            Layout::Report => "ofsted-report-pdf",
            Layout::Summary => "d2i-summary",
            Layout::ReportLinks => "curated-csv/ofsted_report_links",
            Layout::ThematicVisits => "curated-csv/thematic_visits",
        }
    }

    /// The kind of source files of this layout are, for the precedence rule.
    pub fn source_kind(self) -> SourceKind {
        match self {
            Layout::Official2016 => SourceKind::OfficialStatistics,
            Layout::ManagementInformation2023 => SourceKind::ManagementInformation,
            Layout::Report => SourceKind::Report,
            Layout::Summary => SourceKind::Summary,
            _ => SourceKind::Curated,
        }
    }

    /// Columns that may be present and are read when they are, but are not required.
    pub fn optional_columns(self) -> &'static [&'static str] {
        match self {
            Layout::Official2016 => &["web link to ofsted local authority webpage", "area name"],
            Layout::ManagementInformation2023 => &[
                "link to report webpage for the local authority and local area partnership",
                "number of areas for priority action",
            ],
            _ => &[],
        }
    }

    /// The required columns of the layout, by normalised name (see [`normalise_header`]), in their published order.
    pub fn columns(self) -> &'static [&'static str] {
        match self {
            Layout::Official2016 => &[
                "local authority code",
                "ofsted region",
                "inspection start date",
                "inspection publication date",
                "inspection outcome written statement of action required",
                "number significant weaknesses identified in written statement of action",
                "revisit start date",
                "revisit publication date",
                "revisit outcome sufficient progress in addressing all significant weaknesses",
                "number significant weaknesses where sufficient progress has been made",
                "number significant weaknesses where sufficient progress has not been made",
            ],
            Layout::ManagementInformation2023 => &[
                "local area partnership",
                "ofsted region",
                "inspection start date",
                "inspection publication date",
                "inspection outcome",
                "priority action plan required",
            ],
            Layout::Regions => &["region_code", "region_name", "ofsted_region"],
            Layout::Icbs => &["icb_code", "icb_name"],
            Layout::LocalAreas => &["la_code_gss", "la_code_dfe", "name", "region", "icb_codes"],
            Layout::Lineage => &[
                "predecessor_gss",
                "predecessor_dfe",
                "predecessor_name",
                "successor_gss",
                "successor_dfe",
                "successor_name",
                "effective",
            ],
            Layout::Aliases => &["alias", "la_code_gss", "publisher"],
            Layout::Inspections => &[
                "area_name",
                "la_code_gss",
                "la_code_dfe",
                "region",
                "framework",
                "inspection_type",
                "inspection_start",
                "inspection_end",
                "published",
                "outcome",
                "priority_actions",
                "source_url",
            ],
            // A PDF or an HTML page has no header row: it is told apart by its content, never by `detect`.
            Layout::Report | Layout::Summary => &[],
            Layout::ReportLinks => &["area_name", "la_code_dfe", "ofsted_urn", "published", "report_url", "source_url"],
            Layout::ThematicVisits => &[
                "year",
                "theme",
                "la_code_gss",
                "label",
                "pathways",
                "visit_start",
                "visit_end",
                "report_title",
                "report_published",
                "report_url",
                "source",
            ],
        }
    }
}

/// `regions.csv` row.
#[derive(Debug, Clone)]
pub struct RegionRow {
    /// Line in the file.
    pub line: u64,
    /// ONS code.
    pub code: GssCode,
    /// ONS name.
    pub name: String,
    /// Ofsted region.
    pub ofsted_region: String,
}

/// `icbs.csv` row.
#[derive(Debug, Clone)]
pub struct IcbRow {
    /// Line in the file.
    pub line: u64,
    /// ONS code.
    pub code: GssCode,
    /// Name.
    pub name: String,
}

/// `local_areas.csv` row.
#[derive(Debug, Clone)]
pub struct AreaRow {
    /// Line in the file.
    pub line: u64,
    /// GSS code.
    pub gss: GssCode,
    /// DfE code.
    pub dfe: DfeCode,
    /// ONS/DfE name.
    pub name: String,
    /// ONS region name.
    pub region: String,
    /// ICBs named in a report; empty when not yet known.
    pub icbs: Vec<GssCode>,
}

/// `area_lineage.csv` row.
#[derive(Debug, Clone)]
pub struct LineageRow {
    /// Line in the file.
    pub line: u64,
    /// Abolished area.
    pub predecessor_gss: GssCode,
    /// Its DfE code.
    pub predecessor_dfe: DfeCode,
    /// Its name.
    pub predecessor_name: String,
    /// New area.
    pub successor_gss: GssCode,
    /// Its DfE code.
    pub successor_dfe: DfeCode,
    /// Its name.
    pub successor_name: String,
    /// First day of the new area.
    pub effective: NaiveDate,
}

/// `area_aliases.csv` row.
#[derive(Debug, Clone)]
pub struct AliasRow {
    /// Line in the file.
    pub line: u64,
    /// The other name.
    pub alias: String,
    /// The area it names.
    pub gss: GssCode,
    /// Who uses it.
    pub publisher: String,
}

/// `ofsted_report_links.csv` row.
#[derive(Debug, Clone)]
pub struct ReportLinkRow {
    /// Line in the file.
    pub line: u64,
    /// Area name (informative).
    pub area_name: String,
    /// DfE code of the (current) area.
    pub dfe: DfeCode,
    /// Ofsted URN of the area.
    pub urn: OfstedUrn,
    /// Publication date of the 2023-framework full inspection report.
    pub published: PartialDate,
    /// The report PDF's address.
    pub report_url: String,
    /// Where the link was read.
    pub source_url: String,
}

/// How a row names its area.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AreaRef {
    /// By GSS code (curated files, the 2016 official statistics).
    Code(GssCode),
    /// By name only (the 2023 management information), resolved through names and aliases when checked.
    Name(String),
    /// By every code the Data to Insight summary gives (its GSS code may be absent), resolved when checked: the GSS
    /// code, else the DfE code, else the Ofsted URN, else the name.
    Codes {
        /// `LTLA23CD`.
        gss: Option<GssCode>,
        /// `La Code`.
        dfe: DfeCode,
        /// `URN`.
        urn: OfstedUrn,
        /// `Local Authority`.
        name: String,
    },
}

/// How a row names its area's region.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegionRef {
    /// An ONS region name (curated files).
    Ons(String),
    /// An Ofsted region name (Ofsted's files; "North East, Yorkshire and the Humber" is one).
    Ofsted(String),
    /// Not stated (inspection reports): the area's region is not checked.
    NotStated,
}

/// The facts an inspection source gives. `None` means the source is silent on the field (it neither confirms nor
/// contradicts what another source said); `Some(None)` means the source says the field is empty.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InspectionFacts {
    /// Last day on site.
    pub end: Option<Option<PartialDate>>,
    /// Publication date.
    pub published: Option<Option<PartialDate>>,
    /// Outcome.
    pub outcome: Option<Option<Outcome>>,
    /// Number of areas for priority action (2023 full inspections).
    pub priority_action_count: Option<Option<i32>>,
    /// Theme of each area for priority action, in report order.
    pub themes: Option<Vec<Theme>>,
    /// Significant weaknesses in the written statement of action (2016 full inspections).
    pub significant_weaknesses: Option<Option<i32>>,
    /// Weaknesses with sufficient progress (2016 revisits).
    pub weaknesses_progress_made: Option<Option<i32>>,
    /// Weaknesses without sufficient progress (2016 revisits).
    pub weaknesses_progress_not_made: Option<Option<i32>>,
    /// The report's address (the Data to Insight summary links each report; a report PDF fetched from a URL gives
    /// its own in [`ReportDetails::report_url`]).
    pub report_url: Option<Option<String>>,
}

/// One inspection as a source gives it.
#[derive(Debug, Clone)]
pub struct InspectionRow {
    /// Line (or spreadsheet row) in the file.
    pub line: u64,
    /// The area as the source names it.
    pub area: AreaRef,
    /// The area's GSS code: given, or resolved from the name when the file is checked.
    pub gss: Option<GssCode>,
    /// DfE code, where the source gives one.
    pub dfe: Option<DfeCode>,
    /// The region as the source names it.
    pub region: RegionRef,
    /// Framework.
    pub framework: Framework,
    /// Type.
    pub inspection_type: InspectionType,
    /// Start; when `start_known` is false, the publication date, where the inspection is placed.
    pub start: PartialDate,
    /// False when the source gives no start date (an outcome published before its dates are known): the row is
    /// held, placed at its publication date, and never gives a start date to a stored inspection.
    pub start_known: bool,
    /// Everything else the source says.
    pub facts: InspectionFacts,
    /// Where the row was read.
    pub source_url: String,
    /// What only an inspection report holds (`None` for every other source).
    pub report: Option<Box<ReportDetails>>,
}

/// What an inspection report states beyond the facts other sources give too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportDetails {
    /// The areas for priority action, in report order, each with a theme (their themes are also
    /// [`InspectionFacts::themes`]).
    pub priority_actions: Vec<crate::pdf::Action>,
    /// The areas for improvement, in report order.
    pub areas_for_improvement: Vec<crate::pdf::Action>,
    /// The report's address, when it was fetched from a URL.
    pub report_url: Option<String>,
    /// The GSS codes of the ICBs the report names.
    pub icb_codes: Vec<String>,
}

/// `thematic_visits.csv` row.
#[derive(Debug, Clone)]
pub struct VisitRow {
    /// Line in the file.
    pub line: u64,
    /// Year of the review.
    pub year: i32,
    /// National theme.
    pub theme: VisitTheme,
    /// Area, when named.
    pub gss: Option<GssCode>,
    /// Label of an anonymous visit.
    pub label: Option<String>,
    /// Pathways looked at.
    pub pathways: Vec<Pathway>,
    /// First day (or month) of the visit.
    pub start: Option<PartialDate>,
    /// Last day of the visit.
    pub end: Option<PartialDate>,
    /// National report title.
    pub report_title: String,
    /// National report publication date.
    pub report_published: Option<NaiveDate>,
    /// National report address.
    pub report_url: Option<String>,
    /// Where the facts were read.
    pub source: String,
}

/// The typed rows of one file.
#[derive(Debug, Clone)]
pub enum Rows {
    /// Regions.
    Regions(Vec<RegionRow>),
    /// ICBs.
    Icbs(Vec<IcbRow>),
    /// Local areas.
    LocalAreas(Vec<AreaRow>),
    /// Lineage.
    Lineage(Vec<LineageRow>),
    /// Aliases.
    Aliases(Vec<AliasRow>),
    /// Inspections.
    Inspections(Vec<InspectionRow>),
    /// Report links.
    ReportLinks(Vec<ReportLinkRow>),
    /// Thematic visits.
    ThematicVisits(Vec<VisitRow>),
}

/// A source parsed into typed rows.
#[derive(Debug, Clone)]
pub struct ParsedFile {
    /// The bytes and their name.
    pub source: SourceFile,
    /// The layout detected from the header.
    pub layout: Layout,
    /// Data rows read.
    pub rows_read: usize,
    /// The rows.
    pub rows: Rows,
    /// Things the user should know that do not stop the import.
    pub warnings: Vec<String>,
    /// The time a snapshot states for itself (the Data to Insight summary), recorded on its import run.
    pub snapshot_at: Option<chrono::NaiveDateTime>,
}

/// Reads one row's cells, recording a [`Problem`] for each one that does not parse.
struct Cells<'a> {
    file: &'a str,
    line: u64,
    record: &'a StringRecord,
    columns: &'a HashMap<String, usize>,
    problems: &'a mut Vec<Problem>,
}

impl Cells<'_> {
    fn raw(&self, column: &str) -> &str {
        let index = match self.columns.get(column) {
            Some(&i) => Some(i),
            None => self.columns.get(&normalise_header(column)).copied(),
        };
        index.and_then(|i| self.record.get(i)).map_or("", |c| c.trim())
    }

    fn problem(&mut self, column: &str, message: impl Into<String>) {
        self.problems.push(Problem {
            file: self.file.to_owned(),
            line: self.line,
            column: column.to_owned(),
            message: message.into(),
        });
    }

    fn parse_error(&mut self, column: &str, e: ParseError) {
        let found = if e.found.trim().is_empty() { "an empty cell".to_owned() } else { format!("{:?}", e.found) };
        self.problem(column, format!("expected {}, found {found}", e.expected));
    }

    /// A cell that must hold a value.
    fn required<T>(&mut self, column: &str, parse: impl Fn(&str) -> Result<T, ParseError>) -> Option<T> {
        match parse(self.raw(column)) {
            Ok(v) => Some(v),
            Err(e) => {
                self.parse_error(column, e);
                None
            }
        }
    }

    /// A cell that may be empty; `Some(None)` when it is.
    fn optional<T>(&mut self, column: &str, parse: impl Fn(&str) -> Result<T, ParseError>) -> Option<Option<T>> {
        if self.raw(column).is_empty() { Some(None) } else { self.required(column, parse).map(Some) }
    }

    /// A cell of `separator`-separated values, each parsed; empty gives an empty list.
    fn list<T>(
        &mut self,
        column: &str,
        separator: char,
        parse: impl Fn(&str) -> Result<T, ParseError>,
    ) -> Option<Vec<T>> {
        let raw = self.raw(column).to_owned();
        let mut out = Vec::new();
        let mut ok = true;
        for part in raw.split(separator).map(str::trim).filter(|p| !p.is_empty()) {
            match parse(part) {
                Ok(v) => out.push(v),
                Err(e) => {
                    self.parse_error(column, e);
                    ok = false;
                }
            }
        }
        ok.then_some(out)
    }

    /// A non-empty text cell.
    fn text(&mut self, column: &str, what: &str) -> Option<String> {
        self.required(
            column,
            |t| {
                if t.trim().is_empty() { Err(ParseError::new(what, t)) } else { Ok(t.trim().to_owned()) }
            },
        )
    }

    /// A text cell that may be empty.
    fn optional_text(&self, column: &str) -> Option<String> {
        let t = self.raw(column);
        (!t.is_empty()).then(|| t.to_owned())
    }
}

fn iso_day(text: &str) -> Result<NaiveDate, ParseError> {
    send_model::domain::iso_day(text.trim()).ok_or_else(|| ParseError::new("an ISO date yyyy-mm-dd", text))
}

fn url(text: &str) -> Result<String, ParseError> {
    let t = text.trim();
    if (t.starts_with("https://") || t.starts_with("http://")) && !t.contains(char::is_whitespace) {
        Ok(t.to_owned())
    } else {
        Err(ParseError::new("an http(s) URL", text))
    }
}

/// A header as matched: lower case, every run of other characters than letters and digits folded to one space.
/// So `Local.area.partnership`, `Local area partnership` and `la_code_gss`/`la code gss` meet.
pub fn normalise_header(h: &str) -> String {
    // One pass and one allocation: it runs for every cell read.
    let mut folded = String::with_capacity(h.len());
    let mut gap = false;
    for c in h.trim_start_matches('\u{feff}').chars() {
        if c.is_alphanumeric() {
            if gap && !folded.is_empty() {
                folded.push(' ');
            }
            gap = false;
            folded.push(c.to_ascii_lowercase());
        } else {
            gap = true;
        }
    }
    folded
}

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

/// How many of a layout's required columns a header has.
fn hits(layout: Layout, header: &[String]) -> usize {
    let present: HashSet<&str> = header.iter().map(String::as_str).collect();
    layout.columns().iter().filter(|c| present.contains(normalise_header(c).as_str())).count()
}

/// Chooses the layout whose required columns best match `header`: the one with most of its columns present, if at
/// least half.
fn detect(header: &[String]) -> Option<Layout> {
    Layout::LOAD_ORDER
        .iter()
        .map(|&layout| (layout, hits(layout, header), layout.columns().len()))
        .filter(|&(_, hits, len)| hits * 2 >= len && hits > 0)
        .max_by(|a, b| (a.1 * b.2).cmp(&(b.1 * a.2)).then(a.1.cmp(&b.1)))
        .map(|(layout, _, _)| layout)
}

/// How many rows above the header a published file may have (Ofsted's sheets have four text rows).
const HEADER_SEARCH_ROWS: usize = 12;

/// Splits raw rows into a table: the header is the first row (within the first few) that matches a layout; when none
/// does, the first row.
pub(crate) fn into_table(name: String, raw: Vec<(u64, StringRecord)>) -> Table {
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

/// What a file's bytes are.
enum Content<'a> {
    /// Text: a CSV.
    Text(&'a str),
    /// A zip container: an ODS or XLSX workbook.
    Workbook,
}

fn content<'a>(source: &'a SourceFile, at: &impl Fn(u64, &str, String) -> Problem) -> Result<Content<'a>, Problem> {
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
    let start = text.trim_start_matches('\u{feff}').trim_start().get(..15).unwrap_or("").to_ascii_lowercase();
    if start.starts_with("<!doctype html") || start.starts_with("<html") {
        return Err(at(
            1,
            "file",
            "expected a data file, found an HTML page (the address is probably a web page that links to the file)"
                .to_owned(),
        ));
    }
    Ok(Content::Text(text))
}

fn csv_table(name: &str, text: &str, at: &impl Fn(u64, &str, String) -> Problem) -> Result<Table, Problem> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    let mut raw = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            at(
                e.position().map_or(0, |p| p.line()),
                "row",
                format!("expected a CSV record, found unreadable text ({e})"),
            )
        })?;
        let line = record.position().map_or(0, |p| p.line());
        raw.push((line, record));
    }
    Ok(into_table(name.to_owned(), raw))
}

/// Parses a file (a curated CSV, Ofsted's 2016-framework official statistics, or the 2023-framework management
/// information, as CSV, ODS or XLSX) into typed rows, listing every problem in it. The rows that parsed are returned
/// even when others did not (so that their references can be checked too, and every problem reported at once);
/// `None` when the file as a whole cannot be read (not a data file, no known header, a missing column).
pub fn parse(source: SourceFile) -> (Option<ParsedFile>, Vec<Problem>) {
    let file = source.name.clone();
    let at = |line: u64, column: &str, message: String| Problem {
        file: file.clone(),
        line,
        column: column.to_owned(),
        message,
    };
    let (tables, notes) = match content(&source, &at) {
        Err(p) => return (None, vec![p]),
        Ok(Content::Text(text)) => match csv_table(&file, text, &at) {
            Ok(t) => (vec![t], Vec::new()),
            Err(p) => return (None, vec![p]),
        },
        Ok(Content::Workbook) => match crate::workbook::tables(&source, &at) {
            Ok(found) => found,
            Err(p) => return (None, vec![p]),
        },
    };
    // The table to read: the first whose header matches a layout.
    let Some((table, layout)) = tables.iter().find_map(|t| detect(&t.header).map(|l| (t, l))) else {
        let known: Vec<String> = Layout::LOAD_ORDER.iter().map(|l| l.name().to_owned()).collect();
        let found = tables.first().map(|t| t.header.join(",")).unwrap_or_default();
        return (
            None,
            vec![at(
                1,
                "header",
                format!("expected the header row of a known layout ({}), found {found:?}", known.join(", ")),
            )],
        );
    };
    let table_name = table.name.clone();
    let at_table = |line: u64, column: &str, message: String| Problem {
        file: table_name.clone(),
        line,
        column: column.to_owned(),
        message,
    };

    let mut problems = Vec::new();
    let mut columns = HashMap::new();
    for &col in layout.columns().iter().chain(layout.optional_columns()) {
        let key = normalise_header(col);
        match table.header.iter().position(|h| *h == key) {
            Some(i) => {
                // Also under the layout's own spelling, which is how rows ask for it (no normalising per cell).
                columns.insert(col.to_owned(), i);
                columns.insert(key, i);
            }
            None if layout.columns().contains(&col) => problems.push(at_table(
                table.header_line,
                col,
                format!("expected a column named {col:?} ({} layout), found no such column", layout.name()),
            )),
            // An absent optional column reads as empty.
            None => {
                columns.insert(col.to_owned(), usize::MAX);
            }
        }
    }
    if !problems.is_empty() {
        return (None, problems);
    }
    let known: Vec<String> =
        layout.columns().iter().chain(layout.optional_columns()).map(|c| normalise_header(c)).collect();
    let extra: Vec<String> = table
        .header
        .iter()
        .filter(|h| !known.contains(h))
        .map(|h| if h.is_empty() { "(unnamed)".to_owned() } else { h.clone() })
        .collect();
    let mut warnings = notes;
    if !extra.is_empty() {
        // Warnings are part of the report, which names the file as its import run records it.
        let recorded = table
            .name
            .strip_prefix(&file)
            .map_or_else(|| table_name.clone(), |sheet| format!("{}{sheet}", source.recorded_name()));
        warnings.push(format!(
            "{}: ignored column(s) not in the {} layout: {}",
            crate::names::shown(&recorded),
            layout.name(),
            extra.join(", ")
        ));
    }

    let mut rows = match layout {
        Layout::Regions => Rows::Regions(Vec::new()),
        Layout::Icbs => Rows::Icbs(Vec::new()),
        Layout::LocalAreas => Rows::LocalAreas(Vec::new()),
        Layout::Lineage => Rows::Lineage(Vec::new()),
        Layout::Aliases => Rows::Aliases(Vec::new()),
        Layout::Inspections
        | Layout::Official2016
        | Layout::ManagementInformation2023
        | Layout::Report
        | Layout::Summary => Rows::Inspections(Vec::new()),
        Layout::ReportLinks => Rows::ReportLinks(Vec::new()),
        Layout::ThematicVisits => Rows::ThematicVisits(Vec::new()),
    };
    let mut rows_read = 0;
    for (line, record) in &table.rows {
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        rows_read += 1;
        if layout.source_kind() == SourceKind::Curated && record.len() != table.header.len() {
            problems.push(at_table(
                *line,
                "row",
                format!("expected {} cells as in the header, found {}", table.header.len(), record.len()),
            ));
            continue;
        }
        let mut cells = Cells { file: &table_name, line: *line, record, columns: &columns, problems: &mut problems };
        match (&mut rows, layout) {
            (Rows::Regions(v), _) => v.extend(region_row(&mut cells)),
            (Rows::Icbs(v), _) => v.extend(icb_row(&mut cells)),
            (Rows::LocalAreas(v), _) => v.extend(area_row(&mut cells)),
            (Rows::Lineage(v), _) => v.extend(lineage_row(&mut cells)),
            (Rows::Aliases(v), _) => v.extend(alias_row(&mut cells)),
            (Rows::Inspections(v), Layout::Official2016) => v.extend(official_2016_rows(&mut cells, &file)),
            (Rows::Inspections(v), Layout::ManagementInformation2023) => v.extend(mi_2023_row(&mut cells, &file)),
            (Rows::Inspections(v), _) => v.extend(inspection_row(&mut cells)),
            (Rows::ReportLinks(v), _) => v.extend(report_link_row(&mut cells)),
            (Rows::ThematicVisits(v), _) => v.extend(visit_row(&mut cells)),
        }
    }
    check_duplicates(&table_name, &rows, &mut problems);
    (Some(ParsedFile { source, layout, rows_read, rows, warnings, snapshot_at: None }), problems)
}

fn region_row(c: &mut Cells<'_>) -> Option<RegionRow> {
    let code = c.required("region_code", |t| GssCode::parse(t, GssKind::Region));
    let name = c.text("region_name", "a region name");
    let ofsted_region = c.text("ofsted_region", "an Ofsted region name");
    Some(RegionRow { line: c.line, code: code?, name: name?, ofsted_region: ofsted_region? })
}

fn icb_row(c: &mut Cells<'_>) -> Option<IcbRow> {
    let code = c.required("icb_code", |t| GssCode::parse(t, GssKind::Icb));
    let name = c.text("icb_name", "an ICB name");
    Some(IcbRow { line: c.line, code: code?, name: name? })
}

fn area_row(c: &mut Cells<'_>) -> Option<AreaRow> {
    let gss = c.required("la_code_gss", |t| GssCode::parse(t, GssKind::LocalArea));
    let dfe = c.required("la_code_dfe", DfeCode::parse);
    let name = c.text("name", "the area's name");
    let region = c.text("region", "an ONS region name");
    let icbs = c.list("icb_codes", ';', |t| GssCode::parse(t, GssKind::Icb));
    Some(AreaRow { line: c.line, gss: gss?, dfe: dfe?, name: name?, region: region?, icbs: icbs? })
}

fn lineage_row(c: &mut Cells<'_>) -> Option<LineageRow> {
    let predecessor_gss = c.required("predecessor_gss", |t| GssCode::parse(t, GssKind::LocalArea));
    let predecessor_dfe = c.required("predecessor_dfe", DfeCode::parse);
    let predecessor_name = c.text("predecessor_name", "the predecessor's name");
    let successor_gss = c.required("successor_gss", |t| GssCode::parse(t, GssKind::LocalArea));
    let successor_dfe = c.required("successor_dfe", DfeCode::parse);
    let successor_name = c.text("successor_name", "the successor's name");
    let effective = c.required("effective", iso_day);
    if let (Some(p), Some(s)) = (&predecessor_gss, &successor_gss)
        && p == s
    {
        c.problem("successor_gss", format!("expected a code different from the predecessor's, found {s}"));
        return None;
    }
    Some(LineageRow {
        line: c.line,
        predecessor_gss: predecessor_gss?,
        predecessor_dfe: predecessor_dfe?,
        predecessor_name: predecessor_name?,
        successor_gss: successor_gss?,
        successor_dfe: successor_dfe?,
        successor_name: successor_name?,
        effective: effective?,
    })
}

fn alias_row(c: &mut Cells<'_>) -> Option<AliasRow> {
    let alias = c.text("alias", "a name");
    let gss = c.required("la_code_gss", |t| GssCode::parse(t, GssKind::LocalArea));
    let publisher = c.text("publisher", "the publisher that uses the name");
    Some(AliasRow { line: c.line, alias: alias?, gss: gss?, publisher: publisher? })
}

fn report_link_row(c: &mut Cells<'_>) -> Option<ReportLinkRow> {
    let area_name = c.text("area_name", "the area's name");
    let dfe = c.required("la_code_dfe", DfeCode::parse);
    let urn = c.required("ofsted_urn", OfstedUrn::parse);
    let published = c.required("published", PartialDate::parse);
    let report_url = c.required("report_url", url);
    let source_url = c.required("source_url", url);
    Some(ReportLinkRow {
        line: c.line,
        area_name: area_name?,
        dfe: dfe?,
        urn: urn?,
        published: published?,
        report_url: report_url?,
        source_url: source_url?,
    })
}

fn inspection_row(c: &mut Cells<'_>) -> Option<InspectionRow> {
    let area_name = c.text("area_name", "the area's name");
    let gss = c.required("la_code_gss", |t| GssCode::parse(t, GssKind::LocalArea));
    let dfe = c.optional("la_code_dfe", DfeCode::parse);
    let region = c.text("region", "an ONS region name");
    let framework = c.required("framework", Framework::parse);
    let inspection_type = c.required("inspection_type", InspectionType::parse);
    let stated_start = c.optional("inspection_start", PartialDate::parse);
    let end = c.optional("inspection_end", PartialDate::parse);
    let published = c.optional("published", PartialDate::parse);
    // No source may give the start date of an inspection whose outcome is published (two of 2026): such a row is
    // held, placed at its publication date, rather than refused or given a guessed date.
    let start_known = !matches!(stated_start, Some(None));
    if let (Some(None), Some(None)) = (stated_start, published) {
        c.problem(
            "inspection_start",
            "expected a date (yyyy-mm-dd or yyyy-mm), or an empty cell with a publication date to place the \
             inspection by, found an empty cell and no publication date",
        );
    }
    let start = stated_start.flatten();
    let outcome = c.optional("outcome", Outcome::parse);
    let themes = c.list("priority_actions", ';', Theme::parse);
    let source_url = c.required("source_url", url);

    // Coherence within the row: each check runs only on the values that parsed.
    if let (Some(f), Some(t)) = (framework, inspection_type)
        && let Some(only) = t.only_framework()
        && only != f
    {
        c.problem(
            "inspection_type",
            format!(
                "expected full or a type of the {f} framework, found {t:?} (a {only}-framework type)",
                t = t.code()
            ),
        );
    }
    if let (Some(f), Some(t), Some(Some(o))) = (framework, inspection_type, outcome) {
        let (of, ot) = o.belongs_to();
        if (of, ot) != (f, t) {
            let valid: Vec<&str> = Outcome::of(f, t).iter().map(|o| o.code()).collect();
            c.problem(
                "outcome",
                format!(
                    "expected an outcome of a {f}-framework {t} inspection ({}), found {:?} (a {of}-framework {ot} outcome)",
                    if valid.is_empty() { "none exist".to_owned() } else { valid.join(", ") },
                    o.code(),
                    t = t.code(),
                    ot = ot.code(),
                ),
            );
        }
    }
    if let (Some(s), Some(Some(e))) = (start, end)
        && e.latest() < s.date
    {
        c.problem("inspection_end", format!("expected a date on or after inspection_start ({s}), found {e}"));
    }
    if let (Some(s), Some(Some(p))) = (start, published)
        && p.latest() < s.date
    {
        c.problem("published", format!("expected a date on or after inspection_start ({s}), found {p}"));
    }
    if let (Some(Some(e)), Some(Some(p))) = (end, published)
        && p.latest() < e.date
    {
        c.problem("published", format!("expected a date on or after inspection_end ({e}), found {p}"));
    }
    // A widespread/systemic failings outcome is published weeks before anyone codes the report's priority actions:
    // an empty cell then says they are not yet read (filled later by the report or a curated row), not that there
    // are none.
    let mut not_yet_read = false;
    if let (Some(o), Some(themes)) = (outcome, &themes) {
        let systemic = o == Some(Outcome::WidespreadSystemicFailings);
        if systemic && themes.is_empty() {
            not_yet_read = true;
        } else if !systemic && !themes.is_empty() {
            c.problem(
                "priority_actions",
                format!(
                    "expected an empty cell (only widespread/systemic failings outcomes have areas for priority action), found {} theme(s)",
                    themes.len()
                ),
            );
        }
    }
    let (gss, framework, inspection_type, _) = (gss?, framework?, inspection_type?, stated_start?);
    let start = start.or(published.flatten())?;
    let themes = themes?;
    let count = (framework == Framework::F2023 && inspection_type == InspectionType::Full)
        .then(|| i32::try_from(themes.len()).unwrap_or(i32::MAX));
    // Not yet read: the row says nothing of the priority actions, so a stored reading of them stands.
    let (count, themes) = if not_yet_read { (None, None) } else { (Some(count), Some(themes)) };
    let _ = area_name?;
    Some(InspectionRow {
        line: c.line,
        area: AreaRef::Code(gss.clone()),
        gss: Some(gss),
        dfe: dfe?,
        region: RegionRef::Ons(region?),
        framework,
        inspection_type,
        start,
        start_known,
        facts: InspectionFacts {
            end: Some(end?),
            published: Some(published?),
            outcome: Some(outcome?),
            priority_action_count: count,
            themes,
            ..InspectionFacts::default()
        },
        source_url: source_url?,
        report: None,
    })
}

/// A day as Ofsted's files write it: `dd/mm/yyyy`, or ISO `yyyy-mm-dd` (how a spreadsheet date cell reads).
fn ofsted_date(text: &str) -> Result<PartialDate, ParseError> {
    let t = text.trim();
    NaiveDate::parse_from_str(t, "%d/%m/%Y")
        .or_else(|_| NaiveDate::parse_from_str(t, "%Y-%m-%d"))
        .map(|date| PartialDate { date, precision: DatePrecision::Day })
        .map_err(|_| ParseError::new("a date dd/mm/yyyy", text))
}

/// A count cell: a whole number, or empty / `NA` for none given.
fn count(text: &str) -> Result<Option<i32>, ParseError> {
    let t = text.trim();
    if t.is_empty() || t.eq_ignore_ascii_case("na") {
        return Ok(None);
    }
    t.parse::<i32>()
        .ok()
        .filter(|n| *n >= 0)
        .map(Some)
        .ok_or_else(|| ParseError::new("a whole number (or empty)", text))
}

/// A cell that must be `Yes` or `No`.
fn yes_no(text: &str) -> Result<bool, ParseError> {
    match text.trim().to_ascii_lowercase().as_str() {
        "yes" => Ok(true),
        "no" => Ok(false),
        _ => Err(ParseError::new("Yes or No", text)),
    }
}

/// A row of the 2016-framework official statistics: the full inspection, and the revisit when there was one.
fn official_2016_rows(c: &mut Cells<'_>, file: &str) -> Vec<InspectionRow> {
    let gss = c.required("local authority code", |t| GssCode::parse(t, GssKind::LocalArea));
    let region = c.text("ofsted region", "an Ofsted region name");
    let start = c.required("inspection start date", ofsted_date);
    let published = c.optional("inspection publication date", ofsted_date);
    let wsoa = c.required("inspection outcome written statement of action required", yes_no);
    let weaknesses = c.required("number significant weaknesses identified in written statement of action", count);
    let revisit_raw = c.raw("revisit start date").to_owned();
    let not_revisited = revisit_raw.is_empty() || revisit_raw.eq_ignore_ascii_case("not revisited yet");
    let revisit_start =
        if not_revisited { Some(None) } else { c.required("revisit start date", ofsted_date).map(Some) };
    let revisit_published = c.optional("revisit publication date", ofsted_date);
    let revisit_outcome =
        c.optional("revisit outcome sufficient progress in addressing all significant weaknesses", |t| {
            match t.trim().to_ascii_lowercase().as_str() {
                "yes" => Ok(Outcome::AllWeaknessesAddressed),
                "some" => Ok(Outcome::SomeWeaknessesAddressed),
                "no" => Ok(Outcome::NoWeaknessesAddressed),
                _ => Err(ParseError::new("Yes, Some or No", t)),
            }
        });
    let made = c.required("number significant weaknesses where sufficient progress has been made", count);
    let not_made = c.required("number significant weaknesses where sufficient progress has not been made", count);
    if let (Some(false), Some(Some(n))) = (wsoa, weaknesses)
        && n > 0
    {
        c.problem(
            "number significant weaknesses identified in written statement of action",
            format!("expected no count when no written statement of action was required, found {n}"),
        );
    }
    if let (Some(false), Some(Some(_))) = (wsoa, revisit_start) {
        c.problem(
            "revisit start date",
            "expected no revisit when no written statement of action was required, found a date",
        );
    }
    let (Some(gss), Some(region), Some(start), Some(published), Some(wsoa), Some(weaknesses)) =
        (gss, region, start, published, wsoa, weaknesses)
    else {
        return Vec::new();
    };
    let mut out = vec![InspectionRow {
        line: c.line,
        area: AreaRef::Code(gss.clone()),
        gss: Some(gss.clone()),
        dfe: None,
        region: RegionRef::Ofsted(region.clone()),
        framework: Framework::F2016,
        inspection_type: InspectionType::Full,
        start,
        start_known: true,
        facts: InspectionFacts {
            published: Some(published),
            outcome: Some(Some(if wsoa { Outcome::WsoaRequired } else { Outcome::WsoaNotRequired })),
            significant_weaknesses: if wsoa { Some(weaknesses) } else { None },
            ..InspectionFacts::default()
        },
        source_url: file.to_owned(),
        report: None,
    }];
    if let (Some(Some(revisit)), Some(revisit_published), Some(revisit_outcome), Some(made), Some(not_made)) =
        (revisit_start, revisit_published, revisit_outcome, made, not_made)
    {
        out.push(InspectionRow {
            line: c.line,
            area: AreaRef::Code(gss.clone()),
            gss: Some(gss),
            dfe: None,
            region: RegionRef::Ofsted(region),
            framework: Framework::F2016,
            inspection_type: InspectionType::Revisit,
            start: revisit,
            start_known: true,
            facts: InspectionFacts {
                published: Some(revisit_published),
                outcome: Some(revisit_outcome),
                weaknesses_progress_made: Some(made),
                weaknesses_progress_not_made: Some(not_made),
                ..InspectionFacts::default()
            },
            source_url: file.to_owned(),
            report: None,
        });
    }
    out
}

/// A row of the 2023-framework management information (or official statistics of the same layout).
fn mi_2023_row(c: &mut Cells<'_>, file: &str) -> Option<InspectionRow> {
    let name = c.text("local area partnership", "the local area partnership's name");
    let region = c.text("ofsted region", "an Ofsted region name");
    let start = c.required("inspection start date", ofsted_date);
    let published = c.optional("inspection publication date", ofsted_date);
    let outcome = c.required("inspection outcome", |t| {
        let n = crate::catalog::normalise_name(t);
        if n.starts_with("typically positive") {
            Ok(Outcome::TypicallyPositive)
        } else if n.starts_with("inconsistent") {
            Ok(Outcome::Inconsistent)
        } else if n.starts_with("widespread and or systemic failings") {
            Ok(Outcome::WidespreadSystemicFailings)
        } else {
            Err(ParseError::new(
                "one of \"Typically positive experiences and outcomes\", \"Inconsistent experiences and outcomes\", \"Widespread and/or systemic failings\"",
                t,
            ))
        }
    });
    let plan = c.required("priority action plan required", yes_no);
    let actions = c.required("number of areas for priority action", count);
    if let (Some(o), Some(plan)) = (outcome, plan)
        && plan != (o == Outcome::WidespreadSystemicFailings)
    {
        c.problem(
            "priority action plan required",
            format!(
                "expected {} for the outcome {:?}, found {}",
                if plan { "No" } else { "Yes" },
                o.code(),
                if plan { "Yes" } else { "No" }
            ),
        );
    }
    let outcome = outcome?;
    // Blank (or NA) means none for outcomes without areas for priority action; for systemic failings, not given.
    let count = match actions? {
        Some(n) => Some(Some(n)),
        None if outcome != Outcome::WidespreadSystemicFailings => Some(Some(0)),
        None => None,
    };
    Some(InspectionRow {
        line: c.line,
        area: AreaRef::Name(name?),
        gss: None,
        dfe: None,
        region: RegionRef::Ofsted(region?),
        framework: Framework::F2023,
        inspection_type: InspectionType::Full,
        start: start?,
        start_known: true,
        facts: InspectionFacts {
            published: Some(published?),
            outcome: Some(Some(outcome)),
            priority_action_count: count,
            ..InspectionFacts::default()
        },
        source_url: file.to_owned(),
        report: None,
    })
}

fn visit_row(c: &mut Cells<'_>) -> Option<VisitRow> {
    let year = c.required("year", |t| {
        t.trim()
            .parse::<i32>()
            .ok()
            .filter(|y| (2016..=2100).contains(y))
            .ok_or_else(|| ParseError::new("a year such as 2024", t))
    });
    let theme = c.required("theme", VisitTheme::parse);
    let gss = c.optional("la_code_gss", |t| GssCode::parse(t, GssKind::LocalArea));
    let label = c.optional_text("label");
    let pathways = c.list("pathways", ';', Pathway::parse);
    let start = c.optional("visit_start", PartialDate::parse);
    let end = c.optional("visit_end", PartialDate::parse);
    let report_title = c.text("report_title", "the national report's title");
    let report_published = c.optional("report_published", iso_day);
    let report_url = c.optional("report_url", url);
    let source = c.text("source", "where the facts were read");
    if matches!(gss, Some(None)) && label.is_none() {
        c.problem(
            "label",
            "expected a label for a visit whose area is not named (la_code_gss is empty), found an empty cell",
        );
        return None;
    }
    Some(VisitRow {
        line: c.line,
        year: year?,
        theme: theme?,
        gss: gss?,
        label,
        pathways: pathways?,
        start: start?,
        end: end?,
        report_title: report_title?,
        report_published: report_published?,
        report_url: report_url?,
        source: source?,
    })
}

/// Natural keys must be unique within a file: a second row with the same key is a problem naming the first.
fn check_duplicates(file: &str, rows: &Rows, problems: &mut Vec<Problem>) {
    let keys: Vec<(u64, String, &'static str)> = match rows {
        Rows::Regions(v) => v.iter().map(|r| (r.line, r.code.to_string(), "region_code")).collect(),
        Rows::Icbs(v) => v.iter().map(|r| (r.line, r.code.to_string(), "icb_code")).collect(),
        Rows::LocalAreas(v) => v.iter().map(|r| (r.line, r.gss.to_string(), "la_code_gss")).collect(),
        Rows::Lineage(v) => v
            .iter()
            .map(|r| (r.line, format!("{} -> {}", r.predecessor_gss, r.successor_gss), "successor_gss"))
            .collect(),
        Rows::Aliases(v) => v.iter().map(|r| (r.line, crate::catalog::normalise_name(&r.alias), "alias")).collect(),
        Rows::Inspections(v) => v
            .iter()
            .map(|r| {
                let area = match &r.area {
                    AreaRef::Code(code) => code.to_string(),
                    AreaRef::Name(name) => crate::catalog::normalise_name(name),
                    AreaRef::Codes { dfe, .. } => format!("DfE {}", dfe.as_str()),
                };
                let key = format!("{area} {} {} {}", r.framework, r.inspection_type.code(), r.start);
                (r.line, key, "inspection_start")
            })
            .collect(),
        Rows::ReportLinks(v) => {
            v.iter().map(|r| (r.line, format!("{} {}", r.dfe.as_str(), r.published), "published")).collect()
        }
        Rows::ThematicVisits(v) => v
            .iter()
            .map(|r| {
                let who = r.gss.as_ref().map_or_else(|| r.label.clone().unwrap_or_default(), ToString::to_string);
                (r.line, format!("{} {} {who}", r.year, r.theme), "la_code_gss")
            })
            .collect(),
    };
    let mut seen: HashMap<String, u64> = HashMap::new();
    for (line, key, column) in keys {
        if let Some(first) = seen.get(&key) {
            problems.push(Problem {
                file: file.to_owned(),
                line,
                column: column.to_owned(),
                message: format!("expected a unique record, found a duplicate of line {first} (key {key})"),
            });
        } else {
            seen.insert(key, line);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Layout;

    #[test]
    fn files_sort_into_the_load_order() {
        let mut sorted = Layout::LOAD_ORDER;
        sorted.sort();
        assert_eq!(sorted, Layout::LOAD_ORDER, "the variants are declared in load order");
    }
}
