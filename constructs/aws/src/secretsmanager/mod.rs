//! Secrets Manager: secrets encrypted with a customer managed key, whose values never appear in
//! a template.
//!
//! A secret is created with a generated value (or none at all); the real value, when it is not
//! a generated password, is set out of band:
//!
//! ```text
//! aws secretsmanager put-secret-value --secret-id <secret ARN or name> \
//!     --secret-string file://value.json
//! ```
//!
//! Keep the file out of version control and the shell history. CloudFormation only generates a
//! new value when the generation options change, so a value put this way survives later
//! deployments as long as those options stay the same.

mod plaintext;
mod secret;

pub(crate) use plaintext::plaintext_secret_problem;
pub use secret::{
    GeneratedValue, ISecret, ImportedSecret, JsonTemplate, Secret, SecretEncryption, SecretProps,
    SecretRef, SecretRotation, SecretValue,
};
