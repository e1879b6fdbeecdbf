//! [`Node`], the handle to a place in the construct tree, and the [`Construct`] trait every
//! construct implements.

use std::any::TypeId;
use std::fmt;

use crate::app::App;
use crate::artifact::{Artifact, ArtifactProps, token_text};
use crate::codes;
use crate::diagnostics::{Code, Diagnostic, ErrorCode, WarningCode};
use crate::expr::Expr;
use crate::id::{strip_non_alphanumeric, validate_construct_id};
use crate::key::NodeKey;
use crate::resource::{Resource, ResourceRead, ResourceRef, ResourceView};
use crate::stack::Stack;
use crate::tree::{
    Acknowledgement, ElementRef, NodeData, NodeId, NodeKind, StrippedIds, Validation,
};
use crate::value::{ToValue, Value};

/// Anything that has a place in the construct tree: stacks, resources, and the higher-level
/// constructs built from them. A construct is also a scope that other constructs can be added
/// to.
pub trait Construct<'a> {
    /// The construct's node.
    fn node(&self) -> Node<'a>;
}

/// A handle to a node of the construct tree. `Copy`: pass it around freely.
#[derive(Clone, Copy)]
pub struct Node<'a> {
    app: &'a App,
    id: NodeId,
}

impl<'a> Construct<'a> for Node<'a> {
    fn node(&self) -> Node<'a> {
        *self
    }
}

impl fmt::Debug for Node<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Node({})", self.path())
    }
}

impl PartialEq for Node<'_> {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.app, other.app) && self.id == other.id
    }
}

impl Eq for Node<'_> {}

impl<'a> Node<'a> {
    pub(crate) fn new(app: &'a App, id: NodeId) -> Node<'a> {
        Node { app, id }
    }

    /// The app this node belongs to.
    pub fn app(&self) -> &'a App {
        self.app
    }

    pub(crate) fn node_id(&self) -> NodeId {
        self.id
    }

    /// The handle expressions use to refer to this node.
    pub fn element(&self) -> ElementRef {
        ElementRef {
            app: self.app.tree().app_id,
            node: self.id,
        }
    }

    /// A `'static` key to this node, for construct state that must remember it.
    pub fn key(&self) -> NodeKey {
        NodeKey(self.element())
    }

    /// The node's id among its siblings.
    pub fn id(&self) -> String {
        self.app.tree().node(self.id).id.clone()
    }

    /// The construct path: the ids from the stack down, joined with `/`.
    pub fn path(&self) -> String {
        self.app.tree().path(self.id)
    }

