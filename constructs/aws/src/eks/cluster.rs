//! `Cluster`: an EKS control plane on the native `AWS::EKS::Cluster`.
//!
//! The AWS CDK's `eks.Cluster` creates the cluster through a Lambda-backed custom resource in
//! two nested stacks (eight functions and a kubectl layer); this one is a plain CloudFormation
//! resource, and access to Kubernetes is granted with EKS access entries, not the `aws-auth`
//! config map. Its defaults are also stricter than the CDK's: a private endpoint (the CDK's is
//! public to the whole internet), secrets encrypted with a KMS key, every control-plane log
//! type on, and the cluster's creator not made an administrator behind everyone's back.

use cirrus_cfn::ec2::CfnSecurityGroupIngress;
use cirrus_cfn::eks::{
    CfnAccessEntry, CfnAddon, CfnCluster, CfnNodegroup, CfnPodIdentityAssociation, cluster,
};
use cirrus_core::{Construct, Expr, Node, NodeKey, ResourceKey, ResourceRef, fns};

use crate::codes;
use crate::ec2::{IVpc, Peer, Subnet, SubnetType};
use crate::eks::KubernetesVersion;
use crate::eks::deployer::{DeployerPlan, DeployerRecord, WorkloadDeployer};
use crate::eks::names;
use crate::eks::version::{self, Support};
use crate::iam::{Grantable, ManagedPolicyArn, PolicyStatement, Principal, Role, RoleProps};
use crate::kms::{IKey, Key, KeyProps};
use crate::logs::{LogGroup, LogGroupProps, Retention};

/// Who can reach the cluster's Kubernetes API server. Every request is still authenticated
/// with IAM and authorised by access entries; this decides where requests may come from.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum EndpointAccess {
    /// Only from inside the VPC (and networks connected to it). The most secure choice, and
    /// the default: `kubectl` must then run in the VPC (a CodeBuild project in its private
    /// subnets, a bastion reached by Session Manager, a VPN).
    #[default]
    Private,
    /// From inside the VPC, and from the internet for these IPv4 CIDR blocks only (your
    /// office, your CI runners). Nodes use the private endpoint. `0.0.0.0/0` is accepted but
    /// must be written: it is the AWS CDK's silent default.
    PublicAndPrivate(Vec<String>),
    /// From the internet only, for these IPv4 CIDR blocks. Nodes then reach the API server
    /// over the internet too, so the blocks must include their NAT gateways' addresses.
    Public(Vec<String>),
}

/// How Kubernetes secrets are encrypted in etcd (envelope encryption with KMS). Checkov's
/// CKV_AWS_58 requires one of these; there is no way to turn it off.
#[derive(Debug, Clone, Copy, Default)]
pub enum SecretsEncryption<'a> {
    /// With a new customer managed key (`SecretsKey`, rotated yearly, retained).
    #[default]
    NewKey,
    /// With this key. It cannot be changed once the cluster exists.
    Key(Key<'a>),
}

/// A kind of control-plane log EKS can send to CloudWatch Logs: the API server's, the audit
/// log (who did what), the IAM authenticator's (which IAM identity became which Kubernetes
/// user), the controller manager's and the scheduler's. The L1 enum itself, re-exported: its
/// `values()` are every log type.
pub use cluster::LoggingTypeConfigType as ClusterLogType;

/// Where EKS looks up which IAM principals are which Kubernetes users. `CONFIG_MAP` alone is
/// not offered: access entries fail with it, and only at deploy time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AuthenticationMode {
    /// EKS access entries only.
    #[default]
    Api,
    /// Access entries, and the `aws-auth` config map as well (for clusters still migrating
    /// from it).
    ApiAndConfigMap,
}

/// What happens when a Kubernetes version leaves standard support.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UpgradeSupport {
    /// EKS upgrades the control plane to the next version. EKS's own default is `Extended`,
    /// which costs extra per cluster and hour and only postpones the upgrade.
    #[default]
    Standard,
    /// The version stays, in extended support, for up to 12 more months at extra cost.
    Extended,
}

