//! `diff`: the deployed templates against the synthesized ones, on stdout.

use std::io::Write;

use crate::approval;
use crate::apps::{self, AppDef};
use crate::args::DiffArgs;
use crate::aws::config::Aws;
use crate::error::CliError;
use crate::selection;
use crate::style::Ui;
use crate::template_diff::TemplateDiff;

use super::{currents, runtime, targets};

pub(crate) fn run(defs: &[AppDef], args: &DiffArgs, ui: &Ui) -> Result<(), CliError> {
    let selected = apps::select(defs, args.app.as_deref())?;
    let synthesized = apps::synthesize(&selected, ui)?;
    let chosen = selection::choose(&synthesized, &args.stacks, false, true, false)?;
    let text_and_count = runtime()?.block_on(async {
        let aws = Aws::load(&args.aws).await;
        let targets = targets(&aws, &chosen, false).await?;
        let currents = currents(&targets).await?;
        let mut text = String::new();
        let mut differing = 0;
        for name in chosen.order() {
            let t = &targets[&name];
            let current = &currents[&name];
            let diff = TemplateDiff::compute(current.template.as_ref(), &t.artifact.template);
            let path_of = |id: &str| t.path_of(id);
            text.push_str(&format!("Stack {name} ({})\n", t.region));
            if current.template.is_none() {
                text.push_str("not deployed\n");
            }
            if diff.is_empty() {
                text.push_str("no differences\n");
            } else {
                differing += 1;
                text.push_str(&diff.render(&path_of));
                let widening = approval::widenings(&diff);
                if !widening.is_empty() {
                    text.push_str(&approval::render(&widening, &path_of));
                }
            }
            text.push('\n');
        }
        Ok::<_, CliError>((text, differing))
    })?;
    let (text, differing) = text_and_count;
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes());
    let _ = stdout.flush();
    if differing > 0 {
        return Err(CliError::Differs { count: differing });
    }
    Ok(())
}
