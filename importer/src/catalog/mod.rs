//! What the database already holds, plus what earlier files of the same import add: the references a row may make.
//! Every cross-file check (unknown area, unknown region, a DfE code that disagrees) happens here, before anything
//! is written.

mod names;
mod neighbours;

pub use names::{name_stem, normalise_name};
use send_model::similarity::edit_distance;

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use sea_orm::{ConnectionTrait, DbErr, EntityTrait};
use send_model::domain::{Framework, GssCode, GssKind, InspectionType};
use send_model::entity::{area_alias, area_lineage, icb, inspection, local_area, region};

use crate::error::Problem;
use crate::rows::{AreaRef, Layout, ParsedFile, RegionRef, Rows};

#[derive(Debug, Clone)]
struct AreaInfo {
    dfe: Option<String>,
    region_code: String,
    name: String,
}

/// The references known so far.
#[derive(Debug, Default)]
pub struct Catalog {
    region_by_name: HashMap<String, String>,
    region_name: HashMap<String, (String, String)>,
    icbs: HashSet<String>,
    areas: HashMap<String, AreaInfo>,
    predecessors: HashSet<String>,
    /// The areas that replaced each former area, by GSS code.
    successors: HashMap<String, Vec<String>>,
    aliases: HashMap<String, String>,
    /// Ofsted URNs of areas (`local_area.ofsted_urn`), to their GSS codes.
    urns: HashMap<String, String>,
    full_2023_published: HashSet<(String, NaiveDate)>,
}

impl Catalog {
    /// Reads the references the database holds.
    pub async fn load(db: &impl ConnectionTrait) -> Result<Self, DbErr> {
        let mut c = Catalog::default();
        for r in region::Entity::find().all(db).await? {
            c.region_by_name.insert(r.name.clone(), r.code.clone());
            c.region_name.insert(r.code, (r.name, r.ofsted_region));
        }
        c.icbs = icb::Entity::find().all(db).await?.into_iter().map(|i| i.code).collect();
        let areas = local_area::Entity::find().all(db).await?;
        let gss_by_id: HashMap<i32, String> = areas.iter().map(|a| (a.id, a.gss_code.clone())).collect();
        for a in areas {
            if let Some(urn) = &a.ofsted_urn {
                c.urns.insert(urn.clone(), a.gss_code.clone());
            }
            c.areas.insert(a.gss_code, AreaInfo { dfe: a.dfe_code, region_code: a.region_code, name: a.name });
        }
        for l in area_lineage::Entity::find().all(db).await? {
            if let Some(gss) = gss_by_id.get(&l.predecessor_id) {
                c.predecessors.insert(gss.clone());
                if let Some(successor) = gss_by_id.get(&l.successor_id) {
                    c.add_successor(gss, successor);
                }
            }
        }
        for a in area_alias::Entity::find().all(db).await? {
            if let Some(gss) = gss_by_id.get(&a.area_id) {
                c.aliases.insert(a.normalised, gss.clone());
            }
        }
        for i in inspection::Entity::find().all(db).await? {
            if let (Framework::F2023, InspectionType::Full, Some(p), Some(gss)) =
                (i.framework, i.inspection_type, i.published, gss_by_id.get(&i.area_id))
            {
                c.full_2023_published.insert((gss.clone(), p));
            }
        }
        Ok(c)
    }

    /// The current area with this DfE code (a successor may share its predecessor's code).
    pub fn current_area_by_dfe(&self, dfe: &str) -> Option<&str> {
        let mut candidates: Vec<&String> =
            self.areas.iter().filter(|(_, a)| a.dfe.as_deref() == Some(dfe)).map(|(gss, _)| gss).collect();
        candidates.sort();
        candidates
            .iter()
            .find(|gss| !self.predecessors.contains(gss.as_str()))
            .or(candidates.first())
            .map(|s| s.as_str())
    }

