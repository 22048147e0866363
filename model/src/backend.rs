//! The SQL that differs between SQLite and PostgreSQL, in one place.

use std::time::{Duration, Instant};

use sea_orm::{
    AccessMode, ActiveModelTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr,
    EntityName, EntityTrait, IdenStatic, IsolationLevel, Iterable, Statement, TransactionTrait, Value,
};

/// The advisory-lock key imports take on PostgreSQL ("SENDIMPT" as ASCII bytes).
const IMPORT_LOCK_KEY: i64 = 0x5345_4E44_494D_5054;

/// How an import got its lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportLock {
    /// No other import was running.
    Free,
    /// Another import was running; this one waited for it to finish.
    Waited(Duration),
}

/// Serialises imports: takes, inside `txn`, a lock that only one import holds at a time and that is released when
/// `txn` commits or rolls back. PostgreSQL: a transaction-level advisory lock. SQLite: a write to `import_lock` as the
/// transaction's first statement, which takes the database's write lock (waiting up to the busy timeout), so that a
/// second import waits instead of failing on a stale read. `on_wait` is called once if another import holds the lock.
pub async fn lock_imports(txn: &DatabaseTransaction, on_wait: impl FnOnce()) -> Result<ImportLock, DbErr> {
    let backend = txn.get_database_backend();
    let started = Instant::now();
    match backend {
        DbBackend::Postgres => {
            let try_lock = Statement::from_sql_and_values(
                backend,
                "SELECT pg_try_advisory_xact_lock($1) AS locked",
                [IMPORT_LOCK_KEY.into()],
            );
            let locked: bool = match txn.query_one_raw(try_lock).await? {
                Some(row) => row.try_get("", "locked")?,
                None => false,
            };
            if locked {
                return Ok(ImportLock::Free);
            }
            on_wait();
            txn.execute_raw(Statement::from_sql_and_values(
                backend,
                "SELECT pg_advisory_xact_lock($1)",
                [IMPORT_LOCK_KEY.into()],
            ))
            .await?;
            Ok(ImportLock::Waited(started.elapsed()))
        }
        _ => {
            // SQLite's busy handler waits silently; report a wait after the fact when it was noticeable.
            txn.execute_raw(Statement::from_sql_and_values(
                backend,
                "INSERT INTO import_lock (id, taken_at) VALUES (1, $1) ON CONFLICT (id) DO UPDATE SET taken_at = excluded.taken_at",
                [chrono::Utc::now().into()],
            ))
            .await
            .map_err(|e| {
                DbErr::Custom(format!(
                    "another import has held the database's write lock for too long; try again when it has finished ({e})"
                ))
            })?;
            let waited = started.elapsed();
            if waited > Duration::from_millis(200) {
                on_wait();
                Ok(ImportLock::Waited(waited))
            } else {
                Ok(ImportLock::Free)
            }
        }
    }
}

/// Begins a read-only transaction that sees one consistent snapshot for all its statements, so that a request that
/// runs several queries never mixes data from before and after an import. PostgreSQL: REPEATABLE READ, READ ONLY.
/// SQLite (WAL): a deferred transaction, whose first read fixes the snapshot.
pub async fn begin_snapshot(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    match db.get_database_backend() {
        DbBackend::Postgres => {
            db.begin_with_config(Some(IsolationLevel::RepeatableRead), Some(AccessMode::ReadOnly)).await
        }
        _ => db.begin().await,
    }
}

/// After rows were inserted with ids chosen by the importer (which holds the import lock, so no one else inserts),
/// moves PostgreSQL's id sequence of `table` past the largest id, so that later inserts that let the database choose
/// do not collide. SQLite needs nothing: it chooses after the largest id anyway.
pub async fn sync_id_sequence(txn: &DatabaseTransaction, table: &str) -> Result<(), DbErr> {
    if txn.get_database_backend() == DbBackend::Postgres {
        txn.execute_unprepared(&format!(
            "SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
        ))
        .await?;
    }
    Ok(())
}

/// SQLite's page cache for this connection while an import writes: a large one (`true`) keeps the pages of the
/// tables and indexes being filled in memory until commit, instead of spilling them to the WAL mid-transaction and
/// reading them back; `false` restores the default before the connection returns to the pool. PostgreSQL: nothing.
pub async fn bulk_write_cache(txn: &DatabaseTransaction, large: bool) -> Result<(), DbErr> {
    if txn.get_database_backend() == DbBackend::Sqlite {
        // Negative sizes are in KiB: 256 MiB while importing, SQLite's default (2 MiB) otherwise.
        txn.execute_unprepared(if large { "PRAGMA cache_size = -262144" } else { "PRAGMA cache_size = -2000" }).await?;
    }
    Ok(())
}

