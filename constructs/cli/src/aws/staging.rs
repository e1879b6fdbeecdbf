//! The staging bucket: where templates over 51,200 bytes go, since CloudFormation takes
//! larger templates only by URL. `bootstrap` creates it once per account and region:
//! encrypted, private, reachable over TLS only, and old templates expire.

use aws_sdk_s3::Client;
use aws_sdk_s3::operation::head_bucket::HeadBucketError;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{
    BucketLifecycleConfiguration, BucketLocationConstraint, CreateBucketConfiguration,
    ExpirationStatus, LifecycleExpiration, LifecycleRule, LifecycleRuleFilter,
    PublicAccessBlockConfiguration, ServerSideEncryption, ServerSideEncryptionByDefault,
    ServerSideEncryptionConfiguration, ServerSideEncryptionRule,
};
use md5::{Digest, Md5};

use super::error::{AwsError, aws_err};
use super::retry::{Backoff, retry};

/// The largest template CloudFormation accepts inline (`TemplateBody`).
pub(crate) const MAX_INLINE_TEMPLATE: usize = 51_200;

/// Where staged templates live in the bucket; the lifecycle rule expires them.
const PREFIX: &str = "templates/";

/// Days after which a staged template is deleted: CloudFormation reads it only while it
/// creates the change set or starts the operation.
const EXPIRE_DAYS: i32 = 30;

/// The staging bucket's name for an account and region.
pub(crate) fn bucket_name(account: &str, region: &str) -> String {
    format!("cirrus-staging-{account}-{region}")
}

/// The staging bucket of one account and region.
#[derive(Debug, Clone)]
pub(crate) struct Staging {
    client: Client,
    bucket: String,
    region: String,
}

/// What `bootstrap` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Bootstrapped {
    /// The bucket was created.
    Created,
    /// The bucket existed; its settings were applied again.
    Updated,
}

impl Staging {
    /// The bucket `bucket` in `region`.
    pub(crate) fn new(client: Client, bucket: String, region: String) -> Staging {
        Staging {
            client,
            bucket,
            region,
        }
    }

    /// The bucket's name.
    pub(crate) fn bucket(&self) -> &str {
        &self.bucket
    }

    /// Whether the bucket exists (and the credentials may see it).
    pub(crate) async fn exists(&self) -> Result<bool, AwsError> {
        let out = retry(Backoff::STANDARD, || {
            self.client.head_bucket().bucket(&self.bucket).send()
        })
        .await;
        match out {
            Ok(_) => Ok(true),
            Err(err) if matches!(err.as_service_error(), Some(HeadBucketError::NotFound(_))) => {
                Ok(false)
            }
            Err(err) => Err(AwsError::from_sdk("HeadBucket", err)),
        }
    }

