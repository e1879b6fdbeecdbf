//! `Cluster::add_operator_access`: how people reach a cluster whose API endpoint is private,
//! without opening it.
//!
//! A private endpoint answers only inside the VPC. The way in chosen here needs nothing that
//! runs or is billed while nobody uses it: a security group that the cluster admits on 443,
//! which an operator gives to a shell started inside the VPC when needed, an AWS CloudShell
//! VPC environment (CloudShell's "Create VPC environment": the cluster's VPC, a private subnet,
//! this group) or an instance reached with Session Manager. A bastion with a public address or
//! a VPN would be standing infrastructure to patch and pay for; a public endpoint limited to
//! office CIDRs (`EndpointAccess::PublicAndPrivate`) is the other choice where those exist.
//! Who may do what inside Kubernetes stays with the access entries: the group only opens the
//! network path.

use cirrus_core::{Construct, Expr, fns};

use crate::ec2::{ISecurityGroup, IVpc, Peer, Port, SecurityGroup, SecurityGroupProps, SubnetType};
use crate::eks::access::child;
use crate::eks::cluster::{Cluster, ClusterState};

impl<'a> Cluster<'a> {
    /// A security group in `vpc` (the cluster's), under `Operators/<id>`, for shells that
    /// operators start inside the VPC to run kubectl against a private endpoint: the cluster
    /// admits it on 443, and it may only make HTTPS connections (the API server, AWS APIs, tool
    /// downloads through the NAT gateway). Give it, with one of the cluster's private subnets,
    /// to an AWS CloudShell VPC environment; then `aws eks update-kubeconfig --name <cluster>
    /// --role-arn <a role with an access entry>` and `kubectl` work there.
    pub fn add_operator_access(&self, id: &str, vpc: &impl IVpc<'a>) -> OperatorAccess<'a> {
        let node = child(Construct::node(self), "Operators");
        let name = self
            .state(|s: &mut ClusterState| s.deployer_plan.as_ref().map(|p| p.cluster_name.clone()))
            .map_or_else(
                || "this EKS cluster".to_owned(),
                |n| format!("EKS cluster {n}"),
            );
        let group = SecurityGroup::new(
            node,
            id,
            vpc,
            &format!("operator shells that run kubectl against {name}"),
            SecurityGroupProps::default(),
        );
        group.add_egress_rule(
            Peer::AnyIpv4,
            Port::Tcp(443),
            "HTTPS: the cluster API, AWS APIs and tool downloads",
        );
        self.allow_api_from(
            &format!("Operators{id}"),
            Peer::SecurityGroup(group.id()),
            "operator shells inside the VPC",
        );
        let subnets: Vec<Expr<String>> = vpc
            .subnets(SubnetType::PrivateWithEgress)
            .into_iter()
            .map(|s| s.subnet_id)
            .collect();
        OperatorAccess {
            group,
            subnet_ids: fns::join(",", subnets),
        }
    }
}

/// What an operator's shell needs ([`Cluster::add_operator_access`]): the security group, and
/// the private subnets it may start in.
#[derive(Debug, Clone)]
pub struct OperatorAccess<'a> {
    group: SecurityGroup<'a>,
    subnet_ids: Expr<String>,
}

impl<'a> OperatorAccess<'a> {
    /// The security group the cluster admits on 443.
    pub fn security_group(&self) -> SecurityGroup<'a> {
        self.group
    }

    /// The id of that group, for an output.
    pub fn security_group_id(&self) -> Expr<String> {
        self.group.id()
    }

    /// The cluster VPC's private subnets, comma-separated, for an output.
    pub fn subnet_ids(&self) -> Expr<String> {
        self.subnet_ids.clone()
    }
}
