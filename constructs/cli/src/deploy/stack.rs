//! Deploying one stack: settle its state, skip it when nothing changed, stage a large
//! template, create and show a change set (or the template difference), ask for approval,
//! execute, follow the events to a final status.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use aws_sdk_cloudformation::types::{ChangeAction, ChangeSetStatus, Replacement};

use super::approve::{Answer, ask_detached};
use super::follow::{failure_details, follow, wait_until_settled};
use super::status::{Outcome, StackState, classify, deploy_outcome};
use super::{Deployed, Method, PendingChangeSet, Shared, StackFailure, Target};
use crate::approval::{self, Widening};
use crate::aws::cfn::{ChangeSetInfo, ParameterValue, StackInfo, StackRequest, TemplateSource};
use crate::aws::staging::MAX_INLINE_TEMPLATE;
use crate::events::EventLog;
use crate::template_diff::TemplateDiff;

/// Everything decided about a stack before deploying it.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    /// Deployed template against synthesized template.
    pub(crate) diff: TemplateDiff,
    /// Changes that widen access.
    pub(crate) widening: Vec<Widening>,
    /// Parameter values to send.
    pub(crate) parameters: BTreeMap<String, ParameterValue>,
    /// Parameter values given on the command line.
    pub(crate) given: BTreeMap<String, String>,
    /// The minified template.
    pub(crate) body: String,
    /// Whether the plan was made against a deployed stack that is updated (its template is
    /// the baseline, its parameter values can be kept), rather than for a stack created anew.
    pub(crate) updates_deployed: bool,
}

/// A parameter the template declares without a default, and nobody gave a value for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MissingParameters {
    /// The stack name.
    pub(crate) stack: String,
    /// The parameters, in template order.
    pub(crate) keys: Vec<String>,
    /// Whether the stack is created anew over one that had values (ROLLBACK_COMPLETE): they
    /// are not carried over, since a stack being created has no previous values.
    pub(crate) created_anew: bool,
}

impl MissingParameters {
    /// The error of a stack that fails because of it.
    pub(crate) fn failure(&self) -> StackFailure {
        StackFailure::new(
            &self.stack,
            missing_parameters_message(&self.stack, &self.keys, self.created_anew),
        )
        .hint(missing_parameters_hint(&self.stack, &self.keys))
    }
}

/// `stack S: parameter "K" has no value and no default`, and why a value the stack had is not
/// used when it is created anew.
pub(crate) fn missing_parameters_message(
    stack: &str,
    keys: &[String],
    created_anew: bool,
) -> String {
    let quoted: Vec<String> = keys.iter().map(|k| format!("\"{k}\"")).collect();
    let (noun, verb) = if keys.len() == 1 {
        ("parameter", "has")
    } else {
        ("parameters", "have")
    };
    let mut message = format!(
        "stack {stack}: {noun} {} {verb} no value and no default",
        quoted.join(", ")
    );
    if created_anew {
        message.push_str(
            " (the stack is created anew, so the values of the rolled-back stack it replaces are not used)",
        );
    }
    message
}

/// `pass a value: --parameters S:K=VALUE ...`.
pub(crate) fn missing_parameters_hint(stack: &str, keys: &[String]) -> String {
    let flags: Vec<String> = keys
        .iter()
        .map(|k| format!("--parameters {stack}:{k}=VALUE"))
        .collect();
    format!("pass a value: {}", flags.join(" "))
}

