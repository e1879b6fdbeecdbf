//! Template parameters, typed: a string parameter yields `Expr<String>`, a number parameter
//! `Expr<f64>`, a list parameter `Expr<List<String>>`.
//!
//! Constraints that cannot apply to a type are not fields of its props, and the default value
//! is checked against the constraints at synth time instead of at deploy time.

use std::fmt;
use std::marker::PhantomData;

use indexmap::IndexMap;

use crate::codes;
use crate::construct::{Construct, Node};
use crate::diagnostics::ErrorCode;
use crate::expr::{Expr, List};
use crate::intrinsic::Intrinsic;
use crate::tree::{NodeKind, ParameterData};
use crate::value::{ToValue, Value};

/// A handle to a template parameter whose value is a `T`.
pub struct Parameter<'a, T> {
    node: Node<'a>,
    _type: PhantomData<fn() -> T>,
}

impl<T> Clone for Parameter<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Parameter<'_, T> {}

impl<T> fmt::Debug for Parameter<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Parameter({})", self.node.path())
    }
}

impl<'a, T> Construct<'a> for Parameter<'a, T> {
    fn node(&self) -> Node<'a> {
        self.node
    }
}

impl<T> Parameter<'_, T> {
    /// The parameter's value (`Ref`).
    pub fn value(&self) -> Expr<T> {
        Expr::reference(self.node.element())
    }

    /// `Fn::ValueOf`: `attribute` of the value of this AWS-specific parameter, e.g. the
    /// `VpcId` of an `AWS::EC2::Subnet::Id` parameter; for a list parameter, the attribute of
    /// each value. Only in rules; anywhere else it is a synth error.
    pub fn value_of(&self, attribute: &str) -> Expr<T> {
        Expr::from_intrinsic(Intrinsic::ValueOf {
            parameter: self.node.element(),
            attribute: attribute.to_owned(),
        })
    }
}

/// What a string parameter holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum StringType {
    /// `String`.
    #[default]
    String,
    /// An AWS-specific type that CloudFormation validates against the account, such as
    /// `AWS::EC2::VPC::Id` or `AWS::EC2::KeyPair::KeyName`.
    Aws(String),
    /// `AWS::SSM::Parameter::Value<String>`: the default is the name of an SSM parameter whose
    /// value CloudFormation reads at deploy time.
    SsmValue,
}

/// A `String` parameter (or an AWS-specific string type).
#[derive(Debug, Clone, Default, PartialEq, Eq, cirrus_derive::Setters)]
pub struct StringParameterProps {
    /// The parameter type. Default: `String`.
    pub param_type: StringType,
    /// Shown in the console. Default: none.
    pub description: Option<String>,
    /// Used when no value is given at deploy time. Default: none (a value is required).
    pub default: Option<String>,
    /// The only values accepted. Default: any.
    pub allowed_values: Vec<String>,
    /// A regular expression the value must match. Default: any.
    pub allowed_pattern: Option<String>,
    /// Minimum length. Default: none.
    pub min_length: Option<u32>,
    /// Maximum length. Default: none.
    pub max_length: Option<u32>,
    /// Shown when a constraint fails. Default: none.
    pub constraint_description: Option<String>,
    /// Mask the value in the console and API (`NoEcho`). Default: `false`.
    pub no_echo: bool,
}

/// A `Number` parameter.
#[derive(Debug, Clone, Default, PartialEq, cirrus_derive::Setters)]
pub struct NumberParameterProps {
    /// Shown in the console. Default: none.
    pub description: Option<String>,
    /// Used when no value is given at deploy time. Default: none (a value is required).
    pub default: Option<f64>,
    /// The only values accepted. Default: any.
    pub allowed_values: Vec<f64>,
    /// Smallest value accepted. Default: none.
    pub min_value: Option<f64>,
    /// Largest value accepted. Default: none.
    pub max_value: Option<f64>,
    /// Shown when a constraint fails. Default: none.
    pub constraint_description: Option<String>,
    /// Mask the value in the console and API (`NoEcho`). Default: `false`.
    pub no_echo: bool,
}

/// What the items of a list parameter are.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum ListType {
    /// `CommaDelimitedList`: strings.
    #[default]
    CommaDelimited,
    /// `List<Number>`.
    Number,
    /// `List<AWS-type>`, such as `AWS::EC2::Subnet::Id`.
    Aws(String),
}

/// A list parameter: `CommaDelimitedList`, `List<Number>` or `List<AWS-type>`.
#[derive(Debug, Clone, Default, PartialEq, Eq, cirrus_derive::Setters)]
pub struct ListParameterProps {
    /// What the items are. Default: `CommaDelimitedList`.
    pub item_type: ListType,
    /// Shown in the console. Default: none.
    pub description: Option<String>,
    /// Used when no value is given at deploy time. Default: none (a value is required).
    pub default: Option<Vec<String>>,
    /// The only item values accepted. Default: any.
    pub allowed_values: Vec<String>,
    /// Shown when a constraint fails. Default: none.
    pub constraint_description: Option<String>,
    /// Mask the value in the console and API (`NoEcho`). Default: `false`.
    pub no_echo: bool,
}

