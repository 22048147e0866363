//! Outcome profiles ([`ProfileCriteria`] -> [`Profile`]): counts and shares of each outcome, with 95% Wilson
//! intervals and a small-number flag, for England or grouped by year, ONS region, Ofsted region or ICB, of every area
//! or of one area's statistical neighbours. Read by the `outcomeProfile(s)` fields, an area's comparison and the CSV
//! export alike.

use std::collections::{BTreeMap, HashSet};

use chrono::NaiveDate;
use sea_orm::sea_query::JoinType;
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QuerySelect, RelationTrait};
use send_model::entity::{inspection, local_area};
use send_model::{domain, tally};

use super::held::ReadModel;
use super::scope::Scope;
use crate::error::{ApiError, ApiResult};

/// Below this many inspections a share is too uncertain to compare; profiles say so with `small_number`.
pub const SMALL_NUMBER: i32 = 10;

/// What to profile (the GraphQL `OutcomeProfileFilter`, and the export's parameters, in domain terms).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileCriteria {
    /// The framework.
    pub framework: domain::Framework,
    /// The inspection type.
    pub inspection_type: domain::InspectionType,
    /// Started in this year (an in-year profile); all years when none.
    pub year: Option<i32>,
    /// Started on or before this day.
    pub as_at: Option<NaiveDate>,
    /// Of areas in this ONS region (code or name).
    pub region: Option<String>,
    /// Of areas in this Ofsted region (name).
    pub ofsted_region: Option<String>,
    /// Of areas served by this ICB (code).
    pub icb: Option<String>,
    /// Of the statistical neighbours of the area with this code (GSS, DfE or URN), in `neighbours_set`.
    pub neighbours_of: Option<String>,
    /// The set of statistical neighbours `neighbours_of` means.
    pub neighbours_set: domain::NeighbourSet,
}

impl ProfileCriteria {
    /// England's profile of every inspection of `framework`'s `inspection_type`.
    pub fn of(framework: domain::Framework, inspection_type: domain::InspectionType) -> Self {
        Self {
            framework,
            inspection_type,
            year: None,
            as_at: None,
            region: None,
            ofsted_region: None,
            icb: None,
            neighbours_of: None,
            neighbours_set: domain::NeighbourSet::Current,
        }
    }
}

/// What profiles can be grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grouping {
    /// The year inspections started, each year with inspections.
    Year,
    /// Every ONS region.
    Region,
    /// Every Ofsted region.
    OfstedRegion,
    /// Every ICB; an area counts under each ICB its report names.
    Icb,
}

/// A 95% confidence interval for a share, 0 to 1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    /// Lower bound.
    pub lower: f64,
    /// Upper bound.
    pub upper: f64,
}

/// The 95% Wilson score interval for `k` successes out of `n`; none when `n` is 0. Unlike the normal approximation it
/// stays within 0..1 and behaves for the small numbers of one region or year.
pub fn wilson(k: i32, n: i32) -> Option<Interval> {
    if n <= 0 {
        return None;
    }
    let (k, n, z) = (f64::from(k), f64::from(n), 1.959_963_984_540_054_f64);
    let p = k / n;
    let z2 = z * z;
    let denominator = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denominator;
    let half = z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / denominator;
    // At the ends the bounds are exact (0 of n, n of n): rounding would leave the interval a hair off its share.
    let lower = if k == 0.0 { 0.0 } else { (centre - half).max(0.0) };
    let upper = if k == n { 1.0 } else { (centre + half).min(1.0) };
    Some(Interval { lower, upper })
}

/// How many inspections had one outcome.
#[derive(Debug, Clone)]
pub struct OutcomeCount {
    /// The outcome.
    pub outcome: domain::Outcome,
    /// Inspections with it.
    pub count: i32,
    /// `count / total`; none when `total` is 0.
    pub share: Option<f64>,
    /// The 95% Wilson interval of `share`; none when `total` is 0.
    pub interval: Option<Interval>,
}

