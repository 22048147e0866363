//! The dataset version: what every answer, ETag and cache key is of.

use sea_orm::{ColumnTrait, Condition, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder};
use send_model::entity::import_run;

/// The dataset's version: `r` and the number of the last import run that inserted or updated a record; null before
/// the first import. HTTP caching (ETags) derives from it.
pub async fn dataset_version(db: &DatabaseTransaction) -> Result<Option<String>, sea_orm::DbErr> {
    let run = import_run::Entity::find()
        .filter(Condition::any().add(import_run::Column::RowsInserted.gt(0)).add(import_run::Column::RowsUpdated.gt(0)))
        .order_by_desc(import_run::Column::Id)
        .one(db)
        .await?;
    Ok(run.map(|r| version_of(r.id)))
}

/// The dataset version an import run makes (`r12`).
pub fn version_of(run_id: i32) -> String {
    format!("r{run_id}")
}
