//! Every error synthesis reports: the message names the construct path, and all problems of an
//! app come back together. None of these may panic.

mod common;

use cirrus_core::Construct as _;
use cirrus_core::assertions::Annotations;
use cirrus_core::codes;
use cirrus_core::{
    App, CondExpr, Env, NumberParameterProps, PatchOp, RawResource, RemovalPolicy, RuleProps,
    StackProps, StringParameterProps, StringType, Tags, Value, fns, pseudo, value,
};
use common::{Topic, synth};
use serde_json::json;

fn app_with_stack() -> App {
    let app = App::new("errors");
    app.stack("S", StackProps::default());
    app
}

fn stack(app: &App) -> cirrus_core::Stack<'_> {
    app.stacks()[0]
}

#[test]
fn invalid_construct_ids() {
    let app = app_with_stack();
    let s = stack(&app);
    s.add("My Bucket", Topic::default());
    s.add("-lead", Topic::default());
    s.add("", Topic::default());
    let annotations = Annotations::from_app(&app);
    annotations.has_error_code("S/My Bucket", codes::CONSTRUCT_ID_INVALID);
    annotations.has_error_code("S/-lead", codes::CONSTRUCT_ID_INVALID);
    annotations.has_error_code("S/", codes::CONSTRUCT_ID_INVALID);
}

#[test]
fn duplicate_and_colliding_ids() {
    let app = app_with_stack();
    let s = stack(&app);
    s.add("Topic", Topic::default());
    s.add("Topic", Topic::default());
    s.add("my-queue", Topic::default());
    s.add("myqueue", Topic::default());
    s.add("my_queue", Topic::default());
    let annotations = Annotations::from_app(&app);
    annotations.has_error_code("S/Topic", codes::DUPLICATE_ID);
    annotations.has_error_code("S/myqueue", codes::ID_COLLISION);
    annotations.has_error_code("S/my_queue", codes::ID_COLLISION);
}

/// A scope compares its first children one by one and keeps the rest in a map: both find the
/// first sibling an id collides with.
#[test]
fn colliding_ids_are_found_among_few_and_many_siblings() {
    let app = app_with_stack();
    let s = stack(&app);
    s.add("a-0", Topic::default());
    s.add("a0", Topic::default());
    for i in 1..20 {
        s.add(&format!("T{i}"), Topic::default());
    }
    s.add("T-1", Topic::default());
    s.add("T1_", Topic::default());
    s.add("T19", Topic::default());
    s.add("a_0", Topic::default());
    let annotations = Annotations::from_app(&app);
    annotations.has_error_code("S/a0", codes::ID_COLLISION);
    annotations.has_error_code("S/T-1", codes::ID_COLLISION);
    annotations.has_error_code("S/T1_", codes::ID_COLLISION);
    annotations.has_error_code("S/T19", codes::DUPLICATE_ID);
    annotations.has_error_code("S/a_0", codes::ID_COLLISION);
    let messages: Vec<String> = ["S/a_0", "S/T1_"]
        .into_iter()
        .flat_map(|path| annotations.find_code(path, codes::ID_COLLISION))
        .map(|d| d.message.clone())
        .collect();
    assert!(
        messages.iter().any(|m| m.contains("sibling \"a-0\"")),
        "{messages:?}"
    );
    assert!(
        messages.iter().any(|m| m.contains("sibling \"T1\"")),
        "{messages:?}"
    );
}

#[test]
fn no_children_below_elements() {
    let app = app_with_stack();
    let s = stack(&app);
    let topic = s.add("Topic", Topic::default());
    topic.node().add_child("Inner");
    Annotations::from_app(&app).has_error_code("S/Topic/Inner", codes::NOT_A_SCOPE);
}

#[test]
fn invalid_stack_names_and_environments() {
    let app = App::new("errors");
    app.stack("my_stack", StackProps::default())
        .add("T", Topic::default());
    app.stack(
        "Named",
        StackProps {
            stack_name: Some("9lives".into()),
            env: Env::new("1234", "eu-west"),
            description: Some("d".repeat(1025)),
            ..Default::default()
        },
    )
    .add("T", Topic::default());
    let annotations = Annotations::from_app(&app);
    annotations.has_error_code("my_stack", codes::STACK_NAME_INVALID);
    annotations.has_error_code("Named", codes::STACK_NAME_INVALID);
    annotations.has_error_code("Named", codes::ACCOUNT_INVALID);
    annotations.has_error_code("Named", codes::REGION_INVALID);
    annotations.has_error_code("Named", codes::DESCRIPTION_TOO_LONG);
}

