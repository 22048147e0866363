//! Reads an Ofsted/CQC area SEND inspection report (2023 framework, the PDF Ofsted publishes for each local area
//! partnership) into the facts it states: the area, the inspection dates, the previous inspection, the outcome,
//! the ICBs of the partnership, the areas for priority action (each coded into a theme, see [`taxonomy`]) and the
//! areas for improvement. Used by `send-import --extract`; nothing here touches a database.
//!
//! How each fact is found in the text (the layout every report shares):
//! - the area: the title "Area SEND inspection of X Local Area Partnership" on the first page (else the running
//!   footer "... inspection report: X Local Area Partnership", else the council named under "Information about the
//!   local area partnership"), resolved to its GSS code through the names and aliases of the bundled reference data
//!   (`data/local_areas.csv`, `data/area_aliases.csv`), compared by [`normalise_name`];
//! - the dates: the line "Inspection dates: ..." and "Date(s) of previous inspection: ..." (see [`dates`]); when the
//!   running footer of the pages gives a narrower range within the front page's, the footer's wins (Ofsted's
//!   statistics follow it where a front page counted from the start of the notice period);
//! - the outcome: the first of the three outcome sentences of the 2023 framework after "Inspection outcome"
//!   (monitoring inspections: "is / is not taking effective action");
//! - the ICBs: the ICB names of `data/icbs.csv` (without "NHS", followed by "Integrated Care Board" or "ICB")
//!   written under "Information about the local area partnership" (else under "Local area partnership details");
//! - the areas for priority action: the rows of the table headed "Responsible body | Areas for priority action",
//!   its columns told apart by position (see [`text`]); a row starts where both columns start a new paragraph;
//! - the areas for improvement: the paragraphs under the heading "Areas for improvement".
//!
//! Anything that is not such a report is refused with an [`ExtractError`] that names the file and what was
//! missing. The PDF library is never trusted not to panic: a panic is caught and reported as a damaged file.

pub mod bounds;
pub mod dates;
pub mod row;
pub mod taxonomy;
pub mod text;

use std::collections::HashMap;
use std::path::Path;

use chrono::NaiveDate;
use send_model::domain::{Framework, InspectionType, Outcome, Theme};

use crate::catalog::{Catalog, normalise_name};
use crate::error::ImportError;
use crate::layout::{Layout, Rows};
use text::{Line, Page};

/// One area for priority action or for improvement, as the report words it, with its theme.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Action {
    /// The text of the action, its lines joined.
    pub text: String,
    /// The theme label (one of the ten of [`Theme`], written as in `data/README.md`); `None` when no rule matched.
    #[serde(serialize_with = "serialize_theme")]
    pub theme: Option<Theme>,
    /// The words and phrases of the text that decided the theme (see [`taxonomy`]), in text order.
    pub evidence: Vec<String>,
}

/// What one report says, as printed by `send-import --extract`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ReportFacts {
    /// The path as given.
    pub file: String,
    /// The GSS code of the local area (e.g. `E10000029`).
    pub area_code: String,
    /// First day of the inspection.
    pub inspection_start: NaiveDate,
    /// Last day of the inspection (`None` if the report gives one day).
    pub inspection_end: Option<NaiveDate>,
    /// First day of the previous inspection (`None`: not previously inspected, or not stated).
    pub previous_inspection_start: Option<NaiveDate>,
    /// Last day of the previous inspection (`None` when the report gives a single day).
    pub previous_inspection_end: Option<NaiveDate>,
    /// The inspection framework: always `"2023"` (only 2023-framework reports are read).
    #[serde(serialize_with = "serialize_framework")]
    pub framework: Framework,
    /// `"full"` or `"monitoring"`.
    #[serde(serialize_with = "serialize_inspection_type")]
    pub inspection_type: InspectionType,
    /// The outcome, written as the GraphQL enum value (`TYPICALLY_POSITIVE`, `INCONSISTENT`,
    /// `WIDESPREAD_SYSTEMIC_FAILINGS`; monitoring: `EFFECTIVE_ACTION`, `NOT_EFFECTIVE_ACTION`).
    #[serde(serialize_with = "serialize_outcome")]
    pub outcome: Outcome,
    /// The GSS codes (`E54...`) of the ICBs of the partnership, in the order the report names them.
    pub icb_codes: Vec<String>,
    /// The areas for priority action, in report order.
    pub priority_actions: Vec<Action>,
    /// The areas for improvement, in report order.
    pub areas_for_improvement: Vec<Action>,
    /// The publication date. Always `None`: the text does not state it, and the PDF metadata only holds the date
    /// the file was made (0 to 3 days before publication in the reports seen), which is not the same fact.
    pub published: Option<NaiveDate>,
}

