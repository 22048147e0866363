//! Query parameters read as a GraphQL input object: the CSV exports take the same filters as their GraphQL fields,
//! named and valued as GraphQL names them (`?framework=FRAMEWORK_2023&year=2023`), so the fields and enum values
//! are read from the input types themselves (async-graphql's type registry) and never listed a second time, and a
//! value is checked as GraphQL would check it.

use async_graphql::registry::{MetaType, Registry};
use async_graphql::{InputType, Name, Value};
use axum::http::StatusCode;

use crate::error::{Refusal, code};

/// The query string's parameters, in order.
pub fn pairs(query_string: Option<&str>) -> Result<Vec<(String, String)>, Refusal> {
    serde_urlencoded::from_str(query_string.unwrap_or(""))
        .map_err(|e| Refusal::bad_input(format!("cannot read the query string: {e}")))
}

/// The value of a GraphQL type `ty` (`Int`, `Boolean`, an enum or a string-like scalar) written as `text` in a
/// query parameter, checked as GraphQL would.
fn param_value(registry: &Registry, key: &str, ty: &str, text: &str) -> Result<Value, Refusal> {
    let ty = ty.trim_end_matches('!');
    match ty {
        "Int" => text.parse::<i32>().map(|n| Value::Number(n.into())).map_err(|_| {
            Refusal::bad_input(format!("query parameter `{key}`: expected a whole number, found {text:?}"))
        }),
        "Boolean" => match text {
            "true" => Ok(Value::Boolean(true)),
            "false" => Ok(Value::Boolean(false)),
            _ => Err(Refusal::bad_input(format!("query parameter `{key}`: expected true or false, found {text:?}"))),
        },
        _ => match registry.types.get(ty) {
            Some(MetaType::Enum { enum_values, .. }) => {
                if enum_values.contains_key(text) {
                    Ok(Value::Enum(Name::new(text)))
                } else {
                    let names: Vec<&str> = enum_values.keys().map(String::as_str).collect();
                    Err(Refusal::bad_input(format!(
                        "query parameter `{key}`: expected one of {}, found {text:?}",
                        names.join(", ")
                    )))
                }
            }
            _ => Ok(Value::String(text.to_owned())),
        },
    }
}

/// Reads the input object `T` (a GraphQL filter) from query parameters named as its fields, skipping `others`
/// (parameters the endpoint reads itself). Unknown parameters and missing required ones are errors that list the
/// valid ones.
pub fn input_from_params<T: InputType>(params: &[(String, String)], others: &[&str]) -> Result<T, Refusal> {
    let mut registry = Registry::default();
    T::create_type_info(&mut registry);
    let type_name = T::type_name();
    let Some(MetaType::InputObject { input_fields, .. }) = registry.types.get(type_name.as_ref()) else {
        return Err(Refusal::new(StatusCode::INTERNAL_SERVER_ERROR, code::INTERNAL, "internal error"));
    };
    let valid = || {
        let mut names: Vec<&str> = input_fields.keys().map(String::as_str).chain(others.iter().copied()).collect();
        names.sort_unstable();
        names.join(", ")
    };
    let mut object = async_graphql::indexmap::IndexMap::new();
    for (key, text) in params {
        if others.contains(&key.as_str()) {
            continue;
        }
        let Some(field) = input_fields.get(key) else {
            return Err(Refusal::bad_input(format!("unknown query parameter `{key}`: expected {}", valid())));
        };
        object.insert(Name::new(key), param_value(&registry, key, &field.ty, text)?);
    }
    for (name, field) in input_fields {
        if field.ty.ends_with('!') && field.default_value.is_none() && !object.contains_key(name.as_str()) {
            return Err(Refusal::bad_input(format!("query parameter `{name}` is required")));
        }
    }
    T::parse(Some(Value::Object(object)))
        .map_err(|e| Refusal::bad_input(e.into_server_error(Default::default()).message))
}

/// The one value of parameter `key` read as the GraphQL enum `T`, if given.
pub fn enum_param<T: InputType>(params: &[(String, String)], key: &str) -> Result<Option<T>, Refusal> {
    let Some((_, text)) = params.iter().rev().find(|(k, _)| k == key) else { return Ok(None) };
    let mut registry = Registry::default();
    T::create_type_info(&mut registry);
    let value = param_value(&registry, key, T::type_name().as_ref(), text)?;
    T::parse(Some(value)).map(Some).map_err(|e| Refusal::bad_input(e.into_server_error(Default::default()).message))
}
