//! What a resolver reads from its request's context: the scope (read model and lazily-begun snapshot) and the
//! per-request loaders, each with a BUG error when missing (a request run without [`super::run`]).

use async_graphql::Context;
use sea_orm::DatabaseTransaction;

use super::loaders::Loaders;
use crate::error::{ApiError, ApiResult};
use crate::read_model::{ReadModel, Scope};

/// The request's loaders.
pub fn loaders<'a>(ctx: &Context<'a>) -> ApiResult<&'a Loaders> {
    ctx.data::<Loaders>().map_err(|_| ApiError::internal("BUG: request without loaders".to_owned()))
}

/// The request's scope: its read model and (begun when first needed) its read snapshot.
pub fn scope<'a>(ctx: &Context<'a>) -> ApiResult<&'a Scope> {
    ctx.data::<std::sync::Arc<Scope>>()
        .map(|s| &**s)
        .map_err(|_| ApiError::internal("BUG: request without a scope".to_owned()))
}

/// The request's read model.
pub async fn model<'a>(ctx: &Context<'a>) -> ApiResult<&'a ReadModel> {
    Ok(scope(ctx)?.model().await?)
}

/// The request's read snapshot, begun at its first statement: every statement of one request sees the same
/// committed data (and the read model is of the same version; see `model`).
pub(crate) async fn db<'a>(ctx: &Context<'a>) -> ApiResult<&'a DatabaseTransaction> {
    Ok(scope(ctx)?.db().await?)
}
