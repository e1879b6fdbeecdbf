//! Deploying what the app runs besides its stacks (its artifacts, see `cirrus_core::artifact`):
//! after the stacks, in the order synthesis gives (each after the stacks and artifacts it
//! depends on); on destroy, before the stacks, in the reverse order, so that the load
//! balancers and volumes Kubernetes created are gone before CloudFormation deletes the VPC.
//!
//! - `cirrus:kubernetes-manifest`: applied through the cluster's API ([`kube`]).
//! - `cirrus:helm-release`: `helm upgrade --install --atomic` ([`helm`]).
//!
//! A step whose properties name a `deployer` (a cluster with a private endpoint) runs instead
//! as a build of the cluster's in-VPC CodeBuild project, which the runner starts and follows
//! ([`invpc`]).
//!
//! Each artifact's placeholders are the outputs of stacks of the app ([`values`]), read from
//! the stacks this run deployed, or from CloudFormation for the others.

pub(crate) mod helm;
pub(crate) mod invpc;
pub(crate) mod kube;
pub(crate) mod values;

use std::collections::BTreeMap;
use std::io::Write;

use cirrus_core::DeployArtifact;

use crate::aws::config::Aws;
use crate::error::CliError;
use crate::style::Ui;
use values::Outputs;

/// The manifest type of Kubernetes objects, as `cirrus-aws` writes it.
pub(crate) const MANIFEST: &str = "cirrus:kubernetes-manifest";
/// The manifest type of a Helm release.
pub(crate) const HELM: &str = "cirrus:helm-release";

fn failed(artifact: &DeployArtifact, message: impl Into<String>) -> CliError {
    CliError::Workload {
        artifact: artifact.path.clone(),
        message: message.into(),
        hint: None,
    }
}

/// A failure of the Kubernetes client; one that never reached the API server says how the
/// runner can reach it.
fn kube_failed(artifact: &DeployArtifact, error: &cirrus_kube::KubeError) -> CliError {
    if let cirrus_kube::KubeError::Failed { object, .. } = error {
        let job = object.strip_prefix("Job ").unwrap_or(object);
        let (namespace, name) = job.split_once('/').unwrap_or(("default", job));
        return CliError::Workload {
            artifact: artifact.path.clone(),
            message: error.to_string(),
            hint: Some(format!(
                "its pods' logs say why (kubectl -n {namespace} logs job/{name}); a failed Job does not run again: once the cause is fixed, delete it (kubectl -n {namespace} delete job {name}) and deploy again"
            )),
        };
    }
    let unreachable = matches!(error, cirrus_kube::KubeError::Transport { .. });
    CliError::Workload {
        artifact: artifact.path.clone(),
        message: error.to_string(),
        hint: unreachable.then(|| {
            "the runner must reach the cluster's API endpoint: a private endpoint answers only inside its VPC; leave ClusterProps::workload_deployer at its default (WorkloadDeployer::InVpc for a private endpoint) so that a CodeBuild project in the VPC deploys the steps, run from inside the VPC, or give the cluster EndpointAccess::PublicAndPrivate with this machine's address range".to_owned()
        }),
    }
}

/// Fills `outputs` with the outputs of every stack `artifact` reads that this run did not
/// deploy.
async fn read_outputs(
    aws: &Aws,
    artifact: &DeployArtifact,
    outputs: &mut Outputs,
) -> Result<(), CliError> {
    for value in artifact.values.values() {
        if outputs.contains_key(&value.stack_name) {
            continue;
        }
        let region = aws.region_for(&artifact.stack, &artifact.env)?;
        let info = aws
            .cfn(&region)
            .describe_stack(&value.stack_name)
            .await
            .map_err(|source| CliError::Aws {
                stack: value.stack_name.clone(),
                source,
            })?;
        let found: BTreeMap<String, String> = info
            .map(|i| i.outputs.into_iter().map(|o| (o.key, o.value)).collect())
            .unwrap_or_default();
        outputs.insert(value.stack_name.clone(), found);
    }
    Ok(())
}

