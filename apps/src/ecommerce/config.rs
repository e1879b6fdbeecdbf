//! What an engineer changes: regions, names, address blocks, sizes and the release weights.
//!
//! Values marked **placeholder** must be replaced before the first deployment; everything else
//! is a working default.

use cirrus_aws::eks::KubernetesVersion;
use cirrus_aws::emr::ReleaseLabel;
use cirrus_aws::redshift::NodeType;

/// The app's name: the `app` tag, the IAM role path (`/ecommerce/`) and the prefix of the
/// names other stacks and regions rebuild (buckets, key aliases, repositories).
pub const APP: &str = "ecommerce";

/// The IAM path of the app's roles, so that deployment roles can be scoped to
/// `role/ecommerce/*`.
pub const ROLE_PATH: &str = "/ecommerce/";

/// The region of the production environment, the analytics VPC and the edge. 003 names no
/// region; us-east-1 also hosts what CloudFront requires there (its certificate and its WAF
/// web ACL), so the edge stack sits next to production.
pub const PRIMARY_REGION: &str = "us-east-1";

/// The region of the disaster-recovery copy: 003, "DR (Disaster Recovery) plan in another
/// region along with the local production environment".
pub const DR_REGION: &str = "us-west-2";

/// **Placeholder**: the id of the existing public hosted zone that holds [`DOMAIN`] and
/// [`ORIGIN_NAME`]. The app writes records into it but does not create it: a zone created in
/// one region's stack could not be referred to from the other region's.
pub const HOSTED_ZONE_ID: &str = "Z0123456789ABCDEFGHIJ";

/// **Placeholder**: the name of that hosted zone.
pub const HOSTED_ZONE_NAME: &str = "example.com";

/// **Placeholder**: the name customers use, served by CloudFront.
pub const DOMAIN: &str = "shop.example.com";

/// **Placeholder**: the name CloudFront fetches from. It resolves (Route 53) to the load
/// balancer of the region that serves, and is the name on the load balancers' certificates:
/// CloudFront checks the origin's certificate against it.
pub const ORIGIN_NAME: &str = "origin.shop.example.com";

/// How Route 53 chooses between the two regions' load balancers for [`ORIGIN_NAME`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OriginRouting {
    /// Production while its live target groups (weight above 0) have healthy targets, read
    /// from CloudWatch by a Route 53 health check, else the DR region: the DR
    /// copy restores its data from snapshots (003: "pull down to another environment"), so it
    /// is a standby and must not take live traffic while production is up.
    Failover,
    /// The region closest to the CloudFront edge that asks (003: "route the requests of the
    /// users to the nodes that are geographically close to them"). Only once the data layer
    /// is active in both regions.
    Latency,
}

/// The routing of [`ORIGIN_NAME`]: failover, until the databases run active in both regions.
/// CloudFront already serves every customer from the nearest edge location.
pub const ORIGIN_ROUTING: OriginRouting = OriginRouting::Failover;

/// Where the clusters' API servers can be reached from besides the VPC: 003's developer runs
/// `kubectl` from their own machine ("programmatic access to cloud by AWS CLI").
/// **Placeholder**: replace with your office or VPN ranges.
pub const ADMIN_CIDRS: &[&str] = &["203.0.113.0/24"];

/// Who may assume the administrator and developer roles: an IAM role ARN (an IAM Identity
/// Center permission set's role, say). `None` lets any identity of the account whose own IAM
/// policies allow `sts:AssumeRole` on the roles.
pub const OPERATOR_PRINCIPAL_ARN: Option<&str> = None;

/// The Kubernetes namespace of the storefront; developers may edit it and nothing else.
pub const SHOP_NAMESPACE: &str = "shop";

/// The Kubernetes version of both clusters.
pub const KUBERNETES_VERSION: KubernetesVersion = KubernetesVersion::V1_35;

/// How long CloudWatch keeps the logs of the app: 003, "it is archived in Cloudwatch for 2
/// weeks"; the analytics VPC keeps them in S3 after that.
pub const LOG_RETENTION: cirrus_aws::logs::Retention = cirrus_aws::logs::Retention::TwoWeeks;

/// The blue/green release (003: "marks as blue and deploys the new version ... marks it as
/// green"): the share of requests each target group gets, 0 to 999. To release, deploy the new
/// version behind green, test it, then swap the weights and deploy; swap back to roll back.
pub const BLUE_WEIGHT: u16 = 100;
/// See [`BLUE_WEIGHT`].
pub const GREEN_WEIGHT: u16 = 0;

