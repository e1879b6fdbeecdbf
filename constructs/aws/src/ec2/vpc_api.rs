//! What constructs placed in a VPC need from it, whether the VPC is defined in the app or
//! imported.

use cirrus_core::{Construct, Expr, Node};

use crate::ec2::Vpc;

/// The kinds of subnets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SubnetType {
    /// Routed to an internet gateway; instances may have public addresses.
    Public,
    /// Private, with outbound internet access through NAT gateways.
    PrivateWithEgress,
    /// Private, with no route to the internet.
    Isolated,
}

/// A subnet, as other constructs refer to it.
#[derive(Debug, Clone, PartialEq)]
pub struct Subnet {
    /// The subnet id.
    pub subnet_id: Expr<String>,
    /// Its availability zone.
    pub availability_zone: Expr<String>,
    /// The route table associated with it.
    pub route_table_id: Expr<String>,
    /// What kind of subnet it is.
    pub kind: SubnetType,
}

/// A VPC, as the constructs placed in it see it.
pub trait IVpc<'a> {
    /// The VPC id.
    fn id(&self) -> Expr<String>;

    /// The VPC's primary IPv4 CIDR block.
    fn cidr_block(&self) -> Expr<String>;

    /// The subnets of one kind, in availability-zone order.
    fn subnets(&self, kind: SubnetType) -> Vec<Subnet>;

    /// The ids of the subnets of one kind.
    fn subnet_ids(&self, kind: SubnetType) -> Vec<Expr<String>> {
        self.subnets(kind)
            .into_iter()
            .map(|s| s.subnet_id)
            .collect()
    }

    /// The node whose resources give the private subnets their way out (NAT gateways and
    /// routes): constructs that need the internet while they are created depend on it.
    fn egress_dependency(&self) -> Option<Node<'a>> {
        None
    }
}

/// The attributes of a VPC defined elsewhere.
#[derive(Debug, Clone)]
pub struct VpcAttributes {
    /// The VPC id.
    pub vpc_id: Expr<String>,
    /// The primary CIDR block.
    pub cidr_block: Expr<String>,
    /// Public subnets: (subnet id, availability zone, route table id).
    pub public_subnets: Vec<(Expr<String>, Expr<String>, Expr<String>)>,
    /// Private subnets with egress, likewise.
    pub private_subnets: Vec<(Expr<String>, Expr<String>, Expr<String>)>,
    /// Isolated subnets, likewise.
    pub isolated_subnets: Vec<(Expr<String>, Expr<String>, Expr<String>)>,
}

/// A VPC defined elsewhere (another tool, another app), known by its attributes
/// ([`Vpc::from_attributes`]).
#[derive(Debug, Clone)]
pub struct ImportedVpc<'a> {
    node: Node<'a>,
    attrs: VpcAttributes,
}

impl<'a> Construct<'a> for ImportedVpc<'a> {
    fn node(&self) -> Node<'a> {
        self.node
    }
}

impl<'a> Vpc<'a> {
    /// An existing VPC, by its attributes: its id, CIDR block and subnets (with their
    /// availability zones and route tables), as constructs placed in it need them.
    pub fn from_attributes(
        scope: impl Construct<'a>,
        id: &str,
        attributes: VpcAttributes,
    ) -> ImportedVpc<'a> {
        ImportedVpc {
            node: scope.node().add_child(id),
            attrs: attributes,
        }
    }
}

impl<'a> IVpc<'a> for ImportedVpc<'a> {
    fn id(&self) -> Expr<String> {
        self.attrs.vpc_id.clone()
    }

    fn cidr_block(&self) -> Expr<String> {
        self.attrs.cidr_block.clone()
    }

    fn subnets(&self, kind: SubnetType) -> Vec<Subnet> {
        let list = match kind {
            SubnetType::Public => &self.attrs.public_subnets,
            SubnetType::PrivateWithEgress => &self.attrs.private_subnets,
            SubnetType::Isolated => &self.attrs.isolated_subnets,
        };
        list.iter()
            .map(|(id, az, rt)| Subnet {
                subnet_id: id.clone(),
                availability_zone: az.clone(),
                route_table_id: rt.clone(),
                kind,
            })
            .collect()
    }
}
