//! `Repository`: a CodeCommit repository.

use cirrus_cfn::codecommit::CfnRepository;
use cirrus_core::{Construct, Expr, Node, RemovalPolicy, ResourceRef, Value};

use crate::codes;
use crate::events::{EventPattern, Rule, RuleProps, Trigger};
use crate::iam::{Grantable, PolicyStatement};
use crate::imports::sub_name;
use crate::kms::{IKey, Key};

/// What the pipeline's CodeCommit source action does with the repository.
pub(crate) const SOURCE_ACTIONS: [&str; 5] = [
    "codecommit:GetBranch",
    "codecommit:GetCommit",
    "codecommit:UploadArchive",
    "codecommit:GetUploadArchiveStatus",
    "codecommit:CancelUploadArchive",
];
const READ_ACTIONS: [&str; 5] = [
    "codecommit:GitPull",
    "codecommit:GetBranch",
    "codecommit:GetCommit",
    "codecommit:GetRepository",
    "codecommit:ListBranches",
];

/// What a repository offers to the constructs that use it: implemented by [`Repository`], by
/// repositories imported by name, and by [`RepositoryRef`].
pub trait IRepository<'a> {
    /// The repository's name.
    fn name(&self) -> Expr<String>;

    /// The repository's ARN.
    fn arn(&self) -> Expr<String>;

    /// The HTTPS clone URL (what CodeBuild's `CODECOMMIT` source takes).
    fn clone_url_http(&self) -> Expr<String>;

    /// The customer managed key the repository is encrypted with, if any.
    fn encryption_key(&self) -> Option<Key<'a>> {
        None
    }

    /// Lets `grantee` clone and fetch (`codecommit:GitPull`).
    fn grant_pull(&self, grantee: &impl Grantable<'a>) {
        grant(self, grantee, &["codecommit:GitPull"], false);
    }

    /// Lets `grantee` clone, fetch and push (`codecommit:GitPull`, `codecommit:GitPush`).
    fn grant_push(&self, grantee: &impl Grantable<'a>) {
        grant(
            self,
            grantee,
            &["codecommit:GitPull", "codecommit:GitPush"],
            true,
        );
    }

    /// Lets `grantee` clone and read branches, commits and the repository's description.
    fn grant_read(&self, grantee: &impl Grantable<'a>) {
        grant(self, grantee, &READ_ACTIONS, false);
    }

    /// A plain description of the repository that other constructs keep.
    fn reference(&self) -> RepositoryRef<'a> {
        RepositoryRef {
            name: self.name(),
            arn: self.arn(),
            clone_url_http: self.clone_url_http(),
            key: self.encryption_key(),
        }
    }
}

/// Grants `actions` on the repository, and the key use they need when it has its own key.
pub(crate) fn grant<'a, R: IRepository<'a> + ?Sized>(
    repo: &R,
    grantee: &impl Grantable<'a>,
    actions: &[&str],
    writes: bool,
) {
    grantee.add_to_principal_policy(
        PolicyStatement::allow()
            .actions(actions)
            .resources([repo.arn()]),
    );
    if let Some(key) = repo.encryption_key() {
        if writes {
            key.grant_encrypt_decrypt(grantee);
        } else {
            key.grant_decrypt(grantee);
        }
    }
}

/// A repository as other constructs keep it.
#[derive(Debug, Clone)]
pub struct RepositoryRef<'a> {
    name: Expr<String>,
    arn: Expr<String>,
    clone_url_http: Expr<String>,
    key: Option<Key<'a>>,
}

impl<'a> IRepository<'a> for RepositoryRef<'a> {
    fn name(&self) -> Expr<String> {
        self.name.clone()
    }

    fn arn(&self) -> Expr<String> {
        self.arn.clone()
    }

    fn clone_url_http(&self) -> Expr<String> {
        self.clone_url_http.clone()
    }

    fn encryption_key(&self) -> Option<Key<'a>> {
        self.key
    }
}

/// How the repository's content is encrypted at rest.
#[derive(Debug, Clone, Copy, Default)]
pub enum RepositoryEncryption<'a> {
    /// With the AWS managed key `aws/codecommit`: always on, no key policy to manage.
    #[default]
    AwsManaged,
    /// With this customer managed key; grants on the repository include the key.
    Kms(Key<'a>),
}

/// Options of a repository.
#[derive(Debug, Clone, cirrus_derive::Setters)]
pub struct RepositoryProps<'a> {
    /// What the repository holds. Default: none.
    pub description: Option<String>,
    /// Encryption at rest. Default: the AWS managed key.
    pub encryption: RepositoryEncryption<'a>,
    /// What happens to the repository when it leaves the stack. Default: `Retain` (its history
    /// exists nowhere else). A repository always has a name of its own, so `Retain` is applied
    /// as `RetainOnUpdateOrDelete` ([`RemovalPolicy::for_name`]): a failed first create can then
    /// be retried.
    pub removal_policy: RemovalPolicy,
}

impl Default for RepositoryProps<'_> {
    fn default() -> Self {
        RepositoryProps {
            description: None,
            encryption: RepositoryEncryption::default(),
            removal_policy: RemovalPolicy::Retain,
        }
    }
}

/// A CodeCommit repository, created empty (push to it with `git`: seeding it from the
/// template would need an S3 asset).
#[derive(Debug, Clone, Copy)]
pub struct Repository<'a> {
    node: Node<'a>,
    resource: ResourceRef<'a, CfnRepository>,
    key: Option<Key<'a>>,
}

impl<'a> Construct<'a> for Repository<'a> {
    fn node(&self) -> Node<'a> {
        self.node
    }
}

