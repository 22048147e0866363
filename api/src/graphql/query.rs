//! The root query: entry points, filters, ordering and pagination.

use async_graphql::{Context, ID, InputObject, Object};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Func, JoinType, LikeExpr};
use sea_orm::{
    ColumnTrait, Condition, DatabaseTransaction, EntityTrait, Order, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, RelationTrait, Select,
};
use send_model::domain::{self, AreaCode};
use send_model::entity::{import_run, inspection, local_area, priority_action, thematic_visit};
use send_model::tally;

use super::connection::{connection, decode_cursor};
use super::enums::{Framework, InspectionType, OrderDirection, Outcome, PriorityActionTheme, VisitTheme};
use super::profile::{OutcomeProfile, OutcomeProfileFilter};
use super::scalars::Date;
use super::types::{Area, ImportRun, Inspection, PriorityAction, ThematicVisit, ThemeCount, model, scope};
use crate::error::{ApiError, ApiResult};
use crate::read_model::ReadModel;

/// The largest page a connection returns unless configured otherwise (`Limits::max_page_size`).
pub const DEFAULT_MAX_PAGE_SIZE: i32 = 200;
/// The page size when `first` is not given.
pub const DEFAULT_PAGE_SIZE: i32 = 20;

/// Licence of the data.
pub const LICENCE: &str = "Open Government Licence v3.0";
/// Licence address.
pub const LICENCE_URL: &str = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/";
/// Attribution the licence asks for.
pub const ATTRIBUTION: &str = "Contains public sector information licensed under the Open Government Licence v3.0 \
     (Ofsted, CQC, DfE, ONS).";

/// The request's read snapshot, begun at its first statement: every statement of one request sees the same
/// committed data (and the read model is of the same version; see `model`).
pub(crate) async fn db<'a>(ctx: &Context<'a>) -> ApiResult<&'a DatabaseTransaction> {
    Ok(scope(ctx)?.db().await?)
}

connection!(AreaConnection, AreaEdge, Area, "local areas");
connection!(InspectionConnection, InspectionEdge, Inspection, "inspections");
connection!(PriorityActionConnection, PriorityActionEdge, PriorityAction, "areas for priority action");

/// The longest text a text search (`nameContains`, `search`) may be, in characters: longer than any area's name or
/// any sensible search, and short enough that no database refuses the pattern (SQLite's LIKE stops at 50 000 bytes).
pub const MAX_SEARCH_CHARS: usize = 200;

/// Most words a `search` may have: each is one `LIKE` term of one expression, whose size databases bound.
pub const MAX_SEARCH_WORDS: usize = 16;

/// A case-insensitive "contains" pattern for `LIKE … ESCAPE '\'`: lowercased, with `%`, `_` and `\` matched
/// literally.
fn contains_pattern(text: &str) -> String {
    let mut pattern = String::from("%");
    for c in text.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// The words of a text search given as `argument`, checked: at most [`MAX_SEARCH_CHARS`] characters and
/// [`MAX_SEARCH_WORDS`] words, and no control characters (a NUL would cut the text short in some databases and be
/// refused by others). `whole` keeps the text as one term instead of splitting it into words.
pub fn search_terms(argument: &str, text: &str, whole: bool) -> ApiResult<Vec<String>> {
    let chars = text.chars().count();
    if chars > MAX_SEARCH_CHARS {
        return Err(ApiError::bad_input(format!(
            "`{argument}` is {chars} characters long; the limit is {MAX_SEARCH_CHARS}"
        )));
    }
    if let Some(c) = text.chars().find(|c| c.is_control() && !c.is_whitespace()) {
        return Err(ApiError::bad_input(format!(
            "`{argument}` contains the control character {c:?}: search with printable text"
        )));
    }
    let terms: Vec<String> =
        if whole { vec![text.to_owned()] } else { text.split_whitespace().map(str::to_owned).collect() };
    if terms.len() > MAX_SEARCH_WORDS {
        return Err(ApiError::bad_input(format!(
            "`{argument}` has {} words; the limit is {MAX_SEARCH_WORDS}",
            terms.len()
        )));
    }
    Ok(terms)
}

/// Priority actions whose text contains every word of `search` (case-insensitive substring match, `LIKE` on the
/// lowercased text; `%`, `_` and `\` are matched literally).
fn text_contains_words(search: &str) -> ApiResult<Condition> {
    let mut all = Condition::all().add(priority_action::Column::Text.is_not_null());
    for word in search_terms("search", search, false)? {
        let text = Func::lower(Expr::col((priority_action::Entity, priority_action::Column::Text)));
        all = all.add(text.like(LikeExpr::new(contains_pattern(&word)).escape('\\')));
    }
    Ok(all)
}

fn page_size(ctx: &Context<'_>, first: Option<i32>) -> ApiResult<u64> {
    let max = ctx.data::<super::Limits>().map_or(DEFAULT_MAX_PAGE_SIZE, |l| l.max_page_size);
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

/// What a part of a sort key holds: how its value is read from a row and bound back from a cursor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// A 32-bit integer (ids).
    Int,
    /// Text (names, codes).
    Text,
    /// A date.
    Date,
    /// A boolean (`x IS NULL`, to put missing values last).
    Bool,
}

impl KeyKind {
    fn tag(self) -> &'static str {
        match self {
            Self::Int => "int",
            Self::Text => "text",
            Self::Date => "date",
            Self::Bool => "bool",
        }
    }
}