/// What an artifact's deploy needs once its placeholders are resolved.
struct Prepared {
    properties: serde_json::Map<String, serde_json::Value>,
    files: Vec<(String, String)>,
}

fn prepare(artifact: &DeployArtifact, outputs: &Outputs) -> Result<Prepared, CliError> {
    let values = values::resolve(artifact, outputs).map_err(|e| failed(artifact, e.to_string()))?;
    let properties = match values::substitute_json(
        &serde_json::Value::Object(artifact.properties.clone()),
        &values,
    ) {
        serde_json::Value::Object(map) => map,
        _ => serde_json::Map::new(),
    };
    let mut files = Vec::new();
    for (name, bytes) in &artifact.files {
        let text = String::from_utf8(bytes.clone())
            .map_err(|_| failed(artifact, format!("{name} is not UTF-8")))?;
        files.push((name.clone(), values::substitute(&text, &values)));
    }
    Ok(Prepared { properties, files })
}

/// Deploys `artifacts` in order; `outputs` holds the outputs of the stacks this run deployed.
/// Stops at the first failure: later artifacts may depend on it.
pub(crate) async fn deploy(
    aws: &Aws,
    artifacts: &[DeployArtifact],
    outputs: &mut Outputs,
    ui: &Ui,
) -> Result<usize, CliError> {
    for artifact in artifacts {
        if applied_by_pipeline(artifact) {
            ui.note(&format!(
                "{}: skipped, a pipeline's EKS deploy action applies it",
                artifact.path
            ));
            continue;
        }
        read_outputs(aws, artifact, outputs).await?;
        let prepared = prepare(artifact, outputs)?;
        ui.note(&format!("{}: deploying", artifact.path));
        if let Some(deployer) = deployer(artifact, &prepared)? {
            in_vpc(
                aws,
                artifact,
                &prepared,
                &deployer,
                invpc::Action::Apply,
                ui,
            )
            .await?;
            continue;
        }
        match artifact.kind.as_str() {
            MANIFEST => apply_manifest(aws, artifact, &prepared, ui).await?,
            HELM => helm_release(aws, artifact, &prepared, ui, true).await?,
            other => {
                return Err(failed(
                    artifact,
                    format!("this runner does not know how to deploy an artifact of type {other}"),
                ));
            }
        }
    }
    Ok(artifacts.len())
}

/// Whether a pipeline applies the step (`cirrus_aws::eks::PipelineManifest`): `deploy` leaves
/// it to the pipeline, which alone knows the image it built; `destroy` still removes it.
fn applied_by_pipeline(artifact: &DeployArtifact) -> bool {
    artifact
        .properties
        .get("appliedBy")
        .and_then(serde_json::Value::as_str)
        == Some("pipeline")
}

/// Removes `artifacts`, last first, before their stacks are deleted.
pub(crate) async fn destroy(
    aws: &Aws,
    artifacts: &[DeployArtifact],
    ui: &Ui,
) -> Result<usize, CliError> {
    let mut outputs = Outputs::new();
    for artifact in artifacts.iter().rev() {
        read_outputs(aws, artifact, &mut outputs).await?;
        // A stack that is already gone leaves nothing on its cluster to remove.
        if artifact
            .values
            .values()
            .any(|v| outputs.get(&v.stack_name).is_none_or(BTreeMap::is_empty))
        {
            ui.note(&format!(
                "{}: skipped, a stack it reads from is not deployed",
                artifact.path
            ));
            continue;
        }
        let prepared = prepare(artifact, &outputs)?;
        ui.note(&format!("{}: removing", artifact.path));
        if let Some(deployer) = deployer(artifact, &prepared)? {
            in_vpc(
                aws,
                artifact,
                &prepared,
                &deployer,
                invpc::Action::Delete,
                ui,
            )
            .await?;
            continue;
        }
        match artifact.kind.as_str() {
            MANIFEST => delete_manifest(aws, artifact, &prepared, ui).await?,
            HELM => helm_release(aws, artifact, &prepared, ui, false).await?,
            _ => {}
        }
    }
    Ok(artifacts.len())
}