/// The port the storefront's pods listen on, and the path the load balancer checks.
pub const STOREFRONT_PORT: u16 = 8080;
/// See [`STOREFRONT_PORT`].
pub const HEALTH_CHECK_PATH: &str = "/healthz";

/// The storefront's image tags behind each colour (in [`IMAGE_REPOSITORY`]): a release pushes
/// the new tag, sets it as green, and swaps the weights once green is tested.
pub const BLUE_TAG: &str = "1.0.0";
/// See [`BLUE_TAG`].
pub const GREEN_TAG: &str = "1.0.0";

/// The cluster autoscaler's chart, `(repository, chart, exact version)`.
pub const CLUSTER_AUTOSCALER_CHART: (&str, &str, &str) = (
    "https://kubernetes.github.io/autoscaler",
    "cluster-autoscaler",
    "9.59.0",
);

/// The image repository of the storefront, replicated to the DR region by ECR.
pub const IMAGE_REPOSITORY: &str = "ecommerce/storefront";

/// The service account Portworx runs as (namespace, name): it provisions the replicated volumes
/// of the databases on EBS and pushes Cloud Snap snapshots to S3.
pub const PORTWORX_SERVICE_ACCOUNT: (&str, &str) = ("portworx", "portworx");

/// Portworx's chart, `(repository, chart, exact version)`: the operator and the
/// `StorageCluster` of Portworx Enterprise 3.6.
pub const PORTWORX_CHART: (&str, &str, &str) = (
    "https://raw.githubusercontent.com/portworx/helm/master/stable",
    "portworx",
    "9.0.0",
);

/// The EBS drive Portworx gives each storage node for the databases' volumes, and the one for
/// its internal key-value database, in GiB (150: Portworx's size for the 450 IOPS its KVDB
/// needs on gp3).
pub const PORTWORX_DRIVE_GIB: u32 = 150;

/// The `StorageClass` of the databases' volumes: 003's "StorageClass file to define the type of
/// storage resources like ... number of replicas ... I/O priority".
pub const DATABASE_STORAGE_CLASS: &str = "px-db";

/// The storefront's database engine: PostgreSQL, the Docker official image from ECR Public
/// (no Docker Hub pull limits) at an exact release. 003 names no engine; PostgreSQL runs as
/// any user id with its data on a mounted volume, so it keeps the locked-down pod of every
/// workload here.
pub const DATABASE_IMAGE: &str = "public.ecr.aws/docker/library/postgres:17.2";

/// The size of the database's volume (003: "The size of the volume can be set to any number and
/// expanded based on the needs of the application"): the `px-db` class lets it grow.
pub const DATABASE_SIZE: &str = "50Gi";

/// When the databases' volumes are pushed to the region's Cloud Snap bucket, and how many
/// snapshots are kept: every hour (at most an hour of orders lost in a restore), the last day
/// of them, and one each night for two weeks.
pub const CLOUDSNAP_SCHEDULE: SnapshotSchedule = SnapshotSchedule {
    every_minutes: 60,
    keep: 24,
    daily_at: "2:00AM",
    keep_daily: 14,
};

/// The image of the Job that creates Cloud Snap's credential: Python from the Docker official
/// image on ECR Public, at an exact release (the script needs its standard library only).
pub const CREDENTIALS_IMAGE: &str = "public.ecr.aws/docker/library/python:3.13.1-alpine3.21";

/// The alias of the key that encrypts the Cloud Snap buckets, the same in both regions, so the
/// production bucket's replication names the DR key without a reference across regions.
pub const CLOUDSNAP_KEY_ALIAS: &str = "ecommerce-cloudsnap";

/// The Cloud Snap bucket's name in `region`: built the same way in both regions (the account id
/// is filled in by CloudFormation), which is how production names its replication destination.
pub fn cloudsnap_bucket_name(region: &str) -> String {
    format!("{APP}-cloudsnap-${{AWS::AccountId}}-{region}")
}

/// When cloud snapshots are taken and how many are kept.
#[derive(Debug, Clone, Copy)]
pub struct SnapshotSchedule {
    /// Minutes between snapshots: the most data a restore loses.
    pub every_minutes: u32,
    /// How many of those are kept.
    pub keep: u32,
    /// The time of the daily snapshot, in the cluster's time zone, as Stork writes it
    /// (`2:00AM`).
    pub daily_at: &'static str,
    /// How many daily snapshots are kept.
    pub keep_daily: u32,
}

