//! Local areas: the footprint of one local authority, current or former.

use sea_orm::entity::prelude::*;

/// A row of `local_area`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "local_area")]
pub struct Model {
    /// Internal id.
    #[sea_orm(primary_key)]
    pub id: i32,
    /// ONS GSS code, the natural key.
    #[sea_orm(unique)]
    pub gss_code: String,
    /// DfE 3-digit code (a successor may keep its predecessor's).
    pub dfe_code: Option<String>,
    /// Ofsted provider URN, where known.
    pub ofsted_urn: Option<String>,
    /// Name as ONS/DfE write it.
    pub name: String,
    /// ONS region code.
    pub region_code: String,
    /// First day the area existed, when it was created by a reorganisation.
    pub valid_from: Option<Date>,
    /// Last day the area existed, when a reorganisation abolished it.
    pub valid_to: Option<Date>,
    /// The import run that last wrote this row.
    pub import_run_id: i32,
}

/// Relations used in joins.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The area's region.
    #[sea_orm(belongs_to = "super::region::Entity", from = "Column::RegionCode", to = "super::region::Column::Code")]
    Region,
}

impl Related<super::region::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Region.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
