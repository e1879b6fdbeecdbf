//! `DeliveryPipeline`: the whole app delivered from a push, the AWS CDK's CDK Pipelines idea
//! without its traps.
//!
//! The pipeline runs, in order:
//! 1. **Source**: the app's repository (a connection to GitHub, GitLab or Bitbucket, or
//!    CodeCommit); every push to the branch starts it.
//! 2. **Synth**: a CodeBuild project installs a pinned Rust toolchain (rustup), builds the app
//!    with its cargo caches, and either synthesizes it (`cargo run -- synth --app <app>`) or
//!    verifies the committed `synth-out/<app>/` (`synth --check`); its output artifact is that
//!    folder. It then asks `cargo run -- diff --app <app> --widening <stacks>` of the pipeline's
//!    own stack and of each environment, which answers with the rule `deploy` asks approval by
//!    (IAM statements, trust and resource policies, security-group rules), and exports the
//!    answers as `WIDENS_PIPELINE` and `WIDENS_<ENVIRONMENT>`.
//! 3. **UpdatePipeline**: the pipeline's own stack, through a change set. The pipeline restarts
//!    when its definition changed; synthesis is deterministic (the same commit gives the same
//!    bytes), so the restarted run finds nothing to change and goes on: no self-mutation loop.
//!    A stage before it waits for a person when the change widens access (`ApprovePipeline`,
//!    skipped otherwise with a `VariableCheck` entry condition).
//! 4. **The environments, in order**: for each, an approval stage (always, or only when the
//!    environment's changes widen access), then its stacks wave by wave from the app's
//!    dependency graph: a wave holds the stacks whose dependencies earlier waves deliver, each
//!    through a change set (create, then execute), stacks of a wave in parallel; then, when
//!    those stacks have Kubernetes steps that `deploy` would apply after them, a
//!    `<Env>-Kubernetes` stage puts them on their clusters ([`KubernetesDelivery`]): by
//!    default it runs `cargo run -- deploy --workloads-only` in a second project, which hands
//!    each step to its cluster's in-VPC deployer; or a render action and one CodePipeline EKS
//!    deploy action per step (`eks.rs`). Either way a step whose cluster is reached directly
//!    is `CODEPIPELINE-043`.
//!
//! CloudFormation deploys with the pipeline's deployment role, which may create only what the
//! delivered stacks contain (`Role::grant_deploy`, derived from their resources); that role also
//! updates the pipeline's own stack, and its derived policies cover its own managed policies,
//! so an update that widens what it may do is one the `ApprovePipeline` stage holds for a
//! person.
//!
//! The pipeline is built from the app as it stands when it is created: create it once the
//! app's stacks are defined. Synthesis checks the order again over the complete app and
//! reports a stack added later, or a dependency that appeared later, with
//! `CODEPIPELINE-041`. Stacks must be in the pipeline's account and region
//! (`CODEPIPELINE-042`).

mod eks;

use std::collections::{BTreeMap, BTreeSet};

use cirrus_core::{Arn, Construct, Diagnostic, Env, Expr, Node, Stack};

use crate::codebuild::{
    BuildArtifacts, BuildEnv, BuildEnvironment, BuildImage, BuildLogs, BuildSpec, Cache,
    ComputeType, EnvVar, InlineBuildSpec, InstallPhase, Phase, Phases, Project, ProjectProps,
    shell_name,
};
use crate::codecommit::{IRepository, RepositoryRef};
use crate::codeconnections::IConnection;
use crate::codepipeline::pipeline::artifact_bucket;
use crate::codepipeline::{
    Action, ActionKind, Artifact, Capability, CloudFormationDeployProps, CodeBuildActionProps,
    ConnectionSourceProps, ExecutionMode, ManualApprovalProps, Pipeline, PipelineProps, Stage,
};
use crate::codes;
use crate::iam::PolicyStatement;
use crate::logs::{LogGroup, LogGroupProps};
use crate::s3::Bucket;

pub(crate) use eks::KubernetesTarget;

/// The Rust toolchain the synth step installs unless told otherwise: the one this library is
/// built and tested with.
pub const RUST_TOOLCHAIN: &str = "1.95.0";

/// The namespace of the synth action's variables.
const SYNTH_NAMESPACE: &str = "Synth";
/// The change set each delivered stack is updated through.
const CHANGE_SET: &str = "delivery";

