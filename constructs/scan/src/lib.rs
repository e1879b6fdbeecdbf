//! Test support: the template scanners (cfn-lint, checkov) as the test command installs them,
//! and the project's checkov skip list.
//!
//! Skips live in one file, `checkov-skips.txt` at the workspace root. Each names the check, the
//! scan it applies to, the resources it covers, and why it cannot pass. Unlike checkov's global
//! `--skip-check`, an entry only excuses the resources it names, and an entry that excuses
//! nothing is itself a failure, so the list cannot silently outgrow what it is for.

mod skips;

use std::path::{Path, PathBuf};
use std::process::Command;

pub use skips::{Skip, Skips};

/// Why a scan failed.
#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    /// The scanner could not be started.
    #[error("cannot run {tool}")]
    Spawn {
        /// Which scanner.
        tool: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// cfn-lint found errors or warnings.
    #[error("cfn-lint found problems (exit code {code}):\n{output}")]
    CfnLint {
        /// Its exit code.
        code: i32,
        /// What it printed.
        output: String,
    },
    /// kubernetes-validate found objects that do not match the Kubernetes schemas.
    #[error("kubernetes-validate found problems:\n{0}")]
    KubernetesValidate(String),
    /// checkov's report could not be read.
    #[error("checkov printed no report: {0}")]
    Report(String),
    /// Failed checks that no skip covers, or skips that cover nothing.
    #[error("checkov:\n{0}")]
    Checkov(String),
    /// The skip list could not be read: a missing list would excuse nothing and report every
    /// skipped check as a failure, far from the cause.
    #[error("cannot read the skip list {path}")]
    SkipListRead {
        /// Where it was looked for.
        path: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The skip list is malformed.
    #[error("checkov-skips.txt line {line}: {message}")]
    SkipList {
        /// The line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
}

/// The scanner `var` names (`CIRRUS_CFN_LINT`, `CIRRUS_CHECKOV`), or `None` to skip the test.
/// With `CIRRUS_REQUIRE_TOOLS` set (the test command sets it), a missing scanner panics: the
/// test must not pass without having scanned.
pub fn tool(var: &str) -> Option<PathBuf> {
    match std::env::var_os(var).map(PathBuf::from) {
        Some(path) if path.exists() => Some(path),
        _ if std::env::var_os("CIRRUS_REQUIRE_TOOLS").is_some() => {
            panic!("{var} does not point at the scanner; run scripts/test")
        }
        _ => {
            eprintln!("skipped: {var} is not set (scripts/test sets it)");
            None
        }
    }
}

/// Runs cfn-lint once over `files`. Errors and warnings fail; informational findings do not.
pub fn cfn_lint(cfn_lint: &Path, files: &[PathBuf]) -> Result<(), ScanError> {
    let out = Command::new(cfn_lint)
        .arg("-f")
        .arg("parseable")
        .args(files)
        .output()
        .map_err(|source| ScanError::Spawn {
            tool: "cfn-lint".into(),
            source,
        })?;
    let code = out.status.code().unwrap_or(-1);
    // Exit-code bits: 2 errors, 4 warnings, 8 informational.
    if code == 0 || code == 8 {
        Ok(())
    } else {
        Err(ScanError::CfnLint {
            code,
            output: format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ),
        })
    }
}

/// The workspace's skip list.
pub fn workspace_skips() -> Result<Skips, ScanError> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../checkov-skips.txt");
    let text = std::fs::read_to_string(path).map_err(|source| ScanError::SkipListRead {
        path: path.to_owned(),
        source,
    })?;
    Skips::parse(&text)
}

/// Runs checkov once over the templates in `dir` and checks its failures against the skips of
/// `scope`. Returns the number of passed checks.
pub fn checkov(checkov: &Path, dir: &Path, skips: &Skips, scope: &str) -> Result<usize, ScanError> {
    checkov_framework(checkov, "cloudformation", dir, skips, scope)
}

/// Runs checkov's kubernetes framework once over the Kubernetes YAML files in `dir`, like
/// [`checkov`]. The skip patterns match `<file>:<Kind>.<namespace>.<name>` (checkov's resource
/// address).
pub fn checkov_kubernetes(
    checkov: &Path,
    dir: &Path,
    skips: &Skips,
    scope: &str,
) -> Result<usize, ScanError> {
    checkov_framework(checkov, "kubernetes", dir, skips, scope)
}

/// Validates Kubernetes YAML files against the schemas of Kubernetes `version` with
/// `kubernetes-validate --strict` (unknown fields are errors). Kinds without a schema there
/// (custom resources) are reported as warnings by the tool and do not fail.
pub fn kubernetes_validate(tool: &Path, version: &str, files: &[PathBuf]) -> Result<(), ScanError> {
    let out = Command::new(tool)
        .args(["--kubernetes-version", version, "--strict", "--quiet"])
        .args(files)
        .output()
        .map_err(|source| ScanError::Spawn {
            tool: "kubernetes-validate".into(),
            source,
        })?;
    if out.status.success() {
        Ok(())
    } else {
        Err(ScanError::KubernetesValidate(format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )))
    }
}

fn checkov_framework(
    checkov: &Path,
    framework: &str,
    dir: &Path,
    skips: &Skips,
    scope: &str,
) -> Result<usize, ScanError> {
    let out = Command::new(checkov)
        .args([
            "--framework",
            framework,
            "--skip-download",
            "--quiet",
            "-o",
            "json",
            "-d",
        ])
        .arg(dir)
        .output()
        .map_err(|source| ScanError::Spawn {
            tool: "checkov".into(),
            source,
        })?;
    let report: serde_json::Value = serde_json::from_slice(&out.stdout)
        .map_err(|e| ScanError::Report(format!("{e}: {}", String::from_utf8_lossy(&out.stderr))))?;
    let summary = report
        .get("summary")
        .ok_or_else(|| ScanError::Report("no summary".into()))?;
    if summary
        .get("parsing_errors")
        .and_then(serde_json::Value::as_u64)
        .unwrap_or(0)
        > 0
    {
        return Err(ScanError::Report(format!("parsing errors: {summary}")));
    }
    let failed = report
        .pointer("/results/failed_checks")
        .and_then(serde_json::Value::as_array)
        .cloned()
        .unwrap_or_default();
    let passed = summary
        .get("passed")
        .and_then(serde_json::Value::as_u64)
        .unwrap_or(0);
    let mut problems = Vec::new();
    let mut used = vec![false; skips.entries().len()];
    for check in &failed {
        let id = check
            .get("check_id")
            .and_then(serde_json::Value::as_str)
            .unwrap_or("?");
        let resource = check
            .get("resource")
            .and_then(serde_json::Value::as_str)
            .unwrap_or("?");
        let file = check
            .get("file_path")
            .and_then(serde_json::Value::as_str)
            .unwrap_or("?");
        let name = check
            .get("check_name")
            .and_then(serde_json::Value::as_str)
            .unwrap_or("");
        let address = format!("{}:{resource}", file.trim_start_matches('/'));
        match skips.find(scope, id, &address) {
            Some(i) => used[i] = true,
            None => problems.push(format!("FAILED {id} ({name}) on {resource} in {file}")),
        }
    }
    for (skip, used) in skips.entries().iter().zip(used) {
        if skip.scope == scope && !used {
            problems.push(format!(
                "skip {} {} on {} excuses nothing: remove it from checkov-skips.txt",
                skip.scope, skip.check, skip.resource
            ));
        }
    }
    if problems.is_empty() {
        Ok(usize::try_from(passed).unwrap_or(0))
    } else {
        Err(ScanError::Checkov(problems.join("\n")))
    }
}
