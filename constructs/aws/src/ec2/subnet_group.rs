//! How a VPC is divided: subnet groups (one subnet per availability zone each), their sizes,
//! and the NAT gateways the private ones go out through.

use crate::ec2::SubnetType;

/// How big the subnets of a group are.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum SubnetSize {
    /// Whatever is left once the groups with a mask or fixed blocks have theirs, split evenly
    /// among all groups of this kind (the largest power of two that fits each of them).
    #[default]
    EvenSplit,
    /// Subnets of this prefix length (`24` for /24: 256 addresses, 251 usable). AWS accepts
    /// /16 to /28.
    Mask(u8),
    /// These blocks, one per availability zone in AZ order, such as
    /// `["10.0.0.0/24", "10.0.1.0/24"]`. They must lie in the VPC and not overlap.
    Cidrs(Vec<String>),
}

/// A group of subnets of one kind: one subnet in every availability zone of the VPC.
///
/// ```
/// use cirrus_aws::ec2::SubnetGroup;
/// let data = SubnetGroup::isolated("Data")
///     .mask(24)
///     .tag("for-use-with-amazon-emr-managed-policies", "true");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubnetGroup {
    /// The group's name: letters and digits, unique in the VPC. It names the subnets'
    /// constructs (`<name>Subnet1`, `<name>Subnet2`, ...), hence their logical ids.
    pub name: String,
    /// What kind of subnets they are.
    pub kind: SubnetType,
    /// How big they are. Default: an even split of the space left.
    pub size: SubnetSize,
    /// Extra tags on the subnets (EMR, for example, wants
    /// `for-use-with-amazon-emr-managed-policies=true`). Default: none.
    pub tags: Vec<(String, String)>,
    /// Give instances launched into the subnets a public IPv4 address (public groups only).
    /// Default: `false`: addresses are given only where asked for (an instance or launch
    /// template setting), which is what load balancers and NAT gateways need anyway. The AWS
    /// CDK turns this on for every public subnet, so every instance launched there is
    /// reachable from the internet as far as its security group allows, and every address is
    /// billed. Turn it on for EKS managed node groups or ECS tasks placed in public subnets.
    pub map_public_ip_on_launch: bool,
}

impl SubnetGroup {
    /// A group of `kind`, evenly sized.
    pub fn new(name: &str, kind: SubnetType) -> SubnetGroup {
        SubnetGroup {
            name: name.to_owned(),
            kind,
            size: SubnetSize::EvenSplit,
            tags: Vec::new(),
            map_public_ip_on_launch: false,
        }
    }

    /// A public group: routed to the internet gateway.
    pub fn public(name: &str) -> SubnetGroup {
        SubnetGroup::new(name, SubnetType::Public)
    }

    /// A private group whose outbound traffic goes through NAT gateways.
    pub fn private_with_egress(name: &str) -> SubnetGroup {
        SubnetGroup::new(name, SubnetType::PrivateWithEgress)
    }

    /// An isolated group: no route to or from the internet.
    pub fn isolated(name: &str) -> SubnetGroup {
        SubnetGroup::new(name, SubnetType::Isolated)
    }

    /// Sizes the subnets with a prefix length (`24` for /24).
    #[must_use]
    pub fn mask(mut self, prefix_length: u8) -> SubnetGroup {
        self.size = SubnetSize::Mask(prefix_length);
        self
    }

    /// Gives the subnets these blocks, one per availability zone in AZ order.
    #[must_use]
    pub fn cidrs<S: Into<String>>(mut self, blocks: impl IntoIterator<Item = S>) -> SubnetGroup {
        self.size = SubnetSize::Cidrs(blocks.into_iter().map(Into::into).collect());
        self
    }

    /// Adds a tag to the subnets.
    #[must_use]
    pub fn tag(mut self, key: &str, value: &str) -> SubnetGroup {
        self.tags.push((key.to_owned(), value.to_owned()));
        self
    }

    /// Gives instances launched into the (public) subnets a public IPv4 address.
    #[must_use]
    pub fn map_public_ip_on_launch(mut self) -> SubnetGroup {
        self.map_public_ip_on_launch = true;
        self
    }
}

/// How many NAT gateways give the private-with-egress subnets their way out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NatGateways {
    /// One in every availability zone, each private subnet routed to the one in its zone: a
    /// zone's outage does not cut the others off. None at all when no group is private with
    /// egress.
    #[default]
    PerAz,
    /// This many, in the first zones; the private subnets of a zone without one use them in
    /// turn. `Count(1)` saves cost (a NAT gateway is billed by the hour) at the price of a
    /// single zone carrying every zone's outbound traffic.
    Count(u8),
}

/// The AWS services a gateway endpoint can reach without leaving the AWS network. Gateway
/// endpoints cost nothing; traffic to S3 or DynamoDB then skips the NAT gateways (and their
/// per-gigabyte charge).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum GatewayEndpointService {
    /// Amazon S3 (`com.amazonaws.<region>.s3`).
    S3,
    /// Amazon DynamoDB (`com.amazonaws.<region>.dynamodb`).
    DynamoDb,
}

impl GatewayEndpointService {
    pub(crate) fn suffix(self) -> &'static str {
        match self {
            GatewayEndpointService::S3 => "s3",
            GatewayEndpointService::DynamoDb => "dynamodb",
        }
    }

    pub(crate) fn construct_id(self) -> &'static str {
        match self {
            GatewayEndpointService::S3 => "S3Endpoint",
            GatewayEndpointService::DynamoDb => "DynamoDbEndpoint",
        }
    }
}
