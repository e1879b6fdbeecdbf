//! `hello-bucket`: the first app a new user writes. One stack, one S3 bucket with versioning.
//!
//! The bucket is private, encrypted and reachable over TLS only, and it survives the stack's
//! deletion: the defaults a careful engineer would pick, spelled out here with the L1 types.

use cirrus_cfn::s3::{CfnBucket, CfnBucketPolicy, bucket};
use cirrus_core::prelude::*;
use cirrus_core::value;

/// Adds the `HelloBucket` stack to `app`.
pub fn define(app: &App) {
    let stack = app.stack(
        "HelloBucket",
        StackProps {
            description: Some("hello-bucket: one versioned, private, encrypted S3 bucket".into()),
            ..Default::default()
        },
    );
    let bucket = stack.add(
        "Bucket",
        CfnBucket {
            versioning_configuration: Some(
                bucket::VersioningConfiguration {
                    status: bucket::VersioningConfigurationStatus::Enabled.into(),
                }
                .into(),
            ),
            bucket_encryption: Some(
                bucket::BucketEncryption {
                    server_side_encryption_configuration: vec![bucket::ServerSideEncryptionRule {
                        server_side_encryption_by_default:
                            Some(
                                bucket::ServerSideEncryptionByDefault {
                                    kms_master_key_id: None,
                                    sse_algorithm:
                                        bucket::ServerSideEncryptionByDefaultSseAlgorithm::Aes256
                                            .into(),
                                }
                                .into(),
                            ),
                        ..Default::default()
                    }]
                    .into(),
                }
                .into(),
            ),
            public_access_block_configuration: Some(
                bucket::PublicAccessBlockConfiguration {
                    block_public_acls: Some(true.into()),
                    block_public_policy: Some(true.into()),
                    ignore_public_acls: Some(true.into()),
                    restrict_public_buckets: Some(true.into()),
                }
                .into(),
            ),
            ..Default::default()
        },
    );
    bucket.apply_removal_policy(RemovalPolicy::Retain);

    let arn = bucket.attrs().arn();
    stack.add(
        "BucketPolicy",
        CfnBucketPolicy::new(
            bucket.ref_(),
            value!({
                "Version": "2012-10-17",
                "Statement": [{
                    "Sid": "DenyInsecureTransport",
                    "Effect": "Deny",
                    "Principal": {"AWS": "*"},
                    "Action": "s3:*",
                    "Resource": [(arn.clone()), (fns::sub("${Arn}/*", [("Arn", arn)]))],
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}}
                }]
            }),
        ),
    );
    Tags::of(&stack).add("app", "hello-bucket");
    stack.add_output("BucketName", bucket.ref_(), OutputProps::default());
}
