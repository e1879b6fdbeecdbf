//! `Action`: one step of a stage, typed by what it does.

use std::cell::RefCell;
use std::rc::Rc;

use cirrus_core::{Construct, Expr, Node, ObjectBuilder, Stack, Value, fns};

use crate::codebuild::{IProject, ProjectRef};
use crate::codecommit::{IRepository, RepositoryRef};
use crate::codeconnections::IConnection;
use crate::codepipeline::{Artifact, ArtifactPath};
use crate::iam::{PolicyStatement, Role};
use crate::kms::Key;
use crate::s3::{Bucket, IBucket};

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

/// What a connection source hands to the next actions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SourceFormat {
    /// A zip of the commit's files (`CODE_ZIP`), which any action reads.
    #[default]
    Zip,
    /// A reference the next CodeBuild action clones with full Git history
    /// (`CODEBUILD_CLONE_REF`); only CodeBuild actions read it, and their project's role is
    /// granted the connection.
    CloneRef,
}

/// What starts the pipeline for a connection source.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ConnectionTrigger {
    /// Every push to the action's branch (`DetectChanges`).
    #[default]
    Branch,
    /// Pushes to the branches matching `branches` (glob patterns, such as `release/*`),
    /// optionally only when a file matching `file_paths` changed: a trigger of the V2 pipeline
    /// with a Git push filter. The action's own branch is then only what a manual start takes.
    Push {
        /// Branch patterns to include (1 to 8).
        branches: Vec<String>,
        /// File path patterns of which one must change. Empty: any change.
        file_paths: Vec<String>,
    },
    /// Nothing: runs start by hand (warned, see `CODEPIPELINE-035`).
    Manual,
}

/// Options of a connection source.
#[derive(Debug, Clone, Default, cirrus_derive::Setters)]
pub struct ConnectionSourceProps {
    /// What the action hands on. Default: a zip of the commit.
    pub format: SourceFormat,
    /// What starts the pipeline. Default: every push to the action's branch.
    pub trigger: ConnectionTrigger,
}

/// Options of a Commands action.
#[derive(Debug, Clone, Default, cirrus_derive::Setters)]
pub struct CommandsProps {
    /// More inputs, after the primary one. Default: none.
    pub extra_inputs: Vec<Artifact>,
    /// The artifact the commands produce. Default: none.
    pub output: Option<Artifact>,
    /// The files of the working directory that make up the output (`dist/**/*`). Default: the
    /// whole directory (CodePipeline's).
    pub output_files: Vec<String>,
    /// The environment variables the commands set that later actions read as pipeline
    /// variables ([`Action::variable`]). Default: none.
    pub output_variables: Vec<String>,
    /// Plain environment variables the commands read (`DISTRIBUTION_ID`), whose values may
    /// come from the app's resources; never secrets, which the template would show.
    /// Default: none.
    pub environment: Vec<(String, Expr<String>)>,
}

/// The owner of an action type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionOwner {
    /// An action of AWS (`AWS`).
    Aws,
    /// A partner's action (`ThirdParty`).
    ThirdParty,
    /// A custom action type of this account (`Custom`), run by a job worker.
    Custom,
}

impl ActionOwner {
    fn as_str(self) -> &'static str {
        match self {
            ActionOwner::Aws => "AWS",
            ActionOwner::ThirdParty => "ThirdParty",
            ActionOwner::Custom => "Custom",
        }
    }
}

/// The category of an action type: where it may stand and what it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionCategory {
    /// Takes a source into the pipeline (first stage only).
    Source,
    /// Builds.
    Build,
    /// Tests.
    Test,
    /// Deploys.
    Deploy,
    /// Waits for approval.
    Approval,
    /// Invokes a function or state machine.
    Invoke,
    /// Runs commands on CodePipeline's compute.
    Compute,
}

impl ActionCategory {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            ActionCategory::Source => "Source",
            ActionCategory::Build => "Build",
            ActionCategory::Test => "Test",
            ActionCategory::Deploy => "Deploy",
            ActionCategory::Approval => "Approval",
            ActionCategory::Invoke => "Invoke",
            ActionCategory::Compute => "Compute",
        }
    }
}

