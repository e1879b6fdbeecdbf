//! Snapshot tests of the core cases: every intrinsic, cross-stack references, conditions,
//! tags, resource attributes. The snapshots live in `snapshots/core/` at the workspace root;
//! review changes with `cargo insta review`.

mod common;

use cirrus_core::{
    App, Assertion, CondExpr, CreationPolicy, DeletionPolicy, Env, ListParameterProps, ListType,
    NumberParameterProps, PatchOp, RawResource, RemovalPolicy, ResourceSignal, RollingUpdate,
    RuleExpr, RuleProps, StackProps, StringParameterProps, StringType, TagProps, TagSpec, Tags,
    TemplateFormat, UpdatePolicy, fns, pseudo, value,
};
use common::{Topic, synth};

#[test]
fn every_intrinsic() {
    let app = App::new("intrinsics");
    let stack = app.stack("Intrinsics", StackProps::default());
    let env = stack.add_string_parameter(
        "Env",
        StringParameterProps {
            allowed_values: vec!["prod".into(), "test".into()],
            default: Some("test".into()),
            ..Default::default()
        },
    );
    let is_prod = stack.add_condition("IsProd", CondExpr::equals(env.value(), "prod"));
    let sizes = stack.add_mapping(
        "Sizes",
        [("prod", [("Retention", 365)]), ("test", [("Retention", 7)])],
    );
    let topic = stack.add(
        "Topic",
        Topic {
            topic_name: Some(fns::join(
                "-",
                vec![pseudo::stack_name(), env.value(), "events".into()],
            )),
            ..Default::default()
        },
    );
    let azs = fns::get_azs("");
    stack.add(
        "Everything",
        RawResource::new(
            "AWS::SSM::Parameter",
            value!({
                "Type": "String",
                "Value": (fns::sub(
                    "${Topic} in ${AWS::Region}/${AWS::AccountId} of ${Part} (${Literal}, ${!Escaped})",
                    [
                        ("Topic", topic.attrs().topic_arn()),
                        ("Part", pseudo::partition()),
                        ("Literal", "a${b}".into()),
                    ],
                )),
                "Description": (fns::if_(is_prod, "production", fns::no_value())),
                "Tier": (fns::select(0, fns::split(",", "Standard,Advanced"))),
                "AllowedPattern": (fns::select(1, azs)),
                "DataType": (sizes.find("prod", "Retention")),
                "Policies": (fns::base64(pseudo::url_suffix())),
                "Name": (fns::import_value("SharedVpcId")),
                "Tags": {
                    "StackId": (pseudo::stack_id()),
                    "Cidrs": (fns::join(",", fns::cidr("10.0.0.0/16", 4, 8))),
                    "Notify": (fns::join(",", pseudo::notification_arns())),
                    "Keep": (fns::sub("${Kept}-${AWS::Region}", [("Kept", fns::import_value("Other"))]))
                }
            }),
        ),
    );
    snapshot!("every_intrinsic", &synth(&app).stacks[0].template);
}

#[test]
fn cross_stack_references_become_exports_and_imports() {
    let app = App::new("cross");
    let env = Env::new("123456789012", "eu-west-1");
    let network = app.stack(
        "Network",
        StackProps {
            env: env.clone(),
            ..Default::default()
        },
    );
    let vpc = network.add(
        "Vpc",
        RawResource::new("AWS::EC2::VPC", value!({"CidrBlock": "10.0.0.0/16"})),
    );
    let topic = network.add("Topic", Topic::default());
    let service = app.stack(
        "Service",
        StackProps {
            env,
            stack_name: Some("service-prod".into()),
            ..Default::default()
        },
    );
    service.add(
        "Sg",
        RawResource::new(
            "AWS::EC2::SecurityGroup",
            value!({
                "GroupDescription": "service",
                "VpcId": (vpc.ref_()),
                "SecurityGroupIngress": [{
                    "CidrIp": (fns::select(0, vpc.attrs().get_list("CidrBlockAssociations"))),
                    "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443
                }]
            }),
        ),
    );
    service
        .add_output("TopicName", topic.attrs().topic_name())
        .description("the topic of the network stack");
    // Pinned: kept exported whether or not a consumer uses it.
    network.export_value(topic.attrs().topic_arn());
    let out = synth(&app);
    assert_eq!(
        out.waves,
        vec![vec!["Network".to_owned()], vec!["Service".to_owned()]]
    );
    snapshot!(
        "cross_stack_producer",
        &out.stack("Network").unwrap().template
    );
    snapshot!(
        "cross_stack_consumer",
        &out.stack("Service").unwrap().template
    );
    snapshot!("cross_stack_manifest", &out.manifest());
}

