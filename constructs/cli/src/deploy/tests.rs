//! The deploy state machine against a mocked CloudFormation (aws-smithy-mocks): what moto
//! cannot show (per-resource events, rollback states, other operations holding a stack,
//! throttling).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_sdk_cloudformation::Client;
use aws_sdk_cloudformation::config::retry::RetryConfig;
use aws_sdk_cloudformation::error::ErrorMetadata;
use aws_sdk_cloudformation::operation::create_change_set::{
    CreateChangeSetError, CreateChangeSetOutput,
};
use aws_sdk_cloudformation::operation::create_stack::CreateStackOutput;
use aws_sdk_cloudformation::operation::delete_change_set::DeleteChangeSetOutput;
use aws_sdk_cloudformation::operation::delete_stack::DeleteStackOutput;
use aws_sdk_cloudformation::operation::describe_change_set::DescribeChangeSetOutput;
use aws_sdk_cloudformation::operation::describe_stack_events::DescribeStackEventsOutput;
use aws_sdk_cloudformation::operation::describe_stacks::{
    DescribeStacksError, DescribeStacksOutput,
};
use aws_sdk_cloudformation::operation::execute_change_set::{
    ExecuteChangeSetError, ExecuteChangeSetOutput,
};
use aws_sdk_cloudformation::operation::update_stack::UpdateStackOutput;
use aws_sdk_cloudformation::operation::update_termination_protection::UpdateTerminationProtectionOutput;
use aws_sdk_cloudformation::primitives::DateTime;
use aws_sdk_cloudformation::types::error::AlreadyExistsException;
use aws_sdk_cloudformation::types::{
    Change, ChangeAction, ChangeSetStatus, ChangeSetType, ExecutionStatus, Parameter,
    ResourceChange, ResourceStatus, Stack, StackEvent, StackStatus,
};
use aws_smithy_mocks::{Rule, RuleMode, mock, mock_client};
use cirrus_core::{App, RawResource, StackProps, StringParameterProps, value};

use super::approve::{Answer, Approver};
use super::stack::{Plan, deploy, progress_total};
use super::{
    Current, Deployed, Method, PendingChangeSet, Settings, Shared, StackFailure, Target, schedule,
};
use crate::approval::{RequireApproval, widenings};
use crate::aws::cfn::{Cfn, ParameterValue, StackInfo, StackRequest, TemplateSource};
use crate::aws::retry::Backoff;
use crate::error::CliError;
use crate::progress::Reporter;
use crate::template_diff::TemplateDiff;

const STACK_ID: &str = "arn:aws:cloudformation:us-east-1:123456789012:stack/S/1";
const CS_ID: &str = "arn:aws:cloudformation:us-east-1:123456789012:changeSet/cs/1";

fn stack(status: StackStatus) -> DescribeStacksOutput {
    DescribeStacksOutput::builder()
        .stacks(
            Stack::builder()
                .stack_id(STACK_ID)
                .stack_name("S")
                .stack_status(status)
                .creation_time(DateTime::from_secs(0))
                .build(),
        )
        .build()
}

fn event(
    id: &str,
    logical: &str,
    ty: &str,
    status: ResourceStatus,
    reason: Option<&str>,
) -> StackEvent {
    let mut b = StackEvent::builder()
        .event_id(id)
        .stack_id(STACK_ID)
        .stack_name("S")
        .logical_resource_id(logical)
        .resource_type(ty)
        .resource_status(status)
        .timestamp(DateTime::from_secs(1_795_349_045));
    if let Some(r) = reason {
        b = b.resource_status_reason(r);
    }
    b.build()
}

/// Events newest first, as DescribeStackEvents returns them.
fn events(newest_first: Vec<StackEvent>) -> DescribeStackEventsOutput {
    DescribeStackEventsOutput::builder()
        .set_stack_events(Some(newest_first))
        .build()
}

fn change_set(
    status: ChangeSetStatus,
    reason: Option<&str>,
    changes: Vec<Change>,
) -> DescribeChangeSetOutput {
    DescribeChangeSetOutput::builder()
        .change_set_id(CS_ID)
        .status(status)
        .set_status_reason(reason.map(str::to_owned))
        .execution_status(ExecutionStatus::Available)
        .set_changes(Some(changes))
        .build()
}

fn bucket_change(action: ChangeAction) -> Change {
    Change::builder()
        .resource_change(
            ResourceChange::builder()
                .action(action)
                .logical_resource_id("Bucket")
                .resource_type("AWS::S3::Bucket")
                .build(),
        )
        .build()
}

fn client(rules: &[&Rule]) -> Client {
    mock_client!(aws_sdk_cloudformation, RuleMode::MatchAny, rules, |c| c
        .retry_config(RetryConfig::disabled()))
}

fn fast() -> Backoff {
    Backoff {
        attempts: 4,
        base: Duration::from_millis(1),
        max: Duration::from_millis(2),
    }
}

