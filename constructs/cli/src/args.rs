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
    /// List the stacks in deploy order, wave by wave, with their dependencies (and, with
    /// --status, their deployed status when AWS credentials are available).
    List(ListArgs),
    /// Compare the deployed templates with the synthesized ones (exit 0 equal, 1 different,
    /// 2 when the comparison fails).
    Diff(DiffArgs),
    /// Deploy stacks in dependency order, each through a change set.
    Deploy(DeployArgs),
    /// Delete deployed stacks, in reverse dependency order.
    Destroy(DestroyArgs),
    /// Create the staging bucket that templates over 51,200 bytes are uploaded to.
    Bootstrap(BootstrapArgs),
}

/// Where and as whom to talk to AWS. The standard credential chain applies (environment,
/// profiles, SSO, instance roles); `AWS_ENDPOINT_URL` is honoured.
#[derive(Debug, Clone, Default, clap::Args)]
pub(crate) struct AwsArgs {
    /// The named profile from the shared AWS config files.
    #[arg(long)]
    pub(crate) profile: Option<String>,
    /// The region of stacks whose `env` does not pin one.
    #[arg(long)]
    pub(crate) region: Option<String>,
    /// Send every AWS call to this endpoint (a local emulator such as moto).
    #[arg(long)]
    pub(crate) endpoint_url: Option<String>,
}

/// Template formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// JSON only.
    Json,
    /// JSON (which the manifest points at) and YAML beside it.
    Yaml,
}

/// `--require-approval`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum RequireApproval {
    /// Never ask.
    Never,
    /// Ask for any change.
    AnyChange,
    /// Ask when IAM or security-group changes widen access.
    Broadening,
}

/// How `deploy` applies a stack's template (`--method`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Method {
    /// Create a change set, show it, execute it.
    ChangeSet,
    /// CreateStack / UpdateStack, showing the template difference instead of a change set:
    /// for roles without change-set permissions, and for endpoints (moto) whose change sets
    /// do not publish exports.
    Direct,
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
    #[arg(long, default_value = crate::assembly_dir::DEFAULT_OUT)]
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
    /// Also read each stack's deployed status from AWS, when credentials are available.
    #[arg(long)]
    pub(crate) status: bool,
    #[command(flatten)]
    pub(crate) aws: AwsArgs,
}

#[derive(Debug, clap::Args)]
pub(crate) struct DiffArgs {
    /// The stacks (artifact id or stack name). Default: every stack.
    pub(crate) stacks: Vec<String>,
    /// Only this app. Default: every app.
    #[arg(long)]
    pub(crate) app: Option<String>,
    /// Accepted so that CI scripts written for `cdk diff --fail` work unchanged; it changes
    /// nothing: diff always exits 1 when a stack differs (0 when none does, 2 when it cannot
    /// compare).
    #[arg(long)]
    pub(crate) fail: bool,
    /// Answer whether a change widens access (IAM statements, trust, resource policies,
    /// security-group rules; the rule `deploy` asks approval by): exit 1 when one does, 0 when
    /// none does, even if other things differ. A delivery pipeline's synth step runs it.
    #[arg(long)]
    pub(crate) widening: bool,
    #[command(flatten)]
    pub(crate) aws: AwsArgs,
}

#[derive(Debug, clap::Args)]
pub(crate) struct DeployArgs {
    /// The stacks (artifact id or stack name); the stacks they depend on are deployed too.
    pub(crate) stacks: Vec<String>,
    /// Every stack.
    #[arg(long, conflicts_with = "stacks")]
    pub(crate) all: bool,
    /// Only this app. Default: every app.
    #[arg(long)]
    pub(crate) app: Option<String>,
    /// Only the stacks named, not the stacks they depend on.
    #[arg(long, short = 'e')]
    pub(crate) exclusively: bool,
    /// How many independent stacks deploy at the same time.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..))]
    pub(crate) concurrency: u16,
    /// When to ask before deploying.
    #[arg(long, value_enum, default_value_t = RequireApproval::Broadening)]
    pub(crate) require_approval: RequireApproval,
    /// A parameter value: STACK:KEY=VALUE (repeatable).
    #[arg(long = "parameters", value_name = "STACK:KEY=VALUE")]
    pub(crate) parameters: Vec<String>,
    /// Write the stacks' outputs to this JSON file ({"Stack": {"Key": "Value"}}).
    #[arg(long)]
    pub(crate) outputs_file: Option<PathBuf>,
    /// Keep what was created when a resource fails instead of rolling back, to fix and resume.
    #[arg(long)]
    pub(crate) no_rollback: bool,
    /// How templates are applied.
    #[arg(long, value_enum, default_value_t = Method::ChangeSet)]
    pub(crate) method: Method,
    /// Deploy even when the template, parameters and tags are unchanged.
    #[arg(long)]
    pub(crate) force: bool,
    /// Seconds to wait for another operation holding a stack before giving up.
    #[arg(long, default_value_t = 3600)]
    pub(crate) busy_timeout: u64,
    /// Deploy even when the templates or Kubernetes objects hold values that only
    /// documentation uses (203.0.113.0/24, example.com): for a local emulator such as moto.
    #[arg(long)]
    pub(crate) allow_example_values: bool,
    /// Apply only the Kubernetes steps of the selected stacks, reading the deployed stacks'
    /// outputs, and leave the stacks alone: what a delivery pipeline runs after its change
    /// sets have deployed them.
    #[arg(long, conflicts_with_all = ["parameters", "no_rollback", "force", "outputs_file"])]
    pub(crate) workloads_only: bool,
    #[command(flatten)]
    pub(crate) aws: AwsArgs,
}

#[derive(Debug, clap::Args)]
pub(crate) struct DestroyArgs {
    /// The stacks (artifact id or stack name).
    pub(crate) stacks: Vec<String>,
    /// Every stack.
    #[arg(long, conflicts_with = "stacks")]
    pub(crate) all: bool,
    /// Only this app. Default: every app.
    #[arg(long)]
    pub(crate) app: Option<String>,
    /// Do not ask for confirmation.
    #[arg(long, short = 'f')]
    pub(crate) force: bool,
    /// How many independent stacks are deleted at the same time.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..))]
    pub(crate) concurrency: u16,
    /// Seconds to wait for another operation holding a stack before giving up.
    #[arg(long, default_value_t = 3600)]
    pub(crate) busy_timeout: u64,
    #[command(flatten)]
    pub(crate) aws: AwsArgs,
}

#[derive(Debug, clap::Args)]
pub(crate) struct BootstrapArgs {
    /// Only this app's regions. Default: every app's.
    #[arg(long)]
    pub(crate) app: Option<String>,
    #[command(flatten)]
    pub(crate) aws: AwsArgs,
}