/// One part of a list's order. The parts together are unique per row (the last is always the id), so a row's values
/// say exactly where the next page starts.
pub struct SortKey {
    expr: sea_orm::sea_query::SimpleExpr,
    order: Order,
    kind: KeyKind,
}

impl SortKey {
    /// A part ordering by `expr` in `order`, holding values of `kind`.
    pub fn new(expr: impl Into<sea_orm::sea_query::SimpleExpr>, order: Order, kind: KeyKind) -> Self {
        Self { expr: expr.into(), order, kind }
    }

    /// A cursor's JSON value as an SQL value of this part's kind (`None` for a JSON null).
    fn value(&self, json: &serde_json::Value) -> Option<Option<sea_orm::Value>> {
        if json.is_null() {
            return Some(None);
        }
        Some(Some(match self.kind {
            KeyKind::Int => sea_orm::Value::from(i32::try_from(json.as_i64()?).ok()?),
            KeyKind::Text => sea_orm::Value::from(json.as_str()?.to_owned()),
            KeyKind::Date => sea_orm::Value::from(json.as_str()?.parse::<chrono::NaiveDate>().ok()?),
            KeyKind::Bool => sea_orm::Value::from(json.as_bool()?),
        }))
    }
}

/// Orders `select` by `keys`.
pub fn order_by_keys<E: EntityTrait>(mut select: Select<E>, keys: &[SortKey]) -> Select<E> {
    for k in keys {
        select = select.order_by(k.expr.clone(), k.order.clone());
    }
    select
}

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
async fn paginate<E>(
    ctx: &Context<'_>,
    db: &DatabaseTransaction,
    select: Select<E>,
    keys: &[SortKey],
    total: Total,
    first: Option<i32>,
    after: Option<String>,
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

/// A case-insensitive "contains" on an area's name (`nameContains`), with LIKE's wildcards escaped.
fn name_contains(text: &str) -> ApiResult<Condition> {
    let mut all = Condition::all();
    for term in search_terms("nameContains", text, true)? {
        let name = Func::lower(sea_orm::sea_query::Expr::col((local_area::Entity, local_area::Column::Name)));
        all = all.add(name.like(LikeExpr::new(contains_pattern(&term)).escape('\\')));
    }
    Ok(all)
}

/// Filters on inspections. Every field narrows the result; omitted fields do not filter.
#[derive(InputObject, Debug, Clone, Default)]
pub struct InspectionFilter {
    /// Only inspections under this framework.
    pub framework: Option<Framework>,
    /// Only inspections of this type.
    pub inspection_type: Option<InspectionType>,
    /// Only inspections with this outcome.
    pub outcome: Option<Outcome>,
    /// Only inspections of areas in this ONS region (code, e.g. `E12000006`).
    pub region: Option<String>,
    /// Only inspections of areas in this Ofsted region (name, e.g. "North East, Yorkshire and the Humber").
    pub ofsted_region: Option<String>,
    /// Only inspections of areas served by this ICB (code, e.g. `E54000023`), as named in their reports.
    pub icb: Option<String>,
    /// Only inspections that started in this calendar year (Ofsted's counting rule).
    pub year: Option<i32>,
    /// Only inspections that started on or after this date.
    pub started_from: Option<Date>,
    /// Only inspections that started on or before this date.
    pub started_to: Option<Date>,
    /// Only inspections of this area: GSS code, DfE code or Ofsted URN.
    pub area_code: Option<String>,
    /// Only inspections of areas whose name contains this text (case-insensitive; at most 200 characters).
    pub name_contains: Option<String>,
}

/// Fields inspections can be ordered by.
#[derive(async_graphql::Enum, Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum InspectionOrderField {
    /// Start date; inspections that started the same day in the order they were first imported (reversed when
    /// descending).
    #[default]
    StartDate,
    /// Publication date (unpublished last when ascending).
    Published,
    /// The area's name.
    AreaName,
}

/// How to order inspections.
#[derive(InputObject, Debug, Clone, Copy, Default)]
pub struct InspectionOrder {
    /// The field to order by.
    #[graphql(default)]
    pub field: InspectionOrderField,
    /// Ascending or descending.
    #[graphql(default)]
    pub direction: OrderDirection,
}

/// Filters on areas.
#[derive(InputObject, Debug, Clone, Default)]
pub struct AreaFilter {
    /// Only areas in this ONS region (code, e.g. `E12000006`).
    pub region: Option<String>,
    /// Only areas in this Ofsted region (name, e.g. "North East, Yorkshire and the Humber").
    pub ofsted_region: Option<String>,
    /// Only areas served by this ICB (code, e.g. `E54000023`), as named in their reports.
    pub icb: Option<String>,
    /// Only areas whose name contains this text (case-insensitive; at most 200 characters).
    pub name_contains: Option<String>,
    /// Only the area with this code: GSS code, DfE code or Ofsted URN.
    pub area_code: Option<String>,
    /// Include areas abolished by a reorganisation (default false: the 153 current areas).
    #[graphql(default)]
    pub include_former: bool,
}

/// Fields areas can be ordered by.
#[derive(async_graphql::Enum, Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum AreaOrderField {
    /// Name.
    #[default]
    Name,
    /// GSS code.
    Code,
}

