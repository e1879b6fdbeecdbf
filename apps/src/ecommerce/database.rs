//! The storefront's database on each region's cluster, applied with the storefront: 003's
//! "DB_Config (DB-PVC) file to set the configuration details for the database and include PVC
//! name to associate the configuration with the claim".
//!
//! PostgreSQL in a `StatefulSet` of one pod on the storage nodes, where Portworx runs: its
//! volume is a claim of the `px-db` class, which Portworx keeps in three replicas in different
//! zones ("topology-aware replica on some other node in the cluster in a different AZ"), so when
//! a node or zone is lost Kubernetes starts the pod again on a storage node that holds a replica
//! (003: "reschedule the pod which runs the DB in the cluster to the node that has the copy of
//! the data"), and the volume is kept when the set or the claim goes. The password is the file
//! of the Kubernetes Secret the External Secrets Operator keeps equal to the region's Secrets
//! Manager secret, the one the storefront reads. A headless Service gives the pod its name
//! (`storefront-db`, the storefront's `DB_HOST`); a `NetworkPolicy` admits the storefront's
//! pods on PostgreSQL's port and nothing else.
//!
//! The pod is locked down like every other: no root (its user owns the volume through
//! `fsGroup`), no privileges, a read-only root filesystem with the socket directory and `/tmp`
//! as `emptyDir`s, CPU and memory requests and limits.

use cirrus_aws::eks::k8s::workload::{
    self, delayed, empty_dir, labels, mount, mount_read_only, secret_volume, tcp_port, tcp_probe,
};
use cirrus_aws::eks::k8s::{Object, ObjectError, secure};
use k8s_openapi::api::core::v1::{Container, PodSecurityContext, PodSpec, Toleration};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::config::{DATABASE_IMAGE, DATABASE_SIZE, DATABASE_STORAGE_CLASS, SHOP_NAMESPACE};
use super::storage::{STORAGE_ROLE, STORAGE_TAINT};

/// The database's name: its StatefulSet, its Service (the host the storefront connects to),
/// its service account and its pods' `app` label.
pub const DATABASE: &str = "storefront-db";

/// PostgreSQL's port.
const PORT: i32 = 5432;

/// Where PostgreSQL keeps its data: the claim's volume, with the cluster in a directory of its
/// own (the volume's root is not empty on every file system).
const DATA: &str = "/var/lib/postgresql/data";

/// The database's objects in the shop's namespace; its password is key `password` of the
/// Secret `secret`, mounted at `secret_mount`; `clients` are the labels of the pods that may
/// connect.
pub fn objects(
    secret: &str,
    secret_mount: &str,
    clients: &[(&str, &str); 1],
) -> Vec<Result<Object, ObjectError>> {
    let app = labels([("app", DATABASE)]);
    let meta = || ObjectMeta {
        labels: Some(app.clone()),
        ..workload::meta(DATABASE, SHOP_NAMESPACE)
    };
    let postgres = Container {
        // The tag is a release of a public image that is rebuilt in place for security fixes.
        image_pull_policy: Some("Always".into()),
        env: Some(vec![
            workload::env("POSTGRES_PASSWORD_FILE", format!("{secret_mount}/password")),
            workload::env("PGDATA", format!("{DATA}/pgdata")),
        ]),
        ports: Some(vec![tcp_port(PORT)]),
        readiness_probe: Some(tcp_probe(PORT)),
        liveness_probe: Some(delayed(tcp_probe(PORT), 30)),
        resources: Some(secure::resources(("500m", "1Gi"), ("2", "4Gi"))),
        volume_mounts: Some(vec![
            mount("data", DATA),
            mount("run", "/var/run/postgresql"),
            mount("tmp", "/tmp"),
            mount_read_only("password", secret_mount),
        ]),
        ..workload::container("postgres", DATABASE_IMAGE)
    };
    let volumes = vec![
        empty_dir("run"),
        empty_dir("tmp"),
        secret_volume("password", secret),
    ];
    let (role, storage) = (STORAGE_ROLE, STORAGE_TAINT);
    let pod = PodSpec {
        node_selector: Some(labels([role])),
        tolerations: Some(vec![Toleration {
            key: Some(storage.0.into()),
            operator: Some("Equal".into()),
            value: Some(storage.1.into()),
            effect: Some("NoSchedule".into()),
            ..Default::default()
        }]),
        security_context: Some(PodSecurityContext {
            fs_group: Some(secure::NON_ROOT_USER),
            ..secure::pod_security()
        }),
        ..workload::pod(Some(DATABASE), vec![postgres], volumes)
    };
    let data = ObjectMeta {
        name: Some("data".into()),
        ..Default::default()
    };
    let claim = workload::claim(data, DATABASE_STORAGE_CLASS, "ReadWriteOnce", DATABASE_SIZE);
    let set = workload::stateful_set(meta(), app.clone(), DATABASE, 1, pod, vec![claim]);
    vec![
        Object::new(&workload::service_account(DATABASE, SHOP_NAMESPACE)),
        Object::new(&workload::headless_service(meta(), app.clone(), PORT)),
        Object::new(&set),
        Object::new(&secure::ingress_from_pods(
            meta(),
            app,
            labels(*clients),
            PORT,
        )),
    ]
}
