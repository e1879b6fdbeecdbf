//! The in-VPC deployer: a CodeBuild project, owned by a cluster, that applies the cluster's
//! Kubernetes steps from inside its VPC when the runner cannot reach the API server.
//!
//! Why a build rather than direct calls: a private endpoint (the default,
//! [`EndpointAccess::Private`]) answers only inside the VPC, and the runner runs on a laptop or
//! a CI machine outside it. A CodeBuild project in the cluster's private subnets reaches it,
//! costs nothing while idle, needs no bastion or VPN, and its builds leave a record (who
//! started what, and the log). Where the endpoint is reachable the runner keeps talking to the
//! API server itself ([`WorkloadDeployer::Direct`]): it is faster (no build to provision) and
//! needs no tools downloaded.
//!
//! The project runs pinned tools ([`KUBECTL`], [`HELM`]), downloaded from their official URLs
//! and checked against the sums their projects publish before anything runs. For a manifest it
//! does what `cirrus-kube` does directly, with kubectl: server-side apply with the field
//! manager `cirrus`, then ApplySet pruning of the same parent (`kube-system/cirrus-step-<step>`,
//! the same id and member labels), then waits for workloads; for a Helm release it runs
//! `helm upgrade --install --atomic --wait --timeout`. Each build reads one input object the
//! runner put in the staging bucket (`cirrus-staging-<account>-<region>`) under
//! `kubernetes/<cluster name>/`, and its parameters from environment variables the runner
//! gives when it starts the build.

use cirrus_core::{Construct, Expr, Node, fns};
use serde_json::{Value as J, json};

use crate::codebuild::{
    BuildEnv, BuildLogs, BuildSpec, HELM, InlineBuildSpec, InstallPhase, KUBECTL, Phase, Phases,
    PinnedTool, Project, ProjectProps, ProjectVpc, Source,
};
use crate::codes;
use crate::ec2::{
    ISecurityGroup, IVpc, Peer, Port, SecurityGroup, SecurityGroupProps, Subnet, SubnetType,
};
use crate::eks::access::child;
use crate::eks::cluster::{Cluster, ClusterState};
use crate::eks::{AccessPolicy, AccessScope, ICluster};
use crate::iam::PolicyStatement;
use crate::logs::LogGroupProps;

/// How the runner deploys a cluster's Kubernetes steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkloadDeployer {
    /// The runner talks to the API server itself (`cirrus-kube`, and `helm` on the runner's
    /// machine): the endpoint must be reachable from where `deploy` runs.
    Direct,
    /// Through a CodeBuild project in the cluster's private subnets (with egress), which the
    /// runner starts and follows: for endpoints the runner cannot reach.
    InVpc,
}

impl WorkloadDeployer {
    /// The default for an endpoint: in the VPC when the endpoint is private, direct otherwise.
    pub fn for_endpoint(access: &crate::eks::EndpointAccess) -> WorkloadDeployer {
        match access {
            crate::eks::EndpointAccess::Private => WorkloadDeployer::InVpc,
            crate::eks::EndpointAccess::PublicAndPrivate(_)
            | crate::eks::EndpointAccess::Public(_) => WorkloadDeployer::Direct,
        }
    }
}

/// The name of the in-VPC deployer's CodeBuild project of cluster `cluster_name`.
fn project_name(cluster_name: &str) -> String {
    format!("{cluster_name}-deployer")
}

/// The key prefix of a cluster's inputs in the staging bucket.
pub(crate) fn input_prefix(cluster_name: &str) -> String {
    format!("kubernetes/{cluster_name}/")
}

/// What a cluster needs to create its deployer, kept from `Cluster::new`.
#[derive(Debug, Clone)]
pub(crate) struct DeployerPlan {
    pub(crate) mode: WorkloadDeployer,
    pub(crate) cluster_name: String,
    pub(crate) vpc_id: Expr<String>,
    pub(crate) vpc_cidr: Expr<String>,
    pub(crate) private_subnets: Vec<Subnet>,
}

/// The deployer, once created: what the steps' properties name.
#[derive(Debug, Clone)]
pub(crate) struct DeployerRecord {
    /// The project's name.
    pub(crate) project: String,
    /// The subnets its builds run in.
    pub(crate) subnets: Vec<Expr<String>>,
    /// The security group of its builds, which the cluster admits on 443.
    pub(crate) security_group: Expr<String>,
}

/// The VPC as the cluster remembers it (its private subnets with egress).
struct ClusterVpc<'a> {
    plan: DeployerPlan,
    egress: Option<Node<'a>>,
}

