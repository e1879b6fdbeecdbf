//! The signals that end a deploy or destroy early: Ctrl-C (SIGINT) and SIGTERM (what CI
//! systems and `timeout(1)` send), handled alike: what was not executed is cleaned up, within a
//! bound, and a second signal stops the cleanup at once, saying what is left.

#[cfg(feature = "aws")]
use std::time::Duration;

/// How long the cleanup after an interruption may take before the runner gives up on it and
/// says what is left.
#[cfg(feature = "aws")]
pub(crate) const CLEANUP_BOUND: Duration = Duration::from_secs(30);

/// The signal that interrupted a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// Ctrl-C.
    Interrupt,
    /// SIGTERM.
    Terminate,
}

impl Signal {
    /// The exit code a shell reports for a process the signal ended: 128 + its number.
    pub(crate) fn exit_code(self) -> u8 {
        match self {
            Signal::Interrupt => 130,
            Signal::Terminate => 143,
        }
    }

    /// How the person would name it.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Signal::Interrupt => "Ctrl-C",
            Signal::Terminate => "SIGTERM",
        }
    }
}

/// A future that completes with the next Ctrl-C or SIGTERM. The listeners are installed when
/// this is called (not when the future is first polled), so a signal sent right after is not
/// missed; a signal that cannot be listened to never completes it.
#[cfg(feature = "aws")]
pub(crate) fn interrupted() -> impl std::future::Future<Output = Signal> {
    #[cfg(unix)]
    let mut terminate =
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    let interrupt = tokio::signal::ctrl_c();
    async move {
        #[cfg(unix)]
        let term = async {
            match terminate.as_mut() {
                Some(listener) => {
                    listener.recv().await;
                }
                None => std::future::pending::<()>().await,
            }
        };
        #[cfg(not(unix))]
        let term = std::future::pending::<()>();
        tokio::select! {
            result = interrupt => {
                if result.is_err() {
                    std::future::pending::<()>().await;
                }
                Signal::Interrupt
            }
            () = term => Signal::Terminate,
        }
    }
}

/// What stops the cleanup after an interruption: a second signal, or [`CLEANUP_BOUND`].
#[cfg(feature = "aws")]
pub(crate) async fn cleanup_stop() {
    let second = interrupted();
    tokio::select! {
        _ = second => {}
        () = tokio::time::sleep(CLEANUP_BOUND) => {}
    }
}

#[cfg(all(test, unix, feature = "aws"))]
mod tests {
    use super::*;

    #[tokio::test]
    async fn sigterm_is_an_interruption_that_exits_143() {
        let signal = interrupted();
        let pid = std::process::id().to_string();
        let status = std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap();
        assert!(status.success());
        let got = tokio::time::timeout(Duration::from_secs(10), signal)
            .await
            .expect("the SIGTERM arrives");
        assert_eq!(got, Signal::Terminate);
        assert_eq!(got.exit_code(), 143);
        assert_eq!(Signal::Interrupt.exit_code(), 130);
    }
}
