//! `deploy`: plan every chosen stack of the assembly (deployed state, template difference,
//! approval needs, exports that disappear), then deploy over the stack graph.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use cirrus_core::Synthesized;

use crate::Signal;
use crate::args::DeployArgs;
use crate::aws::cfn::OutputInfo;
use crate::aws::config::Aws;
use crate::deploy::approve::Terminal;
use crate::deploy::stack::{Plan, deploy};
use crate::deploy::{Deployed, Settings, Shared, embrace, schedule};
use crate::error::CliError;
use crate::progress::Reporter;
use crate::selection::{self, Chosen};
use crate::style::Ui;

use super::{currents, record, report_failure, runtime, targets, targets_lenient};

pub(crate) fn run(synthesized: &[Synthesized], args: &DeployArgs, ui: &Ui) -> Result<(), CliError> {
    let chosen = selection::choose(
        synthesized,
        &args.stacks,
        args.all,
        false,
        !args.exclusively,
    )?;
    let everything = selection::choose(synthesized, &[], true, true, false)?;
    let given = parse_parameters(&args.parameters, &chosen)?;
    let artifacts = chosen_artifacts(synthesized, &chosen);
    if let Some(path) = &args.outputs_file {
        outputs_file_writable(path)?;
    }
    if !args.allow_example_values {
        let found = example_values(&chosen, &artifacts);
        if !found.is_empty() {
            return Err(CliError::ExampleValues { values: found });
        }
    }
    if args.workloads_only {
        return runtime()?.block_on(workloads_only(args, ui, artifacts));
    }
    runtime()?.block_on(deploy_all(args, ui, chosen, everything, given, artifacts))
}

/// `deploy --workloads-only`: the Kubernetes steps of the chosen stacks, with the outputs of
/// the deployed stacks; no stack is touched.
async fn workloads_only(
    args: &DeployArgs,
    ui: &Ui,
    artifacts: Vec<cirrus_core::DeployArtifact>,
) -> Result<(), CliError> {
    let aws = Aws::load(&args.aws).await;
    let mut outputs = crate::workloads::values::Outputs::default();
    let done = crate::workloads::deploy(&aws, &artifacts, &mut outputs, ui).await?;
    ui.note(&format!("{done} artifact(s) deployed, no stack touched"));
    Ok(())
}

/// The values of the chosen stacks' templates and artifacts' files that only documentation
/// uses (see `example_values`), each described.
fn example_values(chosen: &Chosen, artifacts: &[cirrus_core::DeployArtifact]) -> Vec<String> {
    let mut found = Vec::new();
    for stack in &chosen.stacks {
        found.extend(crate::example_values::in_template(
            &stack.stack_name,
            &stack.template,
        ));
    }
    for artifact in artifacts {
        for (name, bytes) in &artifact.files {
            if let Ok(text) = std::str::from_utf8(bytes) {
                found.extend(crate::example_values::in_text(name, text));
            }
        }
    }
    found.iter().map(ToString::to_string).collect()
}

/// The artifacts to deploy after the chosen stacks: those whose own stack (a cluster's, for
/// Kubernetes steps) is chosen, in the order synthesis gives.
pub(crate) fn chosen_artifacts(
    synthesized: &[cirrus_core::Synthesized],
    chosen: &Chosen,
) -> Vec<cirrus_core::DeployArtifact> {
    synthesized
        .iter()
        .flat_map(|s| {
            s.artifacts.iter().filter(|a| {
                s.stack(&a.stack).is_some_and(|home| {
                    chosen
                        .stacks
                        .iter()
                        .any(|c| c.stack_name == home.stack_name)
                })
            })
        })
        .cloned()
        .collect()
}

/// `STACK:KEY=VALUE` values by stack name, checked against the templates' parameters.
pub(crate) fn parse_parameters(
    specs: &[String],
    chosen: &Chosen,
) -> Result<BTreeMap<String, BTreeMap<String, String>>, CliError> {
    let mut out: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for spec in specs {
        let bad = |reason: String| CliError::BadParameter {
            spec: spec.clone(),
            reason,
        };
        let (stack, rest) = spec
            .split_once(':')
            .ok_or_else(|| bad("it names no stack".into()))?;
        let (key, value) = rest
            .split_once('=')
            .ok_or_else(|| bad("it has no `=VALUE`".into()))?;
        let artifact = chosen
            .stacks
            .iter()
            .find(|s| s.id == stack || s.stack_name == stack)
            .ok_or_else(|| {
                bad(format!(
                    "stack \"{stack}\" is not deployed by this command (the stacks are: {})",
                    chosen.order().join(", ")
                ))
            })?;
        let declared: Vec<String> = artifact
            .template
            .get("Parameters")
            .and_then(serde_json::Value::as_object)
            .map(|p| p.keys().cloned().collect())
            .unwrap_or_default();
        if !declared.iter().any(|d| d == key) {
            let known = if declared.is_empty() {
                "it declares none".to_owned()
            } else {
                format!("it declares {}", declared.join(", "))
            };
            return Err(bad(format!(
                "stack {} has no parameter \"{key}\" ({known})",
                artifact.id
            )));
        }
        out.entry(artifact.stack_name.clone())
            .or_default()
            .insert(key.to_owned(), value.to_owned());
    }
    Ok(out)
}