/// The outcome as the GraphQL API names it (the `Outcome` enum of `send-api`).
pub fn outcome_name(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::TypicallyPositive => "TYPICALLY_POSITIVE",
        Outcome::Inconsistent => "INCONSISTENT",
        Outcome::WidespreadSystemicFailings => "WIDESPREAD_SYSTEMIC_FAILINGS",
        Outcome::WsoaRequired => "WSOA_REQUIRED",
        Outcome::WsoaNotRequired => "WSOA_NOT_REQUIRED",
        Outcome::AllWeaknessesAddressed => "ALL_WEAKNESSES_ADDRESSED",
        Outcome::SomeWeaknessesAddressed => "SOME_WEAKNESSES_ADDRESSED",
        Outcome::NoWeaknessesAddressed => "NO_WEAKNESSES_ADDRESSED",
        Outcome::EffectiveAction => "EFFECTIVE_ACTION",
        Outcome::NotEffectiveAction => "NOT_EFFECTIVE_ACTION",
    }
}

fn serialize_outcome<S: serde::Serializer>(outcome: &Outcome, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(outcome_name(*outcome))
}

fn serialize_framework<S: serde::Serializer>(framework: &Framework, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(framework.code())
}

fn serialize_inspection_type<S: serde::Serializer>(t: &InspectionType, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(t.code())
}

fn serialize_theme<S: serde::Serializer>(theme: &Option<Theme>, s: S) -> Result<S::Ok, S::Error> {
    match theme {
        Some(theme) => s.serialize_some(theme.code()),
        None => s.serialize_none(),
    }
}

/// Why a file was not read as a report; every message starts with the file's name and says what was missing.
#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    /// The file could not be opened or read.
    #[error("{file}: cannot read the file: {error}")]
    Read {
        /// The path as given.
        file: String,
        /// The underlying error.
        error: std::io::Error,
    },
    /// The bytes are not a PDF.
    #[error("{file}: not a PDF: no %PDF- header at the start of the file (it begins {found:?})")]
    NotPdf {
        /// The path as given.
        file: String,
        /// The first bytes, as text.
        found: String,
    },
    /// The PDF stops before its end (an interrupted download).
    #[error("{file}: truncated PDF: no %%EOF end-of-file marker at the end of the file (an incomplete download?)")]
    Truncated {
        /// The path as given.
        file: String,
    },
    /// The PDF library could not read the file.
    #[error("{file}: damaged PDF: {reason}")]
    Damaged {
        /// The path as given.
        file: String,
        /// What the library said (or that it panicked).
        reason: String,
    },
    /// The PDF is past a limit of what a file may cost to read (see [`crate::limits`]).
    #[error("{file}: {reason}")]
    Limit {
        /// The path as given.
        file: String,
        /// The limit, and what was found past it.
        reason: String,
    },
    /// The PDF needs a password.
    #[error("{file}: encrypted PDF: no text can be read without its password")]
    Encrypted {
        /// The path as given.
        file: String,
    },
    /// The PDF has no text (scanned pages, images only).
    #[error("{file}: no text: the PDF has no text layer (an image-only or scanned document?)")]
    NoText {
        /// The path as given.
        file: String,
    },
    /// The text is not that of a 2023-framework area SEND inspection report.
    #[error("{file}: not an area SEND inspection report: {reason}")]
    NotAReport {
        /// The path as given.
        file: String,
        /// What was looked for and what was found instead.
        reason: String,
    },
    /// A fact every report states was not found.
    #[error("{file}: missing {what}")]
    Missing {
        /// The path as given.
        file: String,
        /// The fact, and where it was looked for.
        what: String,
    },
    /// The area the report names is not a known local area.
    #[error(
        "{file}: unknown area: {name:?} (from the report's title) is not a local area or alias in data/local_areas.csv or data/area_aliases.csv"
    )]
    UnknownArea {
        /// The path as given.
        file: String,
        /// The name as the report writes it.
        name: String,
    },
}

impl ExtractError {
    /// The file the error is about.
    pub fn file(&self) -> &str {
        match self {
            ExtractError::Read { file, .. }
            | ExtractError::NotPdf { file, .. }
            | ExtractError::Truncated { file }
            | ExtractError::Damaged { file, .. }
            | ExtractError::Limit { file, .. }
            | ExtractError::Encrypted { file }
            | ExtractError::NoText { file }
            | ExtractError::NotAReport { file, .. }
            | ExtractError::Missing { file, .. }
            | ExtractError::UnknownArea { file, .. } => file,
        }
    }
}