/// An action type CodePipeline offers that has no typed constructor here: its settings, its
/// artifacts and the statements its role needs are given as they are.
#[derive(Debug, Clone, Default, cirrus_derive::Setters)]
pub struct CustomActionProps {
    /// The action's `Configuration`, in order. For an AWS provider this library knows, the
    /// settings its reference marks as required are checked (`CODEPIPELINE-033`). Default:
    /// none.
    pub configuration: Vec<(String, Value)>,
    /// The artifacts it reads, primary first. Default: none.
    pub inputs: Vec<Artifact>,
    /// The artifacts it produces. Default: none.
    pub outputs: Vec<Artifact>,
    /// What the action's role may do besides the artifacts (granted read for inputs, write for
    /// outputs): scope each statement to the resources the action uses. Default: nothing.
    pub statements: Vec<PolicyStatement>,
}

impl CustomActionProps {
    /// Adds the setting `name` to [`CustomActionProps::configuration`].
    pub fn setting(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.configuration.push((name.to_owned(), value.into()));
        self
    }
}

/// The cluster an EKS deploy action deploys to: a cluster of the app (`(&cluster).into()`)
/// or one known by name ([`EksCluster::named`]).
#[derive(Debug, Clone)]
pub struct EksCluster {
    pub(crate) name: Expr<String>,
}

impl EksCluster {
    /// The cluster named `name`, in the pipeline's account and region.
    pub fn named(name: impl Into<Expr<String>>) -> EksCluster {
        EksCluster { name: name.into() }
    }

    /// Made by the `eks` module from a cluster of the app.
    #[cfg(feature = "eks")]
    pub(crate) fn of(name: Expr<String>) -> EksCluster {
        EksCluster { name }
    }
}

/// What an EKS deploy action applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EksDeployment {
    /// These manifest files of the input artifact, with `kubectl` (`ManifestFiles`).
    Manifests(Vec<String>),
    /// A Helm chart of the input artifact (`HelmReleaseName`, `HelmChartLocation`,
    /// `HelmValuesFiles`).
    Helm {
        /// The release's name.
        release_name: String,
        /// The chart's directory in the input artifact.
        chart_location: String,
        /// Values files in the artifact, applied in order. Empty: the chart's values.
        values_files: Vec<String>,
    },
}

/// How much of the cluster an EKS deploy action may change, through the access entry the
/// pipeline gives its role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EksAccess {
    /// `AmazonEKSAdminPolicy` in the action's namespace only: workloads, services, config
    /// and RBAC of that namespace.
    #[default]
    Namespace,
    /// `AmazonEKSClusterAdminPolicy`: everything, for manifests that hold namespaces, custom
    /// resource definitions or cluster-wide RBAC.
    Cluster,
}

/// Options of an EKS deploy action.
#[derive(Debug, Clone, Default, cirrus_derive::Setters)]
pub struct EksDeployProps {
    /// The Kubernetes namespace (`Namespace`). Default: `default`.
    pub namespace: Option<String>,
    /// For a cluster whose endpoint is private: the subnets CodePipeline's compute runs in
    /// (`Subnets`), which must reach the endpoint. Default: none (public endpoint).
    pub subnet_ids: Vec<Expr<String>>,
    /// With `subnet_ids`: the security groups of that compute (`SecurityGroupIds`), which the
    /// cluster's security group must admit on 443. Default: none.
    pub security_group_ids: Vec<Expr<String>>,
    /// What the action's access entry allows. Default: admin of the namespace.
    pub access: EksAccess,
    /// Environment variables the action replaces in the manifest files or Helm values files
    /// (`$IMAGE_TAG`), whose values may be pipeline variables (`build.variable("IMAGE_TAG")`,
    /// `source.commit_id()`). Default: none.
    pub environment: Vec<(String, Expr<String>)>,
    /// For [`Action::eks_deploy_manifest`]: the folder of the input artifact that holds the
    /// app's synthesized files (what `synth` writes to `synth-out/<app>/`); empty when they
    /// are at its root. Default: `synth-out/<app>`, a checkout of the app's repository.
    pub synth_out: Option<String>,
}

