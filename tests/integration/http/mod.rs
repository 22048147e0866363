//! The HTTP face of `send-api`: GraphQL over HTTP, caching, limits, headers, the CSV export and the Atom feed, the
//! operations endpoints and GraphiQL through the router (no socket); start-up, shutdown and hostile clients on a real
//! loopback socket; and its command line and logs.

mod caching;
mod config;
mod export;
mod feed;
mod graphiql;
mod graphql_over_http;
mod headers;
mod hostile_clients;
mod limits;
mod operations;
mod pages;
mod serving;
