//! Steps of clusters whose API endpoint the runner cannot reach (a private endpoint): the
//! cluster's in-VPC deployer, a CodeBuild project `cirrus-aws` creates in the cluster's private
//! subnets (see `cirrus_aws::eks::WorkloadDeployer`), runs them.
//!
//! The runner resolves the step as for a direct deploy, puts it in the staging bucket under
//! `<inputPrefix><sha256 of input and parameters>.yaml` (the same step uploads to the same
//! key), starts a build of the project with the step's parameters as environment variables,
//! prints the build's phases as they end, and on failure reads the end of the build's log and
//! puts it, with the object and Kubernetes' reason when the log names them, in the error.
//!
//! Manifests are labelled here as `cirrus-kube` labels them (`app.kubernetes.io/managed-by`,
//! `cirrus.dev/step`, `applyset.kubernetes.io/part-of`) and every namespaced object gets its
//! namespace (`default` when it has none, as `cirrus-kube` does): kubectl takes the namespace
//! of the ApplySet parent (`kube-system`) from its context, and would put objects without
//! one there.

use std::collections::BTreeSet;

use aws_sdk_codebuild::types::{Build, EnvironmentVariable, EnvironmentVariableType, StatusType};
use cirrus_core::DeployArtifact;
use serde_json::Value as J;
use sha2::Digest;

use super::helm::{Chart, Release};
use crate::aws::config::Aws;
use crate::aws::staging::{Staging, bucket_name};
use crate::error::CliError;
use crate::style::Ui;

/// What a step's properties say about the deployer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Deployer {
    /// The CodeBuild project's name.
    pub(crate) project: String,
    /// Where the project's role may read inputs.
    pub(crate) input_prefix: String,
}

impl Deployer {
    /// The `deployer` property, when the step has one.
    pub(crate) fn from_properties(
        p: &serde_json::Map<String, J>,
    ) -> Result<Option<Deployer>, String> {
        let Some(d) = p.get("deployer") else {
            return Ok(None);
        };
        let text = |key: &str| {
            d.get(key)
                .and_then(J::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .ok_or_else(|| format!("the step's deployer has no \"{key}\""))
        };
        Ok(Some(Deployer {
            project: text("project")?,
            input_prefix: text("inputPrefix")?,
        }))
    }
}

/// Whether the build applies the step or removes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Action {
    Apply,
    Delete,
}

impl Action {
    fn as_str(self) -> &'static str {
        match self {
            Action::Apply => "apply",
            Action::Delete => "delete",
        }
    }
}

/// One build: the input object's content and the build's environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BuildRequest {
    pub(crate) input: String,
    pub(crate) env: Vec<(String, String)>,
}

impl BuildRequest {
    /// The input's key: the prefix and the SHA-256 of the input and the parameters.
    pub(crate) fn key(&self, prefix: &str) -> String {
        let mut hash = sha2::Sha256::new();
        hash.update(self.input.as_bytes());
        for (name, value) in &self.env {
            hash.update(format!("\n{name}={value}").as_bytes());
        }
        let hex: String = hash.finalize().iter().map(|b| format!("{b:02x}")).collect();
        format!("{prefix}{hex}.yaml")
    }
}

/// Kinds of Kubernetes' own API groups that are cluster-scoped: they get no namespace.
const CLUSTER_SCOPED: &[(&str, &str)] = &[
    ("", "Namespace"),
    ("", "Node"),
    ("", "PersistentVolume"),
    ("apiextensions.k8s.io", "CustomResourceDefinition"),
    ("apiregistration.k8s.io", "APIService"),
    ("rbac.authorization.k8s.io", "ClusterRole"),
    ("rbac.authorization.k8s.io", "ClusterRoleBinding"),
    ("storage.k8s.io", "StorageClass"),
    ("storage.k8s.io", "CSIDriver"),
    ("storage.k8s.io", "CSINode"),
    ("storage.k8s.io", "VolumeAttachment"),
    ("scheduling.k8s.io", "PriorityClass"),
    ("networking.k8s.io", "IngressClass"),
    ("node.k8s.io", "RuntimeClass"),
    (
        "admissionregistration.k8s.io",
        "MutatingWebhookConfiguration",
    ),
    (
        "admissionregistration.k8s.io",
        "ValidatingWebhookConfiguration",
    ),
    ("admissionregistration.k8s.io", "ValidatingAdmissionPolicy"),
    (
        "admissionregistration.k8s.io",
        "ValidatingAdmissionPolicyBinding",
    ),
    ("flowcontrol.apiserver.k8s.io", "FlowSchema"),
    ("flowcontrol.apiserver.k8s.io", "PriorityLevelConfiguration"),
];

