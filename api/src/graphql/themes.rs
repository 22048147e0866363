//! `priorityActionThemes`: how often each theme is cited among areas for priority action, from the tallies.

use async_graphql::{Context, Object, SimpleObject};
use send_model::{domain, tally};

use super::context::model;
use super::enums::PriorityActionTheme;
use super::inputs::ThemeFilter;
use crate::error::ApiResult;

/// How often one theme is cited among areas for priority action.
#[derive(SimpleObject, Debug, Clone)]
pub struct ThemeCount {
    /// The theme.
    pub theme: PriorityActionTheme,
    /// The theme's label, e.g. "education health and care plans".
    pub label: &'static str,
    /// Areas for priority action coded into this theme.
    pub priority_actions: i32,
    /// Inspections citing the theme at least once.
    pub inspections: i32,
    /// Inspections with widespread and/or systemic failings in the same filter.
    pub systemic_inspections: i32,
    /// Of `systemicInspections`, those whose areas for priority action are not yet read (the outcome is published,
    /// the report's actions not yet coded): they cite no theme yet, so they are left out of the share.
    pub systemic_inspections_not_yet_read: i32,
    /// `inspections / (systemicInspections - systemicInspectionsNotYetRead)`: the share of systemic-failings
    /// inspections whose actions are read that cite the theme (null when there are none).
    pub share_of_systemic_inspections: Option<f64>,
}

/// The entry point for priority-action themes.
#[derive(Default)]
pub struct ThemeQuery;

#[Object]
impl ThemeQuery {
    /// Every priority-action theme with how many areas for priority action, and how many inspections, cite it, and
    /// the share of widespread/systemic-failings inspections citing it; most cited first (ties in a fixed theme
    /// order), zero counts included. Filter by year and region to compare them.
    async fn priority_action_themes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which inspections to count.")] filter: Option<ThemeFilter>,
    ) -> ApiResult<Vec<ThemeCount>> {
        let model = model(ctx).await?;
        let filter = filter.unwrap_or_default();
        // From the tallies kept at import time, in the read model: the same few rows whatever the number of
        // inspections, and no statement.
        let regions = match &filter.region {
            Some(code) => tally::Regions::These(vec![model.region_code(code)?]),
            None => tally::Regions::England,
        };
        // An inspection whose start is not known has no year: a year's counts leave it out.
        let in_filter = |year: i32, start_known: bool, region_code: &str| {
            filter.year.is_none_or(|y| start_known && y == year) && regions.admits(region_code)
        };
        // The denominator of shares: widespread/systemic failings inspections in the same filter whose actions are
        // read.
        let (systemic, unread) = model
            .inspection_tally
            .iter()
            .filter(|t| t.outcome == Some(domain::Outcome::WidespreadSystemicFailings))
            .filter(|t| in_filter(t.start_year, t.start_known, &t.region_code))
            .fold((0_i64, 0_i64), |(n, u), t| (n + t.inspections, u + t.priority_actions_unread));
        let (systemic, unread) =
            (i32::try_from(systemic).unwrap_or(i32::MAX), i32::try_from(unread).unwrap_or(i32::MAX));
        let read = systemic - unread;
        let mut rows: Vec<(domain::Theme, i64, i64)> = Vec::new();
        for t in model.theme_tally.iter().filter(|t| in_filter(t.start_year, t.start_known, &t.region_code)) {
            match rows.iter_mut().find(|(theme, _, _)| *theme == t.theme) {
                Some(row) => {
                    row.1 += t.priority_actions;
                    row.2 += t.inspections;
                }
                None => rows.push((t.theme, t.priority_actions, t.inspections)),
            }
        }
        let mut themes: Vec<ThemeCount> = domain::Theme::ALL
            .iter()
            .map(|t| {
                let (actions, inspections) = rows.iter().find(|(k, _, _)| k == t).map_or((0, 0), |(_, a, i)| (*a, *i));
                let inspections = i32::try_from(inspections).unwrap_or(i32::MAX);
                ThemeCount {
                    theme: PriorityActionTheme::from(*t),
                    label: t.code(),
                    priority_actions: i32::try_from(actions).unwrap_or(i32::MAX),
                    inspections,
                    systemic_inspections: systemic,
                    systemic_inspections_not_yet_read: unread,
                    share_of_systemic_inspections: (read > 0).then(|| f64::from(inspections) / f64::from(read)),
                }
            })
            .collect();
        // A stable sort keeps the fixed theme order among equal counts.
        themes.sort_by_key(|t| std::cmp::Reverse(t.priority_actions));
        Ok(themes)
    }
}