/// Where the app's code comes from.
#[derive(Debug, Clone)]
pub struct DeliverySource<'a> {
    origin: Origin<'a>,
    artifact: Artifact,
}

/// The repository and branch of a [`DeliverySource`].
#[derive(Debug, Clone)]
enum Origin<'a> {
    Connection {
        connection: Expr<String>,
        repository: String,
        branch: String,
    },
    CodeCommit {
        repository: RepositoryRef<'a>,
        branch: String,
    },
}

impl<'a> DeliverySource<'a> {
    /// `branch` of `repository` (`owner/name`) on GitHub, GitLab or Bitbucket, through
    /// `connection`; every push to the branch starts the pipeline.
    pub fn connection(
        connection: &impl IConnection<'a>,
        repository: &str,
        branch: &str,
    ) -> DeliverySource<'a> {
        let origin = Origin::Connection {
            connection: connection.arn(),
            repository: repository.to_owned(),
            branch: branch.to_owned(),
        };
        DeliverySource {
            origin,
            artifact: Artifact::new("Source"),
        }
    }

    /// `branch` of a CodeCommit repository; every push to the branch starts the pipeline.
    pub fn codecommit(repository: &impl IRepository<'a>, branch: &str) -> DeliverySource<'a> {
        let origin = Origin::CodeCommit {
            repository: repository.reference(),
            branch: branch.to_owned(),
        };
        DeliverySource {
            origin,
            artifact: Artifact::new("Source"),
        }
    }

    /// The source action of the same branch of the same repository, into `output`: for
    /// another pipeline of the app that reads the repository too (one that applies objects of
    /// the app's committed `synth-out/`), started by the same pushes.
    pub fn action(&self, output: &Artifact) -> Action<'a> {
        Action::of(match &self.origin {
            Origin::Connection {
                connection,
                repository,
                branch,
            } => ActionKind::Connection {
                connection: connection.clone(),
                repository: repository.clone(),
                branch: branch.clone(),
                output: output.clone(),
                props: ConnectionSourceProps::default(),
            },
            Origin::CodeCommit { repository, branch } => ActionKind::CodeCommit {
                repository: repository.clone(),
                branch: branch.clone(),
                output: output.clone(),
            },
        })
    }
}

/// How the synth step makes the templates the pipeline deploys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SynthStep {
    /// Synthesizes the app from the pushed code (`cargo run -- synth`): what is deployed is what
    /// the code says, whatever `synth-out/` holds.
    #[default]
    Build,
    /// Deploys the committed `synth-out/<app>/`, which reviewers read in the pull request,
    /// after `cargo run -- synth --check` has verified that the code produces exactly it: a
    /// stale commit fails the run instead of deploying.
    Committed,
}

/// How the delivery pipeline puts the Kubernetes steps of an environment's stacks on their
/// clusters, after the stacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum KubernetesDelivery {
    /// A CodeBuild project runs `cargo run -- deploy --workloads-only` for the environment's
    /// stacks, which hands each step to its cluster's in-VPC deployer: exactly what `deploy`
    /// does, with Helm releases from their chart repositories, objects a step no longer has
    /// pruned (ApplySet), and the waits for rollouts, for kinds an operator registers and for
    /// Jobs that ask for it.
    #[default]
    InVpcDeployer,
    /// CodePipeline's EKS deploy action, one per step, each visible in the pipeline, on
    /// CodePipeline's managed compute in the subnets of the cluster's in-VPC deployer, after a
    /// render action that resolves the steps' values from the deployed stacks and pulls the
    /// releases' charts at their pinned versions.
    ///
    /// The action applies with client-side `kubectl apply` and runs Helm its own way (not
    /// `--atomic`, not the release's timeout), and it prunes nothing: an object removed from a
    /// step stays on the cluster until a person deletes it (`deploy` prunes only the objects
    /// it applied itself, which carry its labels). A step that needs what the action does not
    /// do is refused at synthesis (`CODEPIPELINE-045`): a Job that asks to be waited for, a
    /// kind a step of the same environment provides (a CRD, a release's operator) with objects
    /// of it in the environment, a release that creates its namespace, objects of several
    /// namespaces in one step.
    EksDeployAction,
}

/// When an environment waits for a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Approval {
    /// When its changes widen access (the rule `deploy` asks approval by); skipped otherwise.
    #[default]
    WhenWidening,
    /// On every run (production).
    Always,
}

