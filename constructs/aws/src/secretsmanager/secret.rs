//! `Secret`: a Secrets Manager secret under a customer managed key, with a generated value or
//! none.

use cirrus_cfn::secretsmanager::{CfnRotationSchedule, CfnSecret, rotation_schedule, secret};
use cirrus_core::{Construct, Expr, Node, RemovalPolicy, ResourceRef, fns};

use crate::codes;
use crate::iam::{Grantable, PolicyStatement};
use crate::imports::sub_name;
use crate::kms::{IKey, Key, KeyProps};
use crate::secretsmanager::plaintext_secret_problem;

const READ_ACTIONS: [&str; 2] = [
    "secretsmanager:GetSecretValue",
    "secretsmanager:DescribeSecret",
];
const WRITE_ACTIONS: [&str; 2] = [
    "secretsmanager:PutSecretValue",
    "secretsmanager:UpdateSecret",
];

/// What a secret offers to the constructs that read it: implemented by [`Secret`], by secrets
/// imported by name or ARN, and by [`SecretRef`].
pub trait ISecret<'a> {
    /// What a consumer names the secret by (CodeBuild's `SECRETS_MANAGER` variables, the
    /// `--secret-id` of the CLI): its full ARN, or its name for a secret imported by name.
    fn id(&self) -> Expr<String>;

    /// The secret's ARN for IAM policies: the full ARN, or `secret:<name>-??????` for a secret
    /// known by name only (Secrets Manager appends six random characters).
    fn arn(&self) -> Expr<String>;

    /// The ARN of the customer managed key the secret is encrypted with, if any.
    fn key_arn(&self) -> Option<Expr<String>> {
        None
    }

    /// Lets `grantee` read the value (`GetSecretValue`, `DescribeSecret` on this secret), and
    /// decrypt it with the secret's key, through Secrets Manager only.
    fn grant_read(&self, grantee: &impl Grantable<'a>) {
        grantee.add_to_principal_policy(
            PolicyStatement::allow()
                .actions(READ_ACTIONS)
                .resources([self.arn()]),
        );
        if let Some(key) = self.key_arn() {
            grantee.add_to_principal_policy(key_statement(key, &["kms:Decrypt"]));
        }
    }

    /// Lets `grantee` set the value (`PutSecretValue`, `UpdateSecret`), encrypting it with
    /// the secret's key through Secrets Manager only.
    fn grant_write(&self, grantee: &impl Grantable<'a>) {
        grantee.add_to_principal_policy(
            PolicyStatement::allow()
                .actions(WRITE_ACTIONS)
                .resources([self.arn()]),
        );
        if let Some(key) = self.key_arn() {
            grantee.add_to_principal_policy(key_statement(
                key,
                &["kms:Decrypt", "kms:GenerateDataKey*"],
            ));
        }
    }

    /// A plain description of the secret that other constructs keep (CodeBuild environment
    /// variables, buildspecs).
    fn reference(&self) -> SecretRef {
        SecretRef {
            id: self.id(),
            arn: self.arn(),
            key_arn: self.key_arn(),
        }
    }
}

/// A statement on the secret's key, usable only through Secrets Manager in this region.
fn key_statement(key: Expr<String>, actions: &[&str]) -> PolicyStatement {
    PolicyStatement::allow()
        .actions(actions)
        .resources([key])
        .condition(
            "StringEquals",
            "kms:ViaService",
            fns::sub("secretsmanager.${AWS::Region}.amazonaws.com", []),
        )
}

/// A secret as other constructs keep it: how it is named, its ARN and its key.
#[derive(Debug, Clone, PartialEq)]
pub struct SecretRef {
    id: Expr<String>,
    arn: Expr<String>,
    key_arn: Option<Expr<String>>,
}

impl<'a> ISecret<'a> for SecretRef {
    fn id(&self) -> Expr<String> {
        self.id.clone()
    }

    fn arn(&self) -> Expr<String> {
        self.arn.clone()
    }

    fn key_arn(&self) -> Option<Expr<String>> {
        self.key_arn.clone()
    }
}

/// A generated value stored as a JSON object: `template` with the generated string added
/// under `key` (`{"username": "deploy"}` and `password` give
/// `{"username": "deploy", "password": "<generated>"}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonTemplate {
    /// A JSON object of the fields that are not secret.
    pub template: String,
    /// The field the generated string goes in.
    pub key: String,
}

