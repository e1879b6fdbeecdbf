//! The artifacts pass: every artifact's tokens resolved to outputs of the stacks that produce
//! their values, its files rendered, its dependencies collected, and the artifacts ordered.
//!
//! A token's value is resolved as an output of its producer (the one stack its references
//! point into, or the artifact's own stack when it refers to pseudo parameters only). The
//! output is plain (no export), so no stack is locked by it; the artifact depends on the
//! producer, and the runner reads the output after deploying it.

use std::collections::{BTreeMap, BTreeSet};

use petgraph::graphmap::DiGraphMap;
use serde_json::{Value as J, json};

use crate::artifact::{ArtifactProps, FileContent, find_tokens};
use crate::codes;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::id::strip_non_alphanumeric;
use crate::intrinsic::Intrinsic;
use crate::synth::assembly::{DeployArtifact, DeployValue, yaml};
use crate::synth::graph::cycles;
use crate::synth::resolve::{
    LocalRef, Place, Resolver, Site, local_reference, output_id, stack_env, stack_name,
};
use crate::tree::{ElementRef, NodeId, NodeKind, Tree};
use crate::value::Value;

/// The artifacts of the app, in deploy order (an artifact after those it depends on).
pub(crate) fn artifacts<'t>(
    tree: &'t Tree,
    nodes: &[NodeId],
    stack_ids: &BTreeSet<String>,
    resolver: &mut Resolver<'t>,
    diags: &mut Diagnostics,
) -> Vec<DeployArtifact> {
    let ids: BTreeMap<NodeId, String> = nodes.iter().map(|n| (*n, artifact_id(tree, *n))).collect();
    let mut seen: BTreeMap<&str, NodeId> = BTreeMap::new();
    for (node, id) in &ids {
        if stack_ids.contains(id) {
            diags.push(
                Diagnostic::error(
                    codes::ARTIFACT_ID_CLASH,
                    tree.path(*node),
                    format!("artifact id \"{id}\" is also the id of a stack"),
                )
                .with_hint("rename the artifact or one of the constructs above it"),
            );
        } else if let Some(other) = seen.insert(id, *node) {
            diags.push(
                Diagnostic::error(
                    codes::ARTIFACT_ID_CLASH,
                    tree.path(*node),
                    format!(
                        "artifact id \"{id}\" is also the id of {}",
                        tree.path(other)
                    ),
                )
                .with_hint(
                    "rename one of them: an artifact's id is its path with '/' written as '-'",
                ),
            );
        }
    }

    let mut out: BTreeMap<NodeId, DeployArtifact> = BTreeMap::new();
    let mut graph: DiGraphMap<NodeId, ()> = DiGraphMap::new();
    for &node in nodes {
        graph.add_node(node);
        let NodeKind::Artifact(props) = &tree.node(node).kind else {
            continue;
        };
        let Some(home) = tree.stack_of(node) else {
            continue;
        };
        let mut cx = Tokens {
            tree,
            artifact: node,
            home,
            resolver: &mut *resolver,
            diags: &mut *diags,
            values: BTreeMap::new(),
            used: BTreeSet::new(),
        };
        let mut props: ArtifactProps = (**props).clone();
        let mut properties = J::Object(std::mem::take(&mut props.properties));
        cx.substitute(&mut properties);
        let mut files = Vec::with_capacity(props.files.len());
        for mut file in props.files {
            cx.used.clear();
            for value in file.content.values_mut() {
                cx.substitute(value);
            }
            let name = format!("{}.{}", ids[&node], file.suffix);
            let mut header = file.header.clone();
            if !cx.used.is_empty() {
                header.push("Values resolved at deploy time, from outputs of the stacks:".into());
                for key in &cx.used {
                    let value = &cx.values[key];
                    header.push(format!("  ${{cirrus:{key}}}: {}", value.source));
                }
            }
            match render(&header, &file.content) {
                Ok(bytes) => files.push((name, bytes)),
                Err(message) => cx.diags.push(Diagnostic::error(
                    codes::ARTIFACT_RENDER,
                    tree.path(node),
                    format!("cannot render {name}: {message}"),
                )),
            }
        }
        let values = cx.values;
        let mut dependencies: BTreeSet<String> = BTreeSet::new();
        dependencies.insert(tree.node(home).id.clone());
        for value in values.values() {
            dependencies.insert(value.stack.clone());
        }
        for &target in &tree.node(node).dependencies {
            if ids.contains_key(&target) {
                graph.add_edge(node, target, ());
                dependencies.insert(ids[&target].clone());
            } else if let Some(stack) = tree.stack_of(target) {
                dependencies.insert(tree.node(stack).id.clone());
            }
        }
        let properties = match properties {
            J::Object(map) => map,
            _ => serde_json::Map::new(),
        };
        out.insert(
            node,
            DeployArtifact {
                id: ids[&node].clone(),
                kind: props.kind,
                path: tree.path(node),
                stack: tree.node(home).id.clone(),
                env: stack_env(tree, home),
                dependencies: dependencies.into_iter().collect(),
                properties,
                files,
                values,
            },
        );
    }

    let found = cycles(&graph);
    for cycle in &found {
        let chain: Vec<String> = cycle.iter().map(|n| tree.path(*n)).collect();
        diags.push(
            Diagnostic::error(
                codes::ARTIFACT_CYCLE,
                tree.path(cycle[0]),
                format!(
                    "artifacts depend on each other in a cycle: {}",
                    chain.join(" -> ")
                ),
            )
            .with_hint("remove one of the explicit dependencies"),
        );
    }
    if !found.is_empty() {
        return out.into_values().collect();
    }
    // Creation order, each artifact after the ones it depends on.
    let mut ordered = Vec::with_capacity(nodes.len());
    let mut placed: BTreeSet<NodeId> = BTreeSet::new();
    while placed.len() < nodes.len() {
        let Some(next) = nodes
            .iter()
            .copied()
            .find(|n| !placed.contains(n) && graph.neighbors(*n).all(|d| placed.contains(&d)))
        else {
            break;
        };
        placed.insert(next);
        if let Some(artifact) = out.remove(&next) {
            ordered.push(artifact);
        }
    }
    ordered
}

