//! Problems found while building or synthesizing an app.
//!
//! Creating a construct never fails and never panics: a problem is recorded here, tagged with the
//! construct path, and synthesis reports every problem of the app at once, the way a compiler
//! reports all its errors rather than the first.

use std::fmt;

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Synthesis still succeeds; the message is printed.
    Warning,
    /// Synthesis fails with exit code 1 and writes nothing.
    Error,
}

/// The stable identity of one check: an id such as `S3-001` and a one-line summary.
///
/// Users and tests match a diagnostic by its code, never by its wording, so a message can be
/// reworded without breaking anyone. An id is an area prefix (upper-case letters and digits:
/// `CORE`, `S3`, `IAM`, ...), a hyphen and three digits, and never changes once published: a
/// check that goes away leaves its id unused rather than handing it to another check. Each
/// crate lists its codes in one registry module (`cirrus_core::codes`, `cirrus_aws::codes`),
/// declared with [`codes!`](crate::codes!), and `docs/diagnostics.md` is generated from them.
///
/// Every code has a fixed severity, enforced by the type a check reports it with:
/// [`ErrorCode`] for [`Node::error`](crate::Node::error), [`WarningCode`] for
/// [`Node::warning`](crate::Node::warning). Whether an app may acknowledge a diagnostic of
/// this code ([`Node::acknowledge`](crate::Node::acknowledge)) is part of the code too: every
/// warning may be, an error only when its check is a secure default the app may opt out of
/// (never a structural error such as a missing property or a cycle).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Code {
    id: &'static str,
    summary: &'static str,
    severity: Severity,
    acknowledgeable: bool,
}

impl Code {
    /// The id, `S3-001`.
    pub const fn id(&self) -> &'static str {
        self.id
    }

    /// What the check is about, in one line.
    pub const fn summary(&self) -> &'static str {
        self.summary
    }

    /// The severity every diagnostic of this code has.
    pub const fn severity(&self) -> Severity {
        self.severity
    }

    /// Whether an app may acknowledge a diagnostic of this code.
    pub const fn acknowledgeable(&self) -> bool {
        self.acknowledgeable
    }

    /// Why `id` is not a well-formed code id (an area prefix of upper-case letters and digits
    /// starting with a letter, a hyphen, three digits), or `None` when it is.
    pub fn id_problem(id: &str) -> Option<String> {
        let Some((area, number)) = id.split_once('-') else {
            return Some(format!("code \"{id}\" has no '-' between area and number"));
        };
        if !area.starts_with(|c: char| c.is_ascii_uppercase())
            || !area
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        {
            return Some(format!(
                "code \"{id}\": the area \"{area}\" must be upper-case letters and digits, starting with a letter"
            ));
        }
        if number.len() != 3 || !number.chars().all(|c| c.is_ascii_digit()) || number == "000" {
            return Some(format!(
                "code \"{id}\": the number \"{number}\" must be three digits, from 001"
            ));
        }
        None
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id)
    }
}

/// The code of a check that reports errors. See [`Code`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ErrorCode(Code);

impl ErrorCode {
    /// An error code that cannot be acknowledged: the app must be fixed.
    pub const fn new(id: &'static str, summary: &'static str) -> ErrorCode {
        ErrorCode(Code {
            id,
            summary,
            severity: Severity::Error,
            acknowledgeable: false,
        })
    }

    /// Lets an app acknowledge errors of this code with a reason: only for secure-default
    /// checks that a deliberate design may opt out of, and for checks against a pinned table
    /// that a name newer than the table (a region opened since) may outgrow.
    #[must_use]
    pub const fn acknowledgeable(self) -> ErrorCode {
        let mut code = self.0;
        code.acknowledgeable = true;
        ErrorCode(code)
    }

    /// The code, without its severity in the type.
    pub const fn code(self) -> Code {
        self.0
    }
}

/// The code of a check that reports warnings. See [`Code`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct WarningCode(Code);

impl WarningCode {
    /// A warning code; apps may acknowledge its warnings.
    pub const fn new(id: &'static str, summary: &'static str) -> WarningCode {
        WarningCode(Code {
            id,
            summary,
            severity: Severity::Warning,
            acknowledgeable: true,
        })
    }

    /// A warning that cannot be acknowledged (the warnings about acknowledgements themselves).
    #[must_use]
    pub const fn not_acknowledgeable(self) -> WarningCode {
        let mut code = self.0;
        code.acknowledgeable = false;
        WarningCode(code)
    }

    /// The code, without its severity in the type.
    pub const fn code(self) -> Code {
        self.0
    }
}

impl From<ErrorCode> for Code {
    fn from(code: ErrorCode) -> Code {
        code.0
    }
}