#[test]
fn invalid_app_name_and_empty_apps() {
    let app = App::new("Bad_Name");
    let annotations = Annotations::from_app(&app);
    annotations.has_error_code("", codes::APP_NAME_INVALID);
    annotations.has_error_code("", codes::APP_WITHOUT_STACKS);
    let app = app_with_stack();
    Annotations::from_app(&app).has_error_code("S", codes::STACK_WITHOUT_RESOURCES);
}

#[test]
fn logical_id_problems() {
    let app = app_with_stack();
    let s = stack(&app);
    let a = s.add("A", Topic::default());
    s.add("B", Topic::default());
    a.override_logical_id("B");
    s.add_child("Default").add("Default", Topic::default());
    s.add("C", Topic::default())
        .override_logical_id("not-valid");
    let annotations = Annotations::from_app(&app);
    annotations.has_error_code("S/B", codes::LOGICAL_ID_DUPLICATE);
    annotations.has_error_code("S/Default/Default", codes::LOGICAL_ID_EMPTY);
    annotations.has_error_code("S/C", codes::LOGICAL_ID_INVALID);
}

#[test]
fn resource_cycles_are_named() {
    let app = app_with_stack();
    let s = stack(&app);
    let a = s.add("A", Topic::default());
    let b = s.add("B", Topic::default());
    let c = s.add("C", Topic::default());
    a.update(|t| t.display_name = Some(b.attrs().topic_name()));
    b.update(|t| t.display_name = Some(c.attrs().topic_name()));
    c.add_dependency(&a);
    let annotations = Annotations::from_app(&app);
    annotations.has_error(
        "S/A",
        "resources depend on each other in a cycle: A (S/A) -> B (S/B) -> C (S/C) -> A (S/A)",
    );
}

#[test]
fn self_reference_is_a_cycle() {
    let app = app_with_stack();
    let s = stack(&app);
    let a = s.add("A", Topic::default());
    a.update(|t| t.display_name = Some(a.ref_()));
    Annotations::from_app(&app).has_error("S/A", "cycle: A (S/A) -> A (S/A)");
}

#[test]
fn stack_cycles_are_named_with_their_reasons() {
    let app = App::new("errors");
    let one = app.stack("One", StackProps::default());
    let two = app.stack("Two", StackProps::default());
    let a = one.add("A", Topic::default());
    let b = two.add("B", Topic::default());
    a.update(|t| t.display_name = Some(b.attrs().topic_name()));
    b.update(|t| t.display_name = Some(a.attrs().topic_name()));
    let annotations = Annotations::from_app(&app);
    annotations.has_error("One",
        "stacks depend on each other in a cycle: One -> Two (One/A uses Two/B) -> One (Two/B uses One/A)",
    );
}

#[test]
fn explicit_stack_dependency_cycle() {
    let app = App::new("errors");
    let one = app.stack("One", StackProps::default());
    let two = app.stack("Two", StackProps::default());
    one.add("A", Topic::default());
    two.add("B", Topic::default());
    one.add_dependency(&two);
    two.add_dependency(&one);
    Annotations::from_app(&app)
        .has_error("One", "stacks depend on each other in a cycle: One -> Two");
}

/// The error of a stack `To` (in `to`) whose topic copies the name of a topic of a stack
/// `From` (in `from`).
fn cross_environment_error(from: Env, to: Env) -> cirrus_core::Diagnostic {
    let app = App::new("errors");
    let producer = app.stack(
        "From",
        StackProps {
            env: from,
            ..Default::default()
        },
    );
    let consumer = app.stack(
        "To",
        StackProps {
            env: to,
            ..Default::default()
        },
    );
    let topic = producer.add("Topic", Topic::default());
    consumer.add(
        "Copy",
        Topic {
            display_name: Some(topic.attrs().topic_name()),
            ..Default::default()
        },
    );
    let failed = app.synth().unwrap_err();
    failed.diagnostics.errors().next().unwrap().clone()
}

#[test]
fn references_across_environments_are_rejected_with_a_hint() {
    let d = cross_environment_error(
        Env::new("123456789012", "eu-west-1"),
        Env::new("123456789012", "us-east-1"),
    );
    assert_eq!(d.path, "To/Copy");
    assert!(d.message.contains("refers to From/Topic, which is in another environment (aws://123456789012/eu-west-1, not aws://123456789012/us-east-1)"), "{}", d.message);
    assert!(d.hint.as_deref().unwrap().contains("SSM Parameter Store"));
}

