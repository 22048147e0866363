//! What a parsed document holds in memory, for the bound of the parsed-document cache: a syntax tree is many
//! times the size of its text (a two-byte field `a ` becomes a node of a few hundred bytes), so the text's length
//! would let a cache of documents grow to gigabytes.

use std::mem::size_of;

use async_graphql::parser::types::{
    Directive, ExecutableDocument, Field, FragmentDefinition, OperationDefinition, Selection, SelectionSet,
    VariableDefinition,
};
use async_graphql::{Name, Positioned};
use async_graphql_value::Value;

use crate::cache::Weigh;

/// Per allocation, what the allocator and an `Arc`'s counts add.
const ALLOCATION: usize = 32;

impl Weigh for ExecutableDocument {
    fn weight(&self) -> usize {
        let mut bytes = size_of::<ExecutableDocument>();
        for (name, operation) in self.operations.iter() {
            bytes += name.map_or(0, |n| name_bytes(n)) + size_of::<Positioned<OperationDefinition>>() + ALLOCATION;
            bytes += operation_bytes(&operation.node);
        }
        for (name, fragment) in &self.fragments {
            bytes += name_bytes(name) + size_of::<(Name, Positioned<FragmentDefinition>)>();
            bytes += name_bytes(fragment.node.type_condition.node.on.node.as_str());
            bytes += directives_bytes(&fragment.node.directives) + set_bytes(&fragment.node.selection_set.node);
        }
        bytes
    }
}

fn name_bytes(name: &str) -> usize {
    name.len() + ALLOCATION
}

fn operation_bytes(operation: &OperationDefinition) -> usize {
    let variables: usize = operation
        .variable_definitions
        .iter()
        .map(|v| {
            size_of::<Positioned<VariableDefinition>>()
                + name_bytes(v.node.name.node.as_str())
                + v.node.var_type.node.to_string().len()
                + v.node.default_value.as_ref().map_or(0, |d| value_bytes(&d.node.clone().into_value()))
                + directives_bytes(&v.node.directives)
        })
        .sum();
    variables + directives_bytes(&operation.directives) + set_bytes(&operation.selection_set.node)
}

fn set_bytes(set: &SelectionSet) -> usize {
    let mut bytes = ALLOCATION;
    for selection in &set.items {
        bytes += size_of::<Positioned<Selection>>();
        bytes += match &selection.node {
            Selection::Field(field) => size_of::<Positioned<Field>>() + field_bytes(&field.node),
            Selection::FragmentSpread(spread) => {
                name_bytes(spread.node.fragment_name.node.as_str()) + directives_bytes(&spread.node.directives)
            }
            Selection::InlineFragment(inline) => {
                inline.node.type_condition.as_ref().map_or(0, |t| name_bytes(t.node.on.node.as_str()))
                    + directives_bytes(&inline.node.directives)
                    + set_bytes(&inline.node.selection_set.node)
            }
        };
    }
    bytes
}

fn field_bytes(field: &Field) -> usize {
    field.alias.as_ref().map_or(0, |a| name_bytes(a.node.as_str()))
        + name_bytes(field.name.node.as_str())
        + arguments_bytes(&field.arguments)
        + directives_bytes(&field.directives)
        + set_bytes(&field.selection_set.node)
}

fn arguments_bytes(arguments: &[(Positioned<Name>, Positioned<Value>)]) -> usize {
    let each = arguments.iter().map(|(name, value)| {
        size_of::<(Positioned<Name>, Positioned<Value>)>() + name_bytes(name.node.as_str()) + value_bytes(&value.node)
    });
    ALLOCATION + each.sum::<usize>()
}

fn directives_bytes(directives: &[Positioned<Directive>]) -> usize {
    let each = directives.iter().map(|d| {
        size_of::<Positioned<Directive>>() + name_bytes(d.node.name.node.as_str()) + arguments_bytes(&d.node.arguments)
    });
    each.sum()
}

/// A value's bytes; lists and objects nest no deeper than the parser allows.
fn value_bytes(value: &Value) -> usize {
    match value {
        Value::String(s) => s.capacity() + ALLOCATION,
        Value::Enum(n) | Value::Variable(n) => name_bytes(n.as_str()),
        Value::Binary(b) => b.len() + ALLOCATION,
        Value::List(items) => items.iter().map(|v| size_of::<Value>() + value_bytes(v)).sum::<usize>() + ALLOCATION,
        Value::Object(fields) => {
            fields
                .iter()
                .map(|(k, v)| size_of::<(Name, Value)>() + 8 + name_bytes(k.as_str()) + value_bytes(v))
                .sum::<usize>()
                + ALLOCATION
        }
        Value::Null | Value::Number(_) | Value::Boolean(_) => 0,
    }
}
