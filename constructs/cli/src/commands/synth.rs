//! `synth`: write (or check) the cloud assemblies.

use std::io::Write;

use cirrus_core::{Synthesized, TemplateFormat, YamlError, synth};

use crate::apps::{self, AppDef};
use crate::args::{Format, SynthArgs};
use crate::assembly_dir::{self, AppFiles, Difference, Serialized};
use crate::error::CliError;
use crate::style::Ui;

const DIFF_LINES: usize = 40;

/// What the app costs standing still: one line per resource billed whether used or not, with
/// why it is there and what does without it.
fn standing_cost_lines(s: &cirrus_core::Synthesized) -> Vec<String> {
    if s.standing_costs.is_empty() {
        return Vec::new();
    }
    let mut lines = vec![format!(
        "{}: {} resource(s) billed whether used or not:",
        s.app,
        s.standing_costs.len()
    )];
    for entry in &s.standing_costs {
        lines.push(format!(
            "  {}: {} ({}); without it: {}",
            entry.path, entry.cost.what, entry.cost.why, entry.cost.turn_off
        ));
    }
    lines
}

fn report_standing_costs(s: &cirrus_core::Synthesized, ui: &Ui) {
    for line in standing_cost_lines(s) {
        ui.note(&line);
    }
}

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
        for s in &synthesized {
            report_standing_costs(s, ui);
        }
    }
    if let Some(template) = printed {
        let body = match args.format {
            Format::Json => template.text().as_bytes().to_vec(),
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
) -> Result<&'s synth::TemplateBody, CliError> {
    let found: Vec<(&str, &synth::TemplateBody)> = synthesized
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

#[cfg(test)]
mod tests {
    use cirrus_core::{App, RawResource, StackProps, value};

    use super::standing_cost_lines;

    #[test]
    fn standing_costs_are_listed_per_resource_by_stack_then_path() {
        let app = App::new("costs");
        let later = app.stack("Later", StackProps::default());
        let first = app.stack("First", StackProps::default());
        later.add_dependency(&first);
        for stack in [later, first] {
            let key = stack.add("Key", RawResource::new("AWS::KMS::Key", value!({})));
            key.node()
                .set_standing_cost("a key, billed monthly", "generic", "none");
            key.node().set_standing_cost(
                "a key, billed monthly",
                "encrypts logs",
                "use the service's key",
            );
        }
        first.add("Topic", RawResource::new("AWS::SNS::Topic", value!({})));
        let out = app.synth().unwrap();
        assert_eq!(
            standing_cost_lines(&out),
            [
                "costs: 2 resource(s) billed whether used or not:",
                "  First/Key: a key, billed monthly (encrypts logs); without it: use the service's key",
                "  Later/Key: a key, billed monthly (encrypts logs); without it: use the service's key",
            ]
        );
        let free = App::new("free");
        free.stack("S", StackProps::default())
            .add("Topic", RawResource::new("AWS::SNS::Topic", value!({})));
        assert!(standing_cost_lines(&free.synth().unwrap()).is_empty());
    }
}