/// Stacks delivered together, after the environments before them.
#[derive(Debug, Clone)]
pub struct Environment<'a> {
    name: String,
    stacks: Vec<Stack<'a>>,
    approval: Approval,
}

impl<'a> Environment<'a> {
    /// The environment `name` (letters, digits and `-`; the stages are named after it) of
    /// `stacks`, approved when its changes widen access.
    pub fn new(name: &str, stacks: impl IntoIterator<Item = Stack<'a>>) -> Environment<'a> {
        Environment {
            name: name.to_owned(),
            stacks: stacks.into_iter().collect(),
            approval: Approval::WhenWidening,
        }
    }

    /// When the environment waits for a person. Default: [`Approval::WhenWidening`].
    pub fn approval(mut self, approval: Approval) -> Self {
        self.approval = approval;
        self
    }

    /// The name of the variable telling whether the environment's changes widen access.
    fn widens_variable(&self) -> String {
        let upper: String = self
            .name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_uppercase()
                } else {
                    '_'
                }
            })
            .collect();
        format!("WIDENS_{upper}")
    }
}

/// Options of a delivery pipeline.
#[derive(Debug, Clone, Default, cirrus_derive::Setters)]
pub struct DeliveryProps<'a> {
    /// The pipeline's name. Default: `<app>-delivery`.
    pub pipeline_name: Option<String>,
    /// How the templates are made. Default: [`SynthStep::Build`].
    pub synth: SynthStep,
    /// The environments, delivered in this order; every stack of the app but the pipeline's
    /// own is in exactly one. Default: one environment, `Deploy`, of every other stack,
    /// approved when its changes widen access.
    pub environments: Vec<Environment<'a>>,
    /// The Rust toolchain the synth step installs with rustup. Default: [`RUST_TOOLCHAIN`].
    pub rust_toolchain: Option<String>,
    /// The folder of the cargo workspace in the repository. Default: the repository's root.
    pub workspace_dir: Option<String>,
    /// The bucket for the pipeline's artifacts and the synth step's cargo cache, encrypted with
    /// a customer managed key. Default: a new bucket below the pipeline.
    pub artifact_bucket: Option<Bucket<'a>>,
    /// The path of the roles the pipeline creates (`/app/`). Default: the stack's
    /// ([`default_role_path`](crate::iam::default_role_path)), else `/`.
    pub role_path: Option<String>,
    /// The log group of the pipeline's builds (the synth step and the Kubernetes steps).
    /// Default: a new group, encrypted with the stack's logs key, kept one year.
    pub build_logs: LogGroupProps<'a>,
    /// How the Kubernetes steps of the delivered stacks reach their clusters. Default:
    /// [`KubernetesDelivery::InVpcDeployer`].
    pub kubernetes: KubernetesDelivery,
}

/// The pipeline that delivers the app from a push; see the module documentation.
#[derive(Debug, Clone, Copy)]
pub struct DeliveryPipeline<'a> {
    pipeline: Pipeline<'a>,
}

/// Where each stack goes: the stages of the environments, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Plan {
    /// Per environment, its waves of stack ids.
    environments: Vec<Vec<Vec<String>>>,
}

impl<'a> DeliveryPipeline<'a> {
    /// The delivery pipeline of the app `scope` belongs to, in `scope`'s stack, fed by
    /// `source`. Create it once the app's stacks are defined.
    pub fn new(
        scope: impl Construct<'a>,
        id: &str,
        source: DeliverySource<'a>,
        props: DeliveryProps<'a>,
    ) -> DeliveryPipeline<'a> {
        let node = scope.node().add_child(id);
        let app = node.app();
        let own = node.stack();
        let name = props
            .pipeline_name
            .clone()
            .unwrap_or_else(|| format!("{}-delivery", app.name()));
        let environments = if props.environments.is_empty() {
            let others = app.stacks().into_iter().filter(|s| s.id() != own.id());
            vec![Environment::new("Deploy", others)]
        } else {
            props.environments.clone()
        };
        check_environments(node, own, &environments);
        let groups: Vec<Vec<String>> = environments
            .iter()
            .map(|e| e.stacks.iter().map(Stack::id).collect())
            .collect();
        let plan = plan(node, &own.id(), &groups, &app.stack_dependencies());
        // Synthesis checks the plan again on the complete app's stack graph.
        let (own_id, expected) = (own.id(), plan.clone());
        node.add_stack_graph_check(move |dependencies| {
            let mut found = Vec::new();
            let again = order(&own_id, &groups, dependencies, &mut found);
            if found.is_empty() && again != expected {
                found.push(Diagnostic::error(
                    codes::codepipeline::DELIVERY_STACK_PLACEMENT,
                    "",
                    "the app's stacks depend on each other differently than when the delivery pipeline was created, so its waves are out of order",
                ).with_hint("create the delivery pipeline after every stack and reference of the app"));
            }
            found
        });

