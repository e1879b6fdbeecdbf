//! Deployment roles derived from the resources of the stacks they deploy (`Role::grant_deploy`).

use cirrus_aws::codes;
use cirrus_aws::iam::{Principal, Role, RoleProps};
use cirrus_aws::s3::{Bucket, BucketProps};
use cirrus_core::assertions::{Annotations, Match, Template};
use cirrus_core::{App, DeletionPolicy, RawResource, StackProps};
use serde_json::{Value, json};

/// The statements of the derived policies of the `Deployer` stack, with the `Fn::Sub`
/// templates as plain strings.
fn statements(app: &App) -> Vec<Value> {
    let stack = app
        .stacks()
        .into_iter()
        .find(|s| s.stack_name() == "Deployer")
        .unwrap();
    let template = Template::from_stack(&stack);
    let mut out = Vec::new();
    for (_, policy) in template.find_resources("AWS::IAM::ManagedPolicy", Match::any_value()) {
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
            .as_array()
            .unwrap()
        {
            let text = serde_json::to_string(statement).unwrap();
            let plain = text
                .replace("{\"Fn::Sub\":", "")
                .replace("\"}", "\"")
                .replace("${AWS::Partition}", "aws")
                .replace("${AWS::Region}", "us-east-1")
                .replace("${AWS::AccountId}", "111111111111");
            out.push(serde_json::from_str(&plain).unwrap_or_else(|_| statement.clone()));
        }
    }
    out
}

fn list(v: &Value) -> Vec<String> {
    match v {
        Value::Array(items) => items
            .iter()
            .map(|i| i.as_str().unwrap_or_default().to_owned())
            .collect(),
        Value::String(s) => vec![s.clone()],
        _ => Vec::new(),
    }
}

/// The resources of the statements that allow `action`.
fn resources_of(statements: &[Value], action: &str) -> Vec<String> {
    statements
        .iter()
        .filter(|s| list(&s["Action"]).iter().any(|a| a == action))
        .flat_map(|s| list(&s["Resource"]))
        .collect()
}