    /// Checks the references of every file, in load order, adding what each file defines for those after it, and
    /// resolves the areas that rows give by name.
    pub fn check(&mut self, files: &mut [ParsedFile]) -> Vec<Problem> {
        let mut problems = Vec::new();
        for file in files.iter_mut() {
            let name = file.source.name.clone();
            let name = name.as_str();
            let mut problem = |line: u64, column: &str, message: String| {
                problems.push(Problem { file: name.to_owned(), line, column: column.to_owned(), message });
            };
            match &mut file.rows {
                Rows::Regions(rows) => {
                    for r in rows {
                        self.region_by_name.insert(r.name.clone(), r.code.to_string());
                        self.region_name.insert(r.code.to_string(), (r.name.clone(), r.ofsted_region.clone()));
                    }
                }
                Rows::Icbs(rows) => self.icbs.extend(rows.iter().map(|r| r.code.to_string())),
                Rows::LocalAreas(rows) => {
                    for r in rows {
                        let region = self.region_by_name.get(&r.region).cloned();
                        if region.is_none() {
                            problem(
                                r.line,
                                "region",
                                format!("expected an ONS region name ({}), found {:?}", self.region_names(), r.region),
                            );
                        }
                        for code in &r.icbs {
                            if !self.icbs.contains(code.as_str()) {
                                problem(
                                    r.line,
                                    "icb_codes",
                                    format!("expected the code of a known ICB (icbs.csv), found {code}"),
                                );
                            }
                        }
                        if let Some(region_code) = region {
                            self.areas.insert(
                                r.gss.to_string(),
                                AreaInfo { dfe: Some(r.dfe.as_str().to_owned()), region_code, name: r.name.clone() },
                            );
                        }
                    }
                }
                Rows::Lineage(rows) => {
                    for r in rows {
                        let Some(successor) = self.areas.get(r.successor_gss.as_str()).cloned() else {
                            problem(
                                r.line,
                                "successor_gss",
                                format!(
                                    "expected the code of a known local area (local_areas.csv), found {}",
                                    r.successor_gss
                                ),
                            );
                            continue;
                        };
                        if successor.dfe.as_deref().is_some_and(|d| d != r.successor_dfe.as_str()) {
                            problem(
                                r.line,
                                "successor_dfe",
                                format!(
                                    "expected {} (the DfE code of {}), found {}",
                                    successor.dfe.as_deref().unwrap_or(""),
                                    r.successor_gss,
                                    r.successor_dfe.as_str()
                                ),
                            );
                        }
                        self.predecessors.insert(r.predecessor_gss.to_string());
                        self.add_successor(r.predecessor_gss.as_str(), r.successor_gss.as_str());
                        self.areas.entry(r.predecessor_gss.to_string()).or_insert(AreaInfo {
                            dfe: Some(r.predecessor_dfe.as_str().to_owned()),
                            region_code: successor.region_code.clone(),
                            name: r.predecessor_name.clone(),
                        });
                    }
                }
                Rows::Aliases(rows) => {
                    for r in rows {
                        if !self.areas.contains_key(r.gss.as_str()) {
                            problem(
                                r.line,
                                "la_code_gss",
                                format!("expected the code of a known local area, found {}", r.gss),
                            );
                            continue;
                        }
                        let key = normalise_name(&r.alias);
                        match self.aliases.get(&key) {
                            Some(other) if other != r.gss.as_str() => problem(
                                r.line,
                                "alias",
                                format!(
                                    "expected a name not already used for another area, found {:?} (already an alias of {other})",
                                    r.alias
                                ),
                            ),
                            _ => {
                                self.aliases.insert(key, r.gss.to_string());
                            }
                        }
                    }
                }
                Rows::Inspections(rows) => {
                    for r in rows.iter_mut() {
                        let (column, gss) = match &r.area {
                            AreaRef::Code(code) => ("la_code_gss", Some(code.to_string())),
                            AreaRef::Name(name) => ("local area partnership", self.area_by_name(name)),
                            // A scrape's row that names no area is reported with the row and left out, not fatal:
                            // the week's other rows still arrive.
                            AreaRef::Codes { gss, dfe, urn, name: area } => {
                                match self.area_by_codes(gss.as_ref(), dfe.as_str(), urn.as_str(), area) {
                                    Ok(found) => ("URN", Some(found)),
                                    Err(message) => {
                                        file.warnings.push(format!(
                                            "{}:{}: URN: {message}; the row is left out",
                                            crate::names::shown(name),
                                            r.line
                                        ));
                                        continue;
                                    }
                                }
                            }
                        };
                        let Some(gss) = gss else {
                            if let AreaRef::Name(name) = &r.area {
                                problem(r.line, column, self.unknown_name_message(name));
                            }
                            continue;
                        };
                        let Some(area) = self.areas.get(&gss) else {
                            let column =
                                if file.layout == Layout::Official2016 { "local authority code" } else { column };
                            problem(
                                r.line,
                                column,
                                format!(
                                    "expected the code of a known local area (local_areas.csv, or a predecessor in area_lineage.csv), found {gss}"
                                ),
                            );
                            continue;
                        };
                        if let (Some(given), Some(known)) = (&r.dfe, &area.dfe)
                            && given.as_str() != known
                        {
                            problem(
                                r.line,
                                "la_code_dfe",
                                format!(
                                    "expected {known} (the DfE code of {gss} {}), found {}",
                                    area.name,
                                    given.as_str()
                                ),
                            );
                        }
                        let (ons, ofsted) = self.region_name.get(&area.region_code).cloned().unwrap_or_default();
                        match &r.region {
                            RegionRef::Ons(name) if *name != ons => problem(
                                r.line,
                                "region",
                                format!("expected {ons:?} (the region of {gss} {}), found {name:?}", area.name),
                            ),
                            RegionRef::Ofsted(name) if normalise_name(name) != normalise_name(&ofsted) => problem(
                                r.line,
                                "ofsted region",
                                format!(
                                    "expected {ofsted:?} (the Ofsted region of {gss} {}), found {name:?}",
                                    area.name
                                ),
                            ),
                            _ => {}
                        }
                        if let (Framework::F2023, InspectionType::Full, Some(Some(p))) =
                            (r.framework, r.inspection_type, r.facts.published)
                        {
                            self.full_2023_published.insert((gss.clone(), p.date));
                        }
                        r.gss = GssCode::parse(&gss, GssKind::LocalArea).ok();
                    }
                }
                Rows::ReportLinks(rows) => {
                    for r in rows {
                        let Some(gss) = self.current_area_by_dfe(r.dfe.as_str()).map(str::to_owned) else {
                            problem(
                                r.line,
                                "la_code_dfe",
                                format!("expected the DfE code of a known local area, found {}", r.dfe.as_str()),
                            );
                            continue;
                        };
                        if !self.full_2023_published.contains(&(gss.clone(), r.published.date)) {
                            problem(
                                r.line,
                                "published",
                                format!(
                                    "expected the publication date of a 2023-framework full inspection of {gss} ({}), found {} which matches none",
                                    r.area_name, r.published
                                ),
                            );
                        }
                    }
                }
                Rows::StatisticalNeighbours(rows) => {
                    for (line, column, message) in self.check_neighbours(name, rows, &mut file.warnings) {
                        problem(line, column, message);
                    }
                }
                Rows::ThematicVisits(rows) => {
                    for r in rows {
                        if let Some(gss) = &r.gss
                            && !self.areas.contains_key(gss.as_str())
                        {
                            problem(
                                r.line,
                                "la_code_gss",
                                format!("expected the code of a known local area, found {gss}"),
                            );
                        }
                    }
                }
            }
        }
        problems
    }

