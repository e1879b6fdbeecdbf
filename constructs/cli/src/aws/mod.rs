//! Everything that talks to AWS: configuration, the CloudFormation calls, the staging bucket.

pub(crate) mod cfn;
pub(crate) mod config;
pub(crate) mod error;
pub(crate) mod retry;
pub(crate) mod staging;

pub use error::AwsError;
