//! What a report asks of an area: areas for priority action and areas for improvement.

use async_graphql::{Context, Object};

use super::*;
use crate::error::{ApiError, ApiResult};
use crate::graphql::context::loaders;
use crate::graphql::enums::PriorityActionTheme;
use crate::graphql::loaders::InspectionId;

/// An area for priority action named in a report with widespread and/or systemic failings.
#[Object]
impl PriorityAction {
    /// Position in the report, from 1.
    async fn ordinal(&self) -> i32 {
        self.0.ordinal
    }

    /// The theme it is coded into.
    async fn theme(&self) -> PriorityActionTheme {
        self.0.theme.into()
    }

    /// The theme's label, e.g. "strategic governance and oversight".
    async fn theme_label(&self) -> &'static str {
        self.0.theme.code()
    }

    /// The report's wording, when the report PDF has been imported (null when only the theme is known, from a
    /// curated file).
    async fn text(&self) -> Option<&str> {
        self.0.text.as_deref()
    }

    /// The words and phrases of `text` that decided the theme under the report taxonomy, in text order (empty when
    /// the text is not known, or the theme came from a curated file).
    async fn evidence(&self) -> Vec<String> {
        evidence_list(self.0.evidence.as_deref())
    }

    /// The inspection whose report names it.
    async fn inspection(&self, ctx: &Context<'_>) -> ApiResult<Inspection> {
        loaders(ctx)?
            .load_one(InspectionId(self.0.inspection_id))
            .await?
            .map(Inspection)
            .ok_or_else(|| ApiError::internal("a priority action's inspection is missing"))
    }

    /// The import run that last changed this record: the file or URL it came from, and when.
    async fn import_run(&self, ctx: &Context<'_>) -> ApiResult<Option<ImportRun>> {
        ImportRun::of(ctx, self.0.import_run_id).await
    }
}

/// Evidence as stored (phrases joined by `"; "`) as a list.
pub(crate) fn evidence_list(stored: Option<&str>) -> Vec<String> {
    stored.map(|e| e.split("; ").filter(|p| !p.is_empty()).map(str::to_owned).collect()).unwrap_or_default()
}

/// An area for improvement named in an inspection report: something the partnership should improve, less urgent
/// than an area for priority action. Only report PDFs give them.
#[Object]
impl ImprovementArea {
    /// Position in the report, from 1.
    async fn ordinal(&self) -> i32 {
        self.0.ordinal
    }

    /// The report's wording.
    async fn text(&self) -> &str {
        &self.0.text
    }

    /// The theme the report taxonomy codes it into; null when no rule of the taxonomy matched its text.
    async fn theme(&self) -> Option<PriorityActionTheme> {
        self.0.theme.map(Into::into)
    }

    /// The words and phrases of `text` that decided the theme, in text order (empty when no theme).
    async fn evidence(&self) -> Vec<String> {
        evidence_list(self.0.evidence.as_deref())
    }
}