impl Plan {
    /// Plans deploying `target` over `current`, with the values `given` on the command line.
    ///
    /// A stack that is missing, or that will be created anew (REVIEW_IN_PROGRESS, or
    /// ROLLBACK_COMPLETE, which is deleted first), is planned as new: nothing deployed is the
    /// baseline of the difference and of the approval, and no parameter keeps a previous
    /// value (CloudFormation refuses `UsePreviousValue` in a stack's creation). A declared
    /// parameter then gets the value given, else its default (it is left out), else it is
    /// an error naming the stack and the key.
    pub(crate) fn new(
        target: &Target,
        current: &crate::deploy::Current,
        given: BTreeMap<String, String>,
    ) -> Result<Plan, MissingParameters> {
        let deployed = current
            .info
            .as_ref()
            .filter(|i| !classify(&i.status).is_created_anew());
        let baseline = deployed.and(current.template.as_ref());
        let diff = TemplateDiff::compute(baseline, &target.artifact.template);
        let widening = approval::widenings(&diff);
        let mut parameters = BTreeMap::new();
        let mut missing = Vec::new();
        let declared = target
            .artifact
            .template
            .get("Parameters")
            .and_then(serde_json::Value::as_object);
        for (key, declaration) in declared.into_iter().flatten() {
            if let Some(v) = given.get(key) {
                parameters.insert(key.clone(), ParameterValue::Value(v.clone()));
            } else if baseline.is_some() && deployed.is_some_and(|i| i.parameters.contains_key(key))
            {
                parameters.insert(key.clone(), ParameterValue::Previous);
            } else if declaration.get("Default").is_none() {
                missing.push(key.clone());
            }
        }
        if !missing.is_empty() {
            let created_anew = current.info.as_ref().is_some_and(|i| {
                classify(&i.status) == StackState::RollbackComplete
                    && missing.iter().any(|k| i.parameters.contains_key(k))
            });
            return Err(MissingParameters {
                stack: target.name().to_owned(),
                keys: missing,
                created_anew,
            });
        }
        Ok(Plan {
            diff,
            widening,
            parameters,
            given,
            body: serde_json::to_string(&target.artifact.template).unwrap_or_default(),
            updates_deployed: baseline.is_some(),
        })
    }
}

/// A name unique to this process and moment: change-set names and client request tokens
/// (change-set names are global on some endpoints).
/// The failure of a stack whose template is too large to pass inline when its account and
/// region have no staging bucket: `deploy` reports it for every such stack before the first
/// stack deploys, rather than midway.
pub(crate) fn no_staging(target: &Target, plan: &Plan) -> Option<StackFailure> {
    let name = target.name();
    (plan.body.len() > MAX_INLINE_TEMPLATE && target.staging.is_none()).then(|| {
        StackFailure::new(
            name,
            format!(
                "stack {name}: the template is {} bytes, over the {MAX_INLINE_TEMPLATE} bytes CloudFormation takes inline, and there is no staging bucket to upload it to",
                plan.body.len()
            ),
        )
        .hint(format!(
            "run `{}` once for this account and region",
            crate::handoff::command_line(&format!("bootstrap --region {}", target.region))
        ))
    })
}

