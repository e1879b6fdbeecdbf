//! Errors, options and policies of the CloudFront, WAFv2, ACM, Route 53 and ELBv2 constructs.

mod fixtures;

use cirrus_aws::certificatemanager::{
    Certificate, CertificateProps, CertificateValidation, ICertificate,
};
use cirrus_aws::cloudfront::{
    Behavior, CustomDomain, Distribution, DistributionLogging, DistributionProps, ErrorResponse,
    Firewall, HttpOrigin, IDistribution, Origin, ViewerTlsPolicy,
};
use cirrus_aws::codes;
use cirrus_aws::ec2::{
    ISecurityGroup, Peer, Port, SecurityGroup, SecurityGroupProps, Vpc, VpcAttributes,
};
use cirrus_aws::elbv2::{
    ApplicationLoadBalancer, ApplicationLoadBalancerProps, HealthCheck, ILoadBalancer,
    ImportedApplicationLoadBalancer, Listener, ListenerAction, ListenerProps, ListenerProtocol,
    LoadBalancerAttributes, LoadBalancerLogs, Scheme, SslPolicy, TargetGroup, TargetGroupProps,
    TargetGroupRef,
};
use cirrus_aws::iam::{Principal, Role, RoleProps};
use cirrus_aws::kms::{Key, KeyProps};
use cirrus_aws::route53::{
    AliasTarget, FailoverRole, GeoLocation, HostedZone, RecordSet, RecordSetProps, RecordTarget,
    Routing,
};
use cirrus_aws::s3::{Bucket, BucketEncryption, BucketProps};
use cirrus_aws::wafv2::{IWebAcl, WebAcl, WebAclProps, WebAclScope};
use cirrus_cfn::elasticloadbalancingv2::{CfnListenerRule, listener_rule};
use cirrus_core::assertions::{Annotations, Template};
use cirrus_core::{App, Env, Stack, StackProps};
use fixtures::network::imported_vpc;
use serde_json::{Value, json};

fn stack_in<'a>(app: &'a App, id: &str, region: &str) -> Stack<'a> {
    app.stack(
        id,
        StackProps {
            env: Env::region(region),
            ..Default::default()
        },
    )
}

