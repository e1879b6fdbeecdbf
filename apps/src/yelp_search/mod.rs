//! `yelp-search`: an NLP search app (a React single-page app and a Flask API with two data
//! jobs on EKS), everything released by CodePipeline. Source: the post "Deploy a NLP Machine
//! Learning model and app to an AWS EKS Cluster via AWS Codepipeline" (seed 000).
//!
//! # Stacks
//!
//! The post deploys two pipeline stacks by hand, and those pipelines deploy the rest from
//! CloudFormation templates pushed to CodeCommit. Here the project itself, with the
//! `synth-out/yelp-search/` it commits, is one git repository, and one delivery pipeline takes
//! every push to it (`delivery`).
//!
//! | stack | what | deployed by | wave |
//! |---|---|---|---|
//! | `Delivery` | the connection to the app's repository (or a CodeCommit repository), the delivery pipeline, its synth step and deployment role | the operator, then itself | 1 |
//! | `FrontendInfra` | private site bucket, CloudFront + WAF, the React app's repository, build and release pipeline | `Delivery` | 1 |
//! | `EksCluster` | VPC, EKS cluster (private endpoint), node group, add-ons, shared EFS volume, data-files bucket, the data jobs' service account, access entries | `Delivery` | 2 |
//! | `BackendInfra` | per component (`app_api`, `weekly_job`, `nightly_job`): repository, ECR repository, Docker build, pipeline whose EKS deploy action applies the component's objects | `Delivery`, after `EksCluster` | 3 |
//!
//! `BackendInfra` imports from `EksCluster` (the cluster, the subnets and security group its
//! pipelines' deploy actions run with, the data-files bucket) and from `Delivery` (the
//! connection its pipelines read the synthesized objects through). The cluster needs nothing
//! of the components, so the post's order (supporting infrastructure, then the cluster) is
//! reversed: the pipelines that deploy to the cluster come after it. `EksCluster` imports from
//! `Delivery` the role of the delivery pipeline's EKS deploy actions, which it lets into the
//! cluster.
//!
//! The delivery pipeline verifies that the committed templates are what the code produces,
//! updates itself, waits for a person when a change widens access, and deploys the other
//! stacks wave by wave through change sets, with a deployment role derived by the library from
//! what they contain (`DeliveryPipeline`).
//!
//! # Deploying
//!
//! 1. Set what `config` marks as yours ([`config::SOURCE`], [`config::API_DOMAIN`] and its
//!    [`config::HOSTED_ZONE`], [`config::ADMIN_PRINCIPAL_ARN`] at least), synthesize, commit,
//!    then `cargo run -- deploy --app yelp-search Delivery`.
//! 2. Complete the connection's handshake once in the console (Developer Tools >
//!    Connections; the stack's `ConnectionArn` output names it), and push the project to the
//!    repository: the pipeline delivers `FrontendInfra` and `EksCluster`, then `BackendInfra`,
//!    stopping for approval when a change widens access (the first run does: it creates roles).
//! 3. The pipeline then puts the cluster-wide objects below on the cluster in its
//!    `Deploy-Kubernetes` stage: a render action resolves their values from the deployed
//!    stacks and pulls the controller's chart, then one EKS deploy action per step applies it
//!    from the cluster's private subnets (the endpoint is private).
//! 4. Upload the jobs' initial data (000: "aws s3 cp <data_file> s3://<s3_bucket>") to
//!    `EksCluster`'s `DataFilesBucketName`, then push `weekly_job` and `nightly_job`, then
//!    `app_api`, and the React app to `FrontendInfra`'s `AppRepoCloneUrlHttp`.
//! 5. To run kubectl (the endpoint is private): in the AWS CloudShell console, create a VPC
//!    environment in the cluster's VPC with one of `EksCluster`'s `OperatorSubnetIds` and the
//!    security group `OperatorSecurityGroupId`, then `aws eks update-kubeconfig --name
//!    yelp-search --role-arn <AdminRoleArn>` there.
//!
//! # On the cluster
//!
//! The objects the whole app shares are declared with the cluster (`eks_cluster.rs`), written
//! to `synth-out/yelp-search/EksCluster-Cluster-Kubernetes-*.yaml`, and applied after the
//! `EksCluster` stack (by the delivery pipeline, or by `deploy`): the `yelp-search` namespace, the `efs-sc` StorageClass (its
//! `fileSystemId` is the stack's file system, substituted from the stack's output when
//! deploying), the shared `ReadWriteMany` claim `data-files`, and the data jobs' service account
//! `data-jobs` (Pod Identity gives its pods a role that may read the data-files bucket: no
//! access keys in the Job spec).
//!
//! What each component runs is typed in `workloads` and written to
//! `synth-out/yelp-search/EksCluster-Cluster-Kubernetes-<component>.yaml`; `deploy` leaves
//! those steps to the component's pipeline, whose EKS deploy action applies the file from the
//! app's repository with `$IMAGE_TAG` set to the image the pipeline has just
//! built (and `$IMAGE_REPOSITORY`, `$DATA_BUCKET` to the app's values): the API's Deployment,
//! Service and HorizontalPodAutoscaler, the two data jobs' CronJobs.
//!
//! No image-pull secret exists: the nodes pull from ECR with their role. The Dockerfiles
//! should take their base images from ECR Public (`public.ecr.aws/docker/library/python`)
//! rather than Docker Hub, which limits anonymous pulls and would need credentials.
//!
//! # Where this departs from the post
//!
//! ECR instead of a GitLab registry and its credentials; Pod Identity instead of access keys;
//! access entries instead of adding a user to the pipeline role's trust policy; a private site
//! bucket behind origin access control instead of static website hosting; inline buildspecs
//! instead of `buildspec.yml` files; an EFS volume so that pods on different nodes share the
//! data; a namespace of the app's own; a Parameter Store parameter instead of editing `.env`.
//! Each stack's module says more.
//!
//! Next steps the post names: expose the API through API Gateway (which also gives it TLS and
//! a stable name), and a standby cluster.
//! Buckets, repositories, image repositories, log groups, keys and the file system are
//! retained when their stacks are deleted: remove them by hand once their data is not needed.

