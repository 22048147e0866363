//! The scope one request reads through (see the read model's documentation).

use std::sync::Arc;

use sea_orm::{DatabaseConnection, DatabaseTransaction, DbErr};

use super::held::ReadModel;
use super::models::ReadModels;
use super::models::{OUTAGE_PROBE, Reach};

/// What one request reads through: its read snapshot of the database, begun at its first statement, and the read
/// model, of the same dataset version (see the module's documentation).
pub struct Scope {
    db: DatabaseConnection,
    models: Arc<ReadModels>,
    snapshot: tokio::sync::OnceCell<(DatabaseTransaction, Option<String>)>,
    model: tokio::sync::OnceCell<Arc<ReadModel>>,
    /// Why the database could not be read, if it could not: the request is then refused as a whole (HTTP 503).
    failure: std::sync::OnceLock<String>,
}

impl Scope {
    /// A scope that begins its snapshot only if a statement is needed.
    pub fn lazy(db: DatabaseConnection, models: Arc<ReadModels>) -> Self {
        Self {
            db,
            models,
            snapshot: tokio::sync::OnceCell::new(),
            model: tokio::sync::OnceCell::new(),
            failure: std::sync::OnceLock::new(),
        }
    }

    /// A scope whose snapshot is begun now (its version is then known: HTTP caching, CSV export).
    pub async fn begin(db: DatabaseConnection, models: Arc<ReadModels>) -> Result<Self, DbErr> {
        let scope = Self::lazy(db, models);
        scope.db().await?;
        Ok(scope)
    }

    /// The request's read snapshot, begun now if it was not.
    pub async fn db(&self) -> Result<&DatabaseTransaction, DbErr> {
        self.snapshot().await.inspect_err(|e| self.failed(e))
    }

    /// The snapshot, begun now if it was not, without recording a failure. While the database is unreachable, only
    /// one request a second tries it again, and waits briefly: the others fail at once instead of each waiting for
    /// the pool's timeout.
    async fn snapshot(&self) -> Result<&DatabaseTransaction, DbErr> {
        let (txn, _) = self
            .snapshot
            .get_or_try_init(|| async {
                let wait = match self.models.reach() {
                    Reach::Try => None,
                    Reach::Probe => Some(OUTAGE_PROBE),
                    Reach::Skip => {
                        return Err(DbErr::Custom("the database was unreachable a moment ago".to_owned()));
                    }
                };
                let begun = async {
                    let txn = send_model::backend::begin_snapshot(&self.db).await?;
                    let version = super::version::dataset_version(&txn).await?;
                    Ok::<_, DbErr>((txn, version))
                };
                let begun = match wait {
                    None => begun.await,
                    Some(wait) => tokio::time::timeout(wait, begun)
                        .await
                        .unwrap_or_else(|_| Err(DbErr::Custom("the database did not answer in time".to_owned()))),
                };
                self.models.reached(begun.is_ok());
                begun
            })
            .await?;
        Ok(txn)
    }

    fn failed(&self, e: &DbErr) {
        self.failure.get_or_init(|| e.to_string());
    }

    /// Why the database could not be read, when a snapshot or the read model could not be had.
    pub fn failure(&self) -> Option<DbErr> {
        self.failure.get().map(|e| DbErr::Custom(e.clone()))
    }

    /// The read model: the one held when confirmed current less than `refresh` ago and no snapshot is begun;
    /// otherwise that of the snapshot's version (the snapshot begun now if it was not: checking the version needs a
    /// statement anyway, and the request may then read both without a second check).
    pub async fn model(&self) -> Result<&ReadModel, DbErr> {
        let model = self
            .model
            .get_or_try_init(|| async {
                if self.snapshot.get().is_none()
                    && let Some(model) = self.models.fresh()
                {
                    return Ok(model);
                }
                // An answer the held model can give is given from it while the database is unreachable (as stale
                // as the last version confirmed), instead of failing.
                let txn = match self.snapshot().await {
                    Ok(txn) => txn,
                    Err(e) => return self.models.last().ok_or(e),
                };
                let version = self.snapshot.get().and_then(|(_, v)| v.clone());
                self.models.of_version(txn, version).await
            })
            .await
            .inspect_err(|e| self.failed(e))?;
        Ok(model)
    }

    /// The dataset version of the snapshot (begun now if it was not).
    pub async fn version(&self) -> Result<Option<String>, DbErr> {
        self.db().await?;
        Ok(self.snapshot.get().and_then(|(_, v)| v.clone()))
    }

    /// Whether the request read a model and a snapshot of different dataset versions: an import committed between
    /// the two, and the answer must be computed again.
    pub fn mixed(&self) -> bool {
        matches!((self.model.get(), self.snapshot.get()), (Some(m), Some((_, v))) if m.version != *v)
    }

    /// A fresh scope over the same database and models, its snapshot begun now (to compute an answer again).
    pub async fn again(&self) -> Result<Self, DbErr> {
        Self::begin(self.db.clone(), self.models.clone()).await
    }

    /// Ends the snapshot if one was begun (read-only: committing just releases it promptly).
    pub async fn finish(self) {
        if let Some((txn, _)) = self.snapshot.into_inner() {
            txn.commit().await.ok();
        }
    }
}

impl ReadModels {
    /// The dataset version served now: the held model's while it is fresh, else read in a snapshot begun and ended
    /// here (what a cached answer is checked against before anything else is done).
    pub async fn current_version(self: &Arc<Self>, db: &DatabaseConnection) -> Result<Option<String>, DbErr> {
        let scope = Scope::lazy(db.clone(), self.clone());
        let version = scope.model().await.map(|m| m.version.clone());
        scope.finish().await;
        version
    }
}
