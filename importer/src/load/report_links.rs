//! Writes of `ofsted_report_links.csv`: areas' Ofsted URNs and inspections' report URLs.

use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, DbErr, EntityTrait, IntoActiveModel, QueryFilter};
use send_model::domain::{Framework, InspectionType, PartialDate};
use send_model::entity::{area_lineage, inspection, local_area};

use crate::rows::ReportLinkRow;

use super::compare::{Decision, Facts, FileWrite, some};
use super::facts::inspection_record;

pub(super) async fn write_report_links(
    FileWrite { txn, run, counts }: FileWrite<'_>,
    rows: &[ReportLinkRow],
) -> Result<(), DbErr> {
    let areas = local_area::Entity::find().all(txn).await?;
    let predecessors: std::collections::HashSet<i32> =
        area_lineage::Entity::find().all(txn).await?.into_iter().map(|l| l.predecessor_id).collect();
    let inspections: HashMap<(i32, NaiveDate), inspection::Model> = inspection::Entity::find()
        .filter(inspection::Column::Framework.eq(Framework::F2023))
        .filter(inspection::Column::InspectionType.eq(InspectionType::Full))
        .all(txn)
        .await?
        .into_iter()
        .filter_map(|m| m.published.map(|p| ((m.area_id, p), m)))
        .collect();
    let mut urn_done = std::collections::HashSet::new();
    for r in rows {
        let mut candidates: Vec<&local_area::Model> =
            areas.iter().filter(|a| a.dfe_code.as_deref() == Some(r.dfe.as_str())).collect();
        candidates.sort_by_key(|a| (predecessors.contains(&a.id), a.gss_code.clone()));
        let Some(area) = candidates.first() else { continue };
        if urn_done.insert(area.id) {
            let old_facts = Some(vec![("ofsted_urn", area.ofsted_urn.clone())]);
            let new: Facts = vec![("ofsted_urn", some(r.urn.as_str()))];
            if let Decision::Update(_) = counts.compare(format!("area {}", area.gss_code), old_facts, &new) {
                let mut am = (*area).clone().into_active_model();
                am.ofsted_urn = Set(Some(r.urn.as_str().to_owned()));
                am.import_run_id = Set(run);
                am.update(txn).await?;
            }
        }
        let Some(m) = inspections.get(&(area.id, r.published.date)) else { continue };
        let old_facts = Some(vec![("report_url", m.report_url.clone())]);
        let record = inspection_record(
            &area.gss_code,
            m.framework,
            m.inspection_type,
            PartialDate::from_parts(m.start_date, m.start_precision),
            m.start_known,
        );
        if let Decision::Update(_) = counts.compare(record, old_facts, &vec![("report_url", some(&r.report_url))]) {
            let mut am = m.clone().into_active_model();
            am.report_url = Set(Some(r.report_url.clone()));
            am.import_run_id = Set(run);
            am.update(txn).await?;
        }
    }
    Ok(())
}
