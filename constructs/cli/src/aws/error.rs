//! A failed AWS call, reduced to what a person needs: which call, the service's error code,
//! and its message.

use aws_sdk_cloudformation::config::http::HttpResponse;
use aws_sdk_cloudformation::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};

/// A failed AWS API call.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{operation} failed")]
pub struct AwsError {
    /// The API operation, such as `CreateChangeSet`.
    pub operation: &'static str,
    /// The service's error code, such as `ValidationError`; none when no answer came back.
    pub code: Option<String>,
    /// What went wrong, as the service or the connection said it.
    #[source]
    pub detail: Detail,
}

/// The service's message, or the connection problem.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Detail(pub String);

impl AwsError {
    /// Converts an SDK error of `operation`.
    pub(crate) fn from_sdk<E>(operation: &'static str, err: SdkError<E, HttpResponse>) -> AwsError
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        let (code, detail) = match &err {
            SdkError::ServiceError(service) => {
                let e = service.err();
                let code = e.code().map(str::to_owned);
                let message = match (e.code(), e.message()) {
                    (Some(code), Some(message)) => format!("{code}: {message}"),
                    (None, Some(message)) => message.to_owned(),
                    (Some(code), None) => code.to_owned(),
                    (None, None) => format!(
                        "HTTP {} without an error message",
                        service.raw().status().as_u16()
                    ),
                };
                let message = if e.code().is_some_and(is_throttling) {
                    format!(
                        "throttled: AWS refused the rate of calls through every retry ({message})"
                    )
                } else {
                    message
                };
                (code, message)
            }
            other => (None, DisplayErrorContext(other).to_string()),
        };
        AwsError {
            operation,
            code,
            detail: Detail(detail),
        }
    }

    /// Whether the service answered with this error code.
    pub(crate) fn has_code(&self, code: &str) -> bool {
        self.code.as_deref() == Some(code)
    }

    /// Whether AWS refused the call for its rate (after the runner's retries).
    pub(crate) fn is_throttled(&self) -> bool {
        self.code.as_deref().is_some_and(is_throttling)
    }
}

/// The error codes AWS services answer with when they limit the rate of calls.
fn is_throttling(code: &str) -> bool {
    matches!(
        code,
        "Throttling"
            | "ThrottlingException"
            | "ThrottledException"
            | "RequestThrottledException"
            | "TooManyRequestsException"
            | "RequestLimitExceeded"
            | "RequestThrottled"
            | "SlowDown"
    )
}

/// `.map_err(aws_err("Operation"))` for SDK results.
pub(crate) fn aws_err<E>(
    operation: &'static str,
) -> impl FnOnce(SdkError<E, HttpResponse>) -> AwsError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    move |err| AwsError::from_sdk(operation, err)
}
