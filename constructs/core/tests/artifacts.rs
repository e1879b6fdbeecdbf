//! Artifacts and tokens: values resolved through outputs of their producer stacks, files
//! rendered with their placeholders listed, dependencies and order, and the misuses reported.

use cirrus_core::{
    App, ArtifactFile, ArtifactProps, FileContent, RawResource, StackProps, Synthesized, fns,
    pseudo,
};
use serde_json::json;

fn props(content: FileContent) -> ArtifactProps {
    ArtifactProps {
        kind: "test:objects".into(),
        properties: serde_json::Map::new(),
        files: vec![ArtifactFile {
            suffix: "yaml".into(),
            header: vec!["objects of the test".into()],
            content,
        }],
    }
}

fn file<'s>(synth: &'s Synthesized, name: &str) -> &'s str {
    let (_, bytes) = synth
        .artifacts
        .iter()
        .flat_map(|a| &a.files)
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no file {name}"));
    std::str::from_utf8(bytes).unwrap()
}

#[test]
fn a_token_becomes_an_output_of_its_producer_and_a_listed_placeholder() {
    let app = App::new("tokens");
    let images = app.stack("Images", StackProps::default());
    let repo = images.add("Repo", RawResource::new("AWS::ECR::Repository", json!({})));
    let platform = app.stack("Platform", StackProps::default());
    let cluster = platform.add_child("Cluster");
    platform.add("Thing", RawResource::new("AWS::SNS::Topic", json!({})));
    let image = format!("{}:v1", cluster.token(repo.attrs().get("RepositoryUri")));
    let region = cluster.token(pseudo::region());
    let literal = cluster.token("plain");
    assert_eq!(literal, "plain");
    cluster.add_artifact(
        "Workloads",
        props(FileContent::YamlDocuments(vec![
            json!({ "kind": "Deployment", "image": image }),
            json!({ "kind": "ConfigMap", "region": region, "same": image }),
        ])),
    );
    let synth = app.synth().expect("synth");

    let images = synth.stack("Images").unwrap();
    let outputs = images.template["Outputs"].as_object().unwrap();
    assert_eq!(outputs.len(), 1, "{outputs:?}");
    let (output, body) = outputs.iter().next().unwrap();
    assert!(
        output.starts_with("DeployValueRepoRepositoryUri"),
        "{output}"
    );
    assert_eq!(
        body["Value"],
        json!({ "Fn::GetAtt": ["Repo", "RepositoryUri"] })
    );
    assert!(
        body.get("Export").is_none(),
        "a plain output, never an export"
    );
    let platform = synth.stack("Platform").unwrap();
    let region_output = platform.template["Outputs"]
        .as_object()
        .unwrap()
        .values()
        .next()
        .unwrap();
    assert_eq!(region_output["Value"], json!({ "Ref": "AWS::Region" }));

    let artifact = &synth.artifacts[0];
    assert_eq!(artifact.id, "Platform-Cluster-Workloads");
    assert_eq!(artifact.dependencies, ["Images", "Platform"]);
    assert_eq!(artifact.values.len(), 2);
    let text = file(&synth, "Platform-Cluster-Workloads.yaml");
    let placeholder = format!("${{cirrus:Images.{output}}}");
    assert!(text.starts_with("# objects of the test\n"), "{text}");
    assert!(
        text.contains(&format!(
            "#   {placeholder}: Fn::GetAtt Repo.RepositoryUri of Images/Repo"
        )),
        "{text}"
    );
    assert!(text.contains(&format!("image: {placeholder}:v1")), "{text}");
    assert!(text.contains("\n---\n"), "{text}");
    assert!(!text.contains("cirrus-token"), "{text}");

    let manifest = synth.manifest();
    let entry = &manifest["artifacts"]["Platform-Cluster-Workloads"];
    assert_eq!(entry["type"], "test:objects");
    assert_eq!(
        entry["properties"]["files"],
        json!(["Platform-Cluster-Workloads.yaml"])
    );
    assert_eq!(
        entry["properties"]["values"][format!("Images.{output}")]["output"],
        json!(output)
    );
    assert_eq!(entry["dependencies"], json!(["Images", "Platform"]));
}

#[test]
fn a_token_in_a_template_is_an_error() {
    let app = App::new("leak");
    let stack = app.stack("S", StackProps::default());
    let topic = stack.add("Topic", RawResource::new("AWS::SNS::Topic", json!({})));
    let token = stack.node().token(topic.attrs().get("TopicName"));
    stack.add(
        "Queue",
        RawResource::new("AWS::SQS::Queue", json!({ "QueueName": token })),
    );
    let err = app.synth().unwrap_err();
    assert!(
        err.diagnostics
            .errors()
            .any(|d| d.path == "S/Queue" && d.message.contains("tokens are for artifacts only")),
        "{:?}",
        err.diagnostics
    );
}

#[test]
fn a_token_over_two_stacks_is_an_error() {
    let app = App::new("two");
    let a = app.stack("A", StackProps::default());
    let b = app.stack("B", StackProps::default());
    let ta = a.add("T", RawResource::new("AWS::SNS::Topic", json!({})));
    let tb = b.add("T", RawResource::new("AWS::SNS::Topic", json!({})));
    let both = fns::join(",", vec![ta.ref_(), tb.ref_()]);
    let token = b.node().token(both);
    b.node()
        .add_artifact("Files", props(FileContent::Yaml(json!({ "v": token }))));
    let err = app.synth().unwrap_err();
    assert!(
        err.diagnostics
            .errors()
            .any(|d| d.path == "B" && d.message.contains("refers to several stacks")),
        "{:?}",
        err.diagnostics
    );
}

