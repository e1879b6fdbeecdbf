//! `BackendInfra`: the supporting infrastructure of the back end, deployed by
//! `BackendInfraPipeline` before the cluster ("Deploy Supporting Infra").
//!
//! 000: "Multiple Codecommit repos are defined to hold the source for Main API code, Weekly Job
//! code and Nightly job codes"; per component a CodeBuild project to "Build a Docker Image from
//! the code" and push it, an "EKS Code Build Project" that "Installs kubectl as a dependency /
//! Logs in to the EKS cluster / Use kubectl command to deploy the Kubernetes components from the
//! file", and a pipeline "Source Stage", "Build Stage", "Deploy Stage"; and the S3 bucket the
//! jobs' init containers download their raw data files from.
//!
//! Where this departs from the post:
//! - Images go to an ECR repository per component instead of a private GitLab registry. The
//!   Docker build logs in with its own role, the nodes pull with theirs: no registry
//!   credential exists, so none can leak into a template, a buildspec or a Kubernetes secret.
//! - The jobs read the data bucket with the `DataReaderRole`, given to their service account
//!   by EKS Pod Identity, instead of access keys written into the Job spec ("we need to
//!   configure the Access keys within the Kubernetes Job spec").
//! - Each kubectl project's role may only describe the cluster in IAM; what it may do in
//!   Kubernetes is decided by its access entry in `EksCluster` (edit, in the app's namespace).
//!
//! The cluster's name is the constant `CLUSTER_NAME`, not a reference to `EksCluster`: that
//! stack imports the roles defined here, and a reference back would be a cycle.

use cirrus_aws::codebuild::{
    BuildEnvironment, BuildSpec, ComputeType, EnvVar, Project, ProjectProps,
};
use cirrus_aws::codecommit::{Repository as CodeRepository, RepositoryProps};
use cirrus_aws::codepipeline::{
    Action, Artifact, CodeBuildActionProps, Pipeline, PipelineProps, Stage,
};
use cirrus_aws::ecr::{LifecycleRule, Repository, RepositoryProps as EcrProps};
use cirrus_aws::eks::Cluster;
use cirrus_aws::iam::{PolicyCondition, Principal, Role, RoleProps};
use cirrus_aws::kms::Key;
use cirrus_aws::logs::{LogEncryption, LogGroupProps};
use cirrus_aws::prelude::*;
use cirrus_aws::s3::{Bucket, BucketEncryption, BucketProps};

use super::buildspecs;
use super::config::{
    APP, BRANCH, CLUSTER_NAME, COMPONENTS, Component, DATA_JOBS_SERVICE_ACCOUNT, IAM_PATH,
    IMAGES_KEPT, K8S_NAMESPACE, LOG_RETENTION,
};
use super::{artifact_store, log_group_name};

/// What `EksCluster` needs from this stack.
#[derive(Debug, Clone)]
pub struct BackendInfra<'a> {
    /// Each component's kubectl deploy project role, for its access entry.
    pub deploy_roles: Vec<(Component, Role<'a>)>,
    /// The role the data jobs' service account gets through Pod Identity.
    pub data_reader: Role<'a>,
}