/// Options of a cluster.
#[derive(Debug, Clone, cirrus_derive::Setters)]
pub struct ClusterProps<'a> {
    /// The cluster name (1 to 100 letters, digits and `-`). Default: `<stack name>-<path>`,
    /// the construct path below the stack with `/` as `-` (`EksCluster-Cluster`): the name
    /// must be known before the cluster exists, so that its log group can be created first,
    /// and the name is what `aws eks update-kubeconfig --name` takes. Changes that replace
    /// the cluster (subnets, key, name) then fail on the name instead of silently creating a
    /// second, empty cluster.
    pub cluster_name: Option<String>,
    /// The Kubernetes version. Default: [`KubernetesVersion::V1_35`].
    pub version: KubernetesVersion,
    /// Which of the VPC's subnets the control plane places its network interfaces in (at least
    /// two, in different availability zones). Load balancers for Kubernetes services are the
    /// Kubernetes side's concern (subnet tags), not the control plane's. Default: the private
    /// subnets with egress.
    pub subnet_types: Vec<SubnetType>,
    /// Where the API server can be reached from. Default: [`EndpointAccess::Private`].
    pub endpoint_access: EndpointAccess,
    /// Security groups for the control plane's network interfaces, besides the cluster
    /// security group EKS creates (available as [`Cluster::cluster_security_group_id`]).
    /// Default: none.
    pub security_group_ids: Vec<Expr<String>>,
    /// How Kubernetes secrets are encrypted. Default: a new KMS key.
    pub secrets_encryption: SecretsEncryption<'a>,
    /// The control-plane logs sent to CloudWatch Logs, into `/aws/eks/<name>/cluster`, which
    /// is created first, encrypted with the stack's logs key and with a retention (left to
    /// EKS, it would be unencrypted and kept forever). Default: every type
    /// (`ClusterLogType::values()`, five).
    pub log_types: Vec<ClusterLogType>,
    /// How long control-plane logs are kept, and the logs of the in-VPC deployer's builds.
    /// Default: one year.
    pub log_retention: Retention,
    /// How IAM principals are mapped to Kubernetes users. Default: access entries only.
    pub authentication_mode: AuthenticationMode,
    /// What happens at the end of standard support. Default: [`UpgradeSupport::Standard`].
    pub upgrade_support: UpgradeSupport,
    /// The role the control plane acts with; `AmazonEKSClusterPolicy` is attached to it.
    /// Default: a new role trusting `eks.amazonaws.com`.
    pub role: Option<Role<'a>>,
    /// Refuse to delete the cluster (with the stack, or on replacement) until this is turned
    /// off. Default: `false`: a cluster's Kubernetes objects are expected to be re-creatable
    /// from their manifests; turn it on when they are not.
    pub deletion_protection: bool,
    /// How the runner deploys the cluster's Kubernetes steps (manifests, Helm releases):
    /// directly against the API server, or through a CodeBuild project in the cluster's
    /// private subnets that the runner starts and follows (created with the first step, under
    /// `Deployer`). Default: derived from [`ClusterProps::endpoint_access`] by
    /// [`WorkloadDeployer::for_endpoint`]: in the VPC for a private endpoint (the runner cannot
    /// reach it), direct otherwise.
    pub workload_deployer: Option<WorkloadDeployer>,
    /// Requires every Kubernetes Service of type `LoadBalancer` on the cluster
    /// ([`Cluster::add_manifest`]) to be internal (the AWS Load Balancer Controller annotation
    /// `service.beta.kubernetes.io/aws-load-balancer-scheme: internal`), checked at synthesis.
    /// Default: `false`.
    pub internal_load_balancers: bool,
    /// Requires every Kubernetes Service of type `LoadBalancer` on the cluster to terminate TLS
    /// (`service.beta.kubernetes.io/aws-load-balancer-ssl-cert`), checked at synthesis.
    /// Default: `false`.
    pub load_balancer_tls: bool,
    /// The IAM path of the roles the cluster makes for itself: its control-plane role (when
    /// [`ClusterProps::role`] is not given), its service accounts' roles and its in-VPC
    /// deployer's, so that a deployment role limited to an app's path covers them.
    /// Default: the stack's
    /// ([`default_role_path`](crate::iam::default_role_path)), else `/`.
    pub role_path: Option<String>,
}

