//! First pass: which elements each stack holds, and their logical ids.

use indexmap::IndexMap;
use indexmap::map::Entry;

use crate::codes;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::id::logical_id;
use crate::tree::{NodeId, NodeKind, ROOT, Tree};

/// The elements of one stack, by template section, in creation order.
#[derive(Debug, Default)]
pub(crate) struct StackElements {
    pub(crate) resources: Vec<NodeId>,
    pub(crate) parameters: Vec<NodeId>,
    pub(crate) outputs: Vec<NodeId>,
    pub(crate) conditions: Vec<NodeId>,
    pub(crate) mappings: Vec<NodeId>,
    pub(crate) rules: Vec<NodeId>,
}

/// Stacks, their elements, and every element's logical id.
#[derive(Debug)]
pub(crate) struct Layout {
    pub(crate) stacks: Vec<NodeId>,
    pub(crate) elements: Vec<StackElements>,
    /// The artifacts of the app, in creation order within each stack.
    pub(crate) artifacts: Vec<NodeId>,
    lids: Vec<Option<String>>,
}

impl Layout {
    /// The logical id of an element (empty for nodes that are not elements).
    pub(crate) fn lid(&self, node: NodeId) -> &str {
        self.lids[node.index()].as_deref().unwrap_or_default()
    }

    /// Position of a stack in `stacks`.
    pub(crate) fn stack_index(&self, stack: NodeId) -> usize {
        self.stacks.iter().position(|s| *s == stack).unwrap_or(0)
    }
}

pub(crate) fn layout(tree: &Tree, diags: &mut Diagnostics) -> Layout {
    let stacks: Vec<NodeId> = tree.node(ROOT).children.clone();
    let mut lids = vec![None; tree.nodes.len()];
    let mut elements = Vec::with_capacity(stacks.len());
    let mut artifacts = Vec::new();
    for &stack in &stacks {
        let mut found = StackElements::default();
        // One namespace per template: CloudFormation requires logical ids to be unique across
        // all sections.
        let mut taken: IndexMap<String, NodeId> = IndexMap::new();
        for node in tree.subtree(stack) {
            let data = tree.node(node);
            let section = match &data.kind {
                NodeKind::Resource(_) => &mut found.resources,
                NodeKind::Parameter(_) => &mut found.parameters,
                NodeKind::Output(_) => &mut found.outputs,
                NodeKind::Condition(_) => &mut found.conditions,
                NodeKind::Mapping(_) => &mut found.mappings,
                NodeKind::Rule(_) => &mut found.rules,
                NodeKind::Artifact(_) => {
                    artifacts.push(node);
                    continue;
                }
                _ => continue,
            };
            section.push(node);
            let overridden = match &data.kind {
                NodeKind::Resource(r) => r.logical_id_override.clone(),
                _ => None,
            };
            let Some(lid) = overridden.or_else(|| logical_id(&tree.components_below_stack(node)))
            else {
                diags.push(
                    Diagnostic::error(codes::LOGICAL_ID_EMPTY,
                        tree.path(node),
                        "cannot compute a logical id: every path component below the stack is \"Default\"",
                    )
                    .with_hint("give the element or one of its scopes another id"),
                );
                continue;
            };
            match taken.entry(lid.clone()) {
                Entry::Occupied(other) => diags.push(
                    Diagnostic::error(
                        codes::LOGICAL_ID_DUPLICATE,
                        tree.path(node),
                        format!(
                            "logical id \"{lid}\" is also the logical id of {}",
                            tree.path(*other.get())
                        ),
                    )
                    .with_hint("rename one of them, or change the logical id override"),
                ),
                Entry::Vacant(slot) => {
                    slot.insert(node);
                }
            }
            lids[node.index()] = Some(lid);
        }
        elements.push(found);
    }
    Layout {
        stacks,
        elements,
        artifacts,
        lids,
    }
}
