//! The delivery pipeline: stages from the app's dependency graph, approvals on widening
//! changes, the synth step, the deployment role that updates its own stack, and the mistakes
//! that fail synthesis.

mod fixtures;

use cirrus_aws::codecommit::{Repository, RepositoryProps};
use cirrus_aws::codepipeline::{
    Approval, DeliveryPipeline, DeliveryProps, DeliverySource, Environment, SynthStep,
};
use cirrus_aws::codes;
use cirrus_aws::eks::k8s::Object;
use cirrus_aws::eks::{Cluster, ClusterProps, EndpointAccess, HelmChart, WorkloadDeployer};
use cirrus_aws::iam::{Principal, Role, RoleProps};
use cirrus_aws::prelude::*;
use cirrus_aws::s3::{Bucket, BucketProps};
use cirrus_core::assertions::{Annotations, Template};
use cirrus_core::{App, Env, Stack, StackProps};
use serde_json::{Value as J, json};

fn stack<'a>(app: &'a App, id: &str) -> Stack<'a> {
    app.stack(id, StackProps::default().env(Env::region("eu-west-1")))
}

/// The stage names and, per stage, its action names, of the one pipeline of `template`.
fn stages(template: &Template) -> Vec<(String, Vec<String>)> {
    let found = template.find_resources("AWS::CodePipeline::Pipeline", json!({}));
    assert_eq!(found.len(), 1);
    found[0].1["Properties"]["Stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let actions = s["Actions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a["Name"].as_str().unwrap().to_owned())
                .collect();
            (s["Name"].as_str().unwrap().to_owned(), actions)
        })
        .collect()
}

fn stage(template: &Template, name: &str) -> J {
    let found = template.find_resources("AWS::CodePipeline::Pipeline", json!({}));
    found[0].1["Properties"]["Stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["Name"] == name)
        .cloned()
        .unwrap_or_else(|| panic!("no stage {name}"))
}

/// An app of a network stack, a service stack that references it, and a site stack.
fn three_stacks(app: &App) -> (Stack<'_>, Stack<'_>, Stack<'_>) {
    let (network, service, site) = (
        stack(app, "Network"),
        stack(app, "Service"),
        stack(app, "Site"),
    );
    let logs = Bucket::new(network, "Logs", BucketProps::default());
    let role = Role::new(
        service,
        "Task",
        Principal::service("ecs-tasks.amazonaws.com"),
        RoleProps::default(),
    );
    logs.grant_read(&role);
    Bucket::new(site, "Content", BucketProps::default());
    (network, service, site)
}

fn source<'a>(stack: Stack<'a>) -> DeliverySource<'a> {
    let repo = Repository::new(stack, "Repo", "shop", RepositoryProps::default());
    DeliverySource::codecommit(&repo, "main")
}

/// The delivery pipeline `Delivery` in `stack`, fed by a CodeCommit repository of it.
fn deliver<'a>(stack: Stack<'a>, props: DeliveryProps<'a>) -> DeliveryPipeline<'a> {
    DeliveryPipeline::new(stack, "Delivery", source(stack), props)
}

