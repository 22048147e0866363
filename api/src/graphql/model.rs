//! The read model, and the scope one request reads through.
//!
//! The data changes only when an import commits, so what nearly every request reads (regions, areas and their codes,
//! ICBs and which areas they serve, area lineage, and the tallies kept at import time) is held in memory per dataset
//! version ([`ReadModel`]), built from one read snapshot, with each area's inspections and priority actions added
//! as requests of that version first read them (in one statement per batch of areas). A request reads it instead of
//! the database: an outcome profile, theme counts, and once read an area's timeline or the dashboard map cost no
//! statement at all, and a page of inspections only its own rows (filtered, ordered and keyset-paginated by the
//! database's indexes).
//!
//! A request's database snapshot is begun lazily, at the first statement it needs ([`Scope`]), with the dataset
//! version read in it. One answer never mixes two versions: when the model a request read and its snapshot are of
//! different versions (an import committed in between), [`super::run`] computes the answer again in a scope whose
//! model is that of its snapshot. A request that reads only the model sees the version last checked, at most
//! `refresh` ago (the same staleness cached GETs already have, `--version-refresh`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{DatabaseConnection, DatabaseTransaction, DbErr, EntityTrait, QuerySelect};
use send_model::domain::AreaCode;
use send_model::entity::{
    area_lineage, area_partner, icb, import_run, inspection, inspection_tally, local_area, priority_action, region,
    theme_tally,
};

/// One dataset version's reference data and tallies, in memory.
#[derive(Debug, Default)]
pub struct ReadModel {
    /// The dataset version it was read at (`dataset { version }`).
    pub version: Option<String>,
    /// ONS regions, by code.
    pub regions: Vec<region::Model>,
    /// ICBs, by code.
    pub icbs: Vec<icb::Model>,
    /// Every area (current and former), by id.
    areas: HashMap<i32, local_area::Model>,
    /// Area ids by GSS code, DfE code and Ofsted URN.
    by_code: HashMap<String, Vec<i32>>,
    /// The ICB codes serving each area, in code order.
    partners: HashMap<i32, Vec<String>>,
    /// The ids of the areas each ICB serves, in id order.
    served: HashMap<String, Vec<i32>>,
    /// The lineage rows touching each area (as predecessor or successor), oldest first.
    lineage: HashMap<i32, Vec<area_lineage::Model>>,
    /// The date the data runs to: the newest publication among its inspections or the newest snapshot imported (none
    /// before the first import).
    runs_to: Option<chrono::NaiveDate>,
    /// The inspection tally (with its roll-up rows over regions).
    pub inspection_tally: Vec<inspection_tally::Model>,
    /// The priority-action theme tally (with its roll-up rows over regions).
    pub theme_tally: Vec<theme_tally::Model>,
    /// Each area's inspections with their priority actions, as read (at this version) by the first request that
    /// needed them: a read-through cache, so that building the model stays quick at a million inspections.
    inspections: Mutex<HashMap<i32, Arc<AreaInspections>>>,
}

/// An area's inspections, oldest first (start date, then id), with their priority actions.
#[derive(Debug, Default)]
pub struct AreaInspections {
    /// The inspections.
    pub inspections: Vec<inspection::Model>,
    /// Each inspection's priority actions, in order.
    actions: HashMap<i32, Vec<priority_action::Model>>,
}

impl AreaInspections {
    /// Groups rows of inspections (in order) with their actions (in order), by area.
    pub fn group(rows: Vec<(inspection::Model, Option<priority_action::Model>)>) -> HashMap<i32, AreaInspections> {
        let mut areas: HashMap<i32, AreaInspections> = HashMap::new();
        for (i, action) in rows {
            let area = areas.entry(i.area_id).or_default();
            let list = area.actions.entry(i.id).or_default();
            list.extend(action);
            if area.inspections.last().is_none_or(|last| last.id != i.id) {
                area.inspections.push(i);
            }
        }
        areas
    }

    /// An inspection's priority actions, in order.
    pub fn actions_of(&self, inspection_id: i32) -> &[priority_action::Model] {
        self.actions.get(&inspection_id).map_or(&[], Vec::as_slice)
    }
}

