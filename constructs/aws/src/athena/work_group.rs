//! `WorkGroup`: an Athena workgroup whose settings (result location, result encryption, scan
//! limit) bind every query run in it.
//!
//! The AWS CDK has no L2 for Athena. A workgroup that does not enforce its configuration lets
//! each client choose where results go and whether they are encrypted (checkov CKV_AWS_82);
//! this one always enforces it.

use cirrus_cfn::athena::{CfnWorkGroup, work_group as wg};
use cirrus_core::{Construct, Expr, Node, ResourceRef, fns, pseudo};

use crate::codes;
use crate::iam::{Grantable, PolicyStatement};
use crate::kms::{IKey, Key};
use crate::s3::IBucket;

const QUERY_ACTIONS: [&str; 8] = [
    "athena:BatchGetQueryExecution",
    "athena:GetQueryExecution",
    "athena:GetQueryResults",
    "athena:GetQueryResultsStream",
    "athena:GetWorkGroup",
    "athena:ListQueryExecutions",
    "athena:StartQueryExecution",
    "athena:StopQueryExecution",
];

/// What a workgroup offers to the people and jobs that query in it: implemented by
/// [`WorkGroup`] and by workgroups imported with [`WorkGroup::from_name`].
pub trait IWorkGroup<'a> {
    /// The workgroup's name.
    fn name(&self) -> Expr<String>;

    /// Where query results go: the ARN of the results bucket and the ARN pattern of the result
    /// objects, when known.
    fn results_location(&self) -> Option<(Expr<String>, Expr<String>)>;

    /// The ARN of the key query results are encrypted with, when it is a customer managed key.
    fn results_key_arn(&self) -> Option<Expr<String>>;

    /// The workgroup's ARN:
    /// `arn:${AWS::Partition}:athena:${AWS::Region}:${AWS::AccountId}:workgroup/<name>`.
    fn arn(&self) -> Expr<String> {
        fns::sub(
            "arn:${AWS::Partition}:athena:${AWS::Region}:${AWS::AccountId}:workgroup/${Name}",
            [("Name", self.name())],
        )
    }

    /// Lets `grantee` run queries in this workgroup and read their results: the Athena query
    /// actions on the workgroup, and, when known, the results location and the results key.
    /// Reading the tables (Glue catalog, source data) is granted separately.
    fn grant_query(&self, grantee: &impl Grantable<'a>) {
        grantee.add_to_principal_policy(
            PolicyStatement::allow()
                .actions(QUERY_ACTIONS)
                .resources([self.arn()]),
        );
        if let Some((bucket_arn, objects)) = self.results_location() {
            grantee.add_to_principal_policy(
                PolicyStatement::allow()
                    .actions(["s3:GetBucketLocation", "s3:ListBucket"])
                    .resources([bucket_arn]),
            );
            grantee.add_to_principal_policy(
                PolicyStatement::allow()
                    .actions([
                        "s3:AbortMultipartUpload",
                        "s3:GetObject",
                        "s3:ListMultipartUploadParts",
                        "s3:PutObject",
                    ])
                    .resources([objects]),
            );
        }
        if let Some(key_arn) = self.results_key_arn() {
            grantee.add_to_principal_policy(
                PolicyStatement::allow()
                    .actions(["kms:Decrypt", "kms:GenerateDataKey"])
                    .resources([key_arn]),
            );
        }
    }
}

/// How query results are encrypted in S3.
#[derive(Debug, Clone, Copy, Default)]
pub enum ResultEncryption<'a> {
    /// SSE-KMS with the results bucket's customer managed key when it has one, otherwise SSE-S3.
    #[default]
    BucketKeyOrS3Managed,
    /// SSE-S3: keys managed by S3.
    S3Managed,
    /// SSE-KMS with this key.
    Kms(Key<'a>),
}

/// The Athena engine queries run on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EngineVersion {
    /// Athena engine version 3, pinned: an engine upgrade changes query semantics, so it should
    /// be a decision.
    #[default]
    V3,
    /// Whatever Athena chooses, upgraded when Athena decides.
    Auto,
}

impl EngineVersion {
    fn as_str(self) -> &'static str {
        match self {
            EngineVersion::V3 => "Athena engine version 3",
            EngineVersion::Auto => "AUTO",
        }
    }
}

/// Options of a workgroup.
#[derive(Debug, Clone, cirrus_derive::Setters)]
pub struct WorkGroupProps<'a> {
    /// What the workgroup is for. Default: none.
    pub description: Option<String>,
    /// The key prefix of query results in the results bucket, ending in `/` (or empty for the
    /// bucket's root). Default: `athena-results/`.
    pub results_prefix: String,
    /// Encryption of query results. Default: the bucket's key with SSE-KMS, or SSE-S3.
    pub result_encryption: ResultEncryption<'a>,
    /// Cancel any query that scans more than this many bytes (at least 10,000,000). Default:
    /// no limit.
    pub bytes_scanned_cutoff_per_query: Option<u64>,
    /// Publish query metrics to CloudWatch. Default: `true`.
    pub publish_cloudwatch_metrics: bool,
    /// The query engine. Default: Athena engine version 3.
    pub engine_version: EngineVersion,
}

