//! `Key`: a symmetric customer managed KMS key.

use cirrus_cfn::kms::{CfnAlias, CfnKey};
use cirrus_core::{
    App, Construct, Expr, Node, NodeKey, RemovalPolicy, ResourceKey, ResourceRef, ToValue, fns,
};

use crate::codes;
use crate::keyed::{Keyed, stack_singleton};

use crate::iam::{Grantable, PolicyDocument, PolicyKind, PolicyStatement, Principal};

/// What a KMS key offers to the constructs that use it.
pub trait IKey<'a> {
    /// The key's ARN.
    fn arn(&self) -> Expr<String>;

    /// Lets `grantee` decrypt with the key.
    fn grant_decrypt(&self, grantee: &impl Grantable<'a>) {
        grantee.add_to_principal_policy(
            PolicyStatement::allow()
                .actions(["kms:Decrypt"])
                .resources([self.arn()]),
        );
    }

    /// Lets `grantee` encrypt with the key.
    fn grant_encrypt(&self, grantee: &impl Grantable<'a>) {
        grantee.add_to_principal_policy(
            PolicyStatement::allow()
                .actions(["kms:Encrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*"])
                .resources([self.arn()]),
        );
    }

    /// Lets `grantee` encrypt and decrypt with the key.
    fn grant_encrypt_decrypt(&self, grantee: &impl Grantable<'a>) {
        grantee.add_to_principal_policy(
            PolicyStatement::allow()
                .actions([
                    "kms:Decrypt",
                    "kms:Encrypt",
                    "kms:ReEncrypt*",
                    "kms:GenerateDataKey*",
                ])
                .resources([self.arn()]),
        );
    }
}

/// Options of a key.
#[derive(Debug, Clone, cirrus_derive::Setters)]
pub struct KeyProps {
    /// What the key protects. Default: none.
    pub description: Option<String>,
    /// An alias (without the `alias/` prefix) to find the key by. Default: none.
    pub alias: Option<String>,
    /// Days between a deletion request and the deletion (7 to 30). Default: 30, CloudFormation's.
    pub pending_window_days: Option<u32>,
    /// What happens to the key when it leaves the stack. Default: `Retain`: data encrypted with
    /// a deleted key is lost.
    pub removal_policy: RemovalPolicy,
}

impl Default for KeyProps {
    fn default() -> Self {
        KeyProps {
            description: None,
            alias: None,
            pending_window_days: None,
            removal_policy: RemovalPolicy::Retain,
        }
    }
}

/// The key policy a construct accumulates: the account's administrators, then the services
/// the key was granted to.
#[derive(Debug, Default)]
struct KeyState {
    policy: PolicyDocument,
}

/// A symmetric customer managed key. Rotation is always on (yearly). The key policy lets the
/// account's IAM policies decide who may use the key (the AWS CDK's default), and services are
/// admitted with [`Key::add_to_resource_policy`].
#[derive(Debug, Clone, Copy)]
pub struct Key<'a> {
    node: Node<'a>,
    resource: ResourceRef<'a, CfnKey>,
}

impl<'a> Construct<'a> for Key<'a> {
    fn node(&self) -> Node<'a> {
        self.node
    }
}

impl<'a> IKey<'a> for Key<'a> {
    fn arn(&self) -> Expr<String> {
        self.resource.attrs().arn()
    }
}

impl<'a> Key<'a> {
    /// A new key.
    pub fn new(scope: impl Construct<'a>, id: &str, props: KeyProps) -> Key<'a> {
        let node = scope.node().add_child(id);
        node.set_standing_cost(
            "a KMS customer managed key, billed monthly",
            props.description.as_deref().unwrap_or("a key of the app"),
            "remove the key, or let the service encrypt with its AWS managed key",
        );
        if let Some(days) = props.pending_window_days
            && !(7..=30).contains(&days)
        {
            node.error_with_hint(
                codes::kms::PENDING_WINDOW_OUT_OF_RANGE,
                format!("pending_window_days is {days}; KMS accepts 7 to 30"),
                "leave it unset for 30 days",
            );
        }
        let policy = node.with_state(|state: &mut KeyState| {
            state.policy.add(
                PolicyStatement::allow()
                    .sid("AccountAdministers")
                    .principal(Principal::this_account())
                    .actions(["kms:*"])
                    .resources(["*"]),
            );
            state.policy.to_value()
        });
        let resource = node.add(
            "Resource",
            CfnKey {
                description: props.description.map(Into::into),
                enable_key_rotation: Some(true.into()),
                key_policy: Some(policy),
                pending_window_in_days: props.pending_window_days.map(|d| i64::from(d).into()),
                ..Default::default()
            },
        );
        resource.apply_removal_policy(props.removal_policy);
        if let Some(alias) = props.alias {
            if alias.starts_with("alias/") || alias.starts_with("aws") {
                node.error_with_hint(
                    codes::kms::ALIAS_INVALID,
                    format!("alias \"{alias}\" must not start with \"alias/\" or \"aws\""),
                    "give the name only; \"alias/\" is added, and \"aws\" is reserved for AWS",
                );
            }
            node.add(
                "Alias",
                CfnAlias::new(format!("alias/{alias}"), resource.ref_()),
            );
        }
        Key { node, resource }
    }

    /// The key's id.
    pub fn id(&self) -> Expr<String> {
        self.resource.ref_()
    }

    /// The L1 resource.
    pub fn l1(&self) -> ResourceRef<'a, CfnKey> {
        self.resource
    }

