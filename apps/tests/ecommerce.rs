//! What matters in the `ecommerce` app's output: its stacks, regions and deployment waves, the
//! references between stacks (and that none crosses a region), the secure settings of its edge,
//! clusters, buckets, roles and analytics, and that no credential appears anywhere.

mod support;

use std::collections::BTreeSet;

use apps::ecommerce::config;
use cirrus_core::assertions::{Match, Template};
use cirrus_core::{App, Synthesized};
use serde_json::{Value as J, json};
use support::documents;

fn synth() -> Synthesized {
    let app = App::new("ecommerce");
    apps::ecommerce::define(&app);
    app.synth().expect("the ecommerce app synthesizes")
}

/// The single resource of `cfn_type` whose logical id starts with `prefix`.
fn resource<'t>(template: &'t Template, cfn_type: &str, prefix: &str) -> &'t J {
    let found: Vec<_> = template
        .find_resources(cfn_type, Match::any_value())
        .into_iter()
        .filter(|(id, _)| id.starts_with(prefix))
        .collect();
    assert_eq!(found.len(), 1, "{cfn_type} {prefix}*: {found:?}");
    found[0].1
}

/// Every value in `value`, depth first, with the key it sits under.
fn walk<'v>(value: &'v J, key: &'v str, visit: &mut impl FnMut(&'v str, &'v J)) {
    visit(key, value);
    match value {
        J::Object(map) => map.iter().for_each(|(k, v)| walk(v, k, visit)),
        J::Array(items) => items.iter().for_each(|v| walk(v, key, visit)),
        _ => {}
    }
}

/// The export names a template imports.
fn imports(template: &J) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    walk(template, "", &mut |key, value| {
        if key == "Fn::ImportValue" {
            out.insert(value.as_str().unwrap().to_owned());
        }
    });
    out
}

fn sub(value: &J) -> &str {
    value["Fn::Sub"]
        .as_str()
        .unwrap_or_else(|| panic!("no Fn::Sub: {value}"))
}

const STACKS: [&str; 4] = [
    "EcommerceEdge",
    "EcommerceProduction",
    "EcommerceAnalytics",
    "EcommerceDr",
];

#[test]
fn four_stacks_in_two_regions_deployed_in_three_waves() {
    let out = synth();
    let regions: Vec<(&str, Option<&str>)> = out
        .stacks
        .iter()
        .map(|s| (s.id.as_str(), s.env.region.as_deref()))
        .collect();
    assert_eq!(
        regions,
        [
            ("EcommerceDr", Some(config::DR_REGION)),
            ("EcommerceProduction", Some(config::PRIMARY_REGION)),
            ("EcommerceAnalytics", Some(config::PRIMARY_REGION)),
            ("EcommerceEdge", Some(config::PRIMARY_REGION)),
        ]
    );
    assert_ne!(config::PRIMARY_REGION, config::DR_REGION);
    // The DR bucket exists before production's replication names it; analytics imports from
    // production; the edge's origin answers once production does.
    assert_eq!(
        out.waves,
        [
            vec!["EcommerceDr".to_owned()],
            vec!["EcommerceProduction".to_owned()],
            vec!["EcommerceAnalytics".to_owned(), "EcommerceEdge".to_owned()],
        ]
    );
    let dependencies = |id: &str| out.stack(id).unwrap().dependencies.clone();
    assert!(dependencies("EcommerceDr").is_empty());
    assert_eq!(dependencies("EcommerceProduction"), ["EcommerceDr"]);
    assert_eq!(dependencies("EcommerceAnalytics"), ["EcommerceProduction"]);
    assert_eq!(dependencies("EcommerceEdge"), ["EcommerceProduction"]);
    for stack in &out.stacks {
        assert!(stack.termination_protection, "{}", stack.id);
        for (id, resource) in stack.template["Resources"].as_object().unwrap() {
            let tags = &resource["Properties"]["Tags"];
            let tagged = match tags {
                J::Array(list) => list.contains(&json!({"Key": "app", "Value": "ecommerce"})),
                J::Object(map) => map.get("app") == Some(&json!("ecommerce")),
                _ => continue,
            };
            assert!(tagged, "{}: {id} {tags}", stack.id);
        }
    }
}

#[test]
fn only_analytics_imports_and_only_from_its_own_region() {
    let out = synth();
    for stack in ["EcommerceEdge", "EcommerceProduction", "EcommerceDr"] {
        assert!(
            imports(Template::from_synthesized(&out, stack).to_json()).is_empty(),
            "{stack} imports"
        );
    }
    let analytics = imports(Template::from_synthesized(&out, "EcommerceAnalytics").to_json());
    let imported: Vec<&str> = analytics
        .iter()
        .map(|name| {
            let (producer, output) = name.split_once(':').unwrap();
            assert_eq!(producer, "EcommerceProduction", "{name}");
            output
        })
        .collect();
    // Production's VPC (peering), its three private route tables (routes back to analytics),
    // and the two Container Insights log groups the subscription filters read.
    let expected = [
        "ExportsOutputRefContainerInsightsApplication",
        "ExportsOutputRefContainerInsightsDataplane",
        "ExportsOutputRefVpc8378EB38",
        "ExportsOutputRefVpcPrivateSubnet1RouteTable",
        "ExportsOutputRefVpcPrivateSubnet2RouteTable",
        "ExportsOutputRefVpcPrivateSubnet3RouteTable",
    ];
    assert_eq!(imported.len(), expected.len(), "{imported:?}");
    for (name, prefix) in imported.iter().zip(expected) {
        assert!(name.starts_with(prefix), "{name} is not {prefix}*");
    }
    let production = &Template::from_synthesized(&out, "EcommerceProduction");
    for output in imported {
        production.has_output(output, json!({ "Export": {} }));
    }
}