#[test]
fn references_across_accounts_are_rejected_too() {
    let d = cross_environment_error(
        Env::new("111111111111", "eu-west-1"),
        Env::new("222222222222", "eu-west-1"),
    );
    assert_eq!(d.path, "To/Copy");
    assert!(d.message.contains("refers to From/Topic, which is in another environment (aws://111111111111/eu-west-1, not aws://222222222222/eu-west-1)"), "{}", d.message);
    assert!(d.hint.as_deref().unwrap().contains("SSM Parameter Store"));
}

#[test]
fn handles_of_another_app_are_rejected() {
    let other = app_with_stack();
    let foreign = stack(&other).add("Foreign", Topic::default());
    let app = app_with_stack();
    stack(&app).add(
        "Local",
        Topic {
            display_name: Some(foreign.ref_()),
            ..Default::default()
        },
    );
    Annotations::from_app(&app).has_error_code("S/Local", codes::FOREIGN_REFERENCE);
}

#[test]
fn conditions_may_not_use_resources_or_if() {
    let app = app_with_stack();
    let s = stack(&app);
    let topic = s.add("Topic", Topic::default());
    let c = s.add_condition("ByResource", CondExpr::equals(topic.ref_(), "x"));
    s.add_condition("WithIf", CondExpr::equals(fns::if_(c, "a", "b"), "a"));
    let annotations = Annotations::from_app(&app);
    annotations.has_error_code("S/ByResource", codes::REFERENCE_TO_RESOURCE);
    annotations.has_error_code("S/WithIf", codes::IF_MISPLACED);
}

#[test]
fn conditions_and_mappings_stay_in_their_stack() {
    let app = App::new("errors");
    let one = app.stack("One", StackProps::default());
    let two = app.stack("Two", StackProps::default());
    let p = one.add_string_parameter("P", StringParameterProps::default());
    let c = one.add_condition("C", CondExpr::equals(p.value(), "x"));
    let m = one.add_mapping("M", [("a", [("b", "c")])]);
    one.add("T", Topic::default());
    let t = two.add(
        "T",
        Topic {
            display_name: Some(m.find("a", "b")),
            ..Default::default()
        },
    );
    t.set_condition(c);
    let annotations = Annotations::from_app(&app);
    assert_eq!(
        annotations
            .find_code("Two/T", codes::REFERENCE_ACROSS_STACKS)
            .len(),
        2
    );
}

#[test]
fn find_in_map_with_literal_keys_is_checked() {
    let app = app_with_stack();
    let s = stack(&app);
    let m = s.add_mapping("Amis", [("eu-west-1", [("x86", "ami-1")])]);
    s.add(
        "A",
        Topic {
            display_name: Some(m.find("us-east-1", "x86")),
            ..Default::default()
        },
    );
    s.add(
        "B",
        Topic {
            display_name: Some(m.find("eu-west-1", "arm")),
            ..Default::default()
        },
    );
    s.add(
        "C",
        Topic {
            display_name: Some(m.find(pseudo::region(), "arm")),
            ..Default::default()
        },
    );
    let annotations = Annotations::from_app(&app);
    annotations.has_error_code("S/A", codes::MAPPING_KEY_MISSING);
    annotations.has_error_code("S/B", codes::MAPPING_KEY_MISSING);
    // Dynamic keys are CloudFormation's to check.
    annotations.has_no_error("S/C", "");
}

#[test]
fn sub_templates_are_checked() {
    let app = app_with_stack();
    let s = stack(&app);
    let sub = |id: &str, e| {
        s.add(
            id,
            Topic {
                display_name: Some(e),
                ..Default::default()
            },
        );
    };
    sub("Unknown", fns::sub("${Bucket}-x", []));
    sub("Unused", fns::sub("plain", [("X", "x".into())]));
    sub(
        "Twice",
        fns::sub("${X}", [("X", "x".into()), ("X", "y".into())]),
    );
    sub("BadName", fns::sub("${a.b}", [("a.b", "x".into())]));
    sub("Unclosed", fns::sub("${X", []));
    let annotations = Annotations::from_app(&app);
    annotations.has_error_code("S/Unknown", codes::SUB_VARIABLES_INVALID);
    annotations.has_error_code("S/Unused", codes::SUB_VARIABLES_INVALID);
    annotations.has_error_code("S/Twice", codes::SUB_VARIABLES_INVALID);
    annotations.has_error_code("S/BadName", codes::SUB_VARIABLES_INVALID);
    annotations.has_error_code("S/Unclosed", codes::SUB_MALFORMED);
}

