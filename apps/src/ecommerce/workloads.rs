//! What runs on each region's cluster, applied by `cirrus deploy` after the region's stack:
//! 003's "kubectl ... to deploy the containerized application code to the cluster", typed.
//!
//! - The AWS Load Balancer Controller (Helm, pinned), which only binds pods to the target
//!   groups the stack owns (`TargetGroupBinding`s): its role may register and deregister targets
//!   of the blue and green groups and describe, nothing else (no load balancer of its own).
//! - The cluster autoscaler (Helm, pinned), with the role the stack gives
//!   `kube-system/cluster-autoscaler`.
//! - The External Secrets Operator (Helm, pinned), which keeps the Kubernetes Secret
//!   `storefront-db` equal to the region's Secrets Manager secret of the database's password;
//!   the storefront reads it from a file of its volume (`DB_PASSWORD_FILE`). The value is in
//!   no file of the app.
//! - The storefront in its namespace: a blue and a green `Deployment` (the image from the
//!   region's repository; ECR replicates it to the DR region), a `Service` each, and a
//!   `TargetGroupBinding` each, binding the blue pods to the blue target group and the green
//!   pods to the green one. The listener's weights ([`BLUE_WEIGHT`], [`GREEN_WEIGHT`]) decide
//!   which colour serves; a release deploys the new tag as green, tests it, then swaps.
//!
//! A `NetworkPolicy` admits traffic to the storefront's port only. Every container runs as a
//! non-root user without privileges, with a read-only root filesystem (`/tmp` is an
//! `emptyDir`) and CPU and memory requests and limits.
//!
//! [`BLUE_WEIGHT`]: super::config::BLUE_WEIGHT
//! [`GREEN_WEIGHT`]: super::config::GREEN_WEIGHT

use std::collections::BTreeMap;

use cirrus_aws::eks::k8s::workload::{
    self, delayed, empty_dir, http_probe, mount, mount_read_only, secret_volume, tcp_port,
};
use cirrus_aws::eks::k8s::{Object, secure};
use cirrus_aws::eks::{Cluster, HelmChart};
use cirrus_aws::iam::Role;
use cirrus_aws::prelude::*;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::Container;
use k8s_openapi::api::networking::v1::NetworkPolicy;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde_json::json;

use crate::{external_secrets, load_balancer_controller};

use super::database::DATABASE;

use super::config::{
    BLUE_TAG, CLUSTER_AUTOSCALER_CHART, GREEN_TAG, HEALTH_CHECK_PATH, RegionSpec, SHOP_NAMESPACE,
    STOREFRONT_PORT,
};

/// The storefront's service account and app label.
const STOREFRONT: &str = "storefront";
/// The Kubernetes Secret of the database's password (key `password`), and where the pods
/// read it.
const DATABASE_SECRET: &str = "storefront-db";
/// See [`DATABASE_SECRET`].
const SECRET_MOUNT: &str = "/var/run/secrets/storefront-db";

/// What the region's workloads need of its stack.
#[derive(Debug, Clone)]
pub struct Targets<'a> {
    /// The VPC's id (the controller cannot read it from the instance metadata).
    pub vpc_id: Expr<String>,
    /// The blue and green target groups' ARNs.
    pub blue: Expr<String>,
    /// See [`Targets::blue`].
    pub green: Expr<String>,
    /// The storefront's image repository URI in this region.
    pub images: Expr<String>,
    /// The name of the Secrets Manager secret of the storefront database's password.
    pub database_secret: String,
    /// The name of the region's Cloud Snap bucket.
    pub cloudsnap_bucket: Expr<String>,
    /// The role the AWS Load Balancer Controller runs with (trusting Pod Identity).
    pub controller_role: Role<'a>,
}

