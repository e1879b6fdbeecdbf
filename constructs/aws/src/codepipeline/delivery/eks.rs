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
//! beside it, and exports each cluster's name, subnets and security group as variables
//! (`CLUSTER_<n>`, `SUBNETS_<n>`, `SECURITY_GROUP_<n>`, clusters numbered across the
//! pipeline). Then one EKS deploy action per step applies it, after the steps it waits for:
//! a step's run order is one more than the deepest of those, so independent steps run in
//! parallel.
//!
//! The actions share one role of the pipeline (`KubernetesActionRole`). What it may do on a
//! cluster is granted in that cluster's stack (`<cluster>/DeliveryAccess`): a cluster-admin
//! access entry, as the in-VPC deployer's (steps hold namespaces, CRDs and cluster-wide RBAC),
//! and a policy that may describe that cluster and open network interfaces only in its
//! deployer's subnets with its deployer's security group, which the cluster admits on 443. The
//! cluster's stack thereby refers to the pipeline's, which is deployed first in every run.
//!
//! What the EKS deploy action does not do that the in-VPC deployer does: prune the objects a
//! step no longer has, wait for the kinds an operator registers after its release, wait for
//! Jobs, create a release's namespace. Synthesis refuses a step that relies on one of those
//! (`CODEPIPELINE-045`), naming the mode that does it; pruning is the difference that stays,
//! and the mode's documentation says so.

use std::collections::{BTreeMap, BTreeSet};

use cirrus_cfn::eks::{CfnAccessEntry, access_entry};
use cirrus_core::{ArtifactView, Construct, Expr, Node, NodeKey, fns};
use serde_json::{Value as J, json};

use crate::codebuild::{
    BuildArtifacts, BuildEnv, BuildEnvironment, BuildImage, BuildLogs, BuildSpec, ComputeType,
    HELM, InlineBuildSpec, InstallPhase, Phase, Phases, Project, ProjectProps,
};
use crate::codepipeline::pipeline::vpc_compute_statements;
use crate::codepipeline::{
    Action, Artifact, CodeBuildActionProps, EksCluster, EksDeployProps, EksDeployment, Pipeline,
    Stage,
};
use crate::codes;
use crate::iam::{Policy, PolicyDocument, PolicyStatement};
use crate::logs::LogGroup;

/// The key of the role the EKS deploy actions share.
const ROLE_KEY: &str = "Kubernetes";
/// The script of the render project.
const RENDER_SCRIPT: &str = include_str!("render_steps.py");
/// Where the render project writes what the actions read.
const RENDERED: &str = "cirrus-rendered";
/// The values file the render project writes into a release's chart folder.
const VALUES_FILE: &str = "cirrus-values.yaml";
/// The manifest types of steps (the `eks` module's).
const MANIFEST_KIND: &str = "cirrus:kubernetes-manifest";
const HELM_KIND: &str = "cirrus:helm-release";

/// Where a Kubernetes step goes, kept on the step's node by the `eks` module, for a delivery
/// pipeline that applies it with EKS deploy actions.
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
    /// The Jobs of the step that ask to be waited for.
    pub(crate) awaited_jobs: Vec<String>,
}

/// A step the delivery pipeline applies with an EKS deploy action.
#[derive(Debug, Clone)]
pub(super) struct Step {
    view: ArtifactView,
    /// Its id in `manifest.json` (the path with `-`).
    id: String,
    /// Its cluster's number among the pipeline's clusters.
    cluster: usize,
    /// The names of its files (`<id>.<suffix>`).
    files: Vec<String>,
}

/// The clusters the pipeline applies steps to, numbered from 1 in the order first met.
#[derive(Debug, Default)]
pub(super) struct Clusters {
    keys: Vec<NodeKey>,
    targets: Vec<KubernetesTarget>,
}

