//! AWS configuration the AWS way: the standard credential chain and profiles, `--profile`,
//! `--region`, `AWS_ENDPOINT_URL` or `--endpoint-url` for local endpoints, and the region a
//! stack's `env` pins.

use std::sync::Arc;
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_cloudformation::config::ProvideCredentials;
use aws_sdk_cloudformation::config::SharedHttpClient;
use aws_smithy_http_client::tls;
use cirrus_core::Env;
use tokio::sync::OnceCell;

use super::cfn::Cfn;
use super::error::{AwsError, aws_err};
use super::retry::{Backoff, retry};
use crate::args::AwsArgs;
use crate::error::CliError;

/// The HTTP client of every AWS call: the SDK's own (hyper, rustls, the system's root
/// certificates), with ring as rustls's cryptography instead of the SDK's default aws-lc-rs,
/// whose C build is the longest step of building the deploy runner.
pub(crate) fn http_client() -> SharedHttpClient {
    aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(
            tls::rustls_provider::CryptoMode::Ring,
        ))
        .build_https()
}

/// How long one attempt of an AWS call may take. Without them an endpoint that accepts the
/// connection and never answers would hang the runner for ever; with them each attempt fails
/// as a timeout, which [`retry`] retries a bounded number of times.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Timeouts {
    /// To open the connection.
    pub(crate) connect: Duration,
    /// Between two reads of the answer.
    pub(crate) read: Duration,
    /// For one attempt, from sending the request to the end of the answer.
    pub(crate) attempt: Duration,
}

impl Timeouts {
    /// What the runner uses: CloudFormation, S3 and STS answer in well under a second; the
    /// longest call is the upload of a template of at most 1 MB to the staging bucket.
    /// Two attempts that time out end the call (`retry`), so a silent endpoint fails within
    /// about 50 s.
    pub(crate) const STANDARD: Timeouts = Timeouts {
        connect: Duration::from_secs(10),
        read: Duration::from_secs(20),
        attempt: Duration::from_secs(25),
    };

    fn config(self) -> aws_config::timeout::TimeoutConfig {
        aws_config::timeout::TimeoutConfig::builder()
            .connect_timeout(self.connect)
            .read_timeout(self.read)
            .operation_attempt_timeout(self.attempt)
            .build()
    }
}

/// The loaded configuration and the clients made from it.
#[derive(Debug, Clone)]
pub(crate) struct Aws {
    config: SdkConfig,
    endpoint_given: bool,
    account: Arc<OnceCell<String>>,
}

impl Aws {
    /// Loads the configuration. The SDK's own retries are off: [`retry`] retries, with a
    /// backoff suited to CloudFormation's rate limits. Every client, and every credential
    /// provider that makes calls (SSO, web identity, instance metadata), uses [`http_client`].
    pub(crate) async fn load(args: &AwsArgs) -> Aws {
        Aws::load_with(args, Timeouts::STANDARD).await
    }

    /// [`Aws::load`] with other timeouts (the tests use short ones).
    pub(crate) async fn load_with(args: &AwsArgs, timeouts: Timeouts) -> Aws {
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .retry_config(RetryConfig::disabled())
            .timeout_config(timeouts.config())
            .http_client(http_client());
        if let Some(profile) = &args.profile {
            loader = loader.profile_name(profile);
        }
        if let Some(region) = &args.region {
            loader = loader.region(Region::new(region.clone()));
        }
        if let Some(url) = &args.endpoint_url {
            loader = loader.endpoint_url(url);
        }
        let config = loader.load().await;
        let endpoint_given = config.endpoint_url().is_some();
        Aws {
            config,
            endpoint_given,
            account: Arc::new(OnceCell::new()),
        }
    }

    /// This configuration with fixed test credentials, for tests against a local endpoint.
    #[cfg(test)]
    pub(crate) fn with_test_credentials(self) -> Aws {
        let credentials = aws_sdk_cloudformation::config::Credentials::new(
            "testing", "testing", None, None, "test",
        );
        let config = self
            .config
            .to_builder()
            .credentials_provider(
                aws_sdk_cloudformation::config::SharedCredentialsProvider::new(credentials),
            )
            .build();
        Aws { config, ..self }
    }

    /// Whether the endpoint is a local one reached over plain HTTP (`AWS_ENDPOINT_URL` or
    /// `--endpoint-url` of an emulator such as moto). AWS itself is only ever reached over
    /// HTTPS.
    pub(crate) fn plain_http_endpoint(&self) -> bool {
        self.config
            .endpoint_url()
            .is_some_and(|url| url.to_ascii_lowercase().starts_with("http://"))
    }

    /// The region a stack deploys to: the one its `env` pins, else `--region` or the
    /// configured default.
    pub(crate) fn region_for(&self, stack: &str, env: &Env) -> Result<String, CliError> {
        if let Some(region) = &env.region {
            return Ok(region.clone());
        }
        self.default_region().ok_or_else(|| CliError::NoRegion {
            stack: stack.to_owned(),
        })
    }

    /// The configured region, if any.
    pub(crate) fn default_region(&self) -> Option<String> {
        self.config.region().map(|r| r.as_ref().to_owned())
    }

    /// Whether credentials can be found, within a few seconds.
    pub(crate) async fn has_credentials(&self) -> bool {
        let Some(provider) = self.config.credentials_provider() else {
            return false;
        };
        matches!(
            tokio::time::timeout(Duration::from_secs(5), provider.provide_credentials()).await,
            Ok(Ok(_))
        )
    }