#[test]
fn stacks_are_delivered_in_waves_from_the_dependency_graph_after_the_pipeline_updates_itself() {
    let app = App::new("shop");
    let delivery = stack(&app, "Delivery");
    three_stacks(&app);
    deliver(delivery, DeliveryProps::default());
    let synthesized = app.synth().expect("synthesizes");
    let template = Template::from_synthesized(&synthesized, "Delivery");
    let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(
        stages(&template),
        vec![
            ("Source".into(), names(&["Source"])),
            ("Synth".into(), names(&["Synth"])),
            ("ApprovePipeline".into(), names(&["Approve"])),
            (
                "UpdatePipeline".into(),
                names(&["Delivery.Prepare", "Delivery.Execute"])
            ),
            ("ApproveDeploy".into(), names(&["Approve"])),
            (
                "Deploy-1".into(),
                names(&[
                    "Network.Prepare",
                    "Network.Execute",
                    "Site.Prepare",
                    "Site.Execute"
                ])
            ),
            (
                "Deploy-2".into(),
                names(&["Service.Prepare", "Service.Execute"])
            ),
        ]
    );
    // The approvals are skipped unless the synth step says the changes widen access.
    assert_eq!(
        stage(&template, "ApproveDeploy")["BeforeEntry"],
        json!({"Conditions": [{
            "Result": "SKIP",
            "Rules": [{
                "Configuration": {"Operator": "EQ", "Value": "true", "Variable": "#{Synth.WIDENS_DEPLOY}"},
                "Name": "VariableCheck",
                "RuleTypeId": {"Category": "Rule", "Owner": "AWS", "Provider": "VariableCheck", "Version": "1"}
            }]
        }]})
    );
    assert_eq!(
        stage(&template, "ApprovePipeline")["BeforeEntry"]["Conditions"][0]["Rules"][0]["Configuration"]
            ["Variable"],
        "#{Synth.WIDENS_PIPELINE}"
    );
    // It restarts when it updates itself, and a newer push supersedes a waiting run.
    template.has_resource_properties(
        "AWS::CodePipeline::Pipeline",
        json!({"Name": "shop-delivery", "RestartExecutionOnUpdate": true, "ExecutionMode": "SUPERSEDED"}),
    );
}

#[test]
fn the_synth_step_builds_with_a_pinned_toolchain_and_cargo_caches_and_asks_what_widens() {
    let app = App::new("shop");
    let delivery = stack(&app, "Delivery");
    let (network, service, site) = three_stacks(&app);
    deliver(
        delivery,
        DeliveryProps::default()
            .synth(SynthStep::Committed)
            .environments([
                Environment::new("Test", [network, service]),
                Environment::new("Production", [site]).approval(Approval::Always),
            ]),
    );
    let synthesized = app.synth().expect("synthesizes");
    let template = Template::from_synthesized(&synthesized, "Delivery");
    let projects = template.find_resources("AWS::CodeBuild::Project", json!({}));
    assert_eq!(projects.len(), 1);
    let project = &projects[0].1["Properties"];
    let spec = project["Source"]["BuildSpec"].as_str().unwrap();
    for expected in [
        "RUST_TOOLCHAIN: \"1.95.0\"",
        "--default-toolchain \"$RUST_TOOLCHAIN\"",
        "cargo run --locked -- synth --app shop --check",
        "diff --app shop --widening Delivery ||",
        "diff --app shop --widening Network Service ||",
        "export WIDENS_TEST=true",
        "diff --app shop --widening Site ||",
        "- WIDENS_PRODUCTION",
        "base-directory: synth-out/shop",
        "- /root/.cargo/registry/**/*",
        "- target/**/*",
    ] {
        assert!(spec.contains(expected), "{expected} missing from:\n{spec}");
    }
    assert_eq!(project["Cache"]["Type"], "S3");
    // The synth role reads what is deployed of the app's stacks, nothing else of CloudFormation.
    let policies = template.find_resources("AWS::IAM::Policy", json!({}));
    let text = serde_json::to_string(&policies).unwrap();
    assert!(
        text.contains(":stack/Network/*"),
        "the synth role reads the Network stack: {text}"
    );
    // Production waits for a person on every run; Test only when its changes widen access.
    assert!(
        stage(&template, "ApproveProduction")
            .get("BeforeEntry")
            .is_none()
    );
    assert_eq!(
        stage(&template, "ApproveTest")["BeforeEntry"]["Conditions"][0]["Rules"][0]["Configuration"]
            ["Variable"],
        "#{Synth.WIDENS_TEST}"
    );
    let order: Vec<String> = stages(&template).into_iter().map(|s| s.0).collect();
    assert_eq!(
        order[4..],
        [
            "ApproveTest",
            "Test-1",
            "Test-2",
            "ApproveProduction",
            "Production"
        ]
    );
}

#[test]
fn the_deployment_role_may_update_its_own_managed_policies() {
    let app = App::new("shop");
    let delivery = stack(&app, "Delivery");
    three_stacks(&app);
    deliver(delivery, DeliveryProps::default().role_path("/shop/"));
    let synthesized = app.synth().expect("synthesizes");
    let template = Template::from_synthesized(&synthesized, "Delivery");
    let policies = template.find_resources("AWS::IAM::ManagedPolicy", json!({}));
    let text = serde_json::to_string(&policies).unwrap();
    assert!(
        text.contains("iam:CreatePolicyVersion"),
        "the role can update its own policies: {text}"
    );
    assert!(
        text.contains(":policy/shop/Delivery-*"),
        "only the policies of its stack under its path: {text}"
    );
}