    /// Creates the bucket when it is missing and (re)applies its settings.
    /// `tls_only`: put the policy that denies requests without TLS; without it (a local
    /// emulator reached over plain HTTP, which the policy would lock out) a policy left by an
    /// earlier bootstrap is removed.
    pub(crate) async fn bootstrap(&self, tls_only: bool) -> Result<Bootstrapped, AwsError> {
        let created = if self.exists().await? {
            Bootstrapped::Updated
        } else {
            retry(Backoff::STANDARD, || {
                let mut call = self.client.create_bucket().bucket(&self.bucket);
                if self.region != "us-east-1" {
                    call = call.create_bucket_configuration(
                        CreateBucketConfiguration::builder()
                            .location_constraint(BucketLocationConstraint::from(
                                self.region.as_str(),
                            ))
                            .build(),
                    );
                }
                call.send()
            })
            .await
            .map_err(aws_err("CreateBucket"))?;
            Bootstrapped::Created
        };
        let pab = PublicAccessBlockConfiguration::builder()
            .block_public_acls(true)
            .ignore_public_acls(true)
            .block_public_policy(true)
            .restrict_public_buckets(true)
            .build();
        retry(Backoff::STANDARD, || {
            self.client
                .put_public_access_block()
                .bucket(&self.bucket)
                .public_access_block_configuration(pab.clone())
                .send()
        })
        .await
        .map_err(aws_err("PutPublicAccessBlock"))?;
        let sse = ServerSideEncryptionConfiguration::builder()
            .rules(
                ServerSideEncryptionRule::builder()
                    .apply_server_side_encryption_by_default(
                        ServerSideEncryptionByDefault::builder()
                            .sse_algorithm(ServerSideEncryption::Aes256)
                            .build()
                            .map_err(build_err("PutBucketEncryption"))?,
                    )
                    .build(),
            )
            .build()
            .map_err(build_err("PutBucketEncryption"))?;
        retry(Backoff::STANDARD, || {
            self.client
                .put_bucket_encryption()
                .bucket(&self.bucket)
                .server_side_encryption_configuration(sse.clone())
                .send()
        })
        .await
        .map_err(aws_err("PutBucketEncryption"))?;
        if tls_only {
            let policy = tls_only_policy(&self.bucket, &self.region);
            retry(Backoff::STANDARD, || {
                self.client
                    .put_bucket_policy()
                    .bucket(&self.bucket)
                    .policy(&policy)
                    .send()
            })
            .await
            .map_err(aws_err("PutBucketPolicy"))?;
        } else {
            retry(Backoff::STANDARD, || {
                self.client
                    .delete_bucket_policy()
                    .bucket(&self.bucket)
                    .send()
            })
            .await
            .map_err(aws_err("DeleteBucketPolicy"))?;
        }
        let lifecycle = BucketLifecycleConfiguration::builder()
            .rules(
                LifecycleRule::builder()
                    .id("expire-staged-templates")
                    .status(ExpirationStatus::Enabled)
                    .filter(LifecycleRuleFilter::builder().prefix(PREFIX).build())
                    .expiration(LifecycleExpiration::builder().days(EXPIRE_DAYS).build())
                    .build()
                    .map_err(build_err("PutBucketLifecycleConfiguration"))?,
            )
            .build()
            .map_err(build_err("PutBucketLifecycleConfiguration"))?;
        retry(Backoff::STANDARD, || {
            self.client
                .put_bucket_lifecycle_configuration()
                .bucket(&self.bucket)
                .lifecycle_configuration(lifecycle.clone())
                .send()
        })
        .await
        .map_err(aws_err("PutBucketLifecycleConfiguration"))?;
        Ok(created)
    }

    /// Uploads a template and returns the URL CloudFormation reads it from. The key holds the
    /// content's hash, so uploading the same template twice writes the same object.
    pub(crate) async fn upload(&self, stack: &str, body: &str) -> Result<String, AwsError> {
        let key = template_key(stack, body);
        retry(Backoff::STANDARD, || {
            self.client
                .put_object()
                .bucket(&self.bucket)
                .key(&key)
                .content_type("application/json")
                .body(ByteStream::from(body.as_bytes().to_vec()))
                .send()
        })
        .await
        .map_err(aws_err("PutObject"))?;
        Ok(template_url(&self.bucket, &self.region, &key))
    }
}

impl Staging {
    /// Puts `body` under `key` as is (the in-VPC deployer's inputs, whose keys the caller
    /// derives from the content).
    pub(crate) async fn put(&self, key: &str, body: &str) -> Result<(), AwsError> {
        retry(Backoff::STANDARD, || {
            self.client
                .put_object()
                .bucket(&self.bucket)
                .key(key)
                .content_type("application/yaml")
                .body(ByteStream::from(body.as_bytes().to_vec()))
                .send()
        })
        .await
        .map_err(aws_err("PutObject"))?;
        Ok(())
    }
}

/// `templates/<stack>-<md5 of the body>.json`.
pub(crate) fn template_key(stack: &str, body: &str) -> String {
    let hash = Md5::digest(body.as_bytes());
    let hex: String = hash.iter().map(|b| format!("{b:02x}")).collect();
    format!("{PREFIX}{stack}-{hex}.json")
}

/// The AWS partition a region belongs to: its ARN prefix and the DNS suffix of its endpoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Partition {
    /// The partition in ARNs: `arn:<name>:s3:::bucket`.
    pub(crate) name: &'static str,
    /// The domain its endpoints are under.
    pub(crate) dns_suffix: &'static str,
}