        let role_path = props.role_path.clone();
        let bucket = props
            .artifact_bucket
            .unwrap_or_else(|| artifact_bucket(node));
        let synthesized = Artifact::new("Synthesized");
        let logs = LogGroup::new(node, "BuildLogs", props.build_logs.clone());
        let build = synth_project(node, own, &environments, &props, (bucket, logs), &name);
        let synth = Action::codebuild(
            &build,
            &source.artifact,
            CodeBuildActionProps::output(&synthesized),
        )
        .named("Synth")
        .variables_namespace(SYNTH_NAMESPACE);
        let widens = |variable: &str| synth.variable(variable);
        // The Kubernetes steps of the delivered stacks, applied by one project for every
        // environment (created when the first environment has steps).
        let delivered: Vec<String> = app.stacks().iter().map(Stack::stack_name).collect();
        let by_action = props.kubernetes == KubernetesDelivery::EksDeployAction;
        let mut clusters = eks::Clusters::default();
        let env_steps: Vec<Vec<eks::Step>> = environments
            .iter()
            .map(|e| {
                let ids: Vec<String> = e.stacks.iter().map(Stack::id).collect();
                if by_action {
                    eks::steps_of(node, &e.name, &ids, &mut clusters)
                } else {
                    Vec::new()
                }
            })
            .collect();
        let mut render: Option<Project<'a>> = None;
        let env_deployers: Vec<BTreeSet<(String, String)>> = environments
            .iter()
            .map(|e| {
                if by_action {
                    return BTreeSet::new();
                }
                deployers_of(node, &e.stacks.iter().map(Stack::id).collect::<Vec<_>>())
            })
            .collect();
        let all_deployers: BTreeSet<(String, String)> =
            env_deployers.iter().flatten().cloned().collect();
        let mut workloads: Option<Project<'a>> = None;

