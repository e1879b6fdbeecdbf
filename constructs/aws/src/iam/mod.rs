//! IAM: typed policy documents, principals, roles and grants.

mod policy_document;
mod principal;
mod role;

pub use policy_document::{Effect, PolicyCondition, PolicyDocument, PolicyKind, PolicyStatement};
pub use principal::Principal;
pub use role::{Grantable, ManagedPolicyArn, Role, RoleProps};
