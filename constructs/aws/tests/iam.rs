//! Managed policies and imports of the IAM constructs.

use cirrus_aws::iam::{
    IManagedPolicy, ManagedPolicy, ManagedPolicyArn, ManagedPolicyProps, PolicyDocument,
    PolicyStatement, Principal, Role, RoleProps,
};
use cirrus_core::{App, StackProps};
use serde_json::{Value, json};

/// The properties of the resource of stack `S` whose logical id starts with `prefix`.
fn properties(app: &App, prefix: &str) -> Value {
    let out = app
        .synth()
        .unwrap_or_else(|e| panic!("{:#?}", e.diagnostics));
    out.stack("S").unwrap().template["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .find(|(id, _)| id.starts_with(prefix))
        .map(|(_, r)| r["Properties"].clone())
        .unwrap_or_else(|| panic!("no resource {prefix}*"))
}

/// Attaches `policy` to `role`, whichever kind of managed policy it is.
fn attach<'a>(role: &Role<'a>, policy: impl IManagedPolicy) {
    role.add_managed_policy(&policy);
}

#[test]
fn imported_managed_policies_are_attached_like_those_of_the_app() {
    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    let role = Role::new(
        stack,
        "Builder",
        Principal::service("codebuild.amazonaws.com"),
        RoleProps {
            managed_policies: vec![
                ManagedPolicy::from_aws_managed_name(stack, "ReadOnlyAccess", "ReadOnlyAccess")
                    .arn(),
                ManagedPolicy::from_name(stack, "ReadParameters", "team/ReadParameters").arn(),
            ],
            ..Default::default()
        },
    );
    let owned = ManagedPolicy::new(
        stack,
        "Deploy",
        PolicyDocument::of([PolicyStatement::allow()
            .actions(["cloudformation:DescribeStacks"])
            .resources(["*"])]),
        ManagedPolicyProps::default(),
    );
    attach(&role, owned);
    attach(
        &role,
        ManagedPolicy::from_name(stack, "LegacyDeploy", "LegacyDeploy"),
    );
    // Already attached through the props: attached once.
    let read_only =
        ManagedPolicy::from_aws_managed_name(stack, "ReadOnlyAccessAgain", "ReadOnlyAccess");
    attach(&role, &read_only);
    attach(&role, ManagedPolicyArn::aws("AWSCodeBuildDeveloperAccess"));

    assert_eq!(
        properties(&app, "Builder")["ManagedPolicyArns"],
        json!([
            {"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/ReadOnlyAccess"},
            {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:policy/team/ReadParameters"},
            {"Ref": "Deploy7B206E61"},
            {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:policy/LegacyDeploy"},
            {"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/AWSCodeBuildDeveloperAccess"},
        ])
    );
    assert_eq!(read_only.arn(), ManagedPolicyArn::aws("ReadOnlyAccess"));
}

#[test]
fn aws_managed_policies_by_name_are_the_arns_of_managed_policy_arn_aws() {
    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    let imported = ManagedPolicy::from_aws_managed_name(
        stack,
        "GlueServiceRole",
        "service-role/AWSGlueServiceRole",
    );
    assert_eq!(
        imported.arn(),
        ManagedPolicyArn::aws("service-role/AWSGlueServiceRole")
    );
    assert_eq!(imported.arn(), imported.arn());
}

/// Grants accumulate in a role's default policy; past IAM's 10,240 characters for a role's
/// inline policies the deploy would fail, so synthesis does, with the way out.
#[test]
fn grants_past_the_inline_policy_quota_fail_synthesis() {
    use cirrus_aws::codes;
    use cirrus_aws::prelude::*;
    use cirrus_aws::s3::{Bucket, BucketProps};
    use cirrus_core::assertions::Annotations;

    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    let grantee = |id: &str| {
        Role::new(
            stack,
            id,
            Principal::service("ecs-tasks.amazonaws.com"),
            RoleProps::default(),
        )
    };
    let (busy, quiet) = (grantee("Busy"), grantee("Quiet"));
    for i in 0..60 {
        let bucket = Bucket::new(stack, &format!("Data{i}"), BucketProps::default());
        bucket.grant_read_write(&busy);
        if i < 3 {
            bucket.grant_read(&quiet);
        }
    }
    let annotations = Annotations::from_app(&app);
    annotations.has_error_code("S/Busy", codes::iam::INLINE_POLICIES_TOO_LARGE);
    assert!(
        annotations
            .errors()
            .iter()
            .all(|d| !d.path.starts_with("S/Quiet")),
        "{:?}",
        annotations.errors()
    );
}

#[test]
fn a_managed_policy_past_its_quota_fails_synthesis() {
    use cirrus_aws::codes;
    use cirrus_core::assertions::Annotations;

    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    let statement = |i: usize| {
        PolicyStatement::allow()
            .actions(["s3:GetObject"])
            .resources([format!(
                "arn:aws:s3:::a-bucket-with-a-rather-long-name-{i}/*"
            )])
    };
    ManagedPolicy::new(
        stack,
        "Large",
        PolicyDocument::of((0..120).map(statement)),
        ManagedPolicyProps::default(),
    );
    ManagedPolicy::new(
        stack,
        "Small",
        PolicyDocument::of((0..10).map(statement)),
        ManagedPolicyProps::default(),
    );
    let annotations = Annotations::from_app(&app);
    annotations.has_error_code("S/Large", codes::iam::MANAGED_POLICY_TOO_LARGE);
    assert!(
        annotations
            .errors()
            .iter()
            .all(|d| !d.path.starts_with("S/Small")),
        "{:?}",
        annotations.errors()
    );
}

#[test]
fn a_trust_policy_past_its_quota_fails_synthesis() {
    use cirrus_aws::codes;
    use cirrus_core::assertions::Annotations;

    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    let conditions = (0..60).map(|i| {
        cirrus_aws::iam::PolicyCondition::new(
            "StringEquals",
            &format!("aws:PrincipalTag/team-{i}"),
            "platform-engineering",
        )
    });
    Role::new(
        stack,
        "Crowded",
        Principal::this_account(),
        RoleProps::default().trust_conditions(conditions.collect::<Vec<_>>()),
    );
    Annotations::from_app(&app).has_error_code("S/Crowded", codes::iam::TRUST_POLICY_TOO_LARGE);
}

/// A stack's default role path reaches every role made in it, those that constructs make for
/// themselves included; a path set on the role wins; setting the default after the stack has
/// made roles is an error rather than a path applied to some roles only.
#[test]
fn the_stacks_default_role_path_reaches_every_role_it_makes() {
    let app = App::new("a");
    let stack = app.stack("S", StackProps::default());
    cirrus_aws::iam::default_role_path(stack, "/app/");
    Role::new(
        stack,
        "Plain",
        Principal::service("ec2.amazonaws.com"),
        RoleProps::default(),
    );
    Role::new(
        stack,
        "Own",
        Principal::service("ec2.amazonaws.com"),
        RoleProps::default().path("/own/"),
    );
    cirrus_aws::codebuild::Project::new(
        stack,
        "Build",
        cirrus_aws::codebuild::ProjectProps::default(),
    );
    assert_eq!(properties(&app, "Plain")["Path"], "/app/");
    assert_eq!(properties(&app, "Own")["Path"], "/own/");
    assert_eq!(properties(&app, "BuildRole")["Path"], "/app/");

    let app = App::new("a");
    let stack = app.stack("S", StackProps::default());
    // A role with a path of its own is not affected by the default, whenever it is set.
    Role::new(
        stack,
        "Pathed",
        Principal::service("ec2.amazonaws.com"),
        RoleProps::default().path("/own/"),
    );
    Role::new(
        stack,
        "Early",
        Principal::service("ec2.amazonaws.com"),
        RoleProps::default(),
    );
    cirrus_aws::iam::default_role_path(stack, "/app/");
    let errors = app.synth().unwrap_err().diagnostics;
    assert!(
        errors
            .iter()
            .any(|d| d.code.to_string() == "IAM-018" && d.message.contains("after 1 role(s)")),
        "{errors:#?}"
    );
}
