//! The size IAM counts a policy document at, estimated at synthesis, so that grants that
//! accumulate past a quota fail `synth` with a hint instead of failing the deploy.
//!
//! IAM counts the characters of a document without whitespace ("IAM and AWS STS quotas", AWS
//! Identity and Access Management User Guide): a role's inline policies together up to 10,240,
//! a managed policy up to 6,144, a role's trust policy up to 2,048 by default (4,096 on
//! request). CloudFormation resolves the intrinsic functions first, so those are counted as
//! what they become: a pseudo parameter as its longest value, a reference as an ARN of
//! [`REFERENCE`] characters. The estimate errs long only where an ARN is shorter than that.

use cirrus_core::{Intrinsic, Pseudo, Value};

/// A role's inline policies together.
pub(crate) const INLINE_QUOTA: usize = 10_240;
/// One managed policy.
pub(crate) const MANAGED_QUOTA: usize = 6_144;
/// A role's trust policy, by default.
pub(crate) const TRUST_QUOTA: usize = 2_048;

/// What a reference to a resource (`Ref`, `Fn::GetAtt`, `${Resource.Arn}`) is counted as: an
/// ARN of a typical length (`arn:aws:s3:::<stack name>-<logical id>-<suffix>` is 60 to 90).
const REFERENCE: usize = 80;

/// The characters IAM would count for `value`, a policy document as rendered.
pub(crate) fn chars(value: &Value) -> usize {
    match value {
        Value::Null => 4,
        Value::Bool(b) => {
            if *b {
                4
            } else {
                5
            }
        }
        Value::Int(i) => i.to_string().len(),
        Value::Float(f) => f.to_string().len(),
        Value::String(s) => quoted(non_whitespace(s)),
        Value::Array(items) => {
            2 + items.iter().map(chars).sum::<usize>() + items.len().saturating_sub(1)
        }
        Value::Object(map) => {
            2 + map
                .iter()
                .map(|(k, v)| quoted(k.len()) + 1 + chars(v))
                .sum::<usize>()
                + map.len().saturating_sub(1)
        }
        Value::Fn(intrinsic) => quoted(resolved(intrinsic)),
    }
}

/// The characters of `s` that are not whitespace (as `char::is_whitespace` says). Every role
/// is checked at every synthesis, so the ASCII strings policies are made of are counted by
/// byte, without decoding.
fn non_whitespace(s: &str) -> usize {
    if s.is_ascii() {
        s.bytes()
            .filter(|b| !matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r'))
            .count()
    } else {
        s.chars().filter(|c| !c.is_whitespace()).count()
    }
}

fn quoted(len: usize) -> usize {
    len + 2
}

/// The length of the string an intrinsic becomes, estimated.
fn resolved(intrinsic: &Intrinsic) -> usize {
    match intrinsic {
        Intrinsic::Pseudo(pseudo) => pseudo_len(pseudo),
        Intrinsic::Sub { template, vars } => {
            let mut len = 0;
            let mut rest = template.as_str();
            while let Some(start) = rest.find("${") {
                len += rest[..start].chars().filter(|c| !c.is_whitespace()).count();
                let after = &rest[start + 2..];
                let Some(end) = after.find('}') else {
                    len += after.len() + 2;
                    rest = "";
                    break;
                };
                let name = &after[..end];
                len += match vars.iter().find(|(n, _)| n == name) {
                    Some((_, value)) => chars(value).saturating_sub(2),
                    None => match name {
                        "AWS::Partition" => "aws-iso-b".len(),
                        "AWS::Region" => "ap-southeast-5".len(),
                        "AWS::AccountId" => 12,
                        "AWS::URLSuffix" => "amazonaws.com.cn".len(),
                        "AWS::StackName" => 64,
                        _ => REFERENCE,
                    },
                };
                rest = &after[end + 1..];
            }
            len + rest.chars().filter(|c| !c.is_whitespace()).count()
        }
        Intrinsic::Join {
            delimiter,
            list: Value::Array(items),
        } => {
            items
                .iter()
                .map(|i| chars(i).saturating_sub(2))
                .sum::<usize>()
                + delimiter.len() * items.len().saturating_sub(1)
        }
        _ => REFERENCE,
    }
}

fn pseudo_len(pseudo: &Pseudo) -> usize {
    match pseudo {
        Pseudo::AccountId => 12,
        Pseudo::Region => "ap-southeast-5".len(),
        Pseudo::Partition => "aws-iso-b".len(),
        Pseudo::UrlSuffix => "amazonaws.com.cn".len(),
        _ => 64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_documents_count_as_iam_counts_them() {
        let text = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}"#;
        let json: serde_json::Value = serde_json::from_str(text).unwrap();
        assert_eq!(chars(&Value::from(json)), text.len());
    }

    #[test]
    fn ascii_whitespace_is_skipped_as_char_is_whitespace_says() {
        let ascii: String = (0u8..0x80).map(char::from).collect();
        for text in [ascii.as_str(), "a b\u{85}c\u{a0}d\u{3000}é"] {
            let expected = text.chars().filter(|c| !c.is_whitespace()).count();
            assert_eq!(non_whitespace(text), expected, "{text:?}");
        }
    }

    #[test]
    fn intrinsics_count_as_what_they_become() {
        let sub = Value::Fn(Box::new(Intrinsic::Sub {
            template: "arn:${AWS::Partition}:s3:::b/*".into(),
            vars: Vec::new(),
        }));
        // "arn:aws-iso-b:s3:::b/*" with its quotes.
        assert_eq!(chars(&sub), "arn:aws-iso-b:s3:::b/*".len() + 2);
    }
}
