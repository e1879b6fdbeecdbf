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
use cirrus_aws::eks::k8s::workload::{
    self, claim_volume, delayed, empty_dir, labels, mount, tcp_port, tcp_probe,
};
use cirrus_aws::eks::k8s::{Object, secure};
use cirrus_aws::eks::{Cluster, PipelineManifest, PipelineValues};
use cirrus_aws::prelude::*;
use cirrus_aws::s3::Bucket;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::batch::v1::CronJob;
use k8s_openapi::api::core::v1::{Container, PodSpec, VolumeMount};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

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
    let name = c.slug;
    let objects = match c.schedule {
        None => {
            let targets = values.value("API_TARGET_GROUP", api_targets.clone());
            let binding = load_balancer_controller::binding(K8S_NAMESPACE, name, API_PORT, targets);
            vec![
                Object::new(&api_deployment(name, image)),
                Object::new(&workload::service(meta(name), app(name), API_PORT)),
                Object::custom(&binding),
                // Two to four API pods, on CPU.
                Object::new(&workload::cpu_autoscaler(meta(name), name, (2, 4), 70)),
                // Anything may reach the API's port (the load balancer's addresses are not
                // known in advance); nothing else.
                Object::new(&secure::ingress_on_port(meta(name), app(name), API_PORT)),
            ]
        }
        Some(schedule) => {
            let bucket = values.value("DATA_BUCKET", data_files.name());
            vec![Object::new(&job(name, schedule, image, &bucket))]
        }
    };
    cluster.add_pipeline_manifest(c.id, values, objects)
}

fn meta(name: &str) -> ObjectMeta {
    ObjectMeta {
        labels: Some(app(name)),
        ..workload::meta(name, K8S_NAMESPACE)
    }
}

fn app(name: &str) -> BTreeMap<String, String> {
    labels([("app", name)])
}

/// A container locked down (no privileges, no root, a read-only root filesystem) with `/tmp`
/// writable and the shared volume at `/data`.
fn container(name: &str, image: String, data_read_only: bool) -> Container {
    Container {
        env: Some(vec![workload::env("HOME", "/tmp")]),
        volume_mounts: Some(vec![
            VolumeMount {
                read_only: Some(data_read_only),
                ..mount("data", "/data")
            },
            mount("tmp", "/tmp"),
        ]),
        ..workload::container(name, image)
    }
}

/// A pod of the app: not root, the runtime's seccomp profile, the shared claim and a `/tmp`.
fn pod(service_account: Option<&str>, containers: Vec<Container>) -> PodSpec {
    let volumes = vec![claim_volume("data", DATA_VOLUME_CLAIM), empty_dir("tmp")];
    workload::pod(service_account, containers, volumes)
}

/// The Flask API, two pods: the shared data read-only, ready once it accepts connections.
/// The binding registers them in the target group of the stack's load balancer
/// (`api_endpoint`), behind a cluster-internal Service.
fn api_deployment(name: &str, image: String) -> Deployment {
    let api = Container {
        ports: Some(vec![tcp_port(API_PORT)]),
        readiness_probe: Some(tcp_probe(API_PORT)),
        liveness_probe: Some(delayed(tcp_probe(API_PORT), 30)),
        resources: Some(secure::resources(("250m", "512Mi"), ("1", "1Gi"))),
        ..container(name, image, true)
    };
    workload::deployment(meta(name), app(name), Some(2), pod(None, vec![api]))
}

/// A data job on `schedule`: the init container copies the raw files of `bucket` onto the
/// shared volume (000: "downloads the data files from an S3 bucket"), then the job's image
/// processes them. One run at a time, retried twice.
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
    workload::cron_job(meta(name), schedule, app(name), 2, spec)
}
