//! An inspection's facts as compared text: what a row gives, what is stored, and how a taken value is set.

use std::collections::HashMap;

use sea_orm::{ActiveValue::Set, ColumnTrait, DatabaseTransaction, DbErr, EntityTrait, QueryFilter};
use send_model::domain::{Framework, InspectionType, PartialDate};
use send_model::entity::{improvement_area, inspection, priority_action};
use send_model::fact::Fact;

use crate::rows::InspectionRow;

use super::compare::{date_text, some};

pub(super) fn inspection_record(
    gss: &str,
    framework: Framework,
    t: InspectionType,
    start: PartialDate,
    known: bool,
) -> String {
    if known {
        format!("inspection {gss} {framework} {} {start}", t.code())
    } else {
        format!("inspection {gss} {framework} {} published {start} (start not known)", t.code())
    }
}

pub(super) fn themes_text(themes: impl Iterator<Item = send_model::domain::Theme>) -> Option<String> {
    let labels: Vec<&str> = themes.map(|t| t.code()).collect();
    (!labels.is_empty()).then(|| labels.join("; "))
}

/// The facts a row gives, as named text values, starting with its start date (none when the row does not know it:
/// an unknown start never replaces a known one).
pub(super) fn given_facts(r: &InspectionRow) -> Vec<(Fact, Option<String>)> {
    let f = &r.facts;
    let mut out = if r.start_known { vec![(Fact::Start, some(r.start))] } else { Vec::new() };
    let date = |d: &Option<PartialDate>| d.map(|d| d.to_string());
    let number = |n: &Option<i32>| n.map(|n| n.to_string());
    if let Some(v) = &f.end {
        out.push((Fact::End, date(v)));
    }
    if let Some(v) = &f.published {
        out.push((Fact::Published, date(v)));
    }
    if let Some(v) = &f.outcome {
        out.push((Fact::Outcome, v.map(|o| o.code().to_owned())));
    }
    if let Some(v) = &f.priority_action_count {
        out.push((Fact::PriorityActionCount, number(v)));
    }
    if let Some(v) = &f.themes {
        out.push((Fact::PriorityActions, themes_text(v.iter().copied())));
    }
    if let Some(report) = &r.report {
        if f.themes.is_some() {
            let actions = report.priority_actions.iter().map(|a| (a.text.as_str(), evidence_text(&a.evidence), None));
            out.push((Fact::PriorityActionTexts, details_text(actions)));
        }
        let areas = report
            .areas_for_improvement
            .iter()
            .map(|a| (a.text.as_str(), evidence_text(&a.evidence), a.theme.map(|t| t.code())));
        out.push((Fact::AreasForImprovement, details_text(areas)));
        if let Some(url) = &report.report_url {
            out.push((Fact::ReportUrl, some(url)));
        }
    } else if let Some(url) = &f.report_url {
        out.push((Fact::ReportUrl, url.clone()));
    }
    if let Some(v) = &f.significant_weaknesses {
        out.push((Fact::SignificantWeaknesses, number(v)));
    }
    if let Some(v) = &f.weaknesses_progress_made {
        out.push((Fact::WeaknessesProgressMade, number(v)));
    }
    if let Some(v) = &f.weaknesses_progress_not_made {
        out.push((Fact::WeaknessesProgressNotMade, number(v)));
    }
    out
}

/// A list of evidence as stored: the words and phrases joined by `"; "`, `None` when there are none.
pub(super) fn evidence_text(evidence: &[String]) -> Option<String> {
    (!evidence.is_empty()).then(|| evidence.join("; "))
}

/// What only a report gives (action texts, areas for improvement) as one compared text value: the items
/// `N. text [theme: ...] [evidence: ...]` joined by `" | "`; `None` for no items.
pub(super) fn details_text<'a>(
    items: impl Iterator<Item = (&'a str, Option<String>, Option<&'a str>)>,
) -> Option<String> {
    let lines: Vec<String> = items
        .enumerate()
        .map(|(i, (text, evidence, theme))| {
            let mut line = format!("{}. {text}", i + 1);
            if let Some(theme) = theme {
                line.push_str(&format!(" [theme: {theme}]"));
            }
            if let Some(evidence) = evidence {
                line.push_str(&format!(" [evidence: {evidence}]"));
            }
            line
        })
        .collect();
    (!lines.is_empty()).then(|| lines.join(" | "))
}

