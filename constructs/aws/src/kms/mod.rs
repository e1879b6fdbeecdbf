//! KMS: customer managed keys with rotation on.

mod key;

pub(crate) use key::stack_logs_key;
pub use key::{IKey, ImportedKey, Key, KeyProps};
