//! The layouts the importer reads and how each is read. A layout's name, kind of source, columns and reader are
//! declared once, on [`Layout::spec`]: adding a source is its variant, its arm there, and the module that reads it.
//!
//! Tabular layouts (our curated CSVs of `data/`, Ofsted's official statistics and management information) are told
//! apart by their headers and read by stage, each a module: `table` reads a file's bytes into tables (read),
//! `detect` tells a table's layout by its header (detect), `curated` and `ofsted` read each row through `cells` into
//! the typed rows of `crate::rows` (rows), and `duplicates` checks natural keys within the file (check). Report PDFs
//! and the Data to Insight summary are told by their content and read whole into the same rows: `report` through the
//! extractor of `crate::pdf`, `d2i` through the page reader of `crate::d2i` (those modules read their formats
//! and know nothing of layouts). References across files are `crate::catalog`'s, the writes `crate::load`'s.
//!
//! Columns are matched by name (surrounding space and case ignored), in any order; extra columns are ignored and
//! reported once as a warning; a missing column is a problem on line 1.

use std::collections::HashMap;
use std::sync::OnceLock;

use send_model::domain::SourceKind;

use crate::catalog::Catalog;
use crate::error::{ImportError, Problem};
use crate::options::ReportOptions;
use crate::pdf::Extractor;
// The layouts are listed beside the rows they are read into (`crate::rows`, which every stage shares) and specified
// here, where their readers are; `layout::Layout` is the name users of the crate know them by.
pub use crate::rows::Layout;
use crate::rows::{Parsed, ParsedFile, Row, Rows};
use crate::source::SourceFile;

mod cells;
mod curated;
mod d2i;
mod detect;
mod duplicates;
mod neighbours;
mod ofsted;
mod report;
mod table;

use cells::Cells;
use detect::detect;
pub use detect::normalise_header;
use duplicates::check_duplicates;
pub use table::Table;
use table::{Content, content, csv_table, is_html, workbook_tables};

/// What the importer knows of a layout (see [`Layout::spec`]).
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    /// The name recorded as the import run's format.
    pub name: &'static str,
    /// The kind of source its files are, for the precedence rule.
    pub kind: SourceKind,
    /// The required columns, by normalised name, in their published order (none for a PDF or a page).
    pub columns: &'static [&'static str],
    /// Columns read when present.
    pub optional_columns: &'static [&'static str],
    /// How its files are told apart and read.
    pub reader: Reader,
}

