//! The VPC, its CIDR arithmetic and errors, flow logs, gateway endpoints and peering.

mod fixtures;

use cirrus_aws::codes;
use cirrus_aws::ec2::{
    FlowLogDestination, FlowLogProps, GatewayEndpointService, IVpc, NatGateways, Peer, Port,
    SecurityGroup, SecurityGroupProps, SubnetGroup, SubnetType, Vpc, VpcAttributes, VpcPeering,
    VpcPeeringProps, VpcProps,
};
use cirrus_aws::kms::{Key, KeyProps};
use cirrus_aws::s3::{Bucket, BucketEncryption, BucketProps};
use cirrus_cfn::ec2::{CfnNetworkInterface, CfnRouteTable, CfnSubnet};
use cirrus_core::assertions::{Annotations, Template};
use cirrus_core::{App, Construct, RawResource, ResourceRef, StackProps, fns};
use serde_json::{Value, json};

/// The logical id of the resource at `path`.
fn logical_id(app: &App, stack: &str, path: &str) -> String {
    let out = app.synth().expect("synthesis succeeds");
    let stack = out.stacks.iter().find(|s| s.id == stack).unwrap();
    stack
        .logical_ids
        .iter()
        .find(|(_, p)| p.as_str() == path)
        .map(|(id, _)| id.clone())
        .unwrap_or_else(|| panic!("no resource at {path}"))
}

fn resources(template: &Template) -> &serde_json::Map<String, Value> {
    template.to_json()["Resources"].as_object().unwrap()
}

/// The number of resources of each type, sorted by type.
fn counts(template: &Template) -> Vec<(String, usize)> {
    let mut out: Vec<(String, usize)> = Vec::new();
    for resource in resources(template).values() {
        let kind = resource["Type"].as_str().unwrap().to_owned();
        match out.iter_mut().find(|(k, _)| *k == kind) {
            Some((_, n)) => *n += 1,
            None => out.push((kind, 1)),
        }
    }
    out.sort();
    out
}