const MAX_DESCRIPTION: usize = 4000;

impl<'a> Node<'a> {
    /// Adds a string parameter to the template of this node's stack.
    pub fn add_string_parameter(
        &self,
        id: &str,
        props: StringParameterProps,
    ) -> Parameter<'a, String> {
        let mut problems = Vec::new();
        if let (Some(min), Some(max)) = (props.min_length, props.max_length)
            && min > max
        {
            problems.push((
                codes::PARAMETER_CONSTRAINTS,
                format!("min_length {min} is greater than max_length {max}"),
            ));
        }
        if let Some(default) = &props.default {
            let len = u32::try_from(default.chars().count()).unwrap_or(u32::MAX);
            if props.min_length.is_some_and(|min| len < min)
                || props.max_length.is_some_and(|max| len > max)
            {
                problems.push((codes::PARAMETER_CONSTRAINTS, format!(
                    "default \"{default}\" is {len} characters long, outside min_length/max_length"
                )));
            }
            if !props.allowed_values.is_empty() && !props.allowed_values.contains(default) {
                problems.push((
                    codes::PARAMETER_CONSTRAINTS,
                    format!("default \"{default}\" is not one of allowed_values"),
                ));
            }
        }
        if props.param_type == StringType::SsmValue && props.default.is_none() {
            problems.push((
                codes::PARAMETER_DEFAULT_REQUIRED,
                "an SSM parameter type needs a default: the name of the SSM parameter".to_owned(),
            ));
        }
        credential_problems(id, &props, &mut problems);
        let type_name = match &props.param_type {
            StringType::String => "String".to_owned(),
            StringType::Aws(name) => name.clone(),
            StringType::SsmValue => "AWS::SSM::Parameter::Value<String>".to_owned(),
        };
        let mut fields = IndexMap::new();
        describe(&mut fields, props.description.as_deref(), &mut problems);
        if let Some(default) = props.default {
            fields.insert("Default".into(), Value::String(default));
        }
        if !props.allowed_values.is_empty() {
            fields.insert("AllowedValues".into(), props.allowed_values.to_value());
        }
        if let Some(pattern) = props.allowed_pattern {
            fields.insert("AllowedPattern".into(), Value::String(pattern));
        }
        if let Some(min) = props.min_length {
            fields.insert("MinLength".into(), Value::Int(min.into()));
        }
        if let Some(max) = props.max_length {
            fields.insert("MaxLength".into(), Value::Int(max.into()));
        }
        finish(&mut fields, props.constraint_description, props.no_echo);
        self.create_parameter(id, type_name, false, fields, problems)
    }

    /// Adds a number parameter to the template of this node's stack.
    pub fn add_number_parameter(
        &self,
        id: &str,
        props: NumberParameterProps,
    ) -> Parameter<'a, f64> {
        let mut problems = Vec::new();
        if let (Some(min), Some(max)) = (props.min_value, props.max_value)
            && min > max
        {
            problems.push((
                codes::PARAMETER_CONSTRAINTS,
                format!("min_value {min} is greater than max_value {max}"),
            ));
        }
        if let Some(default) = props.default {
            if props.min_value.is_some_and(|min| default < min)
                || props.max_value.is_some_and(|max| default > max)
            {
                problems.push((
                    codes::PARAMETER_CONSTRAINTS,
                    format!("default {default} is outside min_value/max_value"),
                ));
            }
            if !props.allowed_values.is_empty() && !props.allowed_values.contains(&default) {
                problems.push((
                    codes::PARAMETER_CONSTRAINTS,
                    format!("default {default} is not one of allowed_values"),
                ));
            }
        }
        let all_numbers = props
            .default
            .iter()
            .chain(&props.allowed_values)
            .chain(&props.min_value)
            .chain(&props.max_value);
        if all_numbers.clone().any(|n| !n.is_finite()) {
            problems.push((
                codes::PARAMETER_CONSTRAINTS,
                "numbers must be finite".to_owned(),
            ));
        }
        let mut fields = IndexMap::new();
        describe(&mut fields, props.description.as_deref(), &mut problems);
        if let Some(default) = props.default {
            fields.insert("Default".into(), default.to_value());
        }
        if !props.allowed_values.is_empty() {
            fields.insert("AllowedValues".into(), props.allowed_values.to_value());
        }
        if let Some(min) = props.min_value {
            fields.insert("MinValue".into(), min.to_value());
        }
        if let Some(max) = props.max_value {
            fields.insert("MaxValue".into(), max.to_value());
        }
        finish(&mut fields, props.constraint_description, props.no_echo);
        self.create_parameter(id, "Number".into(), false, fields, problems)
    }

    /// Adds a list parameter to the template of this node's stack.
    pub fn add_list_parameter(
        &self,
        id: &str,
        props: ListParameterProps,
    ) -> Parameter<'a, List<String>> {
        let mut problems = Vec::new();
        if let Some(default) = &props.default
            && !props.allowed_values.is_empty()
        {
            for item in default {
                if !props.allowed_values.contains(item) {
                    problems.push((
                        codes::PARAMETER_CONSTRAINTS,
                        format!("default item \"{item}\" is not one of allowed_values"),
                    ));
                }
            }
        }
        let type_name = match &props.item_type {
            ListType::CommaDelimited => "CommaDelimitedList".to_owned(),
            ListType::Number => "List<Number>".to_owned(),
            ListType::Aws(name) => format!("List<{name}>"),
        };
        let mut fields = IndexMap::new();
        describe(&mut fields, props.description.as_deref(), &mut problems);
        if let Some(default) = props.default {
            fields.insert("Default".into(), Value::String(default.join(",")));
        }
        if !props.allowed_values.is_empty() {
            fields.insert("AllowedValues".into(), props.allowed_values.to_value());
        }
        finish(&mut fields, props.constraint_description, props.no_echo);
        self.create_parameter(id, type_name, true, fields, problems)
    }

    fn create_parameter<T>(
        &self,
        id: &str,
        type_name: String,
        is_list: bool,
        fields: IndexMap<String, Value>,
        problems: Vec<(ErrorCode, String)>,
    ) -> Parameter<'a, T> {
        let node = self.create_child(
            id,
            NodeKind::Parameter(Box::new(ParameterData {
                type_name,
                is_list,
                fields,
            })),
        );
        let node = Node::new(self.app(), node);
        for (code, problem) in problems {
            node.error(code, problem);
        }
        Parameter {
            node,
            _type: PhantomData,
        }
    }
}

