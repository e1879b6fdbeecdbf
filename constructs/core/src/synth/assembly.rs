//! The synthesized app: templates, and the cloud-assembly manifest and tree that describe them.
//!
//! The manifest follows the AWS CDK cloud-assembly schema, so the real CDK CLI can read
//! `synth-out/<app>` (`cdk ls --app synth-out/<app>`), and our runner reads the same file.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write as _;
use std::sync::OnceLock;

use indexmap::IndexMap;
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Value as J, json};

use crate::diagnostics::Diagnostic;
use crate::stack::Env;

/// The cloud-assembly schema version written to `manifest.json`. Any CDK CLI that knows this
/// schema revision or a later one reads the assembly.
pub const CLOUD_ASSEMBLY_VERSION: &str = "36.0.0";

/// One synthesized stack.
#[derive(Debug, Clone, PartialEq)]
pub struct StackArtifact {
    /// The artifact id: the stack's construct id.
    pub id: String,
    /// The CloudFormation stack name.
    pub stack_name: String,
    /// Where the stack deploys.
    pub env: Env,
    /// The template: the text of its file, read as a JSON value.
    pub template: super::TemplateBody,
    /// The artifact ids of the stacks that must be deployed first, sorted.
    pub dependencies: Vec<String>,
    /// Logical id to construct path, for every element of the template.
    pub logical_ids: IndexMap<String, String>,
    /// Stack-level tags (applied by CloudFormation at deploy time).
    pub tags: BTreeMap<String, String>,
    /// Whether termination protection is on.
    pub termination_protection: bool,
    /// Size of the minified template in bytes, which is what the runner uploads.
    pub template_size: usize,
}

impl StackArtifact {
    /// The template's file name in the assembly.
    pub fn template_file(&self) -> String {
        format!("{}.template.json", self.id)
    }

    /// The construct path of a logical id, for messages (`Stack/Bucket/Resource`).
    pub fn path_of(&self, logical_id: &str) -> Option<&str> {
        self.logical_ids.get(logical_id).map(String::as_str)
    }
}

/// One synthesized artifact: something the runner deploys after the stacks it depends on
/// (see [`crate::artifact`]).
#[derive(Debug, Clone, PartialEq)]
pub struct DeployArtifact {
    /// The artifact id: its construct path with `/` written as `-`.
    pub id: String,
    /// The manifest type, which tells the runner how to deploy it.
    pub kind: String,
    /// The construct path.
    pub path: String,
    /// The artifact id of the stack it belongs to.
    pub stack: String,
    /// Where it deploys (its stack's environment).
    pub env: Env,
    /// The artifact ids of the stacks and artifacts it deploys after, sorted.
    pub dependencies: Vec<String>,
    /// The properties the construct gave, tokens replaced by placeholders.
    pub properties: serde_json::Map<String, J>,
    /// The files, by name, rendered.
    pub files: Vec<(String, Vec<u8>)>,
    /// The values its placeholders stand for, by `<stack>.<output>` (the placeholder is
    /// `${cirrus:<stack>.<output>}`).
    pub values: BTreeMap<String, DeployValue>,
}

/// A value an artifact reads at deploy time: an output of a stack of the app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeployValue {
    /// The artifact id of the stack.
    pub stack: String,
    /// The stack's CloudFormation name.
    pub stack_name: String,
    /// The output's logical id.
    pub output: String,
    /// What the value is and which constructs it comes from, for reviewers.
    pub source: String,
}

/// Which template formats to write. JSON is always written: the manifest points at it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TemplateFormat {
    /// `<stack>.template.json` only.
    #[default]
    Json,
    /// `<stack>.template.json` and `<stack>.template.yaml`.
    JsonAndYaml,
}

/// A synthesized app: every stack, in deploy order, with its template.
#[derive(Debug, Clone)]
pub struct Synthesized {
    /// The app's name (its output folder).
    pub app: String,
    /// The stacks in deploy order: wave by wave, creation order within a wave.
    pub stacks: Vec<StackArtifact>,
    /// The other artifacts (Kubernetes objects, ...), in deploy order; they deploy after the
    /// stacks they depend on.
    pub artifacts: Vec<DeployArtifact>,
    /// Artifact ids by deployment wave: the stacks of a wave depend only on earlier waves and
    /// can deploy in parallel.
    pub waves: Vec<Vec<String>>,
    /// The warnings of the app (errors make synthesis fail instead).
    pub warnings: Vec<Diagnostic>,
    /// The resources billed whether used or not, by stack (in deploy order) and path; empty
    /// for an assembly read back from disk, which does not record them.
    pub standing_costs: Vec<crate::costs::StandingCostEntry>,
    pub(crate) tree: AppTree,
}