fn group_kind(object: &J) -> (String, String) {
    let api_version = object
        .get("apiVersion")
        .and_then(J::as_str)
        .unwrap_or_default();
    let group = api_version
        .split_once('/')
        .map_or("", |(g, _)| g)
        .to_owned();
    let kind = object
        .get("kind")
        .and_then(J::as_str)
        .unwrap_or_default()
        .to_owned();
    (group, kind)
}

/// The build of a manifest step: its objects labelled and namespaced, in the order given
/// (reversed to delete), as one YAML stream.
pub(crate) fn manifest_request(
    objects: &[J],
    cluster: &str,
    step: &cirrus_kube::StepLabel,
    action: Action,
) -> Result<BuildRequest, String> {
    use cirrus_kube::{MANAGED_BY, MANAGED_BY_LABEL, PART_OF_LABEL, STEP_LABEL};
    let mut documents = Vec::new();
    let mut crds = false;
    let mut waits = Vec::new();
    let mut jobs = Vec::new();
    for object in objects {
        let mut object = object.clone();
        let (group, kind) = group_kind(&object);
        let cluster_scoped = CLUSTER_SCOPED.contains(&(group.as_str(), kind.as_str()));
        crds |= group == "apiextensions.k8s.io" && kind == "CustomResourceDefinition";
        let awaited_job =
            group == "batch" && kind == "Job" && cirrus_kube::awaits_completion(&object);
        let Some(metadata) = object.get_mut("metadata").and_then(J::as_object_mut) else {
            return Err(format!("a {kind} without metadata"));
        };
        let name = metadata
            .get("name")
            .and_then(J::as_str)
            .unwrap_or_default()
            .to_owned();
        if !cluster_scoped && metadata.get("namespace").and_then(J::as_str).is_none() {
            metadata.insert("namespace".into(), J::String("default".into()));
        }
        let namespace = metadata
            .get("namespace")
            .and_then(J::as_str)
            .unwrap_or_default()
            .to_owned();
        let labels = metadata
            .entry("labels")
            .or_insert_with(|| J::Object(serde_json::Map::new()));
        if !labels.is_object() {
            *labels = J::Object(serde_json::Map::new());
        }
        if let Some(labels) = labels.as_object_mut() {
            labels.insert(MANAGED_BY_LABEL.into(), J::String(MANAGED_BY.into()));
            labels.insert(STEP_LABEL.into(), J::String(step.hash().into()));
            labels.insert(PART_OF_LABEL.into(), J::String(step.applyset_id()));
        }
        if group == "apps" && matches!(kind.as_str(), "Deployment" | "StatefulSet" | "DaemonSet") {
            waits.push(format!("{namespace}/{}/{name}", kind.to_ascii_lowercase()));
        }
        if awaited_job {
            jobs.push(format!("{namespace}/{name}"));
        }
        documents.push(object);
    }
    if action == Action::Delete {
        documents.reverse();
    }
    let mut input = String::new();
    for document in &documents {
        input.push_str("---\n");
        input.push_str(&serde_json::to_string(document).map_err(|e| e.to_string())?);
        input.push('\n');
    }
    let env = vec![
        ("CIRRUS_KIND".into(), "manifest".into()),
        ("CIRRUS_ACTION".into(), action.as_str().into()),
        ("CIRRUS_CLUSTER".into(), cluster.into()),
        ("CIRRUS_STEP".into(), step.hash().into()),
        ("CIRRUS_CRDS".into(), crds.to_string()),
        ("CIRRUS_WAIT".into(), waits.join(" ")),
        ("CIRRUS_JOBS".into(), jobs.join(" ")),
    ];
    Ok(BuildRequest { input, env })
}