mod api_endpoint;
mod backend_infra;
pub mod config;
mod delivery;
mod eks_cluster;
mod frontend_infra;
mod workloads;

use cirrus_aws::iam;
use cirrus_aws::kms::{Key, KeyProps};
use cirrus_aws::prelude::*;
use cirrus_aws::s3::{Bucket, BucketEncryption, BucketProps, LifecycleRule};

use config::{APP, IAM_PATH, REGION};

/// The stack names, which are also the names of their templates in `synth-out/yelp-search/`.
pub const STACKS: [&str; 4] = ["Delivery", "FrontendInfra", "EksCluster", "BackendInfra"];

/// What each of [`STACKS`] holds: its description.
const HOLDS: [&str; 4] = [
    "the app's repository and the pipeline that delivers it from a push",
    "the front end: private site bucket behind CloudFront and WAF, the React app's repository, build and release pipeline",
    "the EKS cluster: VPC, control plane, nodes, add-ons, shared file system, data-files bucket, access entries",
    "the back end's components: repositories, images, builds, and the pipelines that deploy them to the cluster",
];

/// Adds the four stacks of the app to `app`.
pub fn define(app: &App) {
    let [delivery, frontend, cluster, backend] =
        std::array::from_fn(|i| stack(app, STACKS[i], HOLDS[i]));
    let source = delivery::source(delivery);
    frontend_infra::define(frontend);
    let eks = eks_cluster::define(cluster);
    backend_infra::define(backend, &eks, &source);
    // Last: the pipeline's waves come from the stacks above and their references.
    delivery::pipeline(delivery, source);
}

/// A stack of the app in its region, tagged with the app's name.
fn stack<'a>(app: &'a App, id: &str, description: &str) -> Stack<'a> {
    let props = StackProps::default()
        .env(Env::region(REGION))
        .description(format!("{APP}: {description}"));
    let stack = app.stack(id, props);
    Tags::of(&stack).add("app", APP);
    // Every role of the app under one path, which its deployment roles are scoped to.
    iam::default_role_path(stack, IAM_PATH);
    stack
}

/// The stack's customer managed key (`Key`) and the artifact bucket its pipelines share,
/// encrypted with it: CodeBuild projects encrypt their output with the same key.
fn artifact_store(stack: Stack<'_>) -> (Key<'_>, Bucket<'_>) {
    let description = format!(
        "encrypts the pipeline artifacts and data of {}",
        stack.stack_name()
    );
    let key = Key::new(stack, "Key", KeyProps::default().description(description));
    let expire = LifecycleRule::default()
        .id("ExpireOldArtifacts")
        .noncurrent_version_expiration_days(30)
        .abort_incomplete_upload_days(7);
    let props = BucketProps::default()
        .encryption(BucketEncryption::Kms(key))
        .lifecycle_rules([expire]);
    (key, Bucket::new(stack, "ArtifactBucket", props))
}

/// The name of a build log group: `/yelp-search/codebuild/<name>`.
fn log_group_name(name: &str) -> String {
    format!("/{APP}/codebuild/{name}")
}
