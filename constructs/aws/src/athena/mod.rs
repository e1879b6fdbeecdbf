//! Amazon Athena: workgroups that enforce where and how query results are stored.

mod work_group;

pub use work_group::{EngineVersion, ResultEncryption, WorkGroup, WorkGroupProps};
