//! Following one operation on one stack to its end: poll the status and the new events every
//! 1-2 s (not the SDK waiters' 30 s), show each event, move the bar.

use std::time::Instant;

use aws_sdk_cloudformation::types::StackStatus;

use super::status::in_progress;
use super::{Shared, StackFailure, Target};
use crate::aws::cfn::StackInfo;
use crate::events::EventLog;

/// Polls `stack_id` until it leaves `*_IN_PROGRESS`, showing the events after `after`.
/// Returns the final state (`None`: the stack is gone, which a delete ends with on some
/// endpoints).
pub(crate) async fn follow(
    shared: &Shared,
    target: &Target,
    stack_id: &str,
    after: Option<String>,
    log: &mut EventLog,
    total: usize,
) -> Result<Option<StackInfo>, StackFailure> {
    let name = target.name();
    let bar = shared.reporter.bar(name, total);
    let mut last = after;
    loop {
        let info = target
            .cfn
            .describe_stack(stack_id)
            .await
            .map_err(|e| StackFailure::aws(name, &e))?;
        let events = target
            .cfn
            .events_after(stack_id, last.as_deref())
            .await
            .map_err(|e| StackFailure::aws(name, &e))?;
        for event in &events {
            if let Some(line) = log.record(event, target.path_of(&event.logical_id).as_deref()) {
                shared.reporter.line(&line);
            }
        }
        if let Some(newest) = events.last() {
            last = Some(newest.id.clone());
        }
        let status = info.as_ref().map(|i| i.status.clone());
        bar.set(
            log.done(),
            status
                .as_ref()
                .map(StackStatus::as_str)
                .unwrap_or("DELETE_COMPLETE"),
        );
        match &status {
            Some(s) if in_progress(s) => {
                shared.set_running(name, Some(s.as_str().to_owned()));
            }
            _ => {
                shared.set_running(name, None);
                return Ok(info);
            }
        }
        tokio::time::sleep(shared.settings.poll).await;
    }
}

/// Waits while another operation holds the stack (`*_IN_PROGRESS`), up to the busy timeout;
/// returns the settled state.
pub(crate) async fn wait_until_settled(
    shared: &Shared,
    target: &Target,
) -> Result<Option<StackInfo>, StackFailure> {
    let name = target.name();
    let started = Instant::now();
    let mut said = false;
    loop {
        let info = target
            .cfn
            .describe_stack(name)
            .await
            .map_err(|e| StackFailure::aws(name, &e))?;
        let Some(stack) = &info else { return Ok(None) };
        if !in_progress(&stack.status) {
            return Ok(info);
        }
        let waited = started.elapsed();
        if waited >= shared.settings.busy_timeout {
            return Err(StackFailure::new(
                name,
                format!(
                    "stack {name} is {} by another operation",
                    stack.status.as_str()
                ),
            )
            .detail(format!("waited {} s for it to finish", waited.as_secs()))
            .hint(format!(
                "wait for that operation to finish (or cancel it with `aws cloudformation cancel-update-stack --stack-name {name}`), then deploy again; --busy-timeout sets how long to wait"
            )));
        }
        if !said {
            shared.reporter.line(&format!(
                "stack {name} is {}: waiting for that operation to finish",
                stack.status.as_str()
            ));
            said = true;
        }
        tokio::time::sleep(shared.settings.poll).await;
    }
}

/// The lines that explain a failed operation: the failing resources with their reasons
/// first, then the stack's final state.
pub(crate) fn failure_details(
    target: &Target,
    log: &EventLog,
    info: Option<&StackInfo>,
) -> Vec<String> {
    let mut lines = Vec::new();
    for e in log.failures() {
        let name = match target.path_of(&e.logical_id) {
            Some(p) => format!("{p} ({})", e.logical_id),
            None => e.logical_id.clone(),
        };
        lines.push(format!(
            "{} {} {name}: {}",
            e.status.as_str(),
            e.resource_type,
            e.reason.as_deref().unwrap_or("no reason given")
        ));
    }
    if let Some(info) = info {
        let mut state = format!("the stack is now {}", info.status.as_str());
        if let Some(reason) = &info.status_reason {
            state.push_str(&format!(" ({reason})"));
        }
        lines.push(state);
    }
    lines
}
