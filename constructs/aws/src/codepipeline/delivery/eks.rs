//! A delivery pipeline's Kubernetes steps through CodePipeline's EKS deploy action
//! ([`KubernetesDelivery::EksDeployAction`](super::KubernetesDelivery::EksDeployAction)).
//!
//! Why a render action first: the steps' files hold values of the delivered stacks
//! (`${cirrus:<stack>.<output>}`: a file system id, the cluster's name), known only once those
//! stacks are deployed, in the environment's own stages. The EKS deploy action replaces only
//! the environment variables it is given, and the pipeline's stack, updated before the stacks
//! it delivers, cannot refer to them. So each `<Env>-Kubernetes` stage first runs the render
//! project (`<pipeline>-render`, `render_steps.py`), which reads the outputs the values name,
//! writes the resolved manifests, pulls each Helm release's chart at its pinned version into
//! the same artifact (the action installs charts only from its input) with the resolved values
//! inside the chart's folder (the action reference reads values files "within the helm chart
//! location"), and exports each cluster's name, subnets and security group as variables
//! (`CLUSTER_<n>`, `SUBNETS_<n>`, `SECURITY_GROUP_<n>`, clusters numbered across the
//! pipeline). The action is told only the environment's stacks (`CIRRUS_STACKS`): each step
//! the pipeline applies carries its cluster's number and its deployer's network in a
//! `delivery` property of `manifest.json`, so the action's settings stay short whatever the
//! number of steps. Then one EKS deploy action per step applies it, after the steps it waits
//! for: a step's run order is one more than the deepest of those, so independent steps run in
//! parallel.
//!
//! An environment's actions share one role of the pipeline (`Kubernetes<Env>ActionRole`), so
//! that the actions of one environment cannot reach another's clusters before its approval.
//! What it may do on a cluster is granted in that cluster's stack (`<cluster>/DeliveryAccess`):
//! a cluster-admin access entry, as the in-VPC deployer's (steps hold namespaces, CRDs and
//! cluster-wide RBAC), and a policy that may describe that cluster and open network interfaces
//! only in its deployer's subnets with its deployer's security group, which the cluster admits
//! on 443. The cluster's stack thereby imports the role from the pipeline's stack, which every
//! run updates first; like any export, the role cannot leave the pipeline's stack while a
//! deployed cluster stack still imports it (switching back to the in-VPC deployer: deploy the
//! cluster stacks first, `cargo run -- deploy`, which orders them).
//!
//! What the EKS deploy action does not do that the in-VPC deployer does: wait until the kinds a
//! step provides are served (a CRD established, an operator's kind registered) before objects
//! of those kinds, wait for Jobs, create a release's namespace, apply objects of several
//! namespaces in one go. Synthesis refuses a step that relies on one of those
//! (`CODEPIPELINE-045`), naming the mode that does it. What stays different is documented on
//! the mode: no pruning, client-side `kubectl apply`, and Helm as the action runs it.

use std::collections::{BTreeMap, BTreeSet};

use cirrus_core::{ArtifactView, Construct, Expr, Node, NodeKey, fns};
use serde_json::{Value as J, json};

use crate::codebuild::{
    BuildArtifacts, BuildEnv, BuildEnvironment, BuildImage, BuildLogs, BuildSpec, ComputeType,
    HELM, InlineBuildSpec, InstallPhase, Phase, Phases, Project, ProjectProps,
};
use crate::codepipeline::pipeline::{eks_access_entry, eks_action_statements};
use crate::codepipeline::{
    Action, Artifact, CodeBuildActionProps, EksAccess, EksCluster, EksDeployProps, EksDeployment,
    Pipeline, Stage,
};
use crate::codes;
use crate::iam::{Policy, PolicyDocument};
use crate::logs::LogGroup;

/// The script of the render project.
const RENDER_SCRIPT: &str = include_str!("render_steps.py");
/// Where the render project writes what the actions read.
const RENDERED: &str = "cirrus-rendered";
/// The values file the render project writes into a release's chart folder.
const VALUES_FILE: &str = "cirrus-values.yaml";
/// The manifest types of steps (the `eks` module's).
const MANIFEST_KIND: &str = "cirrus:kubernetes-manifest";
const HELM_KIND: &str = "cirrus:helm-release";

