//! The facts a report states in a title, a labelled line or a sentence: the area and kind of inspection (its title),
//! the inspection dates (a labelled line, or the running footer), the outcome (its sentence).

use std::collections::HashMap;

use chrono::NaiveDate;
use send_model::domain::{InspectionType, Outcome};

use crate::catalog::normalise_name;
use crate::outcome_phrases::{FULL_INSPECTION, first_stated};

use super::dates;
use super::text::Page;

/// The text between the first `before` and the next `after` (within 80 characters), in normalised text.
pub(super) fn between(text: &str, before: &str, after: &str) -> Option<String> {
    let start = text.find(before)? + before.len();
    let rest = text.get(start..)?;
    let end = rest.find(after)?;
    (end <= 80 && end > 0).then(|| rest.get(..end).unwrap_or_default().trim().to_owned())
}

/// The area named in the title on the first pages ("Area SEND inspection of X Local Area Partnership", or
/// "Area SEND monitoring inspection of ..."), and whether it is a full or a monitoring inspection.
pub(super) fn title(pages: &[Page]) -> Option<(String, InspectionType)> {
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
pub(super) fn not_a_report_reason(whole: &str, texts: &[String]) -> String {
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
pub(super) fn labelled_range(
    texts: &[String],
    norms: &[String],
    label: impl Fn(&str) -> bool,
) -> Option<dates::DateRange> {
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
pub(super) fn footer_range(pages: &[Page]) -> Option<dates::DateRange> {
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
pub(super) fn find_outcome(whole: &str, inspection_type: InspectionType) -> Option<Outcome> {
    let from = whole.find("inspection outcome").unwrap_or(0);
    let text = whole.get(from..).unwrap_or(whole);
    match inspection_type {
        InspectionType::Monitoring => {
            let phrases = [
                ("is not taking effective action", Outcome::NotEffectiveAction),
                ("are not taking effective action", Outcome::NotEffectiveAction),
                ("is taking effective action", Outcome::EffectiveAction),
                ("are taking effective action", Outcome::EffectiveAction),
            ];
            first_stated(text, &phrases)
        }
        _ => first_stated(text, &FULL_INSPECTION),
    }
}
