//! Writes of the reference data: regions, ICBs, areas (with their ICB partners), lineage and aliases, each file
//! writing only the columns it owns.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseTransaction, DbErr, EntityTrait, IntoActiveModel,
    QueryFilter,
};
use send_model::entity::{area_alias, area_lineage, area_partner, icb, inspection, local_area, region};

use crate::catalog::normalise_name;
use crate::rows::{AliasRow, AreaRow, IcbRow, LineageRow, RegionRow};

use super::compare::{Decision, Facts, FileWrite, changed, save, some, stored_by, to_write};

pub(super) async fn area_ids(txn: &DatabaseTransaction) -> Result<HashMap<String, i32>, DbErr> {
    Ok(local_area::Entity::find().all(txn).await?.into_iter().map(|a| (a.gss_code, a.id)).collect())
}

pub(super) async fn write_regions(
    FileWrite { txn, run, counts }: FileWrite<'_>,
    rows: &[RegionRow],
) -> Result<(), DbErr> {
    let existing = stored_by(txn, |m: &region::Model| m.code.clone()).await?;
    for r in rows {
        let facts = |name: &str, ofsted: &str| -> Facts { vec![("name", some(name)), ("ofsted_region", some(ofsted))] };
        let old = existing.get(r.code.as_str());
        let action = counts.compare(
            format!("region {}", r.code),
            old.map(|m| facts(&m.name, &m.ofsted_region)),
            &facts(&r.name, &r.ofsted_region),
        );
        let Some((mut am, is_new)) =
            to_write(&action, old, || region::ActiveModel { code: Set(r.code.to_string()), ..Default::default() })
        else {
            continue;
        };
        am.name = Set(r.name.clone());
        am.ofsted_region = Set(r.ofsted_region.clone());
        am.import_run_id = Set(run);
        save(txn, am, is_new).await?;
    }
    Ok(())
}

pub(super) async fn write_icbs(FileWrite { txn, run, counts }: FileWrite<'_>, rows: &[IcbRow]) -> Result<(), DbErr> {
    let existing = stored_by(txn, |m: &icb::Model| m.code.clone()).await?;
    for r in rows {
        let old = existing.get(r.code.as_str());
        let old_facts = old.map(|m| vec![("name", some(&m.name))]);
        let action = counts.compare(format!("icb {}", r.code), old_facts, &vec![("name", some(&r.name))]);
        let Some((mut am, is_new)) =
            to_write(&action, old, || icb::ActiveModel { code: Set(r.code.to_string()), ..Default::default() })
        else {
            continue;
        };
        am.name = Set(r.name.clone());
        am.import_run_id = Set(run);
        save(txn, am, is_new).await?;
    }
    Ok(())
}

pub(super) async fn partners_by_area(txn: &DatabaseTransaction) -> Result<HashMap<i32, Vec<String>>, DbErr> {
    let mut map: HashMap<i32, Vec<String>> = HashMap::new();
    for p in area_partner::Entity::find().all(txn).await? {
        map.entry(p.area_id).or_default().push(p.icb_code);
    }
    for codes in map.values_mut() {
        codes.sort();
    }
    Ok(map)
}