    /// The stack this node is in.
    pub fn stack(&self) -> Stack<'a> {
        let stack = self.app.tree().stack_of(self.id).unwrap_or(self.id);
        Stack::from_node(Node::new(self.app, stack))
    }

    /// Adds a grouping construct below this one: the node a higher-level construct hangs its
    /// resources from.
    pub fn add_child(&self, id: &str) -> Node<'a> {
        let child = self.create_child(id, NodeKind::Construct);
        Node::new(self.app, child)
    }

    /// Adds a CloudFormation resource below this node.
    ///
    /// ```
    /// # use cirrus_core::{App, StackProps, RawResource};
    /// let app = App::new("demo");
    /// let stack = app.stack("Demo", StackProps::default());
    /// let topic = stack.add("Topic", RawResource::new("AWS::SNS::Topic", serde_json::json!({})));
    /// assert_eq!(topic.path(), "Demo/Topic");
    /// ```
    pub fn add<R: Resource>(&self, id: &str, props: R) -> ResourceRef<'a, R> {
        ResourceRef::create(*self, id, props)
    }

    /// Adds an artifact below this node: files the runner deploys after the stacks they
    /// depend on (see [`crate::artifact`]).
    pub fn add_artifact(&self, id: &str, props: ArtifactProps) -> Artifact<'a> {
        Artifact::create(*self, id, props)
    }

    /// A string that stands for `value` where only plain strings fit (a Kubernetes object's
    /// field, say) and that synthesis resolves when it writes an artifact: the value becomes an
    /// output of the stack that produces it, and the runner substitutes it at deploy time. A
    /// literal comes back as itself.
    ///
    /// Tokens belong in artifacts only. One that reaches a template (a resource property) is
    /// an error at synthesis: give the expression itself there.
    pub fn token(&self, value: impl Into<Expr<String>>) -> String {
        let value: Expr<String> = value.into();
        if let Some(literal) = value.as_literal() {
            return literal.clone();
        }
        let mut tree = self.app.tree_mut();
        let index = tree.tokens.len();
        tree.tokens.push((value.to_value(), self.id));
        token_text(tree.app_id.0, index)
    }

    /// Adds a check that runs when the app is synthesized, for what a construct can only judge
    /// once the whole app is built (every object on a cluster, say). It runs on every
    /// synthesis, before the templates are rendered, with this node; the diagnostics it returns
    /// (their paths empty for this node's) are reported with the others. It may read construct
    /// state; it should change nothing, since synthesis may run more than once.
    pub fn add_validation(&self, check: impl Fn(Node<'_>) -> Vec<Diagnostic> + 'static) {
        self.app
            .tree_mut()
            .validations
            .push((self.id, Validation(std::rc::Rc::new(check))));
    }

    /// Registers a check of the stack graph synthesis finds (explicit dependencies and
    /// references across stacks, `stack id -> ids it depends on`), for a construct that laid
    /// out stacks from [`App::stack_dependencies`](crate::App::stack_dependencies) before the
    /// app was complete (a delivery pipeline's waves). It runs at every synthesis, on the graph
    /// synthesis has computed anyway; the diagnostics it returns (their paths empty for this
    /// node's) are reported with the others.
    pub fn add_stack_graph_check(
        &self,
        check: impl Fn(&crate::StackGraph) -> Vec<Diagnostic> + 'static,
    ) {
        self.app
            .tree_mut()
            .graph_checks
            .push((self.id, crate::tree::GraphCheck(std::rc::Rc::new(check))));
    }

    /// Adds what a construct can only build once the whole app is defined (a deployment role
    /// derived from the resources of the stacks it deploys, say). It runs once, at the first
    /// synthesis, before the validations, with this node; it may add constructs anywhere and
    /// read every resource ([`Node::resources`]). Preparations run in the order they were
    /// added, so one should not depend on what a later one adds.
    pub fn add_preparation(&self, prepare: impl FnOnce(Node<'_>) + 'static) {
        self.app
            .tree_mut()
            .preparations
            .push((self.id, crate::tree::Preparation(Box::new(prepare))));
    }

    /// The resources at this node and below, in tree order, as the template will declare them
    /// before references are resolved: what a construct that reasons about other constructs'
    /// resources (a derived deployment role) reads.
    pub fn resources(&self) -> Vec<ResourceView> {
        let tree = self.app.tree();
        let mut out = Vec::new();
        let mut pending = vec![self.id];
        while let Some(id) = pending.pop() {
            let node = tree.node(id);
            if let NodeKind::Resource(data) = &node.kind {
                out.push(ResourceView {
                    path: tree.path(id),
                    cfn_type: data.cfn_type.clone(),
                    properties: data
                        .props
                        .as_ref()
                        .map_or(Value::Null, |props| props.properties()),
                    deletion_policy: data.deletion_policy,
                });
            }
            pending.extend(node.children.iter().rev().copied());
        }
        out
    }

    /// Calls `visit` with each resource at this node and below, in tree order, borrowed from
    /// the tree instead of rendered: for a check that reads a few typed properties of many
    /// resources ([`ResourceRead::typed`]). The app is borrowed while `visit` runs, so `visit`
    /// must not change it.
    pub fn visit_resources(&self, mut visit: impl FnMut(ResourceRead<'_>)) {
        let tree = self.app.tree();
        let mut pending = vec![self.id];
        while let Some(id) = pending.pop() {
            let node = tree.node(id);
            if let NodeKind::Resource(data) = &node.kind {
                visit(ResourceRead::new(&data.cfn_type, data.props.as_deref()));
            }
            pending.extend(node.children.iter().rev().copied());
        }
    }

    /// Records that this node's resource is billed whether it is used or not (`what`, with how
    /// it is billed), why the construct created it, and what turns it off; `synth` lists it.
    /// A later call for the same node replaces the earlier one (a construct that creates a
    /// key for a purpose says more than the key itself).
    pub fn set_standing_cost(&self, what: &str, why: &str, turn_off: &str) {
        let mut tree = self.app.tree_mut();
        let cost = crate::costs::StandingCost {
            what: what.to_owned(),
            why: why.to_owned(),
            turn_off: turn_off.to_owned(),
        };
        match tree.standing_costs.iter_mut().find(|(n, _)| *n == self.id) {
            Some((_, existing)) => *existing = cost,
            None => tree.standing_costs.push((self.id, cost)),
        }
    }

    /// The child with that id, if any.
    pub fn find_child(&self, id: &str) -> Option<Node<'a>> {
        let tree = self.app.tree();
        tree.node(self.id)
            .children
            .iter()
            .copied()
            .find(|c| tree.node(*c).id == id)
            .map(|c| Node::new(self.app, c))
    }

    /// The children, in the order they were added.
    pub fn children(&self) -> Vec<Node<'a>> {
        let children = self.app.tree().node(self.id).children.clone();
        children
            .into_iter()
            .map(|c| Node::new(self.app, c))
            .collect()
    }

    /// Makes every resource below this node depend on every resource below `target`. Within a
    /// stack this renders `DependsOn`; across stacks it orders the stacks instead.
    pub fn add_dependency(&self, target: &impl Construct<'a>) {
        let target = target.node();
        if !std::ptr::eq(self.app, target.app) {
            self.error(
                codes::FOREIGN_DEPENDENCY,
                "dependency on a construct of another app",
            );
            return;
        }
        let mut tree = self.app.tree_mut();
        let deps = &mut tree.node_mut(self.id).dependencies;
        if !deps.contains(&target.id) {
            deps.push(target.id);
        }
    }

    /// The artifact this node is ([`Node::add_artifact`]), or `None` when it is another kind
    /// of node: for constructs that act on the artifacts of the complete app
    /// ([`App::artifacts`](crate::App::artifacts) gives their keys).
    pub fn artifact(&self) -> Option<Artifact<'a>> {
        let is_artifact = matches!(self.app.tree().node(self.id).kind, NodeKind::Artifact(_));
        is_artifact.then(|| Artifact::of(*self))
    }

    /// Runs `f` on the state of type `T` this node keeps, creating it with `T::default()` the
    /// first time. Higher-level constructs keep what they accumulate here (the statements of a
    /// role's default policy, for example), since their handles are `Copy` values.
    ///
    /// Each type has its own slot, so two constructs that keep different state on the same
    /// node never overwrite each other. The state is taken out of the tree while `f` runs, so
    /// `f` may use the app freely; a nested call for the same node and type cannot see the
    /// state that is lent out, so it is reported as an error (a bug in the construct) and runs
    /// on a throwaway `T::default()`, never silently replacing the state.
    pub fn with_state<T: Default + 'static, R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        let key = TypeId::of::<T>();
        let taken = {
            let mut tree = self.app.tree_mut();
            let slots = &mut tree.node_mut(self.id).state;
            match slots.iter_mut().find(|(k, _)| *k == key) {
                Some((_, slot)) => match slot.take() {
                    Some(state) => Some(state),
                    None => {
                        drop(tree);
                        self.error(codes::STATE_IN_USE, format!(
                            "internal error: the state {} of this construct was used while it was being changed",
                            std::any::type_name::<T>()
                        ));
                        return f(&mut T::default());
                    }
                },
                None => {
                    slots.push((key, None));
                    None
                }
            }
        };
        let mut state = taken.unwrap_or_else(|| Box::new(T::default()));
        let result = match state.downcast_mut::<T>() {
            Some(typed) => f(typed),
            None => f(&mut T::default()),
        };
        let mut tree = self.app.tree_mut();
        if let Some((_, slot)) = tree
            .node_mut(self.id)
            .state
            .iter_mut()
            .find(|(k, _)| *k == key)
        {
            *slot = Some(state);
        }
        result
    }

    /// Reports an error of check `code` at this node's path; synthesis then fails and prints
    /// it with the others. Higher-level constructs use this to reject invalid props.
    pub fn error(&self, code: ErrorCode, message: impl Into<String>) {
        self.report(Diagnostic::error(code, "", message));
    }

    /// Reports an error with a hint on how to fix it.
    pub fn error_with_hint(
        &self,
        code: ErrorCode,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) {
        self.report(Diagnostic::error(code, "", message).with_hint(hint));
    }

    /// Reports a warning of check `code` at this node's path.
    pub fn warning(&self, code: WarningCode, message: impl Into<String>) {
        self.report(Diagnostic::warning(code, "", message));
    }

    /// Reports a warning with a hint on what to do about it.
    pub fn warning_with_hint(
        &self,
        code: WarningCode,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) {
        self.report(Diagnostic::warning(code, "", message).with_hint(hint));
    }

    /// Accepts the diagnostics of check `code` at this node and below, for `reason`: they are
    /// no longer reported, and the acknowledgement is written into `tree.json` with its
    /// reason, where a reviewer reads it in `synth-out/`.
    ///
    /// - The reason must say why (an empty one is error
    ///   [`ACKNOWLEDGEMENT_WITHOUT_REASON`](codes::ACKNOWLEDGEMENT_WITHOUT_REASON)); it is for
    ///   the reviewer.
    /// - Every warning may be acknowledged; an error only when its code is marked
    ///   acknowledgeable (secure defaults a deliberate design opts out of, such as SSH open to
    ///   the internet). Acknowledging any other code is error
    ///   [`NOT_ACKNOWLEDGEABLE`](codes::NOT_ACKNOWLEDGEABLE): structural errors (an invalid
    ///   name, a missing property, a cycle) must be fixed.
    /// - An acknowledgement that no diagnostic at or below this node needs is warning
    ///   [`STALE_ACKNOWLEDGEMENT`](codes::STALE_ACKNOWLEDGEMENT), so that acknowledgements do
    ///   not outlive the problem they excused; it is the one warning that cannot itself be
    ///   acknowledged.
    ///
    /// ```
    /// use cirrus_core::assertions::Annotations;
    /// use cirrus_core::prelude::*;
    /// use cirrus_core::ErrorCode;
    ///
    /// const OPEN: ErrorCode = ErrorCode::new("APP-001", "a port open to the internet").acknowledgeable();
    ///
    /// let app = App::new("demo");
    /// let stack = app.stack("S", StackProps::default());
    /// stack.add("Topic", RawResource::new("AWS::SNS::Topic", serde_json::json!({})));
    /// stack.add_child("Bastion").error(OPEN, "port 22 is open to 0.0.0.0/0");
    /// stack.node().acknowledge(OPEN, "the bastion is the one way in; reviewed by security");
    /// let out = app.synth().unwrap();
    /// assert!(out.warnings.is_empty());
    /// assert_eq!(
    ///     out.tree()["tree"]["children"]["S"]["acknowledgements"][0]["code"],
    ///     "APP-001"
    /// );
    /// ```
    pub fn acknowledge(&self, code: impl Into<Code>, reason: &str) {
        let code = code.into();
        if reason.trim().is_empty() {
            self.error_with_hint(
                codes::ACKNOWLEDGEMENT_WITHOUT_REASON,
                format!("the acknowledgement of {code} gives no reason"),
                "say why the app accepts it: the reason is what a reviewer reads in tree.json",
            );
            return;
        }
        if !code.acknowledgeable() {
            self.error_with_hint(
                codes::NOT_ACKNOWLEDGEABLE,
                format!(
                    "{code} ({}) cannot be acknowledged",
                    code.summary()
                ),
                "only warnings and the errors of secure defaults may be acknowledged; fix the app instead",
            );
            return;
        }
        self.app.tree_mut().acknowledgements.push(Acknowledgement {
            node: self.id,
            code,
            reason: reason.to_owned(),
        });
    }

    /// Records a diagnostic, setting its path to this node's.
    pub fn report(&self, mut diagnostic: Diagnostic) {
        let mut tree = self.app.tree_mut();
        diagnostic.path = tree.path(self.id);
        tree.diagnostics.push(diagnostic);
    }

    /// Creates a node of `kind` below this one, checking the id. Problems are recorded, never
    /// raised: the node is created anyway so that the caller's handles stay usable and every
    /// problem of the app is reported in one run.
    pub(crate) fn create_child(&self, id: &str, kind: NodeKind) -> NodeId {
        let mut tree = self.app.tree_mut();
        let mut problems = Vec::new();
        let parent = tree.node(self.id);
        if !parent.kind.is_scope() {
            problems.push(
                Diagnostic::error(
                    codes::NOT_A_SCOPE,
                    "",
                    format!(
                        "cannot add \"{id}\" below {}, which cannot have children",
                        parent.kind.describe()
                    ),
                )
                .with_hint("add it to the stack or to the construct that holds this one"),
            );
        }
        if let Err(reason) = validate_construct_id(id) {
            problems.push(Diagnostic::error(codes::CONSTRUCT_ID_INVALID, "", reason));
        }
        let stripped = strip_non_alphanumeric(id);
        if let Some(sibling) =
            parent
                .children_by_stripped_id
                .find(&tree.nodes, &parent.children, &stripped)
        {
            let sibling_id = &tree.node(sibling).id;
            if sibling_id == id {
                problems.push(
                    Diagnostic::error(
                        codes::DUPLICATE_ID,
                        "",
                        format!("duplicate construct id \"{id}\""),
                    )
                    .with_hint("ids must be unique among the children of a scope"),
                );
            } else {
                problems.push(
                    Diagnostic::error(codes::ID_COLLISION,
                        "",
                        format!(
                            "construct id \"{id}\" collides with its sibling \"{sibling_id}\": both become \"{stripped}\" in logical ids"
                        ),
                    )
                    .with_hint("rename one of them"),
                );
            }
        }
        let child = NodeId(u32::try_from(tree.nodes.len()).unwrap_or(u32::MAX));
        tree.nodes.push(NodeData {
            id: id.to_owned(),
            parent: Some(self.id),
            children: Vec::new(),
            kind,
            tags: Vec::new(),
            dependencies: Vec::new(),
            children_by_stripped_id: StrippedIds::default(),
            state: Vec::new(),
        });
        let parent = tree.node_mut(self.id);
        parent.children.push(child);
        if parent.children_by_stripped_id.is_indexed() {
            parent.children_by_stripped_id.insert(stripped, child);
        } else if let Some(index) = StrippedIds::added(&tree.nodes, &tree.node(self.id).children) {
            tree.node_mut(self.id).children_by_stripped_id = index;
        }
        if !problems.is_empty() {
            let path = tree.path(child);
            for mut problem in problems {
                problem.path.clone_from(&path);
                tree.diagnostics.push(problem);
            }
        }
        child
    }
}

