//! `hello-bucket`: what its one bucket promises. `docs/guide.md` ("Testing your app") quotes
//! this test; keep the two the same.

use cirrus_core::App;
use cirrus_core::assertions::{Annotations, Match, Template};
use serde_json::json;

#[test]
fn the_bucket_is_versioned_private_tls_only_and_kept() {
    let app = App::new("hello-bucket");
    apps::hello_bucket::define(&app);
    Annotations::from_app(&app).has_no_errors();

    let template = Template::from_stack(&app.stacks()[0]);
    template.resource_count_is("AWS::S3::Bucket", 1);
    template.has_resource_properties(
        "AWS::S3::Bucket",
        json!({
            "VersioningConfiguration": { "Status": "Enabled" },
            "PublicAccessBlockConfiguration": {
                "BlockPublicAcls": true,
                "BlockPublicPolicy": true,
                "IgnorePublicAcls": true,
                "RestrictPublicBuckets": true
            },
            "BucketName": Match::absent(),
        }),
    );
    template.has_resource(
        "AWS::S3::Bucket",
        json!({ "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain" }),
    );
    template.has_resource_properties(
        "AWS::S3::BucketPolicy",
        json!({ "PolicyDocument": { "Statement": Match::array_with(json!([
            Match::object_like(json!({
                "Effect": "Deny",
                "Condition": { "Bool": { "aws:SecureTransport": "false" } }
            }))
        ])) } }),
    );
    template.has_output(
        "BucketName",
        json!({ "Value": { "Ref": "Bucket83908E77" } }),
    );
}

/// The guide's snippet compiles because it is this file: the guide quotes it from the first `use`
/// to the end of the test above.
#[test]
fn the_guide_quotes_this_test() {
    let source = include_str!("hello_bucket.rs");
    let start = source.find("use cirrus_core::App;").unwrap();
    let end = source.find("\n/// The guide's snippet").unwrap();
    let snippet = &source[start..end];
    let guide = include_str!("../../docs/guide.md");
    assert!(
        guide.contains(&format!("```rust\n{}\n```", snippet.trim_end())),
        "docs/guide.md (Testing your app) no longer quotes apps/tests/hello_bucket.rs:\n{snippet}"
    );
}
