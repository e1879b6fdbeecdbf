//! Template mappings: static two-level lookup tables read with `Fn::FindInMap`.

use std::fmt;

use indexmap::IndexMap;

use crate::codes;
use crate::construct::{Construct, Node};
use crate::expr::Expr;
use crate::intrinsic::Intrinsic;
use crate::tree::{MappingData, NodeKind};
use crate::value::{ToValue, Value};

/// A handle to a mapping.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Mapping<'a> {
    node: Node<'a>,
}

impl fmt::Debug for Mapping<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Mapping({})", self.node.path())
    }
}

impl<'a> Construct<'a> for Mapping<'a> {
    fn node(&self) -> Node<'a> {
        self.node
    }
}

impl Mapping<'_> {
    /// `Fn::FindInMap` of a string value. With literal keys, a missing entry is a synth error.
    pub fn find(
        &self,
        top: impl Into<Expr<String>>,
        second: impl Into<Expr<String>>,
    ) -> Expr<String> {
        self.find_as(top, second)
    }

    /// `Fn::FindInMap` of a value of another type (a list, a number).
    pub fn find_as<T>(
        &self,
        top: impl Into<Expr<String>>,
        second: impl Into<Expr<String>>,
    ) -> Expr<T> {
        Expr::from_intrinsic(Intrinsic::FindInMap {
            mapping: self.node.element(),
            top: top.into().to_value(),
            second: second.into().to_value(),
        })
    }
}

/// The entries of a mapping: first-level key, second-level key, value (a string, number or
/// list; no intrinsic functions).
pub type MappingTable = IndexMap<String, IndexMap<String, Value>>;

const MAX_ATTRIBUTES: usize = 200;

impl<'a> Node<'a> {
    /// Adds a mapping to the template of this node's stack.
    pub fn add_mapping<K, I, K2, V>(
        &self,
        id: &str,
        entries: impl IntoIterator<Item = (K, I)>,
    ) -> Mapping<'a>
    where
        K: Into<String>,
        I: IntoIterator<Item = (K2, V)>,
        K2: Into<String>,
        V: Into<Value>,
    {
        let table: MappingTable = entries
            .into_iter()
            .map(|(k, inner)| {
                (
                    k.into(),
                    inner
                        .into_iter()
                        .map(|(k2, v)| (k2.into(), v.into()))
                        .collect(),
                )
            })
            .collect();
        let problems = problems(&table);
        let node = self.create_child(
            id,
            NodeKind::Mapping(Box::new(MappingData { entries: table })),
        );
        let node = Node::new(self.app(), node);
        for problem in problems {
            node.error(codes::MAPPING_INVALID, problem);
        }
        Mapping { node }
    }
}

fn problems(table: &MappingTable) -> Vec<String> {
    let mut out = Vec::new();
    if table.is_empty() {
        out.push("a mapping needs at least one entry".to_owned());
    }
    let key_ok = |k: &str| {
        !k.is_empty()
            && k.len() <= 255
            && k.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-._".contains(c))
    };
    for (top, inner) in table {
        if !key_ok(top) {
            out.push(format!(
                "mapping key \"{top}\" is invalid; keys are letters, digits, '-', '.' and '_'"
            ));
        }
        if inner.is_empty() {
            out.push(format!("mapping key \"{top}\" has no entries"));
        }
        if inner.len() > MAX_ATTRIBUTES {
            out.push(format!(
                "mapping key \"{top}\" has {} entries; CloudFormation allows at most {MAX_ATTRIBUTES}",
                inner.len()
            ));
        }
        for (second, value) in inner {
            if !key_ok(second) {
                out.push(format!(
                    "mapping key \"{top}\".\"{second}\" is invalid; keys are letters, digits, '-', '.' and '_'"
                ));
            }
            if contains_function(value) {
                out.push(format!(
                    "mapping value \"{top}\".\"{second}\" holds an intrinsic function; mappings hold literals only"
                ));
            }
        }
    }
    out
}

fn contains_function(value: &Value) -> bool {
    match value {
        Value::Fn(_) => true,
        Value::Array(items) => items.iter().any(contains_function),
        Value::Object(map) => map.values().any(contains_function),
        _ => false,
    }
}