/// An ICB of the reference data, as its name is matched in a report.
#[derive(Debug, Clone)]
struct IcbName {
    code: String,
    /// The normalised name without "NHS" and "Integrated Care Board": `suffolk and north east essex`.
    core: String,
}

/// Reads reports against the bundled reference data (local areas, aliases, ICBs).
#[derive(Debug)]
pub struct Extractor {
    catalog: Catalog,
    icbs: Vec<IcbName>,
}

impl Extractor {
    /// An extractor over the reference data compiled into the binary (the files of `data/`).
    pub fn bundled() -> Result<Self, ImportError> {
        let wanted = [Layout::Regions, Layout::Icbs, Layout::LocalAreas, Layout::Lineage, Layout::Aliases];
        let reference = ["regions.csv", "icbs.csv", "local_areas.csv", "area_lineage.csv", "area_aliases.csv"];
        let mut parsed = Vec::new();
        let mut problems = Vec::new();
        for source in crate::bundled() {
            if !reference.iter().any(|name| source.name.ends_with(&format!("/{name}"))) {
                continue;
            }
            let (file, mut file_problems) = crate::layout::parse(source);
            problems.append(&mut file_problems);
            parsed.extend(file.filter(|f| wanted.contains(&f.layout)));
        }
        parsed.sort_by_key(|f| f.layout);
        let mut catalog = Catalog::default();
        problems.extend(catalog.check(&mut parsed));
        if !problems.is_empty() {
            return Err(ImportError::Invalid(problems));
        }
        let mut icbs = Vec::new();
        for file in &parsed {
            if let Rows::Icbs(rows) = &file.rows {
                for row in rows {
                    icbs.push(IcbName { code: row.code.to_string(), core: icb_core(&row.name) });
                }
            }
        }
        // Longest names first, so that a name inside another is never matched in its place.
        icbs.sort_by(|a, b| b.core.len().cmp(&a.core.len()).then(a.code.cmp(&b.code)));
        Ok(Self { catalog, icbs })
    }

    /// Reads the report at `path` (named in messages as given).
    pub fn extract_file(&self, path: &Path) -> Result<ReportFacts, ExtractError> {
        let file = path.display().to_string();
        let limit = crate::limits::MAX_FILE_BYTES;
        let bytes = crate::source::read_capped(path, limit)
            .map_err(|error| ExtractError::Read { file: file.clone(), error })?
            .ok_or_else(|| ExtractError::Limit {
                file: file.clone(),
                reason: format!("expected a file of at most {limit} bytes, found more"),
            })?;
        self.extract_bytes(&file, &bytes)
    }

    /// Reads a report from its bytes; `file` names it in the result and in messages.
    pub fn extract_bytes(&self, file: &str, bytes: &[u8]) -> Result<ReportFacts, ExtractError> {
        let pages = read_pdf(file, bytes)?;
        self.facts(file, &pages)
    }