impl Synthesized {
    /// The stack with this artifact id or stack name.
    pub fn stack(&self, name: &str) -> Option<&StackArtifact> {
        self.stacks
            .iter()
            .find(|s| s.id == name)
            .or_else(|| self.stacks.iter().find(|s| s.stack_name == name))
    }

    /// `manifest.json`.
    pub fn manifest(&self) -> J {
        serde_json::to_value(Manifest(self)).unwrap_or(J::Null)
    }

    /// `tree.json`: the construct tree, for tools that show it. Built on the first call:
    /// writing the assembly serializes the tree without building it.
    pub fn tree(&self) -> &J {
        self.tree.json()
    }

    /// Every file of the assembly, by name, in a stable order: `manifest.json`, `tree.json`,
    /// then the templates in deploy order.
    pub fn files(&self, format: TemplateFormat) -> Result<Vec<(String, Vec<u8>)>, YamlError> {
        let mut files = Vec::new();
        self.write_files(format, |name, content| {
            files.push((name.to_owned(), content.to_vec()));
            Ok::<(), YamlError>(())
        })?;
        Ok(files)
    }

    /// Hands every file of the assembly to `write`, one at a time, in the order of
    /// [`Synthesized::files`]. Only the file being written is held in memory (in one buffer
    /// reused for all), so a large app is written without a copy of all its files.
    pub fn write_files<E: From<YamlError>>(
        &self,
        format: TemplateFormat,
        mut write: impl FnMut(&str, &[u8]) -> Result<(), E>,
    ) -> Result<(), E> {
        let mut buffer = Vec::new();
        self.render_files(format, |name, render| {
            buffer.clear();
            // Serializing into memory cannot fail (JSON values have string keys).
            if render(&mut buffer).is_err() {
                buffer.clear();
                buffer.push(b'\n');
            }
            write(name, &buffer)
        })
    }

    /// Hands every file of the assembly to `write`, one at a time, in the order of
    /// [`Synthesized::files`], as its name and a function that serializes its content into a
    /// writer: a file on disk is written as it is serialized, without holding even one file
    /// in memory (`tree.json` of an app of thousands of resources is tens of megabytes, and
    /// a buffer grown to hold it was most of what writing added to peak memory); only the
    /// YAML templates of [`TemplateFormat::JsonAndYaml`] are rendered first.
    pub fn render_files<E: From<YamlError>>(
        &self,
        format: TemplateFormat,
        mut write: impl FnMut(&str, &RenderFile<'_>) -> Result<(), E>,
    ) -> Result<(), E> {
        for (name, render) in self.file_renderers(format)? {
            write(&name, &*render)?;
        }
        Ok(())
    }

    /// Every file of the assembly, in the order of [`Synthesized::files`], as its name and the
    /// function that serializes its content into a writer. Each function reads only this
    /// assembly and may run on any thread, so that files can be written in parallel (their
    /// contents do not depend on the order they are written in).
    pub fn file_renderers(
        &self,
        format: TemplateFormat,
    ) -> Result<Vec<(String, Box<RenderFile<'_>>)>, YamlError> {
        let mut files: Vec<(String, Box<RenderFile<'_>>)> = Vec::new();
        // Serialized without building its JSON value (a map entry per element of every
        // template), unless artifact ids repeat: the value keeps the last entry of a
        // repeated key, in the place of the first.
        let mut ids = BTreeSet::from(["Tree"]);
        let unique = self
            .stacks
            .iter()
            .map(|s| s.id.as_str())
            .chain(self.artifacts.iter().map(|a| a.id.as_str()))
            .all(|id| ids.insert(id));
        if unique {
            files.push((
                "manifest.json".into(),
                Box::new(|out: &mut dyn std::io::Write| pretty_to(out, &Manifest(self))),
            ));
        } else {
            let manifest = self.manifest();
            files.push((
                "manifest.json".into(),
                Box::new(move |out: &mut dyn std::io::Write| pretty_to(out, &manifest)),
            ));
        }
        files.push((
            "tree.json".into(),
            Box::new(|out: &mut dyn std::io::Write| pretty_to(out, &self.tree)),
        ));
        for stack in &self.stacks {
            files.push((
                stack.template_file(),
                Box::new(|out: &mut dyn std::io::Write| {
                    out.write_all(stack.template.text().as_bytes())
                }),
            ));
            if format == TemplateFormat::JsonAndYaml {
                let rendered = yaml(&stack.template).map_err(|source| YamlError {
                    stack: stack.id.clone(),
                    source,
                })?;
                files.push((
                    format!("{}.template.yaml", stack.id),
                    Box::new(move |out: &mut dyn std::io::Write| out.write_all(&rendered)),
                ));
            }
        }
        for artifact in &self.artifacts {
            for (name, content) in &artifact.files {
                files.push((
                    name.clone(),
                    Box::new(|out: &mut dyn std::io::Write| out.write_all(content)),
                ));
            }
        }
        Ok(files)
    }
}

/// Serializes one file of an assembly into the writer it is given (see
/// [`Synthesized::render_files`]).
pub type RenderFile<'r> = dyn Fn(&mut dyn std::io::Write) -> std::io::Result<()> + Send + Sync + 'r;

/// [`pretty`] into a writer. The serializer writes token by token, so it writes into a
/// buffer of its own that hands `out` large pieces: a call through `dyn Write` per token made
/// writing a quarter slower.
fn pretty_to(out: &mut dyn std::io::Write, value: &impl Serialize) -> std::io::Result<()> {
    let mut buffered = std::io::BufWriter::with_capacity(1 << 16, out);
    serde_json::to_writer_pretty(&mut buffered, value)?;
    buffered.write_all(b"\n")?;
    buffered.flush()
}

/// `manifest.json` of an app, serialized from the artifacts.
struct Manifest<'s>(&'s Synthesized);

impl Serialize for Manifest<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        struct Artifacts<'s>(&'s Synthesized);
        impl Serialize for Artifacts<'_> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let mut map = serializer.serialize_map(None)?;
                map.serialize_entry(
                    "Tree",
                    &json!({ "type": "cdk:tree", "properties": { "file": "tree.json" } }),
                )?;
                for stack in &self.0.stacks {
                    map.serialize_entry(&stack.id, &StackEntry(stack))?;
                }
                for artifact in &self.0.artifacts {
                    map.serialize_entry(&artifact.id, &super::artifacts::manifest_entry(artifact))?;
                }
                map.end()
            }
        }
        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry("version", CLOUD_ASSEMBLY_VERSION)?;
        map.serialize_entry("artifacts", &Artifacts(self.0))?;
        map.end()
    }
}

