//! Preparations: additions that need the complete app, run once at the first synthesis.

use cirrus_core::{App, DeletionPolicy, RawResource, StackProps};
use serde_json::json;

#[test]
fn a_preparation_sees_every_resource_and_adds_once() {
    let app = App::new("prep");
    let data = app.stack("Data", StackProps::default());
    let bucket = data.add(
        "Bucket",
        RawResource::new("AWS::S3::Bucket", json!({"BucketName": "logs"})),
    );
    bucket.set_deletion_policy(DeletionPolicy::Retain);
    let ops = app.stack("Ops", StackProps::default());
    let holder = ops.node().add_child("Summary");
    holder.add_preparation(move |node| {
        let seen = node.stack().node().resources();
        assert!(
            seen.is_empty(),
            "the preparation runs before it adds: {seen:?}"
        );
        // What a derived construct reads: every resource of another stack, as declared.
        let data = node
            .stack()
            .node()
            .app()
            .stacks()
            .into_iter()
            .find(|s| s.node().id() == "Data")
            .unwrap();
        let resources = data.node().resources();
        let paths: Vec<&str> = resources.iter().map(|r| r.path.as_str()).collect();
        assert_eq!(paths, ["Data/Bucket", "Data/Queue"]);
        assert_eq!(resources[0].cfn_type, "AWS::S3::Bucket");
        assert_eq!(
            resources[0].properties.as_object().unwrap()["BucketName"].as_str(),
            Some("logs")
        );
        assert_eq!(resources[0].deletion_policy, Some(DeletionPolicy::Retain));
        node.add(
            "Topic",
            RawResource::new("AWS::SNS::Topic", json!({"DisplayName": "one"})),
        );
    });
    // Added after the preparation: it still sees it, since it runs at synthesis.
    data.add("Queue", RawResource::new("AWS::SQS::Queue", json!({})))
        .set_deletion_policy(DeletionPolicy::Delete);
    let first = app.synth().unwrap_or_else(|e| panic!("{e}"));
    let second = app.synth().unwrap_or_else(|e| panic!("{e}"));
    let ops_template = |s: &cirrus_core::Synthesized| {
        s.stacks
            .iter()
            .find(|t| t.id == "Ops")
            .unwrap()
            .template
            .clone()
    };
    assert_eq!(
        ops_template(&first)["Resources"].as_object().unwrap().len(),
        1,
        "the preparation added its topic"
    );
    assert_eq!(
        ops_template(&first),
        ops_template(&second),
        "a second synthesis does not run it again"
    );
}