impl<'a> IVpc<'a> for ClusterVpc<'a> {
    fn id(&self) -> Expr<String> {
        self.plan.vpc_id.clone()
    }

    fn cidr_block(&self) -> Expr<String> {
        self.plan.vpc_cidr.clone()
    }

    fn subnets(&self, kind: SubnetType) -> Vec<Subnet> {
        match kind {
            SubnetType::PrivateWithEgress => self.plan.private_subnets.clone(),
            SubnetType::Public | SubnetType::Isolated => Vec::new(),
        }
    }

    fn egress_dependency(&self) -> Option<Node<'a>> {
        self.egress
    }
}

/// The `deployer` property of a step of `cluster`: the project the runner starts and the
/// input prefix its role may read; creates the deployer on the first step. `None` when the
/// cluster's steps are deployed directly.
pub(crate) fn property(cluster: &Cluster<'_>) -> Option<J> {
    let plan = cluster.state(|s: &mut ClusterState| s.deployer_plan.clone())?;
    if plan.mode == WorkloadDeployer::Direct {
        return None;
    }
    let existing = cluster.state(|s: &mut ClusterState| s.deployer.clone());
    let record = match existing {
        Some(record) => record,
        None => {
            let record = create(cluster, &plan);
            cluster.state(|s: &mut ClusterState| s.deployer = Some(record.clone()));
            record
        }
    };
    Some(json!({
        "project": record.project,
        "inputPrefix": input_prefix(&plan.cluster_name),
    }))
}

/// The deployer of `cluster`, once a step has created it.
pub(crate) fn record(cluster: &Cluster<'_>) -> Option<DeployerRecord> {
    cluster.state(|s: &mut ClusterState| s.deployer.clone())
}

/// Creates the deployer under `<cluster>/Deployer`.
fn create(cluster: &Cluster<'_>, plan: &DeployerPlan) -> DeployerRecord {
    let node = child(Construct::node(cluster), "Deployer");
    if plan.private_subnets.is_empty() {
        node.error_with_hint(
            codes::eks::DEPLOYER_SUBNETS_MISSING,
            "the in-VPC deployer of the cluster's Kubernetes steps needs private subnets with egress (it downloads kubectl, helm and charts), and the VPC has none",
            "give the VPC private subnets with a NAT gateway, or set ClusterProps::workload_deployer to WorkloadDeployer::Direct and make the endpoint reachable (EndpointAccess::PublicAndPrivate)",
        );
    }
    let app = Construct::node(cluster).app();
    let egress = cluster
        .state(|s: &mut ClusterState| s.egress)
        .and_then(|k| k.node(app));
    let vpc = ClusterVpc {
        plan: plan.clone(),
        egress,
    };
    let group = SecurityGroup::new(
        node,
        "SecurityGroup",
        &vpc,
        &format!(
            "builds that deploy Kubernetes steps to EKS cluster {}",
            plan.cluster_name
        ),
        SecurityGroupProps::default(),
    );
    // The API server, the AWS APIs (S3, STS, EKS, CloudWatch Logs), the tools' download sites
    // and chart repositories are all HTTPS; nothing else leaves.
    group.add_egress_rule(
        Peer::AnyIpv4,
        Port::Tcp(443),
        "HTTPS: the cluster API, AWS APIs, tool downloads and chart repositories",
    );
    cluster.allow_api_from(
        "Deployer",
        Peer::SecurityGroup(group.id()),
        "the in-VPC deployer of the Kubernetes steps of the cluster",
    );
    let project = Project::new(
        node,
        "Project",
        ProjectProps {
            // Named after the cluster, so that who may start it (a delivery pipeline in another
            // stack) can be granted it by name.
            project_name: Some(project_name(&plan.cluster_name)),
            description: Some(format!(
                "applies the Kubernetes steps of EKS cluster {} from inside its VPC (started by cirrus deploy)",
                plan.cluster_name
            )),
            source: Source::None,
            build_spec: BuildSpec::inline(buildspec()),
            vpc: Some(ProjectVpc::new(&vpc, SubnetType::PrivateWithEgress, &group)),
            timeout_minutes: 60,
            role_path: cluster.state(|s: &mut ClusterState| s.role_path.clone()),
            logs: BuildLogs::New(LogGroupProps {
                retention: cluster.state(|s: &mut ClusterState| s.log_retention),
                ..Default::default()
            }),
            ..Default::default()
        },
    );
    // The inputs the runner stages for this cluster, and nothing else of the bucket.
    project.role().add_to_policy(
        PolicyStatement::allow()
            .actions(["s3:GetObject"])
            .resources([fns::sub(
                &format!(
                    "arn:${{AWS::Partition}}:s3:::cirrus-staging-${{AWS::AccountId}}-${{AWS::Region}}/{}*",
                    input_prefix(&plan.cluster_name)
                ),
                [],
            )]),
    );
    // `aws eks update-kubeconfig` reads the endpoint and certificate.
    cluster.grant_describe(&project.role());
    // Steps hold any kind: namespaces, CRDs, ClusterRoles and their bindings, and charts that
    // install cluster-wide RBAC and webhooks. Only the cluster admin policy covers those (the
    // admin and edit policies are namespaced and exclude CRDs and cluster roles), as it must
    // for whoever deploys directly; what keeps it narrow is who can start the project.
    cluster.grant_access(
        "WorkloadDeployer",
        project.role().arn(),
        AccessPolicy::ClusterAdmin,
        AccessScope::Cluster,
    );
    DeployerRecord {
        project: project_name(&plan.cluster_name),
        subnets: plan
            .private_subnets
            .iter()
            .map(|s| s.subnet_id.clone())
            .collect(),
        security_group: group.id(),
    }
}