impl Default for WorkGroupProps<'_> {
    fn default() -> Self {
        WorkGroupProps {
            description: None,
            results_prefix: "athena-results/".into(),
            result_encryption: ResultEncryption::default(),
            bytes_scanned_cutoff_per_query: None,
            publish_cloudwatch_metrics: true,
            engine_version: EngineVersion::default(),
        }
    }
}

/// The smallest per-query scan limit Athena accepts.
const MIN_CUTOFF: u64 = 10_000_000;

/// An Athena workgroup. Its configuration is enforced (clients cannot override the result
/// location or encryption), results are encrypted, and the results bucket must belong to this
/// account (`ExpectedBucketOwner`).
///
/// The tables queried are out of scope: define the Glue database and tables (or a crawler)
/// separately, and grant the query users read on them and on the data.
#[derive(Debug, Clone, Copy)]
pub struct WorkGroup<'a> {
    node: Node<'a>,
    resource: ResourceRef<'a, CfnWorkGroup>,
    key: Option<Key<'a>>,
}

/// Where a workgroup's results go, for its grants.
#[derive(Debug, Default)]
struct ResultsLocation {
    bucket_arn: Option<Expr<String>>,
    objects: Option<Expr<String>>,
}

impl<'a> Construct<'a> for WorkGroup<'a> {
    fn node(&self) -> Node<'a> {
        self.node
    }
}

impl<'a> WorkGroup<'a> {
    /// A workgroup named `name` that writes query results to `results_bucket`.
    pub fn new(
        scope: impl Construct<'a>,
        id: &str,
        name: &str,
        results_bucket: &impl IBucket<'a>,
        props: WorkGroupProps<'a>,
    ) -> WorkGroup<'a> {
        let node = scope.node().add_child(id);
        check(node, name, &props);
        let key = match props.result_encryption {
            ResultEncryption::BucketKeyOrS3Managed => results_bucket.encryption_key(),
            ResultEncryption::S3Managed => None,
            ResultEncryption::Kms(key) => Some(key),
        };
        let encryption = match key {
            Some(key) => wg::EncryptionConfiguration {
                kms_key: Some(key.arn()),
                ..wg::EncryptionConfiguration::new(
                    wg::EncryptionConfigurationEncryptionOption::SseKms,
                )
            },
            None => {
                wg::EncryptionConfiguration::new(wg::EncryptionConfigurationEncryptionOption::SseS3)
            }
        };
        let prefix = props.results_prefix.replace("${", "${!");
        let configuration = wg::WorkGroupConfiguration {
            enforce_work_group_configuration: Some(true.into()),
            publish_cloud_watch_metrics_enabled: Some(props.publish_cloudwatch_metrics.into()),
            bytes_scanned_cutoff_per_query: props
                .bytes_scanned_cutoff_per_query
                .map(|b| i64::try_from(b).unwrap_or(i64::MAX).into()),
            engine_version: Some(
                wg::EngineVersion {
                    selected_engine_version: Some(props.engine_version.as_str().into()),
                    ..Default::default()
                }
                .into(),
            ),
            result_configuration: Some(
                wg::ResultConfiguration {
                    output_location: Some(fns::sub(
                        &format!("s3://${{Bucket}}/{prefix}"),
                        [("Bucket", results_bucket.name())],
                    )),
                    encryption_configuration: Some(encryption.into()),
                    expected_bucket_owner: Some(pseudo::account_id()),
                    ..Default::default()
                }
                .into(),
            ),
            ..Default::default()
        };
        let resource = node.add(
            "Resource",
            CfnWorkGroup {
                description: props.description.map(Into::into),
                state: Some(wg::WorkGroupState::Enabled.into()),
                recursive_delete_option: Some(false.into()),
                work_group_configuration: Some(configuration.into()),
                ..CfnWorkGroup::new(name)
            },
        );
        node.with_state(|location: &mut ResultsLocation| {
            location.bucket_arn = Some(results_bucket.arn());
            location.objects = Some(results_bucket.arn_for_objects(&format!("{prefix}*")));
        });
        WorkGroup {
            node,
            resource,
            key,
        }
    }

    /// The workgroup's name.
    pub fn name(&self) -> Expr<String> {
        self.resource.ref_()
    }

    /// The workgroup's ARN.
    pub fn arn(&self) -> Expr<String> {
        IWorkGroup::arn(self)
    }

    /// The L1 resource.
    pub fn l1(&self) -> ResourceRef<'a, CfnWorkGroup> {
        self.resource
    }

    /// Lets `grantee` run queries in this workgroup and read their results: the Athena query
    /// actions on the workgroup, the results location, and the results key. Reading the tables
    /// (Glue catalog, source data) is granted separately.
    pub fn grant_query(&self, grantee: &impl Grantable<'a>) {
        IWorkGroup::grant_query(self, grantee);
    }

    /// An existing workgroup of the stack's region and account, by name:
    /// `arn:${AWS::Partition}:athena:${AWS::Region}:${AWS::AccountId}:workgroup/<name>`.
    ///
    /// Its [`IWorkGroup::grant_query`] covers the query actions on the workgroup; give the
    /// location its results go to with [`ImportedWorkGroup::with_results`] for the grant to
    /// cover reading them too, as it does for a workgroup of this app.
    pub fn from_name(
        scope: impl Construct<'a>,
        id: &str,
        name: impl Into<Expr<String>>,
    ) -> ImportedWorkGroup<'a> {
        ImportedWorkGroup {
            node: scope.node().add_child(id),
            name: name.into(),
            results: None,
            key_arn: None,
        }
    }
}

