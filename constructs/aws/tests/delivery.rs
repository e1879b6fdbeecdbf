//! The delivery pipeline: stages from the app's dependency graph, approvals on widening
//! changes, the synth step, the deployment role that updates its own stack, and the mistakes
//! that fail synthesis.

mod fixtures;

use cirrus_aws::codecommit::{Repository, RepositoryProps};
use cirrus_aws::codepipeline::{
    Approval, DeliveryPipeline, DeliveryProps, DeliverySource, Environment, KubernetesDelivery,
    SynthStep,
};
use cirrus_aws::codes;
use cirrus_aws::eks::k8s::Object;
use cirrus_aws::eks::{Cluster, ClusterProps, EndpointAccess, HelmChart, WorkloadDeployer};
use cirrus_aws::iam::{Principal, Role, RoleProps};
use cirrus_aws::prelude::*;
use cirrus_aws::s3::{Bucket, BucketProps};
use cirrus_core::assertions::{Annotations, Template};
use cirrus_core::{App, Env, Stack, StackProps, TemplateFormat};
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

/// Fails naming the first of `expected` that `text` lacks.
fn contains_all(text: &str, expected: &[&str]) {
    for expected in expected {
        assert!(text.contains(expected), "{expected} missing from:\n{text}");
    }
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
    contains_all(
        spec,
        &[
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
        ],
    );
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
    contains_all(
        &text,
        &[
            ":project/shop-test-deployer",
            ":project/shop-prod-deployer",
            "cirrus-staging-${AWS::AccountId}-${AWS::Region}/kubernetes/shop-prod/*",
        ],
    );
    // The deployers are named after their clusters, which is how the pipeline names them.
    let test_template = Template::from_synthesized(&synthesized, "Test");
    test_template.has_resource_properties(
        "AWS::CodeBuild::Project",
        json!({"Name": "shop-test-deployer"}),
    );
}

#[test]
fn a_delivered_cluster_reached_directly_fails_synthesis() {
    for mode in [
        KubernetesDelivery::InVpcDeployer,
        KubernetesDelivery::EksDeployAction,
    ] {
        let app = App::new("shop");
        let delivery = stack(&app, "Delivery");
        let props = ClusterProps::default()
            .endpoint_access(EndpointAccess::PublicAndPrivate(vec![
                "198.51.100.0/24".into(),
            ]))
            .workload_deployer(WorkloadDeployer::Direct);
        cluster_stack(&app, "Test", "shop-test", props);
        deliver(delivery, DeliveryProps::default().kubernetes(mode));
        Annotations::from_app(&app).has_error_code(
            "Delivery/Delivery",
            codes::codepipeline::DELIVERY_STEP_DIRECT,
        );
    }
}

/// The delivery pipeline of `test` and `production`, their Kubernetes steps applied by EKS
/// deploy actions.
fn deliver_by_action<'a>(delivery: Stack<'a>, test: Stack<'a>, production: Stack<'a>) {
    let props = DeliveryProps::default()
        .environments([
            Environment::new("Test", [test]),
            Environment::new("Production", [production]).approval(Approval::Always),
        ])
        .kubernetes(KubernetesDelivery::EksDeployAction);
    deliver(delivery, props);
}

