//! CloudFormation resources: the [`Resource`] trait the L1 types implement, the typed handle
//! [`ResourceRef`], and [`RawResource`] for any type the generated code lacks.

use std::any::Any;
use std::fmt;
use std::marker::PhantomData;

use indexmap::IndexMap;

use crate::codes;
use crate::condition::Condition;
use crate::construct::{Construct, Node};
use crate::expr::{Expr, List};
use crate::id::validate_logical_id;
use crate::key::ResourceKey;
use crate::patch::PatchOp;
use crate::policies::{
    CreationPolicy, DeletionPolicy, RemovalPolicy, UpdatePolicy, UpdateReplacePolicy,
};
use crate::tags::TagSpec;
use crate::tree::{ElementRef, NodeKind, ResourceData};
use crate::value::{ToValue, Value};

/// A CloudFormation resource type: the properties of one resource, and how to reach its
/// attributes. The generated L1 types implement it; so does [`RawResource`].
pub trait Resource: Clone + fmt::Debug + 'static {
    /// The typed accessors of the type's `Fn::GetAtt` attributes.
    type Attrs;

    /// The CloudFormation type name, such as `AWS::S3::Bucket`.
    fn cfn_type(&self) -> &str;

    /// The `Properties` object, before references are resolved.
    fn properties(&self) -> Value;

    /// Which property carries tags, if the type is taggable. Tags added to a scope with
    /// [`crate::Tags`] are merged into it.
    fn tag_spec(&self) -> Option<TagSpec> {
        None
    }

    /// The attribute accessors for the resource `target`.
    fn attrs(target: ElementRef) -> Self::Attrs;
}

/// The object-safe part of [`Resource`], as stored in the tree.
/// A resource as another construct may read it at preparation time (see
/// [`crate::Node::resources`]).
#[derive(Debug, Clone)]
pub struct ResourceView {
    /// The construct path.
    pub path: String,
    /// The CloudFormation type (`AWS::S3::Bucket`).
    pub cfn_type: String,
    /// The properties as the construct set them (references unresolved; property overrides
    /// and tags not applied).
    pub properties: crate::value::Value,
    /// The `DeletionPolicy`, when one is set.
    pub deletion_policy: Option<crate::policies::DeletionPolicy>,
}

/// A resource borrowed from the tree, for a check that reads many resources and needs only
/// part of each (see [`crate::Node::visit_resources`]): rendering every resource's whole
/// properties ([`ResourceView`]) only to read one of them is most of such a check's work.
#[derive(Debug, Clone, Copy)]
pub struct ResourceRead<'t> {
    cfn_type: &'t str,
    props: Option<&'t dyn DynResource>,
}

impl<'t> ResourceRead<'t> {
    pub(crate) fn new(cfn_type: &'t str, props: Option<&'t dyn DynResource>) -> Self {
        ResourceRead { cfn_type, props }
    }

    /// The CloudFormation type (`AWS::S3::Bucket`).
    pub fn cfn_type(&self) -> &'t str {
        self.cfn_type
    }

    /// The typed properties, when the resource is an `R` (and not being changed).
    pub fn typed<R: Resource>(&self) -> Option<&'t R> {
        self.props.and_then(|p| p.as_any().downcast_ref::<R>())
    }

    /// The properties rendered as [`ResourceView::properties`] holds them (`Null` while they
    /// are being changed).
    pub fn properties(&self) -> Value {
        self.props.map_or(Value::Null, |p| p.properties())
    }
}

pub(crate) trait DynResource: fmt::Debug {
    fn cfn_type(&self) -> &str;
    fn properties(&self) -> Value;
    fn tag_spec(&self) -> Option<TagSpec>;
    fn as_any(&self) -> &dyn Any;
    fn as_any_mut(&mut self) -> &mut dyn Any;
}

impl<R: Resource> DynResource for R {
    fn cfn_type(&self) -> &str {
        Resource::cfn_type(self)
    }

    fn properties(&self) -> Value {
        Resource::properties(self)
    }