#[test]
fn conditions_parameters_rules_and_mappings() {
    let app = App::new("conditions");
    let stack = app.stack(
        "Conditional",
        StackProps {
            description: Some("conditions, parameters, rules and mappings".into()),
            ..Default::default()
        },
    );
    let env = stack.add_string_parameter(
        "Environment",
        StringParameterProps {
            description: Some("deployment stage".into()),
            allowed_values: vec!["prod".into(), "staging".into(), "dev".into()],
            default: Some("dev".into()),
            constraint_description: Some("one of prod, staging, dev".into()),
            ..Default::default()
        },
    );
    let token = stack.add_string_parameter(
        "Token",
        StringParameterProps {
            no_echo: true,
            min_length: Some(16),
            max_length: Some(64),
            allowed_pattern: Some("^[A-Za-z0-9]+$".into()),
            ..Default::default()
        },
    );
    let vpc = stack.add_string_parameter(
        "VpcId",
        StringParameterProps {
            param_type: StringType::Aws("AWS::EC2::VPC::Id".into()),
            ..Default::default()
        },
    );
    let image = stack.add_string_parameter(
        "ImageId",
        StringParameterProps {
            param_type: StringType::SsmValue,
            default: Some(
                "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64".into(),
            ),
            ..Default::default()
        },
    );
    let count = stack.add_number_parameter(
        "Replicas",
        NumberParameterProps {
            default: Some(2.0),
            min_value: Some(1.0),
            max_value: Some(10.0),
            ..Default::default()
        },
    );
    let subnets = stack.add_list_parameter(
        "Subnets",
        ListParameterProps {
            item_type: ListType::Aws("AWS::EC2::Subnet::Id".into()),
            ..Default::default()
        },
    );
    let regions = stack.add_mapping(
        "Regions",
        [
            ("eu-west-1", [("Short", "euw1")]),
            ("us-east-1", [("Short", "use1")]),
        ],
    );
    let is_prod = stack.add_condition("IsProd", CondExpr::equals(env.value(), "prod"));
    let is_staging = stack.add_condition("IsStaging", CondExpr::equals(env.value(), "staging"));
    let is_deployed = stack.add_condition(
        "IsDeployed",
        CondExpr::or([is_prod.expr(), is_staging.expr()]),
    );
    let is_dev = stack.add_condition(
        "IsDev",
        CondExpr::and([
            is_deployed.expr().not(),
            CondExpr::equals(env.value(), "dev"),
        ]),
    );
    stack.add_rule(
        "ProdNeedsManyReplicas",
        RuleProps {
            condition: Some(RuleExpr::equals(env.value(), "prod")),
            assertions: vec![Assertion {
                assert: RuleExpr::each_member_in(subnets.value(), vec!["subnet-a", "subnet-b"]),
                description: Some("production runs in the approved subnets".into()),
            }],
        },
    );
    stack.add_rule(
        "SubnetsInTheVpc",
        RuleProps {
            condition: None,
            assertions: vec![
                Assertion {
                    assert: RuleExpr::each_member_equals(subnets.value_of("VpcId"), vpc.value()),
                    description: Some("every subnet is in the chosen VPC".into()),
                },
                Assertion {
                    assert: RuleExpr::each_member_in(
                        fns::value_of_all("AWS::EC2::Subnet::Id", "VpcId"),
                        fns::ref_all("AWS::EC2::VPC::Id"),
                    ),
                    description: None,
                },
            ],
        },
    );
    let topic = stack.add(
        "ProdTopic",
        Topic {
            display_name: Some(fns::if_(is_prod, "production", "other")),
            ..Default::default()
        },
    );
    topic.set_condition(is_prod);
    stack.add(
        "Instance",
        RawResource::new(
            "AWS::EC2::Instance",
            value!({
                "ImageId": (image.value()),
                "SubnetId": (fns::select(0, subnets.value())),
                "UserData": (fns::base64(fns::sub("replicas=${N} vpc=${V} token=${T} region=${R}", [
                    ("N", count.value().as_string()),
                    ("V", vpc.value()),
                    ("T", token.value()),
                    ("R", regions.find(pseudo::region(), "Short")),
                ])))
            }),
        ),
    )
    .set_condition(is_dev);
    stack
        .add_output("ProdTopicArn", topic.attrs().topic_arn())
        .condition(is_prod)
        .export_name(fns::sub("${AWS::StackName}-ProdTopicArn", []));
    snapshot!("conditions", &synth(&app).stacks[0].template);
}