/// The build: install the pinned tools, fetch the input, write a kubeconfig, run the step.
pub(crate) fn buildspec() -> InlineBuildSpec {
    let mut install: Vec<String> = [KUBECTL, HELM]
        .iter()
        .flat_map(PinnedTool::install_commands)
        .collect();
    install.push("kubectl version --client && helm version".to_owned());
    let pre_build = vec![
        "mkdir -p /tmp/cirrus".to_owned(),
        "aws s3 cp --only-show-errors \"$CIRRUS_INPUT\" /tmp/cirrus/input.yaml".to_owned(),
        "aws eks update-kubeconfig --name \"$CIRRUS_CLUSTER\" --kubeconfig \"$KUBECONFIG\""
            .to_owned(),
        // The ApplySet parent lives in kube-system; kubectl takes its namespace from the
        // context (the objects carry their own namespaces, so none is enforced).
        "kubectl config set-context --current --namespace=kube-system".to_owned(),
    ];
    InlineBuildSpec {
        env: BuildEnv {
            shell: Some("bash".into()),
            variables: vec![(
                "KUBECONFIG".into(),
                crate::codebuild::EnvVar::plain("/tmp/cirrus/kubeconfig"),
            )],
            ..Default::default()
        },
        phases: Phases {
            install: Some(InstallPhase {
                commands: install,
                ..Default::default()
            }),
            pre_build: Some(Phase::commands(pre_build)),
            build: Some(Phase::commands([step_script()])),
            post_build: None,
        },
        ..Default::default()
    }
}

/// The step itself, one shell block chosen by `CIRRUS_KIND` and `CIRRUS_ACTION`.
///
/// kubectl refuses to change an ApplySet whose parent names another tool, as KEP 3659 asks;
/// the parent cirrus-kube writes says `cirrus/<version>`, so the block first hands it to
/// kubectl (cirrus-kube does not look at the annotation, and rewrites it when it deploys
/// directly). Members already carry cirrus's labels: the runner adds them to the input.
fn step_script() -> String {
    let kubectl = KUBECTL.version;
    let wait_kinds = WAIT_FOR_KINDS.trim_end();
    let wait_jobs = WAIT_FOR_JOBS.trim_end();
    format!(
        r#"(
set -euo pipefail
parent="cirrus-step-$CIRRUS_STEP"
case "$CIRRUS_KIND:$CIRRUS_ACTION" in
  manifest:apply)
    if kubectl get configmap "$parent" -o name >/dev/null 2>&1; then
      kubectl annotate configmap "$parent" --overwrite "applyset.kubernetes.io/tooling=kubectl/v{kubectl}"
    fi
    if [ "${{CIRRUS_CRDS:-false}}" = true ]; then
      kubectl apply --server-side --force-conflicts --field-manager=cirrus -f /tmp/cirrus/input.yaml || true
      kubectl wait --for=condition=Established --timeout=300s crd -l "cirrus.dev/step=$CIRRUS_STEP"
    fi
    KUBECTL_APPLYSET=true kubectl apply --server-side --force-conflicts --field-manager=cirrus --prune --applyset="configmaps/$parent" -f /tmp/cirrus/input.yaml
    for w in ${{CIRRUS_WAIT:-}}; do kubectl rollout status --timeout="${{CIRRUS_TIMEOUT:-600}}s" -n "${{w%%/*}}" "${{w#*/}}"; done
{wait_jobs}
    ;;
  manifest:delete)
    kubectl delete --ignore-not-found --wait=true --timeout="${{CIRRUS_TIMEOUT:-600}}s" -f /tmp/cirrus/input.yaml
    kubectl delete --ignore-not-found configmap "$parent"
    ;;
  helm:apply)
    chart=("$CIRRUS_CHART")
    if [ -n "${{CIRRUS_REPO:-}}" ]; then chart+=(--repo "$CIRRUS_REPO"); fi
    extra=()
    if [ "${{CIRRUS_CREATE_NAMESPACE:-false}}" = true ]; then extra+=(--create-namespace); fi
    helm upgrade --install "$CIRRUS_RELEASE" "${{chart[@]}}" --version "$CIRRUS_VERSION" --namespace "$CIRRUS_NAMESPACE" --atomic --wait --timeout "${{CIRRUS_TIMEOUT}}s" --values /tmp/cirrus/input.yaml "${{extra[@]}}"
{wait_kinds}
    ;;
  helm:delete)
    helm uninstall "$CIRRUS_RELEASE" --namespace "$CIRRUS_NAMESPACE" --wait --timeout "${{CIRRUS_TIMEOUT}}s" --ignore-not-found
    ;;
  *)
    echo "unknown step $CIRRUS_KIND:$CIRRUS_ACTION" >&2
    exit 2
    ;;