/// How Secrets Manager generates the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedValue {
    /// Length of the generated string (1 to 4096). Default: 32.
    pub length: u32,
    /// Characters the generated string must not contain. Default: none.
    pub exclude_characters: String,
    /// Leave out punctuation. Default: `false`.
    pub exclude_punctuation: bool,
    /// Leave out upper-case letters. Default: `false`.
    pub exclude_uppercase: bool,
    /// Leave out lower-case letters. Default: `false`.
    pub exclude_lowercase: bool,
    /// Leave out digits. Default: `false`.
    pub exclude_numbers: bool,
    /// Allow spaces. Default: `false`.
    pub include_space: bool,
    /// Include at least one character of every allowed kind. Default: `true`.
    pub require_each_included_type: bool,
    /// Store a JSON object with the generated string under a key, instead of the bare string.
    /// Default: the bare string.
    pub json: Option<JsonTemplate>,
}

impl Default for GeneratedValue {
    fn default() -> Self {
        GeneratedValue {
            length: 32,
            exclude_characters: String::new(),
            exclude_punctuation: false,
            exclude_uppercase: false,
            exclude_lowercase: false,
            exclude_numbers: false,
            include_space: false,
            require_each_included_type: true,
            json: None,
        }
    }
}

/// What the secret holds when it is created. There is deliberately no way to give the value
/// itself: it would be in the template for anyone who can read the stack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretValue {
    /// A random string generated by Secrets Manager: a real password, or a placeholder until
    /// the value is set out of band.
    Generated(GeneratedValue),
    /// No value at all: the secret has no version until one is put out of band, and readers
    /// fail until then.
    Empty,
}

impl Default for SecretValue {
    fn default() -> Self {
        SecretValue::Generated(GeneratedValue::default())
    }
}

/// The key the value is encrypted with. Always a customer managed key: the AWS managed
/// `aws/secretsmanager` key cannot be limited by a key policy, and fails checkov's
/// CKV_AWS_149.
#[derive(Debug, Clone, Copy, Default)]
pub enum SecretEncryption<'a> {
    /// The stack's shared secrets key (`SecretsKey`), created on first use: one key per stack
    /// rather than one per secret keeps the cost at one key, and keeps secrets apart from the
    /// logs key, so that a grant to read logs never decrypts a secret.
    #[default]
    StackKey,
    /// This key.
    Key(Key<'a>),
}

/// Rotation by a Lambda function the app provides. The function must let
/// `secretsmanager.amazonaws.com` invoke it and must be allowed to read and write the secret
/// and use its key; nothing here creates a function.
#[derive(Debug, Clone, PartialEq)]
pub struct SecretRotation {
    /// The ARN of the rotation function.
    pub lambda_arn: Expr<String>,
    /// Days between rotations (1 to 1000).
    pub after_days: u32,
}

/// Options of a secret.
#[derive(Debug, Clone, cirrus_derive::Setters)]
pub struct SecretProps<'a> {
    /// The secret's name (letters, digits and `/_+=.@-`, up to 512 characters), such as
    /// `app/prod/slack-webhook`. Default: generated by CloudFormation.
    pub secret_name: Option<String>,
    /// What the secret is for and who sets it. Default: none.
    pub description: Option<String>,
    /// The value it is created with. Default: a generated 32-character string.
    pub value: SecretValue,
    /// The key it is encrypted with. Default: the stack's shared secrets key.
    pub encryption: SecretEncryption<'a>,
    /// Rotation by a function of the app. Default: none; no rotation function is created (the
    /// AWS CDK's hosted rotation deploys a Lambda function for you; ask for one explicitly).
    pub rotation: Option<SecretRotation>,
    /// What happens to the secret when it leaves the stack. Default: `Retain` (a deleted secret
    /// cannot be read back after its recovery window). With a name of its own, `Retain` is applied as `RetainOnUpdateOrDelete`
    /// ([`RemovalPolicy::for_name`]): a failed first create can then be retried.
    pub removal_policy: RemovalPolicy,
}

impl Default for SecretProps<'_> {
    fn default() -> Self {
        SecretProps {
            secret_name: None,
            description: None,
            value: SecretValue::default(),
            encryption: SecretEncryption::default(),
            rotation: None,
            removal_policy: RemovalPolicy::Retain,
        }
    }
}

/// A Secrets Manager secret, encrypted with a customer managed key. Its value is generated or
/// set out of band (see the [module documentation](crate::secretsmanager)), never written in
/// the template.
#[derive(Debug, Clone, Copy)]
pub struct Secret<'a> {
    node: Node<'a>,
    resource: ResourceRef<'a, CfnSecret>,
    key: Key<'a>,
}

impl<'a> Construct<'a> for Secret<'a> {
    fn node(&self) -> Node<'a> {
        self.node
    }
}

impl<'a> ISecret<'a> for Secret<'a> {
    fn id(&self) -> Expr<String> {
        self.resource.ref_()
    }

    fn arn(&self) -> Expr<String> {
        self.resource.ref_()
    }

    fn key_arn(&self) -> Option<Expr<String>> {
        Some(self.key.arn())
    }
}

