//! Asking for approval: on a terminal, a question; elsewhere, a refusal that says how to
//! approve ahead of time (`--require-approval never`).

use std::io::{BufRead, IsTerminal, Write};

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

/// Who approves. Called from a blocking thread, one question at a time.
pub(crate) trait Approver: Send + Sync + std::fmt::Debug {
    /// Asks `question`; the changes have been shown above it.
    fn ask(&self, question: &str) -> Answer;
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
