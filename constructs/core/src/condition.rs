//! Template conditions: named boolean expressions over parameters, used by `Fn::If`, by
//! conditional resources and by conditional outputs.

use std::fmt;

use crate::construct::{Construct, Node};
use crate::intrinsic::CondExpr;
use crate::tree::{ElementRef, NodeKind};

/// A handle to a template condition.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Condition<'a> {
    node: Node<'a>,
}

impl fmt::Debug for Condition<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Condition({})", self.node.path())
    }
}

impl<'a> Construct<'a> for Condition<'a> {
    fn node(&self) -> Node<'a> {
        self.node
    }
}

impl Condition<'_> {
    /// The handle expressions use.
    pub fn element(&self) -> ElementRef {
        self.node.element()
    }

    /// This condition, as an operand of another condition expression.
    pub fn expr(&self) -> CondExpr {
        CondExpr::Condition(self.element())
    }
}

impl From<Condition<'_>> for CondExpr {
    fn from(condition: Condition<'_>) -> CondExpr {
        condition.expr()
    }
}

impl<'a> Node<'a> {
    /// Adds a condition to the template of this node's stack.
    pub fn add_condition(&self, id: &str, expr: CondExpr) -> Condition<'a> {
        let node = self.create_child(id, NodeKind::Condition(Box::new(expr)));
        Condition {
            node: Node::new(self.app(), node),
        }
    }
}
