//! `Vpc`: a VPC with its subnets, route tables, internet and NAT gateways, and flow logs.

use cirrus_cfn::ec2::{
    CfnEip, CfnInternetGateway, CfnNatGateway, CfnRoute, CfnRouteTable, CfnSubnet,
    CfnSubnetRouteTableAssociation, CfnVpc, CfnVpcEndpoint, CfnVpcGatewayAttachment, vpc_endpoint,
};
use cirrus_core::{Construct, Expr, Node, NodeKey, ResourceKey, ResourceRef, Tag, Tags, fns};
use ipnet::Ipv4Net;

use crate::codes;
use crate::ec2::cidr::{self, GroupRequest};
use crate::ec2::{
    FlowLog, FlowLogProps, GatewayEndpointService, IVpc, NatGateways, Subnet, SubnetGroup,
    SubnetType,
};

/// The most availability zones a VPC spans here: no region offers more.
const MAX_ZONES: u8 = 6;

/// Options of a VPC.
#[derive(Debug, Clone, cirrus_derive::Setters)]
pub struct VpcProps<'a> {
    /// The VPC's IPv4 block, /16 to /28. Peered VPCs need blocks that do not overlap.
    /// Default: `10.0.0.0/16`.
    pub cidr: String,
    /// How many availability zones the subnets span, 1 to 6. The zones are the region's first
    /// ones (`Fn::Select [i, Fn::GetAZs ""]`), never names written into the template, so the
    /// region must offer that many (us-west-1 offers most accounts 2; the deployment fails
    /// otherwise). Default: 2.
    pub az_count: u8,
    /// The subnet groups, each with one subnet per zone. Default: `Public` (public) and
    /// `Private` (private with egress), evenly sized.
    pub subnet_groups: Vec<SubnetGroup>,
    /// How many NAT gateways serve the private-with-egress subnets. Default: one per zone.
    pub nat_gateways: NatGateways,
    /// The flow log of the VPC (`FlowLog`); `None` keeps no record of its traffic.
    /// Default: all traffic to a new CloudWatch Logs group, encrypted with the stack's logs
    /// key and kept one year (the AWS CDK keeps none).
    pub flow_logs: Option<FlowLogProps<'a>>,
    /// Gateway endpoints added to the route tables of the private and isolated subnets.
    /// Default: none.
    pub gateway_endpoints: Vec<GatewayEndpointService>,
    /// Tag the subnets for Kubernetes load balancers: `kubernetes.io/role/elb=1` on public
    /// subnets, `kubernetes.io/role/internal-elb=1` on private-with-egress ones, which the AWS
    /// Load Balancer Controller uses to place load balancers. Default: `false`.
    pub eks_subnet_tags: bool,
}

impl Default for VpcProps<'_> {
    fn default() -> Self {
        VpcProps {
            cidr: "10.0.0.0/16".into(),
            az_count: 2,
            subnet_groups: vec![
                SubnetGroup::public("Public"),
                SubnetGroup::private_with_egress("Private"),
            ],
            nat_gateways: NatGateways::PerAz,
            flow_logs: Some(FlowLogProps::default()),
            gateway_endpoints: Vec::new(),
            eks_subnet_tags: false,
        }
    }
}

/// One subnet as the VPC remembers it.
#[derive(Debug, Clone)]
struct SubnetRecord {
    group: String,
    group_index: usize,
    zone: usize,
    cidr: Option<String>,
    subnet: Subnet,
}

/// What a VPC keeps for its accessors and later additions.
#[derive(Debug, Default)]
struct VpcState {
    cidr: String,
    zones: usize,
    internet_gateway: Option<Expr<String>>,
    subnets: Vec<SubnetRecord>,
    /// The `Egress` node, when the VPC has NAT gateways.
    egress: Option<NodeKey>,
    /// The gateway endpoints added so far.
    gateway_endpoints: Vec<(GatewayEndpointService, ResourceKey<CfnVpcEndpoint>)>,
}

