//! `Nodegroup`: an EKS managed node group, launched from a launch template that requires
//! IMDSv2 and encrypts the root volume.
//!
//! Why a launch template: without one, EKS lets pods reach the instance metadata service and
//! with it the node role's credentials; the template requires IMDSv2 tokens with a hop limit
//! of 1, so only processes on the node itself (and host-network pods) get there. Pods get AWS
//! credentials from EKS Pod Identity instead. The template also encrypts the root volume
//! (with the account's `aws/ebs` key), which EKS's own template does not unless the account
//! encrypts EBS by default. No SSH key is ever configured (checkov CKV_AWS_100): reach nodes
//! with Session Manager by attaching `AmazonSSMManagedInstanceCore` to the node role.

use std::collections::BTreeMap;

use cirrus_cfn::ec2::{CfnLaunchTemplate, launch_template};
use cirrus_cfn::eks::{CfnNodegroup, nodegroup};
use cirrus_core::{Construct, Expr, Node, ResourceRef};

use crate::codes;
use crate::ec2::SubnetType;
use crate::eks::addon::order;
use crate::eks::{Cluster, names};
use crate::iam::{ManagedPolicyArn, Principal, Role, RoleProps};
use crate::instance_types::{self, Architecture};

/// The managed policies every node role needs.
const NODE_POLICIES: [&str; 3] = [
    "AmazonEKSWorkerNodePolicy",
    "AmazonEKS_CNI_Policy",
    "AmazonEC2ContainerRegistryReadOnly",
];

/// The operating system image of the nodes. Amazon Linux 2 is not offered: EKS publishes no AL2
/// images from Kubernetes 1.33 on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AmiType {
    /// Amazon Linux 2023, x86-64.
    #[default]
    Al2023X86,
    /// Amazon Linux 2023, ARM (Graviton).
    Al2023Arm,
    /// Amazon Linux 2023 with NVIDIA drivers, x86-64.
    Al2023X86Nvidia,
    /// Amazon Linux 2023 with NVIDIA drivers, ARM.
    Al2023ArmNvidia,
    /// Amazon Linux 2023 with the Neuron driver (Inferentia, Trainium).
    Al2023X86Neuron,
    /// Bottlerocket, x86-64.
    BottlerocketX86,
    /// Bottlerocket, ARM.
    BottlerocketArm,
    /// Bottlerocket with NVIDIA drivers, x86-64.
    BottlerocketX86Nvidia,
    /// Bottlerocket with NVIDIA drivers, ARM.
    BottlerocketArmNvidia,
    /// Bottlerocket with FIPS-validated cryptography, x86-64.
    BottlerocketX86Fips,
    /// Bottlerocket with FIPS-validated cryptography, ARM.
    BottlerocketArmFips,
}

impl AmiType {
    fn as_str(self) -> &'static str {
        match self {
            AmiType::Al2023X86 => "AL2023_x86_64_STANDARD",
            AmiType::Al2023Arm => "AL2023_ARM_64_STANDARD",
            AmiType::Al2023X86Nvidia => "AL2023_x86_64_NVIDIA",
            AmiType::Al2023ArmNvidia => "AL2023_ARM_64_NVIDIA",
            AmiType::Al2023X86Neuron => "AL2023_x86_64_NEURON",
            AmiType::BottlerocketX86 => "BOTTLEROCKET_x86_64",
            AmiType::BottlerocketArm => "BOTTLEROCKET_ARM_64",
            AmiType::BottlerocketX86Nvidia => "BOTTLEROCKET_x86_64_NVIDIA",
            AmiType::BottlerocketArmNvidia => "BOTTLEROCKET_ARM_64_NVIDIA",
            AmiType::BottlerocketX86Fips => "BOTTLEROCKET_x86_64_FIPS",
            AmiType::BottlerocketArmFips => "BOTTLEROCKET_ARM_64_FIPS",
        }
    }

    fn is_arm(self) -> bool {
        self.as_str().contains("ARM")
    }

    /// The block devices to encrypt, with the one whose size is the node's disk for container
    /// images last: the root volume on Amazon Linux; the OS and data volumes on Bottlerocket.
    fn devices(self) -> &'static [&'static str] {
        if self.as_str().starts_with("BOTTLEROCKET") {
            &["/dev/xvda", "/dev/xvdb"]
        } else {
            &["/dev/xvda"]
        }
    }
}

/// On-demand or spot instances.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CapacityType {
    /// On-demand instances.
    #[default]
    OnDemand,
    /// Spot instances: cheaper, and taken back with two minutes' notice. List several
    /// instance types of the same size so that EKS can find capacity.
    Spot,
}

