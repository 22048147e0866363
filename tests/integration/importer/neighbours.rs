//! Data to Insight's lookup of local authorities imported: every current area's ten current neighbours, each a
//! current area, in the lookup's order; the previous sets through DfE codes (a former area stays itself); the
//! populations, Cumbria's figure kept off its two successors; a code that names no area refused with its line and
//! column, writing nothing; re-importing changes nothing, and a changed row is one update.

use std::collections::{BTreeMap, HashMap, HashSet};

use sea_orm::{DatabaseConnection, EntityTrait};
use send_importer::{ImportError, ImportOptions, import, read_paths};
use send_model::domain::NeighbourSet;
use send_model::entity::{area_population, local_area, statistical_neighbour};

use crate::support::{
    NEIGHBOURS_FILE, TempDir, csv_rows, data_file, each_backend_with_data, neighbours_in_lookup, snapshot, without_runs,
};

/// Every stored set, by area and set, as GSS codes in rank order (the ranks checked to run 1, 2, ...).
async fn stored_sets(db: &DatabaseConnection) -> HashMap<(String, NeighbourSet), Vec<String>> {
    let gss: HashMap<i32, String> =
        local_area::Entity::find().all(db).await.expect("areas").into_iter().map(|a| (a.id, a.gss_code)).collect();
    let mut ranked: BTreeMap<(String, NeighbourSet), BTreeMap<i32, String>> = BTreeMap::new();
    for n in statistical_neighbour::Entity::find().all(db).await.expect("neighbours") {
        ranked
            .entry((gss[&n.area_id].clone(), n.neighbour_set))
            .or_default()
            .insert(n.rank, gss[&n.neighbour_id].clone());
    }
    ranked
        .into_iter()
        .map(|(key, set)| {
            assert!(set.keys().copied().eq(1..=set.len() as i32), "{key:?}: ranks {:?}", set.keys());
            (key, set.into_values().collect())
        })
        .collect()
}

#[tokio::test]
async fn every_current_area_has_its_ten_current_neighbours_each_a_current_area() {
    each_backend_with_data(|t| async move {
        let current: HashSet<String> =
            csv_rows("local_areas.csv").into_iter().map(|r| r["la_code_gss"].clone()).collect();
        assert_eq!(current.len(), 153);
        let sets = stored_sets(&t.db).await;
        for gss in &current {
            let neighbours = &sets[&(gss.clone(), NeighbourSet::Current)];
            assert_eq!(neighbours.len(), 10, "{gss}");
            assert!(neighbours.iter().all(|n| current.contains(n) && n != gss), "{gss}: {neighbours:?}");
            assert_eq!(neighbours, &neighbours_in_lookup(gss, false), "{gss}: the lookup's order");
            let previous = &sets[&(gss.clone(), NeighbourSet::Previous)];
            assert_eq!(previous, &neighbours_in_lookup(gss, true), "{gss}: the previous set through DfE codes");
        }
        // The only current sets are the current areas'; data/README.md names the previous sets short of ten.
        let with_current: HashSet<&String> =
            sets.keys().filter(|(_, set)| *set == NeighbourSet::Current).map(|(gss, _)| gss).collect();
        assert_eq!(with_current, current.iter().collect());
        let short: BTreeMap<&str, usize> = sets
            .iter()
            .filter(|((_, set), n)| *set == NeighbourSet::Previous && n.len() != 10)
            .map(|((gss, _), n)| (gss.as_str(), n.len()))
            .collect();
        assert_eq!(short, BTreeMap::from([("E06000063", 9), ("E06000064", 9)]), "Cumberland, Westmorland and Furness");
        // A former area named by its DfE code stays itself: Cumbria in Herefordshire's previous set, and Cumbria's own
        // row (DfE code only) gives its previous set.
        assert!(sets[&("E06000019".to_owned(), NeighbourSet::Previous)].contains(&"E10000006".to_owned()));
        assert_eq!(sets[&("E10000006".to_owned(), NeighbourSet::Previous)].len(), 10);
        // The DfE code North Yorkshire kept names the current area, not the county it replaced.
        assert!(sets.values().flatten().all(|n| n != "E10000023"));
        t
    })
    .await;
}