/// A VPC.
///
/// The defaults are the AWS CDK's where they are sound: `10.0.0.0/16` with DNS support and
/// hostnames, two availability zones, one public and one private-with-egress subnet in each
/// (an even split: /18s), an internet gateway, a NAT gateway per zone, a route table per
/// subnet. The construct ids are the CDK's too (`PublicSubnet1/Subnet`, `IGW`, `VPCGW`, ...),
/// so a VPC ported from the CDK keeps the logical ids of its VPC, subnets and route tables;
/// only the NAT gateways and the private default routes sit elsewhere, below `Egress`, the
/// node that [`IVpc::egress_dependency`] returns.
///
/// Where this VPC departs from the CDK's:
/// - **Flow logs are on** (all traffic, to an encrypted CloudWatch Logs group kept a year);
///   the CDK records nothing unless asked.
/// - **Public subnets do not give instances public addresses** unless the group asks for it
///   (`SubnetGroup::map_public_ip_on_launch`); the CDK gives every instance launched there
///   a public address.
/// - **Subnet blocks are aligned** to their size when masks are mixed; the CDK can produce
///   overlapping blocks there.
/// - The default security group keeps its rules: the CDK's `restrictDefaultSecurityGroup`
///   needs a Lambda-backed custom resource, which no construct here emits unasked. Nothing in
///   this library uses the default group.
#[derive(Debug, Clone, Copy)]
pub struct Vpc<'a> {
    node: Node<'a>,
    resource: ResourceRef<'a, CfnVpc>,
}

impl<'a> Construct<'a> for Vpc<'a> {
    fn node(&self) -> Node<'a> {
        self.node
    }
}

impl<'a> IVpc<'a> for Vpc<'a> {
    fn id(&self) -> Expr<String> {
        self.resource.ref_()
    }

    /// The block as written in the props: a literal, so that using it (in a peer's routes, in
    /// a security-group rule) needs no reference and no export.
    fn cidr_block(&self) -> Expr<String> {
        self.node
            .with_state(|state: &mut VpcState| state.cidr.clone())
            .into()
    }

    fn subnets(&self, kind: SubnetType) -> Vec<Subnet> {
        let mut records: Vec<SubnetRecord> = self
            .records()
            .into_iter()
            .filter(|r| r.subnet.kind == kind)
            .collect();
        records.sort_by_key(|r| (r.zone, r.group_index));
        records.into_iter().map(|r| r.subnet).collect()
    }

    /// The `Egress` node: the NAT gateways (with their addresses) and the private subnets'
    /// default routes. `None` when the VPC has no NAT gateways.
    fn egress_dependency(&self) -> Option<Node<'a>> {
        self.node
            .with_state(|state: &mut VpcState| state.egress)
            .and_then(|key| key.node(self.node.app()))
    }
}

fn name_tag(node: Node<'_>) -> Expr<cirrus_core::List<Tag>> {
    vec![Tag::new("Name", node.path())].into()
}

impl<'a> Vpc<'a> {
    /// A new VPC.
    pub fn new(scope: impl Construct<'a>, id: &str, props: VpcProps<'a>) -> Vpc<'a> {
        let node = scope.node().add_child(id);
        let zones = check_zones(node, props.az_count);
        let vpc_block = match cidr::parse_sized(&props.cidr, "the VPC CIDR block") {
            Ok(net) => Some(net),
            Err(p) => {
                node.error_with_hint(codes::ec2::VPC_CIDR_INVALID, p.message, p.hint);
                None
            }
        };
        let groups = &props.subnet_groups;
        let groups_ok = check_groups(node, groups);
        let nat_count = check_nat_gateways(node, groups, props.nat_gateways, zones);
        let blocks = match (vpc_block, groups_ok) {
            (Some(block), true) => carve(node, block, groups, zones),
            _ => None,
        };

        let resource = node.add(
            "Resource",
            CfnVpc {
                cidr_block: Some(props.cidr.clone().into()),
                enable_dns_hostnames: Some(true.into()),
                enable_dns_support: Some(true.into()),
                instance_tenancy: Some("default".into()),
                tags: Some(name_tag(node)),
                ..Default::default()
            },
        );
        let vpc_id = resource.ref_();

