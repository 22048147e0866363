//! Values of a GraphQL answer (JSON) as the pages write them: missing values are drawn as nothing or zero rather
//! than failing a page, since the query asked for them and the schema says which may be null.

use serde_json::Value;

/// A value as text: a string as it is, null as nothing, anything else as JSON.
pub fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// A whole number (0 when null).
pub fn int(v: &Value) -> i64 {
    v.as_i64().unwrap_or(0)
}

/// A share (0 to 1) as a whole percentage; nothing when null.
pub fn percent(v: &Value) -> String {
    v.as_f64().map(|f| format!("{:.0}%", f * 100.0)).unwrap_or_default()
}
