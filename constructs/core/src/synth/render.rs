//! Renders the elements of one stack into template sections.

use std::collections::BTreeSet;

use indexmap::IndexMap;
use serde_json::{Map, Value as J};

use crate::codes;
use crate::diagnostics::Diagnostic;
use crate::policies::{DeletionPolicy, SNAPSHOT_TYPES, UpdateReplacePolicy};
use crate::synth::layout::Layout;
use crate::synth::resolve::{Place, Resolver, Site};
use crate::tags;
use crate::tree::{NodeId, NodeKind, ResourceData, Tree};
use crate::value::Value;

/// The sections of one template but its outputs (rendered once the others are written, in
/// [`outputs`]). The resources' entries are kept as values, their references resolved as the
/// template's text is written (`head.rs`).
#[derive(Debug, Default)]
pub(crate) struct Sections {
    pub(crate) parameters: Map<String, J>,
    pub(crate) rules: Map<String, J>,
    pub(crate) mappings: Map<String, J>,
    pub(crate) conditions: Map<String, J>,
    /// Each resource's entry by logical id, before references are resolved.
    pub(crate) resources: IndexMap<String, Value>,
    /// The node of each entry of `resources`, in the same order.
    pub(crate) resource_nodes: Vec<NodeId>,
}

/// `DependsOn` of each resource, from explicit dependencies, by resource node.
pub(crate) type DependsOn = IndexMap<NodeId, BTreeSet<String>>;

pub(crate) fn stack(
    tree: &Tree,
    layout: &Layout,
    resolver: &mut Resolver<'_>,
    index: usize,
    depends_on: &DependsOn,
) -> Sections {
    let stack = layout.stacks[index];
    let elements = &layout.elements[index];
    let mut out = Sections::default();
    let site = |element, place| Site {
        stack,
        element,
        place,
    };
    for &node in &elements.parameters {
        if let NodeKind::Parameter(p) = &tree.node(node).kind {
            let mut decl = Map::new();
            decl.insert("Type".into(), J::String(p.type_name.clone()));
            for (key, value) in &p.fields {
                decl.insert(
                    key.clone(),
                    resolver.resolve(site(node, Place::Output), value),
                );
            }
            out.parameters
                .insert(layout.lid(node).to_owned(), J::Object(decl));
        }
    }
    for &node in &elements.rules {
        if let NodeKind::Rule(r) = &tree.node(node).kind {
            let at = site(node, Place::Rule);
            let mut rule = Map::new();
            if let Some(condition) = &r.condition {
                rule.insert("RuleCondition".into(), resolver.rule(at, condition));
            }
            let assertions: Vec<J> = r
                .assertions
                .iter()
                .map(|(assert, description)| {
                    let mut a = Map::new();
                    a.insert("Assert".into(), resolver.rule(at, assert));
                    if let Some(d) = description {
                        a.insert("AssertDescription".into(), J::String(d.clone()));
                    }
                    J::Object(a)
                })
                .collect();
            rule.insert("Assertions".into(), J::Array(assertions));
            out.rules
                .insert(layout.lid(node).to_owned(), J::Object(rule));
        }
    }
    for &node in &elements.mappings {
        if let NodeKind::Mapping(m) = &tree.node(node).kind {
            let at = site(node, Place::Mapping);
            let table: Map<String, J> = m
                .entries
                .iter()
                .map(|(top, inner)| {
                    let inner: Map<String, J> = inner
                        .iter()
                        .map(|(k, v)| (k.clone(), resolver.resolve(at, v)))
                        .collect();
                    (top.clone(), J::Object(inner))
                })
                .collect();
            out.mappings
                .insert(layout.lid(node).to_owned(), J::Object(table));
        }
    }
    for &node in &elements.conditions {
        if let NodeKind::Condition(c) = &tree.node(node).kind {
            let rendered = resolver.condition(site(node, Place::Condition), c);
            out.conditions.insert(layout.lid(node).to_owned(), rendered);
        }
    }
    out.resources.reserve(elements.resources.len());
    out.resource_nodes.reserve(elements.resources.len());
    for &node in &elements.resources {
        if let NodeKind::Resource(r) = &tree.node(node).kind {
            let value = resource_value(tree, resolver, node, r, depends_on.get(&node));
            out.resources.insert(layout.lid(node).to_owned(), value);
            out.resource_nodes.push(node);
        }
    }
    out
}

/// The `Outputs` section of the stack at `index`, before automatic exports are added.
pub(crate) fn outputs(
    tree: &Tree,
    layout: &Layout,
    resolver: &mut Resolver<'_>,
    index: usize,
) -> Map<String, J> {
    let stack = layout.stacks[index];
    let mut out = Map::new();
    for &node in &layout.elements[index].outputs {
        if let NodeKind::Output(o) = &tree.node(node).kind {
            let at = Site {
                stack,
                element: node,
                place: Place::Output,
            };
            crate::secrets::find(&o.value, "Value", node, &mut resolver.secrets);
            let mut output = Map::new();
            if let Some(description) = &o.description {
                output.insert("Description".into(), J::String(description.clone()));
            }
            output.insert("Value".into(), resolver.resolve(at, &o.value));
            if let Some(name) = &o.export_name {
                let mut export = Map::new();
                export.insert("Name".into(), resolver.resolve(at, name));
                output.insert("Export".into(), J::Object(export));
            }
            if let Some(condition) = o.condition {
                output.insert("Condition".into(), resolver.condition_name(at, condition));
            }
            out.insert(layout.lid(node).to_owned(), J::Object(output));
        }
    }
    out
}

