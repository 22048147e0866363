//! Writes of inspections: rows matched to stored inspections (same area, framework and type within a month),
//! merged field by field under the precedence rule, new ones inserted in batches with their priority actions, and
//! every change recorded (which source set each field; what each import changed).

use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, DatabaseTransaction, DbErr, EntityTrait,
    IntoActiveModel, QueryFilter, TryIntoModel,
};
use send_model::domain::{Framework, InspectionType, PartialDate, SourceKind, Theme};
use send_model::entity::{
    import_run, improvement_area, inspection, inspection_change, inspection_field_source, local_area, priority_action,
};
use send_model::fact::Fact;

use crate::import_summary::FieldChange;
use crate::options::ImportOptions;
use crate::rows::{InspectionRow, ParsedFile, ReportDetails, Rows};

use super::compare::{FileWrite, replace_rows};
use super::facts::{StoredDetails, apply, evidence_text, given_facts, inspection_record, stored_fact, themes_text};
use super::precedence::{Said, decide};
use super::reference::partners_by_area;

/// How far apart two start dates may be and still be the same inspection of an area (sources disagree by days;
/// inspections of the same type in the same area are years apart).
pub(super) const SAME_INSPECTION_DAYS: i64 = 31;

/// When an inspection was seen: its start, whether that start is known, and its publication.
#[derive(Debug, Clone, Copy)]
pub(super) struct Sighting {
    start: NaiveDate,
    start_known: bool,
    published: Option<NaiveDate>,
}

impl Sighting {
    fn of_row(r: &InspectionRow) -> Self {
        Self { start: r.start.date, start_known: r.start_known, published: r.facts.published.flatten().map(|d| d.date) }
    }

    fn of_stored(m: &inspection::Model) -> Self {
        Self { start: m.start_date, start_known: m.start_known, published: m.published }
    }

    /// Days between two sightings of what may be one inspection: the nearer of their starts (when both are known)
    /// and their publications (when both are known); `None` when neither can be told (then they are different
    /// inspections). Either is enough: two inspections of one type of one area are years apart on both, while a
    /// source that misreads one date (a scrape taking the previous inspection's start) still names the same report.
    fn days_apart(&self, other: &Self) -> Option<i64> {
        let starts = (self.start_known && other.start_known).then(|| (self.start - other.start).num_days().abs());
        let published = match (self.published, other.published) {
            (Some(a), Some(b)) => Some((a - b).num_days().abs()),
            _ => None,
        };
        match (starts, published) {
            (Some(s), Some(p)) => Some(s.min(p)),
            (s, p) => s.or(p),
        }
    }

    fn near(&self, other: &Self) -> bool {
        self.days_apart(other).is_some_and(|days| days <= SAME_INSPECTION_DAYS)
    }
}