/// The resources of `template` whose logical id starts with `prefix`.
fn resources(template: &Template, prefix: &str) -> Vec<(String, Value)> {
    template.to_json()["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(id, _)| id.starts_with(prefix))
        .map(|(id, r)| (id.clone(), r.clone()))
        .collect()
}

fn one(template: &Template, prefix: &str) -> (String, Value) {
    let mut found = resources(template, prefix);
    assert_eq!(
        found.len(),
        1,
        "resources starting with {prefix}: {found:#?}"
    );
    found.remove(0)
}

#[test]
fn s3_origin_is_read_through_origin_access_control_by_this_distribution_only() {
    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    let site = Bucket::new(stack, "Site", BucketProps::default());
    Distribution::new(
        stack,
        "Cdn",
        Behavior::new(Origin::S3(site)),
        DistributionProps::default(),
    );
    let (cdn_id, cdn) = one(&Template::from_stack(&stack), "Cdn9963B1AD");
    let (oac_id, oac) = one(&Template::from_stack(&stack), "CdnOriginAccessControl");
    let (site_id, _) = one(&Template::from_stack(&stack), "SiteE53D7754");

    let config = &oac["Properties"]["OriginAccessControlConfig"];
    assert_eq!(config["OriginAccessControlOriginType"], "s3");
    assert_eq!(config["SigningBehavior"], "always");
    assert_eq!(config["SigningProtocol"], "sigv4");

    let origin = &cdn["Properties"]["DistributionConfig"]["Origins"][0];
    assert_eq!(
        origin["DomainName"],
        json!({"Fn::GetAtt": [site_id, "RegionalDomainName"]})
    );
    assert_eq!(
        origin["S3OriginConfig"],
        json!({"OriginAccessIdentity": ""})
    );
    assert_eq!(
        origin["OriginAccessControlId"],
        json!({"Fn::GetAtt": [oac_id, "Id"]})
    );

    let (_, policy) = one(&Template::from_stack(&stack), "SitePolicy");
    let statements = policy["Properties"]["PolicyDocument"]["Statement"]
        .as_array()
        .unwrap()
        .clone();
    let oac_statement = statements
        .iter()
        .find(|s| s["Principal"] == json!({"Service": "cloudfront.amazonaws.com"}))
        .expect("a statement for CloudFront");
    assert_eq!(
        oac_statement,
        &json!({
            "Effect": "Allow",
            "Principal": {"Service": "cloudfront.amazonaws.com"},
            "Action": "s3:GetObject",
            "Resource": {"Fn::Sub": format!("${{{site_id}.Arn}}/*")},
            "Condition": {"StringEquals": {"AWS:SourceArn": {"Fn::Sub": format!(
                "arn:${{AWS::Partition}}:cloudfront::${{AWS::AccountId}}:distribution/${{{cdn_id}}}"
            )}}}
        })
    );
    // Reading objects is all CloudFront may do: no listing, no writing.
    assert_eq!(
        statements.len(),
        2,
        "only the TLS deny and the OAC read: {statements:#?}"
    );
}

#[test]
fn distribution_arn_names_the_distribution_id() {
    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    let site = Bucket::new(stack, "Site", BucketProps::default());
    let cdn = Distribution::new(
        stack,
        "Cdn",
        Behavior::new(Origin::S3(site)),
        DistributionProps::default(),
    );
    stack.add_output("Arn", cdn.arn());
    let out = app.synth().unwrap();
    let template = &out.stack("S").unwrap().template;
    assert_eq!(
        template["Outputs"]["Arn"]["Value"],
        json!({"Fn::Sub": "arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/${Cdn9963B1AD}"})
    );
    let alias = cdn.alias_target();
    assert_eq!(alias.hosted_zone_id, "Z2FDTNDATAQYW2".into());
    assert!(!alias.evaluate_target_health);
}

#[test]
fn customer_key_of_an_origin_lets_cloudfront_decrypt() {
    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    let key = Key::new(stack, "Key", KeyProps::default());
    let site = Bucket::new(
        stack,
        "Site",
        BucketProps {
            encryption: BucketEncryption::Kms(key),
            ..Default::default()
        },
    );
    Distribution::new(
        stack,
        "Cdn",
        Behavior::new(Origin::S3(site)),
        DistributionProps::default(),
    );
    let (_, key) = one(&Template::from_stack(&stack), "Key");
    let statements = key["Properties"]["KeyPolicy"]["Statement"].clone();
    assert_eq!(
        statements[1],
        json!({
            "Effect": "Allow",
            "Principal": {"Service": "cloudfront.amazonaws.com"},
            "Action": "kms:Decrypt",
            "Resource": "*",
            "Condition": {"ArnLike": {"AWS:SourceArn": {"Fn::Sub":
                "arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/*"}}}
        })
    );
}

#[test]
fn s3_origins_cloudfront_cannot_read_are_refused() {
    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    let other = app.stack("Other", StackProps::default());
    let aws_managed = Bucket::new(
        stack,
        "AwsManaged",
        BucketProps {
            encryption: BucketEncryption::KmsManaged,
            ..Default::default()
        },
    );
    Distribution::new(
        stack,
        "Managed",
        Behavior::new(Origin::S3(aws_managed)),
        DistributionProps::default(),
    );
    let elsewhere = Bucket::new(other, "Elsewhere", BucketProps::default());
    Distribution::new(
        stack,
        "Far",
        Behavior::new(Origin::S3(elsewhere)),
        DistributionProps::default(),
    );
    let annotations = Annotations::from_app(&app);
    annotations.has_error_code("S/Managed", codes::cloudfront::S3_ORIGIN_UNREADABLE);
    annotations.has_error_code("S/Far", codes::cloudfront::S3_ORIGIN_IN_OTHER_STACK);
}

#[test]
fn cloudfront_certificate_and_web_acl_must_be_in_us_east_1() {
    let app = App::new("t");
    let stack = stack_in(&app, "Eu", "eu-west-1");
    let zone = HostedZone::from_attributes(
        stack,
        "ImportedZone",
        "Z0123456789ABCDEFGHIJ",
        "example.com",
    );
    let cert = Certificate::new(
        stack,
        "Cert",
        "www.example.com",
        CertificateValidation::Dns(zone),
        CertificateProps::default(),
    );
    Distribution::new(
        stack,
        "Cdn",
        Behavior::new(Origin::Http(HttpOrigin::new("origin.example.com"))),
        DistributionProps {
            domain: Some(CustomDomain::new(["www.example.com"], &cert)),
            ..Default::default()
        },
    );
    WebAcl::new(
        stack,
        "Acl",
        WebAclScope::CloudFront,
        WebAclProps::default(),
    );
    let annotations = Annotations::from_app(&app);
    annotations.has_error_with_hint(
        "Eu/Cdn",
        "the viewer certificate Eu/Cert is in eu-west-1; CloudFront only uses certificates from us-east-1",
        "create the certificate in a stack whose env region is us-east-1",
    );
    annotations.has_error_code("Eu/Cdn/WebAcl", codes::waf::CLOUDFRONT_ACL_NOT_IN_US_EAST_1);
    annotations.has_error_code("Eu/Acl", codes::waf::CLOUDFRONT_ACL_NOT_IN_US_EAST_1);
}

#[test]
fn imported_certificates_are_checked_by_their_arn() {
    let app = App::new("t");
    let stack = stack_in(&app, "Us", "us-east-1");
    let origin = || Behavior::new(Origin::Http(HttpOrigin::new("origin.example.com")));
    Distribution::new(
        stack,
        "Wrong",
        origin(),
        DistributionProps {
            domain: Some(CustomDomain::new(
                ["www.example.com"],
                &Certificate::from_arn(
                    stack,
                    "FrankfurtCert",
                    "arn:aws:acm:eu-central-1:123456789012:certificate/abc",
                ),
            )),
            ..Default::default()
        },
    );
    Distribution::new(
        stack,
        "Garbage",
        origin(),
        DistributionProps {
            domain: Some(CustomDomain::new(
                ["www.example.com"],
                &Certificate::from_arn(stack, "GarbageCert", "not-an-arn"),
            )),
            ..Default::default()
        },
    );
    Distribution::new(
        stack,
        "Fine",
        origin(),
        DistributionProps {
            domain: Some(CustomDomain::new(
                ["www.example.com"],
                &Certificate::from_arn(
                    stack,
                    "VirginiaCert",
                    "arn:aws:acm:us-east-1:123456789012:certificate/abc",
                ),
            )),
            ..Default::default()
        },
    );
    let annotations = Annotations::from_app(&app);
    // The region is judged where the certificate is used, and the message names both: the
    // wording is checked on purpose.
    annotations.has_error_code("Us/Wrong", codes::acm::NOT_IN_US_EAST_1);
    annotations.has_error(
        "Us/Wrong",
        "the viewer certificate Us/FrankfurtCert is in eu-central-1",
    );
    // A malformed ARN is reported at the import, not at the distribution that uses it.
    annotations.has_error_with_hint(
        "Us/GarbageCert",
        "\"not-an-arn\" is not the ARN of an ACM certificate",
        "certificate ARNs read arn:aws:acm:<region>:<account>:certificate/<id>",
    );
    for clean in ["Us/Garbage", "Us/Fine", "Us/VirginiaCert"] {
        assert!(
            !annotations.errors().iter().any(|d| d.path == clean),
            "{annotations:#?}"
        );
    }
}

#[test]
fn viewer_tls_policies_older_than_tls_1_2_are_refused() {
    let app = App::new("t");
    let stack = stack_in(&app, "Us", "us-east-1");
    let cert = Certificate::from_arn(
        stack,
        "ImportedCertificate",
        "arn:aws:acm:us-east-1:123456789012:certificate/abc",
    );
    let mut domain = CustomDomain::new(["www.example.com"], &cert);
    domain.minimum_tls = ViewerTlsPolicy::Named("TLSv1.1_2016".into());
    Distribution::new(
        stack,
        "Old",
        Behavior::new(Origin::Http(HttpOrigin::new("origin.example.com"))),
        DistributionProps {
            domain: Some(domain),
            ..Default::default()
        },
    );
    let mut bad_names = CustomDomain::new(["www..example.com", "single"], &cert);
    bad_names.minimum_tls = ViewerTlsPolicy::Named("TLSv1.3_2025".into());
    Distribution::new(
        stack,
        "Names",
        Behavior::new(Origin::Http(HttpOrigin::new("origin.example.com"))),
        DistributionProps {
            domain: Some(bad_names),
            ..Default::default()
        },
    );
    let annotations = Annotations::from_app(&app);
    annotations.has_error_code("Us/Old", codes::cloudfront::VIEWER_TLS_OUTDATED);
    assert_eq!(
        annotations
            .find_code("Us/Names", codes::cloudfront::ALIAS_INVALID)
            .len(),
        2
    );
    assert!(
        !annotations
            .errors()
            .iter()
            .any(|d| d.to_string().contains("TLSv1.3_2025")),
        "{annotations:#?}"
    );
}

#[test]
fn distribution_props_are_checked() {
    let app = App::new("t");
    let stack = stack_in(&app, "Us", "us-east-1");
    let regional = WebAcl::new(
        stack,
        "Regional",
        WebAclScope::Regional,
        WebAclProps::default(),
    );
    let no_acls = Bucket::new(stack, "NoAcls", BucketProps::default());
    let http = || Origin::Http(HttpOrigin::new("origin.example.com"));
    Distribution::new(
        stack,
        "Cdn",
        Behavior::new(http()),
        DistributionProps {
            additional_behaviors: vec![
                ("/api/*".into(), Behavior::new(http())),
                ("/api/*".into(), Behavior::new(http())),
            ],
            default_root_object: Some("/index.html".into()),
            error_responses: vec![
                ErrorResponse {
                    error_code: 302,
                    response_code: None,
                    response_page_path: None,
                    caching_min_ttl_secs: None,
                },
                ErrorResponse {
                    error_code: 404,
                    response_code: Some(200),
                    response_page_path: None,
                    caching_min_ttl_secs: None,
                },
            ],
            logging: DistributionLogging::To {
                bucket: no_acls,
                prefix: "cdn/",
            },
            firewall: Firewall::WebAcl(regional.to_ref()),
            ..Default::default()
        },
    );
    let annotations = Annotations::from_app(&app);
    annotations.has_error_code("Us/Cdn", codes::cloudfront::PATH_PATTERN_DUPLICATE);
    annotations.has_error_code("Us/Cdn", codes::cloudfront::DEFAULT_ROOT_OBJECT_INVALID);
    annotations.has_error_code("Us/Cdn", codes::cloudfront::ERROR_STATUS_UNSUPPORTED);
    annotations.has_error_code("Us/Cdn", codes::cloudfront::ERROR_RESPONSE_INCOMPLETE);
    annotations.has_error_code("Us/Cdn", codes::cloudfront::LOG_BUCKET_WITHOUT_ACLS);
    annotations.has_error_code("Us/Cdn", codes::cloudfront::WEB_ACL_REGIONAL);
}

#[test]
fn single_origin_is_shared_by_behaviors_and_spa_errors_answer_200() {
    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    let site = Bucket::new(stack, "Site", BucketProps::default());
    Distribution::new(
        stack,
        "Cdn",
        Behavior::new(Origin::S3(site)),
        DistributionProps {
            additional_behaviors: vec![("/assets/*".into(), Behavior::new(Origin::S3(site)))],
            error_responses: ErrorResponse::single_page_app("/index.html"),
            firewall: Firewall::Disabled,
            logging: DistributionLogging::Disabled,
            ..Default::default()
        },
    );
    let (_, cdn) = one(&Template::from_stack(&stack), "Cdn9963B1AD");
    let config = &cdn["Properties"]["DistributionConfig"];
    assert_eq!(config["Origins"].as_array().unwrap().len(), 1);
    assert_eq!(config["CacheBehaviors"][0]["TargetOriginId"], "Origin1");
    assert_eq!(
        config["CustomErrorResponses"],
        json!([
            {"ErrorCachingMinTTL": 10, "ErrorCode": 403, "ResponseCode": 200, "ResponsePagePath": "/index.html"},
            {"ErrorCachingMinTTL": 10, "ErrorCode": 404, "ResponseCode": 200, "ResponsePagePath": "/index.html"}
        ])
    );
    assert!(config.get("WebACLId").is_none());
    assert!(config.get("Logging").is_none());
    assert!(resources(&Template::from_stack(&stack), "CdnWebAcl").is_empty());
    assert_eq!(
        resources(&Template::from_stack(&stack), "CdnOriginAccessControl").len(),
        1
    );
}

#[test]
fn web_acl_default_has_the_rule_groups_checkov_requires() {
    let app = App::new("t");
    let stack = stack_in(&app, "Us", "us-east-1");
    WebAcl::new(
        stack,
        "Acl",
        WebAclScope::CloudFront,
        WebAclProps::default(),
    );
    let (_, acl) = one(&Template::from_stack(&stack), "Acl");
    let rules = acl["Properties"]["Rules"].as_array().unwrap();
    let bad_inputs = rules
        .iter()
        .find(|r| {
            r["Statement"]["ManagedRuleGroupStatement"]["Name"]
                == "AWSManagedRulesKnownBadInputsRuleSet"
        })
        .expect("known bad inputs");
    assert_eq!(bad_inputs["OverrideAction"], json!({"None": {}}));
    assert_eq!(acl["Properties"]["Scope"], "CLOUDFRONT");
    let priorities: Vec<i64> = rules
        .iter()
        .map(|r| r["Priority"].as_i64().unwrap())
        .collect();
    assert_eq!(priorities, vec![0, 1, 2]);
}

#[test]
fn web_acl_props_are_checked() {
    let app = App::new("t");
    let stack = stack_in(&app, "Us", "us-east-1");
    WebAcl::new(
        stack,
        "Acl",
        WebAclScope::Regional,
        WebAclProps {
            name: Some("has spaces".into()),
            managed_rule_groups: vec![
                cirrus_aws::wafv2::ManagedRuleGroup::common_rule_set(),
                cirrus_aws::wafv2::ManagedRuleGroup::common_rule_set(),
            ],
            rate_limit: Some(cirrus_aws::wafv2::RateLimit {
                limit: 5,
                window_secs: 30,
            }),
            ..Default::default()
        },
    );
    let annotations = Annotations::from_app(&app);
    annotations.has_error_code("Us/Acl", codes::waf::NAME_INVALID);
    annotations.has_error_code("Us/Acl", codes::waf::RULE_GROUP_DUPLICATE);
    assert_eq!(
        annotations
            .find_code("Us/Acl", codes::waf::RATE_LIMIT_INVALID)
            .len(),
        2
    );
}

fn internet_alb<'a>(stack: Stack<'a>, id: &str) -> ApplicationLoadBalancer<'a> {
    ApplicationLoadBalancer::new(
        stack,
        id,
        &imported_vpc(stack),
        ApplicationLoadBalancerProps {
            scheme: Scheme::InternetFacing,
            ..Default::default()
        },
    )
}

