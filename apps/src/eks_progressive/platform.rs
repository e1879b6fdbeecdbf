//! One environment's platform stack.

use cirrus_aws::ec2::{NatGateways, Vpc, VpcProps};
use cirrus_aws::ecr::{LifecycleRule, Repository, RepositoryProps};
use cirrus_aws::eks::{
    AccessPolicy, AccessScope, AddonProps, Cluster, ClusterProps, EndpointAccess, Nodegroup,
    NodegroupProps, WorkloadDeployer, addons,
};
use cirrus_aws::iam::{self, Principal, Role, RoleProps};
use cirrus_aws::prelude::*;
use cirrus_aws::secretsmanager::{Secret, SecretProps};

use super::config::{ADMIN_CIDRS, EnvSpec, KUBERNETES_VERSION, REGION};
use crate::external_secrets::OPERATOR;

/// The path of the roles of the app.
pub const IAM_PATH: &str = "/eks-progressive/";

/// Adds the stack of one environment.
pub fn platform<'a>(app: &'a App, spec: &EnvSpec) -> Stack<'a> {
    let description = format!(
        "eks-progressive {}: VPC, EKS cluster, node group and image repository",
        spec.name
    );
    let props = StackProps::default()
        .env(Env::region(REGION))
        .description(description);
    let stack = app.stack(spec.stack, props);
    Tags::of(&stack).add("app", "eks-progressive");
    Tags::of(&stack).add("environment", spec.name);
    iam::default_role_path(stack, IAM_PATH);
    let cluster_name = format!("ps-eks-{}", spec.name);

    let vpc_props = VpcProps::default()
        .cidr(spec.cidr)
        .nat_gateways(NatGateways::Count(spec.nat_gateways))
        // Gloo Edge's gateway proxy is a LoadBalancer Service: the subnet tags tell
        // Kubernetes where to put the load balancer.
        .eks_subnet_tags(true);
    let vpc = Vpc::new(stack, "Vpc", vpc_props);

    let endpoint_access = if spec.private_endpoint_only {
        EndpointAccess::Private
    } else {
        EndpointAccess::PublicAndPrivate(ADMIN_CIDRS.iter().map(|c| (*c).to_owned()).collect())
    };
    // The delivery pipeline applies the Kubernetes steps through the in-VPC deployer, also
    // where the endpoint is public to the administrators.
    let cluster_props = ClusterProps::default()
        .cluster_name(cluster_name.clone())
        .version(KUBERNETES_VERSION)
        .endpoint_access(endpoint_access)
        .workload_deployer(WorkloadDeployer::InVpc);
    let cluster = Cluster::new(stack, "Cluster", &vpc, cluster_props);
    // "the cluster has a private endpoint and uses both VPC CNI plugin, and the CoreDNS add-on"
    cluster.add_core_addons();
    cluster.add_addon(addons::METRICS_SERVER, AddonProps::default());

    let (min, desired, max) = spec.nodes;
    let nodes = NodegroupProps::default()
        .instance_types([spec.instance_type])
        .min_size(min)
        .desired_size(desired)
        .max_size(max)
        .labels([("env".to_owned(), spec.name.to_owned())]);
    Nodegroup::new(stack, "Nodes", &cluster, nodes);

    // The images of podinfo, pushed by the release scripts and pulled by the nodes.
    let images_props = RepositoryProps::default()
        .repository_name(format!("ps-flagger-repository-{}", spec.name))
        .lifecycle_rules([
            LifecycleRule::ExpireUntaggedAfterDays(7),
            LifecycleRule::KeepLastImages(50),
        ]);
    let images = Repository::new(stack, "Images", images_props);

    // Administrators assume this role; it replaces the post's IAM user with static keys.
    let admin_props =
        RoleProps::default().description(format!("administers the {} cluster", spec.name));
    let admin = Role::new(stack, "AdminRole", Principal::this_account(), admin_props);
    cluster.grant_access(
        "Admin",
        admin.arn(),
        AccessPolicy::ClusterAdmin,
        AccessScope::Cluster,
    );
    cluster.grant_describe(&admin);

    // "The cluster scales up to 100 nodes": the cluster autoscaler, with Pod Identity.
    let autoscaler = Role::new(
        stack,
        "AutoscalerRole",
        Principal::service("pods.eks.amazonaws.com"),
        RoleProps::default().description("cluster-autoscaler in kube-system"),
    );
    cluster.add_cluster_autoscaler(&autoscaler);

    // Flagger's Slack webhook (the seed's alerts), its value set out of band. The External
    // Secrets Operator reads it with this role (Pod Identity) and writes the Kubernetes Secret
    // Flagger reads: the value is in no file.
    let slack_name = format!("eks-progressive/{}/slack-webhook", spec.name);
    let slack = SecretProps::default()
        .secret_name(slack_name.clone())
        .description("Flagger's Slack webhook URL; set the value out of band");
    let slack = Secret::new(stack, "SlackWebhook", slack);
    let secrets_reader = Role::new(
        stack,
        "ExternalSecretsRole",
        Principal::service("pods.eks.amazonaws.com"),
        RoleProps::default()
            .description("the External Secrets Operator: reads the Slack webhook's secret"),
    );
    slack.grant_read(&secrets_reader);
    let (namespace, account) = OPERATOR;
    cluster.add_pod_identity(namespace, account, secrets_reader.arn());

    super::workloads::workloads(&cluster, spec, &cluster_name, &images, &slack_name);

    stack.add_output("ClusterName", cluster.name());
    stack.add_output("ImageRepositoryUri", images.uri());
    stack.add_output("AdminRoleArn", admin.arn());
    if spec.private_endpoint_only {
        // Operators reach the private endpoint from an AWS CloudShell VPC environment.
        let operators = cluster.add_operator_access("Shell", &vpc);
        stack
            .add_output("OperatorSecurityGroupId", operators.security_group_id())
            .description("the security group of a CloudShell VPC environment that runs kubectl");
        stack
            .add_output("OperatorSubnetIds", operators.subnet_ids())
            .description("the private subnets a CloudShell VPC environment may use");
    }
    stack
}