/// Fills the `BackendInfra` stack.
pub fn define(stack: Stack<'_>) -> BackendInfra<'_> {
    let (key, artifacts) = artifact_store(stack);

    // 000: the jobs' init container "downloads the data files from an S3 bucket".
    let data_props = BucketProps::default().encryption(BucketEncryption::Kms(key));
    let data_files = Bucket::new(stack, "DataFiles", data_props);
    let data_reader = Role::new(
        stack,
        "DataReaderRole",
        Principal::service("pods.eks.amazonaws.com"),
        RoleProps::default().path(IAM_PATH).description(format!(
            "the data jobs' pods ({K8S_NAMESPACE}/{DATA_JOBS_SERVICE_ACCOUNT}), through EKS Pod Identity: read the data files"
        )),
    );
    data_files.grant_read(&data_reader);

    // One role starts the three pipelines on pushes to their repositories.
    let trigger_role = Role::new(
        stack,
        "TriggerRole",
        Principal::service("events.amazonaws.com"),
        RoleProps::default()
            .description("lets EventBridge start the component pipelines on pushes")
            .trust_conditions([PolicyCondition::new(
                "StringEquals",
                "aws:SourceAccount",
                pseudo::account_id(),
            )])
            .path(IAM_PATH),
    );

    let deploy_roles = COMPONENTS
        .iter()
        .map(|c| {
            (
                *c,
                component(stack, c, key, artifacts, trigger_role, &data_files),
            )
        })
        .collect();

    stack
        .add_output("DataFilesBucketName", data_files.name())
        .description("upload the jobs' initial data files here (aws s3 cp)");
    BackendInfra {
        deploy_roles,
        data_reader,
    }
}

/// One component's repository, image repository, build and deploy projects and pipeline;
/// returns the deploy project's role.
fn component<'a>(
    stack: Stack<'a>,
    c: &Component,
    key: Key<'a>,
    artifacts: Bucket<'a>,
    trigger_role: Role<'a>,
    data_files: &Bucket<'a>,
) -> Role<'a> {
    let id = |suffix: &str| format!("{}{suffix}", c.id);
    let name = |suffix: &str| format!("{APP}-{}{suffix}", c.slug);
    let logs = |kind: &str| log_group_name(&format!("{}-{kind}", c.slug));
    let images_name = format!("{APP}/{}", c.slug);
    let repo_description = format!(
        "{}: its code, Dockerfile and Kubernetes manifest ({})",
        c.description, c.manifest
    );
    let repo = CodeRepository::new(
        stack,
        &id("Repo"),
        c.repo,
        RepositoryProps::default().description(repo_description),
    );
    let images = Repository::new(
        stack,
        &id("Images"),
        EcrProps::default()
            .repository_name(images_name)
            .lifecycle_rules([LifecycleRule::KeepLastImages(IMAGES_KEPT)]),
    );
    // Each project logs to its own group, encrypted with the stack's key.
    let log_props = |kind: &str| {
        LogGroupProps::default()
            .log_group_name(logs(kind))
            .retention(LOG_RETENTION)
            .encryption(LogEncryption::Key(key))
    };

    // Building images needs the Docker daemon, so this project alone runs privileged.
    let build = Project::new(
        stack,
        &id("Build"),
        ProjectProps::default()
            .project_name(name("-build"))
            .description(format!(
                "builds the image of {} and pushes it to ECR",
                c.description
            ))
            .build_spec(BuildSpec::inline(buildspecs::docker_build()))
            .environment(
                BuildEnvironment::default()
                    .compute_type(ComputeType::Medium)
                    .privileged(true),
            )
            .env("IMAGE_REPO_URI", EnvVar::plain(images.uri()))
            .logs(log_props("build"))
            .encryption_key(key)
            .timeout_minutes(30u32)
            .role_path(IAM_PATH),
    );
    images.grant_push(&build);
    // `aws ecr describe-images`: is this commit's tag pushed already?
    images.grant_read(&build);

    let mut deploy_props = ProjectProps::default()
        .project_name(name("-deploy"))
        .description(format!(
            "applies the Kubernetes manifest of {} to the cluster",
            c.description
        ))
        .build_spec(BuildSpec::inline(buildspecs::kubectl_deploy()))
        .env("CLUSTER_NAME", EnvVar::plain(CLUSTER_NAME))
        .env("K8S_NAMESPACE", EnvVar::plain(K8S_NAMESPACE))
        .env("MANIFEST", EnvVar::plain(c.manifest));
    if let Some(target) = c.rollout {
        deploy_props = deploy_props.env("ROLLOUT_TARGET", EnvVar::plain(target));
    }
    if c.reads_data {
        deploy_props = deploy_props.env("DATA_BUCKET", EnvVar::plain(data_files.name()));
    }
    let deploy_props = deploy_props
        .logs(log_props("deploy"))
        .encryption_key(key)
        .timeout_minutes(20u32)
        .role_path(IAM_PATH);
    let deploy = Project::new(stack, &id("Deploy"), deploy_props);
    // `aws eks update-kubeconfig`; Kubernetes rights come from the access entry alone.
    Cluster::from_name(stack, &id("Cluster"), CLUSTER_NAME).grant_describe(&deploy);

    let (src, image) = (Artifact::new("Src"), Artifact::new("Image"));
    // Images are tagged with the commit they are built from.
    let build_action =
        CodeBuildActionProps::output(&image).env("IMAGE_TAG", "#{SourceVariables.CommitId}");
    // `$CODEBUILD_SRC_DIR_Image/image.json` names the image to deploy.
    let deploy_action = CodeBuildActionProps::default().extra_inputs([image]);
    let source =
        Action::codecommit_source(&repo, BRANCH, &src).variables_namespace("SourceVariables");
    Pipeline::new(
        stack,
        &id("Pipeline"),
        PipelineProps::default()
            .pipeline_name(name(""))
            .stages([
                Stage::new("Source", [source]),
                Stage::new("Build", [Action::codebuild(&build, &src, build_action)]),
                Stage::new("Deploy", [Action::codebuild(&deploy, &src, deploy_action)]),
            ])
            .artifact_bucket(artifacts)
            .trigger_role(trigger_role)
            .role_path(IAM_PATH),
    );

    stack
        .add_output(&id("RepoCloneUrlHttp"), repo.clone_url_http())
        .description(format!("push {} here to build and deploy it", c.repo));
    stack.add_output(&id("ImageRepoUri"), images.uri());
    deploy.role()
}
