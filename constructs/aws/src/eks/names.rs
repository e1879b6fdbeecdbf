//! The naming rules of EKS and Kubernetes that CloudFormation would only enforce at deploy time
//! (or EKS only when a pod starts). Each function returns the problem in words, or `None`.

/// An EKS cluster name: 1 to 100 letters, digits and `-`, starting with a letter or digit
/// (CloudFormation refuses the `_` that the EKS API accepts).
pub(crate) fn cluster_name(name: &str) -> Option<String> {
    let problem = if name.is_empty() || name.len() > 100 {
        "must be 1 to 100 characters long"
    } else if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        "may contain only letters, digits and '-'"
    } else if !name.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        "must start with a letter or digit"
    } else {
        return None;
    };
    Some(format!("cluster name \"{name}\" {problem}"))
}

/// A managed node group name: 1 to 63 letters, digits, `-` and `_`, starting with a letter or
/// digit.
pub(crate) fn nodegroup_name(name: &str) -> Option<String> {
    let problem = if name.is_empty() || name.len() > 63 {
        "must be 1 to 63 characters long"
    } else if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        "may contain only letters, digits, '-' and '_'"
    } else if !name.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        "must start with a letter or digit"
    } else {
        return None;
    };
    Some(format!("node group name \"{name}\" {problem}"))
}

/// An EKS add-on name, as `aws eks describe-addon-versions` lists them: lower-case letters,
/// digits and `-` (`vpc-cni`, `aws-ebs-csi-driver`), or a marketplace name with `_`.
pub(crate) fn addon_name(name: &str) -> Option<String> {
    let valid = !name.is_empty()
        && name.len() <= 100
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
        && name.starts_with(|c: char| c.is_ascii_alphanumeric());
    (!valid).then(|| {
        format!(
            "add-on name \"{name}\" is not an EKS add-on name; names are lower-case letters, digits and '-', such as \"vpc-cni\""
        )
    })
}

/// A Kubernetes namespace: an RFC 1123 label (1 to 63 lower-case letters, digits and `-`,
/// starting and ending with a letter or digit).
pub(crate) fn namespace(name: &str) -> Option<String> {
    (!is_dns_label(name)).then(|| {
        format!(
            "namespace \"{name}\" is not a Kubernetes namespace name (1 to 63 lower-case letters, digits and '-', starting and ending with a letter or digit)"
        )
    })
}

/// A namespace in an access scope: a namespace name, or a prefix ending in `*` (`team-*`).
pub(crate) fn namespace_pattern(name: &str) -> Option<String> {
    match name.strip_suffix('*') {
        Some(prefix) if !prefix.is_empty() => {
            let valid = prefix.len() < 63
                && prefix.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
                && prefix
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
            (!valid).then(|| {
                format!(
                    "namespace pattern \"{name}\" must be a namespace prefix followed by '*', such as \"team-*\""
                )
            })
        }
        _ => namespace(name),
    }
}

/// A Kubernetes service account name: an RFC 1123 subdomain (1 to 253 lower-case letters,
/// digits, `-` and `.`, each `.`-separated part starting and ending with a letter or digit).
pub(crate) fn service_account(name: &str) -> Option<String> {
    let valid = !name.is_empty() && name.len() <= 253 && name.split('.').all(is_dns_label);
    (!valid).then(|| {
        format!(
            "service account \"{name}\" is not a Kubernetes service account name (lower-case letters, digits, '-' and '.', starting and ending with a letter or digit)"
        )
    })
}

/// A Kubernetes label or taint key: an optional DNS-subdomain prefix and `/`, then a name of 1
/// to 63 letters, digits, `-`, `_` and `.`, starting and ending with a letter or digit.
pub(crate) fn label_key(what: &str, key: &str) -> Option<String> {
    let (prefix, name) = match key.rsplit_once('/') {
        Some((prefix, name)) => (Some(prefix), name),
        None => (None, key),
    };
    let prefix_ok = prefix.is_none_or(|p| p.len() <= 253 && p.split('.').all(is_dns_label));
    (!(prefix_ok && is_label_value(name) && !name.is_empty())).then(|| {
        format!(
            "{what} key \"{key}\" is not a Kubernetes key (an optional DNS prefix and '/', then 1 to 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit)"
        )
    })
}

/// A Kubernetes label or taint value: empty, or up to 63 letters, digits, `-`, `_` and `.`,
/// starting and ending with a letter or digit.
pub(crate) fn label_value(what: &str, key: &str, value: &str) -> Option<String> {
    (!is_label_value(value)).then(|| {
        format!(
            "{what} \"{key}\" has the value \"{value}\"; values are up to 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit"
        )
    })
}

fn is_dns_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && s.starts_with(|c: char| c.is_ascii_alphanumeric())
        && s.ends_with(|c: char| c.is_ascii_alphanumeric())
}

fn is_label_value(s: &str) -> bool {
    s.is_empty()
        || (s.len() <= 63
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
            && s.starts_with(|c: char| c.is_ascii_alphanumeric())
            && s.ends_with(|c: char| c.is_ascii_alphanumeric()))
}

/// `vpc-cni` -> `VpcCni`: a readable construct id for a Kubernetes or add-on name.
pub(crate) fn pascal(name: &str) -> String {
    let mut out = String::new();
    let mut upper = true;
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(if upper { c.to_ascii_uppercase() } else { c });
            upper = false;
        } else {
            upper = true;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(cluster_name("ps-eks-production").is_none());
        assert!(cluster_name("under_score").is_some());
        assert!(cluster_name("-lead").is_some());
        assert!(cluster_name(&"x".repeat(101)).is_some());
        assert!(nodegroup_name("app_nodes-1").is_none());
        assert!(nodegroup_name("bad name").is_some());
        assert!(addon_name("vpc-cni").is_none());
        assert!(addon_name("VPC CNI").is_some());
        assert!(namespace("yelp-search").is_none());
        assert!(namespace("Yelp").is_some());
        assert!(namespace("ends-").is_some());
        assert!(namespace_pattern("team-*").is_none());
        assert!(namespace_pattern("*").is_some());
        assert!(service_account("data-jobs").is_none());
        assert!(service_account("a.b-c").is_none());
        assert!(service_account("a..b").is_some());
        assert!(label_key("label", "node.kubernetes.io/role").is_none());
        assert!(label_key("label", "role").is_none());
        assert!(label_key("label", "bad/").is_some());
        assert!(label_key("label", "a b").is_some());
        assert!(label_value("label", "k", "").is_none());
        assert!(label_value("label", "k", "v1.2_x").is_none());
        assert!(label_value("label", "k", "-x").is_some());
        assert_eq!(pascal("vpc-cni"), "VpcCni");
        assert_eq!(pascal("eks-pod-identity-agent"), "EksPodIdentityAgent");
    }
}
