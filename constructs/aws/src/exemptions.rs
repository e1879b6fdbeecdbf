//! Scanner checks that a design choice of the library cannot pass, recorded on the resource
//! they concern with the reason, so that an app that uses the construct needs no skip entry
//! of its own for it.
//!
//! checkov reads `Metadata.checkov.skip` (a list of `{id, comment}`) on a CloudFormation
//! resource and reports those checks as skipped, with the comment, for that resource only.
//! Choices an app makes belong in the app's skip list instead (`checkov-skips.txt`).

use cirrus_core::{Resource, ResourceRef};
use serde_json::json;

/// The exemptions recorded on one resource, in the order given.
#[derive(Debug, Default)]
struct Exemptions(Vec<(String, String)>);

/// Records that `check` cannot pass on `resource`, and why.
pub(crate) fn exempt<R: Resource>(resource: ResourceRef<'_, R>, check: &str, reason: &str) {
    let skip = resource.node().with_state(|e: &mut Exemptions| {
        if !e.0.iter().any(|(c, _)| c == check) {
            e.0.push((check.to_owned(), reason.to_owned()));
        }
        e.0.iter()
            .map(|(id, comment)| json!({ "id": id, "comment": comment }))
            .collect::<Vec<_>>()
    });
    resource.add_metadata("checkov", json!({ "skip": skip }));
}
