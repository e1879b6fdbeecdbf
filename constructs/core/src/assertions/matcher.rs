//! Matchers: patterns a template value is compared with, and the mismatches they report.
//!
//! A pattern is JSON. Plain JSON (written with `serde_json::json!`) matches the way the AWS CDK's
//! assertions match a literal under `Match.objectLike`: objects may hold more keys than the
//! pattern (at every depth), arrays must have exactly the pattern's elements, and everything else
//! must be equal. A [`Match`] changes that for one value; it can sit anywhere inside `json!`,
//! because it serializes to a tagged object that only the matching code understands.

use serde::{Serialize, Serializer};
use serde_json::{Value as J, json};

/// The key of the tagged object a [`Match`] serializes to inside a `json!` pattern. No
/// CloudFormation template uses it, so a plain pattern can never be mistaken for a matcher.
const TAG: &str = "$cirrus::assertions::Match";

/// The longest value quoted in a mismatch, in characters; longer ones are cut with `...`.
const QUOTE_LIMIT: usize = 160;

/// A pattern for a template value, as in the AWS CDK's `Match` class.
///
/// Build one with the functions below, or convert plain JSON (`json!({..}).into()`), which
/// matches object-like. Matchers nest inside `json!`:
///
/// ```
/// use cirrus_core::assertions::Match;
/// use serde_json::json;
///
/// let pattern: Match = json!({
///     "BucketName": Match::absent(),
///     "Tags": Match::array_with(json!([{ "Key": "team", "Value": "search" }])),
/// })
/// .into();
/// let bucket = json!({ "Tags": [{ "Key": "env", "Value": "prod" }, { "Key": "team", "Value": "search" }] });
/// assert!(pattern.test(&bucket).is_empty());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Match {
    pattern: J,
}

/// One difference between a pattern and a value: where, and what was expected there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// The JSON path of the value, `/`-separated (`/Properties/Tags/0/Key`); `/` for the root.
    pub path: String,
    /// What was expected and what was found, lowercase.
    pub message: String,
}

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

impl Match {
    /// An object with at least the pattern's keys, each matching; nested plain objects are
    /// object-like too, arrays must have exactly the pattern's elements.
    ///
    /// Panics when `pattern` is not an object: that is a mistake in the test itself.
    #[track_caller]
    pub fn object_like(pattern: impl Into<Match>) -> Match {
        let pattern = pattern.into().pattern;
        assert!(
            pattern.is_object(),
            "Match::object_like takes an object pattern, got {}",
            quote(&pattern)
        );
        Match::tagged("object_like", pattern)
    }

    /// Exactly the pattern: objects with the same keys, at every depth. Matchers inside the
    /// pattern still apply (`Match::absent()` allows a key to be missing).
    pub fn exact(pattern: impl Into<Match>) -> Match {
        Match::tagged("exact", pattern.into().pattern)
    }

    /// An array holding elements that match the pattern's elements, in the same order, possibly
    /// with other elements between them. As in the AWS CDK, each element is matched exactly:
    /// wrap it in [`Match::object_like`] to match part of an object.
    ///
    /// Panics when `pattern` is not an array: that is a mistake in the test itself.
    #[track_caller]
    pub fn array_with(pattern: impl Into<Match>) -> Match {
        let pattern = pattern.into().pattern;
        assert!(
            pattern.is_array(),
            "Match::array_with takes an array pattern, got {}",
            quote(&pattern)
        );
        Match::tagged("array_with", pattern)
    }

    /// The key is missing.
    pub fn absent() -> Match {
        Match::tagged("absent", J::Null)
    }

    /// Any value but a missing key or `null`.
    pub fn any_value() -> Match {
        Match::tagged("any_value", J::Null)
    }

    /// A string containing `needle`. (The AWS CDK has `stringLikeRegexp`; this crate has no
    /// regular-expression engine, and a substring covers what template tests look for.)
    pub fn string_containing(needle: &str) -> Match {
        Match::tagged("string_containing", J::String(needle.to_owned()))
    }

    /// Anything the pattern does not match, a missing key included.
    pub fn not(pattern: impl Into<Match>) -> Match {
        Match::tagged("not", pattern.into().pattern)
    }

    /// Compares `actual` with this pattern and returns every mismatch; empty when it matches.
    pub fn test(&self, actual: &J) -> Vec<Mismatch> {
        self.test_at(Some(actual), "")
    }

