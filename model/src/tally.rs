//! The tallies (`inspection_tally`, `theme_tally`): counts kept at import time so that reads of aggregates cost the
//! same at 1e3 and 1e6 inspections. Architecture invariant: every transaction that writes inspections, priority
//! actions or areas' regions calls [`rebuild`] before it commits (the importer does, once per import).

use sea_orm::{ConnectionTrait, DbErr};

/// Recomputes both tallies from the rows the connection sees (one `GROUP BY` over each table).
pub async fn rebuild(db: &impl ConnectionTrait) -> Result<(), DbErr> {
    for sql in [
        "DELETE FROM inspection_tally",
        "INSERT INTO inspection_tally (framework, inspection_type, start_year, region_code, outcome, inspections) \
         SELECT i.framework, i.inspection_type, i.start_year, a.region_code, i.outcome, COUNT(*) \
         FROM inspection i JOIN local_area a ON a.id = i.area_id GROUP BY 1, 2, 3, 4, 5",
        "DELETE FROM theme_tally",
        "INSERT INTO theme_tally (start_year, region_code, theme, priority_actions, inspections) \
         SELECT i.start_year, a.region_code, p.theme, COUNT(*), COUNT(DISTINCT p.inspection_id) \
         FROM priority_action p JOIN inspection i ON i.id = p.inspection_id JOIN local_area a ON a.id = i.area_id \
         GROUP BY 1, 2, 3",
    ] {
        db.execute_unprepared(sql).await?;
    }
    Ok(())
}
