//! `FileSystem`: an EFS file system with a mount target in each subnet of a kind and a security
//! group of its own, encrypted, backed up, and reachable only over TLS through its mount
//! targets.
//!
//! The AWS CDK's `FileSystem` is encrypted and backed up by default too, but accepts plain NFS
//! and mounts from any network path that reaches it; this one's file system policy denies
//! connections without TLS (checkov CKV_AWS_184's concern is the key; the policy is ours) and
//! admits clients only through the mount targets, whose security group opens NFS to nobody
//! until [`FileSystem::allow_from`] names who may mount.

use cirrus_cfn::efs::{CfnFileSystem, CfnMountTarget, file_system};
use cirrus_core::{Construct, Expr, Node, RemovalPolicy, ResourceRef, ToValue};

use crate::codes;
use crate::ec2::{ISecurityGroup, IVpc, Peer, Port, SecurityGroup, SecurityGroupProps, SubnetType};
use crate::iam::{Grantable, PolicyDocument, PolicyStatement, Principal};
use crate::kms::{IKey, Key};

/// The NFS port every mount uses.
const NFS: u16 = 2049;

/// The days after the last access that EFS offers for a move to Infrequent Access
/// (`AFTER_<n>_DAYS`, the EFS API reference's `TransitionToIARules`).
const IA_DAYS: [u16; 9] = [1, 7, 14, 30, 60, 90, 180, 270, 365];

/// How the file system is encrypted at rest (always: an unencrypted file system is not
/// offered).
#[derive(Debug, Clone, Copy, Default)]
pub enum FileSystemEncryption<'a> {
    /// The AWS managed key `aws/elasticfilesystem`.
    #[default]
    KmsManaged,
    /// This customer managed key, which cannot change later (checkov CKV_AWS_184).
    Kms(Key<'a>),
}

/// How the file system scales its operations per second.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PerformanceMode {
    /// The lowest latency per operation; what EFS recommends for nearly every workload.
    #[default]
    GeneralPurpose,
    /// Higher aggregate throughput at higher latency, for thousands of clients; not with
    /// elastic throughput.
    MaxIo,
}

/// How throughput is provided and billed.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum ThroughputMode {
    /// Scales with the workload, billed per use: no capacity to plan.
    #[default]
    Elastic,
    /// Scales with the amount stored, with burst credits.
    Bursting,
    /// A fixed throughput in MiB/s, billed whether used or not.
    Provisioned(f64),
}

/// When files not read or written for a while move to the cheaper Infrequent Access class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransitionToIa {
    /// Days since the last access: 1, 7, 14, 30, 60, 90, 180, 270 or 365.
    pub after_days: u16,
}

/// Options of a file system.
#[derive(Debug, Clone, cirrus_derive::Setters)]
pub struct FileSystemProps<'a> {
    /// The kind of the VPC's subnets that get a mount target each (one per availability
    /// zone). Default: the private subnets with egress, where nodes run.
    pub subnet_type: SubnetType,
    /// Encryption at rest. Default: the AWS managed key.
    pub encryption: FileSystemEncryption<'a>,
    /// Default: general purpose.
    pub performance_mode: PerformanceMode,
    /// Default: elastic.
    pub throughput_mode: ThroughputMode,
    /// Daily backups by AWS Backup, kept 35 days (EFS's automatic backups). Default: `true`.
    pub automatic_backups: bool,
    /// Files move to Infrequent Access after this many days without access. Default: none
    /// (every file stays in Standard).
    pub transition_to_ia: Option<TransitionToIa>,
    /// What happens to the file system when it leaves the stack. Default: `Retain` (the files
    /// outlive the stack).
    pub removal_policy: RemovalPolicy,
}

impl Default for FileSystemProps<'_> {
    fn default() -> Self {
        FileSystemProps {
            subnet_type: SubnetType::PrivateWithEgress,
            encryption: FileSystemEncryption::default(),
            performance_mode: PerformanceMode::default(),
            throughput_mode: ThroughputMode::default(),
            automatic_backups: true,
            transition_to_ia: None,
            removal_policy: RemovalPolicy::Retain,
        }
    }
}

/// An EFS file system and its mount targets.
#[derive(Debug, Clone, Copy)]
pub struct FileSystem<'a> {
    node: Node<'a>,
    resource: ResourceRef<'a, CfnFileSystem>,
    security_group: SecurityGroup<'a>,
}

impl<'a> Construct<'a> for FileSystem<'a> {
    fn node(&self) -> Node<'a> {
        self.node
    }
}