impl Partition {
    /// The partition of `region`, by the region-name patterns of AWS's partition data (which
    /// the SDK's endpoint resolution uses too). A region that fits no other partition is in
    /// the commercial one, as the SDK assumes.
    pub(crate) fn of(region: &str) -> Partition {
        let p = |name, dns_suffix| Partition { name, dns_suffix };
        let parts: Vec<&str> = region.split('-').collect();
        match parts.as_slice() {
            ["cn", _, _] => p("aws-cn", "amazonaws.com.cn"),
            ["us", "gov", _, _] => p("aws-us-gov", "amazonaws.com"),
            ["us", "iso", _, _] => p("aws-iso", "c2s.ic.gov"),
            ["us", "isob", _, _] => p("aws-iso-b", "sc2s.sgov.gov"),
            ["us", "isof", _, _] => p("aws-iso-f", "csp.hci.ic.gov"),
            ["eu", "isoe", _, _] => p("aws-iso-e", "cloud.adc-e.uk"),
            ["eusc", _, _, _] => p("aws-eusc", "amazonaws.eu"),
            _ => p("aws", "amazonaws.com"),
        }
    }
}

/// The virtual-hosted URL CloudFormation reads an object from, under the DNS suffix of the
/// region's partition (`amazonaws.com.cn` in China, for example).
pub(crate) fn template_url(bucket: &str, region: &str, key: &str) -> String {
    let suffix = Partition::of(region).dns_suffix;
    format!("https://{bucket}.s3.{region}.{suffix}/{key}")
}

/// Denies every request that does not use TLS.
fn tls_only_policy(bucket: &str, region: &str) -> String {
    let partition = Partition::of(region).name;
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": {"AWS": "*"},
            "Action": "s3:*",
            "Resource": [
                format!("arn:{partition}:s3:::{bucket}"),
                format!("arn:{partition}:s3:::{bucket}/*")
            ],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}
        }]
    })
    .to_string()
}

fn build_err(operation: &'static str) -> impl FnOnce(aws_sdk_s3::error::BuildError) -> AwsError {
    move |e| AwsError {
        operation,
        code: None,
        detail: super::error::Detail(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_urls() {
        let key = template_key("Net", "{}");
        assert_eq!(key, "templates/Net-99914b932bd37a50b983c5e7c90ae93b.json");
        assert_eq!(
            template_url("b", "eu-west-1", &key),
            "https://b.s3.eu-west-1.amazonaws.com/templates/Net-99914b932bd37a50b983c5e7c90ae93b.json"
        );
        assert_eq!(
            bucket_name("123456789012", "us-east-1"),
            "cirrus-staging-123456789012-us-east-1"
        );
    }

    #[test]
    fn urls_and_arns_follow_the_partition() {
        assert_eq!(
            template_url("b", "cn-north-1", "k.json"),
            "https://b.s3.cn-north-1.amazonaws.com.cn/k.json"
        );
        assert_eq!(
            template_url("b", "cn-northwest-1", "k.json"),
            "https://b.s3.cn-northwest-1.amazonaws.com.cn/k.json"
        );
        assert_eq!(
            template_url("b", "us-gov-west-1", "k.json"),
            "https://b.s3.us-gov-west-1.amazonaws.com/k.json"
        );
        assert_eq!(
            template_url("b", "us-isob-east-1", "k.json"),
            "https://b.s3.us-isob-east-1.sc2s.sgov.gov/k.json"
        );
        assert_eq!(
            template_url("b", "eusc-de-east-1", "k.json"),
            "https://b.s3.eusc-de-east-1.amazonaws.eu/k.json"
        );
        for (region, name) in [
            ("us-east-1", "aws"),
            ("ap-southeast-7", "aws"),
            ("cn-north-1", "aws-cn"),
            ("us-gov-east-1", "aws-us-gov"),
            ("us-iso-east-1", "aws-iso"),
            ("us-isof-south-1", "aws-iso-f"),
            ("eu-isoe-west-1", "aws-iso-e"),
        ] {
            assert_eq!(Partition::of(region).name, name, "{region}");
        }
        let policy: serde_json::Value =
            serde_json::from_str(&tls_only_policy("b", "cn-north-1")).unwrap();
        assert_eq!(
            policy["Statement"][0]["Resource"],
            serde_json::json!(["arn:aws-cn:s3:::b", "arn:aws-cn:s3:::b/*"])
        );
    }
}
