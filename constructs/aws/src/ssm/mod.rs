//! Systems Manager Parameter Store: plain `String` parameters for configuration that is not
//! secret.
//!
//! CloudFormation cannot create `SecureString` parameters, so there is no construct for them:
//! secrets belong in Secrets Manager ([`crate::secretsmanager::Secret`]). A `SecureString`
//! created outside the app can still be referenced and granted with
//! [`StringParameter::from_secure_string_name`].

mod string_parameter;

pub use string_parameter::{
    IParameter, ImportedParameter, ParameterDataType, ParameterRef, ParameterTier, StringParameter,
    StringParameterProps,
};
