//! The areas for priority action (the two-column table, or a single column of paragraphs) and for improvement (the
//! paragraphs under their heading), each classified into a theme.

use crate::catalog::normalise_name;
use crate::rows::ReportAction;

use super::taxonomy;
use super::text::{self, Line, is_empty_line};

pub(super) fn classified(text: &str) -> ReportAction {
    match taxonomy::classify(text) {
        Some(c) => ReportAction { text: text.to_owned(), theme: Some(c.theme), evidence: c.evidence },
        None => ReportAction { text: text.to_owned(), theme: None, evidence: Vec::new() },
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

/// The areas for priority action (their texts), and the index of the line after the table (or 0 if none).
///
/// The table has two columns, "Responsible body" and "Areas for priority action"; the second starts where that
/// header's second part starts. A row starts at a line where both columns have text, the action's text starts
/// with a capital, the previous action's text ended a sentence, and either the line before had nothing in the
/// first column, or a row gap (more than 1.3 line spacings) comes before it, or the first column repeats the first
/// line of an earlier row's responsible body. Rows continue across pages.
pub(super) fn priority_action_texts(lines: &[&Line], norms: &[String]) -> (Vec<String>, usize) {
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
pub(super) fn improvement_texts(lines: &[&Line], norms: &[String], from: usize) -> Vec<String> {
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
