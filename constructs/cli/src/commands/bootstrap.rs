//! `bootstrap`: the staging bucket of each account and region the apps deploy to.

use std::collections::BTreeSet;
use std::io::Write as _;

use cirrus_core::Synthesized;

use crate::args::BootstrapArgs;
use crate::aws::config::Aws;
use crate::aws::staging::{Bootstrapped, Staging, bucket_name};
use crate::error::CliError;
use crate::style::Ui;

use super::runtime;

pub(crate) fn run(
    synthesized: &[Synthesized],
    args: &BootstrapArgs,
    ui: &Ui,
) -> Result<(), CliError> {
    runtime()?.block_on(async {
        let aws = Aws::load(&args.aws).await;
        let mut regions = BTreeSet::new();
        for s in synthesized.iter().flat_map(|s| &s.stacks) {
            regions.insert(aws.region_for(&s.stack_name, &s.env)?);
        }
        if regions.is_empty() {
            regions.insert(aws.default_region().ok_or(CliError::NoRegion {
                stack: "(none)".into(),
            })?);
        }
        let account = aws.account().await.map_err(|source| CliError::AwsCall {
            context: "cannot tell which account the credentials belong to".into(),
            source,
        })?;
        for region in regions {
            let bucket = bucket_name(&account, &region);
            let staging = Staging::new(aws.s3(&region), bucket.clone(), region.clone());
            // A local emulator over plain HTTP would be locked out by the TLS-only policy; AWS
            // is reached over HTTPS only, so real accounts always get it.
            let tls_only = !aws.plain_http_endpoint();
            let done = staging.bootstrap(tls_only).await.map_err(|source| CliError::AwsCall {
                context: format!("cannot set up staging bucket {bucket} in {region}"),
                source,
            })?;
            let verb = match done {
                Bootstrapped::Created => "created",
                Bootstrapped::Updated => "updated",
            };
            let transport = if tls_only {
                "TLS only"
            } else {
                "no TLS-only policy: the endpoint is plain HTTP (a local emulator)"
            };
            ui.note(&format!(
                "{verb} staging bucket {bucket} in {region}: encrypted (SSE-S3), public access blocked, {transport}"
            ));
            // Data on stdout; a closed pipe (`| head -0`) is the end of the output, not a panic.
            let mut stdout = std::io::stdout().lock();
            let _ = writeln!(stdout, "s3://{bucket}");
            let _ = stdout.flush();
        }
        Ok(())
    })
}
