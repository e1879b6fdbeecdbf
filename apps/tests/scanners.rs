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