    /// Compares a value that may be missing (`None`) and prefixes every mismatch path with
    /// `path`.
    pub(crate) fn test_at(&self, actual: Option<&J>, path: &str) -> Vec<Mismatch> {
        let mut out = Vec::new();
        check(&self.pattern, actual, true, path, &mut out);
        out
    }

    /// True for `Match::absent()`, which a missing section or key satisfies.
    pub(crate) fn is_absent(&self) -> bool {
        matches!(kind(&self.pattern), Kind::Absent)
    }

    /// The pattern, matchers written as `Match::...`, for messages.
    pub(crate) fn describe(&self) -> String {
        quote(&self.pattern)
    }

    fn tagged(name: &str, pattern: J) -> Match {
        Match {
            pattern: json!({ TAG: { "kind": name, "pattern": pattern } }),
        }
    }
}

impl From<J> for Match {
    /// Plain JSON: object-like at every depth, arrays element by element, leaves equal.
    fn from(pattern: J) -> Match {
        Match { pattern }
    }
}

impl From<&J> for Match {
    fn from(pattern: &J) -> Match {
        Match {
            pattern: pattern.clone(),
        }
    }
}

impl From<&str> for Match {
    /// A string equal to this one.
    fn from(pattern: &str) -> Match {
        Match {
            pattern: J::String(pattern.to_owned()),
        }
    }
}

impl Serialize for Match {
    /// The tagged form, so that a matcher can sit inside `json!`.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.pattern.serialize(serializer)
    }
}

