//! `Rule`: an EventBridge rule on the default event bus (or another), with its targets.

use cirrus_cfn::events::{CfnRule, rule};
use cirrus_core::{Construct, Expr, Node, ResourceRef, ToValue, fns, pseudo};

use crate::codebuild::IProject;
use crate::codepipeline::IPipeline;
use crate::codes;
use crate::events::{EventPattern, Schedule};
use crate::iam::{PolicyCondition, PolicyStatement, Principal, Role, RoleProps};
use crate::keyed::{find_singleton, singleton};

/// EventBridge's limit of targets per rule.
const MAX_TARGETS: usize = 5;

/// When a rule fires.
#[derive(Debug, Clone, PartialEq)]
pub enum Trigger {
    /// On every event that matches the pattern.
    Pattern(EventPattern),
    /// On a schedule (default event bus only).
    Schedule(Schedule),
}

/// What a rule starts or notifies.
///
/// Pipelines and builds are started with a role that EventBridge assumes: the rule creates one
/// (`<rule>/Role`, trusting `events.amazonaws.com` for this account only) unless one is given,
/// and grants it exactly the start action on the target. SNS topics and SQS queues are
/// delivered to by their resource policy instead, which must let `events.amazonaws.com` send
/// when `aws:SourceArn` is the rule's ARN: this construct cannot change the policy of a topic
/// or queue known only by ARN.
#[derive(Debug, Clone)]
pub enum Target<'a> {
    /// Starts an execution of a pipeline.
    Pipeline {
        /// The pipeline's ARN.
        arn: Expr<String>,
        /// The role EventBridge assumes. `None`: the rule's own role.
        role: Option<Role<'a>>,
    },
    /// Starts a build of a CodeBuild project.
    CodeBuild {
        /// The project's ARN.
        arn: Expr<String>,
        /// The role EventBridge assumes. `None`: the rule's own role.
        role: Option<Role<'a>>,
    },
    /// Publishes the event to an SNS topic.
    SnsTopic {
        /// The topic's ARN.
        arn: Expr<String>,
    },
    /// Sends the event to an SQS queue (a standard queue: FIFO queues need a message group).
    SqsQueue {
        /// The queue's ARN.
        arn: Expr<String>,
    },
}

impl<'a> Target<'a> {
    /// Starts `pipeline` (of this app, or imported with
    /// [`Pipeline::from_name`](crate::codepipeline::Pipeline::from_name)), with the rule's own
    /// role.
    pub fn pipeline(pipeline: &impl IPipeline) -> Target<'a> {
        Target::Pipeline {
            arn: pipeline.arn(),
            role: None,
        }
    }

    /// Starts a build of `project` (of this app, or imported with
    /// [`Project::from_name`](crate::codebuild::Project::from_name) or
    /// [`Project::from_arn`](crate::codebuild::Project::from_arn)), with the rule's own role.
    pub fn codebuild(project: &impl IProject<'a>) -> Target<'a> {
        Target::CodeBuild {
            arn: project.arn(),
            role: None,
        }
    }

    /// The same target, started with `role` instead of the rule's own (one role shared by the
    /// rules of several pipelines, say).
    #[must_use]
    pub fn with_role(self, role: Role<'a>) -> Target<'a> {
        match self {
            Target::Pipeline { arn, .. } => Target::Pipeline {
                arn,
                role: Some(role),
            },
            Target::CodeBuild { arn, .. } => Target::CodeBuild {
                arn,
                role: Some(role),
            },
            other => other,
        }
    }

    /// The statement the assumed role needs, and the role given for it, if the target is
    /// started with a role.
    fn permission(&self) -> Option<(PolicyStatement, Option<Role<'a>>)> {
        match self {
            Target::Pipeline { arn, role } => Some((
                PolicyStatement::allow()
                    .actions(["codepipeline:StartPipelineExecution"])
                    .resources([arn.clone()]),
                *role,
            )),
            Target::CodeBuild { arn, role } => Some((
                PolicyStatement::allow()
                    .actions(["codebuild:StartBuild"])
                    .resources([arn.clone()]),
                *role,
            )),
            Target::SnsTopic { .. } | Target::SqsQueue { .. } => None,
        }
    }

    fn arn(&self) -> Expr<String> {
        match self {
            Target::Pipeline { arn, .. }
            | Target::CodeBuild { arn, .. }
            | Target::SnsTopic { arn }
            | Target::SqsQueue { arn } => arn.clone(),
        }
    }
}

/// Options of a rule.
#[derive(Debug, Clone, cirrus_derive::Setters)]
pub struct RuleProps<'a> {
    /// The rule's name (letters, digits and `.-_`, up to 64 characters). Default: generated
    /// by CloudFormation.
    pub rule_name: Option<String>,
    /// What the rule is for. Default: none.
    pub description: Option<String>,
    /// Whether the rule fires. Default: `true`.
    pub enabled: bool,
    /// The event bus the rule listens on. Default: the account's default bus.
    pub event_bus_name: Option<Expr<String>>,
    /// What the rule starts. More can be added with [`Rule::add_target`]. Default: none.
    pub targets: Vec<Target<'a>>,
    /// The path of the role the rule creates for its targets (`/app/`). Default: the stack's
    /// ([`default_role_path`](crate::iam::default_role_path)), else `/`.
    pub role_path: Option<String>,
}

