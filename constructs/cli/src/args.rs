//! The command line.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// Synthesize and deploy the apps of this project as AWS CloudFormation stacks.
#[derive(Debug, Parser)]
#[command(name = "cirrus", version, about)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Synthesize the apps into templates and cloud-assembly manifests.
    Synth(SynthArgs),
    /// List the stacks in deploy order, wave by wave, with their dependencies.
    List(ListArgs),
}

/// Template formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// JSON only.
    Json,
    /// JSON (which the manifest points at) and YAML beside it.
    Yaml,
}

#[derive(Debug, clap::Args)]
pub(crate) struct SynthArgs {
    /// Only this app. Default: every app.
    #[arg(long)]
    pub(crate) app: Option<String>,
    /// Also print this stack's template on stdout.
    #[arg(long)]
    pub(crate) stack: Option<String>,
    /// Template format.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    pub(crate) format: Format,
    /// Output folder; each app goes to a folder of its own below it.
    #[arg(long, default_value = "synth-out")]
    pub(crate) out: PathBuf,
    /// Write nothing; fail, listing the differences, when the output folder is not what the
    /// code produces.
    #[arg(long)]
    pub(crate) check: bool,
}

#[derive(Debug, clap::Args)]
pub(crate) struct ListArgs {
    /// Only this app. Default: every app.
    #[arg(long)]
    pub(crate) app: Option<String>,
}
