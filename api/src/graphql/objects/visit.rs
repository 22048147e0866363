//! `ThematicVisit`.

use async_graphql::{Context, Object};
use send_model::domain::{self};

use super::*;
use crate::error::ApiResult;
use crate::graphql::enums::{Pathway, VisitTheme};
use crate::graphql::scalars::{Date, PublishedDate};

/// A thematic visit: a national theme looked at in a few local area partnerships, with no judgement on any of them.
#[Object]
impl ThematicVisit {
    /// The year of the thematic review.
    async fn year(&self) -> i32 {
        self.0.year
    }

    /// The national theme.
    async fn theme(&self) -> VisitTheme {
        self.0.theme.into()
    }

    /// The area visited; null when the national report does not name it.
    async fn area(&self, ctx: &Context<'_>) -> ApiResult<Option<Area>> {
        match self.0.area_id {
            Some(id) => load_area(ctx, id).await.map(Some),
            None => Ok(None),
        }
    }

    /// How an area that is not named is described.
    async fn label(&self) -> Option<&str> {
        self.0.label.as_deref()
    }

    /// The pathways the visit looked at.
    async fn pathways(&self) -> Vec<Pathway> {
        self.0.pathways.split(';').filter_map(|p| domain::Pathway::parse(p).ok()).map(Into::into).collect()
    }

    /// First day (or month) of the visit, where known.
    async fn start(&self) -> Option<PublishedDate> {
        PublishedDate::maybe(self.0.visit_start, self.0.visit_start_precision)
    }

    /// Last day of the visit, where known.
    async fn end(&self) -> Option<PublishedDate> {
        PublishedDate::maybe(self.0.visit_end, self.0.visit_end_precision)
    }

    /// Title of the national report.
    async fn report_title(&self) -> &str {
        &self.0.report_title
    }

    /// When the national report was published.
    async fn report_published(&self) -> Option<Date> {
        self.0.report_published.map(Date)
    }

    /// The national report's address, where known.
    async fn report_url(&self) -> Option<&str> {
        self.0.report_url.as_deref()
    }

    /// Where these facts were read.
    async fn source(&self) -> &str {
        &self.0.source
    }

    /// The import run that last changed this record: the file or URL it came from, and when.
    async fn import_run(&self, ctx: &Context<'_>) -> ApiResult<Option<ImportRun>> {
        ImportRun::of(ctx, self.0.import_run_id).await
    }
}
