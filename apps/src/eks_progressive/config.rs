//! What differs between the environments, in one place.

use cirrus_aws::codeconnections::ConnectionProvider;
use cirrus_aws::eks::KubernetesVersion;

/// The region of the post's clusters.
pub const REGION: &str = "us-west-1";

/// The git host of the project's repository, which the delivery pipeline takes every push to
/// [`BRANCH`] from (through a connection whose handshake is completed once in the console).
pub const SOURCE_PROVIDER: ConnectionProvider = ConnectionProvider::GitHub;

/// The project's repository, `owner/name`. Replace the owner with yours.
pub const SOURCE_REPOSITORY: &str = "your-github-org/eks-progressive";

/// The branch the delivery pipeline delivers.
pub const BRANCH: &str = "main";

/// The order the delivery pipeline delivers the environments in (by [`EnvSpec::name`]):
/// the shared tools first, production last, after a person approves.
pub const DELIVERY_ORDER: [&str; 4] = ["utility", "test", "staging", "production"];

/// The Kubernetes version of every environment. The post ran 1.24, long out of support.
pub const KUBERNETES_VERSION: KubernetesVersion = KubernetesVersion::V1_35;

/// Where administrators reach the API server from, in the environments whose endpoint is
/// public as well as private. Replace with your office or VPN ranges.
pub const ADMIN_CIDRS: &[&str] = &["203.0.113.0/24"];

/// The Helm charts of every cluster, `(repository, chart, exact version)`: Gloo Edge (the
/// seed: "Gloo Edge ingress 1.6.0 or newer"), Flagger with its Prometheus, the cluster
/// autoscaler (the release matching Kubernetes 1.35), and Flagger's load tester (the External
/// Secrets Operator's is the project's, `external_secrets::CHART`). The versions
/// are the charts' releases of 2026; change them here, and the deploy upgrades every cluster.
pub const CHARTS: [(&str, &str, &str); 4] = [
    (
        "https://storage.googleapis.com/solo-public-helm",
        "gloo",
        "1.22.3",
    ),
    ("https://flagger.app", "flagger", "1.44.0"),
    (
        "https://kubernetes.github.io/autoscaler",
        "cluster-autoscaler",
        "9.59.0",
    ),
    ("https://flagger.app", "loadtester", "0.38.0"),
];

/// The Kubernetes Secret (in [`APPS_NAMESPACE`]) that holds the Slack webhook, kept equal to the
/// Secrets Manager secret, and Flagger's `AlertProvider` that reads it.
pub const SLACK_SECRET: &str = "slack-webhook";
/// See [`SLACK_SECRET`].
pub const SLACK_PROVIDER: &str = "slack";

/// The seed's namespace of the application and its load tester.
pub const APPS_NAMESPACE: &str = "apps";

/// The podinfo release deployed first (the seed pushes 6.0.0 to 6.1.6 to the repository and
/// starts from 6.0.0); a new tag here is a new canary rollout.
pub const PODINFO_TAG: &str = "6.0.0";

/// One environment.
#[derive(Debug, Clone, Copy)]
pub struct EnvSpec {
    /// `production`, `staging`, `test`, `utility`.
    pub name: &'static str,
    /// The stack's id (and CloudFormation stack name).
    pub stack: &'static str,
    /// The VPC's CIDR block; the environments do not overlap, so they can be peered later.
    pub cidr: &'static str,
    /// The node group's instance type.
    pub instance_type: &'static str,
    /// Nodes: minimum, desired, maximum.
    pub nodes: (u32, u32, u32),
    /// NAT gateways (one per AZ in production, one elsewhere to save cost).
    pub nat_gateways: u8,
    /// Whether the API server is private only.
    pub private_endpoint_only: bool,
    /// The domain the gateway serves podinfo on (the seed: `podinfo.example.com`; yours
    /// here).
    pub domain: &'static str,
}

/// The four environments of the post: "There are four Amazon EKS clusters, one each for the
/// production, test, utility, and the staging environments". Production's size is the post's
/// ("runs 110 services and 650+ pods on 60 nodes. The cluster scales up to 100 nodes" on
/// m5.2xlarge); the other sizes are ours.
pub const ENVIRONMENTS: &[EnvSpec] = &[
    EnvSpec {
        name: "production",
        domain: "podinfo.production.example.com",
        stack: "EksProgressiveProduction",
        cidr: "10.10.0.0/16",
        instance_type: "m5.2xlarge",
        nodes: (50, 60, 100),
        nat_gateways: 2,
        private_endpoint_only: true,
    },
    EnvSpec {
        name: "staging",
        domain: "podinfo.staging.example.com",
        stack: "EksProgressiveStaging",
        cidr: "10.20.0.0/16",
        instance_type: "m5.xlarge",
        nodes: (3, 3, 10),
        nat_gateways: 1,
        private_endpoint_only: false,
    },
    EnvSpec {
        name: "test",
        domain: "podinfo.test.example.com",
        stack: "EksProgressiveTest",
        cidr: "10.30.0.0/16",
        instance_type: "m5.large",
        nodes: (2, 2, 6),
        nat_gateways: 1,
        private_endpoint_only: false,
    },
    EnvSpec {
        name: "utility",
        domain: "podinfo.utility.example.com",
        stack: "EksProgressiveUtility",
        cidr: "10.40.0.0/16",
        instance_type: "m5.xlarge",
        nodes: (2, 2, 4),
        nat_gateways: 1,
        private_endpoint_only: false,
    },
];
