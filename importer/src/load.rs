//! Writes validated files in one transaction: an idempotent upsert on natural keys, with a record of every change.
//!
//! Each file owns some columns and writes only those: `local_areas.csv` owns an area's DfE code, name, region and
//! (when it names any) its ICBs; `area_lineage.csv` owns `valid_from`/`valid_to` and the predecessor areas;
//! `ofsted_report_links.csv` owns an area's Ofsted URN and an inspection's report URL. So importing the files in any
//! combination, any number of times, converges on the same rows and re-importing changes nothing.

use std::collections::{BTreeMap, HashMap};

use chrono::{NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseTransaction, DbErr, EntityTrait, IntoActiveModel,
    QueryFilter,
};
use send_model::domain::{DatePrecision, Framework, InspectionType, PartialDate};
use send_model::entity::{
    area_alias, area_lineage, area_partner, icb, import_run, inspection, local_area, priority_action, region,
    thematic_visit,
};

use crate::catalog::normalise_name;
use crate::layout::{
    AliasRow, AreaRow, IcbRow, InspectionRow, LineageRow, ParsedFile, RegionRow, ReportLinkRow, Rows, VisitRow,
};
use crate::report::{Change, FieldChange, FileReport};

/// A record's facts, as named text values: what is compared to tell whether it changed.
type Facts = Vec<(&'static str, Option<String>)>;

fn some(v: impl ToString) -> Option<String> {
    Some(v.to_string())
}

fn date_text(date: Option<NaiveDate>, precision: Option<DatePrecision>) -> Option<String> {
    date.map(|d| PartialDate::from_parts(d, precision.unwrap_or(DatePrecision::Day)).to_string())
}

/// What to do with one record.
enum Action {
    Insert,
    Update(Vec<FieldChange>),
    Unchanged,
}

/// Counts and changes of one file.
#[derive(Default)]
struct Tally {
    inserted: i32,
    updated: i32,
    unchanged: i32,
    changes: Vec<Change>,
}

impl Tally {
    /// Compares a record's stored facts (none when it is new) with the file's.
    fn compare(&mut self, record: String, old: Option<Facts>, new: &Facts) -> Action {
        match old {
            None => {
                self.inserted += 1;
                let fields = new
                    .iter()
                    .filter(|(_, v)| v.is_some())
                    .map(|(f, v)| FieldChange { field: (*f).to_owned(), before: None, after: v.clone() })
                    .collect();
                self.changes.push(Change { record, action: "inserted".to_owned(), fields });
                Action::Insert
            }
            Some(old) => {
                let old: HashMap<&str, Option<String>> = old.into_iter().collect();
                let fields: Vec<FieldChange> = new
                    .iter()
                    .filter_map(|(f, after)| {
                        let before = old.get(f).cloned().flatten();
                        (before != *after).then(|| FieldChange { field: (*f).to_owned(), before, after: after.clone() })
                    })
                    .collect();
                if fields.is_empty() {
                    self.unchanged += 1;
                    Action::Unchanged
                } else {
                    self.updated += 1;
                    self.changes.push(Change { record, action: "updated".to_owned(), fields: fields.clone() });
                    Action::Update(fields)
                }
            }
        }
    }
}

fn changed(fields: &[FieldChange], name: &str) -> bool {
    fields.iter().any(|f| f.field == name)
}

/// Writes one parsed file inside `txn`, recording it as an import run.
pub async fn write_file(txn: &DatabaseTransaction, file: &ParsedFile) -> Result<FileReport, DbErr> {
    let started_at = Utc::now();
    let run = import_run::ActiveModel {
        source: Set(file.source.name.clone()),
        format: Set(file.layout.name().to_owned()),
        sha256: Set(file.source.sha256.clone()),
        started_at: Set(started_at),
        finished_at: Set(started_at),
        status: Set("running".to_owned()),
        rows_read: Set(0),
        rows_inserted: Set(0),
        rows_updated: Set(0),
        rows_unchanged: Set(0),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    let run_id = run.id;
    let mut tally = Tally::default();
    match &file.rows {
        Rows::Regions(rows) => write_regions(txn, rows, run_id, &mut tally).await?,
        Rows::Icbs(rows) => write_icbs(txn, rows, run_id, &mut tally).await?,
        Rows::LocalAreas(rows) => write_areas(txn, rows, run_id, &mut tally).await?,
        Rows::Lineage(rows) => write_lineage(txn, rows, run_id, &mut tally).await?,
        Rows::Aliases(rows) => write_aliases(txn, rows, run_id, &mut tally).await?,
        Rows::Inspections(rows) => write_inspections(txn, rows, run_id, &mut tally).await?,
        Rows::ReportLinks(rows) => write_report_links(txn, rows, run_id, &mut tally).await?,
        Rows::ThematicVisits(rows) => write_visits(txn, rows, run_id, &mut tally).await?,
    }
    let report = FileReport {
        source: file.source.name.clone(),
        format: file.layout.name().to_owned(),
        sha256: file.source.sha256.clone(),
        rows_read: file.rows_read,
        inserted: tally.inserted,
        updated: tally.updated,
        unchanged: tally.unchanged,
        changes: tally.changes,
        warnings: file.warnings.clone(),
        import_run_id: Some(run_id),
    };
    let mut run = run.into_active_model();
    run.finished_at = Set(Utc::now());
    run.status = Set("succeeded".to_owned());
    run.rows_read = Set(i32::try_from(file.rows_read).unwrap_or(i32::MAX));
    run.rows_inserted = Set(report.inserted);
    run.rows_updated = Set(report.updated);
    run.rows_unchanged = Set(report.unchanged);
    run.summary = Set(serde_json::to_string(&report.changes).ok());
    run.update(txn).await?;
    Ok(report)
}

async fn area_ids(txn: &DatabaseTransaction) -> Result<HashMap<String, i32>, DbErr> {
    Ok(local_area::Entity::find().all(txn).await?.into_iter().map(|a| (a.gss_code, a.id)).collect())
}

async fn write_regions(
    txn: &DatabaseTransaction,
    rows: &[RegionRow],
    run: i32,
    tally: &mut Tally,
) -> Result<(), DbErr> {
    let existing: HashMap<String, region::Model> =
        region::Entity::find().all(txn).await?.into_iter().map(|m| (m.code.clone(), m)).collect();
    for r in rows {
        let facts = |name: &str, ofsted: &str| -> Facts { vec![("name", some(name)), ("ofsted_region", some(ofsted))] };
        let old = existing.get(r.code.as_str());
        match tally.compare(
            format!("region {}", r.code),
            old.map(|m| facts(&m.name, &m.ofsted_region)),
            &facts(&r.name, &r.ofsted_region),
        ) {
            Action::Insert => {
                region::ActiveModel {
                    code: Set(r.code.to_string()),
                    name: Set(r.name.clone()),
                    ofsted_region: Set(r.ofsted_region.clone()),
                    import_run_id: Set(run),
                }
                .insert(txn)
                .await?;
            }
            Action::Update(_) => {
                if let Some(m) = old {
                    let mut am = m.clone().into_active_model();
                    am.name = Set(r.name.clone());
                    am.ofsted_region = Set(r.ofsted_region.clone());
                    am.import_run_id = Set(run);
                    am.update(txn).await?;
                }
            }
            Action::Unchanged => {}
        }
    }
    Ok(())
}

async fn write_icbs(txn: &DatabaseTransaction, rows: &[IcbRow], run: i32, tally: &mut Tally) -> Result<(), DbErr> {
    let existing: HashMap<String, icb::Model> =
        icb::Entity::find().all(txn).await?.into_iter().map(|m| (m.code.clone(), m)).collect();
    for r in rows {
        let old = existing.get(r.code.as_str());
        let old_facts = old.map(|m| vec![("name", some(&m.name))]);
        match tally.compare(format!("icb {}", r.code), old_facts, &vec![("name", some(&r.name))]) {
            Action::Insert => {
                icb::ActiveModel { code: Set(r.code.to_string()), name: Set(r.name.clone()), import_run_id: Set(run) }
                    .insert(txn)
                    .await?;
            }
            Action::Update(_) => {
                if let Some(m) = old {
                    let mut am = m.clone().into_active_model();
                    am.name = Set(r.name.clone());
                    am.import_run_id = Set(run);
                    am.update(txn).await?;
                }
            }
            Action::Unchanged => {}
        }
    }
    Ok(())
}

async fn partners_by_area(txn: &DatabaseTransaction) -> Result<HashMap<i32, Vec<String>>, DbErr> {
    let mut map: HashMap<i32, Vec<String>> = HashMap::new();
    for p in area_partner::Entity::find().all(txn).await? {
        map.entry(p.area_id).or_default().push(p.icb_code);
    }
    for codes in map.values_mut() {
        codes.sort();
    }
    Ok(map)
}

async fn write_areas(txn: &DatabaseTransaction, rows: &[AreaRow], run: i32, tally: &mut Tally) -> Result<(), DbErr> {
    let existing: HashMap<String, local_area::Model> =
        local_area::Entity::find().all(txn).await?.into_iter().map(|m| (m.gss_code.clone(), m)).collect();
    let regions: HashMap<String, String> =
        region::Entity::find().all(txn).await?.into_iter().map(|r| (r.name, r.code)).collect();
    let partners = partners_by_area(txn).await?;
    for r in rows {
        let region_code = regions.get(&r.region).cloned().unwrap_or_default();
        let mut icbs: Vec<String> = r.icbs.iter().map(ToString::to_string).collect();
        icbs.sort();
        let new: Facts = {
            let mut f =
                vec![("dfe_code", some(r.dfe.as_str())), ("name", some(&r.name)), ("region_code", some(&region_code))];
            // An empty icb_codes cell means "not yet known": it leaves partners known from elsewhere alone.
            if !icbs.is_empty() {
                f.push(("icb_codes", some(icbs.join(";"))));
            }
            f
        };
        let old = existing.get(r.gss.as_str());
        let old_facts = old.map(|m| {
            vec![
                ("dfe_code", m.dfe_code.clone()),
                ("name", some(&m.name)),
                ("region_code", some(&m.region_code)),
                ("icb_codes", partners.get(&m.id).map(|c| c.join(";"))),
            ]
        });
        let area_id = match tally.compare(format!("area {}", r.gss), old_facts, &new) {
            Action::Insert => {
                let m = local_area::ActiveModel {
                    gss_code: Set(r.gss.to_string()),
                    dfe_code: Set(Some(r.dfe.as_str().to_owned())),
                    ofsted_urn: Set(None),
                    name: Set(r.name.clone()),
                    region_code: Set(region_code),
                    valid_from: Set(None),
                    valid_to: Set(None),
                    import_run_id: Set(run),
                    ..Default::default()
                }
                .insert(txn)
                .await?;
                Some(m.id)
            }
            Action::Update(fields) => match old {
                Some(m) => {
                    let mut am = m.clone().into_active_model();
                    am.dfe_code = Set(Some(r.dfe.as_str().to_owned()));
                    am.name = Set(r.name.clone());
                    am.region_code = Set(region_code);
                    am.import_run_id = Set(run);
                    am.update(txn).await?;
                    changed(&fields, "icb_codes").then_some(m.id)
                }
                None => None,
            },
            Action::Unchanged => None,
        };
        if let Some(area_id) = area_id
            && !icbs.is_empty()
        {
            area_partner::Entity::delete_many().filter(area_partner::Column::AreaId.eq(area_id)).exec(txn).await?;
            for code in &icbs {
                area_partner::ActiveModel {
                    area_id: Set(area_id),
                    icb_code: Set(code.clone()),
                    import_run_id: Set(run),
                    ..Default::default()
                }
                .insert(txn)
                .await?;
            }
        }
    }
    Ok(())
}

async fn write_lineage(
    txn: &DatabaseTransaction,
    rows: &[LineageRow],
    run: i32,
    tally: &mut Tally,
) -> Result<(), DbErr> {
    let areas: HashMap<String, local_area::Model> =
        local_area::Entity::find().all(txn).await?.into_iter().map(|m| (m.gss_code.clone(), m)).collect();
    // A predecessor ends the day before its first successor begins; a successor begins on its latest reorganisation.
    let mut valid_to: BTreeMap<&str, NaiveDate> = BTreeMap::new();
    let mut valid_from: BTreeMap<&str, NaiveDate> = BTreeMap::new();
    for r in rows {
        let end = r.effective.pred_opt().unwrap_or(r.effective);
        valid_to.entry(r.predecessor_gss.as_str()).and_modify(|d| *d = (*d).min(end)).or_insert(end);
        valid_from.entry(r.successor_gss.as_str()).and_modify(|d| *d = (*d).max(r.effective)).or_insert(r.effective);
    }
    let mut predecessor_rows: BTreeMap<&str, &LineageRow> = BTreeMap::new();
    for r in rows {
        predecessor_rows.entry(r.predecessor_gss.as_str()).or_insert(r);
    }
    for (gss, r) in &predecessor_rows {
        let region_code = areas.get(r.successor_gss.as_str()).map(|s| s.region_code.clone()).unwrap_or_default();
        let end = valid_to.get(gss).copied();
        let old = areas.get(*gss);
        let old_facts = old.map(|m| {
            vec![
                ("dfe_code", m.dfe_code.clone()),
                ("name", some(&m.name)),
                ("valid_to", m.valid_to.map(|d| d.to_string())),
            ]
        });
        let new: Facts = vec![
            ("dfe_code", some(r.predecessor_dfe.as_str())),
            ("name", some(&r.predecessor_name)),
            ("valid_to", end.map(|d| d.to_string())),
        ];
        match tally.compare(format!("area {gss}"), old_facts, &new) {
            Action::Insert => {
                local_area::ActiveModel {
                    gss_code: Set((*gss).to_owned()),
                    dfe_code: Set(Some(r.predecessor_dfe.as_str().to_owned())),
                    ofsted_urn: Set(None),
                    name: Set(r.predecessor_name.clone()),
                    region_code: Set(region_code),
                    valid_from: Set(None),
                    valid_to: Set(end),
                    import_run_id: Set(run),
                    ..Default::default()
                }
                .insert(txn)
                .await?;
            }
            Action::Update(_) => {
                if let Some(m) = old {
                    let mut am = m.clone().into_active_model();
                    am.dfe_code = Set(Some(r.predecessor_dfe.as_str().to_owned()));
                    am.name = Set(r.predecessor_name.clone());
                    am.valid_to = Set(end);
                    am.import_run_id = Set(run);
                    am.update(txn).await?;
                }
            }
            Action::Unchanged => {}
        }
    }
    for (gss, start) in &valid_from {
        let Some(m) = areas.get(*gss) else { continue };
        let old_facts = Some(vec![("valid_from", m.valid_from.map(|d| d.to_string()))]);
        if let Action::Update(_) = tally.compare(format!("area {gss}"), old_facts, &vec![("valid_from", some(start))]) {
            let mut am = m.clone().into_active_model();
            am.valid_from = Set(Some(*start));
            am.import_run_id = Set(run);
            am.update(txn).await?;
        }
    }
    let ids = area_ids(txn).await?;
    let existing: HashMap<(i32, i32), area_lineage::Model> = area_lineage::Entity::find()
        .all(txn)
        .await?
        .into_iter()
        .map(|m| ((m.predecessor_id, m.successor_id), m))
        .collect();
    for r in rows {
        let (Some(&p), Some(&s)) = (ids.get(r.predecessor_gss.as_str()), ids.get(r.successor_gss.as_str())) else {
            continue;
        };
        let old = existing.get(&(p, s));
        let old_facts = old.map(|m| vec![("effective", some(m.effective))]);
        let record = format!("lineage {} -> {}", r.predecessor_gss, r.successor_gss);
        match tally.compare(record, old_facts, &vec![("effective", some(r.effective))]) {
            Action::Insert => {
                area_lineage::ActiveModel {
                    predecessor_id: Set(p),
                    successor_id: Set(s),
                    effective: Set(r.effective),
                    import_run_id: Set(run),
                    ..Default::default()
                }
                .insert(txn)
                .await?;
            }
            Action::Update(_) => {
                if let Some(m) = old {
                    let mut am = m.clone().into_active_model();
                    am.effective = Set(r.effective);
                    am.import_run_id = Set(run);
                    am.update(txn).await?;
                }
            }
            Action::Unchanged => {}
        }
    }
    Ok(())
}

async fn write_aliases(txn: &DatabaseTransaction, rows: &[AliasRow], run: i32, tally: &mut Tally) -> Result<(), DbErr> {
    let ids = area_ids(txn).await?;
    let gss_by_id: HashMap<i32, &String> = ids.iter().map(|(g, i)| (*i, g)).collect();
    let existing: HashMap<String, area_alias::Model> =
        area_alias::Entity::find().all(txn).await?.into_iter().map(|m| (m.normalised.clone(), m)).collect();
    for r in rows {
        let Some(&area_id) = ids.get(r.gss.as_str()) else { continue };
        let key = normalise_name(&r.alias);
        let old = existing.get(&key);
        let old_facts = old.map(|m| {
            vec![
                ("area", gss_by_id.get(&m.area_id).map(|g| (*g).clone())),
                ("alias", some(&m.alias)),
                ("publisher", some(&m.publisher)),
            ]
        });
        let new: Facts = vec![("area", some(&r.gss)), ("alias", some(&r.alias)), ("publisher", some(&r.publisher))];
        match tally.compare(format!("alias {:?}", r.alias), old_facts, &new) {
            Action::Insert => {
                area_alias::ActiveModel {
                    area_id: Set(area_id),
                    alias: Set(r.alias.clone()),
                    normalised: Set(key),
                    publisher: Set(r.publisher.clone()),
                    import_run_id: Set(run),
                    ..Default::default()
                }
                .insert(txn)
                .await?;
            }
            Action::Update(_) => {
                if let Some(m) = old {
                    let mut am = m.clone().into_active_model();
                    am.area_id = Set(area_id);
                    am.alias = Set(r.alias.clone());
                    am.publisher = Set(r.publisher.clone());
                    am.import_run_id = Set(run);
                    am.update(txn).await?;
                }
            }
            Action::Unchanged => {}
        }
    }
    Ok(())
}

/// The natural key of an inspection.
type InspectionKey = (i32, Framework, InspectionType, NaiveDate);

fn inspection_record(gss: &str, framework: Framework, t: InspectionType, start: PartialDate) -> String {
    format!("inspection {gss} {framework} {} {start}", t.code())
}

fn themes_text(themes: impl Iterator<Item = send_model::domain::Theme>) -> Option<String> {
    let labels: Vec<&str> = themes.map(|t| t.code()).collect();
    (!labels.is_empty()).then(|| labels.join("; "))
}

async fn write_inspections(
    txn: &DatabaseTransaction,
    rows: &[InspectionRow],
    run: i32,
    tally: &mut Tally,
) -> Result<(), DbErr> {
    let ids = area_ids(txn).await?;
    let existing: HashMap<InspectionKey, inspection::Model> = inspection::Entity::find()
        .all(txn)
        .await?
        .into_iter()
        .map(|m| ((m.area_id, m.framework, m.inspection_type, m.start_date), m))
        .collect();
    let mut actions: HashMap<i32, Vec<priority_action::Model>> = HashMap::new();
    for a in priority_action::Entity::find().all(txn).await? {
        actions.entry(a.inspection_id).or_default().push(a);
    }
    for list in actions.values_mut() {
        list.sort_by_key(|a| a.ordinal);
    }
    for r in rows {
        let Some(&area_id) = ids.get(r.gss.as_str()) else { continue };
        let count = (r.framework == Framework::F2023 && r.inspection_type == InspectionType::Full)
            .then(|| i32::try_from(r.themes.len()).unwrap_or(i32::MAX));
        let new: Facts = vec![
            ("start_precision", some(r.start.precision)),
            ("inspection_end", r.end.map(|d| d.to_string())),
            ("published", r.published.map(|d| d.to_string())),
            ("outcome", r.outcome.map(|o| o.code().to_owned())),
            ("priority_action_count", count.map(|c| c.to_string())),
            ("priority_actions", themes_text(r.themes.iter().copied())),
            ("source_url", some(&r.source_url)),
        ];
        let old = existing.get(&(area_id, r.framework, r.inspection_type, r.start.date));
        let old_facts = old.map(|m| {
            vec![
                ("start_precision", some(m.start_precision)),
                ("inspection_end", date_text(m.end_date, m.end_precision)),
                ("published", date_text(m.published, m.published_precision)),
                ("outcome", m.outcome.map(|o| o.code().to_owned())),
                ("priority_action_count", m.priority_action_count.map(|c| c.to_string())),
                ("priority_actions", themes_text(actions.get(&m.id).into_iter().flatten().map(|a| a.theme))),
                ("source_url", some(&m.source_url)),
            ]
        });
        let record = inspection_record(r.gss.as_str(), r.framework, r.inspection_type, r.start);
        let rewrite_actions = match tally.compare(record, old_facts, &new) {
            Action::Insert => {
                let m = inspection::ActiveModel {
                    area_id: Set(area_id),
                    framework: Set(r.framework),
                    inspection_type: Set(r.inspection_type),
                    start_date: Set(r.start.date),
                    start_precision: Set(r.start.precision),
                    start_year: Set(chrono::Datelike::year(&r.start.date)),
                    end_date: Set(r.end.map(|d| d.date)),
                    end_precision: Set(r.end.map(|d| d.precision)),
                    published: Set(r.published.map(|d| d.date)),
                    published_precision: Set(r.published.map(|d| d.precision)),
                    outcome: Set(r.outcome),
                    significant_weaknesses: Set(None),
                    weaknesses_progress_made: Set(None),
                    weaknesses_progress_not_made: Set(None),
                    priority_action_count: Set(count),
                    report_url: Set(None),
                    source_url: Set(r.source_url.clone()),
                    import_run_id: Set(run),
                    ..Default::default()
                }
                .insert(txn)
                .await?;
                Some(m.id)
            }
            Action::Update(fields) => match old {
                Some(m) => {
                    let mut am = m.clone().into_active_model();
                    am.start_precision = Set(r.start.precision);
                    am.end_date = Set(r.end.map(|d| d.date));
                    am.end_precision = Set(r.end.map(|d| d.precision));
                    am.published = Set(r.published.map(|d| d.date));
                    am.published_precision = Set(r.published.map(|d| d.precision));
                    am.outcome = Set(r.outcome);
                    am.priority_action_count = Set(count);
                    am.source_url = Set(r.source_url.clone());
                    am.import_run_id = Set(run);
                    am.update(txn).await?;
                    changed(&fields, "priority_actions").then_some(m.id)
                }
                None => None,
            },
            Action::Unchanged => None,
        };
        if let Some(inspection_id) = rewrite_actions {
            priority_action::Entity::delete_many()
                .filter(priority_action::Column::InspectionId.eq(inspection_id))
                .exec(txn)
                .await?;
            for (i, theme) in r.themes.iter().enumerate() {
                priority_action::ActiveModel {
                    inspection_id: Set(inspection_id),
                    ordinal: Set(i32::try_from(i + 1).unwrap_or(i32::MAX)),
                    theme: Set(*theme),
                    text: Set(None),
                    import_run_id: Set(run),
                    ..Default::default()
                }
                .insert(txn)
                .await?;
            }
        }
    }
    Ok(())
}

async fn write_report_links(
    txn: &DatabaseTransaction,
    rows: &[ReportLinkRow],
    run: i32,
    tally: &mut Tally,
) -> Result<(), DbErr> {
    let areas = local_area::Entity::find().all(txn).await?;
    let predecessors: std::collections::HashSet<i32> =
        area_lineage::Entity::find().all(txn).await?.into_iter().map(|l| l.predecessor_id).collect();
    let inspections: HashMap<(i32, NaiveDate), inspection::Model> = inspection::Entity::find()
        .filter(inspection::Column::Framework.eq(Framework::F2023))
        .filter(inspection::Column::InspectionType.eq(InspectionType::Full))
        .all(txn)
        .await?
        .into_iter()
        .filter_map(|m| m.published.map(|p| ((m.area_id, p), m)))
        .collect();
    let mut urn_done = std::collections::HashSet::new();
    for r in rows {
        let mut candidates: Vec<&local_area::Model> =
            areas.iter().filter(|a| a.dfe_code.as_deref() == Some(r.dfe.as_str())).collect();
        candidates.sort_by_key(|a| (predecessors.contains(&a.id), a.gss_code.clone()));
        let Some(area) = candidates.first() else { continue };
        if urn_done.insert(area.id) {
            let old_facts = Some(vec![("ofsted_urn", area.ofsted_urn.clone())]);
            let new: Facts = vec![("ofsted_urn", some(r.urn.as_str()))];
            if let Action::Update(_) = tally.compare(format!("area {}", area.gss_code), old_facts, &new) {
                let mut am = (*area).clone().into_active_model();
                am.ofsted_urn = Set(Some(r.urn.as_str().to_owned()));
                am.import_run_id = Set(run);
                am.update(txn).await?;
            }
        }
        let Some(m) = inspections.get(&(area.id, r.published.date)) else { continue };
        let old_facts = Some(vec![("report_url", m.report_url.clone())]);
        let record = inspection_record(
            &area.gss_code,
            m.framework,
            m.inspection_type,
            PartialDate::from_parts(m.start_date, m.start_precision),
        );
        if let Action::Update(_) = tally.compare(record, old_facts, &vec![("report_url", some(&r.report_url))]) {
            let mut am = m.clone().into_active_model();
            am.report_url = Set(Some(r.report_url.clone()));
            am.import_run_id = Set(run);
            am.update(txn).await?;
        }
    }
    Ok(())
}

async fn write_visits(txn: &DatabaseTransaction, rows: &[VisitRow], run: i32, tally: &mut Tally) -> Result<(), DbErr> {
    let ids = area_ids(txn).await?;
    let existing: HashMap<(i32, String, String), thematic_visit::Model> = thematic_visit::Entity::find()
        .all(txn)
        .await?
        .into_iter()
        .map(|m| ((m.year, m.theme.code().to_owned(), m.visit_key.clone()), m))
        .collect();
    for r in rows {
        let visit_key = r.gss.as_ref().map_or_else(|| r.label.clone().unwrap_or_default(), ToString::to_string);
        let area_id = r.gss.as_ref().and_then(|g| ids.get(g.as_str()).copied());
        let pathways: Vec<&str> = r.pathways.iter().map(|p| p.code()).collect();
        let new: Facts = vec![
            ("label", r.label.clone()),
            ("pathways", some(pathways.join(";"))),
            ("visit_start", r.start.map(|d| d.to_string())),
            ("visit_end", r.end.map(|d| d.to_string())),
            ("report_title", some(&r.report_title)),
            ("report_published", r.report_published.map(|d| d.to_string())),
            ("report_url", r.report_url.clone()),
            ("source", some(&r.source)),
        ];
        let old = existing.get(&(r.year, r.theme.code().to_owned(), visit_key.clone()));
        let old_facts = old.map(|m| {
            vec![
                ("label", m.label.clone()),
                ("pathways", some(&m.pathways)),
                ("visit_start", date_text(m.visit_start, m.visit_start_precision)),
                ("visit_end", date_text(m.visit_end, m.visit_end_precision)),
                ("report_title", some(&m.report_title)),
                ("report_published", m.report_published.map(|d| d.to_string())),
                ("report_url", m.report_url.clone()),
                ("source", some(&m.source)),
            ]
        });
        let mut am = match tally.compare(format!("thematic visit {} {} {visit_key}", r.year, r.theme), old_facts, &new)
        {
            Action::Insert => thematic_visit::ActiveModel {
                year: Set(r.year),
                theme: Set(r.theme),
                visit_key: Set(visit_key),
                area_id: Set(area_id),
                ..Default::default()
            },
            Action::Update(_) => match old {
                Some(m) => m.clone().into_active_model(),
                None => continue,
            },
            Action::Unchanged => continue,
        };
        am.label = Set(r.label.clone());
        am.pathways = Set(pathways.join(";"));
        am.visit_start = Set(r.start.map(|d| d.date));
        am.visit_start_precision = Set(r.start.map(|d| d.precision));
        am.visit_end = Set(r.end.map(|d| d.date));
        am.visit_end_precision = Set(r.end.map(|d| d.precision));
        am.report_title = Set(r.report_title.clone());
        am.report_published = Set(r.report_published);
        am.report_url = Set(r.report_url.clone());
        am.source = Set(r.source.clone());
        am.import_run_id = Set(run);
        am.save(txn).await?;
    }
    Ok(())
}
