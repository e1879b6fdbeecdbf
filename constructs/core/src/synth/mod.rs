//! Synthesis: from the construct tree to templates, manifest and tree, in memory.
//!
//! The passes, in order:
//! 1. `layout`: the elements of each stack and their logical ids (unique per template);
//! 2. `graph::explicit`: explicit dependencies expanded to resources (`DependsOn`) or stacks;
//! 3. `render` with the `resolve` pass, stack by stack: every element rendered to JSON,
//!    references mapped to logical ids or to imports of automatic exports, every reference
//!    recorded as an edge; the app's resource checks run on the resources, and the template
//!    is written as text (`template_body`), all but its outputs;
//! 4. exports added to the producing stacks' outputs, which finish their text;
//! 5. `graph`: resource cycles per stack, stack cycles, deployment waves;
//! 6. [`limits`]: CloudFormation's quotas per stack.
//!
//! (The passes are private modules of this one: `synth/layout.rs` and so on.)
//!
//! Every pass records problems and goes on, so one run reports all of them.

mod artifacts;
mod assembly;
mod graph;
mod head;
mod layout;
pub mod limits;
mod pretty;
mod read;
mod render;
mod resolve;
mod size;
mod stack_resources;
mod template_body;

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

use indexmap::IndexMap;
use serde_json::{Map, Value as J, json};

use assembly::{AppTree, TreeEntry};
pub use assembly::{
    CLOUD_ASSEMBLY_VERSION, DeployArtifact, DeployValue, RenderFile, StackArtifact, Synthesized,
    TemplateFormat, YamlError, pretty, yaml,
};
pub use read::AssemblyError;
pub use stack_resources::StackResources;
pub use template_body::TemplateBody;

use crate::app::App;
use crate::codes;
use crate::diagnostics::{Diagnostic, Diagnostics, SynthError};
use crate::tree::{NodeId, NodeKind, ROOT, Tree};
use layout::Layout;
use render::Sections;
use resolve::{Resolver, stack_env, stack_name};
use template_body::PartialBody;

