//! Stacks: the unit of deployment, one CloudFormation template each.

use std::collections::BTreeMap;
use std::fmt;

use crate::app::App;
use crate::codes;
use crate::condition::Condition;
use crate::construct::{Construct, Node};
use crate::diagnostics::ErrorCode;
use crate::expr::{Expr, List};
use crate::intrinsic::CondExpr;
use crate::mapping::Mapping;
use crate::output::Output;
use crate::parameter::{ListParameterProps, NumberParameterProps, Parameter, StringParameterProps};
use crate::resource::{Resource, ResourceRef};
use crate::rule::RuleProps;
use crate::tags::TagRule;
use crate::tree::{NodeKind, ROOT, StackData};
use crate::value::{ToValue, Value};
use crate::{regions, suggest};

/// Where a stack deploys: an account and a region, each optional. A stack with neither is
/// environment-agnostic: it deploys wherever the runner's credentials and region point.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Env {
    /// The 12-digit AWS account id. Default: unknown (taken from the credentials at deploy time).
    pub account: Option<String>,
    /// The region, such as `eu-west-1`. Default: unknown (taken from the runner's configuration).
    pub region: Option<String>,
}

impl Env {
    /// A fully specified environment.
    pub fn new(account: &str, region: &str) -> Env {
        Env {
            account: Some(account.to_owned()),
            region: Some(region.to_owned()),
        }
    }

    /// An environment pinned to a region, any account.
    pub fn region(region: &str) -> Env {
        Env {
            account: None,
            region: Some(region.to_owned()),
        }
    }

    /// The cloud-assembly form: `aws://<account>/<region>`, with `unknown-account` and
    /// `unknown-region` for what is not set.
    pub fn uri(&self) -> String {
        format!(
            "aws://{}/{}",
            self.account.as_deref().unwrap_or("unknown-account"),
            self.region.as_deref().unwrap_or("unknown-region")
        )
    }

    /// What is wrong with the account and the region: the code, the message and a hint.
    fn problems(&self) -> Vec<(ErrorCode, String, Option<String>)> {
        let mut out = Vec::new();
        if let Some(account) = &self.account
            && (account.len() != 12 || !account.chars().all(|c| c.is_ascii_digit()))
        {
            out.push((
                codes::ACCOUNT_INVALID,
                format!("account \"{account}\" is not a 12-digit AWS account id"),
                None,
            ));
        }
        if let Some(region) = &self.region {
            let closest = regions::closest(region, 1);
            let closest = suggest::quoted_alternatives(&closest);
            if !regions::is_region_shaped(region) {
                out.push((
                    codes::REGION_INVALID,
                    format!("region \"{region}\" is not an AWS region name such as \"eu-west-1\""),
                    Some(format!("the closest region is {closest}")),
                ));
            } else if !regions::is_known(region) {
                out.push((
                    codes::REGION_UNKNOWN,
                    format!("region \"{region}\" is not a region of any AWS partition"),
                    Some(format!(
                        "the closest region is {closest}; for a region newer than the region table ({}), acknowledge {} on the stack with the reason",
                        regions::SOURCE,
                        codes::REGION_UNKNOWN.code().id()
                    )),
                ));
            }
        }
        out
    }
}

impl fmt::Display for Env {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.uri())
    }
}

/// Options of a stack.
#[derive(Debug, Clone, Default, cirrus_derive::Setters)]
pub struct StackProps {
    /// Where the stack deploys. Default: environment-agnostic.
    pub env: Env,
    /// The template's `Description` (at most 1024 bytes). Default: none.
    pub description: Option<String>,
    /// The CloudFormation stack name. Default: the stack's id.
    pub stack_name: Option<String>,
    /// Tags applied to the stack at deploy time and to every taggable resource in it.
    /// Default: none.
    pub tags: BTreeMap<String, String>,
    /// Refuse deletion of the deployed stack. Default: `false`.
    pub termination_protection: bool,
}

/// A handle to a stack. `Copy`. Resources, outputs, parameters, conditions, mappings and rules
/// are added with the methods below; everything else about its tree node (children,
/// diagnostics, construct state) is reached explicitly through [`Construct::node`].
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Stack<'a> {
    node: Node<'a>,
}

impl<'a> Construct<'a> for Stack<'a> {
    fn node(&self) -> Node<'a> {
        self.node
    }
}

impl fmt::Debug for Stack<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Stack({})", self.node.path())
    }
}

const MAX_DESCRIPTION: usize = 1024;

