//! CloudFormation names to Rust names: `VPCId` -> `vpc_id`, `SSEAlgorithm` -> `SseAlgorithm`,
//! `Type` -> `type_`, `aws:kms` -> `AwsKms`.
//!
//! The mapping is spelled out here, rule by rule, because generated names are public API: a
//! change in this file renames fields users write. Every rule has a test.

/// Spellings that the word-splitting rules below would cut in the wrong place (`IPv6` would
/// become `i_pv6`). Matched case-sensitively at a word start and kept as one word.
const WHOLE_WORDS: &[&str] = &["IPv4", "IPv6"];

/// Splits a CloudFormation name into words.
///
/// - Characters other than ASCII letters and digits separate words (`aws:kms`, `t2.micro`).
/// - A lower-case letter or digit followed by an upper-case letter starts a word (`BucketName`,
///   `Ipv6Cidr`).
/// - In a run of capitals, the last one starts a word when a lower-case letter follows
///   (`VPCId` -> `VPC`, `Id`), except for a plural `s` that ends the run (`SubnetIDs` ->
///   `Subnet`, `IDs`).
/// - Digits stay with the word before them (`S3Bucket` -> `S3`, `Bucket`).
pub fn words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if !c.is_ascii_alphanumeric() {
            flush(&mut out, &mut cur);
            i += 1;
            continue;
        }
        if cur.is_empty() || starts_word(&chars, i) {
            if let Some(word) = whole_word_at(&chars, i) {
                flush(&mut out, &mut cur);
                out.push(word.to_owned());
                i += word.len();
                continue;
            }
        }
        if !cur.is_empty() && starts_word(&chars, i) {
            flush(&mut out, &mut cur);
        }
        cur.push(c);
        i += 1;
    }
    flush(&mut out, &mut cur);
    out
}

fn flush(out: &mut Vec<String>, cur: &mut String) {
    if !cur.is_empty() {
        out.push(std::mem::take(cur));
    }
}

/// Whether `chars[i]` starts a new word, given that a word is in progress before it.
fn starts_word(chars: &[char], i: usize) -> bool {
    if i == 0 {
        return true;
    }
    let prev = chars[i - 1];
    let c = chars[i];
    let next = chars.get(i + 1).copied();
    if !prev.is_ascii_alphanumeric() {
        return true;
    }
    if !c.is_ascii_uppercase() {
        return false;
    }
    if prev.is_ascii_lowercase() || prev.is_ascii_digit() {
        return true;
    }
    // `prev` is upper case: a run of capitals. The last capital before a lower-case letter
    // starts the next word, unless that letter is a plural `s` closing the run.
    match next {
        Some(n) if n.is_ascii_lowercase() => !is_plural_s(chars, i + 1),
        _ => false,
    }
}

/// Whether `chars[i]` is an `s` that pluralizes the capitals before it (`IDs`, `ARNs`): it is
/// not followed by another lower-case letter.
fn is_plural_s(chars: &[char], i: usize) -> bool {
    chars[i] == 's'
        && i >= 2
        && chars[i - 1].is_ascii_uppercase()
        && chars[i - 2].is_ascii_uppercase()
        && !chars.get(i + 1).is_some_and(char::is_ascii_lowercase)
}

fn whole_word_at(chars: &[char], i: usize) -> Option<&'static str> {
    WHOLE_WORDS.iter().copied().find(|w| {
        let end = i + w.len();
        end <= chars.len()
            && chars[i..end].iter().copied().eq(w.chars())
            && !chars.get(end).is_some_and(char::is_ascii_lowercase)
    })
}

/// Rust keywords (strict, reserved and the 2024 edition's `gen`), which get a trailing `_`.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "static", "struct", "super", "trait", "true", "try", "type", "typeof",
    "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// A field, method or module name: `VPCId` -> `vpc_id`, `Type` -> `type_`. Dotted attribute
/// names join their parts: `CertificateAuthority.Data` -> `certificate_authority_data`.
pub fn snake_case(name: &str) -> String {
    let mut out = words(name)
        .iter()
        .map(|w| w.to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join("_");
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    if KEYWORDS.contains(&out.as_str()) {
        out.push('_');
    }
    out
}

/// A type name: `SSEAlgorithm` -> `SseAlgorithm`, `VPC` -> `Vpc`.
pub fn camel_case(name: &str) -> String {
    let mut out = String::new();
    for word in words(name) {
        let starts_with_digit = word.starts_with(|c: char| c.is_ascii_digit());
        if starts_with_digit && out.ends_with(|c: char| c.is_ascii_digit()) {
            // `1.0` must not read as `10`.
            out.push('_');
        }
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            out.extend(chars.map(|c| c.to_ascii_lowercase()));
        }
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'V');
    }
    if out == "Self" {
        out.push('_');
    }
    out
}

