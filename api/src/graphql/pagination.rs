//! Keyset pagination, for every connection: page sizes checked against the limit, a list's order as sort keys, and
//! one statement per page (its total riding on a first page as a window count).

use async_graphql::Context;
use sea_orm::sea_query::ExprTrait;
use sea_orm::{Condition, DatabaseTransaction, EntityTrait, Order, PaginatorTrait, QueryFilter, QuerySelect, Select};

use super::connection::decode_cursor;
use super::enums::OrderDirection;
use crate::error::{ApiError, ApiResult};
use crate::read_model::order::{SortKey, order_by_keys};

/// The page size when `first` is not given.
pub const DEFAULT_PAGE_SIZE: i32 = 20;

pub(crate) fn page_size(ctx: &Context<'_>, first: Option<i32>) -> ApiResult<u64> {
    let max = ctx.data::<super::Limits>().map_or_else(|_| super::Limits::default().max_page_size, |l| l.max_page_size);
    let first = first.unwrap_or(std::cmp::min(DEFAULT_PAGE_SIZE, max));
    if first < 0 {
        return Err(ApiError::bad_input(format!("`first` must be 0 or more, found {first}")));
    }
    if first > max {
        return Err(ApiError::Limit(
            crate::error::code::PAGE_SIZE_TOO_LARGE,
            format!("`first` is {first}; the largest page is {max}: page through with `after`"),
        ));
    }
    Ok(u64::try_from(first).unwrap_or(0))
}

/// The complexity of a connection field: its page size times its selection, plus itself. async-graphql counts a
/// field once whatever its arguments, so a 100-item page would otherwise cost as much as a 1-item one.
pub fn connection_complexity(child_complexity: usize, first: Option<i32>) -> usize {
    let page = usize::try_from(first.unwrap_or(DEFAULT_PAGE_SIZE)).unwrap_or(0);
    page.max(1).saturating_mul(child_complexity).saturating_add(1)
}

/// The page a connection field is asked for: its `first` and `after` arguments.
pub struct PageArgs {
    /// How many items (`first`; the default page size when none).
    pub first: Option<i32>,
    /// After which cursor (`after`; from the start when none).
    pub after: Option<String>,
}