#[test]
fn artifacts_deploy_after_the_artifacts_they_depend_on() {
    let app = App::new("order");
    let s = app.stack("S", StackProps::default());
    s.add("T", RawResource::new("AWS::SNS::Topic", json!({})));
    let objects = s
        .node()
        .add_artifact("Objects", props(FileContent::Yaml(json!({}))));
    let crds = s
        .node()
        .add_artifact("Crds", props(FileContent::Yaml(json!({}))));
    objects.add_dependency(&crds);
    let synth = app.synth().expect("synth");
    let ids: Vec<&str> = synth.artifacts.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(ids, ["S-Crds", "S-Objects"]);
    assert_eq!(synth.artifacts[1].dependencies, ["S", "S-Crds"]);
    assert!(synth.stack("S").unwrap().template.get("Outputs").is_none());
}

#[test]
fn artifact_cycles_are_named() {
    let app = App::new("cycle");
    let s = app.stack("S", StackProps::default());
    s.add("T", RawResource::new("AWS::SNS::Topic", json!({})));
    let a = s
        .node()
        .add_artifact("A", props(FileContent::Yaml(json!({}))));
    let b = s
        .node()
        .add_artifact("B", props(FileContent::Yaml(json!({}))));
    a.add_dependency(&b);
    b.add_dependency(&a);
    let err = app.synth().unwrap_err();
    assert!(
        err.diagnostics.errors().any(|d| d
            .message
            .contains("artifacts depend on each other in a cycle: S/A -> S/B -> S/A")),
        "{:?}",
        err.diagnostics
    );
}

#[test]
fn a_stack_cannot_depend_on_an_artifact() {
    let app = App::new("backwards");
    let s = app.stack("S", StackProps::default());
    let topic = s.add("T", RawResource::new("AWS::SNS::Topic", json!({})));
    let a = s
        .node()
        .add_artifact("A", props(FileContent::Yaml(json!({}))));
    topic.node().add_dependency(&a);
    let err = app.synth().unwrap_err();
    assert!(
        err.diagnostics
            .errors()
            .any(|d| d.path == "S/T" && d.message.contains("only another artifact can depend")),
        "{:?}",
        err.diagnostics
    );
}

#[test]
fn an_artifact_id_may_not_be_a_stack_id() {
    let app = App::new("clash");
    let s = app.stack("S", StackProps::default());
    s.add("T", RawResource::new("AWS::SNS::Topic", json!({})));
    let other = app.stack("S-A", StackProps::default());
    other.add("T", RawResource::new("AWS::SNS::Topic", json!({})));
    s.node()
        .add_artifact("A", props(FileContent::Yaml(json!({}))));
    let err = app.synth().unwrap_err();
    assert!(
        err.diagnostics
            .errors()
            .any(|d| d.message.contains("is also the id of a stack")),
        "{:?}",
        err.diagnostics
    );
}

mod test_codes {
    cirrus_core::codes! {
        TOO_MANY = error("TEST-001", "more things than the construct allows");
    }
}

#[test]
fn validations_run_at_every_synthesis_with_the_complete_app() {
    use cirrus_core::Diagnostic;
    #[derive(Default)]
    struct Count(u32);
    let app = App::new("validate");
    let s = app.stack("S", StackProps::default());
    s.add("T", RawResource::new("AWS::SNS::Topic", json!({})));
    let holder = s.node().add_child("Holder");
    holder.add_validation(|node| {
        let n = node.with_state(|c: &mut Count| c.0);
        if n > 1 {
            vec![Diagnostic::error(
                test_codes::TOO_MANY,
                "",
                format!("{n} things, at most 1"),
            )]
        } else {
            Vec::new()
        }
    });
    holder.with_state(|c: &mut Count| c.0 = 1);
    assert!(app.synth().is_ok());
    holder.with_state(|c: &mut Count| c.0 = 2);
    for _ in 0..2 {
        let err = app.synth().unwrap_err();
        let errors: Vec<_> = err.diagnostics.errors().collect();
        assert_eq!(errors.len(), 1, "reported once per synthesis: {errors:?}");
        assert_eq!(errors[0].path, "S/Holder");
    }
}

#[test]
fn artifacts_read_back_from_the_assembly_as_synthesized() {
    let app = App::new("back");
    let images = app.stack("Images", StackProps::default());
    let repo = images.add("Repo", RawResource::new("AWS::ECR::Repository", json!({})));
    let platform = app.stack("Platform", StackProps::default());
    platform.add("T", RawResource::new("AWS::SNS::Topic", json!({})));
    let cluster = platform.add_child("Cluster");
    let image = cluster.token(repo.attrs().get("RepositoryUri"));
    let mut props = props(FileContent::YamlDocuments(vec![json!({ "image": image })]));
    props.kind = "cirrus:kubernetes-manifest".into();
    props.properties.insert("cluster".into(), json!("shop"));
    cluster.add_artifact("Objects", props);
    let synth = app.synth().expect("synth");
    let files: std::collections::BTreeMap<String, Vec<u8>> = synth
        .files(cirrus_core::TemplateFormat::Json)
        .unwrap()
        .into_iter()
        .collect();
    let back = Synthesized::from_files("back", &files).expect("reads back");
    assert_eq!(back.artifacts, synth.artifacts);
    assert_eq!(back.artifacts[0].properties["cluster"], "shop");
    assert!(back.artifacts[0].properties.get("files").is_none());

    let mut broken = files.clone();
    broken.remove("Platform-Cluster-Objects.yaml");
    let err = Synthesized::from_files("back", &broken).unwrap_err();
    assert_eq!(
        err.to_string(),
        "Platform-Cluster-Objects.yaml: missing from the assembly"
    );
}
