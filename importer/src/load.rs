//! Writes validated files in one transaction: an idempotent upsert on natural keys, with a record of every change.
//!
//! Each file owns some columns and writes only those: `local_areas.csv` owns an area's DfE code, name, region and
//! (when it names any) its ICBs; `area_lineage.csv` owns `valid_from`/`valid_to` and the predecessor areas;
//! `ofsted_report_links.csv` owns an area's Ofsted URN and an inspection's report URL. So importing the files in any
//! combination, any number of times, converges on the same rows and re-importing changes nothing.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, DatabaseTransaction, DbErr, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, TryIntoModel,
};
use send_model::domain::{DatePrecision, Framework, InspectionType, PartialDate, SourceKind, Theme};
use send_model::entity::{
    area_alias, area_lineage, area_partner, icb, import_run, improvement_area, inspection, inspection_change,
    inspection_field_source, local_area, priority_action, region, thematic_visit,
};
use send_model::fact::Fact;

use crate::ImportOptions;
use crate::catalog::normalise_name;
use crate::layout::{
    AliasRow, AreaRow, IcbRow, InspectionRow, LineageRow, ParsedFile, RegionRow, ReportDetails, ReportLinkRow, Rows,
    VisitRow,
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
    /// Records an updated record: `added` when it only gained values it lacked, `updated` when a value changed.
    fn update(&mut self, record: String, fields: Vec<FieldChange>) {
        self.updated += 1;
        let action = if fields.iter().all(|f| f.before.is_none()) { "added" } else { "updated" };
        self.changes.push(Change { record, action: action.to_owned(), fields });
    }

    /// Compares a record's stored facts (none when it is new) with the file's.
    fn compare(&mut self, record: String, old: Option<Facts>, new: &Facts) -> Action {
        match old {
            None => {
                // Inserted records are counted, not listed: each row names the import run that wrote it, and a
                // first import of a large file would otherwise store every row a second time in the run's summary.
                self.inserted += 1;
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
                    self.update(record, fields.clone());
                    Action::Update(fields)
                }
            }
        }
    }
}

/// What to write for a compared record: a fresh active model for a new record, the stored one for an update (the
/// caller then sets the columns its file owns), or nothing when it is unchanged.
fn to_write<M, A>(action: &Action, old: Option<&M>, fresh: impl FnOnce() -> A) -> Option<(A, bool)>
where
    M: Clone + IntoActiveModel<A>,
    A: ActiveModelTrait,
{
    match action {
        Action::Insert => Some((fresh(), true)),
        Action::Update(_) => old.map(|m| (m.clone().into_active_model(), false)),
        Action::Unchanged => None,
    }
}

/// Inserts or updates `am` (tables with natural primary keys cannot tell from the key which one is meant).
async fn save<A>(txn: &DatabaseTransaction, am: A, is_new: bool) -> Result<<A::Entity as EntityTrait>::Model, DbErr>
where
    A: ActiveModelTrait + sea_orm::ActiveModelBehavior + Send,
    <A::Entity as EntityTrait>::Model: IntoActiveModel<A>,
{
    if is_new { am.insert(txn).await } else { am.update(txn).await }
}

fn changed(fields: &[FieldChange], name: &str) -> bool {
    fields.iter().any(|f| f.field == name)
}

/// Files with more rows than this get a progress bar on a terminal, and a log line otherwise.
const PROGRESS_ROWS: usize = 5_000;

/// A progress bar over a large file's rows when stderr is a terminal; a plain log line when it is not.
fn row_progress(file: &ParsedFile) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if file.rows_read <= PROGRESS_ROWS {
        return indicatif::ProgressBar::hidden();
    }
    if !std::io::stderr().is_terminal() {
        eprintln!("send-import: loading {} rows from {}", file.rows_read, crate::names::shown(&file.source.name));
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(file.rows_read as u64);
    if let Ok(style) = indicatif::ProgressStyle::with_template("{msg} {bar:30} {pos}/{len} rows ({eta})") {
        bar.set_style(style);
    }
    bar.set_message(format!("loading {}", crate::names::shown(&file.source.name)));
    bar
}

