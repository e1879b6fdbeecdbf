//! Imports (`from_*`) across the services: each is a construct at its own path, reports a
//! malformed literal there, and takes an expression wherever the value is only passed on.

use cirrus_aws::codebuild::Project;
use cirrus_aws::ecr::IRepository as _;
use cirrus_aws::events::Rule;
use cirrus_aws::iam::{ManagedPolicy, Principal, Role, RoleProps};
use cirrus_aws::logs::LogGroup;
use cirrus_aws::s3::{Bucket, IBucket};
use cirrus_aws::secretsmanager::{ISecret, Secret};
use cirrus_aws::ssm::{IParameter, StringParameter};
use cirrus_aws::{codecommit, ecr, emr, firehose, kms};
use cirrus_core::{App, Construct, Expr, Stack, StackProps, fns, pseudo};

/// Every error of the app, as `path: message`.
fn errors(app: &App) -> Vec<String> {
    app.synth()
        .expect_err("synthesis should fail")
        .diagnostics
        .errors()
        .map(|d| format!("{}: {}", d.path, d.message))
        .collect()
}

#[track_caller]
fn assert_has(errors: &[String], needle: &str) {
    assert!(
        errors.iter().any(|e| e.starts_with(needle)),
        "no error starts with {needle:?}:\n{errors:#?}"
    );
}

/// Stack `S`, with a role `User` that grants can go to (a stack needs one resource).
fn stack_s(app: &App) -> (Stack<'_>, Role<'_>) {
    let stack = app.stack("S", StackProps::default());
    let user = Role::new(
        stack,
        "User",
        Principal::this_account(),
        RoleProps::default(),
    );
    (stack, user)
}

/// A name known only at deployment: `<stack name>-data`.
fn deployed_name() -> Expr<String> {
    fns::sub("${AWS::StackName}-data", [])
}

#[test]
fn imports_are_constructs_at_their_own_path() {
    let app = App::new("t");
    let (stack, _user) = stack_s(&app);
    let bucket = Bucket::from_name(stack, "Shared", "shared-datasets");
    let role = Role::from_name(stack, "Builder", "legacy-builder");
    let policy = ManagedPolicy::from_aws_managed_name(stack, "ReadOnly", "ReadOnlyAccess");
    let logs = LogGroup::from_name(bucket.node(), "Logs", "/legacy/app");
    assert_eq!(bucket.node().path(), "S/Shared");
    assert_eq!(role.node().path(), "S/Builder");
    assert_eq!(policy.node().path(), "S/ReadOnly");
    assert_eq!(logs.node().path(), "S/Shared/Logs");
    // The id is a child id like any other: a second import under it is refused.
    Bucket::from_name(stack, "Shared", "other-datasets");
    assert_has(&errors(&app), "S/Shared: duplicate construct id \"Shared\"");
}

#[test]
fn malformed_literals_are_reported_at_the_import() {
    let app = App::new("t");
    let (stack, _user) = stack_s(&app);
    kms::Key::from_arn(stack, "AliasKey", "alias/shared");
    Secret::from_arn(stack, "NotSecret", "arn:aws:s3:::bucket", None);
    Secret::from_name(stack, "SpacedSecret", "shared secret", None);
    cirrus_aws::elbv2::Listener::from_arn(stack, "NotListener", "listener-1");
    firehose::DeliveryStream::from_arn(stack, "NotStream", "arn:aws:kinesis:eu-west-1:1:stream/x");
    emr::Cluster::from_id(stack, "NotCluster", "cluster-1");
    ecr::Repository::from_name(stack, "UpperRepo", "Team/Base");
    codecommit::Repository::from_name(stack, "GitRepo", "templates.git");
    Role::from_arn(stack, "UserArn", "arn:aws:iam::123456789012:user/deploy");
    let errs = errors(&app);
    assert_has(
        &errs,
        "S/AliasKey: \"alias/shared\" is not the ARN of a KMS key",
    );
    assert_has(
        &errs,
        "S/NotSecret: \"arn:aws:s3:::bucket\" is not the ARN of a secret",
    );
    assert_has(
        &errs,
        "S/SpacedSecret: secret name \"shared secret\" contains ' '",
    );
    assert_has(
        &errs,
        "S/NotListener: \"listener-1\" is not the ARN of an ELB listener",
    );
    assert_has(
        &errs,
        "S/NotStream: \"arn:aws:kinesis:eu-west-1:1:stream/x\" is not the ARN of a Firehose stream",
    );
    assert_has(
        &errs,
        "S/NotCluster: \"cluster-1\" is not the id of an EMR cluster",
    );
    assert_has(&errs, "S/UpperRepo: ");
    assert_has(
        &errs,
        "S/GitRepo: repository name \"templates.git\" must not end in \".git\"",
    );
    assert_has(
        &errs,
        "S/UserArn: \"arn:aws:iam::123456789012:user/deploy\" is not the ARN of an IAM role",
    );
    assert_eq!(errs.len(), 9, "{errs:#?}");
}

