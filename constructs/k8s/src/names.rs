//! Kubernetes' name rules: DNS-1123 subdomains and labels, DNS-1035 labels, path segment names,
//! API versions and kinds. Each check returns why a value is invalid, in words a user can act
//! on (which character, where, what is allowed), so that the caller's error names the field too.

use std::fmt;

/// The rule a name must follow. Kubernetes validates `metadata.name` per kind: most kinds take a
/// DNS-1123 subdomain, namespaces a DNS-1123 label, services a DNS-1035 label (the name becomes a
/// DNS label in the cluster domain and an environment-variable prefix), RBAC kinds any path
/// segment (`system:controller:foo`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameRule {
    /// Lowercase letters, digits, `-` and `.`; each part between dots starts and ends with a
    /// letter or digit; at most `max` characters (253, the DNS limit, for most kinds).
    Dns1123Subdomain {
        /// The longest name allowed.
        max: usize,
    },
    /// Lowercase letters, digits and `-`, starting and ending with a letter or digit; at most 63
    /// characters.
    Dns1123Label,
    /// A DNS-1123 label that starts with a letter.
    Dns1035Label,
    /// Anything but `.`, `..`, or a name containing `/` or `%`.
    PathSegment,
}

/// The DNS limit of a subdomain, the default maximum of a name.
pub(crate) const SUBDOMAIN_MAX: usize = 253;
/// The DNS limit of one label.
pub(crate) const LABEL_MAX: usize = 63;

impl fmt::Display for NameRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            NameRule::Dns1123Subdomain { .. } => "dns-1123 subdomain",
            NameRule::Dns1123Label => "dns-1123 label",
            NameRule::Dns1035Label => "dns-1035 label",
            NameRule::PathSegment => "path segment name",
        })
    }
}

impl NameRule {
    /// `Ok` when `value` follows the rule, otherwise why not.
    pub fn check(self, value: &str) -> Result<(), String> {
        match self {
            NameRule::Dns1123Subdomain { max } => subdomain(value, max),
            NameRule::Dns1123Label => label(value, false),
            NameRule::Dns1035Label => label(value, true),
            NameRule::PathSegment => path_segment(value),
        }
    }
}

fn length(value: &str, max: usize) -> Result<(), String> {
    if value.is_empty() {
        return Err("it is empty".to_owned());
    }
    let n = value.chars().count();
    if n > max {
        return Err(format!(
            "it is {n} characters long, at most {max} are allowed"
        ));
    }
    Ok(())
}

/// The first character that is not a lowercase letter, a digit or one of `extra`.
fn bad_char(value: &str, extra: &[char]) -> Result<(), String> {
    for (i, c) in value.chars().enumerate() {
        if !(c.is_ascii_lowercase() || c.is_ascii_digit() || extra.contains(&c)) {
            let allowed = if extra.contains(&'.') {
                "lowercase letters, digits, '-' and '.'"
            } else {
                "lowercase letters, digits and '-'"
            };
            let upper = if c.is_ascii_uppercase() {
                " (names are lowercase)"
            } else {
                ""
            };
            return Err(format!(
                "{c:?} at character {} is not allowed{upper}; use only {allowed}",
                i + 1
            ));
        }
    }
    Ok(())
}

fn alnum(c: char) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit()
}

fn label(value: &str, dns1035: bool) -> Result<(), String> {
    length(value, LABEL_MAX)?;
    bad_char(value, &['-'])?;
    let first = value.chars().next().unwrap_or('-');
    let last = value.chars().last().unwrap_or('-');
    if dns1035 && !first.is_ascii_lowercase() {
        return Err("it must start with a lowercase letter".to_owned());
    }
    if !alnum(first) || !alnum(last) {
        return Err("it must start and end with a lowercase letter or digit".to_owned());
    }
    Ok(())
}

fn subdomain(value: &str, max: usize) -> Result<(), String> {
    length(value, max)?;
    bad_char(value, &['-', '.'])?;
    for part in value.split('.') {
        if part.is_empty() {
            return Err("it has an empty part between dots".to_owned());
        }
        let first = part.chars().next().unwrap_or('-');
        let last = part.chars().last().unwrap_or('-');
        if !alnum(first) || !alnum(last) {
            return Err(format!(
                "its part {part:?} must start and end with a lowercase letter or digit"
            ));
        }
    }
    Ok(())
}

fn path_segment(value: &str) -> Result<(), String> {
    if value.is_empty() {
        return Err("it is empty".to_owned());
    }
    if value == "." || value == ".." {
        return Err(format!("{value:?} is not allowed as a name"));
    }
    if let Some(c) = value.chars().find(|c| *c == '/' || *c == '%') {
        return Err(format!("it contains {c:?}, which is not allowed"));
    }
    Ok(())
}

/// Splits an `apiVersion` into group and version. The core group is written `v1` alone; every
/// other group as `group/version`, the group a DNS-1123 subdomain and the version a DNS-1035
/// label (`v1`, `v1beta1`, `v2alpha1`).
pub fn parse_api_version(api_version: &str) -> Result<(&str, &str), String> {
    match api_version.split_once('/') {
        None if api_version == "v1" => Ok(("", "v1")),
        None => Err(
            "the core group is written v1, every other group as group/version (apps/v1, flagger.app/v1beta1)"
                .to_owned(),
        ),
        Some((group, version)) => {
            if version.contains('/') {
                return Err("it has more than one '/'".to_owned());
            }
            subdomain(group, SUBDOMAIN_MAX).map_err(|e| format!("the group {group:?}: {e}"))?;
            label(version, true).map_err(|e| format!("the version {version:?}: {e}"))?;
            Ok((group, version))
        }
    }
}