/// An app whose `Deployer` stack has a role that may deploy `Data`.
fn app_with(data: impl FnOnce(cirrus_core::Stack<'_>)) -> App {
    let app = App::new("derive");
    let deployed = app.stack("Data", StackProps::default());
    data(deployed);
    let stack = app.stack("Deployer", StackProps::default());
    let role = Role::new(
        stack,
        "DeployRole",
        Principal::service("cloudformation.amazonaws.com"),
        RoleProps::default(),
    );
    role.grant_deploy(&[deployed], Some("/app/"));
    app
}

#[test]
fn a_named_bucket_is_deployable_by_name_and_a_generated_one_by_the_stack_prefix() {
    let app = app_with(|data| {
        Bucket::new(
            data,
            "Named",
            BucketProps::default().bucket_name("derive-named-data"),
        );
        Bucket::new(data, "Generated", BucketProps::default());
    });
    let s = statements(&app);
    let created = resources_of(&s, "s3:CreateBucket");
    assert!(
        created.contains(&"arn:aws:s3:::derive-named-data".to_owned()),
        "{created:?}"
    );
    assert!(
        created.contains(&"arn:aws:s3:::data-*".to_owned()),
        "{created:?}"
    );
    // The library retains buckets: the deletion of a generated one is not granted; a named
    // one is deleted when its own creation fails (`RetainExceptOnCreate`), so that bucket
    // alone may be.
    assert_eq!(
        resources_of(&s, "s3:DeleteBucket"),
        ["arn:aws:s3:::derive-named-data"]
    );
    // What the handlers list and the role does not get is written down, with why: S3 metadata
    // tables are another service's resources, which the stack does not use.
    let stack = app
        .stacks()
        .into_iter()
        .find(|s| s.stack_name() == "Deployer")
        .unwrap();
    let template = Template::from_stack(&stack);
    let policies = template.find_resources("AWS::IAM::ManagedPolicy", Match::any_value());
    let not_granted = &policies[0].1["Metadata"]["cirrus:notGranted"];
    assert!(
        not_granted["s3tables:CreateTableBucket"]
            .as_str()
            .is_some_and(|why| why.contains("s3tables")),
        "{not_granted}"
    );
    // Reads of other services' resources are not granted beyond the stacks' own.
    for statement in &s {
        if list(&statement["Resource"]).contains(&"*".to_owned()) {
            for action in list(&statement["Action"]) {
                assert!(
                    !action.starts_with("s3:") || action == "s3:ListAllMyBuckets",
                    "{action} on *"
                );
            }
        }
    }
}

#[test]
fn what_is_not_retained_may_be_deleted_and_roles_are_passed_only_when_the_stacks_have_them() {
    let app = app_with(|data| {
        let queue = data.add(
            "Queue",
            RawResource::new("AWS::SQS::Queue", json!({"QueueName": "jobs"})),
        );
        queue.set_deletion_policy(DeletionPolicy::Delete);
    });
    let s = statements(&app);
    assert_eq!(
        resources_of(&s, "sqs:DeleteQueue"),
        ["arn:aws:sqs:us-east-1:111111111111:jobs"]
    );
    assert!(resources_of(&s, "iam:PassRole").is_empty());
}

#[test]
fn roles_under_a_path_are_deployable_and_passable_by_their_path_and_stack_prefix() {
    let app = app_with(|data| {
        Role::new(
            data,
            "Worker",
            Principal::service("ec2.amazonaws.com"),
            RoleProps {
                path: Some("/team/".into()),
                ..Default::default()
            },
        );
        Bucket::new(data, "Logs", BucketProps::default());
    });
    let s = statements(&app);
    let roles = ["arn:aws:iam::111111111111:role/team/Data-*".to_owned()];
    assert_eq!(resources_of(&s, "iam:CreateRole"), roles);
    assert_eq!(resources_of(&s, "iam:PutRolePolicy"), roles);
    // No managed policy is attached by the stack's roles: attaching one is not granted.
    assert!(resources_of(&s, "iam:AttachRolePolicy").is_empty());
    // IAM users and groups are never touched.
    assert!(resources_of(&s, "iam:PutUserPolicy").is_empty());
}

#[test]
fn a_type_without_handler_permissions_is_an_error_naming_the_role() {
    let app = app_with(|data| {
        data.add(
            "Legacy",
            RawResource::new("AWS::EC2::NetworkInterfacePermission", json!({})),
        );
    });
    Annotations::from_app(&app)
        .has_error_code("Deployer/DeployRole", codes::iam::DEPLOY_TYPE_UNKNOWN);

    let known = app_with(|data| {
        data.add("Queue", RawResource::new("AWS::SQS::Queue", json!({})));
    });
    Annotations::from_app(&known)
        .has_no_code("Deployer/DeployRole", codes::iam::DEPLOY_TYPE_UNKNOWN);
}

#[test]
fn only_the_managed_policies_the_roles_name_may_be_attached() {
    let app = app_with(|data| {
        data.add(
            "Reader",
            RawResource::new(
                "AWS::IAM::Role",
                json!({
                    "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [
                        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
                    ]},
                    "Path": "/app/",
                    "ManagedPolicyArns": [
                        "arn:aws:iam::aws:policy/ReadOnlyAccess",
                        {"Fn::ImportValue": "PolicyOfAnotherApp"}
                    ]
                }),
            ),
        );
    });
    let s = statements(&app);
    let attach = s
        .iter()
        .find(|st| {
            list(&st["Action"])
                .iter()
                .any(|a| a == "iam:AttachRolePolicy")
        })
        .unwrap_or_else(|| panic!("{s:#?}"));
    assert_eq!(
        attach["Condition"]["ArnLike"]["iam:PolicyARN"],
        json!("arn:aws:iam::aws:policy/ReadOnlyAccess"),
        "a policy known only at deploy time is not attachable: {attach:#}"
    );
}
