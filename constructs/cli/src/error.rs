//! The runner's errors and their exit codes.

use std::path::PathBuf;

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CliError {
    /// The command line is wrong (also `--help` and `--version`, which clap reports this way).
    #[error(transparent)]
    Usage(#[from] clap::Error),
    /// `--app` names no app.
    #[error("no app named \"{name}\"")]
    UnknownApp {
        /// The name given.
        name: String,
        /// The apps there are.
        available: Vec<String>,
    },
    /// `--stack` names no stack.
    #[error("no stack named \"{name}\"")]
    UnknownStack {
        /// The name given.
        name: String,
        /// The stacks there are.
        available: Vec<String>,
    },
    /// `--stack` names stacks in several apps.
    #[error("stack \"{name}\" is in several apps: {}", .apps.join(", "))]
    AmbiguousStack {
        /// The name given.
        name: String,
        /// The apps that have it.
        apps: Vec<String>,
    },
    /// An app has errors; they have been printed.
    #[error("synthesis failed with {errors} error(s)")]
    Synth {
        /// How many errors.
        errors: usize,
    },
    /// `synth --check` found differences; they have been printed.
    #[error("{} is not what the code produces ({count} difference(s))", .out.display())]
    Stale {
        /// The output folder.
        out: PathBuf,
        /// How many files differ.
        count: usize,
    },
    /// An artifact (Kubernetes objects, a Helm release) could not be deployed or removed.
    #[error("{artifact}: {message}")]
    Workload {
        /// The artifact's construct path.
        artifact: String,
        /// What went wrong, with the object and Kubernetes' reason where there is one.
        message: String,
        /// What to do about it, when the runner can tell.
        hint: Option<String>,
    },
    /// A template could not be rendered as YAML; nothing was written.
    #[error(transparent)]
    Yaml(#[from] cirrus_core::YamlError),
    /// Writing the assembly failed; the previous output is left as it was.
    #[error("cannot write {}", .path.display())]
    Write {
        /// What could not be written.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A stack's region is neither pinned by its `env` nor configured.
    #[error("stack {stack} has no region")]
    NoRegion {
        /// The stack.
        stack: String,
    },
    /// A stack pins an account the credentials do not belong to.
    #[error(
        "stack {stack} deploys to account {wanted}, but the credentials are for account {actual}"
    )]
    WrongAccount {
        /// The stack.
        stack: String,
        /// The account its `env` pins.
        wanted: String,
        /// The credentials' account.
        actual: String,
    },
    /// An AWS call about a stack failed.
    #[cfg(feature = "aws")]
    #[error("stack {stack}: cannot read its deployed state")]
    Aws {
        /// The stack.
        stack: String,
        /// The failed call.
        #[source]
        source: crate::aws::AwsError,
    },
    /// An AWS call failed.
    #[cfg(feature = "aws")]
    #[error("{context}")]
    AwsCall {
        /// What was being done.
        context: String,
        /// The failed call.
        #[source]
        source: crate::aws::AwsError,
    },
    /// Several stacks and none chosen.
    #[error("name the stacks to act on, or pass --all")]
    NoStackChosen {
        /// The stacks there are.
        available: Vec<String>,
    },
    /// What `deploy` would deploy holds values that only documentation uses.
    #[error("{} value(s) that only documentation uses would be deployed:\n  {}", .values.len(), .values.join("\n  "))]
    ExampleValues {
        /// Each value, where it is and why it is an example.
        values: Vec<String>,
    },
    /// A `--parameters` value is wrong.
    #[error("--parameters {spec}: {reason}")]
    BadParameter {
        /// The value given.
        spec: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Parameters a stack's template declares without a default have no value.
    #[cfg(feature = "aws")]
    #[error("{}", crate::deploy::stack::missing_parameters_message(.stack, .keys, *.created_anew))]
    MissingParameters {
        /// The stack name.
        stack: String,
        /// The parameters without a value.
        keys: Vec<String>,
        /// Whether the stack is created anew over a rolled-back one whose values are not used.
        created_anew: bool,
    },
    /// Some stacks failed; each has been reported.
    #[error("{failed} of {total} stack(s) failed")]
    StacksFailed {
        /// How many failed or were not started.
        failed: usize,
        /// How many were chosen.
        total: usize,
    },
    /// Ctrl-C or SIGTERM.
    #[error("interrupted by {}", signal.name())]
    Interrupted {
        /// Which one.
        signal: crate::Signal,
    },
    /// `diff` could not compare (the cause is inside): exit 2, so that a failure never reads
    /// as "differs" (1).
    #[error(transparent)]
    DiffFailed(Box<CliError>),
    /// `diff` found differences (they have been printed).
    #[error("{count} stack(s) differ from what is deployed")]
    Differs {
        /// How many stacks differ.
        count: usize,
    },
    /// `diff --widening` found changes that widen access (they have been printed).
    #[error("{count} stack(s) have changes that widen access")]
    Widens {
        /// How many stacks widen access.
        count: usize,
    },
    /// `destroy` without a terminal to confirm on.
    #[error("destroy needs confirmation, and there is no terminal to ask on")]
    NeedsConfirmation,
    /// The person said no.
    #[error("destroy cancelled")]
    NotConfirmed,
    /// Writing `--outputs-file` failed.
    #[error("cannot write outputs file {}", .path.display())]
    OutputsFile {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// Reading the previous output failed.
    #[error("cannot read {}", .path.display())]
    Read {
        /// What could not be read.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The deploy runner could not be built (cargo has printed why).
    #[error("cannot build the deploy runner (cirrus-deploy): {reason}")]
    DeployRunnerBuild {
        /// What cargo did.
        reason: String,
    },
    /// The deploy runner could not be started.
    #[error("cannot run the deploy runner {}", .path.display())]
    DeployRunnerStart {
        /// The executable.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The deploy runner ran and failed with this exit code; it has reported why.
    #[error("the deploy runner exited with code {code}")]
    HandedOff {
        /// Its exit code.
        code: u8,
    },
    /// The deploy runner found no assembly of an app to read.
    #[error("no cloud assembly in {}", .path.display())]
    NoAssembly {
        /// The folder that should hold it.
        path: PathBuf,
    },
    /// The deploy runner cannot read an app's assembly.
    #[error("cannot read the cloud assembly in {}", .path.display())]
    Assembly {
        /// The app's folder.
        path: PathBuf,
        /// What is wrong.
        #[source]
        source: cirrus_core::AssemblyError,
    },
}

impl CliError {
    /// This error as `diff` reports it: a difference stays one, any other failure means that
    /// `diff` could not compare ([`CliError::DiffFailed`], exit code 2); the deploy runner's
    /// exit code passes through as it is.
    pub(crate) fn in_diff(self) -> CliError {
        match self {
            CliError::Differs { .. }
            | CliError::Widens { .. }
            | CliError::DiffFailed(_)
            | CliError::HandedOff { .. } => self,
            failed => CliError::DiffFailed(Box::new(failed)),
        }
    }

    /// The process exit code: 2 for usage errors and for a `diff` that could not compare, 0
    /// for `--help`, 130 for Ctrl-C and 143 for SIGTERM (the shell's 128 + the signal, so that
    /// scripts see an interruption as one), 1 for everything else (and for `diff`, a
    /// difference).
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Usage(e) => u8::try_from(e.exit_code()).unwrap_or(2),
            CliError::Interrupted { signal } => signal.exit_code(),
            CliError::HandedOff { code } => *code,
            #[cfg(feature = "aws")]
            CliError::MissingParameters { .. } => 2,
            CliError::UnknownApp { .. }
            | CliError::UnknownStack { .. }
            | CliError::AmbiguousStack { .. }
            | CliError::NoStackChosen { .. }
            | CliError::BadParameter { .. }
            | CliError::DiffFailed(_) => 2,
            _ => 1,
        }
    }

    /// What to do about it, when there is something useful to say.
    pub fn hint(&self) -> Option<String> {
        match self {
            CliError::DiffFailed(inner) => inner.hint(),
            CliError::Workload { hint, .. } => hint.clone(),
            CliError::UnknownApp { available, .. } => {
                Some(format!("the apps are: {}", available.join(", ")))
            }
            CliError::UnknownStack { available, .. } => {
                Some(format!("the stacks are: {}", available.join(", ")))
            }
            CliError::AmbiguousStack { .. } => Some("choose the app with --app".into()),
            #[cfg(feature = "aws")]
            CliError::Aws { source, .. } | CliError::AwsCall { source, .. }
                if source.is_throttled() =>
            {
                Some("other calls in the account share the rate limit: run the command again in a while, or with a lower --concurrency".into())
            }
            #[cfg(feature = "aws")]
            CliError::Aws { .. } | CliError::AwsCall { .. } => {
                Some("check the credentials (--profile), the region (--region) and the endpoint".into())
            }
            CliError::Stale { .. } => Some("run `cargo run -- synth` and commit the result".into()),
            CliError::NoRegion { .. } => Some(
                "pass --region, set AWS_REGION or a region in the profile, or pin the region in the stack's env".into(),
            ),
            CliError::WrongAccount { wanted, .. } => {
                Some(format!("use credentials for account {wanted} (--profile)"))
            }
            CliError::NoStackChosen { available } => Some(format!(
                "the stacks are: {}",
                available.join(", ")
            )),
            #[cfg(feature = "aws")]
            CliError::MissingParameters { stack, keys, .. } => Some(
                crate::deploy::stack::missing_parameters_hint(stack, keys),
            ),
            CliError::BadParameter { .. } => {
                Some("write it as STACK:KEY=VALUE, with a parameter the stack's template declares".into())
            }
            CliError::ExampleValues { .. } => Some(
                "set the app's configuration (its config.rs) to your own values and deploy again; against a local emulator, pass --allow-example-values".into(),
            ),
            CliError::Interrupted { .. } => Some(
                "run the same command again to resume: unchanged stacks are skipped and a stack CloudFormation is still working on is waited for".into(),
            ),
            CliError::NeedsConfirmation => Some("pass --force to destroy without asking".into()),
            CliError::DeployRunnerBuild { .. } => Some(
                "cargo's messages are above; `cargo build -p cirrus-cli --features aws --bin cirrus-deploy` builds it alone".into(),
            ),
            CliError::DeployRunnerStart { .. } => Some(
                "CIRRUS_DEPLOY_BIN, when set, must name the cirrus-deploy executable".into(),
            ),
            CliError::NoAssembly { .. } | CliError::Assembly { .. } => Some(
                "run the command through the project's runner (`cargo run -- <command>`), which synthesizes into synth-out/ first".into(),
            ),
            _ => None,
        }
    }
}