pub(crate) fn token(kind: &str) -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0);
    format!(
        "cirrus-{kind}-{millis}-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// Whether a failed change set failed only because it holds no changes. CloudFormation has
/// no typed signal for this: it fails the change set with one of two fixed status reasons,
/// which are what is compared (as the AWS CDK does).
pub(crate) fn holds_no_changes(cs: &ChangeSetInfo) -> bool {
    const NO_CHANGES: &[&str] = &[
        "The submitted information didn't contain changes",
        "No updates are to be performed",
    ];
    cs.status == ChangeSetStatus::Failed
        && cs.changes.is_empty()
        && cs
            .reason
            .as_deref()
            .is_some_and(|r| NO_CHANGES.iter().any(|p| r.starts_with(p)))
}

/// The change set as lines: `[+] Type path (LogicalId)`, replacement, changed properties.
pub(crate) fn render_change_set(target: &Target, cs: &ChangeSetInfo) -> String {
    let mut out = String::new();
    for c in &cs.changes {
        let marker = match c.action {
            ChangeAction::Add => "[+]",
            ChangeAction::Modify => "[~]",
            ChangeAction::Remove => "[-]",
            ChangeAction::Import => "[<]",
            _ => "[?]",
        };
        let name = match target.path_of(&c.logical_id) {
            Some(p) => format!("{p} ({})", c.logical_id),
            None => c.logical_id.clone(),
        };
        let mut line = format!("{marker} {} {name}", c.resource_type);
        match c.replacement {
            Some(Replacement::True) => line.push_str(" requires replacement"),
            Some(Replacement::Conditional) => line.push_str(" may require replacement"),
            _ => {}
        }
        if !c.properties.is_empty() {
            let mut props = c.properties.clone();
            props.dedup();
            line.push_str(&format!(" [{}]", props.join(", ")));
        }
        out.push_str(&line);
        out.push('\n');
    }
    out
}

fn outputs(info: Option<&StackInfo>) -> Vec<crate::aws::cfn::OutputInfo> {
    info.map(|i| i.outputs.clone()).unwrap_or_default()
}

/// Deploys one stack.
pub(crate) async fn deploy(
    shared: Arc<Shared>,
    target: Arc<Target>,
    plan: Arc<Plan>,
) -> Result<Deployed, StackFailure> {
    let name = target.name().to_owned();
    let settings = &shared.settings;
    let mut current = wait_until_settled(&shared, &target).await?;
    let mut state = current
        .as_ref()
        .map_or(StackState::Missing, |s| classify(&s.status));
    let status = current
        .as_ref()
        .map(|s| s.status.as_str().to_owned())
        .unwrap_or_default();
    match state {
        StackState::UpdateRollbackFailed => {
            return Err(StackFailure::new(
                &name,
                format!("stack {name} is UPDATE_ROLLBACK_FAILED: CloudFormation could not roll back its last update"),
            )
            .hint(format!(
                "fix the resources that failed to roll back (the stack's events name them), then run `aws cloudformation continue-update-rollback --stack-name {name}` (with --resources-to-skip for resources that cannot be fixed) and deploy again"
            )));
        }
        StackState::RollbackFailed | StackState::DeleteFailed => {
            return Err(StackFailure::new(
                &name,
                format!("stack {name} is {status}: it can only be deleted"),
            )
            .hint(format!("run `cirrus destroy {name}`, then deploy again")));
        }
        StackState::Unrecognized => {
            return Err(StackFailure::new(
                &name,
                format!("stack {name} is {status}, a status cirrus does not know how to act on"),
            )
            .hint(format!(
                "look at the stack (`aws cloudformation describe-stacks --stack-name {name}`) and deploy again once its status ends in _COMPLETE"
            )));
        }
        _ => {}
    }
    // The plan was made against the stack as it was then. A stack created now (missing,
    // REVIEW_IN_PROGRESS, or ROLLBACK_COMPLETE and deleted below) keeps nothing of what was
    // there: no previous parameter values, nothing as the baseline. Planned again before
    // anything is deleted, so that a missing value stops the deploy with the stack untouched.
    let plan = if state.is_created_anew() && plan.updates_deployed {
        let before = crate::deploy::Current {
            info: current.clone(),
            template: None,
        };
        Arc::new(Plan::new(&target, &before, plan.given.clone()).map_err(|m| m.failure())?)
    } else {
        plan
    };
    let recreate = match state {
        StackState::RollbackComplete => Some(format!(
            "stack {name} is ROLLBACK_COMPLETE: its first creation failed and was rolled back; deleting it before creating it again"
        )),
        StackState::ReviewInProgress if settings.method == Method::Direct => Some(format!(
            "stack {name} is REVIEW_IN_PROGRESS (created by a change set never executed); deleting it before creating it"
        )),
        _ => None,
    };
    if let Some(why) = recreate {
        shared.reporter.line(&why);
        delete_empty(&shared, &target, current.as_ref()).await?;
        current = None;
        state = StackState::Missing;
    }
    let create = state.is_created_anew();
    let art = &target.artifact;

    if !settings.force && state == StackState::Ready && unchanged(&plan, current.as_ref(), art) {
        shared.reporter.line(&format!("stack {name}: no changes"));
        return Ok(Deployed::Unchanged(outputs(current.as_ref())));
    }
    // Termination protection is not part of an update: when it is all that differs, no change
    // set or update would apply it (CloudFormation refuses one without changes).
    if state == StackState::Ready
        && let Some(info) = current.as_ref()
        && only_protection_differs(&plan, info, art)
    {
        set_protection(&shared, &target, &info.id, art.termination_protection).await?;
        return Ok(Deployed::Unchanged(outputs(current.as_ref())));
    }

    let template = if plan.body.len() > MAX_INLINE_TEMPLATE {
        let Some(staging) = &target.staging else {
            return Err(no_staging(&target, &plan).unwrap_or_else(|| {
                StackFailure::new(&name, format!("stack {name}: no staging bucket"))
            }));
        };
        let url = staging
            .upload(&name, &plan.body)
            .await
            .map_err(|e| StackFailure::aws(&name, &e))?;
        shared.reporter.line(&format!(
            "stack {name}: template of {} bytes uploaded to s3://{}",
            plan.body.len(),
            staging.bucket()
        ));
        TemplateSource::Url(url)
    } else {
        TemplateSource::Body(plan.body.clone())
    };
    let request_token = token("op");
    let req = StackRequest {
        name: name.clone(),
        template,
        parameters: plan.parameters.clone(),
        tags: art.tags.clone(),
        disable_rollback: settings.no_rollback,
        termination_protection: art.termination_protection,
        token: request_token.clone(),
    };
    let path_of = |id: &str| target.path_of(id);

    // The resources the operation touches, for the progress bar: every resource of the
    // template when the stack is created, only the changed ones when it is updated.
    let (stack_id, after, changed) = match settings.method {
        Method::ChangeSet => {
            let cs_name = token("cs");
            let (cs_id, stack_id) = target
                .cfn
                .create_change_set(&req, &cs_name, create)
                .await
                .map_err(|e| StackFailure::aws(&name, &e))?;
            let pending = PendingChangeSet {
                cfn: target.cfn.clone(),
                id: cs_id.clone(),
                created_stack: (state == StackState::Missing).then(|| stack_id.clone()),
            };
            shared.set_pending(&name, Some(pending.clone()));
            let cs = loop {
                let cs = target
                    .cfn
                    .describe_change_set(&cs_id)
                    .await
                    .map_err(|e| StackFailure::aws(&name, &e))?;
                if !matches!(
                    cs.status,
                    ChangeSetStatus::CreatePending | ChangeSetStatus::CreateInProgress
                ) {
                    break cs;
                }
                tokio::time::sleep(settings.poll).await;
            };
            let tags_only = !create
                && holds_no_changes(&cs)
                && current.as_ref().is_some_and(|c| c.tags != art.tags);
            if cs.status != ChangeSetStatus::CreateComplete && !tags_only {
                discard(&shared, &name, &pending).await;
                if !create && holds_no_changes(&cs) {
                    shared.reporter.line(&format!(
                        "stack {name}: the change set holds no changes; deleted it"
                    ));
                    return Ok(Deployed::Unchanged(outputs(current.as_ref())));
                }
                return Err(StackFailure::new(
                    &name,
                    format!(
                        "stack {name}: CloudFormation could not create the change set ({})",
                        cs.status.as_str()
                    ),
                )
                .detail(
                    cs.reason
                        .clone()
                        .unwrap_or_else(|| "no reason given".into()),
                ));
            }
            if tags_only {
                // New stack tags on resources that take none: the change set holds nothing, and
                // only an update of the stack applies them.
                discard(&shared, &name, &pending).await;
                shared.reporter.line(&format!(
                    "stack {name}: only the stack's tags changed; updating them"
                ));
                let after = update(&target, &stack_id, &req).await?;
                (stack_id, after, 0)
            } else {
                let mut shown = format!(
                    "stack {name}: change set {cs_name}\n{}",
                    render_change_set(&target, &cs)
                );
                if !plan.widening.is_empty() {
                    shown.push_str(&approval::render(&plan.widening, &path_of));
                }
                shared.reporter.line(&shown);
                if let Err(refused) = approve(&shared, &target, &plan, !cs.changes.is_empty()).await
                {
                    discard(&shared, &name, &pending).await;
                    return Err(refused);
                }
                let after = target
                    .cfn
                    .newest_event(&stack_id)
                    .await
                    .map_err(|e| StackFailure::aws(&name, &e))?;
                shared.set_pending(&name, None);
                shared.set_running(&name, Some("execution of the change set".into()));
                if let Err(e) = target
                    .cfn
                    .execute_change_set(&cs_id, &request_token, settings.no_rollback)
                    .await
                {
                    shared.set_running(&name, None);
                    let failure = api_failure(&target, &stack_id, &e).await;
                    // Nothing ran: leave no change set, and no empty stack the change set made.
                    discard(&shared, &name, &pending).await;
                    return Err(failure);
                }
                (stack_id, after, cs.changes.len())
            }
        }
        Method::Direct => {
            let (add, modify, remove) = plan.diff.counts();
            let mut shown = format!(
                "stack {name}: {add} to add, {modify} to modify, {remove} to remove\n{}",
                plan.diff.render(&path_of)
            );
            if !plan.widening.is_empty() {
                shown.push_str(&approval::render(&plan.widening, &path_of));
            }
            shared.reporter.line(&shown);
            approve(&shared, &target, &plan, !plan.diff.is_empty()).await?;
            let changed = add + modify + remove;
            if create {
                let stack_id = target
                    .cfn
                    .create_stack(&req)
                    .await
                    .map_err(|e| StackFailure::aws(&name, &e));
                match stack_id {
                    Ok(id) => (id, None, changed),
                    Err(f) => return Err(with_state(&target, &name, f).await),
                }
            } else {
                let stack_id = current
                    .as_ref()
                    .map(|c| c.id.clone())
                    .unwrap_or_else(|| name.clone());
                let after = update(&target, &stack_id, &req).await?;
                (stack_id, after, changed)
            }
        }
    };

    let total = progress_total(create, changed, &target.artifact.template);
    let mut log = EventLog::new(&name, total, Some(request_token));
    let info = follow(&shared, &target, &stack_id, after, &mut log, total).await?;
    let Some(info) = info else {
        return Err(StackFailure::new(
            &name,
            format!("stack {name} disappeared while it was deployed"),
        ));
    };
    match deploy_outcome(&info.status) {
        Outcome::Succeeded => {
            if info.termination_protection != art.termination_protection {
                set_protection(&shared, &target, &stack_id, art.termination_protection).await?;
            }
            shared
                .reporter
                .line(&format!("stack {name}: {}", info.status.as_str()));
            Ok(Deployed::Changed(info.outputs.clone()))
        }
        Outcome::Failed => {
            let mut failure = StackFailure::new(&name, format!("stack {name} failed to deploy"));
            failure.details = failure_details(&target, &log, Some(&info));
            if info.status.as_str() == "UPDATE_ROLLBACK_FAILED" {
                failure = failure.hint(format!(
                    "run `aws cloudformation continue-update-rollback --stack-name {name}` once the failing resources are fixed"
                ));
            } else if info.status.as_str() == "ROLLBACK_COMPLETE" {
                failure = failure.hint("fix the cause above and deploy again: the rolled-back stack is deleted and created anew");
            } else if settings.no_rollback {
                failure = failure.hint("fix the cause above and deploy again: the update resumes from the failed resources");
            }
            Err(failure)
        }
    }
}

/// Whether termination protection is the one thing that differs from what is deployed.
fn only_protection_differs(
    plan: &Plan,
    current: &StackInfo,
    art: &cirrus_core::StackArtifact,
) -> bool {
    same_update(plan, current, art) && current.termination_protection != art.termination_protection
}

/// Turns termination protection on or off, and says so.
async fn set_protection(
    shared: &Shared,
    target: &Target,
    stack_id: &str,
    on: bool,
) -> Result<(), StackFailure> {
    let name = &target.artifact.stack_name;
    target
        .cfn
        .set_termination_protection(stack_id, on)
        .await
        .map_err(|e| StackFailure::aws(name, &e))?;
    shared.reporter.line(&format!(
        "stack {name}: termination protection turned {}",
        if on { "on" } else { "off" }
    ));
    Ok(())
}

/// Whether deploying would change nothing: same template, parameters, tags and termination
/// protection.
fn unchanged(plan: &Plan, current: Option<&StackInfo>, art: &cirrus_core::StackArtifact) -> bool {
    current.is_some_and(|current| {
        same_update(plan, current, art)
            && current.termination_protection == art.termination_protection
    })
}

/// Whether an update would carry nothing new: the same template, parameters and stack tags.
fn same_update(plan: &Plan, current: &StackInfo, art: &cirrus_core::StackArtifact) -> bool {
    plan.diff.is_empty()
        && plan
            .given
            .iter()
            .all(|(k, v)| current.parameters.get(k) == Some(v))
        && current.tags == art.tags
}

/// How many resources an operation touches, the length of its progress bar: a creation
/// creates every resource of the template; an update touches only the `changed` ones (the
/// change set's changes, or the resources of the template difference), so a bar sized by the
/// whole template would never fill.
pub(crate) fn progress_total(create: bool, changed: usize, template: &serde_json::Value) -> usize {
    if create {
        resource_count(template)
    } else {
        changed
    }
}

/// The number of resources in a template.
pub(crate) fn resource_count(template: &serde_json::Value) -> usize {
    template
        .get("Resources")
        .and_then(serde_json::Value::as_object)
        .map_or(0, serde_json::Map::len)
}

/// Asks for approval when the rule wants it.
async fn approve(
    shared: &Shared,
    target: &Target,
    plan: &Plan,
    has_changes: bool,
) -> Result<(), StackFailure> {
    let rule = shared.settings.require_approval;
    let needed = approval::needs_approval(rule, &plan.diff, &plan.widening)
        || (rule == approval::RequireApproval::AnyChange && has_changes);
    if !needed {
        return Ok(());
    }
    let name = target.name().to_owned();
    let _one_at_a_time = shared.prompt.lock().await;
    let answer = {
        let _quiet = shared.reporter.hold();
        ask_detached(
            shared.approver.clone(),
            format!("deploy these changes to stack {name}?"),
        )
        .await
    };
    let why = if plan.widening.is_empty() {
        "its changes need approval (--require-approval any-change)"
    } else {
        "its changes widen IAM or security-group access and need approval"
    };
    match answer {
        Answer::Yes => Ok(()),
        Answer::No => Err(StackFailure::new(&name, format!("stack {name}: deployment not approved"))
            .hint("nothing was changed; deploy again to be asked again")),
        Answer::CannotAsk => Err(StackFailure::new(
            &name,
            format!("stack {name}: {why}, and there is no terminal to ask on"),
        )
        .hint("review the changes above; to deploy them without asking, pass --require-approval never")),
    }
}

/// Deletes a change set that will not be executed, and the empty stack it created.
async fn discard(shared: &Shared, name: &str, p: &PendingChangeSet) {
    shared.set_pending(name, None);
    if let Err(e) = p.cfn.delete_change_set(&p.id).await {
        shared.reporter.ui().warning(&format!(
            "stack {name}: could not delete change set {}: {}",
            p.id, e.detail
        ));
    }
    if let Some(stack_id) = &p.created_stack {
        let _ = p.cfn.delete_stack(stack_id, &token("cleanup")).await;
    }
}

/// Deletes a stack that holds no resources to keep (ROLLBACK_COMPLETE, REVIEW_IN_PROGRESS).
async fn delete_empty(
    shared: &Shared,
    target: &Target,
    current: Option<&StackInfo>,
) -> Result<(), StackFailure> {
    let name = target.name();
    let Some(current) = current else {
        return Ok(());
    };
    let tok = token("op");
    let after = target
        .cfn
        .newest_event(&current.id)
        .await
        .map_err(|e| StackFailure::aws(name, &e))?;
    target
        .cfn
        .delete_stack(&current.id, &tok)
        .await
        .map_err(|e| StackFailure::aws(name, &e))?;
    let mut log = EventLog::new(name, 0, Some(tok));
    let info = follow(shared, target, &current.id, after, &mut log, 0).await?;
    match info {
        Some(i) if i.status.as_str() != "DELETE_COMPLETE" => {
            let mut f = StackFailure::new(
                name,
                format!("stack {name} could not be deleted before creating it again"),
            );
            f.details = failure_details(target, &log, Some(&i));
            Err(f)
        }
        _ => Ok(()),
    }
}

/// A failed create/update/execute call: the API's message, then the stack's state.
/// Starts an UpdateStack of `req`; returns the newest event before it, from which the update
/// is followed.
async fn update(
    target: &Target,
    stack_id: &str,
    req: &StackRequest,
) -> Result<Option<String>, StackFailure> {
    let after = target
        .cfn
        .newest_event(stack_id)
        .await
        .map_err(|e| StackFailure::aws(target.name(), &e))?;
    if let Err(e) = target.cfn.update_stack(req).await {
        return Err(api_failure(target, stack_id, &e).await);
    }
    Ok(after)
}

async fn api_failure(target: &Target, stack_id: &str, e: &crate::aws::AwsError) -> StackFailure {
    let name = target.name();
    with_state(target, stack_id, StackFailure::aws(name, e)).await
}

async fn with_state(target: &Target, stack_id: &str, mut f: StackFailure) -> StackFailure {
    if let Ok(Some(info)) = target.cfn.describe_stack(stack_id).await {
        f.details
            .push(format!("the stack is now {}", info.status.as_str()));
    }
    f
}
