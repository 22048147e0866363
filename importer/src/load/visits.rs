//! Writes of `thematic_visits.csv`.

use sea_orm::{ActiveValue::Set, DbErr};
use send_model::entity::thematic_visit;

use crate::rows::VisitRow;

use super::compare::{Facts, FileWrite, date_text, save, some, stored_by, to_write};
use super::reference::area_ids;

pub(super) async fn write_visits(
    FileWrite { txn, run, counts }: FileWrite<'_>,
    rows: &[VisitRow],
) -> Result<(), DbErr> {
    let ids = area_ids(txn).await?;
    let existing =
        stored_by(txn, |m: &thematic_visit::Model| (m.year, m.theme.code().to_owned(), m.visit_key.clone())).await?;
    for r in rows {
        let visit_key = r.gss.as_ref().map_or_else(|| r.label.clone().unwrap_or_default(), ToString::to_string);
        let area_id = r.gss.as_ref().and_then(|g| ids.get(g.as_str()).copied());
        let pathways: Vec<&str> = r.pathways.iter().map(|p| p.code()).collect();
        let new: Facts = vec![
            ("label", r.label.clone()),
            ("pathways", some(pathways.join(";"))),
            ("visit_start", r.start.map(|d| d.to_string())),
            ("visit_end", r.end.map(|d| d.to_string())),
            ("report_title", some(&r.report_title)),
            ("report_published", r.report_published.map(|d| d.to_string())),
            ("report_url", r.report_url.clone()),
            ("source", some(&r.source)),
        ];
        let old = existing.get(&(r.year, r.theme.code().to_owned(), visit_key.clone()));
        let old_facts = old.map(|m| {
            vec![
                ("label", m.label.clone()),
                ("pathways", some(&m.pathways)),
                ("visit_start", date_text(m.visit_start, m.visit_start_precision)),
                ("visit_end", date_text(m.visit_end, m.visit_end_precision)),
                ("report_title", some(&m.report_title)),
                ("report_published", m.report_published.map(|d| d.to_string())),
                ("report_url", m.report_url.clone()),
                ("source", some(&m.source)),
            ]
        });
        let action = counts.compare(format!("thematic visit {} {} {visit_key}", r.year, r.theme), old_facts, &new);
        let Some((mut am, is_new)) = to_write(&action, old, || thematic_visit::ActiveModel {
            year: Set(r.year),
            theme: Set(r.theme),
            visit_key: Set(visit_key),
            area_id: Set(area_id),
            ..Default::default()
        }) else {
            continue;
        };
        am.label = Set(r.label.clone());
        am.pathways = Set(pathways.join(";"));
        am.visit_start = Set(r.start.map(|d| d.date));
        am.visit_start_precision = Set(r.start.map(|d| d.precision));
        am.visit_end = Set(r.end.map(|d| d.date));
        am.visit_end_precision = Set(r.end.map(|d| d.precision));
        am.report_title = Set(r.report_title.clone());
        am.report_published = Set(r.report_published);
        am.report_url = Set(r.report_url.clone());
        am.source = Set(r.source.clone());
        am.import_run_id = Set(run);
        save(txn, am, is_new).await?;
    }
    Ok(())
}
