//! The construct tree as stored: an arena of nodes owned by the [`App`](crate::App).
//!
//! Handles ([`crate::Node`], [`crate::ResourceRef`], ...) are `Copy` values holding the app and a
//! [`NodeId`]; nothing is reference counted. The arena sits in one `RefCell` inside the app, and
//! every borrow of it is short and internal: no user code runs while it is borrowed, so it cannot
//! be borrowed twice.

use std::any::{Any, TypeId};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU32, Ordering};

use indexmap::IndexMap;

use crate::artifact::ArtifactProps;
use crate::diagnostics::{Code, Diagnostic};
use crate::intrinsic::{CondExpr, RuleExpr};
use crate::patch::PatchOp;
use crate::policies::{DeletionPolicy, UpdateReplacePolicy};
use crate::resource::DynResource;
use crate::stack::StackProps;
use crate::tags::TagRule;
use crate::value::Value;

/// Index of a node in its app's arena.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeId(pub(crate) u32);

impl NodeId {
    pub(crate) fn index(self) -> usize {
        self.0 as usize
    }
}

/// Identifies an app, so a handle of one app used in another is caught instead of resolving to
/// an unrelated node. Never reaches the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct AppId(pub(crate) u32);

impl AppId {
    pub(crate) fn fresh() -> AppId {
        static NEXT: AtomicU32 = AtomicU32::new(1);
        AppId(NEXT.fetch_add(1, Ordering::Relaxed))
    }
}

/// A reference to a template element (resource, parameter, condition, mapping) of an app, as
/// held inside expressions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ElementRef {
    pub(crate) app: AppId,
    pub(crate) node: NodeId,
}

/// The arena.
#[derive(Debug)]
pub(crate) struct Tree {
    pub(crate) app_id: AppId,
    pub(crate) nodes: Vec<NodeData>,
    /// Problems found while the tree was built.
    pub(crate) diagnostics: Vec<Diagnostic>,
    /// The values that tokens stand for, by index, with the node that made each token.
    pub(crate) tokens: Vec<(Value, NodeId)>,
    /// Checks that run when the app is synthesized (see [`crate::Node::add_validation`]).
    pub(crate) validations: Vec<(NodeId, Validation)>,
    /// Checks of the stack graph synthesis finds (see [`crate::Node::add_stack_graph_check`]).
    pub(crate) graph_checks: Vec<(NodeId, GraphCheck)>,
    /// Checks of every stack's rendered resources (see [`crate::App::add_resource_check`]).
    pub(crate) resource_checks: Vec<ResourceCheck>,
    /// Additions that wait for the complete app (see [`crate::Node::add_preparation`]); each
    /// is taken out when it runs, so it runs once.
    pub(crate) preparations: Vec<(NodeId, Preparation)>,
    /// Codes the app accepts at a node and below, with the reason, in the order given.
    pub(crate) acknowledgements: Vec<Acknowledgement>,
    /// Resources billed whether used or not, by the node that holds each (one per node).
    pub(crate) standing_costs: Vec<(NodeId, crate::costs::StandingCost)>,
}

/// An addition to the app that needs the rest of it (see [`crate::Node::add_preparation`]).
pub(crate) struct Preparation(pub(crate) Box<dyn FnOnce(crate::Node<'_>)>);

impl std::fmt::Debug for Preparation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Preparation")
    }
}

/// A check of a construct that can only run once the app is complete.
#[derive(Clone)]
pub(crate) struct Validation(pub(crate) std::rc::Rc<dyn Fn(crate::Node<'_>) -> Vec<Diagnostic>>);

impl std::fmt::Debug for Validation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Validation")
    }
}

/// The stacks each stack depends on, by stack id (every stack a key).
pub type StackGraph = std::collections::BTreeMap<String, std::collections::BTreeSet<String>>;

/// What a stack-graph check is: the graph in, the problems out.
type GraphCheckFn = dyn Fn(&StackGraph) -> Vec<Diagnostic>;

/// A check of the stack graph synthesis finds.
#[derive(Clone)]
pub(crate) struct GraphCheck(pub(crate) std::rc::Rc<GraphCheckFn>);

impl std::fmt::Debug for GraphCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("GraphCheck")
    }
}

/// What a resource check is: a stack's rendered resources in, the problems out.
type ResourceCheckFn = dyn Fn(&crate::synth::StackResources<'_>) -> Vec<Diagnostic>;

/// A check of every stack's rendered resources.
#[derive(Clone)]
pub(crate) struct ResourceCheck(pub(crate) std::rc::Rc<ResourceCheckFn>);

impl std::fmt::Debug for ResourceCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ResourceCheck")
    }
}

/// A code an app accepts at a node and below ([`crate::Node::acknowledge`]).
#[derive(Debug, Clone)]
pub(crate) struct Acknowledgement {
    pub(crate) node: NodeId,
    pub(crate) code: Code,
    pub(crate) reason: String,
}

