//! Tags: added to a scope, they reach every taggable resource below it.
//!
//! A tag added nearer to a resource wins over the same key added higher up; a tag set in the
//! resource's own properties wins over both. The merged tags are sorted by key, so the order in
//! which tags were added never shows in the template.

use std::collections::BTreeMap;

use crate::codes;
use crate::construct::{Construct, Node};
use crate::diagnostics::Diagnostic;
use crate::expr::Expr;
use crate::tree::{NodeId, Tree};
use crate::value::{ToValue, Value};

/// A tag as resource properties hold it: `{"Key": .., "Value": ..}`.
#[derive(Debug, Clone, PartialEq)]
pub struct Tag {
    /// The key. Required.
    pub key: Expr<String>,
    /// The value. Required.
    pub value: Expr<String>,
}

impl Tag {
    /// A tag.
    pub fn new(key: impl Into<Expr<String>>, value: impl Into<Expr<String>>) -> Tag {
        Tag {
            key: key.into(),
            value: value.into(),
        }
    }
}

impl ToValue for Tag {
    fn to_value(&self) -> Value {
        crate::value::ObjectBuilder::new()
            .field("Key", &self.key)
            .field("Value", &self.value)
            .build()
    }
}

crate::literal_expr!(Tag);

/// How a resource type carries its tags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TagVariant {
    /// A list of `{"Key": .., "Value": ..}` objects (most types).
    Standard,
    /// A JSON object from key to value (some newer services).
    Map,
    /// A list of `{"Key", "Value", "PropagateAtLaunch"}` (`AWS::AutoScaling::AutoScalingGroup`).
    AutoScalingGroup,
}

/// Which property of a resource type carries tags, and in what shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TagSpec {
    /// The property name, usually `Tags`.
    pub property: &'static str,
    /// The shape of the property.
    pub variant: TagVariant,
}

impl TagSpec {
    /// A list of `{"Key", "Value"}` objects in `property`.
    pub const fn standard(property: &'static str) -> TagSpec {
        TagSpec {
            property,
            variant: TagVariant::Standard,
        }
    }

    /// A key-to-value object in `property`.
    pub const fn map(property: &'static str) -> TagSpec {
        TagSpec {
            property,
            variant: TagVariant::Map,
        }
    }

    /// The Auto Scaling group shape in `property`.
    pub const fn auto_scaling_group(property: &'static str) -> TagSpec {
        TagSpec {
            property,
            variant: TagVariant::AutoScalingGroup,
        }
    }
}

/// Options of a tag added to a scope.
#[derive(Debug, Clone, PartialEq, Eq, cirrus_derive::Setters)]
pub struct TagProps {
    /// Only resources of these CloudFormation types get the tag. Default: empty, all types.
    pub include_resource_types: Vec<String>,
    /// Resources of these types do not get the tag. Default: none excluded.
    pub exclude_resource_types: Vec<String>,
    /// For Auto Scaling groups: also tag the instances they launch. Default: `true`.
    pub apply_to_launched_instances: bool,
}

impl Default for TagProps {
    fn default() -> Self {
        TagProps {
            include_resource_types: Vec::new(),
            exclude_resource_types: Vec::new(),
            apply_to_launched_instances: true,
        }
    }
}

/// A tag added (or removed) at a scope.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TagRule {
    key: String,
    /// `None` removes the key.
    value: Option<Value>,
    props: TagProps,
}

impl TagRule {
    pub(crate) fn add(key: &str, value: Expr<String>) -> TagRule {
        TagRule {
            key: key.to_owned(),
            value: Some(value.to_value()),
            props: TagProps::default(),
        }
    }

    /// Validates the rule and stores it on `node`.
    pub(crate) fn attach(self, node: Node<'_>) {
        for problem in self.problems() {
            node.report(problem);
        }
        let mut tree = node.app().tree_mut();
        tree.node_mut(node.node_id()).tags.push(self);
    }

    fn problems(&self) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        let key = &self.key;
        if key.is_empty() || key.chars().count() > 128 {
            out.push(Diagnostic::error(
                codes::TAG_KEY_INVALID,
                "",
                format!("tag key \"{key}\" must be 1 to 128 characters long"),
            ));
        }
        if key.to_ascii_lowercase().starts_with("aws:") {
            out.push(Diagnostic::error(
                codes::TAG_KEY_RESERVED,
                "",
                format!("tag key \"{key}\" uses the prefix \"aws:\", which is reserved for AWS"),
            ));
        }
        if let Some(bad) = key.chars().find(|c| !tag_char(*c)) {
            out.push(Diagnostic::error(codes::TAG_KEY_INVALID,
                "",
                format!("tag key \"{key}\" contains {bad:?}; tag keys may contain letters, digits, spaces and _.:/=+-@"),
            ));
        }
        if let Some(Value::String(value)) = &self.value {
            if value.chars().count() > 256 {
                out.push(Diagnostic::error(
                    codes::TAG_VALUE_INVALID,
                    "",
                    format!("the value of tag \"{key}\" is longer than 256 characters"),
                ));
            }
            if let Some(bad) = value.chars().find(|c| !tag_char(*c)) {
                out.push(Diagnostic::error(codes::TAG_VALUE_INVALID,
                    "",
                    format!("the value of tag \"{key}\" contains {bad:?}; tag values may contain letters, digits, spaces and _.:/=+-@"),
                ));
            }
        }
        out
    }

    fn applies_to(&self, cfn_type: &str) -> bool {
        let included = self.props.include_resource_types.is_empty()
            || self
                .props
                .include_resource_types
                .iter()
                .any(|t| t == cfn_type);
        included
            && !self
                .props
                .exclude_resource_types
                .iter()
                .any(|t| t == cfn_type)
    }
}