esac
)
"#
    )
}

/// After a release: waits until the API server serves each kind of `CIRRUS_KINDS` (`Kind.group`,
/// space-separated), within `CIRRUS_TIMEOUT` seconds, as cirrus-kube's `wait_served` does for
/// the runner. An operator that registers its kinds when it starts adds them after Helm has
/// returned. (`grep` reads all of its input: with `pipefail`, `grep -q` leaving early could fail
/// the pipeline on `kubectl`'s broken pipe.)
const WAIT_FOR_KINDS: &str = r#"    deadline=$((SECONDS + ${CIRRUS_TIMEOUT:-600}))
    for k in ${CIRRUS_KINDS:-}; do
      until kubectl api-resources --api-group="${k#*.}" --no-headers 2>/dev/null | awk '{print $NF}' | grep -x "${k%%.*}" >/dev/null; do
        if [ "$SECONDS" -ge "$deadline" ]; then
          echo "$k is not served after ${CIRRUS_TIMEOUT:-600}s: the release's operator has not registered it" >&2
          exit 1
        fi
        sleep "${CIRRUS_POLL:-5}"
      done
    done
"#;

/// After a manifest's rollouts: waits for each Job of `CIRRUS_JOBS` (`namespace/name`, the ones
/// that ask with cirrus-kube's `cirrus.dev/wait: complete`) to complete, within
/// `CIRRUS_TIMEOUT` seconds, and fails at once with its reason when it fails, as cirrus-kube
/// does for the runner (`kubectl wait` would only time out on a failed Job).
const WAIT_FOR_JOBS: &str = r#"    deadline=$((SECONDS + ${CIRRUS_TIMEOUT:-600}))
    for j in ${CIRRUS_JOBS:-}; do
      while :; do
        state=$(kubectl get job -n "${j%%/*}" "${j#*/}" -o jsonpath='{range .status.conditions[?(@.status=="True")]}{.type} {end}')
        case " $state" in
          *" Complete "*) break ;;
          *" Failed "*)
            reason=$(kubectl get job -n "${j%%/*}" "${j#*/}" -o jsonpath='{.status.conditions[?(@.type=="Failed")].reason}: {.status.conditions[?(@.type=="Failed")].message}')
            echo "Job $j failed: $reason" >&2
            exit 1
            ;;
        esac
        if [ "$SECONDS" -ge "$deadline" ]; then
          echo "Job $j is not complete after ${CIRRUS_TIMEOUT:-600}s" >&2
          exit 1
        fi
        sleep "${CIRRUS_POLL:-5}"
      done
    done