/// The build of a Helm release: its values as the input, the release as parameters.
pub(crate) fn helm_request(
    release: &Release,
    values: &str,
    cluster: &str,
    step: &str,
    action: Action,
) -> BuildRequest {
    let (chart, repo) = match &release.chart {
        Chart::Repository { url, name } => (name.clone(), url.clone()),
        Chart::Oci(reference) => (reference.clone(), String::new()),
    };
    let env = vec![
        ("CIRRUS_KIND".into(), "helm".into()),
        ("CIRRUS_ACTION".into(), action.as_str().into()),
        ("CIRRUS_CLUSTER".into(), cluster.into()),
        ("CIRRUS_STEP".into(), step.into()),
        ("CIRRUS_RELEASE".into(), release.release.clone()),
        ("CIRRUS_NAMESPACE".into(), release.namespace.clone()),
        (
            "CIRRUS_CREATE_NAMESPACE".into(),
            release.create_namespace.to_string(),
        ),
        ("CIRRUS_CHART".into(), chart),
        ("CIRRUS_REPO".into(), repo),
        ("CIRRUS_VERSION".into(), release.version.clone()),
        ("CIRRUS_TIMEOUT".into(), release.timeout_seconds.to_string()),
        (
            "CIRRUS_KINDS".into(),
            release
                .crds
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(" "),
        ),
    ];
    BuildRequest {
        input: values.to_owned(),
        env,
    }
}

/// Stages `request`, runs it on `deployer` and follows the build to its end.
pub(crate) async fn run(
    aws: &Aws,
    artifact: &DeployArtifact,
    deployer: &Deployer,
    request: &BuildRequest,
    ui: &Ui,
) -> Result<(), CliError> {
    let failed = |message: String, hint: Option<&str>| CliError::Workload {
        artifact: artifact.path.clone(),
        message,
        hint: hint.map(str::to_owned),
    };
    let region = aws.region_for(&artifact.stack, &artifact.env)?;
    let account = aws
        .account()
        .await
        .map_err(|e| failed(e.to_string(), None))?;
    let bucket = bucket_name(&account, &region);
    let staging = Staging::new(aws.s3(&region), bucket.clone(), region.clone());
    if !staging
        .exists()
        .await
        .map_err(|e| failed(e.to_string(), None))?
    {
        return Err(failed(
            format!(
                "the staging bucket {bucket} does not exist, and the cluster's in-VPC deployer reads its input from there"
            ),
            Some(&format!(
                "run `{}` once for this account and region",
                crate::handoff::command_line("bootstrap")
            )),
        ));
    }
    let key = request.key(&deployer.input_prefix);
    staging
        .put(&key, &request.input)
        .await
        .map_err(|e| failed(e.to_string(), None))?;

    let mut env: Vec<EnvironmentVariable> = Vec::new();
    for (name, value) in request
        .env
        .iter()
        .cloned()
        .chain([("CIRRUS_INPUT".to_owned(), format!("s3://{bucket}/{key}"))])
    {
        env.push(
            EnvironmentVariable::builder()
                .name(name)
                .value(value)
                .r#type(EnvironmentVariableType::Plaintext)
                .build()
                .map_err(|e| failed(format!("StartBuild: {e}"), None))?,
        );
    }
    let codebuild = aws.codebuild(&region);
    let started = codebuild
        .start_build()
        .project_name(&deployer.project)
        .set_environment_variables_override(Some(env))
        .send()
        .await
        .map_err(|e| {
            failed(
                format!(
                    "StartBuild of project {}: {}",
                    deployer.project,
                    aws_sdk_codebuild::error::DisplayErrorContext(&e)
                ),
                Some("the deploying identity needs codebuild:StartBuild and codebuild:BatchGetBuilds on the cluster's deployer project"),
            )
        })?;
    let id = started
        .build_value()
        .and_then(|b| b.id())
        .map(str::to_owned)
        .ok_or_else(|| failed("StartBuild returned no build id".into(), None))?;
    ui.note(&format!("{}: build {id} started", artifact.path));

    let mut seen = BTreeSet::new();
    loop {
        let out = codebuild
            .batch_get_builds()
            .ids(&id)
            .send()
            .await
            .map_err(|e| {
                failed(
                    format!(
                        "BatchGetBuilds: {}",
                        aws_sdk_codebuild::error::DisplayErrorContext(&e)
                    ),
                    None,
                )
            })?;
        let Some(build) = out.builds().first() else {
            return Err(failed(format!("build {id} is gone"), None));
        };
        for line in new_phases(build, &mut seen) {
            ui.note(&format!("{}: {line}", artifact.path));
        }
        match build.build_status() {
            Some(StatusType::Succeeded) => return Ok(()),
            Some(StatusType::InProgress) | None => {}
            Some(status) => {
                let tail = log_tail(aws, &region, build).await;
                return Err(failed(
                    failure_message(&id, status.as_str(), build, &tail),
                    None,
                ));
            }
        }
        tokio::time::sleep(super::poll_interval("CIRRUS_BUILD_POLL_MS")).await;
    }
}