impl Default for RuleProps<'_> {
    fn default() -> Self {
        RuleProps {
            rule_name: None,
            description: None,
            enabled: true,
            event_bus_name: None,
            targets: Vec::new(),
            role_path: None,
        }
    }
}

/// What a rule accumulates: its targets, and the path for the role it may create.
#[derive(Debug, Default)]
struct RuleState {
    targets: Vec<rule::Target>,
    role_path: Option<String>,
}

/// What a rule offers to the policies that name it (an SNS topic's or SQS queue's policy
/// admitting `events.amazonaws.com` on the condition `aws:SourceArn`): implemented by [`Rule`]
/// and by rules imported with [`Rule::from_arn`] or [`Rule::from_name`].
pub trait IRule {
    /// The rule's ARN.
    fn arn(&self) -> Expr<String>;

    /// The rule's name.
    fn name(&self) -> Expr<String>;
}

/// An EventBridge rule.
#[derive(Debug, Clone, Copy)]
pub struct Rule<'a> {
    node: Node<'a>,
    resource: ResourceRef<'a, CfnRule>,
}

impl<'a> Construct<'a> for Rule<'a> {
    fn node(&self) -> Node<'a> {
        self.node
    }
}

impl<'a> Rule<'a> {
    /// A rule that fires on `trigger`.
    pub fn new(
        scope: impl Construct<'a>,
        id: &str,
        trigger: Trigger,
        props: RuleProps<'a>,
    ) -> Rule<'a> {
        let node = scope.node().add_child(id);
        if let Some(name) = &props.rule_name {
            check_name(node, name);
        }
        let (pattern, schedule) = match &trigger {
            Trigger::Pattern(pattern) => {
                for problem in pattern.problems() {
                    node.error(codes::events::PATTERN_INVALID, problem);
                }
                (Some(pattern.to_value()), None)
            }
            Trigger::Schedule(schedule) => {
                for problem in schedule.problems() {
                    node.error(codes::events::SCHEDULE_INVALID, problem);
                }
                if props.event_bus_name.is_some() {
                    node.error_with_hint(
                        codes::events::SCHEDULE_ON_CUSTOM_BUS,
                        "a scheduled rule cannot listen on a custom event bus",
                        "leave event_bus_name unset for scheduled rules",
                    );
                }
                (None, Some(schedule.expression()))
            }
        };
        let resource = node.add(
            "Resource",
            CfnRule {
                name: props.rule_name.map(Into::into),
                description: props.description.map(Into::into),
                event_bus_name: props.event_bus_name,
                event_pattern: pattern,
                schedule_expression: schedule.map(Into::into),
                state: Some(
                    if props.enabled {
                        rule::RuleState::Enabled
                    } else {
                        rule::RuleState::Disabled
                    }
                    .into(),
                ),
                ..Default::default()
            },
        );
        node.with_state(|state: &mut RuleState| state.role_path = props.role_path);
        let this = Rule { node, resource };
        for target in props.targets {
            this.add_target(target);
        }
        this
    }

    /// Adds a target, granting the role it is started with exactly what starting it needs.
    pub fn add_target(&self, target: Target<'a>) {
        let role_arn = target.permission().map(|(statement, role)| {
            let role = role.unwrap_or_else(|| self.own_role());
            role.add_to_policy(statement);
            role.arn()
        });
        let count = self.node.with_state(|state: &mut RuleState| {
            let id = format!("Target{}", state.targets.len());
            state.targets.push(rule::Target {
                role_arn,
                ..rule::Target::new(target.arn(), id)
            });
            state.targets.len()
        });
        if count == MAX_TARGETS + 1 {
            self.node.error(
                codes::events::TOO_MANY_TARGETS,
                format!("a rule has at most {MAX_TARGETS} targets; add another rule for the rest"),
            );
        }
        let targets = self
            .node
            .with_state(|state: &mut RuleState| state.targets.clone());
        self.resource.update(|r| r.targets = Some(targets.into()));
    }

    /// The role the rule created for its targets, if it created one.
    pub fn role(&self) -> Option<Role<'a>> {
        find_singleton::<TargetRole, Role>(self.node)
    }

    fn own_role(&self) -> Role<'a> {
        singleton::<TargetRole, Role>(self.node, || {
            let path = self
                .node
                .with_state(|state: &mut RuleState| state.role_path.clone());
            target_role(self.node, "Role", path)
        })
    }

    /// The rule's ARN.
    pub fn arn(&self) -> Expr<String> {
        self.resource.attrs().arn()
    }

    /// The rule's name.
    pub fn name(&self) -> Expr<String> {
        self.resource.ref_()
    }

    /// The L1 resource.
    pub fn l1(&self) -> ResourceRef<'a, CfnRule> {
        self.resource
    }

    /// An existing rule of the account's default event bus, by name:
    /// `arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:rule/<name>`, in the
    /// stack's region and account. A malformed literal name is reported on the node created
    /// here.
    pub fn from_name(
        scope: impl Construct<'a>,
        id: &str,
        name: impl Into<Expr<String>>,
    ) -> ImportedRule<'a> {
        let node = scope.node().add_child(id);
        let name = name.into();
        let arn = match name.as_literal() {
            Some(literal) => {
                check_name(node, literal);
                fns::sub(
                    &format!(
                        "arn:${{AWS::Partition}}:events:${{AWS::Region}}:${{AWS::AccountId}}:rule/{literal}"
                    ),
                    [],
                )
            }
            None => fns::sub(
                "arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:rule/${Name}",
                [("Name", name.clone())],
            ),
        };
        ImportedRule { node, arn, name }
    }

    /// An existing rule, by ARN: `arn:aws:events:<region>:<account>:rule/<name>` on the
    /// default event bus, `.../rule/<bus>/<name>` on another. The name is read from the ARN,
    /// which must therefore be a literal (import by name to give it as an expression); an ARN
    /// that is not a rule's is reported on the node created here.
    pub fn from_arn(
        scope: impl Construct<'a>,
        id: &str,
        arn: impl Into<Expr<String>>,
    ) -> ImportedRule<'a> {
        let node = scope.node().add_child(id);
        let arn = arn.into();
        let Some(literal) = arn.as_literal() else {
            node.error_with_hint(
                codes::events::RULE_ARN_NOT_LITERAL,
                "the ARN of an imported rule must be a literal: the rule's name is read from it",
                "import the rule with Rule::from_name, which takes the name as an expression",
            );
            return ImportedRule {
                node,
                name: arn.clone(),
                arn,
            };
        };
        let name = match literal.split_once(":rule/") {
            Some((prefix, path)) if prefix.starts_with("arn:") && !path.is_empty() => {
                path.rsplit('/').next().unwrap_or(path)
            }
            _ => {
                node.error_with_hint(codes::events::RULE_ARN_INVALID,
                    format!("\"{literal}\" is not the ARN of an EventBridge rule"),
                    "rule ARNs read arn:aws:events:<region>:<account>:rule/<name> (or rule/<bus>/<name>)",
                );
                ""
            }
        };
        if !name.is_empty() {
            check_name(node, name);
        }
        ImportedRule {
            node,
            name: name.into(),
            arn,
        }
    }
}