        let has_public = groups.iter().any(|g| g.kind == SubnetType::Public);
        let gateway = has_public.then(|| {
            let igw = node.add(
                "IGW",
                CfnInternetGateway {
                    tags: Some(name_tag(node)),
                },
            );
            let attachment = node.add(
                "VPCGW",
                CfnVpcGatewayAttachment {
                    internet_gateway_id: Some(igw.ref_()),
                    ..CfnVpcGatewayAttachment::new(vpc_id.clone())
                },
            );
            (igw, attachment)
        });

        let mut records = Vec::new();
        let mut subnet_nodes = Vec::new();
        for (g, group) in groups.iter().enumerate() {
            for zone in 0..zones {
                let subnet_node = node.add_child(&format!("{}Subnet{}", group.name, zone + 1));
                let az = fns::select(zone_index(zone), fns::get_azs(""));
                let block = blocks.as_ref().map(|b| b[g][zone].to_string());
                let mut tags = vec![Tag::new("Name", subnet_node.path())];
                if props.eks_subnet_tags {
                    match group.kind {
                        SubnetType::Public => tags.push(Tag::new("kubernetes.io/role/elb", "1")),
                        SubnetType::PrivateWithEgress => {
                            tags.push(Tag::new("kubernetes.io/role/internal-elb", "1"));
                        }
                        SubnetType::Isolated => {}
                    }
                }
                let subnet = subnet_node.add(
                    "Subnet",
                    CfnSubnet {
                        availability_zone: Some(az.clone()),
                        cidr_block: block.clone().map(Into::into),
                        map_public_ip_on_launch: Some(group.map_public_ip_on_launch.into()),
                        tags: Some(tags.into()),
                        ..CfnSubnet::new(vpc_id.clone())
                    },
                );
                for (key, value) in &group.tags {
                    Tags::of(&subnet).add(key, value.as_str());
                }
                let route_table = subnet_node.add(
                    "RouteTable",
                    CfnRouteTable {
                        tags: Some(name_tag(subnet_node)),
                        ..CfnRouteTable::new(vpc_id.clone())
                    },
                );
                let association = subnet_node.add(
                    "RouteTableAssociation",
                    CfnSubnetRouteTableAssociation::new(route_table.ref_(), subnet.ref_()),
                );
                let mut routing = vec![association.node()];
                if group.kind == SubnetType::Public
                    && let Some((igw, attachment)) = gateway
                {
                    let route = subnet_node.add(
                        "DefaultRoute",
                        CfnRoute {
                            destination_cidr_block: Some("0.0.0.0/0".into()),
                            gateway_id: Some(igw.ref_()),
                            ..CfnRoute::new(route_table.ref_())
                        },
                    );
                    // The route names the gateway but not its attachment, without which the
                    // gateway routes nothing.
                    route.add_dependency(&attachment);
                    routing.insert(0, route.node());
                }
                subnet_nodes.push((subnet_node, routing));
                records.push(SubnetRecord {
                    group: group.name.clone(),
                    group_index: g,
                    zone,
                    cidr: block,
                    subnet: Subnet {
                        subnet_id: subnet.ref_(),
                        availability_zone: az,
                        route_table_id: route_table.ref_(),
                        kind: group.kind,
                    },
                });
            }
        }

        let egress = if nat_count > 0 {
            Some(add_egress(node, &records, &subnet_nodes, nat_count).key())
        } else {
            None
        };

