//! The committed `synth-out/` passes checkov: no failed check outside the `apps` entries of
//! `checkov-skips.txt`. (cfn-lint runs over it in `scripts/test`.)

use std::path::Path;

#[test]
fn checkov_finds_nothing_outside_the_skip_list() {
    let Some(checkov) = cirrus_scan::tool("CIRRUS_CHECKOV") else {
        return;
    };
    let synth_out = Path::new(env!("CARGO_MANIFEST_DIR")).join("../synth-out");
    let skips = cirrus_scan::workspace_skips().unwrap();
    match cirrus_scan::checkov(&checkov, &synth_out, &skips, "apps") {
        Ok(passed) => assert!(passed > 0, "checkov checked nothing"),
        Err(e) => panic!("{e}"),
    }
}

/// The Kubernetes objects in `synth-out/` (the files of every `cirrus:kubernetes-manifest`
/// artifact of every app), copied into one folder.
fn kubernetes_files(into: &Path) -> Vec<std::path::PathBuf> {
    let synth_out = Path::new(env!("CARGO_MANIFEST_DIR")).join("../synth-out");
    let mut files = Vec::new();
    for app in std::fs::read_dir(&synth_out).unwrap() {
        let app = app.unwrap().path();
        let Ok(manifest) = std::fs::read(app.join("manifest.json")) else {
            continue;
        };
        let manifest: serde_json::Value = serde_json::from_slice(&manifest).unwrap();
        for artifact in manifest["artifacts"].as_object().unwrap().values() {
            if artifact["type"] != "cirrus:kubernetes-manifest" {
                continue;
            }
            for name in artifact["properties"]["files"].as_array().unwrap() {
                let name = name.as_str().unwrap();
                let to = into.join(name);
                std::fs::copy(app.join(name), &to).unwrap();
                files.push(to);
            }
        }
    }
    files
}

#[test]
fn kubernetes_objects_pass_kubernetes_validate_and_checkov() {
    let validate = cirrus_scan::tool("CIRRUS_KUBERNETES_VALIDATE");
    let checkov = cirrus_scan::tool("CIRRUS_CHECKOV");
    if validate.is_none() && checkov.is_none() {
        return;
    }
    // Not a hidden folder (tempdir()'s ".tmp..."): checkov skips those.
    let dir = tempfile::Builder::new()
        .prefix("cirrus-apps-k8s-")
        .tempdir()
        .unwrap();
    let files = kubernetes_files(dir.path());
    assert!(!files.is_empty(), "no Kubernetes objects in synth-out");
    if let Some(validate) = validate {
        cirrus_scan::kubernetes_validate(&validate, "1.35.0", &files)
            .unwrap_or_else(|e| panic!("{e}"));
    }
    if let Some(checkov) = checkov {
        let skips = cirrus_scan::workspace_skips().unwrap();
        match cirrus_scan::checkov_kubernetes(&checkov, dir.path(), &skips, "apps-kubernetes") {
            Ok(passed) => assert!(passed > 0, "checkov checked nothing"),
            Err(e) => panic!("{e}"),
        }
    }
}
