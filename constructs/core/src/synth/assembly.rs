//! The synthesized app: templates, and the cloud-assembly manifest and tree that describe them.
//!
//! The manifest follows the AWS CDK cloud-assembly schema, so the real CDK CLI can read
//! `synth-out/<app>` (`cdk ls --app synth-out/<app>`), and our runner reads the same file.

use std::collections::BTreeMap;

use indexmap::IndexMap;
use serde_json::{Map, Value as J, json};

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
    /// The template.
    pub template: J,
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
    pub(crate) tree: J,
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
        let mut artifacts = Map::new();
        artifacts.insert(
            "Tree".into(),
            json!({ "type": "cdk:tree", "properties": { "file": "tree.json" } }),
        );
        for stack in &self.stacks {
            let mut properties = Map::new();
            properties.insert("templateFile".into(), J::String(stack.template_file()));
            if stack.stack_name != stack.id {
                properties.insert("stackName".into(), J::String(stack.stack_name.clone()));
            }
            if !stack.tags.is_empty() {
                properties.insert("tags".into(), json!(stack.tags));
            }
            if stack.termination_protection {
                properties.insert("terminationProtection".into(), J::Bool(true));
            }
            properties.insert("validateOnSynth".into(), J::Bool(false));
            let mut artifact = Map::new();
            artifact.insert("type".into(), J::String("aws:cloudformation:stack".into()));
            artifact.insert("environment".into(), J::String(stack.env.uri()));
            artifact.insert("properties".into(), J::Object(properties));
            if !stack.dependencies.is_empty() {
                artifact.insert("dependencies".into(), json!(stack.dependencies));
            }
            let metadata: Map<String, J> = stack
                .logical_ids
                .iter()
                .map(|(lid, path)| {
                    (
                        format!("/{path}"),
                        json!([{ "type": "aws:cdk:logicalId", "data": lid }]),
                    )
                })
                .collect();
            artifact.insert("metadata".into(), J::Object(metadata));
            artifact.insert("displayName".into(), J::String(stack.id.clone()));
            artifacts.insert(stack.id.clone(), J::Object(artifact));
        }
        for artifact in &self.artifacts {
            artifacts.insert(
                artifact.id.clone(),
                super::artifacts::manifest_entry(artifact),
            );
        }
        json!({ "version": CLOUD_ASSEMBLY_VERSION, "artifacts": artifacts })
    }

    /// `tree.json`: the construct tree, for tools that show it.
    pub fn tree(&self) -> &J {
        &self.tree
    }

    /// Every file of the assembly, by name, in a stable order: `manifest.json`, `tree.json`,
    /// then the templates in deploy order.
    pub fn files(&self, format: TemplateFormat) -> Result<Vec<(String, Vec<u8>)>, YamlError> {
        let mut files = vec![
            ("manifest.json".to_owned(), pretty(&self.manifest())),
            ("tree.json".to_owned(), pretty(&self.tree)),
        ];
        for stack in &self.stacks {
            files.push((stack.template_file(), pretty(&stack.template)));
            if format == TemplateFormat::JsonAndYaml {
                let rendered = yaml(&stack.template).map_err(|source| YamlError {
                    stack: stack.id.clone(),
                    source,
                })?;
                files.push((format!("{}.template.yaml", stack.id), rendered));
            }
        }
        for artifact in &self.artifacts {
            files.extend(artifact.files.iter().cloned());
        }
        Ok(files)
    }
}

/// Pretty JSON, two-space indent, with a final newline: what reviewers read in pull requests.
pub fn pretty(value: &J) -> Vec<u8> {
    let mut out = serde_json::to_vec_pretty(value).unwrap_or_default();
    out.push(b'\n');
    // The buffer grew by doubling; every file of the assembly is held until all are written,
    // so give back the spare capacity (for large buffers the allocator does so in place).
    out.shrink_to_fit();
    out
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
