//! Outcome profiles in GraphQL: the `outcomeProfile` and `outcomeProfiles` entry points and their objects, over the
//! read model's profiles (`read_model::profiles`, which computes them for the CSV export and area comparisons too).

use async_graphql::{Context, Object};

use super::context::scope;
use super::enums::{Framework, InspectionType, NeighbourSet, Outcome};
use super::inputs::{OutcomeProfileFilter, ProfileGrouping};
use super::scalars::Date;
use crate::error::ApiResult;
use crate::read_model::profiles::{self, Profile, ProfileCriteria};

/// A read-model interval as GraphQL shows it.
pub struct Interval(profiles::Interval);

/// A 95% confidence interval for a share.
#[Object]
impl Interval {
    /// Lower bound, 0 to 1.
    async fn lower(&self) -> f64 {
        self.0.lower
    }

    /// Upper bound, 0 to 1.
    async fn upper(&self) -> f64 {
        self.0.upper
    }
}

/// A read-model outcome count as GraphQL shows it.
pub struct OutcomeCount(profiles::OutcomeCount);

/// Counts of one outcome within an outcome profile.
#[Object]
impl OutcomeCount {
    /// The outcome.
    async fn outcome(&self) -> Outcome {
        self.0.outcome.into()
    }

    /// The outcome in Ofsted's words.
    async fn description(&self) -> &'static str {
        self.0.outcome.description()
    }

    /// Inspections with this outcome.
    async fn count(&self) -> i32 {
        self.0.count
    }

    /// `count / total` (null when `total` is 0). The shares of a profile sum to 1.
    async fn share(&self) -> Option<f64> {
        self.0.share
    }

    /// The 95% Wilson score interval of `share` (null when `total` is 0).
    async fn interval(&self) -> Option<Interval> {
        self.0.interval.map(Interval)
    }
}

/// A read-model profile as GraphQL shows it.
pub struct OutcomeProfile(pub Profile);

/// How many inspections had each outcome, for one framework and type.
#[Object]
impl OutcomeProfile {
    /// The framework profiled.
    async fn framework(&self) -> Framework {
        self.0.criteria.framework.into()
    }

    /// The inspection type profiled.
    async fn inspection_type(&self) -> InspectionType {
        self.0.criteria.inspection_type.into()
    }

    /// The year profiled (year the inspection started, Ofsted's counting rule); null for all years.
    async fn year(&self) -> Option<i32> {
        self.0.criteria.year
    }

    /// Inspections counted were carried out (started) on or before this date; null for no limit.
    async fn as_at(&self) -> Option<Date> {
        self.0.criteria.as_at.map(Date)
    }

    /// The ONS region profiled; null for England.
    async fn region(&self) -> Option<&str> {
        self.0.criteria.region.as_deref()
    }

    /// The Ofsted region profiled; null for England.
    async fn ofsted_region(&self) -> Option<&str> {
        self.0.criteria.ofsted_region.as_deref()
    }

    /// The ICB profiled (areas it serves, as named in reports); null for all.
    async fn icb(&self) -> Option<&str> {
        self.0.criteria.icb.as_deref()
    }

    /// The area whose statistical neighbours are profiled (its GSS code, however it was given); null for all areas.
    async fn neighbours_of(&self) -> Option<&str> {
        self.0.criteria.neighbours_of.as_deref()
    }

    /// The set of statistical neighbours profiled; null when `neighboursOf` is.
    async fn neighbours_set(&self) -> Option<NeighbourSet> {
        self.0.criteria.neighbours_of.is_some().then_some(self.0.criteria.neighbours_set.into())
    }

    /// Inspections with a published outcome: the denominator of every share.
    async fn total(&self) -> i32 {
        self.0.total
    }

    /// Inspections whose outcome is not published, counted apart and not in the shares.
    async fn unknown(&self) -> i32 {
        self.0.unknown
    }

    /// Inspections this in-year profile left out because no source gives their start date, while they were
    /// published in `year` or the next year and so may have started in `year`: not in `total` or `unknown`. Always 0
    /// when `year` is null: a profile of all years counts them, from their publication date when `asAt` is given.
    async fn start_unknown(&self) -> i32 {
        self.0.start_unknown
    }

    /// True when `total` is under 10: shares this small are too uncertain to rank or compare.
    async fn small_number(&self) -> bool {
        self.0.small_number
    }

    /// Every outcome of the framework and type, in a fixed order (best first), zero counts included.
    async fn outcomes(&self) -> Vec<OutcomeCount> {
        self.0.outcomes.iter().cloned().map(OutcomeCount).collect()
    }
}

/// A read-model profile group as GraphQL shows it.
pub struct OutcomeProfileGroup(profiles::ProfileGroup);

/// One group's profile.
#[Object]
impl OutcomeProfileGroup {
    /// The group's code: the year, the ONS region or ICB code, or the Ofsted region's name.
    async fn key(&self) -> &str {
        &self.0.key
    }

    /// The group's name.
    async fn label(&self) -> &str {
        &self.0.label
    }

    /// The profile of the inspections in the group.
    async fn profile(&self) -> OutcomeProfile {
        OutcomeProfile(self.0.profile.clone())
    }
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
        Ok(OutcomeProfile(profiles::profile(scope(ctx)?, &ProfileCriteria::from(&filter)).await?))
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
        let groups = profiles::profiles(scope(ctx)?, &ProfileCriteria::from(&filter), group_by.into()).await?;
        Ok(groups.into_iter().map(OutcomeProfileGroup).collect())
    }
}
