//! CodeBuild: projects with a typed buildspec, encrypted logs, and secrets that never appear in
//! plain text.

mod buildspec;
mod env_var;
mod environment;
mod project;

pub use buildspec::{
    BuildArtifacts, BuildEnv, BuildSpec, InlineBuildSpec, InstallPhase, OnFailure, Phase, Phases,
};
pub use env_var::EnvVar;
pub(crate) use env_var::{Problem, check_variable_name};
pub use environment::{BuildEnvironment, BuildImage, ComputeType, Platform};
pub use project::{BuildLogs, Cache, LocalCacheMode, Project, ProjectProps, ProjectVpc, Source};
