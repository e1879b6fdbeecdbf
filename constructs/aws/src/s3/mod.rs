//! S3: private, encrypted, TLS-only buckets that keep access logs.

mod bucket;
mod lifecycle;

pub use bucket::{
    AccessLogs, Bucket, BucketEncryption, BucketProps, IBucket, ImportedBucket, ObjectOwnership,
};
pub use lifecycle::{LifecycleRule, StorageClass};

pub(crate) use bucket::stack_log_bucket;