/// What a bulk load sets aside while it fills some tables, and builds again inside the same transaction before it
/// commits: their secondary (non-unique) indexes, and on PostgreSQL the foreign keys among them (a key whose table
/// and referenced table are both set aside). One sort per index instead of a B-tree insert per row and index is
/// about three times quicker at a million rows on both databases; one validating join per foreign key instead of a
/// trigger per row and key, about six times on PostgreSQL (SQLite's checks are a primary-key lookup in-process, and
/// stay). Keys to other tables (an inspection's area and import run) stay: dropping one would lock the table it
/// refers to, which every reader reads. Unique indexes stay, so duplicates are still refused row by row. The
/// definitions come from the database's own catalogue, so what is rebuilt is exactly what was there, and a rollback
/// brings everything back untouched. On PostgreSQL the tables are locked exclusively until commit (see
/// [`set_aside`]): readers of these tables wait for the bulk load to finish (SQLite's readers keep reading their
/// snapshot).
#[derive(Debug)]
#[must_use = "what was set aside must be restored before the transaction commits"]
pub struct SetAside {
    /// Statements that build it all again, in order.
    restore: Vec<String>,
}

/// The longest a bulk load waits for each table's lock in one try on PostgreSQL (less when the server's
/// `deadlock_timeout` is under twice this per table: see [`set_aside`]).
pub const LOCK_TRY: Duration = Duration::from_millis(200);

/// How long a bulk load keeps trying to lock its tables on PostgreSQL, by default, before the import fails.
pub const LOCK_PATIENCE: Duration = Duration::from_secs(60);

/// Drops the non-unique secondary indexes of `tables` (and on PostgreSQL the foreign keys among them) inside `txn`;
/// [`SetAside::restore`] builds them again.
///
/// On PostgreSQL it first takes every lock the drops need, all at once: `LOCK TABLE` of `tables` in the order given
/// (callers pass a constant list) in ACCESS EXCLUSIVE mode, which readers wait for until commit. Readers take their
/// locks in any order and hold them to the end of their request's snapshot, so the importer must never wait for a
/// lock while holding one a reader waits for: each try runs in a savepoint under a `lock_timeout` short enough (at
/// most half of `deadlock_timeout` for all the tables) that a reader queued behind a try is let through before its
/// own deadlock check runs, and a try that times out rolls back to the savepoint, which releases whatever it took.
/// The next try follows a pause that doubles up to a second, for at most `patience` ([`LOCK_PATIENCE`] by default);
/// then it fails, naming the tables. Once the locks are held, nothing else the import does needs a lock a reader
/// holds (its other writes take row-level locks and ROW EXCLUSIVE, which readers' ACCESS SHARE does not conflict
/// with), and no key to another table is dropped.
pub async fn set_aside(txn: &DatabaseTransaction, tables: &[&str], patience: Duration) -> Result<SetAside, DbErr> {
    let backend = txn.get_database_backend();
    if backend == DbBackend::Postgres {
        lock_exclusively(txn, tables, patience).await?;
    }
    let (indexes, foreign_keys) = match backend {
        DbBackend::Postgres => (
            "SELECT indexname AS name, indexdef AS definition FROM pg_indexes \
             WHERE schemaname = current_schema() AND tablename = $1 AND indexdef NOT LIKE 'CREATE UNIQUE %' \
             ORDER BY indexname",
            // Only keys to a table also set aside ($2, comma-separated): dropping a key locks the table it refers to.
            Some(
                "SELECT conname AS name, pg_get_constraintdef(oid) AS definition FROM pg_constraint \
                 WHERE conrelid = to_regclass(quote_ident($1)) AND contype = 'f' \
                 AND confrelid IN (SELECT to_regclass(quote_ident(t)) FROM unnest(string_to_array($2, ',')) AS t) \
                 ORDER BY conname",
            ),
        ),
        // Indexes SQLite made itself (for a UNIQUE or PRIMARY KEY clause) have no SQL and cannot be dropped.
        _ => (
            "SELECT name, sql AS definition FROM sqlite_master \
             WHERE type = 'index' AND tbl_name = $1 AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE %' \
             ORDER BY name",
            None,
        ),
    };
    let quote = |name: &str| format!("\"{}\"", name.replace('"', "\"\""));
    let mut restore = Vec::new();
    let mut constraints = Vec::new();
    for table in tables {
        for row in txn.query_all_raw(Statement::from_sql_and_values(backend, indexes, [(*table).into()])).await? {
            let name: String = row.try_get("", "name")?;
            restore.push(row.try_get("", "definition")?);
            txn.execute_unprepared(&format!("DROP INDEX {}", quote(&name))).await?;
        }
        if let Some(foreign_keys) = foreign_keys {
            let catalogue =
                Statement::from_sql_and_values(backend, foreign_keys, [(*table).into(), tables.join(",").into()]);
            for row in txn.query_all_raw(catalogue).await? {
                let name: String = row.try_get("", "name")?;
                let definition: String = row.try_get("", "definition")?;
                let table = quote(table);
                txn.execute_unprepared(&format!("ALTER TABLE {table} DROP CONSTRAINT {}", quote(&name))).await?;
                constraints.push(format!("ALTER TABLE {table} ADD CONSTRAINT {} {definition}", quote(&name)));
            }
        }
    }
    // Keys after indexes: a key's validating join may use them.
    restore.append(&mut constraints);
    Ok(SetAside { restore })
}

