//! Per-request batch loaders, so that a page of areas with their inspections costs a few statements, not one per
//! area. They are built for every request (a loader's cache must not outlive it).

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, Loader};
use sea_orm::{ColumnTrait, DatabaseTransaction, DbErr, EntityTrait, QueryFilter, QueryOrder};
use send_model::entity::{
    area_alias, area_lineage, area_partner, icb, import_run, inspection, local_area, priority_action, region,
};

/// Loads rows by key, within the request's read snapshot.
pub struct Db(pub Arc<DatabaseTransaction>);

/// Key: an area's id.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct AreaId(pub i32);
/// Key: inspections of an area.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct InspectionsOfArea(pub i32);
/// Key: ICBs serving an area.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct PartnersOfArea(pub i32);
/// Key: other names of an area.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct AliasesOfArea(pub i32);
/// Key: lineage rows touching an area.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct LineageOfArea(pub i32);
/// Key: priority actions of an inspection.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct ActionsOfInspection(pub i32);
/// Key: a region's code.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct RegionCode(pub String);
/// Key: an import run's id.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct ImportRunId(pub i32);

type LoadResult<K, V> = Result<HashMap<K, V>, Arc<DbErr>>;

fn ids<K: Copy>(keys: &[K], f: impl Fn(K) -> i32) -> Vec<i32> {
    keys.iter().map(|k| f(*k)).collect()
}

impl Loader<AreaId> for Db {
    type Value = local_area::Model;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[AreaId]) -> LoadResult<AreaId, Self::Value> {
        let rows =
            local_area::Entity::find().filter(local_area::Column::Id.is_in(ids(keys, |k| k.0))).all(&*self.0).await?;
        Ok(rows.into_iter().map(|m| (AreaId(m.id), m)).collect())
    }
}

impl Loader<InspectionsOfArea> for Db {
    type Value = Vec<inspection::Model>;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[InspectionsOfArea]) -> LoadResult<InspectionsOfArea, Self::Value> {
        let rows = inspection::Entity::find()
            .filter(inspection::Column::AreaId.is_in(ids(keys, |k| k.0)))
            .order_by_asc(inspection::Column::StartDate)
            .order_by_asc(inspection::Column::Id)
            .all(&*self.0)
            .await?;
        let mut map: HashMap<InspectionsOfArea, Vec<inspection::Model>> =
            keys.iter().map(|k| (*k, Vec::new())).collect();
        for m in rows {
            map.entry(InspectionsOfArea(m.area_id)).or_default().push(m);
        }
        Ok(map)
    }
}

impl Loader<PartnersOfArea> for Db {
    type Value = Vec<icb::Model>;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[PartnersOfArea]) -> LoadResult<PartnersOfArea, Self::Value> {
        let links = area_partner::Entity::find()
            .filter(area_partner::Column::AreaId.is_in(ids(keys, |k| k.0)))
            .order_by_asc(area_partner::Column::IcbCode)
            .all(&*self.0)
            .await?;
        let codes: Vec<String> = links.iter().map(|l| l.icb_code.clone()).collect();
        let icbs: HashMap<String, icb::Model> = icb::Entity::find()
            .filter(icb::Column::Code.is_in(codes))
            .all(&*self.0)
            .await?
            .into_iter()
            .map(|m| (m.code.clone(), m))
            .collect();
        let mut map: HashMap<PartnersOfArea, Vec<icb::Model>> = keys.iter().map(|k| (*k, Vec::new())).collect();
        for link in links {
            if let Some(icb) = icbs.get(&link.icb_code) {
                map.entry(PartnersOfArea(link.area_id)).or_default().push(icb.clone());
            }
        }
        Ok(map)
    }
}

impl Loader<AliasesOfArea> for Db {
    type Value = Vec<area_alias::Model>;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[AliasesOfArea]) -> LoadResult<AliasesOfArea, Self::Value> {
        let rows = area_alias::Entity::find()
            .filter(area_alias::Column::AreaId.is_in(ids(keys, |k| k.0)))
            .order_by_asc(area_alias::Column::Alias)
            .all(&*self.0)
            .await?;
        let mut map: HashMap<AliasesOfArea, Vec<area_alias::Model>> = keys.iter().map(|k| (*k, Vec::new())).collect();
        for m in rows {
            map.entry(AliasesOfArea(m.area_id)).or_default().push(m);
        }
        Ok(map)
    }
}

impl Loader<LineageOfArea> for Db {
    type Value = Vec<area_lineage::Model>;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[LineageOfArea]) -> LoadResult<LineageOfArea, Self::Value> {
        let wanted = ids(keys, |k| k.0);
        let rows = area_lineage::Entity::find()
            .filter(
                sea_orm::Condition::any()
                    .add(area_lineage::Column::PredecessorId.is_in(wanted.clone()))
                    .add(area_lineage::Column::SuccessorId.is_in(wanted)),
            )
            .order_by_asc(area_lineage::Column::Effective)
            .order_by_asc(area_lineage::Column::Id)
            .all(&*self.0)
            .await?;
        let mut map: HashMap<LineageOfArea, Vec<area_lineage::Model>> = keys.iter().map(|k| (*k, Vec::new())).collect();
        for m in rows {
            for id in [m.predecessor_id, m.successor_id] {
                if let Some(list) = map.get_mut(&LineageOfArea(id)) {
                    list.push(m.clone());
                }
            }
        }
        Ok(map)
    }
}

impl Loader<ActionsOfInspection> for Db {
    type Value = Vec<priority_action::Model>;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[ActionsOfInspection]) -> LoadResult<ActionsOfInspection, Self::Value> {
        let rows = priority_action::Entity::find()
            .filter(priority_action::Column::InspectionId.is_in(ids(keys, |k| k.0)))
            .order_by_asc(priority_action::Column::Ordinal)
            .all(&*self.0)
            .await?;
        let mut map: HashMap<ActionsOfInspection, Vec<priority_action::Model>> =
            keys.iter().map(|k| (*k, Vec::new())).collect();
        for m in rows {
            map.entry(ActionsOfInspection(m.inspection_id)).or_default().push(m);
        }
        Ok(map)
    }
}

impl Loader<RegionCode> for Db {
    type Value = region::Model;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[RegionCode]) -> LoadResult<RegionCode, Self::Value> {
        let codes: Vec<String> = keys.iter().map(|k| k.0.clone()).collect();
        let rows = region::Entity::find().filter(region::Column::Code.is_in(codes)).all(&*self.0).await?;
        Ok(rows.into_iter().map(|m| (RegionCode(m.code.clone()), m)).collect())
    }
}

impl Loader<ImportRunId> for Db {
    type Value = import_run::Model;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[ImportRunId]) -> LoadResult<ImportRunId, Self::Value> {
        let rows =
            import_run::Entity::find().filter(import_run::Column::Id.is_in(ids(keys, |k| k.0))).all(&*self.0).await?;
        Ok(rows.into_iter().map(|m| (ImportRunId(m.id), m)).collect())
    }
}

/// The loader of one request.
pub type Loaders = DataLoader<Db, async_graphql::dataloader::HashMapCache>;

/// A fresh loader for one request, reading through its snapshot. It caches what it loaded for the request's
/// lifetime, so that lists can prefetch their items' relations in one statement each (see `prefetch_areas`).
pub fn for_request(txn: Arc<DatabaseTransaction>) -> Loaders {
    DataLoader::with_cache(Db(txn), tokio::spawn, async_graphql::dataloader::HashMapCache::default())
}
