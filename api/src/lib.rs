//! The area SEND inspection outcomes API: a GraphQL schema over the model crate, served over HTTP by axum.
//!
//! Architecture invariants: only this crate speaks GraphQL; the schema is built by [`graphql::build_schema`] and the
//! router by [`http::app`], each used alike by the server, the SDL export and the tests.

pub mod graphql;
pub mod http;

pub use graphql::{AppSchema, build_schema, execute, sdl};
pub use http::{AppState, app};