#[test]
fn a_stack_left_out_or_delivered_before_what_it_needs_fails_synthesis() {
    let app = App::new("shop");
    let delivery = stack(&app, "Delivery");
    let (network, service, _site) = three_stacks(&app);
    deliver(
        delivery,
        DeliveryProps::default().environments([
            Environment::new("Test", [service]),
            Environment::new("Production", [network]),
        ]),
    );
    let annotations = Annotations::from_app(&app);
    annotations.has_error_code(
        "Delivery/Delivery",
        codes::codepipeline::DELIVERY_STACK_PLACEMENT,
    );
    annotations.has_error(
        "Delivery/Delivery",
        "stack Site is not delivered by the pipeline",
    );
    annotations.has_error(
        "Delivery/Delivery",
        "stack Service depends on stack Network, which a later environment delivers",
    );
}

#[test]
fn a_stack_added_after_the_pipeline_is_reported() {
    let app = App::new("shop");
    let delivery = stack(&app, "Delivery");
    three_stacks(&app);
    deliver(delivery, DeliveryProps::default());
    let late = stack(&app, "Late");
    Bucket::new(late, "Files", BucketProps::default());
    let annotations = Annotations::from_app(&app);
    annotations.has_error(
        "Delivery/Delivery",
        "stack Late is not delivered by the pipeline",
    );
}

#[test]
fn environments_in_another_region_or_without_stacks_fail_synthesis() {
    let app = App::new("shop");
    let delivery = stack(&app, "Delivery");
    let (network, service, site) = three_stacks(&app);
    let far = app.stack("Far", StackProps::default().env(Env::region("us-east-1")));
    Bucket::new(far, "Files", BucketProps::default());
    deliver(
        delivery,
        DeliveryProps::default().environments([
            Environment::new("Test", [network, service, site]),
            Environment::new("Empty", []),
            Environment::new("Edge", [far]),
        ]),
    );
    let annotations = Annotations::from_app(&app);
    annotations.has_error("Delivery/Delivery", "environment Empty has no stacks");
    annotations.has_error(
        "Delivery/Delivery",
        "stack Far of environment Edge deploys to aws://unknown-account/us-east-1, but the pipeline's stack to aws://unknown-account/eu-west-1",
    );
}

/// A stack `id` with a cluster `name` and one Kubernetes step, reached as `props` say.
fn cluster_stack<'a>(app: &'a App, id: &str, name: &str, props: ClusterProps<'a>) -> Stack<'a> {
    let stack = stack(app, id);
    let cluster = Cluster::new(
        stack,
        "Cluster",
        &fixtures::network::imported_vpc(stack),
        props.cluster_name(name),
    );
    cluster.add_core_addons();
    let namespace = Object::untyped(
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}}),
    );
    cluster.add_manifest("Namespace", [namespace]);
    cluster.add_helm_chart(
        "Flagger",
        HelmChart::new("https://flagger.app", "flagger", "1.38.0").namespace("shop"),
    );
    stack
}