#[test]
fn select_cidr_and_boolean_operands_are_checked() {
    let app = app_with_stack();
    let s = stack(&app);
    let p = s.add_string_parameter("P", StringParameterProps::default());
    s.add(
        "Neg",
        Topic {
            display_name: Some(fns::select(-1, vec!["a"])),
            ..Default::default()
        },
    );
    s.add(
        "Out",
        Topic {
            display_name: Some(fns::select(2, vec!["a", "b"])),
            ..Default::default()
        },
    );
    s.add(
        "Cidr",
        Topic {
            display_name: Some(fns::select(0, fns::cidr("10.0.0.0", 300, 0))),
            ..Default::default()
        },
    );
    s.add_condition("One", CondExpr::and([CondExpr::equals(p.value(), "x")]));
    s.add_condition(
        "Eleven",
        CondExpr::or((0..11).map(|_| CondExpr::equals(p.value(), "x"))),
    );
    let annotations = Annotations::from_app(&app);
    annotations.has_error_code("S/Neg", codes::SELECT_OUT_OF_RANGE);
    annotations.has_error_code("S/Out", codes::SELECT_OUT_OF_RANGE);
    assert_eq!(
        annotations.find_code("S/Cidr", codes::CIDR_INVALID).len(),
        3
    );
    annotations.has_error_code("S/One", codes::CONDITION_COUNT);
    annotations.has_error_code("S/Eleven", codes::CONDITION_COUNT);
}

