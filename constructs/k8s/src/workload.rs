//! The objects an app writes around its pods, one call each: the `Deployment` that selects
//! its pods by their labels (or the `StatefulSet` of a database), the `Service` in front of
//! them, the `HorizontalPodAutoscaler` on CPU, the `CronJob` of a batch job or the `Job` of a
//! task run once, the claims,
//! volumes and mounts of their storage.
//!
//! Written out in `k8s-openapi`'s structs, a Deployment with its pod is about forty lines of
//! nested `Some(..)` and `..Default::default()`, most of it the same in every app: the labels
//! written three times (metadata, selector, template), the service account's token turned off,
//! the pod and container locked down ([`crate::secure`]). Here the secure choices are the
//! defaults and the app writes what differs: names, images, ports, sizes.
//!
//! Every function returns a plain `k8s-openapi` value, so a field this module does not set is
//! set with struct update syntax, and [`crate::Object::new`] checks the result like any
//! other object:
//!
//! ```
//! use cirrus_k8s::workload::{self, container, labels, meta, pod, tcp_port};
//! use cirrus_k8s::{Object, secure};
//! use k8s_openapi::api::core::v1::Container;
//!
//! let selector = labels([("app", "api")]);
//! let api = Container {
//!     ports: Some(vec![tcp_port(8080)]),
//!     readiness_probe: Some(workload::tcp_probe(8080)),
//!     resources: Some(secure::resources(("250m", "256Mi"), ("500m", "512Mi"))),
//!     ..container("api", "registry.example/api:1.4.2")
//! };
//! let deployment = workload::deployment(
//!     meta("api", "shop"),
//!     selector.clone(),
//!     Some(2),
//!     pod(Some("api"), vec![api], vec![]),
//! );
//! let service = workload::service(meta("api", "shop"), selector, 8080);
//! assert!(Object::new(&deployment).is_ok() && Object::new(&service).is_ok());
//! ```

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{Deployment, DeploymentSpec, StatefulSet, StatefulSetSpec};
use k8s_openapi::api::autoscaling::v2::{
    CrossVersionObjectReference, HorizontalPodAutoscaler, HorizontalPodAutoscalerSpec, MetricSpec,
    MetricTarget, ResourceMetricSource,
};
use k8s_openapi::api::batch::v1::{CronJob, CronJobSpec, Job, JobSpec, JobTemplateSpec};
use k8s_openapi::api::core::v1::{
    Container, ContainerPort, EmptyDirVolumeSource, EnvVar, HTTPGetAction, Namespace,
    PersistentVolumeClaim, PersistentVolumeClaimSpec, PersistentVolumeClaimVolumeSource,
    PodSecurityContext, PodSpec, PodTemplateSpec, Probe, SecretVolumeSource, Service,
    ServiceAccount, ServicePort, ServiceSpec, TCPSocketAction, Volume, VolumeMount,
    VolumeResourceRequirements,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::secure;

/// How often a probe made here asks, in seconds (Kubernetes' own default).
pub const PROBE_PERIOD_SECONDS: i32 = 10;

/// Labels from `(key, value)` pairs: `labels([("app", "api")])`.
pub fn labels<const N: usize>(pairs: [(&str, &str); N]) -> BTreeMap<String, String> {
    pairs
        .into_iter()
        .map(|(key, value)| (key.to_owned(), value.to_owned()))
        .collect()
}

/// The metadata of an object named `name` in `namespace`, without labels (add them with
/// `ObjectMeta { labels: Some(..), ..meta(..) }`).
pub fn meta(name: &str, namespace: &str) -> ObjectMeta {
    ObjectMeta {
        name: Some(name.into()),
        namespace: Some(namespace.into()),
        ..Default::default()
    }
}

/// A namespace.
pub fn namespace(name: &str) -> Namespace {
    Namespace {
        metadata: ObjectMeta {
            name: Some(name.into()),
            ..Default::default()
        },
        ..Default::default()
    }
}

/// A service account whose token is not mounted into its pods: pods that do not call the
/// Kubernetes API (most do not; EKS Pod Identity mounts its own token for AWS) hold no
/// credential for it.
pub fn service_account(name: &str, namespace: &str) -> ServiceAccount {
    ServiceAccount {
        metadata: meta(name, namespace),
        automount_service_account_token: Some(false),
        ..Default::default()
    }
}

/// A container of `image`, locked down ([`secure::container_security`]): no privileges, no
/// capability, a read-only root filesystem. Set its ports, probes and
/// [`secure::resources`] with struct update syntax.
pub fn container(name: &str, image: impl Into<String>) -> Container {
    Container {
        name: name.into(),
        image: Some(image.into()),
        security_context: Some(secure::container_security()),
        ..Default::default()
    }
}

/// An environment variable of a container with a literal value.
pub fn env(name: &str, value: impl Into<String>) -> EnvVar {
    EnvVar {
        name: name.into(),
        value: Some(value.into()),
        ..Default::default()
    }
}

/// A container port on TCP.
pub fn tcp_port(port: i32) -> ContainerPort {
    ContainerPort {
        container_port: port,
        protocol: Some("TCP".into()),
        ..Default::default()
    }
}

/// A probe that succeeds once the container accepts TCP connections on `port`, every
/// [`PROBE_PERIOD_SECONDS`].
pub fn tcp_probe(port: i32) -> Probe {
    Probe {
        tcp_socket: Some(TCPSocketAction {
            port: IntOrString::Int(port),
            ..Default::default()
        }),
        period_seconds: Some(PROBE_PERIOD_SECONDS),
        ..Default::default()
    }
}

/// A probe that succeeds when `GET path` on `port` answers below 400, every
/// [`PROBE_PERIOD_SECONDS`].
pub fn http_probe(path: &str, port: i32) -> Probe {
    Probe {
        http_get: Some(HTTPGetAction {
            path: Some(path.into()),
            port: IntOrString::Int(port),
            ..Default::default()
        }),
        period_seconds: Some(PROBE_PERIOD_SECONDS),
        ..Default::default()
    }
}

/// `probe` as a liveness probe that starts after `delay_seconds`: a container that is slow
/// to start is not restarted before it could answer.
pub fn delayed(probe: Probe, delay_seconds: i32) -> Probe {
    Probe {
        initial_delay_seconds: Some(delay_seconds),
        ..probe
    }
}

/// Volume `volume` mounted at `path`.
pub fn mount(volume: &str, path: &str) -> VolumeMount {
    VolumeMount {
        name: volume.into(),
        mount_path: path.into(),
        ..Default::default()
    }
}

/// Volume `volume` mounted read-only at `path`.
pub fn mount_read_only(volume: &str, path: &str) -> VolumeMount {
    VolumeMount {
        read_only: Some(true),
        ..mount(volume, path)
    }
}

/// An empty scratch volume that lives as long as the pod: where a container with a read-only
/// root filesystem writes (`/tmp`).
pub fn empty_dir(name: &str) -> Volume {
    Volume {
        name: name.into(),
        empty_dir: Some(EmptyDirVolumeSource::default()),
        ..Default::default()
    }
}

/// A volume of the persistent volume claim `claim`.
pub fn claim_volume(name: &str, claim: &str) -> Volume {
    Volume {
        name: name.into(),
        persistent_volume_claim: Some(PersistentVolumeClaimVolumeSource {
            claim_name: claim.into(),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// A volume of the keys of Secret `secret` as files that only their owner may read (`0400`):
/// a secret as a file rather than an environment variable, which leaks into crash dumps and
/// child processes.
pub fn secret_volume(name: &str, secret: &str) -> Volume {
    Volume {
        name: name.into(),
        secret: Some(SecretVolumeSource {
            secret_name: Some(secret.into()),
            default_mode: Some(0o400),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// A persistent volume claim of `size` (`"5Gi"`) from `storage_class`, with one access mode
/// (`"ReadWriteOnce"`, or `"ReadWriteMany"` for a volume that pods on different nodes share).
pub fn claim(
    metadata: ObjectMeta,
    storage_class: &str,
    access_mode: &str,
    size: &str,
) -> PersistentVolumeClaim {
    PersistentVolumeClaim {
        metadata,
        spec: Some(PersistentVolumeClaimSpec {
            access_modes: Some(vec![access_mode.into()]),
            storage_class_name: Some(storage_class.into()),
            resources: Some(VolumeResourceRequirements {
                requests: Some(BTreeMap::from([("storage".into(), Quantity(size.into()))])),
                ..Default::default()
            }),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// A pod of `containers` with `volumes`, running as `service_account` (the namespace's
/// `default` when `None`), locked down ([`secure::pod_security`]) and without the service
/// account's token.
///
/// A pod with a Secret or ConfigMap volume also gets `fsGroup` [`secure::NON_ROOT_USER`]: the
/// kubelet writes those files as root, and only the pod's `fsGroup` gives them a group the
/// pod's user is in, with group read; without it a file of mode 0400 ([`secret_volume`]'s) is
/// unreadable to the user the pod runs as.
pub fn pod(
    service_account: Option<&str>,
    containers: Vec<Container>,
    volumes: Vec<Volume>,
) -> PodSpec {
    let written_as_root = volumes
        .iter()
        .any(|v| v.secret.is_some() || v.config_map.is_some());
    let security = PodSecurityContext {
        fs_group: written_as_root.then_some(secure::NON_ROOT_USER),
        ..secure::pod_security()
    };
    PodSpec {
        service_account_name: service_account.map(Into::into),
        automount_service_account_token: Some(false),
        security_context: Some(security),
        containers,
        volumes: (!volumes.is_empty()).then_some(volumes),
        ..Default::default()
    }
}

/// The selector of the objects whose labels include `labels`.
pub(crate) fn matching(labels: BTreeMap<String, String>) -> LabelSelector {
    LabelSelector {
        match_labels: Some(labels),
        ..Default::default()
    }
}

/// A pod template whose pods carry `labels`.
fn template(labels: BTreeMap<String, String>, pod: PodSpec) -> PodTemplateSpec {
    PodTemplateSpec {
        metadata: Some(ObjectMeta {
            labels: Some(labels),
            ..Default::default()
        }),
        spec: Some(pod),
    }
}

/// A Deployment of `pod`, whose pods carry `selector`'s labels and are found by them;
/// `replicas` `None` leaves the count to Kubernetes (one) or to an autoscaler.
pub fn deployment(
    metadata: ObjectMeta,
    selector: BTreeMap<String, String>,
    replicas: Option<i32>,
    pod: PodSpec,
) -> Deployment {
    Deployment {
        metadata,
        spec: Some(DeploymentSpec {
            replicas,
            selector: matching(selector.clone()),
            template: template(selector, pod),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// A StatefulSet of `pod`, whose pods carry `selector`'s labels and each get a claim made from
/// every one of `claims` (named `<claim>-<set>-<ordinal>`, kept when the set is deleted or scaled
/// down: a database's volume outlives its pods); `service` is the headless Service that gives
/// each pod its stable name ([`headless_service`]).
pub fn stateful_set(
    metadata: ObjectMeta,
    selector: BTreeMap<String, String>,
    service: &str,
    replicas: i32,
    pod: PodSpec,
    claims: Vec<PersistentVolumeClaim>,
) -> StatefulSet {
    StatefulSet {
        metadata,
        spec: Some(StatefulSetSpec {
            replicas: Some(replicas),
            service_name: Some(service.into()),
            selector: matching(selector.clone()),
            template: template(selector, pod),
            volume_claim_templates: (!claims.is_empty()).then_some(claims),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// A headless Service (no cluster IP) for the pods `selector` matches, on TCP `port`: each pod
/// of a StatefulSet is reached by its own name (`<pod>.<service>`), and the Service's name
/// reaches the ready ones.
pub fn headless_service(
    metadata: ObjectMeta,
    selector: BTreeMap<String, String>,
    port: i32,
) -> Service {
    let mut made = service(metadata, selector, port);
    if let Some(spec) = made.spec.as_mut() {
        spec.cluster_ip = Some("None".into());
    }
    made
}

/// A Service inside the cluster for the pods `selector` matches, on TCP `port` (the pods'
/// port too).
pub fn service(metadata: ObjectMeta, selector: BTreeMap<String, String>, port: i32) -> Service {
    Service {
        metadata,
        spec: Some(ServiceSpec {
            selector: Some(selector),
            ports: Some(vec![ServicePort {
                port,
                target_port: Some(IntOrString::Int(port)),
                protocol: Some("TCP".into()),
                ..Default::default()
            }]),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// Between `min` and `max` pods of the Deployment `deployment`, scaled to keep their CPU at
/// `utilization` percent of what they request (the metrics server provides the figures).
pub fn cpu_autoscaler(
    metadata: ObjectMeta,
    deployment: &str,
    (min, max): (i32, i32),
    utilization: i32,
) -> HorizontalPodAutoscaler {
    HorizontalPodAutoscaler {
        metadata,
        spec: Some(HorizontalPodAutoscalerSpec {
            scale_target_ref: CrossVersionObjectReference {
                api_version: Some("apps/v1".into()),
                kind: "Deployment".into(),
                name: deployment.into(),
            },
            min_replicas: Some(min),
            max_replicas: max,
            metrics: Some(vec![MetricSpec {
                type_: "Resource".into(),
                resource: Some(ResourceMetricSource {
                    name: "cpu".into(),
                    target: MetricTarget {
                        type_: "Utilization".into(),
                        average_utilization: Some(utilization),
                        ..Default::default()
                    },
                }),
                ..Default::default()
            }]),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// A CronJob that runs `pod` on `schedule` (cron syntax, the cluster's time zone), one run
/// at a time (a run that is still going when the next is due makes it wait: two runs over
/// the same data would race), retried `retries` times when it fails. Its pods carry `labels`.
pub fn cron_job(
    metadata: ObjectMeta,
    schedule: &str,
    labels: BTreeMap<String, String>,
    retries: i32,
    pod: PodSpec,
) -> CronJob {
    CronJob {
        metadata,
        spec: Some(CronJobSpec {
            schedule: schedule.into(),
            concurrency_policy: Some("Forbid".into()),
            job_template: JobTemplateSpec {
                spec: Some(JobSpec {
                    backoff_limit: Some(retries),
                    template: template(labels, pod),
                    ..Default::default()
                }),
                ..Default::default()
            },
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// A Job that runs `pod` to completion once, retried `retries` times when it fails. Its pods
/// carry `labels`; a pod without a restart policy gets `Never` (each retry is a new pod, so
/// the failed attempts' logs stay to read).
pub fn job(
    metadata: ObjectMeta,
    labels: BTreeMap<String, String>,
    retries: i32,
    pod: PodSpec,
) -> Job {
    let pod = PodSpec {
        restart_policy: Some(pod.restart_policy.unwrap_or_else(|| "Never".into())),
        ..pod
    };
    Job {
        metadata,
        spec: Some(JobSpec {
            backoff_limit: Some(retries),
            template: template(labels, pod),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// The annotation `(key, value)` by which a Job asks `cirrus deploy` to wait until it
/// completes, and to fail with its reason when it fails (other Jobs are applied and left to
/// run); see [`awaited`].
pub const WAIT_FOR_COMPLETION: (&str, &str) = ("cirrus.dev/wait", "complete");

/// `job`, annotated so that `cirrus deploy` waits for it to complete within the step's
/// timeout: for a one-off task the rest of the app needs done (a credential to create), not
/// for one that runs for hours.
pub fn awaited(mut job: Job) -> Job {
    let (key, value) = WAIT_FOR_COMPLETION;
    job.metadata
        .annotations
        .get_or_insert_with(BTreeMap::new)
        .insert(key.into(), value.into());
    job
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CheckContext, Object, check};
    use serde_json::json;

    fn context() -> CheckContext {
        CheckContext {
            namespaces: ["shop".to_owned()].into(),
            service_accounts: [("shop".to_owned(), "api".to_owned())].into(),
            ..Default::default()
        }
    }

    fn api() -> Container {
        Container {
            ports: Some(vec![tcp_port(8080)]),
            readiness_probe: Some(http_probe("/ready", 8080)),
            liveness_probe: Some(delayed(tcp_probe(8080), 30)),
            resources: Some(secure::resources(("250m", "256Mi"), ("500m", "512Mi"))),
            volume_mounts: Some(vec![mount("tmp", "/tmp"), mount_read_only("db", "/db")]),
            ..container("api", "registry.example/api:1.4.2")
        }
    }

    /// A Deployment, Service and autoscaler made here pass the crate's checks as they are: the
    /// secure choices are the defaults. The same container without them fails.
    #[test]
    fn workloads_made_here_pass_the_checks() {
        let selector = labels([("app", "api")]);
        let volumes = vec![empty_dir("tmp"), secret_volume("db", "db-password")];
        let objects = [
            Object::new(&service_account("api", "shop")),
            Object::new(&deployment(
                meta("api", "shop"),
                selector.clone(),
                Some(2),
                pod(Some("api"), vec![api()], volumes),
            )),
            Object::new(&service(meta("api", "shop"), selector, 8080)),
            Object::new(&cpu_autoscaler(meta("api", "shop"), "api", (2, 4), 70)),
        ]
        .map(Result::unwrap);
        let findings = check(&objects, &context());
        assert!(findings.is_empty(), "{findings:?}");

        let bare = Container {
            security_context: None,
            ..api()
        };
        let unsafe_pod = PodSpec {
            security_context: None,
            ..pod(Some("api"), vec![bare], vec![empty_dir("tmp")])
        };
        let objects = [Object::new(&deployment(
            meta("api", "shop"),
            labels([("app", "api")]),
            None,
            unsafe_pod,
        ))
        .unwrap()];
        assert!(!check(&objects, &context()).is_empty());
    }

    /// The labels are written once and appear where Kubernetes reads them: the selector, the
    /// pods; the Service selects the same pods on the same port.
    #[test]
    fn the_selector_labels_the_pods_and_the_service_finds_them() {
        let selector = labels([("app", "api"), ("colour", "blue")]);
        let made = deployment(
            meta("api", "shop"),
            selector.clone(),
            None,
            pod(None, vec![api()], vec![]),
        );
        let value = serde_json::to_value(&made).unwrap();
        let expected = json!({"app": "api", "colour": "blue"});
        assert_eq!(value["spec"]["selector"]["matchLabels"], expected);
        assert_eq!(value["spec"]["template"]["metadata"]["labels"], expected);
        assert_eq!(value["spec"].get("replicas"), None);
        let pod = &value["spec"]["template"]["spec"];
        assert_eq!(pod["automountServiceAccountToken"], false);
        assert_eq!(pod.get("serviceAccountName"), None);
        assert_eq!(pod.get("volumes"), None, "no volumes, no empty list");
        assert_eq!(pod["securityContext"].get("fsGroup"), None);
        let with_secret = super::pod(None, vec![api()], vec![secret_volume("db", "db")]);
        assert_eq!(
            with_secret.security_context.and_then(|s| s.fs_group),
            Some(secure::NON_ROOT_USER),
            "the secret's files are given the pod's group"
        );

        let service = serde_json::to_value(service(meta("api", "shop"), selector, 8080)).unwrap();
        assert_eq!(service["spec"]["selector"], expected);
        assert_eq!(
            service["spec"]["ports"],
            json!([{"port": 8080, "targetPort": 8080, "protocol": "TCP"}])
        );
    }

    #[test]
    fn autoscaler_job_set_and_claim_carry_their_settings() {
        let hpa =
            serde_json::to_value(cpu_autoscaler(meta("api", "shop"), "api", (2, 6), 70)).unwrap();
        assert_eq!(
            hpa["spec"]["scaleTargetRef"],
            json!({"apiVersion": "apps/v1", "kind": "Deployment", "name": "api"})
        );
        assert_eq!(hpa["spec"]["minReplicas"], 2);
        assert_eq!(hpa["spec"]["maxReplicas"], 6);
        assert_eq!(
            hpa["spec"]["metrics"][0]["resource"],
            json!({"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}})
        );

        let job = cron_job(
            meta("nightly", "shop"),
            "0 2 * * *",
            labels([("app", "nightly")]),
            2,
            pod(None, vec![api()], vec![]),
        );
        let job = serde_json::to_value(&job).unwrap();
        assert_eq!(job["spec"]["schedule"], "0 2 * * *");
        assert_eq!(job["spec"]["concurrencyPolicy"], "Forbid");
        assert_eq!(job["spec"]["jobTemplate"]["spec"]["backoffLimit"], 2);
        assert_eq!(
            job["spec"]["jobTemplate"]["spec"]["template"]["metadata"]["labels"],
            json!({"app": "nightly"})
        );

        assert_eq!(
            serde_json::to_value(env("HOME", "/tmp")).unwrap(),
            json!({"name": "HOME", "value": "/tmp"})
        );

        let once = super::job(
            meta("setup", "shop"),
            labels([("app", "setup")]),
            4,
            pod(None, vec![api()], vec![]),
        );
        let once = serde_json::to_value(&once).unwrap();
        assert_eq!(once["spec"]["backoffLimit"], 4);
        assert_eq!(once["metadata"].get("annotations"), None);
        assert_eq!(once["spec"]["template"]["spec"]["restartPolicy"], "Never");
        assert_eq!(
            once["spec"]["template"]["metadata"]["labels"],
            json!({"app": "setup"})
        );

        let waited = awaited(super::job(
            meta("setup", "shop"),
            labels([("app", "setup")]),
            4,
            pod(None, vec![api()], vec![]),
        ));
        assert_eq!(
            serde_json::to_value(&waited).unwrap()["metadata"]["annotations"],
            json!({"cirrus.dev/wait": "complete"})
        );

        let claim = claim(meta("data", "shop"), "efs-sc", "ReadWriteMany", "5Gi");
        let claim = serde_json::to_value(&claim).unwrap();
        assert_eq!(
            claim["spec"],
            json!({
                "accessModes": ["ReadWriteMany"],
                "resources": {"requests": {"storage": "5Gi"}},
                "storageClassName": "efs-sc",
            })
        );
        let set = stateful_set(
            meta("db", "shop"),
            labels([("app", "db")]),
            "db",
            1,
            pod(None, vec![api()], vec![]),
            vec![super::claim(
                meta("data", "shop"),
                "px-db",
                "ReadWriteOnce",
                "50Gi",
            )],
        );
        let set = serde_json::to_value(&set).unwrap();
        assert_eq!(set["spec"]["serviceName"], "db");
        assert_eq!(set["spec"]["replicas"], 1);
        assert_eq!(set["spec"]["selector"]["matchLabels"], json!({"app": "db"}));
        assert_eq!(
            set["spec"]["volumeClaimTemplates"][0]["spec"]["storageClassName"],
            "px-db"
        );
        let headless = headless_service(meta("db", "shop"), labels([("app", "db")]), 5432);
        let headless = serde_json::to_value(&headless).unwrap();
        assert_eq!(headless["spec"]["clusterIP"], "None");
        assert_eq!(headless["spec"]["ports"][0]["port"], 5432);

        let volume = serde_json::to_value(secret_volume("db", "db-password")).unwrap();
        assert_eq!(
            volume,
            json!({"name": "db", "secret": {"secretName": "db-password", "defaultMode": 256}})
        );
    }
}
