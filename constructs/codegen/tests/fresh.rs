//! The committed generated code is what the committed spec data produces.

use cirrus_codegen::Error;
use cirrus_codegen::fixups;
use cirrus_codegen::generate::{self, SPEC_DIR, workspace_root};
use cirrus_codegen::spec::Spec;

#[test]
fn generated_code_is_up_to_date() {
    let root = workspace_root();
    let files = generate::generate(&root).expect("generation succeeds");
    if let Err(e) = files.check(&root) {
        panic!("{e}");
    }
}

#[test]
fn generation_is_deterministic() {
    let root = workspace_root();
    let a = generate::generate(&root).expect("generation succeeds");
    let b = generate::generate(&root).expect("generation succeeds");
    assert_eq!(a, b);
}

#[test]
fn every_fixup_fails_loudly_once_it_no_longer_applies() {
    let mut spec = Spec::load(&workspace_root().join(SPEC_DIR)).expect("spec data loads");
    fixups::apply(&mut spec).expect("the fix-ups apply to the committed spec");
    // Applied again, each fix-up finds the data already corrected: the state it would find
    // once upstream fixes the bug.
    for fixup in fixups::FIXUPS {
        let mut once = Spec::load(&workspace_root().join(SPEC_DIR)).expect("spec data loads");
        fixups::apply(&mut once).expect("the fix-ups apply");
        match fixups::apply_one(&mut once, fixup) {
            Err(Error::FixupStale { name, .. }) => assert_eq!(name, fixup.name),
            other => panic!(
                "fix-up {} applied twice without failing: {other:?}",
                fixup.name
            ),
        }
    }
}

#[test]
fn spec_data_round_trips_byte_for_byte() {
    let dir = workspace_root().join(SPEC_DIR);
    let spec = Spec::load(&dir).expect("spec data loads");
    for (name, text) in spec.files().expect("spec data serializes") {
        let committed = std::fs::read_to_string(dir.join(&name)).expect("committed file");
        assert!(
            committed == text,
            "{name} is not in the canonical form extract writes"
        );
    }
}
