//! DNS name rules shared by records, hosted zones, certificates and CloudFront aliases.

/// What a name may contain besides letters, digits and hyphens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NameKind {
    /// A host name (a certificate's names, a CloudFront alias): `*` only as the whole first
    /// label.
    Host,
    /// A record name: also `_` (`_dmarc`, DKIM selectors) and a leading `*` label.
    Record,
    /// A zone name: no wildcard, no `_`.
    Zone,
}

/// `name` in lower case without a trailing dot, or what is wrong with it.
pub(crate) fn normalize(name: &str, kind: NameKind) -> Result<String, String> {
    let trimmed = name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase();
    let problem = if trimmed.is_empty() {
        Some("is empty".to_owned())
    } else if trimmed.len() > 253 {
        Some("is longer than 253 characters".to_owned())
    } else {
        trimmed.split('.').enumerate().find_map(|(i, label)| {
            let wildcard_ok = i == 0 && kind != NameKind::Zone;
            if label == "*" && wildcard_ok {
                return None;
            }
            if label.is_empty() {
                return Some("has an empty label (two dots in a row, or a leading dot)".into());
            }
            if label.len() > 63 {
                return Some(format!("has a label longer than 63 characters (\"{label}\")"));
            }
            let underscore_ok = kind == NameKind::Record;
            if !label
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || (c == '_' && underscore_ok))
            {
                return Some(format!(
                    "has a label with characters DNS names cannot hold (\"{label}\"); use letters, digits and '-'{}",
                    if underscore_ok { " or '_'" } else { "" }
                ));
            }
            if label.starts_with('-') || label.ends_with('-') {
                return Some(format!("has a label that starts or ends with '-' (\"{label}\")"));
            }
            None
        })
    };
    match problem {
        Some(p) => Err(format!("name \"{name}\" {p}")),
        None if !trimmed.contains('.') && kind != NameKind::Zone => Err(format!(
            "name \"{name}\" is not fully qualified; give the whole name, such as \"www.example.com\""
        )),
        None => Ok(trimmed),
    }
}

/// True when `name` is `zone` or a name under it (both normalized).
pub(crate) fn is_within(name: &str, zone: &str) -> bool {
    name == zone
        || name
            .strip_suffix(zone)
            .is_some_and(|head| head.ends_with('.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(
            normalize("WWW.Example.com.", NameKind::Host).unwrap(),
            "www.example.com"
        );
        assert!(normalize("*.example.com", NameKind::Host).is_ok());
        assert!(normalize("_dmarc.example.com", NameKind::Record).is_ok());
        assert!(normalize("_dmarc.example.com", NameKind::Host).is_err());
        assert!(normalize("*.example.com", NameKind::Zone).is_err());
        assert!(normalize("a.*.example.com", NameKind::Host).is_err());
        assert!(normalize("bad..example.com", NameKind::Host).is_err());
        assert!(normalize("-x.example.com", NameKind::Host).is_err());
        assert!(normalize("www", NameKind::Host).is_err());
        assert!(normalize(&format!("{}.com", "a".repeat(64)), NameKind::Host).is_err());
        assert!(is_within("www.example.com", "example.com"));
        assert!(is_within("example.com", "example.com"));
        assert!(!is_within("badexample.com", "example.com"));
    }
}
