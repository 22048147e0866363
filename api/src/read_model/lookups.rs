//! Lookups by the codes a client gives (an area's code, a region, an Ofsted region, an ICB, an area whose
//! statistical neighbours are asked for), checked: a malformed
//! or unknown code is the client's mistake, answered with a message naming the argument and what it may be. Every
//! filter of GraphQL and of the HTTP exports and feed resolves codes here, so each is checked one way. Codes and
//! names are taken in any case, as readers type them (`e10000029`, `north west`).

use send_model::domain::{AreaCode, GssCode, GssKind, NeighbourSet};
use send_model::entity::local_area;

use super::held::ReadModel;
use crate::error::{ApiError, ApiResult};

impl ReadModel {
    /// The area with a GSS code, DfE code or Ofsted URN (`None` when no area has it). A DfE code shared by a
    /// predecessor and its successor resolves to the current area.
    pub fn area_by_code(&self, code: &str) -> ApiResult<Option<local_area::Model>> {
        let code =
            AreaCode::parse(&code.to_ascii_uppercase()).map_err(|e| ApiError::bad_input(format!("`code`: {e}")))?;
        Ok(self.find_area(&code).cloned())
    }

    /// The ONS region with `code`, or with that name (`E12000002` or "North West", any case), checked: the code it
    /// is stored under.
    pub fn region_code(&self, code: &str) -> ApiResult<String> {
        let by_code = GssCode::parse(&code.trim().to_ascii_uppercase(), GssKind::Region)
            .ok()
            .and_then(|gss| self.region(gss.as_str()));
        let by_name = || self.regions.iter().find(|r| r.name.eq_ignore_ascii_case(code.trim()));
        match by_code.or_else(by_name) {
            Some(r) => Ok(r.code.clone()),
            None => {
                let mut names: Vec<&str> = self.regions.iter().map(|r| r.name.as_str()).collect();
                names.sort_unstable();
                Err(ApiError::bad_input(format!(
                    "`region`: no ONS region has the code or name {code:?}: expected a code E12000001 to E12000009 \
                     or one of {names:?}"
                )))
            }
        }
    }

    /// The ONS regions that make up an Ofsted region; an unknown name is bad input naming the valid ones.
    pub fn regions_of_ofsted_region(&self, name: &str) -> ApiResult<Vec<String>> {
        let codes: Vec<String> = self
            .regions
            .iter()
            .filter(|r| r.ofsted_region.eq_ignore_ascii_case(name.trim()))
            .map(|r| r.code.clone())
            .collect();
        if codes.is_empty() {
            let mut names: Vec<&str> = self.regions.iter().map(|r| r.ofsted_region.as_str()).collect();
            names.sort();
            names.dedup();
            return Err(ApiError::bad_input(format!("`ofstedRegion`: expected one of {names:?}, found {name:?}")));
        }
        Ok(codes)
    }

    /// The ONS regions that `region` and `ofstedRegion` allow together (`None` when neither is given: all of
    /// England); an unknown region or Ofsted region is bad input.
    pub fn regions_allowed(&self, region: Option<&str>, ofsted_region: Option<&str>) -> ApiResult<Option<Vec<String>>> {
        let mut codes = region.map(|code| self.region_code(code).map(|c| vec![c])).transpose()?;
        if let Some(name) = ofsted_region {
            let of_name = self.regions_of_ofsted_region(name)?;
            codes = Some(match codes {
                Some(given) => given.into_iter().filter(|c| of_name.contains(c)).collect(),
                None => of_name,
            });
        }
        Ok(codes)
    }

    /// The areas an ICB serves (as named in their reports); an unknown ICB code is bad input.
    pub fn areas_served_by_icb(&self, code: &str) -> ApiResult<Vec<i32>> {
        let code = code.trim().to_ascii_uppercase();
        if self.icb(&code).is_none() {
            return Err(ApiError::bad_input(format!("`icb`: no ICB has the code {code:?}")));
        }
        Ok(self.areas_served_by(&code))
    }

    /// The area whose statistical neighbours `neighboursOf` asks for, by GSS code, DfE code or Ofsted URN in any case,
    /// and the ids of its neighbours in `set`, in rank order. A malformed code, a code no area has, and an area with
    /// no neighbours in that set (a former area, or data without the lookup) are bad input: a profile of nobody's
    /// neighbours would answer a question that was not asked.
    pub fn neighbours_of(&self, code: &str, set: NeighbourSet) -> ApiResult<(&local_area::Model, &[i32])> {
        let parsed = AreaCode::parse(&code.trim().to_ascii_uppercase())
            .map_err(|e| ApiError::bad_input(format!("`neighboursOf`: {e}")))?;
        let area = self
            .find_area(&parsed)
            .ok_or_else(|| ApiError::bad_input(format!("`neighboursOf`: no local area has the code {code:?}")))?;
        match self.neighbours(area.id, set) {
            [] => Err(ApiError::bad_input(format!(
                "`neighboursOf`: {} ({}) has no statistical neighbours in the {set} set{}",
                area.name,
                area.gss_code,
                if area.valid_to.is_some() { " (it is a former area)" } else { "" }
            ))),
            ids => Ok((area, ids)),
        }
    }
}
