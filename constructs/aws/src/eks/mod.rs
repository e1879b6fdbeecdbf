//! EKS: clusters on the native `AWS::EKS::Cluster` (no Lambda-backed custom resources),
//! managed node groups, add-ons, access entries and Pod Identity.
//!
//! ```ignore
//! let cluster = Cluster::new(stack, "Cluster", &vpc, ClusterProps {
//!     cluster_name: Some("shop".into()),
//!     endpoint_access: EndpointAccess::PublicAndPrivate(vec!["203.0.113.0/24".into()]),
//!     ..Default::default()
//! });
//! cluster.add_core_addons();
//! Nodegroup::new(stack, "Nodes", &cluster, NodegroupProps::default());
//! cluster.grant_access("Admin", admin.arn(), AccessPolicy::ClusterAdmin, AccessScope::Cluster);
//! cluster.grant_describe(&admin);
//! ```

mod access;
mod addon;
mod cluster;
mod names;
mod nodegroup;
mod version;

pub use access::{AccessPolicy, AccessScope};
pub use addon::{AddonProps, AddonTiming, ResolveConflicts, addons};
pub(crate) use cluster::AccessRecord;
pub use cluster::{
    AuthenticationMode, Cluster, ClusterLogType, ClusterProps, EndpointAccess, ICluster,
    ImportedCluster, SecretsEncryption, UpgradeSupport,
};
pub use nodegroup::{
    AmiType, CapacityType, MaxUnavailable, Nodegroup, NodegroupProps, Taint, TaintEffect,
};
pub use version::KubernetesVersion;
