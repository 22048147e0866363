//! Outcome profiles: counts and shares of each outcome, with 95% Wilson intervals and a small-number flag, for
//! England or grouped by year, ONS region, Ofsted region or ICB, of every area or of one area's statistical
//! neighbours.

use std::collections::{BTreeMap, HashSet};

use async_graphql::{Context, Object, SimpleObject};
use sea_orm::sea_query::JoinType;
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QuerySelect, RelationTrait};
use send_model::entity::{inspection, local_area};
use send_model::{domain, tally};

use super::context::scope;
use super::enums::{Framework, InspectionType, NeighbourSet, Outcome};
use super::inputs::{OutcomeProfileFilter, ProfileGrouping};
use super::scalars::Date;
use crate::error::{ApiError, ApiResult};
use crate::read_model::{ReadModel, Scope};

/// Below this many inspections a share is too uncertain to compare; profiles say so with `smallNumber`.
pub const SMALL_NUMBER: i32 = 10;

/// A 95% confidence interval for a share.
#[derive(SimpleObject, Debug, Clone, Copy)]
pub struct Interval {
    /// Lower bound, 0 to 1.
    pub lower: f64,
    /// Upper bound, 0 to 1.
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

/// Counts of one outcome within an outcome profile.
#[derive(SimpleObject, Debug, Clone)]
pub struct OutcomeCount {
    /// The outcome.
    pub outcome: Outcome,
    /// The outcome in Ofsted's words.
    pub description: &'static str,
    /// Inspections with this outcome.
    pub count: i32,
    /// `count / total` (null when `total` is 0). The shares of a profile sum to 1.
    pub share: Option<f64>,
    /// The 95% Wilson score interval of `share` (null when `total` is 0).
    pub interval: Option<Interval>,
}

/// How many inspections had each outcome, for one framework and type.
#[derive(SimpleObject, Debug, Clone)]
pub struct OutcomeProfile {
    /// The framework profiled.
    pub framework: Framework,
    /// The inspection type profiled.
    pub inspection_type: InspectionType,
    /// The year profiled (year the inspection started, Ofsted's counting rule); null for all years.
    pub year: Option<i32>,
    /// Inspections counted were carried out (started) on or before this date; null for no limit.
    pub as_at: Option<Date>,
    /// The ONS region profiled; null for England.
    pub region: Option<String>,
    /// The Ofsted region profiled; null for England.
    pub ofsted_region: Option<String>,
    /// The ICB profiled (areas it serves, as named in reports); null for all.
    pub icb: Option<String>,
    /// The area whose statistical neighbours are profiled (its GSS code, however it was given); null for all areas.
    pub neighbours_of: Option<String>,
    /// The set of statistical neighbours profiled; null when `neighboursOf` is.
    pub neighbours_set: Option<NeighbourSet>,
    /// Inspections with a published outcome: the denominator of every share.
    pub total: i32,
    /// Inspections whose outcome is not published, counted apart and not in the shares.
    pub unknown: i32,
    /// Inspections this in-year profile left out because no source gives their start date, while they were
    /// published in `year` or the next year and so may have started in `year`: not in `total` or `unknown`. Always 0
    /// when `year` is null: a profile of all years counts them, from their publication date when `asAt` is given.
    pub start_unknown: i32,
    /// True when `total` is under 10: shares this small are too uncertain to rank or compare.
    pub small_number: bool,
    /// Every outcome of the framework and type, in a fixed order (best first), zero counts included.
    pub outcomes: Vec<OutcomeCount>,
}

/// One group's profile.
#[derive(SimpleObject, Debug, Clone)]
pub struct OutcomeProfileGroup {
    /// The group's code: the year, the ONS region or ICB code, or the Ofsted region's name.
    pub key: String,
    /// The group's name.
    pub label: String,
    /// The profile of the inspections in the group.
    pub profile: OutcomeProfile,
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

fn check_type(filter: &OutcomeProfileFilter) -> ApiResult<(domain::Framework, domain::InspectionType)> {
    let framework: domain::Framework = filter.framework.into();
    let inspection_type: domain::InspectionType = filter.inspection_type.into();
    if inspection_type.only_framework().is_some_and(|f| f != framework) {
        return Err(ApiError::bad_input(format!(
            "the {framework} framework has no {} inspections",
            inspection_type.code()
        )));
    }
    Ok((framework, inspection_type))
}

/// The region codes the filter's `region` and `ofstedRegion` allow (all when neither is given).
fn region_codes(filter: &OutcomeProfileFilter, reference: &ReadModel) -> ApiResult<Option<Vec<String>>> {
    reference.regions_allowed(filter.region.as_deref(), filter.ofsted_region.as_deref())
}

/// The inspections the filter selects, with what grouping needs. Without an ICB, `neighboursOf` or `asAt` (which need
/// each inspection's area and date) they come from the tally kept at import time, in the read model: no statement,
/// however many inspections there are.
async fn rows(
    scope: &Scope,
    filter: &OutcomeProfileFilter,
    reference: &ReadModel,
    group_by: Option<ProfileGrouping>,
) -> ApiResult<Vec<Row>> {
    let (framework, inspection_type) = check_type(filter)?;
    let regions = region_codes(filter, reference)?;
    let per_area = group_by == Some(ProfileGrouping::Icb);
    let per_region = matches!(group_by, Some(ProfileGrouping::Region | ProfileGrouping::OfstedRegion));
    if !per_area && filter.icb.is_none() && filter.neighbours_of.is_none() && filter.as_at.is_none() {
        let regions = match regions {
            Some(codes) => tally::Regions::These(codes),
            None if per_region => tally::Regions::EachRegion,
            None => tally::Regions::England,
        };
        return Ok(reference
            .inspection_tally
            .iter()
            .filter(|t| t.framework == framework && t.inspection_type == inspection_type)
            .filter(|t| filter.year.is_none_or(|year| may_be_in_year(t.start_year, t.start_known, year)))
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
    if let Some(year) = filter.year {
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
    if let Some(date) = filter.as_at {
        select = select.filter(inspection::Column::StartDate.lte(date.0));
    }
    if let Some(codes) = regions {
        select = select.filter(local_area::Column::RegionCode.is_in(codes));
    }
    if let Some(code) = &filter.icb {
        select = select.filter(inspection::Column::AreaId.is_in(reference.areas_served_by_icb(code)?));
    }
    if let Some(code) = &filter.neighbours_of {
        let (_, neighbours) = reference.neighbours_of(code, filter.neighbours_set.into())?;
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
fn profile(filter: &OutcomeProfileFilter, rows: &[&Row]) -> OutcomeProfile {
    let framework: domain::Framework = filter.framework.into();
    let inspection_type: domain::InspectionType = filter.inspection_type.into();
    let placed = |r: &&&Row| filter.year.is_none() || r.start_known;
    let count_of = |o: Option<domain::Outcome>| -> i32 {
        i32::try_from(rows.iter().filter(placed).filter(|r| r.outcome == o).map(|r| r.n).sum::<i64>())
            .unwrap_or(i32::MAX)
    };
    let start_unknown = i32::try_from(rows.iter().filter(|r| !placed(r)).map(|r| r.n).sum::<i64>()).unwrap_or(i32::MAX);
    let outcomes = domain::Outcome::of(framework, inspection_type);
    let total: i32 = outcomes.iter().map(|o| count_of(Some(*o))).sum();
    OutcomeProfile {
        framework: filter.framework,
        inspection_type: filter.inspection_type,
        year: filter.year,
        as_at: filter.as_at,
        region: filter.region.clone(),
        ofsted_region: filter.ofsted_region.clone(),
        icb: filter.icb.clone(),
        neighbours_of: filter.neighbours_of.clone(),
        neighbours_set: filter.neighbours_of.is_some().then_some(filter.neighbours_set),
        total,
        unknown: count_of(None),
        start_unknown,
        small_number: total < SMALL_NUMBER,
        outcomes: outcomes
            .iter()
            .map(|o| {
                let count = count_of(Some(*o));
                OutcomeCount {
                    outcome: (*o).into(),
                    description: o.description(),
                    count,
                    share: (total > 0).then(|| f64::from(count) / f64::from(total)),
                    interval: wilson(count, total),
                }
            })
            .collect(),
    }
}

/// One profile over everything the filter selects.
pub async fn outcome_profile(scope: &Scope, filter: &OutcomeProfileFilter) -> ApiResult<OutcomeProfile> {
    let reference = scope.model().await?;
    let filter = &canonical(filter, reference)?;
    let rows = rows(scope, filter, reference, None).await?;
    Ok(profile(filter, &rows.iter().collect::<Vec<_>>()))
}

/// The filter with its region, Ofsted region, ICB and `neighboursOf` as the data names them (a region given by name,
/// or a code in another case, is profiled and echoed as its code; an area by its GSS code), each checked.
fn canonical(filter: &OutcomeProfileFilter, reference: &ReadModel) -> ApiResult<OutcomeProfileFilter> {
    let region = filter.region.as_deref().map(|r| reference.region_code(r)).transpose()?;
    let ofsted_region = match filter.ofsted_region.as_deref() {
        Some(name) => {
            let codes = reference.regions_of_ofsted_region(name)?;
            reference.regions.iter().find(|r| codes.contains(&r.code)).map(|r| r.ofsted_region.clone())
        }
        None => None,
    };
    let icb = filter.icb.as_deref().map(|c| c.trim().to_ascii_uppercase());
    let neighbours_of = match filter.neighbours_of.as_deref() {
        Some(code) => Some(reference.neighbours_of(code, filter.neighbours_set.into())?.0.gss_code.clone()),
        None => None,
    };
    Ok(OutcomeProfileFilter { region, ofsted_region, icb, neighbours_of, ..filter.clone() })
}

/// One profile per group.
pub async fn outcome_profiles(
    scope: &Scope,
    filter: &OutcomeProfileFilter,
    group_by: ProfileGrouping,
) -> ApiResult<Vec<OutcomeProfileGroup>> {
    let reference = scope.model().await?;
    let filter = &canonical(filter, reference)?;
    let rows = rows(scope, filter, reference, Some(group_by)).await?;
    let group = |key: String, label: String, members: Vec<&Row>, narrowed: OutcomeProfileFilter| OutcomeProfileGroup {
        key,
        label,
        profile: profile(&narrowed, &members),
    };
    Ok(match group_by {
        ProfileGrouping::Year => {
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
                    group(
                        year.to_string(),
                        year.to_string(),
                        members,
                        OutcomeProfileFilter { year: Some(year), ..filter.clone() },
                    )
                })
                .collect()
        }
        ProfileGrouping::Region => reference
            .regions
            .iter()
            .map(|reg| {
                let members = rows.iter().filter(|r| r.region_code == reg.code).collect();
                group(
                    reg.code.clone(),
                    reg.name.clone(),
                    members,
                    OutcomeProfileFilter { region: Some(reg.code.clone()), ..filter.clone() },
                )
            })
            .collect(),
        ProfileGrouping::OfstedRegion => {
            let mut names: Vec<&str> = reference.regions.iter().map(|r| r.ofsted_region.as_str()).collect();
            names.sort();
            names.dedup();
            names
                .into_iter()
                .map(|name| {
                    let codes: HashSet<&str> =
                        reference.regions.iter().filter(|r| r.ofsted_region == name).map(|r| r.code.as_str()).collect();
                    let members = rows.iter().filter(|r| codes.contains(r.region_code.as_str())).collect();
                    group(
                        name.to_owned(),
                        name.to_owned(),
                        members,
                        OutcomeProfileFilter { ofsted_region: Some(name.to_owned()), ..filter.clone() },
                    )
                })
                .collect()
        }
        ProfileGrouping::Icb => reference
            .icbs
            .iter()
            .map(|i| {
                let members = rows
                    .iter()
                    .filter(|r| r.area_id.is_some_and(|id| reference.partner_codes(id).contains(&i.code)))
                    .collect();
                group(
                    i.code.clone(),
                    i.name.clone(),
                    members,
                    OutcomeProfileFilter { icb: Some(i.code.clone()), ..filter.clone() },
                )
            })
            .collect(),
    })
}

/// The entry points to outcome profiles.
#[derive(Default)]
pub struct ProfileQuery;

#[Object]
impl ProfileQuery {
    /// How many inspections had each outcome, with shares: Ofsted's outcome profile. Counts inspections carried
    /// out (started) in `year`, as Ofsted's official statistics do. For example the 2023 framework's full
    /// inspections of 2023: 26, of which 7 typically positive, 11 inconsistent and 8 widespread/systemic failings.
    async fn outcome_profile(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to profile.")] filter: OutcomeProfileFilter,
    ) -> ApiResult<OutcomeProfile> {
        outcome_profile(scope(ctx)?, &filter).await
    }

    /// Outcome profiles side by side, one per year, ONS region, Ofsted region or ICB (every region and ICB listed,
    /// zero counts included), each with shares, 95% Wilson intervals and a small-number flag. For example the 2016
    /// framework's written statements of action by Ofsted region, or an area's region against the others.
    async fn outcome_profiles(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to profile (the grouping narrows it further).")] filter: OutcomeProfileFilter,
        #[graphql(desc = "What to group by.")] group_by: ProfileGrouping,
    ) -> ApiResult<Vec<OutcomeProfileGroup>> {
        outcome_profiles(scope(ctx)?, &filter, group_by).await
    }
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
