//! `Cluster`: a long-running EMR cluster in private subnets, encrypted at rest, logging to S3,
//! with roles that hold only what the cluster needs.
//!
//! The AWS CDK has no L2 for EMR. EMR's console defaults attach the legacy
//! `AmazonElasticMapReduceforEC2Role` policy (`s3:*`, `dynamodb:*`, `sqs:*` ... on `*`) to the
//! instances; here the instance role starts with write access to the cluster's log prefix and
//! use of its keys, and data access is granted per bucket.

use std::collections::BTreeMap;

use cirrus_cfn::emr::{CfnCluster, cluster as emr};
use cirrus_core::{Construct, Expr, Node, ResourceRef, Tag, fns, pseudo};

use crate::codes;
use crate::ec2::{ISecurityGroup, IVpc, Peer, Port, SecurityGroup, SecurityGroupProps, SubnetType};
use crate::emr::instances::{Instances, ManagedScaling};
use crate::emr::release::{Application, ReleaseLabel};
use crate::emr::security_configuration::{SecurityConfiguration, SecurityConfigurationProps};
use crate::iam::{
    Grantable, InstanceProfile, ManagedPolicyArn, PolicyCondition, PolicyStatement, Principal,
    Role, RoleProps,
};
use crate::instance_types;
use crate::kms::{IKey, Key, KeyProps};
use crate::s3::{Bucket, IBucket, stack_log_bucket};

/// The tag `AmazonEMRServicePolicy_v2` requires on the subnets and security groups it uses.
pub const MANAGED_POLICY_TAG: (&str, &str) = ("for-use-with-amazon-emr-managed-policies", "true");

/// What a cluster offers to the jobs that submit work to it: implemented by [`Cluster`] and by
/// clusters imported with [`Cluster::from_id`].
pub trait ICluster<'a> {
    /// The cluster's id (`j-...`).
    fn id(&self) -> Expr<String>;

    /// The cluster's ARN:
    /// `arn:${AWS::Partition}:elasticmapreduce:${AWS::Region}:${AWS::AccountId}:cluster/<id>`.
    fn arn(&self) -> Expr<String> {
        fns::sub(
            "arn:${AWS::Partition}:elasticmapreduce:${AWS::Region}:${AWS::AccountId}:cluster/${Id}",
            [("Id", self.id())],
        )
    }

    /// Lets `grantee` submit steps to this cluster and follow them.
    fn grant_add_steps(&self, grantee: &impl Grantable<'a>) {
        grantee.add_to_principal_policy(
            PolicyStatement::allow()
                .actions([
                    "elasticmapreduce:AddJobFlowSteps",
                    "elasticmapreduce:CancelSteps",
                    "elasticmapreduce:DescribeCluster",
                    "elasticmapreduce:DescribeStep",
                    "elasticmapreduce:ListSteps",
                ])
                .resources([self.arn()]),
        );
    }
}

/// Where the cluster's log files go.
#[derive(Debug, Clone, Copy, Default)]
pub enum ClusterLogs<'a> {
    /// To the stack's access-log bucket (`AccessLogsBucket`), under `emr/<construct path>/`.
    #[default]
    StackLogBucket,
    /// To this bucket, under `prefix` (ending in `/`).
    To {
        /// The bucket.
        bucket: Bucket<'a>,
        /// The key prefix of the log files.
        prefix: &'a str,
    },
}

/// A configuration classification (`hive-site`, `spark-defaults`, ...) and its properties.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Configuration {
    /// The classification, such as `spark-hive-site`.
    pub classification: String,
    /// Its properties.
    pub properties: BTreeMap<String, String>,
}

impl Configuration {
    /// Hive and Spark SQL use the AWS Glue Data Catalog as their metastore, so tables are
    /// shared with Athena. The instance role then needs Glue permissions on the catalog's
    /// databases and tables, granted separately.
    pub fn glue_data_catalog() -> Vec<Configuration> {
        let factory = "com.amazonaws.glue.catalog.metastore.AWSGlueDataCatalogHiveClientFactory";
        ["hive-site", "spark-hive-site"]
            .into_iter()
            .map(|classification| Configuration {
                classification: classification.to_owned(),
                properties: [(
                    "hive.metastore.client.factory.class".to_owned(),
                    factory.to_owned(),
                )]
                .into_iter()
                .collect(),
            })
            .collect()
    }
}