#[test]
fn https_listener_needs_a_certificate_and_a_modern_tls_policy() {
    let app = App::new("t");
    let stack = stack_in(&app, "Us", "us-east-1");
    let alb = internet_alb(stack, "Alb");
    let group = TargetGroup::new(
        stack,
        "Tg",
        &imported_vpc(stack),
        8080,
        TargetGroupProps::default(),
    );
    alb.add_listener(
        "NoCert",
        ListenerProtocol::https(vec![]),
        ListenerAction::forward(group),
        ListenerProps::default(),
    );
    alb.add_listener(
        "OldTls",
        ListenerProtocol::Https {
            certificates: vec![Certificate::from_arn(
                stack,
                "OldTlsCert",
                "arn:aws:acm:us-east-1:123456789012:certificate/abc",
            )],
            ssl_policy: SslPolicy::Named("ELBSecurityPolicy-2016-08".into()),
        },
        ListenerAction::forward(group),
        ListenerProps {
            port: Some(8443),
            ..Default::default()
        },
    );
    alb.add_listener(
        "OtherRegion",
        ListenerProtocol::https(vec![Certificate::from_arn(
            stack,
            "IrelandCert",
            "arn:aws:acm:eu-west-1:123456789012:certificate/abc",
        )]),
        ListenerAction::forward(group),
        ListenerProps {
            port: Some(9443),
            ..Default::default()
        },
    );
    let annotations = Annotations::from_app(&app);
    annotations.has_error_with_hint(
        "Us/Alb/NoCert",
        "an HTTPS listener needs a certificate",
        "pass the load balancer's certificate",
    );
    annotations.has_error_with_hint(
        "Us/Alb/OldTls",
        "ssl policy \"ELBSecurityPolicy-2016-08\" is not one that refuses TLS versions before 1.2",
        "use SslPolicy::Tls13And12",
    );
    annotations.has_error_code("Us/Alb/OtherRegion", codes::acm::REGION_MISMATCH);
}

#[test]
fn listener_actions_are_checked() {
    let app = App::new("t");
    let stack = stack_in(&app, "Us", "us-east-1");
    let alb = internet_alb(stack, "Alb");
    let vpc = imported_vpc(stack);
    let blue = TargetGroup::new(stack, "Blue", &vpc, 8080, TargetGroupProps::default());
    let green = TargetGroup::new(stack, "Green", &vpc, 8080, TargetGroupProps::default());
    let cert = || {
        ListenerProtocol::https(vec![Certificate::from_arn(
            stack,
            "ImportedCertificate",
            "arn:aws:acm:us-east-1:123456789012:certificate/abc",
        )])
    };
    let port = |p| ListenerProps {
        port: Some(p),
        ..Default::default()
    };
    alb.add_listener(
        "Zero",
        cert(),
        ListenerAction::weighted([(blue, 0), (green, 0)]),
        port(443),
    );
    alb.add_listener(
        "Heavy",
        cert(),
        ListenerAction::weighted([(blue, 1000), (blue, 1)]),
        port(444),
    );
    alb.add_listener(
        "Fixed",
        cert(),
        ListenerAction::FixedResponse {
            status_code: 302,
            content_type: None,
            body: None,
        },
        port(445),
    );
    alb.add_listener("Empty", cert(), ListenerAction::Forward(vec![]), port(446));
    let annotations = Annotations::from_app(&app);
    annotations.has_error_code("Us/Alb/Zero", codes::elb::FORWARD_WEIGHTS_INVALID);
    annotations.has_error_code("Us/Alb/Heavy", codes::elb::FORWARD_WEIGHTS_INVALID);
    annotations.has_error_code("Us/Alb/Heavy", codes::elb::FORWARD_TARGET_DUPLICATE);
    annotations.has_error_code("Us/Alb/Fixed", codes::elb::FIXED_RESPONSE_INVALID);
    annotations.has_error_code("Us/Alb/Empty", codes::elb::FORWARD_TARGET_COUNT);
}

#[test]
fn load_balancer_placement_and_logs_are_checked() {
    let app = App::new("t");
    let stack = stack_in(&app, "Us", "us-east-1");
    ApplicationLoadBalancer::new(
        stack,
        "Hidden",
        &imported_vpc(stack),
        ApplicationLoadBalancerProps {
            scheme: Scheme::InternetFacing,
            subnets: Some(cirrus_aws::ec2::SubnetType::PrivateWithEgress),
            ..Default::default()
        },
    );
    let one_az = Vpc::from_attributes(
        stack,
        "OneAzVpc",
        VpcAttributes {
            vpc_id: "vpc-0a1b2c3d4e5f60718".into(),
            cidr_block: "10.0.0.0/16".into(),
            public_subnets: vec![(
                "subnet-0a000000000000000".into(),
                "us-east-1a".into(),
                "rtb-0a000000000000000".into(),
            )],
            private_subnets: vec![],
            isolated_subnets: vec![],
        },
    );
    ApplicationLoadBalancer::new(
        stack,
        "OneAz",
        &one_az,
        ApplicationLoadBalancerProps {
            scheme: Scheme::InternetFacing,
            ..Default::default()
        },
    );
    let key = Key::new(stack, "Key", KeyProps::default());
    let encrypted = Bucket::new(
        stack,
        "Encrypted",
        BucketProps {
            encryption: BucketEncryption::Kms(key),
            ..Default::default()
        },
    );
    ApplicationLoadBalancer::new(
        stack,
        "KmsLogs",
        &imported_vpc(stack),
        ApplicationLoadBalancerProps {
            access_logs: LoadBalancerLogs::To {
                bucket: encrypted,
                prefix: "alb/",
            },
            name: Some("internal-x".into()),
            ..Default::default()
        },
    );
    let cloudfront_acl = WebAcl::new(
        stack,
        "Acl",
        WebAclScope::CloudFront,
        WebAclProps::default(),
    );
    ApplicationLoadBalancer::new(
        stack,
        "WrongAcl",
        &imported_vpc(stack),
        ApplicationLoadBalancerProps {
            web_acl: Some(cloudfront_acl.to_ref()),
            ..Default::default()
        },
    );
    let annotations = Annotations::from_app(&app);
    annotations.has_error_code("Us/Hidden", codes::elb::INTERNET_FACING_IN_PRIVATE_SUBNETS);
    annotations.has_error_code("Us/OneAz", codes::elb::SUBNETS_INSUFFICIENT);
    annotations.has_error_code("Us/KmsLogs", codes::elb::ACCESS_LOG_BUCKET_KMS);
    annotations.has_error_code("Us/KmsLogs", codes::elb::ACCESS_LOG_PREFIX_INVALID);
    annotations.has_error_code("Us/KmsLogs", codes::elb::LOAD_BALANCER_NAME_INVALID);
    annotations.has_error_code(
        "Us/WrongAcl",
        codes::waf::CLOUDFRONT_ACL_ON_REGIONAL_RESOURCE,
    );
}

#[test]
fn target_group_health_checks_are_checked() {
    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    TargetGroup::new(
        stack,
        "Tg",
        &imported_vpc(stack),
        8080,
        TargetGroupProps {
            health_check: HealthCheck {
                path: "healthz".into(),
                interval_secs: 10,
                timeout_secs: 10,
                healthy_threshold: 1,
                healthy_codes: "200-".into(),
                ..Default::default()
            },
            deregistration_delay_secs: Some(4000),
            ..Default::default()
        },
    );
    let annotations = Annotations::from_app(&app);
    annotations.has_error_code("S/Tg", codes::elb::HEALTH_CHECK_PATH_INVALID);
    annotations.has_error_code("S/Tg", codes::elb::HEALTH_CHECK_TIMEOUT_INVALID);
    annotations.has_error_code("S/Tg", codes::elb::HEALTH_CHECK_THRESHOLD_OUT_OF_RANGE);
    annotations.has_error_code("S/Tg", codes::elb::HEALTHY_CODES_INVALID);
    annotations.has_error_code("S/Tg", codes::elb::DEREGISTRATION_DELAY_OUT_OF_RANGE);
}