/// How many inspections had each outcome.
#[derive(Debug, Clone)]
pub struct Profile {
    /// What was profiled, as the data names it (region and Ofsted region by code and name, the area by GSS code).
    pub criteria: ProfileCriteria,
    /// Inspections with a published outcome: the denominator of every share.
    pub total: i32,
    /// Inspections whose outcome is not published.
    pub unknown: i32,
    /// Inspections an in-year profile left out because their start is not known (see `may_be_in_year`).
    pub start_unknown: i32,
    /// `total` is under [`SMALL_NUMBER`].
    pub small_number: bool,
    /// Every outcome of the framework and type, best first, zero counts included.
    pub outcomes: Vec<OutcomeCount>,
}

/// One group's profile.
#[derive(Debug, Clone)]
pub struct ProfileGroup {
    /// The group's code: the year, the ONS region or ICB code, or the Ofsted region's name.
    pub key: String,
    /// The group's name.
    pub label: String,
    /// The profile of the inspections in the group.
    pub profile: Profile,
}

/// Inspections as profiles see them: one inspection (`n` = 1, with its area) or a tally of `n` alike (no area).
struct Row {
    outcome: Option<domain::Outcome>,
    /// The start year; the publication year when the start is not known (`start_known` false).
    year: i32,
    start_known: bool,
    region_code: String,
    area_id: Option<i32>,
    n: i64,
}

fn check_type(criteria: &ProfileCriteria) -> ApiResult<()> {
    if criteria.inspection_type.only_framework().is_some_and(|f| f != criteria.framework) {
        return Err(ApiError::bad_input(format!(
            "the {} framework has no {} inspections",
            criteria.framework,
            criteria.inspection_type.code()
        )));
    }
    Ok(())
}

/// The inspections `criteria` selects, with what grouping needs. Without an ICB, `neighbours_of` or `as_at` (which
/// need each inspection's area and date) they come from the tally kept at import time, in the read model: no
/// statement, however many inspections there are.
async fn rows(
    scope: &Scope,
    criteria: &ProfileCriteria,
    model: &ReadModel,
    group_by: Option<Grouping>,
) -> ApiResult<Vec<Row>> {
    check_type(criteria)?;
    let (framework, inspection_type) = (criteria.framework, criteria.inspection_type);
    let regions = model.regions_allowed(criteria.region.as_deref(), criteria.ofsted_region.as_deref())?;
    let per_area = group_by == Some(Grouping::Icb);
    let per_region = matches!(group_by, Some(Grouping::Region | Grouping::OfstedRegion));
    if !per_area && criteria.icb.is_none() && criteria.neighbours_of.is_none() && criteria.as_at.is_none() {
        let regions = match regions {
            Some(codes) => tally::Regions::These(codes),
            None if per_region => tally::Regions::EachRegion,
            None => tally::Regions::England,
        };
        return Ok(model
            .inspection_tally
            .iter()
            .filter(|t| t.framework == framework && t.inspection_type == inspection_type)
            .filter(|t| criteria.year.is_none_or(|year| may_be_in_year(t.start_year, t.start_known, year)))
            .filter(|t| regions.admits(&t.region_code))
            .map(|t| Row {
                outcome: t.outcome,
                year: t.start_year,
                start_known: t.start_known,
                region_code: t.region_code.clone(),
                area_id: None,
                n: t.inspections,
            })
            .collect());
    }
    let mut select = inspection::Entity::find()
        .join(JoinType::InnerJoin, inspection::Relation::Area.def())
        .filter(inspection::Column::Framework.eq(framework))
        .filter(inspection::Column::InspectionType.eq(inspection_type));
    if let Some(year) = criteria.year {
        // The SQL of `may_be_in_year`.
        select = select.filter(
            Condition::any()
                .add(
                    Condition::all()
                        .add(inspection::Column::StartKnown.eq(true))
                        .add(inspection::Column::StartYear.eq(year)),
                )
                .add(
                    Condition::all()
                        .add(inspection::Column::StartKnown.eq(false))
                        .add(inspection::Column::StartYear.between(year, year.saturating_add(1))),
                ),
        );
    }
    if let Some(date) = criteria.as_at {
        select = select.filter(inspection::Column::StartDate.lte(date));
    }
    if let Some(codes) = regions {
        select = select.filter(local_area::Column::RegionCode.is_in(codes));
    }
    if let Some(code) = &criteria.icb {
        select = select.filter(inspection::Column::AreaId.is_in(model.areas_served_by_icb(code)?));
    }
    if let Some(code) = &criteria.neighbours_of {
        let (_, neighbours) = model.neighbours_of(code, criteria.neighbours_set)?;
        select = select.filter(inspection::Column::AreaId.is_in(neighbours.iter().copied()));
    }
    let found: Vec<(Option<domain::Outcome>, i32, bool, String, i32)> = select
        .select_only()
        .column(inspection::Column::Outcome)
        .column(inspection::Column::StartYear)
        .column(inspection::Column::StartKnown)
        .column(local_area::Column::RegionCode)
        .column(inspection::Column::AreaId)
        .into_tuple()
        .all(scope.db().await?)
        .await?;
    Ok(found
        .into_iter()
        .map(|(outcome, year, start_known, region_code, area_id)| Row {
            outcome,
            year,
            start_known,
            region_code,
            area_id: Some(area_id),
            n: 1,
        })
        .collect())
}

