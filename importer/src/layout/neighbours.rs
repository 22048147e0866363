//! The rows of Data to Insight's lookup of local authorities (`d2i_provider_data_lookup.csv`): each area's DfE
//! statistical neighbours (the current set by GSS and by DfE code, the previous set by DfE code only, each a quoted
//! comma-separated list) and its population aged 0 to 25. Columns are read by name; the lookup's many others are
//! listed once as ignored. Which areas the codes name is the check's (`crate::catalog`).

use std::collections::HashSet;

use send_model::domain::{AreaCode, DfeCode, GssCode, GssKind, ParseError};

use super::cells::Cells;
use crate::rows::{NeighbourList, NeighboursRow};

/// DfE's sets have ten neighbours; a longer list is not one of them.
pub(crate) const MAX_NEIGHBOURS: usize = 10;

/// The column of the population, as the lookup spells it.
pub(super) const POPULATION: &str = "ons_population_0-25";

fn gss(text: &str) -> Result<AreaCode, ParseError> {
    GssCode::parse(text, GssKind::LocalArea).map(AreaCode::Gss)
}

fn dfe(text: &str) -> Result<AreaCode, ParseError> {
    DfeCode::parse(text).map(AreaCode::Dfe)
}

fn population(text: &str) -> Result<i32, ParseError> {
    text.trim()
        .parse::<i32>()
        .ok()
        .filter(|n| *n >= 0)
        .ok_or_else(|| ParseError::new("a number of residents such as 85041", text))
}

/// A code as the file gives it.
pub(crate) fn code_text(code: &AreaCode) -> &str {
    match code {
        AreaCode::Gss(g) => g.as_str(),
        AreaCode::Dfe(d) => d.as_str(),
        AreaCode::Urn(u) => u.as_str(),
    }
}

/// One set's codes from `column`, each parsed, at most ten and none twice.
fn list(
    c: &mut Cells<'_>,
    column: &'static str,
    parse: fn(&str) -> Result<AreaCode, ParseError>,
) -> Option<NeighbourList> {
    let codes = c.list(column, ',', parse)?;
    if codes.len() > MAX_NEIGHBOURS {
        c.problem(
            column,
            format!(
                "expected at most {MAX_NEIGHBOURS} statistical neighbours (DfE's sets have ten), found {}",
                codes.len()
            ),
        );
        return None;
    }
    let mut seen = HashSet::new();
    if let Some(twice) = codes.iter().find(|code| !seen.insert(code_text(code))) {
        c.problem(column, format!("expected each neighbour once, found {} twice", code_text(twice)));
        return None;
    }
    Some(NeighbourList { column, codes, areas: Vec::new() })
}

pub(super) fn neighbours_row(c: &mut Cells<'_>) -> Option<NeighboursRow> {
    let by_dfe = c.optional("la_code", DfeCode::parse);
    let by_gss = c.optional("la_code_new", |t| GssCode::parse(t, GssKind::LocalArea));
    let current_by_gss = list(c, "stat_neighbours_la_code", gss);
    let current_by_dfe = list(c, "stat_neighbours", dfe);
    let previous = list(c, "stat_neighbours_previous", dfe);
    let population = c.optional(POPULATION, population);
    let population_of = c.optional("ltla23_ons", |t| GssCode::parse(t, GssKind::LocalArea));
    let (by_dfe, by_gss) = (by_dfe?, by_gss?);
    let area = match (&by_gss, &by_dfe) {
        (Some(g), _) => AreaCode::Gss(g.clone()),
        (None, Some(d)) => AreaCode::Dfe(d.clone()),
        (None, None) => {
            c.problem("la_code_new", "expected the area's GSS code, or its DfE code in la_code, found two empty cells");
            return None;
        }
    };
    let (current_by_gss, current_by_dfe) = (current_by_gss?, current_by_dfe?);
    // The GSS codes name areas as they are now; the DfE codes are read when they are all the row gives.
    let (current, current_by_dfe) = if current_by_gss.codes.is_empty() {
        (current_by_dfe, NeighbourList::default())
    } else {
        (current_by_gss, current_by_dfe)
    };
    Some(NeighboursRow {
        line: c.line,
        gss: by_gss,
        dfe: by_dfe.filter(|_| matches!(area, AreaCode::Gss(_))),
        area,
        current,
        current_by_dfe,
        previous: previous?,
        population: population?,
        population_of: population_of?,
    })
}
