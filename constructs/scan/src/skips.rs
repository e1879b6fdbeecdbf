//! The checkov skip list: `checkov-skips.txt`.
//!
//! One entry per line: `<scope> <check id> <resource pattern> <reason...>`, `#` starts a comment.
//! The scope is the scan the entry belongs to (`constructs` for the construct fixtures, `apps`
//! for `synth-out/`, and `constructs-kubernetes`/`apps-kubernetes` for their Kubernetes objects); the pattern matches `<template file>:<resource address>`, such as
//! `hello-bucket/HelloBucket.template.json:AWS::S3::Bucket.Bucket`, with `*` standing for any
//! run of characters. The reason is required.

use crate::ScanError;

/// The scans: the construct fixtures' templates and Kubernetes objects, and `synth-out/`'s.
const SCOPES: [&str; 4] = [
    "constructs",
    "apps",
    "constructs-kubernetes",
    "apps-kubernetes",
];

/// One skip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skip {
    /// Which scan: `constructs` or `apps`.
    pub scope: String,
    /// The checkov check id, such as `CKV_AWS_18`.
    pub check: String,
    /// The resource address pattern.
    pub resource: String,
    /// Why the check cannot pass there.
    pub reason: String,
}

/// The parsed skip list.
#[derive(Debug, Clone, Default)]
pub struct Skips {
    entries: Vec<Skip>,
}

impl Skips {
    /// Parses the file's text.
    pub fn parse(text: &str) -> Result<Skips, ScanError> {
        let mut entries = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.split('#').next().unwrap_or_default().trim();
            if line.is_empty() {
                continue;
            }
            let mut parts = line.splitn(4, char::is_whitespace);
            let mut next = || parts.next().map(str::trim).filter(|p| !p.is_empty());
            let (Some(scope), Some(check), Some(resource), Some(reason)) =
                (next(), next(), next(), next())
            else {
                return Err(ScanError::SkipList {
                    line: i + 1,
                    message: "expected: <scope> <check id> <resource pattern> <reason>".into(),
                });
            };
            if !SCOPES.contains(&scope) {
                return Err(ScanError::SkipList {
                    line: i + 1,
                    message: format!("scope \"{scope}\" is none of {}", SCOPES.join(", ")),
                });
            }
            entries.push(Skip {
                scope: scope.into(),
                check: check.into(),
                resource: resource.into(),
                reason: reason.trim().into(),
            });
        }
        Ok(Skips { entries })
    }

    /// The entries, in file order.
    pub fn entries(&self) -> &[Skip] {
        &self.entries
    }

    /// The index of the first entry of `scope` that excuses `check` on `resource`.
    pub fn find(&self, scope: &str, check: &str, resource: &str) -> Option<usize> {
        self.entries
            .iter()
            .position(|s| s.scope == scope && s.check == check && glob(&s.resource, resource))
    }
}

/// `*` matches any run of characters; everything else matches itself.
fn glob(pattern: &str, text: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == text,
        Some((head, tail)) => {
            let Some(rest) = text.strip_prefix(head) else {
                return false;
            };
            (0..=rest.len())
                .filter(|i| rest.is_char_boundary(*i))
                .any(|i| glob(tail, &rest[i..]))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob(
            "AWS::S3::Bucket.*LogBucket*",
            "AWS::S3::Bucket.SiteLogBucket12AB34CD"
        ));
        assert!(glob("*", "anything"));
        assert!(glob("a*b*c", "axxbyyc"));
        assert!(!glob("AWS::S3::Bucket.Log*", "AWS::S3::Bucket.Site"));
        assert!(!glob("exact", "exactly"));
    }

    #[test]
    fn parses_and_finds() {
        let skips = Skips::parse(
            "# comment\n\napps CKV_AWS_18 *:AWS::S3::Bucket.*Log* the last log bucket # why\n",
        )
        .unwrap();
        assert_eq!(skips.entries()[0].reason, "the last log bucket");
        assert_eq!(
            skips.find(
                "apps",
                "CKV_AWS_18",
                "a/S.template.json:AWS::S3::Bucket.AccessLogX"
            ),
            Some(0)
        );
        assert_eq!(
            skips.find(
                "constructs",
                "CKV_AWS_18",
                "a/S.template.json:AWS::S3::Bucket.AccessLogX"
            ),
            None
        );
        assert!(Skips::parse("apps CKV_AWS_18 pattern").is_err());
        assert!(Skips::parse("other CKV_AWS_18 p reason").is_err());
    }
}
