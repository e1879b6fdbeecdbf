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
