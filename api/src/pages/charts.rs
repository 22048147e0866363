//! Charts as SVG text, drawn on the server: horizontal bars whose every segment carries its number as text and a
//! `<title>`, coloured by a CSS class (the stylesheet's palette, safe for colour-blind readers, with a pattern per
//! outcome), so that no chart relies on colour alone and each reads the same with its styles off.

use std::fmt::Write as _;

use super::html::escape;

/// One part of a bar.
pub struct Segment {
    /// Its CSS class (the category's fill and pattern).
    pub class: &'static str,
    /// Its size.
    pub value: f64,
    /// What it is, e.g. "7 typically positive".
    pub label: String,
}

/// One bar: a label, its segments, and a note written after it.
pub struct Bar {
    /// The bar's label, e.g. "2024".
    pub label: String,
    /// Its segments, left to right.
    pub segments: Vec<Segment>,
    /// Text after the bar, e.g. "28 inspections".
    pub note: String,
}

/// The chart's width at least; wider when its labels and notes need it (the stylesheet fits it to the page).
const WIDTH: f64 = 640.0;
/// The room for the labels at least, when the bars have any.
const LABEL_WIDTH: f64 = 110.0;
/// The room for the notes at least.
const NOTE_WIDTH: f64 = 130.0;
/// The room for the bars at least.
const BARS_WIDTH: f64 = 240.0;
/// A generous advance per character of the charts' 13px type (DejaVu Sans, a common fallback and among the widest,
/// averages about 0.6 em), so that no label or note runs past the chart's edge, where it would be cut off.
const CHAR_WIDTH: f64 = 8.0;
const ROW: f64 = 30.0;
const BAR: f64 = 20.0;

/// About how wide `text` is drawn, at most.
fn text_width(text: &str) -> f64 {
    text.chars().count() as f64 * CHAR_WIDTH
}

/// Horizontal bars, scaled to the largest bar's total. `id` makes the chart's element ids unique on its page;
/// `title` and `desc` are its text alternative (`desc` states the numbers).
pub fn bars(id: &str, title: &str, desc: &str, bars: &[Bar]) -> String {
    let height = ROW * bars.len() as f64 + 10.0;
    let max = bars.iter().map(|b| b.segments.iter().map(|s| s.value).sum::<f64>()).fold(0.0, f64::max);
    // A label ends 8 units before the bars; a note starts 6 units after its bar.
    let widest = |text: fn(&Bar) -> &str| bars.iter().map(|b| text_width(text(b))).fold(0.0, f64::max);
    let label_width = match widest(|b| &b.label) {
        0.0 => 0.0,
        w => (w + 8.0).max(LABEL_WIDTH),
    };
    let note_width = (widest(|b| &b.note) + 6.0).max(NOTE_WIDTH);
    let width = WIDTH.max(label_width + BARS_WIDTH + note_width).ceil();
    let scale = if max > 0.0 { (width - label_width - note_width) / max } else { 0.0 };
    let mut out = String::new();
    let _ = write!(
        out,
        "<svg class=\"bars\" viewBox=\"0 0 {width} {height}\" width=\"100%\" aria-labelledby=\"{id}-t {id}-d\" \
         role=\"img\"><title id=\"{id}-t\">{}</title><desc id=\"{id}-d\">{}</desc>",
        escape(title),
        escape(desc)
    );
    for (i, bar) in bars.iter().enumerate() {
        let y = 5.0 + ROW * i as f64;
        let text_y = y + BAR / 2.0 + 5.0;
        let _ = write!(
            out,
            "<text class=\"bar-label\" x=\"{:.1}\" y=\"{text_y:.1}\" text-anchor=\"end\">{}</text>",
            label_width - 8.0,
            escape(&bar.label)
        );
        let mut x = label_width;
        for s in &bar.segments {
            let w = s.value * scale;
            if w <= 0.0 {
                continue;
            }
            let _ = write!(
                out,
                "<rect class=\"{}\" x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{BAR}\"><title>{}</title></rect>",
                s.class,
                escape(&s.label)
            );
            // The number inside its segment when it fits; the table and the note give it in any case.
            if w >= 24.0 {
                let _ = write!(
                    out,
                    "<text class=\"on-bar\" x=\"{:.1}\" y=\"{text_y:.1}\" text-anchor=\"middle\">{}</text>",
                    x + w / 2.0,
                    number(s.value)
                );
            }
            x += w;
        }
        let _ =
            write!(out, "<text class=\"bar-note\" x=\"{:.1}\" y=\"{text_y:.1}\">{}</text>", x + 6.0, escape(&bar.note));
    }
    out.push_str("</svg>");
    out
}

