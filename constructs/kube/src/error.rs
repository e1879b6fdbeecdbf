//! What can go wrong talking to a cluster. Every error about an object names it the way
//! `kubectl` does (`Deployment shop/api`, `Namespace shop`), so that the runner's line says which
//! of the step's objects failed without more context.

use std::time::Duration;

/// An error of the Kubernetes client.
#[derive(Debug, thiserror::Error)]
pub enum KubeError {
    /// The cluster's endpoint is not an https URL (or http on a loopback address).
    #[error("invalid cluster endpoint {endpoint:?}: {reason}")]
    Endpoint {
        /// The endpoint as given.
        endpoint: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The cluster's certificate authority could not be read.
    #[error("invalid cluster certificate authority: {reason}")]
    CertificateAuthority {
        /// What is wrong with it.
        reason: String,
    },
    /// The EKS token could not be made.
    #[error("cannot make the eks token: {message}")]
    Token {
        /// What failed.
        message: String,
    },
    /// An object given to apply or delete is not a Kubernetes object.
    #[error("object {index} of the step: {reason}")]
    InvalidObject {
        /// Its position in the list given.
        index: usize,
        /// What is missing or wrong.
        reason: String,
    },
    /// The step label is not a valid label value.
    #[error("invalid step label {value:?}: {reason}")]
    StepLabel {
        /// The value given.
        value: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The API server answered with an error.
    #[error("{object}: {}{}", describe(*status, reason, message), hint.as_deref().map(|h| format!(" (hint: {h})")).unwrap_or_default())]
    Api {
        /// The object (`Deployment shop/api`) or the request (`GET /apis/apps/v1`).
        object: String,
        /// The HTTP status.
        status: u16,
        /// Kubernetes' reason (`Invalid`, `Forbidden`), empty when the answer held no `Status`.
        reason: String,
        /// Kubernetes' message, empty when the answer held no `Status`.
        message: String,
        /// What to do about it, when something is known to help.
        hint: Option<String>,
    },
    /// The API server could not be reached, or did not answer in time, after the retries.
    #[error("{object}: {message}")]
    Transport {
        /// The object or the request.
        object: String,
        /// What failed.
        message: String,
    },
    /// The cluster serves no resource for the object's kind.
    #[error(
        "{object}: the cluster serves no kind {kind} in {api_version} (hint: install the CustomResourceDefinition, or the chart that brings it, in an earlier step)"
    )]
    UnknownKind {
        /// The object.
        object: String,
        /// Its kind.
        kind: String,
        /// Its apiVersion.
        api_version: String,
    },
    /// An answer of the API server was not what the API defines.
    #[error("{object}: unexpected answer from the api server: {message}")]
    Protocol {
        /// The object or the request.
        object: String,
        /// What was wrong with it.
        message: String,
    },
    /// A Job the step waits for failed: it will not complete without a change.
    #[error("{object} failed: {reason}")]
    Failed {
        /// The Job (`Job portworx/setup`).
        object: String,
        /// Its `Failed` condition's reason and message.
        reason: String,
    },
    /// Objects were not ready, established or gone within the time allowed.
    #[error("{what} after {timeout:?}: {}", pending.join("; "))]
    Timeout {
        /// What was waited for (`not ready`, `not deleted`).
        what: String,
        /// The time allowed.
        timeout: Duration,
        /// Each object still pending with its last known state
        /// (`Deployment shop/api: 1 of 3 replicas available`).
        pending: Vec<String>,
    },
}

fn describe(status: u16, reason: &str, message: &str) -> String {
    match (reason.is_empty(), message.is_empty()) {
        (true, true) => format!(
            "http {status}{}",
            http::StatusCode::from_u16(status)
                .ok()
                .and_then(|s| s.canonical_reason())
                .map(|r| format!(" {}", r.to_lowercase()))
                .unwrap_or_default()
        ),
        (false, true) => format!("{reason} (http {status})"),
        (true, false) => format!("{message} (http {status})"),
        (false, false) => format!("{reason}: {message}"),
    }
}

impl KubeError {
    /// The HTTP status of an API error.
    pub fn status(&self) -> Option<u16> {
        match self {
            KubeError::Api { status, .. } => Some(*status),
            _ => None,
        }
    }
}
