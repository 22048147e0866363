//! An area's statistical neighbours: DfE's children's services statistical neighbours, in two sets, ranked.

use sea_orm::entity::prelude::*;

use crate::domain::NeighbourSet;

/// A row of `statistical_neighbour`. Natural key: (area_id, neighbour_set, rank).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "statistical_neighbour")]
pub struct Model {
    /// Internal id.
    #[sea_orm(primary_key)]
    pub id: i32,
    /// The area whose neighbour this is.
    pub area_id: i32,
    /// The set: DfE's current one or the one it replaced.
    pub neighbour_set: NeighbourSet,
    /// The neighbour's place in the set, from 1 (the most alike).
    pub rank: i32,
    /// The neighbour.
    pub neighbour_id: i32,
    /// The import run that last wrote this row.
    pub import_run_id: i32,
}

/// No relations are navigated from here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
