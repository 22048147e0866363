//! `changes(since:)`: the inspections added, or whose outcome, dates or priority actions changed, since a dataset
//! version or a date, each with the import run (and so the source) that made the change. An import records the run
//! that added an inspection (`inspection.created_run_id`) and what it changed in the others (`inspection_change`).

use std::collections::{BTreeSet, HashMap, HashSet};

use async_graphql::{Context, Enum, Object, SimpleObject};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use send_model::entity::{import_run, inspection, inspection_change};
use send_model::fact::Fact;

use super::context::db;
use super::objects::{ImportRun, Inspection};
use super::pagination::{connection_complexity, page_size};
use crate::error::{ApiError, ApiResult};

/// The facts whose change `changes` reports (their outcome, dates and priority actions).
pub const TRACKED_FIELDS: [&str; 6] = [
    Fact::Start.name(),
    Fact::End.name(),
    Fact::Published.name(),
    Fact::Outcome.name(),
    Fact::PriorityActions.name(),
    Fact::PriorityActionCount.name(),
];

/// Most change records read to answer one request: past it the answer says it is truncated.
const MAX_CHANGE_ROWS: u64 = 20_000;

/// Whether an inspection is new or changed.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Debug)]
pub enum ChangeKind {
    /// Added by an import since then.
    Added,
    /// Already there, and an import since then changed its outcome, dates or priority actions.
    Updated,
}

/// One inspection added or changed.
pub struct InspectionChange {
    model: inspection::Model,
    kind: ChangeKind,
    fields: Vec<String>,
    run: i32,
}

/// One inspection added or changed since the given version or date.
#[Object]
impl InspectionChange {
    /// The inspection as it is now.
    async fn inspection(&self) -> Inspection {
        Inspection(self.model.clone())
    }

    /// Added or updated.
    async fn change(&self) -> ChangeKind {
        self.kind
    }

    /// For an update, the facts that changed or were added, as import reports name them: `inspection_start`,
    /// `inspection_end`, `published`, `outcome`, `priority_actions` (their themes), `priority_action_count`. Empty
    /// for an addition.
    async fn fields(&self) -> &[String] {
        &self.fields
    }

    /// The latest import run that added or changed it (its `source` and `format` say which file or page).
    async fn import_run(&self, ctx: &Context<'_>) -> ApiResult<Option<ImportRun>> {
        ImportRun::of(ctx, self.run).await
    }
}

/// What changed since a dataset version or a date.
#[derive(SimpleObject)]
pub struct Changes {
    /// The dataset version the changes are counted after: the last import run before the given date, or the given
    /// version.
    pub after_version: String,
    /// The inspections added or changed, most recent import first.
    pub items: Vec<InspectionChange>,
    /// True when more inspections changed than `first`: ask again with a later `since`.
    pub truncated: bool,
}

/// The entry point to what changed.
#[derive(Default)]
pub struct ChangesQuery;

#[Object]
impl ChangesQuery {
    /// What changed since a dataset version or a date: the inspections added, or whose outcome, dates or priority
    /// actions changed, each with the import run (and so the source) that made the change; most recent import first.
    /// Pair it with `dataset { version }`: keep the version you last saw and ask what changed since.
    #[graphql(complexity = "connection_complexity(child_complexity, first)")]
    async fn changes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A dataset version (`dataset { version }`, e.g. `r12`: changes by later imports) or a date \
                          (YYYY-MM-DD: changes by imports that started on or after that day).")]
        since: String,
        #[graphql(desc = "At most this many inspections (default 20; at most the server's page-size limit, \
                          `limits.pageSize` of a request's `extensions.cost`); `truncated` says when more changed.")]
        first: Option<i32>,
    ) -> ApiResult<Changes> {
        let first = page_size(ctx, first)?;
        changes(ctx, &since, first).await
    }
}

