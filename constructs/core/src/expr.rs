//! Typed expressions: [`Expr<T>`] is either a literal `T` or an intrinsic function whose result
//! is a `T`.
//!
//! The AWS CDK encodes references as strings with hidden tokens; a typo or a list passed where a
//! string is expected shows up at deploy time. Here the type says what an expression yields, so
//! `fns::select(0, fns::get_azs(""))` is an `Expr<String>` and passing a string where a list is
//! expected does not compile.

use std::collections::BTreeMap;
use std::marker::PhantomData;

use crate::intrinsic::{Intrinsic, Pseudo};
use crate::tree::ElementRef;
use crate::value::{ToValue, Value};

/// A literal list whose items are expressions. `Expr<List<T>>` is a list-typed expression: a
/// literal list, or a function that yields a list (`Fn::GetAZs`, `Fn::Split`, ...).
pub type List<T> = Vec<Expr<T>>;

/// A literal string-keyed map whose values are expressions, ordered by key.
pub type Map<T> = BTreeMap<String, Expr<T>>;

/// A value of type `T`: a literal, or an intrinsic function that yields a `T`.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr<T> {
    repr: Repr<T>,
}

#[derive(Debug, Clone, PartialEq)]
enum Repr<T> {
    Lit(T),
    Fn(Box<Intrinsic>, PhantomData<fn() -> T>),
}

impl<T> Expr<T> {
    /// A literal value.
    pub fn lit(value: T) -> Self {
        Expr {
            repr: Repr::Lit(value),
        }
    }

    /// An expression from an untyped intrinsic. This is an escape hatch: the caller asserts that
    /// the function yields a `T`. Prefer the typed constructors in [`crate::fns`].
    pub fn from_intrinsic(f: Intrinsic) -> Self {
        Expr {
            repr: Repr::Fn(Box::new(f), PhantomData),
        }
    }

    /// The literal, when this is one.
    pub fn as_literal(&self) -> Option<&T> {
        match &self.repr {
            Repr::Lit(v) => Some(v),
            Repr::Fn(..) => None,
        }
    }

    /// The literal, mutably, when this is one.
    pub fn as_literal_mut(&mut self) -> Option<&mut T> {
        match &mut self.repr {
            Repr::Lit(v) => Some(v),
            Repr::Fn(..) => None,
        }
    }

    /// The intrinsic function, when this is one.
    pub fn as_intrinsic(&self) -> Option<&Intrinsic> {
        match &self.repr {
            Repr::Lit(_) => None,
            Repr::Fn(f, _) => Some(f),
        }
    }

    /// `Fn::GetAtt` of an attribute of `target`. Generated attribute accessors call this; the
    /// attribute name is checked there, by the compiler.
    pub fn get_att(target: ElementRef, attribute: &str) -> Self {
        Self::from_intrinsic(Intrinsic::GetAtt {
            target,
            attribute: attribute.to_owned(),
            list: false,
        })
    }

    /// `Ref` to `target`.
    pub fn reference(target: ElementRef) -> Self {
        Self::from_intrinsic(Intrinsic::Ref(target))
    }
}

impl<T: ToValue> ToValue for Expr<T> {
    fn to_value(&self) -> Value {
        match &self.repr {
            Repr::Lit(v) => v.to_value(),
            Repr::Fn(f, _) => Value::Fn(f.clone()),
        }
    }
}

impl<T: ToValue> From<Expr<T>> for Value {
    fn from(expr: Expr<T>) -> Self {
        expr.to_value()
    }
}

impl From<&str> for Expr<String> {
    fn from(s: &str) -> Self {
        Expr::lit(s.to_owned())
    }
}

impl From<String> for Expr<String> {
    fn from(s: String) -> Self {
        Expr::lit(s)
    }
}

impl From<&String> for Expr<String> {
    fn from(s: &String) -> Self {
        Expr::lit(s.clone())
    }
}

impl From<i64> for Expr<i64> {
    fn from(i: i64) -> Self {
        Expr::lit(i)
    }
}

impl From<i32> for Expr<i64> {
    fn from(i: i32) -> Self {
        Expr::lit(i.into())
    }
}

impl From<u32> for Expr<i64> {
    fn from(i: u32) -> Self {
        Expr::lit(i.into())
    }
}

impl From<f64> for Expr<f64> {
    fn from(f: f64) -> Self {
        Expr::lit(f)
    }
}

impl From<i32> for Expr<f64> {
    fn from(i: i32) -> Self {
        Expr::lit(i.into())
    }
}

impl From<bool> for Expr<bool> {
    fn from(b: bool) -> Self {
        Expr::lit(b)
    }
}

