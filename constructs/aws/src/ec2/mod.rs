//! EC2 networking: the VPC contract other constructs use, VPCs with their subnets and flow
//! logs, peering, security groups, ports and peers.

mod cidr;
mod flow_log;
mod peer;
mod security_group;
mod subnet_group;
mod vpc;
mod vpc_api;
mod vpc_peering;

pub use flow_log::{FlowLog, FlowLogDestination, FlowLogProps, FlowLogTraffic};
pub use peer::{Peer, Port};
pub(crate) use security_group::check_text;
pub use security_group::{
    ISecurityGroup, ImportedSecurityGroup, SecurityGroup, SecurityGroupProps,
};
pub use subnet_group::{GatewayEndpointService, NatGateways, SubnetGroup, SubnetSize};
pub use vpc::{Vpc, VpcProps};
pub use vpc_api::{IVpc, ImportedVpc, Subnet, SubnetType, VpcAttributes};
pub use vpc_peering::{VpcPeering, VpcPeeringProps};
