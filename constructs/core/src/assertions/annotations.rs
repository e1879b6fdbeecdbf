//! `Annotations`: the errors and warnings of an app, and assertions about them.

use super::AssertionError;
use crate::app::App;
use crate::diagnostics::{Code, Diagnostic, ErrorCode, Severity, WarningCode};

/// The diagnostics of an app, to assert on in tests, as the AWS CDK's `Annotations` class does.
///
/// A diagnostic is selected by its construct path, exactly (`"S/Bucket"`), or `"*"` for any
/// path, and by its code (`has_error_code`: the check, which never changes) or by a substring of
/// its message (`has_error`: for tests of the wording itself; `""` for any message). Failure
/// messages list the closest candidates, so that a moved or reworded diagnostic is easy to
/// spot.
///
/// ```
/// use cirrus_core::assertions::Annotations;
/// use cirrus_core::prelude::*;
/// use cirrus_core::{ErrorCode, WarningCode};
///
/// const BAD_NAME: ErrorCode = ErrorCode::new("APP-001", "a bucket name breaks S3's rules");
/// const LONG_RETENTION: WarningCode = WarningCode::new("APP-002", "a queue keeps messages long");
///
/// let app = App::new("demo");
/// let stack = app.stack("S", StackProps::default());
/// stack.add("Topic", RawResource::new("AWS::SNS::Topic", serde_json::json!({})));
/// stack.add_child("Bucket").error_with_hint(BAD_NAME, "bucket name \"a_b\" is invalid", "use a-b");
/// stack.add_child("Queue").warning(LONG_RETENTION, "the queue keeps messages 14 days");
///
/// let annotations = Annotations::from_app(&app);
/// annotations.has_error_code("S/Bucket", BAD_NAME);
/// annotations.has_warning_code("*", LONG_RETENTION);
/// annotations.has_error("S/Bucket", "is invalid");
/// annotations.has_error_with_hint("*", "bucket name", "use a-b");
/// annotations.has_warning("S/Queue", "14 days");
/// annotations.has_no_error("S/Queue", "");
/// assert_eq!(annotations.errors().len(), 1);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Annotations {
    diagnostics: Vec<Diagnostic>,
}

impl Annotations {
    /// Synthesizes `app` and keeps every diagnostic: the errors and warnings when synthesis
    /// fails, the warnings when it succeeds. Never panics.
    pub fn from_app(app: &App) -> Annotations {
        match app.synth() {
            Ok(out) => Annotations::from_diagnostics(out.warnings),
            Err(e) => Annotations::from_diagnostics(e.diagnostics),
        }
    }

    /// Diagnostics obtained some other way (a [`crate::SynthError`], say).
    pub fn from_diagnostics(diagnostics: impl IntoIterator<Item = Diagnostic>) -> Annotations {
        Annotations {
            diagnostics: diagnostics.into_iter().collect(),
        }
    }

    /// Every error, in the order synthesis reports them.
    pub fn errors(&self) -> Vec<&Diagnostic> {
        self.of(Severity::Error).collect()
    }

    /// Every warning, in the order synthesis reports them.
    pub fn warnings(&self) -> Vec<&Diagnostic> {
        self.of(Severity::Warning).collect()
    }

    /// The errors at `path` (`"*"` for any) whose message contains `message`.
    pub fn find_errors(&self, path: &str, message: &str) -> Vec<&Diagnostic> {
        self.find(Severity::Error, path, message)
    }

    /// The warnings at `path` (`"*"` for any) whose message contains `message`.
    pub fn find_warnings(&self, path: &str, message: &str) -> Vec<&Diagnostic> {
        self.find(Severity::Warning, path, message)
    }

    /// The diagnostics at `path` (`"*"` for any) of check `code`.
    pub fn find_code(&self, path: &str, code: impl Into<Code>) -> Vec<&Diagnostic> {
        let code = code.into();
        self.diagnostics
            .iter()
            .filter(|d| d.code == code && (path == "*" || d.path == path))
            .collect()
    }

