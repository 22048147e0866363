//! The cell references of an XLSX, checked to lie within the largest sheet before calamine reads them: calamine
//! 0.38 adds a reference's letters and digits up in a `u32` unchecked, so `AAAAAAAAAAAAAAAA1` overflows.

use std::io::{Cursor, Read};

use super::members::member;
use crate::names::shown;

/// The largest sheet a spreadsheet holds: columns `A` to `XFD`, rows 1 to 1 048 576.
const GRID_COLUMNS: u64 = 16_384;
const GRID_ROWS: u64 = 1_048_576;

/// Reads every XML member of an XLSX under `xl/` as a stream and refuses the workbook when a cell reference in it (an
/// attribute `r`, or `ref` of one cell or a range `A1:B2`) lies outside the grid of [`GRID_COLUMNS`] by
/// [`GRID_ROWS`]. Only references of the form calamine parses (letters, then digits) are judged; any other text is
/// left for calamine to refuse.
pub(super) fn xlsx_references(bytes: &[u8]) -> Result<(), String> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| format!("expected an XLSX workbook, found a zip file that cannot be read ({e})"))?;
    for i in 0..archive.len() {
        let mut member = member(&mut archive, i)?;
        let name = member.name().map(|n| n.into_owned()).unwrap_or_default();
        if !(name.starts_with("xl/") && name.ends_with(".xml")) {
            continue;
        }
        // Within the inflated bytes `check_members` allowed.
        let mut text = Vec::new();
        member.read_to_end(&mut text).map_err(|e| {
            format!("expected a readable workbook, found a zip member {:?} that cannot be inflated ({e})", shown(&name))
        })?;
        if let Some(value) =
            attribute_values(&text, &["r", "ref"]).find(|v| v.split(':').any(|part| !within_grid(part)))
        {
            return Err(format!(
                "expected cell references within A1:XFD{GRID_ROWS}, found {:?} in member {:?}",
                shown(&value),
                shown(&name)
            ));
        }
    }
    Ok(())
}

/// The values of every attribute named one of `names` (by local name; `xmlns:` declarations excepted) in XML text,
/// found by a scan of the bytes rather than a parse: an XML error earlier in a member stops a parser, while calamine's
/// reader may still go on to read the attribute (the fuzzer found such a member), so every `name="value"` (or
/// `'value'`, spaces around `=` allowed) is judged wherever it is.
fn attribute_values<'a>(text: &'a [u8], names: &'a [&str]) -> impl Iterator<Item = String> + 'a {
    let is_name = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b':' | b'.' | b'-');
    text.iter().enumerate().filter(|(_, b)| **b == b'=').filter_map(move |(at, _)| {
        // The name before `=`.
        let mut end = at;
        while end > 0 && text[end - 1].is_ascii_whitespace() {
            end -= 1;
        }
        let mut start = end;
        while start > 0 && is_name(text[start - 1]) {
            start -= 1;
        }
        let qualified = std::str::from_utf8(&text[start..end]).ok()?;
        if qualified.starts_with("xmlns") {
            return None;
        }
        let local = qualified.rsplit(':').next().unwrap_or(qualified);
        if !names.contains(&local) {
            return None;
        }
        // The quoted value after it.
        let mut open = at + 1;
        while open < text.len() && text[open].is_ascii_whitespace() {
            open += 1;
        }
        let quote = *text.get(open).filter(|q| matches!(q, b'"' | b'\''))?;
        let close = text[open + 1..].iter().position(|b| *b == quote)? + open + 1;
        Some(String::from_utf8_lossy(&text[open + 1..close]).into_owned())
    })
}

/// Whether a reference is safe to give calamine and, when it is a whole reference (letters then digits: `XFD1048576`,
/// a row `12`, a column `AB`), lies within the grid. calamine adds up the leading run of letters and the run of digits
/// after it in a `u32` whatever follows them (`AAAAAAAAA` then a NUL overflowed in the fuzzer), so those runs are
/// judged in every value; other text after them is calamine's to refuse.
fn within_grid(reference: &str) -> bool {
    let bytes = reference.as_bytes();
    let letters = bytes.iter().take_while(|b| b.is_ascii_alphabetic()).count();
    let digits = bytes[letters..].iter().take_while(|b| b.is_ascii_digit()).count();
    let column = bytes[..letters]
        .iter()
        .fold(0_u64, |n, b| n.saturating_mul(26).saturating_add(u64::from(b.to_ascii_uppercase() - b'A') + 1));
    let row = bytes[letters..letters + digits]
        .iter()
        .fold(0_u64, |n, b| n.saturating_mul(10).saturating_add(u64::from(b - b'0')));
    // Each run only grows as it is read, so a total within a u32 never overflowed on the way.
    if column > u64::from(u32::MAX) || row > u64::from(u32::MAX) {
        return false;
    }
    letters + digits < bytes.len() || (column <= GRID_COLUMNS && row <= GRID_ROWS)
}

#[cfg(test)]
mod tests {

    #[test]
    fn attributes_are_found_by_local_name_whatever_comes_before() {
        let xml = br#"<a x:r = 'A1' ref="B2:C3"/><bad&x/><c r="D4" xmlns:r="urn:x" rr="E5" r:id="F6">"#;
        let found: Vec<String> = super::attribute_values(xml, &["r", "ref"]).collect();
        assert_eq!(found, ["A1", "B2:C3", "D4"]);
    }

    #[test]
    fn references_are_judged_against_the_grid() {
        for inside in ["A1", "XFD1048576", "a1", "1048576", "XFD", "", "$A$1", "A1B", "Sheet1!A1"] {
            assert!(super::within_grid(inside), "{inside}");
        }
        for outside in [
            "XFE1",
            "A1048577",
            "AAAAAAAAAAAAAAAA1",
            "A99999999999999999999",
            "4294967297",
            "AAAAAAAAA\0\0\0\rAAA1",
            "A99999999999!x",
        ] {
            assert!(!super::within_grid(outside), "{outside}");
        }
    }
}
