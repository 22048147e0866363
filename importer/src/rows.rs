//! The layouts a file may be read as, the typed rows each parses into, and the parsed file that carries them to the
//! check and write stages. What each layout is and how its files are read is declared in `crate::layout`
//! (`Layout::spec`); the readers (`crate::layout`), the checks (`crate::catalog`) and the writes (`crate::load`) all
//! meet here, and so this module imports none of them.

use chrono::NaiveDate;
use send_model::domain::{
    AreaCode, DfeCode, Framework, GssCode, InspectionType, OfstedUrn, Outcome, PartialDate, Pathway, Theme, VisitTheme,
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
    /// The Data to Insight weekly summary page (HTML), read by [`crate::d2i`]: each local authority's latest
    /// 2023-framework full inspection.
    Summary,
    /// `thematic_visits.csv`: thematic visits.
    ThematicVisits,
    /// Data to Insight's lookup of local authorities (`d2i_provider_data_lookup.csv`): each area's statistical
    /// neighbours and population aged 0 to 25. It names only areas, so it could load right after them; it loads
    /// last, so that the import runs of the files before it are numbered as they were before it was bundled.
    StatisticalNeighbours,
}

impl Layout {
    /// Every layout, in the order their files are loaded (each may refer to those before it): the order of the
    /// variants, which files are sorted by.
    pub const LOAD_ORDER: [Layout; 13] = [
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
        Layout::StatisticalNeighbours,
    ];
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
    pub priority_actions: Vec<ReportAction>,
    /// The areas for improvement, in report order.
    pub areas_for_improvement: Vec<ReportAction>,
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

/// One set of an area's statistical neighbours as a row gives it, in rank order (most alike first).
#[derive(Debug, Clone, Default)]
pub struct NeighbourList {
    /// The column the codes were read from, which problems name.
    pub column: &'static str,
    /// The codes as given (GSS or DfE codes).
    pub codes: Vec<AreaCode>,
    /// The areas they name (GSS codes), in the same order: filled when the file is checked.
    pub areas: Vec<GssCode>,
}

/// A row of Data to Insight's lookup of local authorities: an area's statistical neighbours and population.
#[derive(Debug, Clone)]
pub struct NeighboursRow {
    /// Line in the file.
    pub line: u64,
    /// The area, by the code the row gives for it: its GSS code (`la_code_new`), else its DfE code (`la_code`).
    pub area: AreaCode,
    /// The DfE code (`la_code`) beside a GSS code, checked to be the area's.
    pub dfe: Option<DfeCode>,
    /// The area's GSS code: given, or resolved from its DfE code when the file is checked.
    pub gss: Option<GssCode>,
    /// The current set: by GSS code (`stat_neighbours_la_code`), else by DfE code (`stat_neighbours`).
    pub current: NeighbourList,
    /// The current set by DfE code (`stat_neighbours`) when it was read by GSS code: checked to name the same areas
    /// in the same order.
    pub current_by_dfe: NeighbourList,
    /// The previous set (`stat_neighbours_previous`, DfE codes only).
    pub previous: NeighbourList,
    /// Residents aged 0 to 25 (`ons_population_0-25`); the check leaves it out when it is another area's figure.
    pub population: Option<i32>,
    /// The area the population figure is ONS's for (`ltla23_ons`), when the row says.
    pub population_of: Option<GssCode>,
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
    /// Statistical neighbours and populations.
    StatisticalNeighbours(Vec<NeighboursRow>),
}

/// A row type and the [`Rows`] variant that holds it, so that a table's rows are collected by one generic reader
/// (see `TableRows::read`).
pub trait Row: Sized {
    /// The rows of a file, all of this type.
    fn into_rows(rows: Vec<Self>) -> Rows;
}

macro_rules! rows_of {
    ($($row:ty => $variant:ident),* $(,)?) => {
        $(impl Row for $row {
            fn into_rows(rows: Vec<Self>) -> Rows {
                Rows::$variant(rows)
            }
        })*
    };
}

rows_of! {
    RegionRow => Regions,
    IcbRow => Icbs,
    AreaRow => LocalAreas,
    LineageRow => Lineage,
    AliasRow => Aliases,
    InspectionRow => Inspections,
    ReportLinkRow => ReportLinks,
    VisitRow => ThematicVisits,
    NeighboursRow => StatisticalNeighbours,
}

/// A source parsed into typed rows.
#[derive(Debug, Clone)]
pub struct ParsedFile {
    /// The bytes and their name.
    pub source: SourceFile,
    /// The layout it was read as.
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

/// What reading a source gives: its rows (`None` when the file as a whole cannot be read) and every problem found.
pub type Parsed = (Option<ParsedFile>, Vec<Problem>);

/// One area for priority action or for improvement, as the report words it, with its theme.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ReportAction {
    /// The text of the action, its lines joined.
    pub text: String,
    /// The theme label (one of the ten of [`Theme`], written as in `data/README.md`); `None` when no rule matched.
    #[serde(serialize_with = "serialize_theme")]
    pub theme: Option<Theme>,
    /// The words and phrases of the text that decided the theme (see [`crate::pdf::taxonomy`]), in text order.
    pub evidence: Vec<String>,
}

fn serialize_theme<S: serde::Serializer>(theme: &Option<Theme>, s: S) -> Result<S::Ok, S::Error> {
    match theme {
        Some(theme) => s.serialize_some(theme.code()),
        None => s.serialize_none(),
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