#[tokio::test]
async fn populations_are_the_lookups_and_a_split_areas_figure_stays_with_it() {
    each_backend_with_data(|t| async move {
        let ids: HashMap<i32, String> = local_area::Entity::find()
            .all(&t.db)
            .await
            .expect("areas")
            .into_iter()
            .map(|a| (a.id, a.gss_code))
            .collect();
        let stored: HashMap<String, i32> = area_population::Entity::find()
            .all(&t.db)
            .await
            .expect("populations")
            .into_iter()
            .map(|p| (ids[&p.area_id].clone(), p.population_0_25))
            .collect();
        let mut expected = HashMap::new();
        for r in csv_rows(NEIGHBOURS_FILE) {
            let gss = if r["la_code_new"].is_empty() {
                crate::support::gss_of_dfe(&r["la_code"]).expect("the row's area")
            } else {
                r["la_code_new"].clone()
            };
            // Cumberland and Westmorland and Furness are given Cumbria's figure (their ltla23_ons is Cumbria's code).
            if let Ok(n) = r["ons_population_0-25"].parse::<i32>()
                && !["E06000063", "E06000064"].contains(&gss.as_str())
            {
                expected.insert(gss, n);
            }
        }
        assert_eq!(stored, expected);
        assert_eq!(stored.get("E10000006"), Some(&128_211), "Cumbria's own figure");
        assert_eq!(stored.len(), 153 - 2 + 1);
        t
    })
    .await;
}

/// Writes the lookup into `dir` after `edit` of its lines (0 is the header), keeping its byte-order mark and CRLF
/// line ends, and returns its path and the lines.
fn edited_lookup(dir: &TempDir, edit: impl FnOnce(&mut Vec<String>)) -> std::path::PathBuf {
    let text = std::fs::read_to_string(data_file(NEIGHBOURS_FILE)).expect("read");
    assert!(text.starts_with('\u{feff}') && text.contains("\r\n"), "the published file's BOM and CRLF");
    let mut lines: Vec<String> = text.split("\r\n").map(str::to_owned).collect();
    edit(&mut lines);
    let path = dir.join(NEIGHBOURS_FILE);
    std::fs::write(&path, lines.join("\r\n")).expect("write");
    path
}

/// The index (line - 1) of the row of the area with this Ofsted URN (the lookup's first column).
fn line_of(lines: &[String], urn: &str) -> usize {
    lines.iter().position(|l| l.starts_with(&format!("{urn},"))).expect("the row")
}