impl ReadModel {
    /// Reads the model in `txn`, whose dataset version is `version`.
    pub async fn load(txn: &DatabaseTransaction, version: Option<String>) -> Result<Self, DbErr> {
        let mut regions = region::Entity::find().all(txn).await?;
        regions.sort_by(|a, b| a.code.cmp(&b.code));
        let mut icbs = icb::Entity::find().all(txn).await?;
        icbs.sort_by(|a, b| a.code.cmp(&b.code));
        let mut by_code: HashMap<String, Vec<i32>> = HashMap::new();
        let mut areas = HashMap::new();
        for a in local_area::Entity::find().all(txn).await? {
            for code in [Some(&a.gss_code), a.dfe_code.as_ref(), a.ofsted_urn.as_ref()].into_iter().flatten() {
                by_code.entry(code.clone()).or_default().push(a.id);
            }
            areas.insert(a.id, a);
        }
        let mut partners: HashMap<i32, Vec<String>> = HashMap::new();
        let mut served: HashMap<String, Vec<i32>> = HashMap::new();
        for p in area_partner::Entity::find().all(txn).await? {
            served.entry(p.icb_code.clone()).or_default().push(p.area_id);
            partners.entry(p.area_id).or_default().push(p.icb_code);
        }
        partners.values_mut().for_each(|codes| codes.sort());
        served.values_mut().for_each(|ids| ids.sort_unstable());
        let mut links = area_lineage::Entity::find().all(txn).await?;
        links.sort_by_key(|l| (l.effective, l.id));
        let mut lineage: HashMap<i32, Vec<area_lineage::Model>> = HashMap::new();
        for l in links {
            lineage.entry(l.predecessor_id).or_default().push(l.clone());
            if l.successor_id != l.predecessor_id {
                lineage.entry(l.successor_id).or_default().push(l);
            }
        }
        let snapshot: Option<chrono::NaiveDateTime> = import_run::Entity::find()
            .select_only()
            .column_as(Expr::col(import_run::Column::SnapshotAt).max(), "runs_to")
            .into_tuple()
            .one(txn)
            .await?
            .flatten();
        let inspection_tally = inspection_tally::Entity::find().all(txn).await?;
        // From the tallies: the newest publication, without reading every inspection.
        let published = inspection_tally.iter().filter_map(|t| t.last_published).max();
        let runs_to = Ord::max(published, snapshot.map(|t| t.date()));
        Ok(Self {
            version,
            runs_to,
            inspections: Mutex::default(),
            regions,
            icbs,
            areas,
            by_code,
            partners,
            served,
            lineage,
            inspection_tally,
            theme_tally: theme_tally::Entity::find().all(txn).await?,
        })
    }

    /// The date the data runs to (see `Dataset.dataRunsTo`).
    pub fn runs_to(&self) -> Option<chrono::NaiveDate> {
        self.runs_to
    }

    /// The date a count "as at" or "as of" is taken at when the request gives none: the date the data runs to, not
    /// today (a count at today would say that whatever was published since the data was last refreshed did not
    /// happen); today before the first import.
    pub fn default_as_at(&self) -> chrono::NaiveDate {
        self.runs_to.unwrap_or_else(|| chrono::Utc::now().date_naive())
    }

    /// The area with this id.
    pub fn area(&self, id: i32) -> Option<&local_area::Model> {
        self.areas.get(&id)
    }

    /// Every area, current and former, in no particular order.
    pub fn areas(&self) -> impl Iterator<Item = &local_area::Model> {
        self.areas.values()
    }

    /// The area a GSS code, DfE code or Ofsted URN names. A DfE code shared by a predecessor and its successor
    /// names the current area.
    pub fn find_area(&self, code: &AreaCode) -> Option<&local_area::Model> {
        let (text, matches): (&str, fn(&local_area::Model, &str) -> bool) = match code {
            AreaCode::Gss(g) => (g.as_str(), |a, c| a.gss_code == c),
            AreaCode::Dfe(d) => (d.as_str(), |a, c| a.dfe_code.as_deref() == Some(c)),
            AreaCode::Urn(u) => (u.as_str(), |a, c| a.ofsted_urn.as_deref() == Some(c)),
        };
        self.by_code
            .get(text)
            .into_iter()
            .flatten()
            .filter_map(|id| self.areas.get(id))
            .filter(|a| matches(a, text))
            .min_by_key(|a| (a.valid_to.is_some(), a.id))
    }

    /// The region with this code.
    pub fn region(&self, code: &str) -> Option<&region::Model> {
        self.regions.iter().find(|r| r.code == code)
    }

    /// The ICB with this code.
    pub fn icb(&self, code: &str) -> Option<&icb::Model> {
        self.icbs.iter().find(|i| i.code == code)
    }

    /// The codes of the ICBs serving an area, in code order.
    pub fn partner_codes(&self, area_id: i32) -> &[String] {
        self.partners.get(&area_id).map_or(&[], Vec::as_slice)
    }

    /// The ICBs serving an area, in code order.
    pub fn partners(&self, area_id: i32) -> Vec<icb::Model> {
        self.partner_codes(area_id).iter().filter_map(|c| self.icb(c)).cloned().collect()
    }

    /// The ids of the areas an ICB serves.
    pub fn areas_served_by(&self, icb_code: &str) -> Vec<i32> {
        self.served.get(icb_code).cloned().unwrap_or_default()
    }

