//! What matters in `eks-progressive`'s output: four self-contained environments that deploy in
//! parallel, sized per environment, private where the post says so, no secret in any template.

mod support;

use cirrus_core::assertions::{Match, Template};
use cirrus_core::{App, Synthesized};
use serde_json::json;
use support::documents;

fn synth() -> Synthesized {
    let app = App::new("eks-progressive");
    apps::eks_progressive::define(&app);
    app.synth().expect("eks-progressive synthesizes")
}

#[test]
fn four_environments_in_one_wave_without_references() {
    let out = synth();
    assert_eq!(
        out.waves,
        vec![vec![
            "EksProgressiveDelivery".to_owned(),
            "EksProgressiveProduction".to_owned(),
            "EksProgressiveStaging".to_owned(),
            "EksProgressiveTest".to_owned(),
            "EksProgressiveUtility".to_owned()
        ]]
    );
    for stack in &out.stacks {
        assert!(stack.dependencies.is_empty(), "{}", stack.id);
        let text = stack.template.to_string();
        assert!(!text.contains("Fn::ImportValue"), "{} imports", stack.id);
        assert_eq!(stack.env.region.as_deref(), Some("us-west-1"));
        assert!(stack.template["Resources"].as_object().unwrap().len() < 100);
    }
}

/// One pipeline delivers the environments from a push, in order, each stack through a change
/// set and then its Kubernetes steps through its cluster's in-VPC deployer; production waits
/// for a person on every run, the others only when a change widens access.
#[test]
fn one_pipeline_delivers_the_environments_in_order() {
    let out = synth();
    let template = Template::from_synthesized(&out, "EksProgressiveDelivery");
    let pipeline = template.find_resources("AWS::CodePipeline::Pipeline", Match::any_value());
    let stages = pipeline[0].1["Properties"]["Stages"].as_array().unwrap();
    let names: Vec<&str> = stages.iter().map(|s| s["Name"].as_str().unwrap()).collect();
    let mut expected: Vec<String> = ["Source", "Synth", "ApprovePipeline", "UpdatePipeline"]
        .map(str::to_owned)
        .to_vec();
    for env in ["Utility", "Test", "Staging", "Production"] {
        expected.extend([
            format!("Approve{env}"),
            env.to_owned(),
            format!("{env}-Kubernetes"),
        ]);
    }
    assert_eq!(names, expected);
    for stage in stages {
        let name = stage["Name"].as_str().unwrap();
        if name.starts_with("Approve") {
            // Production always waits; the others only when the synth step says so.
            assert_eq!(
                stage.get("BeforeEntry").is_none(),
                name == "ApproveProduction",
                "{name}"
            );
        }
    }
    // Every environment's cluster applies its steps through its in-VPC deployer.
    for spec in apps::eks_progressive::ENVIRONMENTS {
        Template::from_synthesized(&out, spec.stack).has_resource_properties(
            "AWS::CodeBuild::Project",
            json!({ "Name": format!("ps-eks-{}-deployer", spec.name) }),
        );
    }
}

/// Every role of the app is under `/eks-progressive/` (the stacks' default role path), so the
/// delivery pipeline's deployment role may create and pass roles under that path only: no
/// grant on `role/<stack>-*` outside it, as when the clusters', projects' and flow logs'
/// roles sat on `/`.
#[test]
fn roles_are_under_the_app_path_and_the_deploy_role_stays_there() {
    let out = synth();
    for stack in &out.stacks {
        for (id, role) in Template::from_synthesized(&out, &stack.id)
            .find_resources("AWS::IAM::Role", Match::any_value())
        {
            assert_eq!(
                role["Properties"]["Path"], "/eks-progressive/",
                "{}/{id}",
                stack.id
            );
        }
    }
    let delivery = out
        .stack("EksProgressiveDelivery")
        .unwrap()
        .template
        .to_string();
    let role_arns: Vec<&str> = delivery
        .match_indices(":role/")
        .map(|(at, _)| &delivery[at..(at + 40).min(delivery.len())])
        .collect();
    assert!(!role_arns.is_empty());
    for arn in role_arns {
        assert!(
            arn.starts_with(":role/eks-progressive/") || arn.starts_with(":role/aws-service-role/"),
            "a grant on roles outside the app's path: {arn}"
        );
    }
}

#[test]
fn sizes_and_endpoints_follow_the_environment() {
    let out = synth();
    for spec in apps::eks_progressive::ENVIRONMENTS {
        let template = Template::from_synthesized(&out, spec.stack);
        template.resource_count_is("AWS::EKS::Nodegroup", 1);
        template.has_resource_properties(
            "AWS::EKS::Nodegroup",
            json!({ "ScalingConfig": {
                "MinSize": spec.nodes.0,
                "DesiredSize": spec.nodes.1,
                "MaxSize": spec.nodes.2
            } }),
        );
        template.resource_count_is("AWS::EKS::Cluster", 1);
        template.has_resource_properties(
            "AWS::EKS::Cluster",
            json!({
                "Name": format!("ps-eks-{}", spec.name),
                "ResourcesVpcConfig": {
                    "EndpointPrivateAccess": true,
                    "EndpointPublicAccess": !spec.private_endpoint_only
                },
                "AccessConfig": { "AuthenticationMode": "API" }
            }),
        );
        for needed in ["vpc-cni", "coredns"] {
            template.has_resource_properties("AWS::EKS::Addon", json!({ "AddonName": needed }));
        }
        template.resource_count_is("AWS::ECR::Repository", 1);
        // A private endpoint comes with the way operators reach it (a shell in the VPC).
        let outputs = template.to_json()["Outputs"].as_object().unwrap();
        assert_eq!(
            outputs.contains_key("OperatorSecurityGroupId"),
            spec.private_endpoint_only,
            "{}",
            spec.name
        );
    }
}

