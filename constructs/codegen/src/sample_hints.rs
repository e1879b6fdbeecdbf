//! What the cfn-lint sample of a few resource types needs beyond their required properties.
//!
//! The sample template (see [`crate::samples`]) gives every resource type exactly its required
//! properties. CloudFormation's own schemas, which cfn-lint checks, also have constraints the
//! spec cannot express: "one of `CidrBlock` and `Ipv4IpamPoolId`", "at least two stages". For
//! those types a hint names the optional property to set or the item count to use; the
//! value itself still comes from the spec like every other sample value.
//!
//! A hint that no longer matches the spec (the property is gone, or has become required)
//! fails generation, so the list cannot rot.

/// What to do at a property path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hint {
    /// Set this optional property.
    Set,
    /// Give this list property this many items.
    Items(usize),
}

/// A hint: the resource type, a property path (`A.B`: property `B` of the type of `A`; a list
/// stands for its item type), what to do, and the schema constraint it satisfies.
pub type SampleHint = (&'static str, &'static str, Hint, &'static str);

/// The hints, sorted by resource type.
pub const HINTS: &[SampleHint] = &[
    (
        "AWS::AutoScaling::AutoScalingGroup",
        "LaunchConfigurationName",
        Hint::Set,
        "one of InstanceId, LaunchConfigurationName, LaunchTemplate, MixedInstancesPolicy",
    ),
    (
        "AWS::CloudWatch::Alarm",
        "MetricName",
        Hint::Set,
        "one of Metrics, MetricName, EvaluationCriteria",
    ),
    (
        "AWS::CodePipeline::Pipeline",
        "ArtifactStore",
        Hint::Set,
        "one of ArtifactStore, ArtifactStores",
    ),
    (
        "AWS::CodePipeline::Pipeline",
        "Stages",
        Hint::Items(2),
        "a pipeline has at least two stages",
    ),
    (
        "AWS::EC2::Instance",
        "ImageId",
        Hint::Set,
        "ImageId is required unless a launch template names the image",
    ),
    (
        "AWS::EC2::LocalGatewayRoute",
        "LocalGatewayVirtualInterfaceGroupId",
        Hint::Set,
        "one of LocalGatewayVirtualInterfaceGroupId, NetworkInterfaceId",
    ),
    (
        "AWS::EC2::NetworkAclEntry",
        "CidrBlock",
        Hint::Set,
        "one of CidrBlock, Ipv6CidrBlock",
    ),
    (
        "AWS::EC2::SecurityGroupEgress",
        "CidrIp",
        Hint::Set,
        "one of CidrIp, CidrIpv6, DestinationPrefixListId, DestinationSecurityGroupId",
    ),
    (
        "AWS::EC2::SecurityGroupIngress",
        "CidrIp",
        Hint::Set,
        "one of CidrIp, CidrIpv6, SourcePrefixListId, SourceSecurityGroupId, SourceSecurityGroupName",
    ),
    (
        "AWS::EC2::SpotFleet",
        "SpotFleetRequestConfigData.LaunchSpecifications",
        Hint::Set,
        "one of LaunchSpecifications, LaunchTemplateConfigs",
    ),
    (
        "AWS::EC2::Subnet",
        "CidrBlock",
        Hint::Set,
        "one of CidrBlock, Ipv4IpamPoolId, Ipv6IpamPoolId, Ipv6CidrBlock",
    ),
    (
        "AWS::EC2::VPC",
        "CidrBlock",
        Hint::Set,
        "one of CidrBlock, Ipv4IpamPoolId",
    ),
    (
        "AWS::EC2::VPCBlockPublicAccessExclusion",
        "VpcId",
        Hint::Set,
        "one of VpcId, SubnetId",
    ),
    (
        "AWS::EC2::Volume",
        "AvailabilityZone",
        Hint::Set,
        "one of AvailabilityZone, AvailabilityZoneId",
    ),
    (
        "AWS::EC2::Volume",
        "Size",
        Hint::Set,
        "one of Size, SnapshotId, SourceVolumeId",
    ),
    (
        "AWS::ElasticLoadBalancingV2::LoadBalancer",
        "Subnets",
        Hint::Set,
        "one of Subnets, SubnetMappings",
    ),
    (
        "AWS::Events::Endpoint",
        "EventBuses",
        Hint::Items(2),
        "an endpoint has two event buses",
    ),
    (
        "AWS::Events::Rule",
        "ScheduleExpression",
        Hint::Set,
        "one of EventPattern, ScheduleExpression",
    ),
    (
        "AWS::Glue::Classifier",
        "JsonClassifier",
        Hint::Set,
        "one of CsvClassifier, GrokClassifier, JsonClassifier, XMLClassifier",
    ),
    (
        "AWS::IAM::Policy",
        "Roles",
        Hint::Set,
        "one of Groups, Roles, Users",
    ),
    (
        "AWS::Logs::Transformer",
        "TransformerConfig.ParseJSON",
        Hint::Set,
        "a processor sets one processor kind",
    ),
    (
        "AWS::Route53::RecordSet",
        "HostedZoneId",
        Hint::Set,
        "one of HostedZoneId, HostedZoneName",
    ),
    (
        "AWS::Route53::RecordSet",
        "ResourceRecords",
        Hint::Set,
        "one of ResourceRecords, AliasTarget",
    ),
    (
        "AWS::Route53::RecordSetGroup",
        "HostedZoneId",
        Hint::Set,
        "one of HostedZoneId, HostedZoneName",
    ),
];