    fn add_successor(&mut self, predecessor: &str, successor: &str) {
        let successors = self.successors.entry(predecessor.to_owned()).or_default();
        if !successors.iter().any(|s| s == successor) {
            successors.push(successor.to_owned());
        }
    }

    /// The current area a name stands for: its own name or a known alias, compared normalised.
    pub fn area_by_name(&self, name: &str) -> Option<String> {
        let key = normalise_name(name);
        if let Some(gss) = self.aliases.get(&key) {
            return Some(gss.clone());
        }
        let current = || self.areas.iter().filter(|(gss, _)| !self.predecessors.contains(gss.as_str()));
        let mut matches: Vec<&String> =
            current().filter(|(_, a)| normalise_name(&a.name) == key).map(|(gss, _)| gss).collect();
        matches.sort();
        if let Some(gss) = matches.first() {
            return Some((*gss).clone());
        }
        // The same name with or without its designators ("Bedford Borough" for "Bedford"), when exactly one current
        // area (by its name or an alias) has that stem: a stem two areas share names neither.
        let stem = name_stem(name);
        if stem.is_empty() {
            return None;
        }
        let mut by_stem: Vec<&String> = current()
            .filter(|(_, a)| name_stem(&a.name) == stem)
            .map(|(gss, _)| gss)
            .chain(self.aliases.iter().filter(|(alias, _)| name_stem(alias) == stem).map(|(_, gss)| gss))
            .collect();
        by_stem.sort();
        by_stem.dedup();
        match by_stem.as_slice() {
            [one] => Some((*one).clone()),
            _ => None,
        }
    }