pub(crate) fn synthesize(app: &App, validated: Vec<Diagnostic>) -> Result<Synthesized, SynthError> {
    let tree = app.tree();
    let mut diags = Diagnostics::default();
    diags.extend(tree.diagnostics.iter().cloned());
    diags.extend(validated);

    let layout = layout::layout(&tree, &mut diags);
    if layout.stacks.is_empty() {
        diags.push(
            Diagnostic::error(
                codes::APP_WITHOUT_STACKS,
                "",
                format!("app \"{}\" has no stacks", app.name()),
            )
            .with_hint("add one with app.stack(\"Name\", StackProps::default())"),
        );
    }
    let explicit = graph::explicit(&tree, &layout, &mut diags);

    let mut resolver = Resolver::new(&tree, &layout);
    // Each stack's template is written as text as soon as it is rendered, all but its
    // outputs, which the automatic exports of later stacks add to: the values of every
    // template at once were most of synthesis's peak memory.
    let mut checked = Diagnostics::default();
    let mut rendered: Vec<Rendered> = (0..layout.stacks.len())
        .map(|i| {
            let sections = render::stack(&tree, &layout, &mut resolver, i, &explicit.depends_on);
            Rendered::new(&tree, &layout, &mut resolver, i, sections, &mut checked)
        })
        .collect();
    for &stack in &layout.stacks {
        if let NodeKind::Stack(data) = &tree.node(stack).kind {
            for value in &data.exported_values {
                resolver.pin_export(stack, value);
            }
        }
    }
    let stack_ids: BTreeSet<String> = layout
        .stacks
        .iter()
        .map(|s| tree.node(*s).id.clone())
        .collect();
    let deploy_artifacts = artifacts::artifacts(
        &tree,
        &layout.artifacts,
        &stack_ids,
        &mut resolver,
        &mut diags,
    );
    add_exports(&tree, &layout, &resolver, &mut rendered, &mut diags);

    // Edges never cross stacks (references across stacks are imports), so group them by the
    // stack of their source once.
    let mut edges_by_stack: IndexMap<NodeId, Vec<(NodeId, NodeId)>> = IndexMap::new();
    for &(a, b) in resolver
        .resource_edges
        .iter()
        .chain(&explicit.resource_edges)
    {
        if let Some(stack) = tree.stack_of(a) {
            edges_by_stack.entry(stack).or_default().push((a, b));
        }
    }
    for (index, stack) in layout.stacks.iter().enumerate() {
        let edges = edges_by_stack.get(stack).map_or(&[][..], Vec::as_slice);
        graph::resource_cycles(&tree, &layout, index, edges, &mut diags);
    }
    let mut stack_edges = resolver.stack_edges.clone();
    stack_edges.extend(explicit.stack_edges.iter().copied());
    let waves = graph::stack_waves(&tree, &layout, &stack_edges, &mut diags);
    if !tree.graph_checks.is_empty() {
        let graph = stack_graph(&tree, &layout, &stack_edges);
        for (node, check) in &tree.graph_checks {
            for mut diagnostic in (check.0)(&graph) {
                if diagnostic.path.is_empty() {
                    diagnostic.path = tree.path(*node);
                }
                diags.push(diagnostic);
            }
        }
    }

    let mut stacks = Vec::with_capacity(layout.stacks.len());
    for (index, rendered) in rendered.into_iter().enumerate() {
        let Rendered {
            head,
            counts,
            outputs,
            logical_ids,
        } = rendered;
        let stack = layout.stacks[index];
        let path = tree.path(stack);
        if counts.resources() == 0 {
            diags.push(
                Diagnostic::error(
                    codes::STACK_WITHOUT_RESOURCES,
                    &path,
                    "the stack has no resources; CloudFormation requires at least one",
                )
                .with_hint("add a resource, or remove the stack"),
            );
        }
        let (template, template_size) = head.finish(&outputs);
        limits::check(&path, &counts, outputs.len(), template_size, &mut diags);
        let dependencies: BTreeSet<String> = stack_edges
            .iter()
            .filter(|e| e.consumer == stack && e.producer != stack)
            .map(|e| tree.node(e.producer).id.clone())
            .collect();
        stacks.push(artifact(
            &tree,
            stack,
            template,
            template_size,
            dependencies,
            logical_ids,
        ));
    }

    diags.extend(resolver.diags);
    let secrets = crate::secrets::report(&tree, resolver.secrets, &diags);
    diags.extend(secrets);
    acknowledge(&tree, &mut diags);
    // The resource checks' diagnostics are not acknowledged (see `App::add_resource_check`).
    diags.extend(checked);
    diags.sort();
    if diags.has_errors() {
        return Err(SynthError { diagnostics: diags });
    }

    let order: Vec<NodeId> = waves.iter().flatten().copied().collect();
    let mut by_node: IndexMap<NodeId, StackArtifact> =
        layout.stacks.iter().copied().zip(stacks).collect();
    let stacks: Vec<StackArtifact> = order
        .iter()
        .filter_map(|n| by_node.shift_remove(n))
        .collect();
    let standing_costs = standing_costs(&tree, &stacks);
    Ok(Synthesized {
        app: app.name().to_owned(),
        standing_costs,
        stacks,
        artifacts: deploy_artifacts,
        waves: waves
            .iter()
            .map(|w| w.iter().map(|n| tree.node(*n).id.clone()).collect())
            .collect(),
        warnings: diags.into_iter().collect(),
        tree: tree_json(&tree, &layout),
    })
}

/// The stacks each stack depends on (ids), as synthesis would find them in the app as it
/// stands: explicit dependencies and references across stacks. Problems are not reported
/// here; synthesis reports them.
pub(crate) fn stack_dependencies(app: &App) -> BTreeMap<String, BTreeSet<String>> {
    let tree = app.tree();
    let mut ignored = Diagnostics::default();
    let layout = layout::layout(&tree, &mut ignored);
    let explicit = graph::explicit(&tree, &layout, &mut ignored);
    let mut resolver = Resolver::new(&tree, &layout);
    for index in 0..layout.stacks.len() {
        let sections = render::stack(&tree, &layout, &mut resolver, index, &explicit.depends_on);
        // The resources' references are resolved as a template is written: written nowhere
        // here, for the edges they record.
        let resolving = RefCell::new(&mut resolver);
        let head = head::Head::new(&tree, layout.stacks[index], &sections, &resolving);
        let _ = serde_json::to_writer(std::io::sink(), &head);
        render::outputs(&tree, &layout, &mut resolver, index);
    }
    let mut edges = resolver.stack_edges.clone();
    edges.extend(explicit.stack_edges.iter().copied());
    stack_graph(&tree, &layout, &edges)
}

