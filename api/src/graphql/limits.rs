//! The limits that make abusive queries cheap to refuse. async-graphql checks depth and complexity; aliases, root
//! fields and time are checked by [`super::run`], the page size by the connections.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use async_graphql::Positioned;
use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, OperationDefinition, Selection, SelectionSet,
};
use async_graphql::{Value, value};

use crate::error::Refusal;
use crate::error::code;

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

impl Limits {
    /// These limits, each raised to at least `floor`'s: what the server's own documents (its pages, its feed) run
    /// under. They are fixed, written to fit the default limits and cached, so a limit an operator lowers for
    /// clients must not refuse them.
    pub fn at_least(&self, floor: &Limits) -> Limits {
        Limits {
            max_depth: self.max_depth.max(floor.max_depth),
            max_complexity: self.max_complexity.max(floor.max_complexity),
            max_aliases: self.max_aliases.max(floor.max_aliases),
            max_root_fields: self.max_root_fields.max(floor.max_root_fields),
            max_page_size: self.max_page_size.max(floor.max_page_size),
            timeout: self.timeout.max(floor.timeout),
        }
    }
}

/// The size of an operation that async-graphql does not measure, fragments expanded where they are spread.
#[derive(Debug, Clone, Copy, Default)]
pub struct Shape {
    /// Aliased fields.
    pub aliases: usize,
    /// Fields selected at the root.
    pub root_fields: usize,
    /// Selections (fields, spreads, inline fragments) in all.
    pub selections: usize,
    /// Deepest nesting of selection sets, fragment spreads and inline fragments each counting a level.
    pub nesting: usize,
}

/// Most selections an operation may expand to. Fragments spread inside fragments can multiply a small document
/// into a huge one, which async-graphql's validation would walk whole; such a document is over any sensible limit.
pub const MAX_SELECTIONS: usize = 100_000;

/// Deepest nesting of selection sets, spreads and inline fragments, fragments expanded. async-graphql's validation
/// recurses once per level, so a long chain of fragments spreading one another would exhaust a thread's stack.
pub const MAX_NESTING: usize = 128;

impl Shape {
    /// Measures the operation `operation_name` selects (the only one when not named), fragments expanded, without
    /// expanding them: each fragment is measured once, those it spreads first. Unknown operation and fragment names
    /// measure as empty (validation reports them). A fragment that spreads itself, directly or through others,
    /// cannot be expanded at all: refused before anything walks the document.
    pub fn of(document: &ExecutableDocument, operation_name: Option<&str>) -> Result<Self, Refusal> {
        let fragments = fragment_shapes(document)?;
        let operation = operation(document, operation_name);
        // Validation walks every operation of the document, not only the one that runs.
        let mut shape = operation.map(|op| measure(&op.node.selection_set.node, &fragments)).unwrap_or_default();
        for (_, op) in document.operations.iter() {
            let other = measure(&op.node.selection_set.node, &fragments);
            shape.nesting = shape.nesting.max(other.nesting);
            shape.selections = shape.selections.max(other.selections);
        }
        Ok(shape)
    }
}

/// The operation a request named `operation_name` runs: the only one when not named; `None` when the name is
/// unknown or a name is needed (validation reports both).
pub fn operation<'a>(
    document: &'a ExecutableDocument,
    operation_name: Option<&str>,
) -> Option<&'a Positioned<OperationDefinition>> {
    match (&document.operations, operation_name) {
        (DocumentOperations::Single(op), _) => Some(op),
        (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name),
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => ops.values().next(),
        (DocumentOperations::Multiple(_), None) => None,
    }
}