/// The cluster's in-VPC deployer, when the step names one.
fn deployer(
    artifact: &DeployArtifact,
    prepared: &Prepared,
) -> Result<Option<invpc::Deployer>, CliError> {
    invpc::Deployer::from_properties(&prepared.properties).map_err(|e| failed(artifact, e))
}

/// Runs the step as a build of the cluster's in-VPC deployer.
async fn in_vpc(
    aws: &Aws,
    artifact: &DeployArtifact,
    prepared: &Prepared,
    deployer: &invpc::Deployer,
    action: invpc::Action,
    ui: &Ui,
) -> Result<(), CliError> {
    let connection =
        kube::Connection::from_properties(&prepared.properties).map_err(|e| failed(artifact, e))?;
    let request = match artifact.kind.as_str() {
        MANIFEST => {
            let objects = objects(artifact, prepared)?;
            let label = cirrus_kube::StepLabel::new(connection.step.clone())
                .map_err(|e| failed(artifact, e.to_string()))?;
            invpc::manifest_request(&objects, &connection.cluster, &label, action)
                .map_err(|e| failed(artifact, e))?
        }
        HELM => {
            let release = helm::Release::from_properties(&prepared.properties)
                .map_err(|e| failed(artifact, e))?;
            let values = prepared
                .files
                .first()
                .map(|(_, t)| t.as_str())
                .unwrap_or_default();
            invpc::helm_request(
                &release,
                values,
                &connection.cluster,
                &connection.step,
                action,
            )
        }
        other => {
            return Err(failed(
                artifact,
                format!("this runner does not know how to deploy an artifact of type {other}"),
            ));
        }
    };
    invpc::run(aws, artifact, deployer, &request, ui).await?;
    if action == invpc::Action::Apply {
        let mut stdout = std::io::stdout().lock();
        let _ = writeln!(
            stdout,
            "{}: deployed by {}",
            artifact.path, deployer.project
        );
    }
    Ok(())
}

async fn client(
    aws: &Aws,
    artifact: &DeployArtifact,
    prepared: &Prepared,
) -> Result<(kube::Connection, cirrus_kube::Client, String), CliError> {
    let connection =
        kube::Connection::from_properties(&prepared.properties).map_err(|e| failed(artifact, e))?;
    let region = aws.region_for(&artifact.stack, &artifact.env)?;
    let credentials = aws.credentials().await.map_err(|e| failed(artifact, e))?;
    let token =
        kube::token(&credentials, &region, &connection.cluster).map_err(|e| failed(artifact, e))?;
    let client = cirrus_kube::Client::new(&connection.cluster(token.clone()))
        .map_err(|e| failed(artifact, e.to_string()))?;
    Ok((connection, client, token))
}

fn progress(ui: &Ui, path: &str) -> cirrus_kube::ProgressFn {
    let ui = *ui;
    let path = path.to_owned();
    std::sync::Arc::new(move |p: &cirrus_kube::Progress| ui.note(&format!("{path}: {p}")))
}

fn objects(
    artifact: &DeployArtifact,
    prepared: &Prepared,
) -> Result<Vec<serde_json::Value>, CliError> {
    let mut out = Vec::new();
    for (name, text) in &prepared.files {
        out.extend(kube::documents(text).map_err(|e| failed(artifact, format!("{name}: {e}")))?);
    }
    Ok(out)
}

/// The objects of a step, a client of its cluster, and its label.
async fn step(
    aws: &Aws,
    artifact: &DeployArtifact,
    prepared: &Prepared,
) -> Result<
    (
        Vec<serde_json::Value>,
        cirrus_kube::Client,
        cirrus_kube::StepLabel,
    ),
    CliError,