        let deploy = CloudFormationDeployProps::default()
            .capabilities([Capability::Iam, Capability::NamedIam]);
        let mut stages = vec![
            Stage::new("Source", [source.action(&source.artifact)]),
            Stage::new("Synth", [synth.clone()]),
            Stage::new(
                "ApprovePipeline",
                [Action::manual_approval(ManualApprovalProps {
                    comment: Some(format!(
                        "the pipeline's own stack {} widens access: read the Synth action's log before approving",
                        own.stack_name()
                    )),
                    ..Default::default()
                })],
            )
            .skip_unless(widens("WIDENS_PIPELINE"), "true"),
            Stage::new(
                "UpdatePipeline",
                Action::change_set(own, synthesized.template_of(&own), CHANGE_SET, deploy.clone()),
            ),
        ];
        let stacks: BTreeMap<String, Stack<'a>> =
            app.stacks().into_iter().map(|s| (s.id(), s)).collect();
        for (((environment, waves), deployers), steps) in environments
            .iter()
            .zip(&plan.environments)
            .zip(&env_deployers)
            .zip(&env_steps)
        {
            let approval = Stage::new(
                &format!("Approve{}", environment.name),
                [Action::manual_approval(ManualApprovalProps {
                    comment: Some(match environment.approval {
                        Approval::Always => format!(
                            "deliver to {}? The Synth action's log shows what widens access",
                            environment.name
                        ),
                        Approval::WhenWidening => format!(
                            "the changes to {} widen access: read the Synth action's log before approving",
                            environment.name
                        ),
                    }),
                    ..Default::default()
                })],
            );
            stages.push(match environment.approval {
                Approval::Always => approval,
                Approval::WhenWidening => {
                    approval.skip_unless(widens(&environment.widens_variable()), "true")
                }
            });
            for (index, wave) in waves.iter().enumerate() {
                let stage_name = if waves.len() == 1 {
                    environment.name.clone()
                } else {
                    format!("{}-{}", environment.name, index + 1)
                };
                let actions = wave
                    .iter()
                    .filter_map(|id| stacks.get(id))
                    .flat_map(|stack| {
                        Action::change_set(
                            *stack,
                            synthesized.template_of(stack),
                            CHANGE_SET,
                            deploy.clone(),
                        )
                    });
                stages.push(Stage::new(&stage_name, actions));
            }
            // Then what the runner would put on the environment's clusters after its stacks.
            if !steps.is_empty() {
                let project = *render.get_or_insert_with(|| {
                    let project =
                        eks::render_project(node, &clusters, props.role_path.clone(), logs, &name);
                    grant_stack_reads(&project, &delivered, &["cloudformation:DescribeStacks"]);
                    project
                });
                stages.push(eks::stage(&environment.name, steps, &synthesized, &project));
            }
            if !deployers.is_empty() {
                let names: Vec<String> = environment.stacks.iter().map(Stack::stack_name).collect();
                let project = *workloads.get_or_insert_with(|| {
                    workloads_project(
                        node,
                        &delivered,
                        &all_deployers,
                        &props,
                        (bucket, logs),
                        &name,
                    )
                });
                let action = Action::codebuild(
                    &project,
                    &source.artifact,
                    CodeBuildActionProps::default().env("CIRRUS_STACKS", &names.join(" ")),
                )
                .named("Kubernetes");
                stages.push(Stage::new(
                    &format!("{}-Kubernetes", environment.name),
                    [action],
                ));
            }
        }
        let pipeline = Pipeline::new(
            node,
            "Pipeline",
            PipelineProps {
                pipeline_name: Some(name),
                stages,
                execution_mode: ExecutionMode::Superseded,
                artifact_bucket: Some(bucket),
                role_path,
                restart_on_update: true,
                ..Default::default()
            },
        );
        eks::grant_clusters(&pipeline, &clusters);
        DeliveryPipeline { pipeline }
    }

    /// The CodePipeline pipeline.
    pub fn pipeline(&self) -> Pipeline<'a> {
        self.pipeline
    }
}

