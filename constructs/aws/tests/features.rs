//! The cargo features mirror the modules: each module is compiled only under its own feature,
//! and that feature enables exactly what the module's code names, the `cirrus-cfn` services
//! (`cirrus_cfn::<service>`) and the other modules (`crate::<module>`). A missing entry breaks
//! an app that enables the feature alone (`scripts/check-features` compiles each one); an
//! entry the code no longer uses makes every app that enables it compile L1 types for nothing.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// `[features]` of a Cargo.toml: name -> entries, in the simple form this workspace writes
/// (`name = ["a", "b"]`, possibly over several lines).
fn features(manifest: &str) -> BTreeMap<String, Vec<String>> {
    let mut out = BTreeMap::new();
    let mut in_section = false;
    let mut pending: Option<(String, String)> = None;
    for line in manifest.lines() {
        let line = line.trim();
        if let Some((name, mut text)) = pending.take() {
            text.push_str(line);
            if text.contains(']') {
                out.insert(name, entries(&text));
            } else {
                pending = Some((name, text));
            }
            continue;
        }
        if line.starts_with('[') {
            in_section = line == "[features]";
            continue;
        }
        if !in_section || line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (name, value) = line
            .split_once('=')
            .unwrap_or_else(|| panic!("unexpected line in [features]: {line}"));
        let (name, value) = (name.trim().to_owned(), value.trim().to_owned());
        if value.contains(']') {
            out.insert(name, entries(&value));
        } else {
            pending = Some((name, value));
        }
    }
    assert!(pending.is_none(), "unterminated feature list");
    out
}