#[test]
fn kubernetes_steps_follow_their_environment_through_the_in_vpc_deployers() {
    let app = App::new("shop");
    let delivery = stack(&app, "Delivery");
    let test = cluster_stack(&app, "Test", "shop-test", ClusterProps::default());
    let production = cluster_stack(&app, "Production", "shop-prod", ClusterProps::default());
    deliver(
        delivery,
        DeliveryProps::default().environments([
            Environment::new("Test", [test]),
            Environment::new("Production", [production]).approval(Approval::Always),
        ]),
    );
    let synthesized = app
        .synth()
        .unwrap_or_else(|e| panic!("{:#?}", e.diagnostics));
    let template = Template::from_synthesized(&synthesized, "Delivery");
    let order: Vec<String> = stages(&template).into_iter().map(|s| s.0).collect();
    assert_eq!(
        order[4..],
        [
            "ApproveTest",
            "Test",
            "Test-Kubernetes",
            "ApproveProduction",
            "Production",
            "Production-Kubernetes"
        ]
    );
    let action = &stage(&template, "Production-Kubernetes")["Actions"][0];
    assert!(
        action["Configuration"]["EnvironmentVariables"]
            .as_str()
            .unwrap()
            .contains(r#""name":"CIRRUS_STACKS","type":"PLAINTEXT","value":"Production""#),
        "{action}"
    );
    let projects = template.find_resources("AWS::CodeBuild::Project", json!({}));
    let workloads = projects
        .iter()
        .find(|(_, p)| p["Properties"]["Name"] == "shop-delivery-workloads")
        .expect("a workloads project")
        .1;
    let spec = workloads["Properties"]["Source"]["BuildSpec"]
        .as_str()
        .unwrap();
    assert!(
        spec.contains("deploy --app shop --workloads-only --exclusively $CIRRUS_STACKS"),
        "{spec}"
    );
    // Its role may start the two deployers and stage their inputs, nothing else of them.
    let text =
        serde_json::to_string(&template.find_resources("AWS::IAM::Policy", json!({}))).unwrap();
    for expected in [
        ":project/shop-test-deployer",
        ":project/shop-prod-deployer",
        "cirrus-staging-${AWS::AccountId}-${AWS::Region}/kubernetes/shop-prod/*",
    ] {
        assert!(text.contains(expected), "{expected} missing: {text}");
    }
    // The deployers are named after their clusters, which is how the pipeline names them.
    let test_template = Template::from_synthesized(&synthesized, "Test");
    test_template.has_resource_properties(
        "AWS::CodeBuild::Project",
        json!({"Name": "shop-test-deployer"}),
    );
}

#[test]
fn a_delivered_cluster_reached_directly_fails_synthesis() {
    let app = App::new("shop");
    let delivery = stack(&app, "Delivery");
    let props = ClusterProps::default()
        .endpoint_access(EndpointAccess::PublicAndPrivate(vec![
            "198.51.100.0/24".into(),
        ]))
        .workload_deployer(WorkloadDeployer::Direct);
    cluster_stack(&app, "Test", "shop-test", props);
    deliver(delivery, DeliveryProps::default());
    Annotations::from_app(&app).has_error_code(
        "Delivery/Delivery",
        codes::codepipeline::DELIVERY_STEP_DIRECT,
    );
}

/// Another pipeline of the app reads the same branch of the same repository through the
/// delivery source (`DeliverySource::action`), into its own artifact.
#[test]
fn another_pipeline_reads_the_delivery_source() {
    use cirrus_aws::codeconnections::{Connection, ConnectionProps, ConnectionProvider};
    use cirrus_aws::codepipeline::{Action, Artifact, Pipeline, PipelineProps, Stage};
    let app = App::new("shop");
    let tools = stack(&app, "Tools");
    let connection = Connection::new(
        tools,
        "Connection",
        ConnectionProvider::GitHub,
        ConnectionProps::default(),
    );
    let source = DeliverySource::connection(&connection, "org/shop", "main");
    let checkout = Artifact::new("Checkout");
    let approve = Action::manual_approval(Default::default());
    Pipeline::new(
        tools,
        "Other",
        PipelineProps::default().stages([
            Stage::new("Source", [source.action(&checkout).named("App")]),
            Stage::new("Approve", [approve]),
        ]),
    );
    let out = app
        .synth()
        .unwrap_or_else(|e| panic!("{:#?}", e.diagnostics));
    let template = Template::from_synthesized(&out, "Tools");
    let action = &stage(&template, "Source")["Actions"][0];
    assert_eq!(action["Name"], "App");
    assert_eq!(
        action["ActionTypeId"]["Provider"],
        "CodeStarSourceConnection"
    );
    assert_eq!(action["Configuration"]["FullRepositoryId"], "org/shop");
    assert_eq!(action["Configuration"]["BranchName"], "main");
    assert_eq!(action["OutputArtifacts"], json!([{ "Name": "Checkout" }]));
}