/// A stack `S` with one bucket; `policy` adds an IAM policy statement (widening).
fn target(client: Client, policy: bool) -> Arc<Target> {
    let app = App::new("t");
    let s = app.stack("S", StackProps::default());
    s.add("Bucket", RawResource::new("AWS::S3::Bucket", value!({})));
    if policy {
        s.add(
            "Policy",
            RawResource::new(
                "AWS::IAM::Policy",
                value!({"PolicyName": "p", "Roles": ["r"], "PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}}),
            ),
        );
    }
    let artifact = app.synth().unwrap().stacks.remove(0);
    Arc::new(Target {
        artifact,
        region: "us-east-1".into(),
        cfn: Cfn::new(client, fast()),
        staging: None,
    })
}

fn plan(target: &Target, deployed: Option<&serde_json::Value>) -> Arc<Plan> {
    let diff = TemplateDiff::compute(deployed, &target.artifact.template);
    Arc::new(Plan {
        widening: widenings(&diff),
        diff,
        parameters: Default::default(),
        given: Default::default(),
        body: serde_json::to_string(&target.artifact.template).unwrap(),
        updates_deployed: deployed.is_some(),
    })
}

#[derive(Debug)]
struct Answers(Answer);

impl Approver for Answers {
    fn ask(&self, _: &str) -> Answer {
        self.0
    }
}

fn shared(approval: RequireApproval, answer: Answer) -> (Arc<Shared>, Arc<Mutex<Vec<String>>>) {
    let (reporter, lines) = Reporter::capture();
    let settings = Settings {
        method: Method::ChangeSet,
        require_approval: approval,
        no_rollback: false,
        force: false,
        poll: Duration::from_millis(1),
        busy_timeout: Duration::from_secs(5),
    };
    (
        Arc::new(Shared::new(settings, reporter, Arc::new(Answers(answer)))),
        lines,
    )
}

fn lines(l: &Arc<Mutex<Vec<String>>>) -> Vec<String> {
    l.lock().unwrap().clone()
}

#[tokio::test]
async fn rollback_complete_is_deleted_then_created_with_events_shown() {
    let describe = mock!(Client::describe_stacks)
        .sequence()
        .output(|| stack(StackStatus::RollbackComplete))
        .output(|| stack(StackStatus::DeleteComplete))
        .output(|| stack(StackStatus::CreateInProgress))
        .output(|| stack(StackStatus::CreateComplete))
        .build();
    let old = || {
        event(
            "old",
            "S",
            "AWS::CloudFormation::Stack",
            ResourceStatus::RollbackComplete,
            None,
        )
    };
    let review = || {
        event(
            "r",
            "S",
            "AWS::CloudFormation::Stack",
            ResourceStatus::from("REVIEW_IN_PROGRESS"),
            None,
        )
    };
    let evts = mock!(Client::describe_stack_events)
        .sequence()
        // newest_event before the delete
        .output(move || events(vec![old()]))
        // following the delete
        .output(move || {
            events(vec![
                event(
                    "d2",
                    "S",
                    "AWS::CloudFormation::Stack",
                    ResourceStatus::DeleteComplete,
                    None,
                ),
                event(
                    "d1",
                    "S",
                    "AWS::CloudFormation::Stack",
                    ResourceStatus::DeleteInProgress,
                    None,
                ),
                old(),
            ])
        })
        // newest_event before the execution
        .output(move || events(vec![review()]))
        // following the creation, two polls
        .output(move || {
            events(vec![
                event(
                    "c2",
                    "Bucket",
                    "AWS::S3::Bucket",
                    ResourceStatus::CreateInProgress,
                    None,
                ),
                event(
                    "c1",
                    "S",
                    "AWS::CloudFormation::Stack",
                    ResourceStatus::CreateInProgress,
                    Some("User Initiated"),
                ),
                review(),
            ])
        })
        .output(move || {
            events(vec![
                event(
                    "c4",
                    "S",
                    "AWS::CloudFormation::Stack",
                    ResourceStatus::CreateComplete,
                    None,
                ),
                event(
                    "c3",
                    "Bucket",
                    "AWS::S3::Bucket",
                    ResourceStatus::CreateComplete,
                    None,
                ),
                event(
                    "c2",
                    "Bucket",
                    "AWS::S3::Bucket",
                    ResourceStatus::CreateInProgress,
                    None,
                ),
            ])
        })
        .build();
    let delete = mock!(Client::delete_stack).then_output(|| DeleteStackOutput::builder().build());
    let create_cs = mock!(Client::create_change_set)
        .match_requests(|r| r.change_set_type() == Some(&ChangeSetType::Create))
        .then_output(|| {
            CreateChangeSetOutput::builder()
                .id(CS_ID)
                .stack_id(STACK_ID)
                .build()
        });
    let describe_cs = mock!(Client::describe_change_set)
        .sequence()
        .output(|| change_set(ChangeSetStatus::CreateInProgress, None, vec![]))
        .output(|| {
            change_set(
                ChangeSetStatus::CreateComplete,
                None,
                vec![bucket_change(ChangeAction::Add)],
            )
        })
        .build();
    let execute =
        mock!(Client::execute_change_set).then_output(|| ExecuteChangeSetOutput::builder().build());
    let t = target(
        client(&[
            &describe,
            &evts,
            &delete,
            &create_cs,
            &describe_cs,
            &execute,
        ]),
        false,
    );
    let (shared, out) = shared(RequireApproval::Broadening, Answer::CannotAsk);
    let result = deploy(shared, t.clone(), plan(&t, None)).await;
    assert_eq!(result, Ok(Deployed::Changed(vec![])));
    assert_eq!(delete.num_calls(), 1);
    assert_eq!(execute.num_calls(), 1);
    let out = lines(&out);
    assert!(out[0].starts_with("stack S is ROLLBACK_COMPLETE: its first creation failed and was rolled back; deleting it"), "{out:#?}");
    assert!(
        out.contains(&"[+] AWS::S3::Bucket S/Bucket (Bucket)".to_owned()),
        "{out:#?}"
    );
    assert!(
        out.contains(
            &"S | 0/1 | 12:04:05 | CREATE_IN_PROGRESS | AWS::S3::Bucket | S/Bucket (Bucket)"
                .to_owned()
        ),
        "{out:#?}"
    );
    assert!(
        out.contains(
            &"S | 1/1 | 12:04:05 | CREATE_COMPLETE    | AWS::S3::Bucket | S/Bucket (Bucket)"
                .to_owned()
        ),
        "{out:#?}"
    );
    assert_eq!(out.last().unwrap(), "stack S: CREATE_COMPLETE");
}

#[tokio::test]
async fn update_rollback_failed_is_explained_not_touched() {
    let describe =
        mock!(Client::describe_stacks).then_output(|| stack(StackStatus::UpdateRollbackFailed));
    let create_cs =
        mock!(Client::create_change_set).then_output(|| CreateChangeSetOutput::builder().build());
    let t = target(client(&[&describe, &create_cs]), false);
    let (shared, _) = shared(RequireApproval::Never, Answer::Yes);
    let err = deploy(shared, t.clone(), plan(&t, None)).await.unwrap_err();
    assert_eq!(
        err.message,
        "stack S is UPDATE_ROLLBACK_FAILED: CloudFormation could not roll back its last update"
    );
    assert!(
        err.hint
            .unwrap()
            .contains("aws cloudformation continue-update-rollback --stack-name S")
    );
    assert_eq!(create_cs.num_calls(), 0);
}

#[tokio::test]
async fn a_stack_held_by_another_operation_is_waited_for() {
    let describe = mock!(Client::describe_stacks)
        .sequence()
        .output(|| stack(StackStatus::UpdateInProgress))
        .output(|| stack(StackStatus::UpdateCompleteCleanupInProgress))
        .output(|| stack(StackStatus::UpdateComplete))
        .build();
    let t = target(client(&[&describe]), false);
    let deployed = t.artifact.template.value().clone();
    let (shared, out) = shared(RequireApproval::Never, Answer::Yes);
    let result = deploy(shared, t.clone(), plan(&t, Some(&deployed))).await;
    assert_eq!(result, Ok(Deployed::Unchanged(vec![])));
    assert_eq!(describe.num_calls(), 3);
    assert_eq!(
        lines(&out),
        [
            "stack S is UPDATE_IN_PROGRESS: waiting for that operation to finish",
            "stack S: no changes"
        ]
    );
}

#[tokio::test]
async fn a_busy_stack_past_the_timeout_is_refused() {
    let describe =
        mock!(Client::describe_stacks).then_output(|| stack(StackStatus::CreateInProgress));
    let t = target(client(&[&describe]), false);
    let (reporter, _) = Reporter::capture();
    let mut settings = shared(RequireApproval::Never, Answer::Yes)
        .0
        .settings
        .clone();
    settings.busy_timeout = Duration::ZERO;
    let shared = Arc::new(Shared::new(
        settings,
        reporter,
        Arc::new(Answers(Answer::Yes)),
    ));
    let err = deploy(shared, t.clone(), plan(&t, None)).await.unwrap_err();
    assert_eq!(
        err.message,
        "stack S is CREATE_IN_PROGRESS by another operation"
    );
    assert!(err.hint.unwrap().contains("--busy-timeout"));
}

#[tokio::test]
async fn a_failed_update_reports_the_failing_resources_first() {
    let describe = mock!(Client::describe_stacks)
        .sequence()
        .output(|| stack(StackStatus::UpdateComplete))
        .output(|| stack(StackStatus::UpdateRollbackComplete))
        .build();
    let evts = mock!(Client::describe_stack_events)
        .sequence()
        .output(|| {
            events(vec![event(
                "o",
                "S",
                "AWS::CloudFormation::Stack",
                ResourceStatus::UpdateComplete,
                None,
            )])
        })
        .output(|| {
            events(vec![
                event(
                    "u4",
                    "S",
                    "AWS::CloudFormation::Stack",
                    ResourceStatus::UpdateRollbackComplete,
                    None,
                ),
                event(
                    "u3",
                    "S",
                    "AWS::CloudFormation::Stack",
                    ResourceStatus::UpdateRollbackInProgress,
                    Some("The following resource(s) failed to update: [Bucket]."),
                ),
                event(
                    "u2",
                    "Bucket",
                    "AWS::S3::Bucket",
                    ResourceStatus::UpdateFailed,
                    Some("Access Denied"),
                ),
                event(
                    "u1",
                    "S",
                    "AWS::CloudFormation::Stack",
                    ResourceStatus::UpdateInProgress,
                    None,
                ),
                event(
                    "o",
                    "S",
                    "AWS::CloudFormation::Stack",
                    ResourceStatus::UpdateComplete,
                    None,
                ),
            ])
        })
        .build();
    let create_cs = mock!(Client::create_change_set)
        .match_requests(|r| r.change_set_type() == Some(&ChangeSetType::Update))
        .then_output(|| {
            CreateChangeSetOutput::builder()
                .id(CS_ID)
                .stack_id(STACK_ID)
                .build()
        });
    let describe_cs = mock!(Client::describe_change_set).then_output(|| {
        change_set(
            ChangeSetStatus::CreateComplete,
            None,
            vec![bucket_change(ChangeAction::Modify)],
        )
    });
    let execute =
        mock!(Client::execute_change_set).then_output(|| ExecuteChangeSetOutput::builder().build());
    let t = target(
        client(&[&describe, &evts, &create_cs, &describe_cs, &execute]),
        false,
    );
    let old = serde_json::json!({"Resources": {"Bucket": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "x"}}}});
    let (shared, _) = shared(RequireApproval::Never, Answer::Yes);
    let err: StackFailure = deploy(shared, t.clone(), plan(&t, Some(&old)))
        .await
        .unwrap_err();
    assert_eq!(err.message, "stack S failed to deploy");
    assert_eq!(
        err.details,
        [
            "UPDATE_FAILED AWS::S3::Bucket S/Bucket (Bucket): Access Denied",
            "the stack is now UPDATE_ROLLBACK_COMPLETE"
        ]
    );
}

