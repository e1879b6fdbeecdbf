//! `FrontendInfraPipeline` and `BackendInfraPipeline`: the two stacks an operator deploys by
//! hand, each a CodeCommit repository of CloudFormation templates and the pipeline that
//! deploys them. Both have the post's shape, so one function builds them.
//!
//! 000, front end: "Repo for the Cloudformation template which defines the actual
//! infrastructure", "IAM role to provide access to Codepipeline to perform needed actions",
//! "S3 Bucket to store artifacts from the pipeline", and a pipeline of a "Checkout Stage" and
//! a "Deploy Stage where it creates the Cloudformation stack with all the Infrastructure".
//! Back end: the same, with "Deploy Supporting Infra" and then "Deploy the EKS CLuster".
//!
//! The templates in the repository are the ones cirrus writes to `synth-out/yelp-search/`:
//! each CloudFormation action deploys a stack of this app under its own name, from
//! `<stack>.template.json`, so the pipeline and `cirrus synth` cannot disagree about names
//! (the cross-stack exports are named after the stacks). CloudFormation deploys with the
//! pipeline's `DeployRole`, which may create only what those stacks contain (derived by the
//! library from their resources); each CloudFormation action runs as a role of its own that
//! may only start and watch its stack and pass that role to CloudFormation.
//!
//! Not reproduced: 000's "Update this user as principal in the Codepipeline trust role", which
//! let a deploying IAM user run kubectl with the pipeline's role. The cluster's
//! `AdminRole` and its access entry do that job (see `eks_cluster`).

use cirrus_aws::codecommit::{Repository, RepositoryProps};
use cirrus_aws::codepipeline::{
    Action, Artifact, Capability, CloudFormationDeployProps, Pipeline, PipelineProps, Stage,
};
use cirrus_aws::prelude::*;

use super::config::{APP, BRANCH, IAM_PATH};

/// What differs between the two infrastructure pipelines.
#[derive(Debug, Clone)]
pub struct InfraPipeline<'a> {
    /// The name of the CodeCommit repository of the templates, and of the pipeline.
    pub name: String,
    /// What the repository holds.
    pub repo_description: String,
    /// The deploy stages in order: stage name and the stack it deploys.
    pub deploys: Vec<(&'static str, Stack<'a>)>,
}

/// Fills `stack` with the template repository and the pipeline that deploys `spec.deploys`;
/// the pipeline's deployment role may create what those stacks contain (derived by the
/// library from their resources). Returns the repository.
pub fn define<'a>(stack: Stack<'a>, spec: &InfraPipeline<'a>) -> Repository<'a> {
    let repo_props = RepositoryProps::default().description(spec.repo_description.clone());
    let repo = Repository::new(stack, "InfraRepo", &spec.name, repo_props);

    let templates = Artifact::new("Templates");
    let mut stages = vec![Stage::new(
        "Source",
        [Action::codecommit_source(&repo, BRANCH, &templates)],
    )];
    // 000: "--capabilities CAPABILITY_IAM CAPABILITY_NAMED_IAM".
    let props =
        CloudFormationDeployProps::default().capabilities([Capability::Iam, Capability::NamedIam]);
    for (stage, deployed) in &spec.deploys {
        let template = templates.template_of(deployed);
        stages.push(Stage::new(
            stage,
            [Action::cloudformation_deploy(
                deployed,
                template,
                props.clone(),
            )],
        ));
    }
    let pipeline_props = PipelineProps::default()
        .pipeline_name(spec.name.clone())
        .stages(stages)
        .role_path(IAM_PATH);
    let pipeline = Pipeline::new(stack, "Pipeline", pipeline_props);

    stack
        .add_output("InfraRepoCloneUrlHttp", repo.clone_url_http())
        .description(format!(
            "push the templates of synth-out/{APP}/ here to deploy them"
        ));
    stack.add_output("PipelineName", pipeline.name());
    repo
}