#[tokio::test]
async fn a_code_that_names_no_area_is_refused_with_its_line_and_column_and_nothing_is_written() {
    each_backend_with_data(|t| async move {
        let dir = TempDir::new();
        let mut at = HashMap::new();
        let path = edited_lookup(&dir, |lines| {
            // Suffolk: an unknown GSS code first in its current set.
            let suffolk = line_of(lines, "80565");
            let first = neighbours_in_lookup("E10000029", false)[0].clone();
            lines[suffolk] = lines[suffolk].replacen(&format!("\"{first},"), "\"E06009999,", 1);
            // Barking and Dagenham: an unknown DfE code in its previous set.
            let barking = line_of(lines, "80486");
            lines[barking] = lines[barking].replacen("\"330, 331,", "\"330, 999,", 1);
            // Barnet: a former area (Cumbria) in its current set, by GSS code.
            let barnet = line_of(lines, "80487");
            lines[barnet] = lines[barnet].replacen("\"E09000031,", "\"E10000006,", 1);
            // Bexley: a GSS code no area has, for the row's own area.
            let bexley = line_of(lines, "80488");
            lines[bexley] = lines[bexley].replacen(",E09000004,", ",E09009999,", 1);
            at = HashMap::from([
                ("suffolk", suffolk + 1),
                ("barking", barking + 1),
                ("barnet", barnet + 1),
                ("bexley", bexley + 1),
            ]);
        });
        let before = snapshot(&t.db).await;
        let result = import(&t.db, read_paths(&[path]).expect("read"), ImportOptions::default()).await;
        assert_eq!(snapshot(&t.db).await, before, "a bad file leaves the database exactly as it was");
        let problems: Vec<String> = match result {
            Err(ImportError::Invalid(problems)) => problems.iter().map(ToString::to_string).collect(),
            other => panic!("expected problems, got {other:?}"),
        };
        let expect = |row: &str, column: &str, text: &str| {
            let prefix = format!("{NEIGHBOURS_FILE}:{}: {column}: ", at[row]);
            assert!(
                problems.iter().any(|p| p.contains(&prefix) && p.contains(text)),
                "no problem with {prefix:?} and {text:?} in {problems:#?}"
            );
        };
        expect("suffolk", "stat_neighbours_la_code", "expected the code of a known local area");
        expect("suffolk", "stat_neighbours_la_code", "found E06009999");
        expect("barking", "stat_neighbours_previous", "expected the DfE code of a known local area, found 999");
        expect("barnet", "stat_neighbours_la_code", "expected the code of a current local area");
        expect("barnet", "stat_neighbours_la_code", "E10000006 (Cumbria), a former area");
        // Barnet's DfE codes still name Waltham Forest first: the two lists disagree, which is said too.
        expect("barnet", "stat_neighbours", "expected the DfE codes of the areas stat_neighbours_la_code gives");
        expect("bexley", "la_code_new", "expected the code of a known local area");
        assert!(problems.iter().all(|p| p.starts_with(&dir.0.display().to_string())), "{problems:#?}");
        t
    })
    .await;
}

#[tokio::test]
async fn re_importing_the_lookup_changes_nothing_and_a_changed_row_is_one_update() {
    each_backend_with_data(|t| async move {
        let before = snapshot(&t.db).await;
        let report = import(&t.db, read_paths(&[data_file(NEIGHBOURS_FILE)]).expect("read"), ImportOptions::default())
            .await
            .expect("re-import");
        let file = &report.files[0];
        assert_eq!((file.inserted, file.updated, file.unchanged), (0, 0, 156), "{report}");
        assert_eq!(without_runs(&snapshot(&t.db).await), without_runs(&before));

        // Suffolk's previous set reversed and its population one more: one record updated, field by field.
        let dir = TempDir::new();
        let path = edited_lookup(&dir, |lines| {
            let suffolk = line_of(lines, "80565");
            let row = &lines[suffolk];
            let previous = csv_rows(NEIGHBOURS_FILE)
                .into_iter()
                .find(|r| r["la_code_new"] == "E10000029")
                .map(|r| r["stat_neighbours_previous"].clone())
                .expect("Suffolk");
            let mut reversed: Vec<&str> = previous.split(", ").collect();
            reversed.reverse();
            lines[suffolk] = row.replacen(&previous, &reversed.join(", "), 1).replacen(",208272,", ",208273,", 1);
        });
        let report = import(&t.db, read_paths(&[path]).expect("read"), ImportOptions::default()).await.expect("import");
        let file = &report.files[0];
        assert_eq!((file.inserted, file.updated, file.unchanged), (0, 1, 155), "{report}");
        let fields: Vec<&str> = file.changes[0].fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["previous", "population_0_25"]);
        let mut expected = neighbours_in_lookup("E10000029", true);
        expected.reverse();
        let sets = stored_sets(&t.db).await;
        assert_eq!(sets[&("E10000029".to_owned(), NeighbourSet::Previous)], expected);
        assert_eq!(sets[&("E10000029".to_owned(), NeighbourSet::Current)], neighbours_in_lookup("E10000029", false));
        t
    })
    .await;
}