        node.with_state(|state: &mut VpcState| {
            state.cidr = props.cidr.clone();
            state.zones = zones;
            state.internet_gateway = gateway.map(|(igw, _)| igw.ref_());
            state.subnets = records;
            state.egress = egress;
        });
        let vpc = Vpc { node, resource };
        for service in props.gateway_endpoints {
            vpc.add_gateway_endpoint(service);
        }
        if let Some(flow_logs) = props.flow_logs {
            FlowLog::new(node, "FlowLog", &vpc, flow_logs);
        }
        vpc
    }

    fn records(&self) -> Vec<SubnetRecord> {
        self.node
            .with_state(|state: &mut VpcState| state.subnets.clone())
    }

    /// The L1 resource.
    pub fn l1(&self) -> ResourceRef<'a, CfnVpc> {
        self.resource
    }

    /// The subnets of the group named `name`, in zone order (empty for an unknown name).
    pub fn subnet_group(&self, name: &str) -> Vec<Subnet> {
        self.records()
            .into_iter()
            .filter(|r| r.group == name)
            .map(|r| r.subnet)
            .collect()
    }

    /// The blocks of the subnets of one kind, in the order of [`IVpc::subnets`] (empty when
    /// the VPC's blocks could not be carved).
    pub fn subnet_cidr_blocks(&self, kind: SubnetType) -> Vec<String> {
        let mut records: Vec<SubnetRecord> = self
            .records()
            .into_iter()
            .filter(|r| r.subnet.kind == kind)
            .collect();
        records.sort_by_key(|r| (r.zone, r.group_index));
        records.into_iter().filter_map(|r| r.cidr).collect()
    }

    /// The ids of the route tables of the subnets of one kind, in the order of
    /// [`IVpc::subnets`].
    pub fn route_table_ids(&self, kind: SubnetType) -> Vec<Expr<String>> {
        self.subnets(kind)
            .into_iter()
            .map(|s| s.route_table_id)
            .collect()
    }

    /// The availability zones, in order, as `Fn::Select` expressions.
    pub fn availability_zones(&self) -> Vec<Expr<String>> {
        let zones = self.node.with_state(|state: &mut VpcState| state.zones);
        (0..zones)
            .map(|z| fns::select(zone_index(z), fns::get_azs("")))
            .collect()
    }

    /// The internet gateway's id, when the VPC has public subnets.
    pub fn internet_gateway_id(&self) -> Option<Expr<String>> {
        self.node
            .with_state(|state: &mut VpcState| state.internet_gateway.clone())
    }

    /// Adds a gateway endpoint for `service` to the route tables of the private and isolated
    /// subnets (`S3Endpoint`, `DynamoDbEndpoint`) and returns its id. Adding the same service
    /// again returns the endpoint already there. Its policy is the default one (any action the
    /// caller's own policies allow), so it changes routing, not permissions.
    pub fn add_gateway_endpoint(&self, service: GatewayEndpointService) -> Expr<String> {
        let id = service.construct_id();
        let app = self.node.app();
        let existing = self.node.with_state(|state: &mut VpcState| {
            state
                .gateway_endpoints
                .iter()
                .find(|(s, _)| *s == service)
                .map(|(_, key)| *key)
        });
        if let Some(existing) = existing.and_then(|key| key.get(app)) {
            return existing.ref_();
        }
        let route_tables: Vec<Expr<String>> = self
            .subnets(SubnetType::PrivateWithEgress)
            .into_iter()
            .chain(self.subnets(SubnetType::Isolated))
            .map(|s| s.route_table_id)
            .collect();
        let endpoint_node = self.node.add_child(id);
        if route_tables.is_empty() {
            endpoint_node.error_with_hint(codes::ec2::GATEWAY_ENDPOINT_WITHOUT_ROUTES,
                format!(
                    "the {} gateway endpoint has no route tables: the VPC has no private or isolated subnets",
                    service.suffix()
                ),
                "add a private or isolated subnet group; public subnets reach the service through the internet gateway",
            );
        }
        let endpoint = endpoint_node.add(
            "Resource",
            CfnVpcEndpoint {
                service_name: Some(fns::sub(
                    &format!("com.amazonaws.${{AWS::Region}}.{}", service.suffix()),
                    [],
                )),
                vpc_endpoint_type: Some(vpc_endpoint::VpcEndpointType::Gateway.into()),
                route_table_ids: Some(route_tables.into()),
                ..CfnVpcEndpoint::new(self.id())
            },
        );
        let key = endpoint.key();
        self.node
            .with_state(|state: &mut VpcState| state.gateway_endpoints.push((service, key)));
        endpoint.ref_()
    }
}

