//! `synth`: write (or check) the cloud assemblies.

use std::io::Write;

use cirrus_core::{Synthesized, TemplateFormat, YamlError, synth};

use crate::apps::{self, AppDef};
use crate::args::{Format, SynthArgs};
use crate::assembly_dir::{self, AppFiles, Difference, Serialized};
use crate::error::CliError;
use crate::style::Ui;

const DIFF_LINES: usize = 40;

pub(crate) fn run(defs: &[AppDef], args: &SynthArgs, ui: &Ui) -> Result<(), CliError> {
    let selected = apps::select(defs, args.app.as_deref())?;
    let synthesized = apps::synthesize(&selected, ui)?;
    let format = match args.format {
        Format::Json => TemplateFormat::Json,
        Format::Yaml => TemplateFormat::JsonAndYaml,
    };
    let printed = match &args.stack {
        Some(name) => Some(find_stack(&synthesized, name)?),
        None => None,
    };
    let all_apps = args.app.is_none();
    if args.check {
        let files: Vec<AppFiles> = synthesized
            .iter()
            .map(|s| Ok((s.app.clone(), s.files(format)?)))
            .collect::<Result<_, CliError>>()?;
        let diffs = assembly_dir::compare(&args.out, &files, all_apps)?;
        report(&diffs, ui);
        if !diffs.is_empty() {
            return Err(CliError::Stale {
                out: args.out.clone(),
                count: diffs.len(),
            });
        }
        ui.note(&format!("{} is up to date", args.out.display()));
    } else {
        let apps: Vec<Serialized<'_>> = synthesized.iter().map(|s| Serialized(s, format)).collect();
        assembly_dir::write(&args.out, &apps, all_apps)?;
        for s in &synthesized {
            let artifacts = match s.artifacts.len() {
                0 => String::new(),
                n => format!(", {n} Kubernetes step(s)"),
            };
            ui.note(&format!(
                "wrote {}: {} stack(s){artifacts}",
                args.out.join(&s.app).display(),
                s.stacks.len()
            ));
        }
    }
    if let Some(template) = printed {
        let body = match args.format {
            Format::Json => synth::pretty(template),
            Format::Yaml => synth::yaml(template).map_err(|source| YamlError {
                stack: args.stack.clone().unwrap_or_default(),
                source,
            })?,
        };
        let mut stdout = std::io::stdout().lock();
        let _ = stdout.write_all(&body);
        let _ = stdout.flush();
    }
    Ok(())
}

/// The template of the stack `name` (artifact id or stack name), in exactly one app.
fn find_stack<'s>(
    synthesized: &'s [Synthesized],
    name: &str,
) -> Result<&'s serde_json::Value, CliError> {
    let found: Vec<(&str, &serde_json::Value)> = synthesized
        .iter()
        .filter_map(|s| s.stack(name).map(|st| (s.app.as_str(), &st.template)))
        .collect();
    match found.as_slice() {
        [(_, template)] => Ok(template),
        [] => Err(CliError::UnknownStack {
            name: name.to_owned(),
            available: synthesized
                .iter()
                .flat_map(|s| s.stacks.iter().map(|st| st.id.clone()))
                .collect(),
        }),
        _ => Err(CliError::AmbiguousStack {
            name: name.to_owned(),
            apps: found.iter().map(|(a, _)| (*a).to_owned()).collect(),
        }),
    }
}

fn report(diffs: &[Difference], ui: &Ui) {
    for diff in diffs {
        match diff {
            Difference::Missing(path) => ui.note(&format!("missing: {}", path.display())),
            Difference::Extra(path) => {
                ui.note(&format!("not produced by the code: {}", path.display()))
            }
            Difference::StaleApp(path) => {
                ui.note(&format!("app no longer exists: {}", path.display()));
            }
            Difference::Changed(path, old, new) => {
                ui.note(&format!("differs: {}", path.display()));
                ui.note(&assembly_dir::describe_change(old, new, DIFF_LINES));
            }
        }
    }
}