/// Where a Kubernetes step goes and what it holds, kept on the step's node by the `eks`
/// module, for a delivery pipeline that applies it with EKS deploy actions.
#[derive(Debug, Clone, Default)]
pub(crate) struct KubernetesTarget {
    /// The cluster's node.
    pub(crate) cluster: Option<NodeKey>,
    /// The cluster's name.
    pub(crate) cluster_name: Option<Expr<String>>,
    /// The subnets of the cluster's in-VPC deployer. Empty: the cluster has none.
    pub(crate) subnets: Vec<Expr<String>>,
    /// The security group of the cluster's in-VPC deployer.
    pub(crate) security_group: Option<Expr<String>>,
    /// The namespaces its namespaced objects are in (`default` when they name none), sorted.
    pub(crate) namespaces: Vec<String>,
    /// `(group, kind)` of the kinds it defines (CRDs) or its release registers.
    pub(crate) provided_kinds: Vec<(String, String)>,
    /// `(group, kind)` of the custom kinds its objects are.
    pub(crate) used_kinds: Vec<(String, String)>,
    /// The Jobs of the step that ask to be waited for.
    pub(crate) awaited_jobs: Vec<String>,
}

/// A step the delivery pipeline applies with an EKS deploy action.
#[derive(Debug, Clone)]
pub(super) struct Step {
    view: ArtifactView,
    target: KubernetesTarget,
    /// Its id in `manifest.json` (the path with `-`).
    id: String,
    /// Its cluster's number among the pipeline's clusters.
    cluster: usize,
    /// The names of its files (`<id>.<suffix>`).
    files: Vec<String>,
}

impl Step {
    /// The text of a property of the step (empty when it has none).
    fn text(&self, key: &str) -> &str {
        self.view
            .properties
            .get(key)
            .and_then(J::as_str)
            .unwrap_or_default()
    }
}

/// The clusters the pipeline applies steps to, numbered from 1 in the order first met, each
/// with the environment whose actions apply its steps.
#[derive(Debug, Default)]
pub(super) struct Clusters {
    keys: Vec<NodeKey>,
    targets: Vec<KubernetesTarget>,
    environments: Vec<String>,
}

impl Clusters {
    fn number(&mut self, target: &KubernetesTarget, key: NodeKey, environment: &str) -> usize {
        match self.keys.iter().position(|k| *k == key) {
            Some(at) => at + 1,
            None => {
                self.keys.push(key);
                self.targets.push(target.clone());
                self.environments.push(environment.to_owned());
                self.keys.len()
            }
        }
    }

    /// The variables the render project exports.
    fn variables(&self) -> Vec<String> {
        (1..=self.keys.len())
            .flat_map(|n| {
                [
                    format!("CLUSTER_{n}"),
                    format!("SUBNETS_{n}"),
                    format!("SECURITY_GROUP_{n}"),
                ]
            })
            .collect()
    }
}

/// The key of the role an environment's EKS deploy actions share: one per environment, so
/// that the actions of one environment cannot reach the clusters of another before its
/// approval.
fn role_key(environment: &str) -> String {
    format!("Kubernetes{}", artifact_part(environment))
}

