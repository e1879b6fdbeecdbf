//! `EksCluster`: the Kubernetes cluster the back end runs on, delivered by `Delivery` before
//! `BackendInfra`, whose component pipelines deploy to it (the
//! post deploys the cluster second, "Deploy the EKS CLuster"; its kubectl projects knew the
//! cluster by name only).
//!
//! 000: "the EKS cluster on which all the Kubernetes components for the backend will be
//! deployed. [...] The template also defines the nodes which will be connected to the EKS
//! Control plane and run the pods." Here: a VPC across two availability zones (public and
//! private subnets, a NAT gateway per zone, flow logs), the control plane on the native
//! `AWS::EKS::Cluster` (secrets encrypted, every control-plane log kept, access entries
//! instead of the `aws-auth` config map), a managed node group in the private subnets, the
//! add-ons the nodes and workloads need, and who may do what in the cluster:
//!
//! - each component pipeline's EKS deploy action is admitted to the app's namespace, nothing
//!   else (its access entry is in `BackendInfra`, with the pipeline);
//! - the data jobs' service account `data-jobs` gets a role that may read the data-files
//!   bucket (000: the jobs' init container "downloads the data files from an S3 bucket")
//!   through EKS Pod Identity, in place of the access keys the post writes into the Job spec;
//! - `AdminRole` administers the cluster, for people (see `ADMIN_PRINCIPAL_ARN`).
//!
//! The shared volume (000: "This volume is shared between the scheduled jobs and the API
//! deployment") must be writable from pods on different nodes, so it is an EFS file system
//! (ReadWriteMany) with the EFS CSI driver, not an EBS volume.
//!
//! The cluster's API endpoint is private: nothing on the internet reaches it. The component
//! pipelines' EKS deploy actions run in the private subnets with the `PipelineDeploySg`
//! security group, which the cluster admits on 443, and `deploy` applies the cluster-wide
//! objects below through the cluster's in-VPC deployer.

use cirrus_aws::ec2::{
    FlowLogDestination, FlowLogProps, ISecurityGroup, Peer, Port, SecurityGroup,
    SecurityGroupProps, SubnetType, Vpc, VpcProps,
};
use cirrus_aws::efs::{FileSystem, FileSystemEncryption, FileSystemProps};
use cirrus_aws::eks::k8s::{Object, workload};
use cirrus_aws::eks::{
    AccessPolicy, AccessScope, AddonProps, Cluster, ClusterProps, EndpointAccess, Nodegroup,
    NodegroupProps, SecretsEncryption, addons,
};
use cirrus_aws::iam::{ManagedPolicyArn, Principal, Role, RoleProps};
use cirrus_aws::kms::{Key, KeyProps};
use cirrus_aws::logs::LogGroupProps;
use cirrus_aws::prelude::*;
use cirrus_aws::s3::{Bucket, BucketEncryption, BucketProps};
use k8s_openapi::api::storage::v1::StorageClass;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use std::collections::BTreeMap;

use super::config::{
    ADMIN_PRINCIPAL_ARN, APP, CLUSTER_NAME, DATA_JOBS_SERVICE_ACCOUNT, DATA_VOLUME_CLAIM,
    K8S_NAMESPACE, LOG_RETENTION, NODE_COUNT, NODE_DISK_GIB, NODE_INSTANCE_TYPE, STORAGE_CLASS,
    VPC_CIDR,
};

/// The EFS CSI driver's add-on, which mounts the shared volume into pods.
pub const EFS_CSI_ADDON: &str = "aws-efs-csi-driver";

/// The AWS managed policy of the EFS CSI driver's controller.
const EFS_CSI_POLICY: &str = "service-role/AmazonEFSCSIDriverPolicy";

/// What the component pipelines of `BackendInfra` need from this stack.
#[derive(Debug, Clone)]
pub struct EksCluster<'a> {
    /// The cluster their objects go on.
    pub cluster: Cluster<'a>,
    /// The bucket of the jobs' raw data files.
    pub data_files: Bucket<'a>,
    /// Where their EKS deploy actions run: the private subnets...
    pub deploy_subnets: Vec<Expr<String>>,
    /// ...with this security group, which the cluster admits on 443.
    pub deploy_group: Expr<String>,
    /// The ARN of the target group behind the API's public endpoint (`api_endpoint`).
    pub api_targets: Expr<String>,
}

