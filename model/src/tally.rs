//! The tallies (`inspection_tally`, `theme_tally`): counts kept at import time so that reads of aggregates cost the
//! same at 1e3 and 1e6 inspections. Architecture invariant: every transaction that writes inspections, priority
//! actions or areas' regions calls [`rebuild`] before it commits (the importer does, once per import).

use sea_orm::{ConnectionTrait, DbErr};

/// Recomputes both tallies from the rows the connection sees (one `GROUP BY` over each table, and one over each
/// tally for its roll-up over regions), after giving new inspections their area's region.
pub async fn rebuild(db: &impl ConnectionTrait) -> Result<(), DbErr> {
    for sql in [
        // Every inspection carries its area's region (see `inspection.region_code`); the importer sets it on insert,
        // so this finds nothing unless a row was written some other way.
        "UPDATE inspection SET region_code = (SELECT a.region_code FROM local_area a WHERE a.id = inspection.area_id) \
         WHERE region_code IS NULL",
        "DELETE FROM inspection_tally",
        // `priority_actions_unread`: the rule of `inspection::Model::priority_actions_not_yet_read`, in SQL.
        "INSERT INTO inspection_tally (framework, inspection_type, start_year, start_known, region_code, outcome, \
         inspections, priority_actions_unread, last_published) \
         SELECT framework, inspection_type, start_year, start_known, region_code, outcome, COUNT(*), \
         SUM(CASE WHEN outcome = 'systemic' AND priority_action_count IS NULL THEN 1 ELSE 0 END), MAX(published) \
         FROM inspection GROUP BY 1, 2, 3, 4, 5, 6",
        // The roll-up over regions (`region_code` = ''): what a query for all of England reads.
        "INSERT INTO inspection_tally (framework, inspection_type, start_year, start_known, region_code, outcome, \
         inspections, priority_actions_unread, last_published) \
         SELECT framework, inspection_type, start_year, start_known, '', outcome, SUM(inspections), \
         SUM(priority_actions_unread), MAX(last_published) \
         FROM inspection_tally GROUP BY framework, inspection_type, start_year, start_known, outcome",
        "DELETE FROM theme_tally",
        "INSERT INTO theme_tally (start_year, start_known, region_code, theme, priority_actions, inspections) \
         SELECT i.start_year, i.start_known, i.region_code, p.theme, COUNT(*), COUNT(DISTINCT p.inspection_id) \
         FROM priority_action p JOIN inspection i ON i.id = p.inspection_id GROUP BY 1, 2, 3, 4",
        "INSERT INTO theme_tally (start_year, start_known, region_code, theme, priority_actions, inspections) \
         SELECT start_year, start_known, '', theme, SUM(priority_actions), SUM(inspections) \
         FROM theme_tally GROUP BY start_year, start_known, theme",
    ] {
        db.execute_unprepared(sql).await?;
    }
    Ok(())
}

/// The `region_code` of the tallies' roll-up rows, which count every region together.
pub const ALL_REGIONS: &str = "";

/// Which regions a tally query answers for.
#[derive(Debug, Clone)]
pub enum Regions {
    /// England as a whole: the roll-up rows.
    England,
    /// Every region apart (to group by region): the regions' own rows.
    EachRegion,
    /// These regions' own rows.
    These(Vec<String>),
}

impl Regions {
    /// Whether a tally row of `region_code` answers for these regions. Architecture invariant: every reading of the
    /// tallies (they are held in the read model) filters through this, so that no answer counts a region's rows and
    /// the roll-up.
    pub fn admits(&self, region_code: &str) -> bool {
        match self {
            Regions::England => region_code == ALL_REGIONS,
            Regions::EachRegion => region_code != ALL_REGIONS,
            Regions::These(codes) => codes.iter().any(|c| c == region_code),
        }
    }
}