    fn facts(&self, file: &str, pages: &[Page]) -> Result<ReportFacts, ExtractError> {
        let missing = |what: &str| ExtractError::Missing { file: file.to_owned(), what: what.to_owned() };
        let lines: Vec<&Line> = pages.iter().flat_map(|p| p.body.iter()).collect();
        let texts: Vec<String> = lines.iter().map(|l| l.text()).collect();
        let norms: Vec<String> = texts.iter().map(|t| normalise_name(t)).collect();
        let whole = norms.iter().filter(|n| !n.is_empty()).cloned().collect::<Vec<_>>().join(" ");

        let (title_name, inspection_type) = title(pages).ok_or_else(|| ExtractError::NotAReport {
            file: file.to_owned(),
            reason: not_a_report_reason(&whole, &texts),
        })?;
        let area_code = self
            .area_code(&title_name, pages, &lines, &norms)
            .ok_or_else(|| ExtractError::UnknownArea { file: file.to_owned(), name: title_name.clone() })?;

        let front = labelled_range(&texts, &norms, |n| n.contains("inspection date") && !n.contains("previous"))
            .ok_or_else(|| missing("the inspection dates (a line \"Inspection dates: ...\" with a date range)"))?;
        // A running footer with a narrower range within the front page's gives the days of fieldwork: it wins.
        let dates = footer_range(pages)
            .filter(|f| f.start >= front.start && f.end.is_some() && f.end <= front.end.or(Some(front.start)))
            .unwrap_or(front);
        let previous = labelled_range(&texts, &norms, |n| n.contains("of previous inspection"));

        let outcome = find_outcome(&whole, inspection_type).ok_or_else(|| {
            missing(match inspection_type {
                InspectionType::Monitoring => {
                    "the outcome (\"... is taking effective action\" or \"... is not taking effective action\")"
                }
                _ => {
                    "the inspection outcome (a sentence with \"typically lead to positive experiences and outcomes\", \"lead to inconsistent experiences and outcomes\" or \"widespread and/or systemic failings\")"
                }
            })
        })?;

        let icb_codes = self.icb_codes(&norms);

        let (actions, table_end) = priority_action_texts(&lines, &norms);
        let priority_actions: Vec<Action> = actions.iter().map(|t| classified(t)).collect();
        if outcome == Outcome::WidespreadSystemicFailings && priority_actions.is_empty() {
            return Err(missing(
                "the areas for priority action (a table headed \"Responsible body\" and \"Areas for priority action\"), which a report of widespread and/or systemic failings must have",
            ));
        }
        let areas_for_improvement =
            improvement_texts(&lines, &norms, table_end).iter().map(|t| classified(t)).collect();

        Ok(ReportFacts {
            file: file.to_owned(),
            area_code,
            inspection_start: dates.start,
            inspection_end: dates.end,
            previous_inspection_start: previous.map(|p| p.start),
            previous_inspection_end: previous.and_then(|p| p.end),
            framework: Framework::F2023,
            inspection_type,
            outcome,
            icb_codes,
            priority_actions,
            areas_for_improvement,
            published: None,
        })
    }

    /// The GSS code of the area: the title's name, else the running footer's, else the council's.
    fn area_code(&self, title_name: &str, pages: &[Page], lines: &[&Line], norms: &[String]) -> Option<String> {
        let mut names = vec![title_name.to_owned()];
        for page in pages {
            let footer = normalise_name(&page.footer.iter().map(|l| l.text()).collect::<Vec<_>>().join(" "));
            if let Some(name) = between(&footer, "inspection report ", " local area partnership") {
                names.push(name);
                break;
            }
        }
        if let Some(start) = norms.iter().position(|n| n.starts_with("information about the local area partnership")) {
            let paragraph = lines.iter().skip(start + 1).take(3).map(|l| l.text()).collect::<Vec<_>>().join(" ");
            if let Some(council) = paragraph.split(" Council").next().filter(|c| c.len() < paragraph.len()) {
                names.push(council.trim_start_matches("The ").trim_start_matches("the ").to_owned());
            }
        }
        names.iter().flat_map(|n| name_variants(n)).find_map(|n| self.catalog.area_by_name(&n))
    }

    /// The ICBs named under "Information about the local area partnership", else under "Local area partnership
    /// details".
    fn icb_codes(&self, norms: &[String]) -> Vec<String> {
        let section = |start: &str, ends: &[&str]| -> String {
            let Some(from) = norms.iter().position(|n| n.starts_with(start)) else { return String::new() };
            norms
                .iter()
                .skip(from + 1)
                .take_while(|n| !ends.iter().any(|e| n.starts_with(e)))
                .filter(|n| !n.is_empty())
                .cloned()
                .collect::<Vec<_>>()
                .join(" ")
        };
        let info = section(
            "information about the local area partnership",
            &["what is it like", "what is the area partnership doing", "what does the area partnership need"],
        );
        let codes = self.icbs_in(&info);
        if !codes.is_empty() {
            return codes;
        }
        self.icbs_in(&section(
            "local area partnership details",
            &["information about this inspection", "inspection team"],
        ))
    }

    /// The ICBs whose names occur in normalised `text`, in order of first mention.
    fn icbs_in(&self, text: &str) -> Vec<String> {
        let mut padded = format!(" {text} ");
        let mut found: Vec<(usize, String)> = Vec::new();
        for icb in &self.icbs {
            for suffix in [" integrated care board ", " icb ", " area icb ", " area integrated care board "] {
                let needle = format!(" {}{suffix}", icb.core);
                while let Some(at) = padded.find(&needle) {
                    if !found.iter().any(|(_, c)| *c == icb.code) {
                        found.push((at, icb.code.clone()));
                    }
                    // Blank the match out so that a shorter name inside it is not matched again.
                    let blank = " ".repeat(needle.len() - suffix.len());
                    padded.replace_range(at..at + blank.len(), &blank);
                }
            }
        }
        found.sort();
        found.into_iter().map(|(_, code)| code).collect()
    }
}

