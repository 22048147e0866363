//! Bulk loads. Against readers: on PostgreSQL a bulk load takes exclusive locks, and readers (each request a
//! REPEATABLE READ snapshot that reads the import runs first, then inspections, priority actions and areas in
//! whatever order its fields resolve) must wait for it, never deadlock with it. On both backends: a bulk load writes
//! what a row-by-row load writes and puts back every index and key it set aside, and rows inserted together keep
//! every character.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use send_bench::synth;
use send_importer::{ImportOptions, import, read_paths};
use send_model::entity::{import_run, inspection, priority_action};

use crate::support::{
    Backend, TempDir, TestDb, backends, data_file, each_backend, each_backend_with_data, record_pass, snapshot,
    without_runs,
};

/// What the readers ask, each in a loop: between them they read the import runs, inspections, priority actions and
/// areas in different orders.
const READS: [&str; 5] = [
    "{ dataset { version importRuns { id rowsInserted } } }",
    "{ inspections(first: 50) { totalCount edges { node { key priorityActions { theme } } } } }",
    r#"{ inspections(first: 20, filter: {nameContains: "Synthetic Area 00"}) { edges { node { key area { name } importRun { id } } } } }"#,
    "{ areas(first: 20) { edges { node { name latestInspection { key priorityActions { theme } } } } } }",
    r#"{ areas(first: 5, filter: {nameContains: "Synthetic"}) { edges { node { code inspections { key } } } } dataset { lastImport { id } } }"#,
];

/// Readers per query.
const READERS_PER_QUERY: usize = 2;

/// Rows of the bulk-loaded file; the first `HELD` of them are imported before it, so that readers have inspections
/// and priority actions to read while it loads.
const ROWS: usize = 60_000;
const HELD: usize = 2_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_bulk_load_under_read_load_completes_with_no_reader_error() {
    let dir = TempDir::new();
    let data = synth::generate(&dir.join("csv"), ROWS, 14).expect("generate");
    let (reference, inspections) = data.files.split_at(data.files.len() - 1);
    let text = std::fs::read_to_string(&inspections[0]).expect("read inspections");
    let head: Vec<&str> = text.lines().take(HELD + 1).collect();
    let held = dir.join("held.csv");
    std::fs::write(&held, head.join("\n") + "\n").expect("write held rows");

    for backend in backends() {
        // The deadlock was PostgreSQL's (SQLite's readers keep their snapshot and take no table locks): three rounds
        // there, one on SQLite.
        // `SEND_BULK_LOCK_ROUNDS` asks for more rounds on PostgreSQL (e.g. ten, by hand).
        let rounds = match backend {
            Backend::Postgres(_) => {
                std::env::var("SEND_BULK_LOCK_ROUNDS").ok().and_then(|n| n.parse().ok()).unwrap_or(3)
            }
            Backend::Sqlite => 1,
        };
        for round in 1..=rounds {
            let t = TestDb::new(&backend).await;
            let mut before = reference.to_vec();
            before.push(held.clone());
            import(&t.db, read_paths(&before).expect("read"), ImportOptions::default()).await.expect("held rows");

            let importing = Arc::new(AtomicBool::new(true));
            // Readers wait for the bulk load to commit; a debug build on a busy machine can hold its locks longer than
            // the default 10 s request limit (a release build holds them about a second), and a request refused for
            // taking too long is not what this test is about: a longer limit, and no error of any kind allowed.
            let limits = send_api::Limits { timeout: Duration::from_secs(120), ..Default::default() };
            let models = Arc::new(send_api::ReadModels::new(Duration::ZERO));
            let schema = send_api::build_schema_with(t.db.clone(), &limits, models);
            let mut readers = Vec::new();
            for (i, query) in READS.iter().cycle().take(READS.len() * READERS_PER_QUERY).enumerate() {
                let (db, schema, importing) = (t.db.clone(), schema.clone(), importing.clone());
                readers.push(tokio::spawn(async move {
                    let (mut requests, mut errors, mut longest) = (0usize, Vec::new(), Duration::ZERO);
                    // Readers start a little apart, so that their snapshots are begun at different moments.
                    tokio::time::sleep(Duration::from_millis(7 * i as u64)).await;
                    while importing.load(Ordering::SeqCst) {
                        let asked = Instant::now();
                        let response = send_api::execute(&schema, &db, async_graphql::Request::new(*query)).await;
                        longest = longest.max(asked.elapsed());
                        requests += 1;
                        if !response.errors.is_empty() {
                            errors.push(format!("{query}: {:?}", response.errors));
                        }
                    }
                    (requests, errors, longest)
                }));
            }
            let started = Instant::now();
            let report = import(&t.db, read_paths(inspections).expect("read"), ImportOptions::default()).await;
            let took = started.elapsed();
            importing.store(false, Ordering::SeqCst);
            let (mut requests, mut errors, mut longest) = (0, Vec::new(), Duration::ZERO);
            for reader in readers {
                let (n, mut e, l) = reader.await.expect("reader");
                requests += n;
                errors.append(&mut e);
                longest = longest.max(l);
            }
            let report = report.unwrap_or_else(|e| panic!("round {round} on {backend:?}: the bulk import failed: {e}"));
            let file = report.files.last().expect("a file");
            assert_eq!(
                file.inserted as usize,
                data.inspections - HELD,
                "round {round} on {backend:?}: every new row was loaded"
            );
            eprintln!(
                "round {round} on {backend:?}: bulk import of {ROWS} rows in {took:.1?} under {requests} reader requests \
                 (the longest {longest:.1?}), {} errors",
                errors.len()
            );
            assert!(requests >= READS.len() * READERS_PER_QUERY, "the readers ran: {requests}");
            assert!(errors.is_empty(), "round {round} on {backend:?}: {} reader errors: {errors:#?}", errors.len());
            t.close().await;
        }
        record_pass(&backend);
    }
}