impl From<WarningCode> for Code {
    fn from(code: WarningCode) -> Code {
        code.0
    }
}

impl PartialEq<ErrorCode> for Code {
    fn eq(&self, other: &ErrorCode) -> bool {
        *self == other.0
    }
}

impl PartialEq<WarningCode> for Code {
    fn eq(&self, other: &WarningCode) -> bool {
        *self == other.0
    }
}

/// Why a list of codes is not a valid registry: ids malformed or given twice. Each crate's
/// registry test calls this on its `ALL`, and so can a crate of the app's own constructs.
pub fn registry_problems(codes: &[Code]) -> Vec<String> {
    let mut problems: Vec<String> = codes
        .iter()
        .filter_map(|c| Code::id_problem(c.id))
        .collect();
    let mut seen = std::collections::BTreeMap::new();
    for code in codes {
        if let Some(first) = seen.insert(code.id, code.summary) {
            problems.push(format!(
                "code {} is given twice: \"{first}\" and \"{}\"",
                code.id, code.summary
            ));
        }
        if code.summary.is_empty() || code.summary.ends_with('.') {
            problems.push(format!(
                "code {}: the summary must be one line, without a trailing period",
                code.id
            ));
        }
        if code.summary.contains('\n') {
            problems.push(format!("code {}: the summary must be one line", code.id));
        }
    }
    problems
}

/// Declares a registry of diagnostic codes: one documented `pub const` per code, and `ALL`,
/// every code in declaration order (for the registry test), and `NAMED`, the same with each
/// constant's name (for `docs/diagnostics.md`).
///
/// ```
/// mod codes {
///     cirrus_core::codes! {
///         /// Further detail for rustdoc, after the generated first line.
///         NAME_TOO_LONG = error("APP-001", "the name is longer than 64 characters");
///         PUBLIC_BUCKET = error("APP-002", "the bucket is public", acknowledgeable);
///         SLOW_QUEUE = warning("APP-003", "the queue keeps messages longer than a day");
///     }
/// }
/// assert_eq!(codes::NAME_TOO_LONG.code().id(), "APP-001");
/// assert!(codes::PUBLIC_BUCKET.code().acknowledgeable());
/// assert_eq!(codes::ALL.len(), 3);
/// assert!(cirrus_core::registry_problems(codes::ALL).is_empty());
/// ```
#[macro_export]
macro_rules! codes {
    ($($(#[$meta:meta])* $name:ident = $kind:ident($id:literal, $summary:literal $(, $flag:ident)?);)*) => {
        $($crate::codes!(@one [$(#[$meta])*] $name $kind $id $summary $($flag)?);)*
        /// Every code of this registry, in declaration order.
        pub const ALL: &[$crate::Code] = &[$($name.code()),*];
        /// Every code of this registry with the name of its constant, in declaration order.
        pub const NAMED: &[(&str, $crate::Code)] = &[$((stringify!($name), $name.code())),*];
    };
    (@one [$($meta:tt)*] $name:ident error $id:literal $summary:literal) => {
        #[doc = concat!("`", $id, "` (error): ", $summary, ".")]
        #[doc = ""]
        $($meta)*
        pub const $name: $crate::ErrorCode = $crate::ErrorCode::new($id, $summary);
    };
    (@one [$($meta:tt)*] $name:ident error $id:literal $summary:literal acknowledgeable) => {
        #[doc = concat!("`", $id, "` (error, acknowledgeable): ", $summary, ".")]
        #[doc = ""]
        $($meta)*
        pub const $name: $crate::ErrorCode = $crate::ErrorCode::new($id, $summary).acknowledgeable();
    };
    (@one [$($meta:tt)*] $name:ident warning $id:literal $summary:literal) => {
        #[doc = concat!("`", $id, "` (warning): ", $summary, ".")]
        #[doc = ""]
        $($meta)*
        pub const $name: $crate::WarningCode = $crate::WarningCode::new($id, $summary);
    };
    (@one [$($meta:tt)*] $name:ident warning $id:literal $summary:literal not_acknowledgeable) => {
        #[doc = concat!("`", $id, "` (warning, not acknowledgeable): ", $summary, ".")]
        #[doc = ""]
        $($meta)*
        pub const $name: $crate::WarningCode = $crate::WarningCode::new($id, $summary).not_acknowledgeable();
    };
}

/// One problem, tied to the construct it concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Which check this is: match on it rather than on the message.
    pub code: Code,
    /// Error or warning (always the code's severity).
    pub severity: Severity,
    /// The construct path (`Stack/Bucket/Resource`), empty for the app itself.
    pub path: String,
    /// What is wrong: lowercase, no trailing period.
    pub message: String,
    /// How to fix it, when there is something useful to say.
    pub hint: Option<String>,
}

impl Diagnostic {
    /// An error of check `code` at `path`.
    pub fn error(code: ErrorCode, path: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            code: code.0,
            severity: Severity::Error,
            path: path.into(),
            message: message.into(),
            hint: None,
        }
    }

    /// A warning of check `code` at `path`.
    pub fn warning(code: WarningCode, path: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            code: code.0,
            severity: Severity::Warning,
            path: path.into(),
            message: message.into(),
            hint: None,
        }
    }

    /// Adds a hint on how to fix the problem.
    #[must_use]
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// True for errors.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{label}[{}]: {}", self.code.id, self.message)?;
        if !self.path.is_empty() {
            write!(f, "\n  --> {}", self.path)?;
        }
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

/// The problems of one app, errors and warnings, in the order they were found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// Records a diagnostic.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    /// Records an error of check `code` at `path`.
    pub fn error(&mut self, code: ErrorCode, path: impl Into<String>, message: impl Into<String>) {
        self.push(Diagnostic::error(code, path, message));
    }

    /// Records every diagnostic of `other`.
    pub fn extend(&mut self, other: impl IntoIterator<Item = Diagnostic>) {
        self.items.extend(other);
    }

    /// True when at least one diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(Diagnostic::is_error)
    }

    /// All diagnostics.
    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }

    /// The errors only.
    pub fn errors(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter().filter(|d| d.is_error())
    }

    /// The warnings only.
    pub fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter().filter(|d| !d.is_error())
    }

    /// Number of diagnostics.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Keeps only the diagnostics for which `keep` is true.
    pub(crate) fn retain(&mut self, keep: impl FnMut(&Diagnostic) -> bool) {
        self.items.retain(keep);
    }

    /// Sorts errors first, then by path, keeping the discovery order otherwise; makes the
    /// printed report stable however the synthesis passes are ordered.
    pub(crate) fn sort(&mut self) {
        self.items.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then_with(|| a.path.cmp(&b.path))
        });
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

