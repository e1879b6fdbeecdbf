//! Errors, grants and invariants of the analytics constructs: Firehose, the CloudWatch Logs
//! subscription filter, EMR, Redshift and Athena.

mod fixtures;

use cirrus_aws::codes;
use std::collections::BTreeMap;

use cirrus_aws::athena::{IWorkGroup, WorkGroup, WorkGroupProps};
use cirrus_aws::ec2::SubnetType;
use cirrus_aws::emr::{
    self, Application, InstanceFleet, InstanceGroup, Instances, ManagedScaling, ReleaseLabel,
};
use cirrus_aws::firehose::{DeliveryStream, DeliveryStreamProps};
use cirrus_aws::iam::{Principal, Role, RoleProps};
use cirrus_aws::kms::{Key, KeyProps};
use cirrus_aws::logs::{SubscriptionFilter, SubscriptionFilterProps};
use cirrus_aws::redshift::{self, AuditLogging, NodeType};
use cirrus_aws::s3::{Bucket, BucketEncryption, BucketProps, IBucket};
use cirrus_core::assertions::{Annotations, Match, Template};
use cirrus_core::{App, StackProps};
use fixtures::network::imported_vpc;
use serde_json::{Value, json};

/// The resources of `template` whose logical id starts with `prefix`.
fn resource<'t>(template: &'t Template, prefix: &str) -> &'t Value {
    template.to_json()["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .find(|(id, _)| id.starts_with(prefix))
        .map(|(_, r)| r)
        .unwrap_or_else(|| panic!("no resource {prefix}*"))
}

/// The one resource of type `cfn_type` in `template`.
fn of_type<'t>(template: &'t Template, cfn_type: &str) -> &'t Value {
    template.resource_count_is(cfn_type, 1);
    template.find_resources(cfn_type, Match::any_value())[0].1
}

fn statements<'t>(template: &'t Template, policy_prefix: &str) -> &'t Value {
    &resource(template, policy_prefix)["Properties"]["PolicyDocument"]["Statement"]
}

#[test]
fn delivery_stream_props_are_checked() {
    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    let bucket = Bucket::new(stack, "Bucket", BucketProps::default());
    let stream = |id: &str, props: DeliveryStreamProps<'_>| {
        DeliveryStream::new(stack, id, &bucket, props);
    };
    stream(
        "Named",
        DeliveryStreamProps {
            delivery_stream_name: Some("logs to s3".into()),
            ..Default::default()
        },
    );
    stream(
        "Slow",
        DeliveryStreamProps {
            buffering_interval_seconds: 901,
            buffering_size_mib: 0,
            ..Default::default()
        },
    );
    stream(
        "Big",
        DeliveryStreamProps {
            buffering_size_mib: 129,
            ..Default::default()
        },
    );
    stream(
        "Slash",
        DeliveryStreamProps {
            prefix: "/logs/".into(),
            ..Default::default()
        },
    );
    stream(
        "ErrorType",
        DeliveryStreamProps {
            prefix: "logs/!{firehose:error-output-type}/".into(),
            ..Default::default()
        },
    );
    stream(
        "Namespace",
        DeliveryStreamProps {
            prefix: "logs/!{date:yyyy}/".into(),
            ..Default::default()
        },
    );
    stream(
        "Partitioned",
        DeliveryStreamProps {
            prefix: "logs/!{partitionKeyFromQuery:customer}/".into(),
            ..Default::default()
        },
    );
    stream(
        "Unclosed",
        DeliveryStreamProps {
            prefix: "logs/!{timestamp:yyyy/".into(),
            ..Default::default()
        },
    );
    stream(
        "Nested",
        DeliveryStreamProps {
            prefix: "logs/".into(),
            error_output_prefix: "logs/errors/".into(),
            ..Default::default()
        },
    );
    stream(
        "Untyped",
        DeliveryStreamProps {
            error_output_prefix: "errors/!{timestamp:yyyy}/".into(),
            ..Default::default()
        },
    );
    stream(
        "NoErrors",
        DeliveryStreamProps {
            error_output_prefix: String::new(),
            ..Default::default()
        },
    );
    let annotations = Annotations::from_app(&app);
    for needle in [
        "S/Named: delivery stream name \"logs to s3\" is not 1 to 64 letters",
        "S/Slow: buffering_interval_seconds is 901; Firehose buffers for 0 to 900 seconds",
        "S/Slow: buffering_size_mib is 0; Firehose buffers 1 to 128 MiB",
        "S/Big: buffering_size_mib is 129",
        "S/Slash: prefix \"/logs/\" starts with '/'",
        "S/ErrorType: prefix \"logs/!{firehose:error-output-type}/\" uses !{firehose:error-output-type}, which only the error output prefix may use",
        "S/Namespace: prefix \"logs/!{date:yyyy}/\" uses the unknown namespace \"date\"",
        "S/Partitioned: prefix \"logs/!{partitionKeyFromQuery:customer}/\" uses !{partitionKeyFromQuery:customer}, which needs dynamic partitioning",
        "S/Unclosed: prefix \"logs/!{timestamp:yyyy/\" has an expression \"!{\" without its closing \"}\"",
        "S/Nested: error_output_prefix \"logs/errors/\" lies under prefix \"logs/\"",
        "S/Untyped: error_output_prefix \"errors/!{timestamp:yyyy}/\" has expressions but no !{firehose:error-output-type}",
        "S/NoErrors: error_output_prefix is empty",
    ] {
        let (path, message) = needle.split_once(": ").unwrap();
        annotations.has_error(path, message);
    }
    assert_eq!(annotations.errors().len(), 12, "{annotations:#?}");
}

