//! The read model: what nearly every request reads, held in memory per dataset version, and the scope one request
//! reads through. Both GraphQL and the HTTP handlers read the data through it; it knows nothing of either.
//!
//! The data changes only when an import commits, so what nearly every request reads (regions, areas and their codes,
//! ICBs and which areas they serve, area lineage, statistical neighbours and populations, and the tallies kept at
//! import time) is held in memory per dataset version ([`ReadModel`]), built from one read snapshot, with each area's
//! inspections and priority actions added as requests of that version first read them (in one statement per batch of
//! areas). A request reads it instead of the database: an outcome profile, theme counts, and once read an area's
//! timeline or the dashboard map cost no statement at all, and a page of inspections only its own rows (filtered,
//! ordered and keyset-paginated by the database's indexes).
//!
//! A request's database snapshot is begun lazily, at the first statement it needs ([`Scope`]), with the dataset
//! version read in it. One answer never mixes two versions: when the model a request read and its snapshot are of
//! different versions (an import committed in between), `graphql::run` computes the answer again in a scope whose
//! model is that of its snapshot. A request that reads only the model sees the version last checked, at most
//! `refresh` ago (the same staleness cached GETs already have, `--version-refresh`).

mod held;
pub mod inspections;
pub mod keys;
mod lookups;
mod models;
pub mod order;
pub mod profiles;
mod scope;
pub mod search;
mod version;

pub use held::{AreaInspections, ReadModel};
pub use models::ReadModels;
pub use scope::Scope;
pub use version::{dataset_version, version_of};
