//! Template outputs, optionally exported for other stacks.

use crate::condition::Condition;
use crate::construct::Node;
use crate::expr::Expr;
use crate::tree::{NodeKind, OutputData};
use crate::value::ToValue;

/// Options of an output.
#[derive(Debug, Clone, Default)]
pub struct OutputProps<'a> {
    /// Shown in the console and by `describe-stacks`. Default: none.
    pub description: Option<String>,
    /// Export the value under this name for `Fn::ImportValue` elsewhere. Stacks of the same app
    /// need no explicit export: references between them are exported automatically.
    /// Default: not exported.
    pub export_name: Option<Expr<String>>,
    /// Only output the value when this condition holds. Default: always.
    pub condition: Option<Condition<'a>>,
}

impl<'a> Node<'a> {
    /// Adds an output to the template of this node's stack.
    pub fn add_output(
        &self,
        id: &str,
        value: impl Into<Expr<String>>,
        props: OutputProps<'a>,
    ) -> Node<'a> {
        let mut problems = Vec::new();
        if let Some(name) = props.export_name.as_ref().and_then(Expr::as_literal)
            && let Err(reason) = validate_export_name(name)
        {
            problems.push(reason);
        }
        let node = self.create_child(
            id,
            NodeKind::Output(Box::new(OutputData {
                value: value.into().to_value(),
                description: props.description,
                export_name: props.export_name.map(|e| e.to_value()),
                condition: props.condition.map(|c| c.element()),
            })),
        );
        let node = Node::new(self.app(), node);
        for problem in problems {
            node.error(problem);
        }
        node
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