/// A legend of the bars' categories, `(class, words)` in the order the segments go: each a swatch of the
/// category's colour beside its words, so that the colours can be told apart by name.
pub fn legend(entries: &[(&str, &str)]) -> String {
    let mut out = String::from("<ul class=\"legend\">");
    for (class, words) in entries {
        let _ = write!(
            out,
            "<li><svg class=\"swatch\" viewBox=\"0 0 16 16\" width=\"16\" height=\"16\" aria-hidden=\"true\">\
             <rect class=\"{}\" width=\"16\" height=\"16\"/></svg> {}</li>",
            escape(class),
            escape(words)
        );
    }
    out.push_str("</ul>");
    out
}

/// A count as text (whole numbers without a decimal point).
fn number(v: f64) -> String {
    if v.fract() == 0.0 { format!("{v:.0}") } else { format!("{v:.1}") }
}

#[cfg(test)]
mod tests {
    use super::{Bar, Segment, bars};

    #[test]
    fn bars_carry_their_numbers_as_text_and_scale_to_the_largest() {
        let svg = bars(
            "t",
            "Outcomes",
            "2023: 7, 11, 8",
            &[
                Bar {
                    label: "2023".into(),
                    segments: vec![
                        Segment { class: "outcome-positive", value: 7.0, label: "7 positive".into() },
                        Segment { class: "outcome-systemic", value: 0.0, label: "none".into() },
                    ],
                    note: "7 <all>".into(),
                },
                Bar { label: "2024".into(), segments: vec![], note: "none".into() },
            ],
        );
        assert!(svg.contains("<title>7 positive</title>"));
        assert!(svg.contains(">7</text>"), "{svg}");
        assert!(svg.contains("7 &lt;all&gt;"), "escaped");
        assert!(!svg.contains("none</title>"), "an empty segment is not drawn");
        assert!(svg.contains("width=\"400.0\""), "the largest bar fills the bar area: {svg}");
    }

    #[test]
    fn long_notes_and_labels_get_room_inside_the_chart() {
        let long = "strategic governance and oversight";
        let bar = |label: &str| Bar {
            label: label.into(),
            segments: vec![Segment { class: "theme", value: 10.0, label: format!("{long}: 10") }],
            note: long.into(),
        };
        // Room for the note (6 units after the bar, then the text) and no room kept for empty labels.
        let svg = bars("t", "Themes", "10", &[bar("")]);
        let note = long.len() as f64 * 8.0 + 6.0;
        assert!(svg.contains("viewBox=\"0 0 640 40\""), "{svg}");
        assert!(
            svg.contains(&format!("<rect class=\"theme\" x=\"0.0\" y=\"5.0\" width=\"{:.1}\"", 640.0 - note)),
            "{svg}"
        );
        // A long label as well: the chart widens so that the bars keep their room.
        let svg = bars("t", "Themes", "10", &[bar(long)]);
        let label = long.len() as f64 * 8.0 + 8.0;
        assert!(svg.contains(&format!("viewBox=\"0 0 {} 40\"", (label + 240.0 + note).ceil())), "{svg}");
        assert!(svg.contains(&format!("x=\"{label:.1}\" y=\"5.0\" width=\"240.0\"")), "{svg}");
    }
}
