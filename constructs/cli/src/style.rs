//! Terminal output: diagnostics and notes on stderr, colored only on a terminal and never when
//! `NO_COLOR` is set. Stdout carries data only (templates, listings).

use std::io::IsTerminal;

use cirrus_core::{Diagnostic, Severity};

/// How to print to stderr.
#[derive(Debug, Clone, Copy)]
pub struct Ui {
    color: bool,
    interactive: bool,
}

impl Ui {
    /// Colors when stderr is a terminal, `NO_COLOR` is unset or empty, and `TERM` is not `dumb`.
    pub fn detect() -> Ui {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let dumb = std::env::var_os("TERM").is_some_and(|t| t == "dumb");
        let terminal = !dumb && std::io::stderr().is_terminal();
        Ui {
            color: !no_color && terminal,
            interactive: terminal,
        }
    }

    /// No colors, whatever the environment says (tests).
    pub fn plain() -> Ui {
        Ui {
            color: false,
            interactive: false,
        }
    }

    /// Whether stderr is a terminal that can show live progress bars.
    pub fn interactive(&self) -> bool {
        self.interactive
    }

    /// `warning: message` on stderr.
    pub fn warning(&self, message: &str) {
        eprintln!("{}: {message}", self.paint("1;33", "warning"));
    }

    /// `hint: message` on stderr.
    pub fn hint(&self, message: &str) {
        eprintln!("{}: {message}", self.paint("1;36", "hint"));
    }

    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    /// `error: message` on stderr, with a cause chain and a hint.
    pub fn error(&self, message: &str, causes: &[String], hint: Option<&str>) {
        eprintln!("{}: {message}", self.paint("1;31", "error"));
        for cause in causes {
            eprintln!("  {} {cause}", self.paint("1", "caused by:"));
        }
        if let Some(hint) = hint {
            eprintln!("{}: {hint}", self.paint("1;36", "hint"));
        }
    }

    /// `error: message`, then indented detail lines, then a hint.
    #[cfg(feature = "aws")]
    pub(crate) fn failure(&self, message: &str, details: &[String], hint: Option<&str>) {
        eprintln!("{}: {message}", self.paint("1;31", "error"));
        for line in details {
            eprintln!("  {line}");
        }
        if let Some(hint) = hint {
            eprintln!("{}: {hint}", self.paint("1;36", "hint"));
        }
    }

    /// A progress or result note on stderr.
    pub fn note(&self, message: &str) {
        eprintln!("{message}");
    }

    /// Formats a diagnostic of `app` the way rustc does: `error[S3-001]: message`, then the
    /// construct path and the hint.
    pub fn diagnostic(&self, app: &str, d: &Diagnostic) -> String {
        let label = match d.severity {
            Severity::Error => self.paint("1;31", &format!("error[{}]", d.code)),
            Severity::Warning => self.paint("1;33", &format!("warning[{}]", d.code)),
        };
        let mut out = format!("{label}: {}", d.message);
        let at = if d.path.is_empty() {
            app.to_owned()
        } else {
            format!("{app}: {}", d.path)
        };
        out.push_str(&format!("\n  {} {at}", self.paint("1;34", "-->")));
        if let Some(hint) = &d.hint {
            out.push_str(&format!("\n  {}: {hint}", self.paint("1;36", "hint")));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::Ui;
    use cirrus_core::{Diagnostic, codes};

    #[test]
    fn diagnostics_print_their_code_the_way_rustc_does() {
        let ui = Ui::plain();
        let error = Diagnostic::error(
            codes::CONSTRUCT_ID_INVALID,
            "S/a b",
            "construct id \"a b\" contains ' '",
        )
        .with_hint("use a-b");
        assert_eq!(
            ui.diagnostic("hello", &error),
            "error[CORE-002]: construct id \"a b\" contains ' '\n  --> hello: S/a b\n  hint: use a-b"
        );
        let warning = Diagnostic::warning(codes::TEMPLATE_NEEDS_S3, "", "the template is large");
        assert_eq!(
            ui.diagnostic("hello", &warning),
            "warning[CORE-033]: the template is large\n  --> hello"
        );
    }
}
