//! Per-request batch loaders, so that a page of areas with their inspections costs a few statements, not one per
//! area. They are built for every request (a loader's cache must not outlive it).

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, Loader};
use sea_orm::{
    ColumnTrait, DatabaseTransaction, DbErr, EntityTrait, FromQueryResult, JoinType, QueryFilter, QueryOrder,
    QuerySelect,
};
use send_model::entity::{
    area_alias, area_lineage, area_partner, icb, import_run, improvement_area, inspection, local_area, priority_action,
    region,
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
/// Key: areas for improvement of an inspection.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct ImprovementsOfInspection(pub i32);
/// Key: an inspection's id.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct InspectionId(pub i32);
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

/// An ICB with the area it serves: one row of `area_partner` joined to `icb`.
#[derive(FromQueryResult)]
struct PartnerRow {
    area_id: i32,
    code: String,
    name: String,
    import_run_id: i32,
}

impl Loader<PartnersOfArea> for Db {
    type Value = Vec<icb::Model>;
    type Error = Arc<DbErr>;

    /// One statement: the links joined to their ICBs.
    async fn load(&self, keys: &[PartnersOfArea]) -> LoadResult<PartnersOfArea, Self::Value> {
        let to_icb = area_partner::Entity::belongs_to(icb::Entity)
            .from(area_partner::Column::IcbCode)
            .to(icb::Column::Code)
            .into();
        let rows = area_partner::Entity::find()
            .select_only()
            .column(area_partner::Column::AreaId)
            .column(icb::Column::Code)
            .column(icb::Column::Name)
            .column(icb::Column::ImportRunId)
            .join(JoinType::InnerJoin, to_icb)
            .filter(area_partner::Column::AreaId.is_in(ids(keys, |k| k.0)))
            .order_by_asc(area_partner::Column::IcbCode)
            .into_model::<PartnerRow>()
            .all(&*self.0)
            .await?;
        let mut map: HashMap<PartnersOfArea, Vec<icb::Model>> = keys.iter().map(|k| (*k, Vec::new())).collect();
        for r in rows {
            map.entry(PartnersOfArea(r.area_id)).or_default().push(icb::Model {
                code: r.code,
                name: r.name,
                import_run_id: r.import_run_id,
            });
        }
        Ok(map)
    }
}

/// The inspections of `areas` with their priority actions, in one statement (a left join), grouped as the
/// `InspectionsOfArea` and `ActionsOfInspection` loaders would return them.
pub async fn inspections_with_actions(
    db: &DatabaseTransaction,
    areas: &[i32],
) -> Result<
    (HashMap<InspectionsOfArea, Vec<inspection::Model>>, HashMap<ActionsOfInspection, Vec<priority_action::Model>>),
    DbErr,
> {
    let to_actions = sea_orm::RelationDef::from(
        priority_action::Entity::belongs_to(inspection::Entity)
            .from(priority_action::Column::InspectionId)
            .to(inspection::Column::Id),
    )
    .rev();
    let rows = inspection::Entity::find()
        .join(JoinType::LeftJoin, to_actions)
        .select_also(priority_action::Entity)
        .filter(inspection::Column::AreaId.is_in(areas.to_vec()))
        .order_by_asc(inspection::Column::StartDate)
        .order_by_asc(inspection::Column::Id)
        .order_by_asc(priority_action::Column::Ordinal)
        .all(db)
        .await?;
    let mut inspections: HashMap<InspectionsOfArea, Vec<inspection::Model>> =
        areas.iter().map(|a| (InspectionsOfArea(*a), Vec::new())).collect();
    let mut actions: HashMap<ActionsOfInspection, Vec<priority_action::Model>> = HashMap::new();
    for (i, action) in rows {
        let list = actions.entry(ActionsOfInspection(i.id)).or_default();
        if let Some(a) = action {
            list.push(a);
        }
        let of_area = inspections.entry(InspectionsOfArea(i.area_id)).or_default();
        if of_area.last().is_none_or(|last| last.id != i.id) {
            of_area.push(i);
        }
    }
    Ok((inspections, actions))
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

impl Loader<ImprovementsOfInspection> for Db {
    type Value = Vec<improvement_area::Model>;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[ImprovementsOfInspection]) -> LoadResult<ImprovementsOfInspection, Self::Value> {
        let rows = improvement_area::Entity::find()
            .filter(improvement_area::Column::InspectionId.is_in(ids(keys, |k| k.0)))
            .order_by_asc(improvement_area::Column::Ordinal)
            .all(&*self.0)
            .await?;
        let mut map: HashMap<ImprovementsOfInspection, Vec<improvement_area::Model>> =
            keys.iter().map(|k| (*k, Vec::new())).collect();
        for m in rows {
            map.entry(ImprovementsOfInspection(m.inspection_id)).or_default().push(m);
        }
        Ok(map)
    }
}

impl Loader<InspectionId> for Db {
    type Value = inspection::Model;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[InspectionId]) -> LoadResult<InspectionId, Self::Value> {
        let rows =
            inspection::Entity::find().filter(inspection::Column::Id.is_in(ids(keys, |k| k.0))).all(&*self.0).await?;
        Ok(rows.into_iter().map(|m| (InspectionId(m.id), m)).collect())
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