impl<'a> IRepository<'a> for Repository<'a> {
    fn name(&self) -> Expr<String> {
        self.resource.attrs().name()
    }

    fn arn(&self) -> Expr<String> {
        self.resource.attrs().arn()
    }

    fn clone_url_http(&self) -> Expr<String> {
        self.resource.attrs().clone_url_http()
    }

    fn encryption_key(&self) -> Option<Key<'a>> {
        self.key
    }
}

impl<'a> Repository<'a> {
    /// A repository named `name` (letters, digits, `.`, `_` and `-`, up to 100 characters).
    pub fn new(
        scope: impl Construct<'a>,
        id: &str,
        name: &str,
        props: RepositoryProps<'a>,
    ) -> Repository<'a> {
        let node = scope.node().add_child(id);
        if let Err(reason) = validate_name(name) {
            node.error(codes::codecommit::REPOSITORY_NAME_INVALID, reason);
        }
        if let Some(description) = &props.description
            && description.len() > 1000
        {
            node.error(
                codes::codecommit::DESCRIPTION_TOO_LONG,
                format!(
                    "the description is {} characters long; CodeCommit allows 1000",
                    description.len()
                ),
            );
        }
        let key = match props.encryption {
            RepositoryEncryption::AwsManaged => None,
            RepositoryEncryption::Kms(key) => Some(key),
        };
        let resource = node.add(
            "Resource",
            CfnRepository {
                repository_description: props.description.map(Into::into),
                kms_key_id: key.map(|k| k.arn()),
                ..CfnRepository::new(name)
            },
        );
        resource.apply_removal_policy(props.removal_policy.for_name(true));
        Repository {
            node,
            resource,
            key,
        }
    }

    /// The URL to clone over SSH.
    pub fn clone_url_ssh(&self) -> Expr<String> {
        self.resource.attrs().clone_url_ssh()
    }

    /// The L1 resource.
    pub fn l1(&self) -> ResourceRef<'a, CfnRepository> {
        self.resource
    }

    /// An EventBridge rule (below this repository, under `id`) that fires when `branch` is
    /// created or moves. Add what it starts with [`Rule::add_target`].
    pub fn on_commit(&self, id: &str, branch: &str) -> Rule<'a> {
        Rule::new(
            self.node,
            id,
            Trigger::Pattern(commit_pattern(self.arn(), branch)),
            RuleProps {
                description: Some(format!("a commit to the {branch} branch")),
                ..Default::default()
            },
        )
    }

    /// An existing repository, by name. A literal name is checked against CodeCommit's
    /// naming rules.
    pub fn from_name(
        scope: impl Construct<'a>,
        id: &str,
        name: impl Into<Expr<String>>,
    ) -> ImportedRepository<'a> {
        let node = scope.node().add_child(id);
        let name = name.into();
        if let Some(Err(reason)) = name.as_literal().map(|n| validate_name(n)) {
            node.error(codes::codecommit::REPOSITORY_NAME_INVALID, reason);
        }
        ImportedRepository { node, name }
    }
}

/// The event of a commit to `branch` of the repository with ARN `repository_arn`: the branch
/// was created or updated.
pub(crate) fn commit_pattern(repository_arn: Expr<String>, branch: &str) -> EventPattern {
    let strings = |items: &[&str]| {
        Value::Array(
            items
                .iter()
                .map(|s| Value::String((*s).to_owned()))
                .collect(),
        )
    };
    EventPattern {
        source: vec!["aws.codecommit".into()],
        detail_type: vec!["CodeCommit Repository State Change".into()],
        resources: vec![repository_arn],
        detail: Some(Value::Object(
            [
                (
                    "event".to_owned(),
                    strings(&["referenceCreated", "referenceUpdated"]),
                ),
                ("referenceType".to_owned(), strings(&["branch"])),
                ("referenceName".to_owned(), strings(&[branch])),
            ]
            .into_iter()
            .collect(),
        )),
        ..Default::default()
    }
}

/// A repository defined outside the app, known by its name.
#[derive(Debug, Clone)]
pub struct ImportedRepository<'a> {
    node: Node<'a>,
    name: Expr<String>,
}

impl<'a> Construct<'a> for ImportedRepository<'a> {
    fn node(&self) -> Node<'a> {
        self.node
    }
}

impl<'a> IRepository<'a> for ImportedRepository<'a> {
    fn name(&self) -> Expr<String> {
        self.name.clone()
    }

    fn arn(&self) -> Expr<String> {
        sub_name(
            "arn:${AWS::Partition}:codecommit:${AWS::Region}:${AWS::AccountId}:${Name}",
            &self.name,
        )
    }

    fn clone_url_http(&self) -> Expr<String> {
        sub_name(
            "https://git-codecommit.${AWS::Region}.${AWS::URLSuffix}/v1/repos/${Name}",
            &self.name,
        )
    }
}

/// CodeCommit's naming rules.
fn validate_name(name: &str) -> Result<(), String> {
    let problem = if name.is_empty() || name.len() > 100 {
        Some("must be 1 to 100 characters long")
    } else if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    {
        Some("may contain only letters, digits, '.', '_' and '-'")
    } else if name.ends_with(".git") {
        Some("must not end in \".git\"")
    } else if name == "." || name == ".." {
        Some("is reserved")
    } else {
        None
    };
    match problem {
        Some(p) => Err(format!("repository name \"{name}\" {p}")),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::validate_name;

    #[test]
    fn repository_names() {
        for good in ["web", "app_api", "yelp-search.frontend"] {
            assert!(validate_name(good).is_ok(), "{good}");
        }
        for bad in ["", "web.git", "a b", "..", &"x".repeat(101)] {
            assert!(validate_name(bad).is_err(), "{bad}");
        }
    }
}
