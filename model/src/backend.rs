//! The SQL that differs between SQLite and PostgreSQL, in one place.

use std::time::{Duration, Instant};

use sea_orm::{
    AccessMode, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, IsolationLevel, Statement,
    TransactionTrait,
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
