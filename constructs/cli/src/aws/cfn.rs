//! The CloudFormation calls the runner makes, each retried with backoff and answered in the
//! runner's own types.
//!
//! Everything that talks to CloudFormation goes through [`Cfn`]. It wraps the SDK client, so
//! the unit tests hand it a client answered by `aws-smithy-mocks` and the integration tests one
//! pointed at moto; the logic above it (stack states, change sets, events, approval) is the
//! same in both.

use std::collections::BTreeMap;

use aws_sdk_cloudformation::Client;
use aws_sdk_cloudformation::primitives::DateTime;
use aws_sdk_cloudformation::types::{
    Capability, ChangeAction, ChangeSetStatus, ChangeSetType, ExecutionStatus, Parameter,
    Replacement, ResourceStatus, StackStatus, Tag, TemplateStage,
};

use super::error::{AwsError, aws_err};
use super::retry::{Backoff, retry};

/// A deployed stack, as DescribeStacks tells it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct StackInfo {
    /// The stack's ARN; unlike the name it keeps pointing at the stack after deletion.
    pub(crate) id: String,
    /// The stack name.
    pub(crate) name: String,
    /// The status.
    pub(crate) status: StackStatus,
    /// Why it has that status, when CloudFormation says.
    pub(crate) status_reason: Option<String>,
    /// Outputs: key, value, export name.
    pub(crate) outputs: Vec<OutputInfo>,
    /// Parameter values.
    pub(crate) parameters: BTreeMap<String, String>,
    /// Stack-level tags.
    pub(crate) tags: BTreeMap<String, String>,
    /// Whether termination protection is on.
    pub(crate) termination_protection: bool,
}

/// One output of a deployed stack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OutputInfo {
    /// The output's logical id.
    pub(crate) key: String,
    /// Its value.
    pub(crate) value: String,
    /// The export name, when the output is exported.
    pub(crate) export_name: Option<String>,
}

/// A change set and its changes.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ChangeSetInfo {
    /// The change set's ARN.
    pub(crate) id: String,
    /// Whether CloudFormation has finished computing it.
    pub(crate) status: ChangeSetStatus,
    /// Whether it can be executed.
    pub(crate) execution: Option<ExecutionStatus>,
    /// Why it failed, when it did.
    pub(crate) reason: Option<String>,
    /// The resource changes.
    pub(crate) changes: Vec<ResourceChangeInfo>,
}

/// One resource change of a change set.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ResourceChangeInfo {
    /// Add, Modify, Remove, Import, Dynamic.
    pub(crate) action: ChangeAction,
    /// The resource's logical id.
    pub(crate) logical_id: String,
    /// The resource type.
    pub(crate) resource_type: String,
    /// Whether CloudFormation replaces the resource (Modify only).
    pub(crate) replacement: Option<Replacement>,
    /// The top-level properties that change.
    pub(crate) properties: Vec<String>,
}

/// One stack event.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Event {
    /// Unique per event.
    pub(crate) id: String,
    /// The resource's logical id (the stack name for the stack itself).
    pub(crate) logical_id: String,
    /// The resource type.
    pub(crate) resource_type: String,
    /// The resource's status.
    pub(crate) status: ResourceStatus,
    /// Why, for failures.
    pub(crate) reason: Option<String>,
    /// When.
    pub(crate) timestamp: DateTime,
    /// The token of the operation that caused it, when it was given one.
    pub(crate) token: Option<String>,
}

/// Where CloudFormation gets the template from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TemplateSource {
    /// Inline, up to 51,200 bytes.
    Body(String),
    /// An object in the staging bucket.
    Url(String),
}

/// A parameter value for a create or an update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ParameterValue {
    /// This value.
    Value(String),
    /// The value the deployed stack has.
    Previous,
}

/// What a create, an update or a change set needs.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct StackRequest {
    /// The stack name.
    pub(crate) name: String,
    /// The template.
    pub(crate) template: TemplateSource,
    /// Parameter values by key.
    pub(crate) parameters: BTreeMap<String, ParameterValue>,
    /// Stack-level tags.
    pub(crate) tags: BTreeMap<String, String>,
    /// Keep what was created when a resource fails, instead of rolling back.
    pub(crate) disable_rollback: bool,
    /// Termination protection, for a stack created directly.
    pub(crate) termination_protection: bool,
    /// Identifies the operation's events.
    pub(crate) token: String,
}

impl StackRequest {
    fn sdk_parameters(&self) -> Vec<Parameter> {
        self.parameters
            .iter()
            .map(|(key, value)| match value {
                ParameterValue::Value(v) => Parameter::builder()
                    .parameter_key(key)
                    .parameter_value(v)
                    .build(),
                ParameterValue::Previous => Parameter::builder()
                    .parameter_key(key)
                    .use_previous_value(true)
                    .build(),
            })
            .collect()
    }

