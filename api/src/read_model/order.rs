//! A list's order as sort keys: parts that together are unique per row, so that a row's values say exactly where the
//! next page starts (the keyset pagination of the GraphQL connections) and an export lists rows in the same order.

use sea_orm::{EntityTrait, Order, QueryOrder, Select};

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
    pub(crate) fn tag(self) -> &'static str {
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
    pub(crate) expr: sea_orm::sea_query::SimpleExpr,
    pub(crate) order: Order,
    pub(crate) kind: KeyKind,
}

impl SortKey {
    /// A part ordering by `expr` in `order`, holding values of `kind`.
    pub fn new(expr: impl Into<sea_orm::sea_query::SimpleExpr>, order: Order, kind: KeyKind) -> Self {
        Self { expr: expr.into(), order, kind }
    }

    /// A cursor's JSON value as an SQL value of this part's kind (`None` for a JSON null).
    pub(crate) fn value(&self, json: &serde_json::Value) -> Option<Option<sea_orm::Value>> {
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
