//! `Bucket`: an S3 bucket that is private, encrypted, versioned, TLS-only and logged unless
//! told otherwise.
//!
//! The AWS CDK's `Bucket` blocks no public access by default, accepts plain HTTP and keeps no
//! access logs; this one does all three out of the box.

use cirrus_cfn::s3::{CfnBucket, CfnBucketPolicy, bucket};
use cirrus_core::{
    App, Construct, Expr, Node, NodeKey, RemovalPolicy, ResourceKey, ResourceRef, ToValue, fns,
    pseudo,
};

use crate::codes;
use crate::keyed::{Keyed, stack_singleton};

use crate::iam::{Grantable, PolicyDocument, PolicyKind, PolicyStatement, Principal};
use crate::kms::{IKey, Key};
use crate::s3::lifecycle::LifecycleRule;

const READ_ACTIONS: [&str; 3] = ["s3:GetObject*", "s3:GetBucket*", "s3:List*"];
const PUT_ACTIONS: [&str; 6] = [
    "s3:PutObject",
    "s3:PutObjectLegalHold",
    "s3:PutObjectRetention",
    "s3:PutObjectTagging",
    "s3:PutObjectVersionTagging",
    "s3:Abort*",
];
const DELETE_ACTIONS: [&str; 1] = ["s3:DeleteObject*"];

/// What a bucket offers to the constructs that use it; implemented by [`Bucket`] and by
/// buckets imported by name.
pub trait IBucket<'a> {
    /// The bucket's name.
    fn name(&self) -> Expr<String>;

    /// The bucket's ARN.
    fn arn(&self) -> Expr<String>;

    /// The key the bucket's objects are encrypted with, when it is a customer managed key.
    fn encryption_key(&self) -> Option<Key<'a>> {
        None
    }

    /// The region of an imported bucket, when the import says it
    /// ([`ImportedBucket::in_region`]); `None` for a bucket of the app (its stack's region) or
    /// one whose region is not known.
    fn region(&self) -> Option<String> {
        None
    }

    /// The ARN of the objects whose keys match `pattern` (`*`, `logs/*`).
    fn arn_for_objects(&self, pattern: &str) -> Expr<String> {
        fns::sub(&format!("${{Arn}}/{pattern}"), [("Arn", self.arn())])
    }

    /// Lets `grantee` read objects and list the bucket.
    fn grant_read(&self, grantee: &impl Grantable<'a>) {
        grant(self, grantee, &READ_ACTIONS);
        if let Some(key) = self.encryption_key() {
            key.grant_decrypt(grantee);
        }
    }

    /// Lets `grantee` put objects (not read or delete them). With a customer managed key, the
    /// grant includes `kms:Decrypt`: multipart uploads read back the data key they encrypt with.
    fn grant_put(&self, grantee: &impl Grantable<'a>) {
        grant(self, grantee, &PUT_ACTIONS);
        if let Some(key) = self.encryption_key() {
            key.grant_encrypt_decrypt(grantee);
        }
    }

    /// Lets `grantee` delete objects.
    fn grant_delete(&self, grantee: &impl Grantable<'a>) {
        grant(self, grantee, &DELETE_ACTIONS);
    }

    /// Lets `grantee` put and delete objects.
    fn grant_write(&self, grantee: &impl Grantable<'a>) {
        self.grant_put(grantee);
        self.grant_delete(grantee);
    }

    /// Lets `grantee` read, put and delete objects.
    fn grant_read_write(&self, grantee: &impl Grantable<'a>) {
        self.grant_read(grantee);
        self.grant_write(grantee);
        if let Some(key) = self.encryption_key() {
            key.grant_encrypt_decrypt(grantee);
        }
    }
}

fn grant<'a, B: IBucket<'a> + ?Sized>(bucket: &B, grantee: &impl Grantable<'a>, actions: &[&str]) {
    grantee.add_to_principal_policy(
        PolicyStatement::allow()
            .actions(actions)
            .resources([bucket.arn(), bucket.arn_for_objects("*")]),
    );
}

/// How objects are encrypted at rest.
#[derive(Debug, Clone, Copy, Default)]
pub enum BucketEncryption<'a> {
    /// SSE-S3 (`AES256`): keys managed by S3. Required for buckets that receive server access
    /// logs, load balancer logs or Redshift audit logs.
    #[default]
    S3Managed,
    /// SSE-KMS with the AWS managed key `aws/s3`.
    KmsManaged,
    /// SSE-KMS with this customer managed key; grants on the bucket include the key.
    Kms(Key<'a>),
}