#[test]
fn tags_propagate_to_taggable_resources() {
    let app = App::new("tags");
    let stack = app.stack(
        "Tagged",
        StackProps {
            tags: [
                ("team".to_owned(), "search".to_owned()),
                ("cost-center".to_owned(), "42".to_owned()),
            ]
            .into_iter()
            .collect(),
            ..Default::default()
        },
    );
    let group = stack.add_child("Group");
    Tags::of(&group).add("tier", "backend");
    Tags::of(&group).add("team", "platform"); // nearer scope wins over the stack's
    group.add("Inner", Topic::default());
    let quiet = group.add_child("Quiet");
    Tags::of(&quiet).remove("tier");
    quiet.add("Untiered", Topic::default());
    stack.add(
        "Explicit",
        Topic {
            tags: Some(value!([{"Key": "team", "Value": "explicit-wins"}, {"Key": "a-first", "Value": "1"}])),
            ..Default::default()
        },
    );
    Tags::of(&stack).add_with(
        "only-topics",
        "yes",
        TagProps {
            include_resource_types: vec!["AWS::SNS::Topic".into()],
            ..Default::default()
        },
    );
    Tags::of(&stack).add_with(
        "not-queues",
        "yes",
        TagProps {
            exclude_resource_types: vec!["AWS::SQS::Queue".into()],
            ..Default::default()
        },
    );
    stack.add(
        "Queue",
        RawResource::new("AWS::SQS::Queue", value!({})).with_tags(TagSpec::standard("Tags")),
    );
    stack.add(
        "Mapped",
        RawResource::new(
            "AWS::SSM::Parameter",
            value!({"Type": "String", "Value": "v"}),
        )
        .with_tags(TagSpec::map("Tags")),
    );
    stack.add(
        "Asg",
        RawResource::new(
            "AWS::AutoScaling::AutoScalingGroup",
            value!({"MinSize": "1", "MaxSize": "2"}),
        )
        .with_tags(TagSpec::auto_scaling_group("Tags")),
    );
    let asg_scope = stack.add_child("NoLaunch");
    Tags::of(&asg_scope).add_with(
        "build-only",
        "true",
        TagProps {
            apply_to_launched_instances: false,
            ..Default::default()
        },
    );
    asg_scope.add(
        "Asg",
        RawResource::new(
            "AWS::AutoScaling::AutoScalingGroup",
            value!({"MinSize": "1", "MaxSize": "2"}),
        )
        .with_tags(TagSpec::auto_scaling_group("Tags")),
    );
    stack.add(
        "NotTaggable",
        RawResource::new(
            "AWS::SNS::TopicPolicy",
            value!({"Topics": [], "PolicyDocument": {}}),
        ),
    );
    let out = synth(&app);
    snapshot!("tags", &out.stacks[0].template);
    assert_eq!(
        out.manifest()["artifacts"]["Tagged"]["properties"]["tags"]["team"],
        "search"
    );
}

#[test]
fn resource_attributes_and_overrides() {
    let app = App::new("attributes");
    let stack = app.stack("Attributes", StackProps::default());
    let retained = stack.add("Retained", Topic::default());
    retained.apply_removal_policy(RemovalPolicy::Retain);
    let destroyed = stack.add("Destroyed", Topic::default());
    destroyed.apply_removal_policy(RemovalPolicy::Destroy);
    let volume = stack.add(
        "Volume",
        RawResource::new("AWS::EC2::Volume", value!({"AvailabilityZone": (fns::select(0, fns::get_azs(""))), "Size": 10, "Encrypted": true})),
    );
    volume.apply_removal_policy(RemovalPolicy::Snapshot);
    let kept = stack.add("KeptUnlessFailed", Topic::default());
    kept.apply_removal_policy(RemovalPolicy::RetainOnUpdateOrDelete);
    kept.set_deletion_policy(DeletionPolicy::Retain);
    let group = stack.add_child("Group");
    let a = group.add("A", Topic::default());
    group.add("B", Topic::default());
    retained.add_dependency(&group);
    a.add_metadata("cfn-lint", value!({"config": {"ignore_checks": ["W3005"]}}));
    let asg = stack.add(
        "Asg",
        RawResource::new(
            "AWS::AutoScaling::AutoScalingGroup",
            value!({"MinSize": "1", "MaxSize": "3"}),
        ),
    );
    asg.set_creation_policy(CreationPolicy {
        resource_signal: Some(ResourceSignal {
            count: Some(2.into()),
            timeout: Some("PT10M".into()),
        }),
        min_successful_instances_percent: Some(50.into()),
    });
    asg.set_update_policy(UpdatePolicy {
        auto_scaling_rolling_update: Some(RollingUpdate {
            max_batch_size: Some(1.into()),
            min_instances_in_service: Some(1.into()),
            pause_time: Some("PT5M".into()),
            wait_on_resource_signals: Some(true.into()),
            ..Default::default()
        }),
        ignore_unmodified_group_size_properties: Some(true.into()),
        ..Default::default()
    });
    let legacy = stack.add("Legacy", Topic::default());
    legacy.override_logical_id("LegacyTopicFromOldTemplate");
    legacy.add_property_override("/DisplayName", "set by an override");
    legacy.add_override(PatchOp::Add {
        path: "/Properties/FifoTopic".into(),
        value: true.into(),
    });
    legacy.add_override(PatchOp::Add {
        path: "/Properties/TopicName".into(),
        value: fns::sub("${Name}.fifo", [("Name", a.attrs().topic_name())]).into(),
    });
    let out = synth(&app);
    snapshot!("attributes", &out.stacks[0].template);
    assert_eq!(
        out.stacks[0].path_of("LegacyTopicFromOldTemplate"),
        Some("Attributes/Legacy")
    );
}

