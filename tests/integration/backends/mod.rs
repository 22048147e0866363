//! Both databases under load and at their edges: imports against readers and against each other, bulk loads (their
//! locks, what they write, the indexes and keys they set aside), and the read model kept in step with the rows, also
//! while the database is unreachable.

mod bulk_loads;
mod concurrency;
mod read_model;