fn tag_char(c: char) -> bool {
    c.is_alphanumeric() || c == ' ' || "_.:/=+-@".contains(c)
}

/// Adds and removes tags on a scope: `Tags::of(&stack).add("team", "search")`.
#[derive(Debug, Clone, Copy)]
pub struct Tags<'a> {
    node: Node<'a>,
}

impl<'a> Tags<'a> {
    /// The tags of `scope` and everything below it.
    pub fn of(scope: &impl Construct<'a>) -> Tags<'a> {
        Tags { node: scope.node() }
    }

    /// Tags every taggable resource below the scope with `key` = `value`.
    pub fn add(&self, key: &str, value: impl Into<Expr<String>>) {
        self.add_with(key, value, TagProps::default());
    }

    /// Tags with options (resource types to include or exclude).
    pub fn add_with(&self, key: &str, value: impl Into<Expr<String>>, props: TagProps) {
        TagRule {
            key: key.to_owned(),
            value: Some(value.into().to_value()),
            props,
        }
        .attach(self.node);
    }

    /// Removes a tag that a scope higher up added, for the resources below this scope.
    pub fn remove(&self, key: &str) {
        self.remove_with(key, TagProps::default());
    }

    /// Removes a tag, with options (resource types to include or exclude).
    pub fn remove_with(&self, key: &str, props: TagProps) {
        TagRule {
            key: key.to_owned(),
            value: None,
            props,
        }
        .attach(self.node);
    }
}

/// The tags that reach `resource` from its scopes, by key.
fn propagated(tree: &Tree, resource: NodeId, cfn_type: &str) -> BTreeMap<String, (Value, bool)> {
    let mut chain = Vec::new();
    let mut cur = Some(resource);
    while let Some(n) = cur {
        chain.push(n);
        cur = tree.node(n).parent;
    }
    let mut tags = BTreeMap::new();
    for node in chain.into_iter().rev() {
        for rule in &tree.node(node).tags {
            if !rule.applies_to(cfn_type) {
                continue;
            }
            match &rule.value {
                Some(value) => {
                    tags.insert(
                        rule.key.clone(),
                        (value.clone(), rule.props.apply_to_launched_instances),
                    );
                }
                None => {
                    tags.remove(&rule.key);
                }
            }
        }
    }
    tags
}

/// Merges the tags that reach `resource` into its properties. Returns a warning when the tag
/// property is an expression the tags cannot be merged into, and an error when the resource
/// ends up with more tags than AWS allows.
pub(crate) fn apply(
    tree: &Tree,
    resource: NodeId,
    cfn_type: &str,
    spec: TagSpec,
    properties: &mut Value,
) -> Option<Diagnostic> {
    let tags = propagated(tree, resource, cfn_type);
    if tags.is_empty() {
        return None;
    }
    let props = properties.as_object_mut()?;
    let existing = props.entry(spec.property.to_owned()).or_insert_with(|| {
        if spec.variant == TagVariant::Map {
            Value::object()
        } else {
            Value::Array(Vec::new())
        }
    });
    match (spec.variant, existing) {
        (TagVariant::Map, Value::Object(map)) => {
            for (key, (value, _)) in tags {
                map.entry(key).or_insert(value);
            }
            map.sort_keys();
            too_many(tree, resource, map.len())
        }
        (TagVariant::Standard | TagVariant::AutoScalingGroup, Value::Array(items)) => {
            let explicit: Vec<String> = items.iter().filter_map(item_key).collect();
            for (key, (value, at_launch)) in tags {
                if explicit.contains(&key) {
                    continue;
                }
                let mut item = indexmap::IndexMap::new();
                item.insert("Key".to_owned(), Value::String(key));
                item.insert("Value".to_owned(), value);
                if spec.variant == TagVariant::AutoScalingGroup {
                    item.insert("PropagateAtLaunch".to_owned(), Value::Bool(at_launch));
                }
                items.push(Value::Object(item));
            }
            items.sort_by_key(|item| item_key(item).unwrap_or_default());
            too_many(tree, resource, items.len())
        }
        _ => Some(Diagnostic::warning(
            codes::TAGS_NOT_PROPAGATED,
            tree.path(resource),
            format!(
                "tags from enclosing scopes were not added: the {} property is an expression, not a literal",
                spec.property
            ),
        )),
    }
}

/// The most tags a resource takes (user tags; AWS's own `aws:` tags do not count).
const MAX_TAGS: usize = 50;

/// An error when `count` tags exceed [`MAX_TAGS`]: the create or update would fail.
fn too_many(tree: &Tree, resource: NodeId, count: usize) -> Option<Diagnostic> {
    (count > MAX_TAGS).then(|| {
        Diagnostic::error(
            codes::TOO_MANY_TAGS,
            tree.path(resource),
            format!("{count} tags, with those of its scopes; AWS allows {MAX_TAGS} per resource"),
        )
        .with_hint(
            "remove tags from the enclosing scopes (Tags::of(scope).remove) or from the resource",
        )
    })
}

fn item_key(item: &Value) -> Option<String> {
    item.as_object()?.get("Key")?.as_str().map(str::to_owned)
}
