//! `EnvVar`: the value of a build's environment variable, typed by where it comes from.

use cirrus_cfn::codebuild::project;
use cirrus_core::{Expr, fns};

use crate::codes;
use crate::iam::Grantable;
use crate::secretsmanager::{ISecret, SecretRef, plaintext_secret_problem};
use crate::ssm::{IParameter, ParameterRef};

/// The value of an environment variable of a build.
///
/// Secrets come from Secrets Manager or Parameter Store and are fetched by CodeBuild when the
/// build starts (and masked in its logs); the project's role is granted read on exactly that
/// secret or parameter. A plain value whose name or content looks secret (`DB_PASSWORD`,
/// `NPM_TOKEN`, an access key id) is refused: it would be readable by anyone who can read the
/// project or the stack.
#[derive(Debug, Clone, PartialEq)]
pub enum EnvVar {
    /// A plain value, written in the template.
    Plain(Expr<String>),
    /// A plain value whose name looks secret but whose value is not (`CACHE_KEY = v2`):
    /// written in the template like [`EnvVar::Plain`], without the check. Say why in a
    /// comment where you use it.
    NotSecret(Expr<String>),
    /// The value of a Parameter Store parameter (`String` or `SecureString`).
    ParameterStore(ParameterRef),
    /// The value of a Secrets Manager secret, or of one field of a secret that holds a JSON
    /// object.
    SecretsManager {
        /// The secret.
        secret: SecretRef,
        /// The field of the JSON object to take. `None`: the whole value.
        json_key: Option<String>,
    },
}

impl EnvVar {
    /// A plain value.
    pub fn plain(value: impl Into<Expr<String>>) -> EnvVar {
        EnvVar::Plain(value.into())
    }

    /// The value of `parameter`.
    pub fn parameter<'a>(parameter: &impl IParameter<'a>) -> EnvVar {
        EnvVar::ParameterStore(parameter.reference())
    }

    /// The whole value of `secret`.
    pub fn secret<'a>(secret: &impl ISecret<'a>) -> EnvVar {
        EnvVar::SecretsManager {
            secret: secret.reference(),
            json_key: None,
        }
    }

    /// The field `key` of `secret`, which holds a JSON object.
    pub fn secret_field<'a>(secret: &impl ISecret<'a>, key: &str) -> EnvVar {
        EnvVar::SecretsManager {
            secret: secret.reference(),
            json_key: Some(key.to_owned()),
        }
    }

    /// The value as CodeBuild takes it: the text, the parameter's name, or
    /// `<secret-id>:<json-key>::` for a field of a secret.
    pub(crate) fn value(&self) -> Expr<String> {
        match self.parts() {
            (base, suffix) if suffix.is_empty() => base,
            (base, suffix) => fns::sub(&format!("${{Secret}}{suffix}"), [("Secret", base)]),
        }
    }

    /// The value as what CloudFormation resolves and the literal text after it.
    pub(crate) fn parts(&self) -> (Expr<String>, String) {
        match self {
            EnvVar::Plain(v) | EnvVar::NotSecret(v) => (v.clone(), String::new()),
            EnvVar::ParameterStore(parameter) => (parameter.name(), String::new()),
            EnvVar::SecretsManager { secret, json_key } => (
                secret.id(),
                json_key
                    .as_ref()
                    .map(|key| format!(":{key}::"))
                    .unwrap_or_default(),
            ),
        }
    }

    /// The variable for the project's `EnvironmentVariables`.
    pub(crate) fn cfn(&self, name: &str) -> project::EnvironmentVariable {
        let kind = match self {
            EnvVar::Plain(_) | EnvVar::NotSecret(_) => None,
            EnvVar::ParameterStore(_) => Some("PARAMETER_STORE"),
            EnvVar::SecretsManager { .. } => Some("SECRETS_MANAGER"),
        };
        project::EnvironmentVariable {
            type_: kind.map(Into::into),
            ..project::EnvironmentVariable::new(name, self.value())
        }
    }

    /// Grants `grantee` read on the secret or parameter the value comes from.
    pub(crate) fn grant_read<'a>(&self, grantee: &impl Grantable<'a>) {
        match self {
            EnvVar::ParameterStore(parameter) => parameter.grant_read(grantee),
            EnvVar::SecretsManager { secret, .. } => secret.grant_read(grantee),
            EnvVar::Plain(_) | EnvVar::NotSecret(_) => {}
        }
    }

    /// What is wrong with `name = self`: a name CodeBuild refuses, a secret in plain text, an
    /// empty JSON key.
    pub(crate) fn problems(&self, name: &str) -> Vec<Problem> {
        let mut out = Vec::new();
        if let Err(problem) = check_variable_name(name) {
            out.push(Problem::plain(
                codes::codebuild::ENV_VAR_NAME_INVALID,
                problem,
            ));
        }
        match self {
            EnvVar::Plain(value) => {
                if let Some(text) = value.as_literal()
                    && let Some(problem) = plaintext_secret_problem(name, text)
                {
                    out.push(Problem {
                        code: codes::codebuild::ENV_VAR_PLAINTEXT_SECRET,
                        message: format!("environment variable {problem}"),
                        hint: Some(SECRET_HINT),
                    });
                }
            }
            EnvVar::SecretsManager {
                json_key: Some(key),
                ..
            } if key.is_empty() || key.contains(':') => {
                out.push(Problem::plain(codes::codebuild::ENV_VAR_JSON_KEY_INVALID, format!(
                    "environment variable {name}: the JSON key \"{key}\" must be non-empty and without ':'"
                )));
            }
            _ => {}
        }
        out
    }
}

/// A problem found in the settings of a build, with a hint when there is an obvious fix.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Problem {
    pub(crate) code: cirrus_core::ErrorCode,
    pub(crate) message: String,
    pub(crate) hint: Option<&'static str>,
}

impl Problem {
    pub(crate) fn plain(code: cirrus_core::ErrorCode, message: impl Into<String>) -> Problem {
        Problem {
            code,
            message: message.into(),
            hint: None,
        }
    }

    /// Reports the problem at `node`.
    pub(crate) fn report(self, node: cirrus_core::Node<'_>) {
        match self.hint {
            Some(hint) => node.error_with_hint(self.code, self.message, hint),
            None => node.error(self.code, self.message),
        }
    }
}

/// The hint for a plain-text secret.
const SECRET_HINT: &str = "keep the value in a secretsmanager::Secret (EnvVar::secret) or a Parameter Store parameter (EnvVar::parameter); if it is not secret, use EnvVar::NotSecret";

/// A shell's environment variable name: a letter or `_`, then letters, digits and `_`. The
/// rule of CodeBuild's, CodePipeline's and the EKS deploy action's variables alike.
pub(crate) fn shell_name(name: &str) -> bool {
    name.chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Environment variable names: a letter or `_`, then letters, digits and `_`; not in
/// CodeBuild's own `CODEBUILD_` namespace.
pub(crate) fn check_variable_name(name: &str) -> Result<(), String> {
    if !shell_name(name) {
        Err(format!(
            "environment variable name \"{name}\" must start with a letter or '_' and contain only letters, digits and '_'"
        ))
    } else if name.starts_with("CODEBUILD_") {
        Err(format!(
            "environment variable name \"{name}\" is in the CODEBUILD_ namespace CodeBuild reserves"
        ))
    } else {
        Ok(())
    }
}