    fn tag_spec(&self) -> Option<TagSpec> {
        Resource::tag_spec(self)
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// A typed handle to a resource in the tree. `Copy`. What belongs to the tree node (its
/// dependencies, diagnostics) is reached through [`Construct::node`]: a resource cannot have
/// children, so it offers no `add`.
pub struct ResourceRef<'a, R> {
    node: Node<'a>,
    _type: PhantomData<fn() -> R>,
}

impl<R> Clone for ResourceRef<'_, R> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<R> Copy for ResourceRef<'_, R> {}

impl<R> fmt::Debug for ResourceRef<'_, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ResourceRef({})", self.node.path())
    }
}

impl<'a, R> Construct<'a> for ResourceRef<'a, R> {
    fn node(&self) -> Node<'a> {
        self.node
    }
}

impl<'a, R: Resource> ResourceRef<'a, R> {
    pub(crate) fn create(scope: Node<'a>, id: &str, props: R) -> ResourceRef<'a, R> {
        let cfn_type = Resource::cfn_type(&props).to_owned();
        let problem = validate_type_name(&cfn_type).err();
        let node = scope.create_child(
            id,
            NodeKind::Resource(Box::new(ResourceData {
                props: Some(Box::new(props)),
                cfn_type,
                condition: None,
                deletion_policy: None,
                update_replace_policy: None,
                metadata: IndexMap::new(),
                creation_policy: None,
                update_policy: None,
                logical_id_override: None,
                overrides: Vec::new(),
            })),
        );
        let handle = ResourceRef {
            node: Node::new(scope.app(), node),
            _type: PhantomData,
        };
        if let Some(problem) = problem {
            handle.node.error(codes::RESOURCE_TYPE_INVALID, problem);
        }
        handle
    }

    /// The typed handle of `node`, when it is a resource of type `R`.
    pub fn from_node(node: Node<'a>) -> Option<ResourceRef<'a, R>> {
        let tree = node.app().tree();
        match &tree.node(node.node_id()).kind {
            NodeKind::Resource(data)
                if data
                    .props
                    .as_ref()
                    .is_some_and(|p| p.as_any().downcast_ref::<R>().is_some()) =>
            {
                Some(ResourceRef {
                    node,
                    _type: PhantomData,
                })
            }
            _ => None,
        }
    }

    /// A `'static` key to this resource, for construct state that must remember it.
    pub fn key(&self) -> ResourceKey<R> {
        ResourceKey {
            element: self.node.element(),
            _type: PhantomData,
        }
    }

    /// The resource's node in the construct tree (the same as [`Construct::node`], callable
    /// without importing the trait).
    pub fn node(&self) -> Node<'a> {
        self.node
    }

    /// The construct path: the ids from the stack down, joined with `/`.
    pub fn path(&self) -> String {
        self.node.path()
    }

    /// Makes this resource depend on every resource below `target` (see
    /// [`Node::add_dependency`]): `DependsOn` within a stack, stack order across stacks.
    pub fn add_dependency(&self, target: &impl Construct<'a>) {
        self.node.add_dependency(target);
    }

    /// `Ref` to this resource. What it yields depends on the type (a name, an id, an ARN); the
    /// CloudFormation documentation of the type says which.
    pub fn ref_(&self) -> Expr<String> {
        Expr::reference(self.node.element())
    }

    /// The typed `Fn::GetAtt` accessors.
    pub fn attrs(&self) -> R::Attrs {
        R::attrs(self.node.element())
    }

    /// A copy of the current properties.
    pub fn props(&self) -> Option<R> {
        let tree = self.node.app().tree();
        match &tree.node(self.node.node_id()).kind {
            NodeKind::Resource(data) => data
                .props
                .as_ref()
                .and_then(|p| p.as_any().downcast_ref::<R>())
                .cloned(),
            _ => None,
        }
    }

    /// Changes the properties in place: the typed escape hatch to the L1 under a higher-level
    /// construct.
    pub fn update(&self, change: impl FnOnce(&mut R)) {
        // Take the properties out, so the closure may use the app (add resources, read paths)
        // without the arena being borrowed.
        let taken = self.with_data(|data| data.props.take()).flatten();
        let Some(mut props) = taken else {
            self.node.error(
                codes::PROPERTIES_IN_USE,
                "resource properties changed while they were already being changed",
            );
            return;
        };
        if let Some(typed) = props.as_any_mut().downcast_mut::<R>() {
            change(typed);
        }
        self.with_data(move |data| {
            data.cfn_type = props.cfn_type().to_owned();
            data.props = Some(props);
        });
    }

    /// Sets both the `DeletionPolicy` and the `UpdateReplacePolicy`.
    pub fn apply_removal_policy(&self, policy: RemovalPolicy) {
        let (deletion, replace) = policy.policies();
        self.with_data(|data| {
            data.deletion_policy = Some(deletion);
            data.update_replace_policy = Some(replace);
        });
    }

    /// Sets the `DeletionPolicy`.
    pub fn set_deletion_policy(&self, policy: DeletionPolicy) {
        self.with_data(|data| data.deletion_policy = Some(policy));
    }

    /// Sets the `UpdateReplacePolicy`.
    pub fn set_update_replace_policy(&self, policy: UpdateReplacePolicy) {
        self.with_data(|data| data.update_replace_policy = Some(policy));
    }

    /// Creates the resource only when `condition` holds.
    pub fn set_condition(&self, condition: Condition<'a>) {
        let element = condition.element();
        self.with_data(|data| data.condition = Some(element));
    }

    /// Adds an entry to the resource's `Metadata`.
    pub fn add_metadata(&self, key: &str, value: impl Into<Value>) {
        let value = value.into();
        self.with_data(|data| {
            data.metadata.insert(key.to_owned(), value);
        });
    }

    /// Declares, with why, that the resource's type is outside the registry of resource types
    /// the runner's `synth` checks every template against (a service without typed resources
    /// in this library, a newer or third-party type): written to the resource's `Metadata`
    /// under [`OUTSIDE_REGISTRY`], where reviewers see it. Without it such a type fails `synth`.
    pub fn outside_registry(&self, why: &str) {
        self.add_metadata(OUTSIDE_REGISTRY, why);
    }

    /// Sets the `CreationPolicy`.
    pub fn set_creation_policy(&self, policy: CreationPolicy) {
        let value = policy.to_value();
        self.with_data(|data| data.creation_policy = Some(value));
    }

    /// Sets the `UpdatePolicy`.
    pub fn set_update_policy(&self, policy: UpdatePolicy) {
        let value = policy.to_value();
        self.with_data(|data| data.update_policy = Some(value));
    }

    /// Gives the resource this logical id instead of the computed one (to keep the id of a
    /// resource created by another tool, so CloudFormation does not replace it).
    pub fn override_logical_id(&self, logical_id: &str) {
        if let Err(reason) = validate_logical_id(logical_id) {
            self.node.error(codes::LOGICAL_ID_INVALID, reason);
        }
        let logical_id = logical_id.to_owned();
        self.with_data(|data| data.logical_id_override = Some(logical_id));
    }

    /// Applies an RFC 6902 JSON-patch operation to the rendered resource (`/Type`,
    /// `/Properties/...`, `/DependsOn`, ...), after everything else. The escape hatch for
    /// anything the typed model lacks.
    pub fn add_override(&self, op: PatchOp) {
        self.with_data(|data| data.overrides.push(op));
    }

    /// Sets the property at `pointer` (a JSON pointer below `Properties`, such as
    /// `/VersioningConfiguration/Status`), creating missing parent objects. Unlike a plain
    /// JSON-patch `add`, the parents need not exist.
    pub fn add_property_override(&self, pointer: &str, value: impl Into<Value>) {
        if !pointer.is_empty() && !pointer.starts_with('/') {
            // Appended to `/Properties` as written, it would name another top-level key.
            self.node.error_with_hint(
                codes::OVERRIDE_FAILED,
                format!("property override \"{pointer}\" is not a JSON pointer"),
                format!("start it with '/': \"/{pointer}\""),
            );
            return;
        }
        let op = PatchOp::Set {
            path: format!("/Properties{pointer}"),
            value: value.into(),
        };
        self.add_override(op);
    }

    fn with_data<T>(&self, f: impl FnOnce(&mut ResourceData) -> T) -> Option<T> {
        let mut tree = self.node.app().tree_mut();
        match &mut tree.node_mut(self.node.node_id()).kind {
            NodeKind::Resource(data) => Some(f(data)),
            _ => None,
        }
    }
}

/// Checks a resource type name: `AWS::Service::Resource` (or another three-part registry
/// name) or `Custom::Name`.
fn validate_type_name(name: &str) -> Result<(), String> {
    let parts: Vec<&str> = name.split("::").collect();
    let part_ok = |p: &&str| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric());
    let ok = match parts.as_slice() {
        ["Custom", custom] => {
            !custom.is_empty()
                && custom.len() <= 60
                && custom
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_@-".contains(c))
        }
        [_, _, _] => parts.iter().all(part_ok),
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "resource type \"{name}\" is not a CloudFormation type name such as \"AWS::S3::Bucket\" or \"Custom::Name\""
        ))
    }
}

