//! Values that only documentation uses, found in what `deploy` is about to deploy: the address
//! ranges reserved for documentation (RFC 5737, RFC 3849), the domains reserved for examples
//! (RFC 2606 and RFC 6761: `example.com`, `.example`, `.invalid`, `.test`), the account ids of
//! the AWS documentation, and hosted zone ids written as a counting placeholder.
//!
//! Why at `deploy` and not at `synth`: the committed example apps must keep synthesizing with
//! them (reviewers read their output), but a real account must never receive them. An admin
//! range of `203.0.113.0/24` admits nobody, a certificate for `shop.example.com` never
//! validates, and CloudFormation would only fail (or, worse, succeed) long after the start.
//! Descriptions are not searched: they may mention an example on purpose.

use std::net::{Ipv4Addr, Ipv6Addr};

use serde_json::Value as J;

/// One example value, where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ExampleValue {
    /// `<stack>: <logical id>.<property path>` or `<file>`.
    pub(crate) at: String,
    /// The text found.
    pub(crate) value: String,
    /// Why it is an example.
    pub(crate) why: &'static str,
}

impl std::fmt::Display for ExampleValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {} ({})", self.at, self.value, self.why)
    }
}

/// The example values of a template: in its parameters' defaults, its resources' properties
/// and its outputs, descriptions aside.
pub(crate) fn in_template(stack: &str, template: &J) -> Vec<ExampleValue> {
    let mut out = Vec::new();
    for section in ["Parameters", "Resources", "Outputs"] {
        if let Some(entries) = template.get(section).and_then(J::as_object) {
            for (id, entry) in entries {
                walk(entry, &format!("{stack}: {id}"), &mut out);
            }
        }
    }
    out
}

/// The example values of a file the runner deploys (Kubernetes objects, Helm values).
pub(crate) fn in_text(file: &str, text: &str) -> Vec<ExampleValue> {
    let mut out = Vec::new();
    for line in text.lines() {
        let content = line.split('#').next().unwrap_or_default();
        check(content, file, &mut out);
    }
    out
}

fn walk(value: &J, at: &str, out: &mut Vec<ExampleValue>) {
    match value {
        J::String(text) => check(text, at, out),
        J::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                walk(item, &format!("{at}[{i}]"), out);
            }
        }
        J::Object(map) => {
            for (key, item) in map {
                if !key.ends_with("Description") {
                    walk(item, &format!("{at}.{key}"), out);
                }
            }
        }
        _ => {}
    }
}

/// Looks at every word of `text`: runs of the characters that addresses, names and ids are
/// made of.
fn check(text: &str, at: &str, out: &mut Vec<ExampleValue>) {
    let words = text.split(|c: char| !(c.is_ascii_alphanumeric() || ".:/-_".contains(c)));
    for word in words.filter(|w| !w.is_empty()) {
        if let Some(why) = example(word) {
            out.push(ExampleValue {
                at: at.to_owned(),
                value: word.to_owned(),
                why,
            });
        }
    }
}

/// Why `word` is an example value, if it is one.
fn example(word: &str) -> Option<&'static str> {
    let address = word.split('/').next().unwrap_or(word);
    if let Ok(ip) = address.parse::<Ipv4Addr>() {
        let [a, b, c, _] = ip.octets();
        if matches!((a, b, c), (192, 0, 2) | (198, 51, 100) | (203, 0, 113)) {
            return Some("an address range reserved for documentation, RFC 5737");
        }
        return None;
    }
    if let Ok(ip) = address.parse::<Ipv6Addr>() {
        let [a, b, ..] = ip.segments();
        return (a == 0x2001 && b == 0x0db8)
            .then_some("an address range reserved for documentation, RFC 3849");
    }
    let name = word
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .split(['/', ':'])
        .next()
        .unwrap_or_default()
        .trim_end_matches('.')
        .to_ascii_lowercase();
    let labels: Vec<&str> = name.split('.').collect();
    if labels.len() >= 2 && labels.iter().all(|l| !l.is_empty()) {
        let last = labels[labels.len() - 1];
        let second = labels[labels.len() - 2];
        if matches!(last, "example" | "invalid" | "test")
            || (second == "example" && matches!(last, "com" | "net" | "org"))
        {
            return Some("a domain reserved for examples, RFC 2606");
        }
    }
    if matches!(word, "123456789012" | "111122223333" | "444455556666") {
        return Some("an account id of the AWS documentation");
    }
    if word.len() >= 12 && word.starts_with('Z') && word.contains("0123456789") {
        return Some("a counting placeholder, not a hosted zone id");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn documentation_values_are_found_where_they_are() {
        let template = json!({
            "Parameters": {"Admin": {"Type": "String", "Default": "203.0.113.0/24"}},
            "Resources": {
                "Cluster": {"Properties": {"ResourcesVpcConfig": {"PublicAccessCidrs": ["198.51.100.7/32", "10.0.0.0/8"]}}},
                "Cert": {"Properties": {"DomainName": "shop.example.com", "Description": "for shop.example.com"}},
                "Record": {"Properties": {"HostedZoneId": "Z0123456789ABCDEFGHIJ", "Name": "api.example."}},
                "Url": {"Properties": {"Value": "https://api.yelp-search.example.invalid/v1"}},
                "Peer": {"Properties": {"PeerOwnerId": "111122223333", "CidrIpv6": "2001:db8::/32"}}
            }
        });
        let mut found: Vec<String> = in_template("S", &template)
            .iter()
            .map(|e| format!("{}={}", e.at, e.value))
            .collect();
        found.sort();
        assert_eq!(
            found,
            [
                "S: Admin.Default=203.0.113.0/24",
                "S: Cert.Properties.DomainName=shop.example.com",
                "S: Cluster.Properties.ResourcesVpcConfig.PublicAccessCidrs[0]=198.51.100.7/32",
                "S: Peer.Properties.CidrIpv6=2001:db8::/32",
                "S: Peer.Properties.PeerOwnerId=111122223333",
                "S: Record.Properties.HostedZoneId=Z0123456789ABCDEFGHIJ",
                "S: Record.Properties.Name=api.example.",
                "S: Url.Properties.Value=https://api.yelp-search.example.invalid/v1",
            ]
        );
    }

    #[test]
    fn real_values_are_not_examples() {
        let template = json!({
            "Resources": {
                "A": {"Properties": {
                    "Cidr": "10.0.0.0/16", "Ip": "203.0.114.1", "Name": "shop.examples.com",
                    "Zone": "Z2FDTNDATAQYW2", "Account": "210987654321", "Host": "api.example.co.uk",
                    "Arn": "arn:aws:s3:::my-bucket/test", "Ipv6": "2001:db9::/32"
                }}
            }
        });
        assert_eq!(in_template("S", &template), []);
    }

    #[test]
    fn kubernetes_files_are_read_without_their_comments() {
        let yaml = "# the domain, e.g. podinfo.example.com\nspec:\n  virtualHost:\n    domains:\n    - podinfo.test.example.com\n";
        let found = in_text("P-Cluster-Kubernetes-Gateway.yaml", yaml);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].value, "podinfo.test.example.com");
    }
}