    /// An area's inspections with their actions, when a request of this version has read them.
    pub fn cached_inspections(&self, area_id: i32) -> Option<Arc<AreaInspections>> {
        self.inspections.lock().ok()?.get(&area_id).cloned()
    }

    /// Keeps areas' inspections read in a snapshot of this model's version.
    pub fn cache_inspections(&self, areas: &HashMap<i32, Arc<AreaInspections>>) {
        if let Ok(mut cache) = self.inspections.lock() {
            cache.extend(areas.iter().map(|(id, a)| (*id, a.clone())));
        }
    }

    /// The lineage rows touching an area, oldest first.
    pub fn lineage(&self, area_id: i32) -> &[area_lineage::Model] {
        self.lineage.get(&area_id).map_or(&[], Vec::as_slice)
    }
}

/// The read model of the current dataset version, shared by every request of a schema.
#[derive(Debug)]
pub struct Models {
    refresh: Duration,
    /// The model held, with when its version was last confirmed current.
    held: Mutex<Option<(Instant, Arc<ReadModel>)>>,
    /// Taken while a model is built, so that concurrent requests build it once.
    building: tokio::sync::Mutex<()>,
    /// When a snapshot last could not be begun (the database is unreachable), and when a request last tried again.
    outage: Mutex<Option<(Instant, Instant)>>,
}

/// During an outage, how often one request tries the database again; the others do not wait for it.
const OUTAGE_RETRY: Duration = Duration::from_secs(1);

/// During an outage, how long the request that tries the database again waits for it (not the pool's timeout).
const OUTAGE_PROBE: Duration = Duration::from_millis(500);

/// What a request may do when the database was found unreachable.
enum Reach {
    /// Try: no outage, or this request is the one that tries again.
    Try,
    /// Try, waiting at most [`OUTAGE_PROBE`].
    Probe,
    /// Do not try: another request tried less than [`OUTAGE_RETRY`] ago.
    Skip,
}

impl Models {
    /// Models whose version is re-checked against the database when last confirmed over `refresh` ago (zero:
    /// every request checks).
    pub fn new(refresh: Duration) -> Self {
        Self { refresh, held: Mutex::new(None), building: tokio::sync::Mutex::new(()), outage: Mutex::new(None) }
    }

    fn held(&self) -> Option<(Instant, Arc<ReadModel>)> {
        self.held.lock().ok().and_then(|h| h.clone())
    }

    fn store(&self, model: Arc<ReadModel>) {
        if let Ok(mut held) = self.held.lock() {
            *held = Some((Instant::now(), model));
        }
    }

    /// Whether a request should reach for the database now (see [`Reach`]).
    fn reach(&self) -> Reach {
        let Ok(mut outage) = self.outage.lock() else { return Reach::Try };
        match &mut *outage {
            None => Reach::Try,
            Some((_, tried)) if tried.elapsed() < OUTAGE_RETRY => Reach::Skip,
            Some((_, tried)) => {
                *tried = Instant::now();
                Reach::Probe
            }
        }
    }

    /// Records whether a snapshot could be begun.
    fn reached(&self, ok: bool) {
        if let Ok(mut outage) = self.outage.lock() {
            *outage = match (ok, *outage) {
                (true, _) => None,
                (false, Some((since, _))) => Some((since, Instant::now())),
                (false, None) => Some((Instant::now(), Instant::now())),
            };
        }
    }

    /// The model held, whatever its age: what answers during an outage.
    fn last(&self) -> Option<Arc<ReadModel>> {
        self.held().map(|(_, model)| model)
    }

    /// The model held, when its version was confirmed current less than `refresh` ago.
    pub fn fresh(&self) -> Option<Arc<ReadModel>> {
        self.held().filter(|(at, _)| at.elapsed() < self.refresh).map(|(_, model)| model)
    }

    /// The model of `version`, read in `txn` (a snapshot at that version just begun) unless the one held is of
    /// that version; either way it is then confirmed current.
    pub async fn of_version(
        &self,
        txn: &DatabaseTransaction,
        version: Option<String>,
    ) -> Result<Arc<ReadModel>, DbErr> {
        if let Some((_, model)) = self.held().filter(|(_, m)| m.version == version) {
            self.store(model.clone());
            return Ok(model);
        }
        let _building = self.building.lock().await;
        if let Some((_, model)) = self.held().filter(|(_, m)| m.version == version) {
            return Ok(model);
        }
        let model = Arc::new(ReadModel::load(txn, version).await?);
        self.store(model.clone());
        Ok(model)
    }
}