    fn sdk_tags(&self) -> Vec<Tag> {
        self.tags
            .iter()
            .map(|(k, v)| Tag::builder().key(k).value(v).build())
            .collect()
    }
}

/// The capabilities every deployment acknowledges: the templates are ours, reviewed in code.
fn capabilities() -> Vec<Capability> {
    vec![
        Capability::CapabilityIam,
        Capability::CapabilityNamedIam,
        Capability::CapabilityAutoExpand,
    ]
}

/// The CloudFormation API of one region.
#[derive(Debug, Clone)]
pub(crate) struct Cfn {
    client: Client,
    backoff: Backoff,
}

impl Cfn {
    /// Wraps a client; `backoff` governs every call.
    pub(crate) fn new(client: Client, backoff: Backoff) -> Cfn {
        Cfn { client, backoff }
    }

    /// The stack of that name or ARN; `None` when there is none.
    ///
    /// DescribeStacks answers a stack that does not exist with the error code
    /// `ValidationError` (and a stack that was deleted is only found by its ARN); the code, not
    /// the message, is what is looked at.
    pub(crate) async fn describe_stack(&self, name: &str) -> Result<Option<StackInfo>, AwsError> {
        let out = retry(self.backoff, || {
            self.client.describe_stacks().stack_name(name).send()
        })
        .await;
        let out = match out {
            Ok(out) => out,
            Err(err) => {
                let err = AwsError::from_sdk("DescribeStacks", err);
                if err.has_code("ValidationError") {
                    return Ok(None);
                }
                return Err(err);
            }
        };
        let Some(stack) = out.stacks().first() else {
            return Ok(None);
        };
        // A stack without a status cannot be acted on safely (it is neither "ready" nor
        // "missing"): an answer like that is an error, not a guess.
        let Some(status) = stack.stack_status().cloned() else {
            return Err(AwsError {
                operation: "DescribeStacks",
                code: None,
                detail: super::error::Detail(format!(
                    "the answer describes stack {name} without a status"
                )),
            });
        };
        Ok(Some(StackInfo {
            id: stack.stack_id().unwrap_or(name).to_owned(),
            name: stack.stack_name().unwrap_or(name).to_owned(),
            status,
            status_reason: stack.stack_status_reason().map(str::to_owned),
            outputs: stack
                .outputs()
                .iter()
                .map(|o| OutputInfo {
                    key: o.output_key().unwrap_or_default().to_owned(),
                    value: o.output_value().unwrap_or_default().to_owned(),
                    export_name: o.export_name().map(str::to_owned),
                })
                .collect(),
            parameters: stack
                .parameters()
                .iter()
                .filter_map(|p| {
                    Some((
                        p.parameter_key()?.to_owned(),
                        p.parameter_value().unwrap_or_default().to_owned(),
                    ))
                })
                .collect(),
            tags: stack
                .tags()
                .iter()
                .filter_map(|t| Some((t.key()?.to_owned(), t.value()?.to_owned())))
                .collect(),
            termination_protection: stack.enable_termination_protection().unwrap_or(false),
        }))
    }

    /// The template the stack was deployed with, as JSON.
    pub(crate) async fn get_template(&self, stack: &str) -> Result<serde_json::Value, AwsError> {
        let out = retry(self.backoff, || {
            self.client
                .get_template()
                .stack_name(stack)
                .template_stage(TemplateStage::Original)
                .send()
        })
        .await
        .map_err(aws_err("GetTemplate"))?;
        let body = out.template_body().unwrap_or("{}");
        serde_json::from_str(body).map_err(|e| AwsError {
            operation: "GetTemplate",
            code: None,
            detail: super::error::Detail(format!(
                "the deployed template is not JSON ({e}); it was not deployed by cirrus"
            )),
        })
    }