/// The steps the runner would apply after the stacks of `environment`, in creation order,
/// each told its cluster's number and where the cluster's deployer runs (the `delivery`
/// property the render project reads); a step the EKS deploy action cannot apply as the
/// deployer would is reported on `node`.
pub(super) fn steps_of(
    node: Node<'_>,
    environment: &str,
    stacks: &[String],
    clusters: &mut Clusters,
) -> Vec<Step> {
    let app = node.app();
    let mut steps = Vec::new();
    for view in app.artifacts() {
        let delivered = stacks.contains(&view.stack)
            && (view.kind == MANIFEST_KIND || view.kind == HELM_KIND)
            && view.properties.get("appliedBy").and_then(J::as_str) != Some("pipeline");
        let Some(step_node) = view.key.node(app).filter(|_| delivered) else {
            continue;
        };
        let target = step_node.with_state(|t: &mut KubernetesTarget| t.clone());
        let (Some(key), Some(_)) = (target.cluster, &target.cluster_name) else {
            continue;
        };
        let id = view.path.replace('/', "-");
        let suffixes: Vec<String> = step_node
            .artifact()
            .map(|a| a.update(|p| p.files.iter().map(|f| f.suffix.clone()).collect()))
            .unwrap_or_default();
        let cluster = clusters.number(&target, key, environment);
        match (&target.subnets[..], &target.security_group, step_node.artifact()) {
            ([_, ..], Some(group), Some(artifact)) => {
                let subnets = step_node.token(fns::join(",", target.subnets.clone()));
                let group = step_node.token(group.clone());
                artifact.update(|p| {
                    p.properties.insert(
                        "delivery".into(),
                        json!({ "cluster": cluster, "subnets": subnets, "securityGroup": group }),
                    );
                });
            }
            _ => node.error_with_hint(
                codes::codepipeline::DELIVERY_STEP_DIRECT,
                format!(
                    "{} of stack {} reaches its cluster's API directly; the EKS deploy action reaches a cluster through the subnets and security group of its in-VPC deployer",
                    view.path, view.stack
                ),
                "give the cluster ClusterProps::workload_deployer(WorkloadDeployer::InVpc)",
            ),
        }
        steps.push(Step {
            files: suffixes.iter().map(|s| format!("{id}.{s}")).collect(),
            id,
            cluster,
            target,
            view,
        });
    }
    // A step waits only for steps of the same delivery; the others are applied already.
    let paths: BTreeSet<String> = steps.iter().map(|s| s.view.path.clone()).collect();
    for step in &mut steps {
        step.view.after.retain(|p| paths.contains(p));
    }
    for step in &steps {
        for (problem, hint) in unsupported(step, &steps) {
            node.error_with_hint(
                codes::codepipeline::DELIVERY_STEP_UNSUPPORTED,
                format!("{} of stack {}: {problem}", step.view.path, step.view.stack),
                format!("{hint}, or deliver with KubernetesDelivery::InVpcDeployer, which does"),
            );
        }
    }
    steps
}

/// What in `step` the EKS deploy action would not do as the in-VPC deployer does, with what
/// to change; `steps` are the others of the same delivery.
fn unsupported(step: &Step, steps: &[Step]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let target = &step.target;
    for job in &target.awaited_jobs {
        out.push((
            format!("Job {job} asks to be waited for, which the EKS deploy action does not do"),
            "drop workload::awaited from it".to_owned(),
        ));
    }
    let text = |key: &str| step.text(key);
    if step.view.kind == HELM_KIND
        && step.view.properties.get("createNamespace") == Some(&J::Bool(true))
    {
        out.push((
            format!(
                "release {} creates its namespace {}, which the EKS deploy action does not",
                text("release"),
                text("namespace")
            ),
            "declare the Namespace in a manifest step".to_owned(),
        ));
    }
    if target.namespaces.len() > 1 {
        out.push((
            format!(
                "its objects are in namespaces {}, and the EKS deploy action applies one",
                target.namespaces.join(", ")
            ),
            "split the step by namespace".to_owned(),
        ));
    }
    // Kinds it provides that objects of this delivery are: the deployer waits until the
    // cluster serves them (a CRD established, an operator's kind registered); the action
    // applies the objects at once.
    let provided = &target.provided_kinds;
    let users: Vec<&str> = steps
        .iter()
        .filter(|s| s.target.used_kinds.iter().any(|k| provided.contains(k)))
        .map(|s| s.view.path.as_str())
        .collect();
    if !users.is_empty() {
        let kinds: Vec<String> = provided.iter().map(|(g, k)| format!("{k}.{g}")).collect();
        out.push((
            format!(
                "objects of the kinds it provides ({}) are in {}, and the EKS deploy action does not wait until the cluster serves them",
                kinds.join(", "),
                users.join(", ")
            ),
            "apply the objects of those kinds from another pipeline".to_owned(),
        ));
    }
    out
}