fn log_principals(stack: Stack<'_>) -> Vec<Value> {
    let (_, policy) = one(&Template::from_stack(&stack), "AccessLogsBucketPolicy");
    policy["Properties"]["PolicyDocument"]["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| {
            s["Resource"]["Fn::Sub"]
                .as_str()
                .is_some_and(|r| r.contains("/AWSLogs/"))
        })
        .map(|s| s["Principal"].clone())
        .collect()
}

#[test]
fn elb_log_delivery_follows_the_region() {
    let app = App::new("t");
    let old = stack_in(&app, "Old", "eu-west-1");
    ApplicationLoadBalancer::new(old, "Alb", &imported_vpc(old), Default::default());
    let new = stack_in(&app, "New", "ap-southeast-7");
    ApplicationLoadBalancer::new(new, "Alb", &imported_vpc(new), Default::default());
    let agnostic = app.stack("Agnostic", StackProps::default());
    ApplicationLoadBalancer::new(agnostic, "Alb", &imported_vpc(agnostic), Default::default());

    let service = json!({"Service": "logdelivery.elasticloadbalancing.amazonaws.com"});
    assert_eq!(
        log_principals(old),
        vec![
            service.clone(),
            json!({"AWS": {"Fn::Sub": "arn:${AWS::Partition}:iam::156460612806:root"}})
        ]
    );
    assert_eq!(log_principals(new), vec![service.clone()]);
    assert_eq!(log_principals(agnostic), vec![service]);
    let out = app.synth().unwrap();
    Annotations::from_diagnostics(out.warnings.clone())
        .has_warning_code("Agnostic/Alb", codes::elb::ACCESS_LOGS_REGION_UNKNOWN);
    let (_, alb) = one(&Template::from_stack(&old), "Alb16C2F182");
    assert_eq!(alb["DependsOn"], json!(["AccessLogsBucketPolicy7F77476F"]));
}

