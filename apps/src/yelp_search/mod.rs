//! `yelp-search`: an NLP search app (a React single-page app and a Flask API with two data
//! jobs on EKS), everything released by CodePipeline. Source: the post "Deploy a NLP Machine
//! Learning model and app to an AWS EKS Cluster via AWS Codepipeline" (seed 000).
//!
//! # Stacks
//!
//! The post deploys two pipeline stacks by hand, and those pipelines deploy the rest from
//! CloudFormation templates pushed to CodeCommit. So does this app; the templates are the ones
//! `cargo run -- synth` writes to `synth-out/yelp-search/`.
//!
//! | stack | what | deployed by | wave |
//! |---|---|---|---|
//! | `FrontendInfraPipeline` | template repository, pipeline Source -> Deploy, CloudFormation's deployment role | the operator | 1 |
//! | `BackendInfraPipeline` | template repository, pipeline Source -> DeployEksCluster -> DeploySupportingInfra, deployment role | the operator | 1 |
//! | `FrontendInfra` | private site bucket, CloudFront + WAF, the React app's repository, build and release pipeline | `FrontendInfraPipeline` | 2 |
//! | `EksCluster` | VPC, EKS cluster (private endpoint), node group, add-ons, shared EFS volume, data-files bucket, the data jobs' service account, access entries | `BackendInfraPipeline` | 2 |
//! | `BackendInfra` | per component (`app_api`, `weekly_job`, `nightly_job`): repository, ECR repository, Docker build, pipeline whose EKS deploy action applies the component's objects | `BackendInfraPipeline`, after `EksCluster` | 3 |
//!
//! `BackendInfra` imports from `EksCluster` (the cluster, the subnets and security group its
//! pipelines' deploy actions run with, the data-files bucket) and from `BackendInfraPipeline`
//! (the template repository its pipelines read the synthesized objects from). The cluster needs
//! nothing of the components, so the post's order (supporting infrastructure, then the
//! cluster) is reversed: the pipelines that deploy to the cluster come after it. The other
//! dependencies are ordering only, so that a whole-app `cirrus deploy` follows the pipelines'
//! order.
//!
//! Each infrastructure pipeline's CloudFormation actions deploy stacks of this app by name
//! from `Templates::<stack>.template.json`, with a deployment role that may create only what
//! those stacks contain, derived by the library from their resources (`Role::grant_deploy`).
//!
//! # Deploying
//!
//! 1. Set what `config` marks as yours ([`config::ADMIN_PRINCIPAL_ARN`] at least), then
//!    `cargo run -- deploy --app yelp-search FrontendInfraPipeline BackendInfraPipeline`. The
//!    new pipelines start and fail on their empty repositories, as in the post.
//! 2. Push the templates (000: "commit the template to the infra repo so the Infrastructure
//!    pipeline runs"): `FrontendInfra.template.json` to the front end's infrastructure
//!    repository, the files of `synth-out/yelp-search/` to the back end's (clone URLs in the
//!    stacks' `InfraRepoCloneUrlHttp` outputs; git uses the AWS credential helper or
//!    `git-remote-codecommit`, not the post's static Git credentials). The pipelines deploy
//!    `FrontendInfra`, then `EksCluster` and `BackendInfra`.
//! 3. Put the cluster-wide objects on the cluster once, as the administrator (with credentials
//!    of `AdminRoleArn`): `cargo run -- deploy --app yelp-search EksCluster`. The stack is
//!    unchanged by then, so this applies the objects below and nothing else, through the
//!    cluster's in-VPC deployer (the endpoint is private). They are cluster-wide, outside the
//!    pipelines' namespace-scoped rights on purpose.
//! 4. Upload the jobs' initial data (000: "aws s3 cp <data_file> s3://<s3_bucket>") to
//!    `EksCluster`'s `DataFilesBucketName`, then push `weekly_job` and `nightly_job`, then
//!    `app_api`, and the React app to `FrontendInfra`'s `AppRepoCloneUrlHttp`.
//! 5. To run kubectl (the endpoint is private): in the AWS CloudShell console, create a VPC
//!    environment in the cluster's VPC with one of `EksCluster`'s `OperatorSubnetIds` and the
//!    security group `OperatorSecurityGroupId`, then `aws eks update-kubeconfig --name
//!    yelp-search --role-arn <AdminRoleArn>` there.
//! 6. Once the API's load balancer exists, set [`config::API_URL`] to it, synthesize, and push
//!    the `FrontendInfra` template: the parameter changes and the next front-end build uses it.
//!
//! # On the cluster
//!
//! The objects the whole app shares are declared with the cluster (`eks_cluster.rs`), written
//! to `synth-out/yelp-search/EksCluster-Cluster-Kubernetes-*.yaml`, and applied by `deploy`
//! after the `EksCluster` stack: the `yelp-search` namespace, the `efs-sc` StorageClass (its
//! `fileSystemId` is the stack's file system, substituted from the stack's output when
//! deploying), the shared `ReadWriteMany` claim `data-files`, and the data jobs' service account
//! `data-jobs` (Pod Identity gives its pods a role that may read the data-files bucket: no
//! access keys in the Job spec).
//!
//! What each component runs is typed in `workloads` and written to
//! `synth-out/yelp-search/EksCluster-Cluster-Kubernetes-<component>.yaml`; `deploy` leaves
//! those steps to the component's pipeline, whose EKS deploy action applies the file from the
//! back end's template repository with `$IMAGE_TAG` set to the image the pipeline has just
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
//! a stable name), and a standby cluster. AWS no longer offers CodeCommit to new customers;
//! accounts without it can replace the source actions with a CodeStar connection to GitHub.
//! Buckets, repositories, image repositories, log groups, keys and the file system are
//! retained when their stacks are deleted: remove them by hand once their data is not needed.