/// What a taint does to pods that do not tolerate it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaintEffect {
    /// They are not scheduled on the nodes.
    NoSchedule,
    /// The scheduler avoids the nodes when it can.
    PreferNoSchedule,
    /// They are not scheduled, and running ones are evicted.
    NoExecute,
}

/// A Kubernetes taint on every node of the group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Taint {
    /// The key (`dedicated`, `example.com/gpu`).
    pub key: String,
    /// The value; empty for none.
    pub value: String,
    /// The effect.
    pub effect: TaintEffect,
}

impl Taint {
    /// A taint `key=value:effect`.
    pub fn new(key: &str, value: &str, effect: TaintEffect) -> Taint {
        Taint {
            key: key.to_owned(),
            value: value.to_owned(),
            effect,
        }
    }
}

/// How many nodes may be replaced at once during an update.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MaxUnavailable {
    /// This many nodes (1 to 100).
    Count(u32),
    /// This percentage of the nodes (1 to 100).
    Percent(u32),
}

impl Default for MaxUnavailable {
    fn default() -> Self {
        MaxUnavailable::Count(1)
    }
}

/// Options of a node group.
#[derive(Debug, Clone, cirrus_derive::Setters)]
pub struct NodegroupProps<'a> {
    /// The node group name. Default: generated by CloudFormation.
    pub nodegroup_name: Option<String>,
    /// The instance types, all of the AMI's architecture; several only make sense for spot.
    /// Default: `["t3.medium"]`, EKS's own default.
    pub instance_types: Vec<String>,
    /// The fewest nodes. Default: 2 (one per availability zone of a two-zone VPC).
    pub min_size: u32,
    /// The nodes to start with. A stack update that changes the scaling numbers resets it, so
    /// with an autoscaler, keep it equal to `min_size`. Default: 2.
    pub desired_size: u32,
    /// The most nodes. Default: 4.
    pub max_size: u32,
    /// Which of the cluster's VPC subnets the nodes go into. Default: the private subnets with
    /// egress (nodes need to pull images and reach the API server).
    pub subnet_types: Vec<SubnetType>,
    /// Kubernetes labels on every node. Default: none.
    pub labels: BTreeMap<String, String>,
    /// Kubernetes taints on every node (at most 50). Default: none.
    pub taints: Vec<Taint>,
    /// On-demand or spot. Default: on-demand.
    pub capacity_type: CapacityType,
    /// The node image. Default: Amazon Linux 2023, x86-64.
    pub ami_type: AmiType,
    /// The size of the disk for container images, in GiB (the root volume on Amazon Linux,
    /// the data volume on Bottlerocket). Default: the image's own (20 GiB).
    pub disk_size_gib: Option<u32>,
    /// How many nodes an update replaces at once. Default: one node.
    pub max_unavailable: MaxUnavailable,
    /// The IMDSv2 hop limit (1 to 64). 1 keeps pods in their own network namespace away from
    /// the instance metadata and the node role's credentials; 2 lets them through, for pods
    /// that read the metadata (the AWS Load Balancer Controller without `--aws-region` and
    /// `--aws-vpc-id`). Default: 1. IMDSv1 is always off (checkov CKV_AWS_79).
    pub metadata_hop_limit: u8,
    /// The nodes' role; the three managed policies nodes need are attached to it. Default: a
    /// new role trusting `ec2.amazonaws.com` with `AmazonEKSWorkerNodePolicy`,
    /// `AmazonEKS_CNI_Policy` and `AmazonEC2ContainerRegistryReadOnly`.
    pub role: Option<Role<'a>>,
}

impl Default for NodegroupProps<'_> {
    fn default() -> Self {
        NodegroupProps {
            nodegroup_name: None,
            instance_types: vec!["t3.medium".to_owned()],
            min_size: 2,
            desired_size: 2,
            max_size: 4,
            subnet_types: vec![SubnetType::PrivateWithEgress],
            labels: BTreeMap::new(),
            taints: Vec::new(),
            capacity_type: CapacityType::default(),
            ami_type: AmiType::default(),
            disk_size_gib: None,
            max_unavailable: MaxUnavailable::default(),
            metadata_hop_limit: 1,
            role: None,
        }
    }
}

/// An EKS managed node group. It is created after the cluster's networking add-ons and
/// before its other add-ons (see [`AddonTiming`](crate::eks::AddonTiming)), and after the
/// VPC's NAT gateways when the VPC says it has them.
#[derive(Debug, Clone, Copy)]
pub struct Nodegroup<'a> {
    node: Node<'a>,
    resource: ResourceRef<'a, CfnNodegroup>,
    role: Role<'a>,
}