#[tokio::test]
async fn throttling_is_retried_with_backoff() {
    let throttled = || {
        DescribeStacksError::generic(
            ErrorMetadata::builder()
                .code("Throttling")
                .message("Rate exceeded")
                .build(),
        )
    };
    let describe = mock!(Client::describe_stacks)
        .sequence()
        .error(throttled)
        .times(2)
        .output(|| stack(StackStatus::CreateComplete))
        .build();
    let cfn = Cfn::new(client(&[&describe]), fast());
    let info = cfn.describe_stack("S").await.unwrap().unwrap();
    assert_eq!(info.status, StackStatus::CreateComplete);
    assert_eq!(describe.num_calls(), 3);

    // A validation error is not retried, and means "no such stack".
    let missing = mock!(Client::describe_stacks).then_error(|| {
        DescribeStacksError::generic(
            ErrorMetadata::builder()
                .code("ValidationError")
                .message("Stack with id S does not exist")
                .build(),
        )
    });
    let cfn = Cfn::new(client(&[&missing]), fast());
    assert_eq!(cfn.describe_stack("S").await.unwrap(), None);
    assert_eq!(missing.num_calls(), 1);

    // Throttling that does not stop gives up after the attempts.
    let always = mock!(Client::describe_stacks)
        .sequence()
        .error(throttled)
        .repeatedly()
        .build();
    let cfn = Cfn::new(client(&[&always]), fast());
    let err = cfn.describe_stack("S").await.unwrap_err();
    assert_eq!(err.code.as_deref(), Some("Throttling"));
    assert_eq!(always.num_calls(), 4);
    // It says it was throttled, and what to do about it.
    assert_eq!(
        err.detail.to_string(),
        "throttled: AWS refused the rate of calls through every retry (Throttling: Rate exceeded)"
    );
    let failed = CliError::Aws {
        stack: "S".into(),
        source: err,
    };
    assert!(
        failed.hint().is_some_and(|h| h.contains("rate limit")),
        "{:?}",
        failed.hint()
    );
}

#[tokio::test]
async fn an_empty_change_set_is_deleted_and_the_stack_skipped() {
    let describe =
        mock!(Client::describe_stacks).then_output(|| stack(StackStatus::UpdateComplete));
    let create_cs = created_change_set();
    let describe_cs = empty_change_set();
    let delete_cs =
        mock!(Client::delete_change_set).then_output(|| DeleteChangeSetOutput::builder().build());
    let execute =
        mock!(Client::execute_change_set).then_output(|| ExecuteChangeSetOutput::builder().build());
    let t = target(
        client(&[&describe, &create_cs, &describe_cs, &delete_cs, &execute]),
        false,
    );
    let deployed = t.artifact.template.value().clone();
    let (reporter, out) = Reporter::capture();
    let mut settings = shared(RequireApproval::Never, Answer::Yes)
        .0
        .settings
        .clone();
    settings.force = true;
    let shared = Arc::new(Shared::new(
        settings,
        reporter,
        Arc::new(Answers(Answer::Yes)),
    ));
    let result = deploy(shared, t.clone(), plan(&t, Some(&deployed))).await;
    assert_eq!(result, Ok(Deployed::Unchanged(vec![])));
    assert_eq!(delete_cs.num_calls(), 1);
    assert_eq!(execute.num_calls(), 0);
    assert_eq!(
        lines(&out),
        ["stack S: the change set holds no changes; deleted it"]
    );
}

/// Termination protection alone differs: no update could apply it (CloudFormation refuses an
/// update without changes), so it is set directly, and nothing else is called.
#[tokio::test]
async fn termination_protection_alone_is_applied_without_an_update() {
    let describe =
        mock!(Client::describe_stacks).then_output(|| stack(StackStatus::UpdateComplete));
    let protect = mock!(Client::update_termination_protection)
        .match_requests(|r| r.enable_termination_protection() == Some(true))
        .then_output(|| UpdateTerminationProtectionOutput::builder().build());
    let create_cs = created_change_set();
    let mut t = Arc::into_inner(target(client(&[&describe, &protect, &create_cs]), false)).unwrap();
    t.artifact.termination_protection = true;
    let t = Arc::new(t);
    let deployed = t.artifact.template.value().clone();
    let (shared, out) = shared(RequireApproval::Never, Answer::Yes);
    let result = deploy(shared, t.clone(), plan(&t, Some(&deployed))).await;
    assert_eq!(result, Ok(Deployed::Unchanged(vec![])));
    assert_eq!(protect.num_calls(), 1);
    assert_eq!(create_cs.num_calls(), 0);
    assert_eq!(lines(&out), ["stack S: termination protection turned on"]);
}

/// New stack tags on resources that take none: the change set holds no changes, so the tags
/// go through an update of the stack instead of being dropped silently.
#[tokio::test]
async fn stack_tags_alone_are_applied_by_an_update() {
    let describe = mock!(Client::describe_stacks)
        .sequence()
        .output(|| stack(StackStatus::UpdateComplete))
        .times(2)
        .output(|| stack(StackStatus::UpdateComplete))
        .repeatedly()
        .build();
    let create_cs = created_change_set();
    let describe_cs = empty_change_set();
    let delete_cs =
        mock!(Client::delete_change_set).then_output(|| DeleteChangeSetOutput::builder().build());
    let update = mock!(Client::update_stack)
        .match_requests(|r| {
            r.tags()
                .iter()
                .any(|t| t.key() == Some("team") && t.value() == Some("search"))
        })
        .then_output(|| UpdateStackOutput::builder().stack_id(STACK_ID).build());
    let no_events = mock!(Client::describe_stack_events).then_output(|| events(vec![]));
    let mut t = Arc::into_inner(target(
        client(&[
            &describe,
            &create_cs,
            &describe_cs,
            &delete_cs,
            &update,
            &no_events,
        ]),
        false,
    ))
    .unwrap();
    t.artifact
        .tags
        .insert("team".to_owned(), "search".to_owned());
    let t = Arc::new(t);
    let deployed = t.artifact.template.value().clone();
    let (shared, out) = shared(RequireApproval::Never, Answer::Yes);
    let result = deploy(shared, t.clone(), plan(&t, Some(&deployed))).await;
    assert_eq!(result, Ok(Deployed::Changed(vec![])));
    assert_eq!(delete_cs.num_calls(), 1);
    assert_eq!(update.num_calls(), 1);
    assert!(
        lines(&out).contains(&"stack S: only the stack's tags changed; updating them".to_owned()),
        "{:?}",
        lines(&out)
    );
}

