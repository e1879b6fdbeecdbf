//! The runner: the command line of a cirrus project
//! (`cargo run -- synth | list | diff | deploy | destroy | bootstrap`). It is the only crate
//! that talks to AWS.
//!
//! The project's binary hands its app definitions to [`run`]; `main` only maps the result to an
//! exit code:
//!
//! ```no_run
//! fn main() -> std::process::ExitCode {
//!     let apps: &[cirrus_cli::AppDef] = &[];
//!     cirrus_cli::main(apps)
//! }
//! ```

mod approval;
mod apps;
mod args;
mod assembly_dir;
mod aws;
mod commands;
mod deploy;
mod error;
mod events;
mod progress;
mod selection;
mod style;
mod template_diff;
mod workloads;

use std::ffi::OsString;
use std::process::ExitCode;

use clap::Parser;

pub use aws::AwsError;
pub use cirrus_core::AppDef;
pub use error::CliError;
pub use style::Ui;

use args::{Cli, Command};

/// Runs the command line `args` (program name first) on `apps`.
pub fn run<I, T>(apps: &[AppDef], args: I, ui: &Ui) -> Result<(), CliError>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = Cli::try_parse_from(args)?;
    match cli.command {
        Command::Synth(args) => commands::synth::run(apps, &args, ui),
        Command::List(args) => commands::list::run(apps, &args, ui),
        Command::Diff(args) => commands::diff::run(apps, &args, ui),
        Command::Deploy(args) => commands::deploy::run(apps, &args, ui),
        Command::Destroy(args) => commands::destroy::run(apps, &args, ui),
        Command::Bootstrap(args) => commands::bootstrap::run(apps, &args, ui),
    }
}

/// Writes synthesized apps to `out/<app>/` the way `synth` does: atomically, each app folder
/// replaced as a whole.
pub fn write_assembly(
    out: &std::path::Path,
    synthesized: &[cirrus_core::Synthesized],
    format: cirrus_core::TemplateFormat,
) -> Result<(), CliError> {
    let files: Vec<assembly_dir::AppFiles> = synthesized
        .iter()
        .map(|s| Ok((s.app.clone(), s.files(format)?)))
        .collect::<Result<_, CliError>>()?;
    assembly_dir::write(out, &files, false)
}

/// Prints an error the way the runner does: `error:` line, causes, `hint:` line.
pub fn report(err: &CliError, ui: &Ui) {
    if let CliError::Usage(e) = err {
        let _ = e.print();
        return;
    }
    if let CliError::Differs { .. } = err {
        // Not an error: the answer to the question `diff` asks, given by the exit code.
        ui.note(&err.to_string());
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
/// `diff` that could not compare, 130 interrupted by Ctrl-C).
pub fn main(apps: &[AppDef]) -> ExitCode {
    let ui = Ui::detect();
    match run(apps, std::env::args_os(), &ui) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            report(&err, &ui);
            ExitCode::from(err.exit_code())
        }
    }
}
