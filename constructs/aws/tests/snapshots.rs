//! Snapshot of every construct fixture (`snapshots/aws/<fixture>.snap`): the templates of its
//! stacks. Review changes with `cargo insta review`.

mod fixtures;

use cirrus_core::App;

#[test]
fn fixtures_match_their_snapshots() {
    let mut failed = Vec::new();
    for fixture in fixtures::all() {
        let app = App::new("fixture");
        (fixture.build)(&app);
        let templates = match app.synth() {
            Ok(out) => serde_json::Value::Object(
                out.stacks
                    .iter()
                    .map(|s| (s.id.clone(), s.template.value().clone()))
                    .collect(),
            ),
            Err(e) => {
                failed.push(format!("{}: {:#?}", fixture.name, e.diagnostics));
                continue;
            }
        };
        let result = std::panic::catch_unwind(|| {
            insta::with_settings!({
                snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/../../snapshots/aws"),
                prepend_module_to_snapshot => false,
                omit_expression => true,
            }, {
                insta::assert_json_snapshot!(fixture.name, templates);
            });
        });
        if result.is_err() {
            failed.push(format!("{}: snapshot differs", fixture.name));
        }
    }
    assert!(
        failed.is_empty(),
        "fixtures failing:\n{}",
        failed.join("\n")
    );
}
