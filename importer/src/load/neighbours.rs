//! Writes of Data to Insight's lookup of local authorities: each area's statistical neighbours (two sets, ranked)
//! and its population aged 0 to 25. The lookup owns both: a row compares its area's sets (their areas in rank order)
//! and population with those stored, and rewrites only what differs; an area the file does not list keeps what it has.

use std::collections::HashMap;

use sea_orm::{ActiveValue::Set, ColumnTrait, Condition, DbErr, EntityTrait, IntoActiveModel};
use send_model::domain::{GssCode, NeighbourSet};
use send_model::entity::{area_population, statistical_neighbour};

use crate::rows::NeighboursRow;

use super::compare::{Decision, Facts, FileWrite, replace_rows, save, stored_by};
use super::reference::area_ids;

/// A set as compared: its areas' GSS codes in rank order, joined by `;` (none when the set is empty).
fn listed<'a>(codes: impl Iterator<Item = &'a str>) -> Option<String> {
    let codes: Vec<&str> = codes.collect();
    (!codes.is_empty()).then(|| codes.join(";"))
}

pub(super) async fn write_neighbours(
    FileWrite { txn, run, counts }: FileWrite<'_>,
    rows: &[NeighboursRow],
) -> Result<(), DbErr> {
    let ids = area_ids(txn).await?;
    let gss_by_id: HashMap<i32, &str> = ids.iter().map(|(g, i)| (*i, g.as_str())).collect();
    let mut sets: HashMap<(i32, NeighbourSet), Vec<statistical_neighbour::Model>> = HashMap::new();
    for n in statistical_neighbour::Entity::find().all(txn).await? {
        sets.entry((n.area_id, n.neighbour_set)).or_default().push(n);
    }
    sets.values_mut().for_each(|set| set.sort_by_key(|n| n.rank));
    let populations = stored_by(txn, |p: &area_population::Model| p.area_id).await?;
    for r in rows {
        // Every row's area was resolved by the check, or the import stopped there.
        let Some((gss, &area_id)) = r.gss.as_ref().and_then(|g| ids.get(g.as_str()).map(|id| (g, id))) else {
            continue;
        };
        let given = [(NeighbourSet::Current, &r.current.areas), (NeighbourSet::Previous, &r.previous.areas)];
        let mut new: Facts =
            given.iter().map(|(set, areas)| (set.code(), listed(areas.iter().map(GssCode::as_str)))).collect();
        new.push(("population_0_25", r.population.map(|n| n.to_string())));
        let stored = |set: NeighbourSet| {
            sets.get(&(area_id, set))
                .and_then(|s| listed(s.iter().map(|n| gss_by_id.get(&n.neighbour_id).copied().unwrap_or("?"))))
        };
        let population = populations.get(&area_id);
        let old: Facts = vec![
            (NeighbourSet::Current.code(), stored(NeighbourSet::Current)),
            (NeighbourSet::Previous.code(), stored(NeighbourSet::Previous)),
            ("population_0_25", population.map(|p| p.population_0_25.to_string())),
        ];
        let held = old.iter().any(|(_, v)| v.is_some());
        let record = format!("statistical neighbours of {gss}");
        let decision = if held {
            counts.compare(record, Some(old), &new)
        } else if new.iter().all(|(_, v)| v.is_none()) {
            // A row of a former area that gives nothing (Northamptonshire, Poole): nothing to hold.
            counts.unchanged += 1;
            Decision::Unchanged
        } else {
            counts.compare(record, None, &new)
        };
        for (set, areas) in given {
            if !decision.writes(set.code()) {
                continue;
            }
            let models: Vec<statistical_neighbour::ActiveModel> = areas
                .iter()
                .zip(1..)
                .filter_map(|(neighbour, rank)| {
                    Some(statistical_neighbour::ActiveModel {
                        area_id: Set(area_id),
                        neighbour_set: Set(set),
                        rank: Set(rank),
                        neighbour_id: Set(*ids.get(neighbour.as_str())?),
                        import_run_id: Set(run),
                        ..Default::default()
                    })
                })
                .collect();
            let stored_set = Condition::all()
                .add(statistical_neighbour::Column::AreaId.eq(area_id))
                .add(statistical_neighbour::Column::NeighbourSet.eq(set));
            replace_rows(txn, stored_set, models).await?;
        }
        if decision.writes("population_0_25") {
            match (population, r.population) {
                (Some(old), Some(n)) => {
                    let mut am = old.clone().into_active_model();
                    am.population_0_25 = Set(n);
                    am.import_run_id = Set(run);
                    save(txn, am, false).await?;
                }
                (Some(old), None) => {
                    area_population::Entity::delete_by_id(old.id).exec(txn).await?;
                }
                (None, Some(n)) => {
                    let am = area_population::ActiveModel {
                        area_id: Set(area_id),
                        population_0_25: Set(n),
                        import_run_id: Set(run),
                        ..Default::default()
                    };
                    save(txn, am, true).await?;
                }
                (None, None) => {}
            }
        }
    }
    Ok(())
}