/// Options of a cluster.
#[derive(Debug, Clone, cirrus_derive::Setters)]
pub struct ClusterProps<'a> {
    /// The cluster's name (at most 256 characters, none of `< > $ | \``). Default: the
    /// construct path, with `/` as `-`.
    pub name: Option<String>,
    /// The EMR release. Default: [`ReleaseLabel::LATEST`].
    pub release_label: ReleaseLabel,
    /// The applications to install. Default: Hadoop, Spark and Hive.
    pub applications: Vec<Application>,
    /// The instances. Default: one `m5.xlarge` primary and two `m5.xlarge` core nodes.
    pub instances: Instances,
    /// Which subnets of the VPC the cluster uses (never public). Default: private subnets with
    /// egress.
    pub subnet_type: SubnetType,
    /// Limits within which EMR resizes core and task nodes. Default: none (fixed size).
    pub managed_scaling: Option<ManagedScaling>,
    /// Where log files go. Default: the stack's access-log bucket.
    pub logs: ClusterLogs<'a>,
    /// The key for the default security configuration and for the log files. Default: a new key.
    pub encryption_key: Option<Key<'a>>,
    /// The security configuration. Default: a new one encrypting at rest with the cluster's key.
    pub security_configuration: Option<SecurityConfiguration<'a>>,
    /// Configuration classifications. Default: none.
    pub configurations: Vec<Configuration>,
    /// Protect the instances from termination by API calls and errors. CloudFormation cannot
    /// delete a protected cluster: turn this off in one deployment before removing the cluster.
    /// Default: `true`.
    pub termination_protected: bool,
    /// The root volume size of each instance, in GiB (15 to 100). Default: EMR's.
    pub ebs_root_volume_gib: Option<u32>,
    /// Let the nodes connect anywhere. Default: `false`: the nodes reach each other, EMR's
    /// service, and HTTPS (S3 and AWS APIs) only; applications that call other ports (a JDBC
    /// source, a package mirror over HTTP) need this or extra egress rules on
    /// [`Cluster::primary_security_group`] and [`Cluster::core_security_group`].
    pub allow_all_outbound: bool,
}

impl Default for ClusterProps<'_> {
    fn default() -> Self {
        ClusterProps {
            name: None,
            release_label: ReleaseLabel::default(),
            applications: vec![Application::Hadoop, Application::Spark, Application::Hive],
            instances: Instances::default(),
            subnet_type: SubnetType::PrivateWithEgress,
            managed_scaling: None,
            logs: ClusterLogs::default(),
            encryption_key: None,
            security_configuration: None,
            configurations: Vec::new(),
            termination_protected: true,
            ebs_root_volume_gib: None,
            allow_all_outbound: false,
        }
    }
}

/// A long-running EMR cluster (`KeepJobFlowAliveWhenNoSteps`) in private subnets.
///
/// - Roles: a service role with `AmazonEMRServicePolicy_v2` (plus passing the instance role and
///   using the key for EBS encryption), and an instance role + profile that may write the log
///   prefix and use the keys; grant data access with `bucket.grant_read(&cluster.instance_role())`.
/// - Security groups: the three EMR-managed groups (primary, core/task, service access) are
///   created with every inbound rule EMR would add itself, so EMR adds none, and CloudFormation
///   can delete them (rules EMR adds between the groups would block that). They are tagged for
///   `AmazonEMRServicePolicy_v2`, which also requires the *subnets* to carry
///   `for-use-with-amazon-emr-managed-policies=true`: tag them in the VPC.
/// - No Kerberos (it needs a KDC admin password in the template), no bootstrap actions, no
///   steps: jobs are submitted to the running cluster.
#[derive(Debug, Clone, Copy)]
pub struct Cluster<'a> {
    node: Node<'a>,
    resource: ResourceRef<'a, CfnCluster>,
    service_role: Role<'a>,
    instance_role: Role<'a>,
    primary_sg: SecurityGroup<'a>,
    core_sg: SecurityGroup<'a>,
    service_sg: SecurityGroup<'a>,
}

impl<'a> Construct<'a> for Cluster<'a> {
    fn node(&self) -> Node<'a> {
        self.node
    }
}

impl<'a> Cluster<'a> {
    /// A cluster in `vpc`.
    pub fn new(
        scope: impl Construct<'a>,
        id: &str,
        vpc: &impl IVpc<'a>,
        props: ClusterProps<'a>,
    ) -> Cluster<'a> {
        let node = scope.node().add_child(id);
        check(node, &props);
        let relative_path = node
            .path()
            .split_once('/')
            .map_or(String::new(), |p| p.1.to_owned());