/// Words that make a parameter's name read as a credential's.
const CREDENTIAL_WORDS: [&str; 8] = [
    "password",
    "passwd",
    "secret",
    "token",
    "apikey",
    "accesskey",
    "privatekey",
    "credential",
];

/// Whether a parameter named `id` holds a credential, by its name.
fn credential_name(id: &str) -> bool {
    let name: String = id
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase();
    CREDENTIAL_WORDS.iter().any(|w| name.contains(w))
}

/// Whether a value looks like an AWS access key id or a private key.
fn credential_value(value: &str) -> bool {
    let access_key = value.len() == 20
        && ["AKIA", "ASIA"].iter().any(|p| value.starts_with(p))
        && value
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
    access_key || value.contains("PRIVATE KEY-----")
}

/// A credential given as a parameter must not be echoed by CloudFormation (console, API,
/// events) nor have a default, which the template would hold in plain text.
fn credential_problems(
    id: &str,
    props: &StringParameterProps,
    problems: &mut Vec<(ErrorCode, String)>,
) {
    if props.param_type != StringType::String {
        return;
    }
    let by_name = credential_name(id);
    let by_default = props.default.as_deref().is_some_and(credential_value);
    if (by_name || by_default) && !props.no_echo {
        let why = if by_name { "its name" } else { "its default" };
        problems.push((
            codes::CREDENTIAL_PARAMETER_ECHOED,
            format!("parameter \"{id}\" looks like a credential by {why}, but is not NoEcho: CloudFormation would show its value; set StringParameterProps::no_echo"),
        ));
    }
    if (by_name || by_default) && props.default.is_some() {
        problems.push((
            codes::CREDENTIAL_PARAMETER_DEFAULT,
            format!("parameter \"{id}\" looks like a credential and has a default, which the template would hold in plain text; remove the default and give the value at deploy time (--parameters), or read it from Secrets Manager"),
        ));
    }
}

fn describe(
    fields: &mut IndexMap<String, Value>,
    description: Option<&str>,
    problems: &mut Vec<(ErrorCode, String)>,
) {
    if let Some(description) = description {
        if description.len() > MAX_DESCRIPTION {
            problems.push((
                codes::DESCRIPTION_TOO_LONG,
                format!(
                    "description is {} bytes long; CloudFormation allows at most {MAX_DESCRIPTION}",
                    description.len()
                ),
            ));
        }
        fields.insert("Description".into(), Value::String(description.to_owned()));
    }
}

fn finish(fields: &mut IndexMap<String, Value>, constraint: Option<String>, no_echo: bool) {
    if let Some(constraint) = constraint {
        fields.insert("ConstraintDescription".into(), Value::String(constraint));
    }
    if no_echo {
        fields.insert("NoEcho".into(), Value::Bool(true));
    }
}
