//! IAM: typed policy documents, principals, roles and grants.

mod managed_policy;
mod policy_document;
mod principal;
mod role;

pub use managed_policy::{InstanceProfile, ManagedPolicy, ManagedPolicyProps, Policy};
pub use policy_document::{Effect, PolicyCondition, PolicyDocument, PolicyKind, PolicyStatement};
pub use principal::Principal;
pub use role::{Grantable, ImportedRole, ManagedPolicyArn, Role, RoleProps};
