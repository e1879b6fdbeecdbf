//! What matters in `eks-progressive`'s output: four self-contained environments that deploy in
//! parallel, sized per environment, private where the post says so, no secret in any template.

use cirrus_core::{App, Synthesized};
use serde_json::Value;

fn synth() -> Synthesized {
    let app = App::new("eks-progressive");
    apps::eks_progressive::define(&app);
    app.synth().expect("eks-progressive synthesizes")
}

fn resources_of<'t>(template: &'t Value, kind: &str) -> Vec<&'t Value> {
    template["Resources"]
        .as_object()
        .unwrap()
        .values()
        .filter(|r| r["Type"] == kind)
        .collect()
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
        let template = &out.stack(spec.stack).unwrap().template;
        let nodes = resources_of(template, "AWS::EKS::Nodegroup");
        assert_eq!(nodes.len(), 1);
        let scaling = &nodes[0]["Properties"]["ScalingConfig"];
        assert_eq!(
            (
                scaling["MinSize"].as_u64(),
                scaling["DesiredSize"].as_u64(),
                scaling["MaxSize"].as_u64()
            ),
            (
                Some(spec.nodes.0.into()),
                Some(spec.nodes.1.into()),
                Some(spec.nodes.2.into())
            ),
            "{}",
            spec.name
        );
        let cluster = &resources_of(template, "AWS::EKS::Cluster")[0]["Properties"];
        assert_eq!(cluster["Name"], format!("ps-eks-{}", spec.name));
        let vpc_config = &cluster["ResourcesVpcConfig"];
        assert_eq!(vpc_config["EndpointPrivateAccess"], true);
        assert_eq!(
            vpc_config["EndpointPublicAccess"], !spec.private_endpoint_only,
            "{}",
            spec.name
        );
        assert_eq!(cluster["AccessConfig"]["AuthenticationMode"], "API");
        let addons: Vec<&str> = resources_of(template, "AWS::EKS::Addon")
            .iter()
            .map(|a| a["Properties"]["AddonName"].as_str().unwrap())
            .collect();
        for needed in ["vpc-cni", "coredns"] {
            assert!(addons.contains(&needed), "{}: {addons:?}", spec.name);
        }
        assert_eq!(resources_of(template, "AWS::ECR::Repository").len(), 1);
    }
}

#[test]
fn the_webhook_stays_in_secrets_manager() {
    let out = synth();
    for stack in &out.stacks {
        let text = stack.template.to_string();
        assert!(!text.contains("hooks.slack.com"), "{}", stack.id);
        let project = &resources_of(&stack.template, "AWS::CodeBuild::Project")[0]["Properties"];
        let buildspec = project["Source"]["BuildSpec"].to_string();
        assert!(buildspec.contains("secrets-manager:"), "{buildspec}");
        assert!(buildspec.contains("SLACK_URL"), "{buildspec}");
        assert_eq!(project["VpcConfig"]["Subnets"].as_array().unwrap().len(), 2);
    }
}
