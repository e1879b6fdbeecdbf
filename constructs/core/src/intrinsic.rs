//! CloudFormation intrinsic functions and pseudo parameters, as data.
//!
//! Users build these through the typed constructors in [`crate::fns`] and [`crate::pseudo`];
//! this module is the untyped form the resolve pass works on.

use crate::tree::ElementRef;
use crate::value::{ToValue, Value};

/// An intrinsic function. References hold element handles; the resolve pass turns them into
/// logical ids (same stack) or `Fn::ImportValue` of an automatic export (other stack).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Intrinsic {
    /// `Ref` to a resource or parameter.
    Ref(ElementRef),
    /// `Ref` to a pseudo parameter (`AWS::Region`, ...).
    Pseudo(Pseudo),
    /// `Fn::GetAtt` of a resource attribute.
    GetAtt {
        /// The resource.
        target: ElementRef,
        /// The attribute name (`Arn`, `Endpoint.Address`, ...).
        attribute: String,
        /// True when the attribute is a list. A list crosses stacks joined into one string and
        /// split again, since exports hold strings only.
        list: bool,
    },
    /// `Fn::Sub` with named variables. Every `${Name}` of the template must be a variable or a
    /// pseudo parameter; `${!Literal}` is a literal `${Literal}`.
    Sub {
        /// The template text.
        template: String,
        /// The variables, in the order given.
        vars: Vec<(String, Value)>,
    },
    /// `Fn::Join`.
    Join {
        /// Put between the items.
        delimiter: String,
        /// A list (literal or expression).
        list: Value,
    },
    /// `Fn::Select`.
    Select {
        /// Zero-based index.
        index: Value,
        /// A list (literal or expression).
        list: Value,
    },
    /// `Fn::Split`.
    Split {
        /// Where to split.
        delimiter: String,
        /// The string to split.
        source: Value,
    },
    /// `Fn::GetAZs` (an empty string means the stack's region).
    GetAzs(Value),
    /// `Fn::ImportValue` of an export by name.
    ImportValue(Value),
    /// `Fn::If` on a template condition.
    If {
        /// The condition element.
        condition: ElementRef,
        /// Value when the condition holds.
        then: Value,
        /// Value otherwise.
        otherwise: Value,
    },
    /// `Fn::FindInMap`.
    FindInMap {
        /// The mapping element.
        mapping: ElementRef,
        /// First-level key.
        top: Value,
        /// Second-level key.
        second: Value,
    },
    /// `Fn::Base64`.
    Base64(Value),
    /// `Fn::Cidr`.
    Cidr {
        /// The CIDR block to divide.
        ip_block: Value,
        /// How many CIDRs to make (1 to 256).
        count: Value,
        /// Host bits of each CIDR (the inverse of the prefix length).
        cidr_bits: Value,
    },
    /// `Fn::ValueOf`: an attribute of the value of an AWS-specific parameter (the `VpcId` of a
    /// subnet parameter, say). Only in rules.
    ValueOf {
        /// The parameter element.
        parameter: ElementRef,
        /// The attribute (`VpcId`, `Tags.Name`, ...).
        attribute: String,
    },
    /// `Fn::ValueOfAll`: the attribute of every parameter value of an AWS-specific parameter
    /// type in the stack. Only in rules.
    ValueOfAll {
        /// The parameter type (`AWS::EC2::Subnet::Id`, ...).
        parameter_type: String,
        /// The attribute.
        attribute: String,
    },
    /// `Fn::RefAll`: every parameter value of an AWS-specific parameter type in the stack.
    /// Only in rules.
    RefAll(String),
}

/// The pseudo parameters CloudFormation predefines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Pseudo {
    /// `AWS::AccountId`.
    AccountId,
    /// `AWS::NotificationARNs` (a list).
    NotificationArns,
    /// `AWS::NoValue`: removes the property it is the value of.
    NoValue,
    /// `AWS::Partition` (`aws`, `aws-cn`, `aws-us-gov`).
    Partition,
    /// `AWS::Region`.
    Region,
    /// `AWS::StackId`.
    StackId,
    /// `AWS::StackName`.
    StackName,
    /// `AWS::URLSuffix` (`amazonaws.com`, `amazonaws.com.cn`).
    UrlSuffix,
}

impl Pseudo {
    /// Every pseudo parameter.
    pub const ALL: [Pseudo; 8] = [
        Pseudo::AccountId,
        Pseudo::NotificationArns,
        Pseudo::NoValue,
        Pseudo::Partition,
        Pseudo::Region,
        Pseudo::StackId,
        Pseudo::StackName,
        Pseudo::UrlSuffix,
    ];