/// The time of a snapshot of the same layout already imported that is newer than `file`'s own (none when `file`
/// states no time, or is the newest).
async fn newer_snapshot(
    txn: &DatabaseTransaction,
    file: &ParsedFile,
    run_id: i32,
) -> Result<Option<chrono::NaiveDateTime>, DbErr> {
    let Some(taken_at) = file.snapshot_at else { return Ok(None) };
    let newest = import_run::Entity::find()
        .filter(import_run::Column::Format.eq(file.layout.name()))
        .filter(import_run::Column::Id.ne(run_id))
        .filter(import_run::Column::SnapshotAt.gt(taken_at))
        .order_by_desc(import_run::Column::SnapshotAt)
        .one(txn)
        .await?;
    Ok(newest.and_then(|run| run.snapshot_at))
}

/// Writes one parsed file inside `txn`, recording it as an import run.
pub async fn write_file(
    txn: &DatabaseTransaction,
    file: &ParsedFile,
    options: &ImportOptions,
) -> Result<FileReport, DbErr> {
    let started_at = Utc::now();
    let run = import_run::ActiveModel {
        source: Set(file.source.recorded_name()),
        format: Set(file.layout.name().to_owned()),
        sha256: Set(file.source.sha256.clone()),
        started_at: Set(started_at),
        finished_at: Set(started_at),
        status: Set("running".to_owned()),
        rows_read: Set(0),
        rows_inserted: Set(0),
        rows_updated: Set(0),
        rows_unchanged: Set(0),
        etag: Set(file.source.etag.clone()),
        last_modified: Set(file.source.last_modified.clone()),
        snapshot_at: Set(file.snapshot_at),
        ..Default::default()
    }
    .insert(txn)
    .await?;
    let run_id = run.id;
    let mut tally = Tally::default();
    let mut warnings = file.warnings.clone();
    let progress = row_progress(file);
    match &file.rows {
        Rows::Regions(rows) => write_regions(txn, rows, run_id, &mut tally).await?,
        Rows::Icbs(rows) => write_icbs(txn, rows, run_id, &mut tally).await?,
        Rows::LocalAreas(rows) => write_areas(txn, rows, run_id, &mut tally).await?,
        Rows::Lineage(rows) => write_lineage(txn, rows, run_id, &mut tally).await?,
        Rows::Aliases(rows) => write_aliases(txn, rows, run_id, &mut tally).await?,
        Rows::Inspections(_) => match newer_snapshot(txn, file, run_id).await? {
            // A snapshot older than one already imported is stale as a whole: its values never replace a newer
            // snapshot's, and what it alone says was true of a week since superseded.
            Some(newer) => {
                warnings.push(format!(
                    "{}: a snapshot of {} is older than the snapshot of {newer} already imported: nothing is taken \
                     from it",
                    crate::names::shown(&file.source.name),
                    file.snapshot_at.map(|t| t.to_string()).unwrap_or_default()
                ));
                tally.unchanged += i32::try_from(file.rows_read).unwrap_or(i32::MAX);
            }
            None => write_inspections(txn, file, run_id, &mut tally, &mut warnings, &progress, options).await?,
        },
        Rows::ReportLinks(rows) => write_report_links(txn, rows, run_id, &mut tally).await?,
        Rows::ThematicVisits(rows) => write_visits(txn, rows, run_id, &mut tally).await?,
    }
    progress.finish_and_clear();
    let report = FileReport {
        source: file.source.recorded_name(),
        format: file.layout.name().to_owned(),
        sha256: file.source.sha256.clone(),
        rows_read: file.rows_read,
        inserted: tally.inserted,
        updated: tally.updated,
        unchanged: tally.unchanged,
        changes: tally.changes,
        warnings,
        import_run_id: Some(run_id),
    };
    let mut run = run.into_active_model();
    run.finished_at = Set(Utc::now());
    run.status = Set("succeeded".to_owned());
    run.rows_read = Set(i32::try_from(file.rows_read).unwrap_or(i32::MAX));
    run.rows_inserted = Set(report.inserted);
    run.rows_updated = Set(report.updated);
    run.rows_unchanged = Set(report.unchanged);
    run.summary = Set(serde_json::to_string(&report).ok());
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
        let action = tally.compare(
            format!("region {}", r.code),
            old.map(|m| facts(&m.name, &m.ofsted_region)),
            &facts(&r.name, &r.ofsted_region),
        );
        let Some((mut am, is_new)) =
            to_write(&action, old, || region::ActiveModel { code: Set(r.code.to_string()), ..Default::default() })
        else {
            continue;
        };
        am.name = Set(r.name.clone());
        am.ofsted_region = Set(r.ofsted_region.clone());
        am.import_run_id = Set(run);
        save(txn, am, is_new).await?;
    }
    Ok(())
}

