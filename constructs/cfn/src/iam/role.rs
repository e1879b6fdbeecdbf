//! `AWS::IAM::Role` and its property types.

use cirrus_core::{ElementRef, Expr, List, ObjectBuilder, Resource, Tag, TagSpec, ToValue, Value};

/// Creates a new role for your AWS account.
///
/// [CloudFormation reference](https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-iam-role.html)
#[derive(Debug, Clone, PartialEq)]
pub struct CfnRole {
    /// The trust policy that is associated with this role. Required.
    pub assume_role_policy_document: Value,
    /// A description of the role.
    pub description: Option<Expr<String>>,
    /// A list of Amazon Resource Names (ARNs) of the IAM managed policies to attach to the role.
    pub managed_policy_arns: Option<Expr<List<String>>>,
    /// Adds or updates an inline policy document that is embedded in the specified IAM role.
    pub policies: Option<Expr<List<Policy>>>,
    /// A name for the IAM role. Changing this replaces the resource.
    pub role_name: Option<Expr<String>>,
    /// A list of tags that are attached to the role.
    pub tags: Option<Expr<List<Tag>>>,
}

impl CfnRole {
    /// The CloudFormation type name.
    pub const TYPE_NAME: &'static str = "AWS::IAM::Role";

    /// A role with its required properties.
    pub fn new(assume_role_policy_document: impl Into<Value>) -> Self {
        CfnRole {
            assume_role_policy_document: assume_role_policy_document.into(),
            description: None,
            managed_policy_arns: None,
            policies: None,
            role_name: None,
            tags: None,
        }
    }
}

impl ToValue for CfnRole {
    fn to_value(&self) -> Value {
        ObjectBuilder::new()
            .field(
                "AssumeRolePolicyDocument",
                &self.assume_role_policy_document,
            )
            .optional("Description", &self.description)
            .optional("ManagedPolicyArns", &self.managed_policy_arns)
            .optional("Policies", &self.policies)
            .optional("RoleName", &self.role_name)
            .optional("Tags", &self.tags)
            .build()
    }
}

impl Resource for CfnRole {
    type Attrs = CfnRoleAttrs;

    fn cfn_type(&self) -> &str {
        Self::TYPE_NAME
    }

    fn properties(&self) -> Value {
        self.to_value()
    }

    fn tag_spec(&self) -> Option<TagSpec> {
        Some(TagSpec::standard("Tags"))
    }

    fn attrs(target: ElementRef) -> CfnRoleAttrs {
        CfnRoleAttrs { target }
    }
}

/// The `Fn::GetAtt` attributes of an `AWS::IAM::Role`.
#[derive(Debug, Clone, Copy)]
pub struct CfnRoleAttrs {
    target: ElementRef,
}

impl CfnRoleAttrs {
    /// The Amazon Resource Name (ARN) for the role.
    pub fn arn(&self) -> Expr<String> {
        Expr::get_att(self.target, "Arn")
    }

    /// The stable and unique string identifying the role.
    pub fn role_id(&self) -> Expr<String> {
        Expr::get_att(self.target, "RoleId")
    }
}

/// An inline policy embedded in the role.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// The policy document. Required.
    pub policy_document: Value,
    /// The friendly name (not ARN) identifying the policy. Required.
    pub policy_name: Expr<String>,
}

impl ToValue for Policy {
    fn to_value(&self) -> Value {
        ObjectBuilder::new()
            .field("PolicyDocument", &self.policy_document)
            .field("PolicyName", &self.policy_name)
            .build()
    }
}

cirrus_core::literal_expr!(Policy);