    /// The area a row of the Data to Insight summary stands for, from the codes it gives: its GSS code when that is
    /// an area's, else its DfE code's current area, else its Ofsted URN's area, else its name. Codes that point at
    /// two different areas are an error, as is a row none of them resolves.
    fn area_by_codes(&self, gss: Option<&GssCode>, dfe: &str, urn: &str, name: &str) -> Result<String, String> {
        let by_dfe = self.current_area_by_dfe(dfe).map(str::to_owned);
        // A former area's GSS code with its successor's DfE code (the summary keeps Cumbria's code for Cumberland):
        // the DfE code names the area as it is now.
        let by_gss = gss
            .map(ToString::to_string)
            .filter(|g| self.areas.contains_key(g))
            .filter(|g| !(self.predecessors.contains(g) && by_dfe.is_some()));
        let by_urn = self.urns.get(urn).cloned();
        if let (Some(g), Some(d)) = (&by_gss, &by_dfe)
            && g != d
            && self.areas.get(g).and_then(|a| a.dfe.as_deref()) != Some(dfe)
        {
            return Err(format!("expected codes of one area, found LTLA23CD {g} and La Code {dfe} (the code of {d})"));
        }
        by_gss.or(by_dfe).or(by_urn).or_else(|| self.area_by_name(name)).ok_or_else(|| {
            format!(
                "expected a known local area, found none with LTLA23CD {}, La Code {dfe}, URN {urn} or name {name:?}",
                gss.map_or_else(|| "(none)".to_owned(), ToString::to_string)
            )
        })
    }

    /// An error for a name that is no area's, naming the closest names.
    fn unknown_name_message(&self, name: &str) -> String {
        let key = normalise_name(name);
        let mut candidates: Vec<(usize, String)> = self
            .areas
            .iter()
            .filter(|(gss, _)| !self.predecessors.contains(gss.as_str()))
            .map(|(_, a)| a.name.clone())
            .chain(self.aliases.keys().cloned())
            .map(|n| (edit_distance(&key, &normalise_name(&n)), n))
            .collect();
        candidates.sort();
        candidates.dedup_by(|a, b| a.1 == b.1);
        let close: Vec<String> = candidates.iter().take(3).map(|(_, n)| format!("{n:?}")).collect();
        format!(
            "expected the name of a local area (or a known alias in area_aliases.csv), found {name:?}; closest names: {}",
            close.join(", ")
        )
    }

    fn region_names(&self) -> String {
        let mut names: Vec<&str> = self.region_by_name.keys().map(String::as_str).collect();
        names.sort();
        if names.is_empty() { "none loaded yet: import regions.csv first".to_owned() } else { names.join(", ") }
    }
}

#[cfg(test)]
mod tests {
    use super::{AreaInfo, Catalog, normalise_name};

    #[test]
    fn names_fold_case_and_punctuation() {
        assert_eq!(normalise_name("St. Helens"), normalise_name("St Helens"));
        assert_eq!(normalise_name("Bristol, City of"), "bristol city of");
        assert_ne!(normalise_name("Bristol"), normalise_name("Bristol, City of"));
    }

    fn catalog(areas: &[(&str, &str)]) -> Catalog {
        let mut c = Catalog::default();
        for (gss, name) in areas {
            let info = AreaInfo { dfe: None, region_code: String::new(), name: (*name).to_owned() };
            c.areas.insert((*gss).to_owned(), info);
        }
        c
    }

    #[test]
    fn names_resolve_with_or_without_their_designators() {
        let c = catalog(&[
            ("E06000055", "Bedford"),
            ("E06000023", "Bristol, City of"),
            ("E06000047", "County Durham"),
            ("E06000019", "Herefordshire, County of"),
            ("E09000011", "Greenwich"),
            ("E09000003", "Barnet"),
            ("E09000001", "City of London"),
            ("E06000010", "Kingston upon Hull, City of"),
            ("E09000021", "Kingston upon Thames"),
        ]);
        for (name, gss) in [
            ("Bedford Borough", "E06000055"),
            ("Bedford Borough Council", "E06000055"),
            ("Bristol", "E06000023"),
            ("City of Bristol", "E06000023"),
            ("Durham", "E06000047"),
            ("Durham County Council", "E06000047"),
            ("Herefordshire Council", "E06000019"),
            ("Royal Borough of Greenwich", "E09000011"),
            ("London Borough of Barnet", "E09000003"),
            ("City of London", "E09000001"),
            ("Kingston upon Hull", "E06000010"),
            ("Royal Borough of Kingston upon Thames", "E09000021"),
        ] {
            assert_eq!(c.area_by_name(name).as_deref(), Some(gss), "{name}");
        }
        assert_eq!(c.area_by_name("Borough Council"), None, "designators alone name nothing");
        assert_eq!(c.area_by_name("Kingston"), None, "a different name is not a variant");
    }

    #[test]
    fn a_stem_two_areas_share_names_neither() {
        let c = catalog(&[("E1", "Newtown"), ("E2", "Newtown City")]);
        assert_eq!(c.area_by_name("Newtown").as_deref(), Some("E1"), "an exact name still resolves");
        assert_eq!(c.area_by_name("Newtown Borough"), None);
    }
}
