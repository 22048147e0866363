//! The GraphQL API through the schema (no HTTP), on the real bundled data, with expected figures computed from the
//! CSV files where no published figure states them: outcome profiles, areas, inspections, statistical neighbours,
//! themes, timelines and schedules, the dataset, changes, how requests are taken, and the schema's own text.

mod areas;
mod changes;
mod dataset;
mod inspections;
mod neighbours;
mod outcome_profiles;
mod reader_questions;
mod requests;
mod schema;
mod themes;
mod timelines;