/// How to order areas.
#[derive(InputObject, Debug, Clone, Copy, Default)]
pub struct AreaOrder {
    /// The field to order by.
    #[graphql(default)]
    pub field: AreaOrderField,
    /// Ascending or descending.
    #[graphql(default)]
    pub direction: OrderDirection,
}

/// Filters on priority-action themes.
#[derive(InputObject, Debug, Clone, Default)]
pub struct ThemeFilter {
    /// Only inspections that started in this calendar year.
    pub year: Option<i32>,
    /// Only areas in this ONS region (code, e.g. `E12000006`).
    pub region: Option<String>,
}

/// Filters on thematic visits.
#[derive(InputObject, Debug, Clone, Default)]
pub struct ThematicVisitFilter {
    /// Only visits of this year's review.
    pub year: Option<i32>,
    /// Only visits on this theme.
    pub theme: Option<VisitTheme>,
    /// Only visits to areas in this ONS region (anonymous visits are left out when set).
    pub region: Option<String>,
}

/// Where the data comes from, how fresh it is, and on what terms it may be reused.
pub struct Dataset;

/// Where the data comes from, how fresh it is, and on what terms it may be reused.
#[Object]
impl Dataset {
    /// The dataset's version: changes with every import that changes data (the number of the last import run that
    /// inserted or updated a record), so caches keyed on it stay correct. Null before the first import.
    async fn version(&self, ctx: &Context<'_>) -> ApiResult<Option<String>> {
        Ok(model(ctx).await?.version.clone())
    }

    /// The date the data runs to: the newest publication of an inspection in it, or the day of the newest snapshot
    /// of a source imported (the Data to Insight summary states when it was taken), whichever is later. A report
    /// published later is not in it yet, so counts without a date (`coverage`, `Area.schedule`) are taken at this
    /// date, not today. Null before the first import.
    async fn data_runs_to(&self, ctx: &Context<'_>) -> ApiResult<Option<Date>> {
        Ok(model(ctx).await?.runs_to().map(Date))
    }

    /// The dataset's name.
    async fn title(&self) -> &'static str {
        "Area SEND inspection outcomes in England"
    }

    /// The licence: Open Government Licence v3.0.
    async fn licence(&self) -> &'static str {
        LICENCE
    }

    /// The licence's text.
    async fn licence_url(&self) -> &'static str {
        LICENCE_URL
    }

    /// The attribution to show with any reuse.
    async fn attribution(&self) -> &'static str {
        ATTRIBUTION
    }

    /// The most recent import.
    async fn last_import(&self, ctx: &Context<'_>) -> ApiResult<Option<ImportRun>> {
        let run = import_run::Entity::find().order_by_desc(import_run::Column::Id).one(db(ctx).await?).await?;
        Ok(run.map(ImportRun))
    }

    /// When an import last changed any record; null before the first import.
    async fn last_updated(&self, ctx: &Context<'_>) -> ApiResult<Option<DateTime<Utc>>> {
        let run = import_run::Entity::find()
            .filter(
                Condition::any().add(import_run::Column::RowsInserted.gt(0)).add(import_run::Column::RowsUpdated.gt(0)),
            )
            .order_by_desc(import_run::Column::Id)
            .one(db(ctx).await?)
            .await?;
        Ok(run.map(|r| r.finished_at))
    }

    /// The latest import of each distinct source, oldest first.
    async fn sources(&self, ctx: &Context<'_>) -> ApiResult<Vec<ImportRun>> {
        let runs = import_run::Entity::find().order_by_desc(import_run::Column::Id).all(db(ctx).await?).await?;
        let mut seen = std::collections::HashSet::new();
        let mut latest: Vec<ImportRun> =
            runs.into_iter().filter(|r| seen.insert(r.source.clone())).map(ImportRun).collect();
        latest.reverse();
        Ok(latest)
    }

    /// Import runs, newest first.
    #[graphql(complexity = "connection_complexity(child_complexity, Some(first))")]
    async fn import_runs(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many runs (at most the page-size limit, 200 by default).", default = 20)] first: i32,
    ) -> ApiResult<Vec<ImportRun>> {
        let limit = page_size(ctx, Some(first))?;
        let runs =
            import_run::Entity::find().order_by_desc(import_run::Column::Id).limit(limit).all(db(ctx).await?).await?;
        Ok(runs.into_iter().map(ImportRun).collect())
    }
}

/// How long reports took to publish, for one year's inspections.
#[derive(async_graphql::SimpleObject)]
pub struct Timeliness {
    /// The year the inspections started.
    pub year: i32,
    /// Inspections whose last day on site and publication are both known to the day (the others are left out).
    pub inspections: i32,
    /// Median days from the last day on site to publication.
    pub median: Option<f64>,
    /// First quartile (linear interpolation between order statistics, as R's default and Excel's QUARTILE.INC).
    pub lower_quartile: Option<f64>,
    /// Third quartile.
    pub upper_quartile: Option<f64>,
    /// Fewest days.
    pub min: Option<i32>,
    /// Most days.
    pub max: Option<i32>,
}

