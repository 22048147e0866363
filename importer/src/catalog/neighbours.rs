//! The statistical neighbours' references: each area and neighbour code resolved through the catalog.

use std::collections::HashMap;

use send_model::domain::{AreaCode, GssCode, GssKind};

use super::Catalog;
use crate::rows::{NeighbourList, NeighboursRow};

impl Catalog {
    /// The area a code names: a known area's GSS code, the current area of a DfE code (a code shared by a former
    /// area and its successor names the successor), or an Ofsted URN's area.
    fn area_of(&self, code: &AreaCode) -> Option<String> {
        match code {
            AreaCode::Gss(g) => self.areas.contains_key(g.as_str()).then(|| g.to_string()),
            AreaCode::Dfe(d) => self.current_area_by_dfe(d.as_str()).map(str::to_owned),
            AreaCode::Urn(u) => self.urns.get(u.as_str()).cloned(),
        }
    }

    /// "E10000006 (Cumbria)".
    fn described(&self, gss: &str) -> String {
        self.areas.get(gss).map_or_else(|| gss.to_owned(), |a| format!("{gss} ({})", a.name))
    }

    /// What a code that names no area was expected to be.
    fn unknown_code(code: &AreaCode) -> String {
        match code {
            AreaCode::Gss(g) => format!(
                "expected the code of a known local area (local_areas.csv, or a predecessor in area_lineage.csv), found {g}"
            ),
            AreaCode::Dfe(d) => format!("expected the DfE code of a known local area, found {}", d.as_str()),
            AreaCode::Urn(u) => format!("expected the Ofsted URN of a known local area, found {}", u.as_str()),
        }
    }

    /// Resolves the areas of one set of a row's neighbours (each a problem when it names none, or the row's own
    /// area; in the current set, also when it names a former area).
    fn resolve_set(
        &self,
        area: &str,
        set: &mut NeighbourList,
        current: bool,
        problem: &mut impl FnMut(&'static str, String),
    ) {
        set.areas.clear();
        for code in &set.codes {
            let Some(gss) = self.area_of(code) else {
                problem(set.column, Self::unknown_code(code));
                continue;
            };
            if gss == area {
                problem(set.column, format!("expected other areas than the row's own, found {}", self.described(&gss)));
            } else if current && self.predecessors.contains(&gss) {
                let successors = self.successors.get(&gss).map(|s| s.join(", ")).unwrap_or_default();
                problem(
                    set.column,
                    format!(
                        "expected the code of a current local area (the current set names areas as they are now), \
                         found {}, a former area (replaced by {successors})",
                        self.described(&gss)
                    ),
                );
            }
            // Every area's key is a GSS code (parsed from a file, or stored from one).
            set.areas.extend(GssCode::parse(&gss, GssKind::LocalArea).ok());
        }
    }

    /// Checks the rows of Data to Insight's lookup, resolving each row's area and neighbours; returns the problems
    /// as (line, column, message). A population that is ONS's figure for another area (a former area split between
    /// several successors, each given the whole figure) is left out, with a warning.
    pub(super) fn check_neighbours(
        &self,
        file: &str,
        rows: &mut [NeighboursRow],
        warnings: &mut Vec<String>,
    ) -> Vec<(u64, &'static str, String)> {
        let mut problems = Vec::new();
        let mut seen: HashMap<String, (u64, AreaCode)> = HashMap::new();
        for r in rows.iter_mut() {
            let line = r.line;
            let mut problem = |column: &'static str, message: String| problems.push((line, column, message));
            let area_column = if matches!(r.area, AreaCode::Gss(_)) { "la_code_new" } else { "la_code" };
            let Some(area) = self.area_of(&r.area) else {
                problem(area_column, Self::unknown_code(&r.area));
                continue;
            };
            let known_dfe = self.areas.get(&area).and_then(|a| a.dfe.clone());
            if let (Some(given), Some(known)) = (&r.dfe, &known_dfe)
                && given.as_str() != known
            {
                problem(
                    "la_code",
                    format!("expected {known} (the DfE code of {}), found {}", self.described(&area), given.as_str()),
                );
            }
            match seen.get(&area) {
                // The same code twice is the duplicate check's; two codes of one area are this one's.
                Some((first, code)) if *code != r.area => problem(
                    area_column,
                    format!(
                        "expected one row per area, found a second row for {} (line {first})",
                        self.described(&area)
                    ),
                ),
                Some(_) => {}
                None => {
                    seen.insert(area.clone(), (line, r.area.clone()));
                }
            }
            self.resolve_set(&area, &mut r.current, true, &mut problem);
            self.resolve_set(&area, &mut r.previous, false, &mut problem);
            if !r.current_by_dfe.codes.is_empty() {
                let mut unknown = false;
                let mut by_dfe = Vec::new();
                for code in &r.current_by_dfe.codes {
                    match self.area_of(code) {
                        Some(gss) => by_dfe.push(gss),
                        None => {
                            unknown = true;
                            problem(r.current_by_dfe.column, Self::unknown_code(code));
                        }
                    }
                }
                let by_gss: Vec<String> = r.current.areas.iter().map(ToString::to_string).collect();
                // Compared only when both lists name areas throughout: an unknown code is already a problem.
                let resolved = !unknown && by_gss.len() == r.current.codes.len();
                if resolved && by_dfe != by_gss {
                    problem(
                        r.current_by_dfe.column,
                        format!(
                            "expected the DfE codes of the areas {} gives, in its order ({}), found codes of {}",
                            r.current.column,
                            by_gss.join(", "),
                            by_dfe.join(", ")
                        ),
                    );
                }
            }
            if let (Some(n), Some(of)) = (r.population, &r.population_of)
                && of.as_str() != area
                && self.successors.get(of.as_str()).is_none_or(|s| s.as_slice() != [area.clone()])
            {
                let replaced = match self.successors.get(of.as_str()) {
                    Some(s) => format!(", which {} replaced", s.join(" and ")),
                    None => String::new(),
                };
                warnings.push(format!(
                    "{}:{line}: ons_population_0-25: {n} is ONS's figure for {}{replaced}, not for {} alone (ltla23_ons); \
                     the population is left out",
                    crate::names::shown(file),
                    self.described(of.as_str()),
                    self.described(&area)
                ));
                r.population = None;
            }
            r.gss = GssCode::parse(&area, GssKind::LocalArea).ok();
        }
        problems
    }
}