impl Default for ClusterProps<'_> {
    fn default() -> Self {
        ClusterProps {
            cluster_name: None,
            version: KubernetesVersion::default(),
            subnet_types: vec![SubnetType::PrivateWithEgress],
            endpoint_access: EndpointAccess::default(),
            security_group_ids: Vec::new(),
            secrets_encryption: SecretsEncryption::default(),
            log_types: ClusterLogType::values().to_vec(),
            log_retention: Retention::OneYear,
            authentication_mode: AuthenticationMode::default(),
            upgrade_support: UpgradeSupport::default(),
            role: None,
            deletion_protection: false,
            workload_deployer: None,
            internal_load_balancers: false,
            load_balancer_tls: false,
            role_path: None,
        }
    }
}

/// An add-on as the cluster remembers it, to order it against node groups.
#[derive(Debug, Clone)]
pub(crate) struct AddonRecord {
    pub(crate) name: String,
    /// Its `AWS::EKS::Addon`.
    pub(crate) resource: ResourceKey<CfnAddon>,
    /// Created before node groups (networking DaemonSets) rather than after them.
    pub(crate) before_nodes: bool,
    /// Has Pod Identity associations, so it waits for the Pod Identity agent.
    pub(crate) uses_pod_identity: bool,
}

/// An access entry as the cluster remembers it.
#[derive(Debug, Clone)]
pub(crate) struct AccessRecord {
    pub(crate) id: String,
    pub(crate) principal: Expr<String>,
    pub(crate) policies: Vec<(crate::eks::AccessPolicy, crate::eks::AccessScope)>,
    /// Its `AWS::EKS::AccessEntry`, once created.
    pub(crate) resource: Option<ResourceKey<CfnAccessEntry>>,
}

/// What a cluster accumulates after creation.
#[derive(Debug, Default)]
pub(crate) struct ClusterState {
    /// Every subnet of the cluster's VPC, for node groups to choose from.
    pub(crate) vpc_subnets: Vec<Subnet>,
    /// The VPC's egress dependency (NAT gateways and routes), if any.
    pub(crate) egress: Option<NodeKey>,
    pub(crate) addons: Vec<AddonRecord>,
    /// The node groups' `AWS::EKS::Nodegroup` resources.
    pub(crate) nodegroups: Vec<ResourceKey<CfnNodegroup>>,
    pub(crate) access: Vec<AccessRecord>,
    /// (namespace, service account) pairs with their Pod Identity association.
    pub(crate) pod_identities: Vec<((String, String), ResourceKey<CfnPodIdentityAssociation>)>,
    /// What the Kubernetes checks require of LoadBalancer Services: (internal, TLS).
    pub(crate) load_balancers: (bool, bool),
    /// The IAM path of the roles the cluster makes ([`ClusterProps::role_path`]).
    pub(crate) role_path: Option<String>,
    /// How long the cluster's logs are kept ([`ClusterProps::log_retention`]).
    pub(crate) log_retention: Option<Retention>,
    /// How the steps are deployed, and what the in-VPC deployer needs.
    pub(crate) deployer_plan: Option<DeployerPlan>,
    /// The in-VPC deployer, once the first step created it.
    pub(crate) deployer: Option<DeployerRecord>,
}

/// What a cluster offers to the constructs that use it; implemented by [`Cluster`] and by
/// clusters known by name ([`Cluster::from_name`]).
pub trait ICluster<'a> {
    /// The cluster name.
    fn name(&self) -> Expr<String>;

    /// The cluster ARN.
    fn arn(&self) -> Expr<String>;

    /// Lets `grantee` read the cluster's endpoint and certificate (`eks:DescribeCluster`),
    /// which `aws eks update-kubeconfig` needs. What it may do in Kubernetes is decided by an
    /// access entry ([`Cluster::grant_access`]).
    fn grant_describe(&self, grantee: &impl Grantable<'a>) {
        grantee.add_to_principal_policy(
            PolicyStatement::allow()
                .actions(["eks:DescribeCluster"])
                .resources([self.arn()]),
        );
    }
}

