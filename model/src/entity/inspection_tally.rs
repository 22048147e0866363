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
    /// False for inspections whose start date no source gives (`start_year` is then their publication year): an
    /// in-year count leaves them out, a cumulative one counts them.
    pub start_known: bool,
    /// The inspected areas' ONS region.
    pub region_code: String,
    /// The outcome (none: not published).
    pub outcome: Option<Outcome>,
    /// How many inspections.
    pub inspections: i64,
    /// Of them, widespread/systemic-failings inspections whose priority actions are not yet read.
    pub priority_actions_unread: i64,
    /// The newest publication among them.
    pub last_published: Option<Date>,
}

/// No relations are navigated from here.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
