//! Deploying and destroying stacks: the per-stack state machines, the stack graph, approval,
//! following an operation's events, and cleaning up after an interruption.

pub(crate) mod approve;
pub(crate) mod destroy;
pub(crate) mod embrace;
pub(crate) mod follow;
pub(crate) mod schedule;
pub(crate) mod stack;
pub(crate) mod status;

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cirrus_core::StackArtifact;

use crate::aws::AwsError;
use crate::aws::cfn::{Cfn, OutputInfo, StackInfo};
use crate::aws::staging::Staging;
use crate::progress::Reporter;
use approve::Approver;

/// How `deploy` applies a stack's template (defined with the command line, which the runner
/// parses without this module).
pub(crate) use crate::args::Method;

/// One stack to act on: what was synthesized and where it goes.
#[derive(Debug)]
pub(crate) struct Target {
    /// The synthesized stack.
    pub(crate) artifact: StackArtifact,
    /// The region it deploys to.
    pub(crate) region: String,
    /// The CloudFormation API of that region.
    pub(crate) cfn: Cfn,
    /// The staging bucket of that account and region, for templates over 51,200 bytes.
    pub(crate) staging: Option<Staging>,
}

impl Target {
    /// The CloudFormation stack name.
    pub(crate) fn name(&self) -> &str {
        &self.artifact.stack_name
    }

    /// `path (LogicalId)` naming for events and diffs.
    pub(crate) fn path_of(&self, logical_id: &str) -> Option<String> {
        if logical_id == self.artifact.stack_name {
            return Some(self.artifact.id.clone());
        }
        self.artifact.path_of(logical_id).map(str::to_owned)
    }
}

/// Why one stack failed: the message, the details (failing resources first, then the final
/// state), and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StackFailure {
    /// The stack name.
    pub(crate) stack: String,
    /// What went wrong, in one line.
    pub(crate) message: String,
    /// Supporting lines.
    pub(crate) details: Vec<String>,
    /// What to do about it.
    pub(crate) hint: Option<String>,
}

impl StackFailure {
    pub(crate) fn new(stack: &str, message: impl Into<String>) -> StackFailure {
        StackFailure {
            stack: stack.to_owned(),
            message: message.into(),
            details: Vec::new(),
            hint: None,
        }
    }

    pub(crate) fn hint(mut self, hint: impl Into<String>) -> StackFailure {
        self.hint = Some(hint.into());
        self
    }

    pub(crate) fn detail(mut self, line: impl Into<String>) -> StackFailure {
        self.details.push(line.into());
        self
    }

    /// A failed AWS call while working on `stack`.
    pub(crate) fn aws(stack: &str, err: &AwsError) -> StackFailure {
        StackFailure::new(stack, format!("stack {stack}: {err}")).detail(err.detail.0.clone())
    }
}

impl fmt::Display for StackFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// What a successful deploy of one stack did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Deployed {
    /// Created or updated.
    Changed(Vec<OutputInfo>),
    /// Nothing to deploy.
    Unchanged(Vec<OutputInfo>),
}

/// A change set created and not yet executed: deleted when the run is interrupted.
#[derive(Debug, Clone)]
pub(crate) struct PendingChangeSet {
    pub(crate) cfn: Cfn,
    /// The change set's ARN.
    pub(crate) id: String,
    /// The stack's ARN, deleted too when the change set created it (REVIEW_IN_PROGRESS).
    pub(crate) created_stack: Option<String>,
}

/// Options shared by every stack's task.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub(crate) method: Method,
    pub(crate) require_approval: crate::approval::RequireApproval,
    pub(crate) no_rollback: bool,
    pub(crate) force: bool,
    /// How often to poll statuses and events.
    pub(crate) poll: Duration,
    /// How long to wait for another operation holding a stack.
    pub(crate) busy_timeout: Duration,
}

/// What every stack's task shares.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) settings: Settings,
    pub(crate) reporter: Reporter,
    pub(crate) approver: Arc<dyn Approver>,
    /// Serializes prompts: one question on the terminal at a time.
    pub(crate) prompt: tokio::sync::Mutex<()>,
    /// Change sets created and not executed, by stack name.
    pub(crate) pending: Mutex<BTreeMap<String, PendingChangeSet>>,
    /// Stacks whose operation CloudFormation is running, by stack name: (region, status).
    pub(crate) running: Mutex<BTreeMap<String, String>>,
}