/// The stored report-only values of each inspection, as compared text (see [`details_text`]).
#[derive(Default)]
pub(super) struct StoredDetails {
    /// Priority actions' texts and evidence, when every action's text is known.
    pub(super) texts: HashMap<i32, Option<String>>,
    /// Areas for improvement.
    pub(super) improvements: HashMap<i32, Option<String>>,
}

impl StoredDetails {
    pub(super) async fn load(txn: &DatabaseTransaction) -> Result<Self, DbErr> {
        let mut actions: HashMap<i32, Vec<priority_action::Model>> = HashMap::new();
        for a in priority_action::Entity::find().filter(priority_action::Column::Text.is_not_null()).all(txn).await? {
            actions.entry(a.inspection_id).or_default().push(a);
        }
        let mut details = Self::default();
        for (id, mut list) in actions {
            list.sort_by_key(|a| a.ordinal);
            let items = list.iter().map(|a| (a.text.as_deref().unwrap_or_default(), a.evidence.clone(), None));
            details.texts.insert(id, details_text(items));
        }
        let mut areas: HashMap<i32, Vec<improvement_area::Model>> = HashMap::new();
        for a in improvement_area::Entity::find().all(txn).await? {
            areas.entry(a.inspection_id).or_default().push(a);
        }
        for (id, mut list) in areas {
            list.sort_by_key(|a| a.ordinal);
            let items = list.iter().map(|a| (a.text.as_str(), a.evidence.clone(), a.theme.map(|t| t.code())));
            details.improvements.insert(id, details_text(items));
        }
        Ok(details)
    }
}

/// The stored value of a field, as text.
pub(super) fn stored_fact(
    m: &inspection::Model,
    themes: &Option<String>,
    details: &StoredDetails,
    fact: Fact,
) -> Option<String> {
    let number = |n: Option<i32>| n.map(|n| n.to_string());
    match fact {
        Fact::Start => m.start_known.then(|| PartialDate::from_parts(m.start_date, m.start_precision).to_string()),
        Fact::End => date_text(m.end_date, m.end_precision),
        Fact::Published => date_text(m.published, m.published_precision),
        Fact::Outcome => m.outcome.map(|o| o.code().to_owned()),
        Fact::PriorityActionCount => number(m.priority_action_count),
        Fact::PriorityActions => themes.clone(),
        Fact::PriorityActionTexts => details.texts.get(&m.id).cloned().flatten(),
        Fact::AreasForImprovement => details.improvements.get(&m.id).cloned().flatten(),
        Fact::ReportUrl => m.report_url.clone(),
        Fact::SignificantWeaknesses => number(m.significant_weaknesses),
        Fact::WeaknessesProgressMade => number(m.weaknesses_progress_made),
        Fact::WeaknessesProgressNotMade => number(m.weaknesses_progress_not_made),
    }
}

/// Sets one field of `am` from the row (priority actions are rows of their own, written apart).
pub(super) fn apply(am: &mut inspection::ActiveModel, r: &InspectionRow, fact: Fact) {
    let f = &r.facts;
    match fact {
        Fact::Start => {
            am.start_date = Set(r.start.date);
            am.start_precision = Set(r.start.precision);
            am.start_year = Set(chrono::Datelike::year(&r.start.date));
            am.start_known = Set(true);
        }
        Fact::End => {
            let v = f.end.flatten();
            am.end_date = Set(v.map(|d| d.date));
            am.end_precision = Set(v.map(|d| d.precision));
        }
        Fact::Published => {
            let v = f.published.flatten();
            am.published = Set(v.map(|d| d.date));
            am.published_precision = Set(v.map(|d| d.precision));
        }
        Fact::Outcome => am.outcome = Set(f.outcome.flatten()),
        Fact::ReportUrl => {
            am.report_url = Set(match &r.report {
                Some(details) => details.report_url.clone(),
                None => f.report_url.clone().flatten(),
            });
        }
        Fact::PriorityActionCount => am.priority_action_count = Set(f.priority_action_count.flatten()),
        Fact::SignificantWeaknesses => am.significant_weaknesses = Set(f.significant_weaknesses.flatten()),
        Fact::WeaknessesProgressMade => am.weaknesses_progress_made = Set(f.weaknesses_progress_made.flatten()),
        Fact::WeaknessesProgressNotMade => {
            am.weaknesses_progress_not_made = Set(f.weaknesses_progress_not_made.flatten());
        }
        // Rows of their own, written apart (`write_actions`, `write_improvements`).
        Fact::PriorityActions | Fact::PriorityActionTexts | Fact::AreasForImprovement => {}
    }
}