/// How a layout's files are told apart and read into rows.
#[derive(Debug, Clone, Copy)]
pub enum Reader {
    /// A table, told by its header (the layout's columns), whose data rows the function reads (see [`TableRows`]).
    Table(fn(&mut TableRows<'_>) -> Rows),
    /// A file told by its content (`claims`, asked before any table is looked for) and read whole.
    File {
        /// Whether the bytes are this layout's to read.
        claims: fn(&[u8]) -> bool,
        /// Reads the file into rows.
        read: fn(SourceFile, &ReportOptions) -> Parsed,
    },
}

impl Layout {
    /// Everything the importer knows of the layout, declared here once: a new layout is a variant, its arm here,
    /// and the module that reads its rows.
    pub fn spec(self) -> Spec {
        match self {
            Layout::Regions => Spec {
                name: "curated-csv/regions",
                kind: SourceKind::Curated,
                columns: &["region_code", "region_name", "ofsted_region"],
                optional_columns: &[],
                reader: Reader::Table(|t| t.read(|c, _| curated::region_row(c))),
            },
            Layout::Icbs => Spec {
                name: "curated-csv/icbs",
                kind: SourceKind::Curated,
                columns: &["icb_code", "icb_name"],
                optional_columns: &[],
                reader: Reader::Table(|t| t.read(|c, _| curated::icb_row(c))),
            },
            Layout::LocalAreas => Spec {
                name: "curated-csv/local_areas",
                kind: SourceKind::Curated,
                columns: &["la_code_gss", "la_code_dfe", "name", "region", "icb_codes"],
                optional_columns: &[],
                reader: Reader::Table(|t| t.read(|c, _| curated::area_row(c))),
            },
            Layout::Lineage => Spec {
                name: "curated-csv/area_lineage",
                kind: SourceKind::Curated,
                columns: &[
                    "predecessor_gss",
                    "predecessor_dfe",
                    "predecessor_name",
                    "successor_gss",
                    "successor_dfe",
                    "successor_name",
                    "effective",
                ],
                optional_columns: &[],
                reader: Reader::Table(|t| t.read(|c, _| curated::lineage_row(c))),
            },
            Layout::Aliases => Spec {
                name: "curated-csv/area_aliases",
                kind: SourceKind::Curated,
                columns: &["alias", "la_code_gss", "publisher"],
                optional_columns: &[],
                reader: Reader::Table(|t| t.read(|c, _| curated::alias_row(c))),
            },
            Layout::Inspections => Spec {
                name: "curated-csv/inspections",
                kind: SourceKind::Curated,
                columns: &[
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
                optional_columns: &[],
                reader: Reader::Table(|t| t.read(|c, _| curated::inspection_row(c))),
            },
            Layout::Official2016 => Spec {
                name: "ofsted-official-statistics-2016-framework",
                kind: SourceKind::OfficialStatistics,
                columns: &[
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
                optional_columns: &["web link to ofsted local authority webpage", "area name"],
                reader: Reader::Table(|t| t.read(ofsted::official_2016_rows)),
            },
            Layout::ManagementInformation2023 => Spec {
                name: "ofsted-management-information-2023-framework",
                kind: SourceKind::ManagementInformation,
                columns: &[
                    "local area partnership",
                    "ofsted region",
                    "inspection start date",
                    "inspection publication date",
                    "inspection outcome",
                    "priority action plan required",
                ],
                optional_columns: &[
                    "link to report webpage for the local authority and local area partnership",
                    "number of areas for priority action",
                ],
                reader: Reader::Table(|t| t.read(ofsted::mi_2023_row)),
            },
            // A PDF has no header row: it is told apart by its content, never by `detect`.
            Layout::Report => Spec {
                name: "ofsted-report-pdf",
                kind: SourceKind::Report,
                columns: &[],
                optional_columns: &[],
                reader: Reader::File { claims: report::is_pdf, read: read_report },
            },
            Layout::ReportLinks => Spec {
                name: "curated-csv/ofsted_report_links",
                kind: SourceKind::Curated,
                columns: &["area_name", "la_code_dfe", "ofsted_urn", "published", "report_url", "source_url"],
                optional_columns: &[],
                reader: Reader::Table(|t| t.read(|c, _| curated::report_link_row(c))),
            },
            // An HTML page has no header row: any page is the summary reader's, which refuses other pages by name.
            Layout::Summary => Spec {
                name: "d2i-summary",
                kind: SourceKind::Summary,
                columns: &[],
                optional_columns: &[],
                reader: Reader::File { claims: is_html, read: d2i::read },
            },
            Layout::ThematicVisits => Spec {
                name: "curated-csv/thematic_visits",
                kind: SourceKind::Curated,
                columns: &[
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
                optional_columns: &[],
                reader: Reader::Table(|t| t.read(|c, _| curated::visit_row(c))),
            },
            // Data to Insight's lookup, not ours: a row may end before its last cells.
            Layout::StatisticalNeighbours => Spec {
                name: "d2i-provider-data-lookup",
                kind: SourceKind::Summary,
                columns: &[
                    "la_code",
                    "la_code_new",
                    "stat_neighbours",
                    "stat_neighbours_la_code",
                    "stat_neighbours_previous",
                    neighbours::POPULATION,
                ],
                optional_columns: &["ltla23_ons"],
                reader: Reader::Table(|t| t.read(|c, _| neighbours::neighbours_row(c))),
            },
        }
    }

    /// The name recorded as the import run's format.
    pub fn name(self) -> &'static str {
        self.spec().name
    }

    /// The kind of source files of this layout are, for the precedence rule.
    pub fn source_kind(self) -> SourceKind {
        self.spec().kind
    }

    /// Columns that may be present and are read when they are, but are not required.
    pub fn optional_columns(self) -> &'static [&'static str] {
        self.spec().optional_columns
    }

    /// The required columns of the layout, by normalised name (see [`normalise_header`]), in their published order.
    pub fn columns(self) -> &'static [&'static str] {
        self.spec().columns
    }
}

/// Reads a source of any layout: a file told by its content (a report PDF, the summary page) by its own reader,
/// anything else as a table (see [`parse`]).
pub fn read(source: SourceFile, options: &ReportOptions) -> Parsed {
    let whole = Layout::LOAD_ORDER.iter().find_map(|layout| match layout.spec().reader {
        Reader::File { claims, read } if claims(&source.bytes) => Some(read),
        _ => None,
    });
    match whole {
        Some(read) => read(source, options),
        None => parse(source),
    }
}

/// A table's data rows as a layout's reader sees them (see [`Reader::Table`]).
pub struct TableRows<'a> {
    table: &'a Table,
    /// How problems name the table.
    name: &'a str,
    /// The file's name, for the rows that record where they were read.
    file: &'a str,
    columns: &'a HashMap<String, usize>,
    /// Our own files must have every cell of the header on every row; published files may trail empty cells off.
    curated: bool,
    problems: &'a mut Vec<Problem>,
    rows_read: usize,
}

impl TableRows<'_> {
    /// Reads every data row that is not blank with `row` (given the row's cells and the file's name), which gives the
    /// row's typed rows (none when its cells did not parse, and the problems say why).
    fn read<T: Row, I: IntoIterator<Item = T>>(&mut self, row: impl Fn(&mut Cells<'_>, &str) -> I) -> Rows {
        let mut rows = Vec::new();
        for (line, record) in &self.table.rows {
            if record.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            self.rows_read += 1;
            if self.curated && record.len() != self.table.header.len() {
                self.problems.push(Problem {
                    file: self.name.to_owned(),
                    line: *line,
                    column: "row".to_owned(),
                    message: format!(
                        "expected {} cells as in the header, found {}",
                        self.table.header.len(),
                        record.len()
                    ),
                });
                continue;
            }
            let mut cells =
                Cells { file: self.name, line: *line, record, columns: self.columns, problems: self.problems };
            rows.extend(row(&mut cells, self.file));
        }
        T::into_rows(rows)
    }
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
        Ok(Content::Workbook) => match workbook_tables(&source, &at) {
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

    let Reader::Table(read_rows) = layout.spec().reader else {
        // `detect` tells only tabular layouts (a layout read whole has no columns to match).
        return (None, vec![at(1, "header", format!("expected a table, found the {} layout", layout.name()))]);
    };
    let mut reading = TableRows {
        table,
        name: &table_name,
        file: &file,
        columns: &columns,
        curated: layout.source_kind() == SourceKind::Curated,
        problems: &mut problems,
        rows_read: 0,
    };
    let rows = read_rows(&mut reading);
    let rows_read = reading.rows_read;
    check_duplicates(&table_name, &rows, &mut problems);
    (Some(ParsedFile { source, layout, rows_read, rows, warnings, snapshot_at: None }), problems)
}

impl Extractor {
    /// An extractor over the reference data compiled into the binary (the files of `data/`).
    pub fn bundled() -> Result<Self, ImportError> {
        let wanted = [Layout::Regions, Layout::Icbs, Layout::LocalAreas, Layout::Lineage, Layout::Aliases];
        let reference = ["regions.csv", "icbs.csv", "local_areas.csv", "area_lineage.csv", "area_aliases.csv"];
        let mut parsed = Vec::new();
        let mut problems = Vec::new();
        for source in crate::source::bundled() {
            if !reference.iter().any(|name| source.name.ends_with(&format!("/{name}"))) {
                continue;
            }
            let (file, mut file_problems) = parse(source);
            problems.append(&mut file_problems);
            parsed.extend(file.filter(|f| wanted.contains(&f.layout)));
        }
        parsed.sort_by_key(|f| f.layout);
        let mut catalog = Catalog::default();
        problems.extend(catalog.check(&mut parsed));
        if !problems.is_empty() {
            return Err(ImportError::Invalid(problems));
        }
        Ok(Extractor::new(catalog, &parsed))
    }
}

/// The report reader of [`crate::layout::Layout::Report`]: reads a PDF into one inspection row with the extractor
/// over the bundled reference data, built once per process (it is the same for every report).
fn read_report(source: SourceFile, options: &ReportOptions) -> Parsed {
    static EXTRACTOR: OnceLock<Result<Extractor, String>> = OnceLock::new();
    match EXTRACTOR.get_or_init(|| Extractor::bundled().map_err(|e| e.to_string())) {
        Ok(extractor) => report::parse_report(extractor, source, options.published),
        // Only a binary built from invalid bundled data gets here; the report is refused, not read half-checked.
        Err(e) => {
            let message = format!("expected the bundled reference data to read reports by, found it invalid: {e}");
            (None, vec![Problem { file: source.name, line: 1, column: "report".to_owned(), message }])
        }
    }
}
