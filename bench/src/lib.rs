//! The benchmark harness's reusable parts: the canonical workloads, a deterministic synthetic-data generator, a
//! loopback load generator, and SQL statement counting. `src/main.rs` runs them and prints the table.

pub mod hostile;
pub mod load;
pub mod pages;
pub mod synth;

use std::sync::{Arc, Mutex};

/// A canonical workload: a GraphQL document kept in `bench/workloads/`.
#[derive(Debug, Clone, Copy)]
pub struct Workload {
    /// Its number in the issue (1 to 5).
    pub number: u8,
    /// Short name for tables.
    pub name: &'static str,
    /// The GraphQL document.
    pub query: &'static str,
}

/// The five canonical workloads.
pub const WORKLOADS: [Workload; 5] = [
    Workload { number: 1, name: "outcome profile 2023", query: include_str!("../workloads/1_outcome_profile.graphql") },
    Workload {
        number: 2,
        name: "dashboard map (all areas)",
        query: include_str!("../workloads/2_dashboard_map.graphql"),
    },
    Workload {
        number: 3,
        name: "area timeline (Suffolk)",
        query: include_str!("../workloads/3_area_timeline.graphql"),
    },
    Workload {
        number: 4,
        name: "100 inspections by region",
        query: include_str!("../workloads/4_inspections_page.graphql"),
    },
    Workload { number: 5, name: "theme counts by year", query: include_str!("../workloads/5_theme_counts.graphql") },
];

/// A connection whose SQL statements are counted (through sea-orm's metric callback, which sees every statement
/// sea-orm runs, transactions' reads included).
pub struct CountedDb {
    /// The connection.
    pub db: sea_orm::DatabaseConnection,
    seen: Arc<Mutex<Vec<String>>>,
}

impl CountedDb {
    /// Opens `url` with statement counting.
    pub async fn open(url: &str) -> anyhow::Result<Self> {
        let mut db = send_model::connect(&send_model::DbConfig::new(url.to_owned())).await?;
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        db.set_metric_callback(move |info| {
            if let Ok(mut log) = log.lock() {
                log.push(info.statement.sql.clone());
            }
        });
        Ok(Self { db, seen })
    }

    /// Runs `query` once and returns the statements it cost and its response.
    pub async fn statements(&self, query: &str) -> (usize, async_graphql::Response) {
        let (sql, response) = self.statement_texts(query).await;
        (sql.len(), response)
    }

    /// Runs `query` and returns the SQL of each statement it ran, in order, and its response: what a request costs
    /// once the read model of the dataset version is built (it is built once per import; a first run builds it).
    pub async fn statement_texts(&self, query: &str) -> (Vec<String>, async_graphql::Response) {
        let schema = send_api::build_schema(self.db.clone());
        send_api::execute(&schema, &self.db, query.into()).await;
        if let Ok(mut log) = self.seen.lock() {
            log.clear();
        }
        let response = send_api::execute(&schema, &self.db, query.into()).await;
        let sql = self.seen.lock().map(|mut log| std::mem::take(&mut *log)).unwrap_or_default();
        (sql, response)
    }
}