#[test]
fn the_dr_region_is_reached_by_name() {
    let out = synth();
    let production = &Template::from_synthesized(&out, "EcommerceProduction");
    let dr = &Template::from_synthesized(&out, "EcommerceDr");

    let dr_bucket = resource(dr, "AWS::S3::Bucket", "CloudSnap");
    let dr_name = sub(&dr_bucket["Properties"]["BucketName"]);
    assert_eq!(dr_name, "ecommerce-cloudsnap-${AWS::AccountId}-us-west-2");
    assert!(dr_bucket["Properties"]["ReplicationConfiguration"].is_null());
    let dr_alias = &resource(dr, "AWS::KMS::Alias", "CloudSnapKey")["Properties"];
    assert_eq!(dr_alias["AliasName"], "alias/ecommerce-cloudsnap");

    let bucket = &resource(production, "AWS::S3::Bucket", "CloudSnap")["Properties"];
    assert_eq!(
        sub(&bucket["BucketName"]),
        "ecommerce-cloudsnap-${AWS::AccountId}-us-east-1"
    );
    let rules = bucket["ReplicationConfiguration"]["Rules"]
        .as_array()
        .unwrap();
    assert_eq!(rules.len(), 1);
    let rule = &rules[0];
    assert_eq!(rule["Status"], "Enabled");
    assert_eq!(
        rule["SourceSelectionCriteria"]["SseKmsEncryptedObjects"]["Status"],
        "Enabled"
    );
    assert_eq!(
        sub(&rule["Destination"]["Bucket"]),
        format!("arn:${{AWS::Partition}}:s3:::{dr_name}")
    );
    assert_eq!(
        sub(&rule["Destination"]["EncryptionConfiguration"]["ReplicaKmsKeyID"]),
        format!(
            "arn:${{AWS::Partition}}:kms:us-west-2:${{AWS::AccountId}}:{}",
            dr_alias["AliasName"].as_str().unwrap()
        )
    );
    // The replication role may encrypt only with a DR key that carries the alias.
    let policy = resource(
        production,
        "AWS::IAM::Policy",
        "CloudSnapReplicationRoleDefaultPolicy",
    );
    let statements = policy["Properties"]["PolicyDocument"]["Statement"]
        .as_array()
        .unwrap();
    let encrypt = statements
        .iter()
        .find(|s| s["Action"].to_string().contains("kms:GenerateDataKey"))
        .unwrap();
    assert_eq!(
        encrypt["Condition"]["ForAnyValue:StringEquals"]["kms:ResourceAliases"],
        "alias/ecommerce-cloudsnap"
    );

    // Images reach the DR region by ECR replication, under the same name.
    let replication = resource(production, "AWS::ECR::ReplicationConfiguration", "");
    let rule = &replication["Properties"]["ReplicationConfiguration"]["Rules"][0];
    assert_eq!(rule["Destinations"][0]["Region"], config::DR_REGION);
    assert_eq!(
        rule["RepositoryFilters"][0],
        json!({"Filter": "ecommerce", "FilterType": "PREFIX_MATCH"})
    );
    dr.resource_count_is("AWS::ECR::Repository", 0);
    let template = &resource(dr, "AWS::ECR::RepositoryCreationTemplate", "")["Properties"];
    assert_eq!(template["AppliedFor"], json!(["REPLICATION"]));
    assert_eq!(template["ImageTagMutability"], "IMMUTABLE");
    assert_eq!(
        resource(production, "AWS::ECR::Repository", "Images")["Properties"]["RepositoryName"],
        config::IMAGE_REPOSITORY
    );
}

#[test]
fn no_credential_appears_in_any_template() {
    let out = synth();
    for stack in &out.stacks {
        let t = &stack.template;
        assert!(t["Parameters"].is_null(), "{}: parameters", stack.id);
        walk(t, "", &mut |key, value| {
            // (`GenerateSecretString` is allowed: Secrets Manager generates the value, which the
            // template never holds.)
            for forbidden in [
                "MasterUserPassword",
                "Password",
                "SecretString",
                "AccessKey",
                "SecretAccessKey",
                "KerberosAttributes",
            ] {
                assert_ne!(key, forbidden, "{}: property {key}", stack.id);
            }
            if let Some(text) = value.as_str() {
                let lower = text.to_lowercase();
                assert!(!text.contains("AKIA"), "{}: {text}", stack.id);
                assert!(!text.contains("-----BEGIN"), "{}: {text}", stack.id);
                assert!(!lower.contains("password="), "{}: {text}", stack.id);
            }
        });
    }
    // The warehouse's admin password is Redshift's to generate, and Secrets Manager's to keep.
    let analytics = &Template::from_synthesized(&out, "EcommerceAnalytics");
    let warehouse = &resource(analytics, "AWS::Redshift::Cluster", "Warehouse")["Properties"];
    assert_eq!(warehouse["ManageMasterPassword"], true);
    assert!(warehouse["MasterPasswordSecretKmsKeyId"].is_object());
}

