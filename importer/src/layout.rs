//! The curated CSV layouts of `data/`, told apart by their headers, and the typed rows each parses into.
//!
//! Columns are matched by name (surrounding space and case ignored), in any order; extra columns are ignored and
//! reported once as a warning; a missing column is a problem on line 1.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use send_model::domain::{
    DfeCode, Framework, GssCode, GssKind, InspectionType, OfstedUrn, Outcome, ParseError, PartialDate, Pathway, Theme,
    VisitTheme,
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
    /// `ofsted_report_links.csv`: report URLs and Ofsted URNs.
    ReportLinks,
    /// `thematic_visits.csv`: thematic visits.
    ThematicVisits,
}

impl Layout {
    /// Every layout, in the order their files are loaded (each may refer to those before it).
    pub const LOAD_ORDER: [Layout; 8] = [
        Layout::Regions,
        Layout::Icbs,
        Layout::LocalAreas,
        Layout::Lineage,
        Layout::Aliases,
        Layout::Inspections,
        Layout::ReportLinks,
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
            Layout::ReportLinks => "curated-csv/ofsted_report_links",
            Layout::ThematicVisits => "curated-csv/thematic_visits",
        }
    }

    /// The columns of the layout, in their published order.
    pub fn columns(self) -> &'static [&'static str] {
        match self {
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

/// `inspections.csv` row.
#[derive(Debug, Clone)]
pub struct InspectionRow {
    /// Line in the file.
    pub line: u64,
    /// Area name as the source writes it.
    pub area_name: String,
    /// GSS code of the area at the time.
    pub gss: GssCode,
    /// DfE code.
    pub dfe: Option<DfeCode>,
    /// ONS region name.
    pub region: String,
    /// Framework.
    pub framework: Framework,
    /// Type.
    pub inspection_type: InspectionType,
    /// Start.
    pub start: PartialDate,
    /// End.
    pub end: Option<PartialDate>,
    /// Publication.
    pub published: Option<PartialDate>,
    /// Outcome, when published.
    pub outcome: Option<Outcome>,
    /// One theme per area for priority action, in report order.
    pub themes: Vec<Theme>,
    /// Where the row was read.
    pub source_url: String,
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
}

/// Reads one row's cells, recording a [`Problem`] for each one that does not parse.
struct Cells<'a> {
    file: &'a str,
    line: u64,
    record: &'a csv::StringRecord,
    columns: &'a HashMap<&'static str, usize>,
    problems: &'a mut Vec<Problem>,
}

impl Cells<'_> {
    fn raw(&self, column: &str) -> &str {
        self.columns.get(column).and_then(|&i| self.record.get(i)).unwrap_or("").trim()
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
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| ParseError::new("an ISO date yyyy-mm-dd", text))
}

fn url(text: &str) -> Result<String, ParseError> {
    let t = text.trim();
    if (t.starts_with("https://") || t.starts_with("http://")) && !t.contains(char::is_whitespace) {
        Ok(t.to_owned())
    } else {
        Err(ParseError::new("an http(s) URL", text))
    }
}

fn normalise_header(h: &str) -> String {
    h.trim().trim_start_matches('\u{feff}').to_ascii_lowercase()
}

/// Chooses the layout whose columns best match `header`: the one with most of its columns present, if at least half.
fn detect(header: &[String]) -> Option<Layout> {
    let present: HashSet<&str> = header.iter().map(String::as_str).collect();
    Layout::LOAD_ORDER
        .iter()
        .map(|&layout| {
            let cols = layout.columns();
            let hits = cols.iter().filter(|c| present.contains(*c)).count();
            (layout, hits, cols.len())
        })
        .filter(|&(_, hits, len)| hits * 2 >= len && hits > 0)
        .max_by(|a, b| (a.1 * b.2).cmp(&(b.1 * a.2)).then(a.1.cmp(&b.1)))
        .map(|(layout, _, _)| layout)
}

