//! Retrying AWS calls that failed for a passing reason: throttling, a 5xx answer, a dropped
//! connection or a timeout.
//!
//! The SDK's own retries are turned off (see `aws::config`) so that there is one retry policy,
//! ours, with a backoff long enough for CloudFormation's per-account API rate limits, and so
//! that the unit tests can see every attempt.

use std::time::Duration;

use aws_sdk_cloudformation::config::http::HttpResponse;
use aws_sdk_cloudformation::error::{ProvideErrorMetadata, SdkError};

/// Error codes AWS services use for throttling and for transient server trouble.
const RETRYABLE_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "RequestThrottled",
    "SlowDown",
    "PriorRequestNotComplete",
    "BandwidthLimitExceeded",
    "RequestTimeout",
    "RequestTimeoutException",
    "InternalError",
    "InternalFailure",
    "ServiceUnavailable",
];

/// How often and how long to retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Backoff {
    /// Attempts in all, the first one included.
    pub(crate) attempts: u32,
    /// The wait before the second attempt; it doubles for each further attempt.
    pub(crate) base: Duration,
    /// The longest wait between two attempts.
    pub(crate) max: Duration,
}

impl Backoff {
    /// What the runner uses against AWS: 8 attempts over about a minute and a half.
    pub(crate) const STANDARD: Backoff = Backoff {
        attempts: 8,
        base: Duration::from_millis(500),
        max: Duration::from_secs(20),
    };

    /// A single attempt, for calls whose failure has a fallback.
    pub(crate) const ONCE: Backoff = Backoff {
        attempts: 1,
        base: Duration::ZERO,
        max: Duration::ZERO,
    };

    /// The wait after failed attempt `attempt` (1-based): exponential, capped, with jitter in
    /// the upper half so that parallel stacks do not retry in lockstep.
    pub(crate) fn delay(&self, attempt: u32) -> Duration {
        let exp = self
            .base
            .saturating_mul(1u32 << attempt.saturating_sub(1).min(16));
        let capped = exp.min(self.max);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let half = capped / 2;
        half + half.mul_f64(f64::from(nanos % 1000) / 1000.0)
    }
}

/// Whether an SDK error is worth another attempt.
pub(crate) fn is_retryable<E: ProvideErrorMetadata>(err: &SdkError<E, HttpResponse>) -> bool {
    match err {
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) | SdkError::ResponseError(_) => {
            true
        }
        SdkError::ServiceError(service) => {
            let code_retryable = service
                .err()
                .code()
                .is_some_and(|code| RETRYABLE_CODES.contains(&code));
            code_retryable || service.raw().status().as_u16() >= 500
        }
        _ => false,
    }
}

/// How many attempts of one call may end in a timeout: an endpoint that accepts connections
/// and never answers is not a passing state worth the whole backoff, so such a call fails
/// after two timed-out attempts (well within a minute with the runner's timeouts) rather than
/// after every attempt of the backoff.
const TIMED_OUT_ATTEMPTS: u32 = 2;

/// Whether the call timed out: the whole attempt (`TimeoutError`), or connecting or reading
/// the answer (a dispatch failure of kind timeout).
fn is_timeout<E>(err: &SdkError<E, HttpResponse>) -> bool {
    match err {
        SdkError::TimeoutError(_) => true,
        SdkError::DispatchFailure(failure) => failure.is_timeout(),
        _ => false,
    }
}

/// Runs `call` until it succeeds, fails for good, or runs out of attempts (of any kind, or
/// [`TIMED_OUT_ATTEMPTS`] that timed out).
pub(crate) async fn retry<T, E, F, Fut>(
    backoff: Backoff,
    mut call: F,
) -> Result<T, SdkError<E, HttpResponse>>
where
    E: ProvideErrorMetadata,
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, SdkError<E, HttpResponse>>>,
{
    let mut attempt = 1;
    let mut timed_out = 0;
    loop {
        match call().await {
            Ok(value) => return Ok(value),
            Err(err) => {
                if is_timeout(&err) {
                    timed_out += 1;
                }
                if attempt >= backoff.attempts
                    || timed_out >= TIMED_OUT_ATTEMPTS
                    || !is_retryable(&err)
                {
                    return Err(err);
                }
                tokio::time::sleep(backoff.delay(attempt)).await;
                attempt += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_and_are_capped() {
        let b = Backoff {
            attempts: 10,
            base: Duration::from_millis(100),
            max: Duration::from_secs(1),
        };
        let first = b.delay(1);
        assert!(first >= Duration::from_millis(50) && first <= Duration::from_millis(100));
        let third = b.delay(3);
        assert!(third >= Duration::from_millis(200) && third <= Duration::from_millis(400));
        let late = b.delay(30);
        assert!(late >= Duration::from_millis(500) && late <= Duration::from_secs(1));
    }
}
