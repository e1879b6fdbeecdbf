//! `list`: the stacks in deploy order, wave by wave.

use std::io::Write;

use cirrus_core::Synthesized;

use crate::apps::{self, AppDef};
use crate::args::ListArgs;
use crate::error::CliError;
use crate::style::Ui;

pub(crate) fn run(defs: &[AppDef], args: &ListArgs, ui: &Ui) -> Result<(), CliError> {
    let selected = apps::select(defs, args.app.as_deref())?;
    let synthesized = apps::synthesize(&selected, ui)?;
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(table(&synthesized).as_bytes());
    let _ = stdout.flush();
    Ok(())
}

/// One row per stack: app, wave (1-based), stack, environment, dependencies. Stacks of the same
/// wave depend only on earlier waves and deploy in parallel.
pub(crate) fn table(synthesized: &[Synthesized]) -> String {
    let mut rows = vec![[
        "APP".to_owned(),
        "WAVE".to_owned(),
        "STACK".to_owned(),
        "ENVIRONMENT".to_owned(),
        "DEPENDS ON".to_owned(),
    ]];
    for s in synthesized {
        for (wave, ids) in s.waves.iter().enumerate() {
            for id in ids {
                let Some(stack) = s.stack(id) else { continue };
                let deps = if stack.dependencies.is_empty() {
                    "-".to_owned()
                } else {
                    stack.dependencies.join(", ")
                };
                rows.push([
                    s.app.clone(),
                    (wave + 1).to_string(),
                    stack.id.clone(),
                    stack.env.uri(),
                    deps,
                ]);
            }
        }
    }
    let mut widths = [0usize; 5];
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in &rows {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            if i + 1 == row.len() {
                line.push_str(cell);
            } else {
                line.push_str(&format!("{cell:<width$}  ", width = widths[i]));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
