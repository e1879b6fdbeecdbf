//! `Action`: one step of a stage, typed by what it does.

use cirrus_core::{Construct, Expr, ObjectBuilder, Stack, Value, fns};

use crate::codebuild::{IProject, ProjectRef};
use crate::codecommit::{IRepository, RepositoryRef};
use crate::codepipeline::{Artifact, ArtifactPath};
use crate::iam::Role;
use crate::kms::Key;
use crate::s3::IBucket;

/// What CloudFormation may do beyond plain resources; a template that creates IAM resources
/// or uses macros is refused without the matching capability.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Capability {
    /// `CAPABILITY_IAM`: IAM resources with generated names.
    Iam,
    /// `CAPABILITY_NAMED_IAM`: IAM resources with names of their own.
    NamedIam,
    /// `CAPABILITY_AUTO_EXPAND`: macros and nested stacks.
    AutoExpand,
}

impl Capability {
    fn as_str(self) -> &'static str {
        match self {
            Capability::Iam => "CAPABILITY_IAM",
            Capability::NamedIam => "CAPABILITY_NAMED_IAM",
            Capability::AutoExpand => "CAPABILITY_AUTO_EXPAND",
        }
    }
}

/// How the CloudFormation action deploys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CloudFormationMode {
    /// Create the stack, or update it (`CREATE_UPDATE`).
    #[default]
    CreateUpdate,
    /// Like `CreateUpdate`, but a stack stuck in a failed state is deleted and created again
    /// (`REPLACE_ON_FAILURE`): for stacks without data.
    ReplaceOnFailure,
}

/// The stack a CloudFormation action deploys: a stack of the app (its name is taken from it,
/// so the two cannot drift apart), or a stack known by name.
#[derive(Debug, Clone)]
pub enum DeployedStack<'a> {
    /// A stack of this app.
    Stack(Stack<'a>),
    /// A stack by name.
    Named(String),
}

impl<'a> From<Stack<'a>> for DeployedStack<'a> {
    fn from(stack: Stack<'a>) -> Self {
        DeployedStack::Stack(stack)
    }
}

impl<'a> From<&Stack<'a>> for DeployedStack<'a> {
    fn from(stack: &Stack<'a>) -> Self {
        DeployedStack::Stack(*stack)
    }
}

impl From<&str> for DeployedStack<'_> {
    fn from(name: &str) -> Self {
        DeployedStack::Named(name.to_owned())
    }
}

/// Options of a CodeBuild action.
#[derive(Debug, Clone, Default, cirrus_derive::Setters)]
pub struct CodeBuildActionProps {
    /// More inputs, after the primary one; the build finds each in
    /// `$CODEBUILD_SRC_DIR_<artifact name>`. Default: none.
    pub extra_inputs: Vec<Artifact>,
    /// What the build produces; more than one needs `secondary-artifacts` in the buildspec.
    /// Default: none.
    pub outputs: Vec<Artifact>,
    /// Plain environment variables for this run, which may use pipeline variables
    /// (`#{SourceVariables.CommitId}`). Secrets belong in the project's environment. Default:
    /// none.
    pub environment_variables: Vec<(String, String)>,
    /// Run as a test action (category `Test`) rather than a build. Default: `false`.
    pub test: bool,
}

impl CodeBuildActionProps {
    /// Adds the environment variable `name` to
    /// [`CodeBuildActionProps::environment_variables`]; `value` may use pipeline variables
    /// (`#{SourceVariables.CommitId}`).
    pub fn env(mut self, name: &str, value: &str) -> Self {
        self.environment_variables
            .push((name.to_owned(), value.to_owned()));
        self
    }

    /// A build that produces `output`.
    pub fn output(output: &Artifact) -> CodeBuildActionProps {
        CodeBuildActionProps {
            outputs: vec![output.clone()],
            ..Default::default()
        }
    }
}

/// How the S3 deploy action writes the artifact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum S3DeployMode {
    /// Unpacked, each file an object, under `prefix` (or at the root).
    Extract {
        /// The key prefix. `None`: the bucket's root.
        prefix: Option<String>,
    },
    /// As one zip object at `key`.
    Object {
        /// The object key.
        key: String,
    },
}

impl Default for S3DeployMode {
    fn default() -> Self {
        S3DeployMode::Extract { prefix: None }
    }
}

/// Options of an S3 deploy action.
#[derive(Debug, Clone, Default, cirrus_derive::Setters)]
pub struct S3DeployProps {
    /// Unpacked or as one object. Default: unpacked at the bucket's root.
    pub mode: S3DeployMode,
    /// The `Cache-Control` header of the objects (`public, max-age=300`). Default: none.
    pub cache_control: Option<String>,
}

