//! `BackendInfra`: the back end's components, delivered by `Delivery` after the cluster (the
//! post's "Deploy Supporting Infra").
//!
//! 000: "Multiple Codecommit repos are defined to hold the source for Main API code, Weekly Job
//! code and Nightly job codes"; per component a CodeBuild project to "Build a Docker Image from
//! the code" and push it, an "EKS Code Build Project" that "Installs kubectl as a dependency /
//! Logs in to the EKS cluster / Use kubectl command to deploy the Kubernetes components from the
//! file", and a pipeline "Source Stage", "Build Stage", "Deploy Stage".
//!
//! Where this departs from the post:
//! - Images go to an ECR repository per component instead of a private GitLab registry. The
//!   Docker build logs in with its own role, the nodes pull with theirs: no registry
//!   credential exists, so none can leak into a template, a buildspec or a Kubernetes secret.
//! - What each component runs on the cluster is typed in this app (`workloads`), not kept as a
//!   manifest in its repository, and the Deploy stage is CodePipeline's EKS deploy action, not a
//!   kubectl project: it applies the synthesized file from the app's repository (which
//!   commits what `synth` writes to `synth-out/yelp-search/`) with the image the Build
//!   stage has just pushed. It runs in the cluster's private subnets, so the cluster's API
//!   endpoint is private, and its access entry admits it to the app's namespace only.
//! - A push to the app's repository starts the component pipelines too, so that a changed
//!   Deployment or CronJob reaches the cluster; the build skips an image it pushed before.

use cirrus_aws::codebuild::{
    BuildEnvironment, BuildSpec, ComputeType, EnvVar, IMAGE_REPO_URI, InlineBuildSpec, Project,
    ProjectProps,
};
use cirrus_aws::codecommit::{Repository as CodeRepository, RepositoryProps};
use cirrus_aws::codepipeline::{
    Action, Artifact, CodeBuildActionProps, DeliverySource, EksDeployProps, Pipeline,
    PipelineProps, Stage,
};
use cirrus_aws::ecr::{LifecycleRule, Repository, RepositoryProps as EcrProps};
use cirrus_aws::iam::{PolicyCondition, Principal, Role, RoleProps};
use cirrus_aws::kms::Key;
use cirrus_aws::logs::{LogEncryption, LogGroupProps};
use cirrus_aws::prelude::*;
use cirrus_aws::s3::Bucket;

use super::config::{APP, BRANCH, COMPONENTS, Component, IMAGES_KEPT, LOG_RETENTION};
use super::eks_cluster::EksCluster;
use super::{artifact_store, log_group_name, workloads};

/// Fills the `BackendInfra` stack: the components, deployed to `eks`'s cluster from the
/// synthesized files in the app's repository, `templates`.
pub fn define<'a>(stack: Stack<'a>, eks: &EksCluster<'a>, templates: &DeliverySource<'a>) {
    let (key, artifacts) = artifact_store(stack);

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
            )]),
    );

    for c in &COMPONENTS {
        component(stack, c, key, artifacts, trigger_role, eks, templates);
    }
}

/// One component's repository, image repository, build project, workload and pipeline.
fn component<'a>(
    stack: Stack<'a>,
    c: &Component,
    key: Key<'a>,
    artifacts: Bucket<'a>,
    trigger_role: Role<'a>,
    eks: &EksCluster<'a>,
    templates: &DeliverySource<'a>,
) {
    let id = |suffix: &str| format!("{}{suffix}", c.id);
    let name = |suffix: &str| format!("{APP}-{}{suffix}", c.slug);
    let images_name = format!("{APP}/{}", c.slug);
    let repo_description = format!("{}: its code and Dockerfile", c.description);
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
            .build_spec(BuildSpec::inline(InlineBuildSpec::docker_image()))
            .environment(
                BuildEnvironment::default()
                    .compute_type(ComputeType::Medium)
                    .privileged(true),
            )
            .env(IMAGE_REPO_URI, EnvVar::plain(images.uri()))
            .logs(
                LogGroupProps::default()
                    .log_group_name(log_group_name(&format!("{}-build", c.slug)))
                    .retention(LOG_RETENTION)
                    .encryption(LogEncryption::Key(key)),
            )
            .encryption_key(key)
            .timeout_minutes(30),
    );
    images.grant_push(&build);
    // `aws ecr describe-images`: is this commit's tag pushed already?
    images.grant_read(&build);

    let workload = workloads::define(&eks.cluster, c, &images, &eks.data_files, &eks.api_targets);
    let (src, synthesized) = (Artifact::new("Src"), Artifact::new("Synthesized"));
    let source =
        Action::codecommit_source(&repo, BRANCH, &src).variables_namespace("SourceVariables");
    let templates_source = templates.action(&synthesized).named("Templates");
    // Images are tagged with the commit they are built from, which the build exports.
    let build_props =
        CodeBuildActionProps::default().env("IMAGE_TAG", "#{SourceVariables.CommitId}");
    let build_action = Action::codebuild(&build, &src, build_props).variables_namespace("Build");
    let deploy_props = EksDeployProps::default()
        .env("IMAGE_TAG", build_action.variable("IMAGE_TAG"))
        .subnet_ids(eks.deploy_subnets.clone())
        .security_group_ids([eks.deploy_group.clone()]);
    let deploy = Action::eks_deploy_manifest(&workload, &synthesized, deploy_props);
    Pipeline::new(
        stack,
        &id("Pipeline"),
        PipelineProps::default()
            .pipeline_name(name(""))
            .stages([
                Stage::new("Source", [source, templates_source]),
                Stage::new("Build", [build_action]),
                Stage::new("Deploy", [deploy]),
            ])
            .artifact_bucket(artifacts)
            .trigger_role(trigger_role),
    );

    stack
        .add_output(&id("RepoCloneUrlHttp"), repo.clone_url_http())
        .description(format!("push {} here to build and deploy it", c.repo));
    stack.add_output(&id("ImageRepoUri"), images.uri());
}
