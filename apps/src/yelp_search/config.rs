//! What an engineer changes: names, sizes, networks, versions. Stack code uses these constants,
//! never literals of its own.

use cirrus_aws::codeconnections::ConnectionProvider;
use cirrus_aws::logs::Retention;

/// The app's name: the `app` tag of every resource, and the prefix of the names it gives.
pub const APP: &str = "yelp-search";

/// The one region of the app. The post names none; us-east-1 lets the CloudFront web ACL live
/// in `FrontendInfra` itself (WAF creates CloudFront ACLs only there).
pub const REGION: &str = "us-east-1";

/// The path of every IAM role the app creates, so that the deployment roles can be limited to
/// `role/yelp-search/*`.
pub const IAM_PATH: &str = "/yelp-search/";

/// The branch every pipeline builds. 000: "git push -u origin main".
pub const BRANCH: &str = "main";

/// Where the app's repository lives.
#[derive(Debug, Clone, Copy)]
pub enum AppSource {
    /// On a git host, through a CodeConnections connection that the stack `Delivery` creates
    /// pending (complete its handshake once in the console).
    Connection {
        /// The git host.
        provider: ConnectionProvider,
        /// The repository, `owner/name`.
        repository: &'static str,
    },
    /// A CodeCommit repository of this name, which `Delivery` creates (AWS has at times closed
    /// CodeCommit to new accounts).
    CodeCommit {
        /// The repository's name.
        repository: &'static str,
    },
}

/// The app's repository (this project, `synth-out/` included): the delivery pipeline takes
/// every push to [`BRANCH`]. Replace the owner with yours.
pub const SOURCE: AppSource = AppSource::Connection {
    provider: ConnectionProvider::GitHub,
    repository: "your-github-org/yelp-search",
};

/// The EKS cluster's name. `BackendInfra` uses it too (kubeconfig, `eks:DescribeCluster`)
/// without referring to `EksCluster`, which imports from `BackendInfra`: a reference back
/// would be a cycle between the two stacks.
pub const CLUSTER_NAME: &str = "yelp-search";

/// The namespace the component pipelines deploy into; their access entries admit them to it
/// and nothing else. The post uses `default`.
pub const K8S_NAMESPACE: &str = "yelp-search";

/// The service account of the data jobs' pods, which EKS Pod Identity gives the data-reader
/// role (read access to the data-files bucket).
pub const DATA_JOBS_SERVICE_ACCOUNT: &str = "data-jobs";

/// The StorageClass of the shared EFS volume.
pub const STORAGE_CLASS: &str = "efs-sc";

/// The `ReadWriteMany` claim on the shared volume that the jobs and the API mount.
pub const DATA_VOLUME_CLAIM: &str = "data-files";

/// The port the Flask API listens on in its container.
pub const API_PORT: i32 = 5000;

/// The image of the jobs' init container, which copies the raw data from S3: the AWS CLI
/// from ECR Public, at an exact version.
pub const AWS_CLI_IMAGE: &str = "public.ecr.aws/aws-cli/aws-cli:2.22.0";

/// The API's name: `https://<this>` is what the React app calls (baked into its build from a
/// Parameter Store parameter) and what the API's load balancer serves, with a certificate for
/// it. Replace with a name in your hosted zone.
pub const API_DOMAIN: &str = "api.yelp-search.example.com";

/// The Route 53 hosted zone of [`API_DOMAIN`]: its id and name. The certificate is validated
/// by a record there, and the API's alias record goes there.
pub const HOSTED_ZONE: (&str, &str) = ("Z0123456789ABCDEFGHIJ", "yelp-search.example.com");

/// The path the API's load balancer checks on each pod (an answer below 400 is healthy).
pub const API_HEALTH_PATH: &str = "/";

/// The URL the React app calls.
pub fn api_url() -> String {
    format!("https://{API_DOMAIN}")
}

/// The VPC of the cluster: two availability zones, a public and a private subnet in each, a
/// NAT gateway per zone.
pub const VPC_CIDR: &str = "10.0.0.0/16";

/// Who may assume the cluster administrator role (`EksCluster/AdminRole`): an IAM role or user
/// ARN, such as your SSO administrator role. `None`: the account itself, meaning any identity
/// of the account whose own IAM policy allows `sts:AssumeRole` on the admin role.
pub const ADMIN_PRINCIPAL_ARN: Option<&str> = None;

/// The nodes: instance type and (minimum, desired, maximum) count. The post gives no sizes.
pub const NODE_INSTANCE_TYPE: &str = "m5.large";
/// See [`NODE_INSTANCE_TYPE`].
pub const NODE_COUNT: (u32, u32, u32) = (2, 2, 4);
/// The nodes' disk for container images, in GiB (the ML images are large).
pub const NODE_DISK_GIB: u32 = 50;

/// How long the app's logs (builds, cluster, VPC flow logs) are kept.
pub const LOG_RETENTION: Retention = Retention::OneMonth;

/// How many images each ECR repository keeps (every push is a new, immutable tag).
pub const IMAGES_KEPT: u32 = 30;

/// One back-end component: a CodeCommit repository, an image, a Docker build, what it runs on
/// the cluster, and the pipeline that builds the image and applies that.
#[derive(Debug, Clone, Copy)]
pub struct Component {
    /// The CodeCommit repository's name, as in the post (`app_api`).
    pub repo: &'static str,
    /// The prefix of its construct ids (`AppApi`).
    pub id: &'static str,
    /// The name in the names of its image repository, projects and pipeline (`app-api`).
    pub slug: &'static str,
    /// When it runs, as a `CronJob` schedule: `None` for the API, which runs all the time.
    /// The post gives no times.
    pub schedule: Option<&'static str>,
    /// What it is, for descriptions.
    pub description: &'static str,
}

/// The three components of the back end. 000: "the Main API code, Weekly Job code and
/// Nightly job codes".
pub const COMPONENTS: [Component; 3] = [
    Component {
        repo: "app_api",
        id: "AppApi",
        slug: "app-api",
        schedule: None,
        description: "the Flask search API",
    },
    Component {
        repo: "weekly_job",
        id: "WeeklyJob",
        slug: "weekly-job",
        schedule: Some("0 3 * * 0"),
        description: "the weekly job that tunes the model",
    },
    Component {
        repo: "nightly_job",
        id: "NightlyJob",
        slug: "nightly-job",
        schedule: Some("0 2 * * *"),
        description: "the nightly job that processes the day's data",
    },
];
