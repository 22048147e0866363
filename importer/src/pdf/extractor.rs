//! The extractor: reads a report's pages into its facts, finding the area and the ICBs through the bundled reference
//! data it holds, and refuses, saying what was missing, a file that is not such a report.

use std::path::Path;

use send_model::domain::{Framework, InspectionType, Outcome};

use crate::catalog::{Catalog, normalise_name};
use crate::rows::{ParsedFile, ReportAction, Rows};

use super::actions::{classified, improvement_texts, priority_action_texts};
use super::error::ExtractError;
use super::facts::ReportFacts;
use super::pages::read_pdf;
use super::statements::{between, find_outcome, footer_range, labelled_range, not_a_report_reason, title};
use super::text::{Line, Page};

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
    /// An extractor over reference data: `catalog` has checked the files of `reference` (regions, ICBs, local areas,
    /// lineage, aliases), whose areas, names and aliases it resolves, and the ICBs of `reference` are matched by name.
    /// [`Extractor::bundled`] (in `crate::layout`, which reads those files) builds it over the bundled data.
    pub(crate) fn new(catalog: Catalog, reference: &[ParsedFile]) -> Self {
        let mut icbs = Vec::new();
        for file in reference {
            if let Rows::Icbs(rows) = &file.rows {
                for row in rows {
                    icbs.push(IcbName { code: row.code.to_string(), core: icb_core(&row.name) });
                }
            }
        }
        // Longest names first, so that a name inside another is never matched in its place.
        icbs.sort_by(|a, b| b.core.len().cmp(&a.core.len()).then(a.code.cmp(&b.code)));
        Self { catalog, icbs }
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
        let priority_actions: Vec<ReportAction> = actions.iter().map(|t| classified(t)).collect();
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

/// Reads every file in turn: each report's facts, or why it was refused.
pub fn extract_files(extractor: &Extractor, files: &[impl AsRef<Path>]) -> Vec<Result<ReportFacts, ExtractError>> {
    files.iter().map(|f| extractor.extract_file(f.as_ref())).collect()
}
