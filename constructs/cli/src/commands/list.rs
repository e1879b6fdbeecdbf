//! `list`: the stacks in deploy order, wave by wave; with `--status`, their deployed status
//! when AWS credentials are available (read by the deploy runner).

use std::collections::BTreeMap;
use std::io::Write;

use cirrus_core::Synthesized;

use crate::apps::{self, AppDef};
use crate::args::ListArgs;
#[cfg(feature = "aws")]
use crate::aws::config::Aws;
use crate::error::CliError;
use crate::style::Ui;

/// The runner's `list`, without `--status`: no AWS call, so no AWS SDK.
pub(crate) fn run(defs: &[AppDef], args: &ListArgs, ui: &Ui) -> Result<(), CliError> {
    let selected = apps::select(defs, args.app.as_deref())?;
    let synthesized = apps::synthesize(&selected, ui)?;
    print(&table(&synthesized, None));
    ui.note("deployed status not shown: pass --status to read it from AWS");
    Ok(())
}

/// The deploy runner's `list` (`list --status`): the table with the deployed status of every
/// stack, or without it when there are no credentials.
#[cfg(feature = "aws")]
pub(crate) fn run_with_status(
    synthesized: &[Synthesized],
    args: &ListArgs,
    ui: &Ui,
) -> Result<(), CliError> {
    let statuses = super::runtime()?.block_on(statuses(synthesized, args, ui));
    print(&table(synthesized, statuses.as_ref()));
    Ok(())
}

fn print(table: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(table.as_bytes());
    let _ = stdout.flush();
}

/// The deployed status of every stack by stack name, or `None` without credentials.
#[cfg(feature = "aws")]
async fn statuses(
    synthesized: &[Synthesized],
    args: &ListArgs,
    ui: &Ui,
) -> Option<BTreeMap<String, String>> {
    let aws = Aws::load(&args.aws).await;
    if !aws.has_credentials().await {
        ui.note("deployed status not shown: no AWS credentials found");
        return None;
    }
    let mut out = BTreeMap::new();
    for stack in synthesized.iter().flat_map(|s| &s.stacks) {
        let status = match aws.region_for(&stack.stack_name, &stack.env) {
            Err(_) => "unknown (no region)".to_owned(),
            Ok(region) => match aws.cfn(&region).describe_stack(&stack.stack_name).await {
                Ok(Some(info)) => info.status.as_str().to_owned(),
                Ok(None) => "not deployed".to_owned(),
                Err(e) => {
                    ui.warning(&format!("stack {}: {e}: {}", stack.stack_name, e.detail));
                    "unknown".to_owned()
                }
            },
        };
        out.insert(stack.stack_name.clone(), status);
    }
    Some(out)
}

/// One row per stack: app, wave (1-based), stack, environment, dependencies, and the
/// deployed status when known. Stacks of the same wave depend only on earlier waves and
/// deploy in parallel.
pub(crate) fn table(
    synthesized: &[Synthesized],
    statuses: Option<&BTreeMap<String, String>>,
) -> String {
    let mut header = vec![
        "APP".to_owned(),
        "WAVE".to_owned(),
        "STACK".to_owned(),
        "ENVIRONMENT".to_owned(),
        "DEPENDS ON".to_owned(),
    ];
    if statuses.is_some() {
        header.push("STATUS".to_owned());
    }
    let mut rows = vec![header];
    for s in synthesized {
        for (wave, ids) in s.waves.iter().enumerate() {
            for id in ids {
                let Some(stack) = s.stack(id) else { continue };
                let deps = if stack.dependencies.is_empty() {
                    "-".to_owned()
                } else {
                    stack.dependencies.join(", ")
                };
                let mut row = vec![
                    s.app.clone(),
                    (wave + 1).to_string(),
                    stack.id.clone(),
                    stack.env.uri(),
                    deps,
                ];
                if let Some(statuses) = statuses {
                    row.push(
                        statuses
                            .get(&stack.stack_name)
                            .cloned()
                            .unwrap_or_else(|| "unknown".into()),
                    );
                }
                rows.push(row);
            }
        }
    }
    let mut widths = vec![0usize; rows[0].len()];
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
