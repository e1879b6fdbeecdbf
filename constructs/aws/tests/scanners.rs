//! Every construct fixture passes cfn-lint (no errors, no warnings) and checkov (no failed
//! checks but those skipped, with a reason, in `.checkov.yaml` at the workspace root). One call
//! of each scanner for all fixtures: their start-up costs seconds.
//!
//! The scanners come from `scripts/test` (`CIRRUS_CFN_LINT`, `CIRRUS_CHECKOV`); with
//! `CIRRUS_REQUIRE_TOOLS=1` a missing scanner fails the test.

mod fixtures;

use std::path::{Path, PathBuf};
use std::process::Command;

use cirrus_core::App;

fn tool(var: &str) -> Option<PathBuf> {
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

/// Writes every fixture's templates to `dir`, one file per stack.
fn write_fixtures(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for fixture in fixtures::all() {
        let app = App::new("fixture");
        (fixture.build)(&app);
        let out = app.synth().unwrap_or_else(|e| {
            panic!("{} does not synthesize: {:#?}", fixture.name, e.diagnostics)
        });
        for stack in &out.stacks {
            let path = dir.join(format!("{}-{}.template.json", fixture.name, stack.id));
            std::fs::write(&path, cirrus_core::synth::pretty(&stack.template)).unwrap();
            files.push(path);
        }
    }
    files
}

#[test]
fn cfn_lint_finds_nothing() {
    let Some(cfn_lint) = tool("CIRRUS_CFN_LINT") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let files = write_fixtures(dir.path());
    let out = Command::new(cfn_lint)
        .arg("-f")
        .arg("parseable")
        .args(&files)
        .output()
        .unwrap();
    let code = out.status.code().unwrap_or(-1);
    // Exit-code bits: 2 errors, 4 warnings, 8 informational (allowed).
    assert!(
        code == 0 || code == 8,
        "cfn-lint exit code {code}:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn checkov_finds_nothing_outside_the_skip_list() {
    let Some(checkov) = tool("CIRRUS_CHECKOV") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    write_fixtures(dir.path());
    let config = concat!(env!("CARGO_MANIFEST_DIR"), "/../../.checkov.yaml");
    let out = Command::new(checkov)
        .args([
            "--framework",
            "cloudformation",
            "--skip-download",
            "--quiet",
            "--compact",
            "-o",
            "cli",
        ])
        .arg("--config-file")
        .arg(config)
        .arg("-d")
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "checkov found failed checks:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
