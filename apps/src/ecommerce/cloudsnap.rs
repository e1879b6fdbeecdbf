//! Cloud Snap on each region's cluster, without a step by hand: the credential Portworx pushes
//! the database volumes' snapshots to the region's bucket with, and the schedule that takes
//! them (003: "Cloud Snap ... take the snapshot of one or more individual container volumes
//! ..., push to any storage service, e.g., S3, and pull down to another environment").
//!
//! - **The credential**: a `Job` in Portworx's namespace that does what `pxctl credentials
//!   create --provider s3 --use-iam` does, through the Portworx SDK's REST gateway (the
//!   operator's `portworx-api` Service): an S3 credential for the region's Cloud Snap bucket
//!   that holds no key (Portworx signs with its pods' role, which the stack grants the bucket
//!   and its key). The script (`cloudsnap_credentials.py`) waits for the API, leaves an equal
//!   credential as it is and refuses one of the same name for another bucket, so applying the
//!   step again is harmless. `deploy` waits for the Job to complete and fails with its reason
//!   when it fails. The Job's pod talks to no Kubernetes API and gets no token, and admits no
//!   traffic. Its
//!   name ends with a hash of its pod template, which a Job cannot change: a new script is a
//!   new Job.
//! - **The schedule**: Stork's `SchedulePolicy` (hourly, and daily at night, each kept for a
//!   while), and the `px-db` class's parameter that makes Stork give every claim of the class a
//!   `VolumeSnapshotSchedule` of cloud snapshots under that policy (003: the "StorageClass file
//!   to define ... snapshot schedule"). The class names the policy; the times and counts live
//!   in the policy, which can change later (a class's parameters cannot). Snapshots are kept
//!   when their claim or schedule is deleted (`Retain`): they are the backups.
//!
//! Stork registers `SchedulePolicy` when it starts, after Portworx's chart has been installed;
//! the chart's release declares the kind, and the runner waits until the cluster serves it.
//! Portworx uses the cluster's only credential for cloud snapshots that name none; restoring in
//! the DR region after a failover stays an operator's runbook step.

use cirrus_aws::eks::k8s::workload::{self, env, labels};
use cirrus_aws::eks::k8s::{CustomResource, Object, ObjectError, secure};
use k8s_openapi::api::core::v1::Container;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Serialize;
use serde_json::json;

use super::config::{CLOUDSNAP_SCHEDULE, CREDENTIALS_IMAGE, PORTWORX_SERVICE_ACCOUNT};

/// The script the credential Job runs.
pub const CREDENTIALS_SCRIPT: &str = include_str!("cloudsnap_credentials.py");

/// The name of the Job, its service account and its pods' `app` label.
const CREDENTIALS_JOB: &str = "cloudsnap-credentials";

/// The name of the Cloud Snap credential on each cluster.
pub const CREDENTIAL_NAME: &str = "ecommerce-cloudsnap";

/// The name of the snapshot policy the `px-db` class names.
pub const POLICY_NAME: &str = "px-db-cloudsnap";

/// The Portworx SDK's REST gateway: the operator's `portworx-api` Service in Portworx's
/// namespace always listens on 9021, whatever ports the nodes use.
fn gateway() -> String {
    let (namespace, _) = PORTWORX_SERVICE_ACCOUNT;
    format!("http://portworx-api.{namespace}.svc:9021")
}

/// Stork's schedule policy (stork.libopenstorage.org/v1alpha1, cluster-scoped).
#[derive(Debug, Clone, Serialize)]
pub struct SchedulePolicy {
    pub metadata: ObjectMeta,
    pub policy: PolicyItems,
}

impl CustomResource for SchedulePolicy {
    const API_VERSION: &'static str = "stork.libopenstorage.org/v1alpha1";
    const KIND: &'static str = "SchedulePolicy";
    const NAMESPACED: bool = false;
}

/// `SchedulePolicy.policy`: the kinds of trigger it has.
#[derive(Debug, Clone, Serialize)]
pub struct PolicyItems {
    pub interval: Interval,
    pub daily: Daily,
}

/// A trigger every `interval_minutes`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Interval {
    pub interval_minutes: u32,
    pub retain: u32,
}

/// A trigger each day at `time`.
#[derive(Debug, Clone, Serialize)]
pub struct Daily {
    pub time: String,
    pub retain: u32,
}

/// The `px-db` class's parameter that schedules cloud snapshots of every claim: `(key, value)`.
/// Stork reads the value as YAML (JSON is YAML): the policy, `Retain` (the snapshots outlive
/// their schedule), and the annotation that makes Portworx's snapshots cloud snapshots.
pub fn class_parameter() -> (String, String) {
    let schedule = json!({
        "schedulePolicyName": POLICY_NAME,
        "reclaimPolicy": "Retain",
        "annotations": { "portworx/snapshot-type": "cloud" },
    });
    (
        "snapshotschedule.stork.libopenstorage.org/cloud".into(),
        schedule.to_string(),
    )
}

/// The policy, and the Job that creates the credential for `bucket` (a token of the stack's
/// bucket name) in `region`.
pub fn objects(bucket: &str, region: &str) -> Vec<Result<Object, ObjectError>> {
    let schedule = CLOUDSNAP_SCHEDULE;
    let policy = SchedulePolicy {
        metadata: ObjectMeta {
            name: Some(POLICY_NAME.into()),
            ..Default::default()
        },
        policy: PolicyItems {
            interval: Interval {
                interval_minutes: schedule.every_minutes,
                retain: schedule.keep,
            },
            daily: Daily {
                time: schedule.daily_at.into(),
                retain: schedule.keep_daily,
            },
        },
    };
    let (namespace, _) = PORTWORX_SERVICE_ACCOUNT;
    let container = Container {
        command: Some(vec![
            "python3".into(),
            "-c".into(),
            CREDENTIALS_SCRIPT.into(),
        ]),
        env: Some(vec![
            env("PORTWORX_API", gateway()),
            env("CREDENTIAL_NAME", CREDENTIAL_NAME),
            env("BUCKET", bucket),
            env("REGION", region),
            // Portworx's first start on new nodes (images, drives, its key-value database).
            env("WAIT_SECONDS", "1800"),
        ]),
        resources: Some(secure::resources(("50m", "64Mi"), ("200m", "128Mi"))),
        // The tag is a release of a public image that is rebuilt in place for security fixes.
        image_pull_policy: Some("Always".into()),
        ..workload::container(CREDENTIALS_JOB, CREDENTIALS_IMAGE)
    };
    let pod = workload::pod(Some(CREDENTIALS_JOB), vec![container], vec![]);
    // A Job's pod template cannot change: a new template is a new Job (the step prunes the
    // old one). A pod spec always serializes; the fallback only keeps the name stable.
    let template = serde_json::to_string(&pod).unwrap_or_default();
    let hash = cirrus_core::id::path_hash(&[template]).to_lowercase();
    let app = labels([("app", CREDENTIALS_JOB)]);
    // `deploy` waits for the credential, and reports why when it cannot be made.
    let job = workload::awaited(workload::job(
        workload::meta(&format!("{CREDENTIALS_JOB}-{hash}"), namespace),
        app.clone(),
        6,
        pod,
    ));
    vec![
        Object::custom(&policy),
        Object::new(&workload::service_account(CREDENTIALS_JOB, namespace)),
        Object::new(&job),
        Object::new(&secure::no_ingress(
            workload::meta(CREDENTIALS_JOB, namespace),
            app,
        )),
    ]
}