    /// Creates a change set named `change_set` for `req`; returns its ARN and the stack's ARN.
    ///
    /// An attempt that failed for a passing reason (a timeout, a dropped connection, a 5xx)
    /// may still have created the change set; the next attempt then fails with
    /// `AlreadyExistsException`. The name is unique to this run, so on a retried attempt that
    /// answer means the change set is ours: it is looked up and used.
    pub(crate) async fn create_change_set(
        &self,
        req: &StackRequest,
        change_set: &str,
        create: bool,
    ) -> Result<(String, String), AwsError> {
        let kind = if create {
            ChangeSetType::Create
        } else {
            ChangeSetType::Update
        };
        let mut attempts = 0u32;
        let out = retry(self.backoff, || {
            attempts += 1;
            let mut call = self
                .client
                .create_change_set()
                .stack_name(&req.name)
                .change_set_name(change_set)
                .change_set_type(kind.clone())
                .description("cirrus deploy")
                .set_parameters(Some(req.sdk_parameters()))
                .set_tags(Some(req.sdk_tags()))
                .set_capabilities(Some(capabilities()));
            call = match &req.template {
                TemplateSource::Body(body) => call.template_body(body),
                TemplateSource::Url(url) => call.template_url(url),
            };
            call.send()
        })
        .await;
        let out = match out {
            Ok(out) => out,
            Err(err)
                if attempts > 1
                    && err
                        .as_service_error()
                        .is_some_and(|e| e.is_already_exists_exception()) =>
            {
                let found = retry(self.backoff, || {
                    self.client
                        .describe_change_set()
                        .stack_name(&req.name)
                        .change_set_name(change_set)
                        .send()
                })
                .await
                .map_err(aws_err("DescribeChangeSet"))?;
                return Ok((
                    found.change_set_id().unwrap_or(change_set).to_owned(),
                    found.stack_id().unwrap_or(&req.name).to_owned(),
                ));
            }
            Err(err) => return Err(AwsError::from_sdk("CreateChangeSet", err)),
        };
        Ok((
            out.id().unwrap_or(change_set).to_owned(),
            out.stack_id().unwrap_or(&req.name).to_owned(),
        ))
    }