/// What CodePipeline and the plan need of the environments: names, stacks in the pipeline's
/// account and region, none empty.
fn check_environments(node: Node<'_>, own: Stack<'_>, environments: &[Environment<'_>]) {
    let own_env = own.env();
    let mut names = BTreeSet::new();
    for environment in environments {
        let valid = !environment.name.is_empty()
            && environment.name.len() <= 80
            && environment
                .name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-');
        if !valid || !names.insert(environment.name.clone()) {
            node.error(
                codes::codepipeline::DELIVERY_ENVIRONMENT_INVALID,
                format!(
                    "environment name \"{}\" must be 1 to 80 letters, digits and '-', and unique",
                    environment.name
                ),
            );
        }
        if environment.stacks.is_empty() {
            node.error_with_hint(
                codes::codepipeline::DELIVERY_ENVIRONMENT_INVALID,
                format!("environment {} has no stacks", environment.name),
                "give it the stacks it delivers, or leave it out",
            );
        }
        for stack in &environment.stacks {
            if !same_place(&own_env, &stack.env()) {
                node.error_with_hint(
                    codes::codepipeline::DELIVERY_ENVIRONMENT_INVALID,
                    format!(
                        "stack {} of environment {} deploys to {}, but the pipeline's stack to {}",
                        stack.id(),
                        environment.name,
                        stack.env().uri(),
                        own_env.uri()
                    ),
                    "give the delivered stacks the pipeline stack's account and region",
                );
            }
        }
    }
}

/// Whether two stack environments deploy to the same account and region (an unset one is
/// the pipeline's).
fn same_place(own: &Env, other: &Env) -> bool {
    let same = |a: &Option<String>, b: &Option<String>| a.is_none() || b.is_none() || a == b;
    same(&own.account, &other.account) && same(&own.region, &other.region)
}

/// The plan, with its problems reported on `node`.
fn plan(
    node: Node<'_>,
    own: &str,
    groups: &[Vec<String>],
    dependencies: &BTreeMap<String, BTreeSet<String>>,
) -> Plan {
    let mut found = Vec::new();
    let plan = order(own, groups, dependencies, &mut found);
    for problem in found {
        node.report(Diagnostic {
            path: node.path(),
            ..problem
        });
    }
    plan
}

/// Orders each group (environment) of stack ids in waves: a stack goes in the first wave after
/// every stack it depends on. A stack may depend on the pipeline's own stack and on stacks of
/// earlier groups; every stack of the app but the pipeline's own is in exactly one group.
fn order(
    own: &str,
    groups: &[Vec<String>],
    dependencies: &BTreeMap<String, BTreeSet<String>>,
    found: &mut Vec<Diagnostic>,
) -> Plan {
    let problem = |message: String, hint: &str| {
        Diagnostic::error(codes::codepipeline::DELIVERY_STACK_PLACEMENT, "", message)
            .with_hint(hint)
    };
    let mut placed: BTreeMap<&str, usize> = BTreeMap::new();
    for (index, group) in groups.iter().enumerate() {
        for id in group {
            if id == own {
                found.push(problem(
                    format!("stack {id} holds the delivery pipeline, which updates it itself"),
                    "leave the pipeline's own stack out of the environments",
                ));
            } else if placed.insert(id, index).is_some() {
                found.push(problem(
                    format!("stack {id} is delivered twice"),
                    "put each stack in one environment",
                ));
            }
        }
    }
    for id in dependencies.keys() {
        if id != own && !placed.contains_key(id.as_str()) {
            found.push(problem(
                format!("stack {id} is not delivered by the pipeline"),
                "add it to an environment of DeliveryProps::environments",
            ));
        }
    }
    if let Some(deps) = dependencies.get(own)
        && let Some(dep) = deps.iter().find(|d| placed.contains_key(d.as_str()))
    {
        found.push(problem(
            format!("the pipeline's own stack {own} depends on stack {dep}, which the pipeline delivers after updating itself"),
            "move what the pipeline's stack needs into it, or reference it the other way round",
        ));
    }
    let mut environments = Vec::new();
    for (index, group) in groups.iter().enumerate() {
        let mut done: BTreeSet<&str> = BTreeSet::new();
        let mut waves: Vec<Vec<String>> = Vec::new();
        let mut left: Vec<&String> = group.iter().filter(|id| *id != own).collect();
        let ready = |id: &str, done: &BTreeSet<&str>, found: &mut Vec<Diagnostic>| {
            dependencies.get(id).into_iter().flatten().all(|dep| {
                match placed.get(dep.as_str()) {
                    _ if dep == own => true,
                    Some(&at) if at < index => true,
                    Some(&at) if at == index => done.contains(dep.as_str()),
                    Some(_) => {
                        found.push(problem(
                            format!("stack {id} depends on stack {dep}, which a later environment delivers"),
                            "deliver the stack it depends on in the same or an earlier environment",
                        ));
                        true
                    }
                    None => true,
                }
            })
        };
        while !left.is_empty() {
            let wave: Vec<&String> = left
                .iter()
                .copied()
                .filter(|id| ready(id, &done, found))
                .collect();
            if wave.is_empty() {
                let names: Vec<&str> = left.iter().map(|s| s.as_str()).collect();
                found.push(problem(
                    format!(
                        "stacks {} depend on each other in a cycle",
                        names.join(", ")
                    ),
                    "synthesis names the cycle",
                ));
                break;
            }
            left.retain(|id| !wave.contains(id));
            done.extend(wave.iter().map(|id| id.as_str()));
            waves.push(wave.into_iter().cloned().collect());
        }
        environments.push(waves);
    }
    found.dedup_by(|a, b| a.message == b.message);
    Plan { environments }
}

/// `cd '<workspace>' && ` when the workspace is not the repository's root.
fn cd(props: &DeliveryProps<'_>) -> String {
    match props.workspace_dir.as_deref() {
        None | Some("") => String::new(),
        Some(dir) => format!("cd '{dir}' && "),
    }
}

/// `<workspace>/<path>`, or `path` at the repository's root.
fn in_workspace(props: &DeliveryProps<'_>, path: &str) -> String {
    match props.workspace_dir.as_deref() {
        None | Some("") => path.to_owned(),
        Some(dir) => format!("{dir}/{path}"),
    }
}

/// The runner, as a build runs it: cargo from the toolchain rustup installed, the lock file
/// as committed.
const CARGO_RUN: &str = "$HOME/.cargo/bin/cargo run --locked --";

/// A buildspec that installs the pinned toolchain, keeps cargo's caches, and runs `commands`.
fn rust_build_spec(
    props: &DeliveryProps<'_>,
    commands: Vec<String>,
    exported: Vec<String>,
    artifacts: Option<BuildArtifacts>,
) -> InlineBuildSpec {
    InlineBuildSpec {
        env: BuildEnv {
            shell: Some("bash".into()),
            variables: vec![
                (
                    "RUST_TOOLCHAIN".into(),
                    EnvVar::plain(
                        props
                            .rust_toolchain
                            .clone()
                            .unwrap_or_else(|| RUST_TOOLCHAIN.to_owned()),
                    ),
                ),
                ("CARGO_TERM_COLOR".into(), EnvVar::plain("never")),
                ("NO_COLOR".into(), EnvVar::plain("1")),
            ],
            exported_variables: exported,
            ..Default::default()
        },
        phases: Phases {
            install: Some(InstallPhase {
                commands: vec![
                    "curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --no-modify-path --profile minimal --default-toolchain \"$RUST_TOOLCHAIN\"".into(),
                ],
                ..Default::default()
            }),
            pre_build: None,
            build: Some(Phase::commands(commands)),
            post_build: None,
        },
        artifacts,
        cache_paths: vec![
            "/root/.rustup/**/*".into(),
            "/root/.cargo/registry/**/*".into(),
            "/root/.cargo/git/db/**/*".into(),
            in_workspace(props, "target/**/*"),
        ],
    }
}

/// A project that builds the app with the pinned toolchain, its caches in `cache` (under
/// `cargo-cache/<id>`), its logs in `logs`.
fn rust_project<'a>(
    node: Node<'a>,
    id: &str,
    name: String,
    description: String,
    spec: InlineBuildSpec,
    props: &DeliveryProps<'a>,
    (cache, logs): (Bucket<'a>, LogGroup<'a>),
) -> Project<'a> {
    Project::new(
        node,
        id,
        ProjectProps {
            project_name: Some(name),
            description: Some(description),
            build_spec: BuildSpec::inline(spec),
            environment: BuildEnvironment {
                image: BuildImage::amazon_linux_2023(),
                compute_type: ComputeType::Large,
                privileged: false,
            },
            cache: Cache::S3 {
                bucket: cache,
                prefix: format!("cargo-cache/{id}"),
            },
            role_path: props.role_path.clone(),
            logs: BuildLogs::Group(logs),
            ..Default::default()
        },
    )
}