/// Who owns the objects written to the bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ObjectOwnership {
    /// The bucket owner owns every object and ACLs are disabled: access is by policy only.
    #[default]
    BucketOwnerEnforced,
    /// The bucket owner owns objects written with `bucket-owner-full-control`; ACLs stay
    /// enabled. CloudFront's legacy access logs need this.
    BucketOwnerPreferred,
}

/// Where the bucket's server access logs go.
#[derive(Debug, Clone, Copy, Default)]
pub enum AccessLogs<'a> {
    /// To the stack's access-log bucket (`AccessLogsBucket`), created on first use, under a
    /// prefix named after this bucket's construct path.
    #[default]
    StackLogBucket,
    /// To this bucket, under `prefix`; its policy is extended to let S3's logging service write
    /// there. The target must use S3-managed encryption.
    To {
        /// The bucket receiving the logs.
        bucket: Bucket<'a>,
        /// The key prefix of the log objects, ending in `/`.
        prefix: &'a str,
    },
    /// No access logs. Fails checkov's CKV_AWS_18: a log destination itself, or an app that
    /// accepts the gap, says so here and in `checkov-skips.txt`.
    Disabled,
}

/// Options of a bucket.
#[derive(Debug, Clone, cirrus_derive::Setters)]
pub struct BucketProps<'a> {
    /// The bucket name (3 to 63 lower-case letters, digits, `.` and `-`; checked when
    /// literal), or an expression for a name made of the account or region
    /// (`fns::sub("logs-${AWS::AccountId}", [])`). Default: generated by CloudFormation, which
    /// lets the bucket be replaced without a name clash.
    pub bucket_name: Option<Expr<String>>,
    /// Encryption at rest. Default: S3-managed keys.
    pub encryption: BucketEncryption<'a>,
    /// Keep every version of every object. Default: `true`.
    pub versioned: bool,
    /// Where server access logs go. Default: the stack's access-log bucket.
    pub access_logs: AccessLogs<'a>,
    /// Object ownership. Default: bucket owner enforced (no ACLs).
    pub object_ownership: ObjectOwnership,
    /// Lifecycle rules. Default: none.
    pub lifecycle_rules: Vec<LifecycleRule>,
    /// Send object events to EventBridge. Default: `false`.
    pub event_bridge: bool,
    /// What happens to the bucket when it leaves the stack. Default: `Retain` (data outlives
    /// the stack; CloudFormation cannot delete a bucket that holds objects anyway). With a name of its own, `Retain` is applied as `RetainOnUpdateOrDelete`
    /// ([`RemovalPolicy::for_name`]): a failed first create can then be retried.
    pub removal_policy: RemovalPolicy,
}

impl Default for BucketProps<'_> {
    fn default() -> Self {
        BucketProps {
            bucket_name: None,
            encryption: BucketEncryption::default(),
            versioned: true,
            access_logs: AccessLogs::default(),
            object_ownership: ObjectOwnership::default(),
            lifecycle_rules: Vec::new(),
            event_bridge: false,
            removal_policy: RemovalPolicy::Retain,
        }
    }
}

/// What a bucket accumulates after creation: its resource policy.
#[derive(Debug, Default)]
struct BucketState {
    policy: PolicyDocument,
    /// The bucket policy, once the first statement created it.
    policy_resource: Option<ResourceKey<CfnBucketPolicy>>,
}

/// An S3 bucket. All public access is blocked, requests without TLS are denied by the bucket
/// policy, objects are encrypted and versioned, and access logs are kept.
#[derive(Debug, Clone, Copy)]
pub struct Bucket<'a> {
    node: Node<'a>,
    resource: ResourceRef<'a, CfnBucket>,
    key: Option<Key<'a>>,
}

impl<'a> Construct<'a> for Bucket<'a> {
    fn node(&self) -> Node<'a> {
        self.node
    }
}

impl<'a> IBucket<'a> for Bucket<'a> {
    fn name(&self) -> Expr<String> {
        self.resource.ref_()
    }

    fn arn(&self) -> Expr<String> {
        self.resource.attrs().arn()
    }

    fn encryption_key(&self) -> Option<Key<'a>> {
        self.key
    }
}