/// Options of a CloudFormation deploy action.
#[derive(Debug, Clone, Default, cirrus_derive::Setters)]
pub struct CloudFormationDeployProps<'a> {
    /// What the template may do beyond plain resources. Default: none.
    pub capabilities: Vec<Capability>,
    /// The role CloudFormation deploys with. A role given here gets no permissions from the
    /// pipeline: grant it what the stack's resources need (`Role::grant_deploy` derives them
    /// for stacks of the app). Default: the pipeline's deployment role
    /// (`<pipeline>/DeployRole`, trusting `cloudformation.amazonaws.com`), created on first use
    /// and shared by its CloudFormation actions, which may deploy what the stacks of this app
    /// those actions deploy contain (derived at synthesis, see `Role::grant_deploy`; a stack
    /// known only by name gets nothing); reach it with `Pipeline::deploy_role`.
    pub deploy_role: Option<Role<'a>>,
    /// Values of the template's parameters. Default: none.
    pub parameter_overrides: Vec<(String, String)>,
    /// How the stack is deployed. Default: create or update.
    pub mode: CloudFormationMode,
}

/// Options of a manual approval.
#[derive(Debug, Clone, Default, cirrus_derive::Setters)]
pub struct ManualApprovalProps {
    /// An SNS topic told when approval is needed; the approval then gets a role of its own
    /// that may publish to it (an approval without a topic calls no AWS API and has no role).
    /// Default: none.
    pub notify_topic_arn: Option<Expr<String>>,
    /// What the approver should check. Default: none.
    pub comment: Option<String>,
    /// A page to review before approving. Default: none.
    pub review_url: Option<String>,
    /// Minutes before the approval fails (5 to 86400). Default: CodePipeline's, 7 days.
    pub timeout_minutes: Option<u32>,
}

/// A bucket as the S3 deploy action keeps it.
#[derive(Debug, Clone)]
pub(crate) struct BucketRef<'a> {
    name: Expr<String>,
    arn: Expr<String>,
    key: Option<Key<'a>>,
}

impl<'a> IBucket<'a> for BucketRef<'a> {
    fn name(&self) -> Expr<String> {
        self.name.clone()
    }

    fn arn(&self) -> Expr<String> {
        self.arn.clone()
    }

    fn encryption_key(&self) -> Option<Key<'a>> {
        self.key
    }
}

/// What an action does.
#[derive(Debug, Clone)]
pub(crate) enum ActionKind<'a> {
    CodeCommit {
        repository: RepositoryRef<'a>,
        branch: String,
        output: Artifact,
    },
    Ecr {
        repository_name: Expr<String>,
        tag: String,
        output: Artifact,
    },
    CodeBuild {
        project: ProjectRef<'a>,
        input: Artifact,
        props: CodeBuildActionProps,
    },
    S3Deploy {
        bucket: BucketRef<'a>,
        input: Artifact,
        props: S3DeployProps,
    },
    CloudFormation {
        stack: DeployedStack<'a>,
        template: ArtifactPath,
        props: CloudFormationDeployProps<'a>,
    },
    Approval(ManualApprovalProps),
}

/// One action of a stage.
#[derive(Debug, Clone)]
pub struct Action<'a> {
    pub(crate) name: Option<String>,
    pub(crate) run_order: u32,
    pub(crate) namespace: Option<String>,
    pub(crate) kind: ActionKind<'a>,
}

impl<'a> Action<'a> {
    fn of(kind: ActionKind<'a>) -> Action<'a> {
        Action {
            name: None,
            run_order: 1,
            namespace: None,
            kind,
        }
    }

    /// Takes `branch` of `repository` into `output` whenever the branch moves: an EventBridge
    /// rule starts the pipeline (CodePipeline's polling is off).
    pub fn codecommit_source(
        repository: &impl IRepository<'a>,
        branch: &str,
        output: &Artifact,
    ) -> Action<'a> {
        Action::of(ActionKind::CodeCommit {
            repository: repository.reference(),
            branch: branch.to_owned(),
            output: output.clone(),
        })
    }

