//! Resource attributes that steer CloudFormation's handling of a resource: deletion and
//! replacement policies, creation and update policies.

use crate::expr::Expr;
use crate::value::{ObjectBuilder, ToValue, Value};

/// What happens to a resource when it leaves the stack or is replaced: sets both the
/// `DeletionPolicy` and the `UpdateReplacePolicy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RemovalPolicy {
    /// Delete it.
    Destroy,
    /// Keep it, orphaned from the stack. What stateful resources (buckets, keys, logs) should do.
    Retain,
    /// Take a snapshot, then delete it. Only for the types that support snapshots.
    Snapshot,
    /// Keep it on update and stack deletion, but delete it when its creation failed.
    RetainOnUpdateOrDelete,
}

impl RemovalPolicy {
    /// The policy to apply to a resource, `named` when the template fixes its name: `Retain`
    /// becomes [`RemovalPolicy::RetainOnUpdateOrDelete`] for a named resource, the others stay.
    /// A named resource that survived the rollback of a failed first create (`Retain` keeps
    /// it) makes every retry fail with "already exists"; deleted when its own creation failed,
    /// it held nothing yet, and is kept on every later update and on stack deletion.
    pub fn for_name(self, named: bool) -> RemovalPolicy {
        match self {
            RemovalPolicy::Retain if named => RemovalPolicy::RetainOnUpdateOrDelete,
            other => other,
        }
    }

    pub(crate) fn policies(self) -> (DeletionPolicy, UpdateReplacePolicy) {
        match self {
            RemovalPolicy::Destroy => (DeletionPolicy::Delete, UpdateReplacePolicy::Delete),
            RemovalPolicy::Retain => (DeletionPolicy::Retain, UpdateReplacePolicy::Retain),
            RemovalPolicy::Snapshot => (DeletionPolicy::Snapshot, UpdateReplacePolicy::Snapshot),
            RemovalPolicy::RetainOnUpdateOrDelete => (
                DeletionPolicy::RetainExceptOnCreate,
                UpdateReplacePolicy::Retain,
            ),
        }
    }
}

/// The `DeletionPolicy` attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeletionPolicy {
    /// `Delete` (CloudFormation's default).
    Delete,
    /// `Retain`.
    Retain,
    /// `RetainExceptOnCreate`.
    RetainExceptOnCreate,
    /// `Snapshot`.
    Snapshot,
}

impl DeletionPolicy {
    /// The template value.
    pub fn as_str(self) -> &'static str {
        match self {
            DeletionPolicy::Delete => "Delete",
            DeletionPolicy::Retain => "Retain",
            DeletionPolicy::RetainExceptOnCreate => "RetainExceptOnCreate",
            DeletionPolicy::Snapshot => "Snapshot",
        }
    }
}

/// The `UpdateReplacePolicy` attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpdateReplacePolicy {
    /// `Delete` (CloudFormation's default).
    Delete,
    /// `Retain`.
    Retain,
    /// `Snapshot`.
    Snapshot,
}

impl UpdateReplacePolicy {
    /// The template value.
    pub fn as_str(self) -> &'static str {
        match self {
            UpdateReplacePolicy::Delete => "Delete",
            UpdateReplacePolicy::Retain => "Retain",
            UpdateReplacePolicy::Snapshot => "Snapshot",
        }
    }
}

/// The resource types whose deletion and replacement policies may be `Snapshot`, as
/// CloudFormation documents them.
pub const SNAPSHOT_TYPES: &[&str] = &[
    "AWS::DocDB::DBCluster",
    "AWS::EC2::Volume",
    "AWS::ElastiCache::CacheCluster",
    "AWS::ElastiCache::ReplicationGroup",
    "AWS::ElastiCache::ServerlessCache",
    "AWS::MemoryDB::Cluster",
    "AWS::Neptune::DBCluster",
    "AWS::RDS::DBCluster",
    "AWS::RDS::DBInstance",
    "AWS::Redshift::Cluster",
];

/// The `CreationPolicy` attribute: wait for success signals before the resource counts as
/// created.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CreationPolicy {
    /// `ResourceSignal`: how many signals to wait for, and how long. Default: none.
    pub resource_signal: Option<ResourceSignal>,
    /// `AutoScalingCreationPolicy.MinSuccessfulInstancesPercent`. Default: none.
    pub min_successful_instances_percent: Option<Expr<i64>>,
}

