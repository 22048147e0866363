//! Inspections counted by framework, type, start year, ONS region and outcome, rebuilt by every import (see
//! [`crate::tally`]): what outcome profiles and page totals read instead of every inspection.

use sea_orm::entity::prelude::*;

use crate::domain::{Framework, InspectionType, Outcome};

/// A row of `inspection_tally`: one combination and how many inspections have it.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "inspection_tally")]
pub struct Model {
    /// Internal id.
    #[sea_orm(primary_key)]
    pub id: i32,
    /// The framework.
    pub framework: Framework,
    /// Full, revisit or monitoring.
    pub inspection_type: InspectionType,
    /// Calendar year the inspections started.
    pub start_year: i32,
    /// The inspected areas' ONS region.
    pub region_code: String,
    /// The outcome (none: not published).
    pub outcome: Option<Outcome>,
    /// How many inspections.
    pub inspections: i64,
}

/// No relations are navigated from here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
