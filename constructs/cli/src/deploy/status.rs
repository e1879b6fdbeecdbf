//! What a stack's status means for the runner, decided on the typed `StackStatus`.
//!
//! Statuses the SDK does not know arrive as `Unknown`; they are classified by their suffix
//! (`_IN_PROGRESS`, `_FAILED`, `_COMPLETE`), which is how CloudFormation names every status.
//! A status that fits none of them is [`StackState::Unrecognized`]: the runner refuses to act
//! on a stack whose state it cannot tell, rather than guess that it can be updated.

use aws_sdk_cloudformation::types::StackStatus;

/// Where a stack stands before the runner acts on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum StackState {
    /// No such stack (or only a deleted one).
    Missing,
    /// Created by a change set that was never executed: no resources yet.
    ReviewInProgress,
    /// Deployed and stable: it can be updated.
    Ready,
    /// Left by a deploy with `--no-rollback` (CREATE_FAILED, UPDATE_FAILED): it can be
    /// updated again, which retries the failed resources.
    Resumable,
    /// The first creation failed and was rolled back: the stack must be deleted before it can
    /// be created again.
    RollbackComplete,
    /// Another operation holds the stack.
    Busy,
    /// CloudFormation could not roll back an update; it needs `continue-update-rollback`.
    UpdateRollbackFailed,
    /// CloudFormation could not roll back a creation; the stack can only be deleted.
    RollbackFailed,
    /// A deletion failed; resources are left.
    DeleteFailed,
    /// A status that names no known state and does not follow CloudFormation's naming: the
    /// runner cannot tell what acting on the stack would do.
    Unrecognized,
}

impl StackState {
    /// Whether deploying creates the stack (again): nothing of it is kept, neither its
    /// template as the baseline of the difference nor its parameter values.
    pub(crate) fn is_created_anew(&self) -> bool {
        matches!(
            self,
            StackState::Missing | StackState::ReviewInProgress | StackState::RollbackComplete
        )
    }
}

/// Classifies a status.
pub(crate) fn classify(status: &StackStatus) -> StackState {
    use StackStatus as S;
    match status {
        S::DeleteComplete => StackState::Missing,
        S::ReviewInProgress => StackState::ReviewInProgress,
        S::CreateComplete
        | S::UpdateComplete
        | S::UpdateRollbackComplete
        | S::ImportComplete
        | S::ImportRollbackComplete => StackState::Ready,
        S::CreateFailed | S::UpdateFailed => StackState::Resumable,
        S::RollbackComplete => StackState::RollbackComplete,
        S::UpdateRollbackFailed => StackState::UpdateRollbackFailed,
        S::RollbackFailed | S::ImportRollbackFailed => StackState::RollbackFailed,
        S::DeleteFailed => StackState::DeleteFailed,
        S::CreateInProgress
        | S::DeleteInProgress
        | S::RollbackInProgress
        | S::UpdateCompleteCleanupInProgress
        | S::UpdateInProgress
        | S::UpdateRollbackCompleteCleanupInProgress
        | S::UpdateRollbackInProgress
        | S::ImportInProgress
        | S::ImportRollbackInProgress => StackState::Busy,
        other => classify_name(other.as_str()),
    }
}

fn classify_name(name: &str) -> StackState {
    if name.ends_with("_IN_PROGRESS") {
        StackState::Busy
    } else if name.ends_with("_FAILED") {
        StackState::RollbackFailed
    } else if name.ends_with("_COMPLETE") {
        StackState::Ready
    } else {
        StackState::Unrecognized
    }
}

/// Whether the stack is still in the middle of an operation.
pub(crate) fn in_progress(status: &StackStatus) -> bool {
    classify(status) == StackState::Busy
}

/// How an operation the runner started ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// It did what was asked.
    Succeeded,
    /// It failed (rolled back or not).
    Failed,
}

/// The outcome of a create or update that reached `status`.
pub(crate) fn deploy_outcome(status: &StackStatus) -> Outcome {
    match status {
        StackStatus::CreateComplete | StackStatus::UpdateComplete | StackStatus::ImportComplete => {
            Outcome::Succeeded
        }
        _ => Outcome::Failed,
    }
}

/// The outcome of a delete that reached `status`.
pub(crate) fn delete_outcome(status: &StackStatus) -> Outcome {
    match status {
        StackStatus::DeleteComplete => Outcome::Succeeded,
        _ => Outcome::Failed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_statuses() {
        assert_eq!(classify(&StackStatus::CreateComplete), StackState::Ready);
        assert_eq!(
            classify(&StackStatus::UpdateRollbackComplete),
            StackState::Ready
        );
        assert_eq!(
            classify(&StackStatus::RollbackComplete),
            StackState::RollbackComplete
        );
        assert_eq!(
            classify(&StackStatus::ReviewInProgress),
            StackState::ReviewInProgress
        );
        assert_eq!(classify(&StackStatus::UpdateInProgress), StackState::Busy);
        assert_eq!(
            classify(&StackStatus::UpdateCompleteCleanupInProgress),
            StackState::Busy
        );
        assert_eq!(
            classify(&StackStatus::UpdateRollbackFailed),
            StackState::UpdateRollbackFailed
        );
        assert_eq!(classify(&StackStatus::UpdateFailed), StackState::Resumable);
        assert_eq!(classify(&StackStatus::DeleteComplete), StackState::Missing);
        assert_eq!(
            classify(&StackStatus::DeleteFailed),
            StackState::DeleteFailed
        );
    }

    #[test]
    fn statuses_the_sdk_does_not_know() {
        assert_eq!(
            classify(&StackStatus::from("MIGRATE_IN_PROGRESS")),
            StackState::Busy
        );
        assert_eq!(
            classify(&StackStatus::from("MIGRATE_FAILED")),
            StackState::RollbackFailed
        );
        assert_eq!(
            classify(&StackStatus::from("MIGRATE_COMPLETE")),
            StackState::Ready
        );
        // Never "ready to update" for a status the runner cannot read.
        for odd in ["UNKNOWN", "", "MIGRATING"] {
            assert_eq!(
                classify(&StackStatus::from(odd)),
                StackState::Unrecognized,
                "{odd:?}"
            );
        }
    }

    #[test]
    fn outcomes() {
        assert_eq!(
            deploy_outcome(&StackStatus::UpdateComplete),
            Outcome::Succeeded
        );
        assert_eq!(
            deploy_outcome(&StackStatus::UpdateRollbackComplete),
            Outcome::Failed
        );
        assert_eq!(
            deploy_outcome(&StackStatus::RollbackComplete),
            Outcome::Failed
        );
        assert_eq!(
            delete_outcome(&StackStatus::DeleteComplete),
            Outcome::Succeeded
        );
        assert_eq!(delete_outcome(&StackStatus::DeleteFailed), Outcome::Failed);
        assert!(in_progress(&StackStatus::RollbackInProgress));
        assert!(!in_progress(&StackStatus::RollbackComplete));
    }
}
