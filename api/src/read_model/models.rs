//! The read models of a schema: the one of the dataset version last confirmed current, rebuilt when an import
//! changes the version, and what the server knows of a database outage meanwhile.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sea_orm::{DatabaseTransaction, DbErr};

use super::held::ReadModel;

/// The read model of the current dataset version, shared by every request of a schema.
#[derive(Debug)]
pub struct ReadModels {
    refresh: Duration,
    /// The model held, with when its version was last confirmed current.
    held: Mutex<Option<(Instant, Arc<ReadModel>)>>,
    /// Taken while a model is built, so that concurrent requests build it once.
    building: tokio::sync::Mutex<()>,
    /// When a snapshot last could not be begun (the database is unreachable), and when a request last tried again.
    outage: Mutex<Option<(Instant, Instant)>>,
}

/// During an outage, how often one request tries the database again; the others do not wait for it.
const OUTAGE_RETRY: Duration = Duration::from_secs(1);

/// During an outage, how long the request that tries the database again waits for it (not the pool's timeout).
pub(super) const OUTAGE_PROBE: Duration = Duration::from_millis(500);

/// What a request may do when the database was found unreachable.
pub(super) enum Reach {
    /// Try: no outage, or this request is the one that tries again.
    Try,
    /// Try, waiting at most [`OUTAGE_PROBE`].
    Probe,
    /// Do not try: another request tried less than [`OUTAGE_RETRY`] ago.
    Skip,
}

impl ReadModels {
    /// Models whose version is re-checked against the database when last confirmed over `refresh` ago (zero:
    /// every request checks).
    pub fn new(refresh: Duration) -> Self {
        Self { refresh, held: Mutex::new(None), building: tokio::sync::Mutex::new(()), outage: Mutex::new(None) }
    }

    pub(super) fn held(&self) -> Option<(Instant, Arc<ReadModel>)> {
        self.held.lock().ok().and_then(|h| h.clone())
    }

    pub(super) fn store(&self, model: Arc<ReadModel>) {
        if let Ok(mut held) = self.held.lock() {
            *held = Some((Instant::now(), model));
        }
    }

    /// Whether a request should reach for the database now (see [`Reach`]).
    pub(super) fn reach(&self) -> Reach {
        let Ok(mut outage) = self.outage.lock() else { return Reach::Try };
        match &mut *outage {
            None => Reach::Try,
            Some((_, tried)) if tried.elapsed() < OUTAGE_RETRY => Reach::Skip,
            Some((_, tried)) => {
                *tried = Instant::now();
                Reach::Probe
            }
        }
    }

    /// Records whether a snapshot could be begun.
    pub(super) fn reached(&self, ok: bool) {
        if let Ok(mut outage) = self.outage.lock() {
            *outage = match (ok, *outage) {
                (true, _) => None,
                (false, Some((since, _))) => Some((since, Instant::now())),
                (false, None) => Some((Instant::now(), Instant::now())),
            };
        }
    }

    /// The model held, whatever its age: what answers during an outage.
    pub(super) fn last(&self) -> Option<Arc<ReadModel>> {
        self.held().map(|(_, model)| model)
    }

    /// The model held, when its version was confirmed current less than `refresh` ago.
    pub fn fresh(&self) -> Option<Arc<ReadModel>> {
        self.held().filter(|(at, _)| at.elapsed() < self.refresh).map(|(_, model)| model)
    }

    /// The model of `version`, read in `txn` (a snapshot at that version just begun) unless the one held is of
    /// that version; either way it is then confirmed current.
    pub async fn of_version(
        &self,
        txn: &DatabaseTransaction,
        version: Option<String>,
    ) -> Result<Arc<ReadModel>, DbErr> {
        if let Some((_, model)) = self.held().filter(|(_, m)| m.version == version) {
            self.store(model.clone());
            return Ok(model);
        }
        let _building = self.building.lock().await;
        if let Some((_, model)) = self.held().filter(|(_, m)| m.version == version) {
            return Ok(model);
        }
        let model = Arc::new(ReadModel::load(txn, version).await?);
        self.store(model.clone());
        Ok(model)
    }
}
