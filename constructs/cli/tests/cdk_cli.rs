//! Conformance: the real AWS CDK CLI reads the cloud assembly we write.
//!
//! Runs when the test command has installed the CLI (`CIRRUS_CDK`); with
//! `CIRRUS_REQUIRE_TOOLS=1` (set by `scripts/test`) a missing CLI fails the test.

use std::path::PathBuf;
use std::process::Command;

use cirrus_core::{App, RawResource, StackProps, TemplateFormat, value};

fn cdk() -> Option<PathBuf> {
    match std::env::var_os("CIRRUS_CDK").map(PathBuf::from) {
        Some(path) if path.exists() => Some(path),
        _ if std::env::var_os("CIRRUS_REQUIRE_TOOLS").is_some() => {
            panic!("CIRRUS_CDK does not point at the AWS CDK CLI; run scripts/test")
        }
        _ => {
            eprintln!("skipped: CIRRUS_CDK is not set (scripts/test sets it)");
            None
        }
    }
}

#[test]
fn cdk_ls_lists_the_stacks_in_dependency_order() {
    let Some(cdk) = cdk() else { return };
    let app = App::new("conformance");
    // Declared consumer first, so the order printed can only come from the dependencies.
    let consumer = app.stack("Consumer", StackProps::default());
    let producer = app.stack("Producer", StackProps::default());
    let topic = producer.add("Topic", RawResource::new("AWS::SNS::Topic", value!({})));
    consumer.add(
        "Queue",
        RawResource::new(
            "AWS::SQS::Queue",
            value!({"QueueName": (topic.attrs().get("TopicName"))}),
        ),
    );
    consumer.add_output("TopicArn", topic.ref_());
    // An artifact of ours (a Kubernetes step) in the manifest: the CDK CLI must still read it.
    let token = consumer.node().token(topic.attrs().get("TopicName"));
    consumer.node().add_artifact(
        "Objects",
        cirrus_core::ArtifactProps {
            kind: "cirrus:kubernetes-manifest".into(),
            properties: serde_json::Map::new(),
            files: vec![cirrus_core::ArtifactFile {
                suffix: "yaml".into(),
                header: Vec::new(),
                content: cirrus_core::FileContent::Yaml(serde_json::json!({ "topic": token })),
            }],
        },
    );
    let synthesized = app.synth().unwrap();
    assert_eq!(synthesized.artifacts.len(), 1);

    let dir = tempfile::tempdir().unwrap();
    cirrus_cli::write_assembly(dir.path(), &[synthesized], TemplateFormat::Json).unwrap();
    let home = tempfile::tempdir().unwrap();
    let out = Command::new(&cdk)
        .args(["ls", "--no-notices", "--app"])
        .arg(dir.path().join("conformance"))
        .env("HOME", home.path())
        .env("CI", "true")
        .env("CDK_DISABLE_VERSION_CHECK", "1")
        .env("CDK_DISABLE_CLI_TELEMETRY", "true")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "cdk ls failed: {}\n{}",
        stdout,
        String::from_utf8_lossy(&out.stderr)
    );
    let listed: Vec<&str> = stdout.lines().collect();
    assert_eq!(listed, ["Producer", "Consumer"]);
}
