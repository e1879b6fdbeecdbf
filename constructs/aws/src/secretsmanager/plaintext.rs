//! Recognising a secret about to be written in plain text: into a template, a CodeBuild
//! environment variable or a pipeline action's configuration, where anyone who can read the
//! stack can read it.

/// Parts of a word that make a variable or parameter name look like it holds a secret
/// (`DBPASSWORD` as well as `DB_PASSWORD`).
const SECRET_PARTS: &[&str] = &[
    "SECRET",
    "PASSWORD",
    "PASSWD",
    "TOKEN",
    "APIKEY",
    "CREDENTIAL",
];

/// Whole words that do the same (`KEY`, but not `MONKEY`).
const SECRET_WORDS: &[&str] = &["KEY", "PWD", "PASS", "PRIVATE"];

/// Last words that name something about a secret that is not the secret itself
/// (`KMS_KEY_ARN`, `SECRET_NAME`, `TOKEN_URL`).
const REFERENCE_WORDS: &[&str] = &[
    "ARN", "NAME", "ID", "ALIAS", "PATH", "FILE", "URL", "URI", "REF", "REGION", "PREFIX",
    "SUFFIX", "TYPE", "LENGTH",
];

/// Prefixes of well-known credentials.
const CREDENTIAL_PREFIXES: &[(&str, &str)] = &[
    ("AKIA", "an AWS access key id"),
    ("ASIA", "an AWS temporary access key id"),
    ("ghp_", "a GitHub token"),
    ("github_pat_", "a GitHub token"),
    ("glpat-", "a GitLab token"),
    ("xoxb-", "a Slack token"),
    ("xoxp-", "a Slack token"),
];

/// Why `name = value` looks like a secret written in plain text, if it does: the name says so
/// (`DB_PASSWORD`, `NPM_TOKEN`), or the value is a well-known credential or a private key.
pub(crate) fn plaintext_secret_problem(name: &str, value: &str) -> Option<String> {
    if value.contains("-----BEGIN") && value.contains("PRIVATE KEY") {
        return Some(format!("\"{name}\" holds a private key"));
    }
    for &(prefix, what) in CREDENTIAL_PREFIXES {
        if value.starts_with(prefix) && value.len() >= prefix.len() + 16 {
            return Some(format!("\"{name}\" holds what looks like {what}"));
        }
    }
    let words = words(name);
    let last_is_reference = words
        .last()
        .is_some_and(|w| REFERENCE_WORDS.contains(&w.as_str()));
    let secret_word = words
        .iter()
        .find(|w| SECRET_WORDS.contains(&w.as_str()) || SECRET_PARTS.iter().any(|p| w.contains(p)))
        .filter(|_| !last_is_reference && !value.is_empty());
    secret_word
        .map(|w| format!("\"{name}\" is named like a secret ({w}) and has a plain-text value"))
}

/// The words of a name, upper-cased: split at anything but letters and digits, and where a
/// lower-case letter is followed by an upper-case one (`GitHubToken`).
fn words(name: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut previous_lower = false;
    for c in name.chars() {
        let boundary = !c.is_ascii_alphanumeric() || (c.is_ascii_uppercase() && previous_lower);
        if boundary && !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
        if c.is_ascii_alphanumeric() {
            current.push(c.to_ascii_uppercase());
        }
        previous_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::plaintext_secret_problem;

    #[test]
    fn secret_names_and_values_are_recognised() {
        for (name, value) in [
            ("DB_PASSWORD", "hunter2"),
            ("npm-token", "abc"),
            ("API_KEY", "x"),
            ("GitHubToken", "x"),
            ("DBPASSWORD", "x"),
            ("SOMETHING", "AKIAIOSFODNN7EXAMPLE"),
            ("CERT", "-----BEGIN RSA PRIVATE KEY-----\nMII"),
        ] {
            assert!(
                plaintext_secret_problem(name, value).is_some(),
                "{name}={value}"
            );
        }
        for (name, value) in [
            ("KMS_KEY_ARN", "arn:aws:kms:..."),
            ("SECRET_NAME", "prod/db"),
            ("IMAGE_TAG", "v1"),
            ("CLUSTER_NAME", "yelp-search"),
            ("TOKEN_URL", "https://example.com/token"),
            ("API_URL", "https://api.example.com"),
            ("MONKEY_COUNT", "3"),
            ("BUCKET_KEY_PREFIX", "site/"),
        ] {
            assert!(
                plaintext_secret_problem(name, value).is_none(),
                "{name}={value}"
            );
        }
    }
}