/// The cycle of issue 14 made by hand on PostgreSQL: a reader's snapshot holds `priority_action` and then reads
/// `inspection` while a bulk load is taking both. The bulk load lets it through instead of deadlocking (the reader
/// waits less than a second, and gets no error); while the reader keeps its snapshot the bulk load keeps trying, and
/// fails once its patience is spent, naming the tables; once the reader has finished, it succeeds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bulk_load_gives_way_to_a_reader_holding_one_of_its_tables() {
    use sea_orm::{AccessMode, ConnectionTrait, IsolationLevel, TransactionTrait};
    let Some(backend) = backends().into_iter().find(|b| matches!(b, Backend::Postgres(_))) else { return };
    let dir = TempDir::new();
    let data = synth::generate(&dir.join("csv"), 3_000, 5).expect("generate");
    let (reference, inspections) = data.files.split_at(data.files.len() - 1);
    let text = std::fs::read_to_string(&inspections[0]).expect("read inspections");
    let held = dir.join("held.csv");
    std::fs::write(&held, text.lines().take(301).collect::<Vec<_>>().join("\n") + "\n").expect("write held rows");
    let t = TestDb::new(&backend).await;
    let mut before = reference.to_vec();
    before.push(held);
    import(&t.db, read_paths(&before).expect("read"), ImportOptions::default()).await.expect("held rows");
    let bulk = ImportOptions { bulk_load_rows: 1_000, ..Default::default() };

    let count = |table: &str| {
        sea_orm::Statement::from_string(sea_orm::DbBackend::Postgres, format!("SELECT count(*) AS n FROM {table}"))
    };
    for (patience, reader_holds) in
        [(Duration::from_millis(1_500), Duration::from_secs(3)), (bulk.bulk_lock_patience, Duration::from_millis(800))]
    {
        let reader =
            t.db.begin_with_config(Some(IsolationLevel::RepeatableRead), Some(AccessMode::ReadOnly))
                .await
                .expect("begin");
        reader.query_one_raw(count("priority_action")).await.expect("the reader reads priority actions");
        let importing = {
            let (db, files) = (t.db.clone(), read_paths(inspections).expect("read"));
            tokio::spawn(async move {
                let started = Instant::now();
                let report = import(&db, files, ImportOptions { bulk_lock_patience: patience, ..bulk }).await;
                (report, started.elapsed())
            })
        };
        // The bulk load is now trying to lock both tables: inspection first, which it gets, then priority_action,
        // which the reader holds. The reader asks for inspection: the cycle that used to be a deadlock.
        tokio::time::sleep(Duration::from_millis(300)).await;
        let asked = Instant::now();
        reader.query_one_raw(count("inspection")).await.expect("the reader reads inspections: no deadlock");
        let waited = asked.elapsed();
        assert!(waited < Duration::from_secs(1), "the reader waited {waited:?}, no more than one try of the bulk load");
        tokio::time::sleep(reader_holds.saturating_sub(Duration::from_millis(300))).await;
        reader.commit().await.expect("the reader finishes");
        let (report, took) = importing.await.expect("import task");
        if patience < reader_holds {
            let message = report.expect_err("the reader outlasted the bulk load's patience").to_string();
            assert!(message.contains("inspection, priority_action"), "{message}");
            assert!(message.contains("readers kept them busy"), "{message}");
            assert!(took < reader_holds, "it gave up after its patience ({took:?})");
        } else {
            let report = report.expect("the bulk load waited for the reader, then loaded");
            assert_eq!(report.files.last().expect("a file").inserted as usize, data.inspections - 300);
            assert!(took >= reader_holds.saturating_sub(Duration::from_millis(300)), "it waited ({took:?})");
        }
    }
    t.close().await;
    record_pass(&backend);
}

