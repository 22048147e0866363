//! How the API reports failures, inside GraphQL execution and outside it: always with a stable code from [`code`],
//! never with internals. A resolver fails with an [`ApiError`], which becomes a GraphQL error; a request refused
//! before or outside execution (by the HTTP layer, the limits, persisted queries, the CSV export or the feed) is a
//! [`Refusal`], answered as a JSON error body with its HTTP status, or as a GraphQL response when the GraphQL
//! endpoint refuses it.

use async_graphql::ErrorExtensions;
use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

/// Stable error codes clients can switch on.
pub mod code {
    /// A variable the operation requires was not given a value.
    pub const BAD_VARIABLES: &str = "BAD_VARIABLES";
    /// An argument is malformed or out of range.
    pub const BAD_USER_INPUT: &str = "BAD_USER_INPUT";
    /// The thing asked for does not exist.
    pub const NOT_FOUND: &str = "NOT_FOUND";
    /// The server failed; details are in its log, not in the response.
    pub const INTERNAL: &str = "INTERNAL";
    /// The document is not valid GraphQL syntax.
    pub const GRAPHQL_PARSE_FAILED: &str = "GRAPHQL_PARSE_FAILED";
    /// The document does not fit the schema (unknown field, wrong argument type).
    pub const GRAPHQL_VALIDATION_FAILED: &str = "GRAPHQL_VALIDATION_FAILED";
    /// The query nests deeper than the depth limit.
    pub const QUERY_TOO_DEEP: &str = "QUERY_TOO_DEEP";
    /// The query's complexity (connections counted by their page size) exceeds the limit.
    pub const QUERY_TOO_COMPLEX: &str = "QUERY_TOO_COMPLEX";
    /// The query uses more aliases than the limit.
    pub const TOO_MANY_ALIASES: &str = "TOO_MANY_ALIASES";
    /// The operation selects more root fields than the limit.
    pub const TOO_MANY_ROOT_FIELDS: &str = "TOO_MANY_ROOT_FIELDS";
    /// `first` asks for a bigger page than the limit.
    pub const PAGE_SIZE_TOO_LARGE: &str = "PAGE_SIZE_TOO_LARGE";
    /// The query ran longer than the per-request time limit.
    pub const TIMEOUT: &str = "TIMEOUT";
    /// The HTTP request is not a GraphQL request (bad JSON, missing `query`, bad `variables`).
    pub const BAD_REQUEST: &str = "BAD_REQUEST";
    /// The request body is larger than the limit.
    pub const REQUEST_TOO_LARGE: &str = "REQUEST_TOO_LARGE";
    /// The request body did not arrive in time.
    pub const REQUEST_TIMEOUT: &str = "REQUEST_TIMEOUT";
    /// The server is at a limit of work in flight (e.g. CSV exports streaming at once); try again shortly.
    pub const SERVER_BUSY: &str = "SERVER_BUSY";
    /// A POST body that is not `application/json`.
    pub const UNSUPPORTED_MEDIA_TYPE: &str = "UNSUPPORTED_MEDIA_TYPE";
    /// The `Accept` header allows none of the media types the API answers in.
    pub const NOT_ACCEPTABLE: &str = "NOT_ACCEPTABLE";
    /// The HTTP method is not allowed (a mutation over GET, or neither GET nor POST).
    pub const METHOD_NOT_ALLOWED: &str = "METHOD_NOT_ALLOWED";
    /// Automatic persisted queries: the hash is not known yet; send the query with it once.
    pub const PERSISTED_QUERY_NOT_FOUND: &str = "PERSISTED_QUERY_NOT_FOUND";
    /// Automatic persisted queries: the query's sha256 is not the hash sent with it.
    pub const PERSISTED_QUERY_HASH_MISMATCH: &str = "PERSISTED_QUERY_HASH_MISMATCH";
    /// Safelist mode: only the operations in the safelist are served.
    pub const PERSISTED_QUERY_NOT_ALLOWED: &str = "PERSISTED_QUERY_NOT_ALLOWED";

    /// Every code, so that a code read back from a response (a `String`) is known as one of these.
    pub const ALL: [&str; 22] = [
        BAD_VARIABLES,
        BAD_USER_INPUT,
        NOT_FOUND,
        INTERNAL,
        GRAPHQL_PARSE_FAILED,
        GRAPHQL_VALIDATION_FAILED,
        QUERY_TOO_DEEP,
        QUERY_TOO_COMPLEX,
        TOO_MANY_ALIASES,
        TOO_MANY_ROOT_FIELDS,
        PAGE_SIZE_TOO_LARGE,
        TIMEOUT,
        BAD_REQUEST,
        REQUEST_TOO_LARGE,
        REQUEST_TIMEOUT,
        SERVER_BUSY,
        UNSUPPORTED_MEDIA_TYPE,
        NOT_ACCEPTABLE,
        METHOD_NOT_ALLOWED,
        PERSISTED_QUERY_NOT_FOUND,
        PERSISTED_QUERY_HASH_MISMATCH,
        PERSISTED_QUERY_NOT_ALLOWED,
    ];

