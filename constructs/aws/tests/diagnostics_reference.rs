//! `docs/diagnostics.md`, the reference of every diagnostic code, is what the registries
//! (`cirrus_core::codes`, `cirrus_aws::codes`) say. Regenerate it with
//! `CIRRUS_BLESS=1 cargo test -p cirrus-aws --test diagnostics_reference`.

use std::path::PathBuf;

use cirrus_core::{Code, Severity};

const FILE: &str = "docs/diagnostics.md";

fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("the workspace root exists")
}

/// One table row per code.
fn table(out: &mut String, module: &str, codes: &[(&str, Code)]) {
    out.push_str("| Code | Severity | Acknowledgeable | Constant | Summary |\n");
    out.push_str("|---|---|---|---|---|\n");
    for (name, code) in codes {
        let severity = match code.severity() {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let ack = if code.acknowledgeable() { "yes" } else { "no" };
        out.push_str(&format!(
            "| `{}` | {severity} | {ack} | `{module}::{name}` | {} |\n",
            code.id(),
            code.summary().replace('|', "\\|")
        ));
    }
}

fn reference() -> String {
    let mut out = String::from(
        "# Diagnostic codes\n\n\
         <!-- Generated from the registries cirrus_core::codes and cirrus_aws::codes by \
         constructs/aws/tests/diagnostics_reference.rs; do not edit. Regenerate with \
         CIRRUS_BLESS=1 cargo test -p cirrus-aws --test diagnostics_reference -->\n\n\
         Every diagnostic has a stable code, printed as `error[S3-001]: ...`. A code never \
         changes once published, and a retired code is never reused. Tests match a code with \
         `Annotations::has_error_code` / `has_warning_code`; an app accepts a diagnostic with \
         `node.acknowledge(code, reason)` when the code is acknowledgeable: every warning, and \
         the errors of secure defaults a deliberate design may opt out of (see the guide, \
         \"Diagnostic codes and acknowledgements\").\n\n\
         ## CORE: construct tree, template sections and synthesis\n\n",
    );
    let core: Vec<(&str, Code)> = cirrus_core::codes::NAMED.to_vec();
    table(&mut out, "cirrus_core::codes", &core);
    for (area, codes) in cirrus_aws::codes::AREAS {
        let prefix = codes
            .first()
            .and_then(|(_, c)| c.id().split_once('-'))
            .map_or("", |(p, _)| p);
        out.push_str(&format!("\n## {prefix}: `cirrus_aws::codes::{area}`\n\n"));
        table(&mut out, &format!("cirrus_aws::codes::{area}"), codes);
    }
    out
}

#[test]
fn every_code_of_every_crate_is_unique() {
    let mut all: Vec<Code> = cirrus_core::codes::ALL.to_vec();
    all.extend(cirrus_aws::codes::all());
    let problems = cirrus_core::registry_problems(&all);
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn each_area_uses_one_prefix() {
    for (area, codes) in cirrus_aws::codes::AREAS {
        let prefixes: std::collections::BTreeSet<&str> = codes
            .iter()
            .filter_map(|(_, c)| c.id().split_once('-').map(|(p, _)| p))
            .collect();
        assert_eq!(prefixes.len(), 1, "area {area} uses {prefixes:?}");
    }
}

#[test]
fn the_reference_page_is_up_to_date() {
    let path = workspace_root().join(FILE);
    let expected = reference();
    if std::env::var_os("CIRRUS_BLESS").is_some_and(|v| v == "1") {
        std::fs::write(&path, &expected).expect("docs/diagnostics.md is writable");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == expected,
        "{FILE} is not what the registries say; regenerate it with \
         CIRRUS_BLESS=1 cargo test -p cirrus-aws --test diagnostics_reference"
    );
}
