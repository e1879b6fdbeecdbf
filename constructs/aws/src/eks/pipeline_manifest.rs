//! `Cluster::add_pipeline_manifest`: typed Kubernetes objects that a pipeline applies, with
//! values only the pipeline knows (the tag of the image it has just built), through
//! CodePipeline's EKS deploy action ([`Action::eks_deploy_manifest`]).
//!
//! Why a manifest is applied by the runner or by one pipeline, never both: the image a
//! component pipeline builds is known only to that pipeline's run. Were the runner to apply the
//! same Deployment, every `deploy` would put the synth-time image back. So `deploy` skips such
//! a step (it says so), and `destroy` still removes its objects before the cluster goes, as it
//! does for every step.
//!
//! How the values get in: the EKS deploy action replaces environment variables in the manifest
//! files it applies ("used to replace variables such as image repositories or image tags in
//! manifest files", AWS CodePipeline's EKS deploy action reference), and the values of those
//! variables may be pipeline variables. The file is the one synthesis writes to
//! `synth-out/<app>/`, which the app's repository commits, so the action reads it from a
//! checkout of that repository. Each value is written `$NAME`: the form that both a plain
//! replacement of `$NAME` and `envsubst` read the same way; a placeholder directly followed by a
//! letter, digit or `_` is refused, since the two would read it differently. Values of the
//! app's resources (an image repository's URI) become the action's environment variables in the
//! pipeline's template, resolved by CloudFormation; [`Cluster::token`] values, which only the
//! runner resolves, are refused here.
//!
//! [`Action::eks_deploy_manifest`]: crate::codepipeline::Action::eks_deploy_manifest

use cirrus_core::{Artifact, Construct, Diagnostic, Expr, Node};
use cirrus_k8s::{Object, ObjectError};
use serde_json::Value as J;

use crate::codebuild::shell_name;
use crate::codepipeline::{
    Action, ActionKind, AppliedBy, AppliedManifest, EksCluster, EksDeployProps, EksDeployment,
};
use crate::codes::k8s;
use crate::eks::ICluster;
use crate::eks::cluster::Cluster;
use crate::eks::workloads::{self, What, manifest_props};

/// The values of a pipeline manifest, each written `$NAME` in the objects and supplied by the
/// EKS deploy action that applies them: a value of the app ([`PipelineValues::value`]) or a
/// pipeline variable the action is given ([`PipelineValues::variable`]).
#[derive(Debug, Clone, Default)]
pub struct PipelineValues {
    entries: Vec<(String, Option<Expr<String>>)>,
}

impl PipelineValues {
    /// `$name`, which the action replaces with `value` (an image repository's URI, a bucket's
    /// name), resolved by CloudFormation in the pipeline's stack.
    pub fn value(&mut self, name: &str, value: impl Into<Expr<String>>) -> String {
        self.entries.push((name.to_owned(), Some(value.into())));
        format!("${name}")
    }

    /// `$name`, which the action replaces with what its environment gives `name`
    /// ([`EksDeployProps::environment`]): a pipeline variable such as the image tag a build
    /// action published.
    ///
    /// [`EksDeployProps::environment`]: crate::codepipeline::EksDeployProps::environment
    pub fn variable(&mut self, name: &str) -> String {
        self.entries.push((name.to_owned(), None));
        format!("${name}")
    }
}

/// Kubernetes objects on a cluster that a pipeline applies ([`Cluster::add_pipeline_manifest`]).
#[derive(Debug, Clone)]
pub struct PipelineManifest<'a> {
    artifact: Artifact<'a>,
    pub(crate) cluster: Expr<String>,
    /// The app's name: its folder under `synth-out/`.
    pub(crate) app: String,
    /// The file's name: `<artifact id>.yaml`.
    pub(crate) file: String,
    /// The values of the app, by name.
    pub(crate) values: Vec<(String, Expr<String>)>,
    /// The names the action's environment must give.
    pub(crate) variables: Vec<String>,
    /// The one namespace of the objects, when they all are in it.
    pub(crate) namespace: Option<String>,
}