/// The quoted strings of a TOML array.
fn entries(array: &str) -> Vec<String> {
    array
        .split('"')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

/// Every `.rs` file of a module (`src/<module>.rs` or `src/<module>/**`).
fn module_files(src: &Path, module: &str) -> Vec<PathBuf> {
    let file = src.join(format!("{module}.rs"));
    if file.is_file() {
        return vec![file];
    }
    let mut out = Vec::new();
    let mut dirs = vec![src.join(module)];
    while let Some(dir) = dirs.pop() {
        for entry in fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The first path segments after `prefix` (`cirrus_cfn::`, `crate::`) in code, comments
/// excluded (a doc link to another module is not a dependency), including the grouped form
/// `prefix{a, b::C}`.
fn names_after(code: &str, prefix: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for line in code.lines() {
        let line = line.split("//").next().unwrap_or_default();
        let mut rest = line;
        while let Some(at) = rest.find(prefix) {
            rest = &rest[at + prefix.len()..];
            if let Some(group) = rest.strip_prefix('{') {
                let end = group.find('}').unwrap_or(group.len());
                for item in group[..end].split(',') {
                    let segment = item.trim().split("::").next().unwrap_or_default();
                    if !segment.is_empty() {
                        out.insert(segment.to_owned());
                    }
                }
            } else {
                let segment: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if !segment.is_empty() {
                    out.insert(segment);
                }
            }
        }
    }
    out
}

/// Public modules of every build, with no feature of their own: the prelude, whose lines carry
/// the `cfg` of the module they name, and the registry of diagnostic codes, constants only,
/// which every module uses.
const ALWAYS: &[&str] = &["prelude", "codes"];

/// The modules `lib.rs` declares behind a feature, each with the feature on its `cfg` line
/// (`None` if it has none); the modules in [`ALWAYS`] are left out.
fn modules(lib: &str) -> Vec<(String, Option<String>)> {
    let mut out = Vec::new();
    let mut cfg = None;
    for line in lib.lines().map(str::trim) {
        if let Some(feature) = line
            .strip_prefix("#[cfg(feature = \"")
            .and_then(|l| l.strip_suffix("\")]"))
        {
            cfg = Some(feature.to_owned());
        } else if let Some(module) = line
            .strip_prefix("pub mod ")
            .and_then(|l| l.strip_suffix(';'))
        {
            let cfg = cfg.take();
            if !ALWAYS.contains(&module) {
                out.push((module.to_owned(), cfg));
            }
        } else if !line.is_empty() {
            cfg = None;
        }
    }
    out
}

/// What enabling `feature` enables: the features reached and the `cirrus-cfn` services.
fn closure(
    features: &BTreeMap<String, Vec<String>>,
    feature: &str,
) -> (BTreeSet<String>, BTreeSet<String>) {
    let mut reached = BTreeSet::new();
    let mut services = BTreeSet::new();
    let mut todo = vec![feature.to_owned()];
    while let Some(f) = todo.pop() {
        if !reached.insert(f.clone()) {
            continue;
        }
        for entry in features.get(&f).into_iter().flatten() {
            match entry.strip_prefix("cirrus-cfn/") {
                Some(service) => {
                    services.insert(service.to_owned());
                }
                None => todo.push(entry.clone()),
            }
        }
    }
    (reached, services)
}

/// Checks the crate at `root` (its Cargo.toml, src/lib.rs and modules) against the `cirrus-cfn`
/// features `cfn_features`; returns every problem found.
fn problems(root: &Path, cfn_features: &BTreeSet<String>) -> Vec<String> {
    let features = features(&fs::read_to_string(root.join("Cargo.toml")).unwrap());
    let lib = fs::read_to_string(root.join("src/lib.rs")).unwrap();
    let modules = modules(&lib);
    let names: BTreeSet<String> = modules.iter().map(|(m, _)| m.clone()).collect();
    let mut problems = Vec::new();

    let full: BTreeSet<String> = features
        .get("full")
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .collect();
    if full != names {
        problems.push(format!(
            "feature `full` should list every module: {names:?}, has {full:?}"
        ));
    }
    for (module, cfg) in &modules {
        if cfg.as_deref() != Some(module.as_str()) {
            problems.push(format!(
                "src/lib.rs: `pub mod {module};` needs `#[cfg(feature = \"{module}\")]` above it, has {cfg:?}"
            ));
        }
        let Some(own) = features.get(module) else {
            problems.push(format!("Cargo.toml: no feature `{module}` for the module"));
            continue;
        };
        let mut code = String::new();
        for file in module_files(&root.join("src"), module) {
            code.push_str(&fs::read_to_string(file).unwrap());
            code.push('\n');
        }
        let used_services: BTreeSet<String> = names_after(&code, "cirrus_cfn::")
            .into_iter()
            .filter(|s| cfn_features.contains(s))
            .collect();
        let used_modules: BTreeSet<String> = names_after(&code, "crate::")
            .into_iter()
            .filter(|m| m != module && names.contains(m))
            .collect();
        let (reached, services) = closure(&features, module);
        for service in &used_services {
            if !services.contains(service) {
                problems.push(format!(
                    "feature `{module}` must enable \"cirrus-cfn/{service}\": the module uses cirrus_cfn::{service}"
                ));
            }
        }
        for other in &used_modules {
            if !reached.contains(other) {
                problems.push(format!(
                    "feature `{module}` must enable \"{other}\": the module uses crate::{other}"
                ));
            }
        }
        for entry in own {
            let used = match (
                entry.strip_prefix("cirrus-cfn/"),
                entry.strip_prefix("dep:"),
            ) {
                (Some(service), _) => used_services.contains(service),
                // An optional dependency only this module needs (`dep:cirrus-k8s`).
                (None, Some(krate)) => code.contains(&format!("{}::", krate.replace('-', "_"))),
                (None, None) => used_modules.contains(entry),
            };
            if !used {
                problems.push(format!(
                    "feature `{module}` enables \"{entry}\", which the module's code does not use: remove it"
                ));
            }
        }
    }
    problems
}

fn crate_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn cfn_features() -> BTreeSet<String> {
    let manifest = fs::read_to_string(crate_root().join("../cfn/Cargo.toml")).unwrap();
    features(&manifest)
        .into_keys()
        .filter(|f| f != "full")
        .collect()
}

#[test]
fn each_feature_enables_what_its_module_uses_and_nothing_else() {
    let problems = problems(&crate_root(), &cfn_features());
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn s3_alone_compiles_only_the_s3_iam_and_kms_types() {
    let manifest = fs::read_to_string(crate_root().join("Cargo.toml")).unwrap();
    let (reached, services) = closure(&features(&manifest), "s3");
    assert_eq!(
        reached,
        BTreeSet::from(["iam", "kms", "s3"].map(String::from))
    );
    assert_eq!(
        services,
        BTreeSet::from(["iam", "kms", "s3"].map(String::from))
    );
}

/// The check itself finds each kind of mistake, on a crate written for the purpose.
#[test]
fn the_check_reports_missing_unused_and_ungated() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    fs::create_dir_all(root.join("src/bucket")).unwrap();
    fs::write(
        root.join("Cargo.toml"),
        "[package]\nname = \"x\"\n\n[features]\nfull = [\"bucket\", \"key\"]\n\
         bucket = [\n    \"cirrus-cfn/s3\",\n    \"cirrus-cfn/sqs\",\n]\nkey = [\"cirrus-cfn/kms\"]\n\n[lints]\n",
    )
    .unwrap();
    fs::write(
        root.join("src/lib.rs"),
        "#[cfg(feature = \"bucket\")]\npub mod bucket;\npub mod key;\n",
    )
    .unwrap();
    fs::write(
        root.join("src/bucket/mod.rs"),
        "//! See [`crate::role`].\nuse cirrus_cfn::{s3, iam::CfnRole};\nuse crate::key::Key;\n",
    )
    .unwrap();
    fs::write(root.join("src/key.rs"), "use cirrus_cfn::kms;\n").unwrap();
    let cfn: BTreeSet<String> = ["iam", "kms", "s3", "sqs"].map(String::from).into();
    let problems = problems(root, &cfn);
    assert_eq!(
        problems,
        [
            "feature `bucket` must enable \"cirrus-cfn/iam\": the module uses cirrus_cfn::iam",
            "feature `bucket` must enable \"key\": the module uses crate::key",
            "feature `bucket` enables \"cirrus-cfn/sqs\", which the module's code does not use: remove it",
            "src/lib.rs: `pub mod key;` needs `#[cfg(feature = \"key\")]` above it, has None",
        ]
    );
}