/// The manifest entry of a stack: type, environment, template file and stack properties,
/// dependencies, and the construct path of every logical id.
struct StackEntry<'s>(&'s StackArtifact);

impl Serialize for StackEntry<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        struct Properties<'s>(&'s StackArtifact);
        impl Serialize for Properties<'_> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let stack = self.0;
                let mut map = serializer.serialize_map(None)?;
                map.serialize_entry("templateFile", &stack.template_file())?;
                if stack.stack_name != stack.id {
                    map.serialize_entry("stackName", &stack.stack_name)?;
                }
                if !stack.tags.is_empty() {
                    map.serialize_entry("tags", &stack.tags)?;
                }
                if stack.termination_protection {
                    map.serialize_entry("terminationProtection", &true)?;
                }
                map.serialize_entry("validateOnSynth", &false)?;
                map.end()
            }
        }
        struct Metadata<'s>(&'s StackArtifact);
        impl Serialize for Metadata<'_> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                struct LogicalId<'s>(&'s str);
                impl Serialize for LogicalId<'_> {
                    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                        let mut entry = serializer.serialize_map(Some(2))?;
                        entry.serialize_entry("type", "aws:cdk:logicalId")?;
                        entry.serialize_entry("data", self.0)?;
                        entry.end()
                    }
                }
                let mut map = serializer.serialize_map(Some(self.0.logical_ids.len()))?;
                for (lid, path) in &self.0.logical_ids {
                    map.serialize_entry(&format!("/{path}"), &[LogicalId(lid)])?;
                }
                map.end()
            }
        }
        let stack = self.0;
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("type", "aws:cloudformation:stack")?;
        map.serialize_entry("environment", &stack.env.uri())?;
        map.serialize_entry("properties", &Properties(stack))?;
        if !stack.dependencies.is_empty() {
            map.serialize_entry("dependencies", &stack.dependencies)?;
        }
        map.serialize_entry("metadata", &Metadata(stack))?;
        map.serialize_entry("displayName", &stack.id)?;
        map.end()
    }
}

/// `tree.json`, kept compact: one entry per construct, serialized straight to the file. The
/// JSON value (`Synthesized::tree`) is built only when asked for; for an app of thousands of
/// resources it is several times larger than the entries.
#[derive(Debug, Clone)]
pub(crate) struct AppTree {
    /// The constructs in depth-first order, the root first; empty for a tree read back from
    /// a file.
    nodes: Vec<TreeEntry>,
    json: OnceLock<J>,
}

