//! Every acknowledgeable error of cirrus-aws, acknowledged with a reason, leaves an app that
//! synthesizes what it asked for: the acknowledgement accepts the setting, it never swaps it
//! for the secure default. One case per acknowledgeable code; a test fails when a code becomes
//! acknowledgeable without a case here.

mod fixtures;

use cirrus_aws::certificatemanager::Certificate;
use cirrus_aws::cloudfront::{
    Behavior, CustomDomain, Distribution, DistributionProps, HttpOrigin, Origin, ViewerTlsPolicy,
};
use cirrus_aws::codebuild::{EnvVar, Project, ProjectProps, Source};
use cirrus_aws::codecommit::{
    Repository as CodeRepository, RepositoryProps as CodeRepositoryProps,
};
use cirrus_aws::codepipeline::{
    Action, Artifact, CodeBuildActionProps, Pipeline, PipelineProps, Stage,
};
use cirrus_aws::codes;
use cirrus_aws::ec2::{Peer, Port, SecurityGroup, SecurityGroupProps};
use cirrus_aws::ecr::{Repository, RepositoryProps};
use cirrus_aws::eks::{Cluster, ClusterProps, KubernetesVersion};
use cirrus_aws::elbv2::{
    ApplicationLoadBalancer, ApplicationLoadBalancerProps, ListenerAction, ListenerProps,
    ListenerProtocol, Scheme, SslPolicy, TargetGroup, TargetGroupProps,
};
use cirrus_aws::iam::{PolicyStatement, Principal, Role, RoleProps};
use cirrus_aws::route53::{HostedZone, RecordSet, RecordSetProps, RecordTarget, Routing};
use cirrus_aws::secretsmanager::{GeneratedValue, JsonTemplate, Secret, SecretProps, SecretValue};
use cirrus_aws::ssm::{StringParameter, StringParameterProps};
use cirrus_core::assertions::Annotations;
use cirrus_core::{App, Code, Construct, Env, ErrorCode, Node, Stack, StackProps};
use fixtures::network::imported_vpc;

const REASON: &str = "reviewed: the value is a documented example, not a credential";

fn stack(app: &App) -> Stack<'_> {
    app.stack(
        "S",
        StackProps {
            env: Env::region("us-east-1"),
            ..Default::default()
        },
    )
}