impl<'a> Construct<'a> for Nodegroup<'a> {
    fn node(&self) -> Node<'a> {
        self.node
    }
}

impl<'a> Nodegroup<'a> {
    /// A node group of `cluster`.
    pub fn new(
        scope: impl Construct<'a>,
        id: &str,
        cluster: &Cluster<'a>,
        props: NodegroupProps<'a>,
    ) -> Nodegroup<'a> {
        let node = scope.node().add_child(id);
        node.set_standing_cost(
            "EC2 instances of a managed node group, billed hourly (at least the minimum size)",
            "the nodes that run the cluster's pods",
            "NodegroupProps::min_size(0) lets the autoscaler remove every node when idle",
        );
        check(node, &props);

        let (subnets, egress, addons) = cluster.state(|state| {
            let subnets: Vec<Expr<String>> = state
                .vpc_subnets
                .iter()
                .filter(|s| props.subnet_types.contains(&s.kind))
                .map(|s| s.subnet_id.clone())
                .collect();
            (subnets, state.egress, state.addons.clone())
        });
        if subnets.is_empty() {
            node.error_with_hint(
                codes::eks::NODEGROUP_SUBNETS_MISSING,
                format!(
                    "the cluster's VPC has no subnets of the types {:?}",
                    props.subnet_types
                ),
                "choose subnet_types the VPC has",
            );
        }

        let role = props.role.unwrap_or_else(|| {
            Role::new(
                node,
                "NodeRole",
                Principal::service("ec2.amazonaws.com"),
                RoleProps {
                    description: Some("the nodes of an EKS managed node group".into()),
                    ..Default::default()
                },
            )
        });
        for policy in NODE_POLICIES {
            role.add_managed_policy(&ManagedPolicyArn::aws(policy));
        }

        let template = node.add(
            "LaunchTemplate",
            CfnLaunchTemplate::new(launch_template::LaunchTemplateData {
                metadata_options: Some(
                    launch_template::MetadataOptions {
                        http_endpoint: Some("enabled".into()),
                        http_tokens: Some("required".into()),
                        http_put_response_hop_limit: Some(
                            i64::from(props.metadata_hop_limit).into(),
                        ),
                        ..Default::default()
                    }
                    .into(),
                ),
                block_device_mappings: Some(
                    block_devices(props.ami_type, props.disk_size_gib).into(),
                ),
                ..Default::default()
            }),
        );

        let labels: BTreeMap<String, Expr<String>> = props
            .labels
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().into()))
            .collect();
        let taints: Vec<nodegroup::Taint> = props
            .taints
            .iter()
            .map(|t| nodegroup::Taint {
                key: Some(t.key.as_str().into()),
                value: (!t.value.is_empty()).then(|| t.value.as_str().into()),
                effect: Some(
                    match t.effect {
                        TaintEffect::NoSchedule => "NO_SCHEDULE",
                        TaintEffect::PreferNoSchedule => "PREFER_NO_SCHEDULE",
                        TaintEffect::NoExecute => "NO_EXECUTE",
                    }
                    .into(),
                ),
            })
            .collect();
        let update = match props.max_unavailable {
            MaxUnavailable::Count(n) => nodegroup::UpdateConfig {
                max_unavailable: Some(f64::from(n).into()),
                ..Default::default()
            },
            MaxUnavailable::Percent(p) => nodegroup::UpdateConfig {
                max_unavailable_percentage: Some(f64::from(p).into()),
                ..Default::default()
            },
        };
        let cfn = CfnNodegroup {
            nodegroup_name: props.nodegroup_name.map(Into::into),
            ami_type: Some(props.ami_type.as_str().into()),
            capacity_type: Some(
                match props.capacity_type {
                    CapacityType::OnDemand => "ON_DEMAND",
                    CapacityType::Spot => "SPOT",
                }
                .into(),
            ),
            instance_types: Some(props.instance_types.clone().into()),
            scaling_config: Some(
                nodegroup::ScalingConfig {
                    min_size: Some(i64::from(props.min_size).into()),
                    desired_size: Some(i64::from(props.desired_size).into()),
                    max_size: Some(i64::from(props.max_size).into()),
                }
                .into(),
            ),
            labels: (!labels.is_empty()).then(|| labels.into()),
            taints: (!taints.is_empty()).then(|| taints.into()),
            update_config: Some(update.into()),
            launch_template: Some(
                nodegroup::LaunchTemplateSpecification {
                    id: Some(template.ref_()),
                    version: Some(template.attrs().latest_version_number()),
                    ..Default::default()
                }
                .into(),
            ),
            ..CfnNodegroup::new(cluster.name_ref(), role.arn(), subnets)
        };
        let resource = node.add("Resource", cfn);

        let app = node.app();
        if let Some(egress) = egress.and_then(|key| key.node(app)) {
            resource.add_dependency(&egress);
        }
        for record in &addons {
            if let Some(addon) = record.resource.get(app) {
                order(record, addon.node(), resource.node());
            }
        }
        let key = resource.key();
        cluster.state(|state| state.nodegroups.push(key));
        crate::eks::workloads::after_cluster_parts(cluster);
        Nodegroup {
            node,
            resource,
            role,
        }
    }

    /// The node group name.
    pub fn name(&self) -> Expr<String> {
        self.resource.attrs().nodegroup_name()
    }

    /// The node group ARN.
    pub fn arn(&self) -> Expr<String> {
        self.resource.attrs().arn()
    }

    /// The nodes' role.
    pub fn role(&self) -> Role<'a> {
        self.role
    }

    /// The L1 resource.
    pub fn l1(&self) -> ResourceRef<'a, CfnNodegroup> {
        self.resource
    }
}

