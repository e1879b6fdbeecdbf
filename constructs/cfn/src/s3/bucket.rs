//! `AWS::S3::Bucket` and its property types.

use cirrus_core::{ElementRef, Expr, List, ObjectBuilder, Resource, Tag, TagSpec, ToValue, Value};

/// The `AWS::S3::Bucket` resource creates an Amazon S3 bucket in the same AWS Region where you
/// create the AWS CloudFormation stack.
///
/// [CloudFormation reference](https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-s3-bucket.html)
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CfnBucket {
    /// Default encryption for a bucket.
    pub bucket_encryption: Option<Expr<BucketEncryption>>,
    /// A name for the bucket. Changing this replaces the resource.
    pub bucket_name: Option<Expr<String>>,
    /// Settings for server access logs.
    pub logging_configuration: Option<Expr<LoggingConfiguration>>,
    /// Configuration that defines how Amazon S3 handles public access.
    pub public_access_block_configuration: Option<Expr<PublicAccessBlockConfiguration>>,
    /// An arbitrary set of tags (key-value pairs) for this S3 bucket.
    pub tags: Option<Expr<List<Tag>>>,
    /// Enables multiple versions of all objects in this bucket.
    pub versioning_configuration: Option<Expr<VersioningConfiguration>>,
}

impl CfnBucket {
    /// The CloudFormation type name.
    pub const TYPE_NAME: &'static str = "AWS::S3::Bucket";
}

impl ToValue for CfnBucket {
    fn to_value(&self) -> Value {
        ObjectBuilder::new()
            .optional("BucketEncryption", &self.bucket_encryption)
            .optional("BucketName", &self.bucket_name)
            .optional("LoggingConfiguration", &self.logging_configuration)
            .optional(
                "PublicAccessBlockConfiguration",
                &self.public_access_block_configuration,
            )
            .optional("Tags", &self.tags)
            .optional("VersioningConfiguration", &self.versioning_configuration)
            .build()
    }
}

impl Resource for CfnBucket {
    type Attrs = CfnBucketAttrs;

    fn cfn_type(&self) -> &str {
        Self::TYPE_NAME
    }

    fn properties(&self) -> Value {
        self.to_value()
    }

    fn tag_spec(&self) -> Option<TagSpec> {
        Some(TagSpec::standard("Tags"))
    }

    fn attrs(target: ElementRef) -> CfnBucketAttrs {
        CfnBucketAttrs { target }
    }
}

/// The `Fn::GetAtt` attributes of an `AWS::S3::Bucket`.
#[derive(Debug, Clone, Copy)]
pub struct CfnBucketAttrs {
    target: ElementRef,
}

impl CfnBucketAttrs {
    /// The Amazon Resource Name (ARN) of the bucket.
    pub fn arn(&self) -> Expr<String> {
        Expr::get_att(self.target, "Arn")
    }

    /// The IPv4 DNS name of the bucket.
    pub fn domain_name(&self) -> Expr<String> {
        Expr::get_att(self.target, "DomainName")
    }

    /// The regional domain name of the bucket.
    pub fn regional_domain_name(&self) -> Expr<String> {
        Expr::get_att(self.target, "RegionalDomainName")
    }
}

/// Default encryption for a bucket.
#[derive(Debug, Clone, PartialEq)]
pub struct BucketEncryption {
    /// Specifies the default server-side-encryption configuration. Required.
    pub server_side_encryption_configuration: Expr<List<ServerSideEncryptionRule>>,
}

impl ToValue for BucketEncryption {
    fn to_value(&self) -> Value {
        ObjectBuilder::new()
            .field(
                "ServerSideEncryptionConfiguration",
                &self.server_side_encryption_configuration,
            )
            .build()
    }
}

/// Specifies the default server-side encryption configuration.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ServerSideEncryptionRule {
    /// Whether to use an S3 Bucket Key for SSE-KMS.
    pub bucket_key_enabled: Option<Expr<bool>>,
    /// The default server-side encryption to apply to new objects.
    pub server_side_encryption_by_default: Option<Expr<ServerSideEncryptionByDefault>>,
}

impl ToValue for ServerSideEncryptionRule {
    fn to_value(&self) -> Value {
        ObjectBuilder::new()
            .optional("BucketKeyEnabled", &self.bucket_key_enabled)
            .optional(
                "ServerSideEncryptionByDefault",
                &self.server_side_encryption_by_default,
            )
            .build()
    }
}