impl<'a> FileSystem<'a> {
    /// A new file system in `vpc`, with a mount target in each of its subnets of
    /// [`FileSystemProps::subnet_type`].
    pub fn new(
        scope: impl Construct<'a>,
        id: &str,
        vpc: &impl IVpc<'a>,
        props: FileSystemProps<'a>,
    ) -> FileSystem<'a> {
        let node = scope.node().add_child(id);
        check(node, &props);
        let policy = PolicyDocument::of([
            PolicyStatement::allow()
                .sid("MountThroughMountTargets")
                .principal(Principal::Anyone)
                .actions([
                    "elasticfilesystem:ClientMount",
                    "elasticfilesystem:ClientWrite",
                ])
                .condition("Bool", "elasticfilesystem:AccessedViaMountTarget", "true"),
            PolicyStatement::deny()
                .sid("DenyInsecureTransport")
                .principal(Principal::Anyone)
                .actions(["*"])
                .condition("Bool", "aws:SecureTransport", "false"),
        ]);
        let (throughput_mode, provisioned) = match props.throughput_mode {
            ThroughputMode::Elastic => ("elastic", None),
            ThroughputMode::Bursting => ("bursting", None),
            ThroughputMode::Provisioned(mibps) => ("provisioned", Some(mibps.into())),
        };
        let cfn = CfnFileSystem {
            encrypted: Some(true.into()),
            kms_key_id: match props.encryption {
                FileSystemEncryption::KmsManaged => None,
                FileSystemEncryption::Kms(key) => Some(key.arn()),
            },
            performance_mode: Some(
                match props.performance_mode {
                    PerformanceMode::GeneralPurpose => "generalPurpose",
                    PerformanceMode::MaxIo => "maxIO",
                }
                .into(),
            ),
            throughput_mode: Some(throughput_mode.into()),
            provisioned_throughput_in_mibps: provisioned,
            backup_policy: Some(
                file_system::BackupPolicy::new(if props.automatic_backups {
                    file_system::BackupPolicyStatus::Enabled
                } else {
                    file_system::BackupPolicyStatus::Disabled
                })
                .into(),
            ),
            lifecycle_policies: props.transition_to_ia.map(|t| {
                vec![file_system::LifecyclePolicy {
                    transition_to_ia: Some(transition(t.after_days).into()),
                    ..Default::default()
                }]
                .into()
            }),
            file_system_policy: Some(policy.to_value()),
            ..Default::default()
        };
        let resource = node.add("Resource", cfn);
        resource.apply_removal_policy(props.removal_policy);
        let security_group = SecurityGroup::new(
            node,
            "SecurityGroup",
            vpc,
            &format!("mount targets of the file system {}", node.path()),
            SecurityGroupProps::default(),
        );
        let subnets = vpc.subnets(props.subnet_type);
        if subnets.is_empty() {
            node.error_with_hint(
                codes::efs::NO_MOUNT_TARGETS,
                format!(
                    "the VPC has no {:?} subnets, so the file system would have no mount targets",
                    props.subnet_type
                ),
                "choose a subnet_type the VPC has (where the clients run)",
            );
        }
        for (i, subnet) in subnets.iter().enumerate() {
            node.add(
                &format!("MountTarget{}", i + 1),
                CfnMountTarget::new(
                    resource.ref_(),
                    vec![security_group.id()],
                    subnet.subnet_id.clone(),
                ),
            );
        }
        FileSystem {
            node,
            resource,
            security_group,
        }
    }

    /// The file system id (`fs-0123456789abcdef0`): what an EFS CSI `StorageClass` names as
    /// its `fileSystemId`.
    pub fn id(&self) -> Expr<String> {
        self.resource.ref_()
    }

    /// The file system ARN.
    pub fn arn(&self) -> Expr<String> {
        self.resource.attrs().arn()
    }

    /// The security group of the mount targets.
    pub fn security_group(&self) -> SecurityGroup<'a> {
        self.security_group
    }

    /// Lets `peer` (the security group of a cluster's nodes) mount the file system: NFS
    /// (TCP 2049) to the mount targets. `description` says who it is, in words EC2 accepts.
    pub fn allow_from(&self, peer: Peer, description: &str) {
        self.security_group
            .add_ingress_rule(peer, Port::Tcp(NFS), description);
    }

    /// Lets `grantee` mount the file system and write to it, for clients that mount with IAM
    /// authorization (`-o iam`).
    pub fn grant_read_write(&self, grantee: &impl Grantable<'a>) {
        grantee.add_to_principal_policy(
            PolicyStatement::allow()
                .actions([
                    "elasticfilesystem:ClientMount",
                    "elasticfilesystem:ClientWrite",
                ])
                .resources([self.arn()]),
        );
    }

    /// Lets `grantee` mount the file system read-only, with IAM authorization.
    pub fn grant_read(&self, grantee: &impl Grantable<'a>) {
        grantee.add_to_principal_policy(
            PolicyStatement::allow()
                .actions(["elasticfilesystem:ClientMount"])
                .resources([self.arn()]),
        );
    }

    /// The L1 file system.
    pub fn l1(&self) -> ResourceRef<'a, CfnFileSystem> {
        self.resource
    }
}

/// What EFS would refuse in `props`.
fn check(node: Node<'_>, props: &FileSystemProps<'_>) {
    if let ThroughputMode::Provisioned(mibps) = props.throughput_mode
        && !(mibps.is_finite() && mibps > 0.0)
    {
        node.error_with_hint(
            codes::efs::THROUGHPUT_INVALID,
            format!("provisioned throughput {mibps} MiB/s is not a positive number"),
            "give the MiB/s to provision, or use ThroughputMode::Elastic",
        );
    }
    if props.performance_mode == PerformanceMode::MaxIo
        && props.throughput_mode == ThroughputMode::Elastic
    {
        node.error_with_hint(
            codes::efs::MAX_IO_WITH_ELASTIC,
            "EFS offers elastic throughput only in the general purpose performance mode",
            "use PerformanceMode::GeneralPurpose (EFS's recommendation), or bursting or provisioned throughput",
        );
    }
    if let Some(t) = props.transition_to_ia
        && !IA_DAYS.contains(&t.after_days)
    {
        let offered: Vec<String> = IA_DAYS.iter().map(u16::to_string).collect();
        node.error_with_hint(
            codes::efs::TRANSITION_INVALID,
            format!(
                "EFS moves files to Infrequent Access after {} days, not {}",
                offered.join(", "),
                t.after_days
            ),
            "choose one of those numbers of days",
        );
    }
}

/// `AFTER_30_DAYS`, `AFTER_1_DAY`.
fn transition(days: u16) -> String {
    if days == 1 {
        "AFTER_1_DAY".to_owned()
    } else {
        format!("AFTER_{days}_DAYS")
    }
}