#[test]
fn the_firehose_role_can_write_only_under_its_prefixes_in_its_bucket() {
    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    let key = Key::new(stack, "Key", KeyProps::default());
    let archive = Bucket::new(
        stack,
        "Archive",
        BucketProps {
            encryption: BucketEncryption::Kms(key),
            ..Default::default()
        },
    );
    Bucket::new(stack, "Other", BucketProps::default());
    DeliveryStream::new(
        stack,
        "Stream",
        &archive,
        DeliveryStreamProps {
            prefix: "logs/!{timestamp:yyyy/MM/dd}/".into(),
            error_output_prefix: "failed/!{firehose:error-output-type}/".into(),
            ..Default::default()
        },
    );
    let t = Template::from_stack(&stack);
    let arn = json!({"Fn::GetAtt": ["ArchiveDA4CB258", "Arn"]});
    assert_eq!(
        statements(&t, "StreamRoleDefaultPolicy"),
        &json!([
            {"Effect": "Allow",
             "Action": ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"],
             "Resource": arn},
            {"Effect": "Allow",
             "Action": ["s3:AbortMultipartUpload", "s3:GetObject", "s3:PutObject"],
             "Resource": [{"Fn::Sub": "${ArchiveDA4CB258.Arn}/logs/*"},
                          {"Fn::Sub": "${ArchiveDA4CB258.Arn}/failed/*"}]},
            {"Effect": "Allow",
             "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
             "Resource": {"Fn::GetAtt": ["Key961B73FD", "Arn"]},
             "Condition": {
                 "StringEquals": {"kms:ViaService": {"Fn::Sub": "s3.${AWS::Region}.amazonaws.com"}},
                 "StringLike": {"kms:EncryptionContext:aws:s3:arn": [arn, {"Fn::Sub": "${ArchiveDA4CB258.Arn}/*"}]}
             }},
            {"Effect": "Allow",
             "Action": "logs:PutLogEvents",
             "Resource": {"Fn::Sub": "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:${StreamLogGroupEAA5A548}:log-stream:${StreamLogStream1A8E25DC}"}}
        ])
    );
    assert_eq!(
        resource(&t, "StreamRoleD68DE224")["Properties"]["AssumeRolePolicyDocument"]["Statement"],
        json!([{
            "Effect": "Allow",
            "Principal": {"Service": "firehose.amazonaws.com"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}
        }])
    );
    let stream = &resource(&t, "Stream790BDEE4");
    assert_eq!(
        stream["DependsOn"],
        json!(["StreamRoleDefaultPolicy75EE87CC"])
    );
    let props = &stream["Properties"];
    // The bucket's key encrypts the stream and the objects.
    assert_eq!(
        props["DeliveryStreamEncryptionConfigurationInput"],
        json!({"KeyARN": {"Fn::GetAtt": ["Key961B73FD", "Arn"]}, "KeyType": "CUSTOMER_MANAGED_CMK"})
    );
    assert_eq!(
        props["ExtendedS3DestinationConfiguration"]["EncryptionConfiguration"],
        json!({"KMSEncryptionConfig": {"AWSKMSKeyARN": {"Fn::GetAtt": ["Key961B73FD", "Arn"]}}})
    );
}

