//! `AWS::IAM::Policy`.

use cirrus_core::{ElementRef, Expr, List, ObjectBuilder, Resource, ToValue, Value};

/// Adds or updates an inline policy document that is embedded in the specified IAM groups,
/// users or roles.
///
/// [CloudFormation reference](https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-iam-policy.html)
#[derive(Debug, Clone, PartialEq)]
pub struct CfnPolicy {
    /// The name of the group to associate the policy with.
    pub groups: Option<Expr<List<String>>>,
    /// The policy document. Required.
    pub policy_document: Value,
    /// The name of the policy document. Required.
    pub policy_name: Expr<String>,
    /// The name of the role to associate the policy with.
    pub roles: Option<Expr<List<String>>>,
    /// The name of the user to associate the policy with.
    pub users: Option<Expr<List<String>>>,
}

impl CfnPolicy {
    /// The CloudFormation type name.
    pub const TYPE_NAME: &'static str = "AWS::IAM::Policy";

    /// A policy with its required properties.
    pub fn new(policy_document: impl Into<Value>, policy_name: impl Into<Expr<String>>) -> Self {
        CfnPolicy {
            groups: None,
            policy_document: policy_document.into(),
            policy_name: policy_name.into(),
            roles: None,
            users: None,
        }
    }
}

impl ToValue for CfnPolicy {
    fn to_value(&self) -> Value {
        ObjectBuilder::new()
            .optional("Groups", &self.groups)
            .field("PolicyDocument", &self.policy_document)
            .field("PolicyName", &self.policy_name)
            .optional("Roles", &self.roles)
            .optional("Users", &self.users)
            .build()
    }
}

impl Resource for CfnPolicy {
    type Attrs = CfnPolicyAttrs;

    fn cfn_type(&self) -> &str {
        Self::TYPE_NAME
    }

    fn properties(&self) -> Value {
        self.to_value()
    }

    fn attrs(target: ElementRef) -> CfnPolicyAttrs {
        CfnPolicyAttrs { target }
    }
}

/// The `Fn::GetAtt` attributes of an `AWS::IAM::Policy`.
#[derive(Debug, Clone, Copy)]
pub struct CfnPolicyAttrs {
    target: ElementRef,
}

impl CfnPolicyAttrs {
    /// The policy id.
    pub fn id(&self) -> Expr<String> {
        Expr::get_att(self.target, "Id")
    }
}