"#;

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::process::Command;

    use super::{WAIT_FOR_JOBS, WAIT_FOR_KINDS};

    /// A fake `kubectl` that logs its arguments and counts its calls (`$n`), then runs `answer`.
    fn fake_kubectl(dir: &Path, answer: &str) {
        let script = format!(
            "#!/bin/sh\nn=$(($(cat '{dir}/calls' 2>/dev/null || echo 0) + 1))\necho $n > '{dir}/calls'\necho \"$*\" >> '{dir}/log'\n{answer}\n",
            dir = dir.display()
        );
        let path = dir.join("kubectl");
        std::fs::write(&path, script).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
    }

    /// Runs `snippet` as the build does, with the fake kubectl first on the `PATH`.
    fn run(dir: &Path, snippet: &str, env: &[(&str, &str)]) -> std::process::Output {
        let path = format!(
            "{}:{}",
            dir.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        Command::new("bash")
            .arg("-c")
            .arg(format!("set -euo pipefail\n{snippet}"))
            .env("PATH", path)
            .env("CIRRUS_POLL", "0")
            .envs(env.iter().copied())
            .output()
            .unwrap()
    }

    /// `api-resources` lists `kind` from the `after`-th call on.
    fn serving_after(dir: &Path, kind: &str, after: u32) {
        fake_kubectl(
            dir,
            &format!(
                "if [ $n -ge {after} ]; then echo 'schedulepolicies  stork.libopenstorage.org/v1alpha1  false  {kind}'; fi"
            ),
        );
    }

    /// `get job` prints `conditions` (the true conditions' types, as the jsonpath prints them)
    /// from the `after`-th call on, and nothing before; the `Failed` condition's reason always.
    fn job_after(dir: &Path, conditions: &str, after: u32) {
        fake_kubectl(
            dir,
            &format!(
                "case \"$*\" in *Failed*reason*) echo 'BackoffLimitExceeded: Job has reached the specified backoff limit'; exit 0;; esac\nif [ $n -ge {after} ]; then printf '%s' '{conditions}'; fi"
            ),
        );
    }

    #[test]
    fn the_build_waits_until_an_operator_has_registered_its_kinds() {
        let dir = tempfile::tempdir().unwrap();
        serving_after(dir.path(), "SchedulePolicy", 3);
        let kinds = ("CIRRUS_KINDS", "SchedulePolicy.stork.libopenstorage.org");
        let out = run(
            dir.path(),
            WAIT_FOR_KINDS,
            &[kinds, ("CIRRUS_TIMEOUT", "60")],
        );
        assert!(out.status.success(), "{out:?}");
        let log = std::fs::read_to_string(dir.path().join("log")).unwrap();
        assert_eq!(
            log.lines().collect::<Vec<_>>(),
            ["api-resources --api-group=stork.libopenstorage.org --no-headers"; 3]
        );
    }

    #[test]
    fn a_kind_never_registered_fails_the_build_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        serving_after(dir.path(), "VolumeSnapshotSchedule", 1);
        let kinds = ("CIRRUS_KINDS", "SchedulePolicy.stork.libopenstorage.org");
        let out = run(
            dir.path(),
            WAIT_FOR_KINDS,
            &[kinds, ("CIRRUS_TIMEOUT", "0")],
        );
        assert!(!out.status.success());
        assert_eq!(
            String::from_utf8_lossy(&out.stderr),
            "SchedulePolicy.stork.libopenstorage.org is not served after 0s: the release's operator has not registered it\n"
        );
    }

    #[test]
    fn the_build_waits_for_a_job_that_asks_until_it_completes() {
        let dir = tempfile::tempdir().unwrap();
        job_after(dir.path(), "SuccessCriteriaMet Complete ", 3);
        let jobs = ("CIRRUS_JOBS", "portworx/setup");
        let out = run(dir.path(), WAIT_FOR_JOBS, &[jobs, ("CIRRUS_TIMEOUT", "60")]);
        assert!(out.status.success(), "{out:?}");
        let log = std::fs::read_to_string(dir.path().join("log")).unwrap();
        assert_eq!(log.lines().count(), 3, "{log}");
        assert!(
            log.starts_with("get job -n portworx setup -o jsonpath="),
            "{log}"
        );
    }

    #[test]
    fn a_failed_job_fails_the_build_with_its_reason() {
        let dir = tempfile::tempdir().unwrap();
        job_after(dir.path(), "FailureTarget Failed ", 1);
        let jobs = ("CIRRUS_JOBS", "portworx/setup");
        let out = run(dir.path(), WAIT_FOR_JOBS, &[jobs, ("CIRRUS_TIMEOUT", "60")]);
        assert!(!out.status.success());
        assert_eq!(
            String::from_utf8_lossy(&out.stderr),
            "Job portworx/setup failed: BackoffLimitExceeded: Job has reached the specified backoff limit\n"
        );
    }
}
