//! Amazon S3 (`AWS::S3::*`).

pub mod bucket;
pub mod bucket_policy;

pub use bucket::{CfnBucket, CfnBucketAttrs};
pub use bucket_policy::{CfnBucketPolicy, CfnBucketPolicyAttrs};