/// An enum variant for an allowed value: `aws:kms` -> `AwsKms`, `t2.micro` -> `T2Micro`,
/// `1.0` -> `V1_0`. Empty when the value has no letters or digits.
pub fn variant(value: &str) -> String {
    camel_case(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_case_splits_acronyms() {
        let cases = [
            ("VPCId", "vpc_id"),
            ("VpcId", "vpc_id"),
            ("SSEAlgorithm", "sse_algorithm"),
            ("KMSMasterKeyID", "kms_master_key_id"),
            ("BucketName", "bucket_name"),
            ("DBClusterIdentifier", "db_cluster_identifier"),
            ("TopicARN", "topic_arn"),
            ("HTTPSPort", "https_port"),
            ("MaxTTL", "max_ttl"),
            ("Arn", "arn"),
        ];
        for (from, to) in cases {
            assert_eq!(snake_case(from), to, "{from}");
        }
    }

    #[test]
    fn snake_case_keeps_digits_with_the_word_before() {
        let cases = [
            ("S3Bucket", "s3_bucket"),
            ("Ipv6CidrBlock", "ipv6_cidr_block"),
            ("Route53", "route53"),
            ("EC2InstanceId", "ec2_instance_id"),
            ("Http2Enabled", "http2_enabled"),
            ("Base64Encoded", "base64_encoded"),
        ];
        for (from, to) in cases {
            assert_eq!(snake_case(from), to, "{from}");
        }
    }

    #[test]
    fn snake_case_handles_plurals_and_whole_words() {
        let cases = [
            ("SubnetIDs", "subnet_ids"),
            ("ARNs", "arns"),
            ("SecurityGroupIDsEnabled", "security_group_ids_enabled"),
            ("IPv6Address", "ipv6_address"),
            (
                "AssignIPv6AddressOnCreation",
                "assign_ipv6_address_on_creation",
            ),
            ("IPv4Pool", "ipv4_pool"),
            // A capital run followed by a word starting with `s` is not a plural.
            ("DNSServers", "dns_servers"),
            ("ACLs", "acls"),
        ];
        for (from, to) in cases {
            assert_eq!(snake_case(from), to, "{from}");
        }
    }

    #[test]
    fn snake_case_joins_dotted_attribute_names() {
        assert_eq!(
            snake_case("CertificateAuthority.Data"),
            "certificate_authority_data"
        );
        assert_eq!(snake_case("Endpoint.Address"), "endpoint_address");
    }

    #[test]
    fn keywords_get_a_trailing_underscore() {
        assert_eq!(snake_case("Type"), "type_");
        assert_eq!(snake_case("Match"), "match_");
        assert_eq!(snake_case("Ref"), "ref_");
        assert_eq!(snake_case("Async"), "async_");
        assert_eq!(snake_case("Types"), "types");
        assert_eq!(camel_case("Self"), "Self_");
    }

    #[test]
    fn camel_case_type_names() {
        let cases = [
            ("SSEAlgorithm", "SseAlgorithm"),
            ("VPC", "Vpc"),
            ("VPCEndpoint", "VpcEndpoint"),
            ("EIP", "Eip"),
            ("BucketEncryption", "BucketEncryption"),
            ("IPv6CidrBlock", "Ipv6CidrBlock"),
            ("S3Origin", "S3Origin"),
        ];
        for (from, to) in cases {
            assert_eq!(camel_case(from), to, "{from}");
        }
    }

    #[test]
    fn variants_from_allowed_values() {
        let cases = [
            ("AES256", "Aes256"),
            ("aws:kms", "AwsKms"),
            ("aws:kms:dsse", "AwsKmsDsse"),
            ("Enabled", "Enabled"),
            ("t2.micro", "T2Micro"),
            (
                "dualstack-without-public-ipv4",
                "DualstackWithoutPublicIpv4",
            ),
            ("ON_DEMAND", "OnDemand"),
            ("HTTP2", "Http2"),
            ("1.0", "V1_0"),
            ("10", "V10"),
            ("application/json", "ApplicationJson"),
            ("*", ""),
        ];
        for (from, to) in cases {
            assert_eq!(variant(from), to, "{from}");
        }
    }
}