/// The `q` quantile of sorted values by linear interpolation between order statistics (R's type 7).
pub fn quantile(sorted: &[i32], q: f64) -> Option<f64> {
    let last = sorted.len().checked_sub(1)?;
    let position = q * last as f64;
    let (low, high) = (position.floor() as usize, position.ceil() as usize);
    let (a, b) = (f64::from(sorted[low]), f64::from(sorted[high.min(last)]));
    Some(a + (b - a) * (position - low as f64))
}

/// Filters on timeliness.
#[derive(InputObject, Debug, Clone)]
pub struct TimelinessFilter {
    /// The framework (2016-framework sources give no end date, so only the 2023 framework has figures).
    #[graphql(default_with = "Framework::F2023")]
    pub framework: Framework,
    /// The inspection type (default FULL).
    #[graphql(default_with = "InspectionType::Full")]
    pub inspection_type: InspectionType,
    /// Only areas in this ONS region (code, e.g. `E12000006`).
    pub region: Option<String>,
}

/// Progress of the 2023 framework's programme of full inspections.
#[derive(async_graphql::SimpleObject)]
pub struct Coverage {
    /// The date counted to.
    pub as_at: Date,
    /// Current local areas (153).
    pub areas: i32,
    /// Of them, those with a full inspection under the 2023 framework carried out by `asAt`.
    pub inspected: i32,
    /// Those without one yet.
    pub remaining: i32,
    /// When the framework expects every area to have been inspected (end of 2027/28).
    pub programme_end: Date,
    /// Full inspections of new areas needed per year from `asAt` to finish on time; null once the end has passed.
    pub needed_per_year: Option<f64>,
}

/// The root of every query.
pub struct Query;