    /// Asserts that there is an error of check `code` at `path` (`"*"` for any). This is how a
    /// test names the check it expects: codes never change, messages may be reworded.
    #[track_caller]
    pub fn has_error_code(&self, path: &str, code: ErrorCode) {
        if let Err(e) = self.try_has_error_code(path, code) {
            panic!("{e}");
        }
    }

    /// Like [`Annotations::has_error_code`], returning the failure instead of panicking.
    pub fn try_has_error_code(&self, path: &str, code: ErrorCode) -> Result<(), AssertionError> {
        self.expect_code(path, code.code())
    }

    /// Asserts that there is a warning of check `code` at `path` (`"*"` for any).
    #[track_caller]
    pub fn has_warning_code(&self, path: &str, code: WarningCode) {
        if let Err(e) = self.try_has_warning_code(path, code) {
            panic!("{e}");
        }
    }

    /// Like [`Annotations::has_warning_code`], returning the failure instead of panicking.
    pub fn try_has_warning_code(
        &self,
        path: &str,
        code: WarningCode,
    ) -> Result<(), AssertionError> {
        self.expect_code(path, code.code())
    }

    /// Asserts that there is no diagnostic of check `code` at `path` (`"*"` for any).
    #[track_caller]
    pub fn has_no_code(&self, path: &str, code: impl Into<Code>) {
        if let Err(e) = self.try_has_no_code(path, code) {
            panic!("{e}");
        }
    }

    /// Like [`Annotations::has_no_code`], returning the failure instead of panicking.
    pub fn try_has_no_code(&self, path: &str, code: impl Into<Code>) -> Result<(), AssertionError> {
        let code = code.into();
        let found = self.find_code(path, code);
        if found.is_empty() {
            return Ok(());
        }
        Err(AssertionError::new(format!(
            "expected no {} {}{}, found {}:\n{}",
            noun(code.severity()),
            code.id(),
            place(path),
            found.len(),
            lines(&found)
        )))
    }

    /// Asserts that there is an error at `path` (`"*"` for any) whose message contains
    /// `message`.
    #[track_caller]
    pub fn has_error(&self, path: &str, message: &str) {
        if let Err(e) = self.try_has_error(path, message) {
            panic!("{e}");
        }
    }

    /// Like [`Annotations::has_error`], returning the failure instead of panicking.
    pub fn try_has_error(&self, path: &str, message: &str) -> Result<(), AssertionError> {
        self.expect(Severity::Error, path, message, None)
    }

    /// Asserts that there is an error at `path` (`"*"` for any) whose message contains
    /// `message` and whose hint contains `hint`.
    #[track_caller]
    pub fn has_error_with_hint(&self, path: &str, message: &str, hint: &str) {
        if let Err(e) = self.try_has_error_with_hint(path, message, hint) {
            panic!("{e}");
        }
    }

    /// Like [`Annotations::has_error_with_hint`], returning the failure instead of panicking.
    pub fn try_has_error_with_hint(
        &self,
        path: &str,
        message: &str,
        hint: &str,
    ) -> Result<(), AssertionError> {
        self.expect(Severity::Error, path, message, Some(hint))
    }

    /// Asserts that there is a warning at `path` (`"*"` for any) whose message contains
    /// `message`.
    #[track_caller]
    pub fn has_warning(&self, path: &str, message: &str) {
        if let Err(e) = self.try_has_warning(path, message) {
            panic!("{e}");
        }
    }

    /// Like [`Annotations::has_warning`], returning the failure instead of panicking.
    pub fn try_has_warning(&self, path: &str, message: &str) -> Result<(), AssertionError> {
        self.expect(Severity::Warning, path, message, None)
    }

    /// Asserts that no error at `path` (`"*"` for any) has a message containing `message`
    /// (`""`: no error at that path at all).
    #[track_caller]
    pub fn has_no_error(&self, path: &str, message: &str) {
        if let Err(e) = self.try_has_no_error(path, message) {
            panic!("{e}");
        }
    }

    /// Like [`Annotations::has_no_error`], returning the failure instead of panicking.
    pub fn try_has_no_error(&self, path: &str, message: &str) -> Result<(), AssertionError> {
        self.expect_none(Severity::Error, path, message)
    }