        let subnets = if props.subnet_type == SubnetType::Public {
            node.error_with_hint(
                codes::emr::PUBLIC_SUBNETS,
                "an EMR cluster must not be placed in public subnets",
                "use SubnetType::PrivateWithEgress, or Isolated with S3 and EMR endpoints",
            );
            Vec::new()
        } else {
            let ids = vpc.subnet_ids(props.subnet_type);
            if ids.is_empty() {
                node.error_with_hint(
                    codes::emr::SUBNETS_MISSING,
                    format!(
                        "the VPC has no {:?} subnets for the cluster",
                        props.subnet_type
                    ),
                    "choose a subnet_type the VPC has",
                );
            }
            ids
        };

        let key = props.encryption_key.unwrap_or_else(|| {
            Key::new(
                node,
                "Key",
                KeyProps {
                    description: Some(format!(
                        "encrypts the data and logs of the EMR cluster {}",
                        node.path()
                    )),
                    ..Default::default()
                },
            )
        });
        let security = props.security_configuration.unwrap_or_else(|| {
            SecurityConfiguration::new(
                node,
                "SecurityConfiguration",
                &key,
                SecurityConfigurationProps::default(),
            )
        });

        let (service_role, instance_role, profile) = roles(node);
        let keys: Vec<Key<'a>> = if security.key().arn() == key.arn() {
            vec![key]
        } else {
            vec![key, security.key()]
        };
        for k in &keys {
            // The instances encrypt EMRFS objects, local disks and log files.
            instance_role.add_to_policy(
                PolicyStatement::allow()
                    .actions([
                        "kms:Decrypt",
                        "kms:DescribeKey",
                        "kms:Encrypt",
                        "kms:GenerateDataKey*",
                        "kms:ReEncrypt*",
                    ])
                    .resources([k.arn()]),
            );
        }
        // EMR encrypts the EBS volumes it attaches with the security configuration's key.
        service_role.add_to_policy(
            PolicyStatement::allow()
                .actions([
                    "kms:Decrypt",
                    "kms:DescribeKey",
                    "kms:Encrypt",
                    "kms:GenerateDataKey*",
                    "kms:ReEncrypt*",
                ])
                .resources([security.key().arn()]),
        );
        service_role.add_to_policy(
            PolicyStatement::allow()
                .actions(["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"])
                .resources([security.key().arn()])
                .condition("Bool", "kms:GrantIsForAWSResource", "true"),
        );
        if let Some(certificates) = security.certificates_arn() {
            instance_role.add_to_policy(
                PolicyStatement::allow()
                    .actions(["s3:GetObject"])
                    .resources([certificates]),
            );
            if let Some(k) = security.certificates_key() {
                k.grant_decrypt(&instance_role);
            }
        }

        let (log_bucket, log_prefix) = match props.logs {
            ClusterLogs::StackLogBucket => {
                (stack_log_bucket(node), format!("emr/{relative_path}/"))
            }
            ClusterLogs::To { bucket, prefix } => (bucket, prefix.to_owned()),
        };
        if !log_prefix.ends_with('/') || log_prefix.starts_with('/') {
            node.error_with_hint(
                codes::emr::LOG_PREFIX_INVALID,
                format!(
                    "log prefix \"{log_prefix}\" must end with '/' and must not start with '/'"
                ),
                "write it as a folder, such as emr/",
            );
        }
        let escaped_prefix = log_prefix.replace("${", "${!");
        instance_role.add_to_policy(
            PolicyStatement::allow()
                .actions(["s3:PutObject"])
                .resources([log_bucket.arn_for_objects(&format!("{escaped_prefix}*"))]),
        );
        if let Some(k) = log_bucket.encryption_key() {
            k.grant_encrypt(&instance_role);
        }

        let groups = SecurityGroups::new(node, vpc, props.allow_all_outbound);

        let mut instances = emr::JobFlowInstancesConfig {
            keep_job_flow_alive_when_no_steps: Some(true.into()),
            termination_protected: Some(props.termination_protected.into()),
            emr_managed_master_security_group: Some(groups.primary.id()),
            emr_managed_slave_security_group: Some(groups.core.id()),
            service_access_security_group: Some(groups.service.id()),
            ..Default::default()
        };
        if props.instances.is_fleets() {
            instances.ec2_subnet_ids = Some(subnets.into());
        } else {
            instances.ec2_subnet_id = subnets.into_iter().next();
        }
        props.instances.apply(&mut instances);

        let name = props
            .name
            .clone()
            .unwrap_or_else(|| node.path().replace('/', "-"));
        let mut cfn = CfnCluster::new(instances, profile.name(), name, service_role.name());
        cfn.release_label = Some(props.release_label.to_string().into());
        cfn.applications = Some(
            props
                .applications
                .iter()
                .map(|a| emr::Application {
                    name: Some(a.as_str().into()),
                    ..Default::default()
                })
                .collect::<Vec<_>>()
                .into(),
        );
        cfn.security_configuration = Some(security.name());
        cfn.log_uri = Some(fns::sub(
            &format!("s3://${{Bucket}}/{escaped_prefix}"),
            [("Bucket", log_bucket.name())],
        ));
        cfn.log_encryption_kms_key_id = Some(key.arn());
        cfn.visible_to_all_users = Some(true.into());
        cfn.ebs_root_volume_size = props.ebs_root_volume_gib.map(|g| i64::from(g).into());
        cfn.managed_scaling_policy = props
            .managed_scaling
            .map(|s| s.cfn(props.instances.scaling_unit()).into());
        if !props.configurations.is_empty() {
            cfn.configurations = Some(
                props
                    .configurations
                    .iter()
                    .map(|c| emr::Configuration {
                        classification: Some(c.classification.as_str().into()),
                        configuration_properties: Some(c.properties.clone().into()),
                        ..Default::default()
                    })
                    .collect::<Vec<_>>()
                    .into(),
            );
        }
        let resource = node.add("Resource", cfn);

        // EMR checks its roles' permissions, and adds any inbound rule it misses to the managed
        // security groups, when the cluster is created: both must exist first. Nothing in the
        // cluster references them, so say so.
        for role in [service_role, instance_role] {
            if let Some(policy) = role.default_policy() {
                resource.add_dependency(&policy);
            }
        }
        for group in [groups.primary, groups.core, groups.service] {
            for child in group.node().children() {
                if child.id() != "Resource" {
                    resource.add_dependency(&child);
                }
            }
        }

        Cluster {
            node,
            resource,
            service_role,
            instance_role,
            primary_sg: groups.primary,
            core_sg: groups.core,
            service_sg: groups.service,
        }
    }

    /// The cluster's id (`j-...`).
    pub fn id(&self) -> Expr<String> {
        self.resource.ref_()
    }

    /// The ARN of the cluster.
    pub fn arn(&self) -> Expr<String> {
        ICluster::arn(self)
    }

    /// The DNS name of the primary node (`MasterPublicDNS`, which in private subnets is its
    /// private name).
    pub fn primary_dns_name(&self) -> Expr<String> {
        self.resource.attrs().master_public_dns()
    }

    /// The role EMR acts with.
    pub fn service_role(&self) -> Role<'a> {
        self.service_role
    }

    /// The role the cluster's instances (and so its jobs) act with: grant it data access.
    pub fn instance_role(&self) -> Role<'a> {
        self.instance_role
    }

    /// The security group of the primary node(s).
    pub fn primary_security_group(&self) -> SecurityGroup<'a> {
        self.primary_sg
    }

    /// The security group of the core and task nodes.
    pub fn core_security_group(&self) -> SecurityGroup<'a> {
        self.core_sg
    }

    /// The security group of EMR's service access to the private subnets.
    pub fn service_access_security_group(&self) -> SecurityGroup<'a> {
        self.service_sg
    }

    /// Lets `grantee` submit steps to this cluster and follow them.
    pub fn grant_add_steps(&self, grantee: &impl Grantable<'a>) {
        ICluster::grant_add_steps(self, grantee);
    }

    /// The L1 resource.
    pub fn l1(&self) -> ResourceRef<'a, CfnCluster> {
        self.resource
    }

    /// An existing cluster of the stack's region and account, by id (`j-...`), for
    /// [`ICluster::grant_add_steps`]: an orchestrator that submits steps to a cluster it does
    /// not own. Its roles and security groups stay as they are.
    pub fn from_id(
        scope: impl Construct<'a>,
        id: &str,
        cluster_id: impl Into<Expr<String>>,
    ) -> ImportedCluster<'a> {
        let node = scope.node().add_child(id);
        let cluster_id = cluster_id.into();
        if let Some(literal) = cluster_id.as_literal()
            && !literal.starts_with("j-")
        {
            node.error_with_hint(
                codes::emr::CLUSTER_ID_INVALID,
                format!("\"{literal}\" is not the id of an EMR cluster"),
                "EMR cluster ids read j-<13 letters and digits>, as the console shows them",
            );
        }
        ImportedCluster {
            node,
            id: cluster_id,
        }
    }
}

