//! Template rules: assertions over parameter values, checked before anything is created.

use crate::codes;
use crate::construct::Node;
use crate::intrinsic::RuleExpr;
use crate::tree::{NodeKind, RuleData};

/// One assertion of a rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Assertion {
    /// Must hold.
    pub assert: RuleExpr,
    /// Shown when it does not. Default: none.
    pub description: Option<String>,
}

/// A rule: when `condition` holds (or always), every assertion must hold.
#[derive(Debug, Clone, Default, PartialEq, cirrus_derive::Setters)]
pub struct RuleProps {
    /// When the rule applies. Default: always.
    pub condition: Option<RuleExpr>,
    /// What must hold. At least one.
    pub assertions: Vec<Assertion>,
}

impl<'a> Node<'a> {
    /// Adds a rule to the template of this node's stack.
    pub fn add_rule(&self, id: &str, props: RuleProps) -> Node<'a> {
        let empty = props.assertions.is_empty();
        let node = self.create_child(
            id,
            NodeKind::Rule(Box::new(RuleData {
                condition: props.condition,
                assertions: props
                    .assertions
                    .into_iter()
                    .map(|a| (a.assert, a.description))
                    .collect(),
            })),
        );
        let node = Node::new(self.app(), node);
        if empty {
            node.error(codes::RULE_EMPTY, "a rule needs at least one assertion");
        }
        node
    }
}