    /// Asserts that no warning at `path` (`"*"` for any) has a message containing `message`.
    #[track_caller]
    pub fn has_no_warning(&self, path: &str, message: &str) {
        if let Err(e) = self.try_has_no_warning(path, message) {
            panic!("{e}");
        }
    }

    /// Like [`Annotations::has_no_warning`], returning the failure instead of panicking.
    pub fn try_has_no_warning(&self, path: &str, message: &str) -> Result<(), AssertionError> {
        self.expect_none(Severity::Warning, path, message)
    }

    /// Asserts that the app has no error at all.
    #[track_caller]
    pub fn has_no_errors(&self) {
        if let Err(e) = self.try_has_no_errors() {
            panic!("{e}");
        }
    }

    /// Like [`Annotations::has_no_errors`], returning the failure instead of panicking.
    pub fn try_has_no_errors(&self) -> Result<(), AssertionError> {
        self.expect_none(Severity::Error, "*", "")
    }

    fn of(&self, severity: Severity) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics
            .iter()
            .filter(move |d| d.severity == severity)
    }

    fn find(&self, severity: Severity, path: &str, message: &str) -> Vec<&Diagnostic> {
        self.of(severity)
            .filter(|d| (path == "*" || d.path == path) && d.message.contains(message))
            .collect()
    }

    /// Fails listing the closest candidates: the diagnostics of the same severity at that path
    /// (the check may have another code than the test thinks), then those of that code
    /// elsewhere (the check may fire at another construct); every one of that severity when
    /// neither exists.
    fn expect_code(&self, path: &str, code: Code) -> Result<(), AssertionError> {
        if !self.find_code(path, code).is_empty() {
            return Ok(());
        }
        let severity = code.severity();
        let noun = noun(severity);
        let head = format!(
            "no {noun}{} has code {} ({})",
            place(path),
            code.id(),
            code.summary()
        );
        let here: Vec<&Diagnostic> = if path == "*" {
            Vec::new()
        } else {
            self.of(severity).filter(|d| d.path == path).collect()
        };
        let elsewhere = self.find_code("*", code);
        let mut parts = Vec::new();
        if !here.is_empty() {
            parts.push(format!("the {noun}s at {path} are:\n{}", lines(&here)));
        }
        if !elsewhere.is_empty() {
            parts.push(format!(
                "{} is reported at other paths:\n{}",
                code.id(),
                lines(&elsewhere)
            ));
        }
        if parts.is_empty() {
            parts.push(self.listing(severity));
        }
        Err(AssertionError::new(format!("{head}; {}", parts.join("; "))))
    }

    fn expect(
        &self,
        severity: Severity,
        path: &str,
        message: &str,
        hint: Option<&str>,
    ) -> Result<(), AssertionError> {
        let found = self
            .find(severity, path, message)
            .into_iter()
            .any(|d| hint.is_none_or(|h| d.hint.as_deref().is_some_and(|dh| dh.contains(h))));
        if found {
            return Ok(());
        }
        let noun = noun(severity);
        let place = if path == "*" {
            String::new()
        } else {
            format!(" at {path}")
        };
        let with_hint = hint.map_or_else(String::new, |h| format!(" with a hint containing {h:?}"));
        Err(AssertionError::new(format!(
            "no {noun}{place} has a message containing {message:?}{with_hint}; {}",
            self.listing(severity)
        )))
    }

    fn expect_none(
        &self,
        severity: Severity,
        path: &str,
        message: &str,
    ) -> Result<(), AssertionError> {
        let found = self.find(severity, path, message);
        if found.is_empty() {
            return Ok(());
        }
        let noun = noun(severity);
        let place = if path == "*" {
            String::new()
        } else {
            format!(" at {path}")
        };
        let what = if message.is_empty() {
            String::new()
        } else {
            format!(" with a message containing {message:?}")
        };
        Err(AssertionError::new(format!(
            "expected no {noun}{place}{what}, found {}:\n{}",
            found.len(),
            lines(&found)
        )))
    }

    /// Every diagnostic of `severity`, one a line, or a sentence saying there is none.
    fn listing(&self, severity: Severity) -> String {
        let all: Vec<&Diagnostic> = self.of(severity).collect();
        if all.is_empty() {
            format!("the app has no {}s", noun(severity))
        } else {
            format!("the {}s are:\n{}", noun(severity), lines(&all))
        }
    }
}