/// Whether an inspection may belong to `year`'s in-year profile: it started in `year`, or its start is not known
/// and it was published in `year` or the next year (`placed_year`, its publication year, then), so that it may have
/// started in `year` (reports follow inspections by weeks). The profile counts the first and says how many of the
/// second it left out.
fn may_be_in_year(placed_year: i32, start_known: bool, year: i32) -> bool {
    if start_known { placed_year == year } else { placed_year == year || placed_year == year.saturating_add(1) }
}

/// The profile of `rows`. An in-year profile counts the rows whose start is known and says how many others it could
/// not place; a profile of all years counts every row, those whose start is not known from their publication.
fn profile_of(criteria: ProfileCriteria, rows: &[&Row]) -> Profile {
    let in_year = criteria.year.is_some();
    let placed = |r: &&&Row| !in_year || r.start_known;
    let sum = |n: i64| i32::try_from(n).unwrap_or(i32::MAX);
    let count_of =
        |o: Option<domain::Outcome>| sum(rows.iter().filter(placed).filter(|r| r.outcome == o).map(|r| r.n).sum());
    let start_unknown = sum(rows.iter().filter(|r| !placed(r)).map(|r| r.n).sum());
    let outcomes = domain::Outcome::of(criteria.framework, criteria.inspection_type);
    let total: i32 = outcomes.iter().map(|o| count_of(Some(*o))).sum();
    Profile {
        total,
        unknown: count_of(None),
        start_unknown,
        small_number: total < SMALL_NUMBER,
        outcomes: outcomes
            .iter()
            .map(|&outcome| {
                let count = count_of(Some(outcome));
                OutcomeCount {
                    outcome,
                    count,
                    share: (total > 0).then(|| f64::from(count) / f64::from(total)),
                    interval: wilson(count, total),
                }
            })
            .collect(),
        criteria,
    }
}

/// `criteria` with its region, Ofsted region, ICB and `neighbours_of` as the data names them (a region given by
/// name, or a code in another case, is profiled and echoed as its code; an area by its GSS code), each checked.
fn canonical(criteria: &ProfileCriteria, model: &ReadModel) -> ApiResult<ProfileCriteria> {
    let region = criteria.region.as_deref().map(|r| model.region_code(r)).transpose()?;
    let ofsted_region = match criteria.ofsted_region.as_deref() {
        Some(name) => {
            let codes = model.regions_of_ofsted_region(name)?;
            model.regions.iter().find(|r| codes.contains(&r.code)).map(|r| r.ofsted_region.clone())
        }
        None => None,
    };
    let icb = criteria.icb.as_deref().map(|c| c.trim().to_ascii_uppercase());
    let neighbours_of = match criteria.neighbours_of.as_deref() {
        Some(code) => Some(model.neighbours_of(code, criteria.neighbours_set)?.0.gss_code.clone()),
        None => None,
    };
    Ok(ProfileCriteria { region, ofsted_region, icb, neighbours_of, ..criteria.clone() })
}

/// One profile over everything `criteria` selects.
pub async fn profile(scope: &Scope, criteria: &ProfileCriteria) -> ApiResult<Profile> {
    let model = scope.model().await?;
    let criteria = canonical(criteria, model)?;
    let rows = rows(scope, &criteria, model, None).await?;
    Ok(profile_of(criteria, &rows.iter().collect::<Vec<_>>()))
}