/// Asserts that `code` is reported at `reported_at`, acknowledges it at `node` (that construct
/// or one above it), and returns the synthesized app's templates as one string, to find the
/// accepted setting in.
fn acknowledged(app: &App, reported_at: &str, node: Node<'_>, code: ErrorCode) -> String {
    Annotations::from_app(app).has_error_code(reported_at, code);
    node.acknowledge(code, REASON);
    let out = match app.synth() {
        Ok(out) => out,
        Err(e) => panic!("still fails once acknowledged: {:#?}", e.diagnostics),
    };
    assert!(out.warnings.is_empty(), "{:#?}", out.warnings);
    out.stacks
        .iter()
        .map(|s| s.template.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn ssh_from_anywhere() {
    let app = App::new("t");
    let stack = stack(&app);
    let group = SecurityGroup::new(
        stack,
        "Bastion",
        &imported_vpc(stack),
        "break-glass SSH",
        SecurityGroupProps::default(),
    );
    group.add_ingress_rule(Peer::AnyIpv4, Port::Tcp(22), "on-call engineers");
    let templates = acknowledged(
        &app,
        "S/Bastion",
        group.node(),
        codes::ec2::SG_ADMIN_PORTS_OPEN,
    );
    assert!(templates.contains(r#""CidrIp":"0.0.0.0/0""#), "{templates}");
    assert!(templates.contains(r#""FromPort":22"#), "{templates}");
}

#[test]
fn public_repository_policy() {
    let app = App::new("t");
    let stack = stack(&app);
    let repo = Repository::new(stack, "Public", RepositoryProps::default());
    repo.add_to_resource_policy(
        PolicyStatement::allow()
            .principal(Principal::Anyone)
            .actions(["ecr:BatchGetImage"]),
    );
    let templates = acknowledged(&app, "S/Public", repo.node(), codes::ecr::PUBLIC_POLICY);
    assert!(templates.contains(r#""Principal":"*""#), "{templates}");
}

#[test]
fn plaintext_parameter() {
    let app = App::new("t");
    let stack = stack(&app);
    let parameter = StringParameter::new(
        stack,
        "DbPassword",
        "hunter2",
        StringParameterProps::default(),
    );
    let templates = acknowledged(
        &app,
        "S/DbPassword",
        parameter.node(),
        codes::ssm::PLAINTEXT_SECRET,
    );
    assert!(templates.contains(r#""Value":"hunter2""#), "{templates}");
}

#[test]
fn plaintext_build_variable() {
    let app = App::new("t");
    let stack = stack(&app);
    let project = Project::new(
        stack,
        "Build",
        ProjectProps {
            environment_variables: vec![("DB_PASSWORD".into(), EnvVar::plain("hunter2"))],
            ..Default::default()
        },
    );
    let templates = acknowledged(
        &app,
        "S/Build",
        project.node(),
        codes::codebuild::ENV_VAR_PLAINTEXT_SECRET,
    );
    assert!(templates.contains(r#""Value":"hunter2""#), "{templates}");
}

#[test]
fn plaintext_pipeline_variable() {
    let app = App::new("t");
    let stack = stack(&app);
    let repo = CodeRepository::new(stack, "Repo", "app", CodeRepositoryProps::default());
    let project = Project::new(
        stack,
        "Build",
        ProjectProps {
            source: Source::CodePipeline,
            ..Default::default()
        },
    );
    let src = Artifact::new("Src");
    let pipeline = Pipeline::new(
        stack,
        "Pipeline",
        PipelineProps {
            stages: vec![
                Stage::new("Source", [Action::codecommit_source(&repo, "main", &src)]),
                Stage::new(
                    "Build",
                    [Action::codebuild(
                        &project,
                        &src,
                        CodeBuildActionProps {
                            environment_variables: vec![("NPM_TOKEN".into(), "npm_abcdef".into())],
                            ..Default::default()
                        },
                    )],
                ),
            ],
            ..Default::default()
        },
    );
    let templates = acknowledged(
        &app,
        "S/Pipeline",
        pipeline.node(),
        codes::codepipeline::ACTION_PLAINTEXT_SECRET,
    );
    assert!(templates.contains("npm_abcdef"), "{templates}");
}

#[test]
fn secret_template_with_a_secret() {
    let app = App::new("t");
    let stack = stack(&app);
    let secret = Secret::new(
        stack,
        "Login",
        SecretProps {
            value: SecretValue::Generated(GeneratedValue {
                json: Some(JsonTemplate {
                    template: r#"{"username": "admin", "apiKey": "abc123"}"#.into(),
                    key: "password".into(),
                }),
                ..Default::default()
            }),
            ..Default::default()
        },
    );
    let templates = acknowledged(
        &app,
        "S/Login",
        secret.node(),
        codes::secrets::JSON_TEMPLATE_HOLDS_SECRET,
    );
    assert!(templates.contains("abc123"), "{templates}");
}

#[test]
fn cloudfront_viewer_tls_before_1_2() {
    let app = App::new("t");
    let stack = stack(&app);
    let cert = Certificate::from_arn(
        stack,
        "Cert",
        "arn:aws:acm:us-east-1:123456789012:certificate/abc",
    );
    let mut domain = CustomDomain::new(["www.example.com"], &cert);
    domain.minimum_tls = ViewerTlsPolicy::Named("TLSv1.1_2016".into());
    let distribution = Distribution::new(
        stack,
        "Legacy",
        Behavior::new(Origin::Http(HttpOrigin::new("origin.example.com"))),
        DistributionProps {
            domain: Some(domain),
            ..Default::default()
        },
    );
    let templates = acknowledged(
        &app,
        "S/Legacy",
        distribution.node(),
        codes::cloudfront::VIEWER_TLS_OUTDATED,
    );
    assert!(
        templates.contains(r#""MinimumProtocolVersion":"TLSv1.1_2016""#),
        "{templates}"
    );
}

#[test]
fn load_balancer_tls_before_1_2() {
    let app = App::new("t");
    let stack = stack(&app);
    let vpc = imported_vpc(stack);
    let alb = ApplicationLoadBalancer::new(
        stack,
        "Alb",
        &vpc,
        ApplicationLoadBalancerProps {
            scheme: Scheme::InternetFacing,
            ..Default::default()
        },
    );
    let group = TargetGroup::new(stack, "Tg", &vpc, 8080, TargetGroupProps::default());
    alb.add_listener(
        "Legacy",
        ListenerProtocol::Https {
            certificates: vec![Certificate::from_arn(
                stack,
                "Cert",
                "arn:aws:acm:us-east-1:123456789012:certificate/abc",
            )],
            ssl_policy: SslPolicy::Named("ELBSecurityPolicy-2016-08".into()),
        },
        ListenerAction::forward(group),
        ListenerProps::default(),
    );
    let templates = acknowledged(
        &app,
        "S/Alb/Legacy",
        alb.node(),
        codes::elb::TLS_POLICY_OUTDATED,
    );
    assert!(
        templates.contains(r#""SslPolicy":"ELBSecurityPolicy-2016-08""#),
        "{templates}"
    );
}

#[test]
fn administrator_statement() {
    let app = App::new("t");
    let stack = stack(&app);
    let role = Role::new(
        stack,
        "BreakGlass",
        Principal::service("ec2.amazonaws.com"),
        RoleProps::default(),
    );
    role.add_to_policy(PolicyStatement::allow().actions(["*"]).resources(["*"]));
    let templates = acknowledged(
        &app,
        "S/BreakGlass",
        role.node(),
        codes::iam::ADMIN_STATEMENT,
    );
    assert!(
        templates.contains(r#"{"Effect":"Allow","Action":"*","Resource":"*"}"#),
        "{templates}"
    );
}

/// A trust policy past IAM's default quota: acknowledged where the quota has been raised.
#[test]
fn trust_policy_over_the_default_quota() {
    let app = App::new("t");
    let stack = stack(&app);
    let conditions: Vec<_> = (0..60)
        .map(|i| {
            cirrus_aws::iam::PolicyCondition::new(
                "StringEquals",
                &format!("aws:PrincipalTag/team-{i}"),
                "platform-engineering",
            )
        })
        .collect();
    let role = Role::new(
        stack,
        "Crowded",
        Principal::this_account(),
        RoleProps::default().trust_conditions(conditions),
    );
    let templates = acknowledged(
        &app,
        "S/Crowded",
        role.node(),
        codes::iam::TRUST_POLICY_TOO_LARGE,
    );
    assert!(
        templates.contains("aws:PrincipalTag/team-59"),
        "{templates}"
    );
}

#[test]
fn latency_region_newer_than_the_table() {
    let app = App::new("t");
    let stack = stack(&app);
    let zone = HostedZone::from_attributes(stack, "Zone", "Z0123456789ABCDEFGHIJ", "example.com");
    let record = RecordSet::new(
        stack,
        "Latency",
        &zone,
        "api.example.com",
        RecordTarget::A(vec!["192.0.2.1".into()]),
        RecordSetProps {
            routing: Routing::Latency {
                region: "eu-west-9".into(),
                set_identifier: "eu-west-9".into(),
                health_check_id: None,
            },
            ..Default::default()
        },
    );
    let templates = acknowledged(
        &app,
        "S/Latency",
        record.node(),
        codes::route53::REGION_UNKNOWN,
    );
    assert!(
        templates.contains("\"Region\":\"eu-west-9\""),
        "{templates}"
    );
}

#[test]
fn kubernetes_version_newer_than_the_calendar() {
    let app = App::new("t");
    let stack = stack(&app);
    let cluster = Cluster::new(
        stack,
        "Cluster",
        &imported_vpc(stack),
        ClusterProps {
            version: KubernetesVersion::Other("1.36".into()),
            ..Default::default()
        },
    );
    let templates = acknowledged(
        &app,
        "S/Cluster",
        cluster.node(),
        codes::eks::KUBERNETES_VERSION_NEWER,
    );
    assert!(templates.contains("\"Version\":\"1.36\""), "{templates}");
}

#[test]
fn every_acknowledgeable_error_has_a_case_here() {
    let mut covered: Vec<Code> = vec![
        codes::ec2::SG_ADMIN_PORTS_OPEN.code(),
        codes::iam::ADMIN_STATEMENT.code(),
        codes::iam::TRUST_POLICY_TOO_LARGE.code(),
        codes::ecr::PUBLIC_POLICY.code(),
        codes::ssm::PLAINTEXT_SECRET.code(),
        codes::codebuild::ENV_VAR_PLAINTEXT_SECRET.code(),
        codes::codepipeline::ACTION_PLAINTEXT_SECRET.code(),
        codes::secrets::JSON_TEMPLATE_HOLDS_SECRET.code(),
        codes::cloudfront::VIEWER_TLS_OUTDATED.code(),
        codes::elb::TLS_POLICY_OUTDATED.code(),
        codes::route53::REGION_UNKNOWN.code(),
        codes::eks::KUBERNETES_VERSION_NEWER.code(),
    ];
    // The Kubernetes checks' cases are in tests/kubernetes.rs.
    covered.extend(
        [
            codes::k8s::UNDECLARED_NAMESPACE,
            codes::k8s::MISSING_CRD,
            codes::k8s::UNDECLARED_SERVICE_ACCOUNT,
            codes::k8s::IMAGE_TAG,
            codes::k8s::RESOURCE_LIMITS,
            codes::k8s::READINESS_PROBE,
            codes::k8s::PRIVILEGED,
            codes::k8s::PRIVILEGE_ESCALATION,
            codes::k8s::HOST_PATH,
            codes::k8s::HOST_NAMESPACES,
            codes::k8s::RUN_AS_NON_ROOT,
            codes::k8s::READ_ONLY_ROOT_FILESYSTEM,
            codes::k8s::LOAD_BALANCER_INTERNAL,
            codes::k8s::LOAD_BALANCER_TLS,
        ]
        .map(|c| c.code()),
    );
    covered.sort();
    let mut acknowledgeable: Vec<Code> = codes::all()
        .into_iter()
        .filter(|c| c.acknowledgeable() && c.severity() == cirrus_core::Severity::Error)
        .collect();
    acknowledgeable.sort();
    assert_eq!(covered, acknowledgeable);
}