/// Declares a root field that answers a Relay connection, as a query object of its own that `query.rs` merges into
/// `Query`: the field takes `first` and `after`, described here once for every connection, and its own arguments,
/// each with its description; it costs `first` times its selection ([`connection_complexity`]). Its body sees the
/// request's context and the [`PageArgs`] under the names given before its arguments.
///
/// ```ignore
/// connection_field! {
///     /// The field's description.
///     ThingsField.things(ctx, page; filter: Option<ThingFilter> = "Which things.") -> ThingConnection {
///         let (offset, rows, has_next, total) = paginate(ctx, db(ctx).await?, select, &keys, Total::Count, page).await?;
///     }
/// }
/// ```
macro_rules! connection_field {
    (
        $(#[$doc:meta])*
        $object:ident . $field:ident ( $ctx:ident, $page:ident; $( $arg:ident : $arg_ty:ty = $desc:literal ),* $(,)? )
            -> $ret:ty $body:block
    ) => {
        /// The query object of one connection field, merged into `Query`.
        #[derive(Default)]
        pub struct $object;

        #[async_graphql::Object]
        impl $object {
            $(#[$doc])*
            #[graphql(complexity = "crate::graphql::pagination::connection_complexity(child_complexity, first)")]
            async fn $field(
                &self,
                $ctx: &async_graphql::Context<'_>,
                #[graphql(
                    desc = "Page size: from 0 to the server's page-size limit (`limits.pageSize` of a request's `extensions.cost`); 20 when omitted."
                )]
                first: Option<i32>,
                #[graphql(desc = "Return items after this cursor (a `cursor` or `pageInfo.endCursor` from a previous page).")]
                after: Option<String>,
                $( #[graphql(desc = $desc)] $arg: $arg_ty, )*
            ) -> $crate::error::ApiResult<$ret> {
                let $page = $crate::graphql::pagination::PageArgs { first, after };
                $body
            }
        }
    };
}
pub(crate) use connection_field;

/// The rows strictly after the row whose sort key is `values`: for keys (a, b, id), `a > va OR (a = va AND (b > vb
/// OR (b = vb AND id > vid)))`, with `<` for descending parts. A null value (a missing date, which the order puts in
/// a group of its own) equals only nulls and has nothing strictly after it within its part.
fn after_key(keys: &[SortKey], values: &[Option<sea_orm::Value>]) -> Condition {
    let mut any = Condition::any();
    for i in 0..keys.len() {
        let mut all = Condition::all();
        for (k, v) in keys.iter().zip(values).take(i) {
            all = all.add(match v {
                Some(v) => k.expr.clone().eq(v.clone()),
                None => k.expr.clone().is_null(),
            });
        }
        let Some(v) = &values[i] else { continue };
        let beyond = match keys[i].order {
            Order::Desc => keys[i].expr.clone().lt(v.clone()),
            _ => keys[i].expr.clone().gt(v.clone()),
        };
        any = any.add(all.add(beyond));
    }
    any
}

/// A row with its sort key (columns `sort_key_{i}_{kind}`) and, on a first page, the total number of rows its query
/// matched (`COUNT(*) OVER ()`), so that a page and its total come from one statement.
struct Keyed<M> {
    model: M,
    key: Vec<serde_json::Value>,
    total: Option<i64>,
}

impl<M: sea_orm::FromQueryResult> sea_orm::FromQueryResult for Keyed<M> {
    fn from_query_result(row: &sea_orm::QueryResult, prefix: &str) -> Result<Self, sea_orm::DbErr> {
        let mut key = Vec::new();
        let columns = row.column_names();
        for name in &columns {
            let Some(kind) = name.strip_prefix("sort_key_").and_then(|k| k.split_once('_')).map(|(_, kind)| kind)
            else {
                continue;
            };
            key.push(match kind {
                "int" => serde_json::json!(row.try_get::<Option<i32>>(prefix, name)?),
                "text" => serde_json::json!(row.try_get::<Option<String>>(prefix, name)?),
                "date" => serde_json::json!(row.try_get::<Option<chrono::NaiveDate>>(prefix, name)?),
                _ => serde_json::json!(row.try_get::<Option<bool>>(prefix, name)?),
            });
        }
        let total =
            if columns.iter().any(|c| c == "total_count") { Some(row.try_get(prefix, "total_count")?) } else { None };
        Ok(Self { model: M::from_query_result(row, prefix)?, key, total })
    }
}

/// How a page learns the total over all pages.
pub enum Total {
    /// Already known (from the tallies): no counting.
    Known(u64),
    /// Counted by the database, only when the query asks for `totalCount`.
    Count,
}

/// A page: its position, its rows with their sort keys, whether more follow, and the total over all pages.
type Page<M> = (u64, Vec<(M, Vec<serde_json::Value>)>, bool, u64);

/// Runs a paged query with keyset pagination: `select` (filtered, not yet ordered) in the order of `keys`, from
/// just after the cursor `after`. One statement for a first page (its total rides on every row as a window count);
/// a later page that asks for `totalCount` counts in a second one unless the total is `Known`.
pub(crate) async fn paginate<E>(
    ctx: &Context<'_>,
    db: &DatabaseTransaction,
    select: Select<E>,
    keys: &[SortKey],
    total: Total,
    PageArgs { first, after }: PageArgs,
) -> ApiResult<Page<E::Model>>
where
    E: EntityTrait,
    E::Model: Sync,
{
    let limit = page_size(ctx, first)?;
    let wants_total = ctx.look_ahead().field("totalCount").exists();
    let (offset, from) = match after {
        None => (0, None),
        Some(cursor) => {
            let (position, json) = decode_cursor(&cursor)?;
            let values: Option<Vec<Option<sea_orm::Value>>> =
                (json.len() == keys.len()).then(|| keys.iter().zip(&json).map(|(k, v)| k.value(v)).collect()).flatten();
            let values = values.ok_or_else(|| {
                ApiError::bad_input(format!("`after` is a cursor of another list or order: {cursor:?}"))
            })?;
            (position + 1, Some(after_key(keys, &values)))
        }
    };
    let mut page = order_by_keys(select.clone(), keys);
    for (i, k) in keys.iter().enumerate() {
        page = page.expr_as(k.expr.clone(), format!("sort_key_{i}_{}", k.kind.tag()));
    }
    let window = wants_total && from.is_none() && matches!(total, Total::Count);
    if window {
        page = page.expr_as(sea_orm::sea_query::Expr::cust("COUNT(*) OVER ()"), "total_count");
    }
    if let Some(condition) = from {
        page = page.filter(condition);
    }
    let keyed = page.limit(limit + 1).into_model::<Keyed<E::Model>>().all(db).await?;
    let total = match total {
        Total::Known(n) => n,
        Total::Count if !wants_total => 0,
        Total::Count => match keyed.first().and_then(|row| row.total) {
            Some(n) => u64::try_from(n).unwrap_or(0),
            None => select.count(db).await?,
        },
    };
    let mut rows: Vec<(E::Model, Vec<serde_json::Value>)> = keyed.into_iter().map(|k| (k.model, k.key)).collect();
    let has_next = rows.len() as u64 > limit;
    rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    Ok((offset, rows, has_next, total))
}

pub(crate) fn sort_order(direction: OrderDirection) -> Order {
    match direction {
        OrderDirection::Asc => Order::Asc,
        OrderDirection::Desc => Order::Desc,
    }
}