/// PostgreSQL: takes ACCESS EXCLUSIVE locks on `tables`, in the order given, without ever waiting for one while
/// holding another that a reader may be waiting for (see [`set_aside`]).
async fn lock_exclusively(txn: &DatabaseTransaction, tables: &[&str], patience: Duration) -> Result<(), DbErr> {
    if tables.is_empty() {
        return Ok(());
    }
    let backend = txn.get_database_backend();
    let setting =
        |name: &str| Statement::from_sql_and_values(backend, "SELECT current_setting($1) AS value", [name.into()]);
    let previous: String = match txn.query_one_raw(setting("lock_timeout")).await? {
        Some(row) => row.try_get("", "value")?,
        None => "0".to_owned(),
    };
    // A reader queued behind a try waits at most the try's length (each table's wait is bounded by lock_timeout);
    // that must end before the reader's own deadlock check would find it in a cycle with the importer.
    let deadlock_ms: u64 = match txn
        .query_one_raw(Statement::from_string(
            backend,
            "SELECT setting::int8 AS ms FROM pg_settings WHERE name = 'deadlock_timeout'",
        ))
        .await?
    {
        Some(row) => u64::try_from(row.try_get::<i64>("", "ms")?).unwrap_or(1_000),
        None => 1_000,
    };
    let per_table =
        u64::try_from(LOCK_TRY.as_millis()).unwrap_or(200).min(deadlock_ms / (2 * tables.len() as u64).max(1)).max(1);
    let names: Vec<String> = tables.iter().map(|t| format!("\"{}\"", t.replace('"', "\"\""))).collect();
    let lock = format!("LOCK TABLE {} IN ACCESS EXCLUSIVE MODE", names.join(", "));
    let started = Instant::now();
    let mut pause = Duration::from_millis(50);
    let mut tries = 0u32;
    loop {
        tries += 1;
        txn.execute_unprepared("SAVEPOINT send_bulk_lock").await?;
        txn.execute_unprepared(&format!("SET LOCAL lock_timeout = '{per_table}ms'")).await?;
        match txn.execute_unprepared(&lock).await {
            Ok(_) => {
                txn.execute_unprepared("RELEASE SAVEPOINT send_bulk_lock").await?;
                txn.execute_raw(Statement::from_sql_and_values(
                    backend,
                    "SELECT set_config('lock_timeout', $1, true)",
                    [previous.into()],
                ))
                .await?;
                if tries > 1 {
                    tracing::info!(tries, waited_ms = started.elapsed().as_millis(), "bulk load: tables locked");
                }
                return Ok(());
            }
            Err(e) if is_lock_timeout(&e) => {
                // Releases the locks this try took (the failed statement already did) and the lock_timeout.
                txn.execute_unprepared("ROLLBACK TO SAVEPOINT send_bulk_lock").await?;
                txn.execute_unprepared("RELEASE SAVEPOINT send_bulk_lock").await?;
                if started.elapsed() + pause > patience {
                    return Err(DbErr::Custom(format!(
                        "a bulk load could not lock the tables {} in {:.1} s ({tries} tries): readers kept them busy; \
                         try again when the database is less busy",
                        tables.join(", "),
                        started.elapsed().as_secs_f64()
                    )));
                }
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(Duration::from_secs(1));
            }
            Err(e) => return Err(e),
        }
    }
}

/// Whether `e` is PostgreSQL's "canceling statement due to lock timeout" (SQLSTATE 55P03, lock_not_available).
fn is_lock_timeout(e: &DbErr) -> bool {
    match e {
        DbErr::Exec(sea_orm::RuntimeErr::SqlxError(e)) | DbErr::Query(sea_orm::RuntimeErr::SqlxError(e)) => {
            e.as_database_error().and_then(|d| d.code()).is_some_and(|code| code == "55P03")
        }
        _ => false,
    }
}

impl SetAside {
    /// Builds everything again, in the same transaction (see [`after_bulk_load`] once it has committed).
    pub async fn restore(self, txn: &DatabaseTransaction) -> Result<(), DbErr> {
        for statement in &self.restore {
            txn.execute_unprepared(statement).await?;
        }
        Ok(())
    }
}

