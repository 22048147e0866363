//! What the fuzz targets share: one server per process (an SQLite database with the bundled data imported once,
//! the schema and the router over it, a tokio runtime to drive them) and the checks every GraphQL answer must pass.
//!
//! The targets are in `fuzz_targets/`; docs/fuzzing.md says what each covers and how to run them.

use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Duration;

use sea_orm::DatabaseConnection;
use send_api::{AppSchema, AppState, HttpConfig, Limits};
use serde_json::Value;

/// The limits the fuzzed server runs with: the defaults, but a time limit of 5 s, so that a slow request is
/// answered `TIMEOUT` by the API well before libFuzzer's `-timeout=10` would call it a hang.
pub fn limits() -> Limits {
    Limits { timeout: Duration::from_secs(5), ..Limits::default() }
}

/// One server per fuzzing process.
pub struct Server {
    /// Drives the schema and the router.
    pub runtime: tokio::runtime::Runtime,
    /// The database: an SQLite file with the bundled data.
    pub db: DatabaseConnection,
    /// The schema, built as the server builds it (with [`limits`]).
    pub schema: AppSchema,
    /// The router's state (the same database, [`limits`]).
    pub state: AppState,
}

/// The process's server, built on first use: a fresh SQLite file under the temp dir (fuzz/run.sh points `TMPDIR`
/// into fuzz/target), migrated, with the bundled dataset imported, exactly as `send-api` prepares an empty database.
pub fn server() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a tokio runtime");
        let dir: PathBuf = std::env::temp_dir().join(format!("send-fuzz-{}", std::process::id()));
        std::fs::remove_dir_all(&dir).ok();
        let url = send_model::default_sqlite_url(&dir).expect("a folder for the fuzzing database");
        let db = runtime.block_on(async {
            let db = send_model::connect(&send_model::DbConfig::new(url)).await.expect("open the fuzzing database");
            send_api::prepare(&db, true).await.expect("migrate and import the bundled data");
            db
        });
        let models = std::sync::Arc::new(send_api::ReadModels::new(Duration::ZERO));
        let schema = send_api::build_schema_with(db.clone(), &limits(), models);
        let state = AppState::with_config(db.clone(), HttpConfig { limits: limits(), ..HttpConfig::default() });
        Server { runtime, db, schema, state }
    })
}

/// Panics (a crash to libFuzzer) unless every error of a GraphQL answer has a string `extensions.code` and none is
/// `INTERNAL`: a client's request, however malformed, is never the server's fault. `context` is printed with the
/// failure (the input as text).
pub fn assert_errors_coded(answer: &Value, context: &str) {
    let Some(errors) = answer.get("errors") else { return };
    let errors = errors.as_array().unwrap_or_else(|| panic!("`errors` is not a list in {answer} for {context:?}"));
    for error in errors {
        let code = error.pointer("/extensions/code").and_then(Value::as_str);
        match code {
            None => panic!("an error without extensions.code: {error} for {context:?}"),
            Some("INTERNAL") => panic!("an INTERNAL error for a client's request: {error} for {context:?}"),
            Some(_) => {}
        }
    }
}
