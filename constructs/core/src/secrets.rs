//! Plain-text credentials in templates, found at synthesis.
//!
//! A template is read by everyone who can read the stack (the console, `GetTemplate`, the
//! pipeline's artifacts, the pull request that reviews `synth-out/`), so a credential written
//! into one is disclosed. Every string of every resource's properties and of every output is
//! scanned for:
//! - values with a recognisable credential format: AWS access key ids (`AKIA`/`ASIA` and 16
//!   upper-case letters or digits), PEM private keys, Slack incoming-webhook URLs, GitHub
//!   tokens (`ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_`, `github_pat_`);
//! - literal values of properties named like a password or key (`MasterUserPassword`,
//!   `SecretString`, `AuthToken`, ...), which should be a dynamic reference
//!   (`{{resolve:secretsmanager:...}}`), a NoEcho parameter, or a generated secret.
//!
//! Both are errors that name the property, acknowledgeable for a value that only looks like
//! one (a documentation example).

use crate::codes;
use crate::diagnostics::Diagnostic;
use crate::intrinsic::Intrinsic;
use crate::tree::{NodeKind, Tree};
use crate::value::Value;

/// Property names (lower case, letters and digits only) whose literal value is a secret.
const SECRET_PROPERTIES: [&str; 7] = [
    "secretstring",
    "authtoken",
    "apikey",
    "clientsecret",
    "secretaccesskey",
    "privatekey",
    "webhooksecret",
];

/// What a string holds, if it looks like a credential.
fn credential_format(text: &str) -> Option<&'static str> {
    if text.contains("PRIVATE KEY-----") {
        return Some("a PEM private key");
    }
    if text.contains("hooks.slack.com/services/") {
        return Some("a Slack webhook URL");
    }
    let bytes = text.as_bytes();
    for (i, _) in text.match_indices("AKIA").chain(text.match_indices("ASIA")) {
        let id = &bytes[i..];
        let before_ok = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
        let Some(body) = id.get(4..20) else {
            continue;
        };
        let body_ok = body
            .iter()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
        let after_ok = id.get(20).is_none_or(|c| !c.is_ascii_alphanumeric());
        if before_ok && body_ok && after_ok {
            return Some("an AWS access key id");
        }
    }
    for prefix in ["ghp_", "gho_", "ghu_", "ghs_", "ghr_"] {
        for (i, _) in text.match_indices(prefix) {
            let rest = bytes.get(i + 4..i + 40);
            if rest.is_some_and(|r| r.iter().all(u8::is_ascii_alphanumeric)) {
                return Some("a GitHub token");
            }
        }
    }
    if text.contains("github_pat_") {
        return Some("a GitHub token");
    }
    None
}

/// Whether a property name says its value is a secret.
fn secret_property(name: &str) -> bool {
    let name: String = name
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase();
    name.ends_with("password")
        || name.ends_with("passwd")
        || SECRET_PROPERTIES.contains(&name.as_str())
}

/// A literal that is not a reference to a secret kept elsewhere.
fn plain_literal(text: &str) -> bool {
    !text.is_empty() && !text.starts_with("{{resolve:")
}

/// Every string under `value`, with its path below `at`, for `found`.
fn walk(value: &Value, at: &str, key: Option<&str>, found: &mut Vec<(String, String)>) {
    match value {
        Value::String(text) => {
            if let Some(what) = credential_format(text) {
                found.push((at.to_owned(), format!("holds what looks like {what}")));
            } else if key.is_some_and(secret_property) && plain_literal(text) {
                found.push((
                    at.to_owned(),
                    String::from("is a secret given as a literal"),
                ));
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                walk(item, &format!("{at}[{i}]"), key, found);
            }
        }
        Value::Object(map) => {
            for (name, item) in map {
                walk(item, &format!("{at}.{name}"), Some(name), found);
            }
        }
        Value::Fn(f) => match f.as_ref() {
            Intrinsic::Sub { template, vars } => {
                if let Some(what) = credential_format(template) {
                    found.push((at.to_owned(), format!("holds what looks like {what}")));
                }
                for (name, var) in vars {
                    walk(var, &format!("{at}.{name}"), None, found);
                }
            }
            Intrinsic::Join { list, .. } => walk(list, at, None, found),
            _ => {}
        },
        Value::Null | Value::Bool(_) | Value::Int(_) | Value::Float(_) => {}
    }
}