async fn deploy_all(
    args: &DeployArgs,
    ui: &Ui,
    chosen: Chosen,
    everything: Chosen,
    given: BTreeMap<String, BTreeMap<String, String>>,
    artifacts: Vec<cirrus_core::DeployArtifact>,
) -> Result<(), CliError> {
    let aws = Aws::load(&args.aws).await;
    let targets = targets(&aws, &chosen, true).await?;
    let others = targets_lenient(&aws, &everything);
    let currents = currents(&targets).await?;
    let mut plans = BTreeMap::new();
    for (name, t) in &targets {
        let current = currents
            .get(name)
            .cloned()
            .unwrap_or(crate::deploy::Current {
                info: None,
                template: None,
            });
        let given_here = given.get(name).cloned().unwrap_or_default();
        let plan = Plan::new(t, &current, given_here).map_err(|m| CliError::MissingParameters {
            stack: m.stack,
            keys: m.keys,
            created_anew: m.created_anew,
        })?;
        plans.insert(name.clone(), Arc::new(plan));
    }
    // Fail before the first stack deploys, not midway, when a template cannot be passed.
    let unstaged: Vec<_> = targets
        .iter()
        .filter_map(|(name, t)| crate::deploy::stack::no_staging(t, &plans[name]))
        .collect();
    if !unstaged.is_empty() {
        unstaged.iter().for_each(|f| report_failure(ui, f));
        return Err(CliError::StacksFailed {
            failed: unstaged.len(),
            total: targets.len(),
        });
    }
    let mut waits_for = chosen.depends_on.clone();
    match embrace::check_deploy(&targets, &currents, &others, &mut waits_for).await {
        Ok(notes) => notes.iter().for_each(|n| ui.note(n)),
        Err(failures) => {
            failures.iter().for_each(|f| report_failure(ui, f));
            return Err(CliError::StacksFailed {
                failed: failures.len(),
                total: targets.len(),
            });
        }
    }
    let settings = Settings {
        method: args.method,
        require_approval: args.require_approval,
        no_rollback: args.no_rollback,
        force: args.force,
        poll: Duration::from_millis(1500),
        busy_timeout: Duration::from_secs(args.busy_timeout),
    };
    let shared = Arc::new(Shared::new(
        settings,
        Reporter::new(*ui),
        Arc::new(Terminal),
    ));
    let order = chosen.order();
    let signal = Arc::new(std::sync::OnceLock::new());
    let finished = schedule::run(
        &order,
        &waits_for,
        usize::from(args.concurrency),
        |name| {
            let shared = shared.clone();
            let target = targets[&name].clone();
            let plan = plans[&name].clone();
            deploy(shared, target, plan)
        },
        record(&signal),
    )
    .await;

    let mut outputs: BTreeMap<String, Vec<OutputInfo>> = BTreeMap::new();
    let mut failed = 0;
    let (mut changed, mut unchanged) = (0, 0);
    for (name, result) in &finished.results {
        match result {
            Ok(Deployed::Changed(o)) => {
                changed += 1;
                outputs.insert(name.clone(), o.clone());
            }
            Ok(Deployed::Unchanged(o)) => {
                unchanged += 1;
                outputs.insert(name.clone(), o.clone());
            }
            Err(f) => {
                failed += 1;
                report_failure(ui, f);
            }
        }
    }
    for (stack, because) in &finished.blocked {
        failed += 1;
        ui.failure(
            &format!(
                "stack {stack} was not deployed: stack {because}, which it depends on, failed"
            ),
            &[],
            None,
        );
    }
    let mut stdout = std::io::stdout().lock();
    for (stack, outs) in &outputs {
        for o in outs {
            let _ = writeln!(stdout, "{stack}.{} = {}", o.key, o.value);
        }
    }
    let _ = stdout.flush();
    if let Some(path) = &args.outputs_file {
        write_outputs(path, &outputs)?;
    }
    if !finished.interrupted.is_empty() {
        for line in shared
            .clean_up_after_interrupt(crate::signals::cleanup_stop())
            .await
        {
            ui.note(&line);
        }
        ui.note(&format!(
            "stopped before finishing: {}",
            finished.interrupted.join(", ")
        ));
        return Err(CliError::Interrupted {
            signal: signal.get().copied().unwrap_or(Signal::Interrupt),
        });
    }
    ui.note(&format!(
        "{changed} stack(s) deployed, {unchanged} unchanged, {failed} failed"
    ));
    if failed > 0 {
        if !artifacts.is_empty() {
            ui.note(&format!(
                "{} artifact(s) not deployed: the stacks failed",
                artifacts.len()
            ));
        }
        return Err(CliError::StacksFailed {
            failed,
            total: order.len(),
        });
    }
    if !artifacts.is_empty() {
        let mut known: crate::workloads::values::Outputs = outputs
            .iter()
            .map(|(stack, outs)| {
                (
                    stack.clone(),
                    outs.iter()
                        .map(|o| (o.key.clone(), o.value.clone()))
                        .collect(),
                )
            })
            .collect();
        let done = crate::workloads::deploy(&aws, &artifacts, &mut known, ui).await?;
        ui.note(&format!("{done} artifact(s) deployed"));
    }
    Ok(())
}