/// What a pattern value asks for.
enum Kind<'p> {
    Literal(&'p J),
    ObjectLike(&'p J),
    Exact(&'p J),
    ArrayWith(&'p [J]),
    Absent,
    AnyValue,
    StringContaining(&'p str),
    Not(&'p J),
}

fn kind(pattern: &J) -> Kind<'_> {
    let Some(tag) = pattern
        .as_object()
        .filter(|o| o.len() == 1)
        .and_then(|o| o.get(TAG))
    else {
        return Kind::Literal(pattern);
    };
    let inner = &tag["pattern"];
    match tag["kind"].as_str() {
        Some("object_like") => Kind::ObjectLike(inner),
        Some("exact") => Kind::Exact(inner),
        Some("array_with") => Kind::ArrayWith(inner.as_array().map_or(&[], Vec::as_slice)),
        Some("absent") => Kind::Absent,
        Some("any_value") => Kind::AnyValue,
        Some("string_containing") => Kind::StringContaining(inner.as_str().unwrap_or_default()),
        Some("not") => Kind::Not(inner),
        _ => Kind::Literal(pattern),
    }
}

fn push(out: &mut Vec<Mismatch>, path: &str, message: String) {
    out.push(Mismatch {
        path: if path.is_empty() {
            "/".to_owned()
        } else {
            path.to_owned()
        },
        message,
    });
}

fn found(actual: Option<&J>) -> String {
    actual.map_or_else(|| "nothing".to_owned(), quote)
}

/// Compares `actual` with `pattern`; `partial` says whether plain objects may hold more keys.
fn check(pattern: &J, actual: Option<&J>, partial: bool, path: &str, out: &mut Vec<Mismatch>) {
    match kind(pattern) {
        Kind::Literal(p) => literal(p, actual, partial, path, out),
        Kind::ObjectLike(p) => literal(p, actual, true, path, out),
        Kind::Exact(p) => literal(p, actual, false, path, out),
        Kind::ArrayWith(elements) => array_with(elements, actual, path, out),
        Kind::Absent => {
            if let Some(a) = actual {
                push(out, path, format!("expected nothing, found {}", quote(a)));
            }
        }
        Kind::AnyValue => {
            if actual.is_none_or(J::is_null) {
                push(
                    out,
                    path,
                    format!("expected a value, found {}", found(actual)),
                );
            }
        }
        Kind::StringContaining(needle) => {
            if !actual
                .and_then(J::as_str)
                .is_some_and(|s| s.contains(needle))
            {
                push(
                    out,
                    path,
                    format!(
                        "expected a string containing {}, found {}",
                        quote(&J::String(needle.to_owned())),
                        found(actual)
                    ),
                );
            }
        }
        Kind::Not(p) => {
            let mut inner = Vec::new();
            check(p, actual, partial, path, &mut inner);
            if inner.is_empty() {
                push(
                    out,
                    path,
                    format!(
                        "expected anything but {}, found {}",
                        quote(p),
                        found(actual)
                    ),
                );
            }
        }
    }
}

fn literal(pattern: &J, actual: Option<&J>, partial: bool, path: &str, out: &mut Vec<Mismatch>) {
    let Some(actual) = actual else {
        push(
            out,
            path,
            format!("expected {}, found nothing", quote(pattern)),
        );
        return;
    };
    match (pattern, actual) {
        (J::Object(p), J::Object(a)) => {
            for (key, p) in p {
                check(p, a.get(key), partial, &format!("{path}/{key}"), out);
            }
            if !partial {
                for (key, a) in a.iter().filter(|(k, _)| !p.contains_key(*k)) {
                    push(
                        out,
                        &format!("{path}/{key}"),
                        format!("expected nothing, found {}", quote(a)),
                    );
                }
            }
        }
        (J::Object(_), _) => push(
            out,
            path,
            format!("expected an object, found {}", quote(actual)),
        ),
        (J::Array(p), J::Array(a)) => {
            if p.len() != a.len() {
                push(
                    out,
                    path,
                    format!(
                        "expected an array of {} element(s), found {}: {}",
                        p.len(),
                        a.len(),
                        quote(actual)
                    ),
                );
                return;
            }
            for (i, (p, a)) in p.iter().zip(a).enumerate() {
                check(p, Some(a), partial, &format!("{path}/{i}"), out);
            }
        }
        (J::Array(_), _) => push(
            out,
            path,
            format!("expected an array, found {}", quote(actual)),
        ),
        (p, a) => {
            if p != a {
                push(
                    out,
                    path,
                    format!("expected {}, found {}", quote(p), quote(a)),
                );
            }
        }
    }
}

/// Every pattern element matches an element of `actual`, in order. When one does not, reports
/// it and the mismatches of the closest remaining element.
fn array_with(pattern: &[J], actual: Option<&J>, path: &str, out: &mut Vec<Mismatch>) {
    let Some(items) = actual.and_then(J::as_array) else {
        push(
            out,
            path,
            format!("expected an array, found {}", found(actual)),
        );
        return;
    };
    let mut next = 0;
    for (index, element) in pattern.iter().enumerate() {
        let mut closest: Option<Vec<Mismatch>> = None;
        let mut matched = None;
        for (i, item) in items.iter().enumerate().skip(next) {
            let mut mismatches = Vec::new();
            check(
                element,
                Some(item),
                false,
                &format!("{path}/{i}"),
                &mut mismatches,
            );
            if mismatches.is_empty() {
                matched = Some(i);
                break;
            }
            if closest.as_ref().is_none_or(|c| mismatches.len() < c.len()) {
                closest = Some(mismatches);
            }
        }
        match matched {
            Some(i) => next = i + 1,
            None => {
                let position = if next == 0 {
                    String::new()
                } else {
                    format!(" after element {}", next - 1)
                };
                push(
                    out,
                    path,
                    format!(
                        "no element{position} matches array_with element {index}: {}",
                        quote(element)
                    ),
                );
                if let Some(closest) = closest {
                    out.extend(closest);
                }
                return;
            }
        }
    }
}

/// A value as compact JSON, matchers written as `Match::...(..)`, cut when long.
pub(crate) fn quote(value: &J) -> String {
    let text = spell(value);
    if text.chars().count() > QUOTE_LIMIT {
        let cut: String = text.chars().take(QUOTE_LIMIT).collect();
        format!("{cut}...")
    } else {
        text
    }
}

/// `value` as compact JSON, with every tagged matcher written the way it is built in Rust.
fn spell(value: &J) -> String {
    let list = |items: &[J]| items.iter().map(spell).collect::<Vec<_>>().join(",");
    match kind(value) {
        Kind::Literal(J::Object(map)) => {
            let entries: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{}:{}", J::String(k.clone()), spell(v)))
                .collect();
            format!("{{{}}}", entries.join(","))
        }
        Kind::Literal(J::Array(items)) => format!("[{}]", list(items)),
        Kind::Literal(other) => other.to_string(),
        Kind::ObjectLike(p) => format!("Match::object_like({})", spell(p)),
        Kind::Exact(p) => format!("Match::exact({})", spell(p)),
        Kind::ArrayWith(items) => format!("Match::array_with([{}])", list(items)),
        Kind::Absent => "Match::absent()".to_owned(),
        Kind::AnyValue => "Match::any_value()".to_owned(),
        Kind::StringContaining(s) => {
            format!("Match::string_containing({})", J::String(s.to_owned()))
        }
        Kind::Not(p) => format!("Match::not({})", spell(p)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(pattern: impl Into<Match>, actual: &J) -> Vec<String> {
        pattern
            .into()
            .test(actual)
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn plain_json_is_object_like_at_every_depth_and_exact_for_leaves() {
        let actual = json!({ "A": 1, "B": { "C": "x", "D": true }, "E": [1, 2] });
        assert!(messages(json!({ "B": { "C": "x" } }), &actual).is_empty());
        assert!(messages(json!({}), &actual).is_empty());
        assert_eq!(
            messages(json!({ "B": { "C": "y" }, "F": 1 }), &actual),
            [
                r#"/B/C: expected "y", found "x""#,
                "/F: expected 1, found nothing"
            ]
        );
        assert_eq!(
            messages(json!({ "A": "1" }), &actual),
            [r#"/A: expected "1", found 1"#]
        );
    }

    #[test]
    fn plain_arrays_need_every_element_in_order() {
        let actual = json!({ "E": [{ "K": 1, "V": 2 }, { "K": 3 }] });
        assert!(messages(json!({ "E": [{ "K": 1 }, {}] }), &actual).is_empty());
        assert_eq!(
            messages(json!({ "E": [{ "K": 1 }] }), &actual),
            [r#"/E: expected an array of 1 element(s), found 2: [{"K":1,"V":2},{"K":3}]"#]
        );
        assert_eq!(
            messages(json!({ "E": [{ "K": 3 }, { "K": 1 }] }), &actual),
            ["/E/0/K: expected 3, found 1", "/E/1/K: expected 1, found 3"]
        );
        assert_eq!(
            messages(json!({ "E": { "K": 1 } }), &actual),
            [r#"/E: expected an object, found [{"K":1,"V":2},{"K":3}]"#]
        );
    }

    #[test]
    fn object_like_at_the_root_is_the_plain_meaning() {
        let actual = json!({ "A": { "B": 1, "C": 2 } });
        assert!(messages(Match::object_like(json!({ "A": { "B": 1 } })), &actual).is_empty());
        assert_eq!(
            messages(Match::object_like(json!({ "A": 1 })), &json!("text")),
            [r#"/: expected an object, found "text""#]
        );
    }

    #[test]
    #[should_panic(expected = "Match::object_like takes an object pattern, got [1]")]
    fn object_like_of_a_non_object_is_a_mistake_in_the_test() {
        Match::object_like(json!([1]));
    }

    #[test]
    fn exact_rejects_extra_keys_at_every_depth_but_honours_absent() {
        let actual = json!({ "A": { "B": 1, "C": 2 }, "D": 3 });
        assert!(
            messages(
                Match::exact(json!({ "A": { "B": 1, "C": 2 }, "D": 3, "E": Match::absent() })),
                &actual
            )
            .is_empty()
        );
        assert_eq!(
            messages(Match::exact(json!({ "A": { "B": 1 }, "D": 3 })), &actual),
            ["/A/C: expected nothing, found 2"]
        );
        // Inside an exact pattern, an explicit object-like matcher is partial again.
        assert!(
            messages(
                Match::exact(json!({ "A": Match::object_like(json!({ "B": 1 })), "D": 3 })),
                &actual
            )
            .is_empty()
        );
        // Exact nested in a plain pattern is exact for that value only.
        assert_eq!(
            messages(json!({ "A": Match::exact(json!({ "B": 1 })) }), &actual),
            ["/A/C: expected nothing, found 2"]
        );
    }

    #[test]
    fn array_with_finds_a_subsequence_with_exact_elements() {
        let actual = json!({ "Tags": [
            { "Key": "a", "Value": "1" },
            { "Key": "b", "Value": "2" },
            { "Key": "c", "Value": "3" }
        ] });
        let tags = |p: J| json!({ "Tags": Match::array_with(p) });
        assert!(
            messages(
                tags(json!([{ "Key": "a", "Value": "1" }, { "Key": "c", "Value": "3" }])),
                &actual
            )
            .is_empty()
        );
        assert!(messages(tags(json!([])), &actual).is_empty());
        // Elements are exact, as in the AWS CDK: a partial object needs object_like.
        assert_eq!(
            messages(tags(json!([{ "Key": "b" }])), &actual),
            [
                r#"/Tags: no element matches array_with element 0: {"Key":"b"}"#,
                r#"/Tags/1/Value: expected nothing, found "2""#
            ]
        );
        assert!(
            messages(
                tags(json!([Match::object_like(json!({ "Key": "b" }))])),
                &actual
            )
            .is_empty()
        );
        // Order matters: "a" does not come after "c".
        assert_eq!(
            messages(
                tags(json!([
                    { "Key": "c", "Value": "3" },
                    { "Key": "a", "Value": "1" }
                ])),
                &actual
            ),
            [
                r#"/Tags: no element after element 2 matches array_with element 1: {"Key":"a","Value":"1"}"#
            ]
        );
        // The closest element is the one with the fewest mismatches.
        assert_eq!(
            messages(tags(json!([{ "Key": "c", "Value": "4" }])), &actual),
            [
                r#"/Tags: no element matches array_with element 0: {"Key":"c","Value":"4"}"#,
                r#"/Tags/2/Value: expected "4", found "3""#
            ]
        );
        assert_eq!(
            messages(tags(json!([1])), &json!({ "Tags": "x" })),
            [r#"/Tags: expected an array, found "x""#]
        );
        assert_eq!(
            messages(tags(json!([1])), &json!({})),
            ["/Tags: expected an array, found nothing"]
        );
    }

    #[test]
    fn absent_any_value_string_containing_and_not() {
        let actual = json!({ "A": "arn:aws:s3:::logs", "N": null });
        assert!(messages(json!({ "B": Match::absent() }), &actual).is_empty());
        assert_eq!(
            messages(json!({ "A": Match::absent() }), &actual),
            [r#"/A: expected nothing, found "arn:aws:s3:::logs""#]
        );
        assert!(messages(json!({ "A": Match::any_value() }), &actual).is_empty());
        assert_eq!(
            messages(
                json!({ "N": Match::any_value(), "B": Match::any_value() }),
                &actual
            ),
            [
                "/N: expected a value, found null",
                "/B: expected a value, found nothing"
            ]
        );
        assert!(messages(json!({ "A": Match::string_containing(":s3:") }), &actual).is_empty());
        assert_eq!(
            messages(
                json!({ "A": Match::string_containing(":sqs:"), "N": Match::string_containing("x") }),
                &actual
            ),
            [
                r#"/A: expected a string containing ":sqs:", found "arn:aws:s3:::logs""#,
                r#"/N: expected a string containing "x", found null"#
            ]
        );
        assert!(messages(json!({ "A": Match::not("x") }), &actual).is_empty());
        assert!(messages(json!({ "B": Match::not("x") }), &actual).is_empty());
        assert_eq!(
            messages(
                json!({ "A": Match::not(Match::string_containing("s3")) }),
                &actual
            ),
            [
                r#"/A: expected anything but Match::string_containing("s3"), found "arn:aws:s3:::logs""#
            ]
        );
    }

    #[test]
    fn matchers_read_as_rust_in_messages_and_long_values_are_cut() {
        assert_eq!(
            messages(
                json!({ "A": [Match::absent(), Match::any_value()] }),
                &json!({ "A": [] })
            ),
            [r#"/A: expected an array of 2 element(s), found 0: []"#]
        );
        assert_eq!(
            quote(&json!({ "A": [Match::absent(), Match::array_with(json!([1]))] })),
            r#"{"A":[Match::absent(),Match::array_with([1])]}"#
        );
        assert_eq!(quote(&Match::any_value().pattern), "Match::any_value()");
        assert_eq!(
            quote(&Match::not(Match::exact(json!({ "A": Match::absent() }))).pattern),
            r#"Match::not(Match::exact({"A":Match::absent()}))"#
        );
        let long = quote(&J::String("x".repeat(500)));
        assert_eq!(long.len(), QUOTE_LIMIT + 3);
        assert!(long.ends_with("..."));
    }

    #[test]
    fn a_plain_object_with_the_tag_key_among_others_is_literal() {
        let pattern = json!({ TAG: { "kind": "absent" }, "B": 1 });
        assert_eq!(
            messages(pattern, &json!({ "B": 1 })),
            [format!(
                r#"/{TAG}: expected {{"kind":"absent"}}, found nothing"#
            )]
        );
    }
}
