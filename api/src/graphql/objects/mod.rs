//! The object types of the schema: the graph a query walks (an area's inspections, an inspection's area). Each wraps
//! a storage row, as async-graphql's examples wrap theirs, so that the public schema can evolve apart from the
//! tables. They refer to each other as the schema does; nothing outside this module is imported back by it.

mod area;
mod history;
mod import_run;
mod inspection;
mod priority_action;
mod region;
mod visit;

pub use area::*;
pub use history::*;
pub use import_run::*;
pub use inspection::*;
pub use priority_action::*;
pub use region::*;
pub use visit::*;

use async_graphql::ID;

use crate::error::ApiResult;

/// Anything with a global ID that `node(id:)` fetches again: an area (its GSS code) or an inspection (its natural
/// key). IDs are stable across re-imports.
#[derive(async_graphql::Interface)]
#[graphql(field(name = "id", ty = "ApiResult<ID>", desc = "The global ID, stable across re-imports."))]
pub enum Node {
    /// A local area.
    Area(Area),
    /// An inspection.
    Inspection(Inspection),
}