/// An EKS cluster. See the module documentation for how it differs from the AWS CDK's.
///
/// Nothing runs on it until add-ons are added: self-managed add-ons are not bootstrapped, so
/// call [`Cluster::add_core_addons`] (or [`Cluster::add_addon`] one by one) before the nodes
/// can become ready.
#[derive(Debug, Clone, Copy)]
pub struct Cluster<'a> {
    node: Node<'a>,
    resource: ResourceRef<'a, CfnCluster>,
    role: Role<'a>,
}

impl<'a> Construct<'a> for Cluster<'a> {
    fn node(&self) -> Node<'a> {
        self.node
    }
}

impl<'a> ICluster<'a> for Cluster<'a> {
    fn name(&self) -> Expr<String> {
        self.resource.ref_()
    }

    fn arn(&self) -> Expr<String> {
        self.resource.attrs().arn()
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
        node.set_standing_cost(
            "an EKS control plane, billed hourly",
            "the cluster",
            "none: it is the cluster (one cluster for several environments saves it)",
        );
        let (internal_load_balancers, load_balancer_tls) =
            (props.internal_load_balancers, props.load_balancer_tls);
        let (role_path, log_retention) = (props.role_path.clone(), props.log_retention);
        let name = props
            .cluster_name
            .clone()
            .unwrap_or_else(|| default_name(node));
        if let Some(problem) = names::cluster_name(&name) {
            let hint = if props.cluster_name.is_some() {
                "choose another cluster_name"
            } else {
                "the default name is made of the stack name and construct path; set cluster_name"
            };
            node.error_with_hint(codes::eks::CLUSTER_NAME_INVALID, problem, hint);
        }
        if let Some(problem) = props.version.problem() {
            node.error_with_hint(
                codes::eks::KUBERNETES_VERSION_INVALID,
                problem,
                "use a KubernetesVersion constant, or \"1.NN\"",
            );
        }
        check_support(node, &props.version);

        let subnets: Vec<Subnet> = props
            .subnet_types
            .iter()
            .flat_map(|kind| vpc.subnets(*kind))
            .collect();
        if subnets.len() < 2 {
            node.error_with_hint(codes::eks::CLUSTER_SUBNETS_INSUFFICIENT,
                format!(
                    "the cluster needs subnets in at least two availability zones; the VPC has {} of the types {:?}",
                    subnets.len(),
                    props.subnet_types
                ),
                "choose subnet_types the VPC has, in two or more availability zones",
            );
        }
        let mut vpc_config = cluster::ResourcesVpcConfig::new(
            subnets
                .iter()
                .map(|s| s.subnet_id.clone())
                .collect::<Vec<_>>(),
        );
        let (public, private, cidrs) = match &props.endpoint_access {
            EndpointAccess::Private => (false, true, None),
            EndpointAccess::PublicAndPrivate(cidrs) => (true, true, Some(cidrs)),
            EndpointAccess::Public(cidrs) => (true, false, Some(cidrs)),
        };
        vpc_config.endpoint_public_access = Some(public.into());
        vpc_config.endpoint_private_access = Some(private.into());
        if let Some(cidrs) = cidrs {
            if cidrs.is_empty() {
                node.error_with_hint(codes::eks::PUBLIC_ENDPOINT_WITHOUT_CIDRS,
                    "a public endpoint needs the CIDR blocks allowed to reach it",
                    "list your networks, such as \"203.0.113.0/24\" (\"0.0.0.0/0\" for the whole internet), or use EndpointAccess::Private",
                );
            }
            for cidr in cidrs {
                for problem in Peer::Ipv4(cidr.clone()).problems() {
                    node.error(
                        codes::ec2::PEER_INVALID,
                        format!("public endpoint access: {problem}"),
                    );
                }
            }
            vpc_config.public_access_cidrs = Some(cidrs.clone().into());
        }
        if !props.security_group_ids.is_empty() {
            vpc_config.security_group_ids = Some(props.security_group_ids.clone().into());
        }

        let role = props.role.unwrap_or_else(|| {
            Role::new(
                node,
                "Role",
                Principal::service("eks.amazonaws.com"),
                RoleProps {
                    description: Some(format!("the EKS control plane of cluster {name}")),
                    path: props.role_path.clone(),
                    ..Default::default()
                },
            )
        });
        role.add_managed_policy(&ManagedPolicyArn::aws("AmazonEKSClusterPolicy"));

        let key = match props.secrets_encryption {
            SecretsEncryption::NewKey => {
                let key = Key::new(
                    node,
                    "SecretsKey",
                    KeyProps {
                        description: Some(format!(
                            "encrypts the Kubernetes secrets of EKS cluster {name}"
                        )),
                        ..Default::default()
                    },
                );
                key.node().set_standing_cost(
                    "a KMS customer managed key, billed monthly",
                    "encrypts the cluster's Kubernetes secrets",
                    "ClusterProps::secrets_encryption(SecretsEncryption::Key(..)) with a key the stack has anyway",
                );
                key
            }
            SecretsEncryption::Key(key) => key,
        };
        // The key policy leaves its use to IAM, so the control plane needs these to wrap and
        // unwrap the secrets' data keys.
        role.add_to_policy(
            PolicyStatement::allow()
                .actions([
                    "kms:Encrypt",
                    "kms:Decrypt",
                    "kms:ListGrants",
                    "kms:DescribeKey",
                ])
                .resources([key.arn()]),
        );

        let logging = (!props.log_types.is_empty()).then(|| {
            let types: Vec<cluster::LoggingTypeConfig> = props
                .log_types
                .iter()
                .map(|t| cluster::LoggingTypeConfig {
                    type_: Some(t.clone().into()),
                })
                .collect();
            cluster::Logging {
                cluster_logging: Some(
                    cluster::ClusterLogging {
                        enabled_types: Some(types.into()),
                    }
                    .into(),
                ),
            }
            .into()
        });

        let cfn = CfnCluster {
            name: Some(name.clone().into()),
            version: Some(props.version.as_str().into()),
            access_config: Some(
                cluster::AccessConfig {
                    authentication_mode: Some(
                        match props.authentication_mode {
                            AuthenticationMode::Api => cluster::AccessConfigAuthenticationMode::Api,
                            AuthenticationMode::ApiAndConfigMap => {
                                cluster::AccessConfigAuthenticationMode::ApiAndConfigMap
                            }
                        }
                        .into(),
                    ),
                    bootstrap_cluster_creator_admin_permissions: Some(false.into()),
                }
                .into(),
            ),
            bootstrap_self_managed_addons: Some(false.into()),
            encryption_config: Some(
                vec![cluster::EncryptionConfig {
                    provider: Some(
                        cluster::Provider {
                            key_arn: Some(key.arn()),
                        }
                        .into(),
                    ),
                    resources: Some(vec!["secrets"].into()),
                }]
                .into(),
            ),
            logging,
            upgrade_policy: Some(
                cluster::UpgradePolicy {
                    support_type: Some(
                        match props.upgrade_support {
                            UpgradeSupport::Standard => cluster::UpgradePolicySupportType::Standard,
                            UpgradeSupport::Extended => cluster::UpgradePolicySupportType::Extended,
                        }
                        .into(),
                    ),
                }
                .into(),
            ),
            deletion_protection: props.deletion_protection.then(|| true.into()),
            ..CfnCluster::new(vpc_config, role.arn())
        };
        let resource = node.add("Resource", cfn);
        if let Some(policy) = role.default_policy() {
            resource.add_dependency(&policy);
        }
        if !props.log_types.is_empty() {
            let logs = LogGroup::new(
                node,
                "Logs",
                LogGroupProps {
                    log_group_name: Some(format!("/aws/eks/{name}/cluster").into()),
                    retention: Some(props.log_retention),
                    ..Default::default()
                },
            );
            resource.add_dependency(&logs);
        }

        let all_subnets = [
            SubnetType::Public,
            SubnetType::PrivateWithEgress,
            SubnetType::Isolated,
        ]
        .into_iter()
        .flat_map(|kind| vpc.subnets(kind))
        .collect();
        let egress = vpc.egress_dependency().map(|n| n.key());
        let deployer_plan = DeployerPlan {
            mode: props
                .workload_deployer
                .unwrap_or_else(|| WorkloadDeployer::for_endpoint(&props.endpoint_access)),
            cluster_name: name.clone(),
            vpc_id: vpc.id(),
            vpc_cidr: vpc.cidr_block(),
            private_subnets: vpc.subnets(SubnetType::PrivateWithEgress),
        };
        node.with_state(|state: &mut ClusterState| {
            state.deployer_plan = Some(deployer_plan);
            state.vpc_subnets = all_subnets;
            state.egress = egress;
            state.load_balancers = (internal_load_balancers, load_balancer_tls);
            state.role_path = role_path;
            state.log_retention = Some(log_retention);
        });
        Cluster {
            node,
            resource,
            role,
        }
    }

    /// The API server's endpoint (`https://...eks.amazonaws.com`).
    pub fn endpoint(&self) -> Expr<String> {
        self.resource.attrs().endpoint()
    }

    /// The security group EKS creates for the cluster: the control plane and managed nodes
    /// use it to talk to each other. Allow other clients of the API server (port 443) into it.
    pub fn cluster_security_group_id(&self) -> Expr<String> {
        self.resource.attrs().cluster_security_group_id()
    }

    /// The cluster's certificate authority data (base64), for a kubeconfig.
    pub fn certificate_authority_data(&self) -> Expr<String> {
        self.resource.attrs().certificate_authority_data()
    }

    /// Lets `peer` reach the API server through the VPC (TCP 443 into the cluster security
    /// group), with a separate `AWS::EC2::SecurityGroupIngress` under `ApiIngress/<id>`. Nodes
    /// need nothing: they are in the cluster security group. This is for other clients in the
    /// VPC, such as a CodeBuild project running `kubectl` against a private endpoint. The whole
    /// internet is refused: that is what [`EndpointAccess::PublicAndPrivate`] is for.
    pub fn allow_api_from(
        &self,
        id: &str,
        peer: Peer,
        description: &str,
    ) -> ResourceRef<'a, CfnSecurityGroupIngress> {
        for problem in peer.problems() {
            self.node.error(
                codes::ec2::PEER_INVALID,
                format!("API access {id}: {problem}"),
            );
        }
        if peer.is_anywhere() {
            self.node.error_with_hint(codes::eks::API_ACCESS_TOO_WIDE,
                format!("API access {id} would open the private endpoint to {}", peer.describe()),
                "allow the clients' security group or CIDR block; for access from the internet use EndpointAccess::PublicAndPrivate with CIDR blocks",
            );
        }
        if description.trim().is_empty() {
            self.node.error(
                codes::eks::API_ACCESS_WITHOUT_DESCRIPTION,
                format!("API access {id} needs a description of who connects and why"),
            );
        }
        crate::ec2::check_text(
            self.node,
            &format!("API access {id}: rule description"),
            description,
        );
        let mut rule = CfnSecurityGroupIngress {
            group_id: Some(self.cluster_security_group_id()),
            description: Some(description.into()),
            from_port: Some(443.into()),
            to_port: Some(443.into()),
            ..CfnSecurityGroupIngress::new("tcp")
        };
        match peer {
            Peer::Ipv4(cidr) => rule.cidr_ip = Some(cidr.into()),
            Peer::Ipv6(cidr) => rule.cidr_ipv6 = Some(cidr.into()),
            Peer::AnyIpv4 => rule.cidr_ip = Some("0.0.0.0/0".into()),
            Peer::AnyIpv6 => rule.cidr_ipv6 = Some("::/0".into()),
            Peer::PrefixList(list) => rule.source_prefix_list_id = Some(list),
            Peer::SecurityGroup(group) => rule.source_security_group_id = Some(group),
        }
        crate::eks::access::child(self.node, "ApiIngress").add(id, rule)
    }

    /// Lets `role` do what the Kubernetes cluster autoscaler does, and gives it to the
    /// autoscaler's service account (`kube-system/cluster-autoscaler`) through Pod Identity.
    /// `role` must trust `pods.eks.amazonaws.com`.
    ///
    /// The autoscaler may resize and terminate instances only in the Auto Scaling groups of
    /// managed node groups (`eks-*`) tagged as owned by this cluster; reading the groups, their
    /// launch templates and the instance types is allowed everywhere, since those calls accept
    /// no resource. Install the autoscaler itself with Helm (`autoDiscovery.clusterName`).
    pub fn add_cluster_autoscaler(&self, role: &Role<'a>) {
        let name = self
            .resource
            .props()
            .and_then(|p| p.name)
            .and_then(|n| n.as_literal().cloned());
        let Some(name) = name else {
            self.node.error_with_hint(
                codes::eks::AUTOSCALER_NEEDS_CLUSTER_NAME,
                "the cluster autoscaler's permissions need the cluster's name at synth time",
                "set ClusterProps::cluster_name",
            );
            return;
        };
        role.add_to_policy(
            PolicyStatement::allow()
                .actions([
                    "autoscaling:SetDesiredCapacity",
                    "autoscaling:TerminateInstanceInAutoScalingGroup",
                ])
                .resources([fns::sub(
                    "arn:${AWS::Partition}:autoscaling:${AWS::Region}:${AWS::AccountId}:autoScalingGroup:*:autoScalingGroupName/eks-*",
                    [],
                )])
                .condition(
                    "StringEquals",
                    &format!("aws:ResourceTag/k8s.io/cluster-autoscaler/{name}"),
                    "owned",
                ),
        );
        role.add_to_policy(
            PolicyStatement::allow()
                .actions([
                    "autoscaling:DescribeAutoScalingGroups",
                    "autoscaling:DescribeAutoScalingInstances",
                    "autoscaling:DescribeLaunchConfigurations",
                    "autoscaling:DescribeScalingActivities",
                    "autoscaling:DescribeTags",
                    "ec2:DescribeImages",
                    "ec2:DescribeInstanceTypes",
                    "ec2:DescribeLaunchTemplateVersions",
                ])
                .resources(["*"]),
        );
        role.add_to_policy(
            PolicyStatement::allow()
                .actions(["eks:DescribeNodegroup"])
                .resources([fns::sub(
                    &format!(
                        "arn:${{AWS::Partition}}:eks:${{AWS::Region}}:${{AWS::AccountId}}:nodegroup/{name}/*"
                    ),
                    [],
                )]),
        );
        self.add_pod_identity("kube-system", "cluster-autoscaler", role.arn());
    }

    /// The control plane's role.
    pub fn role(&self) -> Role<'a> {
        self.role
    }

    /// The L1 resource.
    pub fn l1(&self) -> ResourceRef<'a, CfnCluster> {
        self.resource
    }

    /// The ARN of the cluster named `name` in the stack's account and region, built without a
    /// reference: what a stack uses when referring to the cluster's stack would make a cycle
    /// (the cluster's stack imports the roles that stack defines).
    pub fn arn_from_name(name: impl Into<Expr<String>>) -> Expr<String> {
        fns::sub(
            "arn:${AWS::Partition}:eks:${AWS::Region}:${AWS::AccountId}:cluster/${Name}",
            [("Name", name.into())],
        )
    }

    /// A cluster defined elsewhere, known by its name (in the stack's account and region).
    pub fn from_name(
        scope: impl Construct<'a>,
        id: &str,
        name: impl Into<Expr<String>>,
    ) -> ImportedCluster<'a> {
        ImportedCluster {
            node: scope.node().add_child(id),
            name: name.into(),
        }
    }

    /// Runs `f` on the cluster's accumulated state.
    pub(crate) fn state<R>(&self, f: impl FnOnce(&mut ClusterState) -> R) -> R {
        self.node.with_state(f)
    }
}

