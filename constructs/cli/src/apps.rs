//! Selecting and synthesizing the app definitions the runner works on ([`AppDef`] itself is
//! `cirrus-core`'s, so that a project's apps need not depend on the runner).

use std::time::Instant;

pub(crate) use cirrus_core::AppDef;
use cirrus_core::Synthesized;

use crate::error::CliError;
use crate::style::Ui;

/// The apps `--app` selects: the one named, or all of them.
pub(crate) fn select<'d>(
    apps: &'d [AppDef],
    name: Option<&str>,
) -> Result<Vec<&'d AppDef>, CliError> {
    match name {
        None => Ok(apps.iter().collect()),
        Some(name) => apps
            .iter()
            .find(|a| a.name == name)
            .map(|a| vec![a])
            .ok_or_else(|| CliError::UnknownApp {
                name: name.to_owned(),
                available: apps.iter().map(|a| a.name.to_owned()).collect(),
            }),
    }
}

/// Builds and synthesizes each app. Prints every warning and error of every app; fails when
/// any app has an error.
pub(crate) fn synthesize(apps: &[&AppDef], ui: &Ui) -> Result<Vec<Synthesized>, CliError> {
    let started = Instant::now();
    let mut out = Vec::with_capacity(apps.len());
    let mut errors = 0;
    for (index, def) in apps.iter().enumerate() {
        let app = def.build();
        app.add_resource_check(crate::registry_check::check);
        let result = app.synth();
        if index + 1 == apps.len() {
            leave_to_exit(app);
        } else {
            // Dropped before the next app is built, so that the apps' trees are never in
            // memory together.
            drop(app);
        }
        match result {
            Ok(synthesized) => {
                for warning in &synthesized.warnings {
                    eprintln!("{}", ui.diagnostic(def.name, warning));
                }
                out.push(synthesized);
            }
            Err(failed) => {
                for d in failed.diagnostics.iter() {
                    eprintln!("{}", ui.diagnostic(def.name, d));
                }
                errors += failed.diagnostics.errors().count();
            }
        }
    }
    if errors > 0 {
        return Err(CliError::Synth { errors });
    }
    let stacks: usize = out.iter().map(|s| s.stacks.len()).sum();
    ui.note(&format!(
        "synthesized {} app(s), {stacks} stack(s) in {} ms",
        out.len(),
        started.elapsed().as_millis()
    ));
    Ok(out)
}

/// Leaves the last app's construct tree to the process's exit instead of dropping it.
///
/// Every caller writes or prints what was synthesized and then exits: the tree is not read
/// again, and freeing it node by node (tens of thousands of small allocations for an app of
/// thousands of resources: a sixth of synthesis) only delays the exit that returns all of it
/// at once. Peak memory does not change: it is reached during synthesis, when the tree and
/// the templates are both held, and what is written afterwards is one file at a time.
fn leave_to_exit(app: cirrus_core::App) {
    std::mem::forget(app);
}
