//! What is held in memory per dataset version ([`ReadModel`]), and how it is read from one snapshot.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{DatabaseTransaction, DbErr, EntityTrait, QuerySelect};
use send_model::domain::{AreaCode, NeighbourSet};
use send_model::entity::{
    area_lineage, area_partner, area_population, icb, import_run, inspection, inspection_tally, local_area,
    priority_action, region, statistical_neighbour, theme_tally,
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
    /// Each area's statistical neighbours in each set, as area ids in rank order.
    neighbours: HashMap<(i32, NeighbourSet), Vec<i32>>,
    /// Each area's population aged 0 to 25, where known.
    populations: HashMap<i32, i32>,
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
        let mut ranked: Vec<statistical_neighbour::Model> = statistical_neighbour::Entity::find().all(txn).await?;
        ranked.sort_by_key(|n| (n.area_id, n.neighbour_set, n.rank));
        let mut neighbours: HashMap<(i32, NeighbourSet), Vec<i32>> = HashMap::new();
        for n in ranked {
            neighbours.entry((n.area_id, n.neighbour_set)).or_default().push(n.neighbour_id);
        }
        let populations = area_population::Entity::find()
            .all(txn)
            .await?
            .into_iter()
            .map(|p| (p.area_id, p.population_0_25))
            .collect();
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
            neighbours,
            populations,
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

    /// The ids of an area's statistical neighbours in `set`, in rank order (most alike first); empty when the data
    /// gives none.
    pub fn neighbours(&self, area_id: i32, set: NeighbourSet) -> &[i32] {
        self.neighbours.get(&(area_id, set)).map_or(&[], Vec::as_slice)
    }

    /// An area's population aged 0 to 25, where known.
    pub fn population_0_25(&self, area_id: i32) -> Option<i32> {
        self.populations.get(&area_id).copied()
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
