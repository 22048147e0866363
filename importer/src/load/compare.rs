//! Comparing a record's facts with a file's and counting what an import did: inserted, updated (with every field
//! changed), unchanged.

use std::collections::HashMap;
use std::hash::Hash;

use chrono::NaiveDate;
use sea_orm::sea_query::IntoCondition;
use sea_orm::{
    ActiveModelTrait, DatabaseTransaction, DbErr, EntityTrait, FromQueryResult, IntoActiveModel, ModelTrait,
    QueryFilter,
};
use send_model::domain::{DatePrecision, PartialDate};

use crate::import_summary::{Change, FieldChange};

/// A record's facts, as named text values: what is compared to tell whether it changed.
pub(super) type Facts = Vec<(&'static str, Option<String>)>;

pub(super) fn some(v: impl ToString) -> Option<String> {
    Some(v.to_string())
}

pub(super) fn date_text(date: Option<NaiveDate>, precision: Option<DatePrecision>) -> Option<String> {
    date.map(|d| PartialDate::from_parts(d, precision.unwrap_or(DatePrecision::Day)).to_string())
}

/// What to do with one record.
pub(super) enum Decision {
    Insert,
    Update(Vec<FieldChange>),
    Unchanged,
}

impl Decision {
    /// Whether `field` is to be written: every field of a new record, the changed fields of an updated one.
    pub(super) fn writes(&self, field: &str) -> bool {
        match self {
            Decision::Insert => true,
            Decision::Update(fields) => changed(fields, field),
            Decision::Unchanged => false,
        }
    }
}

/// What every writer of a file's rows is given: the transaction, the import run each row it writes names, and the
/// counts of what it did.
pub(super) struct FileWrite<'a> {
    pub(super) txn: &'a DatabaseTransaction,
    pub(super) run: i32,
    pub(super) counts: &'a mut FileCounts,
}

/// Counts and changes of one file.
#[derive(Default)]
pub(super) struct FileCounts {
    pub(super) inserted: i32,
    pub(super) updated: i32,
    pub(super) unchanged: i32,
    pub(super) changes: Vec<Change>,
}

impl FileCounts {
    /// Records an updated record: `added` when it only gained values it lacked, `updated` when a value changed.
    pub(super) fn update(&mut self, record: String, fields: Vec<FieldChange>) {
        self.updated += 1;
        let action = if fields.iter().all(|f| f.before.is_none()) { "added" } else { "updated" };
        self.changes.push(Change { record, action: action.to_owned(), fields });
    }

    /// Compares a record's stored facts (none when it is new) with the file's.
    pub(super) fn compare(&mut self, record: String, old: Option<Facts>, new: &Facts) -> Decision {
        match old {
            None => {
                // Inserted records are counted, not listed: each row names the import run that wrote it, and a
                // first import of a large file would otherwise store every row a second time in the run's summary.
                self.inserted += 1;
                Decision::Insert
            }
            Some(old) => {
                let old: HashMap<&str, Option<String>> = old.into_iter().collect();
                let fields: Vec<FieldChange> = new
                    .iter()
                    .filter_map(|(f, after)| {
                        let before = old.get(f).cloned().flatten();
                        (before != *after).then(|| FieldChange { field: (*f).to_owned(), before, after: after.clone() })
                    })
                    .collect();
                if fields.is_empty() {
                    self.unchanged += 1;
                    Decision::Unchanged
                } else {
                    self.update(record, fields.clone());
                    Decision::Update(fields)
                }
            }
        }
    }
}

/// What to write for a compared record: a fresh active model for a new record, the stored one for an update (the
/// caller then sets the columns its file owns), or nothing when it is unchanged.
pub(super) fn to_write<M, A>(action: &Decision, old: Option<&M>, fresh: impl FnOnce() -> A) -> Option<(A, bool)>
where
    M: Clone + IntoActiveModel<A>,
    A: ActiveModelTrait,
{
    match action {
        Decision::Insert => Some((fresh(), true)),
        Decision::Update(_) => old.map(|m| (m.clone().into_active_model(), false)),
        Decision::Unchanged => None,
    }
}

/// Every stored record of `M`'s table, by the natural key `key` gives it: what a file's rows are compared with.
pub(super) async fn stored_by<M, K>(txn: &DatabaseTransaction, key: impl Fn(&M) -> K) -> Result<HashMap<K, M>, DbErr>
where
    M: ModelTrait + FromQueryResult + Send + Sync,
    M::Entity: EntityTrait<Model = M>,
    K: Eq + Hash,
{
    Ok(M::Entity::find().all(txn).await?.into_iter().map(|m| (key(&m), m)).collect())
}

/// Inserts or updates `am` (tables with natural primary keys cannot tell from the key which one is meant).
pub(super) async fn save<A>(
    txn: &DatabaseTransaction,
    am: A,
    is_new: bool,
) -> Result<<A::Entity as EntityTrait>::Model, DbErr>
where
    A: ActiveModelTrait + sea_orm::ActiveModelBehavior + Send,
    <A::Entity as EntityTrait>::Model: IntoActiveModel<A>,
{
    if is_new { am.insert(txn).await } else { am.update(txn).await }
}

/// Replaces the rows of `A`'s table that `filter` selects with `rows`: a list a file gives whole (an inspection's
/// priority actions, an area's neighbours in rank order) is rewritten rather than matched row by row. SeaORM refuses
/// an insert of no rows, so an empty list only deletes.
pub(super) async fn replace_rows<A>(
    txn: &DatabaseTransaction,
    filter: impl IntoCondition,
    rows: Vec<A>,
) -> Result<(), DbErr>
where
    A: ActiveModelTrait + Send,
{
    A::Entity::delete_many().filter(filter).exec(txn).await?;
    if !rows.is_empty() {
        A::Entity::insert_many(rows).exec(txn).await?;
    }
    Ok(())
}

pub(super) fn changed(fields: &[FieldChange], name: &str) -> bool {
    fields.iter().any(|f| f.field == name)
}
