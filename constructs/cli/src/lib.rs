//! The runner: the command line of a cirrus project
//! (`cargo run -- synth | list | diff | deploy | destroy | bootstrap`). It is the only crate
//! that talks to AWS.
//!
//! It is two programs, so that `cargo run -- synth` never compiles the AWS SDK:
//! - the runner, which a project's binary links ([`main`]): it synthesizes the apps and runs
//!   `synth` and `list`; for the commands that talk to AWS (`deploy`, `diff`, `destroy`,
//!   `bootstrap`, `list --status`) it writes the cloud assembly to `synth-out/` and hands the
//!   same command line to the deploy runner (`handoff.rs`);
//! - the deploy runner, the binary `cirrus-deploy` of this crate, compiled only with the
//!   feature `aws` (`deploy_main`): it reads the assembly from `synth-out/` and talks to AWS.
//!
//! The project's binary hands its app definitions to [`main`], which maps the result to an exit
//! code:
//!
//! ```no_run
//! fn main() -> std::process::ExitCode {
//!     let apps: &[cirrus_cli::AppDef] = &[];
//!     cirrus_cli::main(apps)
//! }
//! ```

/// Every program linking the runner allocates with mimalloc (the feature `mimalloc`, on by
/// default): see the feature's note in `Cargo.toml`.
#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[cfg(feature = "aws")]
mod approval;
mod apps;
mod args;
mod assembly_dir;
#[cfg(feature = "aws")]
mod aws;
mod commands;
#[cfg(feature = "aws")]
mod deploy;
mod error;
#[cfg(feature = "aws")]
mod events;
#[cfg(feature = "aws")]
mod example_values;
mod handoff;
#[cfg(feature = "aws")]
mod progress;
mod registry_check;
#[cfg(feature = "aws")]
mod selection;
mod signals;
mod style;
#[cfg(feature = "aws")]
mod template_diff;
#[cfg(feature = "aws")]
mod workloads;

use std::ffi::OsString;
use std::process::ExitCode;

use clap::Parser;

#[cfg(feature = "aws")]
pub use aws::AwsError;
pub use cirrus_core::AppDef;
pub use error::CliError;
pub use signals::Signal;
pub use style::Ui;

use args::{Cli, Command};

/// Runs the command line `args` (program name first) on `apps`: `synth` and `list` here, the
/// commands that talk to AWS by synthesizing into `synth-out/` and running the deploy runner
/// on it, waiting for it ([`main`] replaces the process instead).
pub fn run<I, T>(apps: &[AppDef], args: I, ui: &Ui) -> Result<(), CliError>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    runner(apps, args, ui, handoff::Mode::Wait)
}

fn runner<I, T>(apps: &[AppDef], args: I, ui: &Ui, mode: handoff::Mode) -> Result<(), CliError>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
    let cli = Cli::try_parse_from(&args)?;
    match cli.command {
        Command::Synth(synth) => commands::synth::run(apps, &synth, ui),
        Command::List(list) if !list.status => commands::list::run(apps, &list, ui),
        command => handoff::run(apps, &command, &args, ui, mode),
    }
}

/// Runs the deploy runner's command line `args` (program name first) on the cloud assembly in
/// `synth-out/`, which the runner has just written: every command but `synth`.
#[cfg(feature = "aws")]
pub fn deploy_run<I, T>(args: I, ui: &Ui) -> Result<(), CliError>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    use clap::{CommandFactory, FromArgMatches};
    let mut cli = Cli::command()
        .name("cirrus-deploy")
        .about(
            "Deploy the cloud assembly in synth-out/ (run through `cargo run -- <command>`, \
             which synthesizes it first)",
        )
        .mut_subcommand("synth", |s| s.hide(true));
    let matches = cli.try_get_matches_from_mut(args)?;
    let parsed = Cli::from_arg_matches(&matches)?;
    let out = std::path::Path::new(assembly_dir::DEFAULT_OUT);
    match parsed.command {
        Command::Synth(_) => Err(cli
            .error(
                clap::error::ErrorKind::InvalidSubcommand,
                "cirrus-deploy does not synthesize: run `cargo run -- synth`",
            )
            .into()),
        Command::List(list) => {
            let synthesized = assembly_dir::read(out, list.app.as_deref())?;
            commands::list::run_with_status(&synthesized, &list, ui)
        }
        Command::Diff(diff) => assembly_dir::read(out, diff.app.as_deref())
            .and_then(|synthesized| commands::diff::run(&synthesized, &diff))
            .map_err(CliError::in_diff),
        Command::Deploy(deploy) => {
            let synthesized = assembly_dir::read(out, deploy.app.as_deref())?;
            commands::deploy::run(&synthesized, &deploy, ui)
        }
        Command::Destroy(destroy) => {
            let synthesized = assembly_dir::read(out, destroy.app.as_deref())?;
            commands::destroy::run(&synthesized, &destroy, ui)
        }
        Command::Bootstrap(bootstrap) => {
            let synthesized = assembly_dir::read(out, bootstrap.app.as_deref())?;
            commands::bootstrap::run(&synthesized, &bootstrap, ui)
        }
    }
}

/// Writes synthesized apps to `out/<app>/` the way `synth` does: atomically, each app folder
/// replaced as a whole.
pub fn write_assembly(
    out: &std::path::Path,
    synthesized: &[cirrus_core::Synthesized],
    format: cirrus_core::TemplateFormat,
) -> Result<(), CliError> {
    let apps: Vec<assembly_dir::Serialized<'_>> = synthesized
        .iter()
        .map(|s| assembly_dir::Serialized(s, format))
        .collect();
    assembly_dir::write(out, &apps, false)
}

/// Prints an error the way the runner does: `error:` line, causes, `hint:` line.
pub fn report(err: &CliError, ui: &Ui) {
    if let CliError::Usage(e) = err {
        let _ = e.print();
        return;
    }
    if let CliError::Differs { .. } | CliError::Widens { .. } = err {
        // Not an error: the answer to the question `diff` asks, given by the exit code.
        ui.note(&err.to_string());
        return;
    }
    if let CliError::HandedOff { .. } = err {
        // The deploy runner has reported its own failure.
        return;
    }
    let mut causes = Vec::new();
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        causes.push(cause.to_string());
        source = cause.source();
    }
    ui.error(&err.to_string(), &causes, err.hint().as_deref());
}

/// The whole of a project's `main`: runs the process's command line, reports a failure, and
/// returns the exit code (0 success, 1 failure or, for `diff`, a difference, 2 usage error or a
/// `diff` that could not compare, 130 interrupted by Ctrl-C). For the commands that talk to
/// AWS the process becomes the deploy runner (on Unix; elsewhere it waits for it), so that its
/// output, Ctrl-C and exit code are the user's directly.
pub fn main(apps: &[AppDef]) -> ExitCode {
    let ui = Ui::detect();
    exit(
        runner(apps, std::env::args_os(), &ui, handoff::Mode::Replace),
        &ui,
    )
}

/// The whole of the deploy runner's `main` (the binary `cirrus-deploy`), with the same exit
/// codes as [`main`].
#[cfg(feature = "aws")]
pub fn deploy_main() -> ExitCode {
    let ui = Ui::detect();
    exit(deploy_run(std::env::args_os(), &ui), &ui)
}

fn exit(result: Result<(), CliError>, ui: &Ui) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            report(&err, ui);
            ExitCode::from(err.exit_code())
        }
    }
}