impl IRule for Rule<'_> {
    fn arn(&self) -> Expr<String> {
        self.arn()
    }

    fn name(&self) -> Expr<String> {
        self.name()
    }
}

/// A rule defined elsewhere, known by its ARN and name. It offers what a [`Rule`] offers to
/// other policies ([`IRule`]); its targets stay as they are.
#[derive(Debug, Clone)]
pub struct ImportedRule<'a> {
    node: Node<'a>,
    arn: Expr<String>,
    name: Expr<String>,
}

impl<'a> Construct<'a> for ImportedRule<'a> {
    fn node(&self) -> Node<'a> {
        self.node
    }
}

impl ImportedRule<'_> {
    /// The rule's ARN.
    pub fn arn(&self) -> Expr<String> {
        self.arn.clone()
    }

    /// The rule's name.
    pub fn name(&self) -> Expr<String> {
        self.name.clone()
    }
}

impl IRule for ImportedRule<'_> {
    fn arn(&self) -> Expr<String> {
        self.arn()
    }

    fn name(&self) -> Expr<String> {
        self.name()
    }
}

/// EventBridge's rule names: 1 to 64 letters, digits, `.`, `-` and `_`.
fn check_name(node: Node<'_>, name: &str) {
    if name.is_empty()
        || name.len() > 64
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || ".-_".contains(c))
    {
        node.error(
            codes::events::RULE_NAME_INVALID,
            format!("rule name \"{name}\" must be 1 to 64 letters, digits, '.', '-' or '_'"),
        );
    }
}

/// A role EventBridge assumes to start targets, for rules of this account only.
/// The kind of a rule's own target role, in its state.
struct TargetRole;

pub(crate) fn target_role<'a>(scope: Node<'a>, id: &str, path: Option<String>) -> Role<'a> {
    Role::new(
        scope,
        id,
        Principal::service("events.amazonaws.com"),
        RoleProps {
            description: Some("lets EventBridge rules of this account start their targets".into()),
            trust_conditions: vec![PolicyCondition::new(
                "StringEquals",
                "aws:SourceAccount",
                pseudo::account_id(),
            )],
            path,
            ..Default::default()
        },
    )
}