impl Shared {
    pub(crate) fn new(
        settings: Settings,
        reporter: Reporter,
        approver: Arc<dyn Approver>,
    ) -> Shared {
        Shared {
            settings,
            reporter,
            approver,
            prompt: tokio::sync::Mutex::new(()),
            pending: Mutex::new(BTreeMap::new()),
            running: Mutex::new(BTreeMap::new()),
        }
    }

    fn lock<'a, T>(m: &'a Mutex<T>) -> std::sync::MutexGuard<'a, T> {
        m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub(crate) fn set_pending(&self, stack: &str, p: Option<PendingChangeSet>) {
        let mut map = Shared::lock(&self.pending);
        match p {
            Some(p) => {
                map.insert(stack.to_owned(), p);
            }
            None => {
                map.remove(stack);
            }
        }
    }

    pub(crate) fn set_running(&self, stack: &str, status: Option<String>) {
        let mut map = Shared::lock(&self.running);
        match status {
            Some(s) => {
                map.insert(stack.to_owned(), s);
            }
            None => {
                map.remove(stack);
            }
        }
    }

    /// After an interruption: deletes the change sets that were not executed (and the empty
    /// stacks they created), and lists the operations still running in CloudFormation.
    /// `stop` (a second signal, or the cleanup's time bound) ends it at once: what is left is
    /// listed with the command that removes it. Returns the lines to show.
    pub(crate) async fn clean_up_after_interrupt(
        &self,
        stop: impl std::future::Future<Output = ()>,
    ) -> Vec<String> {
        let pending: Vec<(String, PendingChangeSet)> =
            std::mem::take(&mut *Shared::lock(&self.pending))
                .into_iter()
                .collect();
        let mut lines = Vec::new();
        tokio::pin!(stop);
        let mut pending = pending.into_iter();
        while let Some((stack, p)) = pending.next() {
            tokio::select! {
                biased;
                () = &mut stop => {
                    lines.push("cleanup stopped; left behind:".to_owned());
                    for (stack, p) in std::iter::once((stack, p)).chain(pending.by_ref()) {
                        lines.extend(left_behind(&stack, &p));
                    }
                    break;
                }
                line = clean_up(&stack, &p) => lines.push(line),
            }
        }
        for (stack, status) in Shared::lock(&self.running).iter() {
            lines.push(format!(
                "stack {stack}: {status} goes on in CloudFormation; the next deploy waits for it"
            ));
        }
        lines
    }
}

/// Deletes one change set that was not executed (and the stack it created).
async fn clean_up(stack: &str, p: &PendingChangeSet) -> String {
    let line = match p.cfn.delete_change_set(&p.id).await {
        Ok(()) => format!("stack {stack}: deleted the change set that was not executed"),
        Err(e) => format!(
            "stack {stack}: could not delete change set {}: {}",
            p.id, e.detail
        ),
    };
    if let Some(stack_id) = &p.created_stack {
        let _ = p.cfn.delete_stack(stack_id, &stack::token("cleanup")).await;
    }
    line
}

/// What an interrupted cleanup leaves of one change set, and how to remove it.
fn left_behind(stack: &str, p: &PendingChangeSet) -> Vec<String> {
    let mut out = vec![format!(
        "  stack {stack}: change set not executed; delete it with `aws cloudformation delete-change-set --change-set-name {}`",
        p.id
    )];
    if let Some(stack_id) = &p.created_stack {
        out.push(format!(
            "  stack {stack}: the empty stack it created (REVIEW_IN_PROGRESS); delete it with `aws cloudformation delete-stack --stack-name {stack_id}`"
        ));
    }
    out
}

/// A stack's deployed state, read before deploying.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Current {
    /// DescribeStacks.
    pub(crate) info: Option<StackInfo>,
    /// GetTemplate, when the stack has resources.
    pub(crate) template: Option<serde_json::Value>,
}

#[cfg(test)]
mod tests;