    /// Takes the image tagged `tag` of the ECR repository `repository_name` (of this account
    /// and region) into `output` (as `imageDetail.json`) whenever that tag is pushed.
    pub fn ecr_source(
        repository_name: impl Into<Expr<String>>,
        tag: &str,
        output: &Artifact,
    ) -> Action<'a> {
        Action::of(ActionKind::Ecr {
            repository_name: repository_name.into(),
            tag: tag.to_owned(),
            output: output.clone(),
        })
    }

    /// Runs a build of `project` (of this app, or imported) on `input`. The project must take
    /// its source from the pipeline, which is checked for a project of this app only; its
    /// role is granted read on the artifacts it reads and write for those it produces. An
    /// imported project's role is known only when given with
    /// [`ImportedProject::with_role`](crate::codebuild::ImportedProject::with_role); without
    /// it, the pipeline warns that the artifacts are not granted.
    pub fn codebuild(
        project: &impl IProject<'a>,
        input: &Artifact,
        props: CodeBuildActionProps,
    ) -> Action<'a> {
        Action::of(ActionKind::CodeBuild {
            project: project.reference(),
            input: input.clone(),
            props,
        })
    }

    /// Writes `input` to `bucket`; the action's role may read the artifacts and write the
    /// bucket (with its key).
    pub fn s3_deploy(
        bucket: &impl IBucket<'a>,
        input: &Artifact,
        props: S3DeployProps,
    ) -> Action<'a> {
        Action::of(ActionKind::S3Deploy {
            bucket: BucketRef {
                name: bucket.name(),
                arn: bucket.arn(),
                key: bucket.encryption_key(),
            },
            input: input.clone(),
            props,
        })
    }

    /// Creates or updates `stack` from the template at `template`; the action's role may
    /// read the artifacts, manage that stack only, and pass the deployment role to
    /// CloudFormation only.
    pub fn cloudformation_deploy(
        stack: impl Into<DeployedStack<'a>>,
        template: ArtifactPath,
        props: CloudFormationDeployProps<'a>,
    ) -> Action<'a> {
        Action::of(ActionKind::CloudFormation {
            stack: stack.into(),
            template,
            props,
        })
    }

    /// Waits for a person to approve.
    pub fn manual_approval(props: ManualApprovalProps) -> Action<'a> {
        Action::of(ActionKind::Approval(props))
    }

    /// Names the action (letters, digits and `.@_-`). Default: after what it does: `Source`
    /// (CodeCommit), `Image` (ECR), the project's construct id (CodeBuild), `Deploy` (S3),
    /// the deployed stack's name (CloudFormation), `Approve`.
    #[must_use]
    pub fn named(mut self, name: &str) -> Self {
        self.name = Some(name.to_owned());
        self
    }

    /// Orders the action within its stage: actions with a lower run order finish first, and
    /// actions with the same one run in parallel. Default: 1.
    #[must_use]
    pub fn run_order(mut self, run_order: u32) -> Self {
        self.run_order = run_order;
        self
    }

    /// Publishes the action's output variables under `namespace`, for later actions to use as
    /// `#{<namespace>.<variable>}`. Default: none.
    #[must_use]
    pub fn variables_namespace(mut self, namespace: &str) -> Self {
        self.namespace = Some(namespace.to_owned());
        self
    }

    /// The action's name: given, or after what it does.
    pub(crate) fn resolved_name(&self) -> String {
        if let Some(name) = &self.name {
            return name.clone();
        }
        match &self.kind {
            ActionKind::CodeCommit { .. } => "Source".into(),
            ActionKind::Ecr { .. } => "Image".into(),
            ActionKind::CodeBuild { project, .. } => project.node().id(),
            ActionKind::S3Deploy { .. } => "Deploy".into(),
            ActionKind::CloudFormation { stack, .. } => stack_name(stack),
            ActionKind::Approval(_) => "Approve".into(),
        }
    }

    pub(crate) fn is_source(&self) -> bool {
        matches!(
            self.kind,
            ActionKind::CodeCommit { .. } | ActionKind::Ecr { .. }
        )
    }

    /// The artifacts the action reads, primary first.
    pub(crate) fn inputs(&self) -> Vec<&Artifact> {
        match &self.kind {
            ActionKind::CodeCommit { .. } | ActionKind::Ecr { .. } | ActionKind::Approval(_) => {
                Vec::new()
            }
            ActionKind::CodeBuild { input, props, .. } => {
                std::iter::once(input).chain(&props.extra_inputs).collect()
            }
            ActionKind::S3Deploy { input, .. } => vec![input],
            ActionKind::CloudFormation { template, .. } => vec![&template.artifact],
        }
    }

    /// The artifacts the action produces.
    pub(crate) fn outputs(&self) -> Vec<&Artifact> {
        match &self.kind {
            ActionKind::CodeCommit { output, .. } | ActionKind::Ecr { output, .. } => {
                vec![output]
            }
            ActionKind::CodeBuild { props, .. } => props.outputs.iter().collect(),
            ActionKind::S3Deploy { .. }
            | ActionKind::CloudFormation { .. }
            | ActionKind::Approval(_) => Vec::new(),
        }
    }

    /// `(category, provider)`.
    pub(crate) fn type_id(&self) -> (&'static str, &'static str) {
        match &self.kind {
            ActionKind::CodeCommit { .. } => ("Source", "CodeCommit"),
            ActionKind::Ecr { .. } => ("Source", "ECR"),
            ActionKind::CodeBuild { props, .. } => {
                (if props.test { "Test" } else { "Build" }, "CodeBuild")
            }
            ActionKind::S3Deploy { .. } => ("Deploy", "S3"),
            ActionKind::CloudFormation { .. } => ("Deploy", "CloudFormation"),
            ActionKind::Approval(_) => ("Approval", "Manual"),
        }
    }

    /// The action's `Configuration`. `deploy_role` is the role of a CloudFormation action.
    pub(crate) fn configuration(&self, deploy_role: Option<&Role<'a>>) -> Option<Value> {
        let mut c = ObjectBuilder::new();
        match &self.kind {
            ActionKind::CodeCommit {
                repository, branch, ..
            } => {
                c.field("RepositoryName", &repository.name())
                    .field("BranchName", branch.as_str())
                    .field("PollForSourceChanges", &false)
                    .field("OutputArtifactFormat", "CODE_ZIP");
            }
            ActionKind::Ecr {
                repository_name,
                tag,
                ..
            } => {
                c.field("RepositoryName", repository_name)
                    .field("ImageTag", tag.as_str());
            }
            ActionKind::CodeBuild {
                project,
                input,
                props,
            } => {
                c.field("ProjectName", &project.name());
                if !props.extra_inputs.is_empty() {
                    c.field("PrimarySource", input.name());
                }
                if !props.environment_variables.is_empty() {
                    let variables: Vec<serde_json::Value> = props
                        .environment_variables
                        .iter()
                        .map(|(name, value)| {
                            serde_json::json!({"name": name, "type": "PLAINTEXT", "value": value})
                        })
                        .collect();
                    c.field(
                        "EnvironmentVariables",
                        &serde_json::Value::Array(variables).to_string(),
                    );
                }
            }
            ActionKind::S3Deploy { bucket, props, .. } => {
                c.field("BucketName", &bucket.name());
                match &props.mode {
                    S3DeployMode::Extract { prefix } => {
                        c.field("Extract", &true);
                        if let Some(prefix) = prefix {
                            c.field("ObjectKey", prefix.as_str());
                        }
                    }
                    S3DeployMode::Object { key } => {
                        c.field("Extract", &false).field("ObjectKey", key.as_str());
                    }
                }
                if let Some(key) = &bucket.key {
                    c.field("KMSEncryptionKeyARN", &crate::kms::IKey::arn(key));
                }
                if let Some(cache_control) = &props.cache_control {
                    c.field("CacheControl", cache_control.as_str());
                }
            }
            ActionKind::CloudFormation {
                stack,
                template,
                props,
            } => {
                c.field(
                    "ActionMode",
                    match props.mode {
                        CloudFormationMode::CreateUpdate => "CREATE_UPDATE",
                        CloudFormationMode::ReplaceOnFailure => "REPLACE_ON_FAILURE",
                    },
                )
                .field("StackName", stack_name(stack).as_str())
                .field("TemplatePath", template.location().as_str());
                let mut capabilities = props.capabilities.clone();
                capabilities.sort();
                capabilities.dedup();
                if !capabilities.is_empty() {
                    let list: Vec<&str> = capabilities.iter().map(|c| c.as_str()).collect();
                    c.field("Capabilities", list.join(",").as_str());
                }
                if let Some(role) = deploy_role {
                    c.field("RoleArn", &role.arn());
                }
                if !props.parameter_overrides.is_empty() {
                    let overrides: serde_json::Map<String, serde_json::Value> = props
                        .parameter_overrides
                        .iter()
                        .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
                        .collect();
                    c.field(
                        "ParameterOverrides",
                        &serde_json::Value::Object(overrides).to_string(),
                    );
                }
            }
            ActionKind::Approval(props) => {
                if let Some(topic) = &props.notify_topic_arn {
                    c.field("NotificationArn", topic);
                }
                if let Some(comment) = &props.comment {
                    c.field("CustomData", comment.as_str());
                }
                if let Some(url) = &props.review_url {
                    c.field("ExternalEntityLink", url.as_str());
                }
            }
        }
        let value = c.build();
        match &value {
            Value::Object(fields) if fields.is_empty() => None,
            _ => Some(value),
        }
    }
}

/// The name of the deployed stack.
pub(crate) fn stack_name(stack: &DeployedStack<'_>) -> String {
    match stack {
        DeployedStack::Stack(stack) => stack.stack_name(),
        DeployedStack::Named(name) => name.clone(),
    }
}

/// The ARN pattern of the stack named `name`: every stack of that name (its id changes when it
/// is replaced), in the pipeline's account and region.
pub(crate) fn stack_arn(name: &str) -> Expr<String> {
    fns::sub(
        &format!(
            "arn:${{AWS::Partition}}:cloudformation:${{AWS::Region}}:${{AWS::AccountId}}:stack/{name}/*"
        ),
        [],
    )
}