/// The `<Env>-Kubernetes` stage: the render action, then each step's EKS deploy action.
pub(super) fn stage<'a>(
    environment: &str,
    steps: &[Step],
    synthesized: &Artifact,
    render: &Project<'a>,
) -> Stage<'a> {
    let rendered = Artifact::new(&format!("{}Kubernetes", artifact_part(environment)));
    let mut stacks: Vec<&str> = steps.iter().map(|s| s.view.stack.as_str()).collect();
    stacks.dedup();
    let action = Action::codebuild(
        render,
        synthesized,
        CodeBuildActionProps::output(&rendered).env("CIRRUS_STACKS", &stacks.join(" ")),
    )
    .named("Render")
    .variables_namespace(&format!("{}Render", artifact_part(environment)));
    let mut ordered: Vec<(&Step, u32)> = steps.iter().zip(depths(steps)).collect();
    ordered.sort_by_key(|(_, depth)| *depth);
    let mut actions = vec![action.clone()];
    for (step, depth) in ordered {
        let n = step.cluster;
        let text = |key: &str| step.text(key).to_owned();
        let files = step.files.clone();
        let (deployment, namespace) = if step.view.kind == HELM_KIND {
            let chart = chart_name(step.view.properties.get("chart"));
            let deployment = EksDeployment::Helm {
                release_name: text("release"),
                chart_location: format!("charts/{}/{chart}", step.id),
                values_files: if files.is_empty() {
                    Vec::new()
                } else {
                    vec![VALUES_FILE.to_owned()]
                },
            };
            (deployment, Some(text("namespace")))
        } else {
            let namespace = step.target.namespaces.first().cloned();
            (EksDeployment::Manifests(files), namespace)
        };
        let props = EksDeployProps {
            namespace,
            subnet_ids: vec![action.variable(&format!("SUBNETS_{n}")).into()],
            security_group_ids: vec![action.variable(&format!("SECURITY_GROUP_{n}")).into()],
            ..Default::default()
        };
        let cluster = EksCluster::named(action.variable(&format!("CLUSTER_{n}")));
        actions.push(
            Action::eks_deploy(cluster, &rendered, deployment, props)
                .named(&step.id)
                .run_order(depth + 2)
                .sharing_role(&role_key(environment)),
        );
    }
    Stage::new(&format!("{environment}-Kubernetes"), actions)
}

/// The folder `helm pull --untar` makes for a release's chart: its name, the last part of an
/// `oci://` reference.
fn chart_name(chart: Option<&J>) -> &str {
    let field = |key: &str| chart.and_then(|c| c.get(key)).and_then(J::as_str);
    match field("oci") {
        Some(oci) => oci
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or_default(),
        None => field("name").unwrap_or_default(),
    }
}

/// Letters and digits of an environment's name, for artifact names and namespaces.
fn artifact_part(environment: &str) -> String {
    environment
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect()
}

/// Per step, how many steps of the same delivery it waits for in a row (0: none).
fn depths(steps: &[Step]) -> Vec<u32> {
    let index: BTreeMap<&str, usize> = steps
        .iter()
        .enumerate()
        .map(|(i, s)| (s.view.path.as_str(), i))
        .collect();
    let mut depths: Vec<Option<u32>> = vec![None; steps.len()];
    fn visit(
        at: usize,
        steps: &[Step],
        index: &BTreeMap<&str, usize>,
        depths: &mut Vec<Option<u32>>,
        seen: &mut Vec<usize>,
    ) -> u32 {
        if let Some(depth) = depths[at] {
            return depth;
        }
        // Steps never wait for each other in a cycle (the cluster's order is a graph the
        // `eks` module checks); the guard keeps a mistake from looping.
        if seen.contains(&at) {
            return 0;
        }
        seen.push(at);
        let depth = steps[at]
            .view
            .after
            .iter()
            .filter_map(|p| index.get(p.as_str()))
            .map(|&before| visit(before, steps, index, depths, seen) + 1)
            .max()
            .unwrap_or(0);
        depths[at] = Some(depth);
        depth
    }
    (0..steps.len())
        .map(|at| visit(at, steps, &index, &mut depths, &mut Vec::new()))
        .collect()
}