/// The plain-text credentials of the app's resources and outputs. A resource of a construct
/// that reported an error already (its own check of its secrets, which says more) is left to
/// that report.
pub(crate) fn scan(tree: &Tree, reported: &[Diagnostic]) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let reported_at = |path: &str| {
        reported.iter().any(|d| {
            d.is_error()
                && !d.path.is_empty()
                && (path == d.path || path.starts_with(&format!("{}/", d.path)))
        })
    };
    for (index, node) in tree.nodes.iter().enumerate() {
        let mut found = Vec::new();
        match &node.kind {
            NodeKind::Resource(data) => {
                if let Some(props) = &data.props {
                    walk(&props.properties(), "Properties", None, &mut found);
                }
            }
            NodeKind::Output(data) => walk(&data.value, "Value", None, &mut found),
            _ => continue,
        }
        let path = tree.path(crate::tree::NodeId(
            u32::try_from(index).unwrap_or(u32::MAX),
        ));
        if found.is_empty() || reported_at(&path) {
            continue;
        }
        for (at, what) in found {
            let plain_format = what.starts_with("holds");
            let (code, hint) = if plain_format {
                (
                    codes::PLAIN_TEXT_CREDENTIAL,
                    "keep the credential in Secrets Manager and reference it ({{resolve:secretsmanager:<name>}} or the construct's secret field), or take it as a NoEcho parameter; if it is an example, acknowledge CORE-072 with why",
                )
            } else {
                (
                    codes::SECRET_PROPERTY_LITERAL,
                    "reference a Secrets Manager secret ({{resolve:secretsmanager:<name>}}), a generated secret, or a NoEcho parameter instead of a literal",
                )
            };
            out.push(
                Diagnostic::error(
                    code,
                    path.clone(),
                    format!("{at} {what}: the template would disclose it to everyone who can read the stack"),
                )
                .with_hint(hint),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_of_credentials_are_recognised_and_lookalikes_are_not() {
        assert!(credential_format("AKIAIOSFODNN7EXAMPLE").is_some());
        assert!(credential_format("key=AKIAIOSFODNN7EXAMPLE;").is_some());
        assert!(credential_format("XAKIAIOSFODNN7EXAMPLE").is_none());
        assert!(credential_format("AKIAIOSFODNN7EXAMPLEX").is_none());
        assert!(credential_format("AKIA-not-a-key").is_none());
        assert!(credential_format("-----BEGIN RSA PRIVATE KEY-----\nabc").is_some());
        assert!(credential_format("https://hooks.slack.com/services/T000/B000/XXXX").is_some());
        assert!(credential_format(&format!("ghp_{}", "a".repeat(36))).is_some());
        assert!(credential_format("ghp_short").is_none());
        assert!(credential_format("arn:aws:secretsmanager:us-east-1:1:secret:db").is_none());
    }

    #[test]
    fn secret_properties_are_recognised_by_name() {
        for name in [
            "MasterUserPassword",
            "Password",
            "SecretString",
            "AuthToken",
            "ApiKey",
        ] {
            assert!(secret_property(name), "{name}");
        }
        for name in [
            "SecretArn",
            "SecretId",
            "PasswordPolicy",
            "KeyName",
            "TokenBucket",
        ] {
            assert!(!secret_property(name), "{name}");
        }
        assert!(!plain_literal(
            "{{resolve:secretsmanager:db:SecretString:password}}"
        ));
    }
}