> {
    let objects = objects(artifact, prepared)?;
    let (connection, client, _) = client(aws, artifact, prepared).await?;
    let label = cirrus_kube::StepLabel::new(connection.step.clone())
        .map_err(|e| failed(artifact, e.to_string()))?;
    Ok((objects, client, label))
}

async fn apply_manifest(
    aws: &Aws,
    artifact: &DeployArtifact,
    prepared: &Prepared,
    ui: &Ui,
) -> Result<(), CliError> {
    let (objects, client, label) = step(aws, artifact, prepared).await?;
    let options = cirrus_kube::ApplyOptions {
        progress: Some(progress(ui, &artifact.path)),
        ..Default::default()
    };
    let report = client
        .apply(&objects, &label, &options)
        .await
        .map_err(|e| kube_failed(artifact, &e))?;
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(
        stdout,
        "{}: {} applied, {} ready, {} pruned",
        artifact.path,
        report.applied.len(),
        report.ready.len(),
        report.pruned.len()
    );
    Ok(())
}

async fn delete_manifest(
    aws: &Aws,
    artifact: &DeployArtifact,
    prepared: &Prepared,
    ui: &Ui,
) -> Result<(), CliError> {
    let (objects, client, label) = step(aws, artifact, prepared).await?;
    let options = cirrus_kube::DeleteOptions {
        progress: Some(progress(ui, &artifact.path)),
        ..Default::default()
    };
    client
        .delete(&objects, &label, &options)
        .await
        .map_err(|e| kube_failed(artifact, &e))?;
    Ok(())
}

/// Installs (or, with `install` false, uninstalls) a Helm release.
async fn helm_release(
    aws: &Aws,
    artifact: &DeployArtifact,
    prepared: &Prepared,
    ui: &Ui,
    install: bool,
) -> Result<(), CliError> {
    let release =
        helm::Release::from_properties(&prepared.properties).map_err(|e| failed(artifact, e))?;
    let (connection, kube, token) = client(aws, artifact, prepared).await?;
    let dir =
        tempfile::tempdir().map_err(|e| failed(artifact, format!("no temporary folder: {e}")))?;
    let values = dir.path().join("values.yaml");
    let text = prepared
        .files
        .first()
        .map(|(_, t)| t.as_str())
        .unwrap_or_default();
    std::fs::write(&values, text)
        .map_err(|e| failed(artifact, format!("cannot write the values: {e}")))?;
    let ca = match &connection.ca_pem {
        Some(pem) => {
            let path = dir.path().join("ca.pem");
            std::fs::write(&path, pem).map_err(|e| {
                failed(
                    artifact,
                    format!("cannot write the certificate authority: {e}"),
                )
            })?;
            Some(path)
        }
        None => None,
    };
    let args = if install {
        release.upgrade_args(&values)
    } else {
        release.uninstall_args()
    };
    let endpoint = connection.endpoint.clone();
    let output =
        tokio::task::spawn_blocking(move || helm::run(&args, &endpoint, &token, ca.as_deref()))
            .await
            .map_err(|e| failed(artifact, format!("helm did not finish: {e}")))?
            .map_err(|e| failed(artifact, format!("helm failed: {e}")))?;
    for line in output.lines().filter(|l| !l.trim().is_empty()) {
        ui.note(&format!("{}: {line}", artifact.path));
    }
    if install && !release.crds.is_empty() {
        let kinds: Vec<String> = release.crds.iter().map(ToString::to_string).collect();
        ui.note(&format!(
            "{}: waiting until the cluster serves {}",
            artifact.path,
            kinds.join(", ")
        ));
        kube.wait_served(
            &release.crds,
            std::time::Duration::from_secs(release.timeout_seconds),
            poll_interval("CIRRUS_KIND_POLL_MS"),
        )
        .await
        .map_err(|e| kube_failed(artifact, &e))?;
    }
    Ok(())
}

