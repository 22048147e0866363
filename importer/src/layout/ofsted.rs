//! The rows of Ofsted's files: the 2016-framework official statistics and the 2023-framework management
//! information.

use chrono::NaiveDate;
use send_model::domain::{
    DatePrecision, Framework, GssCode, GssKind, InspectionType, Outcome, ParseError, PartialDate,
};

use super::cells::Cells;
use crate::rows::{AreaRef, InspectionFacts, InspectionRow, RegionRef};

/// A day as Ofsted's files write it: `dd/mm/yyyy`, or ISO `yyyy-mm-dd` (how a spreadsheet date cell reads).
pub(super) fn ofsted_date(text: &str) -> Result<PartialDate, ParseError> {
    let t = text.trim();
    NaiveDate::parse_from_str(t, "%d/%m/%Y")
        .or_else(|_| NaiveDate::parse_from_str(t, "%Y-%m-%d"))
        .map(|date| PartialDate { date, precision: DatePrecision::Day })
        .map_err(|_| ParseError::new("a date dd/mm/yyyy", text))
}

/// A count cell: a whole number, or empty / `NA` for none given.
pub(super) fn count(text: &str) -> Result<Option<i32>, ParseError> {
    let t = text.trim();
    if t.is_empty() || t.eq_ignore_ascii_case("na") {
        return Ok(None);
    }
    t.parse::<i32>()
        .ok()
        .filter(|n| *n >= 0)
        .map(Some)
        .ok_or_else(|| ParseError::new("a whole number (or empty)", text))
}

/// A cell that must be `Yes` or `No`.
pub(super) fn yes_no(text: &str) -> Result<bool, ParseError> {
    match text.trim().to_ascii_lowercase().as_str() {
        "yes" => Ok(true),
        "no" => Ok(false),
        _ => Err(ParseError::new("Yes or No", text)),
    }
}

/// A row of the 2016-framework official statistics: the full inspection, and the revisit when there was one.
pub(super) fn official_2016_rows(c: &mut Cells<'_>, file: &str) -> Vec<InspectionRow> {
    let gss = c.required("local authority code", |t| GssCode::parse(t, GssKind::LocalArea));
    let region = c.text("ofsted region", "an Ofsted region name");
    let start = c.required("inspection start date", ofsted_date);
    let published = c.optional("inspection publication date", ofsted_date);
    let wsoa = c.required("inspection outcome written statement of action required", yes_no);
    let weaknesses = c.required("number significant weaknesses identified in written statement of action", count);
    let revisit_raw = c.raw("revisit start date").to_owned();
    let not_revisited = revisit_raw.is_empty() || revisit_raw.eq_ignore_ascii_case("not revisited yet");
    let revisit_start =
        if not_revisited { Some(None) } else { c.required("revisit start date", ofsted_date).map(Some) };
    let revisit_published = c.optional("revisit publication date", ofsted_date);
    let revisit_outcome =
        c.optional("revisit outcome sufficient progress in addressing all significant weaknesses", |t| {
            match t.trim().to_ascii_lowercase().as_str() {
                "yes" => Ok(Outcome::AllWeaknessesAddressed),
                "some" => Ok(Outcome::SomeWeaknessesAddressed),
                "no" => Ok(Outcome::NoWeaknessesAddressed),
                _ => Err(ParseError::new("Yes, Some or No", t)),
            }
        });
    let made = c.required("number significant weaknesses where sufficient progress has been made", count);
    let not_made = c.required("number significant weaknesses where sufficient progress has not been made", count);
    if let (Some(false), Some(Some(n))) = (wsoa, weaknesses)
        && n > 0
    {
        c.problem(
            "number significant weaknesses identified in written statement of action",
            format!("expected no count when no written statement of action was required, found {n}"),
        );
    }
    if let (Some(false), Some(Some(_))) = (wsoa, revisit_start) {
        c.problem(
            "revisit start date",
            "expected no revisit when no written statement of action was required, found a date",
        );
    }
    let (Some(gss), Some(region), Some(start), Some(published), Some(wsoa), Some(weaknesses)) =
        (gss, region, start, published, wsoa, weaknesses)
    else {
        return Vec::new();
    };
    let mut out = vec![InspectionRow {
        line: c.line,
        area: AreaRef::Code(gss.clone()),
        gss: Some(gss.clone()),
        dfe: None,
        region: RegionRef::Ofsted(region.clone()),
        framework: Framework::F2016,
        inspection_type: InspectionType::Full,
        start,
        start_known: true,
        facts: InspectionFacts {
            published: Some(published),
            outcome: Some(Some(if wsoa { Outcome::WsoaRequired } else { Outcome::WsoaNotRequired })),
            significant_weaknesses: if wsoa { Some(weaknesses) } else { None },
            ..InspectionFacts::default()
        },
        source_url: file.to_owned(),
        report: None,
    }];
    if let (Some(Some(revisit)), Some(revisit_published), Some(revisit_outcome), Some(made), Some(not_made)) =
        (revisit_start, revisit_published, revisit_outcome, made, not_made)
    {
        out.push(InspectionRow {
            line: c.line,
            area: AreaRef::Code(gss.clone()),
            gss: Some(gss),
            dfe: None,
            region: RegionRef::Ofsted(region),
            framework: Framework::F2016,
            inspection_type: InspectionType::Revisit,
            start: revisit,
            start_known: true,
            facts: InspectionFacts {
                published: Some(revisit_published),
                outcome: Some(revisit_outcome),
                weaknesses_progress_made: Some(made),
                weaknesses_progress_not_made: Some(not_made),
                ..InspectionFacts::default()
            },
            source_url: file.to_owned(),
            report: None,
        });
    }
    out
}