/// The whole template entry of a resource, before references are resolved: properties with
/// propagated tags, resource attributes, then the user's JSON-patch overrides.
fn resource_value(
    tree: &Tree,
    resolver: &mut Resolver<'_>,
    node: NodeId,
    data: &ResourceData,
    depends_on: Option<&BTreeSet<String>>,
) -> Value {
    // The path is only needed for a diagnostic, which most resources never have.
    let path = || tree.path(node);
    let mut entry: IndexMap<String, Value> = IndexMap::new();
    entry.insert("Type".into(), Value::String(data.cfn_type.clone()));
    match &data.props {
        None => resolver.diags.push(Diagnostic::error(
            codes::PROPERTIES_IN_USE,
            path(),
            "synthesized while its properties were being changed",
        )),
        Some(props) => {
            let mut properties = props.properties();
            crate::secrets::find(&properties, "Properties", node, &mut resolver.secrets);
            if !matches!(properties, Value::Object(_)) {
                resolver.diags.push(Diagnostic::error(
                    codes::PROPERTIES_NOT_OBJECT,
                    path(),
                    format!(
                        "the properties of a resource must be an object, not {}",
                        properties.kind()
                    ),
                ));
            }
            if let Some(spec) = props.tag_spec()
                && let Some(warning) =
                    tags::apply(tree, node, &data.cfn_type, spec, &mut properties)
            {
                resolver.diags.push(warning);
            }
            if properties.as_object().is_some_and(|p| !p.is_empty()) {
                entry.insert("Properties".into(), properties);
            }
        }
    }
    if let Some(deps) = depends_on
        && !deps.is_empty()
    {
        entry.insert(
            "DependsOn".into(),
            Value::Array(deps.iter().cloned().map(Value::String).collect()),
        );
    }
    if let Some(condition) = data.condition {
        let site = Site {
            stack: tree.stack_of(node).unwrap_or(node),
            element: node,
            place: Place::Resource,
        };
        if let J::String(name) = resolver.condition_name(site, condition) {
            entry.insert("Condition".into(), Value::String(name));
        }
    }
    if let Some(policy) = &data.creation_policy {
        entry.insert("CreationPolicy".into(), policy.clone());
    }
    if let Some(policy) = &data.update_policy {
        entry.insert("UpdatePolicy".into(), policy.clone());
    }
    let snapshot = data.deletion_policy == Some(DeletionPolicy::Snapshot)
        || data.update_replace_policy == Some(UpdateReplacePolicy::Snapshot);
    if snapshot && !SNAPSHOT_TYPES.contains(&data.cfn_type.as_str()) {
        resolver.diags.push(
            Diagnostic::error(
                codes::SNAPSHOT_UNSUPPORTED,
                path(),
                format!("{} does not support the Snapshot policy", data.cfn_type),
            )
            .with_hint("use RemovalPolicy::Retain to keep the resource, or Destroy"),
        );
    }
    if let Some(policy) = data.update_replace_policy {
        entry.insert(
            "UpdateReplacePolicy".into(),
            Value::String(policy.as_str().into()),
        );
    }
    if let Some(policy) = data.deletion_policy {
        entry.insert(
            "DeletionPolicy".into(),
            Value::String(policy.as_str().into()),
        );
    }
    if !data.metadata.is_empty() {
        entry.insert("Metadata".into(), Value::Object(data.metadata.clone()));
    }
    let mut value = Value::Object(entry);
    for (i, op) in data.overrides.iter().enumerate() {
        if let Err(err) = op.apply(&mut value) {
            resolver.diags.push(Diagnostic::error(
                codes::OVERRIDE_FAILED,
                path(),
                format!("override {} cannot be applied: {err}", i + 1),
            ));
        }
    }
    if let Some(warning) = retained_with_fixed_name(&value, path) {
        resolver.diags.push(warning);
    }
    value
}

/// A resource kept on deletion (`Retain`) whose template fixes its name, however the name got
/// there (an L1, an override): when the stack's first create fails, the rollback keeps it, and
/// every retry fails with "already exists". The name is the property `<Type>Name`
/// (`BucketName` of `AWS::S3::Bucket`) or `Name`.
fn retained_with_fixed_name(resource: &Value, path: impl Fn() -> String) -> Option<Diagnostic> {
    let entry = resource.as_object()?;
    if entry.get("DeletionPolicy").and_then(Value::as_str) != Some("Retain") {
        return None;
    }
    let type_name = entry.get("Type").and_then(Value::as_str)?;
    let suffix = type_name.rsplit("::").next()?;
    let properties = entry.get("Properties").and_then(Value::as_object)?;
    let property = [format!("{suffix}Name"), "Name".to_owned()]
        .into_iter()
        .find(|p| properties.contains_key(p))?;
    Some(
        Diagnostic::warning(
            codes::RETAINED_NAME_FIXED,
            path(),
            format!(
                "{type_name} is kept on deletion (Retain) and its {property} is fixed: if the stack's first create fails, the rollback keeps it and every retry fails with \"already exists\""
            ),
        )
        .with_hint(
            "use RemovalPolicy::RetainOnUpdateOrDelete (DeletionPolicy RetainExceptOnCreate), which deletes it only when its own create fails, or let CloudFormation name it",
        ),
    )
}