pub(crate) const ROOT: NodeId = NodeId(0);

impl Tree {
    pub(crate) fn new() -> Tree {
        Tree {
            app_id: AppId::fresh(),
            nodes: vec![NodeData {
                id: String::new(),
                parent: None,
                children: Vec::new(),
                kind: NodeKind::Root,
                tags: Vec::new(),
                dependencies: Vec::new(),
                children_by_stripped_id: StrippedIds::default(),
                state: Vec::new(),
            }],
            diagnostics: Vec::new(),
            tokens: Vec::new(),
            validations: Vec::new(),
            graph_checks: Vec::new(),
            resource_checks: Vec::new(),
            preparations: Vec::new(),
            acknowledgements: Vec::new(),
            standing_costs: Vec::new(),
        }
    }

    pub(crate) fn node(&self, id: NodeId) -> &NodeData {
        &self.nodes[id.index()]
    }

    pub(crate) fn node_mut(&mut self, id: NodeId) -> &mut NodeData {
        &mut self.nodes[id.index()]
    }

    /// The ids from the app's root (exclusive) down to `id` (inclusive).
    pub(crate) fn components(&self, id: NodeId) -> Vec<&str> {
        let mut out = Vec::new();
        let mut cur = Some(id);
        while let Some(n) = cur {
            let data = self.node(n);
            if data.parent.is_some() {
                out.push(data.id.as_str());
            }
            cur = data.parent;
        }
        out.reverse();
        out
    }

    /// The construct path, ids joined with `/` (`Stack/Bucket/Resource`).
    pub(crate) fn path(&self, id: NodeId) -> String {
        self.components(id).join("/")
    }

    /// The stack a node belongs to (the stack itself for a stack), `None` for the root.
    pub(crate) fn stack_of(&self, id: NodeId) -> Option<NodeId> {
        let mut cur = id;
        loop {
            let data = self.node(cur);
            if matches!(data.kind, NodeKind::Stack(_)) {
                return Some(cur);
            }
            cur = data.parent?;
        }
    }

    /// The path components below the node's stack, which the logical id is computed from.
    pub(crate) fn components_below_stack(&self, id: NodeId) -> Vec<&str> {
        let all = self.components(id);
        all.into_iter().skip(1).collect()
    }

    /// True when `ancestor` is `id` or one of its ancestors.
    pub(crate) fn is_ancestor_or_self(&self, ancestor: NodeId, id: NodeId) -> bool {
        let mut cur = Some(id);
        while let Some(n) = cur {
            if n == ancestor {
                return true;
            }
            cur = self.node(n).parent;
        }
        false
    }

    /// `id` and every node below it, in pre-order (creation order among siblings).
    pub(crate) fn subtree(&self, id: NodeId) -> Vec<NodeId> {
        let mut out = Vec::new();
        let mut stack = vec![id];
        while let Some(n) = stack.pop() {
            out.push(n);
            stack.extend(self.node(n).children.iter().rev());
        }
        out
    }
}

/// One node of the tree.
#[derive(Debug)]
pub(crate) struct NodeData {
    pub(crate) id: String,
    pub(crate) parent: Option<NodeId>,
    pub(crate) children: Vec<NodeId>,
    /// The children by id stripped to alphanumerics (the first child with that stripped id):
    /// finds duplicate and colliding ids without comparing every sibling.
    pub(crate) children_by_stripped_id: StrippedIds,
    pub(crate) kind: NodeKind,
    /// Tags added at this scope; they apply to every taggable resource below it.
    pub(crate) tags: Vec<TagRule>,
    /// Explicit dependencies: every resource below this node depends on every resource below
    /// each target (or, across stacks, this node's stack depends on the target's).
    pub(crate) dependencies: Vec<NodeId>,
    /// State higher-level constructs keep on this node (see [`crate::Node::with_state`]), one
    /// value per type. `None` while the value is lent out to a `with_state` call.
    pub(crate) state: Vec<(TypeId, Option<Box<dyn Any>>)>,
}

/// The children of a scope by id stripped to alphanumerics, the first child of each: what a
/// new child's id is checked against (duplicates, and ids that collide in logical ids).
///
/// Most scopes have a few children (an L2 construct two or three), and a map for each of them
/// was a tenth of the tree's memory at thousands of constructs: up to [`INDEXED_FROM`]
/// children, they are compared one by one; from then on a map keeps a stack of thousands of
/// constructs from comparing every sibling. The map is empty (and allocates nothing) until the scope has [`INDEXED_FROM`] children.
#[derive(Debug, Default)]
pub(crate) struct StrippedIds(BTreeMap<String, NodeId>);

/// The number of children from which a scope keeps its [`StrippedIds`] in a map.
const INDEXED_FROM: usize = 8;