/// Fills the `EksCluster` stack.
pub fn define(stack: Stack<'_>) -> EksCluster<'_> {
    let flow_logs = format!("/{APP}/vpc/flow-logs");
    let key_description = format!(
        "encrypts the Kubernetes secrets and the shared file system of cluster {CLUSTER_NAME}"
    );
    let key = Key::new(
        stack,
        "Key",
        KeyProps::default().description(key_description),
    );
    let role = |id: &str, principal: &str, description: &str| {
        let props = RoleProps::default().description(description);
        Role::new(stack, id, Principal::service(principal), props)
    };

    let flow_log_group = LogGroupProps::default()
        .log_group_name(flow_logs)
        .retention(LOG_RETENTION);
    let vpc = Vpc::new(
        stack,
        "Vpc",
        VpcProps::default()
            .cidr(VPC_CIDR)
            // Load balancers Kubernetes would make find their subnets by these tags.
            .eks_subnet_tags(true)
            .flow_logs(
                FlowLogProps::default()
                    .destination(FlowLogDestination::CloudWatchLogs(flow_log_group)),
            ),
    );

    let cluster = Cluster::new(
        stack,
        "Cluster",
        &vpc,
        ClusterProps::default()
            .cluster_name(CLUSTER_NAME)
            .endpoint_access(EndpointAccess::Private)
            .secrets_encryption(SecretsEncryption::Key(key))
            .log_retention(LOG_RETENTION)
            .role(role(
                "ClusterRole",
                "eks.amazonaws.com",
                "the EKS control plane",
            )),
    );
    // vpc-cni, kube-proxy and the Pod Identity agent before the nodes, CoreDNS after them.
    cluster.add_core_addons();
    // The API's HorizontalPodAutoscaler scales on CPU, which needs the metrics server.
    cluster.add_addon(addons::METRICS_SERVER, AddonProps::default());
    let efs_csi = Role::new(
        stack,
        "EfsCsiRole",
        Principal::service("pods.eks.amazonaws.com"),
        RoleProps::default()
            .description("the EFS CSI driver's controller: access points of the shared volume")
            .managed_policies([ManagedPolicyArn::aws(EFS_CSI_POLICY)]),
    );
    let csi_props =
        AddonProps::default().pod_identity([("efs-csi-controller-sa".to_owned(), efs_csi.arn())]);
    cluster.add_addon(EFS_CSI_ADDON, csi_props);

    let (min, desired, max) = NODE_COUNT;
    let node_role = role(
        "NodeRole",
        "ec2.amazonaws.com",
        "the nodes of the cluster: join it, run the VPC CNI, pull images from ECR",
    );
    let nodes = NodegroupProps::default()
        .instance_types([NODE_INSTANCE_TYPE])
        .min_size(min)
        .desired_size(desired)
        .max_size(max)
        .disk_size_gib(NODE_DISK_GIB)
        .role(node_role);
    Nodegroup::new(stack, "Nodes", &cluster, nodes);

    let file_system = shared_volume(stack, &vpc, &cluster, key);
    let api_targets = super::api_endpoint::define(stack, &vpc, &cluster);

    // The data jobs read the data files with their service account's role, not access keys.
    let data_props = BucketProps::default().encryption(BucketEncryption::Kms(key));
    let data_files = Bucket::new(stack, "DataFiles", data_props);
    let data_jobs = cluster.add_service_account(K8S_NAMESPACE, DATA_JOBS_SERVICE_ACCOUNT);
    data_files.grant_read(&data_jobs);

    // The component pipelines' EKS deploy actions reach the private endpoint from here.
    let deploy_group = SecurityGroup::new(
        stack,
        "PipelineDeploySg",
        &vpc,
        "the EKS deploy actions of the component pipelines",
        SecurityGroupProps::default(),
    );
    deploy_group.add_egress_rule(
        Peer::AnyIpv4,
        Port::Tcp(443),
        "HTTPS: the cluster API, the pipeline artifacts and AWS APIs",
    );
    cluster.allow_api_from(
        "PipelineDeploy",
        Peer::SecurityGroup(deploy_group.id()),
        "the EKS deploy actions of the component pipelines",
    );

    let admin = Role::new(
        stack,
        "AdminRole",
        match ADMIN_PRINCIPAL_ARN {
            Some(arn) => Principal::Arn(arn.into()),
            None => Principal::this_account(),
        },
        RoleProps::default().description(format!(
            "administers cluster {CLUSTER_NAME}: the namespace, the storage class, kubectl"
        )),
    );
    cluster.grant_access(
        "Admin",
        admin.arn(),
        AccessPolicy::ClusterAdmin,
        AccessScope::Cluster,
    );
    cluster.grant_describe(&admin);

    cluster_objects(&cluster, file_system.clone());

    stack.add_output("ClusterName", cluster.name());
    stack.add_output("ClusterEndpoint", cluster.endpoint());
    stack
        .add_output("DataFileSystemId", file_system)
        .description("the fileSystemId of the efs-sc StorageClass");
    stack
        .add_output("AdminRoleArn", admin.arn())
        .description("assume it to run kubectl as a cluster administrator, from inside the VPC");
    // Operators reach the private endpoint from an AWS CloudShell VPC environment.
    let operators = cluster.add_operator_access("Shell", &vpc);
    stack
        .add_output("OperatorSecurityGroupId", operators.security_group_id())
        .description("the security group of a CloudShell VPC environment that runs kubectl");
    stack
        .add_output("OperatorSubnetIds", operators.subnet_ids())
        .description("the private subnets a CloudShell VPC environment may use");
    stack
        .add_output("DataFilesBucketName", data_files.name())
        .description("upload the jobs' initial data files here (aws s3 cp)");
    EksCluster {
        deploy_subnets: vpc.subnet_ids(SubnetType::PrivateWithEgress),
        deploy_group: deploy_group.id(),
        api_targets: api_targets.arn(),
        cluster,
        data_files,
    }
}

/// What the cluster holds for the whole app, applied after this stack (the post
/// creates them by hand with kubectl): the app's namespace, the `efs-sc` StorageClass on the
/// shared file system (its id read from this stack's output when deploying), and the
/// `ReadWriteMany` claim the jobs and the API share. The data jobs' service account is the
/// cluster's `add_service_account`.
fn cluster_objects(cluster: &Cluster<'_>, file_system: Expr<String>) {
    let storage_class = StorageClass {
        metadata: ObjectMeta {
            name: Some(STORAGE_CLASS.into()),
            ..Default::default()
        },
        provisioner: "efs.csi.aws.com".into(),
        parameters: Some(BTreeMap::from([
            ("provisioningMode".into(), "efs-ap".into()),
            ("fileSystemId".into(), cluster.token(file_system)),
            ("directoryPerms".into(), "700".into()),
        ])),
        ..Default::default()
    };
    let data = workload::meta(DATA_VOLUME_CLAIM, K8S_NAMESPACE);
    let claim = workload::claim(data, STORAGE_CLASS, "ReadWriteMany", "5Gi");
    let namespace = workload::namespace(K8S_NAMESPACE);
    let objects = [Object::new(&namespace), Object::new(&storage_class)];
    cluster.add_manifest("AppNamespace", objects);
    cluster.add_manifest("SharedData", [Object::new(&claim)]);
}

/// The EFS file system of the shared volume, encrypted with the app's key and reachable over
/// NFS (TLS only, through its mount targets in the private subnets) from the cluster's nodes
/// and pods. Returns its id.
fn shared_volume<'a>(
    stack: Stack<'a>,
    vpc: &Vpc<'a>,
    cluster: &Cluster<'a>,
    key: Key<'a>,
) -> Expr<String> {
    let props = FileSystemProps::default().encryption(FileSystemEncryption::Kms(key));
    let file_system = FileSystem::new(stack, "DataFs", vpc, props);
    file_system.allow_from(
        Peer::SecurityGroup(cluster.cluster_security_group_id()),
        "NFS from the cluster security group: the nodes and their pods",
    );
    file_system.id()
}