/// The `Metadata` key of [`ResourceRef::outside_registry`].
pub const OUTSIDE_REGISTRY: &str = "cirrus:outsideRegistry";

/// A resource of any CloudFormation type, with untyped JSON properties: the way to use a type
/// the generated code does not have yet.
///
/// The properties may hold expressions: build them as a [`Value`] (`Value::from(expr)` for a
/// reference) or from `serde_json::json!` for plain data.
#[derive(Debug, Clone, PartialEq)]
pub struct RawResource {
    cfn_type: String,
    properties: Value,
    tags: Option<TagSpec>,
}

impl RawResource {
    /// A resource of type `cfn_type` with these properties (an object).
    pub fn new(cfn_type: &str, properties: impl Into<Value>) -> RawResource {
        RawResource {
            cfn_type: cfn_type.to_owned(),
            properties: properties.into(),
            tags: None,
        }
    }

    /// Declares which property carries tags, so that tags added to a scope reach it.
    #[must_use]
    pub fn with_tags(mut self, spec: TagSpec) -> RawResource {
        self.tags = Some(spec);
        self
    }

    /// The properties, mutably.
    pub fn properties_mut(&mut self) -> &mut Value {
        &mut self.properties
    }
}

impl From<serde_json::Value> for RawResource {
    /// A raw resource from a whole template entry: `{"Type": .., "Properties": {..}}`.
    fn from(entry: serde_json::Value) -> RawResource {
        let cfn_type = entry
            .get("Type")
            .and_then(serde_json::Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let properties = entry
            .get("Properties")
            .cloned()
            .unwrap_or_else(|| serde_json::json!({}));
        RawResource::new(&cfn_type, properties)
    }
}

impl Resource for RawResource {
    type Attrs = RawAttrs;

