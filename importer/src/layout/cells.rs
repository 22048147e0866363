//! Reading one row's cells into typed values, recording a problem for each cell that does not parse.

use std::collections::HashMap;

use chrono::NaiveDate;
use csv::StringRecord;
use send_model::domain::ParseError;

use crate::error::Problem;

use super::detect::normalise_header;

/// Reads one row's cells, recording a [`Problem`] for each one that does not parse.
pub(super) struct Cells<'a> {
    pub(super) file: &'a str,
    pub(super) line: u64,
    pub(super) record: &'a StringRecord,
    pub(super) columns: &'a HashMap<String, usize>,
    pub(super) problems: &'a mut Vec<Problem>,
}

impl Cells<'_> {
    pub(super) fn raw(&self, column: &str) -> &str {
        let index = match self.columns.get(column) {
            Some(&i) => Some(i),
            None => self.columns.get(&normalise_header(column)).copied(),
        };
        index.and_then(|i| self.record.get(i)).map_or("", |c| c.trim())
    }

    pub(super) fn problem(&mut self, column: &str, message: impl Into<String>) {
        self.problems.push(Problem {
            file: self.file.to_owned(),
            line: self.line,
            column: column.to_owned(),
            message: message.into(),
        });
    }

    pub(super) fn parse_error(&mut self, column: &str, e: ParseError) {
        let found = if e.found.trim().is_empty() { "an empty cell".to_owned() } else { format!("{:?}", e.found) };
        self.problem(column, format!("expected {}, found {found}", e.expected));
    }

    /// A cell that must hold a value.
    pub(super) fn required<T>(&mut self, column: &str, parse: impl Fn(&str) -> Result<T, ParseError>) -> Option<T> {
        match parse(self.raw(column)) {
            Ok(v) => Some(v),
            Err(e) => {
                self.parse_error(column, e);
                None
            }
        }
    }

    /// A cell that may be empty; `Some(None)` when it is.
    pub(super) fn optional<T>(
        &mut self,
        column: &str,
        parse: impl Fn(&str) -> Result<T, ParseError>,
    ) -> Option<Option<T>> {
        if self.raw(column).is_empty() { Some(None) } else { self.required(column, parse).map(Some) }
    }

    /// A cell of `separator`-separated values, each parsed; empty gives an empty list.
    pub(super) fn list<T>(
        &mut self,
        column: &str,
        separator: char,
        parse: impl Fn(&str) -> Result<T, ParseError>,
    ) -> Option<Vec<T>> {
        let raw = self.raw(column).to_owned();
        let mut out = Vec::new();
        let mut ok = true;
        for part in raw.split(separator).map(str::trim).filter(|p| !p.is_empty()) {
            match parse(part) {
                Ok(v) => out.push(v),
                Err(e) => {
                    self.parse_error(column, e);
                    ok = false;
                }
            }
        }
        ok.then_some(out)
    }

    /// A non-empty text cell.
    pub(super) fn text(&mut self, column: &str, what: &str) -> Option<String> {
        self.required(
            column,
            |t| {
                if t.trim().is_empty() { Err(ParseError::new(what, t)) } else { Ok(t.trim().to_owned()) }
            },
        )
    }

    /// A text cell that may be empty.
    pub(super) fn optional_text(&self, column: &str) -> Option<String> {
        let t = self.raw(column);
        (!t.is_empty()).then(|| t.to_owned())
    }
}

pub(super) fn iso_day(text: &str) -> Result<NaiveDate, ParseError> {
    send_model::domain::iso_day(text.trim()).ok_or_else(|| ParseError::new("an ISO date yyyy-mm-dd", text))
}

pub(super) fn url(text: &str) -> Result<String, ParseError> {
    let t = text.trim();
    if (t.starts_with("https://") || t.starts_with("http://")) && !t.contains(char::is_whitespace) {
        Ok(t.to_owned())
    } else {
        Err(ParseError::new("an http(s) URL", text))
    }
}