/// Encrypted gp3 volumes for the image's devices, the last one (for container images) sized.
fn block_devices(ami: AmiType, size_gib: Option<u32>) -> Vec<launch_template::BlockDeviceMapping> {
    let devices = ami.devices();
    devices
        .iter()
        .enumerate()
        .map(|(i, device)| launch_template::BlockDeviceMapping {
            device_name: Some((*device).into()),
            ebs: Some(
                launch_template::Ebs {
                    encrypted: Some(true.into()),
                    volume_type: Some("gp3".into()),
                    volume_size: size_gib
                        .filter(|_| i + 1 == devices.len())
                        .map(|s| i64::from(s).into()),
                    delete_on_termination: Some(true.into()),
                    ..Default::default()
                }
                .into(),
            ),
            ..Default::default()
        })
        .collect()
}

/// Reports what is wrong with the props.
/// The default of the EC2 quota "Running On-Demand Standard (A, C, D, H, I, M, R, T, Z)
/// instances" (L-1216C47A), in vCPUs, as Service Quotas reports it for an account that never
/// asked for more ("Service Quotas examples using the AWS CLI").
const STANDARD_ON_DEMAND_DEFAULT_VCPUS: u32 = 5;

/// The vCPUs of an instance type of the families the standard On-Demand quota counts, from the
/// size in its name ("Amazon EC2 instance types": `large` is 2 vCPUs, `xlarge` 4, `<n>xlarge`
/// 4n, `medium` 1; the burstable `t3`, `t3a` and `t4g` have 2 up to `large`, `t2` has 1 up to
/// `small`). `None` for other families (GPU and accelerated ones have quotas of their own),
/// `metal` and names that do not parse.
fn standard_vcpus(instance_type: &str) -> Option<u32> {
    let (family, size) = instance_type.split_once('.')?;
    let first = family.chars().next()?;
    if !"acdhimrtz".contains(first) {
        return None;
    }
    let burstable = family.starts_with('t');
    match size {
        "nano" | "micro" | "small" if family == "t2" => Some(1),
        "nano" | "micro" | "small" | "medium" | "large" if burstable => Some(2),
        "medium" => Some(1),
        "large" => Some(2),
        "xlarge" => Some(4),
        other => other
            .strip_suffix("xlarge")
            .and_then(|n| n.parse::<u32>().ok())
            .map(|n| n * 4),
    }
}

/// A node group whose On-Demand instances of standard families need more vCPUs at their
/// desired size than the quota's default: creating it fails in a new account until the quota
/// is raised, twenty minutes into the deploy.
fn quota_warning(node: Node<'_>, props: &NodegroupProps<'_>) {
    if props.capacity_type != CapacityType::OnDemand {
        return;
    }
    // Managed node groups may launch any of the types: count the smallest.
    let Some(vcpus) = props
        .instance_types
        .iter()
        .map(|t| standard_vcpus(t))
        .collect::<Option<Vec<u32>>>()
        .and_then(|v| v.into_iter().min())
    else {
        return;
    };
    let needed = vcpus * props.desired_size;
    if needed > STANDARD_ON_DEMAND_DEFAULT_VCPUS {
        node.warning_with_hint(
            codes::eks::NODES_ABOVE_DEFAULT_QUOTA,
            format!(
                "{} nodes of {} vCPUs ({}) need {needed} vCPUs of On-Demand Standard instances when created ({} at the minimum size); the quota \"Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances\" (L-1216C47A) is {STANDARD_ON_DEMAND_DEFAULT_VCPUS} vCPUs by default",
                props.desired_size,
                vcpus,
                props.instance_types.join(", "),
                vcpus * props.min_size
            ),
            format!("check the quota in Service Quotas for the stack's region and request at least {needed} vCPUs (more for the maximum size) before deploying"),
        );
    }
}