/// Parses a curated CSV into typed rows, listing every problem in it. The rows that parsed are returned even when
/// others did not (so that their references can be checked too, and every problem reported at once); `None` when
/// the file as a whole cannot be read (not text, no known header, a missing column).
pub fn parse(source: SourceFile) -> (Option<ParsedFile>, Vec<Problem>) {
    let file = source.name.clone();
    let at = |line: u64, column: &str, message: String| Problem {
        file: file.clone(),
        line,
        column: column.to_owned(),
        message,
    };
    let text = match std::str::from_utf8(&source.bytes) {
        Ok(t) => t,
        Err(e) => {
            return (
                None,
                vec![at(
                    1,
                    "file",
                    format!("expected UTF-8 text (a CSV file), found invalid bytes at offset {}", e.valid_up_to()),
                )],
            );
        }
    };
    let mut reader = csv::ReaderBuilder::new().has_headers(true).flexible(true).from_reader(text.as_bytes());
    let header: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(normalise_header).collect(),
        Err(e) => {
            return (None, vec![at(1, "header", format!("expected a CSV header row, found unreadable text ({e})"))]);
        }
    };
    let Some(layout) = detect(&header) else {
        let known: Vec<String> = Layout::LOAD_ORDER.iter().map(|l| l.columns().join(",")).collect();
        return (
            None,
            vec![at(
                1,
                "header",
                format!(
                    "expected the header of a known layout (one of: {}), found {:?}",
                    known.join(" | "),
                    header.join(",")
                ),
            )],
        );
    };

    let mut problems = Vec::new();
    let mut columns = HashMap::new();
    for &col in layout.columns() {
        match header.iter().position(|h| h == col) {
            Some(i) => {
                columns.insert(col, i);
            }
            None => problems.push(at(
                1,
                col,
                format!("expected a column named {col:?} ({} layout), found no such column", layout.name()),
            )),
        }
    }
    if !problems.is_empty() {
        return (None, problems);
    }
    let extra: Vec<&String> = header.iter().filter(|h| !layout.columns().contains(&h.as_str())).collect();
    let mut warnings = Vec::new();
    if !extra.is_empty() {
        warnings.push(format!("{file}: ignored column(s) not in the {} layout: {extra:?}", layout.name()));
    }

    let mut rows = match layout {
        Layout::Regions => Rows::Regions(Vec::new()),
        Layout::Icbs => Rows::Icbs(Vec::new()),
        Layout::LocalAreas => Rows::LocalAreas(Vec::new()),
        Layout::Lineage => Rows::Lineage(Vec::new()),
        Layout::Aliases => Rows::Aliases(Vec::new()),
        Layout::Inspections => Rows::Inspections(Vec::new()),
        Layout::ReportLinks => Rows::ReportLinks(Vec::new()),
        Layout::ThematicVisits => Rows::ThematicVisits(Vec::new()),
    };
    let mut rows_read = 0;
    for result in reader.records() {
        let record = match result {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                problems.push(at(line, "row", format!("expected a CSV record, found unreadable text ({e})")));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        rows_read += 1;
        if record.len() != header.len() {
            problems.push(at(
                line,
                "row",
                format!("expected {} cells as in the header, found {}", header.len(), record.len()),
            ));
            continue;
        }
        let mut cells = Cells { file: &file, line, record: &record, columns: &columns, problems: &mut problems };
        match &mut rows {
            Rows::Regions(v) => v.extend(region_row(&mut cells)),
            Rows::Icbs(v) => v.extend(icb_row(&mut cells)),
            Rows::LocalAreas(v) => v.extend(area_row(&mut cells)),
            Rows::Lineage(v) => v.extend(lineage_row(&mut cells)),
            Rows::Aliases(v) => v.extend(alias_row(&mut cells)),
            Rows::Inspections(v) => v.extend(inspection_row(&mut cells)),
            Rows::ReportLinks(v) => v.extend(report_link_row(&mut cells)),
            Rows::ThematicVisits(v) => v.extend(visit_row(&mut cells)),
        }
    }
    check_duplicates(&file, &rows, &mut problems);
    (Some(ParsedFile { source, layout, rows_read, rows, warnings }), problems)
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
    let start = c.required("inspection_start", PartialDate::parse);
    let end = c.optional("inspection_end", PartialDate::parse);
    let published = c.optional("published", PartialDate::parse);
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
    if let (Some(o), Some(themes)) = (outcome, &themes) {
        let systemic = o == Some(Outcome::WidespreadSystemicFailings);
        if systemic && themes.is_empty() {
            c.problem(
                "priority_actions",
                "expected one theme per area for priority action (a widespread/systemic failings outcome has at least one), found an empty cell",
            );
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
    Some(InspectionRow {
        line: c.line,
        area_name: area_name?,
        gss: gss?,
        dfe: dfe?,
        region: region?,
        framework: framework?,
        inspection_type: inspection_type?,
        start: start?,
        end: end?,
        published: published?,
        outcome: outcome?,
        themes: themes?,
        source_url: source_url?,
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
                let key = format!("{} {} {} {}", r.gss, r.framework, r.inspection_type.code(), r.start);
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
