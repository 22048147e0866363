//! How records are named to clients: an inspection's natural key (`AREA/FRAMEWORK/TYPE/START`) and the opaque global
//! IDs of the `Node` interface, which the CSV export writes too.

use send_model::domain::PartialDate;
use send_model::entity::inspection;

/// Text as lowercase hex: how cursors and global IDs are made opaque (clients must not build or parse them).
pub(crate) fn to_hex(text: &str) -> String {
    text.bytes().map(|b| format!("{b:02x}")).collect()
}

/// Reverses [`to_hex`]; `None` for anything it did not produce.
pub(crate) fn from_hex(hex: &str) -> Option<String> {
    if !hex.len().is_multiple_of(2) || !hex.is_ascii() {
        return None;
    }
    let bytes: Option<Vec<u8>> =
        (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).ok()).collect();
    bytes.and_then(|b| String::from_utf8(b).ok())
}

/// An opaque global ID for a record of `kind` with natural key `key`; stable while the key is.
pub fn global_id(kind: &str, key: &str) -> String {
    to_hex(&format!("{kind}:{key}"))
}

/// The kind and natural key inside a global ID this API returned.
pub fn parse_global_id(id: &str) -> Option<(String, String)> {
    from_hex(id).and_then(|t| t.split_once(':').map(|(k, v)| (k.to_owned(), v.to_owned())))
}

/// What stands before the date in the key of an inspection whose start is not known: the key then gives its
/// publication date, never a date that would read as its start.
pub const PUBLISHED_KEY_PREFIX: &str = "published-";

/// An inspection's natural key given its area's GSS code: `E10000029/2023/full/2023-11-13`, or
/// `E06000034/2023/full/published-2026-03-09` when the start is not known.
pub fn inspection_key(gss_code: &str, m: &inspection::Model) -> String {
    let date = PartialDate::from_parts(m.start_date, m.start_precision);
    let prefix = if m.start_known { "" } else { PUBLISHED_KEY_PREFIX };
    format!("{}/{}/{}/{prefix}{date}", gss_code, m.framework.code(), m.inspection_type.code())
}
