//! Lookups by the codes a client gives (an area's code, a region, an Ofsted region, an ICB), checked: a malformed
//! or unknown code is the client's mistake, answered with a message naming the argument and what it may be. Every
//! filter of GraphQL and of the HTTP exports and feed resolves codes here, so each is checked one way.

use send_model::domain::{AreaCode, GssCode, GssKind};
use send_model::entity::local_area;

use super::held::ReadModel;
use crate::error::{ApiError, ApiResult};

impl ReadModel {
    /// The area with a GSS code, DfE code or Ofsted URN (`None` when no area has it). A DfE code shared by a
    /// predecessor and its successor resolves to the current area.
    pub fn area_by_code(&self, code: &str) -> ApiResult<Option<local_area::Model>> {
        let code = AreaCode::parse(code).map_err(|e| ApiError::bad_input(format!("`code`: {e}")))?;
        Ok(self.find_area(&code).cloned())
    }

    /// The ONS region with `code`, checked: the code it is stored under.
    pub fn region_code(&self, code: &str) -> ApiResult<String> {
        let unknown =
            || ApiError::bad_input(format!("`region`: no ONS region has the code {code:?} (E12000001 to E12000009)"));
        let gss = GssCode::parse(code, GssKind::Region).map_err(|_| unknown())?;
        self.region(gss.as_str()).map(|r| r.code.clone()).ok_or_else(unknown)
    }

    /// The ONS regions that make up an Ofsted region; an unknown name is bad input naming the valid ones.
    pub fn regions_of_ofsted_region(&self, name: &str) -> ApiResult<Vec<String>> {
        let codes: Vec<String> =
            self.regions.iter().filter(|r| r.ofsted_region == name).map(|r| r.code.clone()).collect();
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
        if self.icb(code).is_none() {
            return Err(ApiError::bad_input(format!("`icb`: no ICB has the code {code:?}")));
        }
        Ok(self.areas_served_by(code))
    }
}