/// Lets `project` read what is deployed of the stacks named `names` (`DescribeStacks`,
/// `GetTemplate`), nothing else of CloudFormation.
fn grant_stack_reads(project: &Project<'_>, names: &[String], actions: &[&str]) {
    project.role().add_to_policy(
        PolicyStatement::allow().actions(actions).resources(
            names
                .iter()
                .map(|name| Arn::new("cloudformation", format!("stack/{name}/*"))),
        ),
    );
}

/// The CodeBuild project of the synth step.
fn synth_project<'a>(
    node: Node<'a>,
    own: Stack<'a>,
    environments: &[Environment<'a>],
    props: &DeliveryProps<'a>,
    (cache, logs): (Bucket<'a>, LogGroup<'a>),
    pipeline_name: &str,
) -> Project<'a> {
    let app = node.app().name().to_owned();
    let cd = cd(props);
    let synth = match props.synth {
        SynthStep::Build => format!("{cd}{CARGO_RUN} synth --app {app}"),
        SynthStep::Committed => format!("{cd}{CARGO_RUN} synth --app {app} --check"),
    };
    let widening = |variable: &str, stacks: &[String]| {
        format!(
            "status=0; {cd}{CARGO_RUN} diff --app {app} --widening {} || status=$?; case $status in 0) export {variable}=false ;; 1) export {variable}=true ;; *) exit $status ;; esac",
            stacks.join(" ")
        )
    };
    let mut commands = vec![synth, widening("WIDENS_PIPELINE", &[own.stack_name()])];
    let mut exported = vec!["WIDENS_PIPELINE".to_owned()];
    for environment in environments {
        let variable = environment.widens_variable();
        if !shell_name(&variable) {
            continue;
        }
        let names: Vec<String> = environment.stacks.iter().map(Stack::stack_name).collect();
        commands.push(widening(&variable, &names));
        exported.push(variable);
    }
    let artifacts = BuildArtifacts {
        files: vec!["**/*".into()],
        base_directory: Some(in_workspace(props, &format!("synth-out/{app}"))),
        ..Default::default()
    };
    let spec = rust_build_spec(props, commands, exported, Some(artifacts));
    let project = rust_project(
        node,
        "Synth",
        format!("{pipeline_name}-synth"),
        format!(
            "builds {app}, makes its templates and tells which environments' changes widen access"
        ),
        spec,
        props,
        (cache, logs),
    );
    // `diff` reads what is deployed of the pipeline's stack and the delivered stacks.
    let mut names: Vec<String> = vec![own.stack_name()];
    names.extend(
        environments
            .iter()
            .flat_map(|e| e.stacks.iter().map(Stack::stack_name)),
    );
    grant_stack_reads(
        &project,
        &names,
        &[
            "cloudformation:DescribeStacks",
            "cloudformation:GetTemplate",
        ],
    );
    project
}