/// One profile per group: every region, Ofsted region and ICB (zero counts included), or each year with inspections.
pub async fn profiles(scope: &Scope, criteria: &ProfileCriteria, group_by: Grouping) -> ApiResult<Vec<ProfileGroup>> {
    let model = scope.model().await?;
    let criteria = &canonical(criteria, model)?;
    let rows = rows(scope, criteria, model, Some(group_by)).await?;
    let group = |key: String, label: String, members: Vec<&Row>, narrowed: ProfileCriteria| ProfileGroup {
        key,
        label,
        profile: profile_of(narrowed, &members),
    };
    Ok(match group_by {
        Grouping::Year => {
            // A year for each year some inspection started in; those whose start is not known join each year they
            // may belong to, to be counted as left out there.
            let mut years: BTreeMap<i32, Vec<&Row>> = BTreeMap::new();
            for r in rows.iter().filter(|r| r.start_known) {
                years.entry(r.year).or_default().push(r);
            }
            for r in rows.iter().filter(|r| !r.start_known) {
                for (year, members) in years.iter_mut() {
                    if may_be_in_year(r.year, false, *year) {
                        members.push(r);
                    }
                }
            }
            years
                .into_iter()
                .map(|(year, members)| {
                    let narrowed = ProfileCriteria { year: Some(year), ..criteria.clone() };
                    group(year.to_string(), year.to_string(), members, narrowed)
                })
                .collect()
        }
        Grouping::Region => model
            .regions
            .iter()
            .map(|reg| {
                let members = rows.iter().filter(|r| r.region_code == reg.code).collect();
                let narrowed = ProfileCriteria { region: Some(reg.code.clone()), ..criteria.clone() };
                group(reg.code.clone(), reg.name.clone(), members, narrowed)
            })
            .collect(),
        Grouping::OfstedRegion => {
            let mut names: Vec<&str> = model.regions.iter().map(|r| r.ofsted_region.as_str()).collect();
            names.sort();
            names.dedup();
            names
                .into_iter()
                .map(|name| {
                    let codes: HashSet<&str> =
                        model.regions.iter().filter(|r| r.ofsted_region == name).map(|r| r.code.as_str()).collect();
                    let members = rows.iter().filter(|r| codes.contains(r.region_code.as_str())).collect();
                    let narrowed = ProfileCriteria { ofsted_region: Some(name.to_owned()), ..criteria.clone() };
                    group(name.to_owned(), name.to_owned(), members, narrowed)
                })
                .collect()
        }
        Grouping::Icb => model
            .icbs
            .iter()
            .map(|i| {
                let members = rows
                    .iter()
                    .filter(|r| r.area_id.is_some_and(|id| model.partner_codes(id).contains(&i.code)))
                    .collect();
                let narrowed = ProfileCriteria { icb: Some(i.code.clone()), ..criteria.clone() };
                group(i.code.clone(), i.name.clone(), members, narrowed)
            })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::wilson;

    #[test]
    fn wilson_intervals_match_the_formula_and_stay_within_bounds() {
        // 7 of 26: p = 0.269; the Wilson 95% interval is about 0.137 to 0.461.
        let i = wilson(7, 26).expect("interval");
        assert!((i.lower - 0.1370).abs() < 0.001 && (i.upper - 0.4608).abs() < 0.001, "{i:?}");
        let zero = wilson(0, 5).expect("interval");
        assert_eq!(zero.lower, 0.0);
        assert!(zero.upper > 0.4 && zero.upper < 0.5, "{zero:?}");
        let all = wilson(5, 5).expect("interval");
        assert_eq!(all.upper, 1.0);
        assert!(wilson(0, 0).is_none());
        // Rounding left 0 of 7 a lower bound of 5.6e-17, above its share of 0.
        for n in 1..200 {
            assert_eq!(wilson(0, n).map(|i| i.lower), Some(0.0), "0 of {n}");
            assert_eq!(wilson(n, n).map(|i| i.upper), Some(1.0), "{n} of {n}");
        }
    }
}
