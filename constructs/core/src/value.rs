//! [`Value`]: a JSON tree whose nodes may be CloudFormation intrinsic functions.
//!
//! Everything a template holds (resource properties, outputs, metadata, policies) is first
//! rendered into a `Value`. References in it are typed ([`Intrinsic`] holds element handles, not
//! strings), so the resolve pass can map them to logical ids, record dependency edges and turn
//! references across stacks into exports before anything is serialized.

use std::collections::BTreeMap;

use indexmap::IndexMap;

use crate::intrinsic::Intrinsic;

/// A JSON value that may contain intrinsic functions.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Value {
    /// JSON `null`.
    #[default]
    Null,
    /// JSON boolean.
    Bool(bool),
    /// An integral JSON number.
    Int(i64),
    /// A JSON number with a fraction. Must be finite.
    Float(f64),
    /// JSON string.
    String(String),
    /// JSON array.
    Array(Vec<Value>),
    /// JSON object; keys keep their insertion order.
    Object(IndexMap<String, Value>),
    /// An intrinsic function (`Ref`, `Fn::GetAtt`, `Fn::Sub`, ...).
    Fn(Box<Intrinsic>),
}

impl Value {
    /// An empty object.
    pub fn object() -> Value {
        Value::Object(IndexMap::new())
    }

    /// The object's fields, when this is an object.
    pub fn as_object(&self) -> Option<&IndexMap<String, Value>> {
        match self {
            Value::Object(map) => Some(map),
            _ => None,
        }
    }

    /// The object's fields, mutably, when this is an object.
    pub fn as_object_mut(&mut self) -> Option<&mut IndexMap<String, Value>> {
        match self {
            Value::Object(map) => Some(map),
            _ => None,
        }
    }

    /// The string, when this is a literal string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// A short name of the JSON kind, for messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Int(_) | Value::Float(_) => "a number",
            Value::String(_) => "a string",
            Value::Array(_) => "an array",
            Value::Object(_) => "an object",
            Value::Fn(_) => "an intrinsic function",
        }
    }
}