#[test]
fn a_given_role_gets_the_stream_permissions_and_subscriptions_may_only_put_records() {
    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    let bucket = Bucket::new(stack, "Bucket", BucketProps::default());
    let role = Role::new(
        stack,
        "Shared",
        Principal::service("firehose.amazonaws.com"),
        RoleProps::default(),
    );
    let stream = DeliveryStream::new(
        stack,
        "Stream",
        &bucket,
        DeliveryStreamProps {
            role: Some(role),
            ..Default::default()
        },
    );
    assert!(
        stack
            .node()
            .find_child("Stream")
            .unwrap()
            .find_child("Role")
            .is_none()
    );
    SubscriptionFilter::new(
        stack,
        "Filter",
        "/app/logs",
        &stream,
        SubscriptionFilterProps::default(),
    );
    let t = Template::from_stack(&stack);
    let shared = statements(&t, "SharedDefaultPolicy").as_array().unwrap();
    assert_eq!(shared.len(), 3, "{shared:#?}");
    assert_eq!(
        statements(&t, "FilterRoleDefaultPolicy"),
        &json!([{
            "Effect": "Allow",
            "Action": ["firehose:PutRecord", "firehose:PutRecordBatch"],
            "Resource": {"Fn::GetAtt": ["Stream790BDEE4", "Arn"]}
        }])
    );
    let filter = of_type(&t, "AWS::Logs::SubscriptionFilter");
    assert_eq!(filter["Properties"]["FilterPattern"], json!(""));
    assert_eq!(
        filter["DependsOn"],
        json!(["FilterRoleDefaultPolicy30B9B4E4"])
    );
    assert_eq!(
        resource(&t, "FilterRole")["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"],
        json!({"Service": {"Fn::Sub": "logs.${AWS::Region}.amazonaws.com"}})
    );
}

#[test]
fn subscription_filter_props_are_checked() {
    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    let stream = DeliveryStream::from_arn(
        stack,
        "ImportedStream",
        "arn:aws:firehose:us-east-1:111122223333:deliverystream/x",
    );
    SubscriptionFilter::new(
        stack,
        "Long",
        "/app",
        &stream,
        SubscriptionFilterProps {
            filter_pattern: "x".repeat(1025),
            ..Default::default()
        },
    );
    SubscriptionFilter::new(
        stack,
        "Named",
        "/app",
        &stream,
        SubscriptionFilterProps {
            filter_name: Some("all:errors".into()),
            ..Default::default()
        },
    );
    let annotations = Annotations::from_app(&app);
    annotations.has_error_code("S/Long", codes::logs::FILTER_PATTERN_TOO_LONG);
    annotations.has_error_code("S/Named", codes::logs::FILTER_NAME_INVALID);
}