/// The root of every query over area SEND inspection outcomes in England.
#[Object]
impl Query {
    /// One local area, by ONS GSS code (`E10000029`), DfE code (`935`) or Ofsted URN (`80565`). Null when no area
    /// has the code; a malformed code is a `BAD_USER_INPUT` error.
    async fn area(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "GSS code, DfE 3-digit code or Ofsted URN.")] code: String,
    ) -> ApiResult<Option<Area>> {
        Ok(model(ctx).await?.area_by_code(&code)?.map(Area))
    }

    /// Fetches an area or an inspection by its global ID (`Area.id`, `Inspection.id`); null when nothing has it.
    async fn node(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "A global ID this API returned.")] id: ID,
    ) -> ApiResult<Option<super::types::Node>> {
        let model = model(ctx).await?;
        let Some((kind, key)) = super::connection::parse_global_id(&id) else { return Ok(None) };
        let parts: Vec<&str> = key.split('/').collect();
        match (kind.as_str(), parts.as_slice()) {
            ("Area", [code]) => Ok(match AreaCode::parse(code) {
                Ok(AreaCode::Gss(_)) => model.area_by_code(code)?.map(|a| super::types::Node::Area(Area(a))),
                _ => None,
            }),
            ("Inspection", [code, framework, kind, start]) => {
                let (start, start_known) = match start.strip_prefix(super::types::PUBLISHED_KEY_PREFIX) {
                    Some(published) => (published, false),
                    None => (*start, true),
                };
                let (Ok(framework), Ok(kind), Ok(start)) = (
                    domain::Framework::parse(framework),
                    domain::InspectionType::parse(kind),
                    domain::PartialDate::parse(start),
                ) else {
                    return Ok(None);
                };
                let Some(area) = model.area_by_code(code)? else { return Ok(None) };
                let found = inspection::Entity::find()
                    .filter(inspection::Column::AreaId.eq(area.id))
                    .filter(inspection::Column::Framework.eq(framework))
                    .filter(inspection::Column::InspectionType.eq(kind))
                    .filter(inspection::Column::StartDate.eq(start.date))
                    .filter(inspection::Column::StartKnown.eq(start_known))
                    .one(db(ctx).await?)
                    .await?;
                Ok(found.map(|m| super::types::Node::Inspection(Inspection(m))))
            }
            _ => Ok(None),
        }
    }

    /// Local areas, a page at a time (Relay cursor connection). By default the 153 current areas, ordered by name.
    #[graphql(complexity = "connection_complexity(child_complexity, first)")]
    async fn areas(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Page size, 0 to 200 unless the server sets another limit (default 20): one page holds every current area."
        )]
        first: Option<i32>,
        #[graphql(desc = "Return items after this cursor (a `cursor` or `pageInfo.endCursor` from a previous page).")]
        after: Option<String>,
        #[graphql(desc = "Which areas.")] filter: Option<AreaFilter>,
        #[graphql(desc = "Order (default NAME ascending).")] order_by: Option<AreaOrder>,
    ) -> ApiResult<AreaConnection> {
        let model = model(ctx).await?;
        let filter = filter.unwrap_or_default();
        let mut select = local_area::Entity::find();
        if !filter.include_former {
            select = select.filter(local_area::Column::ValidTo.is_null());
        }
        if let Some(code) = &filter.region {
            select = select.filter(local_area::Column::RegionCode.eq(model.region_code(code)?));
        }
        if let Some(name) = &filter.ofsted_region {
            select = select.filter(local_area::Column::RegionCode.is_in(model.regions_of_ofsted_region(name)?));
        }
        if let Some(code) = &filter.icb {
            select = select.filter(local_area::Column::Id.is_in(model.areas_served_by_icb(code)?));
        }
        if let Some(text) = &filter.name_contains {
            select = select.filter(name_contains(text)?);
        }
        if let Some(code) = &filter.area_code {
            let id = model.area_by_code(code)?.map_or(-1, |a| a.id);
            select = select.filter(local_area::Column::Id.eq(id));
        }
        let order = order_by.unwrap_or_default();
        let direction = sort_order(order.direction);
        let column = match order.field {
            AreaOrderField::Name => local_area::Column::Name,
            AreaOrderField::Code => local_area::Column::GssCode,
        };
        let keys = [
            SortKey::new(Expr::col((local_area::Entity, column)), direction, KeyKind::Text),
            SortKey::new(Expr::col((local_area::Entity, local_area::Column::Id)), Order::Asc, KeyKind::Int),
        ];
        let (offset, rows, has_next, total) =
            paginate(ctx, db(ctx).await?, select, &keys, Total::Count, first, after).await?;
        prefetch_inspections(ctx, &rows.iter().map(|(a, _)| a.id).collect::<Vec<_>>()).await?;
        Ok(AreaConnection::new(offset, rows.into_iter().map(|(a, key)| (Area(a), key)).collect(), has_next, total))
    }

    /// Inspections, a page at a time (Relay cursor connection), filtered and ordered. Default order: start date
    /// ascending.
    #[graphql(complexity = "connection_complexity(child_complexity, first)")]
    async fn inspections(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Page size, 0 to 200 unless the server sets another limit (default 20): one page holds every current area."
        )]
        first: Option<i32>,
        #[graphql(desc = "Return items after this cursor (a `cursor` or `pageInfo.endCursor` from a previous page).")]
        after: Option<String>,
        #[graphql(desc = "Which inspections.")] filter: Option<InspectionFilter>,
        #[graphql(desc = "Order (default START_DATE ascending).")] order_by: Option<InspectionOrder>,
    ) -> ApiResult<InspectionConnection> {
        let model = model(ctx).await?;
        let filter = filter.unwrap_or_default();
        let order = order_by.unwrap_or_default();
        let select = filtered_inspections(model, &filter, order)?;
        let keys = inspection_order(order);
        let total = match tallied_count(model, &filter)? {
            Some(n) => Total::Known(n),
            None => Total::Count,
        };
        let (offset, rows, has_next, total) = paginate(ctx, db(ctx).await?, select, &keys, total, first, after).await?;
        let nodes = rows.into_iter().map(|(m, key)| (Inspection(m), key)).collect();
        Ok(InspectionConnection::new(offset, nodes, has_next, total))
    }

    /// Areas for priority action, a page at a time (Relay cursor connection), in report order (by inspection, then
    /// position in the report), each with its inspection. `search` keeps those whose text contains every word
    /// (case-insensitive substring match with SQL `LIKE`, which scans the few thousand actions there are; no
    /// full-text index). Only actions whose text is known (their report PDF was imported) match a search.
    #[graphql(complexity = "connection_complexity(child_complexity, first)")]
    async fn priority_actions(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Words the action's text must all contain (any case, any order); blank: no text filter. At most 200 \
                    characters and 16 words."
        )]
        search: Option<String>,
        #[graphql(desc = "Only actions coded into this theme.")] theme: Option<PriorityActionTheme>,
        #[graphql(desc = "Page size, 0 to 200 unless the server sets another limit (default 20).")] first: Option<i32>,
        #[graphql(desc = "Return items after this cursor (a `cursor` or `pageInfo.endCursor` from a previous page).")]
        after: Option<String>,
    ) -> ApiResult<PriorityActionConnection> {
        let mut select = priority_action::Entity::find();
        if let Some(search) = search.as_deref().filter(|s| !s.trim().is_empty()) {
            select = select.filter(text_contains_words(search)?);
        }
        if let Some(theme) = theme {
            select = select.filter(priority_action::Column::Theme.eq(domain::Theme::from(theme)));
        }
        let col = |c: priority_action::Column| Expr::col((priority_action::Entity, c));
        let keys = [
            SortKey::new(col(priority_action::Column::InspectionId), Order::Asc, KeyKind::Int),
            SortKey::new(col(priority_action::Column::Ordinal), Order::Asc, KeyKind::Int),
        ];
        let (offset, rows, has_next, total) =
            paginate(ctx, db(ctx).await?, select, &keys, Total::Count, first, after).await?;
        let nodes = rows.into_iter().map(|(m, key)| (PriorityAction(m), key)).collect();
        Ok(PriorityActionConnection::new(offset, nodes, has_next, total))
    }

    /// How many inspections had each outcome, with shares: Ofsted's outcome profile. Counts inspections carried
    /// out (started) in `year`, as Ofsted's official statistics do. For example the 2023 framework's full
    /// inspections of 2023: 26, of which 7 typically positive, 11 inconsistent and 8 widespread/systemic failings.
    async fn outcome_profile(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to profile.")] filter: OutcomeProfileFilter,
    ) -> ApiResult<OutcomeProfile> {
        super::profile::outcome_profile(scope(ctx)?, &filter).await
    }

    /// Outcome profiles side by side, one per year, ONS region, Ofsted region or ICB (every region and ICB listed,
    /// zero counts included), each with shares, 95% Wilson intervals and a small-number flag. For example the 2016
    /// framework's written statements of action by Ofsted region, or an area's region against the others.
    async fn outcome_profiles(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "What to profile (the grouping narrows it further).")] filter: OutcomeProfileFilter,
        #[graphql(desc = "What to group by.")] group_by: super::profile::ProfileGrouping,
    ) -> ApiResult<Vec<super::profile::OutcomeProfileGroup>> {
        super::profile::outcome_profiles(scope(ctx)?, &filter, group_by).await
    }

    /// Every priority-action theme with how many areas for priority action, and how many inspections, cite it, and
    /// the share of widespread/systemic-failings inspections citing it; most cited first (ties in a fixed theme
    /// order), zero counts included. Filter by year and region to compare them.
    async fn priority_action_themes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which inspections to count.")] filter: Option<ThemeFilter>,
    ) -> ApiResult<Vec<ThemeCount>> {
        let model = model(ctx).await?;
        let filter = filter.unwrap_or_default();
        // From the tallies kept at import time, in the read model: the same few rows whatever the number of
        // inspections, and no statement.
        let regions = match &filter.region {
            Some(code) => tally::Regions::These(vec![model.region_code(code)?]),
            None => tally::Regions::England,
        };
        // An inspection whose start is not known has no year: a year's counts leave it out.
        let in_filter = |year: i32, start_known: bool, region_code: &str| {
            filter.year.is_none_or(|y| start_known && y == year) && regions.admits(region_code)
        };
        // The denominator of shares: widespread/systemic failings inspections in the same filter whose actions are
        // read.
        let (systemic, unread) = model
            .inspection_tally
            .iter()
            .filter(|t| t.outcome == Some(domain::Outcome::WidespreadSystemicFailings))
            .filter(|t| in_filter(t.start_year, t.start_known, &t.region_code))
            .fold((0_i64, 0_i64), |(n, u), t| (n + t.inspections, u + t.priority_actions_unread));
        let (systemic, unread) =
            (i32::try_from(systemic).unwrap_or(i32::MAX), i32::try_from(unread).unwrap_or(i32::MAX));
        let read = systemic - unread;
        let mut rows: Vec<(domain::Theme, i64, i64)> = Vec::new();
        for t in model.theme_tally.iter().filter(|t| in_filter(t.start_year, t.start_known, &t.region_code)) {
            match rows.iter_mut().find(|(theme, _, _)| *theme == t.theme) {
                Some(row) => {
                    row.1 += t.priority_actions;
                    row.2 += t.inspections;
                }
                None => rows.push((t.theme, t.priority_actions, t.inspections)),
            }
        }
        let mut themes: Vec<ThemeCount> = domain::Theme::ALL
            .iter()
            .map(|t| {
                let (actions, inspections) = rows.iter().find(|(k, _, _)| k == t).map_or((0, 0), |(_, a, i)| (*a, *i));
                let inspections = i32::try_from(inspections).unwrap_or(i32::MAX);
                ThemeCount {
                    theme: PriorityActionTheme::from(*t),
                    label: t.code(),
                    priority_actions: i32::try_from(actions).unwrap_or(i32::MAX),
                    inspections,
                    systemic_inspections: systemic,
                    systemic_inspections_not_yet_read: unread,
                    share_of_systemic_inspections: (read > 0).then(|| f64::from(inspections) / f64::from(read)),
                }
            })
            .collect();
        // A stable sort keeps the fixed theme order among equal counts.
        themes.sort_by_key(|t| std::cmp::Reverse(t.priority_actions));
        Ok(themes)
    }

    /// Thematic visits (e.g. the 2024 review of preparation for adulthood), by year then area name; visits whose
    /// area is not named publicly come last.
    async fn thematic_visits(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which visits.")] filter: Option<ThematicVisitFilter>,
    ) -> ApiResult<Vec<ThematicVisit>> {
        let model = model(ctx).await?;
        let filter = filter.unwrap_or_default();
        let mut select = thematic_visit::Entity::find().join(
            JoinType::LeftJoin,
            thematic_visit::Entity::belongs_to(local_area::Entity)
                .from(thematic_visit::Column::AreaId)
                .to(local_area::Column::Id)
                .into(),
        );
        if let Some(year) = filter.year {
            select = select.filter(thematic_visit::Column::Year.eq(year));
        }
        if let Some(theme) = filter.theme {
            select = select.filter(thematic_visit::Column::Theme.eq(domain::VisitTheme::from(theme)));
        }
        if let Some(code) = &filter.region {
            select = select.filter(local_area::Column::RegionCode.eq(model.region_code(code)?));
        }
        let rows = select
            .order_by_asc(thematic_visit::Column::Year)
            .order_by_asc(thematic_visit::Column::AreaId.is_null())
            .order_by_asc(sea_orm::sea_query::Expr::col((local_area::Entity, local_area::Column::Name)))
            .order_by_asc(thematic_visit::Column::Id)
            .all(db(ctx).await?)
            .await?;
        Ok(rows.into_iter().map(ThematicVisit).collect())
    }

    /// How far the 2023 framework's programme has got: of the current local areas, how many have had a full
    /// inspection under it carried out by `asAt`, how many remain, and the pace needed to inspect them all by the
    /// end of 2027/28.
    async fn coverage(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Count inspections carried out (started) on or before this date (default: the date the data \
                          runs to, `dataset { dataRunsTo }`). An inspection whose start is not known counts from \
                          its publication."
        )]
        as_at: Option<Date>,
    ) -> ApiResult<Coverage> {
        let model = model(ctx).await?;
        let as_at = as_at.map_or_else(|| model.default_as_at(), |d| d.0);
        let current: std::collections::HashSet<i32> =
            model.areas().filter(|a| a.valid_to.is_none()).map(|a| a.id).collect();
        let inspected: std::collections::HashSet<i32> = inspection::Entity::find()
            .filter(inspection::Column::Framework.eq(domain::Framework::F2023))
            .filter(inspection::Column::InspectionType.eq(domain::InspectionType::Full))
            .filter(inspection::Column::StartDate.lte(as_at))
            .all(db(ctx).await?)
            .await?
            .into_iter()
            .map(|i| i.area_id)
            .filter(|id| current.contains(id))
            .collect();
        let end = send_model::schedule::programme_end();
        let areas = i32::try_from(current.len()).unwrap_or(i32::MAX);
        let done = i32::try_from(inspected.len()).unwrap_or(i32::MAX);
        let days_left = (end - as_at).num_days();
        let remaining = areas - done;
        Ok(Coverage {
            as_at: Date(as_at),
            areas,
            inspected: done,
            remaining,
            programme_end: Date(end),
            needed_per_year: (days_left > 0).then(|| f64::from(remaining) / (days_left as f64 / 365.25)),
        })
    }

    /// How long reports took to publish after the last day on site, by the year the inspections started: median
    /// and quartiles of `Inspection.daysToPublication`.
    async fn timeliness(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Which inspections (default: 2023-framework full inspections in England).")] filter: Option<
            TimelinessFilter,
        >,
    ) -> ApiResult<Vec<Timeliness>> {
        let model = model(ctx).await?;
        let filter = filter.unwrap_or(TimelinessFilter {
            framework: Framework::F2023,
            inspection_type: InspectionType::Full,
            region: None,
        });
        let mut select = inspection::Entity::find()
            .join(JoinType::InnerJoin, inspection::Relation::Area.def())
            .filter(inspection::Column::Framework.eq(domain::Framework::from(filter.framework)))
            .filter(inspection::Column::InspectionType.eq(domain::InspectionType::from(filter.inspection_type)));
        if let Some(code) = &filter.region {
            select = select.filter(local_area::Column::RegionCode.eq(model.region_code(code)?));
        }
        let mut by_year: std::collections::BTreeMap<i32, Vec<i32>> = std::collections::BTreeMap::new();
        // An inspection whose start is not known has no year to be counted in.
        for m in select.all(db(ctx).await?).await?.into_iter().filter(|m| m.start_known) {
            let days = super::types::days_to_publication(&m);
            let entry = by_year.entry(m.start_year).or_default();
            entry.extend(days);
        }
        Ok(by_year
            .into_iter()
            .map(|(year, mut days)| {
                days.sort_unstable();
                Timeliness {
                    year,
                    inspections: i32::try_from(days.len()).unwrap_or(i32::MAX),
                    median: quantile(&days, 0.5),
                    lower_quartile: quantile(&days, 0.25),
                    upper_quartile: quantile(&days, 0.75),
                    min: days.first().copied(),
                    max: days.last().copied(),
                }
            })
            .collect())
    }

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
        #[graphql(desc = "At most this many inspections (default 20; at most the largest page, 200 unless the \
                          server sets another limit); `truncated` says when more changed.")]
        first: Option<i32>,
    ) -> ApiResult<super::changes::Changes> {
        let first = page_size(ctx, first)?;
        super::changes::changes(ctx, &since, first).await
    }

    /// Where the data comes from, when it was last imported, and its licence and attribution.
    async fn dataset(&self) -> Dataset {
        Dataset
    }
}

