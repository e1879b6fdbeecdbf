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
    /// Writing the assembly failed; the previous output is left as it was.
    #[error("cannot write {}", .path.display())]
    Write {
        /// What could not be written.
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
}

impl CliError {
    /// The process exit code: 2 for usage errors, 0 for `--help`, 1 for everything else.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Usage(e) => u8::try_from(e.exit_code()).unwrap_or(2),
            CliError::UnknownApp { .. }
            | CliError::UnknownStack { .. }
            | CliError::AmbiguousStack { .. } => 2,
            _ => 1,
        }
    }

    /// What to do about it, when there is something useful to say.
    pub fn hint(&self) -> Option<String> {
        match self {
            CliError::UnknownApp { available, .. } => {
                Some(format!("the apps are: {}", available.join(", ")))
            }
            CliError::UnknownStack { available, .. } => {
                Some(format!("the stacks are: {}", available.join(", ")))
            }
            CliError::AmbiguousStack { .. } => Some("choose the app with --app".into()),
            CliError::Stale { .. } => Some("run `cargo run -- synth` and commit the result".into()),
            _ => None,
        }
    }
}
