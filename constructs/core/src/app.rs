//! The app: the root of the construct tree, owner of the arena.

use std::cell::{Ref, RefCell, RefMut};
use std::fmt;

use crate::codes;
use crate::construct::Node;
use crate::diagnostics::{Diagnostic, SynthError};
use crate::stack::{Stack, StackProps};
use crate::synth::{self, Synthesized};
use crate::tree::{ROOT, Tree};

/// An app: a set of stacks synthesized together into one cloud assembly
/// (`synth-out/<app name>/`).
///
/// ```
/// use cirrus_core::{App, StackProps};
/// let app = App::new("hello");
/// let stack = app.stack("Hello", StackProps::default());
/// assert_eq!(stack.path(), "Hello");
/// ```
pub struct App {
    name: String,
    tree: RefCell<Tree>,
}

impl App {
    /// An empty app. The name is the folder the app is written to: lower-case letters, digits
    /// and `-`.
    pub fn new(name: &str) -> App {
        let mut tree = Tree::new();
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            || name.starts_with('-')
        {
            tree.diagnostics.push(
                Diagnostic::error(codes::APP_NAME_INVALID,
                    "",
                    format!(
                        "app name \"{name}\" is invalid; it names the output folder and may contain only lower-case letters, digits and '-'"
                    ),
                )
                .with_hint("use a name such as \"hello-bucket\""),
            );
        }
        App {
            name: name.to_owned(),
            tree: RefCell::new(tree),
        }
    }

    /// The app's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Adds a stack. The id is the stack's artifact id and, unless
    /// [`StackProps::stack_name`] says otherwise, its CloudFormation stack name.
    pub fn stack(&self, id: &str, props: StackProps) -> Stack<'_> {
        Stack::create(self, id, props)
    }

    /// The stacks, in the order they were added.
    pub fn stacks(&self) -> Vec<Stack<'_>> {
        let children = self.tree().node(ROOT).children.clone();
        children
            .into_iter()
            .map(|id| Stack::from_node(Node::new(self, id)))
            .collect()
    }

    /// Synthesizes every stack: templates, manifest and tree, in memory. Returns every problem
    /// of the app at once when there is at least one error.
    pub fn synth(&self) -> Result<Synthesized, SynthError> {
        self.prepare();
        let validations = self.tree().validations.clone();
        let mut found = Vec::new();
        for (node, check) in validations {
            let node = Node::new(self, node);
            for mut diagnostic in (check.0)(node) {
                if diagnostic.path.is_empty() {
                    diagnostic.path = node.path();
                }
                found.push(diagnostic);
            }
        }
        synth::synthesize(self, found)
    }

    /// Adds a check that every synthesis runs on the resources of each stack's template as
    /// they will be written (overrides and patches applied), as [`Value`](crate::Value)s just
    /// before the template is written, references not resolved yet: a check of the rendered
    /// output, such as the runner's check against the registry of resource types. Its
    /// diagnostics are reported with synthesis's own; an error fails synthesis.
    /// Acknowledgements do not apply to them.
    pub fn add_resource_check(
        &self,
        check: impl Fn(&crate::synth::StackResources<'_>) -> Vec<crate::Diagnostic> + 'static,
    ) {
        self.tree_mut()
            .resource_checks
            .push(crate::tree::ResourceCheck(std::rc::Rc::new(check)));
    }

    /// The stacks each stack depends on, by stack id: explicit dependencies and references
    /// across stacks, as synthesis finds them in the app as it stands (every stack is a key).
    /// For a preparation that orders stacks (a delivery pipeline's waves); synthesis orders
    /// and checks the final app itself.
    pub fn stack_dependencies(
        &self,
    ) -> std::collections::BTreeMap<String, std::collections::BTreeSet<String>> {
        crate::synth::stack_dependencies(self)
    }

    /// The artifacts of the app as it stands, in the order they were created.
    pub fn artifacts(&self) -> Vec<crate::ArtifactView> {
        let tree = self.tree();
        let mut out = Vec::new();
        for (index, node) in tree.nodes.iter().enumerate() {
            if let crate::tree::NodeKind::Artifact(props) = &node.kind {
                let id = crate::tree::NodeId(u32::try_from(index).unwrap_or(u32::MAX));
                let stack = tree.stack_of(id).map(|s| tree.node(s).id.clone());
                let after = node
                    .dependencies
                    .iter()
                    .filter(|d| matches!(tree.node(**d).kind, crate::tree::NodeKind::Artifact(_)))
                    .map(|d| tree.path(*d))
                    .collect();
                out.push(crate::ArtifactView {
                    path: tree.path(id),
                    stack: stack.unwrap_or_default(),
                    kind: props.kind.clone(),
                    properties: props.properties.clone(),
                    after,
                    key: Node::new(self, id).key(),
                });
            }
        }
        out
    }

    /// Runs the preparations (see [`Node::add_preparation`]) in the order they were added,
    /// including those a preparation adds, each once.
    fn prepare(&self) {
        loop {
            let pending = std::mem::take(&mut self.tree_mut().preparations);
            if pending.is_empty() {
                return;
            }
            for (node, preparation) in pending {
                (preparation.0)(Node::new(self, node));
            }
        }
    }

    pub(crate) fn tree(&self) -> Ref<'_, Tree> {
        self.tree.borrow()
    }

    pub(crate) fn tree_mut(&self) -> RefMut<'_, Tree> {
        self.tree.borrow_mut()
    }
}

impl fmt::Debug for App {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("App")
            .field("name", &self.name)
            .field("nodes", &self.tree.borrow().nodes.len())
            .finish()
    }
}
