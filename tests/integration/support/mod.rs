//! Test support: a fresh database per test on every backend (this module), the bundled data read independently of
//! the code under test ([`data`]), the GraphQL schema run without HTTP ([`graphql`]), requests through the router
//! ([`http`]), the importer's entry points ([`import`]), and a loopback server that can misbehave ([`serve`]).

mod data;
mod graphql;
pub mod http;
pub mod import;
pub mod serve;

use std::future::Future;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use sea_orm::{ConnectionTrait, Database, DatabaseConnection, EntityTrait, QueryOrder};
use send_model::entity::{
    area_alias, area_lineage, area_partner, area_population, icb, import_run, inspection, inspection_change,
    local_area, priority_action, region, statistical_neighbour, thematic_visit,
};

pub use data::{
    INSPECTIONS_HEADER, NEIGHBOURS_FILE, bundled_inspections, csv_rows, data_dir, data_file, fixture,
    full_2023_placed_by, gss_of_dfe, neighbours_in_lookup, placed_on,
};
pub use graphql::{error_code, gql, gql_data};

static COUNTER: AtomicUsize = AtomicUsize::new(0);

fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
    format!("{prefix}_{}_{}_{nanos}", std::process::id(), COUNTER.fetch_add(1, Ordering::SeqCst))
}

/// A scratch folder, removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    /// A new empty folder under the system's temp dir.
    pub fn new() -> Self {
        let path = std::env::temp_dir().join(unique("send-test"));
        std::fs::create_dir_all(&path).expect("create temp dir");
        Self(path)
    }

    /// A path inside the folder.
    pub fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        std::fs::remove_dir_all(&self.0).ok();
    }
}

/// Which database a test runs against.
#[derive(Debug, Clone)]
pub enum Backend {
    /// An SQLite file in a fresh folder.
    Sqlite,
    /// A fresh database on the PostgreSQL server of `TEST_DATABASE_URL`.
    Postgres(String),
}

/// Notes that the current test passed on `backend`, in the file `SEND_TEST_BACKEND_LOG` names (when set), so that
/// `.ci/run` can show how many tests ran against each backend.
pub fn record_pass(backend: &Backend) {
    let Ok(path) = std::env::var("SEND_TEST_BACKEND_LOG") else { return };
    let name = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres(_) => "postgres",
    };
    let test = std::thread::current().name().unwrap_or("unknown").to_owned();
    let line = format!("{name}\t{test}\n");
    use std::io::Write;
    if let Ok(mut file) = std::fs::OpenOptions::new().create(true).append(true).open(path) {
        file.write_all(line.as_bytes()).ok();
    }
}

/// SQLite always; PostgreSQL too when `TEST_DATABASE_URL` is set (CI sets it).
pub fn backends() -> Vec<Backend> {
    let mut all = vec![Backend::Sqlite];
    if let Ok(url) = std::env::var("TEST_DATABASE_URL")
        && !url.is_empty()
    {
        all.push(Backend::Postgres(url));
    }
    all
}

/// `url` with its database name replaced by `name`.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let prefix = base.rsplit_once('/').map_or(base, |(p, _)| p);
    match query {
        Some(q) => format!("{prefix}/{name}?{q}"),
        None => format!("{prefix}/{name}"),
    }
}

/// A fresh, migrated, empty database of one backend.
pub struct TestDb {
    /// The connection.
    pub db: DatabaseConnection,
    /// The connection URL (for the CLI and server, which open their own pools).
    pub url: String,
    dir: Option<TempDir>,
    pg: Option<(String, String)>,
}

impl TestDb {
    /// Creates the database and applies the migrations.
    pub async fn new(backend: &Backend) -> Self {
        let t = Self::new_unmigrated(backend).await;
        send_model::migrate(&t.db).await.expect("migrate");
        t
    }

    /// A fresh, empty database whose schema has not been created.
    pub async fn new_unmigrated(backend: &Backend) -> Self {
        let (url, dir, pg) = match backend {
            Backend::Sqlite => {
                let dir = TempDir::new();
                let url = send_model::default_sqlite_url(&dir.0).expect("sqlite url");
                (url, Some(dir), None)
            }
            Backend::Postgres(admin_url) => {
                let name = unique("send_test");
                let admin = Database::connect(admin_url.as_str()).await.expect("connect to TEST_DATABASE_URL");
                admin.execute_unprepared(&format!("CREATE DATABASE \"{name}\"")).await.expect("create test database");
                admin.close().await.ok();
                (with_database(admin_url, &name), None, Some((admin_url.clone(), name)))
            }
        };
        let db = send_model::connect(&send_model::DbConfig::new(url.clone())).await.expect("connect");
        Self { db, url, dir, pg }
    }

    /// Closes the pool and drops the database.
    pub async fn close(self) {
        self.db.close().await.ok();
        if let Some((admin_url, name)) = &self.pg
            && let Ok(admin) = Database::connect(admin_url.as_str()).await
        {
            admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).await.ok();
            admin.close().await.ok();
        }
        drop(self.dir);
    }
}

/// Runs `test` once per backend, each time on a fresh database.
pub async fn each_backend<F, Fut>(test: F)
where
    F: Fn(TestDb) -> Fut,
    Fut: Future<Output = TestDb>,
{
    for backend in backends() {
        let db = TestDb::new(&backend).await;
        let db = test(db).await;
        db.close().await;
        record_pass(&backend);
    }
}

/// A fresh database with the bundled dataset imported, per backend.
pub async fn each_backend_with_data<F, Fut>(test: F)
where
    F: Fn(TestDb) -> Fut,
    Fut: Future<Output = TestDb>,
{
    each_backend(|t| async {
        send_importer::import(&t.db, send_importer::bundled(), send_importer::ImportOptions::default())
            .await
            .expect("bundled import");
        test(t).await
    })
    .await;
}

/// Every row of every table, in a stable order, as text: equal snapshots mean an unchanged database.
pub async fn snapshot(db: &DatabaseConnection) -> String {
    let mut out = String::new();
    macro_rules! dump {
        ($entity:ident, $order:expr) => {
            let rows = $entity::Entity::find().order_by_asc($order).all(db).await.expect("dump");
            out.push_str(&format!("{}: {rows:?}\n", stringify!($entity)));
        };
    }
    dump!(import_run, import_run::Column::Id);
    dump!(region, region::Column::Code);
    dump!(icb, icb::Column::Code);
    dump!(local_area, local_area::Column::Id);
    dump!(area_alias, area_alias::Column::Id);
    dump!(area_lineage, area_lineage::Column::Id);
    dump!(area_partner, area_partner::Column::Id);
    dump!(inspection, inspection::Column::Id);
    dump!(inspection_change, inspection_change::Column::Id);
    dump!(priority_action, priority_action::Column::Id);
    dump!(thematic_visit, thematic_visit::Column::Id);
    dump!(statistical_neighbour, statistical_neighbour::Column::Id);
    dump!(area_population, area_population::Column::Id);
    out
}

/// A [`snapshot`] without its import runs: what an import that "changes nothing" leaves equal.
pub fn without_runs(snapshot: impl AsRef<str>) -> String {
    snapshot.as_ref().lines().filter(|l| !l.starts_with("import_run:")).collect::<Vec<_>>().join("\n")
}