/// `stack id -> ids it depends on`, every stack a key.
fn stack_graph(
    tree: &Tree,
    layout: &Layout,
    edges: &[resolve::StackEdge],
) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = layout
        .stacks
        .iter()
        .map(|s| (tree.node(*s).id.clone(), BTreeSet::new()))
        .collect();
    for edge in edges {
        if edge.consumer != edge.producer {
            out.entry(tree.node(edge.consumer).id.clone())
                .or_default()
                .insert(tree.node(edge.producer).id.clone());
        }
    }
    out
}

/// The standing costs recorded in the tree, by stack in deploy order, then by path.
fn standing_costs(tree: &Tree, stacks: &[StackArtifact]) -> Vec<crate::costs::StandingCostEntry> {
    let mut out: Vec<(usize, crate::costs::StandingCostEntry)> = Vec::new();
    for (node, cost) in &tree.standing_costs {
        let Some(stack) = tree.stack_of(*node) else {
            continue;
        };
        let id = tree.node(stack).id.clone();
        let Some(order) = stacks.iter().position(|s| s.id == id) else {
            continue;
        };
        out.push((
            order,
            crate::costs::StandingCostEntry {
                stack: id,
                path: tree.path(*node),
                cost: cost.clone(),
            },
        ));
    }
    out.sort_by(|a, b| (a.0, &a.1.path).cmp(&(b.0, &b.1.path)));
    out.into_iter().map(|(_, entry)| entry).collect()
}

/// Adds the automatic (and pinned) exports to the outputs of the stacks that produce them.
fn add_exports(
    tree: &Tree,
    layout: &Layout,
    resolver: &Resolver<'_>,
    rendered: &mut [Rendered],
    diags: &mut Diagnostics,
) {
    for (producer, exports) in &resolver.exports {
        let index = layout.stack_index(*producer);
        let taken: BTreeSet<String> = element_ids(&layout.elements[index], layout);
        let mut ids: Vec<&String> = exports.keys().collect();
        ids.sort();
        for id in ids {
            let export = &exports[id];
            if taken.contains(id) {
                diags.push(Diagnostic::error(
                    codes::LOGICAL_ID_RESERVED,
                    tree.path(*producer),
                    format!("logical id \"{id}\" is reserved for an automatic export"),
                ));
                continue;
            }
            rendered[index].outputs.insert(
                id.clone(),
                json!({ "Value": export.value, "Export": { "Name": export.name } }),
            );
        }
    }
    for (producer, values) in &resolver.deploy_values {
        let index = layout.stack_index(*producer);
        let taken: BTreeSet<String> = element_ids(&layout.elements[index], layout);
        for (id, value) in values {
            if taken.contains(id) {
                diags.push(Diagnostic::error(
                    crate::codes::LOGICAL_ID_RESERVED,
                    tree.path(*producer),
                    format!("logical id \"{id}\" is reserved for a value that artifacts read"),
                ));
                continue;
            }
            rendered[index].outputs.insert(
                id.clone(),
                json!({
                    "Description": "Read by the runner when it deploys the app's artifacts",
                    "Value": value
                }),
            );
        }
    }
}

fn element_ids(elements: &layout::StackElements, layout: &Layout) -> BTreeSet<String> {
    [
        &elements.resources,
        &elements.parameters,
        &elements.outputs,
        &elements.conditions,
        &elements.mappings,
        &elements.rules,
    ]
    .into_iter()
    .flatten()
    .map(|n| layout.lid(*n).to_owned())
    .collect()
}

/// One stack's template once rendered: the text of every section but `Outputs`, which stays
/// a value until the automatic exports of every stack are added to it (it is the last
/// section, so the text is finished by appending it).
struct Rendered {
    head: PartialBody,
    counts: limits::Counts,
    outputs: Map<String, J>,
    /// Logical id to construct path, for every element of the template.
    logical_ids: IndexMap<String, String>,
}

