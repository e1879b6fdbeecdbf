//! EC2 networking: the VPC contract other constructs use, security groups, ports and peers.

mod peer;
mod security_group;
mod vpc_api;

pub use peer::{Peer, Port};
pub use security_group::{
    ISecurityGroup, ImportedSecurityGroup, SecurityGroup, SecurityGroupProps,
};
pub use vpc_api::{IVpc, ImportedVpc, Subnet, SubnetType, VpcAttributes};