#[test]
fn forwarding_opens_only_the_target_ports_towards_the_vpc() {
    let app = App::new("t");
    let stack = stack_in(&app, "Us", "us-east-1");
    let alb = internet_alb(stack, "Alb");
    let vpc = imported_vpc(stack);
    let tg = TargetGroup::new(
        stack,
        "Tg",
        &vpc,
        8080,
        TargetGroupProps {
            health_check: HealthCheck {
                port: Some(9090),
                ..Default::default()
            },
            ..Default::default()
        },
    );
    alb.add_listener(
        "Https",
        ListenerProtocol::https(vec![Certificate::from_arn(
            stack,
            "ImportedCertificate",
            "arn:aws:acm:us-east-1:123456789012:certificate/abc",
        )]),
        ListenerAction::forward(tg),
        ListenerProps::default(),
    );
    let (_, sg) = one(&Template::from_stack(&stack), "AlbSecurityGroup");
    let egress: Vec<(i64, &str)> = sg["Properties"]["SecurityGroupEgress"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["FromPort"].as_i64().unwrap(),
                r["CidrIp"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(egress, vec![(8080, "10.0.0.0/16"), (9090, "10.0.0.0/16")]);
    let ingress = sg["Properties"]["SecurityGroupIngress"].as_array().unwrap();
    assert_eq!(ingress.len(), 1);
    assert_eq!(ingress[0]["CidrIp"], "0.0.0.0/0");
    assert_eq!(ingress[0]["FromPort"], 443);
}

#[test]
fn record_names_and_routing_are_checked() {
    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    let zone = HostedZone::from_attributes(
        stack,
        "ImportedZone",
        "Z0123456789ABCDEFGHIJ",
        "example.com",
    );
    let a = |ip: &str| RecordTarget::A(vec![ip.into()]);
    RecordSet::new(
        stack,
        "Outside",
        &zone,
        "www.example.org",
        a("192.0.2.1"),
        Default::default(),
    );
    RecordSet::new(
        stack,
        "Suffix",
        &zone,
        "badexample.com",
        a("192.0.2.1"),
        Default::default(),
    );
    RecordSet::new(
        stack,
        "Label",
        &zone,
        "-bad.example.com",
        a("192.0.2.1"),
        Default::default(),
    );
    RecordSet::new(
        stack,
        "NotIp",
        &zone,
        "ip.example.com",
        a("192.0.2.300"),
        Default::default(),
    );
    RecordSet::new(
        stack,
        "ApexCname",
        &zone,
        "example.com",
        RecordTarget::Cname("www.example.org".into()),
        Default::default(),
    );
    let alias = AliasTarget {
        dns_name: "d111111abcdef8.cloudfront.net".into(),
        hosted_zone_id: "Z2FDTNDATAQYW2".into(),
        evaluate_target_health: false,
    };
    RecordSet::new(
        stack,
        "AliasTtl",
        &zone,
        "cdn.example.com",
        RecordTarget::AliasA(alias.clone()),
        RecordSetProps {
            ttl_secs: Some(60),
            ..Default::default()
        },
    );
    RecordSet::new(
        stack,
        "BlindPrimary",
        &zone,
        "api.example.com",
        RecordTarget::AliasA(alias),
        RecordSetProps {
            routing: Routing::Failover {
                role: FailoverRole::Primary,
                set_identifier: "primary".into(),
                health_check_id: None,
            },
            ..Default::default()
        },
    );
    RecordSet::new(
        stack,
        "Latency",
        &zone,
        "lat.example.com",
        a("192.0.2.1"),
        RecordSetProps {
            routing: Routing::Latency {
                region: "Europe".into(),
                set_identifier: "".into(),
                health_check_id: None,
            },
            ..Default::default()
        },
    );
    let bad_zone =
        HostedZone::from_attributes(stack, "SlashedZone", "/hostedzone/Z0123", "example.com");
    RecordSet::new(
        stack,
        "BadZone",
        &bad_zone,
        "x.example.com",
        a("192.0.2.1"),
        Default::default(),
    );
    let annotations = Annotations::from_app(&app);
    annotations.has_error_code("S/Outside", codes::route53::RECORD_NOT_IN_ZONE);
    annotations.has_error_code("S/Suffix", codes::route53::RECORD_NOT_IN_ZONE);
    annotations.has_error_code("S/Label", codes::route53::RECORD_NAME_INVALID);
    annotations.has_error_code("S/NotIp", codes::route53::RECORD_VALUE_INVALID);
    annotations.has_error_code("S/ApexCname", codes::route53::CNAME_AT_APEX);
    annotations.has_error_code("S/AliasTtl", codes::route53::ALIAS_WITH_TTL);
    annotations.has_error_code(
        "S/BlindPrimary",
        codes::route53::FAILOVER_WITHOUT_HEALTH_CHECK,
    );
    annotations.has_error_code("S/Latency", codes::route53::REGION_INVALID);
    annotations.has_no_code("S/Latency", codes::route53::REGION_UNKNOWN);
    annotations.has_error_code("S/Latency", codes::route53::SET_IDENTIFIER_INVALID);
    annotations.has_error_code("S/SlashedZone", codes::route53::ZONE_ID_INVALID);
    // Reported once, at the import, rather than by each record that uses the zone.
    assert!(
        !annotations.errors().iter().any(|d| d.path == "S/BadZone"),
        "{annotations:#?}"
    );
}

#[test]
fn geolocation_records_check_their_location_codes() {
    let app = App::new("t");
    let stack = stack_in(&app, "S", "us-east-1");
    let zone = HostedZone::from_attributes(
        stack,
        "ImportedZone",
        "Z0123456789ABCDEFGHIJ",
        "example.com",
    );
    for (id, location) in [
        ("Continent", GeoLocation::Continent("EUROPE".into())),
        ("Country", GeoLocation::Country("de".into())),
        (
            "Subdivision",
            GeoLocation::Subdivision {
                country: "US".into(),
                code: "Wash".into(),
            },
        ),
        ("Fine", GeoLocation::Country("DE".into())),
    ] {
        RecordSet::new(
            stack,
            id,
            &zone,
            "geo.example.com",
            RecordTarget::A(vec!["192.0.2.1".into()]),
            RecordSetProps {
                routing: Routing::Geolocation {
                    location,
                    set_identifier: id.to_lowercase(),
                    health_check_id: None,
                },
                ..Default::default()
            },
        );
    }
    let annotations = Annotations::from_app(&app);
    annotations.has_error_code("S/Continent", codes::route53::GEOLOCATION_INVALID);
    annotations.has_error_code("S/Country", codes::route53::GEOLOCATION_INVALID);
    annotations.has_error_code("S/Subdivision", codes::route53::GEOLOCATION_INVALID);
    assert_eq!(
        annotations
            .errors()
            .iter()
            .filter(|d| d.path.starts_with("S/Fine"))
            .count(),
        0,
        "{annotations:#?}"
    );
}

#[test]
fn alias_records_of_a_load_balancer_evaluate_target_health() {
    let app = App::new("t");
    let stack = stack_in(&app, "Us", "us-east-1");
    let alb = internet_alb(stack, "Alb");
    let zone = HostedZone::from_attributes(
        stack,
        "ImportedZone",
        "Z0123456789ABCDEFGHIJ",
        "example.com",
    );
    RecordSet::new(
        stack,
        "Origin",
        &zone,
        "Origin.Example.com.",
        RecordTarget::AliasA(alb.alias_target()),
        RecordSetProps {
            routing: Routing::Failover {
                role: FailoverRole::Primary,
                set_identifier: "us-east-1".into(),
                health_check_id: None,
            },
            ..Default::default()
        },
    );
    let (_, record) = one(&Template::from_stack(&stack), "Origin");
    assert_eq!(
        record["Properties"],
        json!({
            "AliasTarget": {
                "DNSName": {"Fn::GetAtt": ["Alb16C2F182", "DNSName"]},
                "EvaluateTargetHealth": true,
                "HostedZoneId": {"Fn::GetAtt": ["Alb16C2F182", "CanonicalHostedZoneID"]}
            },
            "Failover": "PRIMARY",
            "HostedZoneId": "Z0123456789ABCDEFGHIJ",
            "Name": "origin.example.com.",
            "SetIdentifier": "us-east-1",
            "Type": "A"
        })
    );
}

#[test]
fn certificate_names_and_validation_are_checked() {
    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    let zone = HostedZone::from_attributes(
        stack,
        "ImportedZone",
        "Z0123456789ABCDEFGHIJ",
        "example.com",
    );
    Certificate::new(
        stack,
        "Outside",
        "www.example.org",
        CertificateValidation::Dns(zone.clone()),
        CertificateProps::default(),
    );
    Certificate::new(
        stack,
        "Twice",
        "www.example.com",
        CertificateValidation::Dns(zone.clone()),
        CertificateProps {
            subject_alternative_names: vec![
                "WWW.example.com".into(),
                "bad_name.example.com".into(),
            ],
            ..Default::default()
        },
    );
    Certificate::new(
        stack,
        "Missing",
        "a.example.com",
        CertificateValidation::DnsZones(vec![("b.example.com".into(), zone)]),
        CertificateProps::default(),
    );
    let annotations = Annotations::from_app(&app);
    annotations.has_error_code("S/Outside", codes::acm::NAME_OUTSIDE_ZONE);
    annotations.has_error_code("S/Twice", codes::acm::NAME_DUPLICATE);
    annotations.has_error_code("S/Twice", codes::acm::NAME_INVALID);
    annotations.has_error_code("S/Missing", codes::acm::ZONE_UNUSED);
    annotations.has_error_code("S/Missing", codes::acm::ZONE_MISSING);
}

#[test]
fn certificate_region_comes_from_its_stack() {
    let app = App::new("t");
    let us = stack_in(&app, "Us", "us-east-1");
    let cert = Certificate::new(
        us,
        "Cert",
        "www.example.com",
        CertificateValidation::DnsManual,
        CertificateProps::default(),
    );
    assert_eq!(cert.certificate_region().as_deref(), Some("us-east-1"));
    let agnostic = app.stack("Any", StackProps::default());
    let cert = Certificate::new(
        agnostic,
        "Cert",
        "www.example.com",
        CertificateValidation::Email,
        CertificateProps::default(),
    );
    assert_eq!(cert.certificate_region(), None);
    let (_, resource) = one(&Template::from_stack(&agnostic), "Cert");
    assert_eq!(resource["Properties"]["ValidationMethod"], "EMAIL");
    assert!(
        resource["Properties"]
            .get("DomainValidationOptions")
            .is_none()
    );
}

#[test]
fn vpc_cidr_from_an_expression_gets_standalone_rules() {
    let app = App::new("t");
    let stack = stack_in(&app, "Us", "us-east-1");
    let vpc = Vpc::from_attributes(
        stack,
        "ExprVpc",
        VpcAttributes {
            vpc_id: cirrus_core::fns::import_value("Network:VpcId"),
            cidr_block: cirrus_core::fns::import_value("Network:VpcCidr"),
            public_subnets: vec![],
            private_subnets: vec![
                (
                    "subnet-0b000000000000000".into(),
                    cirrus_core::fns::select(0, cirrus_core::fns::get_azs("")),
                    "rtb-0b000000000000000".into(),
                ),
                (
                    "subnet-0b100000000000000".into(),
                    cirrus_core::fns::select(1, cirrus_core::fns::get_azs("")),
                    "rtb-0b100000000000000".into(),
                ),
            ],
            isolated_subnets: vec![],
        },
    );
    let alb = ApplicationLoadBalancer::new(stack, "Alb", &vpc, Default::default());
    let tg = TargetGroup::new(stack, "Tg", &vpc, 8080, TargetGroupProps::default());
    alb.add_listener(
        "Https",
        ListenerProtocol::https(vec![Certificate::from_arn(
            stack,
            "ImportedCertificate",
            "arn:aws:acm:us-east-1:123456789012:certificate/abc",
        )]),
        ListenerAction::forward(tg),
        ListenerProps::default(),
    );
    let cidr = json!({"Fn::ImportValue": "Network:VpcCidr"});
    let (_, ingress) = one(&Template::from_stack(&stack), "AlbVpcIngress1");
    assert_eq!(ingress["Type"], "AWS::EC2::SecurityGroupIngress");
    assert_eq!(ingress["Properties"]["CidrIp"], cidr);
    assert_eq!(ingress["Properties"]["FromPort"], 443);
    let (_, egress) = one(&Template::from_stack(&stack), "AlbTargetEgress8080");
    assert_eq!(egress["Properties"]["CidrIp"], cidr);
    assert_eq!(egress["Properties"]["ToPort"], 8080);
    let (_, lb) = one(&Template::from_stack(&stack), "Alb16C2F182");
    assert_eq!(lb["Properties"]["Scheme"], "internal");

    let closed = ApplicationLoadBalancer::new(
        stack,
        "Closed",
        &vpc,
        ApplicationLoadBalancerProps {
            egress_to_vpc: false,
            ..Default::default()
        },
    );
    closed.add_listener(
        "Https",
        ListenerProtocol::https(vec![Certificate::from_arn(
            stack,
            "ImportedCertificate2",
            "arn:aws:acm:us-east-1:123456789012:certificate/abc",
        )]),
        ListenerAction::forward(tg),
        ListenerProps::default(),
    );
    assert!(resources(&Template::from_stack(&stack), "ClosedTargetEgress").is_empty());
}

const EDGE_ACL: &str = "arn:aws:wafv2:us-east-1:111122223333:global/webacl/edge/a1b2c3d4";
const REGIONAL_ACL: &str = "arn:aws:wafv2:us-east-1:111122223333:regional/webacl/alb/e5f6a7b8";

fn no_logs_distribution<'a>(
    stack: Stack<'a>,
    id: &str,
    firewall: Firewall<'a>,
) -> Distribution<'a> {
    Distribution::new(
        stack,
        id,
        Behavior::new(Origin::Http(HttpOrigin::new("origin.example.com"))),
        DistributionProps {
            firewall,
            logging: DistributionLogging::Disabled,
            ..Default::default()
        },
    )
}

#[test]
fn imported_web_acls_protect_distributions_and_load_balancers() {
    let app = App::new("t");
    let stack = stack_in(&app, "Us", "us-east-1");
    no_logs_distribution(
        stack,
        "Cdn",
        Firewall::WebAcl(WebAcl::from_arn(stack, "ImportedWebAcl", EDGE_ACL)),
    );
    ApplicationLoadBalancer::new(
        stack,
        "Alb",
        &imported_vpc(stack),
        ApplicationLoadBalancerProps {
            access_logs: LoadBalancerLogs::Disabled,
            web_acl: Some(WebAcl::from_arn(stack, "ImportedWebAcl2", REGIONAL_ACL)),
            ..Default::default()
        },
    );
    let (_, cdn) = one(&Template::from_stack(&stack), "Cdn");
    assert_eq!(
        cdn["Properties"]["DistributionConfig"]["WebACLId"],
        json!(EDGE_ACL)
    );
    let (_, association) = one(&Template::from_stack(&stack), "AlbWebAclAssociation");
    assert_eq!(
        association["Properties"],
        json!({"ResourceArn": {"Ref": "Alb16C2F182"}, "WebACLArn": REGIONAL_ACL})
    );
    assert!(
        resources(&Template::from_stack(&stack), "")
            .iter()
            .all(|(_, r)| r["Type"] != "AWS::WAFv2::WebACL"),
        "an imported web ACL is not created"
    );
    let acl = WebAcl::from_arn(stack, "ImportedWebAcl3", EDGE_ACL);
    assert_eq!(acl.web_acl_scope(), Some(WebAclScope::CloudFront));
    assert_eq!(acl.arn(), EDGE_ACL.into());
}

