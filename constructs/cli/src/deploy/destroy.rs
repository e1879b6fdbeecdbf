//! Destroying one stack: wait for a running operation, refuse a protected stack, delete,
//! follow the events to DELETE_COMPLETE, name what is kept (`DeletionPolicy: Retain`).

use std::sync::Arc;

use super::follow::{failure_details, follow, wait_until_settled};
use super::stack::{resource_count, token};
use super::status::{Outcome, delete_outcome};
use super::{Shared, StackFailure, Target};
use crate::events::EventLog;

/// What destroying a stack did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Destroyed {
    /// It was deleted.
    Deleted,
    /// There was nothing to delete.
    NotDeployed,
}

/// Destroys one stack.
pub(crate) async fn destroy(
    shared: Arc<Shared>,
    target: Arc<Target>,
) -> Result<Destroyed, StackFailure> {
    let name = target.name().to_owned();
    let Some(current) = wait_until_settled(&shared, &target).await? else {
        shared.reporter.line(&format!("stack {name}: not deployed"));
        return Ok(Destroyed::NotDeployed);
    };
    if current.termination_protection {
        return Err(StackFailure::new(&name, format!("stack {name} has termination protection"))
            .hint(format!(
                "turn it off in the code (StackProps::termination_protection) and deploy, or run `aws cloudformation update-termination-protection --no-enable-termination-protection --stack-name {name}`"
            )));
    }
    let deployed = target
        .cfn
        .get_template(&current.id)
        .await
        .unwrap_or_default();
    let kept: Vec<String> = deployed
        .get("Resources")
        .and_then(serde_json::Value::as_object)
        .map(|r| {
            r.iter()
                .filter(|(_, def)| {
                    matches!(
                        def.get("DeletionPolicy")
                            .and_then(serde_json::Value::as_str),
                        Some("Retain" | "RetainExceptOnCreate")
                    )
                })
                .map(|(id, _)| match target.path_of(id) {
                    Some(p) => format!("{p} ({id})"),
                    None => id.clone(),
                })
                .collect()
        })
        .unwrap_or_default();
    let tok = token("op");
    let after = target
        .cfn
        .newest_event(&current.id)
        .await
        .map_err(|e| StackFailure::aws(&name, &e))?;
    target
        .cfn
        .delete_stack(&current.id, &tok)
        .await
        .map_err(|e| StackFailure::aws(&name, &e))?;
    let total = resource_count(&deployed);
    let mut log = EventLog::new(&name, total, Some(tok));
    let info = follow(&shared, &target, &current.id, after, &mut log, total).await?;
    let outcome = info
        .as_ref()
        .map_or(Outcome::Succeeded, |i| delete_outcome(&i.status));
    match outcome {
        Outcome::Succeeded => {
            shared
                .reporter
                .line(&format!("stack {name}: DELETE_COMPLETE"));
            for k in kept {
                shared
                    .reporter
                    .line(&format!("stack {name}: kept {k} (DeletionPolicy Retain)"));
            }
            Ok(Destroyed::Deleted)
        }
        Outcome::Failed => {
            let mut f = StackFailure::new(&name, format!("stack {name} could not be deleted"))
                .hint(format!(
                    "fix or empty the resources named above (a bucket must be empty, an export must not be imported), then run `cirrus destroy {name}` again"
                ));
            f.details = failure_details(&target, &log, info.as_ref());
            Err(f)
        }
    }
}
