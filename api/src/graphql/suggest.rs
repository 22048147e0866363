//! Error messages that say what would have been right. async-graphql suggests names for misspelt fields and
//! arguments, but says only "does not contain the value" of an enum value and "unknown field" of an input
//! object's field; here those messages gain the valid values and the closest one, read from the schema itself.

use std::collections::HashMap;

use async_graphql::parser::types::{ServiceDocument, TypeKind, TypeSystemDefinition};
use send_model::similarity::edit_distance;

/// The enums' values and the input objects' fields of a schema, by type name.
#[derive(Debug, Default)]
pub struct Vocabulary {
    names: HashMap<String, Vec<String>>,
}

impl Vocabulary {
    /// Reads them from the schema's SDL.
    pub fn of_sdl(sdl: &str) -> Self {
        let mut names = HashMap::new();
        if let Ok(ServiceDocument { definitions }) = async_graphql::parser::parse_schema(sdl) {
            for definition in definitions {
                let TypeSystemDefinition::Type(ty) = definition else { continue };
                let valid: Vec<String> = match &ty.node.kind {
                    TypeKind::Enum(e) => e.values.iter().map(|v| v.node.value.node.to_string()).collect(),
                    TypeKind::InputObject(o) => o.fields.iter().map(|f| f.node.name.node.to_string()).collect(),
                    _ => continue,
                };
                names.insert(ty.node.name.node.to_string(), valid);
            }
        }
        Self { names }
    }

    /// `message` with what would have been right, when it is one of the messages this knows.
    pub fn explain(&self, message: &str) -> Option<String> {
        let (ty, given, what) =
            if let Some((ty, value)) = quoted_pair(message, "enumeration type ", " does not contain the value ") {
                (ty, value, "one of")
            } else if let Some((field, ty)) = quoted_pair(message, "unknown field ", " of type ") {
                (ty, field, "fields")
            } else {
                return None;
            };
        let valid = self.names.get(ty)?;
        let mut explained = format!("{message}: expected {what} {}", valid.join(", "));
        if let Some(closest) = closest(given, valid) {
            explained.push_str(&format!(". Did you mean \"{closest}\"?"));
        }
        Some(explained)
    }
}

/// The two quoted names in `… {before}"A"{between}"B"…`.
fn quoted_pair<'a>(message: &'a str, before: &str, between: &str) -> Option<(&'a str, &'a str)> {
    let rest = &message[message.find(before)? + before.len()..];
    let first = rest.strip_prefix('"')?;
    let (a, rest) = first.split_once('"')?;
    let rest = rest.strip_prefix(between)?.strip_prefix('"')?;
    let (b, _) = rest.split_once('"')?;
    Some((a, b))
}

/// The valid name closest to `given`, when close enough to be what was meant: the same but for case, or within
/// an edit distance of a third of its length (at least 2).
fn closest<'a>(given: &str, valid: &'a [String]) -> Option<&'a str> {
    let folded = given.to_lowercase();
    if let Some(same) = valid.iter().find(|v| v.to_lowercase() == folded) {
        return Some(same);
    }
    let bound = (given.chars().count() / 3).max(2);
    valid
        .iter()
        .map(|v| (edit_distance(&folded, &v.to_lowercase()), v))
        .filter(|(d, _)| *d <= bound)
        .min_by_key(|(d, _)| *d)
        .map(|(_, v)| v.as_str())
}

#[cfg(test)]
mod tests {
    use super::{Vocabulary, closest, edit_distance};

    #[test]
    fn enums_and_input_fields_are_explained_with_the_closest_name() {
        let vocabulary = Vocabulary::of_sdl(
            "enum Framework { FRAMEWORK_2016 FRAMEWORK_2023 }\ninput Filter { year: Int framework: Framework }\n\
             type Query { a(f: Filter): Int }",
        );
        let enum_error = "Invalid value for argument \"filter.framework\", enumeration type \"Framework\" does not \
                          contain the value \"FRAMEWORK_2024\"";
        assert_eq!(
            vocabulary.explain(enum_error).as_deref(),
            Some(&*format!(
                "{enum_error}: expected one of FRAMEWORK_2016, FRAMEWORK_2023. Did you mean \"FRAMEWORK_2023\"?"
            ))
        );
        let field_error = "Invalid value for argument \"filter\", unknown field \"yaer\" of type \"Filter\"";
        assert_eq!(
            vocabulary.explain(field_error).as_deref(),
            Some(&*format!("{field_error}: expected fields year, framework. Did you mean \"year\"?"))
        );
        assert_eq!(vocabulary.explain("Unknown field \"x\" on type \"Query\""), None);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(closest("typically_positive", &["TYPICALLY_POSITIVE".to_owned()]), Some("TYPICALLY_POSITIVE"));
        assert_eq!(closest("zzz", &["year".to_owned()]), None);
    }
}
