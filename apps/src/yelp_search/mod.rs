//! `yelp-search`: TODO docs

mod backend_infra;
mod buildspecs;
pub mod config;
mod deploy_permissions;
mod eks_cluster;
mod frontend_infra;
mod infra_pipeline;

use cirrus_aws::kms::{Key, KeyProps};
use cirrus_aws::s3::{Bucket, BucketEncryption, BucketProps, LifecycleRule};
use cirrus_core::prelude::*;

use config::{APP, REGION};
use deploy_permissions::Scope;
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
        "the back end's supporting infrastructure: repositories, images, build and deploy projects, pipelines, data-files bucket",
    );
    let cluster = stack(
        app,
        eks_id,
        "the EKS cluster: VPC, control plane, nodes, add-ons, shared file system, access entries",
    );

    let frontend_deploy = infra_pipeline::define(
        frontend_pipeline,
        &InfraPipeline {
            name: format!("{APP}-frontend-infra"),
            repo_description: format!("the CloudFormation template of {fe_id}"),
            deploys: vec![("Deploy", frontend)],
        },
    );
    let mut frontend_scope = Scope::default();
    frontend_infra::define(frontend, &mut frontend_scope);

    let backend_deploy = infra_pipeline::define(
        backend_pipeline,
        &InfraPipeline {
            name: format!("{APP}-backend-infra"),
            repo_description: format!("the CloudFormation templates of {be_id} and {eks_id}"),
            deploys: vec![
                ("DeploySupportingInfra", backend),
                ("DeployEksCluster", cluster),
            ],
        },
    );
    let mut backend_scope = Scope::default();
    let supporting = backend_infra::define(backend, &mut backend_scope);
    eks_cluster::define(cluster, &supporting, &mut backend_scope);

    // CloudFormation deploys with these roles, which may create what the stacks hold only.
    if let Some(role) = frontend_deploy {
        deploy_permissions::grant(frontend_pipeline, role, &frontend_scope);
    }
    if let Some(role) = backend_deploy {
        deploy_permissions::grant(backend_pipeline, role, &backend_scope);
    }

    // Ordering only: a whole-app `cirrus deploy` walks the order the pipelines use.
    frontend.add_dependency(&frontend_pipeline);
    backend.add_dependency(&backend_pipeline);
}

/// A stack of the app in its region, tagged with the app's name.
fn stack<'a>(app: &'a App, id: &str, description: &str) -> Stack<'a> {
    let stack = app.stack(
        id,
        StackProps {
            env: Env::region(REGION),
            description: Some(format!("{APP}: {description}")),
            ..Default::default()
        },
    );
    Tags::of(&stack).add("app", APP);
    stack
}

/// The stack's customer managed key (`Key`) and the artifact bucket its pipelines share,
/// encrypted with it: CodeBuild projects encrypt their output with the same key.
fn artifact_store(stack: Stack<'_>) -> (Key<'_>, Bucket<'_>) {
    let key = Key::new(
        stack,
        "Key",
        KeyProps {
            description: Some(format!(
                "encrypts the pipeline artifacts and data of {}",
                stack.stack_name()
            )),
            ..Default::default()
        },
    );
    let bucket = Bucket::new(
        stack,
        "ArtifactBucket",
        BucketProps {
            encryption: BucketEncryption::Kms(key),
            lifecycle_rules: vec![LifecycleRule {
                id: Some("ExpireOldArtifacts".into()),
                noncurrent_version_expiration_days: Some(30),
                abort_incomplete_upload_days: Some(7),
                ..Default::default()
            }],
            ..Default::default()
        },
    );
    (key, bucket)
}

/// The name of a build log group: `/yelp-search/codebuild/<name>`.
fn log_group_name(name: &str) -> String {
    format!("/{APP}/codebuild/{name}")
}
