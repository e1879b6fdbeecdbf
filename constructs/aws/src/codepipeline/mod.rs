//! CodePipeline: pipelines of typed stages and actions, whose artifacts are checked when the
//! pipeline is created and whose permissions are granted action by action.
//!
//! ```ignore
//! let (src, dist) = (cp::Artifact::new("Src"), cp::Artifact::new("Dist"));
//! cp::Pipeline::new(stack, "Pipeline", cp::PipelineProps {
//!     stages: vec![
//!         cp::Stage::new("Source", [cp::Action::codecommit_source(&repo, "main", &src)]),
//!         cp::Stage::new("Build", [cp::Action::codebuild(&build, &src, cp::CodeBuildActionProps::output(&dist))]),
//!         cp::Stage::new("Deploy", [cp::Action::s3_deploy(&site, &dist, Default::default())]),
//!     ],
//!     ..Default::default()
//! });
//! ```
//!
//! Each action runs as a role of its own that only the pipeline's role may assume, holding
//! exactly the statements that action needs, scoped to its resources; the pipeline's role keeps
//! the artifacts and assumes the action roles, nothing more. A CodeBuild project's own role
//! reads and writes the artifacts of its builds.

mod action;
mod artifact;
mod pipeline;

pub use action::{
    Action, Capability, CloudFormationDeployProps, CloudFormationMode, CodeBuildActionProps,
    DeployedStack, ManualApprovalProps, S3DeployMode, S3DeployProps,
};
pub use artifact::{Artifact, ArtifactPath};
pub use pipeline::{ExecutionMode, Pipeline, PipelineProps, Stage};
