//! What each back-end component runs on the cluster, typed here and applied by the
//! component's pipeline with the image it has just built (`Cluster::add_pipeline_manifest`):
//! the post keeps these as `kubeapideploy.yml` and `kubebatchjobs_deploy.yml` in the
//! components' repositories, with placeholders a kubectl build fills in.
//!
//! - `app_api`: the Flask API `Deployment` `app-api`, the shared claim mounted read-only, a
//!   `Service` and a `TargetGroupBinding` that registers its pods in the target group of the
//!   stack's load balancer (`api_endpoint`: TLS, the app's own name; the post uses a NodePort
//!   and says production needs a load balancer), a `HorizontalPodAutoscaler` on CPU (the
//!   metrics-server add-on provides the metrics), and a `NetworkPolicy` that admits traffic to
//!   the API's port only.
//! - `weekly_job`, `nightly_job`: a `CronJob` whose pods run as `data-jobs` (Pod Identity gives
//!   them read access to the data-files bucket), with the claim mounted, and an init container
//!   that copies the raw files from S3 onto the volume before the job's own container processes
//!   them.
//!
//! Every container runs as a non-root user without privileges, with a read-only root
//! filesystem (`/tmp` is an `emptyDir`) and CPU and memory requests and limits.

use std::collections::BTreeMap;

use cirrus_aws::ecr::Repository;
use cirrus_aws::eks::k8s::{Object, secure};
use cirrus_aws::eks::{Cluster, PipelineManifest, PipelineValues};
use cirrus_aws::prelude::*;
use cirrus_aws::s3::Bucket;
use k8s_openapi::api::apps::v1::{Deployment, DeploymentSpec};
use k8s_openapi::api::autoscaling::v2::{
    CrossVersionObjectReference, HorizontalPodAutoscaler, HorizontalPodAutoscalerSpec, MetricSpec,
    MetricTarget, ResourceMetricSource,
};
use k8s_openapi::api::batch::v1::{CronJob, CronJobSpec, JobSpec, JobTemplateSpec};
use k8s_openapi::api::core::v1::{
    Container, ContainerPort, EmptyDirVolumeSource, EnvVar, PersistentVolumeClaimVolumeSource,
    PodSpec, PodTemplateSpec, Probe, Service, ServicePort, ServiceSpec, TCPSocketAction, Volume,
    VolumeMount,
};
use k8s_openapi::api::networking::v1::NetworkPolicy;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::load_balancer_controller;

use super::config::{
    API_PORT, AWS_CLI_IMAGE, Component, DATA_JOBS_SERVICE_ACCOUNT, DATA_VOLUME_CLAIM, K8S_NAMESPACE,
};

/// The component's objects on `cluster`, for its pipeline to apply: the image is
/// `$IMAGE_REPOSITORY:$IMAGE_TAG`, the repository from `images` and the tag from the
/// pipeline's build; the jobs read `$DATA_BUCKET`, the name of `data_files`.
pub fn define<'a>(
    cluster: &Cluster<'a>,
    c: &Component,
    images: &Repository<'a>,
    data_files: &Bucket<'a>,
    api_targets: &Expr<String>,
) -> PipelineManifest<'a> {
    let mut values = PipelineValues::default();
    let image = format!(
        "{}:{}",
        values.value("IMAGE_REPOSITORY", images.uri()),
        values.variable("IMAGE_TAG"),
    );
    let objects = match c.schedule {
        None => {
            let targets = values.value("API_TARGET_GROUP", api_targets.clone());
            let binding =
                load_balancer_controller::binding(K8S_NAMESPACE, c.slug, API_PORT, targets);
            vec![
                Object::new(&api_deployment(c.slug, image)),
                Object::new(&api_service(c.slug)),
                Object::custom(&binding),
                Object::new(&api_autoscaler(c.slug)),
                Object::new(&api_ingress(c.slug)),
            ]
        }
        Some(schedule) => {
            let bucket = values.value("DATA_BUCKET", data_files.name());
            vec![Object::new(&job(c.slug, schedule, image, &bucket))]
        }
    };
    cluster.add_pipeline_manifest(c.id, values, objects)
}

fn meta(name: &str) -> ObjectMeta {
    ObjectMeta {
        name: Some(name.into()),
        namespace: Some(K8S_NAMESPACE.into()),
        labels: Some(labels(name)),
        ..Default::default()
    }
}

fn labels(name: &str) -> BTreeMap<String, String> {
    BTreeMap::from([("app".to_owned(), name.to_owned())])
}

/// A container locked down: no privileges, no root, a read-only root filesystem with `/tmp`
/// writable, and the shared volume at `/data`.
fn container(name: &str, image: String, data_read_only: bool) -> Container {
    Container {
        name: name.into(),
        image: Some(image),
        env: Some(vec![EnvVar {
            name: "HOME".into(),
            value: Some("/tmp".into()),
            ..Default::default()
        }]),
        security_context: Some(secure::container_security()),
        volume_mounts: Some(vec![
            VolumeMount {
                name: "data".into(),
                mount_path: "/data".into(),
                read_only: Some(data_read_only),
                ..Default::default()
            },
            VolumeMount {
                name: "tmp".into(),
                mount_path: "/tmp".into(),
                ..Default::default()
            },
        ]),
        ..Default::default()
    }
}