#[test]
fn emr_cluster_props_are_checked() {
    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    let vpc = imported_vpc(stack);
    let cluster = |id: &str, props: emr::ClusterProps<'_>| {
        emr::Cluster::new(stack, id, &vpc, props);
    };
    cluster(
        "Old",
        emr::ClusterProps {
            release_label: ReleaseLabel::new(5, 29, 0),
            ..Default::default()
        },
    );
    cluster(
        "Six",
        emr::ClusterProps {
            release_label: ReleaseLabel::new(6, 0, 0),
            ..Default::default()
        },
    );
    cluster(
        "Eight",
        emr::ClusterProps {
            release_label: ReleaseLabel::new(8, 0, 0),
            ..Default::default()
        },
    );
    cluster(
        "Groups",
        emr::ClusterProps {
            instances: Instances::Groups {
                primary: InstanceGroup::new("m5.xlarge", 2),
                core: InstanceGroup::new("m5", 0),
                tasks: vec![InstanceGroup {
                    name: Some("Core".into()),
                    ebs_volume_gib: Some(0),
                    ..InstanceGroup::new("m5.large", 1)
                }],
            },
            ..Default::default()
        },
    );
    cluster(
        "Fleets",
        emr::ClusterProps {
            instances: Instances::Fleets {
                primary: InstanceFleet {
                    spot_capacity: 1,
                    ..InstanceFleet::on_demand(&["m5.xlarge"], 1)
                },
                core: InstanceFleet::on_demand(
                    &[
                        "m5.xlarge",
                        "m5a.xlarge",
                        "m6i.xlarge",
                        "m6a.xlarge",
                        "m7i.xlarge",
                        "m7a.xlarge",
                    ],
                    0,
                ),
                tasks: vec![],
            },
            ..Default::default()
        },
    );
    cluster(
        "Scaling",
        emr::ClusterProps {
            managed_scaling: Some(ManagedScaling {
                minimum: 5,
                maximum: 4,
                maximum_on_demand: Some(6),
                maximum_core: None,
            }),
            ..Default::default()
        },
    );
    cluster(
        "Public",
        emr::ClusterProps {
            subnet_type: SubnetType::Public,
            ..Default::default()
        },
    );
    cluster(
        "Isolated",
        emr::ClusterProps {
            subnet_type: SubnetType::Isolated,
            ..Default::default()
        },
    );
    cluster(
        "Apps",
        emr::ClusterProps {
            name: Some("jobs|prod".into()),
            applications: vec![Application::Spark, Application::Spark],
            ebs_root_volume_gib: Some(10),
            ..Default::default()
        },
    );
    cluster(
        "NoApps",
        emr::ClusterProps {
            applications: vec![],
            configurations: vec![
                emr::Configuration {
                    classification: "spark-defaults".into(),
                    properties: BTreeMap::new(),
                },
                emr::Configuration {
                    classification: "spark-defaults".into(),
                    properties: BTreeMap::new(),
                },
            ],
            ..Default::default()
        },
    );
    let annotations = Annotations::from_app(&app);
    for needle in [
        "S/Old: release emr-5.29.0 is older than emr-5.30.0",
        "S/Six: release emr-6.0.0 cannot encrypt its log files",
        "S/Eight: release emr-8.0.0 is not supported",
        "S/Groups: the primary instance group has 2 instances; EMR runs 1, or 3 for high availability",
        "S/Groups: the core instance group has no instances",
        "S/Groups: two instance groups or fleets are named \"Core\"",
        "S/Groups: \"m5\" is not an EC2 instance type",
        "S/Groups: an EBS data volume of 0 GiB",
        "S/Fleets: the primary instance fleet targets 1 On-Demand and 1 Spot units",
        "S/Fleets: the core instance fleet targets no capacity",
        "S/Fleets: an instance fleet lists 6 instance types; a fleet takes 1 to 5",
        "S/Scaling: managed scaling minimum 5 is above its maximum 4",
        "S/Scaling: managed scaling maximum_on_demand 6 is above its maximum 4",
        "S/Public: an EMR cluster must not be placed in public subnets",
        "S/Isolated: the VPC has no Isolated subnets for the cluster",
        "S/Apps: cluster name \"jobs|prod\" is not 1 to 256 characters",
        "S/Apps: application Spark is listed twice",
        "S/Apps: ebs_root_volume_gib is 10; EMR root volumes are 15 to 100 GiB",
        "S/NoApps: the cluster installs no applications",
        "S/NoApps: configuration classification spark-defaults is listed twice",
    ] {
        let (path, message) = needle.split_once(": ").unwrap();
        annotations.has_error(path, message);
    }
    assert!(ReleaseLabel::parse("emr-7.x").is_err());
}