impl<'a> Bucket<'a> {
    /// A new bucket.
    pub fn new(scope: impl Construct<'a>, id: &str, props: BucketProps<'a>) -> Bucket<'a> {
        let node = scope.node().add_child(id);
        let named = props.bucket_name.is_some();
        if let Some(name) = props.bucket_name.as_ref().and_then(Expr::as_literal)
            && let Err(reason) = validate_bucket_name(name)
        {
            node.error_with_hint(
                codes::s3::BUCKET_NAME_INVALID,
                reason,
                "leave bucket_name unset to let CloudFormation name it",
            );
        }
        for rule in &props.lifecycle_rules {
            for problem in rule.problems() {
                node.error(codes::s3::LIFECYCLE_INVALID, problem);
            }
        }
        let (sse, key) = match props.encryption {
            BucketEncryption::S3Managed => (
                bucket::ServerSideEncryptionByDefault::new(
                    bucket::ServerSideEncryptionByDefaultSseAlgorithm::Aes256,
                ),
                None,
            ),
            BucketEncryption::KmsManaged => (
                bucket::ServerSideEncryptionByDefault::new(
                    bucket::ServerSideEncryptionByDefaultSseAlgorithm::AwsKms,
                ),
                None,
            ),
            BucketEncryption::Kms(key) => (
                bucket::ServerSideEncryptionByDefault {
                    kms_master_key_id: Some(key.arn()),
                    ..bucket::ServerSideEncryptionByDefault::new(
                        bucket::ServerSideEncryptionByDefaultSseAlgorithm::AwsKms,
                    )
                },
                Some(key),
            ),
        };
        let is_kms = !matches!(props.encryption, BucketEncryption::S3Managed);
        let encryption = bucket::BucketEncryption::new(vec![bucket::ServerSideEncryptionRule {
            server_side_encryption_by_default: Some(sse.into()),
            bucket_key_enabled: is_kms.then(|| true.into()),
            ..Default::default()
        }]);
        let ownership = match props.object_ownership {
            ObjectOwnership::BucketOwnerEnforced => {
                bucket::OwnershipControlsRuleObjectOwnership::BucketOwnerEnforced
            }
            ObjectOwnership::BucketOwnerPreferred => {
                bucket::OwnershipControlsRuleObjectOwnership::BucketOwnerPreferred
            }
        };
        let cfn = CfnBucket {
            bucket_name: props.bucket_name,
            bucket_encryption: Some(encryption.into()),
            public_access_block_configuration: Some(
                bucket::PublicAccessBlockConfiguration {
                    block_public_acls: Some(true.into()),
                    block_public_policy: Some(true.into()),
                    ignore_public_acls: Some(true.into()),
                    restrict_public_buckets: Some(true.into()),
                }
                .into(),
            ),
            ownership_controls: Some(
                bucket::OwnershipControls::new(vec![bucket::OwnershipControlsRule {
                    object_ownership: Some(ownership.into()),
                }])
                .into(),
            ),
            versioning_configuration: props.versioned.then(|| {
                bucket::VersioningConfiguration::new(bucket::VersioningConfigurationStatus::Enabled)
                    .into()
            }),
            lifecycle_configuration: (!props.lifecycle_rules.is_empty()).then(|| {
                bucket::LifecycleConfiguration::new(
                    props
                        .lifecycle_rules
                        .iter()
                        .map(LifecycleRule::cfn)
                        .collect::<Vec<_>>(),
                )
                .into()
            }),
            notification_configuration: props.event_bridge.then(|| {
                bucket::NotificationConfiguration {
                    event_bridge_configuration: Some(
                        bucket::EventBridgeConfiguration::new(true).into(),
                    ),
                    ..Default::default()
                }
                .into()
            }),
            ..Default::default()
        };
        let resource = node.add("Resource", cfn);
        resource.apply_removal_policy(props.removal_policy.for_name(named));
        let this = Bucket {
            node,
            resource,
            key,
        };
        this.add_to_resource_policy(
            PolicyStatement::deny()
                .sid("DenyInsecureTransport")
                .principal(Principal::Anyone)
                .actions(["s3:*"])
                .resources([this.arn(), this.arn_for_objects("*")])
                .condition("Bool", "aws:SecureTransport", "false"),
        );
        match props.access_logs {
            AccessLogs::StackLogBucket => {
                let prefix = format!("{}/", node.path().split_once('/').map_or("", |p| p.1));
                this.log_to(stack_log_bucket(node), &prefix);
            }
            AccessLogs::To { bucket, prefix } => this.log_to(bucket, prefix),
            AccessLogs::Disabled => {}
        }
        this
    }

    /// Sends this bucket's server access logs to `target` under `prefix`, and lets S3's logging
    /// service of this account write there.
    fn log_to(&self, target: Bucket<'a>, prefix: &str) {
        if target.key.is_some() {
            self.node.error_with_hint(
                codes::s3::ACCESS_LOG_BUCKET_KMS,
                format!(
                    "access logs cannot go to {}: it is encrypted with a customer managed key",
                    target.node.path()
                ),
                "S3 server access logs need a target bucket with S3-managed encryption",
            );
        }
        let name = target.name();
        let prefix_owned = prefix.to_owned();
        self.resource.update(|b| {
            b.logging_configuration = Some(
                bucket::LoggingConfiguration {
                    destination_bucket_name: Some(name),
                    log_file_prefix: Some(prefix_owned.into()),
                    ..Default::default()
                }
                .into(),
            );
        });
        target.add_to_resource_policy(
            PolicyStatement::allow()
                .sid("AllowServerAccessLogs")
                .principal(Principal::service("logging.s3.amazonaws.com"))
                .actions(["s3:PutObject"])
                .resources([target.arn_for_objects("*")])
                .condition("StringEquals", "aws:SourceAccount", pseudo::account_id()),
        );
        // Nothing references the target's policy, so order it explicitly: logs must be
        // deliverable from the moment logging is on.
        if let Some(policy) = target.policy() {
            self.resource.add_dependency(&policy);
        }
    }

    /// Adds a statement to the bucket policy (a resource policy: it names principals).
    pub fn add_to_resource_policy(&self, statement: PolicyStatement) {
        for (code, problem) in statement.problems(PolicyKind::Resource) {
            self.node.error(code, problem);
        }
        // `None` when the policy already allowed this: every bucket that logs to the stack's
        // log bucket adds the same statement to its policy, and rendering it again each time
        // would cost as much as the rest of the bucket.
        let (document, existing) = self.node.with_state(|state: &mut BucketState| {
            let document = state
                .policy
                .add_changed(statement)
                .then(|| state.policy.to_value());
            (document, state.policy_resource)
        });
        match (existing.and_then(|key| key.get(self.node.app())), document) {
            (Some(_), None) => {}
            (Some(policy), Some(document)) => policy.update(|p| p.policy_document = document),
            (None, document) => {
                let document = document.unwrap_or_else(|| {
                    self.node
                        .with_state(|state: &mut BucketState| state.policy.to_value())
                });
                let policy = self
                    .node
                    .add_child("Policy")
                    .add("Resource", CfnBucketPolicy::new(self.name(), document));
                self.node.with_state(|state: &mut BucketState| {
                    state.policy_resource = Some(policy.key());
                });
            }
        }
    }

    /// The bucket policy (`Policy`), once a statement has created it (every bucket with the
    /// default `enforce_ssl` has one). Resources that need the policy in place when they are
    /// created depend on it.
    pub fn policy(&self) -> Option<ResourceRef<'a, CfnBucketPolicy>> {
        self.node
            .with_state(|state: &mut BucketState| state.policy_resource)
            .and_then(|key| key.get(self.node.app()))
    }

    /// The bucket's domain name for regional endpoints (what CloudFront origins use).
    pub fn regional_domain_name(&self) -> Expr<String> {
        self.resource.attrs().regional_domain_name()
    }

    /// The L1 resource.
    pub fn l1(&self) -> ResourceRef<'a, CfnBucket> {
        self.resource
    }

    /// The stack's access-log bucket (`AccessLogsBucket`: SSE-S3, bucket owner enforced),
    /// created on first use. Other services' logs that accept such a bucket (load balancers)
    /// can go there too.
    pub fn stack_access_logs(scope: impl Construct<'a>) -> Bucket<'a> {
        stack_log_bucket(scope.node())
    }

    /// An existing bucket, by name.
    pub fn from_name(
        scope: impl Construct<'a>,
        id: &str,
        name: impl Into<Expr<String>>,
    ) -> ImportedBucket<'a> {
        ImportedBucket {
            node: scope.node().add_child(id),
            name: name.into(),
            region: None,
        }
    }
}