/// The in-VPC deployers of the Kubernetes steps the runner applies for `stacks` (not those a
/// pipeline's EKS deploy action applies): per deployer, its project and input prefix. A step
/// without a deployer (its cluster's API is reached directly) is reported on `node`.
fn deployers_of(node: Node<'_>, stacks: &[String]) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for artifact in node.app().artifacts() {
        let by_pipeline = artifact
            .properties
            .get("appliedBy")
            .and_then(serde_json::Value::as_str)
            == Some("pipeline");
        if by_pipeline || !stacks.contains(&artifact.stack) {
            continue;
        }
        let deployer = artifact.properties.get("deployer");
        let text = |key: &str| {
            deployer
                .and_then(|d| d.get(key))
                .and_then(serde_json::Value::as_str)
                .map(str::to_owned)
        };
        match (text("project"), text("inputPrefix")) {
            (Some(project), Some(prefix)) => {
                out.insert((project, prefix));
            }
            _ => node.error_with_hint(
                codes::codepipeline::DELIVERY_STEP_DIRECT,
                format!(
                    "{} of stack {} reaches its cluster's API directly, which the delivery pipeline does not: it applies Kubernetes steps through the cluster's in-VPC deployer",
                    artifact.path, artifact.stack
                ),
                "give the cluster ClusterProps::workload_deployer(WorkloadDeployer::InVpc)",
            ),
        }
    }
    out
}

/// The project of the workloads steps: `deploy --workloads-only` of an environment's stacks
/// (`CIRRUS_STACKS`), which starts the stacks' in-VPC deployers; its role may start those
/// projects, stage their inputs, and read the stacks' outputs.
fn workloads_project<'a>(
    node: Node<'a>,
    names: &[String],
    deployers: &BTreeSet<(String, String)>,
    props: &DeliveryProps<'a>,
    (cache, logs): (Bucket<'a>, LogGroup<'a>),
    pipeline_name: &str,
) -> Project<'a> {
    let app = node.app().name().to_owned();
    let command = format!(
        "{}{CARGO_RUN} deploy --app {app} --workloads-only --exclusively $CIRRUS_STACKS",
        cd(props)
    );
    let spec = rust_build_spec(props, vec![command], Vec::new(), None);
    let project = rust_project(
        node,
        "Workloads",
        format!("{pipeline_name}-workloads"),
        format!(
            "applies the Kubernetes steps of {app}'s delivered stacks through their clusters' in-VPC deployers"
        ),
        spec,
        props,
        (cache, logs),
    );
    grant_stack_reads(&project, names, &["cloudformation:DescribeStacks"]);
    let role = project.role();
    role.add_to_policy(
        PolicyStatement::allow()
            .actions(["codebuild:StartBuild", "codebuild:BatchGetBuilds"])
            .resources(
                deployers
                    .iter()
                    .map(|(name, _)| Arn::new("codebuild", format!("project/{name}"))),
            ),
    );
    role.add_to_policy(
        PolicyStatement::allow()
            .actions(["s3:PutObject"])
            .resources(deployers.iter().map(|(_, prefix)| {
                Arn::new(
                    "s3",
                    format!("cirrus-staging-${{AWS::AccountId}}-${{AWS::Region}}/{prefix}*"),
                )
                .global()
                .no_account()
            })),
    );
    project
}