mod backend_infra;
mod buildspecs;
pub mod config;
mod eks_cluster;
mod frontend_infra;
mod infra_pipeline;
mod workloads;

use cirrus_aws::kms::{Key, KeyProps};
use cirrus_aws::prelude::*;
use cirrus_aws::s3::{Bucket, BucketEncryption, BucketProps, LifecycleRule};

use config::{APP, REGION};
use infra_pipeline::InfraPipeline;

/// The stack names, which are also the names of their templates in `synth-out/yelp-search/`
/// and of the stacks the infrastructure pipelines deploy.
pub const STACKS: [&str; 5] = [
    "FrontendInfraPipeline",
    "FrontendInfra",
    "BackendInfraPipeline",
    "BackendInfra",
    "EksCluster",
];

/// Adds the five stacks of the app to `app`.
pub fn define(app: &App) {
    let [fe_pipeline_id, fe_id, be_pipeline_id, be_id, eks_id] = STACKS;
    let frontend_pipeline = stack(
        app,
        fe_pipeline_id,
        "the front end's infrastructure pipeline: template repository, pipeline, deployment role",
    );
    let frontend = stack(
        app,
        fe_id,
        "the front end: private site bucket behind CloudFront and WAF, the React app's repository, build and release pipeline",
    );
    let backend_pipeline = stack(
        app,
        be_pipeline_id,
        "the back end's infrastructure pipeline: template repository, pipeline, deployment role",
    );
    let backend = stack(
        app,
        be_id,
        "the back end's components: repositories, images, builds, and the pipelines that deploy them to the cluster",
    );
    let cluster = stack(
        app,
        eks_id,
        "the EKS cluster: VPC, control plane, nodes, add-ons, shared file system, data-files bucket, access entries",
    );

    frontend_infra::define(frontend);
    // Each pipeline's deployment role may create what the stacks it deploys contain.
    infra_pipeline::define(
        frontend_pipeline,
        &InfraPipeline {
            name: format!("{APP}-frontend-infra"),
            repo_description: format!("the CloudFormation template of {fe_id}"),
            deploys: vec![("Deploy", frontend)],
        },
    );

    let eks = eks_cluster::define(cluster);
    let templates = infra_pipeline::define(
        backend_pipeline,
        &InfraPipeline {
            name: format!("{APP}-backend-infra"),
            repo_description: format!("the files synthesized for {eks_id} and {be_id}"),
            deploys: vec![
                ("DeployEksCluster", cluster),
                ("DeploySupportingInfra", backend),
            ],
        },
    );
    backend_infra::define(backend, &eks, &templates);

    // Ordering only: a whole-app `cirrus deploy` walks the order the pipelines use.
    frontend.add_dependency(&frontend_pipeline);
    cluster.add_dependency(&backend_pipeline);
}

/// A stack of the app in its region, tagged with the app's name.
fn stack<'a>(app: &'a App, id: &str, description: &str) -> Stack<'a> {
    let props = StackProps::default()
        .env(Env::region(REGION))
        .description(format!("{APP}: {description}"));
    let stack = app.stack(id, props);
    Tags::of(&stack).add("app", APP);
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
    let expire = LifecycleRule {
        id: Some("ExpireOldArtifacts".into()),
        noncurrent_version_expiration_days: Some(30),
        abort_incomplete_upload_days: Some(7),
        ..Default::default()
    };
    let props = BucketProps::default()
        .encryption(BucketEncryption::Kms(key))
        .lifecycle_rules([expire]);
    (key, Bucket::new(stack, "ArtifactBucket", props))
}

/// The name of a build log group: `/yelp-search/codebuild/<name>`.
fn log_group_name(name: &str) -> String {
    format!("/{APP}/codebuild/{name}")
}
