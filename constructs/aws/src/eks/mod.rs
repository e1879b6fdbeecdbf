//! EKS: clusters on the native `AWS::EKS::Cluster` (no Lambda-backed custom resources),
//! managed node groups, add-ons, access entries and Pod Identity; and what runs on a cluster:
//! typed Kubernetes objects ([`Cluster::add_manifest`], made with [`k8s::Object`]), pinned Helm
//! releases ([`Cluster::add_helm_chart`]) and service accounts that take grants
//! ([`Cluster::add_service_account`]), written to `synth-out/` as YAML, checked at synthesis and
//! applied by the runner's `deploy` after the stacks: directly, or, for a private endpoint,
//! through the cluster's in-VPC CodeBuild deployer (`WorkloadDeployer`).
//!
//! ```
//! use cirrus_aws::ec2::{Vpc, VpcAttributes};
//! use cirrus_aws::eks::{
//!     AccessPolicy, AccessScope, Cluster, ClusterProps, EndpointAccess, ICluster, Nodegroup,
//!     NodegroupProps,
//! };
//! use cirrus_aws::iam::{Principal, Role, RoleProps};
//! use cirrus_core::{App, StackProps, fns};
//!
//! let app = App::new("shop");
//! let stack = app.stack("Platform", StackProps::default());
//! let subnet = |i: i64, id: &str| (id.into(), fns::select(i, fns::get_azs("")), "rtb-0123456789abcdef0".into());
//! let vpc = Vpc::from_attributes(stack, "Vpc", VpcAttributes {
//!     vpc_id: "vpc-0a1b2c3d4e5f60718".into(),
//!     cidr_block: "10.0.0.0/16".into(),
//!     public_subnets: vec![],
//!     private_subnets: vec![subnet(0, "subnet-0a1b2c3d4e5f60718"), subnet(1, "subnet-0f1e2d3c4b5a69788")],
//!     isolated_subnets: vec![],
//! });
//! let cluster = Cluster::new(stack, "Cluster", &vpc, ClusterProps {
//!     cluster_name: Some("shop".into()),
//!     endpoint_access: EndpointAccess::PublicAndPrivate(vec!["203.0.113.0/24".into()]),
//!     ..Default::default()
//! });
//! cluster.add_core_addons();
//! Nodegroup::new(stack, "Nodes", &cluster, NodegroupProps::default());
//! let admin = Role::new(stack, "Admin", Principal::this_account(), RoleProps::default());
//! cluster.grant_access("Admin", admin.arn(), AccessPolicy::ClusterAdmin, AccessScope::Cluster);
//! cluster.grant_describe(&admin);
//! assert!(app.synth().is_ok());
//! ```

mod access;
mod addon;
mod cluster;
mod deployer;
mod helm;
mod manifest;
mod names;
mod nodegroup;
mod operators;
mod pipeline_manifest;
mod service_account;
mod version;
mod workloads;

pub use crate::codebuild::{Digest, HELM, KUBECTL, PinnedTool};
pub use access::{AccessPolicy, AccessScope};
pub use addon::{AddonProps, AddonTiming, ResolveConflicts, addons};
pub(crate) use cluster::AccessRecord;
pub use cluster::{
    AuthenticationMode, Cluster, ClusterLogType, ClusterProps, EndpointAccess, ICluster,
    ImportedCluster, SecretsEncryption, UpgradeSupport,
};
pub use deployer::WorkloadDeployer;
pub use helm::{HelmChart, HelmRelease};
pub use manifest::KubernetesManifest;
pub use nodegroup::{
    AmiType, CapacityType, MaxUnavailable, Nodegroup, NodegroupProps, Taint, TaintEffect,
};
pub use operators::OperatorAccess;
pub use pipeline_manifest::{PipelineManifest, PipelineValues};
pub use service_account::ServiceAccount;
pub use version::KubernetesVersion;

/// The Kubernetes object model the cluster's manifests take (`Object`, `CustomResource`).
pub use cirrus_k8s as k8s;