#[test]
fn emr_roles_hold_no_wildcard_and_the_cluster_waits_for_every_rule() {
    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    let data = Bucket::new(stack, "Data", BucketProps::default());
    let cluster = emr::Cluster::new(
        stack,
        "Emr",
        &imported_vpc(stack),
        emr::ClusterProps::default(),
    );
    data.grant_read(&cluster.instance_role());
    let t = Template::from_stack(&stack);
    let resources = t.to_json()["Resources"].as_object().unwrap();
    for (id, r) in resources {
        if r["Type"] == "AWS::IAM::Policy" {
            let text = r["Properties"]["PolicyDocument"].to_string();
            assert!(!text.contains("\"Resource\":\"*\""), "{id}: {text}");
            assert!(!text.contains("\"s3:*\""), "{id}: {text}");
        }
    }
    let instance = statements(&t, "EmrInstanceRoleDefaultPolicy").to_string();
    assert!(
        instance.contains("${AccessLogsBucket83982689.Arn}/emr/Emr/*"),
        "{instance}"
    );
    assert!(instance.contains("Data666C94C7"), "{instance}");
    let profile = resource(&t, "EmrInstanceProfile");
    assert_eq!(
        profile["Properties"]["InstanceProfileName"],
        profile["Properties"]["Roles"][0]
    );
    let service = resource(&t, "EmrServiceRole");
    assert_eq!(
        service["Properties"]["ManagedPolicyArns"],
        json!([{"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/service-role/AmazonEMRServicePolicy_v2"}])
    );
    assert!(
        !resources
            .values()
            .any(|r| r["Properties"]["ManagedPolicyArns"]
                .to_string()
                .contains("AmazonElasticMapReduceforEC2Role")),
        "the legacy instance policy must not be attached"
    );
    let rules: Vec<&String> = resources
        .iter()
        .filter(|(_, r)| {
            r["Type"] == "AWS::EC2::SecurityGroupIngress"
                || r["Type"] == "AWS::EC2::SecurityGroupEgress"
        })
        .map(|(id, _)| id)
        .collect();
    assert_eq!(rules.len(), 23);
    let depends: Vec<String> =
        serde_json::from_value(of_type(&t, "AWS::EMR::Cluster")["DependsOn"].clone())
            .unwrap_or_default();
    for rule in rules {
        assert!(
            depends.contains(rule),
            "the cluster does not wait for {rule}"
        );
    }
    for sg in [
        "EmrPrimarySecurityGroup",
        "EmrCoreSecurityGroup",
        "EmrServiceAccessSecurityGroup",
    ] {
        assert_eq!(
            resource(&t, sg)["Properties"]["Tags"],
            json!([{"Key": "for-use-with-amazon-emr-managed-policies", "Value": "true"}])
        );
    }
}