/// The normalised core of an ICB's name: "NHS Suffolk and North East Essex Integrated Care Board" is
/// `suffolk and north east essex`.
fn icb_core(name: &str) -> String {
    let n = normalise_name(name);
    let n = n.strip_prefix("nhs ").unwrap_or(&n);
    let n = n.strip_suffix(" integrated care board").or_else(|| n.strip_suffix(" icb")).unwrap_or(n);
    n.to_owned()
}

/// Names to try for an area: as written, and without "the", "City of", "County of", "Council" and the like.
fn name_variants(name: &str) -> Vec<String> {
    let n = normalise_name(name);
    let mut out = vec![n.clone()];
    let mut push = |s: &str| {
        let s = s.trim().to_owned();
        if !s.is_empty() && !out.contains(&s) {
            out.push(s);
        }
    };
    let base = n.strip_prefix("the ").unwrap_or(&n);
    push(base);
    for suffix in [
        " metropolitan borough council",
        " borough council",
        " county council",
        " city council",
        " district council",
        " council",
        " city",
        " county",
    ] {
        if let Some(s) = base.strip_suffix(suffix) {
            push(s);
        }
    }
    for prefix in ["city of ", "county of ", "royal borough of ", "london borough of "] {
        if let Some(s) = base.strip_prefix(prefix) {
            push(s);
        }
    }
    out
}

/// The text between the first `before` and the next `after` (within 80 characters), in normalised text.
fn between(text: &str, before: &str, after: &str) -> Option<String> {
    let start = text.find(before)? + before.len();
    let rest = text.get(start..)?;
    let end = rest.find(after)?;
    (end <= 80 && end > 0).then(|| rest.get(..end).unwrap_or_default().trim().to_owned())
}

