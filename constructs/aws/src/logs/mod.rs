//! CloudWatch Logs: log groups with retention and KMS encryption.

mod log_group;
mod subscription_filter;

pub use log_group::{ImportedLogGroup, LogEncryption, LogGroup, LogGroupProps, Retention};
pub use subscription_filter::{SubscriptionFilter, SubscriptionFilterProps};