impl<'a> Stack<'a> {
    pub(crate) fn create(app: &'a App, id: &str, props: StackProps) -> Stack<'a> {
        let root = Node::new(app, ROOT);
        let mut problems = props.env.problems();
        let name = props.stack_name.as_deref().unwrap_or(id);
        if let Err(reason) = validate_stack_name(name) {
            problems.push((codes::STACK_NAME_INVALID, reason, None));
        }
        if let Some(description) = &props.description
            && description.len() > MAX_DESCRIPTION
        {
            problems.push((
                codes::DESCRIPTION_TOO_LONG,
                format!(
                    "description is {} bytes long; CloudFormation allows at most {MAX_DESCRIPTION}",
                    description.len()
                ),
                None,
            ));
        }
        let tags = props.tags.clone();
        let node = root.create_child(
            id,
            NodeKind::Stack(Box::new(StackData {
                props,
                exported_values: Vec::new(),
            })),
        );
        let stack = Stack {
            node: Node::new(app, node),
        };
        for (code, problem, hint) in problems {
            match hint {
                Some(hint) => stack.node.error_with_hint(code, problem, hint),
                None => stack.node.error(code, problem),
            }
        }
        for (key, value) in tags {
            TagRule::add(&key, value.as_str().into()).attach(stack.node);
        }
        stack
    }

    pub(crate) fn from_node(node: Node<'a>) -> Stack<'a> {
        Stack { node }
    }

    /// The stack's node in the construct tree (the same as [`Construct::node`], callable
    /// without importing the trait).
    pub fn node(&self) -> Node<'a> {
        self.node
    }

    /// The stack's id, which is also its artifact id.
    pub fn id(&self) -> String {
        self.node.id()
    }

    /// The construct path of the stack: its id.
    pub fn path(&self) -> String {
        self.node.path()
    }

    /// Adds a grouping construct to the stack (see [`Node::add_child`]).
    pub fn add_child(&self, id: &str) -> Node<'a> {
        self.node.add_child(id)
    }

    /// Adds a CloudFormation resource to the stack (see [`Node::add`]).
    pub fn add<R: Resource>(&self, id: &str, props: R) -> ResourceRef<'a, R> {
        self.node.add(id, props)
    }

    /// Adds an output (see [`Node::add_output`]).
    pub fn add_output(&self, id: &str, value: impl Into<Expr<String>>) -> Output<'a> {
        self.node.add_output(id, value)
    }

    /// Adds a string parameter (see [`Node::add_string_parameter`]).
    pub fn add_string_parameter(
        &self,
        id: &str,
        props: StringParameterProps,
    ) -> Parameter<'a, String> {
        self.node.add_string_parameter(id, props)
    }

    /// Adds a number parameter (see [`Node::add_number_parameter`]).
    pub fn add_number_parameter(
        &self,
        id: &str,
        props: NumberParameterProps,
    ) -> Parameter<'a, f64> {
        self.node.add_number_parameter(id, props)
    }

    /// Adds a list parameter (see [`Node::add_list_parameter`]).
    pub fn add_list_parameter(
        &self,
        id: &str,
        props: ListParameterProps,
    ) -> Parameter<'a, List<String>> {
        self.node.add_list_parameter(id, props)
    }

    /// Adds a condition (see [`Node::add_condition`]).
    pub fn add_condition(&self, id: &str, expr: CondExpr) -> Condition<'a> {
        self.node.add_condition(id, expr)
    }

    /// Adds a mapping (see [`Node::add_mapping`]).
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
        self.node.add_mapping(id, entries)
    }

    /// Adds a rule (see [`Node::add_rule`]).
    pub fn add_rule(&self, id: &str, props: RuleProps) -> Node<'a> {
        self.node.add_rule(id, props)
    }

    /// Deploys this stack after `target`'s stack (see [`Node::add_dependency`]).
    pub fn add_dependency(&self, target: &impl Construct<'a>) {
        self.node.add_dependency(target);
    }

    /// The CloudFormation stack name.
    pub fn stack_name(&self) -> String {
        let tree = self.node.app().tree();
        match &tree.node(self.node.node_id()).kind {
            NodeKind::Stack(data) => data
                .props
                .stack_name
                .clone()
                .unwrap_or_else(|| tree.node(self.node.node_id()).id.clone()),
            _ => String::new(),
        }
    }

    /// The stack's environment.
    pub fn env(&self) -> Env {
        let tree = self.node.app().tree();
        match &tree.node(self.node.node_id()).kind {
            NodeKind::Stack(data) => data.props.env.clone(),
            _ => Env::default(),
        }
    }

    /// Exports `value` (a reference to a resource of this stack) whether or not another stack
    /// imports it, under the same name an automatic export would have.
    ///
    /// This is the way out of the "deadly embrace": when a consumer stops using a value of this
    /// stack, the automatic export would disappear in the same deployment, and CloudFormation
    /// refuses to remove an export that the deployed consumer still imports. Pin the export
    /// here, deploy, and remove the pin once the consumer has been deployed without the import.
    pub fn export_value<T: ToValue>(&self, value: Expr<T>) {
        let mut tree = self.node.app().tree_mut();
        if let NodeKind::Stack(data) = &mut tree.node_mut(self.node.node_id()).kind {
            data.exported_values.push(value.to_value());
        }
    }
}

/// CloudFormation stack names: a letter, then letters, digits and `-`; at most 128 characters.
pub(crate) fn validate_stack_name(name: &str) -> Result<(), String> {
    let valid = !name.is_empty()
        && name.len() <= 128
        && name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if valid {
        Ok(())
    } else {
        Err(format!(
            "stack name \"{name}\" is invalid; CloudFormation stack names start with a letter, contain only letters, digits and '-', and are at most 128 characters long"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_uri() {
        assert_eq!(Env::default().uri(), "aws://unknown-account/unknown-region");
        assert_eq!(
            Env::new("123456789012", "eu-west-1").uri(),
            "aws://123456789012/eu-west-1"
        );
    }

    #[test]
    fn stack_names() {
        assert!(validate_stack_name("Web-Prod1").is_ok());
        assert!(validate_stack_name("1Web").is_err());
        assert!(validate_stack_name("web_prod").is_err());
        assert!(validate_stack_name(&"a".repeat(129)).is_err());
    }
}
