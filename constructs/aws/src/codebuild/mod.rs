//! CodeBuild: projects with a typed buildspec, encrypted logs, and secrets that never appear in
//! plain text.
//!
//! An existing project is imported by name ([`Project::from_name`], this account and region)
//! or ARN ([`Project::from_arn`]). It offers its name and ARN ([`IProject`]) wherever a project
//! of this app does: a pipeline's CodeBuild action, an EventBridge rule's target. A pipeline
//! grants the artifacts to its role only when told of it ([`ImportedProject::with_role`]), and
//! cannot check that it takes its source from the pipeline.

mod buildspec;
mod docker;
mod env_var;
mod environment;
mod project;
mod tools;

pub use buildspec::{
    BuildArtifacts, BuildEnv, BuildSpec, InlineBuildSpec, InstallPhase, OnFailure, Phase, Phases,
};
pub use docker::{IMAGE_REPO_URI, IMAGE_TAG};
pub use env_var::EnvVar;
pub(crate) use env_var::{Problem, check_variable_name, shell_name};
pub use environment::{BuildEnvironment, BuildImage, ComputeType, Platform};
pub(crate) use project::interface_permission;
pub use project::{
    BuildLogs, Cache, IProject, ImportedProject, LocalCacheMode, Project, ProjectProps, ProjectRef,
    ProjectRole, ProjectVpc, Source,
};
pub use tools::{Digest, HELM, KUBECTL, PinnedTool};