/// What one request reads through: its read snapshot of the database, begun at its first statement, and the read
/// model, of the same dataset version (see the module's documentation).
pub struct Scope {
    db: DatabaseConnection,
    models: Arc<Models>,
    snapshot: tokio::sync::OnceCell<(DatabaseTransaction, Option<String>)>,
    model: tokio::sync::OnceCell<Arc<ReadModel>>,
    /// Why the database could not be read, if it could not: the request is then refused as a whole (HTTP 503).
    failure: std::sync::OnceLock<String>,
}

impl Scope {
    /// A scope that begins its snapshot only if a statement is needed.
    pub fn lazy(db: DatabaseConnection, models: Arc<Models>) -> Self {
        Self {
            db,
            models,
            snapshot: tokio::sync::OnceCell::new(),
            model: tokio::sync::OnceCell::new(),
            failure: std::sync::OnceLock::new(),
        }
    }

    /// A scope whose snapshot is begun now (its version is then known: HTTP caching, CSV export).
    pub async fn begin(db: DatabaseConnection, models: Arc<Models>) -> Result<Self, DbErr> {
        let scope = Self::lazy(db, models);
        scope.db().await?;
        Ok(scope)
    }

    /// The request's read snapshot, begun now if it was not.
    pub async fn db(&self) -> Result<&DatabaseTransaction, DbErr> {
        self.snapshot().await.inspect_err(|e| self.failed(e))
    }

    /// The snapshot, begun now if it was not, without recording a failure. While the database is unreachable, only
    /// one request a second tries it again, and waits briefly: the others fail at once instead of each waiting for
    /// the pool's timeout.
    async fn snapshot(&self) -> Result<&DatabaseTransaction, DbErr> {
        let (txn, _) = self
            .snapshot
            .get_or_try_init(|| async {
                let wait = match self.models.reach() {
                    Reach::Try => None,
                    Reach::Probe => Some(OUTAGE_PROBE),
                    Reach::Skip => {
                        return Err(DbErr::Custom("the database was unreachable a moment ago".to_owned()));
                    }
                };
                let begun = async {
                    let txn = send_model::backend::begin_snapshot(&self.db).await?;
                    let version = super::query::dataset_version(&txn).await?;
                    Ok::<_, DbErr>((txn, version))
                };
                let begun = match wait {
                    None => begun.await,
                    Some(wait) => tokio::time::timeout(wait, begun)
                        .await
                        .unwrap_or_else(|_| Err(DbErr::Custom("the database did not answer in time".to_owned()))),
                };
                self.models.reached(begun.is_ok());
                begun
            })
            .await?;
        Ok(txn)
    }

    fn failed(&self, e: &DbErr) {
        self.failure.get_or_init(|| e.to_string());
    }

    /// Why the database could not be read, when a snapshot or the read model could not be had.
    pub fn failure(&self) -> Option<DbErr> {
        self.failure.get().map(|e| DbErr::Custom(e.clone()))
    }

    /// The read model: the one held when confirmed current less than `refresh` ago and no snapshot is begun;
    /// otherwise that of the snapshot's version (the snapshot begun now if it was not: checking the version needs a
    /// statement anyway, and the request may then read both without a second check).
    pub async fn model(&self) -> Result<&ReadModel, DbErr> {
        let model = self
            .model
            .get_or_try_init(|| async {
                if self.snapshot.get().is_none()
                    && let Some(model) = self.models.fresh()
                {
                    return Ok(model);
                }
                // An answer the held model can give is given from it while the database is unreachable (as stale
                // as the last version confirmed), instead of failing.
                let txn = match self.snapshot().await {
                    Ok(txn) => txn,
                    Err(e) => return self.models.last().ok_or(e),
                };
                let version = self.snapshot.get().and_then(|(_, v)| v.clone());
                self.models.of_version(txn, version).await
            })
            .await
            .inspect_err(|e| self.failed(e))?;
        Ok(model)
    }

    /// The dataset version of the snapshot (begun now if it was not).
    pub async fn version(&self) -> Result<Option<String>, DbErr> {
        self.db().await?;
        Ok(self.snapshot.get().and_then(|(_, v)| v.clone()))
    }

    /// Whether the request read a model and a snapshot of different dataset versions: an import committed between
    /// the two, and the answer must be computed again.
    pub fn mixed(&self) -> bool {
        matches!((self.model.get(), self.snapshot.get()), (Some(m), Some((_, v))) if m.version != *v)
    }

    /// A fresh scope over the same database and models, its snapshot begun now (to compute an answer again).
    pub async fn again(&self) -> Result<Self, DbErr> {
        Self::begin(self.db.clone(), self.models.clone()).await
    }

    /// Ends the snapshot if one was begun (read-only: committing just releases it promptly).
    pub async fn finish(self) {
        if let Some((txn, _)) = self.snapshot.into_inner() {
            txn.commit().await.ok();
        }
    }
}