pub(super) async fn write_areas(FileWrite { txn, run, counts }: FileWrite<'_>, rows: &[AreaRow]) -> Result<(), DbErr> {
    let existing = stored_by(txn, |m: &local_area::Model| m.gss_code.clone()).await?;
    let regions: HashMap<String, String> =
        region::Entity::find().all(txn).await?.into_iter().map(|r| (r.name, r.code)).collect();
    let partners = partners_by_area(txn).await?;
    for r in rows {
        let region_code = regions.get(&r.region).cloned().unwrap_or_default();
        let mut icbs: Vec<String> = r.icbs.iter().map(ToString::to_string).collect();
        icbs.sort();
        let new: Facts = {
            let mut f =
                vec![("dfe_code", some(r.dfe.as_str())), ("name", some(&r.name)), ("region_code", some(&region_code))];
            // An empty icb_codes cell means "not yet known": it leaves partners known from elsewhere alone.
            if !icbs.is_empty() {
                f.push(("icb_codes", some(icbs.join(";"))));
            }
            f
        };
        let old = existing.get(r.gss.as_str());
        let old_facts = old.map(|m| {
            vec![
                ("dfe_code", m.dfe_code.clone()),
                ("name", some(&m.name)),
                ("region_code", some(&m.region_code)),
                ("icb_codes", partners.get(&m.id).map(|c| c.join(";"))),
            ]
        });
        let action = counts.compare(format!("area {}", r.gss), old_facts, &new);
        let partners_changed = action.writes("icb_codes");
        let area_id = match to_write(&action, old, || local_area::ActiveModel {
            gss_code: Set(r.gss.to_string()),
            ofsted_urn: Set(None),
            valid_from: Set(None),
            valid_to: Set(None),
            ..Default::default()
        }) {
            Some((mut am, is_new)) => {
                am.dfe_code = Set(Some(r.dfe.as_str().to_owned()));
                am.name = Set(r.name.clone());
                am.region_code = Set(region_code);
                am.import_run_id = Set(run);
                let m = save(txn, am, is_new).await?;
                if matches!(&action, Decision::Update(fields) if changed(fields, "region_code")) {
                    // Inspections carry their area's region (for pages of one region): follow the move.
                    inspection::Entity::update_many()
                        .col_expr(inspection::Column::RegionCode, Expr::value(m.region_code.clone()))
                        .filter(inspection::Column::AreaId.eq(m.id))
                        .exec(txn)
                        .await?;
                }
                partners_changed.then_some(m.id)
            }
            None => None,
        };
        if let Some(area_id) = area_id
            && !icbs.is_empty()
        {
            area_partner::Entity::delete_many().filter(area_partner::Column::AreaId.eq(area_id)).exec(txn).await?;
            for code in &icbs {
                area_partner::ActiveModel {
                    area_id: Set(area_id),
                    icb_code: Set(code.clone()),
                    import_run_id: Set(run),
                    ..Default::default()
                }
                .insert(txn)
                .await?;
            }
        }
    }
    Ok(())
}