impl<'a> Secret<'a> {
    /// A new secret.
    pub fn new(scope: impl Construct<'a>, id: &str, props: SecretProps<'a>) -> Secret<'a> {
        let node = scope.node().add_child(id);
        node.set_standing_cost(
            "a Secrets Manager secret, billed monthly",
            "holds a value the app keeps out of its templates",
            "remove the secret (a Parameter Store SecureString is free, without rotation)",
        );
        if let Some(name) = &props.secret_name {
            check_name(node, name);
        }
        let named = props.secret_name.is_some();
        let generate = match &props.value {
            SecretValue::Generated(value) => Some(generated(node, value)),
            SecretValue::Empty => None,
        };
        let key = match props.encryption {
            SecretEncryption::StackKey => stack_secrets_key(node),
            SecretEncryption::Key(key) => key,
        };
        let resource = node.add(
            "Resource",
            CfnSecret {
                name: props.secret_name.map(Into::into),
                description: props.description.map(Into::into),
                generate_secret_string: generate.map(Into::into),
                kms_key_id: Some(key.arn()),
                ..Default::default()
            },
        );
        resource.apply_removal_policy(props.removal_policy.for_name(named));
        if let Some(rotation) = props.rotation {
            if !(1..=1000).contains(&rotation.after_days) {
                node.error(
                    codes::secrets::ROTATION_OUT_OF_RANGE,
                    format!(
                        "rotation after {} days; Secrets Manager accepts 1 to 1000",
                        rotation.after_days
                    ),
                );
            }
            node.add(
                "Rotation",
                CfnRotationSchedule {
                    rotation_lambda_arn: Some(rotation.lambda_arn),
                    rotation_rules: Some(
                        rotation_schedule::RotationRules {
                            automatically_after_days: Some(i64::from(rotation.after_days).into()),
                            ..Default::default()
                        }
                        .into(),
                    ),
                    ..CfnRotationSchedule::new(resource.ref_())
                },
            );
        }
        Secret {
            node,
            resource,
            key,
        }
    }

    /// The key the secret is encrypted with.
    pub fn key(&self) -> Key<'a> {
        self.key
    }

    /// The L1 resource.
    pub fn l1(&self) -> ResourceRef<'a, CfnSecret> {
        self.resource
    }

    /// An existing secret, by name, with the customer managed key it is encrypted with, if
    /// any. Policies name it `secret:<name>-??????`, since its ARN ends in six random
    /// characters. A literal name is checked against Secrets Manager's naming rule.
    pub fn from_name(
        scope: impl Construct<'a>,
        id: &str,
        name: impl Into<Expr<String>>,
        key_arn: Option<Expr<String>>,
    ) -> ImportedSecret<'a> {
        let node = scope.node().add_child(id);
        let name = name.into();
        if let Some(literal) = name.as_literal() {
            check_name(node, literal);
        }
        ImportedSecret {
            node,
            arn: sub_name(
                "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:${Name}-??????",
                &name,
            ),
            id: name,
            key_arn,
        }
    }

    /// An existing secret, by its full ARN, with the customer managed key it is encrypted
    /// with, if any.
    pub fn from_arn(
        scope: impl Construct<'a>,
        id: &str,
        arn: impl Into<Expr<String>>,
        key_arn: Option<Expr<String>>,
    ) -> ImportedSecret<'a> {
        let node = scope.node().add_child(id);
        let arn = arn.into();
        if let Some(literal) = arn.as_literal()
            && !(literal.starts_with("arn:")
                && literal.contains(":secretsmanager:")
                && literal.contains(":secret:"))
        {
            node.error_with_hint(codes::secrets::SECRET_ARN_INVALID,
                format!("\"{literal}\" is not the ARN of a secret"),
                "secret ARNs read arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 characters>",
            );
        }
        ImportedSecret {
            node,
            id: arn.clone(),
            arn,
            key_arn,
        }
    }
}

fn check_name(node: Node<'_>, name: &str) {
    let bad = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "/_+=.@-".contains(*c)));
    if name.is_empty() || name.len() > 512 {
        node.error(
            codes::secrets::SECRET_NAME_INVALID,
            format!("secret name \"{name}\" must be 1 to 512 characters long"),
        );
    } else if let Some(bad) = bad {
        node.error(codes::secrets::SECRET_NAME_INVALID, format!(
            "secret name \"{name}\" contains {bad:?}; names may contain only letters, digits and '/_+=.@-'"
        ));
    }
    if name.len() > 7 && name.as_bytes()[name.len() - 7] == b'-' {
        node.warning(codes::secrets::SECRET_NAME_LOOKS_SUFFIXED, format!(
            "secret name \"{name}\" ends in a hyphen and six characters, which reads like the random suffix of a secret ARN; lookups by partial ARN may pick the wrong secret"
        ));
    }
}

