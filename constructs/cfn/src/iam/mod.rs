//! AWS Identity and Access Management (`AWS::IAM::*`).

pub mod policy;
pub mod role;

pub use policy::{CfnPolicy, CfnPolicyAttrs};
pub use role::{CfnRole, CfnRoleAttrs};