/// The stack's bucket for server access logs, created on first use. Its own access is not
/// logged (that would loop), which its metadata records for checkov (CKV_AWS_18).
pub(crate) fn stack_log_bucket<'a>(scope: Node<'a>) -> Bucket<'a> {
    struct AccessLogsBucket;
    stack_singleton::<AccessLogsBucket, _>(scope, |stack| {
        let bucket = Bucket::new(
            stack,
            "AccessLogsBucket",
            BucketProps {
                access_logs: AccessLogs::Disabled,
                lifecycle_rules: vec![LifecycleRule {
                    id: Some("ExpireAccessLogs".into()),
                    expiration_days: Some(365),
                    noncurrent_version_expiration_days: Some(30),
                    abort_incomplete_upload_days: Some(7),
                    ..Default::default()
                }],
                ..Default::default()
            },
        );
        crate::exemptions::exempt(
            bucket.l1(),
            "CKV_AWS_18",
            "the stack's access-log bucket receives the other buckets' logs; logging its own access would loop",
        );
        bucket
    })
}

impl<'a> Keyed<'a> for Bucket<'a> {
    type Key = (
        NodeKey,
        ResourceKey<CfnBucket>,
        Option<<Key<'static> as Keyed<'static>>::Key>,
    );

    fn key(&self) -> Self::Key {
        (
            self.node.key(),
            self.resource.key(),
            self.key.map(|k| k.key()),
        )
    }

    fn from_key(app: &'a App, (node, resource, key): Self::Key) -> Option<Self> {
        Some(Bucket {
            node: node.node(app)?,
            resource: resource.get(app)?,
            key: match key {
                Some(key) => Some(Key::from_key(app, key)?),
                None => None,
            },
        })
    }
}