#[test]
fn well_formed_literals_are_not_reported() {
    let app = App::new("t");
    let (stack, _user) = stack_s(&app);
    kms::Key::from_arn(
        stack,
        "Key",
        "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    );
    Secret::from_arn(
        stack,
        "Secret",
        "arn:aws:secretsmanager:us-east-1:111122223333:secret:shared/signing-AbCdEf",
        None,
    );
    emr::Cluster::from_id(stack, "Cluster", "j-2AXXXXXXGAPLF");
    ecr::Repository::from_name(stack, "Repo", "team/base");
    codecommit::Repository::from_name(stack, "Git", "templates");
    let out = app
        .synth()
        .unwrap_or_else(|e| panic!("{:#?}", e.diagnostics));
    assert!(out.warnings.is_empty(), "{:#?}", out.warnings);
}

#[test]
fn names_may_be_expressions_and_arns_are_built_around_them() {
    let app = App::new("t");
    let (stack, user) = stack_s(&app);
    let name = deployed_name();
    let bucket = Bucket::from_name(stack, "Bucket", name.clone());
    assert_eq!(bucket.name(), name);
    assert_eq!(
        Role::from_name(stack, "Role", name.clone()).arn(),
        fns::sub(
            "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/${Name}",
            [("Name", name.clone())]
        )
    );
    let logs = LogGroup::from_name(stack, "Logs", name.clone());
    // Rendered into the user's policy, where synthesis checks the variables of the `Fn::Sub`.
    logs.grant_write(&user);
    assert_eq!(
        logs.arn(),
        fns::sub(
            "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:${Name}:*",
            [("Name", name.clone())]
        )
    );
    assert_eq!(
        Secret::from_name(stack, "Secret", name.clone(), None).arn(),
        fns::sub(
            "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:${Name}-??????",
            [("Name", name.clone())]
        )
    );
    assert_eq!(
        StringParameter::from_name(stack, "Param", name.clone()).arn(),
        fns::sub(
            "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/${Name}",
            [("Name", name.clone())]
        )
    );
    assert_eq!(
        Rule::from_name(stack, "Rule", name.clone()).arn(),
        fns::sub(
            "arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:rule/${Name}",
            [("Name", name.clone())]
        )
    );
    assert_eq!(
        ecr::Repository::from_name(stack, "Repo", name.clone()).name(),
        name
    );
    // A literal is written into the template as it would be by hand.
    assert_eq!(
        LogGroup::from_name(stack, "Literal", "/legacy/app").arn(),
        fns::sub(
            "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/legacy/app:*",
            []
        )
    );
    app.synth()
        .unwrap_or_else(|e| panic!("{:#?}", e.diagnostics));
}

#[test]
fn a_name_read_out_of_an_arn_expression_is_derived_or_asked_for() {
    let app = App::new("t");
    let (stack, _user) = stack_s(&app);
    let arn = fns::sub(
        "arn:${AWS::Partition}:codebuild:${AWS::Region}:${AWS::AccountId}:project/${Name}",
        [("Name", pseudo::stack_name())],
    );
    // Project names have no '/': the name is the second part of the ARN split on '/'.
    let project = Project::from_arn(stack, "Project", arn.clone());
    assert_eq!(project.name(), fns::select(1, fns::split("/", arn.clone())));
    assert_eq!(project.arn(), arn);
    app.synth()
        .unwrap_or_else(|e| panic!("{:#?}", e.diagnostics));

    // A role's path and a rule's event bus take a varying number of '/' segments: no
    // intrinsic reads the name, so the import asks for it.
    Role::from_arn(stack, "Role", fns::sub("${AWS::StackName}-role-arn", []));
    Rule::from_arn(stack, "Rule", fns::sub("${AWS::StackName}-rule-arn", []));
    let errs = errors(&app);
    assert_has(
        &errs,
        "S/Role: the ARN of an imported role must be a literal: the role's name is read from it",
    );
    assert_has(
        &errs,
        "S/Rule: the ARN of an imported rule must be a literal: the rule's name is read from it",
    );
    assert_eq!(errs.len(), 2, "{errs:#?}");
}

#[test]
fn imported_secrets_and_parameters_keep_their_key() {
    let app = App::new("t");
    let (stack, _user) = stack_s(&app);
    let key = fns::sub(
        "arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        [],
    );
    let secret = Secret::from_name(stack, "Secret", "shared/registry", Some(key.clone()));
    let parameter = StringParameter::from_secure_string_name(
        stack,
        "Password",
        "/legacy/db-password",
        Some(key.clone()),
    );
    assert_eq!(secret.key_arn(), Some(key.clone()));
    assert_eq!(parameter.key_arn(), Some(key));
    assert_eq!(
        parameter.arn(),
        fns::sub(
            "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/legacy/db-password",
            []
        )
    );
}
