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
    Some(read_statuses(&aws, synthesized.iter().flat_map(|s| &s.stacks), ui).await)
}

/// The deployed status of `stacks` by stack name: one DescribeStacks per stack, up to
/// `CONCURRENT_READS` at a time, so that an app of many stacks answers in the time of its
/// slowest few calls, not of all of them in a row. A stack that cannot be read is `unknown`,
/// with a warning.
#[cfg(feature = "aws")]
async fn read_statuses<'s>(
    aws: &Aws,
    stacks: impl Iterator<Item = &'s cirrus_core::StackArtifact>,
    ui: &Ui,
) -> BTreeMap<String, String> {
    let mut pending = stacks;
    let mut running = tokio::task::JoinSet::new();
    let mut out = BTreeMap::new();
    loop {
        while running.len() < CONCURRENT_READS {
            let Some(stack) = pending.next() else { break };
            let name = stack.stack_name.clone();
            let region = aws.region_for(&stack.stack_name, &stack.env);
            let aws = aws.clone();
            running.spawn(async move {
                let status = match region {
                    Err(_) => Ok("unknown (no region)".to_owned()),
                    Ok(region) => match aws.cfn(&region).describe_stack(&name).await {
                        Ok(Some(info)) => Ok(info.status.as_str().to_owned()),
                        Ok(None) => Ok("not deployed".to_owned()),
                        Err(e) => Err(format!("stack {name}: {e}: {}", e.detail)),
                    },
                };
                (name, status)
            });
        }
        let Some(done) = running.join_next().await else {
            break;
        };
        let Ok((name, status)) = done else { continue };
        let status = status.unwrap_or_else(|warning| {
            ui.warning(&warning);
            "unknown".to_owned()
        });
        out.insert(name, status);
    }
    out
}

/// How many stacks `list --status` reads at the same time.
#[cfg(feature = "aws")]
const CONCURRENT_READS: usize = 8;

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

#[cfg(all(test, feature = "aws"))]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use cirrus_core::{App, RawResource, StackProps, value};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::read_statuses;
    use crate::args::AwsArgs;
    use crate::aws::config::Aws;
    use crate::style::Ui;

    /// An endpoint that answers every call after 300 ms that the stack does not exist, and
    /// counts how many calls it holds at once.
    async fn slow_endpoint(most: Arc<AtomicUsize>) -> u16 {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let now = Arc::new(AtomicUsize::new(0));
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let (now, most) = (now.clone(), most.clone());
                tokio::spawn(async move {
                    let mut buf = vec![0u8; 16 * 1024];
                    let _ = stream.read(&mut buf).await;
                    let held = now.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(held, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(300)).await;
                    now.fetch_sub(1, Ordering::SeqCst);
                    let body = "<ErrorResponse><Error><Type>Sender</Type><Code>ValidationError</Code><Message>Stack with id S does not exist</Message></Error><RequestId>1</RequestId></ErrorResponse>";
                    let response = format!(
                        "HTTP/1.1 400 Bad Request\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = stream.write_all(response.as_bytes()).await;
                });
            }
        });
        port
    }

    #[test]
    fn statuses_are_read_concurrently() {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let app = App::new("t");
        for id in ["A", "B", "C", "D", "E", "F"] {
            let stack = app.stack(id, StackProps::default());
            stack.add("Bucket", RawResource::new("AWS::S3::Bucket", value!({})));
        }
        let synthesized = app.synth().unwrap();
        let most = Arc::new(AtomicUsize::new(0));
        let statuses = runtime.block_on(async {
            let port = slow_endpoint(most.clone()).await;
            let args = AwsArgs {
                profile: None,
                region: Some("us-east-1".into()),
                endpoint_url: Some(format!("http://127.0.0.1:{port}")),
            };
            let aws = Aws::load(&args).await.with_test_credentials();
            read_statuses(&aws, synthesized.stacks.iter(), &Ui::plain()).await
        });
        assert_eq!(statuses.len(), 6);
        assert!(
            statuses.values().all(|s| s == "not deployed"),
            "{statuses:?}"
        );
        assert!(
            most.load(Ordering::SeqCst) > 1,
            "the calls were made one at a time"
        );
    }
}