impl EksDeployProps {
    /// Adds the variable `name` to [`EksDeployProps::environment`].
    pub fn env(mut self, name: &str, value: impl Into<Expr<String>>) -> Self {
        self.environment.push((name.to_owned(), value.into()));
        self
    }
}

/// The pipelines that apply a manifest, kept in the manifest node's state: a manifest that
/// none applies is reported.
#[derive(Debug, Default)]
pub(crate) struct AppliedBy {
    pub(crate) pipelines: Vec<String>,
}

/// The manifest of the app an EKS deploy action applies ([`Action::eks_deploy_manifest`]).
#[derive(Debug, Clone)]
pub(crate) struct AppliedManifest<'a> {
    /// The manifest's node, where the pipeline records that it applies it.
    pub(crate) node: Node<'a>,
    /// Values of the app the action's environment carries.
    pub(crate) values: Vec<(String, Expr<String>)>,
    /// Names the action's environment must give.
    pub(crate) variables: Vec<String>,
    /// Whether the objects are in more than one namespace, or some are cluster-scoped.
    pub(crate) spans_namespaces: bool,
}

/// The variables an action publishes, shared by the clones of the action so that the
/// namespace given to the first variable asked is the one the pipeline declares.
#[derive(Debug, Default)]
pub(crate) struct Variables {
    /// The namespace: given, or made when a variable is first asked.
    pub(crate) namespace: Option<String>,
    /// A namespace given after a variable had been asked under another one.
    pub(crate) late_namespace: Option<String>,
    /// The variables asked, in order.
    pub(crate) asked: Vec<String>,
}

/// A bucket as the S3 deploy action keeps it.
#[derive(Debug, Clone)]
pub(crate) struct BucketRef<'a> {
    name: Expr<String>,
    arn: Expr<String>,
    key: Option<Key<'a>>,
    region: Option<String>,
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

    fn region(&self) -> Option<String> {
        self.region.clone()
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
    Connection {
        connection: Expr<String>,
        repository: String,
        branch: String,
        output: Artifact,
        props: ConnectionSourceProps,
    },
    S3Source {
        bucket: Bucket<'a>,
        key: String,
        output: Artifact,
    },
    ChangeSetReplace {
        stack: DeployedStack<'a>,
        template: ArtifactPath,
        change_set: String,
        props: CloudFormationDeployProps<'a>,
    },
    ChangeSetExecute {
        stack: DeployedStack<'a>,
        change_set: String,
    },
    Commands {
        commands: Vec<String>,
        input: Artifact,
        props: CommandsProps,
        /// What the commands call besides the artifacts and logs (an invalidation).
        grants: Vec<PolicyStatement>,
    },
    Eks {
        cluster: EksCluster,
        input: Artifact,
        deployment: EksDeployment,
        props: EksDeployProps,
        /// The app's manifest it applies, when it was made from one.
        manifest: Option<AppliedManifest<'a>>,
    },
    Custom {
        owner: ActionOwner,
        category: ActionCategory,
        provider: String,
        version: String,
        props: CustomActionProps,
    },
}

/// One action of a stage.
#[derive(Debug, Clone)]
pub struct Action<'a> {
    /// The paths of a CloudFront invalidation, checked when the pipeline is built.
    pub(crate) invalidation_paths: Option<Vec<String>>,
    pub(crate) name: Option<String>,
    pub(crate) run_order: u32,
    pub(crate) variables: Rc<RefCell<Variables>>,
    pub(crate) kind: ActionKind<'a>,
    /// The key of the role this action shares with the pipeline's other actions of that key
    /// (`<Key>ActionRole`), instead of a role of its own. Whoever makes such actions grants
    /// what concerns their targets ([`Pipeline::shared_action_role`]); the pipeline grants
    /// only what concerns itself (its logs, its artifacts).
    ///
    /// [`Pipeline::shared_action_role`]: crate::codepipeline::Pipeline::shared_action_role
    pub(crate) shared_role: Option<String>,
}

