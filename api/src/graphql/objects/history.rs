//! An area's history: the reorganisations that made it, its timeline across them, and the inspections its
//! schedule expects next.

use async_graphql::{Context, Object};
use send_model::domain::Framework as DomainFramework;

use super::*;
use crate::error::ApiResult;
use crate::graphql::scalars::Date;

/// One inspection in an area's history, possibly of an area it replaced.
#[Object]
impl TimelineEntry {
    /// The inspection (its `area` says which area it was of).
    async fn inspection(&self) -> Inspection {
        Inspection(self.inspection.clone())
    }

    /// True when the inspection was of a predecessor area (before a reorganisation), not of this area itself.
    async fn via_predecessor(&self) -> bool {
        self.via_predecessor
    }

    /// True when the outcome is comparable with the current (2023) framework's outcomes; 2016-framework outcomes
    /// (written statements of action) are on a different scale.
    async fn comparable_with_current_framework(&self) -> bool {
        self.inspection.framework == DomainFramework::F2023
    }
}

/// A reorganisation link: the other area and the day the change took effect.
#[Object]
impl LineageLink {
    /// The area at the other end of the link (a predecessor or a successor).
    async fn area(&self, ctx: &Context<'_>) -> ApiResult<Area> {
        load_area(ctx, self.other_id).await
    }

    /// The day the successor came into being.
    async fn effective(&self) -> Date {
        Date(self.row.effective)
    }

    /// The reorganisation in words, e.g. "Northamptonshire (E10000021) replaced by North Northamptonshire
    /// (E06000061) on 2021-04-01".
    async fn reorganisation(&self, ctx: &Context<'_>) -> ApiResult<String> {
        let predecessor = load_area(ctx, self.row.predecessor_id).await?;
        let successor = load_area(ctx, self.row.successor_id).await?;
        Ok(format!(
            "{} ({}) replaced by {} ({}) on {}",
            predecessor.0.name,
            predecessor.0.gss_code,
            successor.0.name,
            successor.0.gss_code,
            send_model::domain::IsoDay(self.row.effective)
        ))
    }
}