/// How often the runner looks again at what it waits for (an in-VPC build, a release's kinds):
/// 5 s, or the milliseconds in the environment variable `var` (`CIRRUS_BUILD_POLL_MS`,
/// `CIRRUS_KIND_POLL_MS`: the tests' fakes answer at once).
pub(crate) fn poll_interval(var: &str) -> std::time::Duration {
    let millis = std::env::var(var)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5_000);
    std::time::Duration::from_millis(millis)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_job_says_where_to_look_and_how_to_run_it_again() {
        let error = cirrus_kube::KubeError::Failed {
            object: "Job portworx/setup".into(),
            reason: "BackoffLimitExceeded: Job has reached the specified backoff limit".into(),
        };
        let CliError::Workload { message, hint, .. } = kube_failed(&artifact(), &error) else {
            panic!("not a workload error");
        };
        assert_eq!(
            message,
            "Job portworx/setup failed: BackoffLimitExceeded: Job has reached the specified backoff limit"
        );
        let hint = hint.unwrap();
        assert!(
            hint.contains("kubectl -n portworx logs job/setup")
                && hint.contains("kubectl -n portworx delete job setup"),
            "{hint}"
        );
    }

    fn artifact() -> DeployArtifact {
        DeployArtifact {
            id: "P-Cluster-Kubernetes-Api".into(),
            kind: MANIFEST.into(),
            path: "P/Cluster/Kubernetes/Api".into(),
            stack: "P".into(),
            env: cirrus_core::Env::default(),
            dependencies: Vec::new(),
            properties: serde_json::Map::new(),
            files: Vec::new(),
            values: BTreeMap::new(),
        }
    }

    /// A step a pipeline applies is not deployed, so nothing of it is read or called: here
    /// the stack output it reads is behind an endpoint that refuses connections.
    #[tokio::test]
    async fn deploy_leaves_a_pipeline_manifest_to_its_pipeline() {
        let args = crate::args::AwsArgs {
            profile: None,
            region: Some("us-east-1".into()),
            endpoint_url: Some("http://127.0.0.1:1".into()),
        };
        let aws = Aws::load_with(&args, crate::aws::config::Timeouts::STANDARD).await;
        let mut step = artifact();
        step.values.insert(
            "P.ApiImages".into(),
            cirrus_core::DeployValue {
                stack: "P".into(),
                stack_name: "P".into(),
                output: "ApiImages".into(),
                source: "the API's image repository".into(),
            },
        );
        assert!(!applied_by_pipeline(&step));
        let (mut outputs, ui) = (Outputs::new(), Ui::plain());
        step.properties.insert(
            "appliedBy".into(),
            serde_json::Value::String("pipeline".into()),
        );
        let deployed = deploy(&aws, std::slice::from_ref(&step), &mut outputs, &ui).await;
        assert!(deployed.is_ok(), "{deployed:?}");
        assert!(outputs.is_empty());
    }

    #[test]
    fn an_unreachable_api_server_gets_the_hint_about_private_endpoints() {
        let unreachable = cirrus_kube::KubeError::Transport {
            object: "GET /api/v1".into(),
            message: "connection refused".into(),
        };
        let err = kube_failed(&artifact(), &unreachable);
        assert!(
            err.hint().is_some_and(|h| h.contains("private endpoint")),
            "{err:?}"
        );
        assert_eq!(
            err.to_string(),
            "P/Cluster/Kubernetes/Api: GET /api/v1: connection refused"
        );
        let refused = cirrus_kube::KubeError::UnknownKind {
            object: "Canary shop/api".into(),
            kind: "Canary".into(),
            api_version: "flagger.app/v1beta1".into(),
        };
        assert_eq!(kube_failed(&artifact(), &refused).hint(), None);
    }
}