impl<'a> IWorkGroup<'a> for WorkGroup<'a> {
    fn name(&self) -> Expr<String> {
        self.name()
    }

    fn results_location(&self) -> Option<(Expr<String>, Expr<String>)> {
        self.node.with_state(|location: &mut ResultsLocation| {
            location.bucket_arn.clone().zip(location.objects.clone())
        })
    }

    fn results_key_arn(&self) -> Option<Expr<String>> {
        self.key.map(|key| key.arn())
    }
}

/// A workgroup defined elsewhere, known by its name (and, if given, where its results go).
#[derive(Debug, Clone)]
pub struct ImportedWorkGroup<'a> {
    node: Node<'a>,
    name: Expr<String>,
    results: Option<(Expr<String>, Expr<String>)>,
    key_arn: Option<Expr<String>>,
}

impl<'a> Construct<'a> for ImportedWorkGroup<'a> {
    fn node(&self) -> Node<'a> {
        self.node
    }
}

impl<'a> ImportedWorkGroup<'a> {
    /// The same workgroup, whose query results go under `prefix` (`athena-results/`, or empty
    /// for the root) of `bucket`, encrypted with the bucket's customer managed key if it has
    /// one: [`IWorkGroup::grant_query`] then lets the grantee read and write them.
    #[must_use]
    pub fn with_results<'b>(
        mut self,
        bucket: &impl IBucket<'b>,
        prefix: &str,
    ) -> ImportedWorkGroup<'a> {
        let prefix = prefix.replace("${", "${!");
        self.results = Some((bucket.arn(), bucket.arn_for_objects(&format!("{prefix}*"))));
        if let Some(key) = bucket.encryption_key() {
            self.key_arn = Some(key.arn());
        }
        self
    }

    /// The same workgroup, whose query results are encrypted with `key` (SSE-KMS or CSE-KMS
    /// with a key other than the bucket's): [`IWorkGroup::grant_query`] then lets the grantee
    /// use it.
    #[must_use]
    pub fn with_results_key<'b>(mut self, key: &impl IKey<'b>) -> ImportedWorkGroup<'a> {
        self.key_arn = Some(key.arn());
        self
    }

    /// The workgroup's name.
    pub fn name(&self) -> Expr<String> {
        self.name.clone()
    }

    /// The workgroup's ARN.
    pub fn arn(&self) -> Expr<String> {
        IWorkGroup::arn(self)
    }
}

impl<'a> IWorkGroup<'a> for ImportedWorkGroup<'a> {
    fn name(&self) -> Expr<String> {
        self.name.clone()
    }

    fn results_location(&self) -> Option<(Expr<String>, Expr<String>)> {
        self.results.clone()
    }

    fn results_key_arn(&self) -> Option<Expr<String>> {
        self.key_arn.clone()
    }
}

fn check(node: Node<'_>, name: &str, props: &WorkGroupProps<'_>) {
    if name.is_empty()
        || name.len() > 128
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    {
        node.error_with_hint(
            codes::athena::WORKGROUP_NAME_INVALID,
            format!("workgroup name \"{name}\" is not 1 to 128 letters, digits, '.', '_' or '-'"),
            "name the workgroup after its users, such as analytics-team",
        );
    } else if name == "primary" {
        node.error_with_hint(
            codes::athena::WORKGROUP_NAME_RESERVED,
            "workgroup name \"primary\" is taken by the workgroup every account has",
            "choose another name",
        );
    }
    let prefix = &props.results_prefix;
    if prefix.starts_with('/') || !(prefix.is_empty() || prefix.ends_with('/')) {
        node.error_with_hint(
            codes::athena::RESULTS_PREFIX_INVALID,
            format!("results_prefix \"{prefix}\" must end with '/' and must not start with '/'"),
            "write it as a folder, such as athena-results/",
        );
    }
    if let Some(bytes) = props.bytes_scanned_cutoff_per_query
        && bytes < MIN_CUTOFF
    {
        node.error_with_hint(codes::athena::CUTOFF_TOO_SMALL,
            format!("bytes_scanned_cutoff_per_query is {bytes}; Athena's smallest limit is {MIN_CUTOFF} bytes (10 MB)"),
            "give at least 10_000_000, or leave it unset for no limit",
        );
    }
}