/// After a bulk load into `tables` has committed. PostgreSQL: `VACUUM (ANALYZE)` them, which sets their visibility
/// map (index-only scans) and gathers the statistics the planner needs, instead of leaving it to the autovacuum a
/// million new rows trigger, which then competes with the first readers. SQLite: nothing.
pub async fn after_bulk_load(db: &DatabaseConnection, tables: &[&str]) -> Result<(), DbErr> {
    if db.get_database_backend() == DbBackend::Postgres {
        let tables: Vec<String> = tables.iter().map(|t| format!("\"{t}\"")).collect();
        db.execute_unprepared(&format!("VACUUM (ANALYZE) {}", tables.join(", "))).await?;
    }
    Ok(())
}

/// Inserts `rows`, whose set columns must be the same in every row (as sea-orm's multi-row insert also requires).
/// SQLite: sea-orm's multi-row `INSERT … VALUES`, as many rows per statement as its 32 766 parameters allow.
/// PostgreSQL: one text array per column, unnested into rows (`INSERT … SELECT * FROM unnest($1::int4[], …)`), ten
/// thousand rows to a statement of a dozen parameters: a 500-row `VALUES` list binds 10 000 parameters that
/// PostgreSQL parses and plans every time, which made its inserts of a million inspections about four times slower.
pub async fn insert_rows<A>(txn: &DatabaseTransaction, rows: Vec<A>) -> Result<(), DbErr>
where
    A: ActiveModelTrait + Send,
{
    let Some(first) = rows.first() else { return Ok(()) };
    let columns: Vec<_> = <A::Entity as EntityTrait>::Column::iter().filter(|c| first.get(*c).is_set()).collect();
    let backend = txn.get_database_backend();
    if backend == DbBackend::Postgres
        && let Some(statements) = unnest_statements(&rows, &columns)
    {
        for statement in statements {
            txn.execute_raw(statement).await?;
        }
        return Ok(());
    }
    let per_statement = (32_766 / columns.len().max(1)).max(1);
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        A::Entity::insert_many(rows.by_ref().take(per_statement)).exec_without_returning(txn).await?;
    }
    Ok(())
}

/// The `unnest` inserts of [`insert_rows`] on PostgreSQL; `None` when a value has a type this does not write (the
/// caller then uses sea-orm's insert) or a row lacks a column.
fn unnest_statements<A: ActiveModelTrait>(
    rows: &[A],
    columns: &[<A::Entity as EntityTrait>::Column],
) -> Option<Vec<Statement>> {
    const ROWS_PER_STATEMENT: usize = 10_000;
    let table = A::Entity::default().table_name().to_owned();
    let names: Vec<String> = columns.iter().map(|c| format!("\"{}\"", c.as_str())).collect();
    let mut statements = Vec::new();
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let mut arrays = Vec::with_capacity(columns.len());
        let mut casts = Vec::with_capacity(columns.len());
        for column in columns {
            let mut text = String::from("{");
            let mut element_type = None;
            for (i, row) in chunk.iter().enumerate() {
                let value = row.get(*column).into_value()?;
                if i > 0 {
                    text.push(',');
                }
                element_type = Some(push_array_element(&mut text, &value)?);
            }
            text.push('}');
            casts.push(format!("${}::{}[]", casts.len() + 1, element_type?));
            arrays.push(Value::from(text));
        }
        let sql = format!("INSERT INTO \"{table}\" ({}) SELECT * FROM unnest({})", names.join(", "), casts.join(", "));
        statements.push(Statement::from_sql_and_values(DbBackend::Postgres, sql, arrays));
    }
    Some(statements)
}

/// Appends `value` to a PostgreSQL array literal as a quoted element (or `NULL`); returns its element type.
fn push_array_element(text: &mut String, value: &Value) -> Option<&'static str> {
    let mut quoted = |element: Option<String>| match element {
        None => text.push_str("NULL"),
        Some(element) => {
            text.push('"');
            for c in element.chars() {
                if c == '"' || c == '\\' {
                    text.push('\\');
                }
                text.push(c);
            }
            text.push('"');
        }
    };
    let element_type = match value {
        Value::Bool(v) => {
            quoted(v.map(|b| if b { "t" } else { "f" }.to_owned()));
            "bool"
        }
        Value::Int(v) => {
            quoted(v.map(|n| n.to_string()));
            "int4"
        }
        Value::BigInt(v) => {
            quoted(v.map(|n| n.to_string()));
            "int8"
        }
        Value::String(v) => {
            quoted(v.clone());
            "text"
        }
        Value::ChronoDate(v) => {
            quoted(v.map(|d| crate::domain::IsoDay(d).to_string()));
            "date"
        }
        Value::ChronoDateTimeUtc(v) => {
            quoted(v.map(|t| t.to_rfc3339()));
            "timestamptz"
        }
        _ => return None,
    };
    Some(element_type)
}