/// A node group's size: minimum, desired and maximum nodes.
#[derive(Debug, Clone, Copy)]
pub struct NodeCount {
    /// The fewest nodes.
    pub min: u32,
    /// The nodes to start with.
    pub desired: u32,
    /// The most nodes.
    pub max: u32,
}

/// One region's copy of the storefront.
#[derive(Debug, Clone, Copy)]
pub struct RegionSpec {
    /// The stack's id and CloudFormation name.
    pub stack: &'static str,
    /// The region.
    pub region: &'static str,
    /// `prod` or `dr`: the cluster is `ecommerce-<name>`.
    pub name: &'static str,
    /// The VPC's block; the three VPCs of the app do not overlap.
    pub cidr: &'static str,
    /// The storefront's nodes (`m5.xlarge`).
    pub app_nodes: NodeCount,
    /// The storage nodes Portworx keeps the database volumes on (`m5.2xlarge`, tainted): at
    /// least 3 so that a volume's 3 replicas sit in 3 zones.
    pub storage_nodes: NodeCount,
    /// True for production, false for the standby.
    pub primary: bool,
}

/// The instance type of the storefront's nodes.
pub const APP_INSTANCE_TYPE: &str = "m5.xlarge";
/// The instance type of the storage nodes.
pub const STORAGE_INSTANCE_TYPE: &str = "m5.2xlarge";

/// Production. 003's request path ends at "the AWS EKS cluster NODEGROUPs", in "region specific
/// auto scaling groups ... across multiple AZs": three zones.
pub const PRODUCTION: RegionSpec = RegionSpec {
    stack: "EcommerceProduction",
    region: PRIMARY_REGION,
    name: "prod",
    cidr: "10.0.0.0/16",
    app_nodes: NodeCount {
        min: 3,
        desired: 3,
        max: 12,
    },
    storage_nodes: NodeCount {
        min: 3,
        desired: 3,
        max: 6,
    },
    primary: true,
};

/// The disaster-recovery copy: the same platform, fewer storefront nodes until it takes over.
pub const DISASTER_RECOVERY: RegionSpec = RegionSpec {
    stack: "EcommerceDr",
    region: DR_REGION,
    name: "dr",
    cidr: "10.2.0.0/16",
    app_nodes: NodeCount {
        min: 2,
        desired: 2,
        max: 12,
    },
    storage_nodes: NodeCount {
        min: 3,
        desired: 3,
        max: 6,
    },
    primary: false,
};

/// The analytics VPC's block (peered with production's `10.0.0.0/16`).
pub const ANALYTICS_CIDR: &str = "10.1.0.0/16";

/// The Glue database the crawler fills and Athena, EMR and Redshift Spectrum read.
pub const GLUE_DATABASE: &str = "ecommerce_analytics";

/// The Athena workgroup of the analysts.
pub const ATHENA_WORKGROUP: &str = "ecommerce-analytics";

/// Cancel Athena queries that scan more than this many bytes (10 GB).
pub const ATHENA_BYTES_CUTOFF: u64 = 10_000_000_000;

/// The EMR release, pinned: a new release changes Hadoop, Spark and Hive versions.
pub const EMR_RELEASE: ReleaseLabel = ReleaseLabel::new(7, 12, 0);

/// The EMR cluster's instance type, and the limits of managed scaling (instances).
pub const EMR_INSTANCE_TYPE: &str = "m5.xlarge";
/// See [`EMR_INSTANCE_TYPE`].
pub const EMR_SCALING: (u32, u32) = (3, 10);

/// The Redshift warehouse: node type and count, first database and admin user (whose
/// password Redshift generates and keeps in Secrets Manager).
pub const REDSHIFT_NODE_TYPE: NodeType = NodeType::Ra3XlPlus;
/// See [`REDSHIFT_NODE_TYPE`].
pub const REDSHIFT_NODES: u32 = 2;
/// See [`REDSHIFT_NODE_TYPE`].
pub const REDSHIFT_DATABASE: &str = "analytics";
/// See [`REDSHIFT_NODE_TYPE`].
pub const REDSHIFT_ADMIN_USER: &str = "analyticsadmin";
