//! The deploy state machine against a mocked CloudFormation (aws-smithy-mocks): what moto
//! cannot show (per-resource events, rollback states, other operations holding a stack,
//! throttling).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_sdk_cloudformation::Client;
use aws_sdk_cloudformation::config::retry::RetryConfig;
use aws_sdk_cloudformation::error::ErrorMetadata;
use aws_sdk_cloudformation::operation::create_change_set::CreateChangeSetOutput;
use aws_sdk_cloudformation::operation::delete_change_set::DeleteChangeSetOutput;
use aws_sdk_cloudformation::operation::delete_stack::DeleteStackOutput;
use aws_sdk_cloudformation::operation::describe_change_set::DescribeChangeSetOutput;
use aws_sdk_cloudformation::operation::describe_stack_events::DescribeStackEventsOutput;
use aws_sdk_cloudformation::operation::describe_stacks::{
    DescribeStacksError, DescribeStacksOutput,
};
use aws_sdk_cloudformation::operation::execute_change_set::ExecuteChangeSetOutput;
use aws_sdk_cloudformation::primitives::DateTime;
use aws_sdk_cloudformation::types::{
    Change, ChangeAction, ChangeSetStatus, ChangeSetType, ExecutionStatus, ResourceChange,
    ResourceStatus, Stack, StackEvent, StackStatus,
};
use aws_smithy_mocks::{Rule, RuleMode, mock, mock_client};
use cirrus_core::{App, RawResource, StackProps, value};

use super::approve::{Answer, Approver};
use super::stack::{Plan, deploy};
use super::{Deployed, Method, Settings, Shared, StackFailure, Target, schedule};
use crate::approval::{RequireApproval, widenings};
use crate::aws::cfn::Cfn;
use crate::aws::retry::Backoff;
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
    let deployed = t.artifact.template.clone();
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
}

#[tokio::test]
async fn an_empty_change_set_is_deleted_and_the_stack_skipped() {
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
            ChangeSetStatus::Failed,
            Some("The submitted information didn't contain changes. Submit different information to create a change set."),
            vec![],
        )
    });
    let delete_cs =
        mock!(Client::delete_change_set).then_output(|| DeleteChangeSetOutput::builder().build());
    let execute =
        mock!(Client::execute_change_set).then_output(|| ExecuteChangeSetOutput::builder().build());
    let t = target(
        client(&[&describe, &create_cs, &describe_cs, &delete_cs, &execute]),
        false,
    );
    let deployed = t.artifact.template.clone();
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
    let cleanup = shared.clean_up_after_interrupt().await;
    assert_eq!(
        cleanup,
        ["stack S: deleted the change set that was not executed"]
    );
    assert_eq!(delete_cs.num_calls(), 1);
    // Give the approver thread time to answer: nothing may execute afterwards.
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(execute.num_calls(), 0);
}
