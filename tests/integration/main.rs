//! The one integration-test binary (so the workspace links tests once): real data end to end, through the
//! importer, the GraphQL schema and HTTP, on SQLite always and on PostgreSQL when `TEST_DATABASE_URL` is set.

mod backends;
mod bench;
mod graphql;
mod http;
mod importer;
mod reports;
mod support;