/// An ExecuteChangeSet that fails leaves nothing behind: its change set is deleted (the run
/// would otherwise leave a change set nobody executes).
#[tokio::test]
async fn a_failed_execution_deletes_its_change_set() {
    let describe =
        mock!(Client::describe_stacks).then_output(|| stack(StackStatus::UpdateComplete));
    let create_cs = mock!(Client::create_change_set).then_output(|| {
        CreateChangeSetOutput::builder()
            .id(CS_ID)
            .stack_id(STACK_ID)
            .build()
    });
    let describe_cs = mock!(Client::describe_change_set).then_output(|| {
        change_set(
            ChangeSetStatus::CreateComplete,
            None,
            vec![bucket_change(ChangeAction::Modify)],
        )
    });
    let evts = mock!(Client::describe_stack_events).then_output(|| events(vec![]));
    let execute = mock!(Client::execute_change_set).then_error(|| {
        ExecuteChangeSetError::generic(
            ErrorMetadata::builder()
                .code("InvalidChangeSetStatus")
                .message("ChangeSet cannot be executed in its current status")
                .build(),
        )
    });
    let delete_cs =
        mock!(Client::delete_change_set).then_output(|| DeleteChangeSetOutput::builder().build());
    let t = target(
        client(&[
            &describe,
            &create_cs,
            &describe_cs,
            &evts,
            &execute,
            &delete_cs,
        ]),
        false,
    );
    let deployed =
        serde_json::json!({"Resources": {"Bucket": {"Type": "AWS::S3::Bucket", "Properties": {}}}});
    let (shared, _) = shared(RequireApproval::Never, Answer::Yes);
    let err = deploy(shared, t.clone(), plan(&t, Some(&deployed)))
        .await
        .unwrap_err();
    assert!(err.message.contains("ExecuteChangeSet"), "{err:?}");
    assert_eq!(execute.num_calls(), 1);
    assert_eq!(delete_cs.num_calls(), 1, "the change set was deleted");
}

#[tokio::test]
async fn widening_changes_without_a_terminal_are_refused_and_the_change_set_deleted() {
    let describe =
        mock!(Client::describe_stacks).then_output(|| stack(StackStatus::UpdateComplete));
    let create_cs = mock!(Client::create_change_set).then_output(|| {
        CreateChangeSetOutput::builder()
            .id(CS_ID)
            .stack_id(STACK_ID)
            .build()
    });
    let describe_cs = mock!(Client::describe_change_set).then_output(|| {
        change_set(
            ChangeSetStatus::CreateComplete,
            None,
            vec![bucket_change(ChangeAction::Add)],
        )
    });
    let delete_cs =
        mock!(Client::delete_change_set).then_output(|| DeleteChangeSetOutput::builder().build());
    let execute =
        mock!(Client::execute_change_set).then_output(|| ExecuteChangeSetOutput::builder().build());
    let t = target(
        client(&[&describe, &create_cs, &describe_cs, &delete_cs, &execute]),
        true,
    );
    let deployed =
        serde_json::json!({"Resources": {"Bucket": {"Type": "AWS::S3::Bucket", "Properties": {}}}});
    let (shared, out) = shared(RequireApproval::Broadening, Answer::CannotAsk);
    let err = deploy(shared, t.clone(), plan(&t, Some(&deployed)))
        .await
        .unwrap_err();
    assert_eq!(
        err.message,
        "stack S: its changes widen IAM or security-group access and need approval, and there is no terminal to ask on"
    );
    assert!(err.hint.unwrap().contains("--require-approval never"));
    assert_eq!(delete_cs.num_calls(), 1);
    assert_eq!(execute.num_calls(), 0);
    let out = lines(&out);
    assert!(
        out.contains(&" + AWS::IAM::Policy S/Policy (Policy) allows s3:* on *".to_owned()),
        "{out:#?}"
    );
}

/// Answers yes, but only after firing the interruption and giving it time to land.
#[derive(Debug)]
struct InterruptWhileAsking(Mutex<Option<tokio::sync::oneshot::Sender<()>>>);

impl Approver for InterruptWhileAsking {
    fn ask(&self, _: &str) -> Answer {
        if let Some(tx) = self.0.lock().unwrap().take() {
            let _ = tx.send(());
        }
        std::thread::sleep(Duration::from_millis(300));
        Answer::Yes
    }
}

#[tokio::test]
async fn an_interruption_deletes_the_change_set_that_was_not_executed() {
    let describe =
        mock!(Client::describe_stacks).then_output(|| stack(StackStatus::UpdateComplete));
    let create_cs = mock!(Client::create_change_set).then_output(|| {
        CreateChangeSetOutput::builder()
            .id(CS_ID)
            .stack_id(STACK_ID)
            .build()
    });
    let describe_cs = mock!(Client::describe_change_set).then_output(|| {
        change_set(
            ChangeSetStatus::CreateComplete,
            None,
            vec![bucket_change(ChangeAction::Add)],
        )
    });
    let delete_cs = mock!(Client::delete_change_set)
        .match_requests(|r| r.change_set_name() == Some(CS_ID))
        .then_output(|| DeleteChangeSetOutput::builder().build());
    let execute =
        mock!(Client::execute_change_set).then_output(|| ExecuteChangeSetOutput::builder().build());
    let t = target(
        client(&[&describe, &create_cs, &describe_cs, &delete_cs, &execute]),
        false,
    );
    let deployed = serde_json::json!({"Resources": {}});
    let (tx, rx) = tokio::sync::oneshot::channel();
    let (reporter, _) = Reporter::capture();
    let settings = shared(RequireApproval::AnyChange, Answer::Yes)
        .0
        .settings
        .clone();
    let shared = Arc::new(Shared::new(
        settings,
        reporter,
        Arc::new(InterruptWhileAsking(Mutex::new(Some(tx)))),
    ));
    let p = plan(&t, Some(&deployed));
    let order = vec!["S".to_owned()];
    let finished = schedule::run(
        &order,
        &Default::default(),
        1,
        |_| deploy(shared.clone(), t.clone(), p.clone()),
        async {
            let _ = rx.await;
        },
    )
    .await;
    assert_eq!(finished.interrupted, ["S"]);
    let cleanup = shared
        .clean_up_after_interrupt(std::future::pending())
        .await;
    assert_eq!(
        cleanup,
        ["stack S: deleted the change set that was not executed"]
    );
    assert_eq!(delete_cs.num_calls(), 1);
    // Give the approver thread time to answer: nothing may execute afterwards.
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(execute.num_calls(), 0);
}

/// A second signal (or the cleanup's time bound) stops the cleanup at once: nothing more is
/// deleted, and what is left is named with the command that removes it.
#[tokio::test]
async fn a_second_interruption_stops_the_cleanup_and_says_what_is_left() {
    let delete_cs =
        mock!(Client::delete_change_set).then_output(|| DeleteChangeSetOutput::builder().build());
    let t = target(client(&[&delete_cs]), false);
    let (shared, _) = shared(RequireApproval::Never, Answer::Yes);
    shared.set_pending(
        "S",
        Some(PendingChangeSet {
            cfn: t.cfn.clone(),
            id: CS_ID.to_owned(),
            created_stack: Some(STACK_ID.to_owned()),
        }),
    );
    let lines = shared
        .clean_up_after_interrupt(std::future::ready(()))
        .await;
    assert_eq!(delete_cs.num_calls(), 0);
    assert_eq!(
        lines,
        [
            "cleanup stopped; left behind:".to_owned(),
            format!(
                "  stack S: change set not executed; delete it with `aws cloudformation delete-change-set --change-set-name {CS_ID}`"
            ),
            format!(
                "  stack S: the empty stack it created (REVIEW_IN_PROGRESS); delete it with `aws cloudformation delete-stack --stack-name {STACK_ID}`"
            ),
        ]
    );
}