/// Adds the region's releases and objects to `cluster`.
pub fn workloads<'a>(
    cluster: &Cluster<'a>,
    spec: &RegionSpec,
    cluster_name: &str,
    targets: Targets<'a>,
) {
    let chart = |(repository, name, version): (&str, &str, &str)| {
        HelmChart::new(repository, name, version).namespace("kube-system")
    };
    let controller = load_balancer_controller::install(
        cluster,
        &targets.controller_role,
        vec![targets.blue.clone(), targets.green.clone()],
        (cluster_name, spec.region, targets.vpc_id.clone()),
    );
    cluster.add_helm_chart(
        "ClusterAutoscaler",
        chart(CLUSTER_AUTOSCALER_CHART).values(json!({
            "autoDiscovery": { "clusterName": cluster_name },
            "awsRegion": spec.region,
            "rbac": { "serviceAccount": { "name": "cluster-autoscaler" } },
        })),
    );

    let bucket = cluster.token(targets.cloudsnap_bucket);
    let storage = super::storage::install(cluster, cluster_name, &bucket, spec.region);

    // The role and its Pod Identity association are the stack's.
    let operator = cluster.add_helm_chart("ExternalSecrets", external_secrets::operator_chart());

    let images = cluster.token(targets.images);
    let port = i32::from(STOREFRONT_PORT);
    let namespace = workload::namespace(SHOP_NAMESPACE);
    let account = workload::service_account(STOREFRONT, SHOP_NAMESPACE);
    let mut objects = vec![Object::new(&namespace), Object::new(&account)];
    objects.extend(external_secrets::synced_secret(
        SHOP_NAMESPACE,
        spec.region,
        DATABASE_SECRET,
        &[("password", &targets.database_secret, None)],
    ));
    objects.extend(super::database::objects(
        DATABASE_SECRET,
        SECRET_MOUNT,
        &[("app", STOREFRONT)],
    ));
    for (colour, tag, target_group) in [
        ("blue", BLUE_TAG, targets.blue),
        ("green", GREEN_TAG, targets.green),
    ] {
        let name = format!("{STOREFRONT}-{colour}");
        let image = format!("{images}:{tag}");
        objects.push(Object::new(&deployment(&name, colour, image)));
        // The colour's pods inside the cluster; the binding registers their addresses.
        let service = workload::service(meta(&name, colour), labels(colour), port);
        objects.push(Object::new(&service));
        let arn = cluster.token(target_group);
        let binding = load_balancer_controller::binding(SHOP_NAMESPACE, &name, port, arn);
        objects.push(Object::custom(&binding));
    }
    objects.push(Object::new(&ingress_policy()));
    let storefront = cluster.add_manifest("Storefront", objects);
    // The bindings are of the controller's kind, the synced secret of the operator's.
    storefront.add_dependency(&controller);
    storefront.add_dependency(&operator);
    // The database's claim is of the storage class Portworx provisions.
    storefront.add_dependency(&storage);
}

fn labels(colour: &str) -> BTreeMap<String, String> {
    workload::labels([("app", STOREFRONT), ("colour", colour)])
}

fn meta(name: &str, colour: &str) -> ObjectMeta {
    ObjectMeta {
        labels: Some(labels(colour)),
        ..workload::meta(name, SHOP_NAMESPACE)
    }
}

/// One colour of the storefront, two pods: ready once its health path answers, as the target
/// group checks it.
fn deployment(name: &str, colour: &str, image: String) -> Deployment {
    let port = i32::from(STOREFRONT_PORT);
    let container = Container {
        ports: Some(vec![tcp_port(port)]),
        readiness_probe: Some(http_probe(HEALTH_CHECK_PATH, port)),
        liveness_probe: Some(delayed(http_probe(HEALTH_CHECK_PATH, port), 30)),
        // The password as a file of the Secret the operator keeps (not an environment
        // variable, which leaks into crash dumps and child processes).
        env: Some(vec![
            workload::env("DB_HOST", DATABASE),
            workload::env("DB_PASSWORD_FILE", format!("{SECRET_MOUNT}/password")),
        ]),
        resources: Some(secure::resources(("250m", "512Mi"), ("1", "1Gi"))),
        volume_mounts: Some(vec![
            mount("tmp", "/tmp"),
            mount_read_only("database", SECRET_MOUNT),
        ]),
        ..workload::container(STOREFRONT, image)
    };
    let volumes = vec![empty_dir("tmp"), secret_volume("database", DATABASE_SECRET)];
    let pod = workload::pod(Some(STOREFRONT), vec![container], volumes);
    workload::deployment(meta(name, colour), labels(colour), Some(2), pod)
}

/// What may reach the storefront's pods: the storefront's port only (the load balancer's
/// addresses are not known in advance; its security group is what admits it); nothing else.
fn ingress_policy() -> NetworkPolicy {
    let app = workload::labels([("app", STOREFRONT)]);
    let meta = workload::meta(STOREFRONT, SHOP_NAMESPACE);
    secure::ingress_on_port(meta, app, i32::from(STOREFRONT_PORT))
}