impl StrippedIds {
    /// The first of `children` (of this scope, in creation order) whose id strips to
    /// `stripped`.
    pub(crate) fn find(
        &self,
        nodes: &[NodeData],
        children: &[NodeId],
        stripped: &str,
    ) -> Option<NodeId> {
        if self.is_indexed() {
            return self.0.get(stripped).copied();
        }
        children
            .iter()
            .copied()
            .find(|c| crate::id::stripped_chars(&nodes[c.index()].id).eq(stripped.chars()))
    }

    /// Whether the children are kept in a map (see [`StrippedIds::added`]).
    pub(crate) fn is_indexed(&self) -> bool {
        !self.0.is_empty()
    }

    /// Records `child` in the map of a scope that has one.
    pub(crate) fn insert(&mut self, stripped: String, child: NodeId) {
        if self.is_indexed() {
            self.0.entry(stripped).or_insert(child);
        }
    }

    /// The map of a scope whose `children` have reached [`INDEXED_FROM`], when it has none
    /// yet.
    pub(crate) fn added(nodes: &[NodeData], children: &[NodeId]) -> Option<StrippedIds> {
        if children.len() < INDEXED_FROM {
            return None;
        }
        let mut map = BTreeMap::new();
        for &c in children {
            map.entry(crate::id::strip_non_alphanumeric(&nodes[c.index()].id))
                .or_insert(c);
        }
        Some(StrippedIds(map))
    }
}

/// What a node is.
#[derive(Debug)]
pub(crate) enum NodeKind {
    Root,
    Stack(Box<StackData>),
    /// A grouping construct (what an L2 construct is made of).
    Construct,
    Resource(Box<ResourceData>),
    Parameter(Box<ParameterData>),
    Output(Box<OutputData>),
    Condition(Box<CondExpr>),
    Mapping(Box<MappingData>),
    Rule(Box<RuleData>),
    /// Something deployed besides the stacks (see [`crate::artifact`]).
    Artifact(Box<ArtifactProps>),
}

impl NodeKind {
    /// True for the kinds that become an entry of a template section.
    pub(crate) fn is_element(&self) -> bool {
        matches!(
            self,
            NodeKind::Resource(_)
                | NodeKind::Parameter(_)
                | NodeKind::Output(_)
                | NodeKind::Condition(_)
                | NodeKind::Mapping(_)
                | NodeKind::Rule(_)
        )
    }

    /// True for the kinds that may have children.
    pub(crate) fn is_scope(&self) -> bool {
        matches!(
            self,
            NodeKind::Root | NodeKind::Stack(_) | NodeKind::Construct
        )
    }

    /// What to call the kind in messages.
    pub(crate) fn describe(&self) -> &'static str {
        match self {
            NodeKind::Root => "the app",
            NodeKind::Stack(_) => "a stack",
            NodeKind::Construct => "a construct",
            NodeKind::Resource(_) => "a resource",
            NodeKind::Parameter(_) => "a parameter",
            NodeKind::Output(_) => "an output",
            NodeKind::Condition(_) => "a condition",
            NodeKind::Mapping(_) => "a mapping",
            NodeKind::Rule(_) => "a rule",
            NodeKind::Artifact(_) => "an artifact",
        }
    }
}

#[derive(Debug)]
pub(crate) struct StackData {
    pub(crate) props: StackProps,
    /// Values pinned as exports with [`crate::Stack::export_value`].
    pub(crate) exported_values: Vec<Value>,
}

#[derive(Debug)]
pub(crate) struct ResourceData {
    /// `None` only while [`crate::ResourceRef::update`] runs its closure.
    pub(crate) props: Option<Box<dyn DynResource>>,
    pub(crate) cfn_type: String,
    pub(crate) condition: Option<ElementRef>,
    pub(crate) deletion_policy: Option<DeletionPolicy>,
    pub(crate) update_replace_policy: Option<UpdateReplacePolicy>,
    pub(crate) metadata: IndexMap<String, Value>,
    pub(crate) creation_policy: Option<Value>,
    pub(crate) update_policy: Option<Value>,
    pub(crate) logical_id_override: Option<String>,
    pub(crate) overrides: Vec<PatchOp>,
}

#[derive(Debug)]
pub(crate) struct ParameterData {
    /// The CloudFormation parameter type (`String`, `Number`, `AWS::EC2::VPC::Id`, ...).
    pub(crate) type_name: String,
    /// True when a `Ref` yields a list.
    pub(crate) is_list: bool,
    /// The rendered declaration without `Type`, in template order.
    pub(crate) fields: IndexMap<String, Value>,
}

#[derive(Debug)]
pub(crate) struct OutputData {
    pub(crate) value: Value,
    pub(crate) description: Option<String>,
    pub(crate) export_name: Option<Value>,
    pub(crate) condition: Option<ElementRef>,
}

#[derive(Debug)]
pub(crate) struct MappingData {
    pub(crate) entries: IndexMap<String, IndexMap<String, Value>>,
}

#[derive(Debug)]
pub(crate) struct RuleData {
    pub(crate) condition: Option<RuleExpr>,
    pub(crate) assertions: Vec<(RuleExpr, Option<String>)>,
}