/// The `GenerateSecretString` of `value`, reporting what Secrets Manager would refuse.
fn generated(node: Node<'_>, value: &GeneratedValue) -> secret::GenerateSecretString {
    if !(1..=4096).contains(&value.length) {
        node.error(
            codes::secrets::GENERATED_VALUE_INVALID,
            format!(
                "a generated value of {} characters; Secrets Manager generates 1 to 4096",
                value.length
            ),
        );
    }
    if value.exclude_lowercase
        && value.exclude_uppercase
        && value.exclude_numbers
        && value.exclude_punctuation
        && !value.include_space
    {
        node.error(
            codes::secrets::GENERATED_VALUE_INVALID,
            "the generated value excludes every kind of character",
        );
    }
    let (template, key) = match &value.json {
        Some(json) => {
            check_template(node, json);
            (Some(json.template.clone()), Some(json.key.clone()))
        }
        None => (None, None),
    };
    let flag = |set: bool| set.then(|| true.into());
    secret::GenerateSecretString {
        password_length: Some(i64::from(value.length).into()),
        exclude_characters: (!value.exclude_characters.is_empty())
            .then(|| value.exclude_characters.clone().into()),
        exclude_punctuation: flag(value.exclude_punctuation),
        exclude_uppercase: flag(value.exclude_uppercase),
        exclude_lowercase: flag(value.exclude_lowercase),
        exclude_numbers: flag(value.exclude_numbers),
        include_space: flag(value.include_space),
        require_each_included_type: (!value.require_each_included_type).then(|| false.into()),
        secret_string_template: template.map(Into::into),
        generate_string_key: key.map(Into::into),
    }
}

/// The template must be a JSON object without the generated key, and must not hold a secret
/// itself: it is written in the template.
fn check_template(node: Node<'_>, json: &JsonTemplate) {
    if json.key.is_empty() {
        node.error(
            codes::secrets::JSON_TEMPLATE_INVALID,
            "the JSON template's key for the generated value is empty",
        );
    }
    match serde_json::from_str::<serde_json::Value>(&json.template) {
        Ok(serde_json::Value::Object(fields)) => {
            if fields.contains_key(&json.key) {
                node.error(codes::secrets::JSON_TEMPLATE_INVALID, format!(
                    "the JSON template already has the field \"{}\" the generated value goes in",
                    json.key
                ));
            }
            for (field, value) in &fields {
                if let Some(text) = value.as_str()
                    && let Some(problem) = plaintext_secret_problem(field, text)
                {
                    node.error_with_hint(codes::secrets::JSON_TEMPLATE_HOLDS_SECRET,
                        format!("the JSON template: {problem}"),
                        "the template is written in the CloudFormation template; leave secret fields to the generated value or set them out of band",
                    );
                }
            }
        }
        Ok(_) | Err(_) => node.error(
            codes::secrets::JSON_TEMPLATE_INVALID,
            format!("the JSON template {} is not a JSON object", json.template),
        ),
    }
}

/// The stack's shared key for secrets, created on first use.
fn stack_secrets_key<'a>(scope: Node<'a>) -> Key<'a> {
    struct SecretsKey;
    crate::keyed::stack_singleton::<SecretsKey, _>(scope, |stack| {
        let key = Key::new(
            stack,
            "SecretsKey",
            KeyProps {
                description: Some("encrypts the Secrets Manager secrets of this stack".into()),
                ..Default::default()
            },
        );
        key.node().set_standing_cost(
            "a KMS customer managed key, billed monthly",
            "encrypts the Secrets Manager secrets of this stack (one key for all of them)",
            "SecretProps::encryption(SecretEncryption::Key(..)) with a key the app has anyway",
        );
        key
    })
}

/// A secret defined outside the app.
#[derive(Debug, Clone)]
pub struct ImportedSecret<'a> {
    node: Node<'a>,
    id: Expr<String>,
    arn: Expr<String>,
    key_arn: Option<Expr<String>>,
}

impl<'a> Construct<'a> for ImportedSecret<'a> {
    fn node(&self) -> Node<'a> {
        self.node
    }
}

impl<'a> ISecret<'a> for ImportedSecret<'a> {
    fn id(&self) -> Expr<String> {
        self.id.clone()
    }

    fn arn(&self) -> Expr<String> {
        self.arn.clone()
    }

    fn key_arn(&self) -> Option<Expr<String>> {
        self.key_arn.clone()
    }
}
