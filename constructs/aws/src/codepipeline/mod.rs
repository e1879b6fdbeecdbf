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
//! Sources are CodeCommit, ECR, a connection to GitHub, GitLab or Bitbucket
//! ([`Action::connection_source`], with [`crate::codeconnections::Connection`]) and an S3 object
//! ([`Action::s3_source`]); each starts the pipeline on its own changes. Their variables are
//! typed: `let commit = source.commit_id();` is the text a later action uses, and the source
//! publishes it under a namespace made for it. Besides builds and deploys there are change sets
//! ([`Action::change_set`]), shell commands on CodePipeline's compute ([`Action::commands`]),
//! EKS deploys ([`Action::eks_deploy`]) and, for every other action type, [`Action::custom`].
//!
//! Each action runs as a role of its own that only the pipeline's role may assume, holding
//! exactly the statements that action needs, scoped to its resources; the pipeline's role keeps
//! the artifacts and assumes the action roles, nothing more. A CodeBuild project's own role
//! reads and writes the artifacts of its builds.
//!
//! A CodeBuild action also runs an imported project
//! ([`Project::from_name`](crate::codebuild::Project::from_name) or `from_arn`): its action
//! role may start, watch and stop builds of that project's ARN, and the artifacts are granted
//! to the project's role when it is given
//! ([`ImportedProject::with_role`](crate::codebuild::ImportedProject::with_role)); without it
//! the pipeline warns, on the action, that the role must be able to read (and write) the
//! artifact bucket and its key. That an imported project takes its source from the pipeline
//! cannot be checked here. An existing pipeline is imported by name ([`Pipeline::from_name`]),
//! to be started by a rule (`events::Target::pipeline`).

mod action;
mod artifact;
mod delivery;
mod pipeline;

pub use action::{
    Action, ActionCategory, ActionOwner, Capability, CloudFormationDeployProps, CloudFormationMode,
    CodeBuildActionProps, CommandsProps, ConnectionSourceProps, ConnectionTrigger,
    CustomActionProps, DeployedStack, EksAccess, EksCluster, EksDeployProps, EksDeployment,
    ManualApprovalProps, S3DeployMode, S3DeployProps, SourceFormat,
};
pub(crate) use action::{ActionKind, AppliedBy, AppliedManifest};
pub use artifact::{Artifact, ArtifactPath};
pub(crate) use delivery::KubernetesTarget;
pub use delivery::{
    Approval, DeliveryPipeline, DeliveryProps, DeliverySource, Environment, KubernetesDelivery,
    RUST_TOOLCHAIN, SynthStep,
};
pub use pipeline::{ExecutionMode, IPipeline, ImportedPipeline, Pipeline, PipelineProps, Stage};