impl From<serde_json::Value> for Value {
    fn from(value: serde_json::Value) -> Self {
        match value {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(b),
            serde_json::Value::Number(n) => match n.as_i64() {
                Some(i) => Value::Int(i),
                None => Value::Float(n.as_f64().unwrap_or(0.0)),
            },
            serde_json::Value::String(s) => Value::String(s),
            serde_json::Value::Array(items) => {
                Value::Array(items.into_iter().map(Value::from).collect())
            }
            serde_json::Value::Object(map) => {
                Value::Object(map.into_iter().map(|(k, v)| (k, Value::from(v))).collect())
            }
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.to_owned())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Self {
        Value::Int(i)
    }
}

impl From<i32> for Value {
    fn from(i: i32) -> Self {
        Value::Int(i.into())
    }
}

impl From<f64> for Value {
    fn from(f: f64) -> Self {
        f.to_value()
    }
}

impl From<Intrinsic> for Value {
    fn from(f: Intrinsic) -> Self {
        Value::Fn(Box::new(f))
    }
}

impl<T: Into<Value>> From<Vec<T>> for Value {
    fn from(items: Vec<T>) -> Self {
        Value::Array(items.into_iter().map(Into::into).collect())
    }
}

/// Builds a [`Value`] in JSON syntax. Literals are written as in JSON; any other expression
/// (an [`crate::Expr`], a variable, a method call) goes in parentheses and converts with
/// `Value::from`, so references can sit inside raw JSON:
///
/// ```
/// # use cirrus_core::{value, Expr, Value};
/// let arn: Expr<String> = "arn:aws:s3:::logs".into();
/// let statement = value!({
///     "Effect": "Allow",
///     "Action": ["s3:GetObject"],
///     "Resource": (arn),
///     "Condition": {"Bool": {"aws:SecureTransport": "true"}}
/// });
/// assert_eq!(statement.as_object().unwrap()["Effect"], Value::from("Allow"));
/// ```
#[macro_export]
macro_rules! value {
    (null) => {
        $crate::Value::Null
    };
    ([ $($item:tt),* $(,)? ]) => {
        $crate::Value::Array(::std::vec![ $( $crate::value!($item) ),* ])
    };
    ({ $($key:literal : $item:tt),* $(,)? }) => {
        $crate::Value::Object(
            ::std::iter::IntoIterator::into_iter([
                $( (::std::string::String::from($key), $crate::value!($item)) ),*
            ])
            .collect(),
        )
    };
    ($other:expr) => {
        $crate::Value::from($other)
    };
}

/// Renders a typed value into a [`Value`]. Implemented by literals, expressions and every
/// generated property type.
pub trait ToValue {
    /// The value as it goes into the template, before references are resolved.
    fn to_value(&self) -> Value;
}

impl ToValue for Value {
    fn to_value(&self) -> Value {
        self.clone()
    }
}

impl ToValue for serde_json::Value {
    fn to_value(&self) -> Value {
        Value::from(self.clone())
    }
}

impl ToValue for String {
    fn to_value(&self) -> Value {
        Value::String(self.clone())
    }
}

impl ToValue for str {
    fn to_value(&self) -> Value {
        Value::String(self.to_owned())
    }
}

impl ToValue for bool {
    fn to_value(&self) -> Value {
        Value::Bool(*self)
    }
}

impl ToValue for i64 {
    fn to_value(&self) -> Value {
        Value::Int(*self)
    }
}

impl ToValue for f64 {
    fn to_value(&self) -> Value {
        if self.fract() == 0.0 && self.abs() < 9.0e15 {
            // CloudFormation reads `5` and `5.0` alike; the integral form is what people write.
            #[allow(clippy::cast_possible_truncation)]
            Value::Int(*self as i64)
        } else {
            Value::Float(*self)
        }
    }
}

impl<T: ToValue> ToValue for Vec<T> {
    fn to_value(&self) -> Value {
        Value::Array(self.iter().map(ToValue::to_value).collect())
    }
}

impl<T: ToValue> ToValue for BTreeMap<String, T> {
    fn to_value(&self) -> Value {
        Value::Object(
            self.iter()
                .map(|(k, v)| (k.clone(), v.to_value()))
                .collect(),
        )
    }
}

impl<T: ToValue> ToValue for IndexMap<String, T> {
    fn to_value(&self) -> Value {
        Value::Object(
            self.iter()
                .map(|(k, v)| (k.clone(), v.to_value()))
                .collect(),
        )
    }
}

impl<T: ToValue + ?Sized> ToValue for &T {
    fn to_value(&self) -> Value {
        (**self).to_value()
    }
}

impl<T: ToValue + ?Sized> ToValue for Box<T> {
    fn to_value(&self) -> Value {
        (**self).to_value()
    }
}

/// Builds a CloudFormation object field by field, leaving out unset optional fields. Generated
/// property types render themselves with it.
#[derive(Debug, Default)]
pub struct ObjectBuilder {
    fields: IndexMap<String, Value>,
}

impl ObjectBuilder {
    /// An empty object.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets a required field.
    pub fn field<T: ToValue + ?Sized>(&mut self, name: &str, value: &T) -> &mut Self {
        self.fields.insert(name.to_owned(), value.to_value());
        self
    }

    /// Sets an optional field when it has a value.
    pub fn optional<T: ToValue>(&mut self, name: &str, value: &Option<T>) -> &mut Self {
        if let Some(value) = value {
            self.fields.insert(name.to_owned(), value.to_value());
        }
        self
    }

    /// The finished object.
    pub fn build(&mut self) -> Value {
        Value::Object(std::mem::take(&mut self.fields))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_round_trip_keeps_order_and_kinds() {
        let json = serde_json::json!({"b": 1, "a": [true, null, 1.5, "x"]});
        let value = Value::from(json);
        let keys: Vec<_> = value.as_object().unwrap().keys().cloned().collect();
        assert_eq!(keys, ["b", "a"]);
        assert_eq!(
            value.as_object().unwrap()["a"],
            Value::Array(vec![
                Value::Bool(true),
                Value::Null,
                Value::Float(1.5),
                Value::String("x".into())
            ])
        );
    }

    #[test]
    fn builder_skips_unset_optionals() {
        let mut b = ObjectBuilder::new();
        b.field("Name", "x").optional::<String>("Other", &None);
        assert_eq!(b.build(), Value::from(serde_json::json!({"Name": "x"})));
    }

    #[test]
    fn value_macro() {
        let name = "x".to_owned();
        let v = crate::value!({"a": [1, true, null, "s"], "b": {}, "c": (name), "d": []});
        assert_eq!(
            v,
            Value::from(serde_json::json!({"a": [1, true, null, "s"], "b": {}, "c": "x", "d": []}))
        );
    }

    #[test]
    fn integral_floats_render_as_integers() {
        assert_eq!(5.0f64.to_value(), Value::Int(5));
        assert_eq!(0.5f64.to_value(), Value::Float(0.5));
    }
}