fn settings_with(change: impl FnOnce(&mut Settings)) -> Settings {
    let mut settings = shared(RequireApproval::Never, Answer::Yes)
        .0
        .settings
        .clone();
    change(&mut settings);
    settings
}

fn shared_with(
    settings: Settings,
    approver: Arc<dyn Approver>,
) -> (Arc<Shared>, Arc<Mutex<Vec<String>>>) {
    let (reporter, lines) = Reporter::capture();
    (Arc::new(Shared::new(settings, reporter, approver)), lines)
}

/// A stack `S` with a bucket, a widening IAM policy, a parameter `Stage` without a default
/// and a parameter `Size` with one.
fn target_with_parameters(client: Client) -> Arc<Target> {
    let app = App::new("t");
    let s = app.stack("S", StackProps::default());
    s.add("Bucket", RawResource::new("AWS::S3::Bucket", value!({})));
    s.add(
        "Policy",
        RawResource::new(
            "AWS::IAM::Policy",
            value!({"PolicyName": "p", "Roles": ["r"], "PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}}),
        ),
    );
    let _ = s.add_string_parameter("Stage", StringParameterProps::default());
    let _ = s.add_string_parameter(
        "Size",
        StringParameterProps {
            default: Some("1".into()),
            ..Default::default()
        },
    );
    let artifact = app.synth().unwrap().stacks.remove(0);
    Arc::new(Target {
        artifact,
        region: "us-east-1".into(),
        cfn: Cfn::new(client, fast()),
        staging: None,
    })
}

fn info(status: StackStatus, parameters: &[(&str, &str)]) -> StackInfo {
    StackInfo {
        id: STACK_ID.into(),
        name: "S".into(),
        status,
        status_reason: None,
        outputs: vec![],
        parameters: parameters
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        tags: Default::default(),
        termination_protection: false,
    }
}

fn given(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[test]
fn a_rolled_back_stack_is_planned_as_a_new_one() {
    let t = target_with_parameters(client(&[]));
    // What the rolled-back stack holds: the same template, with values for both parameters.
    let rolled_back = Current {
        info: Some(info(
            StackStatus::RollbackComplete,
            &[("Stage", "prod"), ("Size", "2")],
        )),
        template: Some(t.artifact.template.value().clone()),
    };
    let missing = Plan::new(&t, &rolled_back, given(&[])).unwrap_err();
    assert_eq!(missing.keys, ["Stage"]);
    let failure = missing.failure();
    assert_eq!(
        failure.message,
        "stack S: parameter \"Stage\" has no value and no default (the stack is created anew, so the values of the rolled-back stack it replaces are not used)"
    );
    assert_eq!(
        failure.hint.as_deref(),
        Some("pass a value: --parameters S:Stage=VALUE")
    );
    let err = CliError::MissingParameters {
        stack: missing.stack,
        keys: missing.keys,
        created_anew: missing.created_anew,
    };
    assert_eq!(err.to_string(), failure.message);
    assert_eq!(err.hint(), failure.hint);
    assert_eq!(err.exit_code(), 2);

    let plan = Plan::new(&t, &rolled_back, given(&[("Stage", "dev")])).unwrap();
    // No previous values: the given one, and Size left to its default.
    assert_eq!(
        plan.parameters,
        BTreeMap::from([("Stage".to_owned(), ParameterValue::Value("dev".into()))])
    );
    assert!(!plan.updates_deployed);
    // The baseline is nothing: everything is added, and the policy widens access.
    assert_eq!(plan.diff.counts(), (2, 0, 0));
    assert_eq!(plan.widening.len(), 1);

    // The same stack deployed (not rolled back) is updated: previous values are kept and its
    // template is the baseline.
    let deployed = Current {
        info: Some(info(
            StackStatus::UpdateComplete,
            &[("Stage", "prod"), ("Size", "2")],
        )),
        template: Some(t.artifact.template.value().clone()),
    };
    let plan = Plan::new(&t, &deployed, given(&[])).unwrap();
    assert_eq!(
        plan.parameters,
        BTreeMap::from([
            ("Size".to_owned(), ParameterValue::Previous),
            ("Stage".to_owned(), ParameterValue::Previous)
        ])
    );
    assert!(plan.updates_deployed);
    assert!(plan.diff.is_empty());
    assert!(plan.widening.is_empty());

    // A new stack: no error for Size, which has a default.
    let new = Current {
        info: None,
        template: None,
    };
    let missing = Plan::new(&t, &new, given(&[])).unwrap_err();
    assert_eq!(
        missing.failure().message,
        "stack S: parameter \"Stage\" has no value and no default"
    );
}

/// A stack busy when the plan was made (so planned as an update with previous values) that
/// ends ROLLBACK_COMPLETE: planned again as new before it is deleted.
fn rolled_back_while_planning(client: Client) -> (Arc<Target>, Arc<Plan>) {
    let t = target_with_parameters(client);
    let busy = Current {
        info: Some(info(StackStatus::CreateInProgress, &[("Stage", "prod")])),
        template: Some(t.artifact.template.value().clone()),
    };
    let plan = Plan::new(&t, &busy, given(&[])).unwrap();
    assert_eq!(plan.parameters["Stage"], ParameterValue::Previous);
    (t, Arc::new(plan))
}

#[tokio::test]
async fn a_stack_recreated_without_a_value_stops_before_it_is_deleted() {
    let describe = mock!(Client::describe_stacks).then_output(|| {
        DescribeStacksOutput::builder()
            .stacks(
                Stack::builder()
                    .stack_id(STACK_ID)
                    .stack_name("S")
                    .stack_status(StackStatus::RollbackComplete)
                    .creation_time(DateTime::from_secs(0))
                    .parameters(
                        Parameter::builder()
                            .parameter_key("Stage")
                            .parameter_value("prod")
                            .build(),
                    )
                    .build(),
            )
            .build()
    });
    let delete = mock!(Client::delete_stack).then_output(|| DeleteStackOutput::builder().build());
    let (t, plan) = rolled_back_while_planning(client(&[&describe, &delete]));
    let (shared, _) = shared_with(settings_with(|_| {}), Arc::new(Answers(Answer::Yes)));
    let err = deploy(shared, t, plan).await.unwrap_err();
    assert_eq!(
        err.message,
        "stack S: parameter \"Stage\" has no value and no default (the stack is created anew, so the values of the rolled-back stack it replaces are not used)"
    );
    assert_eq!(
        err.hint.as_deref(),
        Some("pass a value: --parameters S:Stage=VALUE")
    );
    assert_eq!(delete.num_calls(), 0, "nothing was deleted");
}

#[tokio::test]
async fn a_recreated_stack_sends_no_previous_values() {
    let describe = mock!(Client::describe_stacks)
        .sequence()
        .output(|| stack(StackStatus::RollbackComplete))
        .output(|| stack(StackStatus::DeleteComplete))
        .output(|| stack(StackStatus::CreateComplete))
        .build();
    let evts = mock!(Client::describe_stack_events).then_output(|| events(vec![]));
    let delete = mock!(Client::delete_stack).then_output(|| DeleteStackOutput::builder().build());
    // CloudFormation refuses UsePreviousValue in a CREATE change set.
    let create_cs = mock!(Client::create_change_set)
        .match_requests(|r| {
            r.change_set_type() == Some(&ChangeSetType::Create)
                && r.parameters()
                    == [Parameter::builder()
                        .parameter_key("Stage")
                        .parameter_value("dev")
                        .build()]
        })
        .then_output(|| {
            CreateChangeSetOutput::builder()
                .id(CS_ID)
                .stack_id(STACK_ID)
                .build()
        });
    let describe_cs = mock!(Client::describe_change_set).then_output(|| {
        change_set(
            ChangeSetStatus::CreateComplete,
            None,
            vec![bucket_change(ChangeAction::Add)],
        )
    });
    let execute =
        mock!(Client::execute_change_set).then_output(|| ExecuteChangeSetOutput::builder().build());
    let t = target_with_parameters(client(&[
        &describe,
        &evts,
        &delete,
        &create_cs,
        &describe_cs,
        &execute,
    ]));
    let busy = Current {
        info: Some(info(StackStatus::CreateInProgress, &[("Stage", "prod")])),
        template: Some(t.artifact.template.value().clone()),
    };
    let plan = Arc::new(Plan::new(&t, &busy, given(&[("Stage", "dev")])).unwrap());
    assert!(plan.updates_deployed);
    // The widening policy is approved against an empty stack: asked, not waved through as
    // unchanged.
    let (shared, out) = shared_with(
        settings_with(|s| s.require_approval = RequireApproval::Broadening),
        Arc::new(Answers(Answer::Yes)),
    );
    let result = deploy(shared, t, plan).await;
    assert_eq!(result, Ok(Deployed::Changed(vec![])));
    assert_eq!(create_cs.num_calls(), 1);
    assert_eq!(delete.num_calls(), 1);
    let out = lines(&out);
    assert!(
        out.contains(&" + AWS::IAM::Policy S/Policy (Policy) allows s3:* on *".to_owned()),
        "{out:#?}"
    );
}

#[tokio::test]
async fn a_stack_in_review_is_created_by_a_create_change_set() {
    let describe = mock!(Client::describe_stacks)
        .sequence()
        .output(|| stack(StackStatus::ReviewInProgress))
        .output(|| stack(StackStatus::CreateInProgress))
        .output(|| stack(StackStatus::CreateComplete))
        .build();
    let evts = mock!(Client::describe_stack_events).then_output(|| events(vec![]));
    let delete = mock!(Client::delete_stack).then_output(|| DeleteStackOutput::builder().build());
    let create_cs = mock!(Client::create_change_set)
        .match_requests(|r| r.change_set_type() == Some(&ChangeSetType::Create))
        .then_output(|| {
            CreateChangeSetOutput::builder()
                .id(CS_ID)
                .stack_id(STACK_ID)
                .build()
        });
    let describe_cs = mock!(Client::describe_change_set).then_output(|| {
        change_set(
            ChangeSetStatus::CreateComplete,
            None,
            vec![bucket_change(ChangeAction::Add)],
        )
    });
    let execute =
        mock!(Client::execute_change_set).then_output(|| ExecuteChangeSetOutput::builder().build());
    let t = target(
        client(&[
            &describe,
            &evts,
            &delete,
            &create_cs,
            &describe_cs,
            &execute,
        ]),
        false,
    );
    let (shared, out) = shared(RequireApproval::Never, Answer::Yes);
    let result = deploy(shared, t.clone(), plan(&t, None)).await;
    assert_eq!(result, Ok(Deployed::Changed(vec![])));
    assert_eq!(create_cs.num_calls(), 1);
    assert_eq!(execute.num_calls(), 1);
    assert_eq!(
        delete.num_calls(),
        0,
        "the stack in review is used, not deleted"
    );
    assert_eq!(lines(&out).last().unwrap(), "stack S: CREATE_COMPLETE");
}

#[tokio::test]
async fn no_rollback_reaches_every_api_call() {
    let no_rollback = settings_with(|s| s.no_rollback = true);
    let answer: Arc<dyn Approver> = Arc::new(Answers(Answer::Yes));

    // Change set: ExecuteChangeSet carries DisableRollback.
    let describe = mock!(Client::describe_stacks)
        .sequence()
        .output(|| stack(StackStatus::UpdateComplete))
        .output(|| stack(StackStatus::UpdateComplete))
        .build();
    let evts = mock!(Client::describe_stack_events).then_output(|| events(vec![]));
    let create_cs = mock!(Client::create_change_set).then_output(|| {
        CreateChangeSetOutput::builder()
            .id(CS_ID)
            .stack_id(STACK_ID)
            .build()
    });
    let describe_cs = mock!(Client::describe_change_set).then_output(|| {
        change_set(
            ChangeSetStatus::CreateComplete,
            None,
            vec![bucket_change(ChangeAction::Modify)],
        )
    });
    let execute = mock!(Client::execute_change_set)
        .match_requests(|r| r.disable_rollback() == Some(true))
        .then_output(|| ExecuteChangeSetOutput::builder().build());
    let t = target(
        client(&[&describe, &evts, &create_cs, &describe_cs, &execute]),
        false,
    );
    let old = serde_json::json!({"Resources": {}});
    let (s, _) = shared_with(no_rollback.clone(), answer.clone());
    assert_eq!(
        deploy(s, t.clone(), plan(&t, Some(&old))).await,
        Ok(Deployed::Changed(vec![]))
    );
    assert_eq!(execute.num_calls(), 1);

    // Direct creation: CreateStack with DisableRollback (and no OnFailure, which would
    // conflict with it).
    let describe = mock!(Client::describe_stacks)
        .sequence()
        .output(|| DescribeStacksOutput::builder().build())
        .output(|| stack(StackStatus::CreateComplete))
        .build();
    let evts = mock!(Client::describe_stack_events).then_output(|| events(vec![]));
    let create = mock!(Client::create_stack)
        .match_requests(|r| r.disable_rollback() == Some(true) && r.on_failure().is_none())
        .then_output(|| CreateStackOutput::builder().stack_id(STACK_ID).build());
    let t = target(client(&[&describe, &evts, &create]), false);
    let direct = Settings {
        method: Method::Direct,
        ..no_rollback.clone()
    };
    let (s, _) = shared_with(direct.clone(), answer.clone());
    assert_eq!(
        deploy(s, t.clone(), plan(&t, None)).await,
        Ok(Deployed::Changed(vec![]))
    );
    assert_eq!(create.num_calls(), 1);

    // Direct update: UpdateStack with DisableRollback.
    let describe = mock!(Client::describe_stacks)
        .sequence()
        .output(|| stack(StackStatus::UpdateComplete))
        .output(|| stack(StackStatus::UpdateComplete))
        .build();
    let evts = mock!(Client::describe_stack_events).then_output(|| events(vec![]));
    let update = mock!(Client::update_stack)
        .match_requests(|r| r.disable_rollback() == Some(true))
        .then_output(|| UpdateStackOutput::builder().stack_id(STACK_ID).build());
    let t = target(client(&[&describe, &evts, &update]), false);
    let (s, _) = shared_with(direct, answer);
    assert_eq!(
        deploy(s, t.clone(), plan(&t, Some(&old))).await,
        Ok(Deployed::Changed(vec![]))
    );
    assert_eq!(update.num_calls(), 1);
}

#[tokio::test]
async fn no_at_the_prompt_deploys_nothing_and_deletes_the_change_set() {
    // A new stack: its change set created it (REVIEW_IN_PROGRESS); both are deleted.
    let describe =
        mock!(Client::describe_stacks).then_output(|| DescribeStacksOutput::builder().build());
    let create_cs = mock!(Client::create_change_set).then_output(|| {
        CreateChangeSetOutput::builder()
            .id(CS_ID)
            .stack_id(STACK_ID)
            .build()
    });
    let describe_cs = mock!(Client::describe_change_set).then_output(|| {
        change_set(
            ChangeSetStatus::CreateComplete,
            None,
            vec![bucket_change(ChangeAction::Add)],
        )
    });
    let delete_cs = mock!(Client::delete_change_set)
        .match_requests(|r| r.change_set_name() == Some(CS_ID))
        .then_output(|| DeleteChangeSetOutput::builder().build());
    let delete = mock!(Client::delete_stack)
        .match_requests(|r| r.stack_name() == Some(STACK_ID))
        .then_output(|| DeleteStackOutput::builder().build());
    let execute =
        mock!(Client::execute_change_set).then_output(|| ExecuteChangeSetOutput::builder().build());
    let t = target(
        client(&[
            &describe,
            &create_cs,
            &describe_cs,
            &delete_cs,
            &delete,
            &execute,
        ]),
        true,
    );
    let (shared, _) = shared(RequireApproval::Broadening, Answer::No);
    let order = vec!["S".to_owned()];
    let p = plan(&t, None);
    let finished = schedule::run(
        &order,
        &Default::default(),
        1,
        |_| deploy(shared.clone(), t.clone(), p.clone()),
        std::future::pending(),
    )
    .await;
    let [(_, Err(err))] = &finished.results[..] else {
        panic!("{:?}", finished.results)
    };
    assert_eq!(err.message, "stack S: deployment not approved");
    assert_eq!(
        err.hint.as_deref(),
        Some("nothing was changed; deploy again to be asked again")
    );
    assert_eq!(execute.num_calls(), 0);
    assert_eq!(delete_cs.num_calls(), 1);
    assert_eq!(delete.num_calls(), 1);
    // Counted as a failed stack, which fails the command.
    assert_eq!(
        CliError::StacksFailed {
            failed: 1,
            total: 1
        }
        .exit_code(),
        1
    );
}

/// The XML error body of the query protocol CloudFormation speaks.
fn query_error(code: &str) -> String {
    format!(
        "<ErrorResponse><Error><Type>Receiver</Type><Code>{code}</Code><Message>try again</Message></Error><RequestId>r</RequestId></ErrorResponse>"
    )
}

#[tokio::test]
async fn server_errors_are_retried() {
    // 503 without a body, then a 502 whose code is in no list: both passing; then the answer.
    let describe = mock!(Client::describe_stacks)
        .sequence()
        .http_status(503, None)
        .http_status(502, Some(query_error("BadGateway")))
        .output(|| stack(StackStatus::CreateComplete))
        .build();
    let cfn = Cfn::new(client(&[&describe]), fast());
    let info = cfn.describe_stack("S").await.unwrap().unwrap();
    assert_eq!(info.status, StackStatus::CreateComplete);
    assert_eq!(describe.num_calls(), 3);

    // A client error is not retried.
    let denied = mock!(Client::describe_stacks)
        .sequence()
        .http_status(403, Some(query_error("AccessDenied")))
        .output(|| stack(StackStatus::CreateComplete))
        .build();
    let cfn = Cfn::new(client(&[&denied]), fast());
    let err = cfn.describe_stack("S").await.unwrap_err();
    assert_eq!(err.code.as_deref(), Some("AccessDenied"));
    assert_eq!(denied.num_calls(), 1);
}

fn request() -> StackRequest {
    StackRequest {
        name: "S".into(),
        template: TemplateSource::Body("{}".into()),
        parameters: Default::default(),
        tags: Default::default(),
        disable_rollback: false,
        termination_protection: false,
        token: "t".into(),
    }
}

fn already_exists() -> CreateChangeSetError {
    CreateChangeSetError::AlreadyExistsException(
        AlreadyExistsException::builder()
            .message("ChangeSet cs already exists")
            .meta(
                ErrorMetadata::builder()
                    .code("AlreadyExistsException")
                    .message("ChangeSet cs already exists")
                    .build(),
            )
            .build(),
    )
}

#[tokio::test]
async fn a_change_set_created_by_an_attempt_that_seemed_to_fail_is_used() {
    // The first attempt lands but its answer is lost (a 503); the retry finds the name taken.
    let create_cs = mock!(Client::create_change_set)
        .sequence()
        .http_status(503, None)
        .error(already_exists)
        .build();
    let describe_cs = mock!(Client::describe_change_set)
        .match_requests(|r| r.change_set_name() == Some("cs") && r.stack_name() == Some("S"))
        .then_output(|| {
            DescribeChangeSetOutput::builder()
                .change_set_id(CS_ID)
                .stack_id(STACK_ID)
                .status(ChangeSetStatus::CreatePending)
                .build()
        });
    let cfn = Cfn::new(client(&[&create_cs, &describe_cs]), fast());
    let ids = cfn
        .create_change_set(&request(), "cs", false)
        .await
        .unwrap();
    assert_eq!(ids, (CS_ID.to_owned(), STACK_ID.to_owned()));
    assert_eq!(create_cs.num_calls(), 2);
    assert_eq!(describe_cs.num_calls(), 1);

    // On a first attempt, the name is someone else's: an error.
    let taken = mock!(Client::create_change_set).then_error(already_exists);
    let describe_cs = mock!(Client::describe_change_set)
        .then_output(|| DescribeChangeSetOutput::builder().build());
    let cfn = Cfn::new(client(&[&taken, &describe_cs]), fast());
    let err = cfn
        .create_change_set(&request(), "cs", false)
        .await
        .unwrap_err();
    assert_eq!(err.code.as_deref(), Some("AlreadyExistsException"));
    assert_eq!(describe_cs.num_calls(), 0);
}

#[tokio::test]
async fn a_stack_without_a_readable_status_is_not_updated() {
    let create_cs =
        mock!(Client::create_change_set).then_output(|| CreateChangeSetOutput::builder().build());
    let update = mock!(Client::update_stack).then_output(|| UpdateStackOutput::builder().build());
    // No status at all.
    let describe = mock!(Client::describe_stacks).then_output(|| {
        DescribeStacksOutput::builder()
            .stacks(
                Stack::builder()
                    .stack_id(STACK_ID)
                    .stack_name("S")
                    .creation_time(DateTime::from_secs(0))
                    .build(),
            )
            .build()
    });
    let t = target(client(&[&describe, &create_cs, &update]), false);
    let (s, _) = shared(RequireApproval::Never, Answer::Yes);
    let err = deploy(s, t.clone(), plan(&t, Some(&serde_json::json!({}))))
        .await
        .unwrap_err();
    assert_eq!(err.message, "stack S: DescribeStacks failed");
    assert_eq!(
        err.details,
        ["the answer describes stack S without a status"]
    );
    // A status of no known shape.
    let describe =
        mock!(Client::describe_stacks).then_output(|| stack(StackStatus::from("SOMETHING_NEW")));
    let t = target(client(&[&describe, &create_cs, &update]), false);
    let (shared, _) = shared(RequireApproval::Never, Answer::Yes);
    let err = deploy(shared, t.clone(), plan(&t, Some(&serde_json::json!({}))))
        .await
        .unwrap_err();
    assert_eq!(
        err.message,
        "stack S is SOMETHING_NEW, a status cirrus does not know how to act on"
    );
    assert!(err.hint.unwrap().contains("describe-stacks --stack-name S"));
    assert_eq!(create_cs.num_calls(), 0);
    assert_eq!(update.num_calls(), 0);
}

#[tokio::test]
async fn an_update_sizes_its_progress_by_the_changes() {
    let describe = mock!(Client::describe_stacks)
        .sequence()
        .output(|| stack(StackStatus::UpdateComplete))
        .output(|| stack(StackStatus::UpdateComplete))
        .build();
    let evts = mock!(Client::describe_stack_events)
        .sequence()
        .output(|| events(vec![]))
        .output(|| {
            events(vec![event(
                "u1",
                "Bucket",
                "AWS::S3::Bucket",
                ResourceStatus::UpdateComplete,
                None,
            )])
        })
        .build();
    let create_cs = mock!(Client::create_change_set).then_output(|| {
        CreateChangeSetOutput::builder()
            .id(CS_ID)
            .stack_id(STACK_ID)
            .build()
    });
    let describe_cs = mock!(Client::describe_change_set).then_output(|| {
        change_set(
            ChangeSetStatus::CreateComplete,
            None,
            vec![bucket_change(ChangeAction::Modify)],
        )
    });
    let execute =
        mock!(Client::execute_change_set).then_output(|| ExecuteChangeSetOutput::builder().build());
    // Two resources in the template, one changes.
    let t = target(
        client(&[&describe, &evts, &create_cs, &describe_cs, &execute]),
        true,
    );
    let mut old = t.artifact.template.value().clone();
    old["Resources"]["Bucket"]["Properties"] = serde_json::json!({"BucketName": "x"});
    let (shared, out) = shared(RequireApproval::Never, Answer::Yes);
    let result = deploy(shared, t.clone(), plan(&t, Some(&old))).await;
    assert_eq!(result, Ok(Deployed::Changed(vec![])));
    let out = lines(&out);
    assert!(
        out.contains(
            &"S | 1/1 | 12:04:05 | UPDATE_COMPLETE    | AWS::S3::Bucket | S/Bucket (Bucket)"
                .to_owned()
        ),
        "{out:#?}"
    );

    let template = &t.artifact.template;
    assert_eq!(
        progress_total(true, 1, template),
        2,
        "a creation: every resource"
    );
    assert_eq!(
        progress_total(false, 1, template),
        1,
        "an update: the changes"
    );
}

/// Fires the interruption, then keeps the question open far longer than the test waits.
#[derive(Debug)]
struct NeverAnswers(Mutex<Option<tokio::sync::oneshot::Sender<()>>>);

impl Approver for NeverAnswers {
    fn ask(&self, _: &str) -> Answer {
        if let Some(tx) = self.0.lock().unwrap().take() {
            let _ = tx.send(());
        }
        std::thread::sleep(Duration::from_secs(5));
        Answer::Yes
    }
}

/// CreateChangeSet answering with the change set `CS_ID` of stack `STACK_ID`.
fn created_change_set() -> Rule {
    mock!(Client::create_change_set).then_output(|| {
        CreateChangeSetOutput::builder()
            .id(CS_ID)
            .stack_id(STACK_ID)
            .build()
    })
}

/// DescribeChangeSet of a change set that failed because it holds no changes.
fn empty_change_set() -> Rule {
    mock!(Client::describe_change_set).then_output(|| {
        change_set(
            ChangeSetStatus::Failed,
            Some("The submitted information didn't contain changes. Submit different information to create a change set."),
            vec![],
        )
    })
}

fn change_set_rules() -> Vec<Rule> {
    vec![
        mock!(Client::describe_stacks).then_output(|| stack(StackStatus::UpdateComplete)),
        mock!(Client::create_change_set).then_output(|| {
            CreateChangeSetOutput::builder()
                .id(CS_ID)
                .stack_id(STACK_ID)
                .build()
        }),
        mock!(Client::describe_change_set).then_output(|| {
            change_set(
                ChangeSetStatus::CreateComplete,
                None,
                vec![bucket_change(ChangeAction::Add)],
            )
        }),
        mock!(Client::delete_change_set).then_output(|| DeleteChangeSetOutput::builder().build()),
        mock!(Client::describe_stack_events).then_output(|| events(vec![])),
        mock!(Client::execute_change_set).then_output(|| ExecuteChangeSetOutput::builder().build()),
    ]
}

#[test]
fn an_interruption_during_a_question_ends_the_run_at_once() {
    let started = std::time::Instant::now();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let rules = change_set_rules();
    let t = target(client(&rules.iter().collect::<Vec<_>>()), false);
    let (tx, rx) = tokio::sync::oneshot::channel();
    let settings = settings_with(|s| s.require_approval = RequireApproval::AnyChange);
    let (shared, _) = shared_with(settings, Arc::new(NeverAnswers(Mutex::new(Some(tx)))));
    let p = plan(&t, Some(&serde_json::json!({"Resources": {}})));
    let finished = runtime.block_on(async {
        let order = vec!["S".to_owned()];
        let finished = schedule::run(
            &order,
            &Default::default(),
            1,
            |_| deploy(shared.clone(), t.clone(), p.clone()),
            async {
                let _ = rx.await;
            },
        )
        .await;
        shared
            .clean_up_after_interrupt(std::future::pending())
            .await;
        finished
    });
    // Shutting the runtime down does not wait for the question either.
    drop(runtime);
    assert_eq!(finished.interrupted, ["S"]);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "took {:?}",
        started.elapsed()
    );
    let err = CliError::Interrupted {
        signal: crate::Signal::Interrupt,
    };
    assert_eq!(err.exit_code(), 130);
    let term = CliError::Interrupted {
        signal: crate::Signal::Terminate,
    };
    assert_eq!(term.exit_code(), 143);
    assert_eq!(term.to_string(), "interrupted by SIGTERM");
    assert!(
        err.hint()
            .unwrap()
            .starts_with("run the same command again to resume")
    );
}

/// Answers once another stack's line went through while the question was open.
#[derive(Debug)]
struct AnswersAfterOthersPrint {
    reporter: Reporter,
    printed: Mutex<Option<bool>>,
}

impl Approver for AnswersAfterOthersPrint {
    fn ask(&self, _: &str) -> Answer {
        let reporter = self.reporter.clone();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            reporter.line("stack Other: UPDATE_COMPLETE");
            let _ = tx.send(());
        });
        let printed = rx.recv_timeout(Duration::from_secs(2)).is_ok();
        *self.printed.lock().unwrap() = Some(printed);
        Answer::Yes
    }
}