/// A pod of the app: not root, the runtime's seccomp profile, the shared claim and a `/tmp`.
fn pod(service_account: Option<&str>, containers: Vec<Container>) -> PodSpec {
    PodSpec {
        service_account_name: service_account.map(Into::into),
        // Pod Identity mounts its own token; the Kubernetes API token is not needed.
        automount_service_account_token: Some(false),
        security_context: Some(secure::pod_security()),
        containers,
        volumes: Some(vec![
            Volume {
                name: "data".into(),
                persistent_volume_claim: Some(PersistentVolumeClaimVolumeSource {
                    claim_name: DATA_VOLUME_CLAIM.into(),
                    ..Default::default()
                }),
                ..Default::default()
            },
            Volume {
                name: "tmp".into(),
                empty_dir: Some(EmptyDirVolumeSource::default()),
                ..Default::default()
            },
        ]),
        ..Default::default()
    }
}

/// The Flask API: the shared data read-only, ready once it accepts connections.
fn api_deployment(name: &str, image: String) -> Deployment {
    let probe = Probe {
        tcp_socket: Some(TCPSocketAction {
            port: IntOrString::Int(API_PORT),
            ..Default::default()
        }),
        period_seconds: Some(10),
        ..Default::default()
    };
    let api = Container {
        ports: Some(vec![ContainerPort {
            container_port: API_PORT,
            protocol: Some("TCP".into()),
            ..Default::default()
        }]),
        readiness_probe: Some(probe.clone()),
        liveness_probe: Some(Probe {
            initial_delay_seconds: Some(30),
            ..probe
        }),
        resources: Some(secure::resources(("250m", "512Mi"), ("1", "1Gi"))),
        ..container(name, image, true)
    };
    Deployment {
        metadata: meta(name),
        spec: Some(DeploymentSpec {
            replicas: Some(2),
            selector: LabelSelector {
                match_labels: Some(labels(name)),
                ..Default::default()
            },
            template: PodTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: Some(labels(name)),
                    ..Default::default()
                }),
                spec: Some(pod(None, vec![api])),
            },
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// The API's pods, which the binding registers in the target group of the stack's load
/// balancer (`api_endpoint`): a cluster-internal Service, no load balancer of Kubernetes'.
fn api_service(name: &str) -> Service {
    Service {
        metadata: meta(name),
        spec: Some(ServiceSpec {
            selector: Some(labels(name)),
            ports: Some(vec![ServicePort {
                port: API_PORT,
                target_port: Some(IntOrString::Int(API_PORT)),
                protocol: Some("TCP".into()),
                ..Default::default()
            }]),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// What may reach the API's pods: anything, on the API's port only (the load balancer forwards
/// from addresses that are not known in advance); nothing else.
fn api_ingress(name: &str) -> NetworkPolicy {
    secure::ingress_on_port(meta(name), labels(name), API_PORT)
}

/// Two to four API pods, on CPU.
fn api_autoscaler(name: &str) -> HorizontalPodAutoscaler {
    HorizontalPodAutoscaler {
        metadata: meta(name),
        spec: Some(HorizontalPodAutoscalerSpec {
            scale_target_ref: CrossVersionObjectReference {
                api_version: Some("apps/v1".into()),
                kind: "Deployment".into(),
                name: name.into(),
            },
            min_replicas: Some(2),
            max_replicas: 4,
            metrics: Some(vec![MetricSpec {
                type_: "Resource".into(),
                resource: Some(ResourceMetricSource {
                    name: "cpu".into(),
                    target: MetricTarget {
                        type_: "Utilization".into(),
                        average_utilization: Some(70),
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

/// A data job on `schedule`: the init container copies the raw files of `bucket` onto the
/// shared volume (000: "downloads the data files from an S3 bucket"), then the job's image
/// processes them. One run at a time.
fn job(name: &str, schedule: &str, image: String, bucket: &str) -> CronJob {
    let resources = |cpu: &str, memory: &str| Some(secure::resources((cpu, memory), (cpu, memory)));
    let copy = Container {
        command: Some(
            ["aws", "s3", "cp", "--recursive"]
                .map(String::from)
                .into_iter()
                .chain([format!("s3://{bucket}/"), "/data/raw/".into()])
                .collect(),
        ),
        resources: resources("250m", "256Mi"),
        ..container("download", AWS_CLI_IMAGE.into(), false)
    };
    let work = Container {
        resources: resources("1", "2Gi"),
        ..container(name, image, false)
    };
    let spec = PodSpec {
        init_containers: Some(vec![copy]),
        restart_policy: Some("OnFailure".into()),
        ..pod(Some(DATA_JOBS_SERVICE_ACCOUNT), vec![work])
    };
    CronJob {
        metadata: meta(name),
        spec: Some(CronJobSpec {
            schedule: schedule.into(),
            concurrency_policy: Some("Forbid".into()),
            job_template: JobTemplateSpec {
                spec: Some(JobSpec {
                    backoff_limit: Some(2),
                    template: PodTemplateSpec {
                        metadata: Some(ObjectMeta {
                            labels: Some(labels(name)),
                            ..Default::default()
                        }),
                        spec: Some(spec),
                    },
                    ..Default::default()
                }),
                ..Default::default()
            },
            ..Default::default()
        }),
        ..Default::default()
    }
}