#[test]
fn only_cloudfront_reaches_the_load_balancers() {
    let out = synth();
    for (stack, region) in [
        ("EcommerceProduction", "us-east-1"),
        ("EcommerceDr", "us-west-2"),
    ] {
        let t = &Template::from_synthesized(&out, stack);
        let lists = &t.to_json()["Mappings"]["CloudFrontOriginFacing"];
        assert!(
            lists[region]["PrefixListId"]
                .as_str()
                .unwrap()
                .starts_with("pl-")
        );
        let group = &resource(t, "AWS::EC2::SecurityGroup", "AlbSecurityGroup")["Properties"];
        let ingress = group["SecurityGroupIngress"].as_array().unwrap();
        assert_eq!(ingress.len(), 1, "{stack}");
        assert_eq!(ingress[0]["FromPort"], 443);
        assert_eq!(ingress[0]["ToPort"], 443);
        assert_eq!(
            ingress[0]["SourcePrefixListId"]["Fn::FindInMap"][0],
            "CloudFrontOriginFacing"
        );
        // Out only to the pods, on their port; the pods let in only the load balancer.
        let egress = resource(t, "AWS::EC2::SecurityGroupEgress", "AlbSecurityGroupEgress");
        assert_eq!(egress["Properties"]["FromPort"], config::STOREFRONT_PORT);
        assert_eq!(
            egress["Properties"]["DestinationSecurityGroupId"]["Fn::GetAtt"][1],
            "ClusterSecurityGroupId"
        );
        let to_pods = &resource(t, "AWS::EC2::SecurityGroupIngress", "AlbToPods")["Properties"];
        assert_eq!(to_pods["FromPort"], config::STOREFRONT_PORT);
        assert!(
            to_pods["SourceSecurityGroupId"]["Fn::GetAtt"][0]
                .as_str()
                .unwrap()
                .starts_with("AlbSecurityGroup")
        );

        let listener =
            &resource(t, "AWS::ElasticLoadBalancingV2::Listener", "AlbHttps")["Properties"];
        assert_eq!(listener["Protocol"], "HTTPS");
        assert_eq!(listener["SslPolicy"], "ELBSecurityPolicy-TLS13-1-2-2021-06");
        let groups = &listener["DefaultActions"][0]["ForwardConfig"]["TargetGroups"];
        assert_eq!(groups[0]["Weight"], config::BLUE_WEIGHT);
        assert_eq!(groups[1]["Weight"], config::GREEN_WEIGHT);
        assert!(
            groups[0]["TargetGroupArn"]["Ref"]
                .as_str()
                .unwrap()
                .starts_with("Blue")
        );
        assert!(
            groups[1]["TargetGroupArn"]["Ref"]
                .as_str()
                .unwrap()
                .starts_with("Green")
        );
        t.resource_count_is("AWS::ElasticLoadBalancingV2::Listener", 1);
        let alb = &resource(t, "AWS::ElasticLoadBalancingV2::LoadBalancer", "Alb")["Properties"];
        assert_eq!(alb["Subnets"].as_array().unwrap().len(), 3);
        let attributes = alb["LoadBalancerAttributes"].to_string();
        for attribute in [
            r#"{"Key":"routing.http.drop_invalid_header_fields.enabled","Value":"true"}"#,
            r#"{"Key":"access_logs.s3.enabled","Value":"true"}"#,
            r#"{"Key":"deletion_protection.enabled","Value":"true"}"#,
        ] {
            assert!(attributes.contains(attribute), "{stack}: {attribute}");
        }
    }
    // No security group anywhere admits the whole internet.
    for stack in &out.stacks {
        let t = &Template::from_synthesized(&out, &stack.id);
        let inline = t
            .find_resources("AWS::EC2::SecurityGroup", Match::any_value())
            .into_iter()
            .flat_map(|(id, g)| {
                g["Properties"]["SecurityGroupIngress"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(move |rule| (id, rule))
            });
        let standalone = t
            .find_resources("AWS::EC2::SecurityGroupIngress", Match::any_value())
            .into_iter()
            .map(|(id, rule)| (id, &rule["Properties"]));
        for (id, rule) in inline.chain(standalone) {
            assert_ne!(rule["CidrIp"], "0.0.0.0/0", "{}: {id}", stack.id);
            assert_ne!(rule["CidrIpv6"], "::/0", "{}: {id}", stack.id);
        }
    }
}

#[test]
fn origin_fails_over_to_the_dr_region() {
    let out = synth();
    for (stack, role, region) in [
        ("EcommerceProduction", "PRIMARY", "us-east-1"),
        ("EcommerceDr", "SECONDARY", "us-west-2"),
    ] {
        let t = &Template::from_synthesized(&out, stack);
        let record = &resource(t, "AWS::Route53::RecordSet", "OriginRecord")["Properties"];
        assert_eq!(record["Name"], format!("{}.", config::ORIGIN_NAME));
        assert_eq!(record["HostedZoneId"], config::HOSTED_ZONE_ID);
        assert_eq!(record["Failover"], role);
        assert_eq!(record["SetIdentifier"], region);
        assert_eq!(record["AliasTarget"]["DNSName"]["Fn::GetAtt"][1], "DNSName");
        // Not the load balancer's health, which the idle colour's empty target group would
        // fail, but a check of the live colour's healthy targets.
        assert_eq!(record["AliasTarget"]["EvaluateTargetHealth"], false);
        let check_id = record["HealthCheckId"]["Ref"].as_str().unwrap();
        let check = &t.to_json()["Resources"][check_id]["Properties"]["HealthCheckConfig"];
        assert_eq!(check["Type"], "CLOUDWATCH_METRIC");
        let alarm_id = check["AlarmIdentifier"]["Name"]["Ref"].as_str().unwrap();
        let alarm = &t.to_json()["Resources"][alarm_id]["Properties"];
        let watched: Vec<&str> = alarm["Metrics"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|q| {
                q["MetricStat"]["Metric"]["Dimensions"][0]["Value"]["Fn::GetAtt"][0].as_str()
            })
            .collect();
        let live: Vec<&str> = [
            ("Blue", config::BLUE_WEIGHT),
            ("Green", config::GREEN_WEIGHT),
        ]
        .into_iter()
        .filter(|(_, weight)| *weight > 0)
        .map(|(colour, _)| colour)
        .collect();
        assert_eq!(watched.len(), live.len(), "{alarm}");
        for (group, colour) in watched.iter().zip(&live) {
            assert!(group.starts_with(colour), "{group} is not {colour}");
        }
        assert_eq!(alarm["ComparisonOperator"], "LessThanThreshold");
        assert_eq!(alarm["TreatMissingData"], "breaching");
        // The load balancer presents a certificate for the origin name.
        let cert = &resource(t, "AWS::CertificateManager::Certificate", "OriginCert")["Properties"];
        assert_eq!(cert["DomainName"], config::ORIGIN_NAME);
        assert_eq!(cert["ValidationMethod"], "DNS");
    }
}

#[test]
fn the_edge_serves_https_behind_a_web_acl() {
    let out = synth();
    let edge = &Template::from_synthesized(&out, "EcommerceEdge");
    let config_ =
        &resource(edge, "AWS::CloudFront::Distribution", "Cdn")["Properties"]["DistributionConfig"];
    assert_eq!(config_["Aliases"], json!([config::DOMAIN]));
    assert_eq!(
        config_["ViewerCertificate"]["MinimumProtocolVersion"],
        "TLSv1.2_2021"
    );
    assert_eq!(config_["ViewerCertificate"]["SslSupportMethod"], "sni-only");
    assert_eq!(config_["PriceClass"], "PriceClass_All");
    let origins = config_["Origins"].as_array().unwrap();
    assert_eq!(origins.len(), 1);
    assert_eq!(origins[0]["DomainName"], config::ORIGIN_NAME);
    assert_eq!(
        origins[0]["CustomOriginConfig"]["OriginProtocolPolicy"],
        "https-only"
    );
    assert_eq!(
        origins[0]["CustomOriginConfig"]["OriginSSLProtocols"],
        json!(["TLSv1.2"])
    );
    assert_eq!(
        config_["DefaultCacheBehavior"]["ViewerProtocolPolicy"],
        "redirect-to-https"
    );
    assert!(
        config_["WebACLId"]["Fn::GetAtt"][0]
            .as_str()
            .unwrap()
            .starts_with("WebAcl")
    );
    assert!(config_["Logging"]["Bucket"].is_object());
    let acl = &resource(edge, "AWS::WAFv2::WebACL", "WebAcl")["Properties"];
    assert_eq!(acl["Scope"], "CLOUDFRONT");
    let rules = acl["Rules"].to_string();
    for rule in [
        "AWSManagedRulesCommonRuleSet",
        "AWSManagedRulesKnownBadInputsRuleSet",
        "AWSManagedRulesAmazonIpReputationList",
        "RateBasedStatement",
    ] {
        assert!(rules.contains(rule), "{rule}");
    }
    let viewer =
        &resource(edge, "AWS::CertificateManager::Certificate", "ViewerCert")["Properties"];
    assert_eq!(viewer["DomainName"], config::DOMAIN);
    let records: Vec<&str> = edge
        .find_resources("AWS::Route53::RecordSet", Match::any_value())
        .iter()
        .map(|(_, r)| r["Properties"]["Type"].as_str().unwrap())
        .collect();
    assert_eq!(records, ["A", "AAAA"]);
}

#[test]
fn clusters_span_three_zones_with_encrypted_secrets_and_restricted_endpoints() {
    let out = synth();
    for (stack, name) in [
        ("EcommerceProduction", "ecommerce-prod"),
        ("EcommerceDr", "ecommerce-dr"),
    ] {
        let t = &Template::from_synthesized(&out, stack);
        let cluster = &resource(t, "AWS::EKS::Cluster", "Cluster")["Properties"];
        assert_eq!(cluster["Name"], name);
        assert_eq!(cluster["Version"], config::KUBERNETES_VERSION.as_str());
        let vpc = &cluster["ResourcesVpcConfig"];
        assert_eq!(vpc["EndpointPrivateAccess"], true);
        assert_eq!(vpc["PublicAccessCidrs"], json!(config::ADMIN_CIDRS));
        assert_eq!(vpc["SubnetIds"].as_array().unwrap().len(), 3);
        assert_eq!(
            cluster["EncryptionConfig"][0]["Resources"],
            json!(["secrets"])
        );
        assert_eq!(cluster["AccessConfig"]["AuthenticationMode"], "API");
        assert_eq!(
            cluster["AccessConfig"]["BootstrapClusterCreatorAdminPermissions"],
            false
        );
        assert_eq!(
            cluster["Logging"]["ClusterLogging"]["EnabledTypes"]
                .as_array()
                .unwrap()
                .len(),
            5
        );
        assert_eq!(cluster["DeletionProtection"], true);

        // Three zones, never written as names: a public and a private subnet in each.
        let subnets = t.find_resources("AWS::EC2::Subnet", Match::any_value());
        assert_eq!(subnets.len(), 6);
        let zones: BTreeSet<String> = subnets
            .iter()
            .map(|(_, s)| s["Properties"]["AvailabilityZone"]["Fn::Select"][0].to_string())
            .collect();
        assert_eq!(zones.len(), 3);
        t.resource_count_is("AWS::EC2::NatGateway", 3);

        // Both node groups are one auto scaling group over the three private subnets.
        let groups = t.find_resources("AWS::EKS::Nodegroup", Match::any_value());
        assert_eq!(groups.len(), 2);
        for (id, group) in &groups {
            let p = &group["Properties"];
            assert_eq!(p["Subnets"].as_array().unwrap().len(), 3, "{id}");
            assert!(p["RemoteAccess"].is_null(), "{id}");
        }
        let storage = &resource(t, "AWS::EKS::Nodegroup", "StorageNodes")["Properties"];
        assert_eq!(
            storage["Taints"],
            json!([{"Effect": "NO_SCHEDULE", "Key": "storage", "Value": "true"}])
        );
        assert!(storage["ScalingConfig"]["MinSize"].as_u64().unwrap() >= 3);
        for (id, template) in t.find_resources("AWS::EC2::LaunchTemplate", Match::any_value()) {
            let data = &template["Properties"]["LaunchTemplateData"];
            assert_eq!(data["MetadataOptions"]["HttpTokens"], "required", "{id}");
            assert_eq!(
                data["BlockDeviceMappings"][0]["Ebs"]["Encrypted"], true,
                "{id}"
            );
        }

        // The pods that act on AWS do so with roles of their own, by service account.
        let associations: BTreeSet<(String, String)> = t
            .find_resources("AWS::EKS::PodIdentityAssociation", Match::any_value())
            .iter()
            .map(|(_, a)| {
                let p = &a["Properties"];
                (
                    p["Namespace"].as_str().unwrap().to_owned(),
                    p["ServiceAccount"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        let expected: BTreeSet<(String, String)> = [
            ("kube-system", "aws-load-balancer-controller"),
            ("kube-system", "cluster-autoscaler"),
            ("external-secrets", "external-secrets"),
            config::PORTWORX_SERVICE_ACCOUNT,
        ]
        .iter()
        .map(|(n, s)| ((*n).to_owned(), (*s).to_owned()))
        .collect();
        assert_eq!(associations, expected);

        // Developers edit the shop's namespace and nothing else.
        let developer = &resource(t, "AWS::EKS::AccessEntry", "ClusterAccessDeveloper")["Properties"]
            ["AccessPolicies"];
        assert_eq!(
            developer[0]["AccessScope"],
            json!({"Namespaces": [config::SHOP_NAMESPACE], "Type": "namespace"})
        );
    }
}

#[test]
fn buckets_are_private_encrypted_versioned_and_tls_only() {
    let out = synth();
    for stack in &out.stacks {
        let t = &Template::from_synthesized(&out, &stack.id);
        let policies = t.find_resources("AWS::S3::BucketPolicy", Match::any_value());
        for (id, bucket) in t.find_resources("AWS::S3::Bucket", Match::any_value()) {
            let p = &bucket["Properties"];
            assert_eq!(
                p["PublicAccessBlockConfiguration"],
                json!({
                    "BlockPublicAcls": true,
                    "BlockPublicPolicy": true,
                    "IgnorePublicAcls": true,
                    "RestrictPublicBuckets": true
                }),
                "{id}"
            );
            assert!(
                p["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
                    ["ServerSideEncryptionByDefault"]["SSEAlgorithm"]
                    .is_string(),
                "{id}"
            );
            assert_eq!(p["VersioningConfiguration"]["Status"], "Enabled", "{id}");
            // Kept on deletion; a bucket whose name is fixed (Cloud Snap, which the other
            // region's replication names) only once it exists, so a failed first create can
            // be retried.
            let kept = if p["BucketName"].is_null() {
                "Retain"
            } else {
                "RetainExceptOnCreate"
            };
            assert_eq!(bucket["DeletionPolicy"], kept, "{id}");
            assert!(p["AccessControl"].is_null(), "{id}");
            if !id.starts_with("AccessLogsBucket") {
                assert!(p["LoggingConfiguration"].is_object(), "{}: {id}", stack.id);
            }
            let tls_only = policies.iter().any(|(_, policy)| {
                policy["Properties"]["Bucket"]["Ref"] == id
                    && policy["Properties"]["PolicyDocument"]["Statement"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|s| {
                            s["Effect"] == "Deny"
                                && s["Condition"]["Bool"]["aws:SecureTransport"] == "false"
                        })
            });
            assert!(tls_only, "{}: {id}", stack.id);
        }
    }
    // The data buckets use customer managed keys.
    let analytics = &Template::from_synthesized(&out, "EcommerceAnalytics");
    for prefix in ["Archive", "Curated", "QueryResults"] {
        let sse = &resource(analytics, "AWS::S3::Bucket", prefix)["Properties"]["BucketEncryption"]
            ["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"];
        assert_eq!(sse["SSEAlgorithm"], "aws:kms", "{prefix}");
        assert!(sse["KMSMasterKeyID"]["Fn::GetAtt"].is_array(), "{prefix}");
    }
}

#[test]
fn roles_live_under_the_app_path_and_policies_write_to_named_resources() {
    let out = synth();
    for stack in &out.stacks {
        let t = &Template::from_synthesized(&out, &stack.id);
        for (id, role) in t.find_resources("AWS::IAM::Role", Match::any_value()) {
            let path = &role["Properties"]["Path"];
            if id.starts_with("Hadoop") {
                // EMR's roles, given to EMR by name, keep the root path.
                assert!(path.is_null(), "{id}");
            } else {
                assert_eq!(path, config::ROLE_PATH, "{}: {id}", stack.id);
            }
            assert!(
                role["Properties"]["Policies"].is_null(),
                "{id}: inline policy"
            );
        }
        for (id, policy) in t.find_resources("AWS::IAM::Policy", Match::any_value()) {
            for statement in policy["Properties"]["PolicyDocument"]["Statement"]
                .as_array()
                .unwrap()
            {
                let resources = match &statement["Resource"] {
                    J::Array(items) => items.clone(),
                    other => vec![other.clone()],
                };
                if !resources.contains(&json!("*")) {
                    continue;
                }
                let actions = match &statement["Action"] {
                    J::Array(items) => items.clone(),
                    other => vec![other.clone()],
                };
                for action in actions {
                    let action = action.as_str().unwrap();
                    let verb = action.split_once(':').unwrap().1;
                    assert!(
                        verb.starts_with("Describe")
                            || verb.starts_with("List")
                            || verb.starts_with("Get"),
                        "{}: {id} allows {action} on *",
                        stack.id
                    );
                }
            }
        }
    }
}

#[test]
fn logs_are_kept_two_weeks_and_encrypted() {
    let out = synth();
    for stack in &out.stacks {
        for (id, group) in Template::from_synthesized(&out, &stack.id)
            .find_resources("AWS::Logs::LogGroup", Match::any_value())
        {
            let p = &group["Properties"];
            assert_eq!(p["RetentionInDays"], 14, "{}: {id}", stack.id);
            assert!(p["KmsKeyId"].is_object(), "{}: {id}", stack.id);
        }
    }
    let production = &Template::from_synthesized(&out, "EcommerceProduction");
    let names: BTreeSet<&str> = production
        .find_resources("AWS::Logs::LogGroup", Match::any_value())
        .iter()
        .filter_map(|(_, g)| g["Properties"]["LogGroupName"].as_str())
        .collect();
    for kind in ["application", "dataplane", "host", "performance"] {
        let name = format!("/aws/containerinsights/ecommerce-prod/{kind}");
        assert!(names.contains(name.as_str()), "{name}");
    }
    // The CloudWatch add-on starts once its log groups exist, so EKS never creates them.
    let addon = production
        .find_resources("AWS::EKS::Addon", Match::any_value())
        .into_iter()
        .find(|(_, a)| a["Properties"]["AddonName"] == "amazon-cloudwatch-observability")
        .unwrap()
        .1;
    let after = addon["DependsOn"].to_string();
    for kind in ["Application", "Dataplane", "Host", "Performance"] {
        assert!(
            after.contains(&format!("ContainerInsights{kind}")),
            "{kind}"
        );
    }
}

#[test]
fn the_analytics_vpc_is_peered_and_fed_by_cloudwatch() {
    let out = synth();
    let analytics = &Template::from_synthesized(&out, "EcommerceAnalytics");
    let cidr = |t: &Template| -> String {
        resource(t, "AWS::EC2::VPC", "Vpc")["Properties"]["CidrBlock"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let blocks: BTreeSet<String> = STACKS
        .iter()
        .filter(|s| **s != "EcommerceEdge")
        .map(|s| cidr(&Template::from_synthesized(&out, s)))
        .collect();
    assert_eq!(
        blocks,
        ["10.0.0.0/16", "10.1.0.0/16", "10.2.0.0/16"]
            .map(String::from)
            .into()
    );

    let peering = &resource(analytics, "AWS::EC2::VPCPeeringConnection", "Peering")["Properties"];
    assert!(peering["PeerVpcId"]["Fn::ImportValue"].is_string());
    let routes: Vec<&J> = analytics
        .find_resources("AWS::EC2::Route", Match::any_value())
        .into_iter()
        .filter(|(id, _)| id.starts_with("Peering"))
        .map(|(_, r)| &r["Properties"])
        .collect();
    let to = |block: &str| {
        routes
            .iter()
            .filter(|r| r["DestinationCidrBlock"] == block)
            .count()
    };
    assert_eq!(
        to("10.0.0.0/16"),
        2,
        "analytics' private subnets to production"
    );
    assert_eq!(
        to("10.1.0.0/16"),
        3,
        "production's private subnets to analytics"
    );

    // EMR's managed policy acts only on tagged subnets.
    for (id, subnet) in analytics.find_resources("AWS::EC2::Subnet", Match::any_value()) {
        let tags = subnet["Properties"]["Tags"].to_string();
        let tagged =
            tags.contains(r#"{"Key":"for-use-with-amazon-emr-managed-policies","Value":"true"}"#);
        assert_eq!(tagged, id.contains("Private"), "{id}");
    }

    // CloudWatch logs, metrics and events each into their stream, and on into the archive.
    let streams =
        analytics.find_resources("AWS::KinesisFirehose::DeliveryStream", Match::any_value());
    assert_eq!(streams.len(), 3);
    for (id, stream) in &streams {
        let s3 = &stream["Properties"]["ExtendedS3DestinationConfiguration"];
        assert!(
            s3["BucketARN"]["Fn::GetAtt"][0]
                .as_str()
                .unwrap()
                .starts_with("Archive"),
            "{id}"
        );
        assert_eq!(
            stream["Properties"]["DeliveryStreamEncryptionConfigurationInput"]["KeyType"],
            "CUSTOMER_MANAGED_CMK",
            "{id}"
        );
    }
    let targets = |cfn_type: &str, key: &str| -> Vec<String> {
        analytics
            .find_resources(cfn_type, Match::any_value())
            .iter()
            .map(|(_, r)| {
                r["Properties"][key]["Fn::GetAtt"][0]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect()
    };
    let filters = targets("AWS::Logs::SubscriptionFilter", "DestinationArn");
    assert_eq!(filters.len(), 2);
    assert!(filters.iter().all(|t| t.starts_with("LogsStream")));
    assert!(
        targets("AWS::CloudWatch::MetricStream", "FirehoseArn")[0].starts_with("MetricsStream")
    );
    let rule = resource(analytics, "AWS::Events::Rule", "InfrastructureEvents");
    assert!(
        rule["Properties"]["Targets"][0]["Arn"]["Fn::GetAtt"][0]
            .as_str()
            .unwrap()
            .starts_with("EventsStream")
    );
}

#[test]
fn emr_redshift_and_athena_stay_private_and_encrypted() {
    let out = synth();
    let analytics = &Template::from_synthesized(&out, "EcommerceAnalytics");
    let emr = &resource(analytics, "AWS::EMR::Cluster", "Hadoop")["Properties"];
    assert!(
        emr["Instances"]["Ec2SubnetId"]["Ref"]
            .as_str()
            .unwrap()
            .starts_with("VpcPrivateSubnet")
    );
    assert_eq!(emr["ReleaseLabel"], config::EMR_RELEASE.to_string());
    assert!(emr["SecurityConfiguration"]["Ref"].is_string());
    assert_eq!(emr["Instances"]["TerminationProtected"], true);
    assert!(
        emr["Configurations"]
            .to_string()
            .contains("AWSGlueDataCatalogHiveClientFactory")
    );

    let warehouse = &resource(analytics, "AWS::Redshift::Cluster", "Warehouse")["Properties"];
    assert_eq!(warehouse["PubliclyAccessible"], false);
    assert_eq!(warehouse["Encrypted"], true);
    assert_eq!(warehouse["EnhancedVpcRouting"], true);
    assert!(warehouse["LoggingProperties"]["BucketName"].is_object());
    let group = &resource(
        analytics,
        "AWS::EC2::SecurityGroup",
        "WarehouseSecurityGroup",
    )["Properties"]["SecurityGroupIngress"];
    assert_eq!(group[0]["CidrIp"], config::ANALYTICS_CIDR);
    assert_eq!(group.as_array().unwrap().len(), 1);

    let workgroup = &resource(analytics, "AWS::Athena::WorkGroup", "Workgroup")["Properties"];
    assert_eq!(workgroup["Name"], config::ATHENA_WORKGROUP);
    let configuration = &workgroup["WorkGroupConfiguration"];
    assert_eq!(configuration["EnforceWorkGroupConfiguration"], true);
    assert_eq!(
        configuration["ResultConfiguration"]["EncryptionConfiguration"]["EncryptionOption"],
        "SSE_KMS"
    );

    let crawler = &resource(analytics, "AWS::Glue::Crawler", "Crawler")["Properties"];
    assert_eq!(
        crawler["CrawlerSecurityConfiguration"]["Ref"],
        "GlueSecurity"
    );
    assert_eq!(crawler["Targets"]["S3Targets"].as_array().unwrap().len(), 3);
    let database = &resource(analytics, "AWS::Glue::Database", "Catalog")["Properties"];
    assert_eq!(database["DatabaseInput"]["Name"], config::GLUE_DATABASE);
}

#[test]
fn stacks_stay_well_under_the_resource_limit() {
    let out = synth();
    for stack in &out.stacks {
        let count = stack.template["Resources"].as_object().unwrap().len();
        assert!(count < 200, "{}: {count} resources", stack.id);
    }
}

#[test]
fn synthesis_is_deterministic() {
    let first = synth();
    let second = synth();
    for stack in STACKS {
        assert_eq!(
            Template::from_synthesized(&first, stack),
            Template::from_synthesized(&second, stack),
            "{stack}"
        );
    }
    assert_eq!(first.waves, second.waves);
}

/// What runs on each region's cluster, as a reviewer checks it: the controller and the
/// autoscaler at exact chart versions; the storefront's blue and green pods from the region's
/// own repository, each colour bound to its own target group of the region's stack; the
/// controller's role limited to those two target groups.
#[test]
fn the_storefront_is_bound_to_the_blue_and_green_target_groups() {
    let out = synth();
    for (stack, repository) in [
        ("EcommerceProduction", "Images"),
        ("EcommerceDr", "ecommerce/storefront"),
    ] {
        let releases: Vec<(String, String)> = out
            .artifacts
            .iter()
            .filter(|a| a.stack == stack && a.kind == "cirrus:helm-release")
            .map(|a| {
                let p = &a.properties;
                (
                    p["chart"]["name"].as_str().unwrap().to_owned(),
                    p["version"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        assert_eq!(
            releases,
            [
                (
                    "aws-load-balancer-controller".to_owned(),
                    "1.17.1".to_owned()
                ),
                ("cluster-autoscaler".to_owned(), "9.59.0".to_owned()),
                ("portworx".to_owned(), "9.0.0".to_owned()),
                ("external-secrets".to_owned(), "2.5.0".to_owned()),
            ],
            "{stack}"
        );
        let objects = documents(&out, stack, "Storefront");
        let artifact = out
            .artifacts
            .iter()
            .find(|a| a.id == format!("{stack}-Cluster-Kubernetes-Storefront"))
            .unwrap();
        // Each placeholder's source, as the runner resolves it: `<stack>.<output>` -> path.
        let source = |placeholder: &str| {
            artifact
                .values
                .iter()
                .find(|(k, _)| placeholder.contains(k.as_str()))
                .map(|(_, v)| v.source.clone())
                .unwrap_or_else(|| panic!("{placeholder} is not a value of the step"))
        };
        for colour in ["blue", "green"] {
            let name = format!("storefront-{colour}");
            let of_kind = |kind: &str| {
                objects
                    .iter()
                    .find(|o| o["kind"] == kind && o["metadata"]["name"] == name.as_str())
                    .unwrap_or_else(|| panic!("{stack}: no {kind} {name}"))
            };
            let pod = &of_kind("Deployment")["spec"]["template"]["spec"];
            assert_eq!(pod["serviceAccountName"], "storefront");
            assert_eq!(pod["automountServiceAccountToken"], false);
            let image = pod["containers"][0]["image"].as_str().unwrap();
            assert!(source(image).contains(repository), "{stack}: {image}");
            // The database's password as a file of the Secret the operator keeps.
            let database = pod["volumes"]
                .as_array()
                .unwrap()
                .iter()
                .find(|v| v["name"] == "database")
                .unwrap();
            assert_eq!(database["secret"]["secretName"], "storefront-db");
            let binding = &of_kind("TargetGroupBinding")["spec"];
            assert_eq!(binding["serviceRef"]["name"], name.as_str());
            assert_eq!(binding["targetType"], "ip");
            let arn = binding["targetGroupARN"].as_str().unwrap();
            let target_group = if colour == "blue" { "Blue" } else { "Green" };
            assert!(
                source(arn).contains(&format!("{stack}/{target_group}/Resource")),
                "{stack}: {colour} is bound to {}",
                source(arn)
            );
        }
        let external = objects
            .iter()
            .find(|o| o["kind"] == "ExternalSecret")
            .unwrap();
        let region_name = if stack == "EcommerceProduction" {
            config::PRODUCTION.name
        } else {
            config::DISASTER_RECOVERY.name
        };
        assert_eq!(
            external["spec"]["data"][0]["remoteRef"]["key"],
            format!("ecommerce/{region_name}/storefront-db")
        );
        // The controller may move targets of those two groups only.
        let template = Template::from_synthesized(&out, stack);
        let policy = resource(&template, "AWS::IAM::Policy", "LoadBalancerControllerRole");
        let statements = policy["Properties"]["PolicyDocument"]["Statement"]
            .as_array()
            .unwrap();
        let register = statements
            .iter()
            .find(|s| s["Action"].to_string().contains("RegisterTargets"))
            .unwrap();
        assert_eq!(
            register["Resource"],
            json!([{"Ref": resource_id(&template, "Blue")}, {"Ref": resource_id(&template, "Green")}]),
            "{stack}"
        );
    }
}

/// Portworx, the storage 003 names, runs on the storage nodes of each cluster, in the namespace
/// whose service account the stack's Portworx role is associated with, and the databases'
/// StorageClass keeps three replicas and follows the release.
#[test]
fn the_databases_storage_is_portworx_on_the_storage_nodes() {
    let out = synth();
    for stack in ["EcommerceProduction", "EcommerceDr"] {
        let release = out
            .artifacts
            .iter()
            .find(|a| a.id == format!("{stack}-Cluster-Kubernetes-Portworx"))
            .unwrap_or_else(|| panic!("{stack}: no Portworx release"));
        let p = &release.properties;
        assert_eq!(p["chart"]["name"], "portworx");
        assert_eq!(p["version"], "9.0.0");
        assert_eq!(p["namespace"], config::PORTWORX_SERVICE_ACCOUNT.0);
        assert!(
            release
                .dependencies
                .contains(&format!("{stack}-Cluster-Kubernetes-PortworxNamespace")),
            "{stack}: {:?}",
            release.dependencies
        );
        let text = String::from_utf8(release.files[0].1.clone()).unwrap();
        let values = &yaml_rust2::YamlLoader::load_from_str(&text).unwrap()[0];
        assert_eq!(values["EKSInstall"].as_bool(), Some(true));
        assert_eq!(values["internalKVDB"].as_bool(), Some(true));
        assert_eq!(
            values["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
                ["nodeSelectorTerms"][0]["matchExpressions"][0]["values"][0]
                .as_str(),
            Some("storage")
        );
        assert_eq!(values["tolerations"][0]["key"].as_str(), Some("storage"));
        assert_eq!(values["monitoring"]["telemetry"].as_bool(), Some(false));
        // The storage nodes carry that label and taint.
        let template = Template::from_synthesized(&out, stack);
        template.has_resource_properties(
            "AWS::EKS::Nodegroup",
            json!({
                "Labels": {"node-role": "storage"},
                "Taints": [{"Key": "storage", "Value": "true", "Effect": "NO_SCHEDULE"}]
            }),
        );
        // Its role reaches the pods of the namespace's `portworx` service account.
        template.has_resource_properties(
            "AWS::EKS::PodIdentityAssociation",
            json!({"Namespace": "portworx", "ServiceAccount": "portworx"}),
        );

        let storage = out
            .artifacts
            .iter()
            .find(|a| a.id == format!("{stack}-Cluster-Kubernetes-DatabaseStorage"))
            .unwrap();
        assert!(
            storage
                .dependencies
                .contains(&format!("{stack}-Cluster-Kubernetes-Portworx")),
            "{stack}: {:?}",
            storage.dependencies
        );
        let storage_objects = documents(&out, stack, "DatabaseStorage");
        let class = storage_objects
            .iter()
            .find(|o| o["kind"] == "StorageClass")
            .unwrap();
        assert_eq!(class["metadata"]["name"], config::DATABASE_STORAGE_CLASS);
        assert_eq!(class["provisioner"], "pxd.portworx.com");
        assert_eq!(class["parameters"]["repl"], "3");
        assert_eq!(class["reclaimPolicy"], "Retain");
    }
}

/// Cloud Snap with no step by hand: the `px-db` class gives every claim a schedule of cloud
/// snapshots under the app's policy (applied once Stork serves the kind, which the release
/// declares), and a Job makes the credential for the region's bucket with the script.
#[test]
fn cloud_snap_needs_no_step_by_hand() {
    use apps::ecommerce::cloudsnap;
    let out = synth();
    for (stack, region) in [
        ("EcommerceProduction", config::PRODUCTION.region),
        ("EcommerceDr", config::DISASTER_RECOVERY.region),
    ] {
        let release = out
            .artifacts
            .iter()
            .find(|a| a.id == format!("{stack}-Cluster-Kubernetes-Portworx"))
            .unwrap();
        assert_eq!(
            release.properties["crds"],
            json!(["SchedulePolicy.stork.libopenstorage.org"])
        );
        let objects = documents(&out, stack, "DatabaseStorage");
        let find = |kind: &str| {
            objects
                .iter()
                .find(|o| o["kind"] == kind)
                .unwrap_or_else(|| panic!("{stack}: no {kind}"))
        };

        let class = find("StorageClass");
        let schedule: J = serde_json::from_str(
            class["parameters"]["snapshotschedule.stork.libopenstorage.org/cloud"]
                .as_str()
                .unwrap(),
        )
        .unwrap();
        assert_eq!(
            schedule,
            json!({
                "schedulePolicyName": cloudsnap::POLICY_NAME,
                "reclaimPolicy": "Retain",
                "annotations": {"portworx/snapshot-type": "cloud"},
            })
        );
        let policy = find("SchedulePolicy");
        assert_eq!(policy["apiVersion"], "stork.libopenstorage.org/v1alpha1");
        assert_eq!(policy["metadata"]["name"], cloudsnap::POLICY_NAME);
        let every = config::CLOUDSNAP_SCHEDULE;
        assert_eq!(
            policy["policy"],
            json!({
                "interval": {"intervalMinutes": every.every_minutes, "retain": every.keep},
                "daily": {"time": every.daily_at, "retain": every.keep_daily},
            })
        );

        let job = find("Job");
        assert_eq!(
            job["metadata"]["namespace"],
            config::PORTWORX_SERVICE_ACCOUNT.0
        );
        // `deploy` waits for the credential to be made.
        assert_eq!(
            job["metadata"]["annotations"]["cirrus.dev/wait"],
            "complete"
        );
        let pod = &job["spec"]["template"]["spec"];
        assert_eq!(pod["restartPolicy"], "Never");
        assert_eq!(pod["automountServiceAccountToken"], false);
        // Its pods serve nothing, and admit nothing.
        assert_eq!(find("NetworkPolicy")["spec"]["ingress"], json!([]));
        let container = &pod["containers"][0];
        assert_eq!(container["image"], config::CREDENTIALS_IMAGE);
        assert_eq!(
            container["command"],
            json!(["python3", "-c", cloudsnap::CREDENTIALS_SCRIPT])
        );
        let env: std::collections::BTreeMap<&str, &str> = container["env"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["name"].as_str().unwrap(), e["value"].as_str().unwrap()))
            .collect();
        assert_eq!(env["REGION"], region);
        assert_eq!(env["CREDENTIAL_NAME"], cloudsnap::CREDENTIAL_NAME);
        assert_eq!(env["PORTWORX_API"], "http://portworx-api.portworx.svc:9021");
        // The bucket's name, from the stack that makes the bucket.
        let step = out
            .artifacts
            .iter()
            .find(|a| a.id == format!("{stack}-Cluster-Kubernetes-DatabaseStorage"))
            .unwrap();
        let token = env["BUCKET"]
            .strip_prefix("${cirrus:")
            .and_then(|t| t.strip_suffix('}'))
            .unwrap_or_else(|| panic!("{stack}: {}", env["BUCKET"]));
        let source = &step.values[token].source;
        assert!(
            source.starts_with("Ref CloudSnap")
                && source.ends_with(&format!("of {stack}/CloudSnap/Resource")),
            "{stack}: {source}"
        );
    }
}

/// The credential script against a stand-in for Portworx's gateway: it waits while Portworx
/// starts, creates the credential once with the role's access (no key), leaves it on a second
/// run, and refuses a credential of its name for another bucket.
#[test]
fn the_cloud_snap_credential_script_is_idempotent() {
    use apps::ecommerce::cloudsnap::{CREDENTIAL_NAME, CREDENTIALS_SCRIPT};
    use std::io::BufRead;
    use std::process::{Command, Stdio};

    if Command::new("python3").arg("--version").output().is_err() {
        assert!(
            std::env::var_os("CIRRUS_REQUIRE_TOOLS").is_none(),
            "python3 is needed to run the Cloud Snap credential script"
        );
        eprintln!("skipped: no python3");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("credentials.json");
    let gateway = |credentials: J, starting: u32| {
        std::fs::write(&state, credentials.to_string()).unwrap();
        let mut server = Command::new("python3")
            .arg(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/fixtures/portworx_gateway.py"
            ))
            .arg(&state)
            .arg(starting.to_string())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut port = String::new();
        std::io::BufReader::new(server.stdout.take().unwrap())
            .read_line(&mut port)
            .unwrap();
        (server, format!("http://127.0.0.1:{}", port.trim()))
    };
    let run = |api: &str| {
        Command::new("python3")
            .args(["-c", CREDENTIALS_SCRIPT])
            .env("PORTWORX_API", api)
            .env("CREDENTIAL_NAME", CREDENTIAL_NAME)
            .env("BUCKET", "ecommerce-cloudsnap-123456789012-us-east-1")
            .env("REGION", "us-east-1")
            .env("WAIT_SECONDS", "30")
            .env("RETRY_SECONDS", "0.05")
            .output()
            .unwrap()
    };
    let stored = || -> J { serde_json::from_slice(&std::fs::read(&state).unwrap()).unwrap() };

    let (mut server, api) = gateway(json!([]), 3);
    let first = run(&api);
    assert!(first.status.success(), "{first:?}");
    let stdout = String::from_utf8_lossy(&first.stdout);
    assert_eq!(
        stdout.matches("waiting for portworx's api").count(),
        3,
        "{stdout}"
    );
    let credentials = stored();
    assert_eq!(credentials.as_array().unwrap().len(), 1);
    let created = &credentials[0];
    assert_eq!(created["name"], CREDENTIAL_NAME);
    assert_eq!(
        created["bucket"],
        "ecommerce-cloudsnap-123456789012-us-east-1"
    );
    assert_eq!(created["iam_policy"], true);
    assert_eq!(
        created["aws_credential"],
        json!({
            "access_key": "use-iam-role",
            "secret_key": "use-iam-role",
            "endpoint": "s3.us-east-1.amazonaws.com",
            "region": "us-east-1",
        })
    );

    let again = run(&api);
    assert!(again.status.success(), "{again:?}");
    assert!(String::from_utf8_lossy(&again.stdout).contains("exists for bucket"));
    assert_eq!(stored().as_array().unwrap().len(), 1);
    server.kill().unwrap();
    server.wait().unwrap();

    let other =
        json!([{"credential_id": "c1", "name": CREDENTIAL_NAME, "bucket": "someone-elses"}]);
    let (mut server, api) = gateway(other, 0);
    let refused = run(&api);
    server.kill().unwrap();
    server.wait().unwrap();
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains(&format!(
            "credential {CREDENTIAL_NAME} exists for bucket someone-elses, not ecommerce-cloudsnap-123456789012-us-east-1"
        )),
        "{refused:?}"
    );
}

/// 003's databases on Portworx: PostgreSQL in a StatefulSet on the storage nodes, its volume a
/// `px-db` claim, its password the file of the Secret synced from Secrets Manager (readable by
/// its non-root user through `fsGroup`, as the storefront's is), reachable from the storefront's
/// pods only, and applied after the storage class exists.
#[test]
fn the_storefront_database_runs_on_portworx_volumes() {
    let out = synth();
    for stack in ["EcommerceProduction", "EcommerceDr"] {
        let objects = documents(&out, stack, "Storefront");
        let find = |kind: &str, name: &str| {
            objects
                .iter()
                .find(|o| o["kind"] == kind && o["metadata"]["name"] == name)
                .unwrap_or_else(|| panic!("{stack}: no {kind} {name}"))
                .clone()
        };
        let set = find("StatefulSet", "storefront-db");
        let pod = &set["spec"]["template"]["spec"];
        assert_eq!(pod["nodeSelector"], json!({"node-role": "storage"}));
        assert_eq!(pod["tolerations"][0]["key"], "storage");
        assert_eq!(pod["securityContext"]["fsGroup"], 10001);
        assert_eq!(pod["serviceAccountName"], "storefront-db");
        let postgres = &pod["containers"][0];
        assert_eq!(postgres["image"], config::DATABASE_IMAGE);
        assert!(postgres["env"].as_array().unwrap().contains(&json!({
            "name": "POSTGRES_PASSWORD_FILE",
            "value": "/var/run/secrets/storefront-db/password"
        })));
        assert_eq!(pod["volumes"][2]["secret"]["secretName"], "storefront-db");
        let claim = &set["spec"]["volumeClaimTemplates"][0]["spec"];
        assert_eq!(claim["storageClassName"], config::DATABASE_STORAGE_CLASS);
        assert_eq!(claim["accessModes"], json!(["ReadWriteOnce"]));

        let policy = find("NetworkPolicy", "storefront-db");
        assert_eq!(
            policy["spec"]["ingress"],
            json!([{"from": [{"podSelector": {"matchLabels": {"app": "storefront"}}}],
                    "ports": [{"port": 5432, "protocol": "TCP"}]}])
        );
        assert_eq!(
            find("Service", "storefront-db")["spec"]["clusterIP"],
            "None"
        );
        // The storefront connects to it, and can read the same password file.
        for colour in ["blue", "green"] {
            let storefront = find("Deployment", &format!("storefront-{colour}"));
            let pod = &storefront["spec"]["template"]["spec"];
            assert_eq!(pod["securityContext"]["fsGroup"], 10001);
            assert_eq!(
                pod["containers"][0]["env"][0],
                json!({"name": "DB_HOST", "value": "storefront-db"})
            );
        }
        let step = out
            .artifacts
            .iter()
            .find(|a| a.id == format!("{stack}-Cluster-Kubernetes-Storefront"))
            .unwrap();
        assert!(
            step.dependencies
                .contains(&format!("{stack}-Cluster-Kubernetes-DatabaseStorage")),
            "{stack}: {:?}",
            step.dependencies
        );
    }
}

/// The logical id of the one resource of `template` whose id starts with `prefix` and is a
/// target group.
fn resource_id(template: &Template, prefix: &str) -> String {
    template
        .find_resources(
            "AWS::ElasticLoadBalancingV2::TargetGroup",
            Match::any_value(),
        )
        .into_iter()
        .map(|(id, _)| id.to_owned())
        .find(|id| id.starts_with(prefix))
        .unwrap_or_else(|| panic!("no target group {prefix}*"))
}