    fn cfn_type(&self) -> &str {
        &self.cfn_type
    }

    fn properties(&self) -> Value {
        self.properties.clone()
    }

    fn tag_spec(&self) -> Option<TagSpec> {
        self.tags
    }

    fn attrs(target: ElementRef) -> RawAttrs {
        RawAttrs { target }
    }
}

/// The attributes of a [`RawResource`], by name: nothing checks them before CloudFormation does.
#[derive(Debug, Clone, Copy)]
pub struct RawAttrs {
    target: ElementRef,
}

impl RawAttrs {
    /// `Fn::GetAtt` of a string attribute.
    pub fn get(&self, name: &str) -> Expr<String> {
        Expr::get_att(self.target, name)
    }

    /// `Fn::GetAtt` of a list attribute.
    pub fn get_list(&self, name: &str) -> Expr<List<String>> {
        Expr::get_att_list(self.target, name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_names() {
        assert!(validate_type_name("AWS::S3::Bucket").is_ok());
        assert!(validate_type_name("Custom::My-Thing_1").is_ok());
        assert!(validate_type_name("MyOrg::Svc::Thing").is_ok());
        assert!(validate_type_name("AWS::S3").is_err());
        assert!(validate_type_name("AWS::S3::Bucket::X").is_err());
        assert!(validate_type_name("aws:s3:bucket").is_err());
        assert!(validate_type_name("Custom::").is_err());
    }
}