#[test]
fn imported_web_acls_are_checked_by_their_arn() {
    let app = App::new("t");
    let stack = stack_in(&app, "Us", "us-east-1");
    no_logs_distribution(
        stack,
        "Regional",
        Firewall::WebAcl(WebAcl::from_arn(stack, "RegionalAcl", REGIONAL_ACL)),
    );
    no_logs_distribution(
        stack,
        "Bad",
        Firewall::WebAcl(WebAcl::from_arn(stack, "BadAcl", "acl-1")),
    );
    ApplicationLoadBalancer::new(
        stack,
        "Alb",
        &imported_vpc(stack),
        ApplicationLoadBalancerProps {
            access_logs: LoadBalancerLogs::Disabled,
            web_acl: Some(WebAcl::from_arn(stack, "EdgeAcl", EDGE_ACL)),
            ..Default::default()
        },
    );
    let annotations = Annotations::from_app(&app);
    annotations.has_error_code("Us/Regional", codes::cloudfront::WEB_ACL_REGIONAL);
    // A malformed ARN is reported at the import, not at the distribution that uses it.
    annotations.has_error_with_hint(
        "Us/BadAcl",
        "\"acl-1\" is not the ARN of a WAFv2 web ACL",
        "web ACL ARNs read arn:aws:wafv2:us-east-1:<account>:global/webacl/<name>/<id>",
    );
    assert!(
        !annotations.errors().iter().any(|d| d.path == "Us/Bad"),
        "{annotations:#?}"
    );
    annotations.has_error_code("Us/Alb", codes::waf::CLOUDFRONT_ACL_ON_REGIONAL_RESOURCE);
}

fn shared_alb(stack: Stack<'_>) -> ImportedApplicationLoadBalancer<'_> {
    ApplicationLoadBalancer::from_attributes(stack, "ImportedLoadBalancer", LoadBalancerAttributes {
        arn: "arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/app/shared/50dc6c495c0c9188".into(),
        dns_name: "shared-1234567890.us-east-1.elb.amazonaws.com".into(),
        canonical_hosted_zone_id: "Z35SXDOTRQ7X7K".into(),
        security_group_ids: vec!["sg-0123456789abcdef0".into()],
    })
}

/// A record pointing at `lb`, whichever kind of load balancer it is.
fn origin_record<'a>(stack: Stack<'a>, id: &str, name: &str, lb: &impl ILoadBalancer) {
    let zone = HostedZone::from_attributes(
        stack,
        &format!("{id}Zone"),
        "Z0123456789ABCDEFGHIJ",
        "example.com",
    );
    RecordSet::new(
        stack,
        id,
        &zone,
        name,
        RecordTarget::AliasA(lb.load_balancer_alias_target()),
        RecordSetProps::default(),
    );
}

#[test]
fn imported_load_balancers_are_alias_targets_and_origins() {
    let app = App::new("t");
    let stack = stack_in(&app, "Us", "us-east-1");
    let owned = internet_alb(stack, "Alb");
    let shared = shared_alb(stack);
    origin_record(stack, "OwnedRecord", "owned.example.com", &owned);
    origin_record(stack, "SharedRecord", "shared.example.com", &shared);
    no_logs_distribution(stack, "Cdn", Firewall::Disabled);
    Distribution::new(
        stack,
        "SharedCdn",
        Behavior::new(Origin::Http(HttpOrigin::new(shared.dns_name()))),
        DistributionProps {
            logging: DistributionLogging::Disabled,
            firewall: Firewall::Disabled,
            ..Default::default()
        },
    );
    // Its targets admit the load balancer's security group.
    let targets = SecurityGroup::new(
        stack,
        "Targets",
        &imported_vpc(stack),
        "the targets of the shared load balancer",
        SecurityGroupProps::default(),
    );
    for group in shared.security_groups() {
        targets.add_ingress_rule(
            Peer::SecurityGroup(group.id()),
            Port::Tcp(8080),
            "from the shared load balancer",
        );
    }
    // A regional web ACL of this app protects it.
    let acl = WebAcl::new(stack, "Acl", WebAclScope::Regional, WebAclProps::default());
    acl.associate(stack.node(), "SharedAcl", shared.arn());

    let (_, owned_record) = one(&Template::from_stack(&stack), "OwnedRecord");
    let (_, shared_record) = one(&Template::from_stack(&stack), "SharedRecord");
    assert_eq!(
        owned_record["Properties"]["AliasTarget"]["EvaluateTargetHealth"],
        json!(true)
    );
    assert_eq!(
        shared_record["Properties"]["AliasTarget"],
        json!({
            "DNSName": "shared-1234567890.us-east-1.elb.amazonaws.com",
            "EvaluateTargetHealth": true,
            "HostedZoneId": "Z35SXDOTRQ7X7K",
        })
    );
    assert_eq!(shared.alias_target(), shared.load_balancer_alias_target());
    let (_, cdn) = one(&Template::from_stack(&stack), "SharedCdn");
    assert_eq!(
        cdn["Properties"]["DistributionConfig"]["Origins"][0]["DomainName"],
        json!("shared-1234567890.us-east-1.elb.amazonaws.com")
    );
    let (_, ingress) = one(&Template::from_stack(&stack), "TargetsIngress");
    assert_eq!(
        ingress["Properties"]["SourceSecurityGroupId"],
        json!("sg-0123456789abcdef0")
    );
    let (_, association) = one(&Template::from_stack(&stack), "SharedAcl");
    assert_eq!(
        association["Properties"]["ResourceArn"],
        json!(
            "arn:aws:elasticloadbalancing:us-east-1:111122223333:loadbalancer/app/shared/50dc6c495c0c9188"
        )
    );
}

const SHARED_TG: &str =
    "arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/shared/73e2d6bc24d8a067";

/// HTTPS with an imported certificate, imported as `<listener>Certificate`.
fn https<'a>(stack: Stack<'a>, listener: &str) -> ListenerProtocol<'a> {
    ListenerProtocol::https(vec![Certificate::from_arn(
        stack,
        &format!("{listener}Certificate"),
        "arn:aws:acm:us-east-1:123456789012:certificate/abc",
    )])
}

#[test]
fn listeners_forward_to_imported_target_groups() {
    let app = App::new("t");
    let stack = stack_in(&app, "Us", "us-east-1");
    let alb = internet_alb(stack, "Alb");
    let owned = TargetGroup::new(
        stack,
        "Blue",
        &imported_vpc(stack),
        8080,
        TargetGroupProps::default(),
    );
    let shared = TargetGroup::from_arn(stack, "ImportedTargetGroup", SHARED_TG).with_ports([9090]);
    let listener = alb.add_listener(
        "Https",
        https(stack, "Https"),
        ListenerAction::weighted([
            (TargetGroupRef::from(owned), 90),
            (shared.clone().into(), 10),
        ]),
        ListenerProps::default(),
    );
    alb.add_listener(
        "Admin",
        https(stack, "Admin"),
        ListenerAction::forward(&shared),
        ListenerProps {
            port: Some(8443),
            ..Default::default()
        },
    );
    let (_, https_listener) = one(&Template::from_stack(&stack), "AlbHttps");
    assert_eq!(
        https_listener["Properties"]["DefaultActions"][0]["ForwardConfig"]["TargetGroups"],
        json!([
            {"TargetGroupArn": {"Ref": "Blue10BB7880"}, "Weight": 90},
            {"TargetGroupArn": SHARED_TG, "Weight": 10},
        ])
    );
    let (_, admin) = one(&Template::from_stack(&stack), "AlbAdmin");
    assert_eq!(
        admin["Properties"]["DefaultActions"][0]["TargetGroupArn"],
        json!(SHARED_TG)
    );
    // The imported group's port is opened towards the VPC, as the owned group's is.
    let (_, sg) = one(&Template::from_stack(&stack), "AlbSecurityGroup");
    let egress: Vec<i64> = sg["Properties"]["SecurityGroupEgress"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["FromPort"].as_i64().unwrap())
        .collect();
    assert_eq!(egress, vec![8080, 9090]);

    // Listener rules attach to an imported listener as to one of this app.
    let rule = |id: &str, listener: &dyn Fn() -> cirrus_core::Expr<String>| {
        stack.node().add(
            id,
            CfnListenerRule {
                listener_arn: Some(listener()),
                ..CfnListenerRule::new(
                    vec![listener_rule::Action {
                        target_group_arn: Some(SHARED_TG.into()),
                        ..listener_rule::Action::new("forward")
                    }],
                    vec![listener_rule::RuleCondition {
                        field: Some("host-header".into()),
                        values: Some(vec!["admin.example.com"].into()),
                        ..Default::default()
                    }],
                    10,
                )
            },
        );
    };
    let imported = Listener::from_arn(
        stack,
        "ImportedListener",
        "arn:aws:elasticloadbalancing:us-east-1:111122223333:listener/app/shared/50dc6c495c0c9188/f2f7dc8efc522ab2",
    );
    rule("OwnedRule", &|| listener.arn());
    rule("SharedRule", &|| imported.arn());
    let (_, owned_rule) = one(&Template::from_stack(&stack), "OwnedRule");
    let (_, shared_rule) = one(&Template::from_stack(&stack), "SharedRule");
    assert_eq!(
        owned_rule["Properties"]["ListenerArn"],
        json!({"Ref": "AlbHttpsB7CA700A"})
    );
    assert_eq!(
        shared_rule["Properties"]["ListenerArn"],
        json!(imported.arn().as_literal().unwrap())
    );
    assert!(app.synth().unwrap().warnings.is_empty());
}