impl Clusters {
    fn number(&mut self, target: &KubernetesTarget, key: NodeKey) -> usize {
        match self.keys.iter().position(|k| *k == key) {
            Some(at) => at + 1,
            None => {
                self.keys.push(key);
                self.targets.push(target.clone());
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

/// The steps the runner would apply after `stacks`, in creation order, each told where its
/// cluster's deployer runs (the `delivery` property the render project reads); a step the
/// EKS deploy action cannot apply as the deployer would is reported on `node`.
pub(super) fn steps_of(node: Node<'_>, stacks: &[String], clusters: &mut Clusters) -> Vec<Step> {
    let app = node.app();
    let views: Vec<ArtifactView> = app
        .artifacts()
        .into_iter()
        .filter(|a| stacks.contains(&a.stack))
        .filter(|a| a.kind == MANIFEST_KIND || a.kind == HELM_KIND)
        .filter(|a| a.properties.get("appliedBy").and_then(J::as_str) != Some("pipeline"))
        .collect();
    let paths: BTreeSet<&str> = views.iter().map(|v| v.path.as_str()).collect();
    let mut steps = Vec::new();
    for view in &views {
        let Some(step_node) = view.key.node(app) else {
            continue;
        };
        let target = step_node.with_state(|t: &mut KubernetesTarget| t.clone());
        let (Some(key), Some(_)) = (target.cluster, &target.cluster_name) else {
            continue;
        };
        let problem = |message: String, hint: &str| {
            node.error_with_hint(
                codes::codepipeline::DELIVERY_STEP_UNSUPPORTED,
                format!("{} of stack {}: {message}", view.path, view.stack),
                hint,
            );
        };
        let in_vpc = "or deliver with KubernetesDelivery::InVpcDeployer, which does";
        let id = view.path.replace('/', "-");
        let suffixes: Vec<String> = step_node
            .artifact()
            .map(|a| a.update(|p| p.files.iter().map(|f| f.suffix.clone()).collect()))
            .unwrap_or_default();
        if let (false, Some(group)) = (target.subnets.is_empty(), &target.security_group) {
            let subnets = step_node.token(fns::join(",", target.subnets.clone()));
            let group = step_node.token(group.clone());
            if let Some(artifact) = step_node.artifact() {
                artifact.update(|p| {
                    p.properties.insert(
                        "delivery".into(),
                        json!({ "subnets": subnets, "securityGroup": group }),
                    );
                });
            }
        } else {
            node.error_with_hint(
                codes::codepipeline::DELIVERY_STEP_DIRECT,
                format!(
                    "{} of stack {} reaches its cluster's API directly; the EKS deploy action reaches a cluster through the subnets and security group of its in-VPC deployer",
                    view.path, view.stack
                ),
                "give the cluster ClusterProps::workload_deployer(WorkloadDeployer::InVpc)",
            );
        }
        for job in &target.awaited_jobs {
            problem(
                format!("Job {job} asks to be waited for, which the EKS deploy action does not do"),
                &format!("drop workload::awaited from it, {in_vpc}"),
            );
        }
        let text = |key: &str| view.properties.get(key).and_then(J::as_str);
        if view.kind == HELM_KIND {
            if view.properties.get("createNamespace") == Some(&J::Bool(true)) {
                problem(
                    format!(
                        "release {} creates its namespace {}, which the EKS deploy action does not",
                        text("release").unwrap_or_default(),
                        text("namespace").unwrap_or_default()
                    ),
                    &format!("declare the Namespace in a manifest step, {in_vpc}"),
                );
            }
            let declares = view
                .properties
                .get("crds")
                .and_then(J::as_array)
                .is_some_and(|k| !k.is_empty());
            let used_by: Vec<&str> = views
                .iter()
                .filter(|v| v.after.contains(&view.path))
                .map(|v| v.path.as_str())
                .collect();
            if declares && !used_by.is_empty() {
                problem(
                    format!(
                        "its release registers kinds that {} use, and the EKS deploy action does not wait until the cluster serves them",
                        used_by.join(", ")
                    ),
                    &format!("apply the objects of those kinds from another pipeline, {in_vpc}"),
                );
            }
        } else if namespaces(view).len() > 1 {
            problem(
                format!(
                    "its objects are in namespaces {}, and the EKS deploy action applies one",
                    namespaces(view).into_iter().collect::<Vec<_>>().join(", ")
                ),
                &format!("split the step by namespace, {in_vpc}"),
            );
        }
        // A step waits only for steps of the same delivery; the others are applied already.
        let mut view = view.clone();
        view.after.retain(|p| paths.contains(p.as_str()));
        steps.push(Step {
            files: suffixes.iter().map(|s| format!("{id}.{s}")).collect(),
            id,
            cluster: clusters.number(&target, key),
            view,
        });
    }
    steps
}

/// The namespaces of a manifest step's objects (`Kind namespace/name`).
fn namespaces(view: &ArtifactView) -> BTreeSet<String> {
    view.properties
        .get("objects")
        .and_then(J::as_array)
        .into_iter()
        .flatten()
        .filter_map(J::as_str)
        .filter_map(|o| o.split_once(' ')?.1.split_once('/'))
        .map(|(namespace, _)| namespace.to_owned())
        .collect()
}

/// The `<Env>-Kubernetes` stage: the render action, then each step's EKS deploy action.
pub(super) fn stage<'a>(
    environment: &str,
    steps: &[Step],
    synthesized: &Artifact,
    render: &Project<'a>,
) -> Stage<'a> {
    let rendered = Artifact::new(&format!("{}Kubernetes", artifact_part(environment)));
    let listed: Vec<String> = steps
        .iter()
        .map(|s| format!("{}:{}", s.cluster, s.id))
        .collect();
    let action = Action::codebuild(
        render,
        synthesized,
        CodeBuildActionProps::output(&rendered).env("CIRRUS_STEPS", &listed.join(" ")),
    )
    .named("Render")
    .variables_namespace(&format!("{}Render", artifact_part(environment)));
    let mut ordered: Vec<(&Step, u32)> = steps.iter().zip(depths(steps)).collect();
    ordered.sort_by_key(|(_, depth)| *depth);
    let mut actions = vec![action.clone()];
    for (step, depth) in ordered {
        let n = step.cluster;
        let text = |key: &str| {
            step.view
                .properties
                .get(key)
                .and_then(J::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        let files = step.files.clone();
        let (deployment, namespace) = if step.view.kind == HELM_KIND {
            let chart = chart_name(&step.view.properties["chart"]);
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
            let namespace = namespaces(&step.view).into_iter().next();
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
                .sharing_role(ROLE_KEY),
        );
    }
    Stage::new(&format!("{environment}-Kubernetes"), actions)
}

/// The folder `helm pull --untar` makes for a release's chart: its name, the last part of an
/// `oci://` reference.
fn chart_name(chart: &J) -> &str {
    match chart.get("oci").and_then(J::as_str) {
        Some(oci) => oci
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or_default(),
        None => chart["name"].as_str().unwrap_or_default(),
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
    let script =
        format!("cat > /tmp/render_steps.py <<'CIRRUS_SCRIPT'\n{RENDER_SCRIPT}CIRRUS_SCRIPT");
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
                    "CIRRUS_OUT={RENDERED} CIRRUS_EXPORTS=/tmp/cirrus-exports.sh python3 /tmp/render_steps.py"
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

/// Lets the pipeline's EKS deploy actions into each cluster, from the cluster's stack.
pub(super) fn grant_clusters(pipeline: &Pipeline<'_>, clusters: &Clusters) {
    let Some(role) = pipeline.shared_action_role(ROLE_KEY) else {
        return;
    };
    let app = pipeline.node().app();
    for (key, target) in clusters.keys.iter().zip(&clusters.targets) {
        let (Some(cluster), Some(name)) = (key.node(app), &target.cluster_name) else {
            continue;
        };
        let node = cluster.add_child("DeliveryAccess");
        let mut statements = vec![
            PolicyStatement::allow()
                .actions(["eks:DescribeCluster"])
                .resources([fns::sub(
                    "arn:${AWS::Partition}:eks:${AWS::Region}:${AWS::AccountId}:cluster/${Cluster}",
                    [("Cluster", name.clone())],
                )]),
        ];
        statements.extend(vpc_compute_statements(
            &target.subnets,
            target.security_group.as_slice(),
        ));
        Policy::new(
            node,
            "Policy",
            &format!("delivery-{}", cluster.path().replace('/', "-")),
            PolicyDocument::of(statements),
            &[role],
        );
        node.add(
            "AccessEntry",
            CfnAccessEntry {
                access_policies: Some(
                    vec![access_entry::AccessPolicy::new(
                        access_entry::AccessScope::new(access_entry::AccessScopeType::Cluster),
                        fns::sub(
                            "arn:${AWS::Partition}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
                            [],
                        ),
                    )]
                    .into(),
                ),
                type_: Some("STANDARD".into()),
                ..CfnAccessEntry::new(name.clone(), role.arn())
            },
        );
    }
}