#[test]
fn kubernetes_steps_go_through_eks_deploy_actions_after_a_render_action() {
    let app = App::new("shop");
    let delivery = stack(&app, "Delivery");
    let test = cluster_stack(&app, "Test", "shop-test", ClusterProps::default());
    let production = cluster_stack(&app, "Production", "shop-prod", ClusterProps::default());
    deliver_by_action(delivery, test, production);
    let synthesized = app
        .synth()
        .unwrap_or_else(|e| panic!("{:#?}", e.diagnostics));
    let template = Template::from_synthesized(&synthesized, "Delivery");
    let found = stages(&template);
    let kubernetes = found
        .iter()
        .find(|s| s.0 == "Production-Kubernetes")
        .unwrap();
    assert_eq!(
        kubernetes.1,
        [
            "Render",
            "Production-Cluster-Kubernetes-Namespace",
            "Production-Cluster-Kubernetes-Flagger"
        ]
    );
    let actions = stage(&template, "Production-Kubernetes")["Actions"].clone();
    // The render action is told the environment's stacks; each step it renders carries its
    // cluster's number (the second cluster) and the deployer's network as values.
    assert!(
        actions[0]["Configuration"]["EnvironmentVariables"]
            .as_str()
            .unwrap()
            .contains(r#""name":"CIRRUS_STACKS","type":"PLAINTEXT","value":"Production""#),
        "{}",
        actions[0]
    );
    let manifest = synthesized.manifest();
    let delivery =
        &manifest["artifacts"]["Production-Cluster-Kubernetes-Flagger"]["properties"]["delivery"];
    assert_eq!(delivery["cluster"], 2);
    assert!(
        delivery["securityGroup"]
            .as_str()
            .unwrap()
            .starts_with("${cirrus:Production.DeployValueClusterDeployerSecurityGroup"),
        "{delivery}"
    );
    assert_eq!(
        actions[0]["OutputArtifacts"],
        json!([{"Name": "ProductionKubernetes"}])
    );
    // The release waits for the namespace it goes in; both read the rendered artifact and
    // reach the cluster through its deployer's subnets.
    let namespace = &actions[1];
    assert_eq!(namespace["RunOrder"], 2);
    assert_eq!(
        namespace["Configuration"],
        json!({
            "ClusterName": "#{ProductionRender.CLUSTER_2}",
            "ManifestFiles": "Production-Cluster-Kubernetes-Namespace.yaml",
            "Subnets": "#{ProductionRender.SUBNETS_2}",
            "SecurityGroupIds": "#{ProductionRender.SECURITY_GROUP_2}"
        })
    );
    let release = &actions[2];
    assert_eq!(release["RunOrder"], 3);
    assert_eq!(
        release["InputArtifacts"],
        json!([{"Name": "ProductionKubernetes"}])
    );
    assert_eq!(
        release["Configuration"]["HelmChartLocation"],
        "charts/Production-Cluster-Kubernetes-Flagger/flagger"
    );
    assert_eq!(release["Configuration"]["Namespace"], "shop");
    // The environment's actions share a role, which another environment's do not.
    assert_eq!(release["RoleArn"], namespace["RoleArn"]);
    let test_role = &stage(&template, "Test-Kubernetes")["Actions"][1]["RoleArn"];
    assert_ne!(test_role, &release["RoleArn"]);
    // No project builds the runner to apply the steps; the render project exports what the
    // actions read, for every cluster.
    let projects = template.find_resources("AWS::CodeBuild::Project", json!({}));
    let names: Vec<&J> = projects
        .iter()
        .map(|(_, p)| &p["Properties"]["Name"])
        .collect();
    assert_eq!(
        names,
        [
            &json!("shop-delivery-synth"),
            &json!("shop-delivery-render")
        ]
    );
    let spec = projects[1].1["Properties"]["Source"]["BuildSpec"]
        .as_str()
        .unwrap();
    contains_all(
        spec,
        &[
            "- CLUSTER_1\n",
            "- SECURITY_GROUP_2\n",
            "get.helm.sh/helm-v3.19.3-linux-amd64.tar.gz",
            "python3 /tmp/render_steps.py",
        ],
    );
    // The cluster's stack lets the shared role in: cluster admin, describe that cluster, and
    // network interfaces only in the deployer's subnets.
    let production = Template::from_synthesized(&synthesized, "Production");
    production.has_resource_properties(
        "AWS::EKS::AccessEntry",
        json!({
            "ClusterName": {"Ref": "ClusterEB0386A7"},
            "PrincipalArn": {"Fn::ImportValue": "Delivery:ExportsOutputFnGetAttDeliveryPipelineKubernetesProductionActionRole9E5C00C7ArnC0A84D04"},
            "AccessPolicies": [{"AccessScope": {"Type": "cluster"}}]
        }),
    );
    let policies = serde_json::to_string(&production.find_resources(
        "AWS::IAM::Policy",
        json!({"Properties": {"PolicyName": "delivery-Production-Cluster"}}),
    ))
    .unwrap();
    contains_all(
        &policies,
        &[
            ":cluster/${ClusterEB0386A7}",
            "security-group/${ClusterDeployerSecurityGroup",
            "Delivery:ExportsOutputRefDeliveryPipelineKubernetesProductionActionRole",
        ],
    );
}

/// A file of the app's assembly, by name.
fn assembly_file(files: &[(String, Vec<u8>)], name: &str) -> String {
    let (_, content) = files.iter().find(|(n, _)| n == name).unwrap();
    String::from_utf8(content.clone()).unwrap()
}

/// Writes an executable shell script.
fn script(path: &std::path::Path, body: &str) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// The cluster `shop-test` of `stack`, without steps.
fn bare_cluster(stack: Stack<'_>) -> Cluster<'_> {
    Cluster::new(
        stack,
        "Cluster",
        &fixtures::network::imported_vpc(stack),
        ClusterProps::default().cluster_name("shop-test"),
    )
}

#[test]
fn the_render_action_resolves_the_values_from_the_stacks_and_pulls_the_charts() {
    let app = App::new("shop");
    let delivery = stack(&app, "Delivery");
    let test = stack(&app, "Test");
    let cluster = bare_cluster(test);
    let bucket = Bucket::new(test, "Data", BucketProps::default());
    let config = Object::untyped(json!({
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "data", "namespace": "default"},
        "data": {"bucket": cluster.token(bucket.name()), "note": "${cirrus:not.a-value}"}
    }));
    cluster.add_manifest("Data", [config]);
    let chart = HelmChart::new("oci://public.ecr.aws/charts", "reader", "2.1.0")
        .namespace("default")
        .values(json!({"bucket": cluster.token(bucket.arn())}));
    cluster.add_helm_chart("Reader", chart);
    let writer =
        HelmChart::new("https://charts.example.com", "writer", "0.3.0").namespace("default");
    cluster.add_helm_chart("Writer", writer);
    let production = cluster_stack(&app, "Production", "shop-prod", ClusterProps::default());
    deliver_by_action(delivery, test, production);
    let synthesized = app
        .synth()
        .unwrap_or_else(|e| panic!("{:#?}", e.diagnostics));
    let files = synthesized.files(TemplateFormat::Json).unwrap();

    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    for (name, content) in &files {
        std::fs::write(root.join(name), content).unwrap();
    }
    // CloudFormation answers each stack's outputs as `value-of-<output>`.
    let manifest: J = serde_json::from_str(&assembly_file(&files, "manifest.json")).unwrap();
    let mut outputs: std::collections::BTreeMap<String, Vec<J>> = Default::default();
    for artifact in manifest["artifacts"].as_object().unwrap().values() {
        for value in artifact["properties"]["values"]
            .as_object()
            .into_iter()
            .flatten()
        {
            let output = value.1["output"].as_str().unwrap();
            outputs
                .entry(value.1["stackName"].as_str().unwrap().to_owned())
                .or_default()
                .push(json!({"OutputKey": output, "OutputValue": format!("value-of-{output}")}));
        }
    }
    for (stack, found) in &outputs {
        let answer = json!({"Stacks": [{"StackName": stack, "Outputs": found}]});
        std::fs::write(root.join(format!("stack-{stack}.json")), answer.to_string()).unwrap();
    }
    script(
        &root.join("fake-aws"),
        &format!("cat '{}/stack-'\"$4\".json", root.display()),
    );
    // Helm "pulls" a chart by making its folder (named after the chart), and says how it
    // was asked.
    script(
        &root.join("fake-helm"),
        &format!(
            "echo \"$@\" >> '{0}/helm.log'\nref=$2; name=${{ref##*/}}\nwhile [ $# -gt 0 ]; do case $1 in --untardir) dir=$2;; esac; shift; done\nmkdir -p \"$dir/$name\"",
            root.display()
        ),
    );
    let template = Template::from_synthesized(&synthesized, "Delivery");
    let render = &stage(&template, "Test-Kubernetes")["Actions"][0];
    let variables: J = serde_json::from_str(
        render["Configuration"]["EnvironmentVariables"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    let steps = variables[0]["value"].as_str().unwrap();
    assert_eq!(steps, "Test");
    // The release's action installs the chart from where the render action pulls it.
    let reader = &stage(&template, "Test-Kubernetes")["Actions"][2];
    assert_eq!(
        reader["Configuration"]["HelmChartLocation"],
        "charts/Test-Cluster-Kubernetes-Reader/reader"
    );
    assert_eq!(
        reader["Configuration"]["HelmValuesFiles"],
        "cirrus-values.yaml"
    );
    let run = |steps: &str| {
        std::process::Command::new("python3")
            .arg(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/src/codepipeline/delivery/render_steps.py"
            ))
            .current_dir(root)
            .env("CIRRUS_STACKS", steps)
            .env("CIRRUS_OUT", root.join("out"))
            .env("CIRRUS_EXPORTS", root.join("exports.sh"))
            .env("CIRRUS_AWS", root.join("fake-aws"))
            .env("CIRRUS_HELM", root.join("fake-helm"))
            .output()
            .expect("python3 runs")
    };
    let out = run(steps);
    assert!(out.status.success(), "{out:?}");

    let read = |path: &str| std::fs::read_to_string(root.join(path)).unwrap();
    let data = read("out/Test-Cluster-Kubernetes-Data.yaml");
    assert!(data.contains("bucket: value-of-DeployValueData"), "{data}");
    // Text that only looks like a value stays, as the runner leaves it.
    assert_eq!(data.matches("${cirrus:").count(), 1, "{data}");
    assert!(data.contains("note: ${cirrus:not.a-value}"), "{data}");
    let values = read("out/charts/Test-Cluster-Kubernetes-Reader/reader/cirrus-values.yaml");
    assert!(
        values.starts_with("# ") && values.contains("bucket: value-of-DeployValueData"),
        "{values}"
    );
    let out_dir = root.join("out").display().to_string();
    assert_eq!(
        read("helm.log"),
        format!(
            "pull oci://public.ecr.aws/charts/reader --version 2.1.0 --untar --untardir {out_dir}/charts/Test-Cluster-Kubernetes-Reader\n\
             pull writer --repo https://charts.example.com --version 0.3.0 --untar --untardir {out_dir}/charts/Test-Cluster-Kubernetes-Writer\n"
        )
    );
    // The https chart lands in a folder of its name too, its values in it.
    let writer_values = read("out/charts/Test-Cluster-Kubernetes-Writer/writer/cirrus-values.yaml");
    assert!(writer_values.contains("{}"), "{writer_values}");
    let writer = &stage(&template, "Test-Kubernetes")["Actions"][3];
    assert_eq!(
        writer["Configuration"]["HelmChartLocation"],
        "charts/Test-Cluster-Kubernetes-Writer/writer"
    );
    let exports = read("exports.sh");
    let lines: Vec<&str> = exports.lines().collect();
    assert_eq!(lines.len(), 3, "{exports}");
    assert!(
        lines[0].starts_with("export CLUSTER_1=value-of-DeployValueCluster"),
        "{exports}"
    );
    assert!(
        lines[1].starts_with(
            "export SECURITY_GROUP_1=value-of-DeployValueClusterDeployerSecurityGroup"
        ),
        "{exports}"
    );
    assert!(
        lines[2].starts_with("export SUBNETS_1=value-of-DeployValue"),
        "{exports}"
    );
    // The script the project runs is this one.
    let projects = template.find_resources(
        "AWS::CodeBuild::Project",
        json!({"Properties": {"Name": "shop-delivery-render"}}),
    );
    let spec = projects[0].1["Properties"]["Source"]["BuildSpec"]
        .as_str()
        .unwrap();
    assert!(
        spec.contains("def pull_chart(helm, chart, version, into):"),
        "{spec}"
    );

    // A stack not deployed yet (no such output) fails the action, naming it.
    std::fs::write(
        root.join("stack-Test.json"),
        r#"{"Stacks": [{"Outputs": []}]}"#,
    )
    .unwrap();
    let out = run(steps);
    assert!(!out.status.success());
    let error = String::from_utf8_lossy(&out.stderr);
    assert!(
        error.starts_with("error: stack Test has no output DeployValueCluster")
            && error.ends_with(": deploy the stack before its steps\n"),
        "{error}"
    );
}

/// The errors of a delivery by EKS deploy actions of a cluster whose steps `add` makes.
fn refused(add: impl FnOnce(&Cluster<'_>)) -> Vec<String> {
    let app = App::new("shop");
    let delivery = stack(&app, "Delivery");
    let test = stack(&app, "Test");
    let cluster = bare_cluster(test);
    add(&cluster);
    let production = cluster_stack(&app, "Production", "shop-prod", ClusterProps::default());
    deliver_by_action(delivery, test, production);
    let found = Annotations::from_app(&app);
    found.has_error_code(
        "Delivery/Delivery",
        codes::codepipeline::DELIVERY_STEP_UNSUPPORTED,
    );
    found
        .errors()
        .iter()
        .filter(|d| d.code == codes::codepipeline::DELIVERY_STEP_UNSUPPORTED)
        .map(|d| d.message.clone())
        .collect()
}

fn namespace(name: &str) -> Result<Object, cirrus_aws::eks::k8s::ObjectError> {
    Object::untyped(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}))
}

#[test]
fn what_the_eks_deploy_action_would_not_wait_for_fails_synthesis() {
    // A Job that asks to be waited for.
    let job = Object::untyped(json!({
        "apiVersion": "batch/v1", "kind": "Job",
        "metadata": {"name": "setup", "namespace": "shop", "annotations": {"cirrus.dev/wait": "complete"}},
        "spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "setup", "image": "public.ecr.aws/docker/library/busybox:1.37"}]}}}
    }));
    let errors = refused(|cluster| {
        cluster.add_manifest("Shop", [namespace("shop"), job]);
    });
    assert_eq!(
        errors,
        [
            "Test/Cluster/Kubernetes/Shop of stack Test: Job setup asks to be waited for, which the EKS deploy action does not do"
        ]
    );
    // Kinds a release registers, used by a step of the same delivery.
    let errors = refused(|cluster| {
        let chart = HelmChart::new("https://flagger.app", "flagger", "1.38.0")
            .namespace("kube-system")
            .crds([("flagger.app".to_owned(), "Canary".to_owned())]);
        cluster.add_helm_chart("Flagger", chart);
        let canary = Object::untyped(json!({
            "apiVersion": "flagger.app/v1beta1", "kind": "Canary",
            "metadata": {"name": "web", "namespace": "kube-system"}
        }));
        cluster.add_manifest("Canary", [canary]);
    });
    assert_eq!(
        errors,
        [
            "Test/Cluster/Kubernetes/Flagger of stack Test: objects of the kinds it provides (Canary.flagger.app) are in Test/Cluster/Kubernetes/Canary, and the EKS deploy action does not wait until the cluster serves them"
        ]
    );
    // A CRD in a manifest, with objects of its kind in the same step and in a later one.
    let errors = refused(|cluster| {
        let crd = Object::untyped(json!({
            "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": "widgets.example.com"},
            "spec": {
                "group": "example.com", "scope": "Namespaced",
                "names": {"kind": "Widget", "plural": "widgets", "singular": "widget", "listKind": "WidgetList"},
                "versions": [{"name": "v1", "served": true, "storage": true,
                    "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}]
            }
        }));
        let widget = |name: &str| {
            Object::untyped(json!({
                "apiVersion": "example.com/v1", "kind": "Widget",
                "metadata": {"name": name, "namespace": "kube-system"}
            }))
        };
        cluster.add_manifest("Widgets", [crd, widget("first")]);
        cluster.add_manifest("MoreWidgets", [widget("second")]);
    });
    assert_eq!(
        errors,
        [
            "Test/Cluster/Kubernetes/Widgets of stack Test: objects of the kinds it provides (Widget.example.com) are in Test/Cluster/Kubernetes/Widgets, Test/Cluster/Kubernetes/MoreWidgets, and the EKS deploy action does not wait until the cluster serves them"
        ]
    );
}

#[test]
fn what_the_eks_deploy_action_cannot_apply_fails_synthesis() {
    // A release that creates its namespace.
    let errors = refused(|cluster| {
        let chart = HelmChart::new(
            "https://charts.external-secrets.io",
            "external-secrets",
            "0.19.2",
        )
        .namespace("external-secrets")
        .create_namespace(true);
        cluster.add_helm_chart("Secrets", chart);
    });
    assert_eq!(
        errors,
        [
            "Test/Cluster/Kubernetes/Secrets of stack Test: release external-secrets creates its namespace external-secrets, which the EKS deploy action does not"
        ]
    );
    // Objects in two namespaces in one step.
    let errors = refused(|cluster| {
        let map = |ns: &str| {
            Object::untyped(
                json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings", "namespace": ns}}),
            )
        };
        cluster.add_manifest(
            "Settings",
            [namespace("a"), namespace("b"), map("a"), map("b")],
        );
        // An object that names no namespace is in `default`, as the deployer applies it.
        let unnamed = Object::untyped(
            json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "loose"}}),
        );
        cluster.add_manifest("Loose", [unnamed, map("a")]);
    });
    assert_eq!(
        errors,
        [
            "Test/Cluster/Kubernetes/Settings of stack Test: its objects are in namespaces a, b, and the EKS deploy action applies one",
            "Test/Cluster/Kubernetes/Loose of stack Test: its objects are in namespaces a, default, and the EKS deploy action applies one"
        ]
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