/// A kind is UpperCamelCase: an ASCII capital letter, then ASCII letters and digits.
pub fn check_kind(kind: &str) -> Result<(), String> {
    let mut chars = kind.chars();
    match chars.next() {
        None => return Err("it is empty".to_owned()),
        Some(c) if !c.is_ascii_uppercase() => {
            return Err(format!(
                "it must start with a capital letter (UpperCamelCase), not {c:?}"
            ));
        }
        Some(_) => {}
    }
    if let Some((i, c)) = kind
        .chars()
        .enumerate()
        .find(|(_, c)| !c.is_ascii_alphanumeric())
    {
        return Err(format!(
            "{c:?} at character {} is not allowed; a kind is UpperCamelCase letters and digits",
            i + 1
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SUB: NameRule = NameRule::Dns1123Subdomain { max: SUBDOMAIN_MAX };

    #[test]
    fn subdomains() {
        for ok in ["api", "a", "api-v2", "v1.metrics.k8s.io", "0abc", "a-b.c-d"] {
            assert_eq!(SUB.check(ok), Ok(()), "{ok}");
        }
        let err = |v: &str| SUB.check(v).unwrap_err();
        assert_eq!(
            err("My_App"),
            "'M' at character 1 is not allowed (names are lowercase); use only lowercase letters, digits, '-' and '.'"
        );
        assert_eq!(
            err("my_app"),
            "'_' at character 3 is not allowed; use only lowercase letters, digits, '-' and '.'"
        );
        assert_eq!(err(""), "it is empty");
        assert_eq!(err("a..b"), "it has an empty part between dots");
        assert_eq!(
            err("a.-b"),
            "its part \"-b\" must start and end with a lowercase letter or digit"
        );
        assert_eq!(
            err("api-"),
            "its part \"api-\" must start and end with a lowercase letter or digit"
        );
        let long = "a".repeat(254);
        assert_eq!(
            err(&long),
            "it is 254 characters long, at most 253 are allowed"
        );
        assert_eq!(
            NameRule::Dns1123Subdomain { max: 52 }.check(&"a".repeat(53)),
            Err("it is 53 characters long, at most 52 are allowed".to_owned())
        );
    }

    #[test]
    fn labels() {
        assert_eq!(NameRule::Dns1123Label.check("0team"), Ok(()));
        assert_eq!(
            NameRule::Dns1123Label.check("team.a"),
            Err(
                "'.' at character 5 is not allowed; use only lowercase letters, digits and '-'"
                    .into()
            )
        );
        assert_eq!(
            NameRule::Dns1123Label.check(&"a".repeat(64)),
            Err("it is 64 characters long, at most 63 are allowed".into())
        );
        assert_eq!(
            NameRule::Dns1035Label.check("0api"),
            Err("it must start with a lowercase letter".into())
        );
        assert_eq!(NameRule::Dns1035Label.check("api-0"), Ok(()));
        assert_eq!(
            NameRule::Dns1035Label.check("api-"),
            Err("it must start and end with a lowercase letter or digit".into())
        );
    }

    #[test]
    fn path_segments() {
        assert_eq!(NameRule::PathSegment.check("system:controller:job"), Ok(()));
        assert_eq!(
            NameRule::PathSegment.check(".."),
            Err("\"..\" is not allowed as a name".into())
        );
        assert_eq!(
            NameRule::PathSegment.check("a/b"),
            Err("it contains '/', which is not allowed".into())
        );
    }

    #[test]
    fn api_versions() {
        assert_eq!(parse_api_version("v1"), Ok(("", "v1")));
        assert_eq!(parse_api_version("apps/v1"), Ok(("apps", "v1")));
        assert_eq!(
            parse_api_version("flagger.app/v1beta1"),
            Ok(("flagger.app", "v1beta1"))
        );
        assert!(
            parse_api_version("v2")
                .unwrap_err()
                .starts_with("the core group")
        );
        assert!(
            parse_api_version("apps")
                .unwrap_err()
                .starts_with("the core group")
        );
        assert_eq!(
            parse_api_version("a/b/c"),
            Err("it has more than one '/'".into())
        );
        assert_eq!(
            parse_api_version("Flagger.app/v1"),
            Err("the group \"Flagger.app\": 'F' at character 1 is not allowed (names are lowercase); use only lowercase letters, digits, '-' and '.'".into())
        );
        assert_eq!(
            parse_api_version("apps/1"),
            Err("the version \"1\": it must start with a lowercase letter".into())
        );
    }

    #[test]
    fn kinds() {
        assert_eq!(check_kind("Canary"), Ok(()));
        assert_eq!(check_kind("TargetGroupBinding"), Ok(()));
        assert_eq!(
            check_kind("canary"),
            Err("it must start with a capital letter (UpperCamelCase), not 'c'".into())
        );
        assert_eq!(
            check_kind("Virtual-Service"),
            Err(
                "'-' at character 8 is not allowed; a kind is UpperCamelCase letters and digits"
                    .into()
            )
        );
        assert_eq!(check_kind(""), Err("it is empty".into()));
    }
}