impl Rendered {
    /// Runs the app's resource checks on `sections` (their diagnostics into `checked`), writes
    /// every section but the outputs (resolving the resources' references as it goes), then
    /// renders the outputs.
    fn new(
        tree: &Tree,
        layout: &Layout,
        resolver: &mut Resolver<'_>,
        index: usize,
        sections: Sections,
        checked: &mut Diagnostics,
    ) -> Rendered {
        let stack = layout.stacks[index];
        let logical_ids = logical_ids(tree, layout, index);
        let view = StackResources {
            stack_id: &tree.node(stack).id,
            resources: &sections.resources,
            logical_ids: &logical_ids,
        };
        for check in &tree.resource_checks {
            checked.extend((check.0)(&view));
        }
        let counts = limits::Counts::of_sections(&sections);
        let resolving = RefCell::new(&mut *resolver);
        let head = PartialBody::new(&head::Head::new(tree, stack, &sections, &resolving));
        drop(sections);
        let outputs = render::outputs(tree, layout, resolver, index);
        Rendered {
            head,
            counts,
            outputs,
            logical_ids,
        }
    }
}

/// Logical id to construct path, for every element of the stack at `index`, section by
/// section.
fn logical_ids(tree: &Tree, layout: &Layout, index: usize) -> IndexMap<String, String> {
    let elements = &layout.elements[index];
    [
        &elements.parameters,
        &elements.rules,
        &elements.mappings,
        &elements.conditions,
        &elements.resources,
        &elements.outputs,
    ]
    .into_iter()
    .flatten()
    .map(|n| (layout.lid(*n).to_owned(), tree.path(*n)))
    .collect()
}

fn artifact(
    tree: &Tree,
    stack: NodeId,
    template: TemplateBody,
    template_size: usize,
    dependencies: BTreeSet<String>,
    logical_ids: IndexMap<String, String>,
) -> StackArtifact {
    let (tags, termination_protection) = match &tree.node(stack).kind {
        NodeKind::Stack(data) => (data.props.tags.clone(), data.props.termination_protection),
        _ => Default::default(),
    };
    StackArtifact {
        id: tree.node(stack).id.clone(),
        stack_name: stack_name(tree, stack),
        env: stack_env(tree, stack),
        template,
        dependencies: dependencies.into_iter().collect(),
        logical_ids,
        tags,
        termination_protection,
        template_size,
    }
}

/// Removes the diagnostics the app acknowledged (same code, at the acknowledging node or below)
/// and warns about each acknowledgement that removed none.
fn acknowledge(tree: &Tree, diags: &mut Diagnostics) {
    for ack in &tree.acknowledgements {
        let path = tree.path(ack.node);
        let covers = |d: &Diagnostic| {
            d.code == ack.code
                && (ack.node == ROOT
                    || d.path == path
                    || d.path
                        .strip_prefix(path.as_str())
                        .is_some_and(|rest| rest.starts_with('/')))
        };
        let before = diags.len();
        diags.retain(|d| !covers(d));
        if diags.len() == before {
            diags.push(
                Diagnostic::warning(
                    codes::STALE_ACKNOWLEDGEMENT,
                    path,
                    format!(
                        "{} is acknowledged here, but no diagnostic of it is reported at or below this construct",
                        ack.code
                    ),
                )
                .with_hint("remove the acknowledgement: the problem it accepted is gone"),
            );
        }
    }
}

/// `tree.json`'s entries (see [`assembly::AppTree`]): every construct, depth first, the root
/// first, with its type, logical id and acknowledgements.
fn tree_json(tree: &Tree, layout: &Layout) -> AppTree {
    fn add(tree: &Tree, layout: &Layout, id: NodeId, nodes: &mut Vec<TreeEntry>) -> usize {
        let data = tree.node(id);
        let index = nodes.len();
        nodes.push(TreeEntry {
            id: if id == ROOT {
                "App".into()
            } else {
                data.id.clone()
            },
            children: Vec::new(),
            cfn_type: match &data.kind {
                NodeKind::Resource(r) => Some(r.cfn_type.clone()),
                _ => None,
            },
            logical_id: data.kind.is_element().then(|| layout.lid(id).to_owned()),
            acknowledgements: tree
                .acknowledgements
                .iter()
                .filter(|a| a.node == id)
                .map(|a| {
                    json!({
                        "code": a.code.id(),
                        "summary": a.code.summary(),
                        "reason": a.reason,
                    })
                })
                .collect(),
        });
        let children: Vec<usize> = data
            .children
            .iter()
            .map(|c| add(tree, layout, *c, nodes))
            .collect();
        nodes[index].children = children;
        index
    }
    let mut nodes = Vec::with_capacity(tree.nodes.len());
    add(tree, layout, ROOT, &mut nodes);
    AppTree::built(nodes)
}
