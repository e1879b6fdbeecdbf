//! Amazon EMR: long-running clusters in private subnets, encrypted at rest, with
//! least-privilege roles and security groups that CloudFormation can delete.
//!
//! An existing cluster is imported by id ([`Cluster::from_id`]) and granted like one of this
//! app ([`ICluster::grant_add_steps`]).

mod cluster;
mod instances;
mod release;
mod security_configuration;

pub use cluster::{
    Cluster, ClusterLogs, ClusterProps, Configuration, ICluster, ImportedCluster,
    MANAGED_POLICY_TAG,
};
pub use instances::{InstanceFleet, InstanceGroup, Instances, ManagedScaling, Market};
pub use release::{Application, ReleaseLabel};
pub use security_configuration::{
    InTransitEncryption, SecurityConfiguration, SecurityConfigurationProps,
};
