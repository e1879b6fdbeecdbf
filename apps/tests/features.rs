//! The apps enable exactly the `cirrus-aws` modules and `cirrus-cfn` services their code uses:
//! a feature missing fails to compile anyway, one too many compiles L1 types for nothing.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

/// The `features` of the dependency `name` in a Cargo.toml written the way this one is
/// (`name = { ..., features = [...] }`, possibly over several lines).
fn enabled(manifest: &str, name: &str) -> BTreeSet<String> {
    let start = manifest
        .find(&format!("\n{name} = {{"))
        .unwrap_or_else(|| panic!("no dependency `{name}` in apps/Cargo.toml"));
    let rest = &manifest[start..];
    let end = rest
        .find("] }")
        .unwrap_or_else(|| panic!("`{name}` has no features list"));
    let list = &rest[rest.find("features = [").expect("features list")..end];
    list.split('"')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

/// The first segments after `prefix` (`cirrus_aws::`) in code, comments excluded, including
/// the grouped form `prefix{a, b::C}`.
fn used(code: &str, prefix: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for line in code.lines() {
        let mut rest = line.split("//").next().unwrap_or_default();
        while let Some(at) = rest.find(prefix) {
            rest = &rest[at + prefix.len()..];
            let items = match rest.strip_prefix('{') {
                Some(group) => group[..group.find('}').unwrap_or(group.len())]
                    .split(',')
                    .map(|i| i.trim().split("::").next().unwrap_or_default().to_owned())
                    .collect(),
                None => vec![
                    rest.chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .collect::<String>(),
                ],
            };
            out.extend(items.into_iter().filter(|i| !i.is_empty()));
        }
    }
    out
}

fn sources(dir: &Path, out: &mut String) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push_str(&fs::read_to_string(&path).unwrap());
            out.push('\n');
        }
    }
}

#[test]
fn apps_enable_exactly_the_modules_and_services_they_use() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let manifest = fs::read_to_string(root.join("Cargo.toml")).unwrap();
    let mut code = String::new();
    sources(&root.join("src"), &mut code);
    // `prelude` is a module of every build, not a feature.
    let mut modules = used(&code, "cirrus_aws::");
    modules.remove("prelude");
    assert_eq!(
        enabled(&manifest, "cirrus-aws"),
        modules,
        "apps/Cargo.toml: the cirrus-aws features (left) should be the modules apps/src uses (right)"
    );
    assert_eq!(
        enabled(&manifest, "cirrus-cfn"),
        used(&code, "cirrus_cfn::"),
        "apps/Cargo.toml: the cirrus-cfn features (left) should be the services apps/src uses (right)"
    );
}
