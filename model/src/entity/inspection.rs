//! Inspections under both frameworks.

use sea_orm::entity::prelude::*;

use crate::domain::{DatePrecision, Framework, InspectionType, Outcome, SourceKind};

/// A row of `inspection`. Natural key: (area, framework, type, start date).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "inspection")]
pub struct Model {
    /// Internal id.
    #[sea_orm(primary_key)]
    pub id: i32,
    /// The area inspected, under the code it had at the time.
    pub area_id: i32,
    /// The framework.
    pub framework: Framework,
    /// Full, revisit or monitoring.
    pub inspection_type: InspectionType,
    /// First day on site (or the month's first day); when no source gives the start (`start_known` false), the
    /// publication date, where the row is placed in order and in cumulative counts.
    pub start_date: Date,
    /// Precision of `start_date`.
    pub start_precision: DatePrecision,
    /// Calendar year of `start_date`: the year Ofsted counts the inspection in (counts by year read it only where
    /// `start_known`).
    pub start_year: i32,
    /// False when no source gives the start date: the row is then placed at its publication date and left out of
    /// every count by start year or start date range.
    pub start_known: bool,
    /// Last day on site, where published.
    pub end_date: Option<Date>,
    /// Precision of `end_date`.
    pub end_precision: Option<DatePrecision>,
    /// Publication date of the report or letter.
    pub published: Option<Date>,
    /// Precision of `published`.
    pub published_precision: Option<DatePrecision>,
    /// The outcome, when published.
    pub outcome: Option<Outcome>,
    /// 2016 framework: significant weaknesses in the written statement of action.
    pub significant_weaknesses: Option<i32>,
    /// 2016 revisits: weaknesses with sufficient progress.
    pub weaknesses_progress_made: Option<i32>,
    /// 2016 revisits: weaknesses without sufficient progress.
    pub weaknesses_progress_not_made: Option<i32>,
    /// 2023 full inspections: number of areas for priority action.
    pub priority_action_count: Option<i32>,
    /// The report on Ofsted's site.
    pub report_url: Option<String>,
    /// Where this row's facts were read.
    pub source_url: String,
    /// The kind of source that created the row: the fields it was created with are credited to it (fields changed
    /// later by another source are recorded in `inspection_field_source`).
    pub source_kind: SourceKind,
    /// The import run that last wrote this row.
    pub import_run_id: i32,
    /// The import run that added this row (for rows added before it was recorded, the run that last wrote them).
    pub created_run_id: Option<i32>,
    /// The inspected area's ONS region, kept equal to the area's by the importer: what pages of one region are
    /// filtered and indexed on.
    pub region_code: Option<String>,
}

/// Relations used in joins.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The inspected area.
    #[sea_orm(belongs_to = "super::local_area::Entity", from = "Column::AreaId", to = "super::local_area::Column::Id")]
    Area,
}

impl Related<super::local_area::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Area.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    /// Whether the inspection's areas for priority action are not yet read: its outcome (widespread/systemic
    /// failings) has them and no source has given them yet (`priority_action_count` null, not zero). The tallies
    /// count the same rule in SQL (`crate::tally::rebuild`).
    pub fn priority_actions_not_yet_read(&self) -> bool {
        self.outcome == Some(Outcome::WidespreadSystemicFailings) && self.priority_action_count.is_none()
    }
}