/// The area named in the title on the first pages ("Area SEND inspection of X Local Area Partnership", or
/// "Area SEND monitoring inspection of ..."), and whether it is a full or a monitoring inspection.
fn title(pages: &[Page]) -> Option<(String, InspectionType)> {
    let first = pages
        .iter()
        .take(2)
        .flat_map(|p| p.body.iter().map(|l| normalise_name(&l.text())))
        .filter(|n| !n.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let mut from = 0;
    while let Some(at) = first.get(from..).and_then(|rest| rest.find("inspection of ")) {
        let at = from + at;
        let mut window = at.saturating_sub(40);
        while !first.is_char_boundary(window) {
            window -= 1;
        }
        let before = first.get(window..at).unwrap_or_default();
        if before.contains("area send")
            && let Some(name) =
                between(first.get(at..).unwrap_or_default(), "inspection of ", " local area partnership")
        {
            let kind = if before.contains("monitoring") { InspectionType::Monitoring } else { InspectionType::Full };
            return Some((name, kind));
        }
        from = at + 1;
    }
    None
}

/// Why text with no area SEND title is refused: what was looked for, what the text looks like instead.
fn not_a_report_reason(whole: &str, texts: &[String]) -> String {
    let kind = if whole.contains("joint local area send inspection") || whole.contains("local area send inspection in")
    {
        " (it looks like a 2016-framework joint local area SEND inspection letter)"
    } else if whole.contains("thematic") {
        " (it looks like a thematic visit or review)"
    } else if whole.contains("school inspection")
        || whole.contains("school report")
        || format!(" {whole} ").contains(" urn ")
    {
        " (it looks like a school or provider inspection report)"
    } else {
        ""
    };
    let start: String = texts.iter().filter(|t| !t.is_empty()).take(3).cloned().collect::<Vec<_>>().join(" / ");
    let start: String = start.chars().take(100).collect();
    format!(
        "no title \"Area SEND inspection of ... Local Area Partnership\" on its first pages{kind}; its text begins {start:?}"
    )
}

/// The date range on the first line that `label` accepts (normalised), after the label (or on the next line).
fn labelled_range(texts: &[String], norms: &[String], label: impl Fn(&str) -> bool) -> Option<dates::DateRange> {
    let at = norms.iter().position(|n| label(n))?;
    let line = texts.get(at)?;
    let value = line.split_once(':').map_or(line.as_str(), |(_, v)| v);
    if normalise_name(value).contains("not previously inspected") {
        return None;
    }
    dates::parse_range(value).or_else(|| {
        // The value may sit on the next line; never take it from another label's line.
        let next = texts.iter().skip(at + 1).find(|t| !t.is_empty())?;
        if next.contains(':') {
            return None;
        }
        dates::parse_range(next)
    })
}

/// The inspection dates most pages' running footers give, if any.
fn footer_range(pages: &[Page]) -> Option<dates::DateRange> {
    let mut counts: HashMap<(NaiveDate, Option<NaiveDate>), usize> = HashMap::new();
    for page in pages {
        let footer = page.footer.iter().map(|l| l.text()).collect::<Vec<_>>().join(" ");
        if let Some(r) = dates::parse_range(&footer).filter(|r| r.end.is_some()) {
            *counts.entry((r.start, r.end)).or_default() += 1;
        }
    }
    let ((start, end), _) = counts.into_iter().max_by_key(|((s, e), n)| (*n, *s, *e))?;
    Some(dates::DateRange { start, end })
}

/// The first outcome sentence after "Inspection outcome" (or anywhere, if there is no such heading).
fn find_outcome(whole: &str, inspection_type: InspectionType) -> Option<Outcome> {
    let from = whole.find("inspection outcome").unwrap_or(0);
    let text = whole.get(from..).unwrap_or(whole);
    let phrases: &[(&str, Outcome)] = match inspection_type {
        InspectionType::Monitoring => &[
            ("is not taking effective action", Outcome::NotEffectiveAction),
            ("are not taking effective action", Outcome::NotEffectiveAction),
            ("is taking effective action", Outcome::EffectiveAction),
            ("are taking effective action", Outcome::EffectiveAction),
        ],
        _ => &[
            ("typically lead to positive experiences and outcomes", Outcome::TypicallyPositive),
            ("lead to inconsistent experiences and outcomes", Outcome::Inconsistent),
            ("widespread and or systemic failings", Outcome::WidespreadSystemicFailings),
            ("widespread and systemic failings", Outcome::WidespreadSystemicFailings),
            ("widespread or systemic failings", Outcome::WidespreadSystemicFailings),
        ],
    };
    phrases.iter().filter_map(|(p, o)| text.find(p).map(|at| (at, *o))).min_by_key(|(at, _)| *at).map(|(_, o)| o)
}

fn classified(text: &str) -> Action {
    match taxonomy::classify(text) {
        Some(c) => Action { text: text.to_owned(), theme: Some(c.theme), evidence: c.evidence },
        None => Action { text: text.to_owned(), theme: None, evidence: Vec::new() },
    }
}

/// Whether text ends a sentence.
fn ends_sentence(text: &str) -> bool {
    let t = text.trim_end().trim_end_matches(['"', '\'', ')']);
    t.ends_with(['.', '!', '?'])
}

/// Whether text starts a new item: a capital letter or a digit (not a bullet or a continuation).
fn starts_item(text: &str) -> bool {
    text.chars().next().is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
}

/// Joins lines of a paragraph, mending words broken by a hyphen at the end of a line ("ser-" + "vices").
fn join_lines(parts: &[String]) -> String {
    let mut out = String::new();
    for part in parts.iter().map(|p| p.trim()).filter(|p| !p.is_empty()) {
        let broken = out.ends_with('-')
            && out.chars().rev().nth(1).is_some_and(char::is_alphabetic)
            && part.chars().next().is_some_and(char::is_lowercase);
        if broken {
            out.pop();
        } else if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(part);
    }
    text::fold_spaces(&out)
}

/// The usual distance between consecutive lines on one page.
fn line_spacing(lines: &[&Line]) -> f64 {
    let mut gaps: Vec<f64> = lines
        .windows(2)
        .filter_map(|w| match w {
            [a, b] if a.page == b.page && b.y > a.y => Some(b.y - a.y),
            _ => None,
        })
        .collect();
    gaps.sort_by(f64::total_cmp);
    gaps.get(gaps.len() / 2).copied().unwrap_or(15.0)
}

/// Whether a line holds no letter or digit (blank, or a lone bullet or mark).
fn is_empty_line(text: &str) -> bool {
    !text.chars().any(char::is_alphanumeric)
}

/// The areas for priority action (their texts), and the index of the line after the table (or 0 if none).
///
/// The table has two columns, "Responsible body" and "Areas for priority action"; the second starts where that
/// header's second part starts. A row starts at a line where both columns have text, the action's text starts
/// with a capital, the previous action's text ended a sentence, and either the line before had nothing in the
/// first column, or a row gap (more than 1.3 line spacings) comes before it, or the first column repeats the first
/// line of an earlier row's responsible body. Rows continue across pages.
fn priority_action_texts(lines: &[&Line], norms: &[String]) -> (Vec<String>, usize) {
    let header = lines.iter().enumerate().find_map(|(i, line)| {
        let runs = line.runs();
        let at = runs.iter().position(|(_, t)| normalise_name(t).starts_with("areas for priority action"))?;
        let before = runs.get(at.checked_sub(1)?)?;
        normalise_name(&before.1).starts_with("responsible body").then(|| (i, runs.get(at).map_or(0.0, |r| r.0)))
    });
    let Some((header, column)) = header else {
        return single_column_actions(lines, norms);
    };
    let column = column - 1.0;
    let end = table_end(norms, header + 1);
    let table: Vec<&Line> =
        lines.get(header + 1..end).unwrap_or_default().iter().copied().filter(|l| !is_empty_line(&l.text())).collect();
    let spacing = line_spacing(&table);
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut previous: Option<(&Line, bool)> = None;
    let mut last_right = String::new();
    let mut row_starts: Vec<String> = Vec::new();
    for line in &table {
        let left = line.text_beside(column, false);
        let right = line.text_beside(column, true);
        if normalise_name(&left).starts_with("responsible body")
            && normalise_name(&right).starts_with("areas for priority action")
        {
            // The header row, repeated where the table continues on a new page.
            continue;
        }
        let gap = previous.is_some_and(|(p, _)| p.page == line.page && line.y - p.y > spacing * 1.3);
        let left_was_empty = previous.is_none_or(|(_, had_left)| !had_left);
        // The responsible body of a row often repeats the one before, word for word: where it starts again, so
        // does a row, even with no gap and with the body before ending on the line above.
        let repeated = row_starts.contains(&left);
        let new_row = !right.is_empty()
            && (rows.is_empty()
                || (starts_item(&right)
                    && ends_sentence(&last_right)
                    && !left.is_empty()
                    && (left_was_empty || gap || repeated)));
        if new_row {
            rows.push(Vec::new());
            row_starts.push(left.clone());
        }
        if !right.is_empty() {
            if let Some(row) = rows.last_mut() {
                row.push(right.clone());
            }
            last_right = right;
        }
        previous = Some((line, !left.is_empty()));
    }
    (rows.iter().map(|r| join_lines(r)).filter(|t| !t.is_empty()).collect(), end)
}

/// Where a table or list of actions ends: the heading "Areas for improvement", the partnership details, or the end.
fn table_end(norms: &[String], from: usize) -> usize {
    norms
        .iter()
        .enumerate()
        .skip(from)
        .find(|(_, n)| {
            n.as_str() == "areas for improvement"
                || n.starts_with("local area partnership details")
                || n.starts_with("information about this inspection")
        })
        .map_or(norms.len(), |(i, _)| i)
}

/// Areas for priority action laid out as one column of paragraphs under a heading line "Areas for priority action".
fn single_column_actions(lines: &[&Line], norms: &[String]) -> (Vec<String>, usize) {
    let Some(heading) = norms.iter().position(|n| n.as_str() == "areas for priority action") else {
        return (Vec::new(), 0);
    };
    let start = skip_headings(norms, heading, "areas for priority action");
    let end = table_end(norms, start);
    (paragraphs(lines.get(start..end).unwrap_or_default()), end)
}

/// The index after a heading and any repeats of it (a table's header row often repeats the section heading).
fn skip_headings(norms: &[String], heading: usize, text: &str) -> usize {
    norms
        .iter()
        .enumerate()
        .skip(heading)
        .find(|(_, n)| !n.is_empty() && n.as_str() != text)
        .map_or(norms.len(), |(i, _)| i)
}

/// The areas for improvement: the paragraphs under the heading "Areas for improvement" (after the priority
/// actions), up to the partnership details.
fn improvement_texts(lines: &[&Line], norms: &[String], from: usize) -> Vec<String> {
    let Some(heading) = norms.iter().enumerate().skip(from).position(|(_, n)| n.as_str() == "areas for improvement")
    else {
        return Vec::new();
    };
    let start = skip_headings(norms, from + heading, "areas for improvement");
    let end = norms
        .iter()
        .enumerate()
        .skip(start)
        .find(|(_, n)| {
            n.starts_with("local area partnership details")
                || n.starts_with("information about this inspection")
                || n.starts_with("inspection team")
        })
        .map_or(norms.len(), |(i, _)| i);
    paragraphs(lines.get(start..end).unwrap_or_default())
}

/// Splits lines into paragraphs. A paragraph ends where a line ends a sentence and the next starts with a capital,
/// and a blank line or a gap of more than 1.3 line spacings lies between them; in a list with no such separators
/// at all, at every such sentence end.
fn paragraphs(lines: &[&Line]) -> Vec<String> {
    let mut items: Vec<(Vec<&Line>, bool)> = Vec::new();
    let mut separated = true;
    for line in lines {
        let text = line.text();
        if is_empty_line(&text) {
            separated = true;
            continue;
        }
        if matches!(normalise_name(&text).as_str(), "areas for improvement" | "areas for priority action") {
            // The header row of the table, repeated where it continues on a new page.
            separated = true;
            continue;
        }
        items.push((vec![line], separated));
        separated = false;
    }
    let text_lines: Vec<&Line> = items.iter().flat_map(|(l, _)| l.iter().copied()).collect();
    let spacing = line_spacing(&text_lines);
    let mut with_sep: Vec<(&Line, bool)> = Vec::new();
    let mut previous: Option<&Line> = None;
    for (ls, blank_before) in &items {
        for line in ls {
            let gap = previous.is_some_and(|p| p.page == line.page && line.y - p.y > spacing * 1.3);
            with_sep.push((line, previous.is_some() && (*blank_before || gap)));
            previous = Some(line);
        }
    }
    let any_separator = with_sep.iter().any(|(_, s)| *s);
    let mut out: Vec<Vec<String>> = Vec::new();
    let mut last = String::new();
    for (line, separator) in with_sep {
        let text = line.text();
        let new = out.is_empty() || (ends_sentence(&last) && starts_item(&text) && (separator || !any_separator));
        if new {
            out.push(Vec::new());
        }
        if let Some(p) = out.last_mut() {
            p.push(text.clone());
        }
        last = text;
    }
    out.iter().map(|p| join_lines(p)).filter(|t| !t.is_empty()).collect()
}

/// Reads the pages of a PDF, refusing what is not a readable PDF with text. Catches any panic of the PDF library.
fn read_pdf(file: &str, bytes: &[u8]) -> Result<Vec<Page>, ExtractError> {
    let head = bytes.get(..bytes.len().min(1024)).unwrap_or_default();
    if !head.windows(5).any(|w| w == b"%PDF-") {
        let found: String = String::from_utf8_lossy(bytes.get(..bytes.len().min(16)).unwrap_or_default()).into_owned();
        return Err(ExtractError::NotPdf { file: file.to_owned(), found });
    }
    let tail = bytes.get(bytes.len().saturating_sub(2048)..).unwrap_or_default();
    if !tail.windows(5).any(|w| w == b"%%EOF") {
        return Err(ExtractError::Truncated { file: file.to_owned() });
    }
    let limit = |reason: String| ExtractError::Limit { file: file.to_owned(), reason };
    bounds::check_bytes(bytes).map_err(limit)?;
    let read = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| -> Result<Vec<Page>, ExtractError> {
        let mut doc = pdf_extract::Document::load_mem(bytes).map_err(|e| match e {
            pdf_extract::Error::Decryption(_) => ExtractError::Encrypted { file: file.to_owned() },
            e => ExtractError::Damaged { file: file.to_owned(), reason: e.to_string() },
        })?;
        if doc.is_encrypted() && doc.decrypt("").is_err() {
            return Err(ExtractError::Encrypted { file: file.to_owned() });
        }
        bounds::check_document(&doc).map_err(limit)?;
        text::read_pages(&doc).map_err(|e| ExtractError::Damaged { file: file.to_owned(), reason: e.to_string() })
    }));
    let pages = match read {
        Ok(result) => result?,
        Err(panic) => {
            let reason = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown error".to_owned());
            return Err(ExtractError::Damaged {
                file: file.to_owned(),
                reason: format!("the PDF library failed on it ({reason})"),
            });
        }
    };
    if pages.iter().all(|p| p.body.iter().chain(&p.footer).all(|l| is_empty_line(&l.text()))) {
        return Err(ExtractError::NoText { file: file.to_owned() });
    }
    Ok(pages)
}

/// Reads every file in turn: each report's facts, or why it was refused.
pub fn extract_files(extractor: &Extractor, files: &[impl AsRef<Path>]) -> Vec<Result<ReportFacts, ExtractError>> {
    files.iter().map(|f| extractor.extract_file(f.as_ref())).collect()
}