/// Reads, in one statement, the inspections (with their actions) of the areas of a page whose selection asks for
/// them and that the read model does not hold yet, so that the page costs the same whatever the loader's batching
/// delay lets through.
async fn prefetch_inspections(ctx: &Context<'_>, ids: &[i32]) -> ApiResult<()> {
    let node = ctx.look_ahead().field("edges").field("node");
    if node.field("inspections").exists() || node.field("latestInspection").exists() {
        let model = super::types::model(ctx).await?;
        let missing: Vec<_> = ids
            .iter()
            .filter(|id| model.cached_inspections(**id).is_none())
            .map(|id| super::loaders::InspectionsOfArea(*id))
            .collect();
        if !missing.is_empty() {
            super::types::loaders(ctx)?.load_many(missing).await?;
        }
    }
    Ok(())
}

fn sort_order(direction: OrderDirection) -> Order {
    match direction {
        OrderDirection::Asc => Order::Asc,
        OrderDirection::Desc => Order::Desc,
    }
}

/// The order of inspections as sort keys (ties broken by id, so pages are stable).
pub fn inspection_order(order: InspectionOrder) -> Vec<SortKey> {
    let direction = sort_order(order.direction);
    let col = |c: inspection::Column| Expr::col((inspection::Entity, c));
    let area_name = Expr::col((local_area::Entity, local_area::Column::Name));
    let id = SortKey::new(col(inspection::Column::Id), Order::Asc, KeyKind::Int);
    match order.field {
        // Ties by id in the same direction: the (framework, start_date, id) index then serves a page of one
        // framework as a plain walk that stops after the page (a tie-break on the area's name, in another table,
        // made SQLite sort every inspection of the framework first).
        InspectionOrderField::StartDate => vec![
            SortKey::new(col(inspection::Column::StartDate), direction.clone(), KeyKind::Date),
            SortKey::new(col(inspection::Column::Id), direction, KeyKind::Int),
        ],
        InspectionOrderField::Published => vec![
            SortKey::new(col(inspection::Column::Published).is_null(), Order::Asc, KeyKind::Bool),
            SortKey::new(col(inspection::Column::Published), direction, KeyKind::Date),
            id,
        ],
        InspectionOrderField::AreaName => vec![
            SortKey::new(area_name, direction, KeyKind::Text),
            SortKey::new(col(inspection::Column::StartDate), Order::Asc, KeyKind::Date),
            id,
        ],
    }
}