fn many(n: usize, add: impl Fn(&cirrus_core::Stack<'_>, usize)) -> App {
    let app = app_with_stack();
    let s = stack(&app);
    s.add("Anchor", Topic::default());
    for i in 0..n {
        add(&s, i);
    }
    app
}

#[test]
fn resource_limit_counts_per_type() {
    let app = many(340, |s, i| {
        s.add(&format!("T{i}"), Topic::default());
    });
    let s = stack(&app);
    for i in 0..161 {
        s.add(
            &format!("Q{i}"),
            RawResource::new("AWS::SQS::Queue", value!({})),
        );
    }
    let annotations = Annotations::from_app(&app);
    annotations.has_error_code("S", codes::TOO_MANY_RESOURCES);
    // The wording on purpose: the message counts the resources by type, to show what to move.
    annotations.has_error(
        "S",
        "the stack has 502 resources, more than CloudFormation's 500: 341 AWS::SNS::Topic, 161 AWS::SQS::Queue",
    );
}

#[test]
fn parameter_output_and_mapping_limits() {
    let app = many(201, |s, i| {
        s.add_string_parameter(&format!("P{i}"), StringParameterProps::default());
        s.add_output(&format!("O{i}"), "x");
        s.add_mapping(&format!("M{i}"), [("k", [("v", "x")])]);
    });
    let annotations = Annotations::from_app(&app);
    assert_eq!(
        annotations.find_code("S", codes::TOO_MANY_ELEMENTS).len(),
        3
    );
}

#[test]
fn template_size_limits() {
    let big = "x".repeat(4_000);
    // About 60 kB: synthesizes, with a warning about the S3 upload.
    let app = many(15, |s, i| {
        s.add(
            &format!("T{i}"),
            Topic {
                display_name: Some(big.clone().into()),
                ..Default::default()
            },
        );
    });
    let out = synth(&app);
    assert!(
        out.warnings
            .iter()
            .any(|w| w.path == "S" && w.message.contains("it must be deployed through S3")),
        "{:?}",
        out.warnings
    );
    // Over 1 MB: an error.
    let app = many(270, |s, i| {
        s.add(
            &format!("T{i}"),
            Topic {
                display_name: Some(big.clone().into()),
                ..Default::default()
            },
        );
    });
    Annotations::from_app(&app).has_error_code("S", codes::TEMPLATE_TOO_LARGE);
}

#[test]
fn snapshot_policy_needs_a_snapshot_type() {
    let app = app_with_stack();
    stack(&app)
        .add("T", Topic::default())
        .apply_removal_policy(RemovalPolicy::Snapshot);
    Annotations::from_app(&app).has_error_code("S/T", codes::SNAPSHOT_UNSUPPORTED);
}

#[test]
fn failing_overrides_are_reported() {
    let app = app_with_stack();
    let t = stack(&app).add("T", Topic::default());
    t.add_override(PatchOp::Remove {
        path: "/Properties/Nope".into(),
    });
    t.add_override(PatchOp::Test {
        path: "/Type".into(),
        value: "AWS::SQS::Queue".into(),
    });
    let annotations = Annotations::from_app(&app);
    assert_eq!(
        annotations.find_code("S/T", codes::OVERRIDE_FAILED).len(),
        2
    );
}

#[test]
fn a_retained_resource_with_a_fixed_name_is_a_warning() {
    let app = app_with_stack();
    let s = stack(&app);
    let named = s.add(
        "Named",
        RawResource::new("AWS::S3::Bucket", value!({"BucketName": "fixed-name"})),
    );
    named.apply_removal_policy(RemovalPolicy::Retain);
    // The name set by an override, after the construct chose its policy.
    let overridden = s.add(
        "Overridden",
        RawResource::new("AWS::Logs::LogGroup", value!({})),
    );
    overridden.apply_removal_policy(RemovalPolicy::Retain);
    overridden.add_property_override("/LogGroupName", "fixed");
    let annotations = Annotations::from_app(&app);
    annotations.has_warning_code("S/Named", codes::RETAINED_NAME_FIXED);
    let found = annotations.find_code("S/Overridden", codes::RETAINED_NAME_FIXED);
    assert_eq!(found.len(), 1);
    assert!(
        found[0].message.contains("its LogGroupName is fixed"),
        "{found:?}"
    );

    let app = app_with_stack();
    let s = stack(&app);
    let except = s.add(
        "Named",
        RawResource::new("AWS::S3::Bucket", value!({"BucketName": "fixed-name"})),
    );
    except.apply_removal_policy(RemovalPolicy::RetainOnUpdateOrDelete);
    let unnamed = s.add("Unnamed", RawResource::new("AWS::S3::Bucket", value!({})));
    unnamed.apply_removal_policy(RemovalPolicy::Retain);
    // A log stream's LogGroupName names its group, not itself.
    let stream = s.add(
        "Stream",
        RawResource::new("AWS::Logs::LogStream", value!({"LogGroupName": "group"})),
    );
    stream.apply_removal_policy(RemovalPolicy::Retain);
    let annotations = Annotations::from_app(&app);
    for path in ["S/Named", "S/Unnamed", "S/Stream"] {
        assert!(
            annotations
                .find_code(path, codes::RETAINED_NAME_FIXED)
                .is_empty(),
            "{path}"
        );
    }
}

#[test]
fn a_property_override_must_be_a_json_pointer() {
    let app = app_with_stack();
    let t = stack(&app).add("T", Topic::default());
    t.add_property_override("DisplayName", "x");
    let annotations = Annotations::from_app(&app);
    let found = annotations.find_code("S/T", codes::OVERRIDE_FAILED);
    assert_eq!(found.len(), 1);
    assert!(
        found[0].hint.as_deref() == Some("start it with '/': \"/DisplayName\""),
        "{found:?}"
    );

    let app = app_with_stack();
    let t = stack(&app).add("T", Topic::default());
    t.add_property_override("/DisplayName", "x");
    assert!(
        Annotations::from_app(&app)
            .find_code("S/T", codes::OVERRIDE_FAILED)
            .is_empty()
    );
}

#[test]
fn invalid_tags() {
    let app = app_with_stack();
    let s = stack(&app);
    s.add("T", Topic::default());
    Tags::of(&s).add("aws:reserved", "x");
    Tags::of(&s).add(&"k".repeat(129), "x");
    Tags::of(&s).add("long", "v".repeat(257));
    Tags::of(&s).add("bad#char", "x");
    let annotations = Annotations::from_app(&app);
    annotations.has_error_code("S", codes::TAG_KEY_RESERVED);
    assert_eq!(annotations.find_code("S", codes::TAG_KEY_INVALID).len(), 2);
    annotations.has_error_code("S", codes::TAG_VALUE_INVALID);
}

/// 50 tags a resource takes, counting those its scopes add; the 51st fails at synth, with the
/// resource's path, where CloudFormation would fail the create.
#[test]
fn more_than_fifty_tags_on_a_resource_fail() {
    let tagged = |count: usize| {
        let app = app_with_stack();
        let s = stack(&app);
        s.add("T", Topic::default());
        for i in 0..count {
            Tags::of(&s).add(&format!("tag{i:02}"), "x");
        }
        Annotations::from_app(&app)
            .find_code("S/T", codes::TOO_MANY_TAGS)
            .len()
    };
    assert_eq!(tagged(50), 0);
    assert_eq!(tagged(51), 1);
}

#[test]
fn parameter_constraints_are_checked() {
    let app = app_with_stack();
    let s = stack(&app);
    s.add("T", Topic::default());
    s.add_string_parameter(
        "Name",
        StringParameterProps {
            min_length: Some(5),
            max_length: Some(3),
            default: Some("toolong".into()),
            allowed_values: vec!["a".into()],
            ..Default::default()
        },
    );
    s.add_number_parameter(
        "Count",
        NumberParameterProps {
            min_value: Some(1.0),
            max_value: Some(5.0),
            default: Some(9.0),
            ..Default::default()
        },
    );
    s.add_string_parameter(
        "Ami",
        StringParameterProps {
            param_type: StringType::SsmValue,
            ..Default::default()
        },
    );
    let annotations = Annotations::from_app(&app);
    assert_eq!(
        annotations
            .find_code("S/Name", codes::PARAMETER_CONSTRAINTS)
            .len(),
        3
    );
    annotations.has_error_code("S/Count", codes::PARAMETER_CONSTRAINTS);
    annotations.has_error_code("S/Ami", codes::PARAMETER_DEFAULT_REQUIRED);
}

#[test]
fn mappings_rules_and_exports_are_checked() {
    let app = app_with_stack();
    let s = stack(&app);
    let t = s.add("T", Topic::default());
    s.add_mapping::<&str, Vec<(&str, Value)>, &str, Value>("Empty", []);
    s.add_mapping("BadKey", [("has space", [("v", "x")])]);
    s.add_mapping("Dynamic", [("k", [("v", Value::from(t.ref_()))])]);
    s.add_rule("NoAssertions", RuleProps::default());
    s.add_output("O", "x").export_name("bad name!");
    s.export_value(fns::join(",", vec!["a"]));
    let annotations = Annotations::from_app(&app);
    annotations.has_error_code("S/Empty", codes::MAPPING_INVALID);
    annotations.has_error_code("S/BadKey", codes::MAPPING_INVALID);
    annotations.has_error_code("S/Dynamic", codes::MAPPING_INVALID);
    annotations.has_error_code("S/NoAssertions", codes::RULE_EMPTY);
    annotations.has_error_code("S/O", codes::EXPORT_NAME_INVALID);
    annotations.has_error_code("S", codes::EXPORT_VALUE_INVALID);
}

#[test]
fn raw_resources_are_checked() {
    let app = app_with_stack();
    let s = stack(&app);
    s.add("BadType", RawResource::new("AWS::S3", value!({})));
    s.add(
        "NotObject",
        RawResource::new("AWS::SNS::Topic", value!([1, 2])),
    );
    s.add(
        "Nan",
        RawResource::new("AWS::SNS::Topic", value!({"X": (f64::NAN)})),
    );
    let annotations = Annotations::from_app(&app);
    annotations.has_error_code("S/BadType", codes::RESOURCE_TYPE_INVALID);
    annotations.has_error_code("S/NotObject", codes::PROPERTIES_NOT_OBJECT);
    annotations.has_error_code("S/Nan", codes::NUMBER_INVALID);
}

#[test]
fn dependencies_on_ancestors_are_rejected() {
    let app = app_with_stack();
    let s = stack(&app);
    let group = s.add_child("Group");
    let t = group.add("T", Topic::default());
    t.add_dependency(&group);
    Annotations::from_app(&app).has_error_code("S/Group/T", codes::DEPENDENCY_ON_CONTAINER);
}

#[test]
fn every_problem_is_reported_at_once() {
    let app = App::new("errors");
    let s = app.stack("S", StackProps::default());
    s.add("a b", Topic::default());
    s.add(
        "Sub",
        Topic {
            display_name: Some(fns::sub("${Nope}", [])),
            ..Default::default()
        },
    );
    let t = s.add("Snap", Topic::default());
    t.apply_removal_policy(RemovalPolicy::Snapshot);
    let failed = app.synth().unwrap_err();
    assert_eq!(
        failed.diagnostics.errors().count(),
        3,
        "{:#?}",
        failed.diagnostics
    );
    assert_eq!(failed.to_string(), "synthesis failed with 3 error(s)");
}

#[test]
fn rule_functions_outside_rules_are_errors() {
    let app = app_with_stack();
    let s = stack(&app);
    let subnet = s.add_string_parameter(
        "Subnet",
        StringParameterProps {
            param_type: StringType::Aws("AWS::EC2::Subnet::Id".into()),
            ..Default::default()
        },
    );
    s.add(
        "ByValueOf",
        Topic {
            display_name: Some(subnet.value_of("VpcId")),
            ..Default::default()
        },
    );
    s.add(
        "ByRefAll",
        Topic {
            display_name: Some(fns::select(0, fns::ref_all("AWS::EC2::VPC::Id"))),
            ..Default::default()
        },
    );
    let annotations = Annotations::from_app(&app);
    annotations.has_error_code("S/ByValueOf", codes::RULE_FUNCTION_MISPLACED);
    annotations.has_error_code("S/ByRefAll", codes::RULE_FUNCTION_MISPLACED);
}

#[test]
fn value_of_reads_only_its_own_stacks_parameters() {
    let app = App::new("errors");
    let one = app.stack("One", StackProps::default());
    let two = app.stack("Two", StackProps::default());
    let subnet = one.add_string_parameter(
        "Subnet",
        StringParameterProps {
            param_type: StringType::Aws("AWS::EC2::Subnet::Id".into()),
            ..Default::default()
        },
    );
    two.add_rule(
        "SameVpc",
        RuleProps {
            condition: None,
            assertions: vec![cirrus_core::Assertion {
                assert: cirrus_core::RuleExpr::equals(subnet.value_of("VpcId"), "vpc-1"),
                description: None,
            }],
        },
    );
    Annotations::from_app(&app).has_error_code("Two/SameVpc", codes::RULE_FUNCTION_ARGUMENT);
}

#[test]
fn credential_parameters_are_no_echo_and_without_default() {
    let app = app_with_stack();
    let s = stack(&app);
    s.add("T", Topic::default());
    // By name: echoed, and with a default.
    s.add_string_parameter("DbPassword", StringParameterProps::default());
    s.add_string_parameter(
        "ApiToken",
        StringParameterProps {
            no_echo: true,
            default: Some("changeme".into()),
            ..Default::default()
        },
    );
    // By default: an access key id under an innocent name.
    s.add_string_parameter(
        "Stage",
        StringParameterProps {
            default: Some("AKIAIOSFODNN7EXAMPLE".into()),
            ..Default::default()
        },
    );
    // As it should be.
    s.add_string_parameter(
        "AdminPassword",
        StringParameterProps {
            no_echo: true,
            ..Default::default()
        },
    );
    s.add_string_parameter(
        "Environment",
        StringParameterProps {
            default: Some("prod".into()),
            ..Default::default()
        },
    );
    let found = Annotations::from_app(&app);
    found.has_error_code("S/DbPassword", codes::CREDENTIAL_PARAMETER_ECHOED);
    found.has_no_code("S/DbPassword", codes::CREDENTIAL_PARAMETER_DEFAULT);
    found.has_error_code("S/ApiToken", codes::CREDENTIAL_PARAMETER_DEFAULT);
    found.has_no_code("S/ApiToken", codes::CREDENTIAL_PARAMETER_ECHOED);
    found.has_error_code("S/Stage", codes::CREDENTIAL_PARAMETER_ECHOED);
    found.has_error_code("S/Stage", codes::CREDENTIAL_PARAMETER_DEFAULT);
    found.has_no_code("S/AdminPassword", codes::CREDENTIAL_PARAMETER_ECHOED);
    found.has_no_code("S/Environment", codes::CREDENTIAL_PARAMETER_ECHOED);
}

#[test]
fn a_name_that_only_reads_like_a_credential_is_acknowledged() {
    let app = app_with_stack();
    let s = stack(&app);
    s.add("T", Topic::default());
    let p = s.add_string_parameter(
        "TokenBucketSize",
        StringParameterProps {
            default: Some("100".into()),
            ..Default::default()
        },
    );
    Annotations::from_app(&app)
        .has_error_code("S/TokenBucketSize", codes::CREDENTIAL_PARAMETER_ECHOED);
    p.node().acknowledge(
        codes::CREDENTIAL_PARAMETER_ECHOED,
        "a rate limit, not a secret",
    );
    p.node().acknowledge(
        codes::CREDENTIAL_PARAMETER_DEFAULT,
        "a rate limit, not a secret",
    );
    let out = app
        .synth()
        .unwrap_or_else(|e| panic!("{:#?}", e.diagnostics));
    assert_eq!(
        out.stack("S").unwrap().template["Parameters"]["TokenBucketSize"]["Default"],
        "100"
    );
}

#[test]
fn credentials_in_plain_text_fail_synthesis_wherever_they_are() {
    let app = app_with_stack();
    let s = stack(&app);
    s.add(
        "Keys",
        RawResource::new(
            "AWS::SSM::Document",
            json!({"Content": {"mainSteps": [{"inputs": {"runCommand": ["export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE"]}}]}}),
        ),
    );
    s.add(
        "Db",
        RawResource::new(
            "AWS::RDS::DBInstance",
            json!({"MasterUsername": "admin", "MasterUserPassword": "hunter2"}),
        ),
    );
    s.add(
        "Resolved",
        RawResource::new(
            "AWS::RDS::DBInstance",
            json!({"MasterUserPassword": "{{resolve:secretsmanager:db:SecretString:password}}"}),
        ),
    );
    s.add_output(
        "Hook",
        fns::sub(
            "https://hooks.slack.com/services/T000/B000/${AWS::Region}",
            [],
        ),
    );
    let found = Annotations::from_app(&app);
    found.has_error_code("S/Keys", codes::PLAIN_TEXT_CREDENTIAL);
    found.has_error_code("S/Db", codes::SECRET_PROPERTY_LITERAL);
    found.has_no_code("S/Db", codes::PLAIN_TEXT_CREDENTIAL);
    found.has_no_code("S/Resolved", codes::SECRET_PROPERTY_LITERAL);
    found.has_error_code("S/Hook", codes::PLAIN_TEXT_CREDENTIAL);
    let keys = found.find_code("S/Keys", codes::PLAIN_TEXT_CREDENTIAL);
    assert!(
        keys[0]
            .message
            .contains("Properties.Content.mainSteps[0].inputs.runCommand[0]"),
        "{}",
        keys[0].message
    );
}

#[test]
fn an_example_credential_is_acknowledged() {
    let app = app_with_stack();
    let s = stack(&app);
    let doc = s.add(
        "Example",
        RawResource::new(
            "AWS::SSM::Parameter",
            json!({"Type": "String", "Value": "AKIAIOSFODNN7EXAMPLE"}),
        ),
    );
    Annotations::from_app(&app).has_error_code("S/Example", codes::PLAIN_TEXT_CREDENTIAL);
    doc.node().acknowledge(
        codes::PLAIN_TEXT_CREDENTIAL,
        "AWS's documented example key id, for the tutorial",
    );
    let out = app
        .synth()
        .unwrap_or_else(|e| panic!("{:#?}", e.diagnostics));
    assert_eq!(
        out.stack("S").unwrap().template["Resources"]["Example"]["Properties"]["Value"],
        "AKIAIOSFODNN7EXAMPLE"
    );
}

#[test]
fn stack_regions_are_checked_against_the_region_table() {
    let app = App::new("regions");
    for (id, region) in [
        ("Typo", "us-esat-1"),
        ("Unknown", "eu-west-7"),
        ("China", "cn-northwest-1"),
        ("GovCloud", "us-gov-west-1"),
        ("Commercial", "ap-southeast-4"),
    ] {
        app.stack(
            id,
            StackProps {
                env: Env::region(region),
                ..Default::default()
            },
        )
        .add("T", Topic::default());
    }
    let annotations = Annotations::from_app(&app);
    annotations.has_error_with_hint(
        "Typo",
        "region \"us-esat-1\" is not a region of any AWS partition",
        "the closest region is \"us-east-1\"",
    );
    annotations.has_error_with_hint(
        "Unknown",
        "region \"eu-west-7\" is not a region of any AWS partition",
        "acknowledge CORE-081 on the stack",
    );
    for known in ["China", "GovCloud", "Commercial"] {
        annotations.has_no_code(known, codes::REGION_UNKNOWN);
        annotations.has_no_code(known, codes::REGION_INVALID);
    }
}

#[test]
fn a_region_newer_than_the_table_can_be_acknowledged() {
    let app = App::new("regions");
    let stack = app.stack(
        "S",
        StackProps {
            env: Env::region("eu-west-7"),
            ..Default::default()
        },
    );
    stack.add("T", Topic::default());
    Annotations::from_app(&app).has_error_code("S", codes::REGION_UNKNOWN);
    stack.node().acknowledge(
        codes::REGION_UNKNOWN,
        "eu-west-7 opened after the table was pinned",
    );
    let out = app.synth().expect("acknowledged");
    assert!(out.warnings.is_empty(), "{:#?}", out.warnings);
}
