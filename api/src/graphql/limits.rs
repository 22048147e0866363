//! The limits that make abusive queries cheap to refuse. async-graphql checks depth and complexity; aliases, root
//! fields and time are checked by [`super::run`], the page size by the connections.

use std::time::Duration;

use async_graphql::parser::types::{DocumentOperations, ExecutableDocument, Selection, SelectionSet};
use async_graphql::{Value, value};

use super::code;

/// Every limit, configurable (see `send-api --help`). Each refusal is a GraphQL error with its own code.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Deepest nesting of fields (`QUERY_TOO_DEEP`).
    pub max_depth: usize,
    /// Largest complexity: each field counts 1, a connection counts its page size (`first`) times its selection
    /// (`QUERY_TOO_COMPLEX`).
    pub max_complexity: usize,
    /// Most aliases in one operation, fragments expanded (`TOO_MANY_ALIASES`).
    pub max_aliases: usize,
    /// Most root fields in one operation, fragments expanded (`TOO_MANY_ROOT_FIELDS`).
    pub max_root_fields: usize,
    /// Largest `first` a connection accepts (`PAGE_SIZE_TOO_LARGE`).
    pub max_page_size: i32,
    /// Longest a request may run (`TIMEOUT`).
    pub timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_depth: 16,
            max_complexity: 20_000,
            max_aliases: 30,
            max_root_fields: 20,
            max_page_size: 200,
            timeout: Duration::from_secs(10),
        }
    }
}

/// The size of an operation that async-graphql does not measure.
#[derive(Debug, Clone, Copy, Default)]
pub struct Shape {
    /// Aliased fields, fragments expanded where they are spread.
    pub aliases: usize,
    /// Fields selected at the root, fragments expanded.
    pub root_fields: usize,
}

/// Selections visited at most while measuring: fragments spread inside fragments can multiply a small document
/// into a huge one, and such a document is over any limit anyway.
const VISIT_BUDGET: usize = 100_000;

impl Shape {
    /// Measures the operation `operation_name` selects (the only one when not named). Unknown names measure as
    /// empty: validation reports them.
    pub fn of(document: &ExecutableDocument, operation_name: Option<&str>) -> Self {
        let operation = match (&document.operations, operation_name) {
            (DocumentOperations::Single(op), _) => Some(op),
            (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name),
            (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => ops.values().next(),
            (DocumentOperations::Multiple(_), None) => None,
        };
        let mut shape = Shape::default();
        if let Some(op) = operation {
            let mut budget = VISIT_BUDGET;
            shape.root_fields = count(document, &op.node.selection_set.node, 0, &mut budget, &mut |_| {});
            let mut aliases = 0;
            count(document, &op.node.selection_set.node, usize::MAX, &mut budget, &mut |aliased| {
                aliases += usize::from(aliased);
            });
            shape.aliases = aliases;
            if budget == 0 {
                shape = Shape { aliases: usize::MAX, root_fields: usize::MAX };
            }
        }
        shape
    }
}

/// Counts the fields of `set` (fragments expanded), descending into sub-selections `levels` more levels, and calls
/// `on_field` with whether each field visited is aliased. Stops when `budget` runs out.
fn count(
    document: &ExecutableDocument,
    set: &SelectionSet,
    levels: usize,
    budget: &mut usize,
    on_field: &mut dyn FnMut(bool),
) -> usize {
    let mut fields = 0;
    for selection in &set.items {
        if *budget == 0 {
            return fields;
        }
        *budget -= 1;
        match &selection.node {
            Selection::Field(field) => {
                fields += 1;
                on_field(field.node.alias.is_some());
                if levels > 0 {
                    count(document, &field.node.selection_set.node, levels - 1, budget, on_field);
                }
            }
            Selection::FragmentSpread(spread) => {
                if let Some(fragment) = document.fragments.get(&spread.node.fragment_name.node) {
                    fields += count(document, &fragment.node.selection_set.node, levels, budget, on_field);
                }
            }
            Selection::InlineFragment(inline) => {
                fields += count(document, &inline.node.selection_set.node, levels, budget, on_field);
            }
        }
    }
    fields
}

impl Limits {
    /// Refuses a shape over the limits, with the message and code to answer.
    pub fn check_shape(&self, shape: &Shape) -> Result<(), (String, &'static str)> {
        if shape.root_fields > self.max_root_fields {
            return Err((
                format!(
                    "the operation selects {} root fields; the limit is {}: split it into several requests",
                    shown(shape.root_fields),
                    self.max_root_fields
                ),
                code::TOO_MANY_ROOT_FIELDS,
            ));
        }
        if shape.aliases > self.max_aliases {
            return Err((
                format!("the operation uses {} aliases; the limit is {}", shown(shape.aliases), self.max_aliases),
                code::TOO_MANY_ALIASES,
            ));
        }
        Ok(())
    }

    /// The message for a query async-graphql found too deep or too complex.
    pub fn explain(&self, code: &str) -> Option<String> {
        match code {
            code::QUERY_TOO_DEEP => Some(format!("the query nests deeper than the limit of {} levels", self.max_depth)),
            code::QUERY_TOO_COMPLEX => Some(format!(
                "the query's complexity is over the limit of {}: each field counts 1 and a connection counts `first` \
                 times its selection; ask for smaller pages or fewer fields (send `\"extensions\": {{\"cost\": true}}` \
                 to see a query's cost)",
                self.max_complexity
            )),
            _ => None,
        }
    }

    /// What `extensions.cost` reports: the query's measures beside the limits.
    pub fn cost(&self, analysis: Option<&Value>, shape: &Shape) -> Value {
        let measure = |name: &str| match analysis {
            Some(Value::Object(o)) => o.get(name).cloned().unwrap_or(Value::Null),
            _ => Value::Null,
        };
        value!({
            "complexity": measure("complexity"),
            "depth": measure("depth"),
            "aliases": shape.aliases,
            "rootFields": shape.root_fields,
            "limits": {
                "complexity": self.max_complexity,
                "depth": self.max_depth,
                "aliases": self.max_aliases,
                "rootFields": self.max_root_fields,
                "pageSize": self.max_page_size,
                "timeoutMs": u64::try_from(self.timeout.as_millis()).unwrap_or(u64::MAX),
            }
        })
    }
}

/// A measure for a message: the budget's overflow marker reads as "too many to count".
fn shown(n: usize) -> String {
    if n == usize::MAX { "too many to count".to_owned() } else { n.to_string() }
}