impl<'a> Action<'a> {
    pub(crate) fn of(kind: ActionKind<'a>) -> Action<'a> {
        Action {
            invalidation_paths: None,
            name: None,
            run_order: 1,
            variables: Rc::default(),
            kind,
            shared_role: None,
        }
    }

    /// Runs the action with the pipeline's role of `key`, shared with the other actions of
    /// that key (see [`Action::shared_role`]).
    pub(crate) fn sharing_role(mut self, key: &str) -> Self {
        self.shared_role = Some(key.to_owned());
        self
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
                region: bucket.region(),
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

    /// Takes `branch` of `repository` (`owner/name`) through `connection` into `output`; the
    /// action's role may use that connection only. By default every push to the branch starts
    /// the pipeline ([`ConnectionSourceProps::trigger`]).
    pub fn connection_source(
        connection: &impl IConnection<'a>,
        repository: &str,
        branch: &str,
        output: &Artifact,
        props: ConnectionSourceProps,
    ) -> Action<'a> {
        Action::of(ActionKind::Connection {
            connection: connection.arn(),
            repository: repository.to_owned(),
            branch: branch.to_owned(),
            output: output.clone(),
            props,
        })
    }

    /// Takes the object `key` of `bucket` into `output` whenever a new version of it is
    /// written: an EventBridge rule on the bucket's `Object Created` events starts the
    /// pipeline (no CloudTrail trail, no polling). The bucket must send its events to
    /// EventBridge (`BucketProps::event_bridge`) and be versioned, which is checked.
    pub fn s3_source(bucket: &Bucket<'a>, key: &str, output: &Artifact) -> Action<'a> {
        Action::of(ActionKind::S3Source {
            bucket: *bucket,
            key: key.to_owned(),
            output: output.clone(),
        })
    }

    /// Creates (or replaces) the change set `change_set` of `stack` from `template`
    /// (`CHANGE_SET_REPLACE`), for [`Action::change_set_execute`] to apply in a later run
    /// order or stage; the action's role may manage that stack's change sets and pass the
    /// deployment role to CloudFormation, nothing else.
    pub fn change_set_replace(
        stack: impl Into<DeployedStack<'a>>,
        template: ArtifactPath,
        change_set: &str,
        props: CloudFormationDeployProps<'a>,
    ) -> Action<'a> {
        Action::of(ActionKind::ChangeSetReplace {
            stack: stack.into(),
            template,
            change_set: change_set.to_owned(),
            props,
        })
    }

    /// Executes the change set `change_set` of `stack` (`CHANGE_SET_EXECUTE`), which an
    /// earlier action of the pipeline creates; the action's role may execute and describe
    /// that stack's change sets only.
    pub fn change_set_execute(stack: impl Into<DeployedStack<'a>>, change_set: &str) -> Action<'a> {
        Action::of(ActionKind::ChangeSetExecute {
            stack: stack.into(),
            change_set: change_set.to_owned(),
        })
    }

    /// The pair of [`Action::change_set_replace`] (run order 1) and
    /// [`Action::change_set_execute`] (run order 2) for one stage: the change set is created,
    /// then applied; put a manual approval at run order 2 and the execute at 3 (with
    /// [`Action::run_order`]) to review it in between.
    pub fn change_set(
        stack: impl Into<DeployedStack<'a>>,
        template: ArtifactPath,
        change_set: &str,
        props: CloudFormationDeployProps<'a>,
    ) -> [Action<'a>; 2] {
        let stack = stack.into();
        [
            Action::change_set_replace(stack.clone(), template, change_set, props),
            Action::change_set_execute(stack, change_set).run_order(2),
        ]
    }

    /// Runs shell `commands` (1 to 50, one line each) on CodePipeline's managed CodeBuild
    /// compute, in the files of `input` (V2 pipelines); no project to create. Its role may
    /// read the artifacts, write its output and write the pipeline's logs
    /// (`/aws/codepipeline/<pipeline name>`).
    pub fn commands<S: AsRef<str>>(
        commands: impl IntoIterator<Item = S>,
        input: &Artifact,
        props: CommandsProps,
    ) -> Action<'a> {
        Action::of(ActionKind::Commands {
            commands: commands
                .into_iter()
                .map(|c| c.as_ref().to_owned())
                .collect(),
            input: input.clone(),
            props,
            grants: Vec::new(),
        })
    }

    /// Invalidates `paths` of the CloudFront distribution `distribution_id`
    /// (`distribution.id()`) and waits until CloudFront has done it, after the files of `input`
    /// were deployed (an S3 deploy action before it): a `Commands` action whose role may only
    /// create and read invalidations of that distribution, in the stack's account. Paths start
    /// with `/`; a `*` may only end one (`/docs/*`). Without it, viewers get the old files
    /// until their cache entries expire.
    pub fn cloudfront_invalidation<S: AsRef<str>>(
        distribution_id: impl Into<Expr<String>>,
        paths: impl IntoIterator<Item = S>,
        input: &Artifact,
    ) -> Action<'a> {
        let distribution_id: Expr<String> = distribution_id.into();
        let distribution_arn = fns::sub(
            "arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/${Id}",
            [("Id", distribution_id.clone())],
        );
        let paths: Vec<String> = paths.into_iter().map(|p| p.as_ref().to_owned()).collect();
        let quoted: Vec<String> = paths.iter().map(|p| format!("'{p}'")).collect();
        let commands = vec![
            format!(
                "aws cloudfront create-invalidation --distribution-id \"$DISTRIBUTION_ID\" --paths {} --query Invalidation.Id --output text > invalidation-id",
                quoted.join(" ")
            ),
            "aws cloudfront wait invalidation-completed --distribution-id \"$DISTRIBUTION_ID\" --id \"$(cat invalidation-id)\"".to_owned(),
        ];
        Action::of(ActionKind::Commands {
            commands,
            input: input.clone(),
            props: CommandsProps {
                environment: vec![("DISTRIBUTION_ID".to_owned(), distribution_id)],
                ..Default::default()
            },
            grants: vec![
                PolicyStatement::allow()
                    .actions([
                        "cloudfront:CreateInvalidation",
                        "cloudfront:GetInvalidation",
                    ])
                    .resources([distribution_arn]),
            ],
        })
        .invalidating(paths)
    }