/// One construct of `tree.json`.
#[derive(Debug, Clone)]
pub(crate) struct TreeEntry {
    /// The construct id (`App` for the root).
    pub(crate) id: String,
    /// Indexes of the children in `AppTree::nodes`, in creation order.
    pub(crate) children: Vec<usize>,
    /// The CloudFormation type of a resource.
    pub(crate) cfn_type: Option<String>,
    /// The logical id of a template element.
    pub(crate) logical_id: Option<String>,
    /// `{code, summary, reason}` of each acknowledgement made on the construct.
    pub(crate) acknowledgements: Vec<J>,
}

impl AppTree {
    /// A tree synthesized from the construct tree.
    pub(crate) fn built(nodes: Vec<TreeEntry>) -> AppTree {
        AppTree {
            nodes,
            json: OnceLock::new(),
        }
    }

    /// A tree read back from `tree.json`.
    pub(crate) fn read(json: J) -> AppTree {
        AppTree {
            nodes: Vec::new(),
            json: OnceLock::from(json),
        }
    }

    fn json(&self) -> &J {
        self.json.get_or_init(|| {
            serde_json::to_value(self).unwrap_or_else(|_| json!({ "version": "tree-0.1" }))
        })
    }
}

/// `{"version": "tree-0.1", "tree": {id, path, children, attributes}}`, the shape the AWS CDK
/// writes; a node that acknowledges codes also has `acknowledgements`.
impl Serialize for AppTree {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if let Some(json) = self.json.get() {
            return json.serialize(serializer);
        }
        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry("version", "tree-0.1")?;
        if !self.nodes.is_empty() {
            map.serialize_entry(
                "tree",
                &TreeNode {
                    nodes: &self.nodes,
                    index: 0,
                    path: "",
                },
            )?;
        }
        map.end()
    }
}

/// One node of `tree.json` and, below it, its subtree.
struct TreeNode<'t> {
    nodes: &'t [TreeEntry],
    index: usize,
    path: &'t str,
}

impl Serialize for TreeNode<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        struct Children<'t>(&'t [TreeEntry], &'t [usize], &'t str);
        impl Serialize for Children<'_> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let Children(nodes, children, path) = *self;
                let mut map = serializer.serialize_map(Some(children.len()))?;
                for &child in children {
                    let id = &nodes[child].id;
                    let child_path = if path.is_empty() {
                        id.clone()
                    } else {
                        format!("{path}/{id}")
                    };
                    map.serialize_entry(
                        id,
                        &TreeNode {
                            nodes,
                            index: child,
                            path: &child_path,
                        },
                    )?;
                }
                map.end()
            }
        }
        struct Attributes<'t>(&'t TreeEntry);
        impl Serialize for Attributes<'_> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let mut map = serializer.serialize_map(None)?;
                if let Some(cfn_type) = &self.0.cfn_type {
                    map.serialize_entry("aws:cdk:cloudformation:type", cfn_type)?;
                }
                if let Some(lid) = &self.0.logical_id {
                    map.serialize_entry("logicalId", lid)?;
                }
                map.end()
            }
        }
        let entry = &self.nodes[self.index];
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("id", &entry.id)?;
        map.serialize_entry("path", self.path)?;
        if !entry.children.is_empty() {
            map.serialize_entry(
                "children",
                &Children(self.nodes, &entry.children, self.path),
            )?;
        }
        if entry.cfn_type.is_some() || entry.logical_id.is_some() {
            map.serialize_entry("attributes", &Attributes(entry))?;
        }
        if !entry.acknowledgements.is_empty() {
            map.serialize_entry("acknowledgements", &entry.acknowledgements)?;
        }
        map.end()
    }
}

/// Pretty JSON, two-space indent, with a final newline: what reviewers read in pull requests.
pub fn pretty(value: &J) -> Vec<u8> {
    super::pretty::text(value).into_bytes()
}

/// The template as YAML. serde-saphyr quotes the strings YAML 1.1 would read as booleans or
/// dates (`yes`, `on`, `2024-01-01`), which CloudFormation and cfn-lint parse as YAML 1.1.
///
/// A template is JSON with string keys, which YAML can always hold, so this is not expected to
/// fail; if the serializer ever refuses one, the caller reports it rather than writing an empty
/// file.
pub fn yaml(value: &J) -> Result<Vec<u8>, serde_saphyr::SerializeError> {
    serde_saphyr::to_string(value).map(String::into_bytes)
}

/// A template that could not be rendered as YAML.
#[derive(Debug, thiserror::Error)]
#[error("cannot render the template of stack {stack} as yaml")]
pub struct YamlError {
    /// The stack (artifact id).
    pub stack: String,
    /// What the serializer said.
    #[source]
    pub source: serde_saphyr::SerializeError,
}