/// Inspections narrowed by `filter`, in `order`: what the CSV export lists.
pub fn inspection_select(
    model: &ReadModel,
    filter: &InspectionFilter,
    order: InspectionOrder,
) -> ApiResult<Select<inspection::Entity>> {
    Ok(order_by_keys(filtered_inspections(model, filter, order)?, &inspection_order(order)))
}

/// How many inspections `filter` selects, from the tallies, when it filters only on what they count by
/// (framework, type, outcome, region, Ofsted region, year); `None` otherwise.
fn tallied_count(model: &ReadModel, filter: &InspectionFilter) -> ApiResult<Option<u64>> {
    let InspectionFilter {
        framework,
        inspection_type,
        outcome,
        region,
        ofsted_region,
        icb: None,
        year,
        started_from: None,
        started_to: None,
        area_code: None,
        name_contains: None,
    } = filter
    else {
        return Ok(None);
    };
    // Both region filters narrow together, as they do on the inspections.
    let regions = match model.regions_allowed(region.as_deref(), ofsted_region.as_deref())? {
        None => tally::Regions::England,
        Some(codes) => tally::Regions::These(codes),
    };
    let n: i64 = model
        .inspection_tally
        .iter()
        .filter(|t| framework.is_none_or(|f| t.framework == domain::Framework::from(f)))
        .filter(|t| inspection_type.is_none_or(|k| t.inspection_type == domain::InspectionType::from(k)))
        .filter(|t| outcome.is_none_or(|o| t.outcome == Some(domain::Outcome::from(o))))
        .filter(|t| year.is_none_or(|y| t.start_known && t.start_year == y))
        .filter(|t| regions.admits(&t.region_code))
        .map(|t| t.inspections)
        .sum();
    Ok(Some(u64::try_from(n).unwrap_or(0)))
}

