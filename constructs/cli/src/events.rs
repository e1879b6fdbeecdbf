//! Stack events as the runner shows them:
//! `Stack | n/N | time | STATUS | Type | path (LogicalId)`, plus the reason for failures, and
//! the count of resources done that the progress display shows.

use std::collections::BTreeSet;

use aws_sdk_cloudformation::types::ResourceStatus;

use crate::aws::cfn::Event;

/// Whether a resource status is a failure.
pub(crate) fn is_failure(status: &ResourceStatus) -> bool {
    use ResourceStatus as R;
    match status {
        R::CreateFailed
        | R::UpdateFailed
        | R::DeleteFailed
        | R::ImportFailed
        | R::ImportRollbackFailed
        | R::RollbackFailed
        | R::UpdateRollbackFailed
        | R::ExportFailed => true,
        other => other.as_str().ends_with("_FAILED"),
    }
}

/// Whether a resource status means the resource is done with this operation.
fn is_done(status: &ResourceStatus) -> bool {
    use ResourceStatus as R;
    matches!(
        status,
        R::CreateComplete
            | R::UpdateComplete
            | R::DeleteComplete
            | R::ImportComplete
            | R::DeleteSkipped
    )
}

/// Follows the events of one operation on one stack: counts the resources done, formats the
/// lines, and keeps the failures for the report.
#[derive(Debug, Clone)]
pub(crate) struct EventLog {
    stack_name: String,
    total: usize,
    done: BTreeSet<String>,
    failures: Vec<Event>,
    token: Option<String>,
}

impl EventLog {
    /// A log for `stack_name`, whose operation touches `total` resources; events of other
    /// operations (another client request token) are left out when `token` is given.
    pub(crate) fn new(stack_name: &str, total: usize, token: Option<String>) -> EventLog {
        EventLog {
            stack_name: stack_name.to_owned(),
            total,
            done: BTreeSet::new(),
            failures: Vec::new(),
            token,
        }
    }

    /// Records an event; returns its line, or `None` for an event of another operation.
    pub(crate) fn record(&mut self, event: &Event, path: Option<&str>) -> Option<String> {
        if let (Some(ours), Some(theirs)) = (&self.token, &event.token)
            && ours != theirs
        {
            return None;
        }
        let is_stack = event.resource_type == "AWS::CloudFormation::Stack"
            && event.logical_id == self.stack_name;
        if !is_stack && is_done(&event.status) {
            self.done.insert(event.logical_id.clone());
        }
        if !is_stack && is_failure(&event.status) {
            self.failures.push(event.clone());
        }
        Some(format_event(
            &self.stack_name,
            self.done(),
            self.total,
            event,
            path,
        ))
    }

    /// Resources done so far (at most the total).
    pub(crate) fn done(&self) -> usize {
        self.done.len().min(self.total)
    }

    /// The resources that failed, in the order they failed.
    pub(crate) fn failures(&self) -> &[Event] {
        &self.failures
    }
}

/// `Stack | n/N | 12:04:05 | CREATE_COMPLETE | AWS::S3::Bucket | Stack/Bucket (Bucket83908E77)`
/// with ` - reason` for failures. Times are UTC.
pub(crate) fn format_event(
    stack: &str,
    done: usize,
    total: usize,
    event: &Event,
    path: Option<&str>,
) -> String {
    let secs = event.timestamp.secs().rem_euclid(86_400);
    let time = format!("{:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60);
    let width = total.to_string().len();
    let name = match path {
        Some(p) => format!("{p} ({})", event.logical_id),
        None => event.logical_id.clone(),
    };
    let mut line = format!(
        "{stack} | {done:>width$}/{total} | {time} | {:<18} | {} | {name}",
        event.status.as_str(),
        event.resource_type
    );
    if is_failure(&event.status)
        && let Some(reason) = &event.reason
    {
        line.push_str(&format!(" - {reason}"));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_cloudformation::primitives::DateTime;

    fn event(
        id: &str,
        logical: &str,
        ty: &str,
        status: ResourceStatus,
        reason: Option<&str>,
    ) -> Event {
        Event {
            id: id.into(),
            logical_id: logical.into(),
            resource_type: ty.into(),
            status,
            reason: reason.map(str::to_owned),
            // 2026-11-22T12:04:05Z
            timestamp: DateTime::from_secs(1_795_349_045),
            token: None,
        }
    }

    #[test]
    fn lines_count_and_failures() {
        let mut log = EventLog::new("Net", 2, None);
        let start = event(
            "1",
            "Net",
            "AWS::CloudFormation::Stack",
            ResourceStatus::CreateInProgress,
            Some("User Initiated"),
        );
        assert_eq!(
            log.record(&start, Some("Net")).unwrap(),
            "Net | 0/2 | 12:04:05 | CREATE_IN_PROGRESS | AWS::CloudFormation::Stack | Net (Net)"
        );
        let vpc = event(
            "2",
            "Vpc8378EB38",
            "AWS::EC2::VPC",
            ResourceStatus::CreateComplete,
            None,
        );
        assert_eq!(
            log.record(&vpc, Some("Net/Vpc/Resource")).unwrap(),
            "Net | 1/2 | 12:04:05 | CREATE_COMPLETE    | AWS::EC2::VPC | Net/Vpc/Resource (Vpc8378EB38)"
        );
        let sg = event(
            "3",
            "Sg",
            "AWS::EC2::SecurityGroup",
            ResourceStatus::CreateFailed,
            Some("Invalid CIDR"),
        );
        assert_eq!(
            log.record(&sg, None).unwrap(),
            "Net | 1/2 | 12:04:05 | CREATE_FAILED      | AWS::EC2::SecurityGroup | Sg - Invalid CIDR"
        );
        let stack_done = event(
            "4",
            "Net",
            "AWS::CloudFormation::Stack",
            ResourceStatus::CreateComplete,
            None,
        );
        log.record(&stack_done, None);
        assert_eq!(log.done(), 1, "the stack itself is not a resource");
        assert_eq!(log.failures().len(), 1);
        assert_eq!(log.failures()[0].logical_id, "Sg");
    }

    #[test]
    fn other_operations_are_left_out() {
        let mut log = EventLog::new("Net", 1, Some("ours".into()));
        let mut e = event(
            "1",
            "Vpc",
            "AWS::EC2::VPC",
            ResourceStatus::UpdateComplete,
            None,
        );
        e.token = Some("theirs".into());
        assert!(log.record(&e, None).is_none());
        e.token = Some("ours".into());
        assert!(log.record(&e, None).is_some());
        assert_eq!(log.done(), 1);
    }

    #[test]
    fn unknown_failure_statuses_are_failures() {
        assert!(is_failure(&ResourceStatus::from("EXPORT_ROLLBACK_FAILED")));
        assert!(!is_failure(&ResourceStatus::from("EXPORT_IN_PROGRESS")));
    }
}
