//! Template outputs, optionally exported for other stacks.

use std::fmt;

use crate::codes;
use crate::condition::Condition;
use crate::construct::{Construct, Node};
use crate::expr::Expr;
use crate::tree::{NodeKind, OutputData};
use crate::value::ToValue;

/// A handle to an output: `stack.add_output(id, value)`, then, where wanted,
/// `.description(..)`, `.export_name(..)`, `.condition(..)`. `Copy`; each setter changes the
/// output in the tree and returns the handle, so they chain.
///
/// ```
/// use cirrus_core::prelude::*;
/// let app = App::new("demo");
/// let stack = app.stack("Demo", StackProps::default());
/// let topic = stack.add("Topic", RawResource::new("AWS::SNS::Topic", serde_json::json!({})));
/// stack
///     .add_output("TopicArn", topic.ref_())
///     .description("what subscribers subscribe to")
///     .export_name("DemoTopicArn");
/// let out = app.synth().unwrap();
/// assert_eq!(out.stacks[0].template["Outputs"]["TopicArn"]["Export"]["Name"], "DemoTopicArn");
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Output<'a> {
    node: Node<'a>,
}

impl fmt::Debug for Output<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Output({})", self.node.path())
    }
}

impl<'a> Construct<'a> for Output<'a> {
    fn node(&self) -> Node<'a> {
        self.node
    }
}

impl<'a> Output<'a> {
    /// Shown in the console and by `describe-stacks`. Default: none.
    pub fn description(self, description: impl Into<String>) -> Output<'a> {
        let description = description.into();
        self.with_data(|data| data.description = Some(description));
        self
    }

    /// Exports the value under this name for `Fn::ImportValue` elsewhere. Stacks of the same
    /// app need no explicit export: references between them are exported automatically.
    /// Default: not exported.
    pub fn export_name(self, name: impl Into<Expr<String>>) -> Output<'a> {
        let name = name.into();
        if let Some(literal) = name.as_literal()
            && let Err(reason) = validate_export_name(literal)
        {
            self.node.error(codes::EXPORT_NAME_INVALID, reason);
        }
        let name = name.to_value();
        self.with_data(|data| data.export_name = Some(name));
        self
    }

    /// Outputs the value only when `condition` holds. Default: always.
    pub fn condition(self, condition: Condition<'a>) -> Output<'a> {
        let element = condition.element();
        self.with_data(|data| data.condition = Some(element));
        self
    }

    fn with_data(&self, f: impl FnOnce(&mut OutputData)) {
        let mut tree = self.node.app().tree_mut();
        if let NodeKind::Output(data) = &mut tree.node_mut(self.node.node_id()).kind {
            f(data);
        }
    }
}

impl<'a> Node<'a> {
    /// Adds an output to the template of this node's stack; the returned handle sets its
    /// description, export name and condition.
    pub fn add_output(&self, id: &str, value: impl Into<Expr<String>>) -> Output<'a> {
        let node = self.create_child(
            id,
            NodeKind::Output(Box::new(OutputData {
                value: value.into().to_value(),
                description: None,
                export_name: None,
                condition: None,
            })),
        );
        Output {
            node: Node::new(self.app(), node),
        }
    }
}

/// Export names: letters, digits, `:` and `-`, at most 255 characters.
pub(crate) fn validate_export_name(name: &str) -> Result<(), String> {
    if !name.is_empty()
        && name.len() <= 255
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == ':' || c == '-')
    {
        Ok(())
    } else {
        Err(format!(
            "export name \"{name}\" is invalid; export names are 1 to 255 letters, digits, ':' and '-'"
        ))
    }
}