#[cfg(test)]
mod tests {
    use crate::{App, StackProps};

    #[derive(Default)]
    struct Counter(u32);

    #[derive(Default)]
    struct Names(Vec<&'static str>);

    #[test]
    fn state_is_kept_per_type() {
        let app = App::new("state");
        let node = app.stack("S", StackProps::default()).add_child("C");
        node.with_state(|c: &mut Counter| c.0 += 1);
        node.with_state(|n: &mut Names| n.0.push("a"));
        node.with_state(|c: &mut Counter| c.0 += 1);
        assert_eq!(node.with_state(|c: &mut Counter| c.0), 2);
        assert_eq!(node.with_state(|n: &mut Names| n.0.clone()), ["a"]);
    }

    #[test]
    fn nested_state_of_the_same_type_is_an_error_not_a_silent_loss() {
        let app = App::new("state");
        let node = app.stack("S", StackProps::default()).add_child("C");
        node.with_state(|c: &mut Counter| {
            c.0 = 5;
            node.with_state(|inner: &mut Counter| inner.0 = 99);
        });
        assert_eq!(node.with_state(|c: &mut Counter| c.0), 5);
        crate::assertions::Annotations::from_app(&app)
            .has_error_code("S/C", crate::codes::STATE_IN_USE);
    }

    #[test]
    fn keys_turn_back_into_handles_of_their_app_only() {
        let app = App::new("keys");
        let other = App::new("other");
        let node = app.stack("S", StackProps::default()).add_child("C");
        let key = node.key();
        assert_eq!(key.node(&app), Some(node));
        assert_eq!(key.node(&other), None);
    }
}
