//! Scalars and small value objects shared by the schema.

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, SimpleObject, Value};
use chrono::NaiveDate;
use send_model::domain::{self, PartialDate};

/// A calendar date, ISO 8601 `yyyy-mm-dd`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date(pub NaiveDate);

/// A calendar date in ISO 8601 form, `yyyy-mm-dd` (e.g. `2023-11-13`): RFC 3339's `full-date`.
#[Scalar(name = "Date", specified_by_url = "https://datatracker.ietf.org/doc/html/rfc3339#section-5.6")]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => send_model::domain::iso_day(s)
                .map(Date)
                .ok_or_else(|| InputValueError::custom(format!("expected a date yyyy-mm-dd, found {s:?}"))),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(send_model::domain::IsoDay(self.0).to_string())
    }
}

/// An instant, in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct DateTime(pub chrono::DateTime<chrono::Utc>);

/// An instant in UTC as RFC 3339 text, e.g. `2026-06-29T07:36:00+00:00` (when an import ran).
#[Scalar(name = "DateTime", specified_by_url = "https://datatracker.ietf.org/doc/html/rfc3339")]
impl ScalarType for DateTime {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => s
                .parse::<chrono::DateTime<chrono::Utc>>()
                .map(DateTime)
                .map_err(|_| InputValueError::custom(format!("expected an RFC 3339 date and time, found {s:?}"))),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.to_rfc3339())
    }
}

/// How precisely a published date is known.
#[derive(async_graphql::Enum, Clone, Copy, PartialEq, Eq, Debug)]
#[graphql(remote = "send_model::domain::DatePrecision")]
pub enum DatePrecision {
    /// The exact day is known.
    Day,
    /// Only the month is known; `date` is the month's first day.
    Month,
}

/// A date as the source published it: an exact day, or only a month.
#[derive(SimpleObject, Debug, Clone)]
pub struct PublishedDate {
    /// The day; when only the month is known, the month's first day (see `precision`).
    pub date: Date,
    /// Whether the day or only the month is known.
    pub precision: DatePrecision,
    /// The date as published: `yyyy-mm-dd`, or `yyyy-mm` when only the month is known.
    pub text: String,
}

impl PublishedDate {
    /// Builds the object from stored parts.
    pub fn from_parts(date: NaiveDate, precision: domain::DatePrecision) -> Self {
        let p = PartialDate::from_parts(date, precision);
        Self { date: Date(date), precision: precision.into(), text: p.to_string() }
    }

    /// Builds the object from optional stored parts.
    pub fn maybe(date: Option<NaiveDate>, precision: Option<domain::DatePrecision>) -> Option<Self> {
        date.map(|d| Self::from_parts(d, precision.unwrap_or(domain::DatePrecision::Day)))
    }
}