/// The render project, shared by the environments: no VPC (it reads CloudFormation and pulls
/// charts), its role may describe only the delivered stacks.
pub(super) fn render_project<'a>(
    node: Node<'a>,
    clusters: &Clusters,
    role_path: Option<String>,
    logs: LogGroup<'a>,
    pipeline_name: &str,
) -> Project<'a> {
    let app = node.app().name().to_owned();
    let mut install = HELM.install_commands();
    install.push("helm version".to_owned());
    let script = write_script(SCRIPT_PATH);
    let spec = InlineBuildSpec {
        env: BuildEnv {
            shell: Some("bash".into()),
            exported_variables: clusters.variables(),
            ..Default::default()
        },
        phases: Phases {
            install: Some(InstallPhase {
                commands: install,
                ..Default::default()
            }),
            pre_build: None,
            build: Some(Phase::commands([
                script,
                format!(
                    "CIRRUS_OUT={RENDERED} CIRRUS_EXPORTS=/tmp/cirrus-exports.sh python3 {SCRIPT_PATH}"
                ),
                ". /tmp/cirrus-exports.sh".to_owned(),
            ])),
            post_build: None,
        },
        artifacts: Some(BuildArtifacts {
            files: vec!["**/*".into()],
            base_directory: Some(RENDERED.into()),
            ..Default::default()
        }),
        cache_paths: Vec::new(),
    };
    Project::new(
        node,
        "Render",
        ProjectProps {
            project_name: Some(format!("{pipeline_name}-render")),
            description: Some(format!(
                "resolves the values of {app}'s Kubernetes steps from its deployed stacks and pulls their charts, for the pipeline's EKS deploy actions"
            )),
            build_spec: BuildSpec::inline(spec),
            environment: BuildEnvironment {
                image: BuildImage::amazon_linux_2023(),
                compute_type: ComputeType::Small,
                privileged: false,
            },
            role_path,
            logs: BuildLogs::Group(logs),
            ..Default::default()
        },
    )
}

/// Where the render project writes its script.
const SCRIPT_PATH: &str = "/tmp/render_steps.py";

/// The shell command that writes the render script to `path` (a quoted here-document: the
/// shell expands nothing in it).
fn write_script(path: &str) -> String {
    format!("cat > {path} <<'CIRRUS_SCRIPT'\n{RENDER_SCRIPT}CIRRUS_SCRIPT")
}

/// Lets the pipeline's EKS deploy actions into each cluster, from the cluster's stack.
pub(super) fn grant_clusters(pipeline: &Pipeline<'_>, clusters: &Clusters) {
    let app = pipeline.node().app();
    for ((key, target), environment) in clusters
        .keys
        .iter()
        .zip(&clusters.targets)
        .zip(&clusters.environments)
    {
        let role = pipeline.shared_action_role(&role_key(environment));
        let (Some(cluster), Some(name), Some(role)) = (key.node(app), &target.cluster_name, role)
        else {
            continue;
        };
        let node = cluster.add_child("DeliveryAccess");
        let statements =
            eks_action_statements(name, &target.subnets, target.security_group.as_slice());
        Policy::new(
            node,
            "Policy",
            &format!("delivery-{}", cluster.path().replace('/', "-")),
            PolicyDocument::of(statements),
            &[role],
        );
        let access = EksDeployProps {
            access: EksAccess::Cluster,
            ..Default::default()
        };
        eks_access_entry(node, name, &role, &access);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_build_writes_the_script_byte_for_byte() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("render_steps.py");
        let command = super::write_script(&path.display().to_string());
        let out = std::process::Command::new("bash")
            .args(["-c", &command])
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            super::RENDER_SCRIPT
        );
    }
}