pub(super) async fn write_lineage(
    FileWrite { txn, run, counts }: FileWrite<'_>,
    rows: &[LineageRow],
) -> Result<(), DbErr> {
    let areas = stored_by(txn, |m: &local_area::Model| m.gss_code.clone()).await?;
    // A predecessor ends the day before its first successor begins; a successor begins on its latest reorganisation.
    let mut valid_to: BTreeMap<&str, NaiveDate> = BTreeMap::new();
    let mut valid_from: BTreeMap<&str, NaiveDate> = BTreeMap::new();
    for r in rows {
        let end = r.effective.pred_opt().unwrap_or(r.effective);
        valid_to.entry(r.predecessor_gss.as_str()).and_modify(|d| *d = (*d).min(end)).or_insert(end);
        valid_from.entry(r.successor_gss.as_str()).and_modify(|d| *d = (*d).max(r.effective)).or_insert(r.effective);
    }
    let mut predecessor_rows: BTreeMap<&str, &LineageRow> = BTreeMap::new();
    for r in rows {
        predecessor_rows.entry(r.predecessor_gss.as_str()).or_insert(r);
    }
    for (gss, r) in &predecessor_rows {
        let region_code = areas.get(r.successor_gss.as_str()).map(|s| s.region_code.clone()).unwrap_or_default();
        let end = valid_to.get(gss).copied();
        let old = areas.get(*gss);
        let old_facts = old.map(|m| {
            vec![
                ("dfe_code", m.dfe_code.clone()),
                ("name", some(&m.name)),
                ("valid_to", m.valid_to.map(|d| d.to_string())),
            ]
        });
        let new: Facts = vec![
            ("dfe_code", some(r.predecessor_dfe.as_str())),
            ("name", some(&r.predecessor_name)),
            ("valid_to", end.map(|d| d.to_string())),
        ];
        let action = counts.compare(format!("area {gss}"), old_facts, &new);
        if let Some((mut am, is_new)) = to_write(&action, old, || local_area::ActiveModel {
            gss_code: Set((*gss).to_owned()),
            ofsted_urn: Set(None),
            region_code: Set(region_code),
            valid_from: Set(None),
            ..Default::default()
        }) {
            am.dfe_code = Set(Some(r.predecessor_dfe.as_str().to_owned()));
            am.name = Set(r.predecessor_name.clone());
            am.valid_to = Set(end);
            am.import_run_id = Set(run);
            save(txn, am, is_new).await?;
        }
    }
    for (gss, start) in &valid_from {
        let Some(m) = areas.get(*gss) else { continue };
        let old_facts = Some(vec![("valid_from", m.valid_from.map(|d| d.to_string()))]);
        if let Decision::Update(_) =
            counts.compare(format!("area {gss}"), old_facts, &vec![("valid_from", some(start))])
        {
            let mut am = m.clone().into_active_model();
            am.valid_from = Set(Some(*start));
            am.import_run_id = Set(run);
            am.update(txn).await?;
        }
    }
    let ids = area_ids(txn).await?;
    let existing = stored_by(txn, |m: &area_lineage::Model| (m.predecessor_id, m.successor_id)).await?;
    for r in rows {
        let (Some(&p), Some(&s)) = (ids.get(r.predecessor_gss.as_str()), ids.get(r.successor_gss.as_str())) else {
            continue;
        };
        let old = existing.get(&(p, s));
        let old_facts = old.map(|m| vec![("effective", some(m.effective))]);
        let record = format!("lineage {} -> {}", r.predecessor_gss, r.successor_gss);
        let action = counts.compare(record, old_facts, &vec![("effective", some(r.effective))]);
        if let Some((mut am, is_new)) = to_write(&action, old, || area_lineage::ActiveModel {
            predecessor_id: Set(p),
            successor_id: Set(s),
            ..Default::default()
        }) {
            am.effective = Set(r.effective);
            am.import_run_id = Set(run);
            save(txn, am, is_new).await?;
        }
    }
    Ok(())
}

pub(super) async fn write_aliases(
    FileWrite { txn, run, counts }: FileWrite<'_>,
    rows: &[AliasRow],
) -> Result<(), DbErr> {
    let ids = area_ids(txn).await?;
    let gss_by_id: HashMap<i32, &String> = ids.iter().map(|(g, i)| (*i, g)).collect();
    let existing = stored_by(txn, |m: &area_alias::Model| m.normalised.clone()).await?;
    for r in rows {
        let Some(&area_id) = ids.get(r.gss.as_str()) else { continue };
        let key = normalise_name(&r.alias);
        let old = existing.get(&key);
        let old_facts = old.map(|m| {
            vec![
                ("area", gss_by_id.get(&m.area_id).map(|g| (*g).clone())),
                ("alias", some(&m.alias)),
                ("publisher", some(&m.publisher)),
            ]
        });
        let new: Facts = vec![("area", some(&r.gss)), ("alias", some(&r.alias)), ("publisher", some(&r.publisher))];
        let action = counts.compare(format!("alias {:?}", r.alias), old_facts, &new);
        if let Some((mut am, is_new)) =
            to_write(&action, old, || area_alias::ActiveModel { normalised: Set(key), ..Default::default() })
        {
            am.area_id = Set(area_id);
            am.alias = Set(r.alias.clone());
            am.publisher = Set(r.publisher.clone());
            am.import_run_id = Set(run);
            save(txn, am, is_new).await?;
        }
    }
    Ok(())
}
