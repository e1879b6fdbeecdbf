//! `diff`: the deployed templates against the synthesized ones, on stdout.

use std::io::Write;

use cirrus_core::Synthesized;

use crate::approval;
use crate::args::DiffArgs;
use crate::aws::cfn::StackInfo;
use crate::aws::config::Aws;
use crate::error::CliError;
use crate::selection;
use crate::template_diff::TemplateDiff;

use super::{currents, runtime, targets};

/// Runs `diff`. Its exit status answers a question, so that CI can act on it: 0, nothing
/// differs; 1, something differs ([`CliError::Differs`]); 2, no answer, because the
/// comparison failed ([`CliError::DiffFailed`]: synthesis, configuration, an AWS call), as
/// `diff(1)` and `cmp(1)` do. Without that, a failed AWS call would read as a difference.
/// With `--widening` the question is whether a change widens access: 1 when one does.
/// (The runner wraps its own failures, synthesis and the handoff, the same way.)
pub(crate) fn run(synthesized: &[Synthesized], args: &DiffArgs) -> Result<(), CliError> {
    compare(synthesized, args).map_err(CliError::in_diff)
}

fn compare(synthesized: &[Synthesized], args: &DiffArgs) -> Result<(), CliError> {
    let chosen = selection::choose(synthesized, &args.stacks, false, true, false)?;
    let text_and_count = runtime()?.block_on(async {
        let aws = Aws::load(&args.aws).await;
        let targets = targets(&aws, &chosen, false).await?;
        let currents = currents(&targets).await?;
        let mut text = String::new();
        let (mut differing, mut widening_stacks) = (0, 0);
        for name in chosen.order() {
            let t = &targets[&name];
            let current = &currents[&name];
            let diff = TemplateDiff::compute(current.template.as_ref(), &t.artifact.template);
            let path_of = |id: &str| t.path_of(id);
            text.push_str(&format!("Stack {name} ({})\n", t.region));
            if current.template.is_none() {
                text.push_str("not deployed\n");
            }
            let settings = current
                .info
                .as_ref()
                .map(|info| settings_diff(info, &t.artifact))
                .unwrap_or_default();
            if !settings.is_empty() {
                differing += usize::from(diff.is_empty());
                text.push_str("Stack settings\n");
                for line in &settings {
                    text.push_str(line);
                    text.push('\n');
                }
            }
            if diff.is_empty() {
                if settings.is_empty() {
                    text.push_str("no differences\n");
                }
            } else {
                differing += 1;
                text.push_str(&diff.render(&path_of));
                let widening = approval::widenings(&diff);
                if !widening.is_empty() {
                    widening_stacks += 1;
                    text.push_str(&approval::render(&widening, &path_of));
                } else if args.widening {
                    text.push_str("nothing widens access\n");
                }
            }
            text.push('\n');
        }
        Ok::<_, CliError>((text, differing, widening_stacks))
    })?;
    let (text, differing, widening) = text_and_count;
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes());
    let _ = stdout.flush();
    if args.widening {
        if widening > 0 {
            return Err(CliError::Widens { count: widening });
        }
        return Ok(());
    }
    if differing > 0 {
        return Err(CliError::Differs { count: differing });
    }
    Ok(())
}

/// What differs in the settings a template does not carry: termination protection and the
/// stack's tags, one line each.
fn settings_diff(info: &StackInfo, art: &cirrus_core::StackArtifact) -> Vec<String> {
    let on_off = |on: bool| if on { "on" } else { "off" };
    let mut out = Vec::new();
    if info.termination_protection != art.termination_protection {
        out.push(format!(
            "[~] termination protection: {} -> {}",
            on_off(info.termination_protection),
            on_off(art.termination_protection)
        ));
    }
    let keys: std::collections::BTreeSet<&String> =
        info.tags.keys().chain(art.tags.keys()).collect();
    for key in keys {
        match (info.tags.get(key), art.tags.get(key)) {
            (Some(old), Some(new)) if old != new => {
                out.push(format!("[~] tag {key}: {old} -> {new}"));
            }
            (None, Some(new)) => out.push(format!("[+] tag {key}: {new}")),
            (Some(old), None) => out.push(format!("[-] tag {key}: {old}")),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use clap::{CommandFactory, Parser};

    use crate::args::{Cli, Command};

    #[test]
    fn stack_settings_that_differ_are_shown() {
        use cirrus_core::{App, RawResource, StackProps, value};

        let app = App::new("t");
        let props = StackProps::default()
            .termination_protection(true)
            .tags([("team".to_owned(), "search".to_owned())]);
        let stack = app.stack("S", props);
        stack.add("Bucket", RawResource::new("AWS::S3::Bucket", value!({})));
        let artifact = app.synth().unwrap().stacks.remove(0);
        let info = crate::aws::cfn::StackInfo {
            id: "arn".into(),
            name: "S".into(),
            status: aws_sdk_cloudformation::types::StackStatus::UpdateComplete,
            status_reason: None,
            outputs: Vec::new(),
            parameters: Default::default(),
            tags: [
                ("team".to_owned(), "web".to_owned()),
                ("old".to_owned(), "x".to_owned()),
            ]
            .into_iter()
            .collect(),
            termination_protection: false,
        };
        assert_eq!(
            super::settings_diff(&info, &artifact),
            [
                "[~] termination protection: off -> on",
                "[-] tag old: x",
                "[~] tag team: web -> search",
            ]
        );
    }

    #[test]
    fn fail_is_accepted_and_says_what_it_does() {
        let cli = Cli::try_parse_from(["cirrus", "diff", "--fail", "Web"]).unwrap();
        let Command::Diff(args) = cli.command else {
            panic!("not diff")
        };
        assert!(args.fail);
        assert_eq!(args.stacks, ["Web"]);
        let mut cmd = Cli::command();
        let diff = cmd.find_subcommand_mut("diff").unwrap();
        let help = diff
            .get_arguments()
            .find(|a| a.get_id() == "fail")
            .and_then(|a| a.get_help())
            .map(ToString::to_string)
            .unwrap();
        assert!(help.contains("changes nothing"), "{help}");
        assert!(help.contains("cdk diff --fail"), "{help}");
    }
}
