//! Asking for approval: on a terminal, a question; elsewhere, a refusal that says how to
//! approve ahead of time (`--require-approval never`).

use std::io::{BufRead, IsTerminal, Write};
use std::sync::Arc;

/// The answer to "deploy these changes?".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Answer {
    /// Go ahead.
    Yes,
    /// Do not.
    No,
    /// Nobody can be asked (stdin is not a terminal).
    CannotAsk,
}

/// Who approves. Called on a thread of its own, one question at a time.
pub(crate) trait Approver: Send + Sync + std::fmt::Debug {
    /// Asks `question`; the changes have been shown above it.
    fn ask(&self, question: &str) -> Answer;

    /// The run was interrupted while `ask` waited for its answer.
    fn abandoned(&self) {}
}

/// Asks `approver` on a detached thread and waits for the answer without blocking the
/// runtime.
///
/// Reading a terminal cannot be cancelled: on a tokio blocking thread it would keep an
/// interrupted run from ending, since the runtime waits for its blocking threads when it
/// shuts down. The detached thread is simply left behind (the process ends without it), and
/// dropping the returned future, which is what an interruption does, returns at once.
pub(crate) async fn ask_detached(approver: Arc<dyn Approver>, question: String) -> Answer {
    /// Tells the approver when the question is abandoned, so that the prompt's line is ended.
    struct Waiting {
        approver: Arc<dyn Approver>,
        answered: bool,
    }
    impl Drop for Waiting {
        fn drop(&mut self) {
            if !self.answered {
                self.approver.abandoned();
            }
        }
    }

    let (tx, rx) = tokio::sync::oneshot::channel();
    let asker = approver.clone();
    let spawned = std::thread::Builder::new()
        .name("cirrus-approval".into())
        .spawn(move || {
            let _ = tx.send(asker.ask(&question));
        });
    if spawned.is_err() {
        // No thread, no question: not approved.
        return Answer::No;
    }
    let mut waiting = Waiting {
        approver,
        answered: false,
    };
    let answer = rx.await.unwrap_or(Answer::No);
    waiting.answered = true;
    answer
}

/// The person at the terminal, when stdin and stderr are terminals.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Terminal;

impl Approver for Terminal {
    fn ask(&self, question: &str) -> Answer {
        if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
            return Answer::CannotAsk;
        }
        eprint!("{question} [y/N] ");
        let _ = std::io::stderr().flush();
        read_answer(&mut std::io::stdin().lock())
    }

    fn abandoned(&self) {
        // End the prompt's line, so that what follows does not continue it.
        eprintln!();
    }
}

/// Reads a y/N answer: `y` or `yes` (any case) is yes; anything else, an empty line or a
/// failed read is no, so that a stray Enter never deploys or destroys anything.
pub(crate) fn read_answer(input: &mut impl BufRead) -> Answer {
    let mut line = String::new();
    if input.read_line(&mut line).is_err() {
        return Answer::No;
    }
    match line.trim().to_ascii_lowercase().as_str() {
        "y" | "yes" => Answer::Yes,
        _ => Answer::No,
    }
}

#[cfg(test)]
mod tests {
    use super::{Answer, read_answer};

    #[test]
    fn only_yes_is_yes() {
        for (input, expected) in [
            ("y\n", Answer::Yes),
            ("YES\n", Answer::Yes),
            ("  yes  \n", Answer::Yes),
            ("\n", Answer::No),
            ("n\n", Answer::No),
            ("yep\n", Answer::No),
            ("", Answer::No),
        ] {
            assert_eq!(read_answer(&mut input.as_bytes()), expected, "{input:?}");
        }
    }
}