/// An artifact's id: its path with `/` written as `-` (`Platform-Cluster-Workloads`).
fn artifact_id(tree: &Tree, node: NodeId) -> String {
    tree.components(node).join("-")
}

struct Tokens<'r, 't> {
    tree: &'t Tree,
    artifact: NodeId,
    home: NodeId,
    resolver: &'r mut Resolver<'t>,
    diags: &'r mut Diagnostics,
    /// Every value of the artifact, by `<stack>.<output>`.
    values: BTreeMap<String, DeployValue>,
    /// The values used in the file being rendered.
    used: BTreeSet<String>,
}

impl Tokens<'_, '_> {
    fn substitute(&mut self, value: &mut J) {
        match value {
            J::String(s) => {
                if let Some(replaced) = self.replace(s) {
                    *s = replaced;
                }
            }
            J::Array(items) => items.iter_mut().for_each(|v| self.substitute(v)),
            J::Object(map) => {
                for v in map.values_mut() {
                    self.substitute(v);
                }
            }
            _ => {}
        }
    }

    fn replace(&mut self, s: &str) -> Option<String> {
        let found = find_tokens(s);
        if found.is_empty() {
            return None;
        }
        let mut out = String::with_capacity(s.len());
        let mut last = 0;
        for (range, app, index) in found {
            out.push_str(&s[last..range.start]);
            last = range.end;
            if app != self.tree.app_id.0 || index >= self.tree.tokens.len() {
                self.diags.push(Diagnostic::error(
                    codes::TOKEN_FOREIGN,
                    self.tree.path(self.artifact),
                    "holds a token of another app; tokens are only valid in the app that made them",
                ));
                continue;
            }
            match self.resolve(index) {
                Some(key) => {
                    out.push_str(&format!("${{cirrus:{key}}}"));
                    self.used.insert(key);
                }
                None => out.push_str(&s[range]),
            }
        }
        out.push_str(&s[last..]);
        Some(out)
    }

    /// Resolves token `index` to an output of its producer stack; returns `<stack>.<output>`.
    fn resolve(&mut self, index: usize) -> Option<String> {
        let (value, maker) = &self.tree.tokens[index];
        let mut refs = Vec::new();
        references(value, &mut refs);
        let mut stacks: BTreeSet<NodeId> = BTreeSet::new();
        for r in &refs {
            if r.app != self.tree.app_id || r.node.index() >= self.tree.nodes.len() {
                self.diags.push(Diagnostic::error(
                    codes::TOKEN_FOREIGN,
                    self.tree.path(*maker),
                    "a token refers to a construct of another app",
                ));
                return None;
            }
            if let Some(stack) = self.tree.stack_of(r.node) {
                stacks.insert(stack);
            }
        }
        let producer = match stacks.len() {
            0 => self.home,
            1 => *stacks.iter().next()?,
            _ => {
                let names: Vec<String> = stacks.iter().map(|s| self.tree.path(*s)).collect();
                self.diags.push(
                    Diagnostic::error(
                        codes::TOKEN_SEVERAL_STACKS,
                        self.tree.path(*maker),
                        format!(
                            "a token's value refers to several stacks ({}); it is read from one stack's outputs",
                            names.join(", ")
                        ),
                    )
                    .with_hint("make one token per stack and join the strings"),
                );
                return None;
            }
        };
        let site = Site {
            stack: producer,
            element: *maker,
            place: Place::Output,
        };
        let local = self.resolver.resolve(site, value);
        let output = value_output_id(&local);
        self.resolver
            .deploy_values
            .entry(producer)
            .or_default()
            .entry(output.clone())
            .or_insert_with(|| local.clone());
        let stack = self.tree.node(producer).id.clone();
        let key = format!("{stack}.{output}");
        let sources: Vec<String> = refs.iter().map(|r| self.tree.path(r.node)).collect();
        let source = if sources.is_empty() {
            describe(&local)
        } else {
            format!("{} of {}", describe(&local), sources.join(", "))
        };
        self.values.entry(key.clone()).or_insert(DeployValue {
            stack,
            stack_name: stack_name(self.tree, producer),
            output,
            source,
        });
        Some(key)
    }
}