#[test]
fn redshift_cluster_props_are_checked() {
    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    let vpc = imported_vpc(stack);
    let cluster = |id: &str, user: &str, props: redshift::ClusterProps<'_>| {
        redshift::Cluster::new(stack, id, &vpc, user, props);
    };
    cluster(
        "Single",
        "admin",
        redshift::ClusterProps {
            node_type: NodeType::Ra34xLarge,
            number_of_nodes: 1,
            ..Default::default()
        },
    );
    cluster(
        "Empty",
        "admin",
        redshift::ClusterProps {
            number_of_nodes: 0,
            ..Default::default()
        },
    );
    cluster(
        "Huge",
        "admin",
        redshift::ClusterProps {
            node_type: NodeType::Dc2Large,
            number_of_nodes: 33,
            port: 1000,
            ..Default::default()
        },
    );
    cluster(
        "Names",
        "Admin",
        redshift::ClusterProps {
            cluster_identifier: Some("Warehouse--1".into()),
            database_name: "select".into(),
            ..Default::default()
        },
    );
    cluster("Reserved", "user", redshift::ClusterProps::default());
    cluster(
        "Port",
        "admin",
        redshift::ClusterProps {
            port: 6000,
            automated_snapshot_retention_days: 0,
            parameters: BTreeMap::from([("require_ssl".to_owned(), "false".to_owned())]),
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
    cluster(
        "Audit",
        "admin",
        redshift::ClusterProps {
            audit_logging: AuditLogging::To {
                bucket: encrypted,
                prefix: "audit logs/",
            },
            subnet_type: SubnetType::Public,
            ..Default::default()
        },
    );
    let annotations = Annotations::from_app(&app);
    for needle in [
        "S/Single: ra3.4xlarge does not support single-node clusters; give number_of_nodes 2 to 64",
        "S/Empty: number_of_nodes is 0; a cluster has at least one node",
        "S/Huge: number_of_nodes is 33; a dc2.large cluster has at most 32 nodes",
        "S/Huge: port 1000 is below 1150",
        "S/Names: master username \"Admin\" may contain only lower-case letters",
        "S/Names: cluster identifier \"Warehouse--1\" may contain only lower-case letters, digits and '-'",
        "S/Names: database name \"select\" is a reserved word",
        "S/Reserved: master username \"user\" is a reserved word",
        "S/Port: port 6000 is not available to RA3 clusters",
        "S/Port: automated_snapshot_retention_days is 0",
        "S/Port: parameter require_ssl cannot be \"false\"",
        "S/Audit: audit logs cannot go to S/Encrypted: it is encrypted with a customer managed key",
        "S/Audit: audit log prefix \"audit logs/\" is not a valid S3 key prefix for Redshift",
        "S/Audit: a Redshift cluster must not be placed in public subnets",
    ] {
        let (path, message) = needle.split_once(": ").unwrap();
        annotations.has_error(path, message);
    }
}

#[test]
fn no_template_holds_a_password() {
    for fixture in fixtures::all() {
        let app = App::new("fixture");
        (fixture.build)(&app);
        let out = app.synth().unwrap();
        for stack in &out.stacks {
            let mut found = Vec::new();
            password_fields(&stack.template, &mut found);
            assert!(found.is_empty(), "{} {}: {found:?}", fixture.name, stack.id);
            for r in stack.template["Resources"].as_object().unwrap().values() {
                if r["Type"] == "AWS::Redshift::Cluster" {
                    assert_eq!(r["Properties"]["ManageMasterPassword"], json!(true));
                }
            }
        }
    }
}

/// Keys that would carry a password: anything naming one, except the flags and key ids that
/// let a service keep it.
fn password_fields(value: &Value, found: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let lower = k.to_ascii_lowercase();
                // Settings about passwords (who manages them, how long generated ones are) are
                // fine; a field that would hold one is not.
                if lower.contains("password")
                    && k != "ManageMasterPassword"
                    && k != "MasterPasswordSecretKmsKeyId"
                    && k != "PasswordLength"
                {
                    found.push(k.clone());
                }
                password_fields(v, found);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| password_fields(v, found)),
        _ => {}
    }
}

#[test]
fn redshift_grants_and_logging() {
    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    let cluster = redshift::Cluster::new(
        stack,
        "Warehouse",
        &imported_vpc(stack),
        "admin",
        redshift::ClusterProps::default(),
    );
    let loader = Bucket::new(stack, "Loads", BucketProps::default());
    cluster.grant_copy_from(&loader);
    let t = Template::from_stack(&stack);
    let props = &resource(&t, "Warehouse50B5FE91")["Properties"];
    assert_eq!(props["PubliclyAccessible"], json!(false));
    assert_eq!(props["Encrypted"], json!(true));
    assert_eq!(props["ClusterType"], json!("multi-node"));
    assert_eq!(
        props["LoggingProperties"]["S3KeyPrefix"],
        json!("redshift/Warehouse/")
    );
    assert_eq!(
        statements(&t, "WarehouseRoleDefaultPolicy")[0]["Resource"],
        json!([{"Fn::GetAtt": ["Loads77977990", "Arn"]}, {"Fn::Sub": "${Loads77977990.Arn}/*"}])
    );
    let log_policy = statements(&t, "AccessLogsBucketPolicy").to_string();
    assert!(
        log_policy.contains("redshift.amazonaws.com"),
        "{log_policy}"
    );
    assert!(log_policy.contains("s3:GetBucketAcl"), "{log_policy}");
}

