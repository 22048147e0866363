//! An area's region and its health partners.

use async_graphql::{Context, Object};

use super::ImportRun;
use super::*;
use crate::error::ApiResult;

/// One of the nine ONS regions of England.
#[Object]
impl Region {
    /// ONS region code, `E12000001` to `E12000009`.
    async fn code(&self) -> &str {
        &self.0.code
    }

    /// ONS region name, e.g. "East of England".
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// The Ofsted region it falls in. Ofsted uses eight regions: "North East, Yorkshire and the Humber" joins two ONS
    /// regions.
    async fn ofsted_region(&self) -> &str {
        &self.0.ofsted_region
    }

    /// The import run that last changed this record: the file or URL it came from, and when.
    async fn import_run(&self, ctx: &Context<'_>) -> ApiResult<Option<ImportRun>> {
        ImportRun::of(ctx, self.0.import_run_id).await
    }
}

/// An NHS Integrated Care Board: a health partner in a local area partnership (2023 framework).
#[Object]
impl HealthPartner {
    /// ONS ICB code, `E54...` (July 2022 set).
    async fn code(&self) -> &str {
        &self.0.code
    }

    /// Name, e.g. "NHS Suffolk and North East Essex Integrated Care Board".
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// The import run that last changed this record: the file or URL it came from, and when.
    async fn import_run(&self, ctx: &Context<'_>) -> ApiResult<Option<ImportRun>> {
        ImportRun::of(ctx, self.0.import_run_id).await
    }
}
