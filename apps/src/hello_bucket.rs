//! `hello-bucket`: the first app a new user writes. One stack, one S3 bucket with versioning.
//!
//! The bucket is private, encrypted, versioned and reachable over TLS only, and it survives the
//! stack's deletion: the defaults of `Bucket`. The one thing turned off is server access
//! logging, which needs a second bucket to receive the logs; the larger apps show it.

use cirrus_aws::s3::{AccessLogs, Bucket, BucketProps, IBucket};
use cirrus_core::prelude::*;

/// Adds the `HelloBucket` stack to `app`.
pub fn define(app: &App) {
    let stack = app.stack(
        "HelloBucket",
        StackProps {
            description: Some("hello-bucket: one versioned, private, encrypted S3 bucket".into()),
            ..Default::default()
        },
    );
    let bucket = Bucket::new(
        stack,
        "Bucket",
        BucketProps {
            access_logs: AccessLogs::Disabled,
            ..Default::default()
        },
    );
    Tags::of(&stack).add("app", "hello-bucket");
    stack.add_output("BucketName", bucket.name());
}
