//! The dependency graphs: resources within a stack, and stacks within the app.
//!
//! Edges come from every `Ref`/`Fn::GetAtt`/`Fn::Sub` reference (recorded by the resolver) and
//! from explicit dependencies. A cycle is an error that names it, `A -> B -> A`, with the
//! construct paths: CloudFormation would only say "circular dependency" at deploy time, and the
//! AWS CDK does not check resource cycles at all.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use petgraph::algo::tarjan_scc;
use petgraph::graphmap::DiGraphMap;

use crate::codes;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::synth::layout::Layout;
use crate::synth::render::DependsOn;
use crate::synth::resolve::StackEdge;
use crate::tree::{NodeId, NodeKind, Tree};

/// Explicit dependencies (`add_dependency`), expanded to the resources below each node.
#[derive(Debug, Default)]
pub(crate) struct Explicit {
    pub(crate) depends_on: DependsOn,
    pub(crate) resource_edges: Vec<(NodeId, NodeId)>,
    pub(crate) stack_edges: Vec<StackEdge>,
}

fn resources_below(tree: &Tree, node: NodeId) -> Vec<NodeId> {
    tree.subtree(node)
        .into_iter()
        .filter(|n| matches!(tree.node(*n).kind, NodeKind::Resource(_)))
        .collect()
}

pub(crate) fn explicit(tree: &Tree, layout: &Layout, diags: &mut Diagnostics) -> Explicit {
    let mut out = Explicit::default();
    for (index, data) in tree.nodes.iter().enumerate() {
        let source = NodeId(u32::try_from(index).unwrap_or(u32::MAX));
        if matches!(data.kind, NodeKind::Artifact(_)) {
            // An artifact's dependencies order artifacts, never stacks (`artifacts.rs`).
            continue;
        }
        for &target in &data.dependencies {
            if matches!(tree.node(target).kind, NodeKind::Artifact(_)) {
                diags.push(
                    Diagnostic::error(
                        codes::DEPENDENCY_ON_ARTIFACT,
                        tree.path(source),
                        format!(
                            "cannot depend on {}: artifacts deploy after the stacks, so only another artifact can depend on one",
                            tree.path(target)
                        ),
                    )
                    .with_hint("depend on the construct the artifact belongs to instead"),
                );
                continue;
            }
            if tree.is_ancestor_or_self(target, source) || tree.is_ancestor_or_self(source, target)
            {
                diags.push(Diagnostic::error(
                    codes::DEPENDENCY_ON_CONTAINER,
                    tree.path(source),
                    format!(
                        "cannot depend on {}: one contains the other",
                        tree.path(target)
                    ),
                ));
                continue;
            }
            let (Some(source_stack), Some(target_stack)) =
                (tree.stack_of(source), tree.stack_of(target))
            else {
                continue;
            };
            if source_stack != target_stack {
                out.stack_edges.push(StackEdge {
                    consumer: source_stack,
                    producer: target_stack,
                    from: source,
                    to: target,
                });
                continue;
            }
            let targets = resources_below(tree, target);
            if targets.is_empty() {
                diags.push(Diagnostic::warning(
                    codes::DEPENDENCY_WITHOUT_EFFECT,
                    tree.path(source),
                    format!(
                        "the dependency on {} has no effect: there are no resources below it",
                        tree.path(target)
                    ),
                ));
            }
            for s in resources_below(tree, source) {
                for &t in &targets {
                    out.depends_on
                        .entry(s)
                        .or_default()
                        .insert(layout.lid(t).to_owned());
                    out.resource_edges.push((s, t));
                }
            }
        }
    }
    out
}

/// Describes a resource for a cycle message: `LogicalId (Stack/Path/Resource)`.
fn describe(tree: &Tree, layout: &Layout, node: NodeId) -> String {
    format!("{} ({})", layout.lid(node), tree.path(node))
}