    /// The credentials, for signing requests outside the SDK (the EKS token).
    pub(crate) async fn credentials(&self) -> Result<aws_credential_types::Credentials, String> {
        let provider = self
            .config
            .credentials_provider()
            .ok_or_else(|| "no AWS credentials are configured".to_owned())?;
        provider
            .provide_credentials()
            .await
            .map_err(|e| format!("cannot load the AWS credentials: {e}"))
    }

    /// The CloudFormation API of `region`.
    pub(crate) fn cfn(&self, region: &str) -> Cfn {
        let conf = aws_sdk_cloudformation::config::Builder::from(&self.config)
            .region(Region::new(region.to_owned()))
            .build();
        Cfn::new(
            aws_sdk_cloudformation::Client::from_conf(conf),
            Backoff::STANDARD,
        )
    }

    /// A CodeBuild client for `region` (the in-VPC deployer's builds).
    pub(crate) fn codebuild(&self, region: &str) -> aws_sdk_codebuild::Client {
        let conf = aws_sdk_codebuild::config::Builder::from(&self.config)
            .region(Region::new(region.to_owned()))
            .build();
        aws_sdk_codebuild::Client::from_conf(conf)
    }

    /// A CloudWatch Logs client for `region` (a failed build's log).
    pub(crate) fn logs(&self, region: &str) -> aws_sdk_cloudwatchlogs::Client {
        let conf = aws_sdk_cloudwatchlogs::config::Builder::from(&self.config)
            .region(Region::new(region.to_owned()))
            .build();
        aws_sdk_cloudwatchlogs::Client::from_conf(conf)
    }

    /// The S3 API of `region`. A local endpoint gets path-style addressing: bucket names as
    /// host names do not resolve there.
    pub(crate) fn s3(&self, region: &str) -> aws_sdk_s3::Client {
        let conf = aws_sdk_s3::config::Builder::from(&self.config)
            .region(Region::new(region.to_owned()))
            .force_path_style(self.endpoint_given)
            .build();
        aws_sdk_s3::Client::from_conf(conf)
    }

    /// The account the credentials belong to (STS GetCallerIdentity, asked once).
    pub(crate) async fn account(&self) -> Result<String, AwsError> {
        self.account
            .get_or_try_init(|| async {
                let sts = aws_sdk_sts::Client::new(&self.config);
                let out = retry(Backoff::STANDARD, || sts.get_caller_identity().send())
                    .await
                    .map_err(aws_err("GetCallerIdentity"))?;
                Ok(out.account().unwrap_or_default().to_owned())
            })
            .await
            .cloned()
    }

    /// Checks that the credentials can deploy a stack whose `env` pins an account.
    pub(crate) async fn check_account(&self, stack: &str, env: &Env) -> Result<(), CliError> {
        let Some(wanted) = &env.account else {
            return Ok(());
        };
        let actual = self.account().await.map_err(|source| CliError::Aws {
            stack: stack.to_owned(),
            source,
        })?;
        if &actual != wanted {
            return Err(CliError::WrongAccount {
                stack: stack.to_owned(),
                wanted: wanted.clone(),
                actual,
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_plain_http_endpoint_is_a_local_emulator() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let plain = |url: Option<&str>| {
            let args = AwsArgs {
                endpoint_url: url.map(str::to_owned),
                region: Some("us-east-1".into()),
                profile: None,
            };
            runtime.block_on(Aws::load(&args)).plain_http_endpoint()
        };
        assert!(plain(Some("http://127.0.0.1:5000")));
        assert!(!plain(Some(
            "https://cloudformation.us-east-1.amazonaws.com"
        )));
        assert!(!plain(None));
    }

    /// An endpoint that accepts connections and never answers: the call fails as a timeout,
    /// within the attempt's bound, instead of hanging.
    #[test]
    fn an_endpoint_that_never_answers_times_out() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let port = listener.local_addr().unwrap().port();
            let held = tokio::spawn(async move {
                let mut open = Vec::new();
                while let Ok((stream, _)) = listener.accept().await {
                    open.push(stream);
                }
            });
            let args = AwsArgs {
                profile: None,
                region: Some("us-east-1".into()),
                endpoint_url: Some(format!("http://127.0.0.1:{port}")),
            };
            let timeouts = Timeouts {
                connect: Duration::from_millis(500),
                read: Duration::from_millis(300),
                attempt: Duration::from_millis(600),
            };
            let aws = Aws::load_with(&args, timeouts).await;
            let conf = aws_sdk_cloudformation::config::Builder::from(&aws.config)
                .credentials_provider(aws_sdk_cloudformation::config::Credentials::new(
                    "testing", "testing", None, None, "test",
                ))
                .build();
            // The standard backoff: timed-out attempts end the call after the second one.
            let cfn = Cfn::new(
                aws_sdk_cloudformation::Client::from_conf(conf),
                Backoff::STANDARD,
            );
            // Without the timeouts the call would wait for ever: the test gives it 5 s.
            let result =
                tokio::time::timeout(Duration::from_secs(5), cfn.describe_stack("never")).await;
            assert!(
                matches!(result, Ok(Err(_))),
                "the call did not fail with a timeout within 5 s: {result:?}"
            );
            held.abort();
        });
    }
}