/// The last run before `since`: `since` itself when it is a dataset version (`r12`); for a date (`2026-01-31`), the
/// last run that started before that day.
async fn run_before(ctx: &Context<'_>, since: &str) -> ApiResult<i32> {
    if let Some(n) = since.strip_prefix('r').and_then(|n| n.parse::<i32>().ok()) {
        return Ok(n);
    }
    let Ok(day) = chrono::NaiveDate::parse_from_str(since, "%Y-%m-%d") else {
        return Err(ApiError::bad_input(format!(
            "`since`: expected a dataset version (e.g. r12, from `dataset {{ version }}`) or a date (YYYY-MM-DD), \
             found {since:?}"
        )));
    };
    let start = day.and_time(chrono::NaiveTime::MIN).and_utc();
    let before: Option<i32> = import_run::Entity::find()
        .select_only()
        .column(import_run::Column::Id)
        .filter(import_run::Column::StartedAt.lt(start))
        .order_by_desc(import_run::Column::Id)
        .into_tuple()
        .one(db(ctx).await?)
        .await?;
    Ok(before.unwrap_or(0))
}

/// The inspections added or changed after run `since`, most recent first, at most `first`.
pub async fn changes(ctx: &Context<'_>, since: &str, first: u64) -> ApiResult<Changes> {
    let after = run_before(ctx, since).await?;
    let txn = db(ctx).await?;
    let limit = first.saturating_add(1);
    let added = inspection::Entity::find()
        .filter(inspection::Column::CreatedRunId.gt(after))
        .order_by_desc(inspection::Column::CreatedRunId)
        .order_by_desc(inspection::Column::Id)
        .limit(limit)
        .all(txn)
        .await?;
    let added_ids: HashSet<i32> = added.iter().map(|m| m.id).collect();
    let rows = inspection_change::Entity::find()
        .filter(inspection_change::Column::ImportRunId.gt(after))
        .order_by_desc(inspection_change::Column::ImportRunId)
        .order_by_desc(inspection_change::Column::Id)
        .limit(MAX_CHANGE_ROWS)
        .all(txn)
        .await?;
    let mut truncated = rows.len() as u64 >= MAX_CHANGE_ROWS;
    // Per inspection not added since: its latest run and every tracked field changed since.
    let mut updated: HashMap<i32, (i32, BTreeSet<String>)> = HashMap::new();
    for row in rows.iter().filter(|r| !added_ids.contains(&r.inspection_id)) {
        let fields: Vec<&str> = row.fields.split(',').filter(|f| TRACKED_FIELDS.contains(f)).collect();
        if fields.is_empty() {
            continue;
        }
        let entry = updated.entry(row.inspection_id).or_insert((row.import_run_id, BTreeSet::new()));
        entry.1.extend(fields.into_iter().map(str::to_owned));
    }
    let ids: Vec<i32> = updated.keys().copied().collect();
    let mut models: HashMap<i32, inspection::Model> = HashMap::new();
    for chunk in ids.chunks(500) {
        for m in inspection::Entity::find().filter(inspection::Column::Id.is_in(chunk.to_vec())).all(txn).await? {
            models.insert(m.id, m);
        }
    }
    let mut items: Vec<InspectionChange> = added
        .into_iter()
        .map(|m| {
            let run = m.created_run_id.unwrap_or(m.import_run_id);
            InspectionChange { model: m, kind: ChangeKind::Added, fields: Vec::new(), run }
        })
        .chain(updated.into_iter().filter_map(|(id, (run, fields))| {
            let model = models.remove(&id)?;
            Some(InspectionChange { model, kind: ChangeKind::Updated, fields: fields.into_iter().collect(), run })
        }))
        .collect();
    items.sort_by(|a, b| b.run.cmp(&a.run).then(b.model.id.cmp(&a.model.id)));
    if items.len() as u64 > first {
        items.truncate(usize::try_from(first).unwrap_or(usize::MAX));
        truncated = true;
    }
    Ok(Changes { after_version: crate::read_model::version_of(after), items, truncated })
}