    /// The name CloudFormation uses.
    pub fn name(self) -> &'static str {
        match self {
            Pseudo::AccountId => "AWS::AccountId",
            Pseudo::NotificationArns => "AWS::NotificationARNs",
            Pseudo::NoValue => "AWS::NoValue",
            Pseudo::Partition => "AWS::Partition",
            Pseudo::Region => "AWS::Region",
            Pseudo::StackId => "AWS::StackId",
            Pseudo::StackName => "AWS::StackName",
            Pseudo::UrlSuffix => "AWS::URLSuffix",
        }
    }

    /// The pseudo parameter of that name.
    pub fn from_name(name: &str) -> Option<Pseudo> {
        Pseudo::ALL.into_iter().find(|p| p.name() == name)
    }
}

/// A condition expression: the body of a template condition (`Fn::Equals`, `Fn::And`, `Fn::Or`,
/// `Fn::Not`, or another condition).
#[derive(Debug, Clone, PartialEq)]
pub enum CondExpr {
    /// `Fn::Equals` of two values.
    Equals(Value, Value),
    /// `Fn::And` (2 to 10 operands).
    And(Vec<CondExpr>),
    /// `Fn::Or` (2 to 10 operands).
    Or(Vec<CondExpr>),
    /// `Fn::Not`.
    Not(Box<CondExpr>),
    /// Another template condition, by handle.
    Condition(ElementRef),
}

impl CondExpr {
    /// `Fn::Equals`: true when both values are equal. The first argument fixes the type, the
    /// second may be a literal of the same type.
    pub fn equals<T: crate::value::ToValue>(
        a: crate::expr::Expr<T>,
        b: impl Into<crate::expr::Expr<T>>,
    ) -> CondExpr {
        CondExpr::Equals(a.to_value(), b.into().to_value())
    }

    /// `Fn::And`: true when all operands are.
    pub fn and(operands: impl IntoIterator<Item = CondExpr>) -> CondExpr {
        CondExpr::And(operands.into_iter().collect())
    }

    /// `Fn::Or`: true when any operand is.
    pub fn or(operands: impl IntoIterator<Item = CondExpr>) -> CondExpr {
        CondExpr::Or(operands.into_iter().collect())
    }

    /// `Fn::Not`.
    #[allow(clippy::should_implement_trait)]
    pub fn not(self) -> CondExpr {
        CondExpr::Not(Box::new(self))
    }
}

/// An expression of the template's `Rules` section: assertions over parameter values, checked
/// by CloudFormation before it creates or updates anything.
#[derive(Debug, Clone, PartialEq)]
pub enum RuleExpr {
    /// `Fn::Equals`.
    Equals(Value, Value),
    /// `Fn::And` (2 to 10 operands).
    And(Vec<RuleExpr>),
    /// `Fn::Or` (2 to 10 operands).
    Or(Vec<RuleExpr>),
    /// `Fn::Not`.
    Not(Box<RuleExpr>),
    /// `Fn::Contains`: the list holds the string.
    Contains(Value, Value),
    /// `Fn::EachMemberEquals`: every member of the list equals the string.
    EachMemberEquals(Value, Value),
    /// `Fn::EachMemberIn`: every member of the first list is in the second.
    EachMemberIn(Value, Value),
}

impl RuleExpr {
    /// `Fn::Equals` of two values.
    pub fn equals<T: crate::value::ToValue>(
        a: crate::expr::Expr<T>,
        b: impl Into<crate::expr::Expr<T>>,
    ) -> RuleExpr {
        RuleExpr::Equals(a.to_value(), b.into().to_value())
    }

    /// `Fn::Contains`: `list` holds `item`.
    pub fn contains(
        list: impl Into<crate::expr::Expr<crate::expr::List<String>>>,
        item: impl Into<crate::expr::Expr<String>>,
    ) -> RuleExpr {
        RuleExpr::Contains(list.into().to_value(), item.into().to_value())
    }

    /// `Fn::EachMemberEquals`: every member of `list` equals `item`.
    pub fn each_member_equals(
        list: impl Into<crate::expr::Expr<crate::expr::List<String>>>,
        item: impl Into<crate::expr::Expr<String>>,
    ) -> RuleExpr {
        RuleExpr::EachMemberEquals(list.into().to_value(), item.into().to_value())
    }

    /// `Fn::EachMemberIn`: every member of `list` is in `allowed`.
    pub fn each_member_in(
        list: impl Into<crate::expr::Expr<crate::expr::List<String>>>,
        allowed: impl Into<crate::expr::Expr<crate::expr::List<String>>>,
    ) -> RuleExpr {
        RuleExpr::EachMemberIn(list.into().to_value(), allowed.into().to_value())
    }

    /// `Fn::And`.
    pub fn and(operands: impl IntoIterator<Item = RuleExpr>) -> RuleExpr {
        RuleExpr::And(operands.into_iter().collect())
    }

    /// `Fn::Or`.
    pub fn or(operands: impl IntoIterator<Item = RuleExpr>) -> RuleExpr {
        RuleExpr::Or(operands.into_iter().collect())
    }

    /// `Fn::Not`.
    #[allow(clippy::should_implement_trait)]
    pub fn not(self) -> RuleExpr {
        RuleExpr::Not(Box::new(self))
    }
}