fn zone_index(zone: usize) -> i64 {
    i64::try_from(zone).unwrap_or(i64::MAX)
}

fn check_zones(node: Node<'_>, az_count: u8) -> usize {
    if !(1..=MAX_ZONES).contains(&az_count) {
        node.error_with_hint(
            codes::ec2::AZ_COUNT_OUT_OF_RANGE,
            format!("az_count is {az_count}; a VPC here spans 1 to {MAX_ZONES} availability zones"),
            "2 is the default and 3 is common; no region offers more than 6 zones",
        );
    }
    usize::from(az_count.min(MAX_ZONES))
}

/// Checks the groups' names and options; false when the blocks cannot be carved.
fn check_groups(node: Node<'_>, groups: &[SubnetGroup]) -> bool {
    let mut ok = true;
    if groups.is_empty() {
        node.error_with_hint(
            codes::ec2::NO_SUBNET_GROUPS,
            "a VPC needs at least one subnet group",
            "leave subnet_groups unset for a public and a private subnet in every zone",
        );
    }
    for (i, group) in groups.iter().enumerate() {
        let name = &group.name;
        if !(name.starts_with(|c: char| c.is_ascii_alphabetic())
            && name.chars().all(|c| c.is_ascii_alphanumeric()))
        {
            node.error_with_hint(codes::ec2::SUBNET_GROUP_NAME_INVALID,
                format!("subnet group name \"{name}\" must be letters and digits, starting with a letter"),
                "the name makes the subnets' construct ids, such as PublicSubnet1",
            );
            ok = false;
        }
        if groups[..i].iter().any(|other| other.name == *name) {
            node.error_with_hint(
                codes::ec2::SUBNET_GROUP_DUPLICATE,
                format!("two subnet groups are named \"{name}\""),
                "give every subnet group its own name",
            );
            ok = false;
        }
        if group.map_public_ip_on_launch && group.kind != SubnetType::Public {
            node.error_with_hint(codes::ec2::PUBLIC_IP_ON_PRIVATE_SUBNETS,
                format!("subnet group \"{name}\" is not public, so it cannot map public IP addresses on launch"),
                "remove map_public_ip_on_launch, or make the group public",
            );
        }
    }
    ok
}

/// Checks the NAT gateway settings against the groups; the number of NAT gateways to create.
fn check_nat_gateways(
    node: Node<'_>,
    groups: &[SubnetGroup],
    nat: NatGateways,
    zones: usize,
) -> usize {
    let has_public = groups.iter().any(|g| g.kind == SubnetType::Public);
    let egress: Vec<&str> = groups
        .iter()
        .filter(|g| g.kind == SubnetType::PrivateWithEgress)
        .map(|g| g.name.as_str())
        .collect();
    if zones == 0 {
        return 0;
    }
    let count = match nat {
        NatGateways::PerAz if egress.is_empty() => 0,
        NatGateways::PerAz => zones,
        NatGateways::Count(n) => usize::from(n),
    };
    if let NatGateways::Count(n) = nat {
        if usize::from(n) > zones {
            node.error_with_hint(
                codes::ec2::NAT_MORE_THAN_ZONES,
                format!("{n} NAT gateways requested for {zones} availability zones"),
                "a zone holds at most one: use NatGateways::PerAz for one in every zone",
            );
        }
        if n > 0 && egress.is_empty() {
            node.error_with_hint(codes::ec2::NAT_WITHOUT_EGRESS_GROUP,
                format!("{n} NAT gateways requested, but no subnet group is private with egress"),
                "add a SubnetGroup::private_with_egress group, or leave nat_gateways at its default",
            );
        }
    }
    if !egress.is_empty() && count == 0 {
        node.error_with_hint(
            codes::ec2::EGRESS_WITHOUT_NAT,
            format!(
                "subnet group \"{}\" is private with egress, but nat_gateways is 0",
                egress[0]
            ),
            "use NatGateways::Count(1) or more, or make the group SubnetType::Isolated",
        );
    }
    if count > 0 && !has_public {
        node.error_with_hint(codes::ec2::NAT_WITHOUT_PUBLIC_SUBNET,
            format!(
                "NAT gateways need a public subnet, and the VPC has none (subnet group \"{}\" is private with egress)",
                egress.first().copied().unwrap_or_default()
            ),
            "add a SubnetGroup::public group, or make the private groups SubnetType::Isolated",
        );
        return 0;
    }
    count.min(zones)
}