impl From<Value> for Expr<Value> {
    fn from(v: Value) -> Self {
        Expr::lit(v)
    }
}

impl From<serde_json::Value> for Expr<Value> {
    fn from(v: serde_json::Value) -> Self {
        Expr::lit(Value::from(v))
    }
}

impl<T, U: Into<Expr<T>>> From<Vec<U>> for Expr<List<T>> {
    fn from(items: Vec<U>) -> Self {
        Expr::lit(items.into_iter().map(Into::into).collect())
    }
}

impl<T, U: Into<Expr<T>>, const N: usize> From<[U; N]> for Expr<List<T>> {
    fn from(items: [U; N]) -> Self {
        Expr::lit(items.into_iter().map(Into::into).collect())
    }
}

impl<T, K: Into<String>, U: Into<Expr<T>>> From<BTreeMap<K, U>> for Expr<Map<T>> {
    fn from(items: BTreeMap<K, U>) -> Self {
        Expr::lit(
            items
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        )
    }
}

impl<T> Expr<List<T>> {
    /// `Fn::GetAtt` of a list attribute of `target`. Generated accessors of list attributes
    /// call this.
    pub fn get_att_list(target: ElementRef, attribute: &str) -> Self {
        Self::from_intrinsic(Intrinsic::GetAtt {
            target,
            attribute: attribute.to_owned(),
            list: true,
        })
    }
}

macro_rules! as_string {
    ($($ty:ty),*) => {$(
        impl Expr<$ty> {
            /// The value as a string, for `Fn::Sub`, `Fn::Join` and string properties:
            /// CloudFormation turns numbers and booleans into their text where a string is
            /// expected, and a literal is formatted the same way here.
            pub fn as_string(&self) -> Expr<String> {
                match &self.repr {
                    Repr::Lit(v) => match v.to_value() {
                        Value::Int(i) => Expr::lit(i.to_string()),
                        Value::Float(f) => Expr::lit(f.to_string()),
                        Value::Bool(b) => Expr::lit(b.to_string()),
                        other => Expr::lit(format!("{other:?}")),
                    },
                    Repr::Fn(f, _) => Expr::from_intrinsic((**f).clone()),
                }
            }
        }
    )*};
}

as_string!(i64, f64, bool);

/// Implements `From<T> for Expr<T>` for property types, so a literal converts with `.into()`.
/// Generated code calls it for every property struct and enum.
#[macro_export]
macro_rules! literal_expr {
    ($($ty:ty),* $(,)?) => {
        $(impl ::core::convert::From<$ty> for $crate::Expr<$ty> {
            fn from(value: $ty) -> Self {
                $crate::Expr::lit(value)
            }
        })*
    };
}

/// The intrinsic functions, typed. Where CloudFormation requires a literal (the delimiter of
/// `Fn::Join`, the template of `Fn::Sub`) the argument is a plain string.
pub mod fns {
    use super::{Expr, List};
    use crate::intrinsic::{Intrinsic, Pseudo};
    use crate::value::ToValue;

    /// `Fn::Join`: the items of `list` with `delimiter` between them.
    pub fn join(delimiter: &str, list: impl Into<Expr<List<String>>>) -> Expr<String> {
        Expr::from_intrinsic(Intrinsic::Join {
            delimiter: delimiter.to_owned(),
            list: list.into().to_value(),
        })
    }

    /// `Fn::Sub`: substitutes `${Name}` in `template` with the variable of that name. Pseudo
    /// parameters (`${AWS::Region}`) need no variable; `${!Text}` stands for a literal `${Text}`.
    /// A placeholder without a variable, or a variable the template does not use, is a synth
    /// error naming both.
    ///
    /// ```
    /// # use cirrus_core::{fns, Expr};
    /// let bucket_name: Expr<String> = "logs".into();
    /// let arn = fns::sub("arn:${AWS::Partition}:s3:::${Bucket}/*", [("Bucket", bucket_name)]);
    /// ```
    pub fn sub<'n>(
        template: &str,
        vars: impl IntoIterator<Item = (&'n str, Expr<String>)>,
    ) -> Expr<String> {
        Expr::from_intrinsic(Intrinsic::Sub {
            template: template.to_owned(),
            vars: vars
                .into_iter()
                .map(|(name, value)| (name.to_owned(), value.to_value()))
                .collect(),
        })
    }

    /// `Fn::Select`: the item at `index` (zero-based) of `list`.
    pub fn select<T: ToValue>(
        index: impl Into<Expr<i64>>,
        list: impl Into<Expr<List<T>>>,
    ) -> Expr<T> {
        Expr::from_intrinsic(Intrinsic::Select {
            index: index.into().to_value(),
            list: list.into().to_value(),
        })
    }

