//! Dates as reports write them: "13 to 17 November 2023", "29 January to 2 February 2024",
//! "27 November 2023 to 1 December 2023", "16 May 2016".

use chrono::NaiveDate;

/// A first day and, when the text gives a range, a last day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateRange {
    /// The first (or only) day.
    pub start: NaiveDate,
    /// The last day; `None` when the text gives a single day.
    pub end: Option<NaiveDate>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Token {
    Number(u32),
    Month(u32),
    To,
    Other,
}

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

fn month(word: &str) -> Option<u32> {
    if word.len() < 3 {
        return None;
    }
    let word = if word == "sept" { "sep" } else { word };
    MONTHS
        .iter()
        .position(|m| *m == word || (word.len() == 3 && m.starts_with(word)))
        .and_then(|i| u32::try_from(i + 1).ok())
}

fn tokens(text: &str) -> Vec<Token> {
    let lower = text.to_lowercase();
    let mut out = Vec::new();
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut Vec<Token>| {
        if word.is_empty() {
            return;
        }
        let digits: String = word.chars().take_while(char::is_ascii_digit).collect();
        let rest = &word[digits.len()..];
        out.push(if !digits.is_empty() && ["", "st", "nd", "rd", "th"].contains(&rest) {
            digits.parse().map_or(Token::Other, Token::Number)
        } else if word == "to" || word == "until" {
            Token::To
        } else if let Some(m) = month(word) {
            Token::Month(m)
        } else {
            Token::Other
        });
        word.clear();
    };
    for c in lower.chars() {
        if c.is_alphanumeric() {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            if matches!(c, '-' | '\u{2013}' | '\u{2014}') {
                out.push(Token::To);
            }
        }
    }
    flush(&mut word, &mut out);
    out
}

/// Day, then optionally month, then optionally (after a month) a four-digit year; and how many tokens it took.
fn part(tokens: &[Token]) -> Option<(u32, Option<u32>, Option<i32>, usize)> {
    let Some(Token::Number(day)) = tokens.first() else { return None };
    if !(1..=31).contains(day) {
        return None;
    }
    match tokens.get(1) {
        Some(Token::Month(m)) => match tokens.get(2) {
            Some(Token::Number(y)) if (1900..=2200).contains(y) => Some((*day, Some(*m), i32::try_from(*y).ok(), 3)),
            _ => Some((*day, Some(*m), None, 2)),
        },
        _ => Some((*day, None, None, 1)),
    }
}

fn range_at(tokens: &[Token]) -> Option<DateRange> {
    let (d1, m1, y1, used) = part(tokens)?;
    if tokens.get(used) == Some(&Token::To)
        && let Some((d2, Some(m2), Some(y2), _)) = tokens.get(used + 1..).and_then(part)
    {
        let end = NaiveDate::from_ymd_opt(y2, m2, d2)?;
        let m1 = m1.unwrap_or(m2);
        // "29 December to 2 January 2024": the first month is later in the year than the last, so the year before.
        let y1 = y1.unwrap_or(if m1 > m2 { y2 - 1 } else { y2 });
        let start = NaiveDate::from_ymd_opt(y1, m1, d1)?;
        return (start <= end).then_some(DateRange { start, end: Some(end) });
    }
    let start = NaiveDate::from_ymd_opt(y1?, m1?, d1)?;
    Some(DateRange { start, end: None })
}

/// The first date or date range written in `text`, in any of the forms reports use.
pub fn parse_range(text: &str) -> Option<DateRange> {
    let tokens = tokens(text);
    (0..tokens.len()).find_map(|i| tokens.get(i..).and_then(range_at))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid test date")
    }

    #[test]
    fn ranges_within_a_month_across_months_and_years() {
        let ranges = [
            ("Inspection dates: 13 to 17 November 2023", d(2023, 11, 13), d(2023, 11, 17)),
            ("29 January to 2 February 2024", d(2024, 1, 29), d(2024, 2, 2)),
            ("27 November 2023 to 1 December 2023", d(2023, 11, 27), d(2023, 12, 1)),
            ("29 December to 2 January 2024", d(2023, 12, 29), d(2024, 1, 2)),
        ];
        for (text, start, end) in ranges {
            assert_eq!(parse_range(text), Some(DateRange { start, end: Some(end) }), "{text}");
        }
        assert_eq!(parse_range("13\u{2013}17 Nov 2023").map(|r| r.end), Some(Some(d(2023, 11, 17))));
    }

    #[test]
    fn single_days_and_text_without_a_date() {
        assert_eq!(parse_range("16 May 2016"), Some(DateRange { start: d(2016, 5, 16), end: None }));
        assert_eq!(parse_range("Not previously inspected"), None);
        assert_eq!(parse_range("17 to 21"), None);
        assert_eq!(parse_range("31 February 2024"), None);
    }
}
