//! Kubernetes' `Status`, the body of every error answer, turned into [`KubeError::Api`].

use serde::Deserialize;

use crate::client::Answer;
use crate::error::KubeError;

#[derive(Deserialize, Default)]
struct Status {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    message: String,
}

/// The hint for an answer that says the caller may not do this: on EKS, access is granted by
/// an access entry of the IAM role, which the app declares.
pub(crate) const ACCESS_HINT: &str = "the runner's IAM role needs an access entry on the cluster with a policy that allows this: declare it in the app with cluster.grant_access(..) and deploy the cluster's stack first";

/// The error for a non-success answer about `object`.
pub(crate) fn api_error(object: &str, answer: &Answer) -> KubeError {
    let status: Status = serde_json::from_slice(&answer.body)
        .ok()
        .filter(|s: &Status| s.kind == "Status")
        .unwrap_or_default();
    let code = answer.status.as_u16();
    let hint = match code {
        401 => Some(format!(
            "the token was refused: it may have expired (tokens live about 15 minutes) or be for another cluster; {ACCESS_HINT}"
        )),
        403 => Some(ACCESS_HINT.to_string()),
        _ => None,
    };
    KubeError::Api {
        object: object.to_string(),
        status: code,
        reason: status.reason,
        message: status.message,
        hint,
    }
}