/// A bucket defined elsewhere, known by its name.
#[derive(Debug, Clone)]
pub struct ImportedBucket<'a> {
    node: Node<'a>,
    name: Expr<String>,
    region: Option<String>,
}

impl ImportedBucket<'_> {
    /// Says which region the bucket is in (`eu-west-1`), so that what uses it is checked
    /// against it at synthesis (a pipeline's S3 deploy action runs in the pipeline's region).
    pub fn in_region(mut self, region: &str) -> Self {
        self.region = Some(region.to_owned());
        self
    }
}

impl<'a> Construct<'a> for ImportedBucket<'a> {
    fn node(&self) -> Node<'a> {
        self.node
    }
}

impl<'a> IBucket<'a> for ImportedBucket<'a> {
    fn name(&self) -> Expr<String> {
        self.name.clone()
    }

    fn arn(&self) -> Expr<String> {
        fns::sub(
            "arn:${AWS::Partition}:s3:::${Name}",
            [("Name", self.name.clone())],
        )
    }

    fn region(&self) -> Option<String> {
        self.region.clone()
    }
}

/// S3's naming rules for general purpose buckets.
fn validate_bucket_name(name: &str) -> Result<(), String> {
    let problem = if !(3..=63).contains(&name.len()) {
        Some("must be 3 to 63 characters long")
    } else if !name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-')
    {
        Some("may contain only lower-case letters, digits, '.' and '-'")
    } else if !name.starts_with(|c: char| c.is_ascii_alphanumeric())
        || !name.ends_with(|c: char| c.is_ascii_alphanumeric())
    {
        Some("must start and end with a letter or digit")
    } else if name.contains("..") {
        Some("must not contain two adjacent periods")
    } else if name.split('.').count() == 4 && name.split('.').all(|p| p.parse::<u8>().is_ok()) {
        Some("must not look like an IP address")
    } else if name.starts_with("xn--") || name.starts_with("sthree-") || name.ends_with("-s3alias")
    {
        Some("uses a prefix or suffix S3 reserves")
    } else {
        None
    };
    match problem {
        Some(p) => Err(format!("bucket name \"{name}\" {p}")),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::validate_bucket_name;

    #[test]
    fn bucket_names() {
        assert!(validate_bucket_name("my-site.example").is_ok());
        for bad in [
            "ab",
            "My-Bucket",
            "-lead",
            "a..b",
            "192.168.1.1",
            "xn--abc",
            "x_y",
        ] {
            assert!(validate_bucket_name(bad).is_err(), "{bad}");
        }
    }
}