/// The phases that ended since the last look, as progress lines (`INSTALL SUCCEEDED 12s`).
pub(crate) fn new_phases(build: &Build, seen: &mut BTreeSet<String>) -> Vec<String> {
    let mut out = Vec::new();
    for phase in build.phases() {
        let (Some(kind), Some(status)) = (phase.phase_type(), phase.phase_status()) else {
            continue;
        };
        if !seen.insert(kind.as_str().to_owned()) {
            continue;
        }
        let seconds = phase
            .duration_in_seconds()
            .map(|s| format!(" {s}s"))
            .unwrap_or_default();
        out.push(format!(
            "build {} {}{seconds}",
            kind.as_str(),
            status.as_str()
        ));
    }
    out
}

/// The last lines of the build's log, or why there are none.
async fn log_tail(aws: &Aws, region: &str, build: &Build) -> Vec<String> {
    let Some(logs) = build.logs() else {
        return vec!["(the build has no log)".into()];
    };
    let (Some(group), Some(stream)) = (logs.group_name(), logs.stream_name()) else {
        return vec!["(the build has no log)".into()];
    };
    let out = aws
        .logs(region)
        .get_log_events()
        .log_group_name(group)
        .log_stream_name(stream)
        .start_from_head(false)
        .limit(40)
        .send()
        .await;
    match out {
        Ok(out) => out
            .events()
            .iter()
            .filter_map(|e| e.message())
            .map(|m| m.trim_end().to_owned())
            .filter(|m| !m.is_empty())
            .collect(),
        Err(e) => vec![format!(
            "(the log {group}/{stream} could not be read: {})",
            aws_sdk_cloudwatchlogs::error::DisplayErrorContext(&e)
        )],
    }
}

/// `build <id> FAILED in BUILD: <kubectl's or helm's error>` and the log's tail.
pub(crate) fn failure_message(id: &str, status: &str, build: &Build, tail: &[String]) -> String {
    let phase = build
        .phases()
        .iter()
        .find(|p| {
            p.phase_status()
                .is_some_and(|s| !matches!(s, StatusType::Succeeded | StatusType::InProgress))
        })
        .and_then(|p| p.phase_type())
        .map(|p| format!(" in {}", p.as_str()))
        .unwrap_or_default();
    let mut message = format!("build {id} {status}{phase}");
    if let Some(reason) = reason(tail) {
        message.push_str(": ");
        message.push_str(&reason);
    }
    if !tail.is_empty() {
        message.push_str("\nthe end of the build's log:\n");
        for line in tail {
            message.push_str("  ");
            message.push_str(line);
            message.push('\n');
        }
    }
    message.trim_end().to_owned()
}

