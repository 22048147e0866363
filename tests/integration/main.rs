//! The one integration-test binary (so the workspace links tests once): real data end to end, through the
//! importer, the GraphQL schema and HTTP, on SQLite always and on PostgreSQL when `TEST_DATABASE_URL` is set.
//!
//! Filed by the surface each test exercises: [`graphql`] (the schema without HTTP), [`http`] (`send-api`'s HTTP face,
//! its configuration and hostile clients), [`importer`] (`send-import` and its sources), [`reports`] (report PDFs,
//! extracted and imported), [`backends`] (concurrency, bulk loads and the read model on both databases), [`docs`] (the
//! reference's figures against the code's) and [`bench`] (the benchmark's workloads and the statement bounds). Helpers
//! shared between files are in [`support`].

mod backends;
mod bench;
mod docs;
mod graphql;
mod http;
mod importer;
mod reports;
mod support;