/// `" at path"`, or nothing for `"*"`.
fn place(path: &str) -> String {
    if path == "*" {
        String::new()
    } else {
        format!(" at {path}")
    }
}

fn noun(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// `  path: [CODE] message (hint: ...)`, one a line.
fn lines(diagnostics: &[&Diagnostic]) -> String {
    diagnostics
        .iter()
        .map(|d| {
            let path = if d.path.is_empty() { "(app)" } else { &d.path };
            let hint = d
                .hint
                .as_ref()
                .map_or_else(String::new, |h| format!(" (hint: {h})"));
            format!("  {path}: [{}] {}{hint}", d.code.id(), d.message)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resource::RawResource;
    use crate::stack::StackProps;

    const BAD_NAME: ErrorCode = ErrorCode::new("TEST-001", "a name is invalid");
    const TOO_LONG: ErrorCode = ErrorCode::new("TEST-002", "a retention is too long");
    const UNENCRYPTED: WarningCode = WarningCode::new("TEST-003", "a queue is not encrypted");
    const NEVER: ErrorCode = ErrorCode::new("TEST-004", "a check nothing reports");

    fn sample() -> Annotations {
        Annotations::from_diagnostics([
            Diagnostic::error(BAD_NAME, "S/Bucket", "bucket name \"A\" is invalid")
                .with_hint("use \"a\""),
            Diagnostic::error(TOO_LONG, "S/Queue", "retention of 15 days is too long"),
            Diagnostic::warning(UNENCRYPTED, "S/Queue", "the queue is not encrypted"),
            Diagnostic::error(BAD_NAME, "", "app name \"X\" is invalid"),
        ])
    }

    #[test]
    fn selects_by_code_and_path() {
        let a = sample();
        a.has_error_code("S/Bucket", BAD_NAME);
        a.has_error_code("", BAD_NAME);
        a.has_error_code("*", TOO_LONG);
        a.has_warning_code("S/Queue", UNENCRYPTED);
        a.has_no_code("S/Queue", BAD_NAME);
        a.has_no_code("*", NEVER);
        assert_eq!(a.find_code("*", BAD_NAME).len(), 2);
        assert!(a.find_code("S", BAD_NAME).is_empty());
        let e = a.try_has_no_code("*", TOO_LONG).unwrap_err();
        assert_eq!(
            e.to_string(),
            "expected no error TEST-002, found 1:\n  S/Queue: [TEST-002] retention of 15 days is too long"
        );
    }

    #[test]
    fn a_missing_code_lists_the_closest_candidates() {
        // Another error at the same path, and the code at another path.
        let e = sample()
            .try_has_error_code("S/Queue", BAD_NAME)
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "no error at S/Queue has code TEST-001 (a name is invalid); the errors at S/Queue are:\n  \
             S/Queue: [TEST-002] retention of 15 days is too long; \
             TEST-001 is reported at other paths:\n  \
             S/Bucket: [TEST-001] bucket name \"A\" is invalid (hint: use \"a\")\n  \
             (app): [TEST-001] app name \"X\" is invalid"
        );
        // Neither: every error is listed.
        let e = sample().try_has_error_code("S/Other", NEVER).unwrap_err();
        assert!(
            e.to_string().starts_with(
                "no error at S/Other has code TEST-004 (a check nothing reports); the errors are:\n"
            ),
            "{e}"
        );
        let e = Annotations::default()
            .try_has_warning_code("*", UNENCRYPTED)
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "no warning has code TEST-003 (a queue is not encrypted); the app has no warnings"
        );
    }

    #[test]
    fn selects_by_exact_path_or_any_and_by_message_substring() {
        let a = sample();
        assert_eq!(a.errors().len(), 3);
        assert_eq!(a.warnings().len(), 1);
        assert_eq!(a.find_errors("*", "is invalid").len(), 2);
        assert_eq!(a.find_errors("S/Bucket", "").len(), 1);
        // The path is exact: a prefix or suffix of a path selects nothing.
        assert!(a.find_errors("S", "").is_empty());
        assert!(a.find_errors("Bucket", "").is_empty());
        assert_eq!(a.find_warnings("S/Queue", "encrypted").len(), 1);
        a.has_error("S/Bucket", "bucket name");
        a.has_error("*", "15 days");
        a.has_error("", "app name");
        a.has_error_with_hint("S/Bucket", "invalid", "use");
        a.has_warning("S/Queue", "not encrypted");
        a.has_no_error("S/Queue", "encrypted");
        a.has_no_error("S/Other", "");
        a.has_no_warning("S/Bucket", "");
    }

    #[test]
    fn a_missing_error_lists_the_errors_there_are() {
        let e = sample().try_has_error("S/Bucket", "too long").unwrap_err();
        assert_eq!(
            e.to_string(),
            "no error at S/Bucket has a message containing \"too long\"; the errors are:\n  \
             S/Bucket: [TEST-001] bucket name \"A\" is invalid (hint: use \"a\")\n  \
             S/Queue: [TEST-002] retention of 15 days is too long\n  \
             (app): [TEST-001] app name \"X\" is invalid"
        );
        // An error of the right message but without the hint does not count.
        let e = sample()
            .try_has_error_with_hint("*", "15 days", "shorten")
            .unwrap_err();
        assert!(
            e.to_string()
                .starts_with("no error has a message containing \"15 days\" with a hint containing \"shorten\"; the errors are:\n"),
            "{e}"
        );
        // A warning is not an error, nor the other way round.
        assert!(sample().try_has_error("*", "not encrypted").is_err());
        let e = sample().try_has_warning("*", "15 days").unwrap_err();
        assert_eq!(
            e.to_string(),
            "no warning has a message containing \"15 days\"; the warnings are:\n  \
             S/Queue: [TEST-003] the queue is not encrypted"
        );
        let e = Annotations::default().try_has_warning("*", "").unwrap_err();
        assert_eq!(
            e.to_string(),
            "no warning has a message containing \"\"; the app has no warnings"
        );
    }

    #[test]
    fn an_unexpected_error_is_listed() {
        let e = sample().try_has_no_errors().unwrap_err();
        assert_eq!(
            e.to_string(),
            "expected no error, found 3:\n  \
             S/Bucket: [TEST-001] bucket name \"A\" is invalid (hint: use \"a\")\n  \
             S/Queue: [TEST-002] retention of 15 days is too long\n  \
             (app): [TEST-001] app name \"X\" is invalid"
        );
        let e = sample().try_has_no_error("S/Queue", "days").unwrap_err();
        assert_eq!(
            e.to_string(),
            "expected no error at S/Queue with a message containing \"days\", found 1:\n  \
             S/Queue: [TEST-002] retention of 15 days is too long"
        );
        assert!(sample().try_has_no_warning("*", "").is_err());
    }

    #[test]
    fn from_app_keeps_warnings_of_an_app_that_synthesizes_and_everything_of_one_that_fails() {
        let app = App::new("t");
        let stack = app.stack("S", StackProps::default());
        stack.add(
            "Topic",
            RawResource::new("AWS::SNS::Topic", serde_json::json!({})),
        );
        stack.add_child("Quiet").warning(UNENCRYPTED, "careful");
        let a = Annotations::from_app(&app);
        a.has_no_errors();
        a.has_warning("S/Quiet", "careful");

        stack.add_child("Loud").error(TOO_LONG, "broken");
        let a = Annotations::from_app(&app);
        a.has_error("S/Loud", "broken");
        a.has_warning("S/Quiet", "careful");
        let panic = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| a.has_no_errors()))
            .unwrap_err();
        assert_eq!(
            panic.downcast_ref::<String>().map(String::as_str),
            Some("expected no error, found 1:\n  S/Loud: [TEST-002] broken")
        );
    }
}