    /// The change set with every page of its changes, property values included.
    pub(crate) async fn describe_change_set(&self, id: &str) -> Result<ChangeSetInfo, AwsError> {
        let mut changes = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let out = retry(self.backoff, || {
                self.client
                    .describe_change_set()
                    .change_set_name(id)
                    .include_property_values(true)
                    .set_next_token(token.clone())
                    .send()
            })
            .await
            .map_err(aws_err("DescribeChangeSet"))?;
            for change in out.changes() {
                let Some(rc) = change.resource_change() else {
                    continue;
                };
                changes.push(ResourceChangeInfo {
                    action: rc.action().cloned().unwrap_or(ChangeAction::Dynamic),
                    logical_id: rc.logical_resource_id().unwrap_or_default().to_owned(),
                    resource_type: rc.resource_type().unwrap_or_default().to_owned(),
                    replacement: rc.replacement().cloned(),
                    properties: rc
                        .details()
                        .iter()
                        .filter_map(|d| d.target()?.name().map(str::to_owned))
                        .collect(),
                });
            }
            token = out.next_token().map(str::to_owned);
            if token.is_none() {
                return Ok(ChangeSetInfo {
                    id: out.change_set_id().unwrap_or(id).to_owned(),
                    status: out
                        .status()
                        .cloned()
                        .unwrap_or(ChangeSetStatus::CreatePending),
                    execution: out.execution_status().cloned(),
                    reason: out.status_reason().map(str::to_owned),
                    changes,
                });
            }
        }
    }

    /// Starts executing a change set.
    pub(crate) async fn execute_change_set(
        &self,
        id: &str,
        token: &str,
        disable_rollback: bool,
    ) -> Result<(), AwsError> {
        retry(self.backoff, || {
            self.client
                .execute_change_set()
                .change_set_name(id)
                .client_request_token(token)
                .disable_rollback(disable_rollback)
                .send()
        })
        .await
        .map_err(aws_err("ExecuteChangeSet"))?;
        Ok(())
    }

    /// Deletes a change set that was not executed.
    pub(crate) async fn delete_change_set(&self, id: &str) -> Result<(), AwsError> {
        retry(self.backoff, || {
            self.client.delete_change_set().change_set_name(id).send()
        })
        .await
        .map_err(aws_err("DeleteChangeSet"))?;
        Ok(())
    }

    /// Creates a stack directly (no change set); returns its ARN.
    pub(crate) async fn create_stack(&self, req: &StackRequest) -> Result<String, AwsError> {
        let out = retry(self.backoff, || {
            let mut call = self
                .client
                .create_stack()
                .stack_name(&req.name)
                .set_parameters(Some(req.sdk_parameters()))
                .set_tags(Some(req.sdk_tags()))
                .set_capabilities(Some(capabilities()))
                .disable_rollback(req.disable_rollback)
                .enable_termination_protection(req.termination_protection)
                .client_request_token(&req.token);
            call = match &req.template {
                TemplateSource::Body(body) => call.template_body(body),
                TemplateSource::Url(url) => call.template_url(url),
            };
            call.send()
        })
        .await
        .map_err(aws_err("CreateStack"))?;
        Ok(out.stack_id().unwrap_or(&req.name).to_owned())
    }

    /// Updates a stack directly (no change set).
    pub(crate) async fn update_stack(&self, req: &StackRequest) -> Result<(), AwsError> {
        retry(self.backoff, || {
            let mut call = self
                .client
                .update_stack()
                .stack_name(&req.name)
                .set_parameters(Some(req.sdk_parameters()))
                .set_tags(Some(req.sdk_tags()))
                .set_capabilities(Some(capabilities()))
                .disable_rollback(req.disable_rollback)
                .client_request_token(&req.token);
            call = match &req.template {
                TemplateSource::Body(body) => call.template_body(body),
                TemplateSource::Url(url) => call.template_url(url),
            };
            call.send()
        })
        .await
        .map_err(aws_err("UpdateStack"))?;
        Ok(())
    }

    /// Turns termination protection on or off.
    pub(crate) async fn set_termination_protection(
        &self,
        stack: &str,
        on: bool,
    ) -> Result<(), AwsError> {
        retry(self.backoff, || {
            self.client
                .update_termination_protection()
                .stack_name(stack)
                .enable_termination_protection(on)
                .send()
        })
        .await
        .map_err(aws_err("UpdateTerminationProtection"))?;
        Ok(())
    }

    /// Starts deleting a stack.
    pub(crate) async fn delete_stack(&self, stack: &str, token: &str) -> Result<(), AwsError> {
        retry(self.backoff, || {
            self.client
                .delete_stack()
                .stack_name(stack)
                .client_request_token(token)
                .send()
        })
        .await
        .map_err(aws_err("DeleteStack"))?;
        Ok(())
    }

    /// The stack's events newer than the event `after` (all of them when `None`), oldest
    /// first. Pages back from the newest event until it reaches `after`.
    pub(crate) async fn events_after(
        &self,
        stack: &str,
        after: Option<&str>,
    ) -> Result<Vec<Event>, AwsError> {
        let mut newest_first = Vec::new();
        let mut token: Option<String> = None;
        'pages: loop {
            let out = retry(self.backoff, || {
                self.client
                    .describe_stack_events()
                    .stack_name(stack)
                    .set_next_token(token.clone())
                    .send()
            })
            .await
            .map_err(aws_err("DescribeStackEvents"))?;
            for e in out.stack_events() {
                let id = e.event_id().unwrap_or_default();
                if Some(id) == after {
                    break 'pages;
                }
                newest_first.push(Event {
                    id: id.to_owned(),
                    logical_id: e.logical_resource_id().unwrap_or_default().to_owned(),
                    resource_type: e.resource_type().unwrap_or_default().to_owned(),
                    status: e
                        .resource_status()
                        .cloned()
                        .unwrap_or(ResourceStatus::from("UNKNOWN")),
                    reason: e.resource_status_reason().map(str::to_owned),
                    timestamp: e.timestamp().copied().unwrap_or(DateTime::from_secs(0)),
                    token: e.client_request_token().map(str::to_owned),
                });
            }
            token = out.next_token().map(str::to_owned);
            if token.is_none() {
                break;
            }
        }
        newest_first.reverse();
        Ok(newest_first)
    }

    /// The id of the stack's newest event, the starting mark for following an operation.
    pub(crate) async fn newest_event(&self, stack: &str) -> Result<Option<String>, AwsError> {
        let out = retry(self.backoff, || {
            self.client.describe_stack_events().stack_name(stack).send()
        })
        .await
        .map_err(aws_err("DescribeStackEvents"))?;
        Ok(out
            .stack_events()
            .first()
            .and_then(|e| e.event_id().map(str::to_owned)))
    }

    /// The stacks importing an export. One attempt: the caller falls back to reading the
    /// deployed templates when this fails. CloudFormation answers an export that no stack
    /// imports with the error code `ValidationError`.
    pub(crate) async fn list_imports(&self, export: &str) -> Result<Vec<String>, AwsError> {
        let mut names = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let out = retry(Backoff::ONCE, || {
                self.client
                    .list_imports()
                    .export_name(export)
                    .set_next_token(token.clone())
                    .send()
            })
            .await;
            let out = match out {
                Ok(out) => out,
                Err(err) => {
                    let err = AwsError::from_sdk("ListImports", err);
                    if err.has_code("ValidationError") {
                        return Ok(names);
                    }
                    return Err(err);
                }
            };
            names.extend(out.imports().iter().cloned());
            token = out.next_token().map(str::to_owned);
            if token.is_none() {
                return Ok(names);
            }
        }
    }
}
