//! Firehose's rules for the S3 key prefixes of a delivery stream, checked before deployment:
//! Firehose itself only reports a broken prefix when the stream is created.

/// Which prefix is being checked: the two accept different expressions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PrefixKind {
    /// `Prefix`: where delivered records go.
    Data,
    /// `ErrorOutputPrefix`: where records that failed go.
    Error,
}

impl PrefixKind {
    fn field(self) -> &'static str {
        match self {
            PrefixKind::Data => "prefix",
            PrefixKind::Error => "error_output_prefix",
        }
    }
}

/// The longest prefix Firehose accepts.
const MAX_LEN: usize = 1024;

/// The `!{namespace:value}` expressions of a prefix, or what is wrong with their syntax.
fn expressions(prefix: &str) -> Result<Vec<(&str, &str)>, String> {
    let mut out = Vec::new();
    let mut rest = prefix;
    while let Some(start) = rest.find("!{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            return Err("has an expression \"!{\" without its closing \"}\"".to_owned());
        };
        let body = &after[..end];
        let Some((namespace, value)) = body.split_once(':') else {
            return Err(format!(
                "has the expression \"!{{{body}}}\", which is not of the form !{{namespace:value}}"
            ));
        };
        out.push((namespace, value));
        rest = &after[end + 1..];
    }
    Ok(out)
}

/// True when the prefix holds at least one `!{...}` expression.
pub(crate) fn has_expressions(prefix: &str) -> bool {
    prefix.contains("!{")
}

/// What is wrong with `prefix` as a prefix of `kind`, in words for a diagnostic.
pub(crate) fn problems(prefix: &str, kind: PrefixKind) -> Vec<String> {
    let field = kind.field();
    let mut out = Vec::new();
    if prefix.len() > MAX_LEN {
        out.push(format!(
            "{field} is {} characters long; Firehose accepts at most {MAX_LEN}",
            prefix.len()
        ));
    }
    if prefix.starts_with('/') {
        out.push(format!(
            "{field} \"{prefix}\" starts with '/', which gives every object key an empty first folder"
        ));
    }
    let expressions = match expressions(prefix) {
        Ok(found) => found,
        Err(problem) => {
            out.push(format!("{field} \"{prefix}\" {problem}"));
            return out;
        }
    };
    let mut error_type = false;
    for (namespace, value) in expressions {
        match namespace {
            "timestamp" if value.is_empty() => out.push(format!(
                "{field} \"{prefix}\" has an empty !{{timestamp:}} expression; give a date pattern such as yyyy/MM/dd"
            )),
            "timestamp" => {}
            "firehose" => match value {
                "random-string" => {}
                "error-output-type" if kind == PrefixKind::Error => error_type = true,
                "error-output-type" => out.push(format!(
                    "{field} \"{prefix}\" uses !{{firehose:error-output-type}}, which only the error output prefix may use"
                )),
                other => out.push(format!(
                    "{field} \"{prefix}\" uses !{{firehose:{other}}}; the firehose namespace has only error-output-type and random-string"
                )),
            },
            "partitionKeyFromQuery" | "partitionKeyFromLambda" => out.push(format!(
                "{field} \"{prefix}\" uses !{{{namespace}:{value}}}, which needs dynamic partitioning; this construct does not enable it"
            )),
            other => out.push(format!(
                "{field} \"{prefix}\" uses the unknown namespace \"{other}\"; Firehose knows timestamp and firehose"
            )),
        }
    }
    if kind == PrefixKind::Error && has_expressions(prefix) && !error_type {
        out.push(format!(
            "{field} \"{prefix}\" has expressions but no !{{firehose:error-output-type}}, so failures of different kinds would land together"
        ));
    }
    out
}

/// The fixed folder a prefix's objects are under: everything up to the last `/` before its
/// first expression.
pub(crate) fn fixed_folder(prefix: &str) -> &str {
    let fixed = prefix.find("!{").map_or(prefix, |i| &prefix[..i]);
    fixed.rfind('/').map_or("", |i| &fixed[..=i])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good_prefixes_pass() {
        assert!(
            problems(
                "logs/year=!{timestamp:yyyy}/month=!{timestamp:MM}/",
                PrefixKind::Data
            )
            .is_empty()
        );
        assert!(
            problems(
                "errors/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/",
                PrefixKind::Error
            )
            .is_empty()
        );
        assert!(problems("plain/", PrefixKind::Error).is_empty());
        assert!(problems("", PrefixKind::Data).is_empty());
    }

    #[test]
    fn bad_prefixes_are_named() {
        let cases = [
            ("/logs/", PrefixKind::Data, "starts with '/'"),
            (
                "logs/!{timestamp:yyyy",
                PrefixKind::Data,
                "without its closing",
            ),
            ("logs/!{yyyy}/", PrefixKind::Data, "not of the form"),
            (
                "logs/!{timestamp:}/",
                PrefixKind::Data,
                "empty !{timestamp:}",
            ),
            (
                "logs/!{firehose:error-output-type}/",
                PrefixKind::Data,
                "only the error output prefix",
            ),
            (
                "logs/!{partitionKeyFromQuery:id}/",
                PrefixKind::Data,
                "dynamic partitioning",
            ),
            ("logs/!{date:yyyy}/", PrefixKind::Data, "unknown namespace"),
            (
                "errors/!{timestamp:yyyy}/",
                PrefixKind::Error,
                "no !{firehose:error-output-type}",
            ),
            (
                "errors/!{firehose:type}/",
                PrefixKind::Error,
                "only error-output-type and random-string",
            ),
        ];
        for (prefix, kind, needle) in cases {
            let found = problems(prefix, kind);
            assert!(
                found.iter().any(|p| p.contains(needle)),
                "{prefix}: {found:?}"
            );
        }
        assert!(
            problems(&"a".repeat(1025), PrefixKind::Data)[0].contains("at most 1024"),
            "length"
        );
    }

    #[test]
    fn fixed_folders() {
        assert_eq!(fixed_folder("logs/year=!{timestamp:yyyy}/"), "logs/");
        assert_eq!(fixed_folder("logs/"), "logs/");
        assert_eq!(fixed_folder("logs/app-"), "logs/");
        assert_eq!(fixed_folder("logs-!{timestamp:yyyy}/"), "");
        assert_eq!(fixed_folder("!{timestamp:yyyy}/"), "");
    }
}