    /// Records the paths of an invalidation, checked when the pipeline is built.
    fn invalidating(mut self, paths: Vec<String>) -> Self {
        self.invalidation_paths = Some(paths);
        self
    }

    /// Deploys `input` to the EKS cluster `cluster` with kubectl or Helm (provider `EKS`, V2
    /// pipelines). Its role may describe that cluster only, write the pipeline's logs and,
    /// for a private cluster, create the network interfaces of its compute; the pipeline gives
    /// it an EKS access entry on the cluster ([`EksDeployProps::access`]).
    pub fn eks_deploy(
        cluster: impl Into<EksCluster>,
        input: &Artifact,
        deployment: EksDeployment,
        props: EksDeployProps,
    ) -> Action<'a> {
        Action::of(ActionKind::Eks {
            cluster: cluster.into(),
            input: input.clone(),
            deployment,
            props,
            manifest: None,
        })
    }

    /// Any action type CodePipeline has (`owner`, `category`, `provider`, `version`), with
    /// its settings, artifacts and role statements given in `props`.
    pub fn custom(
        owner: ActionOwner,
        category: ActionCategory,
        provider: &str,
        version: &str,
        props: CustomActionProps,
    ) -> Action<'a> {
        Action::of(ActionKind::Custom {
            owner,
            category,
            provider: provider.to_owned(),
            version: version.to_owned(),
            props,
        })
    }

    /// Names the action (letters, digits and `.@_-`). Default: after what it does: `Source`
    /// (CodeCommit, connection, S3 source), `Image` (ECR), the project's construct id
    /// (CodeBuild), `Deploy` (S3, EKS), the deployed stack's name (CloudFormation),
    /// `<stack>.Prepare` and `<stack>.Execute` (change sets), `Commands`, the provider
    /// (custom), `Approve`.
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
    /// `#{<namespace>.<variable>}`. Default: none, or `<action name>Variables` once a variable
    /// of the action is asked ([`Action::variable`]).
    #[must_use]
    pub fn variables_namespace(self, namespace: &str) -> Self {
        {
            let mut variables = self.variables.borrow_mut();
            match &variables.namespace {
                Some(current) if !variables.asked.is_empty() && current != namespace => {
                    variables.late_namespace = Some(namespace.to_owned());
                }
                _ => variables.namespace = Some(namespace.to_owned()),
            }
        }
        self
    }

    /// The output variable `name` of this action, as later actions write it
    /// (`#{<namespace>.<name>}`): the action then publishes its variables, under the namespace
    /// given with [`Action::variables_namespace`] or `<action name>Variables`. The pipeline
    /// checks that the action publishes `name` (`CODEPIPELINE-029`) and that it runs before
    /// where the text is used.
    pub fn variable(&self, name: &str) -> String {
        let default_namespace = format!(
            "{}Variables",
            self.resolved_name()
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || "@_-".contains(*c))
                .collect::<String>()
        );
        let mut variables = self.variables.borrow_mut();
        let namespace = variables.namespace.get_or_insert(default_namespace).clone();
        if !variables.asked.iter().any(|v| v == name) {
            variables.asked.push(name.to_owned());
        }
        format!("#{{{namespace}.{name}}}")
    }

    /// The commit a source action took (`CommitId`: CodeCommit and connection sources).
    pub fn commit_id(&self) -> String {
        self.variable("CommitId")
    }

    /// The message of that commit (`CommitMessage`: CodeCommit and connection sources).
    pub fn commit_message(&self) -> String {
        self.variable("CommitMessage")
    }

    /// The branch a source action took (`BranchName`: CodeCommit and connection sources).
    pub fn branch_name(&self) -> String {
        self.variable("BranchName")
    }

    /// The object version an S3 source took (`VersionId`).
    pub fn version_id(&self) -> String {
        self.variable("VersionId")
    }

    /// The URI of the image an ECR source took (`ImageURI`).
    pub fn image_uri(&self) -> String {
        self.variable("ImageURI")
    }

    /// The digest of the image an ECR source took (`ImageDigest`).
    pub fn image_digest(&self) -> String {
        self.variable("ImageDigest")
    }

    /// The namespace the action publishes its variables under, if any.
    pub(crate) fn namespace(&self) -> Option<String> {
        self.variables.borrow().namespace.clone()
    }

    /// The variables this action publishes, as CodePipeline documents them per provider;
    /// `None` when any name may be published (CodeBuild's exported variables, a stack's
    /// outputs, a custom action's).
    pub(crate) fn published_variables(&self) -> Option<Vec<String>> {
        let fixed = |names: &[&str]| Some(names.iter().map(|n| (*n).to_owned()).collect());
        match &self.kind {
            ActionKind::CodeCommit { .. } => fixed(&[
                "AuthorDate",
                "BranchName",
                "CommitId",
                "CommitMessage",
                "CommitterDate",
                "RepositoryName",
            ]),
            ActionKind::Connection { .. } => fixed(&[
                "AuthorDate",
                "BranchName",
                "CommitId",
                "CommitMessage",
                "ConnectionArn",
                "FullRepositoryName",
            ]),
            ActionKind::S3Source { .. } => fixed(&["ETag", "VersionId"]),
            ActionKind::Ecr { .. } => fixed(&[
                "ImageDigest",
                "ImageTag",
                "ImageURI",
                "RegistryId",
                "RepositoryName",
            ]),
            ActionKind::Commands { props, .. } => Some(props.output_variables.clone()),
            ActionKind::Approval(_) => fixed(&[]),
            ActionKind::S3Deploy { .. } | ActionKind::Eks { .. } => fixed(&[]),
            ActionKind::CodeBuild { .. }
            | ActionKind::CloudFormation { .. }
            | ActionKind::ChangeSetReplace { .. }
            | ActionKind::ChangeSetExecute { .. }
            | ActionKind::Custom { .. } => None,
        }
    }

    /// The action's name: given, or after what it does.
    pub(crate) fn resolved_name(&self) -> String {
        if let Some(name) = &self.name {
            return name.clone();
        }
        match &self.kind {
            ActionKind::CodeCommit { .. }
            | ActionKind::Connection { .. }
            | ActionKind::S3Source { .. } => "Source".into(),
            ActionKind::Ecr { .. } => "Image".into(),
            ActionKind::CodeBuild { project, .. } => project.node().id(),
            ActionKind::S3Deploy { .. } | ActionKind::Eks { .. } => "Deploy".into(),
            ActionKind::CloudFormation { stack, .. } => stack_name(stack),
            ActionKind::ChangeSetReplace { stack, .. } => format!("{}.Prepare", stack_name(stack)),
            ActionKind::ChangeSetExecute { stack, .. } => format!("{}.Execute", stack_name(stack)),
            ActionKind::Commands { .. } if self.invalidation_paths.is_some() => "Invalidate".into(),
            ActionKind::Commands { .. } => "Commands".into(),
            ActionKind::Custom { provider, .. } => provider.clone(),
            ActionKind::Approval(_) => "Approve".into(),
        }
    }

    pub(crate) fn is_source(&self) -> bool {
        self.type_id().1 == "Source"
    }

    /// The artifacts the action reads, primary first.
    pub(crate) fn inputs(&self) -> Vec<&Artifact> {
        match &self.kind {
            ActionKind::CodeCommit { .. }
            | ActionKind::Ecr { .. }
            | ActionKind::Connection { .. }
            | ActionKind::S3Source { .. }
            | ActionKind::ChangeSetExecute { .. }
            | ActionKind::Approval(_) => Vec::new(),
            ActionKind::CodeBuild { input, props, .. } => {
                std::iter::once(input).chain(&props.extra_inputs).collect()
            }
            ActionKind::Commands { input, props, .. } => {
                std::iter::once(input).chain(&props.extra_inputs).collect()
            }
            ActionKind::S3Deploy { input, .. } | ActionKind::Eks { input, .. } => vec![input],
            ActionKind::CloudFormation { template, .. }
            | ActionKind::ChangeSetReplace { template, .. } => vec![&template.artifact],
            ActionKind::Custom { props, .. } => props.inputs.iter().collect(),
        }
    }

    /// The artifacts the action produces.
    pub(crate) fn outputs(&self) -> Vec<&Artifact> {
        match &self.kind {
            ActionKind::CodeCommit { output, .. }
            | ActionKind::Ecr { output, .. }
            | ActionKind::Connection { output, .. }
            | ActionKind::S3Source { output, .. } => vec![output],
            ActionKind::CodeBuild { props, .. } => props.outputs.iter().collect(),
            ActionKind::Commands { props, .. } => props.output.iter().collect(),
            ActionKind::Custom { props, .. } => props.outputs.iter().collect(),
            ActionKind::S3Deploy { .. }
            | ActionKind::CloudFormation { .. }
            | ActionKind::ChangeSetReplace { .. }
            | ActionKind::ChangeSetExecute { .. }
            | ActionKind::Eks { .. }
            | ActionKind::Approval(_) => Vec::new(),
        }
    }

    /// `(owner, category, provider, version)`.
    pub(crate) fn type_id(&self) -> (&'static str, &'static str, &str, &str) {
        let aws = |category, provider| ("AWS", category, provider, "1");
        match &self.kind {
            ActionKind::CodeCommit { .. } => aws("Source", "CodeCommit"),
            ActionKind::Ecr { .. } => aws("Source", "ECR"),
            ActionKind::Connection { .. } => aws("Source", "CodeStarSourceConnection"),
            ActionKind::S3Source { .. } => aws("Source", "S3"),
            ActionKind::CodeBuild { props, .. } => {
                aws(if props.test { "Test" } else { "Build" }, "CodeBuild")
            }
            ActionKind::S3Deploy { .. } => aws("Deploy", "S3"),
            ActionKind::CloudFormation { .. }
            | ActionKind::ChangeSetReplace { .. }
            | ActionKind::ChangeSetExecute { .. } => aws("Deploy", "CloudFormation"),
            ActionKind::Commands { .. } => aws("Compute", "Commands"),
            ActionKind::Eks { .. } => aws("Deploy", "EKS"),
            ActionKind::Approval(_) => aws("Approval", "Manual"),
            ActionKind::Custom {
                owner,
                category,
                provider,
                version,
                ..
            } => (owner.as_str(), category.as_str(), provider, version),
        }
    }

    /// Whether CodePipeline runs the action on its managed CodeBuild compute, which logs to
    /// `/aws/codepipeline/<pipeline name>`.
    pub(crate) fn uses_managed_compute(&self) -> bool {
        matches!(
            self.kind,
            ActionKind::Commands { .. } | ActionKind::Eks { .. }
        )
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
            ActionKind::Connection {
                connection,
                repository,
                branch,
                props,
                ..
            } => {
                c.field("ConnectionArn", connection)
                    .field("FullRepositoryId", repository.as_str())
                    .field("BranchName", branch.as_str())
                    .field(
                        "OutputArtifactFormat",
                        match props.format {
                            SourceFormat::Zip => "CODE_ZIP",
                            SourceFormat::CloneRef => "CODEBUILD_CLONE_REF",
                        },
                    )
                    .field(
                        "DetectChanges",
                        &!matches!(props.trigger, ConnectionTrigger::Manual),
                    );
            }
            ActionKind::S3Source { bucket, key, .. } => {
                c.field("S3Bucket", &bucket.name())
                    .field("S3ObjectKey", key.as_str())
                    .field("PollForSourceChanges", &false);
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
                deploy_settings(&mut c, props, deploy_role);
            }
            ActionKind::ChangeSetReplace {
                stack,
                template,
                change_set,
                props,
            } => {
                c.field("ActionMode", "CHANGE_SET_REPLACE")
                    .field("StackName", stack_name(stack).as_str())
                    .field("ChangeSetName", change_set.as_str())
                    .field("TemplatePath", template.location().as_str());
                deploy_settings(&mut c, props, deploy_role);
            }
            ActionKind::ChangeSetExecute { stack, change_set } => {
                c.field("ActionMode", "CHANGE_SET_EXECUTE")
                    .field("StackName", stack_name(stack).as_str())
                    .field("ChangeSetName", change_set.as_str());
            }
            ActionKind::Commands { .. } => {}
            ActionKind::Eks {
                cluster,
                deployment,
                props,
                ..
            } => {
                c.field("ClusterName", &cluster.name);
                match deployment {
                    EksDeployment::Manifests(files) => {
                        c.field("ManifestFiles", files.join(",").as_str());
                    }
                    EksDeployment::Helm {
                        release_name,
                        chart_location,
                        values_files,
                    } => {
                        c.field("HelmReleaseName", release_name.as_str())
                            .field("HelmChartLocation", chart_location.as_str());
                        if !values_files.is_empty() {
                            c.field("HelmValuesFiles", values_files.join(",").as_str());
                        }
                    }
                }
                if let Some(namespace) = &props.namespace {
                    c.field("Namespace", namespace.as_str());
                }
                if !props.subnet_ids.is_empty() {
                    c.field("Subnets", &comma_list(&props.subnet_ids));
                }
                if !props.security_group_ids.is_empty() {
                    c.field("SecurityGroupIds", &comma_list(&props.security_group_ids));
                }
            }
            ActionKind::Custom { props, .. } => {
                for (name, value) in &props.configuration {
                    c.field(name, value);
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

/// `ids` as one comma-separated text: plain when every id is a literal, `Fn::Join` otherwise.
fn comma_list(ids: &[Expr<String>]) -> Expr<String> {
    let literals: Option<Vec<&str>> = ids
        .iter()
        .map(|id| id.as_literal().map(String::as_str))
        .collect();
    match literals {
        Some(literals) => literals.join(",").into(),
        None => fns::join(",", ids.to_vec()),
    }
}

/// What a CloudFormation action and a change set's creation share: capabilities, the
/// deployment role and parameter overrides.
fn deploy_settings(
    c: &mut ObjectBuilder,
    props: &CloudFormationDeployProps<'_>,
    deploy_role: Option<&Role<'_>>,
) {
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