impl<'a> IntoIterator for &'a Diagnostics {
    type Item = &'a Diagnostic;
    type IntoIter = std::slice::Iter<'a, Diagnostic>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

/// Synthesis failed: the app has at least one error. Holds every diagnostic, warnings included.
#[derive(Debug, Clone, thiserror::Error)]
#[error("synthesis failed with {} error(s)", .diagnostics.errors().count())]
pub struct SynthError {
    /// Every diagnostic of the app.
    pub diagnostics: Diagnostics,
}

#[cfg(test)]
mod tests {
    use super::{Code, ErrorCode, WarningCode, registry_problems};

    #[test]
    fn code_ids_are_an_area_a_hyphen_and_three_digits() {
        for good in ["S3-001", "CORE-042", "EC2-999", "ROUTE53-010"] {
            assert_eq!(Code::id_problem(good), None, "{good}");
        }
        for bad in [
            "S3001", "s3-001", "3S-001", "S3-01", "S3-0001", "S3-000", "S 3-001", "-001",
        ] {
            assert!(Code::id_problem(bad).is_some(), "{bad} should be refused");
        }
    }

    #[test]
    fn a_registry_with_a_repeated_or_malformed_id_is_refused() {
        let codes = [
            ErrorCode::new("APP-001", "one").code(),
            WarningCode::new("APP-001", "two").code(),
            ErrorCode::new("app-2", "three").code(),
            ErrorCode::new("APP-003", "ends with a period.").code(),
        ];
        let problems = registry_problems(&codes);
        assert_eq!(
            problems,
            [
                "code \"app-2\": the area \"app\" must be upper-case letters and digits, starting with a letter",
                "code APP-001 is given twice: \"one\" and \"two\"",
                "code APP-003: the summary must be one line, without a trailing period",
            ]
        );
        assert!(registry_problems(&codes[..1]).is_empty());
    }

    #[test]
    fn the_type_of_a_code_fixes_its_severity_and_acknowledgeability() {
        let error = ErrorCode::new("APP-001", "an error").code();
        assert_eq!(error.severity(), super::Severity::Error);
        assert!(!error.acknowledgeable());
        assert!(
            ErrorCode::new("APP-002", "a secure default")
                .acknowledgeable()
                .code()
                .acknowledgeable()
        );
        let warning = WarningCode::new("APP-003", "a warning").code();
        assert_eq!(warning.severity(), super::Severity::Warning);
        assert!(warning.acknowledgeable());
        assert!(
            !WarningCode::new("APP-004", "fixed")
                .not_acknowledgeable()
                .code()
                .acknowledgeable()
        );
    }
}