/// A row of the 2023-framework management information (or official statistics of the same layout).
pub(super) fn mi_2023_row(c: &mut Cells<'_>, file: &str) -> Option<InspectionRow> {
    let name = c.text("local area partnership", "the local area partnership's name");
    let region = c.text("ofsted region", "an Ofsted region name");
    let start = c.required("inspection start date", ofsted_date);
    let published = c.optional("inspection publication date", ofsted_date);
    let outcome = c.required("inspection outcome", |t| {
        let n = crate::catalog::normalise_name(t);
        if n.starts_with("typically positive") {
            Ok(Outcome::TypicallyPositive)
        } else if n.starts_with("inconsistent") {
            Ok(Outcome::Inconsistent)
        } else if n.starts_with("widespread and or systemic failings") {
            Ok(Outcome::WidespreadSystemicFailings)
        } else {
            Err(ParseError::new(
                "one of \"Typically positive experiences and outcomes\", \"Inconsistent experiences and outcomes\", \"Widespread and/or systemic failings\"",
                t,
            ))
        }
    });
    let plan = c.required("priority action plan required", yes_no);
    let actions = c.required("number of areas for priority action", count);
    if let (Some(o), Some(plan)) = (outcome, plan)
        && plan != (o == Outcome::WidespreadSystemicFailings)
    {
        c.problem(
            "priority action plan required",
            format!(
                "expected {} for the outcome {:?}, found {}",
                if plan { "No" } else { "Yes" },
                o.code(),
                if plan { "Yes" } else { "No" }
            ),
        );
    }
    let outcome = outcome?;
    // Blank (or NA) means none for outcomes without areas for priority action; for systemic failings, not given.
    let count = match actions? {
        Some(n) => Some(Some(n)),
        None if outcome != Outcome::WidespreadSystemicFailings => Some(Some(0)),
        None => None,
    };
    Some(InspectionRow {
        line: c.line,
        area: AreaRef::Name(name?),
        gss: None,
        dfe: None,
        region: RegionRef::Ofsted(region?),
        framework: Framework::F2023,
        inspection_type: InspectionType::Full,
        start: start?,
        start_known: true,
        facts: InspectionFacts {
            published: Some(published?),
            outcome: Some(Some(outcome)),
            priority_action_count: count,
            ..InspectionFacts::default()
        },
        source_url: file.to_owned(),
        report: None,
    })
}