#[test]
fn forwarding_to_imported_target_groups_is_checked() {
    let app = App::new("t");
    let stack = stack_in(&app, "Us", "us-east-1");
    let alb = internet_alb(stack, "Alb");
    alb.add_listener(
        "Portless",
        https(stack, "Portless"),
        ListenerAction::forward(TargetGroup::from_arn(stack, "SharedTg", SHARED_TG)),
        ListenerProps::default(),
    );
    let warnings: Vec<String> = app
        .synth()
        .unwrap()
        .warnings
        .iter()
        .map(|w| format!("{}: {}", w.path, w.message))
        .collect();
    assert_eq!(
        warnings,
        vec![format!(
            "Us/Alb/Portless: the ports of the imported target group Us/SharedTg ({SHARED_TG}) are not known, so the load balancer's security group is not opened towards its targets: give them with ImportedTargetGroup::with_ports, or add the egress rule to the load balancer's security group"
        )]
    );
    alb.add_listener(
        "Twice",
        https(stack, "Twice"),
        ListenerAction::weighted([
            (
                TargetGroup::from_arn(stack, "SharedTgOn80", SHARED_TG).with_ports([80]),
                1,
            ),
            (
                TargetGroup::from_arn(stack, "SharedTgOn8080", SHARED_TG).with_ports([8080]),
                1,
            ),
        ]),
        ListenerProps {
            port: Some(444),
            ..Default::default()
        },
    );
    alb.add_listener(
        "Bad",
        https(stack, "Bad"),
        ListenerAction::forward(TargetGroup::from_arn(stack, "BadTg", "tg-1").with_ports([80])),
        ListenerProps {
            port: Some(445),
            ..Default::default()
        },
    );
    let annotations = Annotations::from_app(&app);
    annotations.has_error_code("Us/Alb/Twice", codes::elb::FORWARD_TARGET_DUPLICATE);
    // A malformed ARN is reported at the import, not at the listener that forwards to it.
    annotations.has_error_with_hint(
        "Us/BadTg",
        "\"tg-1\" is not the ARN of an ELB target group",
        "target group ARNs read arn:aws:elasticloadbalancing:<region>:<account>:targetgroup/<name>/<id>",
    );
}

#[test]
fn distributions_grant_invalidation_and_imported_ones_are_alias_targets() {
    let app = App::new("t");
    let stack = stack_in(&app, "Us", "us-east-1");
    let owned = no_logs_distribution(stack, "Cdn", Firewall::Disabled);
    let existing = Distribution::from_attributes(
        stack,
        "ImportedDistribution",
        "E1U5RQF7T870K0",
        "d111111abcdef8.cloudfront.net",
    );
    let deployer = Role::new(
        stack,
        "Deployer",
        Principal::service("codebuild.amazonaws.com"),
        RoleProps::default(),
    );
    owned.grant_create_invalidation(&deployer);
    existing.grant_create_invalidation(&deployer);
    let zone = HostedZone::from_attributes(
        stack,
        "ImportedZone",
        "Z0123456789ABCDEFGHIJ",
        "example.com",
    );
    for (id, target) in [
        ("Owned", owned.alias_target()),
        ("Existing", existing.alias_target()),
    ] {
        RecordSet::new(
            stack,
            id,
            &zone,
            &format!("{}.example.com", id.to_lowercase()),
            RecordTarget::AliasA(target),
            RecordSetProps::default(),
        );
    }
    let (_, policy) = one(&Template::from_stack(&stack), "DeployerDefaultPolicy");
    assert_eq!(
        policy["Properties"]["PolicyDocument"]["Statement"],
        json!([{
            "Effect": "Allow",
            "Action": "cloudfront:CreateInvalidation",
            "Resource": [
                {"Fn::Sub": "arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/${Cdn9963B1AD}"},
                {"Fn::Sub": "arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/E1U5RQF7T870K0"},
            ],
        }])
    );
    let (_, record) = one(&Template::from_stack(&stack), "Existing");
    assert_eq!(
        record["Properties"]["AliasTarget"],
        json!({
            "DNSName": "d111111abcdef8.cloudfront.net",
            "EvaluateTargetHealth": false,
            "HostedZoneId": "Z2FDTNDATAQYW2",
        })
    );
    let (_, owned_record) = one(&Template::from_stack(&stack), "Owned");
    assert_eq!(
        owned_record["Properties"]["AliasTarget"]["HostedZoneId"],
        json!("Z2FDTNDATAQYW2")
    );
    assert_eq!(existing.arn(), IDistribution::arn(&existing));
}

#[test]
fn failover_role_is_the_l1_enum() {
    // The L2 name is the generated enum itself, not a copy kept in step with it by hand.
    let role: cirrus_cfn::route53::record_set::RecordSetFailover = FailoverRole::Secondary;
    assert_eq!(role.as_str(), "SECONDARY");
    assert_eq!(FailoverRole::from("PRIMARY"), FailoverRole::Primary);
}

/// A static site's directory index at the edge: a CloudFront Function on the default
/// behaviour's viewer requests, published, named after the stack, with the ARN in the
/// behaviour's function associations; two functions for one event and oversized code fail.
#[test]
fn a_cloudfront_function_rewrites_directory_requests_at_the_edge() {
    use cirrus_aws::cloudfront::{Function, FunctionCode, FunctionEvent, FunctionProps};
    let app = App::new("t");
    let stack = app.stack("Docs", StackProps::default());
    let site = Bucket::new(stack, "Site", BucketProps::default());
    let index = Function::new(
        stack,
        "DirectoryIndex",
        FunctionCode::DirectoryIndex,
        FunctionProps::default(),
    );
    Distribution::new(
        stack,
        "Cdn",
        Behavior::new(Origin::S3(site)).function(FunctionEvent::ViewerRequest, &index),
        DistributionProps::default(),
    );
    let template = Template::from_stack(&stack);
    let json = template.to_json();
    let resources = json["Resources"].as_object().unwrap();
    let (function_id, function) = resources
        .iter()
        .find(|(_, r)| r["Type"] == "AWS::CloudFront::Function")
        .unwrap();
    let props = &function["Properties"];
    assert_eq!(props["AutoPublish"], true);
    assert_eq!(props["FunctionConfig"]["Runtime"], "cloudfront-js-2.0");
    let name = props["Name"].as_str().unwrap();
    assert!(
        name.starts_with("Docs-DirectoryIndex-") && name.len() <= 64,
        "{name}"
    );
    assert!(
        props["FunctionCode"]
            .as_str()
            .unwrap()
            .contains("index.html")
    );
    let distribution = resources
        .values()
        .find(|r| r["Type"] == "AWS::CloudFront::Distribution")
        .unwrap();
    assert_eq!(
        distribution["Properties"]["DistributionConfig"]["DefaultCacheBehavior"]["FunctionAssociations"],
        json!([{"EventType": "viewer-request", "FunctionARN": {"Fn::GetAtt": [function_id, "FunctionARN"]}}])
    );

    let bad = App::new("t");
    let stack = bad.stack("Docs", StackProps::default());
    let site = Bucket::new(stack, "Site", BucketProps::default());
    let big = Function::new(
        stack,
        "Big",
        FunctionCode::Inline(format!(
            "function handler(e) {{ return e.request; }} //{}",
            "x".repeat(11_000)
        )),
        FunctionProps::default(),
    );
    let small = Function::new(
        stack,
        "Small",
        FunctionCode::DirectoryIndex,
        FunctionProps::default(),
    );
    Distribution::new(
        stack,
        "Cdn",
        Behavior::new(Origin::S3(site))
            .function(FunctionEvent::ViewerRequest, &small)
            .function(FunctionEvent::ViewerRequest, &big),
        DistributionProps::default(),
    );
    let long = "x".repeat(129);
    cirrus_aws::cloudfront::KeyValueStore::new(
        stack,
        "Flags",
        cirrus_aws::cloudfront::KeyValueStoreProps::default().comment(long),
    );
    let annotations = Annotations::from_app(&bad);
    annotations.has_error_code(
        "Docs/Flags",
        codes::cloudfront::KEY_VALUE_STORE_COMMENT_TOO_LONG,
    );
    annotations.has_error_code("Docs/Big", codes::cloudfront::FUNCTION_CODE_INVALID);
    annotations.has_no_code("Docs/Small", codes::cloudfront::FUNCTION_CODE_INVALID);
    annotations.has_error_code("Docs/Cdn", codes::cloudfront::FUNCTION_EVENT_TWICE);
}