/// The service role, the instance role and its instance profile.
fn roles<'a>(node: Node<'a>) -> (Role<'a>, Role<'a>, InstanceProfile<'a>) {
    let service_role = Role::new(
        node,
        "ServiceRole",
        Principal::service("elasticmapreduce.amazonaws.com"),
        RoleProps {
            description: Some("the role EMR manages the cluster with".into()),
            managed_policies: vec![ManagedPolicyArn::aws(
                "service-role/AmazonEMRServicePolicy_v2",
            )],
            trust_conditions: vec![
                PolicyCondition::new("StringEquals", "aws:SourceAccount", pseudo::account_id()),
                PolicyCondition::new(
                    "ArnLike",
                    "aws:SourceArn",
                    fns::sub(
                        "arn:${AWS::Partition}:elasticmapreduce:${AWS::Region}:${AWS::AccountId}:*",
                        [],
                    ),
                ),
            ],
            ..Default::default()
        },
    );
    let instance_role = Role::new(
        node,
        "InstanceRole",
        Principal::service("ec2.amazonaws.com"),
        RoleProps {
            description: Some("the role of the cluster's instances and jobs".into()),
            ..Default::default()
        },
    );
    // AmazonEMRServicePolicy_v2 may pass only the default instance role: allow this one.
    instance_role.grant_pass_role(&service_role, "ec2.amazonaws.com");
    let profile = InstanceProfile::new(node, "InstanceProfile", &instance_role);
    // EMR rejects an instance profile whose name differs from its role's.
    profile
        .l1()
        .update(|p| p.instance_profile_name = Some(instance_role.name()));
    (service_role, instance_role, profile)
}