#[test]
fn the_webhook_stays_in_secrets_manager() {
    let out = synth();
    for stack in &out.stacks {
        let text = stack.template.to_string();
        assert!(!text.contains("hooks.slack.com"), "{}", stack.id);
        if stack.id == "EksProgressiveDelivery" {
            continue;
        }
        Template::from_synthesized(&out, &stack.id).has_resource_properties(
            "AWS::SecretsManager::Secret",
            json!({ "Name": Match::string_containing("/slack-webhook") }),
        );
    }
    for artifact in &out.artifacts {
        for (name, bytes) in &artifact.files {
            let text = String::from_utf8_lossy(bytes);
            assert!(!text.contains("hooks.slack.com"), "{name}");
        }
    }
    // Flagger reads it from a Kubernetes Secret that the External Secrets Operator keeps equal
    // to the environment's own secret, with a role that may read that one secret.
    for spec in apps::eks_progressive::ENVIRONMENTS {
        let objects = documents(&out, spec.stack, "SlackAlerts");
        let external = objects
            .iter()
            .find(|o| o["kind"] == "ExternalSecret")
            .unwrap();
        assert_eq!(
            external["spec"]["data"][0]["remoteRef"]["key"],
            format!("eks-progressive/{}/slack-webhook", spec.name)
        );
        let provider = objects
            .iter()
            .find(|o| o["kind"] == "AlertProvider")
            .unwrap();
        assert_eq!(
            provider["spec"]["secretRef"]["name"],
            external["spec"]["target"]["name"]
        );
        let template = Template::from_synthesized(&out, spec.stack);
        let policies = template.find_resources("AWS::IAM::Policy", Match::any_value());
        let (_, policy) = policies
            .iter()
            .find(|(id, _)| id.starts_with("ExternalSecretsRole"))
            .expect("the operator's role has a policy");
        let statements = policy["Properties"]["PolicyDocument"]["Statement"]
            .as_array()
            .unwrap();
        // Secrets Manager on that secret; its key only through Secrets Manager.
        for statement in statements {
            if statement["Action"].to_string().contains("secretsmanager:") {
                let resource = statement["Resource"]["Ref"].as_str().unwrap_or_default();
                assert!(resource.starts_with("SlackWebhook"), "{statement}");
            } else {
                assert_eq!(statement["Action"], "kms:Decrypt", "{statement}");
                let via = &statement["Condition"]["StringEquals"]["kms:ViaService"];
                assert!(via.is_object(), "{statement}");
            }
        }
    }
}

/// What each cluster runs, as a reviewer checks it: the seed's charts at exact versions, in
/// their namespaces; podinfo from the environment's own repository, as a service account
/// without a token or AWS rights; the seed's canary analysis.
#[test]
fn the_workloads_follow_the_seed() {
    let out = synth();
    for spec in apps::eks_progressive::ENVIRONMENTS {
        let releases: Vec<(String, String, String)> = out
            .artifacts
            .iter()
            .filter(|a| a.stack == spec.stack && a.kind == "cirrus:helm-release")
            .map(|a| {
                let p = &a.properties;
                (
                    p["chart"]["name"].as_str().unwrap().to_owned(),
                    p["version"].as_str().unwrap().to_owned(),
                    p["namespace"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        for (chart, namespace) in [
            ("gloo", "gloo-system"),
            ("flagger", "gloo-system"),
            ("cluster-autoscaler", "kube-system"),
            ("loadtester", "apps"),
        ] {
            let found = releases.iter().find(|(c, _, _)| c == chart);
            let (_, version, ns) = found.unwrap_or_else(|| panic!("{}: no {chart}", spec.stack));
            assert_eq!(ns, namespace, "{chart}");
            assert!(
                version.split('.').count() == 3
                    && version.chars().all(|c| c.is_ascii_digit() || c == '.'),
                "{chart} {version} is not exact"
            );
        }

        let objects = documents(&out, spec.stack, "Podinfo");
        let of_kind = |kind: &str| {
            objects
                .iter()
                .find(|o| o["kind"] == kind)
                .unwrap_or_else(|| panic!("no {kind}"))
        };
        let deployment = of_kind("Deployment");
        let pod = &deployment["spec"]["template"]["spec"];
        assert_eq!(pod["serviceAccountName"], "podinfo");
        assert_eq!(pod["automountServiceAccountToken"], false);
        let image = pod["containers"][0]["image"].as_str().unwrap();
        assert!(
            image.starts_with(&format!("${{cirrus:{}.", spec.stack)) && image.ends_with(":6.0.0"),
            "{image}: not the environment's repository"
        );
        let analysis = &of_kind("Canary")["spec"]["analysis"];
        assert_eq!(analysis["interval"], "10s");
        assert_eq!(analysis["threshold"], 5);
        assert_eq!(analysis["maxWeight"], 50);
        assert_eq!(analysis["stepWeight"], 5);
        assert_eq!(analysis["metrics"][0]["thresholdRange"]["min"], 99.0);
        assert_eq!(analysis["metrics"][1]["thresholdRange"]["max"], 500.0);
        assert_eq!(of_kind("Canary")["spec"]["provider"], "gloo");
        let domains = &of_kind("VirtualService")["spec"]["virtualHost"]["domains"];
        assert_eq!(domains[0], spec.domain);
    }
    // Production's endpoint is private: its steps go through the in-VPC deployer.
    let production = out
        .artifacts
        .iter()
        .filter(|a| a.stack == "EksProgressiveProduction");
    for artifact in production {
        assert!(
            artifact.properties.contains_key("deployer"),
            "{} runs outside the VPC",
            artifact.id
        );
    }
}
