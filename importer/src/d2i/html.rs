//! A strict scanner of the one table of a pandas `DataFrame.to_html` page: rows `<tr>`, cells `<th>`/`<td>`, the
//! `href` of an `<a>` inside a cell, and the entities pandas writes (`&amp;`, `&lt;`, `&gt;`, `&quot;`, `&#39;`,
//! `&nbsp;`, numeric references) decoded.
//!
//! Why hand-written and not an HTML crate: the page is machine-written by pandas (no implied end tags, no nested
//! tables, one attribute we need), and the importer must *refuse* a truncated page rather than mend it. General
//! HTML parsers are built to recover: `tl` (lean: no dependencies, one nightly-only feature; last release 0.7.8,
//! January 2024) documents that it "silently ignores tags that are invalid", so that "large chunks of the HTML
//! document do not appear in the resulting tree", and html5ever/`scraper` (dozens of crates to compile) close an
//! unclosed table or row at the end of input as the HTML standard says. Either way we would re-check the structure
//! ourselves. The only parser already in the tree, `quick-xml`, rejects real HTML (`&nbsp;`, `<meta>` without an
//! end tag). This scanner adds no dependency, runs in one pass over the bytes, and reports the line of every
//! structural problem.

/// One cell of the table, as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Cell {
    /// 1-based line of the cell's start tag.
    pub line: u64,
    /// The cell's text, entities decoded, tags inside it dropped, surrounding space trimmed.
    pub text: String,
    /// The `href` of the first `<a>` inside the cell, entities decoded.
    pub href: Option<String>,
}

/// One row of the table: its line and its cells, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Row {
    /// 1-based line of the row's `<tr>`.
    pub line: u64,
    /// Whether every cell was a `<th>`.
    pub all_th: bool,
    /// The cells.
    pub cells: Vec<Cell>,
}

/// Why the table could not be read: the line and what was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct ScanError {
    /// 1-based line where the problem was found.
    pub line: u64,
    /// What was expected and what was found.
    pub message: String,
}

/// Counts lines as the scanner moves forward, so that no table of line starts is held (a page of 20 MB of newlines
/// would otherwise cost 160 MB).
struct Lines<'a> {
    text: &'a str,
    at: usize,
    line: u64,
}

impl Lines<'_> {
    fn line_of(&mut self, offset: usize) -> u64 {
        let offset = offset.min(self.text.len());
        if offset >= self.at {
            let newlines = self.text.as_bytes()[self.at..offset].iter().filter(|&&b| b == b'\n').count();
            self.line += newlines as u64;
            self.at = offset;
        }
        self.line
    }
}

/// A tag: its lower-case name, whether it is an end tag, and the text of its attributes.
struct Tag<'a> {
    name: String,
    end: bool,
    attrs: &'a str,
}

/// The offset just past the `>` ending a tag that starts at `from` (quoted `>` skipped), if the text has one.
fn tag_end(text: &str, from: usize) -> Option<usize> {
    let mut quote = None;
    for (i, b) in text.as_bytes()[from..].iter().enumerate() {
        match (quote, b) {
            (None, b'"' | b'\'') => quote = Some(*b),
            (Some(q), _) if q == *b => quote = None,
            (None, b'>') => return Some(from + i + 1),
            _ => {}
        }
    }
    None
}

fn parse_tag(inner: &str) -> Tag<'_> {
    let (end, rest) = match inner.strip_prefix('/') {
        Some(r) => (true, r),
        None => (false, inner),
    };
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    let name_len = rest.find(|c: char| c.is_ascii_whitespace() || c == '/').unwrap_or(rest.len());
    Tag { name: rest[..name_len].to_ascii_lowercase(), end, attrs: &rest[name_len..] }
}

/// The value of attribute `name` in a tag's attribute text, entities decoded.
fn attribute(attrs: &str, name: &str) -> Option<String> {
    let mut rest = attrs;
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_ascii_whitespace() || c == '/');
        if rest.is_empty() {
            return None;
        }
        let key_len = rest.find(|c: char| c.is_ascii_whitespace() || c == '=').unwrap_or(rest.len());
        let key = &rest[..key_len];
        rest = rest[key_len..].trim_start();
        let value = if let Some(after) = rest.strip_prefix('=') {
            let after = after.trim_start();
            let (value, remaining) = match after.chars().next() {
                Some(q @ ('"' | '\'')) => {
                    let body = &after[1..];
                    let close = body.find(q).unwrap_or(body.len());
                    (&body[..close], body.get(close + 1..).unwrap_or(""))
                }
                _ => {
                    let len = after.find(|c: char| c.is_ascii_whitespace()).unwrap_or(after.len());
                    (&after[..len], &after[len..])
                }
            };
            rest = remaining;
            value
        } else {
            ""
        };
        if key.eq_ignore_ascii_case(name) {
            return Some(decode(value));
        }
    }
}

