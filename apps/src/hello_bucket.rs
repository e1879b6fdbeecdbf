//! `hello-bucket`: the first app a new user writes. One stack, one S3 bucket with versioning.
//!
//! The bucket is private, encrypted, versioned and reachable over TLS only, and it survives the
//! stack's deletion: the defaults of `Bucket`. The one thing turned off is server access
//! logging, which needs a second bucket to receive the logs; the larger apps show it.

use cirrus_aws::prelude::*;
use cirrus_aws::s3::{AccessLogs, Bucket, BucketProps};

/// Adds the `HelloBucket` stack to `app`.
pub fn define(app: &App) {
    let description = "hello-bucket: one versioned, private, encrypted S3 bucket";
    let stack = app.stack(
        "HelloBucket",
        StackProps::default().description(description),
    );
    let props = BucketProps::default().access_logs(AccessLogs::Disabled);
    let bucket = Bucket::new(stack, "Bucket", props);
    Tags::of(&stack).add("app", "hello-bucket");
    stack.add_output("BucketName", bucket.name());
}