/// A cluster of the app as the pipeline's EKS deploy action takes it.
impl<'a> From<&Cluster<'a>> for crate::codepipeline::EksCluster {
    fn from(cluster: &Cluster<'a>) -> Self {
        crate::codepipeline::EksCluster::of(cluster.name())
    }
}

/// A cluster known by name as the pipeline's EKS deploy action takes it.
impl<'a> From<&ImportedCluster<'a>> for crate::codepipeline::EksCluster {
    fn from(cluster: &ImportedCluster<'a>) -> Self {
        crate::codepipeline::EksCluster::of(cluster.name())
    }
}

/// A cluster defined elsewhere, known by its name.
#[derive(Debug, Clone)]
pub struct ImportedCluster<'a> {
    node: Node<'a>,
    name: Expr<String>,
}

impl<'a> Construct<'a> for ImportedCluster<'a> {
    fn node(&self) -> Node<'a> {
        self.node
    }
}

impl<'a> ICluster<'a> for ImportedCluster<'a> {
    fn name(&self) -> Expr<String> {
        self.name.clone()
    }

    fn arn(&self) -> Expr<String> {
        Cluster::arn_from_name(self.name.clone())
    }
}

/// `<stack name>-<path below the stack>`, with the characters cluster names refuse as `-`.
fn default_name(node: Node<'_>) -> String {
    let path = node.path();
    let below = path.split_once('/').map_or(path.as_str(), |p| p.1);
    format!("{}-{below}", node.stack().stack_name())
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect()
}