/// The shortest cycle through `start` within `members`, as the list of nodes from `start` back
/// to it.
fn cycle_through(
    graph: &DiGraphMap<NodeId, ()>,
    start: NodeId,
    members: &BTreeSet<NodeId>,
) -> Vec<NodeId> {
    let mut parent: BTreeMap<NodeId, NodeId> = BTreeMap::new();
    let mut queue = VecDeque::from([start]);
    while let Some(n) = queue.pop_front() {
        let mut next: Vec<NodeId> = graph.neighbors(n).filter(|m| members.contains(m)).collect();
        next.sort();
        for m in next {
            if m == start {
                let mut path = vec![start];
                let mut cur = n;
                while cur != start {
                    path.push(cur);
                    match parent.get(&cur) {
                        Some(&p) => cur = p,
                        None => break,
                    }
                }
                path.push(start);
                let last = path.len() - 1;
                path[1..last].reverse();
                return path;
            }
            if let std::collections::btree_map::Entry::Vacant(slot) = parent.entry(m) {
                slot.insert(n);
                queue.push_back(m);
            }
        }
    }
    vec![start, start]
}

/// The cycles of a graph: one concrete cycle for every strongly connected component that has
/// one, starting at its earliest-created node.
pub(crate) fn cycles(graph: &DiGraphMap<NodeId, ()>) -> Vec<Vec<NodeId>> {
    let mut out = Vec::new();
    for component in tarjan_scc(graph) {
        let members: BTreeSet<NodeId> = component.iter().copied().collect();
        let Some(&start) = members.iter().next() else {
            continue;
        };
        if members.len() > 1 || graph.contains_edge(start, start) {
            out.push(cycle_through(graph, start, &members));
        }
    }
    out.sort();
    out
}

/// Reports every cycle among the resources of one stack. `edges` are that stack's edges.
pub(crate) fn resource_cycles(
    tree: &Tree,
    layout: &Layout,
    index: usize,
    edges: &[(NodeId, NodeId)],
    diags: &mut Diagnostics,
) {
    let mut graph = DiGraphMap::new();
    for &r in &layout.elements[index].resources {
        graph.add_node(r);
    }
    for &(a, b) in edges {
        graph.add_edge(a, b, ());
    }
    for cycle in cycles(&graph) {
        let chain: Vec<String> = cycle.iter().map(|n| describe(tree, layout, *n)).collect();
        diags.push(
            Diagnostic::error(codes::RESOURCE_CYCLE,
                tree.path(cycle[0]),
                format!("resources depend on each other in a cycle: {}", chain.join(" -> ")),
            )
            .with_hint("break the cycle: remove a reference or an explicit dependency, or move one side into a resource of its own (a separate policy, for example)"),
        );
    }
}

/// Orders the stacks into deployment waves: every stack of a wave depends only on stacks of
/// earlier waves, so the stacks of one wave can deploy in parallel. Reports stack cycles.
pub(crate) fn stack_waves(
    tree: &Tree,
    layout: &Layout,
    edges: &[StackEdge],
    diags: &mut Diagnostics,
) -> Vec<Vec<NodeId>> {
    let mut graph = DiGraphMap::new();
    for &s in &layout.stacks {
        graph.add_node(s);
    }
    for edge in edges {
        if edge.consumer == edge.producer {
            diags.push(Diagnostic::error(
                codes::STACK_SELF_DEPENDENCY,
                tree.path(edge.from),
                "a stack cannot depend on itself",
            ));
            continue;
        }
        graph.add_edge(edge.consumer, edge.producer, ());
    }
    let found = cycles(&graph);
    for cycle in &found {
        let mut chain = vec![tree.path(cycle[0])];
        for pair in cycle.windows(2) {
            let reason = edges
                .iter()
                .find(|e| e.consumer == pair[0] && e.producer == pair[1])
                .map(|e| format!(" ({} uses {})", tree.path(e.from), tree.path(e.to)))
                .unwrap_or_default();
            chain.push(format!("{}{reason}", tree.path(pair[1])));
        }
        diags.push(
            Diagnostic::error(
                codes::STACK_CYCLE,
                tree.path(cycle[0]),
                format!(
                    "stacks depend on each other in a cycle: {}",
                    chain.join(" -> ")
                ),
            )
            .with_hint("move the shared resources into a stack of their own that both use"),
        );
    }
    if !found.is_empty() {
        return vec![layout.stacks.clone()];
    }
    let mut placed: BTreeSet<NodeId> = BTreeSet::new();
    let mut waves = Vec::new();
    while placed.len() < layout.stacks.len() {
        let wave: Vec<NodeId> = layout
            .stacks
            .iter()
            .copied()
            .filter(|s| !placed.contains(s))
            .filter(|s| graph.neighbors(*s).all(|p| placed.contains(&p)))
            .collect();
        if wave.is_empty() {
            break;
        }
        placed.extend(wave.iter().copied());
        waves.push(wave);
    }
    waves
}