#[test]
fn logical_ids_of_nested_constructs_and_tree() {
    let app = App::new("nesting");
    let stack = app.stack("Nesting", StackProps::default());
    let bucket = stack.add_child("MyBucket");
    bucket.add("Resource", RawResource::new("AWS::S3::Bucket", value!({})));
    bucket
        .add_child("Key")
        .add("Resource", RawResource::new("AWS::KMS::Key", value!({})));
    let user = stack.add_child("MyUser");
    user.add_child("DefaultPolicy").add(
        "Resource",
        RawResource::new(
            "AWS::IAM::Policy",
            value!({"PolicyName": "p", "PolicyDocument": {}}),
        ),
    );
    stack.add_child("Default").add("Hidden", Topic::default());
    let out = synth(&app);
    let ids: Vec<&str> = out.stacks[0]
        .logical_ids
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        ids,
        [
            "MyBucketF68F3FF0",
            "MyBucketKeyC17130CF",
            "MyUserDefaultPolicy7B897426",
            "Hidden"
        ]
    );
    snapshot!("nesting_tree", out.tree());
}

#[test]
fn yaml_quotes_what_yaml_1_1_would_misread() {
    let app = App::new("yaml");
    let stack = app.stack("Yaml", StackProps::default());
    stack.add(
        "Param",
        RawResource::new(
            "AWS::SSM::Parameter",
            value!({
                "Type": "String",
                "Value": "yes",
                "Description": "on",
                "Name": "2024-01-01",
                "AllowedPattern": "0123",
                "Tier": "null",
                "Tags": {"n": "n", "off": "true", "colon": "a: b", "multi": "line one\nline two"}
            }),
        ),
    );
    let out = synth(&app);
    let files = out.files(TemplateFormat::JsonAndYaml).unwrap();
    let yaml = files
        .iter()
        .find(|(name, _)| name == "Yaml.template.yaml")
        .map(|(_, body)| String::from_utf8(body.clone()).unwrap())
        .unwrap();
    insta::with_settings!({
        snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/../../snapshots/core"),
        prepend_module_to_snapshot => false,
        omit_expression => true,
    }, {
        insta::assert_snapshot!("yaml_template", yaml);
    });
}

#[test]
fn synthesis_is_byte_identical_run_to_run() {
    fn build() -> Vec<(String, Vec<u8>)> {
        let app = App::new("same");
        let a = app.stack("A", StackProps::default());
        let b = app.stack("B", StackProps::default());
        let mut topics = Vec::new();
        for i in 0..50 {
            let t = a.add(&format!("T{i}"), Topic::default());
            Tags::of(&t).add(&format!("k{}", 50 - i), "v");
            topics.push(t);
        }
        for (i, t) in topics.iter().enumerate() {
            b.add(
                &format!("U{i}"),
                Topic {
                    display_name: Some(t.attrs().topic_name()),
                    ..Default::default()
                },
            );
        }
        synth(&app).files(TemplateFormat::JsonAndYaml).unwrap()
    }
    let first = build();
    for _ in 0..3 {
        assert!(build() == first, "two runs of the same app differ");
    }
}
