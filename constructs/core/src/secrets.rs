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

use std::fmt::Write as _;

use crate::codes;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::intrinsic::Intrinsic;
use crate::tree::{NodeId, Tree};
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

/// What a string holds, if it looks like a credential. One pass over the bytes: every
/// string of every template goes through here, and nearly none holds a credential.
fn credential_format(text: &str) -> Option<&'static str> {
    let bytes = text.as_bytes();
    // The shortest marker, `PRIVATE KEY-----`, has 16 characters.
    if bytes.len() < 16 {
        return None;
    }
    for i in 0..bytes.len() {
        let rest = &bytes[i..];
        let found = match bytes[i] {
            b'P' if rest.starts_with(b"PRIVATE KEY-----") => Some("a PEM private key"),
            b'h' if rest.starts_with(b"hooks.slack.com/services/") => Some("a Slack webhook URL"),
            b'A' if (rest.starts_with(b"AKIA") || rest.starts_with(b"ASIA"))
                && access_key_id_at(bytes, i) =>
            {
                Some("an AWS access key id")
            }
            b'g' if github_token_at(rest) => Some("a GitHub token"),
            _ => None,
        };
        if found.is_some() {
            return found;
        }
    }
    None
}

/// Whether an access key id (`AKIA`/`ASIA` and 16 upper-case letters or digits, standing
/// alone) starts at `i`.
fn access_key_id_at(bytes: &[u8], i: usize) -> bool {
    let before_ok = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
    let id = &bytes[i..];
    let body_ok = id.get(4..20).is_some_and(|body| {
        body.iter()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
    });
    let after_ok = id.get(20).is_none_or(|c| !c.is_ascii_alphanumeric());
    before_ok && body_ok && after_ok
}

/// Whether a GitHub token starts `rest`: `gh?_` and 36 letters or digits, or `github_pat_`.
fn github_token_at(rest: &[u8]) -> bool {
    if rest.starts_with(b"github_pat_") {
        return true;
    }
    let prefix = rest.len() >= 4
        && rest[1] == b'h'
        && rest[3] == b'_'
        && matches!(rest[2], b'p' | b'o' | b'u' | b's' | b'r');
    prefix
        && rest
            .get(4..40)
            .is_some_and(|r| r.iter().all(u8::is_ascii_alphanumeric))
}

/// Whether a property name says its value is a secret: its letters and digits, case
/// ignored, end in `password` or `passwd` or are one of [`SECRET_PROPERTIES`].
fn secret_property(name: &str) -> bool {
    let mut buffer = [0u8; 64];
    let mut len = 0;
    for c in name.bytes().filter(u8::is_ascii_alphanumeric) {
        if len == buffer.len() {
            // Longer than any name checked for: compare its end only.
            buffer.copy_within(1.., 0);
            len -= 1;
        }
        buffer[len] = c.to_ascii_lowercase();
        len += 1;
    }
    let name = &buffer[..len];
    name.ends_with(b"password")
        || name.ends_with(b"passwd")
        || SECRET_PROPERTIES.iter().any(|p| p.as_bytes() == name)
}

/// A literal that is not a reference to a secret kept elsewhere.
fn plain_literal(text: &str) -> bool {
    !text.is_empty() && !text.starts_with("{{resolve:")
}

/// Every string under `value`, with its path below the one in `at` (extended and restored
/// as the walk goes down, so that a path is only copied for a finding), for `found`.
fn walk(value: &Value, at: &mut String, key: Option<&str>, found: &mut Vec<(String, String)>) {
    match value {
        Value::String(text) => {
            if let Some(what) = credential_format(text) {
                found.push((at.clone(), format!("holds what looks like {what}")));
            } else if key.is_some_and(secret_property) && plain_literal(text) {
                found.push((at.clone(), String::from("is a secret given as a literal")));
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let len = at.len();
                let _ = write!(at, "[{i}]");
                walk(item, at, key, found);
                at.truncate(len);
            }
        }
        Value::Object(map) => {
            for (name, item) in map {
                let len = at.len();
                at.push('.');
                at.push_str(name);
                walk(item, at, Some(name), found);
                at.truncate(len);
            }
        }
        Value::Fn(f) => match f.as_ref() {
            Intrinsic::Sub { template, vars } => {
                if let Some(what) = credential_format(template) {
                    found.push((at.clone(), format!("holds what looks like {what}")));
                }
                for (name, var) in vars {
                    let len = at.len();
                    at.push('.');
                    at.push_str(name);
                    walk(var, at, None, found);
                    at.truncate(len);
                }
            }
            Intrinsic::Join { list, .. } => walk(list, at, None, found),
            _ => {}
        },
        Value::Null | Value::Bool(_) | Value::Int(_) | Value::Float(_) => {}
    }
}

/// A string that looks like a credential: the resource or output, the path below it, and what
/// it looks like.
pub(crate) type Finding = (NodeId, String, String);

/// Records what looks like a credential in `value`, the properties of the resource or the
/// value of the output `node` (`root` is `Properties` or `Value`). Synthesis calls it on the
/// value it renders anyway, so the app's properties are not built a second time for the scan.
pub(crate) fn find(value: &Value, root: &str, node: NodeId, found: &mut Vec<Finding>) {
    let mut hits = Vec::new();
    walk(value, &mut String::from(root), None, &mut hits);
    found.extend(hits.into_iter().map(|(at, what)| (node, at, what)));
}

/// The errors of `found`. A resource of a construct that reported an error already (its own
/// check of its secrets, which says more) is left to that report.
pub(crate) fn report(tree: &Tree, found: Vec<Finding>, reported: &Diagnostics) -> Vec<Diagnostic> {
    let reported_at = |path: &str| {
        reported.errors().any(|d| {
            !d.path.is_empty()
                && (path == d.path
                    || path
                        .strip_prefix(d.path.as_str())
                        .is_some_and(|rest| rest.starts_with('/')))
        })
    };
    let mut out = Vec::new();
    for (node, at, what) in found {
        let path = tree.path(node);
        if reported_at(&path) {
            continue;
        }
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
                path,
                format!(
                    "{at} {what}: the template would disclose it to everyone who can read the stack"
                ),
            )
            .with_hint(hint),
        );
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
        assert!(credential_format("ASIAIOSFODNN7EXAMPLE").is_some());
        assert!(credential_format("PRIVATE KEY-----").is_some());
        assert!(credential_format("token github_pat_11ABCDEFG").is_some());
        for prefix in ["gho_", "ghu_", "ghs_", "ghr_"] {
            assert!(credential_format(&format!("x {prefix}{}", "B".repeat(36))).is_some());
        }
        assert!(credential_format(&format!("ghx_{}", "a".repeat(36))).is_none());
        assert!(credential_format("the-github-repository-name").is_none());
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
        let long = format!("{}Password", "Very".repeat(20));
        assert!(secret_property(&long));
        assert!(secret_property("master_user_password"));
        assert!(!plain_literal(
            "{{resolve:secretsmanager:db:SecretString:password}}"
        ));
    }
}