impl<'a> Construct<'a> for PipelineManifest<'a> {
    fn node(&self) -> Node<'a> {
        self.artifact.node()
    }
}

impl<'a> PipelineManifest<'a> {
    /// The step's node (for `acknowledge`, dependencies, paths).
    pub fn node(&self) -> Node<'a> {
        self.artifact.node()
    }

    /// The name of the file the EKS deploy action applies, in the app's `synth-out/<app>/`
    /// folder: `<step>.yaml`.
    pub fn file(&self) -> &str {
        &self.file
    }
}

/// The property that tells the runner a pipeline applies the step.
pub(crate) const APPLIED_BY: &str = "appliedBy";

impl<'a> Cluster<'a> {
    /// Puts Kubernetes objects on the cluster that a pipeline applies, not `deploy`: as one
    /// step under `Kubernetes/<id>`, written to `synth-out` like [`Cluster::add_manifest`]'s
    /// and checked with the rest of the cluster's objects, with `values` left as `$NAME` for
    /// the pipeline's EKS deploy action to fill in ([`Action::eks_deploy_manifest`]).
    ///
    /// For a workload whose image a pipeline builds: the Deployment names its image
    /// `format!("{}:{}", values.value("IMAGE_REPOSITORY", repository.uri()),
    /// values.variable("IMAGE_TAG"))`, and the pipeline gives `IMAGE_TAG` the tag its build
    /// published.
    ///
    /// [`Action::eks_deploy_manifest`]: crate::codepipeline::Action::eks_deploy_manifest
    pub fn add_pipeline_manifest(
        &self,
        id: &str,
        values: PipelineValues,
        objects: impl IntoIterator<Item = Result<Object, ObjectError>>,
    ) -> PipelineManifest<'a> {
        let group = workloads::group(self);
        let path = format!("{}/{id}", group.path());
        let mut valid = Vec::new();
        let mut problems = Vec::new();
        for (index, object) in objects.into_iter().enumerate() {
            match object {
                Ok(object) => valid.push(object),
                Err(error) => problems.push((
                    format!("object {}: {error}", index + 1),
                    k8s::OBJECT_INVALID,
                    "build the object with Object::new (k8s-openapi types), Object::custom or Object::untyped, with a valid apiVersion, kind and metadata.name",
                )),
            }
        }
        if valid.is_empty() && problems.is_empty() {
            problems.push((
                "a manifest needs at least one object".to_owned(),
                k8s::MANIFEST_EMPTY,
                "give the manifest its objects, or remove it",
            ));
        }
        let text: String = valid
            .iter()
            .map(|o| o.body().to_string())
            .collect::<Vec<_>>()
            .join("\n");
        for problem in value_problems(&values, &text) {
            problems.push((
                problem,
                k8s::PIPELINE_VALUES_INVALID,
                "name each value with letters, digits and '_' (not starting with a digit), once, use it in the objects, and put a character other than a letter, digit or '_' after it",
            ));
        }
        if cirrus_core::artifact::contains_token(&text) {
            problems.push((
                "an object holds a Cluster::token value, which only the runner resolves".to_owned(),
                k8s::PIPELINE_VALUES_INVALID,
                "give the value to the pipeline with PipelineValues::value instead",
            ));
        }

        let mut props = manifest_props(self, &path, &valid);
        props
            .properties
            .insert(APPLIED_BY.into(), J::String("pipeline".into()));
        if let Some(file) = props.files.first_mut() {
            file.header.push(
                "Applied by a pipeline's EKS deploy action, not by `deploy`; the action replaces:"
                    .into(),
            );
            for (name, value) in &values.entries {
                file.header.push(match value {
                    Some(_) => {
                        format!("  ${name}: a value of the app, in the action's environment")
                    }
                    None => format!("  ${name}: a pipeline variable the action is given"),
                });
            }
        }
        let namespace = single_namespace(&valid);
        let artifact = workloads::add_step(self, group, id, What::Objects(valid), props);
        for (problem, code, hint) in problems {
            artifact.node().error_with_hint(code, problem, hint);
        }
        artifact.node().add_validation(applied);

