//! `destroy`: delete stacks in reverse dependency order, after confirmation.

use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::time::Duration;

use cirrus_core::Synthesized;

use crate::Signal;
use crate::approval::RequireApproval;
use crate::args::DestroyArgs;
use crate::aws::config::Aws;
use crate::deploy::approve::{Answer, Terminal, read_answer};
use crate::deploy::destroy::{Destroyed, destroy};
use crate::deploy::{Method, Settings, Shared, embrace, schedule};
use crate::error::CliError;
use crate::progress::Reporter;
use crate::selection;
use crate::style::Ui;

use super::{currents, record, report_failure, runtime, targets, targets_lenient};

pub(crate) fn run(
    synthesized: &[Synthesized],
    args: &DestroyArgs,
    ui: &Ui,
) -> Result<(), CliError> {
    let chosen = selection::choose(synthesized, &args.stacks, args.all, false, false)?;
    let everything = selection::choose(synthesized, &[], true, true, false)?;
    let mut order = chosen.order();
    order.reverse();
    if !args.force {
        confirm(&order)?;
    }
    let waits_for = chosen.dependents();
    let artifacts = super::deploy::chosen_artifacts(synthesized, &chosen);
    runtime()?.block_on(async {
        let aws = Aws::load(&args.aws).await;
        // What Kubernetes created (load balancers, volumes) must be gone before CloudFormation
        // deletes the VPC and the cluster: the artifacts go first.
        if !artifacts.is_empty() {
            let removed = crate::workloads::destroy(&aws, &artifacts, ui).await?;
            ui.note(&format!("{removed} artifact(s) removed"));
        }
        let targets = targets(&aws, &chosen, false).await?;
        let currents = currents(&targets).await?;
        let others = targets_lenient(&aws, &everything);
        match embrace::check_destroy(&targets, &currents, &others).await {
            Ok(notes) => notes.iter().for_each(|n| ui.note(n)),
            Err(failures) => {
                failures.iter().for_each(|f| report_failure(ui, f));
                return Err(CliError::StacksFailed {
                    failed: failures.len(),
                    total: targets.len(),
                });
            }
        }
        let settings = settings(args);
        let shared = Arc::new(Shared::new(settings, Reporter::new(*ui), Arc::new(Terminal)));
        let signal = Arc::new(std::sync::OnceLock::new());
        let finished = schedule::run(
            &order,
            &waits_for,
            usize::from(args.concurrency),
            |name| destroy(shared.clone(), targets[&name].clone()),
            record(&signal),
        )
        .await;
        let mut failed = 0;
        let mut deleted = 0;
        for (_, result) in &finished.results {
            match result {
                Ok(Destroyed::Deleted) => deleted += 1,
                Ok(Destroyed::NotDeployed) => {}
                Err(f) => {
                    failed += 1;
                    report_failure(ui, f);
                }
            }
        }
        for (stack, because) in &finished.blocked {
            failed += 1;
            ui.failure(
                &format!("stack {stack} was not destroyed: stack {because}, which depends on it, could not be destroyed"),
                &[],
                None,
            );
        }
        if !finished.interrupted.is_empty() {
            for line in shared
            .clean_up_after_interrupt(crate::signals::cleanup_stop())
            .await {
                ui.note(&line);
            }
            return Err(CliError::Interrupted {
                signal: signal.get().copied().unwrap_or(Signal::Interrupt),
            });
        }
        ui.note(&format!("{deleted} stack(s) destroyed, {failed} failed"));
        if failed > 0 {
            return Err(CliError::StacksFailed {
                failed,
                total: order.len(),
            });
        }
        Ok(())
    })
}

/// Asks on the terminal; refuses when there is none.
fn confirm(order: &[String]) -> Result<(), CliError> {
    if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
        return Err(CliError::NeedsConfirmation);
    }
    eprint!("destroy stack(s) {}? [y/N] ", order.join(", "));
    let _ = std::io::stderr().flush();
    match read_answer(&mut std::io::stdin().lock()) {
        Answer::Yes => Ok(()),
        Answer::No | Answer::CannotAsk => Err(CliError::NotConfirmed),
    }
}

/// How stacks are deleted: directly, no approval, waiting `--busy-timeout` for an operation
/// another run holds.
fn settings(args: &DestroyArgs) -> Settings {
    Settings {
        method: Method::Direct,
        require_approval: RequireApproval::Never,
        no_rollback: false,
        force: false,
        poll: Duration::from_millis(1500),
        busy_timeout: Duration::from_secs(args.busy_timeout),
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use crate::args::{Cli, Command};

    /// `destroy` waits for a busy stack as long as `--busy-timeout` says, as `deploy` does.
    #[test]
    fn busy_timeout_is_taken_from_the_command_line() {
        let cli =
            Cli::try_parse_from(["cirrus", "destroy", "--all", "--busy-timeout", "90"]).unwrap();
        let Command::Destroy(args) = cli.command else {
            panic!("not destroy")
        };
        assert_eq!(super::settings(&args).busy_timeout.as_secs(), 90);
        let cli = Cli::try_parse_from(["cirrus", "destroy", "--all"]).unwrap();
        let Command::Destroy(args) = cli.command else {
            panic!("not destroy")
        };
        assert_eq!(super::settings(&args).busy_timeout.as_secs(), 3600);
    }
}