/// Every element a value refers to.
fn references(value: &Value, out: &mut Vec<ElementRef>) {
    match value {
        Value::Array(items) => items.iter().for_each(|v| references(v, out)),
        Value::Object(map) => map.values().for_each(|v| references(v, out)),
        Value::Fn(f) => match f.as_ref() {
            Intrinsic::Ref(t) => out.push(*t),
            Intrinsic::GetAtt { target, .. } => out.push(*target),
            Intrinsic::Sub { vars, .. } => vars.iter().for_each(|(_, v)| references(v, out)),
            Intrinsic::Join { list, .. } => references(list, out),
            Intrinsic::Select { index, list } => {
                references(index, out);
                references(list, out);
            }
            Intrinsic::Split { source, .. } => references(source, out),
            Intrinsic::GetAzs(v) | Intrinsic::ImportValue(v) | Intrinsic::Base64(v) => {
                references(v, out);
            }
            Intrinsic::If {
                condition,
                then,
                otherwise,
            } => {
                out.push(*condition);
                references(then, out);
                references(otherwise, out);
            }
            Intrinsic::FindInMap {
                mapping,
                top,
                second,
            } => {
                out.push(*mapping);
                references(top, out);
                references(second, out);
            }
            Intrinsic::Cidr {
                ip_block,
                count,
                cidr_bits,
            } => {
                references(ip_block, out);
                references(count, out);
                references(cidr_bits, out);
            }
            Intrinsic::ValueOf { parameter, .. } => out.push(*parameter),
            Intrinsic::Pseudo(_) | Intrinsic::ValueOfAll { .. } | Intrinsic::RefAll(_) => {}
        },
        Value::Null | Value::Bool(_) | Value::Int(_) | Value::Float(_) | Value::String(_) => {}
    }
}

/// The output id of a deploy-time value: readable where it is a plain reference, and stable
/// (it depends only on the value).
fn value_output_id(local: &J) -> String {
    let readable = match local_reference(local) {
        Some(LocalRef::Ref(lid)) => strip_non_alphanumeric(lid),
        Some(LocalRef::GetAtt(parts)) => strip_non_alphanumeric(&parts.join("")),
        None => String::new(),
    };
    output_id("DeployValue", &readable, local)
}

/// How a resolved value reads in a file's header: `Fn::GetAtt Repo.RepositoryUri`.
fn describe(local: &J) -> String {
    match local_reference(local) {
        Some(LocalRef::Ref(lid)) => format!("Ref {lid}"),
        Some(LocalRef::GetAtt(parts)) => format!("Fn::GetAtt {}", parts.join(".")),
        None => local.to_string(),
    }
}

fn render(header: &[String], content: &FileContent) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let comment = |out: &mut Vec<u8>| {
        for line in header {
            out.extend_from_slice(format!("# {line}").trim_end().as_bytes());
            out.push(b'\n');
        }
    };
    match content {
        FileContent::Json(value) => {
            out = crate::synth::assembly::pretty(value);
        }
        FileContent::Yaml(value) => {
            comment(&mut out);
            out.extend(yaml(value).map_err(|e| e.to_string())?);
        }
        FileContent::YamlDocuments(docs) => {
            comment(&mut out);
            for (i, doc) in docs.iter().enumerate() {
                if i > 0 {
                    out.extend_from_slice(b"---\n");
                }
                out.extend(yaml(doc).map_err(|e| e.to_string())?);
            }
        }
    }
    Ok(out)
}

/// The keys synthesis adds to an artifact's `properties` in the manifest, besides the
/// construct's own: its stack, its files, and the values of its placeholders.
pub(crate) const ADDED_PROPERTIES: [&str; 3] = ["stack", "files", "values"];

/// The manifest entry of an artifact.
pub(crate) fn manifest_entry(artifact: &DeployArtifact) -> J {
    let mut properties = artifact.properties.clone();
    properties.insert("stack".into(), J::String(artifact.stack.clone()));
    properties.insert(
        "files".into(),
        json!(artifact.files.iter().map(|(n, _)| n).collect::<Vec<_>>()),
    );
    if !artifact.values.is_empty() {
        let values: serde_json::Map<String, J> = artifact
            .values
            .iter()
            .map(|(key, v)| {
                (
                    key.clone(),
                    json!({ "stack": v.stack, "stackName": v.stack_name, "output": v.output, "source": v.source }),
                )
            })
            .collect();
        properties.insert("values".into(), J::Object(values));
    }
    json!({
        "type": artifact.kind,
        "environment": artifact.env.uri(),
        "properties": properties,
        "dependencies": artifact.dependencies,
        "displayName": artifact.path,
    })
}