/// The last error kubectl or helm wrote: `Error from server (Forbidden): ...`, `error: ...`,
/// `Error: UPGRADE FAILED: ...`.
pub(crate) fn reason(tail: &[String]) -> Option<String> {
    tail.iter()
        .rev()
        .map(|l| l.trim())
        .find(|l| {
            l.starts_with("Error from server")
                || l.starts_with("error:")
                || l.starts_with("Error:")
                || l.contains("error: timed out waiting")
        })
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_codebuild::types::{BuildPhase, BuildPhaseType};
    use serde_json::json;

    fn step() -> cirrus_kube::StepLabel {
        cirrus_kube::StepLabel::new("0a1b2c3d").unwrap()
    }

    #[test]
    fn the_deployer_property_is_read_or_refused() {
        let p = json!({ "deployer": { "project": "shop-deployer", "inputPrefix": "kubernetes/shop/" } });
        assert_eq!(
            Deployer::from_properties(p.as_object().unwrap()).unwrap(),
            Some(Deployer {
                project: "shop-deployer".into(),
                input_prefix: "kubernetes/shop/".into()
            })
        );
        assert_eq!(
            Deployer::from_properties(&serde_json::Map::new()).unwrap(),
            None
        );
        let p = json!({ "deployer": { "project": "" , "inputPrefix": "k/" } });
        assert_eq!(
            Deployer::from_properties(p.as_object().unwrap()).unwrap_err(),
            "the step's deployer has no \"project\""
        );
    }

    /// Jobs that ask to be waited for, as cirrus-kube reads them; other Jobs are not.
    #[test]
    fn the_build_waits_for_the_jobs_that_ask() {
        let job = |name: &str, annotations: J| {
            json!({"apiVersion": "batch/v1", "kind": "Job",
                   "metadata": {"name": name, "namespace": "portworx", "annotations": annotations}})
        };
        let objects = [
            job("setup", json!({"cirrus.dev/wait": "complete"})),
            job("report", json!({})),
        ];
        let request = manifest_request(&objects, "shop", &step(), Action::Apply).unwrap();
        let env: std::collections::BTreeMap<_, _> = request.env.iter().cloned().collect();
        assert_eq!(env["CIRRUS_JOBS"], "portworx/setup");
        // The same annotation as the one apps write.
        assert_eq!(
            cirrus_k8s::workload::WAIT_FOR_COMPLETION,
            (cirrus_kube::WAIT_ANNOTATION, cirrus_kube::WAIT_COMPLETE)
        );
    }

    #[test]
    fn a_manifest_is_labelled_and_namespaced_as_cirrus_kube_does() {
        let objects = [
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}}),
            json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "metadata": {"name": "canaries.flagger.app"}}),
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "api", "namespace": "shop", "labels": {"app": "api"}}}),
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings"}}),
        ];
        let request = manifest_request(&objects, "shop", &step(), Action::Apply).unwrap();
        let docs: Vec<J> = request
            .input
            .split("---\n")
            .filter(|d| !d.trim().is_empty())
            .map(|d| serde_json::from_str(d).unwrap())
            .collect();
        assert_eq!(docs.len(), 4);
        assert_eq!(docs[0]["metadata"].get("namespace"), None);
        assert_eq!(docs[1]["metadata"].get("namespace"), None);
        assert_eq!(docs[3]["metadata"]["namespace"], "default");
        let labels = &docs[2]["metadata"]["labels"];
        assert_eq!(labels["app"], "api");
        assert_eq!(labels["app.kubernetes.io/managed-by"], "cirrus");
        assert_eq!(labels["cirrus.dev/step"], "0a1b2c3d");
        assert_eq!(
            labels["applyset.kubernetes.io/part-of"],
            step().applyset_id()
        );
        let env: std::collections::BTreeMap<_, _> = request.env.iter().cloned().collect();
        assert_eq!(env["CIRRUS_KIND"], "manifest");
        assert_eq!(env["CIRRUS_ACTION"], "apply");
        assert_eq!(env["CIRRUS_STEP"], "0a1b2c3d");
        assert_eq!(env["CIRRUS_CRDS"], "true");
        assert_eq!(env["CIRRUS_WAIT"], "shop/deployment/api");
        assert_eq!(env["CIRRUS_JOBS"], "");

        // Deleting goes the other way round; the key changes with the action.
        let delete = manifest_request(&objects, "shop", &step(), Action::Delete).unwrap();
        assert!(delete.input.find("ConfigMap").unwrap() < delete.input.find("Namespace").unwrap());
        let key = request.key("kubernetes/shop/");
        assert!(
            key.starts_with("kubernetes/shop/") && key.ends_with(".yaml"),
            "{key}"
        );
        assert_eq!(key.len(), "kubernetes/shop/".len() + 64 + 5);
        assert_eq!(key, request.key("kubernetes/shop/"));
        assert_ne!(key, delete.key("kubernetes/shop/"));
    }

    #[test]
    fn a_release_becomes_the_builds_parameters() {
        let props = json!({
            "release": "flagger", "namespace": "flagger-system", "createNamespace": true,
            "chart": { "repository": "https://flagger.app", "name": "flagger" },
            "version": "1.38.0", "timeoutSeconds": 300,
            "crds": ["Canary.flagger.app", "MetricTemplate.flagger.app"],
        });
        let release = Release::from_properties(props.as_object().unwrap()).unwrap();
        let request = helm_request(&release, "a: 1\n", "shop", "0a1b", Action::Apply);
        assert_eq!(request.input, "a: 1\n");
        let env: std::collections::BTreeMap<_, _> = request.env.iter().cloned().collect();
        assert_eq!(env["CIRRUS_KIND"], "helm");
        assert_eq!(env["CIRRUS_CHART"], "flagger");
        assert_eq!(env["CIRRUS_REPO"], "https://flagger.app");
        assert_eq!(env["CIRRUS_VERSION"], "1.38.0");
        assert_eq!(env["CIRRUS_TIMEOUT"], "300");
        assert_eq!(env["CIRRUS_CREATE_NAMESPACE"], "true");
        assert_eq!(env["CIRRUS_NAMESPACE"], "flagger-system");
        assert_eq!(
            env["CIRRUS_KINDS"],
            "Canary.flagger.app MetricTemplate.flagger.app"
        );
    }

    fn phase(kind: BuildPhaseType, status: StatusType) -> BuildPhase {
        BuildPhase::builder()
            .phase_type(kind)
            .phase_status(status)
            .duration_in_seconds(3)
            .build()
    }

    #[test]
    fn phases_are_reported_once_and_a_failure_names_the_phase_and_the_reason() {
        let build = Build::builder()
            .phases(phase(BuildPhaseType::Submitted, StatusType::Succeeded))
            .phases(phase(BuildPhaseType::Install, StatusType::Succeeded))
            .phases(phase(BuildPhaseType::Build, StatusType::Failed))
            .build();
        let mut seen = BTreeSet::new();
        assert_eq!(
            new_phases(&build, &mut seen),
            [
                "build SUBMITTED SUCCEEDED 3s",
                "build INSTALL SUCCEEDED 3s",
                "build BUILD FAILED 3s"
            ]
        );
        assert!(new_phases(&build, &mut seen).is_empty());
        let tail: Vec<String> = [
            "[Container] Running command (",
            "Error from server (Forbidden): error when creating \"/tmp/cirrus/input.yaml\": deployments.apps \"api\" is forbidden: exceeded quota",
            "[Container] Command did not exit successfully",
        ]
        .map(str::to_owned)
        .to_vec();
        let message = failure_message("p:1", "FAILED", &build, &tail);
        assert!(
            message.starts_with(
                "build p:1 FAILED in BUILD: Error from server (Forbidden): error when creating"
            ),
            "{message}"
        );
        assert!(
            message.contains("deployments.apps \"api\" is forbidden"),
            "{message}"
        );
        assert!(
            message.contains("\n  [Container] Command did not exit successfully"),
            "{message}"
        );
        assert_eq!(
            reason(&["Error: UPGRADE FAILED: timed out waiting for the condition".to_owned()]),
            Some("Error: UPGRADE FAILED: timed out waiting for the condition".to_owned())
        );
        assert_eq!(reason(&["all good".to_owned()]), None);
    }
}