        PipelineManifest {
            app: Construct::node(self).app().name().to_owned(),
            file: format!("{}.yaml", artifact.node().path().replace('/', "-")),
            artifact,
            cluster: self.name(),
            values: values
                .entries
                .iter()
                .filter_map(|(n, v)| v.clone().map(|v| (n.clone(), v)))
                .collect(),
            variables: values
                .entries
                .iter()
                .filter(|(_, v)| v.is_none())
                .map(|(n, _)| n.clone())
                .collect(),
            namespace,
        }
    }
}

/// A pipeline manifest that no pipeline applies would never reach the cluster.
fn applied(node: Node<'_>) -> Vec<Diagnostic> {
    let applied = node.with_state(|s: &mut AppliedBy| !s.pipelines.is_empty());
    if applied {
        return Vec::new();
    }
    vec![
        Diagnostic::warning(
            k8s::PIPELINE_MANIFEST_UNAPPLIED,
            node.path(),
            "no pipeline applies this manifest, and `deploy` does not",
        )
        .with_hint(
            "add Action::eks_deploy_manifest with it to a pipeline, or make it a Cluster::add_manifest",
        ),
    ]
}

/// What is wrong with the names and uses of `values` in `text` (the objects as JSON).
fn value_problems(values: &PipelineValues, text: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for (name, _) in &values.entries {
        if !shell_name(name) {
            problems.push(format!(
                "value \"{name}\" is not an environment variable name"
            ));
            continue;
        }
        if seen.contains(&name.as_str()) {
            problems.push(format!("value \"{name}\" is given twice"));
            continue;
        }
        seen.push(name);
        let placeholder = format!("${name}");
        let mut used = false;
        for (at, _) in text.match_indices(&placeholder) {
            let next = text[at + placeholder.len()..].chars().next();
            if next.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
                problems.push(format!(
                    "value ${name} is followed by '{}', which would make it read as another name",
                    next.unwrap_or_default()
                ));
            }
            used = true;
        }
        if !used {
            problems.push(format!("value ${name} is not used by any object"));
        }
    }
    problems
}

/// The namespace every object is in, when there is one and no object is cluster-scoped.
fn single_namespace(objects: &[Object]) -> Option<String> {
    let mut namespace: Option<&str> = None;
    for object in objects {
        if !object.is_namespaced() {
            return None;
        }
        let ns = object.namespace().unwrap_or("default");
        match namespace {
            Some(seen) if seen != ns => return None,
            _ => namespace = Some(ns),
        }
    }
    namespace.map(str::to_owned)
}

impl<'a> Action<'a> {
    /// Applies `manifest` (a [`Cluster::add_pipeline_manifest`] of the app) with CodePipeline's
    /// EKS deploy action: `input` holds the app's synthesized files (a checkout of the app's
    /// repository, which commits `synth-out/`; see [`EksDeployProps::synth_out`]), and `props.environment` gives
    /// each of the manifest's variables (`("IMAGE_TAG", build.variable("IMAGE_TAG"))`); the
    /// values of the app go in the action's environment beside them. The namespace defaults to
    /// the one the objects are in, which is what the action's access entry admits.
    pub fn eks_deploy_manifest(
        manifest: &PipelineManifest<'a>,
        input: &crate::codepipeline::Artifact,
        mut props: EksDeployProps,
    ) -> Action<'a> {
        let dir = props
            .synth_out
            .clone()
            .unwrap_or_else(|| format!("synth-out/{}", manifest.app));
        let dir = dir.trim_end_matches('/');
        let file = if dir.is_empty() {
            manifest.file.clone()
        } else {
            format!("{dir}/{}", manifest.file)
        };
        if props.namespace.is_none() {
            props.namespace.clone_from(&manifest.namespace);
        }
        Action::of(ActionKind::Eks {
            cluster: EksCluster::of(manifest.cluster.clone()),
            input: input.clone(),
            deployment: EksDeployment::Manifests(vec![file]),
            props,
            manifest: Some(AppliedManifest {
                node: manifest.node(),
                values: manifest.values.clone(),
                variables: manifest.variables.clone(),
                spans_namespaces: manifest.namespace.is_none(),
            }),
        })
    }
}
