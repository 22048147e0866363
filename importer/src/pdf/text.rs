//! The text of a PDF as lines with positions, read through `pdf-extract`'s [`OutputDev`] interface.
//!
//! `pdf-extract`'s own plain-text output writes characters in drawing order, which interleaves the two columns of
//! a table (the "Responsible body" and "Areas for priority action" of a report). Here every character keeps its
//! position, so a line is rebuilt from the characters on one baseline, left to right, and a table's columns can be
//! told apart by where their text starts.

use std::collections::{HashMap, HashSet};

use pdf_extract::{MediaBox, OutputDev, OutputError, Transform};

/// One character drawn on a page, in page coordinates with the origin at the top left (y grows downwards).
#[derive(Debug, Clone)]
pub struct Glyph {
    /// Left edge.
    pub x: f64,
    /// Baseline.
    pub y: f64,
    /// Advance width.
    pub width: f64,
    /// Font size on the page.
    pub size: f64,
    /// The character(s) it stands for.
    pub text: String,
}

/// The characters on one baseline of one page, left to right.
#[derive(Debug, Clone)]
pub struct Line {
    /// 1-based page number.
    pub page: u32,
    /// Baseline, from the top of the page.
    pub y: f64,
    /// The characters, left to right.
    pub glyphs: Vec<Glyph>,
}

impl Line {
    /// The line's text: a space where characters are apart, runs of spaces folded, trimmed.
    pub fn text(&self) -> String {
        join_glyphs(self.glyphs.iter())
    }

    /// The text of the characters that start at or right of `x` (`right`), or left of it (`!right`).
    pub fn text_beside(&self, x: f64, right: bool) -> String {
        join_glyphs(self.glyphs.iter().filter(|g| (g.x >= x) == right))
    }

    /// Whether the line holds nothing but spaces.
    pub fn is_blank(&self) -> bool {
        self.glyphs.iter().all(|g| g.text.trim().is_empty())
    }

    /// Where each run of text separated from the one before by a wide gap (more than one font size) starts, with
    /// that run's text: how the columns of a table header are found.
    pub fn runs(&self) -> Vec<(f64, String)> {
        let mut runs: Vec<(f64, Vec<&Glyph>)> = Vec::new();
        let mut end = f64::NEG_INFINITY;
        for g in self.glyphs.iter().filter(|g| !g.text.trim().is_empty()) {
            match runs.last_mut() {
                Some((_, glyphs)) if g.x - end <= g.size => glyphs.push(g),
                _ => runs.push((g.x, vec![g])),
            }
            end = g.x + g.width;
        }
        runs.into_iter().map(|(x, glyphs)| (x, join_glyphs(glyphs.into_iter()))).collect()
    }
}

/// Joins characters into text, with a space where the gap between two is wider than a tenth of the font size.
fn join_glyphs<'a>(glyphs: impl Iterator<Item = &'a Glyph>) -> String {
    let mut text = String::new();
    let mut end: Option<f64> = None;
    for g in glyphs {
        if end.is_some_and(|end| g.x - end > g.size * 0.1) {
            text.push(' ');
        }
        text.push_str(&g.text);
        end = Some(g.x + g.width);
    }
    fold_spaces(&normalise_chars(&text))
}

/// Replaces typographic characters with plain ones (curly quotes, ligatures, non-breaking and soft hyphens).
pub fn normalise_chars(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\u{2018}' | '\u{2019}' | '\u{02bc}' => out.push('\''),
            '\u{201c}' | '\u{201d}' => out.push('"'),
            '\u{00a0}' | '\u{2007}' | '\u{202f}' | '\t' => out.push(' '),
            '\u{00ad}' => {}
            '\u{fb01}' => out.push_str("fi"),
            '\u{fb02}' => out.push_str("fl"),
            '\u{fb00}' => out.push_str("ff"),
            '\u{fb03}' => out.push_str("ffi"),
            '\u{fb04}' => out.push_str("ffl"),
            '\u{2010}' | '\u{2011}' => out.push('-'),
            c => out.push(c),
        }
    }
    out
}