/// Writes `{"Stack": {"Key": "Value"}}` atomically: a temporary file beside it, renamed.
/// Fails before anything deploys when the outputs file could not be written at the end: its
/// folder must exist and take a new file (the file is written beside itself, then renamed).
fn outputs_file_writable(path: &Path) -> Result<(), CliError> {
    let folder = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let probe = folder.join(format!(".cirrus-outputs-probe-{}", std::process::id()));
    match std::fs::write(&probe, b"") {
        Ok(()) => {
            let _ = std::fs::remove_file(&probe);
            Ok(())
        }
        Err(source) => Err(CliError::OutputsFile {
            path: path.to_owned(),
            source,
        }),
    }
}

fn write_outputs(path: &Path, outputs: &BTreeMap<String, Vec<OutputInfo>>) -> Result<(), CliError> {
    let json: BTreeMap<&str, BTreeMap<&str, &str>> = outputs
        .iter()
        .map(|(stack, outs)| {
            (
                stack.as_str(),
                outs.iter()
                    .map(|o| (o.key.as_str(), o.value.as_str()))
                    .collect(),
            )
        })
        .collect();
    let mut body = serde_json::to_vec_pretty(&json).unwrap_or_default();
    body.push(b'\n');
    let err = |source| CliError::OutputsFile {
        path: path.to_owned(),
        source,
    };
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "outputs.json".into());
    let tmp = path.with_file_name(format!(".{file_name}.tmp-{}", std::process::id()));
    if let Err(e) = std::fs::write(&tmp, &body) {
        let _ = std::fs::remove_file(&tmp);
        return Err(err(e));
    }
    if let Err(e) = std::fs::rename(&tmp, path) {
        let _ = std::fs::remove_file(&tmp);
        return Err(err(e));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use cirrus_core::{App, RawResource, StackProps, StringParameterProps, value};

    /// An outputs file in a folder that does not exist fails before anything deploys; one in
    /// a folder that exists passes, and the check leaves nothing behind.
    #[test]
    fn the_outputs_file_is_checked_before_deploying() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("no-such-folder/outputs.json");
        let err = outputs_file_writable(&missing).unwrap_err();
        assert!(err.to_string().contains("outputs.json"), "{err}");
        outputs_file_writable(&dir.path().join("outputs.json")).unwrap();
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    fn chosen() -> Chosen {
        let app = App::new("t");
        let s = app.stack("Web", StackProps::default());
        s.add("Bucket", RawResource::new("AWS::S3::Bucket", value!({})));
        let _ = s.add_string_parameter("Stage", StringParameterProps::default());
        let synthesized = app.synth().unwrap();
        selection::choose(&[synthesized], &[], true, false, true).unwrap()
    }

    #[test]
    fn parameters_are_checked_against_the_template() {
        let c = chosen();
        let ok = parse_parameters(&["Web:Stage=prod".to_owned()], &c).unwrap();
        assert_eq!(ok["Web"]["Stage"], "prod");
        let err = |spec: &str| parse_parameters(&[spec.to_owned()], &c).unwrap_err();
        let e = err("Stage=prod");
        assert_eq!(e.to_string(), "--parameters Stage=prod: it names no stack");
        assert_eq!(e.exit_code(), 2);
        assert_eq!(
            err("Db:Stage=prod").to_string(),
            "--parameters Db:Stage=prod: stack \"Db\" is not deployed by this command (the stacks are: Web)"
        );
        assert_eq!(
            err("Web:Size=3").to_string(),
            "--parameters Web:Size=3: stack Web has no parameter \"Size\" (it declares Stage)"
        );
        assert_eq!(
            err("Web:Stage").to_string(),
            "--parameters Web:Stage: it has no `=VALUE`"
        );
    }
}