/// Inspections narrowed by `filter` (joined to their area when `filter` or `order` needs its name).
fn filtered_inspections(
    model: &ReadModel,
    filter: &InspectionFilter,
    order: InspectionOrder,
) -> ApiResult<Select<inspection::Entity>> {
    let mut select = inspection::Entity::find();
    // The area's table only when its name filters or orders: a page of one region then reads the inspections'
    // index and rows alone (areas come from the read model).
    if filter.name_contains.is_some() || order.field == InspectionOrderField::AreaName {
        select = select.join(JoinType::InnerJoin, inspection::Relation::Area.def());
    }
    if let Some(f) = filter.framework {
        select = select.filter(inspection::Column::Framework.eq(domain::Framework::from(f)));
    }
    if let Some(t) = filter.inspection_type {
        select = select.filter(inspection::Column::InspectionType.eq(domain::InspectionType::from(t)));
    }
    if let Some(o) = filter.outcome {
        select = select.filter(inspection::Column::Outcome.eq(domain::Outcome::from(o)));
    }
    // The inspection's own copy of its area's region, which the (framework, region, start date) index serves.
    if let Some(code) = &filter.region {
        select = select.filter(inspection::Column::RegionCode.eq(model.region_code(code)?));
    }
    if let Some(name) = &filter.ofsted_region {
        select = select.filter(inspection::Column::RegionCode.is_in(model.regions_of_ofsted_region(name)?));
    }
    if let Some(code) = &filter.icb {
        select = select.filter(inspection::Column::AreaId.is_in(model.areas_served_by_icb(code)?));
    }
    // An inspection whose start is not known has no year and no start to compare: these filters leave it out.
    if filter.year.is_some() || filter.started_from.is_some() || filter.started_to.is_some() {
        select = select.filter(inspection::Column::StartKnown.eq(true));
    }
    if let Some(year) = filter.year {
        select = select.filter(inspection::Column::StartYear.eq(year));
    }
    if let Some(from) = filter.started_from {
        select = select.filter(inspection::Column::StartDate.gte(from.0));
    }
    if let Some(to) = filter.started_to {
        select = select.filter(inspection::Column::StartDate.lte(to.0));
    }
    if let Some(code) = &filter.area_code {
        // An unknown (but well-formed) code matches nothing, as in every other filter.
        let id = model.area_by_code(code)?.map_or(-1, |a| a.id);
        select = select.filter(inspection::Column::AreaId.eq(id));
    }
    if let Some(text) = &filter.name_contains {
        select = select.filter(name_contains(text)?);
    }
    Ok(select)
}
