//! The AWS Load Balancer Controller as `yelp-search` and `ecommerce` use it: only to bind pods
//! to target groups the stacks own (`TargetGroupBinding`), never to create load balancers.
//! Its pinned chart, its role's grants (register and deregister targets of those groups,
//! describe), its Pod Identity association, and the typed `TargetGroupBinding`.

use cirrus_aws::eks::k8s::CustomResource;
use cirrus_aws::eks::{Cluster, HelmChart, HelmRelease};
use cirrus_aws::iam::{PolicyStatement, Role};
use cirrus_aws::prelude::*;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Serialize;
use serde_json::json;

/// The controller's chart: `(repository, chart, exact version)` (chart 1.17.1 is controller
/// v2.17.1; the 3.x charts changed their values).
pub const CHART: (&str, &str, &str) = (
    "https://aws.github.io/eks-charts",
    "aws-load-balancer-controller",
    "1.17.1",
);

/// The controller's namespace and service account.
pub const SERVICE_ACCOUNT: (&str, &str) = ("kube-system", "aws-load-balancer-controller");

/// Lets `role` (trusting `pods.eks.amazonaws.com`) bind pods to `target_groups`, gives it to the
/// controller's service account through Pod Identity, and installs the controller on `cluster`
/// of `region` and VPC `vpc_id`. Returns the release, which the bindings depend on (its CRDs).
pub fn install<'a>(
    cluster: &Cluster<'a>,
    role: &Role<'a>,
    target_groups: Vec<Expr<String>>,
    (cluster_name, region, vpc_id): (&str, &str, Expr<String>),
) -> HelmRelease<'a> {
    role.add_to_policy(
        PolicyStatement::allow()
            .actions([
                "elasticloadbalancing:RegisterTargets",
                "elasticloadbalancing:DeregisterTargets",
            ])
            .resources(target_groups),
    );
    // Describe calls take no resource.
    role.add_to_policy(
        PolicyStatement::allow()
            .actions(["elasticloadbalancing:Describe*", "ec2:Describe*"])
            .resources(["*"]),
    );
    let (namespace, account) = SERVICE_ACCOUNT;
    cluster.add_pod_identity(namespace, account, role.arn());
    let (repository, chart, version) = CHART;
    cluster.add_helm_chart(
        "LoadBalancerController",
        HelmChart::new(repository, chart, version)
            .namespace(namespace)
            .values(json!({
                "clusterName": cluster_name,
                "region": region,
                // Pods cannot read it from the instance metadata.
                "vpcId": cluster.token(vpc_id),
                "serviceAccount": { "create": true, "name": account },
                // Only target group bindings: Services of type LoadBalancer stay untouched.
                "enableServiceMutatorWebhook": false,
            }))
            .crds(
                ["TargetGroupBinding", "IngressClassParams"]
                    .map(|kind| ("elbv2.k8s.aws".to_owned(), kind.to_owned()))
                    .to_vec(),
            ),
    )
}

/// The controller's `TargetGroupBinding` (elbv2.k8s.aws/v1beta1): the pods of a Service
/// registered, by IP, in a target group made elsewhere. Without `networking`: the stack admits
/// the load balancer to the pods.
#[derive(Debug, Clone, Serialize)]
pub struct TargetGroupBinding {
    pub metadata: ObjectMeta,
    pub spec: TargetGroupBindingSpec,
}

impl CustomResource for TargetGroupBinding {
    const API_VERSION: &'static str = "elbv2.k8s.aws/v1beta1";
    const KIND: &'static str = "TargetGroupBinding";
    const NAMESPACED: bool = true;
}

/// `TargetGroupBinding.spec`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TargetGroupBindingSpec {
    pub service_ref: ServiceRef,
    #[serde(rename = "targetGroupARN")]
    pub target_group_arn: String,
    /// `ip`: the pods' addresses.
    pub target_type: String,
}

/// The Service and port whose endpoints are registered.
#[derive(Debug, Clone, Serialize)]
pub struct ServiceRef {
    pub name: String,
    pub port: i32,
}

/// The binding named after Service `name` of `namespace` (its `port`), into the target group
/// `target_group_arn` (a token or a pipeline value), by IP.
pub fn binding(
    namespace: &str,
    name: &str,
    port: i32,
    target_group_arn: String,
) -> TargetGroupBinding {
    TargetGroupBinding {
        metadata: ObjectMeta {
            name: Some(name.into()),
            namespace: Some(namespace.into()),
            ..Default::default()
        },
        spec: TargetGroupBindingSpec {
            service_ref: ServiceRef {
                name: name.into(),
                port,
            },
            target_group_arn,
            target_type: "ip".into(),
        },
    }
}