    /// `Fn::Split`: `source` cut at every `delimiter`.
    pub fn split(delimiter: &str, source: impl Into<Expr<String>>) -> Expr<List<String>> {
        Expr::from_intrinsic(Intrinsic::Split {
            delimiter: delimiter.to_owned(),
            source: source.into().to_value(),
        })
    }

    /// `Fn::GetAZs`: the availability zones of `region`; `""` means the stack's region.
    pub fn get_azs(region: impl Into<Expr<String>>) -> Expr<List<String>> {
        Expr::from_intrinsic(Intrinsic::GetAzs(region.into().to_value()))
    }

    /// `Fn::ImportValue`: the value another stack exported under `export_name`. References
    /// between stacks of the same app need none of this: they are exported and imported
    /// automatically.
    pub fn import_value(export_name: impl Into<Expr<String>>) -> Expr<String> {
        Expr::from_intrinsic(Intrinsic::ImportValue(export_name.into().to_value()))
    }

    /// `Fn::If`: `then` when `condition` holds, `otherwise` if not.
    pub fn if_<T: ToValue>(
        condition: crate::Condition<'_>,
        then: impl Into<Expr<T>>,
        otherwise: impl Into<Expr<T>>,
    ) -> Expr<T> {
        Expr::from_intrinsic(Intrinsic::If {
            condition: condition.element(),
            then: then.into().to_value(),
            otherwise: otherwise.into().to_value(),
        })
    }

    /// `Fn::Base64`: `value` encoded in base64 (EC2 user data).
    pub fn base64(value: impl Into<Expr<String>>) -> Expr<String> {
        Expr::from_intrinsic(Intrinsic::Base64(value.into().to_value()))
    }

    /// `Fn::Cidr`: `count` CIDR blocks of `cidr_bits` host bits each, carved from `ip_block`.
    pub fn cidr(
        ip_block: impl Into<Expr<String>>,
        count: impl Into<Expr<i64>>,
        cidr_bits: impl Into<Expr<i64>>,
    ) -> Expr<List<String>> {
        Expr::from_intrinsic(Intrinsic::Cidr {
            ip_block: ip_block.into().to_value(),
            count: count.into().to_value(),
            cidr_bits: cidr_bits.into().to_value(),
        })
    }

    /// `Fn::ValueOfAll`: `attribute` of every value of the stack's parameters of the
    /// AWS-specific `parameter_type` (`AWS::EC2::Subnet::Id`, ...). Only in rules; anywhere
    /// else it is a synth error.
    pub fn value_of_all(parameter_type: &str, attribute: &str) -> Expr<List<String>> {
        Expr::from_intrinsic(Intrinsic::ValueOfAll {
            parameter_type: parameter_type.to_owned(),
            attribute: attribute.to_owned(),
        })
    }

    /// `Fn::RefAll`: every value of the stack's parameters of the AWS-specific
    /// `parameter_type`. Only in rules; anywhere else it is a synth error.
    pub fn ref_all(parameter_type: &str) -> Expr<List<String>> {
        Expr::from_intrinsic(Intrinsic::RefAll(parameter_type.to_owned()))
    }

    /// `Ref: AWS::NoValue`: removes the property, typically as one branch of [`if_`].
    pub fn no_value<T>() -> Expr<T> {
        Expr::from_intrinsic(Intrinsic::Pseudo(Pseudo::NoValue))
    }
}

/// The pseudo parameters, typed.
pub mod pseudo {
    use super::{Expr, List, Pseudo};
    use crate::intrinsic::Intrinsic;

    fn pseudo<T>(p: Pseudo) -> Expr<T> {
        Expr::from_intrinsic(Intrinsic::Pseudo(p))
    }

    /// `AWS::AccountId`.
    pub fn account_id() -> Expr<String> {
        pseudo(Pseudo::AccountId)
    }

    /// `AWS::NotificationARNs`.
    pub fn notification_arns() -> Expr<List<String>> {
        pseudo(Pseudo::NotificationArns)
    }

    /// `AWS::Partition`.
    pub fn partition() -> Expr<String> {
        pseudo(Pseudo::Partition)
    }

    /// `AWS::Region`.
    pub fn region() -> Expr<String> {
        pseudo(Pseudo::Region)
    }

    /// `AWS::StackId`.
    pub fn stack_id() -> Expr<String> {
        pseudo(Pseudo::StackId)
    }

    /// `AWS::StackName`.
    pub fn stack_name() -> Expr<String> {
        pseudo(Pseudo::StackName)
    }

    /// `AWS::URLSuffix`.
    pub fn url_suffix() -> Expr<String> {
        pseudo(Pseudo::UrlSuffix)
    }
}