fn carve(
    node: Node<'_>,
    block: Ipv4Net,
    groups: &[SubnetGroup],
    zones: usize,
) -> Option<Vec<Vec<Ipv4Net>>> {
    let requests: Vec<GroupRequest<'_>> = groups
        .iter()
        .map(|g| GroupRequest {
            name: &g.name,
            size: &g.size,
        })
        .collect();
    match cidr::carve(block, &requests, zones) {
        Ok(blocks) => Some(blocks),
        Err(problems) => {
            for p in problems {
                node.error_with_hint(codes::ec2::SUBNETS_DO_NOT_FIT, p.message, p.hint);
            }
            None
        }
    }
}

/// The NAT gateways in the first public group's first `count` zones, and the private subnets'
/// default routes to them (to the one in their zone, or in turn), all below `Egress`, which
/// is returned. `subnet_nodes` pairs each subnet's node with its routing resources (default
/// route, route-table association), which a NAT gateway in the subnet waits for.
fn add_egress<'a>(
    node: Node<'a>,
    records: &[SubnetRecord],
    subnet_nodes: &[(Node<'a>, Vec<Node<'a>>)],
    count: usize,
) -> Node<'a> {
    let egress = node.add_child("Egress");
    let Some(first_public) = records
        .iter()
        .find(|r| r.subnet.kind == SubnetType::Public)
        .map(|r| r.group_index)
    else {
        return egress;
    };
    let mut nats = Vec::new();
    for (record, (_, routing)) in records.iter().zip(subnet_nodes) {
        if record.group_index != first_public || record.zone >= count {
            continue;
        }
        let nat_node = egress.add_child(&format!("NatGateway{}", record.zone + 1));
        nat_node.set_standing_cost(
            "a NAT gateway, billed hourly and per GB",
            "gives the private subnets of its zone a way out to the internet",
            "VpcProps::nat_gateways(NatGateways::Count(1)) shares one between zones; gateway endpoints (S3, DynamoDB) avoid it for AWS traffic",
        );
        let eip = nat_node.add(
            "Eip",
            CfnEip {
                domain: Some("vpc".into()),
                tags: Some(name_tag(nat_node)),
                ..CfnEip::default()
            },
        );
        let nat = nat_node.add(
            "Resource",
            CfnNatGateway {
                subnet_id: Some(record.subnet.subnet_id.clone()),
                allocation_id: Some(eip.attrs().allocation_id()),
                tags: Some(name_tag(nat_node)),
                ..Default::default()
            },
        );
        // A NAT gateway forwards nothing until its subnet routes to the internet.
        for target in routing {
            nat.add_dependency(target);
        }
        nats.push(nat.ref_());
    }
    if nats.is_empty() {
        return egress;
    }
    for (record, (subnet_node, _)) in records.iter().zip(subnet_nodes) {
        if record.subnet.kind != SubnetType::PrivateWithEgress {
            continue;
        }
        egress.add(
            &format!("{}DefaultRoute", subnet_node.id()),
            CfnRoute {
                destination_cidr_block: Some("0.0.0.0/0".into()),
                nat_gateway_id: Some(nats[record.zone % nats.len()].clone()),
                ..CfnRoute::new(record.subnet.route_table_id.clone())
            },
        );
    }
    egress
}