pub(super) async fn write_inspections(
    FileWrite { txn, run, counts }: FileWrite<'_>,
    file: &ParsedFile,
    warnings: &mut Vec<String>,
    progress: &indicatif::ProgressBar,
    options: &ImportOptions,
) -> Result<(), DbErr> {
    let Rows::Inspections(rows) = &file.rows else { return Ok(()) };
    let kind = file.layout.source_kind();
    // Named as its import run records it, as the earlier sources it is compared with are.
    let recorded = file.source.recorded_name();
    let source = recorded.as_str();
    // Areas by code, and each area's code and region (inspections carry their area's region, which pages of one
    // region are indexed on): one read of the areas.
    let areas = local_area::Entity::find().all(txn).await?;
    let ids: HashMap<String, i32> = areas.iter().map(|a| (a.gss_code.clone(), a.id)).collect();
    let gss_of: HashMap<i32, String> = areas.iter().map(|a| (a.id, a.gss_code.clone())).collect();
    let region_of: HashMap<i32, String> = areas.into_iter().map(|a| (a.id, a.region_code)).collect();
    let mut groups: HashMap<(i32, Framework, InspectionType), Vec<inspection::Model>> = HashMap::new();
    for m in inspection::Entity::find().all(txn).await? {
        groups.entry((m.area_id, m.framework, m.inspection_type)).or_default().push(m);
    }
    let mut themes: HashMap<i32, Option<String>> = HashMap::new();
    {
        let mut lists: HashMap<i32, Vec<priority_action::Model>> = HashMap::new();
        for a in priority_action::Entity::find().all(txn).await? {
            lists.entry(a.inspection_id).or_default().push(a);
        }
        for (id, mut list) in lists {
            list.sort_by_key(|a| a.ordinal);
            themes.insert(id, themes_text(list.into_iter().map(|a| a.theme)));
        }
    }
    let mut details = StoredDetails::load(txn).await?;
    let partners = partners_by_area(txn).await?;
    let runs: HashMap<i32, String> =
        import_run::Entity::find().all(txn).await?.into_iter().map(|r| (r.id, r.source)).collect();
    let mut said: HashMap<(i32, String), Said> = HashMap::new();
    for s in inspection_field_source::Entity::find().all(txn).await? {
        let source = runs.get(&s.import_run_id).cloned().unwrap_or_default();
        said.insert((s.inspection_id, s.field), Said { kind: s.source_kind, source });
    }

    let held: usize = groups.values().map(Vec::len).sum();
    let bulk = if rows.len() >= options.bulk_load_rows && rows.len() > held {
        Some(send_model::backend::set_aside(txn, &BULK_TABLES, options.bulk_lock_patience).await?)
    } else {
        None
    };
    let mut sources_set: Vec<(i32, &'static str)> = Vec::new();
    let mut changed_rows: Vec<inspection_change::ActiveModel> = Vec::new();
    let largest = groups.values().flatten().map(|m| m.id).max().unwrap_or(0);
    let mut pending = Pending { next_id: largest + 1, ..Default::default() };
    for r in rows {
        progress.inc(1);
        let Some(gss) = &r.gss else { continue };
        let Some(&area_id) = ids.get(gss.as_str()) else { continue };
        let given = given_facts(r);
        if let Some(report) = &r.report {
            let mut named = report.icb_codes.clone();
            named.sort();
            let known = partners.get(&area_id).cloned().unwrap_or_default();
            if !named.is_empty() && named != known {
                warnings.push(format!(
                    "{source}: the report names the ICB(s) {} for {gss}; the area's partners are {} (from local_areas.csv, which owns them: kept)",
                    named.join(";"),
                    if known.is_empty() { "(none)".to_owned() } else { known.join(";") }
                ));
            }
        }
        if pending.near(area_id, r) {
            // This row may be the same inspection as one waiting to be inserted: insert those first.
            pending.flush(txn, &mut groups, &mut themes, run).await?;
        }
        let group = groups.entry((area_id, r.framework, r.inspection_type)).or_default();
        let seen = Sighting::of_row(r);
        let matched = group
            .iter()
            .enumerate()
            .filter_map(|(i, m)| Some((i, Sighting::of_stored(m).days_apart(&seen)?)))
            .filter(|(_, days)| *days <= SAME_INSPECTION_DAYS)
            .min_by_key(|(_, days)| *days)
            .map(|(i, _)| i);
        let record = inspection_record(gss.as_str(), r.framework, r.inspection_type, r.start, r.start_known);
        let Some(index) = matched else {
            // An insert is counted; it compares no value.
            counts.compare(record, None, &Vec::new());
            let mut am = inspection::ActiveModel {
                area_id: Set(area_id),
                framework: Set(r.framework),
                inspection_type: Set(r.inspection_type),
                report_url: Set(None),
                source_url: Set(r.source_url.clone()),
                source_kind: Set(kind),
                import_run_id: Set(run),
                created_run_id: Set(Some(run)),
                end_date: Set(None),
                end_precision: Set(None),
                published: Set(None),
                published_precision: Set(None),
                outcome: Set(None),
                significant_weaknesses: Set(None),
                weaknesses_progress_made: Set(None),
                weaknesses_progress_not_made: Set(None),
                priority_action_count: Set(None),
                region_code: Set(region_of.get(&area_id).cloned()),
                // Placed at its start, or at its publication when the start is not known.
                start_date: Set(r.start.date),
                start_precision: Set(r.start.precision),
                start_year: Set(chrono::Datelike::year(&r.start.date)),
                start_known: Set(r.start_known),
                ..Default::default()
            };
            for (field, _) in &given {
                apply(&mut am, r, *field);
            }
            pending.push(area_id, r, am);
            if pending.rows.len() >= INSERT_BATCH {
                pending.flush(txn, &mut groups, &mut themes, run).await?;
            }
            continue;
        };
        let m = group[index].clone();
        let record = inspection_record(
            &gss_of[&m.area_id],
            m.framework,
            m.inspection_type,
            PartialDate::from_parts(m.start_date, m.start_precision),
            m.start_known,
        );
        let stored_themes = themes.get(&m.id).cloned().flatten();
        let mut accepted = Vec::new();
        for (fact, new) in &given {
            let old = stored_fact(&m, &stored_themes, &details, *fact);
            // Fields without a record of their own were set by the source that created the inspection.
            let default = Said { kind: m.source_kind, source: m.source_url.clone() };
            let who = said.get(&(m.id, fact.name().to_owned())).unwrap_or(&default);
            if old == *new {
                // A source that outranks the one credited with a value it confirms takes the credit, so that a later
                // file of the lower rank cannot replace what both said (a report's action texts hang on its themes).
                if new.is_some() && kind.rank() > who.kind.rank() {
                    sources_set.push((m.id, fact.name()));
                    said.insert((m.id, fact.name().to_owned()), Said { kind, source: source.to_owned() });
                }
                continue;
            }
            let (take, warning) = decide(&record, *fact, &old, new, who, kind, source);
            warnings.extend(warning);
            if take {
                accepted.push((*fact, FieldChange { field: fact.name().to_owned(), before: old, after: new.clone() }));
            }
        }
        if accepted.is_empty() {
            counts.unchanged += 1;
            continue;
        }
        let mut am = m.clone().into_active_model();
        let is_accepted = |fact: Fact| accepted.iter().any(|(f, _)| *f == fact);
        let given_value = |fact: Fact| given.iter().find(|(f, _)| *f == fact).and_then(|(_, v)| v.clone());
        if (is_accepted(Fact::PriorityActions) || is_accepted(Fact::PriorityActionTexts))
            && let Some(list) = &r.facts.themes
        {
            write_actions(txn, m.id, list, r.report.as_deref(), run).await?;
            themes.insert(m.id, themes_text(list.iter().copied()));
            details.texts.insert(m.id, given_value(Fact::PriorityActionTexts));
        }
        if is_accepted(Fact::AreasForImprovement)
            && let Some(report) = &r.report
        {
            write_improvements(txn, m.id, report, run).await?;
            details.improvements.insert(m.id, given_value(Fact::AreasForImprovement));
        }
        for (fact, _) in &accepted {
            apply(&mut am, r, *fact);
            sources_set.push((m.id, fact.name()));
            said.insert((m.id, fact.name().to_owned()), Said { kind, source: source.to_owned() });
        }
        am.import_run_id = Set(run);
        group[index] = am.update(txn).await?;
        let fields: Vec<&str> = accepted.iter().map(|(f, _)| f.name()).collect();
        changed_rows.push(inspection_change::ActiveModel {
            inspection_id: Set(m.id),
            import_run_id: Set(run),
            fields: Set(fields.join(",")),
            ..Default::default()
        });
        counts.update(record, accepted.into_iter().map(|(_, change)| change).collect());
    }
    pending.flush(txn, &mut groups, &mut themes, run).await?;
    send_model::backend::sync_id_sequence(txn, "inspection").await?;
    record_sources(txn, &sources_set, kind, run).await?;
    send_model::backend::insert_rows(txn, changed_rows).await?;
    match bulk {
        Some(indexes) => indexes.restore(txn).await,
        None => Ok(()),
    }
}

/// The tables a bulk load of inspections fills (see [`crate::ImportOptions::bulk_load_rows`]).
pub const BULK_TABLES: [&str; 2] = ["inspection", "priority_action"];

/// New inspections held before they are inserted together (see [`send_model::backend::insert_rows`]).
pub(super) const INSERT_BATCH: usize = 10_000;

/// An inspection that is new to the database, waiting to be inserted with others.
pub(super) struct NewInspection {
    model: inspection::ActiveModel,
    themes: Option<Vec<Theme>>,
    report: Option<Box<ReportDetails>>,
}

/// New inspections are inserted in batches (with their priority actions and field sources), not one statement per
/// row: a first import of a large file is then bound by the database's bulk insert speed.
#[derive(Default)]
pub(super) struct Pending {
    rows: Vec<NewInspection>,
    /// Sightings waiting, by area, framework and type, so that a later row of the same inspection is noticed.
    starts: HashMap<(i32, Framework, InspectionType), Vec<Sighting>>,
    /// The id the next new inspection gets: one past the largest there, as the database would choose. The import
    /// lock keeps anyone else from inserting meanwhile.
    next_id: i32,
}

impl Pending {
    fn push(&mut self, area_id: i32, r: &InspectionRow, mut model: inspection::ActiveModel) {
        model.id = Set(self.next_id);
        self.next_id += 1;
        self.starts.entry((area_id, r.framework, r.inspection_type)).or_default().push(Sighting::of_row(r));
        self.rows.push(NewInspection { model, themes: r.facts.themes.clone(), report: r.report.clone() });
    }

    /// Whether `r` falls within the same-inspection window of a waiting row.
    fn near(&self, area_id: i32, r: &InspectionRow) -> bool {
        self.starts
            .get(&(area_id, r.framework, r.inspection_type))
            .is_some_and(|seen| seen.iter().any(|s| s.near(&Sighting::of_row(r))))
    }

    /// Inserts every waiting inspection, then their priority actions and field sources, and adds them to `groups`.
    async fn flush(
        &mut self,
        txn: &DatabaseTransaction,
        groups: &mut HashMap<(i32, Framework, InspectionType), Vec<inspection::Model>>,
        themes: &mut HashMap<i32, Option<String>>,
        run: i32,
    ) -> Result<(), DbErr> {
        self.starts.clear();
        let (mut models, mut actions, mut areas) = (Vec::with_capacity(self.rows.len()), Vec::new(), Vec::new());
        for n in std::mem::take(&mut self.rows) {
            // Ids are chosen here (see `next_id`), so the rows need not come back from the database.
            let m = n.model.clone().try_into_model()?;
            // Fresh inspections have no actions to replace: plain inserts. Their fields are credited to their own
            // `source_kind`, so they need no `inspection_field_source` rows.
            if let Some(list) = &n.themes {
                actions.extend(action_rows(m.id, list, n.report.as_deref(), run));
                themes.insert(m.id, themes_text(list.iter().copied()));
            }
            if let Some(report) = &n.report {
                areas.extend(improvement_rows(m.id, report, run));
            }
            groups.entry((m.area_id, m.framework, m.inspection_type)).or_default().push(m);
            models.push(n.model);
        }
        send_model::backend::insert_rows(txn, models).await?;
        send_model::backend::insert_rows(txn, actions).await?;
        send_model::backend::insert_rows(txn, areas).await?;
        Ok(())
    }
}

/// The rows of an inspection's priority actions, in order, with their texts and evidence when a report gives them.
pub(super) fn action_rows(
    inspection_id: i32,
    themes: &[Theme],
    report: Option<&ReportDetails>,
    run: i32,
) -> Vec<priority_action::ActiveModel> {
    themes
        .iter()
        .enumerate()
        .map(|(i, theme)| {
            let action = report.and_then(|r| r.priority_actions.get(i));
            priority_action::ActiveModel {
                inspection_id: Set(inspection_id),
                ordinal: Set(i32::try_from(i + 1).unwrap_or(i32::MAX)),
                theme: Set(*theme),
                text: Set(action.map(|a| a.text.clone())),
                evidence: Set(action.and_then(|a| evidence_text(&a.evidence))),
                import_run_id: Set(run),
                ..Default::default()
            }
        })
        .collect()
}

/// The rows of a report's areas for improvement, in order.
pub(super) fn improvement_rows(
    inspection_id: i32,
    report: &ReportDetails,
    run: i32,
) -> Vec<improvement_area::ActiveModel> {
    report
        .areas_for_improvement
        .iter()
        .enumerate()
        .map(|(i, a)| improvement_area::ActiveModel {
            inspection_id: Set(inspection_id),
            ordinal: Set(i32::try_from(i + 1).unwrap_or(i32::MAX)),
            text: Set(a.text.clone()),
            theme: Set(a.theme),
            evidence: Set(evidence_text(&a.evidence)),
            import_run_id: Set(run),
            ..Default::default()
        })
        .collect()
}

/// Replaces an inspection's areas for improvement with the report's.
pub(super) async fn write_improvements(
    txn: &DatabaseTransaction,
    inspection_id: i32,
    report: &ReportDetails,
    run: i32,
) -> Result<(), DbErr> {
    let rows = improvement_rows(inspection_id, report, run);
    replace_rows(txn, improvement_area::Column::InspectionId.eq(inspection_id), rows).await
}

/// Replaces an inspection's priority actions with `themes`, in order (with the report's texts and evidence when
/// the row is a report's).
pub(super) async fn write_actions(
    txn: &DatabaseTransaction,
    inspection_id: i32,
    themes: &[Theme],
    report: Option<&ReportDetails>,
    run: i32,
) -> Result<(), DbErr> {
    let rows = action_rows(inspection_id, themes, report, run);
    replace_rows(txn, priority_action::Column::InspectionId.eq(inspection_id), rows).await
}

/// Records which kind of source set each (inspection, field), replacing what was recorded before.
pub(super) async fn record_sources(
    txn: &DatabaseTransaction,
    set: &[(i32, &'static str)],
    kind: SourceKind,
    run: i32,
) -> Result<(), DbErr> {
    for chunk in set.chunks(400) {
        let mut condition = Condition::any();
        for (id, field) in chunk {
            condition = condition.add(
                Condition::all()
                    .add(inspection_field_source::Column::InspectionId.eq(*id))
                    .add(inspection_field_source::Column::Field.eq(*field)),
            );
        }
        inspection_field_source::Entity::delete_many().filter(condition).exec(txn).await?;
        let rows: Vec<inspection_field_source::ActiveModel> = chunk
            .iter()
            .map(|(id, field)| inspection_field_source::ActiveModel {
                inspection_id: Set(*id),
                field: Set((*field).to_owned()),
                source_kind: Set(kind),
                import_run_id: Set(run),
                ..Default::default()
            })
            .collect();
        inspection_field_source::Entity::insert_many(rows).exec(txn).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::Sighting;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("date")
    }

    fn seen(start: &str, start_known: bool, published: Option<&str>) -> Sighting {
        Sighting { start: day(start), start_known, published: published.map(day) }
    }

    #[test]
    fn one_inspection_is_told_by_its_start_or_its_publication() {
        let stored = seen("2023-05-15", true, Some("2023-07-11"));
        assert!(stored.near(&seen("2023-05-11", true, None)), "starts days apart");
        assert!(stored.near(&seen("2023-03-06", true, Some("2023-07-11"))), "a misread start, the same report");
        assert!(stored.near(&seen("2023-07-11", false, Some("2023-07-11"))), "a start not known, the same report");
        assert!(!stored.near(&seen("2026-03-23", true, Some("2026-05-27"))), "a reinspection");
        assert!(!stored.near(&seen("2026-03-09", false, None)), "nothing to tell it by");
    }
}
