//! The check stage within one file: natural keys are unique.

use std::collections::HashMap;

use crate::error::Problem;

use crate::rows::{AreaRef, NeighboursRow, Rows};

/// Natural keys must be unique within a file: a second row with the same key is a problem naming the first.
pub(super) fn check_duplicates(file: &str, rows: &Rows, problems: &mut Vec<Problem>) {
    let keys: Vec<(u64, String, &'static str)> = match rows {
        Rows::Regions(v) => v.iter().map(|r| (r.line, r.code.to_string(), "region_code")).collect(),
        Rows::Icbs(v) => v.iter().map(|r| (r.line, r.code.to_string(), "icb_code")).collect(),
        Rows::LocalAreas(v) => v.iter().map(|r| (r.line, r.gss.to_string(), "la_code_gss")).collect(),
        Rows::Lineage(v) => v
            .iter()
            .map(|r| (r.line, format!("{} -> {}", r.predecessor_gss, r.successor_gss), "successor_gss"))
            .collect(),
        Rows::Aliases(v) => v.iter().map(|r| (r.line, crate::catalog::normalise_name(&r.alias), "alias")).collect(),
        Rows::Inspections(v) => v
            .iter()
            .map(|r| {
                let area = match &r.area {
                    AreaRef::Code(code) => code.to_string(),
                    AreaRef::Name(name) => crate::catalog::normalise_name(name),
                    AreaRef::Codes { dfe, .. } => format!("DfE {}", dfe.as_str()),
                };
                let key = format!("{area} {} {} {}", r.framework, r.inspection_type.code(), r.start);
                (r.line, key, "inspection_start")
            })
            .collect(),
        Rows::ReportLinks(v) => {
            v.iter().map(|r| (r.line, format!("{} {}", r.dfe.as_str(), r.published), "published")).collect()
        }
        Rows::ThematicVisits(v) => v
            .iter()
            .map(|r| {
                let who = r.gss.as_ref().map_or_else(|| r.label.clone().unwrap_or_default(), ToString::to_string);
                (r.line, format!("{} {} {who}", r.year, r.theme), "la_code_gss")
            })
            .collect(),
        Rows::StatisticalNeighbours(v) => {
            let column = |r: &NeighboursRow| if r.gss.is_some() { "la_code_new" } else { "la_code" };
            v.iter().map(|r| (r.line, super::neighbours::code_text(&r.area).to_owned(), column(r))).collect()
        }
    };
    let mut seen: HashMap<String, u64> = HashMap::new();
    for (line, key, column) in keys {
        if let Some(first) = seen.get(&key) {
            problems.push(Problem {
                file: file.to_owned(),
                line,
                column: column.to_owned(),
                message: format!("expected a unique record, found a duplicate of line {first} (key {key})"),
            });
        } else {
            seen.insert(key, line);
        }
    }
}
