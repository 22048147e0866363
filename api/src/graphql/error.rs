//! How the API reports failures: GraphQL errors with a stable `extensions.code`, never internals.

use async_graphql::ErrorExtensions;

/// Stable error codes clients can switch on.
pub mod code {
    /// An argument is malformed or out of range.
    pub const BAD_USER_INPUT: &str = "BAD_USER_INPUT";
    /// The thing asked for does not exist.
    pub const NOT_FOUND: &str = "NOT_FOUND";
    /// The server failed; details are in its log, not in the response.
    pub const INTERNAL: &str = "INTERNAL";
    /// The document is not valid GraphQL syntax.
    pub const GRAPHQL_PARSE_FAILED: &str = "GRAPHQL_PARSE_FAILED";
    /// The document does not fit the schema (unknown field, wrong argument type, limits).
    pub const GRAPHQL_VALIDATION_FAILED: &str = "GRAPHQL_VALIDATION_FAILED";
}

/// A resolver failure. It deliberately has no `Display`, so that it can only become a GraphQL error through the
/// conversion below, which attaches the code and hides internals.
#[derive(Debug, Clone)]
pub enum ApiError {
    /// The client's input is wrong; the message says how.
    BadInput(String),
    /// Nothing matches.
    NotFound(String),
    /// The server failed; the detail went to the log.
    Internal(String),
}

impl ApiError {
    /// A bad-input error.
    pub fn bad_input(message: impl Into<String>) -> Self {
        Self::BadInput(message.into())
    }

    /// A broken invariant of the server: logged here, reported to the client as `INTERNAL` only.
    pub fn internal(what: impl Into<String>) -> Self {
        let what = what.into();
        tracing::error!(what = %what, "internal error");
        Self::Internal(what)
    }
}

impl From<sea_orm::DbErr> for ApiError {
    fn from(err: sea_orm::DbErr) -> Self {
        // Logged once, here, where it becomes a response; the client sees only the code.
        tracing::error!(error = %err, "database error while resolving a query");
        Self::Internal(err.to_string())
    }
}

impl From<std::sync::Arc<sea_orm::DbErr>> for ApiError {
    fn from(err: std::sync::Arc<sea_orm::DbErr>) -> Self {
        tracing::error!(error = %err, "database error in a batched load");
        Self::Internal(err.to_string())
    }
}

impl From<ApiError> for async_graphql::Error {
    fn from(e: ApiError) -> Self {
        let (code, message) = match e {
            ApiError::BadInput(m) => (code::BAD_USER_INPUT, m),
            ApiError::NotFound(m) => (code::NOT_FOUND, m),
            ApiError::Internal(_) => (code::INTERNAL, "internal error".to_owned()),
        };
        async_graphql::Error::new(message).extend_with(|_, ext| ext.set("code", code))
    }
}

/// The result type of resolvers.
pub type ApiResult<T> = Result<T, ApiError>;