/// Decodes the character references pandas and HTML writers use; an unknown one is kept as written.
pub(super) fn decode(text: &str) -> String {
    if !text.contains('&') {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let decoded = rest.find(';').filter(|&semi| semi <= 10).and_then(|semi| {
            let name = &rest[1..semi];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some('\u{a0}'),
                _ => {
                    let number = name.strip_prefix('#')?;
                    let code = match number.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                        None => number.parse().ok()?,
                    };
                    char::from_u32(code)
                }
            };
            c.map(|c| (c, semi + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Reads the first `<table>` of `text` (preferring one of class `dataframe`, which pandas writes) into rows, at
/// most `max_rows` rows and `max_cells` cells in all. `Ok(None)` when the page has no table; an error for a table
/// that is not closed, a row or cell that is not closed where the next begins, or too many rows or cells.
pub(super) fn first_table(text: &str, max_rows: usize, max_cells: usize) -> Result<Option<Vec<Row>>, ScanError> {
    let mut lines = Lines { text, at: 0, line: 1 };
    let start = find_table(text);
    let Some(start) = start else { return Ok(None) };
    let truncated = |what: &str| format!("expected {what}, found the end of the page (the page is truncated)");

    let mut rows: Vec<Row> = Vec::new();
    let mut row: Option<Row> = None;
    let mut cell: Option<(Cell, bool)> = None;
    let mut pos = start;
    let mut opened = false;
    let mut cells = 0;
    loop {
        let Some(lt) = text[pos..].find('<').map(|i| pos + i) else {
            let line = lines.line_of(text.len());
            let what = if cell.is_some() {
                "the end of a cell (</td>) and then </tr> and </table>"
            } else if row.is_some() {
                "the end of a row (</tr>) and then </table>"
            } else {
                "the end of the table (</table>)"
            };
            return Err(ScanError { line, message: truncated(what) });
        };
        if let Some((c, _)) = cell.as_mut() {
            c.text.push_str(&text[pos..lt]);
        }
        if text[lt..].starts_with("<!--") {
            let Some(close) = text[lt..].find("-->") else {
                return Err(ScanError { line: lines.line_of(lt), message: truncated("the end of a comment (-->)") });
            };
            pos = lt + close + 3;
            continue;
        }
        let next = text.as_bytes().get(lt + 1).copied().unwrap_or(b' ');
        if !(next.is_ascii_alphabetic() || next == b'/' || next == b'!') {
            // A lone `<` in text: not a tag.
            if let Some((c, _)) = cell.as_mut() {
                c.text.push('<');
            }
            pos = lt + 1;
            continue;
        }
        let Some(gt) = tag_end(text, lt) else {
            return Err(ScanError { line: lines.line_of(lt), message: truncated("the end of a tag (>)") });
        };
        let tag = parse_tag(&text[lt + 1..gt - 1]);
        pos = gt;
        let line = lines.line_of(lt);
        let unexpected = |expected: &str| ScanError {
            line,
            message: format!(
                "expected {expected}, found <{}{}> (the table is malformed or cut short)",
                if tag.end { "/" } else { "" },
                tag.name
            ),
        };
        match (tag.name.as_str(), tag.end) {
            ("table", false) if !opened => opened = true,
            ("table", false) => return Err(unexpected("one table (no table inside a cell)")),
            ("tr", false) => {
                if cell.is_some() || row.is_some() {
                    return Err(unexpected("the end of the row (</tr>) before the next row"));
                }
                if rows.len() >= max_rows {
                    return Err(ScanError {
                        line,
                        message: format!("expected at most {max_rows} rows in the table, found more"),
                    });
                }
                row = Some(Row { line, all_th: true, cells: Vec::new() });
            }
            ("td" | "th", false) => {
                if cell.is_some() {
                    return Err(unexpected("the end of the cell before the next cell"));
                }
                if row.is_none() {
                    return Err(unexpected("a cell inside a row (<tr>)"));
                }
                cells += 1;
                if cells > max_cells {
                    return Err(ScanError {
                        line,
                        message: format!("expected at most {max_cells} cells in the table, found more"),
                    });
                }
                cell = Some((Cell { line, text: String::new(), href: None }, tag.name == "th"));
            }
            ("a", false) => {
                if let Some((c, _)) = cell.as_mut()
                    && c.href.is_none()
                {
                    c.href = attribute(tag.attrs, "href");
                }
            }
            ("br", false) => {
                if let Some((c, _)) = cell.as_mut() {
                    c.text.push(' ');
                }
            }
            ("td" | "th", true) => {
                let (Some((mut c, th)), Some(r)) = (cell.take(), row.as_mut()) else {
                    return Err(unexpected("an end tag that closes an open cell"));
                };
                c.text = decode(c.text.trim()).trim().to_owned();
                r.all_th &= th;
                r.cells.push(c);
            }
            ("tr", true) => {
                if cell.is_some() {
                    return Err(unexpected("the end of the cell (</td>) before the end of the row"));
                }
                let Some(r) = row.take() else { return Err(unexpected("an end tag that closes an open row")) };
                rows.push(r);
            }
            ("table", true) => {
                if cell.is_some() || row.is_some() {
                    return Err(unexpected("the end of the row (</tr>) before the end of the table"));
                }
                return Ok(Some(rows));
            }
            // Sections, formatting inside a cell, end tags of `<a>` and the like carry nothing the summary needs.
            _ => {}
        }
    }
}

/// The offset of the table to read: the first `<table` whose class names `dataframe`, else the first `<table`.
fn find_table(text: &str) -> Option<usize> {
    let mut first = None;
    let mut from = 0;
    while let Some(i) = find_ignore_case(&text[from..], "<table") {
        let at = from + i;
        let after = text.as_bytes().get(at + 6).copied().unwrap_or(b'>');
        if after.is_ascii_whitespace() || after == b'>' {
            first.get_or_insert(at);
            let end = tag_end(text, at).unwrap_or(text.len());
            if attribute(&text[at + 6..end.saturating_sub(1).max(at + 6)], "class")
                .is_some_and(|c| c.split_ascii_whitespace().any(|c| c == "dataframe"))
            {
                return Some(at);
            }
        }
        from = at + 6;
    }
    first
}

fn find_ignore_case(haystack: &str, needle: &str) -> Option<usize> {
    haystack.as_bytes().windows(needle.len()).position(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_entities() {
        assert_eq!(decode("a &amp; b &lt;c&gt; &#39;d&#x27; &nbsp;&bogus; &"), "a & b <c> 'd' \u{a0}&bogus; &");
    }

    #[test]
    fn reads_cells_links_and_lines() {
        let page = "<p>x</p>\n<table class=\"dataframe\">\n<tr><th>A</th><th>B</th></tr>\n<tr><td>1 &amp; 2</td>\
                    <td><a href=\"https://x/1?a=1&amp;b=2\">x</a></td></tr>\n</table>";
        let rows = first_table(page, 10, 100).expect("reads").expect("a table");
        assert_eq!(rows.len(), 2);
        assert!(rows[0].all_th);
        assert_eq!(rows[1].line, 4);
        assert_eq!(rows[1].cells[0].text, "1 & 2");
        assert_eq!(rows[1].cells[1].href.as_deref(), Some("https://x/1?a=1&b=2"));
    }

    #[test]
    fn refuses_unclosed_structure() {
        assert!(first_table("<table><tr><td>1</td>", 10, 100).expect_err("cut").message.contains("</tr>"));
        assert!(first_table("<table><tr><td>1</td><tr>", 10, 100).expect_err("cut").message.contains("</tr>"));
        assert!(first_table("<table><tr><td>1", 10, 100).expect_err("cut").message.contains("</td>"));
        assert!(first_table("<table><tr><td>1</td></tr><tr>", 1, 100).expect_err("many").message.contains("at most 1"));
        assert!(
            first_table("<table><tr><td>1</td><td>2</td>", 10, 1)
                .expect_err("many")
                .message
                .contains("at most 1 cells")
        );
        assert_eq!(first_table("<p>no table</p>", 10, 100), Ok(None));
    }
}