/// Success signals a resource waits for.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ResourceSignal {
    /// Number of success signals. Default: CloudFormation's (1).
    pub count: Option<Expr<i64>>,
    /// How long to wait, as an ISO 8601 duration (`PT15M`). Default: CloudFormation's (`PT5M`).
    pub timeout: Option<Expr<String>>,
}

impl ToValue for CreationPolicy {
    fn to_value(&self) -> Value {
        let mut out = ObjectBuilder::new();
        if let Some(percent) = &self.min_successful_instances_percent {
            let mut asg = ObjectBuilder::new();
            asg.field("MinSuccessfulInstancesPercent", percent);
            out.field("AutoScalingCreationPolicy", &asg.build());
        }
        if let Some(signal) = &self.resource_signal {
            let mut s = ObjectBuilder::new();
            s.optional("Count", &signal.count)
                .optional("Timeout", &signal.timeout);
            out.field("ResourceSignal", &s.build());
        }
        out.build()
    }
}

/// The `UpdatePolicy` attribute: how CloudFormation updates Auto Scaling groups, ElastiCache
/// replication groups, OpenSearch domains and Lambda aliases.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UpdatePolicy {
    /// `AutoScalingReplacingUpdate.WillReplace`: replace the whole group. Default: none.
    pub auto_scaling_replacing_update: Option<Expr<bool>>,
    /// `AutoScalingRollingUpdate`: replace instances in batches. Default: none.
    pub auto_scaling_rolling_update: Option<RollingUpdate>,
    /// `AutoScalingScheduledAction.IgnoreUnmodifiedGroupSizeProperties`. Default: none.
    pub ignore_unmodified_group_size_properties: Option<Expr<bool>>,
    /// `EnableVersionUpgrade` (OpenSearch). Default: none.
    pub enable_version_upgrade: Option<Expr<bool>>,
    /// `UseOnlineResharding` (ElastiCache). Default: none.
    pub use_online_resharding: Option<Expr<bool>>,
}

/// `AutoScalingRollingUpdate` settings.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RollingUpdate {
    /// Instances replaced at once. Default: CloudFormation's (1).
    pub max_batch_size: Option<Expr<i64>>,
    /// Instances kept in service during the update. Default: CloudFormation's (0).
    pub min_instances_in_service: Option<Expr<i64>>,
    /// Percentage of instances that must signal success. Default: CloudFormation's (100).
    pub min_successful_instances_percent: Option<Expr<i64>>,
    /// Pause after each batch, ISO 8601 (`PT5M`). Default: CloudFormation's.
    pub pause_time: Option<Expr<String>>,
    /// Auto Scaling processes suspended during the update. Default: none.
    pub suspend_processes: Option<Vec<Expr<String>>>,
    /// Wait for a success signal from each new instance. Default: CloudFormation's (false).
    pub wait_on_resource_signals: Option<Expr<bool>>,
}

impl ToValue for UpdatePolicy {
    fn to_value(&self) -> Value {
        let mut out = ObjectBuilder::new();
        if let Some(replace) = &self.auto_scaling_replacing_update {
            let mut r = ObjectBuilder::new();
            r.field("WillReplace", replace);
            out.field("AutoScalingReplacingUpdate", &r.build());
        }
        if let Some(rolling) = &self.auto_scaling_rolling_update {
            let mut r = ObjectBuilder::new();
            r.optional("MaxBatchSize", &rolling.max_batch_size)
                .optional("MinInstancesInService", &rolling.min_instances_in_service)
                .optional(
                    "MinSuccessfulInstancesPercent",
                    &rolling.min_successful_instances_percent,
                )
                .optional("PauseTime", &rolling.pause_time)
                .optional("SuspendProcesses", &rolling.suspend_processes)
                .optional("WaitOnResourceSignals", &rolling.wait_on_resource_signals);
            out.field("AutoScalingRollingUpdate", &r.build());
        }
        if let Some(ignore) = &self.ignore_unmodified_group_size_properties {
            let mut s = ObjectBuilder::new();
            s.field("IgnoreUnmodifiedGroupSizeProperties", ignore);
            out.field("AutoScalingScheduledAction", &s.build());
        }
        out.optional("EnableVersionUpgrade", &self.enable_version_upgrade)
            .optional("UseOnlineResharding", &self.use_online_resharding);
        out.build()
    }
}