    /// The code `text` names, if it is one of ours.
    pub fn known(text: &str) -> Option<&'static str> {
        ALL.iter().copied().find(|c| *c == text)
    }

    /// Whether `code` marks a request error: one raised before execution, so the response has no `data`.
    pub fn is_request_error(code: &str) -> bool {
        matches!(
            code,
            GRAPHQL_PARSE_FAILED
                | GRAPHQL_VALIDATION_FAILED
                | BAD_VARIABLES
                | QUERY_TOO_DEEP
                | QUERY_TOO_COMPLEX
                | TOO_MANY_ALIASES
                | TOO_MANY_ROOT_FIELDS
                | BAD_REQUEST
                | PERSISTED_QUERY_NOT_FOUND
                | PERSISTED_QUERY_HASH_MISMATCH
                | PERSISTED_QUERY_NOT_ALLOWED
        )
    }
}

/// A resolver failure. It deliberately has no `Display`, so that it can only become a GraphQL error through the
/// conversion below, which attaches the code and hides internals.
#[derive(Debug, Clone)]
pub enum ApiError {
    /// The client's input is wrong; the message says how.
    BadInput(String),
    /// Nothing matches.
    NotFound(String),
    /// A limit refused the request: the code names the limit, the message says what to ask for instead.
    Limit(&'static str, String),
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
            ApiError::Limit(code, m) => (code, m),
            ApiError::Internal(_) => (code::INTERNAL, "internal error".to_owned()),
        };
        async_graphql::Error::new(message).extend_with(|_, ext| ext.set("code", code))
    }
}

/// The result type of resolvers.
pub type ApiResult<T> = Result<T, ApiError>;

/// A request refused outside GraphQL execution: the HTTP status it is answered with, the stable code, and what was
/// wrong and what to do instead. One type for every refusal of the HTTP layer, the limits, persisted queries, the
/// CSV export and the feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The status of its answer on its own (the GraphQL endpoint answers request errors with the status of the
    /// response's media type instead).
    pub status: StatusCode,
    /// The stable code.
    pub code: &'static str,
    /// What was wrong and what to do instead.
    pub message: String,
}

impl Refusal {
    /// A refusal with `status`, `code` and `message`.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self { status, code, message: message.into() }
    }

    /// A GraphQL request refused before execution (its document, variables or shape): `400`.
    pub fn request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    /// The client's input (a parameter) is wrong: `400 BAD_USER_INPUT`.
    pub fn bad_input(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code::BAD_USER_INPUT, message)
    }

    /// The database cannot be read: `503`, details in the log only.
    pub fn unavailable(e: &sea_orm::DbErr) -> Self {
        tracing::error!(error = %e, "cannot read the database");
        Self::new(StatusCode::SERVICE_UNAVAILABLE, code::INTERNAL, "the database is unavailable; try again later")
    }

    /// The refusal as a GraphQL response with no data (an error with its code and no path).
    pub fn into_graphql(self) -> async_graphql::Response {
        let mut error = async_graphql::ServerError::new(self.message.clone(), None);
        error.extensions =
            async_graphql::Error::new(self.message).extend_with(|_, e| e.set("code", self.code)).extensions;
        async_graphql::Response::from_errors(vec![error])
    }
}

/// A resolver's failure met outside execution (the CSV export reads through the same functions).
impl From<ApiError> for Refusal {
    fn from(error: ApiError) -> Self {
        match error {
            ApiError::BadInput(m) => Self::bad_input(m),
            ApiError::Limit(code, m) => Self::new(StatusCode::BAD_REQUEST, code, m),
            ApiError::NotFound(m) => Self::new(StatusCode::NOT_FOUND, code::NOT_FOUND, m),
            ApiError::Internal(_) => Self::new(StatusCode::INTERNAL_SERVER_ERROR, code::INTERNAL, "internal error"),
        }
    }
}

/// A JSON error body `{"errors": [{"message", "extensions": {"code"}}]}` (the shape GraphQL clients already read),
/// never cached.
impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let body = serde_json::json!({"errors": [{"message": self.message, "extensions": {"code": self.code}}]});
        (self.status, [(header::CACHE_CONTROL, "no-store")], Json(body)).into_response()
    }
}