/// The subnet blocks by logical id prefix (`VpcPublicSubnet1`), in template order.
fn subnet_blocks(template: &Template) -> Vec<(String, String)> {
    resources(template)
        .iter()
        .filter(|(_, r)| r["Type"] == "AWS::EC2::Subnet")
        .map(|(id, r)| {
            let short = id
                .split("Subnet")
                .take(2)
                .collect::<Vec<_>>()
                .join("Subnet");
            (
                short,
                r["Properties"]["CidrBlock"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn vpc_only(props: VpcProps<'_>) -> App {
    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    Vpc::new(stack, "Vpc", props);
    app
}

#[test]
fn the_default_vpc_has_the_cdk_resources_and_a_flow_log() {
    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    Vpc::new(stack, "Vpc", VpcProps::default());
    let t = Template::from_stack(&stack);
    // 3 + 10 per zone, as the AWS CDK's; then the flow log: the stack's logs key, the log
    // group, the delivery role and its policy, the flow log.
    assert_eq!(
        counts(&t),
        [
            ("AWS::EC2::EIP".to_owned(), 2),
            ("AWS::EC2::FlowLog".to_owned(), 1),
            ("AWS::EC2::InternetGateway".to_owned(), 1),
            ("AWS::EC2::NatGateway".to_owned(), 2),
            ("AWS::EC2::Route".to_owned(), 4),
            ("AWS::EC2::RouteTable".to_owned(), 4),
            ("AWS::EC2::Subnet".to_owned(), 4),
            ("AWS::EC2::SubnetRouteTableAssociation".to_owned(), 4),
            ("AWS::EC2::VPC".to_owned(), 1),
            ("AWS::EC2::VPCGatewayAttachment".to_owned(), 1),
            ("AWS::IAM::Policy".to_owned(), 1),
            ("AWS::IAM::Role".to_owned(), 1),
            ("AWS::KMS::Key".to_owned(), 1),
            ("AWS::Logs::LogGroup".to_owned(), 1),
        ]
    );
    assert_eq!(resources(&t).len(), 3 + 10 * 2 + 5);
    let vpc = &resources(&t)["Vpc8378EB38"]["Properties"];
    assert_eq!(vpc["CidrBlock"], "10.0.0.0/16");
    assert_eq!(vpc["EnableDnsSupport"], true);
    assert_eq!(vpc["EnableDnsHostnames"], true);
}

#[test]
fn without_flow_logs_it_is_exactly_the_cdk_count() {
    for zones in 1..=3u8 {
        let app = vpc_only(VpcProps {
            az_count: zones,
            flow_logs: None,
            ..Default::default()
        });
        let t = Template::from_stack(&app.stacks()[0]);
        assert_eq!(
            resources(&t).len(),
            3 + 10 * usize::from(zones),
            "{zones} zones"
        );
    }
}

#[test]
fn two_zones_get_18s_and_three_zones_19s() {
    let app = vpc_only(VpcProps::default());
    assert_eq!(
        subnet_blocks(&Template::from_stack(&app.stacks()[0])),
        [
            ("VpcPublicSubnet1".to_owned(), "10.0.0.0/18".to_owned()),
            ("VpcPublicSubnet2".to_owned(), "10.0.64.0/18".to_owned()),
            ("VpcPrivateSubnet1".to_owned(), "10.0.128.0/18".to_owned()),
            ("VpcPrivateSubnet2".to_owned(), "10.0.192.0/18".to_owned()),
        ]
    );

    let app = vpc_only(VpcProps {
        az_count: 3,
        ..Default::default()
    });
    let blocks: Vec<String> = subnet_blocks(&Template::from_stack(&app.stacks()[0]))
        .into_iter()
        .map(|(_, b)| b)
        .collect();
    assert_eq!(
        blocks,
        [
            "10.0.0.0/19",
            "10.0.32.0/19",
            "10.0.64.0/19",
            "10.0.96.0/19",
            "10.0.128.0/19",
            "10.0.160.0/19"
        ]
    );
}

#[test]
fn masks_isolated_groups_and_tags() {
    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    let bucket = Bucket::new(stack, "FlowLogs", BucketProps::default());
    let vpc = Vpc::new(stack, "Vpc", fixtures::vpc::options_props(bucket));
    assert_eq!(
        vpc.subnet_cidr_blocks(SubnetType::Public),
        ["10.1.0.0/24", "10.1.1.0/24", "10.1.2.0/24"]
    );
    assert_eq!(
        vpc.subnet_cidr_blocks(SubnetType::Isolated),
        ["10.1.3.0/24", "10.1.4.0/24", "10.1.5.0/24"]
    );
    // The even split takes the rest, on /18 boundaries.
    assert_eq!(
        vpc.subnet_cidr_blocks(SubnetType::PrivateWithEgress),
        ["10.1.64.0/18", "10.1.128.0/18", "10.1.192.0/18"]
    );
    let t = Template::from_stack(&stack);
    let r = resources(&t);
    let tags = |id: &str| r[id]["Properties"]["Tags"].clone();
    assert_eq!(
        tags("VpcDataSubnet2Subnet25D1B0F6"),
        json!([
            {"Key": "Name", "Value": "S/Vpc/DataSubnet2"},
            {"Key": "for-use-with-amazon-emr-managed-policies", "Value": "true"}
        ])
    );
    assert_eq!(
        tags("VpcPublicSubnet1Subnet5C2D37C4")[1],
        json!({"Key": "kubernetes.io/role/elb", "Value": "1"})
    );
    assert_eq!(
        tags("VpcPrivateSubnet3SubnetF258B56E")[1],
        json!({"Key": "kubernetes.io/role/internal-elb", "Value": "1"})
    );
    // Isolated subnets have no default route; the one NAT gateway serves every private one.
    let nat_routes: Vec<&Value> = r
        .values()
        .filter(|v| v["Type"] == "AWS::EC2::Route" && v["Properties"]["NatGatewayId"].is_object())
        .collect();
    assert_eq!(nat_routes.len(), 3);
    assert!(
        nat_routes
            .iter()
            .all(|v| v["Properties"]["NatGatewayId"]
                == json!({"Ref": "VpcEgressNatGateway1EC450F34"}))
    );
    assert_eq!(
        counts(&t)
            .into_iter()
            .find(|(k, _)| k == "AWS::EC2::NatGateway"),
        Some(("AWS::EC2::NatGateway".to_owned(), 1))
    );
    // The S3 endpoint is on the private and isolated route tables, not the public ones.
    let endpoint = &r["VpcS3Endpoint4A3DE4B5"]["Properties"];
    assert_eq!(endpoint["RouteTableIds"].as_array().unwrap().len(), 6);
    assert!(
        !endpoint["RouteTableIds"]
            .to_string()
            .contains("PublicSubnet")
    );
}

#[test]
fn public_addresses_on_launch_only_when_asked() {
    let app = vpc_only(VpcProps {
        subnet_groups: vec![
            SubnetGroup::public("Public").map_public_ip_on_launch(),
            SubnetGroup::private_with_egress("Private"),
        ],
        ..Default::default()
    });
    let t = Template::from_stack(&app.stacks()[0]);
    let r = resources(&t);
    assert_eq!(
        r["VpcPublicSubnet1Subnet5C2D37C4"]["Properties"]["MapPublicIpOnLaunch"],
        true
    );
    assert_eq!(
        r["VpcPrivateSubnet1Subnet536B997A"]["Properties"]["MapPublicIpOnLaunch"],
        false
    );
    let app = vpc_only(VpcProps::default());
    let t = Template::from_stack(&app.stacks()[0]);
    assert_eq!(
        resources(&t)["VpcPublicSubnet1Subnet5C2D37C4"]["Properties"]["MapPublicIpOnLaunch"],
        false
    );
}

#[test]
fn subnets_are_in_zone_order_with_their_route_tables() {
    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    let vpc = Vpc::new(
        stack,
        "Vpc",
        VpcProps {
            az_count: 3,
            subnet_groups: vec![
                SubnetGroup::public("Public"),
                SubnetGroup::private_with_egress("App"),
                SubnetGroup::private_with_egress("Db").mask(24),
            ],
            ..Default::default()
        },
    );
    let subnet = |name: &str| {
        let node = vpc.node().find_child(name).unwrap();
        let subnet =
            ResourceRef::<CfnSubnet>::from_node(node.find_child("Subnet").unwrap()).unwrap();
        let table = ResourceRef::<CfnRouteTable>::from_node(node.find_child("RouteTable").unwrap())
            .unwrap();
        (subnet.ref_(), table.ref_())
    };
    let private = vpc.subnets(SubnetType::PrivateWithEgress);
    let names = [
        "AppSubnet1",
        "DbSubnet1",
        "AppSubnet2",
        "DbSubnet2",
        "AppSubnet3",
        "DbSubnet3",
    ];
    assert_eq!(private.len(), names.len());
    for (s, name) in private.iter().zip(names) {
        let (id, table) = subnet(name);
        assert_eq!(s.subnet_id, id, "{name}");
        assert_eq!(s.route_table_id, table, "{name}");
        assert_eq!(s.kind, SubnetType::PrivateWithEgress);
    }
    for (i, s) in private.iter().enumerate() {
        assert_eq!(
            s.availability_zone,
            fns::select(i64::try_from(i / 2).unwrap(), fns::get_azs(""))
        );
    }
    let public = vpc.subnets(SubnetType::Public);
    assert_eq!(public.len(), 3);
    assert_eq!(public[2].subnet_id, subnet("PublicSubnet3").0);
    assert!(vpc.subnets(SubnetType::Isolated).is_empty());
    assert_eq!(vpc.subnet_group("Db").len(), 3);
    assert_eq!(vpc.subnet_group("Db")[0].subnet_id, subnet("DbSubnet1").0);
    assert_eq!(vpc.subnet_ids(SubnetType::Public).len(), 3);
    assert_eq!(vpc.availability_zones().len(), 3);
    assert_eq!(vpc.cidr_block(), "10.0.0.0/16".into());
    assert!(vpc.internet_gateway_id().is_some());
    assert_eq!(
        vpc.route_table_ids(SubnetType::Public)[0],
        subnet("PublicSubnet1").1
    );
}

#[test]
fn the_egress_dependency_is_the_nat_gateways_and_their_routes() {
    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    let vpc = Vpc::new(stack, "Vpc", VpcProps::default());
    let egress = vpc
        .egress_dependency()
        .expect("a VPC with NAT gateways has egress");
    assert_eq!(egress.path(), "S/Vpc/Egress");
    let needs_internet = stack.add(
        "NeedsInternet",
        RawResource::new("AWS::SNS::Topic", json!({})),
    );
    needs_internet.add_dependency(&egress);
    let t = Template::from_stack(&stack);
    assert_eq!(
        resources(&t)["NeedsInternet"]["DependsOn"],
        json!([
            "VpcEgressNatGateway1EC450F34",
            "VpcEgressNatGateway1Eip7CF5B2F5",
            "VpcEgressNatGateway2C41AF67B",
            "VpcEgressNatGateway2EipA7FC52A6",
            "VpcEgressPrivateSubnet1DefaultRoute60163D03",
            "VpcEgressPrivateSubnet2DefaultRoute70251002"
        ])
    );

    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    let isolated = Vpc::new(
        stack,
        "Vpc",
        VpcProps {
            subnet_groups: vec![SubnetGroup::isolated("Isolated")],
            ..Default::default()
        },
    );
    assert!(isolated.egress_dependency().is_none());
    assert!(isolated.internet_gateway_id().is_none());
    let t = Template::from_stack(&stack);
    assert!(
        !resources(&t).values().any(
            |r| r["Type"] == "AWS::EC2::InternetGateway" || r["Type"] == "AWS::EC2::NatGateway"
        )
    );
}

#[test]
fn public_routes_wait_for_the_gateway_attachment_and_nat_for_the_public_route() {
    let t = Template::from_stack(&vpc_only(VpcProps::default()).stacks()[0]);
    let r = resources(&t);
    assert_eq!(
        r["VpcPublicSubnet1DefaultRoute3DA9E72A"]["DependsOn"],
        json!(["VpcVPCGWBF912B6E"])
    );
    assert_eq!(
        r["VpcEgressNatGateway1EC450F34"]["DependsOn"],
        json!([
            "VpcPublicSubnet1DefaultRoute3DA9E72A",
            "VpcPublicSubnet1RouteTableAssociation97140677"
        ])
    );
    // Private routes are ordered by their references alone (a DependsOn would be W3005).
    assert!(r["VpcEgressPrivateSubnet1DefaultRoute60163D03"]["DependsOn"].is_null());
}

#[test]
fn a_security_group_can_be_created_in_the_vpc() {
    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    let vpc = Vpc::new(stack, "Vpc", VpcProps::default());
    let sg = SecurityGroup::new(
        stack,
        "App",
        &vpc,
        "the application",
        SecurityGroupProps::default(),
    );
    sg.add_ingress_rule(
        Peer::Ipv4(vpc.cidr_block().as_literal().unwrap().clone()),
        Port::Tcp(443),
        "HTTPS from within the VPC",
    );
    let t = Template::from_stack(&stack);
    let group = &resources(&t)["AppF1B96344"]["Properties"];
    assert_eq!(group["VpcId"], json!({"Ref": "Vpc8378EB38"}));
    assert_eq!(group["SecurityGroupIngress"][0]["CidrIp"], "10.0.0.0/16");
}

#[test]
fn vpc_ids_and_subnets_cross_stacks_as_exports() {
    let app = App::new("t");
    let network = app.stack("Network", StackProps::default());
    let vpc = Vpc::new(network, "Vpc", VpcProps::default());
    let compute = app.stack("Compute", StackProps::default());
    SecurityGroup::new(
        compute,
        "Sg",
        &vpc,
        "compute",
        SecurityGroupProps::default(),
    );
    let subnet = &vpc.subnets(SubnetType::PrivateWithEgress)[1];
    compute.add("Eni", CfnNetworkInterface::new(subnet.subnet_id.clone()));
    let t = Template::from_stack(&compute);
    let sg = logical_id(&app, "Compute", "Compute/Sg/Resource");
    assert_eq!(
        resources(&t)[&sg]["Properties"]["VpcId"],
        json!({"Fn::ImportValue": "Network:ExportsOutputRefVpc8378EB38B9DC4C14"})
    );
    let import = resources(&t)["Eni"]["Properties"]["SubnetId"]["Fn::ImportValue"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        import.starts_with("Network:ExportsOutputRefVpcPrivateSubnet2Subnet"),
        "{import}"
    );
}

#[test]
fn gateway_endpoints_are_added_once() {
    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    let vpc = Vpc::new(
        stack,
        "Vpc",
        VpcProps {
            gateway_endpoints: vec![GatewayEndpointService::S3],
            ..Default::default()
        },
    );
    let first = vpc.add_gateway_endpoint(GatewayEndpointService::S3);
    let dynamo = vpc.add_gateway_endpoint(GatewayEndpointService::DynamoDb);
    assert_eq!(first, vpc.add_gateway_endpoint(GatewayEndpointService::S3));
    assert_ne!(first, dynamo);
    let t = Template::from_stack(&stack);
    let endpoints: Vec<&Value> = resources(&t)
        .values()
        .filter(|r| r["Type"] == "AWS::EC2::VPCEndpoint")
        .collect();
    assert_eq!(endpoints.len(), 2);
    assert_eq!(
        endpoints[1]["Properties"]["ServiceName"],
        json!({"Fn::Sub": "com.amazonaws.${AWS::Region}.dynamodb"})
    );
}

#[test]
fn flow_logs_to_a_kms_bucket_admit_the_delivery_service_to_the_key() {
    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    let key = Key::new(stack, "Key", KeyProps::default());
    let bucket = Bucket::new(
        stack,
        "Logs",
        BucketProps {
            encryption: BucketEncryption::Kms(key),
            ..Default::default()
        },
    );
    for id in ["A", "B"] {
        Vpc::new(
            stack,
            id,
            VpcProps {
                cidr: if id == "A" {
                    "10.0.0.0/16"
                } else {
                    "10.1.0.0/16"
                }
                .into(),
                flow_logs: Some(FlowLogProps {
                    destination: FlowLogDestination::S3 {
                        bucket,
                        prefix: "flow",
                    },
                    ..Default::default()
                }),
                ..Default::default()
            },
        );
    }
    let t = Template::from_stack(&stack);
    let r = resources(&t);
    let key = logical_id(&app, "S", "S/Key/Resource");
    let policy = logical_id(&app, "S", "S/Logs/Policy/Resource");
    let flow_log = logical_id(&app, "S", "S/A/FlowLog/Resource");
    let key_statements = r[&key]["Properties"]["KeyPolicy"]["Statement"]
        .as_array()
        .unwrap();
    let delivery: Vec<&Value> = key_statements
        .iter()
        .filter(|s| s["Principal"] == json!({"Service": "delivery.logs.amazonaws.com"}))
        .collect();
    // Two VPCs writing to the same bucket add the statement once.
    assert_eq!(delivery.len(), 1);
    assert!(
        delivery[0]["Action"]
            .as_array()
            .unwrap()
            .contains(&json!("kms:GenerateDataKey*"))
    );
    let bucket_statements = r[&policy]["Properties"]["PolicyDocument"]["Statement"]
        .as_array()
        .unwrap();
    assert_eq!(
        bucket_statements
            .iter()
            .filter(|s| s["Principal"] == json!({"Service": "delivery.logs.amazonaws.com"}))
            .count(),
        2
    );
    assert_eq!(r[&flow_log]["DependsOn"], json!([policy]));
}

#[test]
fn vpc_props_are_checked() {
    let cases: Vec<(VpcProps<'static>, &str, &str, &str)> = vec![
        (
            VpcProps {
                cidr: "10.0.0/16".into(),
                ..Default::default()
            },
            "S/Vpc",
            "the VPC CIDR block \"10.0.0/16\" is not an IPv4 CIDR block",
            "",
        ),
        (
            VpcProps {
                cidr: "10.0.0.1/16".into(),
                ..Default::default()
            },
            "S/Vpc",
            "has host bits set",
            "use its network address, 10.0.0.0/16",
        ),
        (
            VpcProps {
                cidr: "10.0.0.0/8".into(),
                ..Default::default()
            },
            "S/Vpc",
            "the VPC CIDR block \"10.0.0.0/8\" is a /8; AWS accepts /16 to /28",
            "",
        ),
        (
            VpcProps {
                cidr: "10.0.0.0/29".into(),
                ..Default::default()
            },
            "S/Vpc",
            "is a /29; AWS accepts /16 to /28",
            "",
        ),
        (
            VpcProps {
                az_count: 7,
                ..Default::default()
            },
            "S/Vpc",
            "az_count is 7; a VPC here spans 1 to 6 availability zones",
            "",
        ),
        (
            VpcProps {
                az_count: 0,
                ..Default::default()
            },
            "S/Vpc",
            "az_count is 0",
            "",
        ),
        (
            VpcProps {
                cidr: "10.0.0.0/24".into(),
                az_count: 3,
                subnet_groups: vec![
                    SubnetGroup::public("Public").mask(25),
                    SubnetGroup::private_with_egress("Private"),
                ],
                ..Default::default()
            },
            "S/Vpc",
            "no room left in 10.0.0.0/24 for the /25 subnet of group \"Public\" in availability zone 3",
            "",
        ),
        (
            VpcProps {
                cidr: "10.0.0.0/26".into(),
                az_count: 3,
                ..Default::default()
            },
            "S/Vpc",
            "no room left in 10.0.0.0/26 for the 6 evenly split subnets of groups \"Public\", \"Private\"",
            "",
        ),
        (
            VpcProps {
                subnet_groups: vec![
                    SubnetGroup::public("Public").cidrs(["10.0.0.0/24", "10.0.1.0/24"]),
                    SubnetGroup::private_with_egress("Private")
                        .cidrs(["10.0.1.0/25", "10.0.2.0/24"]),
                ],
                ..Default::default()
            },
            "S/Vpc",
            "the subnet block \"10.0.1.0/25\" of group \"Private\" overlaps 10.0.1.0/24 of group \"Public\"",
            "",
        ),
        (
            VpcProps {
                subnet_groups: vec![
                    SubnetGroup::public("Public").cidrs(["10.0.0.0/24", "10.9.0.0/24"]),
                    SubnetGroup::private_with_egress("Private"),
                ],
                ..Default::default()
            },
            "S/Vpc",
            "the subnet block \"10.9.0.0/24\" of group \"Public\" is not inside the VPC block 10.0.0.0/16",
            "",
        ),
        (
            VpcProps {
                subnet_groups: vec![
                    SubnetGroup::public("Public").mask(29),
                    SubnetGroup::private_with_egress("Private"),
                ],
                ..Default::default()
            },
            "S/Vpc",
            "the subnet mask of group \"Public\" is a /29; AWS accepts /16 to /28",
            "",
        ),
        (
            VpcProps {
                subnet_groups: vec![SubnetGroup::private_with_egress("Private")],
                ..Default::default()
            },
            "S/Vpc",
            "NAT gateways need a public subnet, and the VPC has none",
            "",
        ),
        (
            VpcProps {
                nat_gateways: NatGateways::Count(0),
                ..Default::default()
            },
            "S/Vpc",
            "subnet group \"Private\" is private with egress, but nat_gateways is 0",
            "",
        ),
        (
            VpcProps {
                nat_gateways: NatGateways::Count(3),
                ..Default::default()
            },
            "S/Vpc",
            "3 NAT gateways requested for 2 availability zones",
            "",
        ),
        (
            VpcProps {
                subnet_groups: vec![
                    SubnetGroup::public("Public"),
                    SubnetGroup::isolated("Isolated"),
                ],
                nat_gateways: NatGateways::Count(1),
                ..Default::default()
            },
            "S/Vpc",
            "1 NAT gateways requested, but no subnet group is private with egress",
            "",
        ),
        (
            VpcProps {
                subnet_groups: vec![],
                ..Default::default()
            },
            "S/Vpc",
            "a VPC needs at least one subnet group",
            "",
        ),
        (
            VpcProps {
                subnet_groups: vec![SubnetGroup::public("Public"), SubnetGroup::public("Public")],
                ..Default::default()
            },
            "S/Vpc",
            "two subnet groups are named \"Public\"",
            "",
        ),
        (
            VpcProps {
                subnet_groups: vec![SubnetGroup::public("public-a")],
                ..Default::default()
            },
            "S/Vpc",
            "subnet group name \"public-a\" must be letters and digits, starting with a letter",
            "",
        ),
        (
            VpcProps {
                subnet_groups: vec![
                    SubnetGroup::public("Public"),
                    SubnetGroup::isolated("Isolated").map_public_ip_on_launch(),
                ],
                ..Default::default()
            },
            "S/Vpc",
            "subnet group \"Isolated\" is not public, so it cannot map public IP addresses on launch",
            "",
        ),
        (
            VpcProps {
                subnet_groups: vec![SubnetGroup::public("Public")],
                gateway_endpoints: vec![GatewayEndpointService::S3],
                ..Default::default()
            },
            "S/Vpc/S3Endpoint",
            "the s3 gateway endpoint has no route tables",
            "",
        ),
    ];
    for (props, path, message, hint) in cases {
        let annotations = Annotations::from_app(&vpc_only(props));
        annotations.has_error_with_hint(path, message, hint);
        assert!(
            annotations
                .errors()
                .iter()
                .all(|d| d.hint.as_deref().is_some_and(|h| !h.is_empty())),
            "every error has a hint: {annotations:#?}"
        );
    }
}

#[test]
fn flow_logs_to_s3_take_no_role_path() {
    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    let bucket = Bucket::new(stack, "Logs", BucketProps::default());
    Vpc::new(
        stack,
        "Vpc",
        VpcProps {
            flow_logs: Some(FlowLogProps {
                destination: FlowLogDestination::S3 { bucket, prefix: "" },
                role_path: Some("/network/".into()),
                ..Default::default()
            }),
            ..Default::default()
        },
    );
    Annotations::from_app(&app)
        .has_error_code("S/Vpc/FlowLog", codes::ec2::FLOW_LOG_ROLE_PATH_UNUSED);
}

#[test]
fn flow_log_prefixes_are_checked() {
    for (prefix, needle) in [
        ("/logs", "must not start or end with '/'"),
        ("logs/", "must not start or end with '/'"),
        ("a//b", "must not start or end with '/' or contain \"//\""),
        (
            "x/AWSLogs",
            "uses \"AWSLogs\", which the log delivery service reserves",
        ),
        ("logs?", "contains '?'"),
    ] {
        let app = App::new("t");
        let stack = app.stack("S", StackProps::default());
        let bucket = Bucket::new(stack, "Logs", BucketProps::default());
        Vpc::new(
            stack,
            "Vpc",
            VpcProps {
                flow_logs: Some(FlowLogProps {
                    destination: FlowLogDestination::S3 { bucket, prefix },
                    ..Default::default()
                }),
                ..Default::default()
            },
        );
        let annotations = Annotations::from_app(&app);
        annotations.has_error_code("S/Vpc/FlowLog", codes::ec2::FLOW_LOG_PREFIX_INVALID);
        // One code for the prefix rules; the message says which rule, on purpose.
        annotations.has_error("S/Vpc/FlowLog", needle);
    }
}

#[test]
fn peering_routes_both_sides_and_refuses_overlaps() {
    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    let a = Vpc::new(stack, "A", VpcProps::default());
    let b = Vpc::new(
        stack,
        "B",
        VpcProps {
            cidr: "10.1.0.0/16".into(),
            az_count: 3,
            subnet_groups: vec![SubnetGroup::isolated("Isolated")],
            ..Default::default()
        },
    );
    let peering = VpcPeering::new(stack, "Peering", &a, &b, VpcPeeringProps::default());
    let t = Template::from_stack(&stack);
    let routes: Vec<&Value> = resources(&t)
        .values()
        .filter(|r| r["Properties"]["VpcPeeringConnectionId"].is_object())
        .collect();
    // A's two private route tables, B's three isolated ones.
    assert_eq!(routes.len(), 5);
    assert_eq!(
        routes
            .iter()
            .filter(|r| r["Properties"]["DestinationCidrBlock"] == "10.1.0.0/16")
            .count(),
        2
    );
    assert_eq!(peering.id(), peering.l1().ref_());

    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    let a = Vpc::new(stack, "A", VpcProps::default());
    let b = Vpc::new(
        stack,
        "B",
        VpcProps {
            cidr: "10.0.128.0/17".into(),
            ..Default::default()
        },
    );
    VpcPeering::new(stack, "Peering", &a, &b, VpcPeeringProps::default());
    VpcPeering::new(stack, "Self", &a, &a, VpcPeeringProps::default());
    VpcPeering::new(
        stack,
        "NoTables",
        &a,
        &b,
        VpcPeeringProps {
            requester_subnets: vec![SubnetType::Isolated],
            ..Default::default()
        },
    );
    let annotations = Annotations::from_app(&app);
    annotations.has_error_code("S/Peering", codes::ec2::PEERING_BLOCKS_OVERLAP);
    annotations.has_error_code("S/Self", codes::ec2::PEERING_WITH_ITSELF);
    annotations.has_error_code("S/NoTables", codes::ec2::PEERING_ROUTES_WITHOUT_SUBNETS);
}

#[test]
fn peering_works_with_an_imported_vpc() {
    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    let vpc = Vpc::new(stack, "Vpc", VpcProps::default());
    let table = |i: usize| -> (
        cirrus_core::Expr<String>,
        cirrus_core::Expr<String>,
        cirrus_core::Expr<String>,
    ) {
        (
            format!("subnet-{i}").into(),
            fns::select(i64::try_from(i).unwrap(), fns::get_azs("")),
            "rtb-shared".into(),
        )
    };
    let other = Vpc::from_attributes(
        stack,
        "OtherVpc",
        VpcAttributes {
            vpc_id: "vpc-0123456789abcdef0".into(),
            cidr_block: "172.16.0.0/16".into(),
            public_subnets: vec![],
            private_subnets: vec![table(0), table(1)],
            isolated_subnets: vec![],
        },
    );
    VpcPeering::new(stack, "Peering", &vpc, &other, VpcPeeringProps::default());
    let t = Template::from_stack(&stack);
    let r = resources(&t);
    assert_eq!(
        r["Peering3EBF733F"]["Properties"]["PeerVpcId"],
        "vpc-0123456789abcdef0"
    );
    // Two subnets sharing one route table get one route.
    let into_other: Vec<&Value> = r
        .values()
        .filter(|v| v["Properties"]["RouteTableId"] == "rtb-shared")
        .collect();
    assert_eq!(into_other.len(), 1);
    assert_eq!(
        into_other[0]["Properties"]["DestinationCidrBlock"],
        "10.0.0.0/16"
    );
}
