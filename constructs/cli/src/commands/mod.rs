//! One module per subcommand, and what the AWS-facing ones share. `synth` and `list` are the
//! runner's; the others, and `list`'s deployed status, are the deploy runner's (feature `aws`,
//! as is everything else in this file).

#[cfg(feature = "aws")]
pub(crate) mod bootstrap;
#[cfg(feature = "aws")]
pub(crate) mod deploy;
#[cfg(feature = "aws")]
pub(crate) mod destroy;
#[cfg(feature = "aws")]
pub(crate) mod diff;
pub(crate) mod list;
pub(crate) mod synth;

#[cfg(feature = "aws")]
use std::collections::BTreeMap;
#[cfg(feature = "aws")]
use std::sync::Arc;

#[cfg(feature = "aws")]
use crate::aws::config::Aws;
#[cfg(feature = "aws")]
use crate::aws::staging::{MAX_INLINE_TEMPLATE, Staging, bucket_name};
#[cfg(feature = "aws")]
use crate::deploy::status::{StackState, classify};
#[cfg(feature = "aws")]
use crate::deploy::{Current, StackFailure, Target};
#[cfg(feature = "aws")]
use crate::error::CliError;
#[cfg(feature = "aws")]
use crate::selection::Chosen;
#[cfg(feature = "aws")]
use crate::style::Ui;

#[cfg(feature = "aws")]
/// The runtime the AWS commands run on: two worker threads are plenty for waiting on HTTP.
pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|source| CliError::Write {
            path: "tokio runtime".into(),
            source,
        })
}

#[cfg(feature = "aws")]
/// Resolves where each chosen stack goes. Stacks whose template is over the inline limit get
/// the staging bucket of their account and region.
pub(crate) async fn targets(
    aws: &Aws,
    chosen: &Chosen,
    stage_large: bool,
) -> Result<BTreeMap<String, Arc<Target>>, CliError> {
    let mut out = BTreeMap::new();
    for artifact in &chosen.stacks {
        let region = aws.region_for(&artifact.stack_name, &artifact.env)?;
        aws.check_account(&artifact.stack_name, &artifact.env)
            .await?;
        let staging = if stage_large && artifact.template_size > MAX_INLINE_TEMPLATE {
            let account = aws.account().await.map_err(|source| CliError::Aws {
                stack: artifact.stack_name.clone(),
                source,
            })?;
            let staging = Staging::new(
                aws.s3(&region),
                bucket_name(&account, &region),
                region.clone(),
            );
            let exists = staging.exists().await.map_err(|source| CliError::Aws {
                stack: artifact.stack_name.clone(),
                source,
            })?;
            exists.then_some(staging)
        } else {
            None
        };
        out.insert(
            artifact.stack_name.clone(),
            Arc::new(Target {
                artifact: artifact.clone(),
                cfn: aws.cfn(&region),
                region,
                staging,
            }),
        );
    }
    Ok(out)
}

#[cfg(feature = "aws")]
/// Every stack of the selected apps whose region is known, for reading what is deployed
/// (importers of an export); no account check, no staging.
pub(crate) fn targets_lenient(aws: &Aws, all: &Chosen) -> BTreeMap<String, Arc<Target>> {
    all.stacks
        .iter()
        .filter_map(|artifact| {
            let region = aws.region_for(&artifact.stack_name, &artifact.env).ok()?;
            Some((
                artifact.stack_name.clone(),
                Arc::new(Target {
                    artifact: artifact.clone(),
                    cfn: aws.cfn(&region),
                    region,
                    staging: None,
                }),
            ))
        })
        .collect()
}

#[cfg(feature = "aws")]
/// Reads each target's deployed state: DescribeStacks, and the template when there are
/// resources.
pub(crate) async fn currents(
    targets: &BTreeMap<String, Arc<Target>>,
) -> Result<BTreeMap<String, Current>, CliError> {
    let mut out = BTreeMap::new();
    for (name, t) in targets {
        let info = t
            .cfn
            .describe_stack(name)
            .await
            .map_err(|source| CliError::Aws {
                stack: name.clone(),
                source,
            })?;
        let has_template = info.as_ref().is_some_and(|i| {
            !matches!(
                classify(&i.status),
                StackState::Missing | StackState::ReviewInProgress
            )
        });
        let template = if has_template {
            Some(
                t.cfn
                    .get_template(name)
                    .await
                    .map_err(|source| CliError::Aws {
                        stack: name.clone(),
                        source,
                    })?,
            )
        } else {
            None
        };
        out.insert(name.clone(), Current { info, template });
    }
    Ok(out)
}

#[cfg(feature = "aws")]
/// Completes on Ctrl-C or SIGTERM, keeping which in `signal`.
pub(crate) fn record(
    signal: &std::sync::Arc<std::sync::OnceLock<crate::Signal>>,
) -> impl std::future::Future<Output = ()> + use<> {
    let signal = signal.clone();
    let interrupted = crate::signals::interrupted();
    async move {
        let _ = signal.set(interrupted.await);
    }
}

#[cfg(feature = "aws")]
/// Prints a stack's failure: the message, then the failing resources and the final state,
/// then the hint.
pub(crate) fn report_failure(ui: &Ui, f: &StackFailure) {
    ui.failure(&f.message, &f.details, f.hint.as_deref());
}
