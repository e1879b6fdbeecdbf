//! CloudWatch Logs: log groups with retention and KMS encryption.

mod log_group;

pub use log_group::{LogEncryption, LogGroup, LogGroupProps, Retention};