/// The database's own catalogue of indexes and foreign keys, as text.
async fn catalogue(db: &sea_orm::DatabaseConnection) -> String {
    use sea_orm::{ConnectionTrait, DbBackend, Statement};
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => {
            "SELECT indexname || ': ' || indexdef AS line FROM pg_indexes WHERE schemaname = current_schema() \
             UNION ALL SELECT conname || ': ' || pg_get_constraintdef(oid) FROM pg_constraint \
             WHERE connamespace = current_schema()::regnamespace ORDER BY 1"
        }
        _ => {
            "SELECT name || ': ' || COALESCE(sql, '(automatic)') AS line FROM sqlite_master WHERE type = 'index' \
              UNION ALL SELECT m.name || ' -> ' || f.\"table\" || '(' || f.\"to\" || ')' \
              FROM sqlite_master m, pragma_foreign_key_list(m.name) f WHERE m.type = 'table' ORDER BY 1"
        }
    };
    let rows = db.query_all_raw(Statement::from_string(backend, sql)).await.expect("catalogue");
    rows.iter().map(|r| r.try_get::<String>("", "line").expect("line")).collect::<Vec<_>>().join("\n")
}

#[tokio::test]
async fn a_bulk_load_writes_what_a_row_by_row_load_writes_and_rebuilds_every_index_and_key() {
    each_backend(|bulk| async move {
        use crate::support::Backend;
        let same = |b: &Backend| {
            matches!(
                (b, bulk.db.get_database_backend()),
                (Backend::Sqlite, sea_orm::DbBackend::Sqlite) | (Backend::Postgres(_), sea_orm::DbBackend::Postgres)
            )
        };
        let backend = crate::support::backends().into_iter().find(same).expect("this backend");
        let row_by_row = crate::support::TestDb::new(&backend).await;
        let schema = catalogue(&bulk.db).await;
        assert!(schema.contains("ix_inspection_framework_region_start_date"), "{schema}");
        // Every inspections file of the bundle is a bulk load here; the default threshold makes none of them one.
        let options = ImportOptions { bulk_load_rows: 1, ..Default::default() };
        import(&bulk.db, send_importer::bundled(), options).await.expect("bulk import");
        assert_eq!(catalogue(&bulk.db).await, schema, "the indexes and keys set aside are all back, unchanged");
        // A dry run that sets them aside and rolls back leaves them too.
        let dry = ImportOptions { dry_run: true, ..options };
        import(&bulk.db, read_paths(&[data_file("inspections.csv")]).expect("read"), dry).await.expect("dry run");
        assert_eq!(catalogue(&bulk.db).await, schema);

        import(&row_by_row.db, send_importer::bundled(), ImportOptions::default()).await.expect("import");
        let (bulk_rows, rows) = (snapshot(&bulk.db).await, snapshot(&row_by_row.db).await);
        assert!(bulk_rows.contains("inspection: [Model"), "the bulk load wrote inspections");
        assert_eq!(without_runs(bulk_rows), without_runs(rows), "the same rows, ids included");
        row_by_row.close().await;
        bulk
    })
    .await;
}

#[tokio::test]
async fn rows_inserted_together_keep_quotes_braces_backslashes_commas_and_nulls() {
    use sea_orm::{ActiveValue::Set, QueryOrder, TransactionTrait};
    use send_model::domain::Theme;
    each_backend_with_data(|t| async move {
        let inspection = inspection::Entity::find().one(&t.db).await.expect("read").expect("an inspection");
        let run = import_run::Entity::find().one(&t.db).await.expect("read").expect("a run");
        let texts = [Some(r#"said "a, {b}" \ c"#), None, Some("NULL"), Some(""), Some("tab\there\nline é")];
        let rows = texts
            .iter()
            .enumerate()
            .map(|(i, text)| priority_action::ActiveModel {
                inspection_id: Set(inspection.id),
                ordinal: Set(100 + i32::try_from(i).expect("small")),
                theme: Set(Theme::ALL[i % Theme::ALL.len()]),
                text: Set(text.map(str::to_owned)),
                evidence: Set(None),
                import_run_id: Set(run.id),
                ..Default::default()
            })
            .collect();
        let txn = t.db.begin().await.expect("begin");
        send_model::backend::insert_rows(&txn, rows).await.expect("insert");
        txn.commit().await.expect("commit");
        let back: Vec<Option<String>> = priority_action::Entity::find()
            .filter(priority_action::Column::Ordinal.gte(100))
            .order_by_asc(priority_action::Column::Ordinal)
            .all(&t.db)
            .await
            .expect("read back")
            .into_iter()
            .map(|a| a.text)
            .collect();
        assert_eq!(back, texts.map(|t| t.map(str::to_owned)).to_vec());
        t
    })
    .await;
}