    /// Adds a statement to the key policy (a resource policy: it names principals; its resource
    /// is `*`, meaning this key).
    pub fn add_to_resource_policy(&self, statement: PolicyStatement) {
        for (code, problem) in statement.problems(PolicyKind::Resource) {
            self.node.error(code, problem);
        }
        let policy = self.node.with_state(|state: &mut KeyState| {
            state.policy.add(statement);
            state.policy.to_value()
        });
        self.resource.update(|k| k.key_policy = Some(policy));
    }

    /// Lets CloudWatch Logs of this stack's region encrypt log groups of this account with
    /// the key.
    pub fn allow_cloudwatch_logs(&self) {
        self.add_to_resource_policy(
            PolicyStatement::allow()
                .sid("CloudWatchLogsEncrypt")
                .principal(Principal::service("logs.${AWS::Region}.amazonaws.com"))
                .actions([
                    "kms:Encrypt*",
                    "kms:Decrypt*",
                    "kms:ReEncrypt*",
                    "kms:GenerateDataKey*",
                    "kms:Describe*",
                ])
                .resources(["*"])
                .condition(
                    "ArnLike",
                    "kms:EncryptionContext:aws:logs:arn",
                    fns::sub(
                        "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:*",
                        [],
                    ),
                ),
        );
    }

    /// An existing key, by ARN.
    pub fn from_arn(
        scope: impl Construct<'a>,
        id: &str,
        arn: impl Into<Expr<String>>,
    ) -> ImportedKey<'a> {
        let node = scope.node().add_child(id);
        let arn = arn.into();
        if let Some(literal) = arn.as_literal()
            && !(literal.starts_with("arn:")
                && literal.contains(":kms:")
                && literal.contains(":key/"))
        {
            node.error_with_hint(
                codes::kms::KEY_ARN_INVALID,
                format!("\"{literal}\" is not the ARN of a KMS key"),
                "give the key's ARN, arn:aws:kms:<region>:<account>:key/<key id> (not an alias)",
            );
        }
        ImportedKey { node, arn }
    }
}

impl<'a> Keyed<'a> for Key<'a> {
    type Key = (NodeKey, ResourceKey<CfnKey>);

    fn key(&self) -> Self::Key {
        (self.node.key(), self.resource.key())
    }

    fn from_key(app: &'a App, (node, resource): Self::Key) -> Option<Self> {
        Some(Key {
            node: node.node(app)?,
            resource: resource.get(app)?,
        })
    }
}

/// A key defined elsewhere, known by its ARN.
#[derive(Debug, Clone)]
pub struct ImportedKey<'a> {
    node: Node<'a>,
    arn: Expr<String>,
}

impl<'a> Construct<'a> for ImportedKey<'a> {
    fn node(&self) -> Node<'a> {
        self.node
    }
}

impl<'a> IKey<'a> for ImportedKey<'a> {
    fn arn(&self) -> Expr<String> {
        self.arn.clone()
    }
}

/// The stack's shared key for encrypting logs, created on first use: one key per stack rather
/// than one per log group keeps the cost at one key.
pub(crate) fn stack_logs_key<'a>(scope: Node<'a>) -> Key<'a> {
    struct LogsKey;
    stack_singleton::<LogsKey, _>(scope, |stack| {
        let key = Key::new(
            stack,
            "LogsKey",
            KeyProps {
                description: Some("encrypts the log groups of this stack".into()),
                ..Default::default()
            },
        );
        key.allow_cloudwatch_logs();
        key.node().set_standing_cost(
            "a KMS customer managed key, billed monthly",
            "encrypts the log groups of this stack (one key for all of them)",
            "LogGroupProps::encryption(LogEncryption::ServiceManaged) on each log group (fails checkov's CKV_AWS_158)",
        );
        key
    })
}
