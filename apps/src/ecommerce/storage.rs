//! The databases' storage on each region's cluster: Portworx, as 003 designs it, applied by
//! `cirrus deploy` after the region's stack.
//!
//! Why Portworx and not the EBS CSI driver: 003 keeps each database volume in three replicas
//! in different zones ("portworx ensures 3 copies of the volume"), so that a database pod that
//! Kubernetes reschedules into another zone finds its data there; an EBS volume lives in one
//! zone, and a pod moved out of it would wait for the zone to come back. Cloud Snap then pushes
//! the volumes' snapshots to the bucket production replicates to the DR region.
//!
//! - The `portworx` namespace, where the operator runs the cluster under the service account
//!   the stack's role is associated with (EKS Pod Identity: EBS volumes, Cloud Snap bucket).
//! - Portworx's chart (pinned): the operator and a `StorageCluster` on the storage nodes only
//!   (label `node-role=storage`, tolerating their `storage=true:NoSchedule` taint), one per
//!   zone, each with a gp3 drive for volumes and one for the internal key-value database (no
//!   etcd to run), CSI on, telemetry to Pure Storage off.
//! - The `px-db` `StorageClass`: three replicas, the database I/O profile, high I/O priority,
//!   volumes that grow, and kept when their claim is deleted; every claim of it gets cloud
//!   snapshots on a schedule, with Cloud Snap's credential made by a Job (`cloudsnap.rs`).
//!
//! Left to the account owner: a Portworx Enterprise license (without one, the cluster runs the
//! 30-day trial).

use std::collections::BTreeMap;

use cirrus_aws::eks::k8s::Object;
use cirrus_aws::eks::{Cluster, HelmChart, KubernetesManifest};
use k8s_openapi::api::core::v1::Namespace;
use k8s_openapi::api::storage::v1::StorageClass;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde_json::json;

use super::cloudsnap;
use super::config::{
    DATABASE_STORAGE_CLASS, PORTWORX_CHART, PORTWORX_DRIVE_GIB, PORTWORX_SERVICE_ACCOUNT,
};

/// The label of the storage nodes (`storefront::node_groups` gives it), where Portworx runs.
pub(super) const STORAGE_ROLE: (&str, &str) = ("node-role", "storage");
/// The taint that keeps everything but Portworx and the databases off the storage nodes.
pub(super) const STORAGE_TAINT: (&str, &str) = ("storage", "true");

/// Adds Portworx, the databases' `StorageClass` and Cloud Snap (to `bucket`, a token of the
/// region's Cloud Snap bucket name, in `region`) to `cluster`; returns the class's step, which
/// the databases' objects follow.
pub fn install<'a>(
    cluster: &Cluster<'a>,
    cluster_name: &str,
    bucket: &str,
    region: &str,
) -> KubernetesManifest<'a> {
    let (namespace, _) = PORTWORX_SERVICE_ACCOUNT;
    let namespace_object = Namespace {
        metadata: ObjectMeta {
            name: Some(namespace.into()),
            ..Default::default()
        },
        ..Default::default()
    };
    let home = cluster.add_manifest("PortworxNamespace", [Object::new(&namespace_object)]);
    let drive = format!("type=gp3,size={PORTWORX_DRIVE_GIB}");
    let (repository, chart, version) = PORTWORX_CHART;
    let values = json!({
        "clusterName": cluster_name,
        "EKSInstall": true,
        "drives": drive,
        "internalKVDB": true,
        "kvdbDevice": drive,
        "maxStorageNodesPerZone": 1,
        "nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [{
                    "matchExpressions": [{
                        "key": STORAGE_ROLE.0,
                        "operator": "In",
                        "values": [STORAGE_ROLE.1],
                    }],
                }],
            },
        },
        "tolerations": [{
            "key": STORAGE_TAINT.0,
            "operator": "Equal",
            "value": STORAGE_TAINT.1,
            "effect": "NoSchedule",
        }],
        "csi": { "enabled": true },
        "stork": { "enabled": true },
        "monitoring": { "telemetry": false },
    });
    let release = cluster.add_helm_chart(
        "Portworx",
        HelmChart::new(repository, chart, version)
            .namespace(namespace)
            .values(values)
            // Stork registers it when it starts, once Portworx is up.
            .crds(vec![(
                "stork.libopenstorage.org".into(),
                "SchedulePolicy".into(),
            )])
            // Portworx's first start on new nodes: images, drives, its key-value database.
            .timeout_seconds(1200),
    );
    release.add_dependency(&home);

    let class = StorageClass {
        metadata: ObjectMeta {
            name: Some(DATABASE_STORAGE_CLASS.into()),
            ..Default::default()
        },
        provisioner: "pxd.portworx.com".into(),
        parameters: Some(BTreeMap::from([
            ("repl".to_owned(), "3".to_owned()),
            ("io_profile".to_owned(), "db_remote".to_owned()),
            ("priority_io".to_owned(), "high".to_owned()),
            cloudsnap::class_parameter(),
        ])),
        allow_volume_expansion: Some(true),
        reclaim_policy: Some("Retain".into()),
        volume_binding_mode: Some("WaitForFirstConsumer".into()),
        ..Default::default()
    };
    let mut objects = vec![Object::new(&class)];
    objects.extend(cloudsnap::objects(bucket, region));
    let classes = cluster.add_manifest("DatabaseStorage", objects);
    classes.add_dependency(&release);
    classes
}
