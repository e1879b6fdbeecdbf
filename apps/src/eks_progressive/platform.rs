//! One environment's platform stack.

use cirrus_aws::ec2::{NatGateways, Vpc, VpcProps};
use cirrus_aws::ecr::{IRepository, LifecycleRule, Repository, RepositoryProps};
use cirrus_aws::eks::{
    AccessPolicy, AccessScope, Cluster, ClusterProps, EndpointAccess, ICluster, Nodegroup,
    NodegroupProps, addons,
};
use cirrus_aws::iam::{Principal, Role, RoleProps};
use cirrus_core::prelude::*;

use super::config::{ADMIN_CIDRS, EnvSpec, KUBERNETES_VERSION, REGION};

/// Adds the stack of one environment.
pub fn platform(app: &App, spec: &EnvSpec) {
    let stack = app.stack(
        spec.stack,
        StackProps {
            env: Env::region(REGION),
            description: Some(format!(
                "eks-progressive {}: VPC, EKS cluster, node group and image repository",
                spec.name
            )),
            ..Default::default()
        },
    );
    Tags::of(&stack).add("app", "eks-progressive");
    Tags::of(&stack).add("environment", spec.name);
    let cluster_name = format!("ps-eks-{}", spec.name);

    let vpc = Vpc::new(
        stack,
        "Vpc",
        VpcProps {
            cidr: spec.cidr.into(),
            nat_gateways: NatGateways::Count(spec.nat_gateways),
            // Gloo Edge's gateway proxy is a LoadBalancer Service: the subnet tags tell
            // Kubernetes where to put the load balancer.
            eks_subnet_tags: true,
            ..Default::default()
        },
    );

    let endpoint_access = if spec.private_endpoint_only {
        EndpointAccess::Private
    } else {
        EndpointAccess::PublicAndPrivate(ADMIN_CIDRS.iter().map(|c| (*c).to_owned()).collect())
    };
    let cluster = Cluster::new(
        stack,
        "Cluster",
        &vpc,
        ClusterProps {
            cluster_name: Some(cluster_name.clone()),
            version: KUBERNETES_VERSION,
            endpoint_access,
            ..Default::default()
        },
    );
    // "the cluster has a private endpoint and uses both VPC CNI plugin, and the CoreDNS add-on"
    cluster.add_core_addons();
    cluster.add_addon(addons::METRICS_SERVER, Default::default());

    let (min, desired, max) = spec.nodes;
    Nodegroup::new(
        stack,
        "Nodes",
        &cluster,
        NodegroupProps {
            instance_types: vec![spec.instance_type.into()],
            min_size: min,
            desired_size: desired,
            max_size: max,
            labels: [("env".to_owned(), spec.name.to_owned())]
                .into_iter()
                .collect(),
            ..Default::default()
        },
    );

    // The images of podinfo, pushed by the release scripts and pulled by the nodes.
    let images = Repository::new(
        stack,
        "Images",
        RepositoryProps {
            repository_name: Some(format!("ps-flagger-repository-{}", spec.name)),
            lifecycle_rules: vec![
                LifecycleRule::ExpireUntaggedAfterDays(7),
                LifecycleRule::KeepLastImages(50),
            ],
            ..Default::default()
        },
    );

    // Administrators assume this role; it replaces the post's IAM user with static keys.
    let admin = Role::new(
        stack,
        "AdminRole",
        Principal::this_account(),
        RoleProps {
            description: Some(format!("administers the {} cluster", spec.name)),
            path: Some("/eks-progressive/".into()),
            ..Default::default()
        },
    );
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
        RoleProps {
            description: Some("cluster-autoscaler in kube-system".into()),
            path: Some("/eks-progressive/".into()),
            ..Default::default()
        },
    );
    cluster.add_cluster_autoscaler(&autoscaler);

    let bootstrap = super::bootstrap::bootstrap(stack, spec, &vpc, &cluster, &cluster_name);

    stack.add_output("ClusterName", cluster.name());
    stack.add_output("BootstrapProjectName", bootstrap.name());
    stack.add_output("ImageRepositoryUri", images.uri());
    stack.add_output("AdminRoleArn", admin.arn());
}
