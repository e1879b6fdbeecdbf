//! Errors and grants of the KMS, CloudWatch Logs and S3 constructs.

use cirrus_aws::codes;
use cirrus_aws::iam::{Principal, Role, RoleProps};
use cirrus_aws::kms::{Key, KeyProps};
use cirrus_aws::logs::{LogGroup, LogGroupProps};
use cirrus_aws::s3::{AccessLogs, Bucket, BucketEncryption, BucketProps, IBucket, LifecycleRule};
use cirrus_core::assertions::Annotations;
use cirrus_core::{App, StackProps};

#[test]
fn bucket_props_are_checked() {
    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    Bucket::new(
        stack,
        "Named",
        BucketProps {
            bucket_name: Some("Not_Valid".into()),
            ..Default::default()
        },
    );
    Bucket::new(
        stack,
        "Rules",
        BucketProps {
            lifecycle_rules: vec![
                LifecycleRule {
                    id: Some("Empty".into()),
                    ..Default::default()
                },
                LifecycleRule {
                    id: Some("Backwards".into()),
                    expiration_days: Some(30),
                    transitions: vec![(cirrus_aws::s3::StorageClass::Glacier, 60)],
                    ..Default::default()
                },
            ],
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
    Bucket::new(
        stack,
        "Source",
        BucketProps {
            access_logs: AccessLogs::To {
                bucket: encrypted,
                prefix: "x/",
            },
            ..Default::default()
        },
    );
    let annotations = Annotations::from_app(&app);
    annotations.has_error_code("S/Named", codes::s3::BUCKET_NAME_INVALID);
    assert_eq!(
        annotations
            .find_code("S/Rules", codes::s3::LIFECYCLE_INVALID)
            .len(),
        2
    );
    annotations.has_error_code("S/Source", codes::s3::ACCESS_LOG_BUCKET_KMS);
}

#[test]
fn key_props_are_checked() {
    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    Key::new(
        stack,
        "Short",
        KeyProps {
            pending_window_days: Some(3),
            ..Default::default()
        },
    );
    Key::new(
        stack,
        "Aliased",
        KeyProps {
            alias: Some("alias/x".into()),
            ..Default::default()
        },
    );
    let annotations = Annotations::from_app(&app);
    annotations.has_error_code("S/Short", codes::kms::PENDING_WINDOW_OUT_OF_RANGE);
    annotations.has_error_code("S/Aliased", codes::kms::ALIAS_INVALID);
}

fn policy_of(app: &App, stack: &str, role_policy_id_prefix: &str) -> serde_json::Value {
    let out = app.synth().unwrap();
    let template = &out.stack(stack).unwrap().template;
    template["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .find(|(id, _)| id.starts_with(role_policy_id_prefix))
        .map(|(_, r)| r["Properties"]["PolicyDocument"]["Statement"].clone())
        .unwrap()
}

#[test]
fn bucket_grants_are_scoped_to_the_bucket_and_its_key() {
    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    let key = Key::new(stack, "Key", KeyProps::default());
    let bucket = Bucket::new(
        stack,
        "Data",
        BucketProps {
            encryption: BucketEncryption::Kms(key),
            ..Default::default()
        },
    );
    let role = Role::new(
        stack,
        "Role",
        Principal::service("ec2.amazonaws.com"),
        RoleProps::default(),
    );
    bucket.grant_read(&role);
    let statements = policy_of(&app, "S", "RoleDefaultPolicy");
    assert_eq!(
        statements,
        serde_json::json!([
            {"Effect": "Allow", "Action": ["s3:GetObject*", "s3:GetBucket*", "s3:List*"],
             "Resource": [{"Fn::GetAtt": ["Data666C94C7", "Arn"]}, {"Fn::Sub": "${Data666C94C7.Arn}/*"}]},
            {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": {"Fn::GetAtt": ["Key961B73FD", "Arn"]}}
        ])
    );
}

#[test]
fn log_groups_share_one_stack_key() {
    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    LogGroup::new(stack, "A", LogGroupProps::default());
    LogGroup::new(stack, "B", LogGroupProps::default());
    let out = app.synth().unwrap();
    let keys = out.stacks[0].template["Resources"]
        .as_object()
        .unwrap()
        .values()
        .filter(|r| r["Type"] == "AWS::KMS::Key")
        .count();
    assert_eq!(keys, 1);
}

#[test]
fn imported_log_groups_take_grants() {
    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    let role = Role::new(
        stack,
        "Role",
        Principal::service("ec2.amazonaws.com"),
        RoleProps::default(),
    );
    LogGroup::from_name(stack, "ImportedLogGroup", "/legacy/app").grant_write(&role);
    let statements = policy_of(&app, "S", "RoleDefaultPolicy");
    assert_eq!(
        statements,
        serde_json::json!([{
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": {"Fn::Sub": "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/legacy/app:*"}
        }])
    );
}

/// A resource whose name the template fixes is deleted when its own creation fails
/// (`RetainExceptOnCreate`), so that the retry of a failed first deploy does not find it and
/// fail with "already exists"; one with a generated name stays `Retain`; a policy other than
/// `Retain` is kept.
#[test]
fn named_resources_are_not_left_behind_by_a_failed_create() {
    use cirrus_aws::ecr::{Repository, RepositoryProps};
    use cirrus_core::RemovalPolicy;
    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    LogGroup::new(
        stack,
        "Named",
        LogGroupProps::default().log_group_name("/t/named"),
    );
    LogGroup::new(stack, "Generated", LogGroupProps::default());
    Repository::new(
        stack,
        "Images",
        RepositoryProps::default().repository_name("t/images"),
    );
    Repository::new(
        stack,
        "Scratch",
        RepositoryProps {
            repository_name: Some("t/scratch".into()),
            removal_policy: RemovalPolicy::Destroy,
            ..Default::default()
        },
    );
    // A name made of the account and region: fixed too, and not a literal to check.
    Bucket::new(
        stack,
        "Snapshots",
        BucketProps::default().bucket_name(cirrus_core::fns::sub(
            "t-snapshots-${AWS::AccountId}-${AWS::Region}",
            [],
        )),
    );
    let synth = app
        .synth()
        .unwrap_or_else(|e| panic!("{:#?}", e.diagnostics));
    let resources = synth.stacks[0].template["Resources"].as_object().unwrap();
    let policies = |prefix: &str| {
        let (_, r) = resources
            .iter()
            .find(|(id, _)| id.starts_with(prefix))
            .unwrap_or_else(|| panic!("no {prefix}"));
        (
            r["DeletionPolicy"].as_str().unwrap_or_default().to_owned(),
            r["UpdateReplacePolicy"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
        )
    };
    let pair = |d: &str, u: &str| (d.to_owned(), u.to_owned());
    assert_eq!(policies("Named"), pair("RetainExceptOnCreate", "Retain"));
    assert_eq!(policies("Images"), pair("RetainExceptOnCreate", "Retain"));
    assert_eq!(
        policies("Snapshots"),
        pair("RetainExceptOnCreate", "Retain")
    );
    assert_eq!(policies("Generated"), pair("Retain", "Retain"));
    assert_eq!(policies("Scratch"), pair("Delete", "Delete"));
}
