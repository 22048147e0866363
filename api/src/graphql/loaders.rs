//! Per-request batch loaders, so that a list of items costs one statement per relation, not one per item: areas'
//! inspections with their actions (kept in the read model once read, see [`super::objects::area_inspections`]),
//! other names, areas for improvement, inspections by id and import runs. They are built for every request (a
//! loader's cache must not outlive it).

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, Loader};
use sea_orm::{ColumnTrait, DbErr, EntityTrait, JoinType, QueryFilter, QueryOrder, QuerySelect};
use send_model::entity::{area_alias, import_run, improvement_area, inspection, priority_action};

use crate::read_model::{AreaInspections, Scope};

/// Loads rows by key, within the request's read snapshot (begun by the first load that needs it).
pub struct Db(pub Arc<Scope>);

/// Key: an area's inspections with their priority actions.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct InspectionsOfArea(pub i32);
/// Key: an inspection's id.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct InspectionId(pub i32);
/// Key: other names of an area.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct AliasesOfArea(pub i32);
/// Key: areas for improvement of an inspection.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct ImprovementsOfInspection(pub i32);
/// Key: an import run's id.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct ImportRunId(pub i32);

type LoadResult<K, V> = Result<HashMap<K, V>, Arc<DbErr>>;

fn ids<K: Copy>(keys: &[K], f: impl Fn(K) -> i32) -> Vec<i32> {
    keys.iter().map(|k| f(*k)).collect()
}

impl Loader<InspectionsOfArea> for Db {
    type Value = Arc<AreaInspections>;
    type Error = Arc<DbErr>;

    /// The areas' inspections with their actions, in one statement (a left join), kept in the read model when the
    /// snapshot is of its version (see [`crate::read_model::ReadModel::cached_inspections`]).
    async fn load(&self, keys: &[InspectionsOfArea]) -> LoadResult<InspectionsOfArea, Self::Value> {
        let to_actions = sea_orm::RelationDef::from(
            priority_action::Entity::belongs_to(inspection::Entity)
                .from(priority_action::Column::InspectionId)
                .to(inspection::Column::Id),
        )
        .rev();
        let rows = inspection::Entity::find()
            .join(JoinType::LeftJoin, to_actions)
            .select_also(priority_action::Entity)
            .filter(inspection::Column::AreaId.is_in(ids(keys, |k| k.0)))
            .order_by_asc(inspection::Column::StartDate)
            .order_by_asc(inspection::Column::Id)
            .order_by_asc(priority_action::Column::Ordinal)
            .all(self.0.db().await?)
            .await?;
        let mut grouped = AreaInspections::group(rows);
        let areas: HashMap<i32, Arc<AreaInspections>> =
            keys.iter().map(|k| (k.0, Arc::new(grouped.remove(&k.0).unwrap_or_default()))).collect();
        let model = self.0.model().await?;
        if !self.0.mixed() {
            model.cache_inspections(&areas);
        }
        Ok(areas.into_iter().map(|(id, a)| (InspectionsOfArea(id), a)).collect())
    }
}

impl Loader<InspectionId> for Db {
    type Value = inspection::Model;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[InspectionId]) -> LoadResult<InspectionId, Self::Value> {
        let rows = self.rows::<inspection::Entity>(inspection::Column::Id, ids(keys, |k| k.0), None).await?;
        Ok(rows.into_iter().map(|m| (InspectionId(m.id), m)).collect())
    }
}

impl Loader<AliasesOfArea> for Db {
    type Value = Vec<area_alias::Model>;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[AliasesOfArea]) -> LoadResult<AliasesOfArea, Self::Value> {
        let column = area_alias::Column::AreaId;
        let rows = self.rows::<area_alias::Entity>(column, ids(keys, |k| k.0), Some(area_alias::Column::Alias)).await?;
        Ok(grouped(keys, rows, |m| AliasesOfArea(m.area_id)))
    }
}

impl Loader<ImprovementsOfInspection> for Db {
    type Value = Vec<improvement_area::Model>;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[ImprovementsOfInspection]) -> LoadResult<ImprovementsOfInspection, Self::Value> {
        let (column, order) = (improvement_area::Column::InspectionId, improvement_area::Column::Ordinal);
        let rows = self.rows::<improvement_area::Entity>(column, ids(keys, |k| k.0), Some(order)).await?;
        Ok(grouped(keys, rows, |m| ImprovementsOfInspection(m.inspection_id)))
    }
}

impl Loader<ImportRunId> for Db {
    type Value = import_run::Model;
    type Error = Arc<DbErr>;

    async fn load(&self, keys: &[ImportRunId]) -> LoadResult<ImportRunId, Self::Value> {
        let rows = self.rows::<import_run::Entity>(import_run::Column::Id, ids(keys, |k| k.0), None).await?;
        Ok(rows.into_iter().map(|m| (ImportRunId(m.id), m)).collect())
    }
}

impl Db {
    /// The rows of `E` whose `column` is one of `ids`, in the order of `order` when given: one statement per batch.
    async fn rows<E: EntityTrait>(
        &self,
        column: E::Column,
        ids: Vec<i32>,
        order: Option<E::Column>,
    ) -> Result<Vec<E::Model>, Arc<DbErr>> {
        let mut select = E::find().filter(column.is_in(ids));
        if let Some(order) = order {
            select = select.order_by_asc(order);
        }
        Ok(select.all(self.0.db().await?).await?)
    }
}

/// `rows` under the key each belongs to, in their order; every key present, with no rows when it has none.
fn grouped<K: Copy + Eq + std::hash::Hash, M>(
    keys: &[K],
    rows: Vec<M>,
    key_of: impl Fn(&M) -> K,
) -> HashMap<K, Vec<M>> {
    let mut map: HashMap<K, Vec<M>> = keys.iter().map(|k| (*k, Vec::new())).collect();
    for m in rows {
        map.entry(key_of(&m)).or_default().push(m);
    }
    map
}

/// The loader of one request.
pub type Loaders = DataLoader<Db, async_graphql::dataloader::HashMapCache>;

/// A fresh loader for one request, reading through its snapshot. It caches what it loaded for the request's
/// lifetime.
pub fn for_request(scope: Arc<Scope>) -> Loaders {
    DataLoader::with_cache(Db(scope), tokio::spawn, async_graphql::dataloader::HashMapCache::default())
}