/// Describes the default server-side encryption to apply to new objects in the bucket.
#[derive(Debug, Clone, PartialEq)]
pub struct ServerSideEncryptionByDefault {
    /// AWS Key Management Service (KMS) customer managed key ID to use for the default
    /// encryption.
    pub kms_master_key_id: Option<Expr<String>>,
    /// Server-side encryption algorithm to use for the default encryption. Required.
    pub sse_algorithm: Expr<SseAlgorithm>,
}

impl ToValue for ServerSideEncryptionByDefault {
    fn to_value(&self) -> Value {
        ObjectBuilder::new()
            .optional("KMSMasterKeyID", &self.kms_master_key_id)
            .field("SSEAlgorithm", &self.sse_algorithm)
            .build()
    }
}

/// Server-side encryption algorithm.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SseAlgorithm {
    /// `AES256`.
    Aes256,
    /// `aws:kms`.
    AwsKms,
    /// `aws:kms:dsse`.
    AwsKmsDsse,
    /// A value the spec does not list yet.
    Other(String),
}

impl ToValue for SseAlgorithm {
    fn to_value(&self) -> Value {
        Value::String(
            match self {
                SseAlgorithm::Aes256 => "AES256",
                SseAlgorithm::AwsKms => "aws:kms",
                SseAlgorithm::AwsKmsDsse => "aws:kms:dsse",
                SseAlgorithm::Other(s) => s,
            }
            .to_owned(),
        )
    }
}

/// Settings for server access logs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LoggingConfiguration {
    /// The name of the bucket where Amazon S3 stores server access log files.
    pub destination_bucket_name: Option<Expr<String>>,
    /// A prefix for all log object keys.
    pub log_file_prefix: Option<Expr<String>>,
}

impl ToValue for LoggingConfiguration {
    fn to_value(&self) -> Value {
        ObjectBuilder::new()
            .optional("DestinationBucketName", &self.destination_bucket_name)
            .optional("LogFilePrefix", &self.log_file_prefix)
            .build()
    }
}

/// The PublicAccessBlock configuration of an Amazon S3 bucket.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PublicAccessBlockConfiguration {
    /// Reject PUT calls that set public ACLs.
    pub block_public_acls: Option<Expr<bool>>,
    /// Reject bucket policies that grant public access.
    pub block_public_policy: Option<Expr<bool>>,
    /// Ignore public ACLs on the bucket and its objects.
    pub ignore_public_acls: Option<Expr<bool>>,
    /// Restrict access to a bucket with a public policy to AWS services and authorized users.
    pub restrict_public_buckets: Option<Expr<bool>>,
}

impl ToValue for PublicAccessBlockConfiguration {
    fn to_value(&self) -> Value {
        ObjectBuilder::new()
            .optional("BlockPublicAcls", &self.block_public_acls)
            .optional("BlockPublicPolicy", &self.block_public_policy)
            .optional("IgnorePublicAcls", &self.ignore_public_acls)
            .optional("RestrictPublicBuckets", &self.restrict_public_buckets)
            .build()
    }
}

/// Describes the versioning state of an Amazon S3 bucket.
#[derive(Debug, Clone, PartialEq)]
pub struct VersioningConfiguration {
    /// The versioning state of the bucket. Required.
    pub status: Expr<VersioningConfigurationStatus>,
}

impl ToValue for VersioningConfiguration {
    fn to_value(&self) -> Value {
        ObjectBuilder::new().field("Status", &self.status).build()
    }
}

/// The versioning state of the bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum VersioningConfigurationStatus {
    /// `Enabled`.
    Enabled,
    /// `Suspended`.
    Suspended,
    /// A value the spec does not list yet.
    Other(String),
}

impl ToValue for VersioningConfigurationStatus {
    fn to_value(&self) -> Value {
        Value::String(
            match self {
                VersioningConfigurationStatus::Enabled => "Enabled",
                VersioningConfigurationStatus::Suspended => "Suspended",
                VersioningConfigurationStatus::Other(s) => s,
            }
            .to_owned(),
        )
    }
}

cirrus_core::literal_expr!(
    BucketEncryption,
    ServerSideEncryptionRule,
    ServerSideEncryptionByDefault,
    SseAlgorithm,
    LoggingConfiguration,
    PublicAccessBlockConfiguration,
    VersioningConfiguration,
    VersioningConfigurationStatus,
);