async fn write_icbs(txn: &DatabaseTransaction, rows: &[IcbRow], run: i32, tally: &mut Tally) -> Result<(), DbErr> {
    let existing: HashMap<String, icb::Model> =
        icb::Entity::find().all(txn).await?.into_iter().map(|m| (m.code.clone(), m)).collect();
    for r in rows {
        let old = existing.get(r.code.as_str());
        let old_facts = old.map(|m| vec![("name", some(&m.name))]);
        let action = tally.compare(format!("icb {}", r.code), old_facts, &vec![("name", some(&r.name))]);
        let Some((mut am, is_new)) =
            to_write(&action, old, || icb::ActiveModel { code: Set(r.code.to_string()), ..Default::default() })
        else {
            continue;
        };
        am.name = Set(r.name.clone());
        am.import_run_id = Set(run);
        save(txn, am, is_new).await?;
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
        let action = tally.compare(format!("area {}", r.gss), old_facts, &new);
        let partners_changed = match &action {
            Action::Insert => true,
            Action::Update(fields) => changed(fields, "icb_codes"),
            Action::Unchanged => false,
        };
        let area_id = match to_write(&action, old, || local_area::ActiveModel {
            gss_code: Set(r.gss.to_string()),
            ofsted_urn: Set(None),
            valid_from: Set(None),
            valid_to: Set(None),
            ..Default::default()
        }) {
            Some((mut am, is_new)) => {
                am.dfe_code = Set(Some(r.dfe.as_str().to_owned()));
                am.name = Set(r.name.clone());
                am.region_code = Set(region_code);
                am.import_run_id = Set(run);
                let m = save(txn, am, is_new).await?;
                if matches!(&action, Action::Update(fields) if changed(fields, "region_code")) {
                    // Inspections carry their area's region (for pages of one region): follow the move.
                    inspection::Entity::update_many()
                        .col_expr(inspection::Column::RegionCode, Expr::value(m.region_code.clone()))
                        .filter(inspection::Column::AreaId.eq(m.id))
                        .exec(txn)
                        .await?;
                }
                partners_changed.then_some(m.id)
            }
            None => None,
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
        let action = tally.compare(format!("area {gss}"), old_facts, &new);
        if let Some((mut am, is_new)) = to_write(&action, old, || local_area::ActiveModel {
            gss_code: Set((*gss).to_owned()),
            ofsted_urn: Set(None),
            region_code: Set(region_code),
            valid_from: Set(None),
            ..Default::default()
        }) {
            am.dfe_code = Set(Some(r.predecessor_dfe.as_str().to_owned()));
            am.name = Set(r.predecessor_name.clone());
            am.valid_to = Set(end);
            am.import_run_id = Set(run);
            save(txn, am, is_new).await?;
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
        let action = tally.compare(record, old_facts, &vec![("effective", some(r.effective))]);
        if let Some((mut am, is_new)) = to_write(&action, old, || area_lineage::ActiveModel {
            predecessor_id: Set(p),
            successor_id: Set(s),
            ..Default::default()
        }) {
            am.effective = Set(r.effective);
            am.import_run_id = Set(run);
            save(txn, am, is_new).await?;
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
        let action = tally.compare(format!("alias {:?}", r.alias), old_facts, &new);
        if let Some((mut am, is_new)) =
            to_write(&action, old, || area_alias::ActiveModel { normalised: Set(key), ..Default::default() })
        {
            am.area_id = Set(area_id);
            am.alias = Set(r.alias.clone());
            am.publisher = Set(r.publisher.clone());
            am.import_run_id = Set(run);
            save(txn, am, is_new).await?;
        }
    }
    Ok(())
}

fn inspection_record(gss: &str, framework: Framework, t: InspectionType, start: PartialDate, known: bool) -> String {
    if known {
        format!("inspection {gss} {framework} {} {start}", t.code())
    } else {
        format!("inspection {gss} {framework} {} published {start} (start not known)", t.code())
    }
}

fn themes_text(themes: impl Iterator<Item = send_model::domain::Theme>) -> Option<String> {
    let labels: Vec<&str> = themes.map(|t| t.code()).collect();
    (!labels.is_empty()).then(|| labels.join("; "))
}

/// How far apart two start dates may be and still be the same inspection of an area (sources disagree by days;
/// inspections of the same type in the same area are years apart).
const SAME_INSPECTION_DAYS: i64 = 31;

/// When an inspection was seen: its start, whether that start is known, and its publication.
#[derive(Debug, Clone, Copy)]
struct Sighting {
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

    /// Days between two sightings of what may be one inspection: their starts, or, where either start is not
    /// known, their publications; `None` when that cannot be told (then they are different inspections).
    fn days_apart(&self, other: &Self) -> Option<i64> {
        if self.start_known && other.start_known {
            return Some((self.start - other.start).num_days().abs());
        }
        Some((self.published? - other.published?).num_days().abs())
    }

    fn near(&self, other: &Self) -> bool {
        self.days_apart(other).is_some_and(|days| days <= SAME_INSPECTION_DAYS)
    }
}

/// The facts a row gives, as named text values, starting with its start date (none when the row does not know it:
/// an unknown start never replaces a known one).
fn given_facts(r: &InspectionRow) -> Vec<(Fact, Option<String>)> {
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
fn evidence_text(evidence: &[String]) -> Option<String> {
    (!evidence.is_empty()).then(|| evidence.join("; "))
}

/// What only a report gives (action texts, areas for improvement) as one compared text value: the items
/// `N. text [theme: ...] [evidence: ...]` joined by `" | "`; `None` for no items.
fn details_text<'a>(items: impl Iterator<Item = (&'a str, Option<String>, Option<&'a str>)>) -> Option<String> {
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
struct StoredDetails {
    /// Priority actions' texts and evidence, when every action's text is known.
    texts: HashMap<i32, Option<String>>,
    /// Areas for improvement.
    improvements: HashMap<i32, Option<String>>,
}

impl StoredDetails {
    async fn load(txn: &DatabaseTransaction) -> Result<Self, DbErr> {
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
fn stored_fact(m: &inspection::Model, themes: &Option<String>, details: &StoredDetails, fact: Fact) -> Option<String> {
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
fn apply(am: &mut inspection::ActiveModel, r: &InspectionRow, fact: Fact) {
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

/// Whether a date value only restates another at a coarser precision (`2017-05` against `2017-05-12`), or refines
/// it. Returns `Some(true)` when `new` refines `old`, `Some(false)` when it is coarser, `None` when they differ.
fn precision_relation(fact: Fact, old: &str, new: &str) -> Option<bool> {
    if !fact.is_date() {
        return None;
    }
    let (old, new) = (PartialDate::parse(old).ok()?, PartialDate::parse(new).ok()?);
    let same_month = (old.date.year(), old.date.month()) == (new.date.year(), new.date.month());
    match (same_month, old.precision, new.precision) {
        (true, DatePrecision::Month, DatePrecision::Day) => Some(true),
        (true, DatePrecision::Day, DatePrecision::Month) => Some(false),
        _ => None,
    }
}

/// Who said a stored value: its kind of source and the file or URL.
struct Said {
    kind: SourceKind,
    source: String,
}

/// The precedence rule between sources, for one field whose stored value differs from a new source's.
/// Returns whether to take the new value, and a warning when the two sources disagree.
fn decide(
    record: &str,
    fact: Fact,
    old: &Option<String>,
    new: &Option<String>,
    said: &Said,
    kind: SourceKind,
    source: &str,
) -> (bool, Option<String>) {
    match (old, new) {
        // Filling an empty field is an addition, not a disagreement. (A source that says "empty" where another gave
        // a value is a disagreement like any other, ranked below.)
        (None, _) => return (true, None),
        // The same date at another precision: a day refines a month; a month never replaces a day.
        (Some(old_text), Some(new_text)) => {
            if let Some(refines) = precision_relation(fact, old_text, new_text) {
                return (refines, None);
            }
        }
        (Some(_), None) => {}
    }
    let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "(empty)".to_owned());
    let same_source = said.kind == kind && said.source == source;
    if same_source {
        // A revised edition of the same file: its new value replaces its old one (reported as a change).
        return (true, None);
    }
    let take = kind.rank() >= said.kind.rank();
    let kept = if take { new } else { old };
    let reason = if kind.rank() == said.kind.rank() {
        "the later import of the same kind of source wins".to_owned()
    } else {
        format!("{} ranks above {}", if take { kind } else { said.kind }, if take { said.kind } else { kind })
    };
    let warning = format!(
        "sources disagree on {record}: {}: {} ({}) says {}; {} ({}) says {}; kept {} ({reason})",
        fact.name(),
        said.kind,
        said.source,
        show(old),
        kind,
        source,
        show(new),
        show(kept)
    );
    (take, Some(warning))
}

async fn write_inspections(
    txn: &DatabaseTransaction,
    file: &ParsedFile,
    run: i32,
    tally: &mut Tally,
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
            tally.compare(record, None, &Vec::new());
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
            tally.unchanged += 1;
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
        tally.update(record, accepted.into_iter().map(|(_, change)| change).collect());
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
const INSERT_BATCH: usize = 10_000;

/// An inspection that is new to the database, waiting to be inserted with others.
struct NewInspection {
    model: inspection::ActiveModel,
    themes: Option<Vec<Theme>>,
    report: Option<Box<ReportDetails>>,
}

/// New inspections are inserted in batches (with their priority actions and field sources), not one statement per
/// row: a first import of a large file is then bound by the database's bulk insert speed.
#[derive(Default)]
struct Pending {
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
fn action_rows(
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
fn improvement_rows(inspection_id: i32, report: &ReportDetails, run: i32) -> Vec<improvement_area::ActiveModel> {
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
async fn write_improvements(
    txn: &DatabaseTransaction,
    inspection_id: i32,
    report: &ReportDetails,
    run: i32,
) -> Result<(), DbErr> {
    improvement_area::Entity::delete_many()
        .filter(improvement_area::Column::InspectionId.eq(inspection_id))
        .exec(txn)
        .await?;
    let rows = improvement_rows(inspection_id, report, run);
    if !rows.is_empty() {
        improvement_area::Entity::insert_many(rows).exec(txn).await?;
    }
    Ok(())
}

/// Replaces an inspection's priority actions with `themes`, in order (with the report's texts and evidence when
/// the row is a report's).
async fn write_actions(
    txn: &DatabaseTransaction,
    inspection_id: i32,
    themes: &[Theme],
    report: Option<&ReportDetails>,
    run: i32,
) -> Result<(), DbErr> {
    priority_action::Entity::delete_many()
        .filter(priority_action::Column::InspectionId.eq(inspection_id))
        .exec(txn)
        .await?;
    let rows = action_rows(inspection_id, themes, report, run);
    if !rows.is_empty() {
        priority_action::Entity::insert_many(rows).exec(txn).await?;
    }
    Ok(())
}

/// Records which kind of source set each (inspection, field), replacing what was recorded before.
async fn record_sources(
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
            m.start_known,
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
