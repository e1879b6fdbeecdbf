//! Every construct fixture passes cfn-lint (no errors, no warnings) and checkov (no failed
//! check outside the `constructs` entries of `checkov-skips.txt`). One call of each scanner
//! for all fixtures: their start-up costs seconds.

mod fixtures;

use std::path::{Path, PathBuf};

use cirrus_core::App;

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
    let Some(cfn_lint) = cirrus_scan::tool("CIRRUS_CFN_LINT") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let files = write_fixtures(dir.path());
    if let Err(e) = cirrus_scan::cfn_lint(&cfn_lint, &files) {
        panic!("{e}");
    }
}

#[test]
fn checkov_finds_nothing_outside_the_skip_list() {
    let Some(checkov) = cirrus_scan::tool("CIRRUS_CHECKOV") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    write_fixtures(dir.path());
    let skips = cirrus_scan::workspace_skips().unwrap();
    match cirrus_scan::checkov(&checkov, dir.path(), &skips, "constructs") {
        Ok(passed) => assert!(passed > 0, "checkov checked nothing"),
        Err(e) => panic!("{e}"),
    }
}