/// The secure defaults that cost money standing still say so, with what does without them:
/// a distribution's web ACL and the stack's logs key.
#[test]
fn defaults_that_cost_money_are_listed_with_what_turns_them_off() {
    let app = App::new("t");
    let stack = app.stack("Site", StackProps::default());
    let site = Bucket::new(stack, "Site", BucketProps::default());
    Distribution::new(
        stack,
        "Cdn",
        Behavior::new(Origin::S3(site)),
        DistributionProps::default(),
    );
    let out = app.synth().unwrap();
    let paths: Vec<(&str, &str)> = out
        .standing_costs
        .iter()
        .map(|e| (e.path.as_str(), e.cost.turn_off.as_str()))
        .collect();
    assert!(
        paths
            .iter()
            .any(|(p, off)| *p == "Site/Cdn/WebAcl" && off.contains("Firewall::Disabled")),
        "{paths:?}"
    );
    let free = App::new("t");
    let stack = free.stack("Site", StackProps::default());
    let site = Bucket::new(stack, "Site", BucketProps::default());
    Distribution::new(
        stack,
        "Cdn",
        Behavior::new(Origin::S3(site)),
        DistributionProps::default().firewall(Firewall::Disabled),
    );
    let out = free.synth().unwrap();
    assert!(
        !out.standing_costs
            .iter()
            .any(|e| e.path.ends_with("WebAcl")),
        "{:?}",
        out.standing_costs
    );
}

#[test]
fn latency_regions_are_checked_against_the_region_table() {
    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    let zone = HostedZone::from_attributes(
        stack,
        "ImportedZone",
        "Z0123456789ABCDEFGHIJ",
        "example.com",
    );
    for (id, region) in [
        ("Typo", "eu-wset-1"),
        ("Frankfurt", "eu-central-1"),
        ("Ningxia", "cn-northwest-1"),
    ] {
        RecordSet::new(
            stack,
            id,
            &zone,
            &format!("{}.example.com", id.to_lowercase()),
            RecordTarget::A(vec!["192.0.2.1".into()]),
            RecordSetProps {
                routing: Routing::Latency {
                    region: region.into(),
                    set_identifier: id.into(),
                    health_check_id: None,
                },
                ..Default::default()
            },
        );
    }
    let annotations = Annotations::from_app(&app);
    annotations.has_error_with_hint(
        "S/Typo",
        "latency region \"eu-wset-1\" is not a region of any AWS partition",
        "the closest region is \"eu-west-1\"",
    );
    for known in ["S/Frankfurt", "S/Ningxia"] {
        annotations.has_no_code(known, codes::route53::REGION_UNKNOWN);
        annotations.has_no_code(known, codes::route53::REGION_INVALID);
    }
}

/// A listener rule of `listener` forwarding to the shared target group, with host-header
/// `hosts`.
fn host_rule(
    stack: Stack<'_>,
    id: &str,
    listener: cirrus_core::Expr<String>,
    hosts: &[&str],
    priority: i64,
) {
    stack.node().add(
        id,
        CfnListenerRule {
            listener_arn: Some(listener),
            ..CfnListenerRule::new(
                vec![listener_rule::Action {
                    target_group_arn: Some(SHARED_TG.into()),
                    ..listener_rule::Action::new("forward")
                }],
                vec![listener_rule::RuleCondition {
                    field: Some("host-header".into()),
                    values: Some(hosts.to_vec().into()),
                    ..Default::default()
                }],
                priority,
            )
        },
    );
}

#[test]
fn listener_rules_are_checked_against_elb_quotas() {
    let app = App::new("t");
    let stack = stack_in(&app, "Us", "us-east-1");
    let alb = internet_alb(stack, "Alb");
    let listener = alb.add_listener(
        "Https",
        https(stack, "Https"),
        ListenerAction::forward(TargetGroup::from_arn(stack, "Shared", SHARED_TG)),
        ListenerProps::default(),
    );
    let hosts: Vec<String> = (0..6).map(|i| format!("h{i}.example.com")).collect();
    let six: Vec<&str> = hosts.iter().map(String::as_str).collect();
    host_rule(stack, "Wide", listener.arn(), &six, 1);
    host_rule(stack, "Fine", listener.arn(), &six[..5], 2);
    host_rule(
        stack,
        "Wild",
        listener.arn(),
        &[
            "*.a.example.com",
            "*.b.example.com",
            "??.c.example.com",
            "*.*.d.example.com",
        ],
        3,
    );
    host_rule(stack, "Zero", listener.arn(), &["z.example.com"], 0);
    host_rule(stack, "TwinA", listener.arn(), &["a.example.com"], 7);
    host_rule(stack, "TwinB", listener.arn(), &["b.example.com"], 7);
    let annotations = Annotations::from_app(&app);
    annotations.has_error_with_hint(
        "Us/Wide",
        "the rule's conditions hold 6 values and 0 wildcards; a rule takes at most 5 values and 5 wildcards",
        "split the rule",
    );
    annotations.has_error("Us/Wild", "hold 4 values and 6 wildcards");
    annotations.has_error("Us/Zero", "rule priority 0 is outside 1 to 50000");
    for twin in ["Us/TwinA", "Us/TwinB"] {
        annotations.has_error(
            twin,
            "rule priority 7 is given to 2 rules of listener Us/Alb/Https (Us/TwinA, Us/TwinB)",
        );
    }
    annotations.has_no_code("Us/Fine", codes::elb::RULE_CONDITIONS_OVER_QUOTA);
    annotations.has_no_code("Us/Fine", codes::elb::RULE_PRIORITY_INVALID);
    annotations.has_no_code("Us/Alb", codes::elb::TOO_MANY_RULES);
}

#[test]
fn rules_listeners_certificates_and_target_groups_per_load_balancer_are_counted() {
    let app = App::new("t");
    let stack = stack_in(&app, "Us", "us-east-1");
    let busy = internet_alb(stack, "Busy");
    let quiet = internet_alb(stack, "Quiet");
    // 51 listeners forwarding to 5 target groups each: 255 target groups.
    for i in 0..51u16 {
        let groups: Vec<_> = (0..5)
            .map(|g| {
                let arn = format!(
                    "arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/g{i}-{g}/73e2d6bc24d8a067"
                );
                (TargetGroup::from_arn(stack, &format!("Tg{i}x{g}"), arn), 1)
            })
            .collect();
        busy.add_listener(
            &format!("L{i}"),
            ListenerProtocol::Http,
            ListenerAction::weighted(groups),
            ListenerProps {
                port: Some(8000 + i),
                ..Default::default()
            },
        );
    }
    // One HTTPS listener with 27 certificates: 26 besides the default one.
    let certificates = (0..27)
        .map(|i| {
            Certificate::from_arn(
                stack,
                &format!("Cert{i}"),
                format!("arn:aws:acm:us-east-1:123456789012:certificate/c{i}"),
            )
        })
        .collect();
    let secure = busy.add_listener(
        "Https",
        ListenerProtocol::https(certificates),
        ListenerAction::forward(TargetGroup::from_arn(stack, "Shared", SHARED_TG)),
        ListenerProps::default(),
    );
    for i in 0..101 {
        host_rule(
            stack,
            &format!("Rule{i}"),
            secure.arn(),
            &["app.example.com"],
            i + 1,
        );
    }
    let quiet_listener = quiet.add_listener(
        "Https",
        https(stack, "QuietHttps"),
        ListenerAction::forward(TargetGroup::from_arn(stack, "QuietShared", SHARED_TG)),
        ListenerProps::default(),
    );
    for i in 0..100 {
        host_rule(
            stack,
            &format!("QuietRule{i}"),
            quiet_listener.arn(),
            &["app.example.com"],
            i + 1,
        );
    }
    let annotations = Annotations::from_app(&app);
    annotations.has_warning(
        "Us/Busy",
        "52 listeners; an application load balancer takes 50 by default",
    );
    annotations.has_warning(
        "Us/Busy",
        "26 certificates besides the listeners' default ones; an application load balancer takes 25 by default",
    );
    annotations.has_error(
        "Us/Busy",
        "the listeners forward to 256 target groups; an application load balancer takes at most 100",
    );
    annotations.has_warning(
        "Us/Busy",
        "101 listener rules besides the default ones; an application load balancer takes 100 by default",
    );
    for code in [
        codes::elb::TOO_MANY_LISTENERS.code(),
        codes::elb::TOO_MANY_CERTIFICATES.code(),
        codes::elb::TOO_MANY_TARGET_GROUPS.code(),
        codes::elb::TOO_MANY_RULES.code(),
    ] {
        annotations.has_no_code("Us/Quiet", code);
    }
}
