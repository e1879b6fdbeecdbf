//! `AWS::S3::BucketPolicy`.

use cirrus_core::{ElementRef, Expr, ObjectBuilder, Resource, ToValue, Value};

/// Applies an Amazon S3 bucket policy to an Amazon S3 bucket.
///
/// [CloudFormation reference](https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-s3-bucketpolicy.html)
#[derive(Debug, Clone, PartialEq)]
pub struct CfnBucketPolicy {
    /// The name of the Amazon S3 bucket to which the policy applies. Required. Changing this
    /// replaces the resource.
    pub bucket: Expr<String>,
    /// A policy document containing permissions to add to the specified bucket. Required.
    pub policy_document: Value,
}

impl CfnBucketPolicy {
    /// The CloudFormation type name.
    pub const TYPE_NAME: &'static str = "AWS::S3::BucketPolicy";

    /// A bucket policy with its required properties.
    pub fn new(bucket: impl Into<Expr<String>>, policy_document: impl Into<Value>) -> Self {
        CfnBucketPolicy {
            bucket: bucket.into(),
            policy_document: policy_document.into(),
        }
    }
}

impl ToValue for CfnBucketPolicy {
    fn to_value(&self) -> Value {
        ObjectBuilder::new()
            .field("Bucket", &self.bucket)
            .field("PolicyDocument", &self.policy_document)
            .build()
    }
}

impl Resource for CfnBucketPolicy {
    type Attrs = CfnBucketPolicyAttrs;

    fn cfn_type(&self) -> &str {
        Self::TYPE_NAME
    }

    fn properties(&self) -> Value {
        self.to_value()
    }

    fn attrs(target: ElementRef) -> CfnBucketPolicyAttrs {
        CfnBucketPolicyAttrs { _target: target }
    }
}

/// `AWS::S3::BucketPolicy` has no `Fn::GetAtt` attributes.
#[derive(Debug, Clone, Copy)]
pub struct CfnBucketPolicyAttrs {
    _target: ElementRef,
}
