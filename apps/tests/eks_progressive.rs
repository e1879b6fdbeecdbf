//! What matters in `eks-progressive`'s output: four self-contained environments that deploy in
//! parallel, sized per environment, private where the post says so, no secret in any template.

use cirrus_core::assertions::{Match, Template};
use cirrus_core::{App, Synthesized};
use serde_json::json;

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
    }
}

#[test]
fn the_webhook_stays_in_secrets_manager() {
    let out = synth();
    for stack in &out.stacks {
        let text = stack.template.to_string();
        assert!(!text.contains("hooks.slack.com"), "{}", stack.id);
        let template = Template::from_synthesized(&out, &stack.id);
        let projects = template.find_resources("AWS::CodeBuild::Project", Match::any_value());
        let project = &projects[0].1["Properties"];
        let buildspec = project["Source"]["BuildSpec"].to_string();
        assert!(buildspec.contains("secrets-manager:"), "{buildspec}");
        assert!(buildspec.contains("SLACK_URL"), "{buildspec}");
        assert_eq!(project["VpcConfig"]["Subnets"].as_array().unwrap().len(), 2);
    }
}