impl<'a> ICluster<'a> for Cluster<'a> {
    fn id(&self) -> Expr<String> {
        self.resource.ref_()
    }
}

/// A cluster defined elsewhere, known by its id.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedCluster<'a> {
    node: Node<'a>,
    id: Expr<String>,
}

impl<'a> Construct<'a> for ImportedCluster<'a> {
    fn node(&self) -> Node<'a> {
        self.node
    }
}

impl ImportedCluster<'_> {
    /// The cluster's id.
    pub fn id(&self) -> Expr<String> {
        self.id.clone()
    }

    /// The cluster's ARN, in the stack's region and account.
    pub fn arn(&self) -> Expr<String> {
        ICluster::arn(self)
    }
}

impl<'a> ICluster<'a> for ImportedCluster<'a> {
    fn id(&self) -> Expr<String> {
        self.id.clone()
    }
}

/// The three EMR-managed security groups of a cluster in private subnets.
struct SecurityGroups<'a> {
    primary: SecurityGroup<'a>,
    core: SecurityGroup<'a>,
    service: SecurityGroup<'a>,
}

impl<'a> SecurityGroups<'a> {
    /// The groups with the inbound rules of EMR's managed groups for private subnets (releases
    /// up to 7.x), and the outbound rules the cluster needs.
    fn new(node: Node<'a>, vpc: &impl IVpc<'a>, allow_all_outbound: bool) -> SecurityGroups<'a> {
        let group = |id: &str, what: &str, all_outbound: bool| {
            let sg = SecurityGroup::new(
                node,
                id,
                vpc,
                &format!("EMR-managed {what} of {}", node.path()),
                SecurityGroupProps {
                    allow_all_outbound: all_outbound,
                    ..Default::default()
                },
            );
            sg.l1().update(|g| {
                g.tags = Some(vec![Tag::new(MANAGED_POLICY_TAG.0, MANAGED_POLICY_TAG.1)].into());
            });
            sg
        };
        let primary = group(
            "PrimarySecurityGroup",
            "primary node group",
            allow_all_outbound,
        );
        let core = group(
            "CoreSecurityGroup",
            "core and task node group",
            allow_all_outbound,
        );
        let service = group("ServiceAccessSecurityGroup", "service access group", false);
        let ids = [
            ("the primary nodes", primary.id()),
            ("the core and task nodes", core.id()),
        ];
        for target in [&primary, &core] {
            for (who, id) in &ids {
                for (port, what) in [
                    (Port::AllIcmp, "ICMP"),
                    (Port::AllTcp, "TCP"),
                    (Port::AllUdp, "UDP"),
                ] {
                    target.add_ingress_rule(
                        Peer::SecurityGroup(id.clone()),
                        port,
                        &format!("{what} from {who} (EMR-managed rule)"),
                    );
                }
            }
            target.add_ingress_rule(
                Peer::SecurityGroup(service.id()),
                Port::Tcp(8443),
                "the EMR cluster manager (EMR-managed rule)",
            );
        }
        service.add_ingress_rule(
            Peer::SecurityGroup(primary.id()),
            Port::Tcp(9443),
            "the primary node to the EMR cluster manager (EMR-managed rule)",
        );
        for target in [&primary, &core] {
            service.add_egress_rule(
                Peer::SecurityGroup(target.id()),
                Port::Tcp(8443),
                "the EMR cluster manager to the nodes",
            );
        }
        if !allow_all_outbound {
            for source in [&primary, &core] {
                for (who, id) in &ids {
                    source.add_egress_rule(
                        Peer::SecurityGroup(id.clone()),
                        Port::AllTraffic,
                        &format!("to {who}"),
                    );
                }
                source.add_egress_rule(
                    Peer::SecurityGroup(service.id()),
                    Port::Tcp(9443),
                    "to the EMR cluster manager",
                );
                source.add_egress_rule(
                    Peer::AnyIpv4,
                    Port::Tcp(443),
                    "HTTPS to S3, EMR, KMS and the other AWS APIs",
                );
            }
        }
        SecurityGroups {
            primary,
            core,
            service,
        }
    }
}

