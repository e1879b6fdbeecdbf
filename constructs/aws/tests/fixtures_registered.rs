//! Every fixture function is registered: a fixture that is written but missing from its
//! module's list would silently escape the snapshot and scanner tests (the fixtures module has
//! to allow dead code, since several test binaries use only its helpers).

use std::path::Path;

#[test]
fn every_fixture_function_is_in_its_modules_list() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let source = std::fs::read_to_string(&path).unwrap();
        for line in source.lines() {
            // Fixture builders are private functions taking the app: `fn name(app: &App) {`.
            let Some(rest) = line.strip_prefix("fn ") else {
                continue;
            };
            let Some((name, args)) = rest.split_once('(') else {
                continue;
            };
            if !args.starts_with("app: &App)") {
                continue;
            }
            let registered = source.contains(&format!("build: {name},"))
                || source.contains(&format!("build: {name} }}"))
                || source.contains(&format!("build: {name}}}"));
            if !registered {
                missing.push(format!(
                    "{}: {name}",
                    path.file_name().unwrap().to_string_lossy()
                ));
            }
        }
    }
    missing.sort();
    assert!(
        missing.is_empty(),
        "fixture functions not in their module's list:\n{}",
        missing.join("\n")
    );
}