fn check(node: Node<'_>, props: &NodegroupProps<'_>) {
    if let Some(problem) = props
        .nodegroup_name
        .as_deref()
        .and_then(names::nodegroup_name)
    {
        node.error(codes::eks::NODEGROUP_NAME_INVALID, problem);
    }
    let (min, desired, max) = (props.min_size, props.desired_size, props.max_size);
    if max < 1 {
        node.error_with_hint(
            codes::eks::SCALING_INVALID,
            "max_size is 0; a node group needs room for at least one node",
            "set max_size to 1 or more",
        );
    }
    if !(min <= desired && desired <= max) {
        node.error_with_hint(codes::eks::SCALING_INVALID,
            format!(
                "scaling sizes must satisfy min <= desired <= max; they are min {min}, desired {desired}, max {max}"
            ),
            "adjust min_size, desired_size and max_size",
        );
    }
    if props.instance_types.is_empty() {
        node.error_with_hint(
            codes::eks::INSTANCE_TYPES_EMPTY,
            "instance_types is empty",
            "list at least one instance type, such as \"m6i.large\"",
        );
    }
    quota_warning(node, props);
    let ami_arm = props.ami_type.is_arm();
    for instance_type in &props.instance_types {
        let Some(architecture) = instance_types::architecture(instance_type) else {
            let (message, hint) = instance_types::unknown(instance_type);
            node.error_with_hint(codes::eks::INSTANCE_TYPE_UNKNOWN, message, hint);
            continue;
        };
        let wanted = if ami_arm {
            Architecture::Arm64
        } else {
            Architecture::X86_64
        };
        if architecture != wanted {
            node.error_with_hint(
                codes::eks::INSTANCE_ARCHITECTURE_MISMATCH,
                format!(
                    "instance type {instance_type} is {} but the AMI type {} is {}",
                    architecture.describe(),
                    props.ami_type.as_str(),
                    wanted.describe(),
                ),
                "use instance types of the AMI type's architecture (Graviton types such as m7g.large run ARM)",
            );
        }
    }
    if props.subnet_types.is_empty() {
        node.error(
            codes::eks::NODEGROUP_SUBNETS_MISSING,
            "subnet_types is empty; nodes need subnets",
        );
    }
    for (key, value) in &props.labels {
        for problem in names::label_key("label", key)
            .into_iter()
            .chain(names::label_value("label", key, value))
        {
            node.error(codes::eks::KUBERNETES_NAME_INVALID, problem);
        }
    }
    if props.taints.len() > 50 {
        node.error(
            codes::eks::TOO_MANY_TAINTS,
            format!(
                "{} taints; a node group takes at most 50",
                props.taints.len()
            ),
        );
    }
    for taint in &props.taints {
        for problem in names::label_key("taint", &taint.key)
            .into_iter()
            .chain(names::label_value("taint", &taint.key, &taint.value))
        {
            node.error(codes::eks::KUBERNETES_NAME_INVALID, problem);
        }
    }
    if let Some(size) = props.disk_size_gib
        && !(1..=16384).contains(&size)
    {
        node.error(
            codes::eks::DISK_SIZE_OUT_OF_RANGE,
            format!("disk_size_gib is {size}; gp3 volumes are 1 to 16384 GiB"),
        );
    }
    let (what, n) = match props.max_unavailable {
        MaxUnavailable::Count(n) => ("max_unavailable count", n),
        MaxUnavailable::Percent(n) => ("max_unavailable percentage", n),
    };
    if !(1..=100).contains(&n) {
        node.error(
            codes::eks::UPDATE_LIMIT_OUT_OF_RANGE,
            format!("{what} is {n}; EKS accepts 1 to 100"),
        );
    }
    if !(1..=64).contains(&props.metadata_hop_limit) {
        node.error(
            codes::eks::HOP_LIMIT_OUT_OF_RANGE,
            format!(
                "metadata_hop_limit is {}; EC2 accepts 1 to 64",
                props.metadata_hop_limit
            ),
        );
    }
}
