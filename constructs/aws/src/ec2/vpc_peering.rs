//! `VpcPeering`: a peering connection between two VPCs of the same account and region, with
//! the routes that make it carry traffic.

use cirrus_cfn::ec2::{CfnRoute, CfnVpcPeeringConnection};
use cirrus_core::{Construct, Expr, Node, ResourceRef};

use crate::codes;
use crate::ec2::cidr;
use crate::ec2::{IVpc, SubnetType};

/// Options of a peering connection.
#[derive(Debug, Clone, cirrus_derive::Setters)]
pub struct VpcPeeringProps {
    /// The kinds of requester subnets whose route tables get a route to the accepter's block.
    /// Default: private with egress and isolated (public subnets stay out of the peer).
    pub requester_subnets: Vec<SubnetType>,
    /// The kinds of accepter subnets whose route tables get a route to the requester's block.
    /// Default: private with egress and isolated.
    pub accepter_subnets: Vec<SubnetType>,
}

impl Default for VpcPeeringProps {
    fn default() -> Self {
        VpcPeeringProps {
            requester_subnets: vec![SubnetType::PrivateWithEgress, SubnetType::Isolated],
            accepter_subnets: vec![SubnetType::PrivateWithEgress, SubnetType::Isolated],
        }
    }
}

/// A peering connection between two VPCs of the same account and region (CloudFormation
/// accepts it on creation), plus a route to the other VPC's block in the chosen route tables
/// of each side. Everything is created in the scope's stack; when a VPC lives in another stack
/// of the app, its ids are exported and imported automatically.
///
/// Routes only: which traffic may cross is up to the security groups of each side.
#[derive(Debug, Clone, Copy)]
pub struct VpcPeering<'a> {
    node: Node<'a>,
    resource: ResourceRef<'a, CfnVpcPeeringConnection>,
}

impl<'a> Construct<'a> for VpcPeering<'a> {
    fn node(&self) -> Node<'a> {
        self.node
    }
}

impl<'a> VpcPeering<'a> {
    /// Peers `requester` with `accepter`. Their blocks must not overlap (when both are known
    /// literally, this is checked here; EC2 refuses the connection otherwise).
    pub fn new(
        scope: impl Construct<'a>,
        id: &str,
        requester: &impl IVpc<'a>,
        accepter: &impl IVpc<'a>,
        props: VpcPeeringProps,
    ) -> VpcPeering<'a> {
        let node = scope.node().add_child(id);
        if requester.id() == accepter.id() {
            node.error_with_hint(
                codes::ec2::PEERING_WITH_ITSELF,
                "a VPC cannot be peered with itself",
                "pass two different VPCs",
            );
        }
        check_blocks(node, &requester.cidr_block(), &accepter.cidr_block());
        let resource = node.add(
            "Resource",
            CfnVpcPeeringConnection::new(accepter.id(), requester.id()),
        );
        let peering = VpcPeering { node, resource };
        peering.add_routes(
            "Requester",
            requester,
            &props.requester_subnets,
            accepter.cidr_block(),
        );
        peering.add_routes(
            "Accepter",
            accepter,
            &props.accepter_subnets,
            requester.cidr_block(),
        );
        peering
    }

    /// The peering connection's id.
    pub fn id(&self) -> Expr<String> {
        self.resource.ref_()
    }

    /// The L1 resource.
    pub fn l1(&self) -> ResourceRef<'a, CfnVpcPeeringConnection> {
        self.resource
    }

    /// A route to `destination` through the peering in every distinct route table of the
    /// chosen subnets of `vpc`, named `<side>Route1`, `<side>Route2`, ...
    fn add_routes(
        &self,
        side: &str,
        vpc: &impl IVpc<'a>,
        kinds: &[SubnetType],
        destination: Expr<String>,
    ) {
        let mut tables: Vec<Expr<String>> = Vec::new();
        for kind in kinds {
            for subnet in vpc.subnets(*kind) {
                if !tables.contains(&subnet.route_table_id) {
                    tables.push(subnet.route_table_id);
                }
            }
        }
        if tables.is_empty() {
            self.node.error_with_hint(
                codes::ec2::PEERING_ROUTES_WITHOUT_SUBNETS,
                format!(
                    "the {} VPC has no subnets of the kinds chosen for its routes ({})",
                    side.to_lowercase(),
                    describe(kinds)
                ),
                format!(
                    "choose kinds the VPC has in {}_subnets",
                    side.to_lowercase()
                ),
            );
        }
        for (i, table) in tables.into_iter().enumerate() {
            self.node.add(
                &format!("{side}Route{}", i + 1),
                CfnRoute {
                    destination_cidr_block: Some(destination.clone()),
                    vpc_peering_connection_id: Some(self.id()),
                    ..CfnRoute::new(table)
                },
            );
        }
    }
}

fn describe(kinds: &[SubnetType]) -> String {
    if kinds.is_empty() {
        return "none".into();
    }
    kinds
        .iter()
        .map(|k| match k {
            SubnetType::Public => "public",
            SubnetType::PrivateWithEgress => "private with egress",
            SubnetType::Isolated => "isolated",
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Refuses overlapping blocks, when both are literals.
fn check_blocks(node: Node<'_>, requester: &Expr<String>, accepter: &Expr<String>) {
    let (Some(a), Some(b)) = (requester.as_literal(), accepter.as_literal()) else {
        return;
    };
    let (Ok(na), Ok(nb)) = (
        cidr::parse_block(a, "the requester's block"),
        cidr::parse_block(b, "the accepter's block"),
    ) else {
        return;
    };
    if cidr::overlaps(na, nb) {
        node.error_with_hint(codes::ec2::PEERING_BLOCKS_OVERLAP,
            format!("the blocks of the peered VPCs overlap: {na} and {nb}"),
            "peering needs disjoint blocks: give one of the VPCs another block, such as 10.1.0.0/16",
        );
    }
}