#[test]
fn athena_work_group_props_are_checked_and_grants_scoped() {
    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    let results = Bucket::new(stack, "Results", BucketProps::default());
    WorkGroup::new(
        stack,
        "Primary",
        "primary",
        &results,
        WorkGroupProps::default(),
    );
    WorkGroup::new(
        stack,
        "Bad",
        "ad hoc",
        &results,
        WorkGroupProps {
            results_prefix: "results".into(),
            bytes_scanned_cutoff_per_query: Some(1_000),
            ..Default::default()
        },
    );
    let annotations = Annotations::from_app(&app);
    annotations.has_error_code("S/Primary", codes::athena::WORKGROUP_NAME_RESERVED);
    annotations.has_error_code("S/Bad", codes::athena::WORKGROUP_NAME_INVALID);
    annotations.has_error_code("S/Bad", codes::athena::RESULTS_PREFIX_INVALID);
    annotations.has_error_code("S/Bad", codes::athena::CUTOFF_TOO_SMALL);

    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    let results = Bucket::new(stack, "Results", BucketProps::default());
    let group = WorkGroup::new(stack, "Team", "team", &results, WorkGroupProps::default());
    let role = Role::new(
        stack,
        "Analyst",
        Principal::service("lambda.amazonaws.com"),
        RoleProps::default(),
    );
    group.grant_query(&role);
    let t = Template::from_stack(&stack);
    let granted = statements(&t, "AnalystDefaultPolicy");
    assert_eq!(
        granted[2]["Resource"],
        json!({"Fn::Sub": "${Results25575328.Arn}/athena-results/*"})
    );
    assert_eq!(
        granted.as_array().unwrap().len(),
        3,
        "no KMS statement for SSE-S3 results"
    );
    let config = &resource(&t, "Team")["Properties"]["WorkGroupConfiguration"];
    assert_eq!(config["EnforceWorkGroupConfiguration"], json!(true));
    assert_eq!(
        config["ResultConfiguration"]["EncryptionConfiguration"],
        json!({"EncryptionOption": "SSE_S3"})
    );
}

/// Lets `who` query in `group`, whichever kind of workgroup it is.
fn let_query<'a>(group: &impl IWorkGroup<'a>, who: &Role<'a>) {
    group.grant_query(who);
}

