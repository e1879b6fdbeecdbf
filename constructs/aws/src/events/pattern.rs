//! `EventPattern`: which events a rule matches.

use cirrus_core::{Expr, ToValue, Value};
use indexmap::IndexMap;

/// An event pattern. Every field that is set must match; within a field, any of the values.
/// `detail` is matched as EventBridge matches it: an object whose leaves are arrays of
/// acceptable values (or of content filters such as `{"prefix": "refs/"}`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EventPattern {
    /// The event sources (`aws.codecommit`). Default: any.
    pub source: Vec<String>,
    /// The detail types (`CodeCommit Repository State Change`). Default: any.
    pub detail_type: Vec<String>,
    /// The ARNs of the resources the event is about. Default: any.
    pub resources: Vec<Expr<String>>,
    /// The accounts the event comes from. Default: any.
    pub account: Vec<Expr<String>>,
    /// The regions the event comes from. Default: any.
    pub region: Vec<Expr<String>>,
    /// What the event's `detail` must hold. Default: anything.
    pub detail: Option<Value>,
}

impl EventPattern {
    /// True when nothing is set: such a pattern is refused by EventBridge.
    pub(crate) fn is_empty(&self) -> bool {
        self.source.is_empty()
            && self.detail_type.is_empty()
            && self.resources.is_empty()
            && self.account.is_empty()
            && self.region.is_empty()
            && self.detail.is_none()
    }

    /// What EventBridge would refuse in the pattern.
    pub(crate) fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.is_empty() {
            out.push("an event pattern needs at least one field to match".to_owned());
        }
        if let Some(detail) = &self.detail {
            match detail {
                Value::Object(fields) if !fields.is_empty() => {
                    check_leaves(fields, "detail", &mut out);
                }
                _ => {
                    out.push("the pattern's detail must be an object of fields to match".to_owned())
                }
            }
        }
        out
    }
}

/// Every leaf of a pattern object must be an array of values; nested objects match nested
/// fields.
fn check_leaves(fields: &IndexMap<String, Value>, path: &str, out: &mut Vec<String>) {
    for (name, value) in fields {
        let here = format!("{path}.{name}");
        match value {
            Value::Array(items) if items.is_empty() => out.push(format!(
                "the pattern field {here} is an empty array, which matches nothing"
            )),
            Value::Array(_) | Value::Fn(_) => {}
            Value::Object(inner) if !inner.is_empty() => check_leaves(inner, &here, out),
            _ => out.push(format!(
                "the pattern field {here} must be an array of values to match (write [\"{}\"])",
                match value {
                    Value::String(s) => s.clone(),
                    other => other.kind().to_owned(),
                }
            )),
        }
    }
}

impl ToValue for EventPattern {
    fn to_value(&self) -> Value {
        let strings = |items: &[String]| {
            Value::Array(items.iter().map(|s| Value::String(s.clone())).collect())
        };
        let exprs =
            |items: &[Expr<String>]| Value::Array(items.iter().map(ToValue::to_value).collect());
        let mut out = IndexMap::new();
        if !self.source.is_empty() {
            out.insert("source".to_owned(), strings(&self.source));
        }
        if !self.detail_type.is_empty() {
            out.insert("detail-type".to_owned(), strings(&self.detail_type));
        }
        if !self.account.is_empty() {
            out.insert("account".to_owned(), exprs(&self.account));
        }
        if !self.region.is_empty() {
            out.insert("region".to_owned(), exprs(&self.region));
        }
        if !self.resources.is_empty() {
            out.insert("resources".to_owned(), exprs(&self.resources));
        }
        if let Some(detail) = &self.detail {
            out.insert("detail".to_owned(), detail.clone());
        }
        Value::Object(out)
    }
}
