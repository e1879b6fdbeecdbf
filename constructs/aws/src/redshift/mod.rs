//! Amazon Redshift: provisioned clusters that are private, encrypted, TLS-only and audited.

mod cluster;
mod names;
mod node_type;

pub use cluster::{AuditLogging, Cluster, ClusterProps};
pub use node_type::NodeType;
