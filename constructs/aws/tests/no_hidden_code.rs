//! No construct emits a Lambda function, a custom resource, a nested stack or an asset unless
//! the user asks for one: every fixture is checked, so a new construct cannot slip one in.

mod fixtures;

use cirrus_core::App;

#[test]
fn no_fixture_contains_lambdas_custom_resources_or_assets() {
    let mut found = Vec::new();
    for fixture in fixtures::all() {
        let app = App::new("fixture");
        (fixture.build)(&app);
        let out = app.synth().expect("fixtures synthesize");
        for stack in &out.stacks {
            let resources = stack.template["Resources"]
                .as_object()
                .cloned()
                .unwrap_or_default();
            for (id, resource) in resources {
                let kind = resource["Type"].as_str().unwrap_or_default();
                let hidden = kind.starts_with("AWS::Lambda::")
                    || kind.starts_with("Custom::")
                    || kind == "AWS::CloudFormation::CustomResource"
                    || kind == "AWS::CloudFormation::Stack"
                    || kind == "AWS::Serverless::Function";
                // Assets are files the template points into a staging bucket for.
                let text = resource.to_string();
                let asset = text.contains("cdk-assets") || text.contains("AssetParameters");
                if hidden || asset {
                    found.push(format!("{}: {}/{id} ({kind})", fixture.name, stack.id));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "constructs emitted code nobody asked for:\n{}",
        found.join("\n")
    );
}