fn check(node: Node<'_>, props: &ClusterProps<'_>) {
    if let Some(problem) = props.release_label.problem() {
        node.error_with_hint(
            codes::emr::RELEASE_UNSUPPORTED,
            problem,
            format!(
                "use a release from {} to 7.x",
                ReleaseLabel::OLDEST_SUPPORTED
            ),
        );
    }
    if let Some(name) = &props.name
        && (name.is_empty() || name.len() > 256 || name.contains(['<', '>', '$', '|', '`']))
    {
        node.error_with_hint(
            codes::emr::CLUSTER_NAME_INVALID,
            format!("cluster name \"{name}\" is not 1 to 256 characters without < > $ | `"),
            "leave name unset to name the cluster after its construct path",
        );
    }
    if props.applications.is_empty() {
        node.error_with_hint(
            codes::emr::NO_APPLICATIONS,
            "the cluster installs no applications",
            "list what the jobs run on, such as Hadoop, Spark and Hive",
        );
    }
    for (i, app) in props.applications.iter().enumerate() {
        if props.applications[..i].contains(app) {
            node.error(
                codes::emr::APPLICATION_DUPLICATE,
                format!("application {} is listed twice", app.as_str()),
            );
        }
    }
    for problem in props.instances.problems() {
        node.error(codes::emr::INSTANCES_INVALID, problem);
    }
    let mut seen: Vec<&str> = Vec::new();
    for instance_type in props.instances.instance_types() {
        if !instance_types::is_known(instance_type) && !seen.contains(&instance_type) {
            let (message, hint) = instance_types::unknown(instance_type);
            node.error_with_hint(codes::emr::INSTANCE_TYPE_UNKNOWN, message, hint);
        }
        seen.push(instance_type);
    }
    if let Some(scaling) = &props.managed_scaling {
        for problem in scaling.problems() {
            node.error(codes::emr::MANAGED_SCALING_INVALID, problem);
        }
    }
    if let Some(gib) = props.ebs_root_volume_gib
        && !(15..=100).contains(&gib)
    {
        node.error_with_hint(
            codes::emr::ROOT_VOLUME_OUT_OF_RANGE,
            format!("ebs_root_volume_gib is {gib}; EMR root volumes are 15 to 100 GiB"),
            "put data on EBS data volumes (ebs_volume_gib of the instance groups) or in S3",
        );
    }
    for (i, c) in props.configurations.iter().enumerate() {
        if c.classification.is_empty() {
            node.error(
                codes::emr::CONFIGURATION_CLASSIFICATION_EMPTY,
                "a configuration has an empty classification",
            );
        }
        if props.configurations[..i]
            .iter()
            .any(|o| o.classification == c.classification)
        {
            node.error(
                codes::emr::CONFIGURATION_DUPLICATE,
                format!(
                    "configuration classification {} is listed twice; merge its properties",
                    c.classification
                ),
            );
        }
    }
}