/// True when both nodes are in the same stack.
pub(crate) fn same_stack(a: Node<'_>, b: Node<'_>) -> bool {
    a.stack().node() == b.stack().node()
}

/// The version against EKS's release calendar ([`version::CALENDAR`]): out of support or not
/// yet released, EKS refuses the cluster at deploy time; in extended support only, it costs
/// more per hour and its end is close.
fn check_support(node: Node<'_>, version: &KubernetesVersion) {
    let Some(support) = version.support() else {
        return;
    };
    let v = version.as_str();
    let instead = version::newest_standard().map_or_else(
        || "a version in standard support".to_owned(),
        |r| {
            format!(
                "1.{} (in standard support until {})",
                r.minor, r.end_of_standard
            )
        },
    );
    let as_of = version::CALENDAR_AS_OF;
    match support {
        Support::Standard(_) => {}
        Support::Extended(r) => node.warning_with_hint(
            codes::eks::KUBERNETES_VERSION_EXTENDED_SUPPORT,
            format!(
                "Kubernetes version {v} is in EKS extended support only (standard support ended {}): the cluster is billed the extended support charge per cluster and hour on top of the standard one, and EKS upgrades it when extended support ends on {}",
                r.end_of_standard, r.end_of_extended
            ),
            format!("use {instead}"),
        ),
        Support::Ended(r) => node.error_with_hint(
            codes::eks::KUBERNETES_VERSION_UNSUPPORTED,
            format!(
                "Kubernetes version {v} left EKS extended support on {}; EKS creates no cluster of it",
                r.end_of_extended
            ),
            format!("use {instead}"),
        ),
        Support::Older => node.error_with_hint(
            codes::eks::KUBERNETES_VERSION_UNSUPPORTED,
            format!(
                "Kubernetes version {v} is older than every version EKS supported on {as_of}; EKS creates no cluster of it"
            ),
            format!("use {instead}"),
        ),
        Support::Newer => node.error_with_hint(
            codes::eks::KUBERNETES_VERSION_NEWER,
            format!(
                "Kubernetes version {v} is newer than every version of EKS's release calendar as of {as_of}"
            ),
            format!(
                "use {instead}; if EKS supports {v} now, acknowledge {} on the cluster with the reason",
                codes::eks::KUBERNETES_VERSION_NEWER.code().id()
            ),
        ),
    }
}
