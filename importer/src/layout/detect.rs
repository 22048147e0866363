//! The detect stage: which layout a table is, told by its header, matched by name with case and punctuation folded.

use std::collections::HashSet;

use crate::rows::Layout;

/// How many of a layout's required columns a header has.
pub(super) fn hits(layout: Layout, header: &[String]) -> usize {
    let present: HashSet<&str> = header.iter().map(String::as_str).collect();
    layout.columns().iter().filter(|c| present.contains(normalise_header(c).as_str())).count()
}

/// Chooses the layout whose required columns best match `header`: the one with most of its columns present, if at
/// least half.
pub(super) fn detect(header: &[String]) -> Option<Layout> {
    Layout::LOAD_ORDER
        .iter()
        .map(|&layout| (layout, hits(layout, header), layout.columns().len()))
        .filter(|&(_, hits, len)| hits * 2 >= len && hits > 0)
        .max_by(|a, b| (a.1 * b.2).cmp(&(b.1 * a.2)).then(a.1.cmp(&b.1)))
        .map(|(layout, _, _)| layout)
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
