//! Relay cursor connections with descriptions on every type (async-graphql's generic `Connection` cannot carry a
//! type description), and opaque cursors.

use async_graphql::SimpleObject;

use crate::error::{ApiError, ApiResult};
use crate::read_model::keys::{from_hex, to_hex};

/// Where a page stands in the whole list (Relay's `PageInfo`).
#[derive(SimpleObject, Debug, Clone)]
pub struct PageInfo {
    /// Whether items follow this page: pass `endCursor` as `after` to get them.
    pub has_next_page: bool,
    /// Whether items precede this page.
    pub has_previous_page: bool,
    /// The cursor of the page's first item; null on an empty page.
    pub start_cursor: Option<String>,
    /// The cursor of the page's last item; null on an empty page.
    pub end_cursor: Option<String>,
}

/// An opaque cursor: the position of an item in the ordered list and its sort key (the values it was ordered by),
/// from which the next page starts (keyset pagination: a page far down the list costs what the first one does).
pub fn encode_cursor(position: u64, key: &[serde_json::Value]) -> String {
    to_hex(&format!("k:{position}:{}", serde_json::Value::Array(key.to_vec())))
}

/// Reads a cursor this API returned: its position and sort key.
pub fn decode_cursor(cursor: &str) -> ApiResult<(u64, Vec<serde_json::Value>)> {
    let bad = || ApiError::bad_input(format!("`after` is not a cursor this API returned: {cursor:?}"));
    let text = from_hex(cursor).ok_or_else(bad)?;
    let (position, key) = text.strip_prefix("k:").and_then(|t| t.split_once(':')).ok_or_else(bad)?;
    let position = position.parse().map_err(|_| bad())?;
    match serde_json::from_str(key) {
        Ok(serde_json::Value::Array(key)) => Ok((position, key)),
        _ => Err(bad()),
    }
}

/// Defines a connection type and its edge type over a node type.
macro_rules! connection {
    ($connection:ident, $edge:ident, $node:ty, $what:literal) => {
        #[doc = concat!("One item of a page of ", $what, ", with its cursor.")]
        #[derive(async_graphql::SimpleObject)]
        pub struct $edge {
            /// Pass as `after` to get the items that follow this one.
            pub cursor: String,
            /// The item.
            pub node: $node,
        }

        #[doc = concat!("A page of ", $what, " (a Relay cursor connection) with the total over all pages.")]
        #[derive(async_graphql::SimpleObject)]
        pub struct $connection {
            /// The items of this page with their cursors.
            pub edges: Vec<$edge>,
            /// Where this page stands.
            pub page_info: $crate::graphql::connection::PageInfo,
            /// How many items match the filter, over all pages.
            pub total_count: i32,
        }

        impl $connection {
            /// A page of `nodes` (each with its sort key) starting at position `offset`.
            pub fn new(
                offset: u64,
                nodes: Vec<($node, Vec<serde_json::Value>)>,
                has_next_page: bool,
                total: u64,
            ) -> Self {
                use $crate::graphql::connection::encode_cursor;
                let edges: Vec<$edge> = nodes
                    .into_iter()
                    .enumerate()
                    .map(|(i, (node, key))| $edge { cursor: encode_cursor(offset + i as u64, &key), node })
                    .collect();
                let page_info = $crate::graphql::connection::PageInfo {
                    has_next_page,
                    has_previous_page: offset > 0,
                    start_cursor: edges.first().map(|e| e.cursor.clone()),
                    end_cursor: edges.last().map(|e| e.cursor.clone()),
                };
                Self { edges, page_info, total_count: i32::try_from(total).unwrap_or(i32::MAX) }
            }
        }
    };
}

pub(crate) use connection;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read_model::keys::{global_id, parse_global_id};

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        for n in [0, 1, 99, 123_456] {
            let key = vec![serde_json::json!("2023-11-13"), serde_json::json!("Suffolk: \"x\""), serde_json::json!(n)];
            assert_eq!(decode_cursor(&encode_cursor(n, &key)).ok(), Some((n, key)));
        }
        assert!(decode_cursor("zz").is_err());
        assert!(decode_cursor("abc").is_err());
        assert!(decode_cursor(&to_hex("x:1")).is_err());
        assert!(decode_cursor(&to_hex("k:1:{}")).is_err());
        assert!(decode_cursor(&to_hex("p:1")).is_err());
        let id = global_id("Area", "E10000029");
        assert_eq!(parse_global_id(&id), Some(("Area".to_owned(), "E10000029".to_owned())));
        assert_eq!(parse_global_id("E10000029"), None);
    }
}