/// Folds runs of white space into one space and trims the ends.
pub fn fold_spaces(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A page's lines, split into its body and its running footer.
#[derive(Debug, Clone, Default)]
pub struct Page {
    /// 1-based page number.
    pub number: u32,
    /// Height of the page.
    pub height: f64,
    /// Lines above the footer, top to bottom.
    pub body: Vec<Line>,
    /// The running footer ("Area SEND inspection report: X Local Area Partnership", its dates, the page number).
    pub footer: Vec<Line>,
}

/// Collects every character with its position, page by page.
#[derive(Default)]
struct Collector {
    pages: Vec<(u32, f64, Vec<Glyph>)>,
}

impl OutputDev for Collector {
    fn begin_page(
        &mut self,
        page_num: u32,
        media_box: &MediaBox,
        _art_box: Option<(f64, f64, f64, f64)>,
    ) -> Result<(), OutputError> {
        self.pages.push((page_num, media_box.ury - media_box.lly, Vec::new()));
        Ok(())
    }

    fn end_page(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    fn output_character(
        &mut self,
        trm: &Transform,
        width: f64,
        _spacing: f64,
        font_size: f64,
        char: &str,
    ) -> Result<(), OutputError> {
        let Some((_, height, glyphs)) = self.pages.last_mut() else { return Ok(()) };
        // The size of the font on the page: the side of the square with the area of the transformed (size, size).
        let (vx, vy) = (font_size * (trm.m11 + trm.m21), font_size * (trm.m12 + trm.m22));
        let size = (vx * vy).abs().sqrt();
        if !size.is_finite() || size <= 0.0 {
            return Ok(());
        }
        glyphs.push(Glyph { x: trm.m31, y: *height - trm.m32, width: width * size, size, text: char.to_owned() });
        Ok(())
    }

    fn begin_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    fn end_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    fn end_line(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
}

/// Reads every page's characters and rebuilds its lines. May panic on a malformed PDF (the caller catches it).
pub fn read_pages(doc: &pdf_extract::Document) -> Result<Vec<Page>, OutputError> {
    let mut collector = Collector::default();
    pdf_extract::output_doc(doc, &mut collector)?;
    let pages: Vec<(u32, f64, Vec<Line>)> = collector
        .pages
        .into_iter()
        .map(|(number, height, glyphs)| (number, height, build_lines(number, glyphs)))
        .collect();
    Ok(split_running_lines(pages))
}

/// Groups a page's characters into lines: characters whose baselines are within a third of the font size.
fn build_lines(number: u32, mut glyphs: Vec<Glyph>) -> Vec<Line> {
    glyphs.retain(|g| g.x.is_finite() && g.y.is_finite());
    glyphs.sort_by(|a, b| a.y.total_cmp(&b.y).then(a.x.total_cmp(&b.x)));
    let mut lines: Vec<Line> = Vec::new();
    for g in glyphs {
        match lines.last_mut() {
            Some(line) if (g.y - line.y).abs() <= g.size.min(line.glyphs[0].size) / 3.0 => line.glyphs.push(g),
            _ => lines.push(Line { page: number, y: g.y, glyphs: vec![g] }),
        }
    }
    for line in &mut lines {
        line.glyphs.sort_by(|a, b| a.x.total_cmp(&b.x));
    }
    lines
}

/// A line's text without digits, lower-case: the same on every page for a running header or footer.
fn running_key(line: &Line) -> String {
    fold_spaces(
        &line.text().to_lowercase().chars().map(|c| if c.is_ascii_digit() { ' ' } else { c }).collect::<String>(),
    )
}

/// Splits off each page's running footer and drops its running header. The footer runs from the first line in
/// the bottom sixth of the page that mentions an "inspection report", or whose text (digits aside) is in the
/// bottom sixth of at least half the pages, to the end of the page. Lines in the top sixth that repeat so, or that
/// mention an "inspection report" (after the first page), are a running header, dropped.
fn split_running_lines(pages: Vec<(u32, f64, Vec<Line>)>) -> Vec<Page> {
    let zone = |line: &Line, height: f64| -> Option<bool> {
        if line.y > height * 5.0 / 6.0 {
            Some(true)
        } else if line.y < height / 6.0 {
            Some(false)
        } else {
            None
        }
    };
    let mut seen: HashMap<(bool, String), usize> = HashMap::new();
    for (_, height, lines) in &pages {
        let keys: HashSet<(bool, String)> = lines
            .iter()
            .filter_map(|l| Some((zone(l, *height)?, running_key(l))))
            .filter(|(_, k)| k.chars().any(char::is_alphabetic))
            .collect();
        for key in keys {
            *seen.entry(key).or_default() += 1;
        }
    }
    let repeats = pages.len().div_ceil(2).max(2);
    // The first page's top holds the title, never a running header named after the report.
    let running = |line: &Line, height: f64, bottom: bool| -> bool {
        zone(line, height) == Some(bottom)
            && ((line.text().to_lowercase().contains("inspection report") && (bottom || line.page > 1))
                || seen.get(&(bottom, running_key(line))).is_some_and(|n| *n >= repeats))
    };
    pages
        .into_iter()
        .map(|(number, height, mut lines)| {
            let footer_start = lines.iter().position(|l| running(l, height, true)).unwrap_or(lines.len());
            let footer = lines.split_off(footer_start);
            lines.retain(|l| !running(l, height, false));
            Page { number, height, body: lines, footer }
        })
        .collect()
}

/// Whether a line holds no letter or digit (blank, or a lone bullet or mark).
pub(super) fn is_empty_line(text: &str) -> bool {
    !text.chars().any(char::is_alphanumeric)
}