/// Each fragment's shape, computed in an order where a fragment comes after every fragment it spreads (Kahn's
/// algorithm, with no recursion through spreads). The fragments left over spread themselves.
fn fragment_shapes(document: &ExecutableDocument) -> Result<HashMap<&str, Shape>, Refusal> {
    let mut waiting_on: HashMap<&str, usize> = HashMap::new();
    let mut dependents: HashMap<&str, Vec<&str>> = HashMap::new();
    for (name, fragment) in &document.fragments {
        let mut spreads = HashSet::new();
        spread_names(&fragment.node.selection_set.node, &mut spreads);
        let known: Vec<&str> = spreads.into_iter().filter(|s| document.fragments.contains_key(*s)).collect();
        waiting_on.insert(name.as_str(), known.len());
        for spread in known {
            dependents.entry(spread).or_default().push(name.as_str());
        }
    }
    let mut ready: Vec<&str> = waiting_on.iter().filter(|(_, n)| **n == 0).map(|(name, _)| *name).collect();
    let mut shapes = HashMap::new();
    while let Some(name) = ready.pop() {
        if let Some(fragment) = document.fragments.get(name) {
            shapes.insert(name, measure(&fragment.node.selection_set.node, &shapes));
        }
        for dependent in dependents.get(name).into_iter().flatten() {
            if let Some(n) = waiting_on.get_mut(dependent) {
                *n -= 1;
                if *n == 0 {
                    ready.push(dependent);
                }
            }
        }
    }
    if shapes.len() < document.fragments.len() {
        let mut cyclic: Vec<&str> =
            document.fragments.keys().map(|n| n.as_str()).filter(|n| !shapes.contains_key(n)).collect();
        cyclic.sort_unstable();
        cyclic.truncate(10);
        let names: Vec<String> = cyclic.iter().map(|n| format!("\"{n}\"")).collect();
        return Err(Refusal::request(
            code::GRAPHQL_VALIDATION_FAILED,
            format!(
                "fragments cannot spread themselves, directly or through other fragments: {} {} in a cycle",
                names.join(", "),
                if names.len() == 1 { "is" } else { "are" }
            ),
        ));
    }
    Ok(shapes)
}

/// The names of the fragments `set` spreads, at any depth (the parser bounds the nesting of a document's sets).
fn spread_names<'a>(set: &'a SelectionSet, names: &mut HashSet<&'a str>) {
    for selection in &set.items {
        match &selection.node {
            Selection::Field(field) => spread_names(&field.node.selection_set.node, names),
            Selection::FragmentSpread(spread) => {
                names.insert(spread.node.fragment_name.node.as_str());
            }
            Selection::InlineFragment(inline) => spread_names(&inline.node.selection_set.node, names),
        }
    }
}

/// The shape of `set`, its spreads read from `fragments` (measured before; unknown ones are empty). Recursion
/// follows the document's own sets only, whose nesting the parser bounds. Sums saturate.
fn measure(set: &SelectionSet, fragments: &HashMap<&str, Shape>) -> Shape {
    let mut shape = Shape::default();
    let add = |shape: &mut Shape, inner: Shape, root_fields: usize| {
        shape.selections = shape.selections.saturating_add(1).saturating_add(inner.selections);
        shape.aliases = shape.aliases.saturating_add(inner.aliases);
        shape.root_fields = shape.root_fields.saturating_add(root_fields);
        shape.nesting = shape.nesting.max(inner.nesting.saturating_add(1));
    };
    for selection in &set.items {
        match &selection.node {
            Selection::Field(field) => {
                let inner = measure(&field.node.selection_set.node, fragments);
                add(&mut shape, inner, 1);
                shape.aliases = shape.aliases.saturating_add(usize::from(field.node.alias.is_some()));
            }
            Selection::FragmentSpread(spread) => {
                let inner = fragments.get(spread.node.fragment_name.node.as_str()).copied().unwrap_or_default();
                add(&mut shape, inner, inner.root_fields);
            }
            Selection::InlineFragment(inline) => {
                let inner = measure(&inline.node.selection_set.node, fragments);
                add(&mut shape, inner, inner.root_fields);
            }
        }
    }
    shape
}

impl Limits {
    /// Refuses a shape over the limits, with the message and code to answer.
    pub fn check_shape(&self, shape: &Shape) -> Result<(), Refusal> {
        if shape.nesting > MAX_NESTING {
            return Err(Refusal::request(
                code::QUERY_TOO_DEEP,
                format!(
                    "the operation nests {} levels of selections and fragments; the limit is {MAX_NESTING}",
                    shape.nesting
                ),
            ));
        }
        if shape.selections > MAX_SELECTIONS {
            return Err(Refusal::request(
                code::QUERY_TOO_COMPLEX,
                format!(
                    "the operation expands to {} selections once its fragments are spread; the limit is \
                     {MAX_SELECTIONS}",
                    shape.selections
                ),
            ));
        }
        if shape.root_fields > self.max_root_fields {
            return Err(Refusal::request(
                code::TOO_MANY_ROOT_FIELDS,
                format!(
                    "the operation selects {} root fields; the limit is {}: split it into several requests",
                    shape.root_fields, self.max_root_fields
                ),
            ));
        }
        if shape.aliases > self.max_aliases {
            return Err(Refusal::request(
                code::TOO_MANY_ALIASES,
                format!("the operation uses {} aliases; the limit is {}", shape.aliases, self.max_aliases),
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
