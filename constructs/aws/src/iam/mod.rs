//! IAM: typed policy documents, principals, roles and grants.
//!
//! Existing resources: roles by name or ARN ([`Role::from_name`], [`Role::from_arn`]), which
//! grants reach through a policy created here; managed policies of this account by name
//! ([`ManagedPolicy::from_name`]) and AWS managed policies
//! ([`ManagedPolicy::from_aws_managed_name`]), attached wherever a [`ManagedPolicy`] of this
//! app is ([`IManagedPolicy`]).

mod deployment;
mod managed_policy;
mod policy_document;
mod principal;
mod role;
mod role_path;
mod size;

pub use managed_policy::{
    IManagedPolicy, ImportedManagedPolicy, InstanceProfile, ManagedPolicy, ManagedPolicyProps,
    Policy,
};
pub use policy_document::{Effect, PolicyCondition, PolicyDocument, PolicyKind, PolicyStatement};
pub use principal::Principal;
pub use role::{Grantable, ImportedRole, ManagedPolicyArn, Role, RoleProps};
pub use role_path::default_role_path;
pub(crate) use role_path::resolve as resolve_role_path;