#[tokio::test]
async fn other_stacks_are_not_blocked_by_an_open_question() {
    let rules = change_set_rules();
    let t = target(client(&rules.iter().collect::<Vec<_>>()), false);
    let (reporter, out) = Reporter::capture_with_bars();
    let approver = Arc::new(AnswersAfterOthersPrint {
        reporter: reporter.clone(),
        printed: Mutex::new(None),
    });
    let settings = settings_with(|s| s.require_approval = RequireApproval::AnyChange);
    let shared = Arc::new(Shared::new(settings, reporter, approver.clone()));
    let p = plan(&t, Some(&serde_json::json!({"Resources": {}})));
    let result = deploy(shared, t.clone(), p).await;
    assert_eq!(result, Ok(Deployed::Changed(vec![])));
    assert_eq!(
        *approver.printed.lock().unwrap(),
        Some(true),
        "the other stack's line did not wait for the answer"
    );
    // Held while the question was open, shown after it, before what the stack did next.
    let out = lines(&out);
    let other = out
        .iter()
        .position(|l| l == "stack Other: UPDATE_COMPLETE")
        .expect("shown");
    let change_set = out
        .iter()
        .position(|l| l.starts_with("stack S: change set"))
        .unwrap();
    assert!(change_set < other, "{out:#?}");
    assert_eq!(out.last().unwrap(), "stack S: UPDATE_COMPLETE", "{out:#?}");
}