#[test]
fn imported_work_groups_are_granted_like_those_of_the_app() {
    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    let analyst = Role::new(
        stack,
        "Analyst",
        Principal::service("lambda.amazonaws.com"),
        RoleProps::default(),
    );
    let results = Bucket::new(stack, "Results", BucketProps::default());
    let owned = WorkGroup::new(stack, "Team", "team", &results, WorkGroupProps::default());
    let_query(&owned, &analyst);
    let shared = WorkGroup::from_name(stack, "ImportedWorkGroup", "shared")
        .with_results(
            &Bucket::from_name(stack, "ImportedBucket", "shared-results"),
            "athena/",
        )
        .with_results_key(&Key::from_arn(
            stack,
            "ImportedKey",
            "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        ));
    let_query(&shared, &analyst);
    let bare = WorkGroup::from_name(stack, "ImportedWorkGroup2", "primary");
    let auditor = Role::new(
        stack,
        "Auditor",
        Principal::service("lambda.amazonaws.com"),
        RoleProps::default(),
    );
    bare.grant_query(&auditor);

    let t = Template::from_stack(&stack);
    let granted = statements(&t, "AnalystDefaultPolicy");
    // The same statements for both, each naming both workgroups' resources.
    assert_eq!(
        granted[0]["Resource"],
        json!([
            {"Fn::Sub": "arn:${AWS::Partition}:athena:${AWS::Region}:${AWS::AccountId}:workgroup/${Team8E98563C}"},
            {"Fn::Sub": "arn:${AWS::Partition}:athena:${AWS::Region}:${AWS::AccountId}:workgroup/shared"},
        ])
    );
    assert_eq!(
        granted[0]["Action"].as_array().unwrap().len(),
        8,
        "{granted:#}"
    );
    assert_eq!(
        granted[1]["Resource"][1],
        json!({"Fn::Sub": "arn:${AWS::Partition}:s3:::shared-results"})
    );
    assert_eq!(
        granted[2]["Resource"][1]["Fn::Sub"][0],
        json!("${Arn}/athena/*")
    );
    assert_eq!(
        granted[3],
        json!({
            "Effect": "Allow",
            "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
            "Resource": "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        })
    );
    // Without a known results location, only the workgroup itself is granted.
    let audited = statements(&t, "AuditorDefaultPolicy");
    assert_eq!(
        audited.as_array().unwrap().len(),
        1,
        "no statement on an unknown results bucket: {audited:#}"
    );
    assert_eq!(
        audited[0]["Resource"],
        json!({"Fn::Sub": "arn:${AWS::Partition}:athena:${AWS::Region}:${AWS::AccountId}:workgroup/primary"})
    );
    assert_eq!(
        shared.arn(),
        IWorkGroup::arn(&WorkGroup::from_name(stack, "ImportedWorkGroup3", "shared"))
    );
}

/// Lets `who` run steps on `cluster`, whichever kind of cluster it is.
fn let_submit<'a>(cluster: &impl emr::ICluster<'a>, who: &Role<'a>) {
    cluster.grant_add_steps(who);
}

#[test]
fn imported_emr_clusters_take_steps_like_those_of_the_app() {
    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    let orchestrator = Role::new(
        stack,
        "Orchestrator",
        Principal::service("states.amazonaws.com"),
        RoleProps::default(),
    );
    let owned = emr::Cluster::new(
        stack,
        "Emr",
        &imported_vpc(stack),
        emr::ClusterProps::default(),
    );
    let_submit(&owned, &orchestrator);
    let existing = emr::Cluster::from_id(stack, "ImportedCluster", "j-2AXXXXXXGAPLF");
    let_submit(&existing, &orchestrator);
    let t = Template::from_stack(&stack);
    let granted = statements(&t, "OrchestratorDefaultPolicy");
    assert_eq!(granted.as_array().unwrap().len(), 1, "{granted:#}");
    assert_eq!(
        granted[0]["Resource"],
        json!([
            {"Fn::Sub": "arn:${AWS::Partition}:elasticmapreduce:${AWS::Region}:${AWS::AccountId}:cluster/${EmrCC507E83}"},
            {"Fn::Sub": "arn:${AWS::Partition}:elasticmapreduce:${AWS::Region}:${AWS::AccountId}:cluster/j-2AXXXXXXGAPLF"},
        ])
    );
    assert_eq!(
        granted[0]["Action"][0],
        json!("elasticmapreduce:AddJobFlowSteps")
    );
    assert_eq!(existing.id(), "j-2AXXXXXXGAPLF".into());
}

#[test]
fn emr_instance_types_are_checked_against_ec2s_list() {
    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    let vpc = imported_vpc(stack);
    emr::Cluster::new(
        stack,
        "Typo",
        &vpc,
        emr::ClusterProps {
            instances: Instances::Groups {
                primary: InstanceGroup::new("m5.xlarg", 1),
                core: InstanceGroup::new("m5.xlarge", 2),
                tasks: vec![],
            },
            ..Default::default()
        },
    );
    emr::Cluster::new(
        stack,
        "Fleets",
        &vpc,
        emr::ClusterProps {
            instances: Instances::Fleets {
                primary: InstanceFleet::on_demand(&["m5.xlarge"], 1),
                core: InstanceFleet::on_demand(&["r6g.2xlarge", "r7.2xlarge"], 2),
                tasks: vec![],
            },
            ..Default::default()
        },
    );
    emr::Cluster::new(stack, "Known", &vpc, emr::ClusterProps::default());
    let annotations = Annotations::from_app(&app);
    annotations.has_error_with_hint(
        "S/Typo",
        "\"m5.xlarg\" is not an EC2 instance type",
        "the closest instance types are \"m5.xlarge\"",
    );
    annotations.has_error_with_hint(
        "S/Fleets",
        "\"r7.2xlarge\" is not an EC2 instance type",
        "\"r7a.2xlarge\"",
    );
    annotations.has_no_code("S/Known", codes::emr::INSTANCE_TYPE_UNKNOWN);
}
