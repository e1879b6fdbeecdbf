//! Errors, grants and rendering of the CI/CD constructs: CodeCommit, CodeBuild, CodePipeline,
//! EventBridge, Secrets Manager and SSM.

use cirrus_aws::codebuild::{
    BuildEnv, BuildSpec, Cache, EnvVar, IProject, InlineBuildSpec, InstallPhase, LocalCacheMode,
    Phase, Phases, Project, ProjectProps, ProjectVpc, Source,
};
use cirrus_aws::codecommit::{Repository, RepositoryProps};
use cirrus_aws::codeconnections::{Connection, ConnectionProps, ConnectionProvider};
use cirrus_aws::codepipeline::{
    Action, ActionCategory, ActionOwner, Artifact, CloudFormationDeployProps, CodeBuildActionProps,
    CommandsProps, ConnectionSourceProps, ConnectionTrigger, CustomActionProps, EksAccess,
    EksCluster, EksDeployProps, EksDeployment, ManualApprovalProps, Pipeline, PipelineProps,
    S3DeployProps, SourceFormat, Stage,
};
use cirrus_aws::codes;
use cirrus_aws::ec2::{SecurityGroup, SecurityGroupProps, SubnetType, Vpc, VpcAttributes};
use cirrus_aws::events::{
    EventPattern, IRule, Rule, RuleProps, Schedule, Target, TimeUnit, Trigger,
};
use cirrus_aws::iam::{PolicyStatement, Principal, Role, RoleProps};
use cirrus_aws::kms::{Key, KeyProps};
use cirrus_aws::s3::{Bucket, BucketEncryption, BucketProps};
use cirrus_aws::secretsmanager::{GeneratedValue, JsonTemplate, Secret, SecretProps, SecretValue};
use cirrus_aws::ssm::{StringParameter, StringParameterProps};
use cirrus_core::assertions::{Annotations, Template};
use cirrus_core::{App, Env, Stack, StackProps, Value};
use serde_json::json;

/// The properties of the one resource whose logical id starts with `prefix`.
fn props_of(
    resources: &serde_json::Map<String, serde_json::Value>,
    prefix: &str,
) -> serde_json::Value {
    let found: Vec<_> = resources
        .iter()
        .filter(|(id, _)| id.starts_with(prefix))
        .collect();
    assert_eq!(
        found.len(),
        1,
        "resources starting with {prefix}: {:?}",
        found.iter().map(|f| f.0).collect::<Vec<_>>()
    );
    found[0].1["Properties"].clone()
}

/// A repository and a build project for pipelines under test.
fn parts<'a>(stack: Stack<'a>) -> (Repository<'a>, Project<'a>) {
    (
        Repository::new(stack, "Repo", "app", RepositoryProps::default()),
        Project::new(stack, "Build", ProjectProps::default()),
    )
}

#[test]
fn an_artifact_read_before_it_is_produced_is_an_error_naming_pipeline_and_artifact() {
    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    let (repo, build) = parts(stack);
    let site = Bucket::new(stack, "Site", BucketProps::default());
    let (src, dist, docs) = (
        Artifact::new("Src"),
        Artifact::new("Dist"),
        Artifact::new("Docs"),
    );
    Pipeline::new(
        stack,
        "Pipeline",
        PipelineProps {
            stages: vec![
                Stage::new("Source", [Action::codecommit_source(&repo, "main", &src)]),
                Stage::new(
                    "Deploy",
                    [
                        // Reads what a later stage produces.
                        Action::s3_deploy(&site, &dist, S3DeployProps::default()),
                        // Reads what nothing produces.
                        Action::s3_deploy(&site, &docs, S3DeployProps::default()).named("Docs"),
                    ],
                ),
                Stage::new(
                    "Build",
                    [Action::codebuild(
                        &build,
                        &src,
                        CodeBuildActionProps::output(&dist),
                    )],
                ),
            ],
            ..Default::default()
        },
    );
    let annotations = Annotations::from_app(&app);
    annotations.has_error_code("S/Pipeline", codes::codepipeline::INPUT_BEFORE_PRODUCER);
    annotations.has_error_code("S/Pipeline", codes::codepipeline::INPUT_WITHOUT_PRODUCER);
    assert_eq!(annotations.errors().len(), 2, "{annotations:#?}");
}

#[test]
fn run_orders_decide_within_a_stage() {
    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    let (repo, build) = parts(stack);
    let site = Bucket::new(stack, "Site", BucketProps::default());
    let (src, dist) = (Artifact::new("Src"), Artifact::new("Dist"));
    let pipeline = |id: &str, deploy_order: u32| {
        Pipeline::new(
            stack,
            id,
            PipelineProps {
                stages: vec![
                    Stage::new("Source", [Action::codecommit_source(&repo, "main", &src)]),
                    Stage::new(
                        "BuildAndDeploy",
                        [
                            // Listed first, but runs after the build when its run order is
                            // higher.
                            Action::s3_deploy(&site, &dist, S3DeployProps::default())
                                .run_order(deploy_order),
                            Action::codebuild(&build, &src, CodeBuildActionProps::output(&dist))
                                .run_order(2),
                        ],
                    ),
                ],
                ..Default::default()
            },
        );
    };
    pipeline("Good", 3);
    pipeline("Bad", 2);
    let annotations = Annotations::from_app(&app);
    let errors: Vec<_> = annotations
        .errors()
        .into_iter()
        .map(|d| (d.path.as_str(), d.message.as_str(), d.hint.as_deref()))
        .collect();
    assert_eq!(
        errors,
        [(
            "S/Bad",
            "action BuildAndDeploy/Deploy reads artifact \"Dist\" before it exists: BuildAndDeploy/Build produces it at run order 2, not before 2",
            None
        )]
    );
}

#[test]
fn structural_errors_are_reported_at_the_pipeline() {
    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    let (repo, build) = parts(stack);
    let (src, out) = (Artifact::new("Src"), Artifact::new("Src"));
    // One stage only.
    Pipeline::new(
        stack,
        "OneStage",
        PipelineProps {
            stages: vec![Stage::new(
                "Source",
                [Action::codecommit_source(&repo, "main", &src)],
            )],
            ..Default::default()
        },
    );
    // A duplicate artifact, a source outside the first stage, a build in the first stage.
    Pipeline::new(
        stack,
        "Misplaced",
        PipelineProps {
            stages: vec![
                Stage::new(
                    "Source",
                    [
                        Action::codecommit_source(&repo, "main", &src),
                        Action::codebuild(&build, &src, CodeBuildActionProps::default())
                            .run_order(2),
                    ],
                ),
                Stage::new(
                    "Build",
                    [
                        Action::codebuild(&build, &src, CodeBuildActionProps::output(&out)),
                        Action::codecommit_source(&repo, "dev", &Artifact::new("Dev"))
                            .named("Late"),
                    ],
                ),
            ],
            ..Default::default()
        },
    );
    // Bad names.
    Pipeline::new(
        stack,
        "Names",
        PipelineProps {
            pipeline_name: Some("has space".into()),
            stages: vec![
                Stage::new(
                    "Source",
                    [Action::codecommit_source(
                        &repo,
                        "main",
                        &Artifact::new("bad name"),
                    )],
                ),
                Stage::new(
                    "Build stage",
                    [
                        Action::codebuild(&build, &Artifact::new("bad name"), Default::default()),
                        Action::codebuild(&build, &Artifact::new("bad name"), Default::default()),
                    ],
                ),
            ],
            ..Default::default()
        },
    );
    let annotations = Annotations::from_app(&app);
    annotations.has_error_code("S/OneStage", codes::codepipeline::TOO_FEW_STAGES);
    annotations.has_error_code("S/Misplaced", codes::codepipeline::ARTIFACT_PRODUCED_TWICE);
    assert_eq!(
        annotations
            .find_code("S/Misplaced", codes::codepipeline::SOURCE_ACTION_PLACEMENT)
            .len(),
        2
    );
    annotations.has_error_code("S/Names", codes::codepipeline::PIPELINE_NAME_INVALID);
    annotations.has_error_code("S/Names", codes::codepipeline::STAGE_NAME_INVALID);
    annotations.has_error_code("S/Names", codes::codepipeline::ARTIFACT_NAME_INVALID);
    annotations.has_error_code("S/Names", codes::codepipeline::ACTION_NAME_DUPLICATE);
}

#[test]
fn action_settings_are_checked() {
    let app = App::new("t");
    let stack = app.stack(
        "S",
        StackProps {
            env: Env::region("eu-west-1"),
            ..Default::default()
        },
    );
    let elsewhere = app.stack(
        "Elsewhere",
        StackProps {
            env: Env::region("us-east-1"),
            ..Default::default()
        },
    );
    let repo = Repository::new(stack, "Repo", "app", RepositoryProps::default());
    let standalone = Project::new(
        stack,
        "Standalone",
        ProjectProps {
            source: Source::codecommit(&repo, "main"),
            ..Default::default()
        },
    );
    let unencrypted = Bucket::new(stack, "Unencrypted", BucketProps::default());
    let src = Artifact::new("Src");
    Pipeline::new(
        stack,
        "Pipeline",
        PipelineProps {
            stages: vec![
                Stage::new("Source", [Action::codecommit_source(&repo, "main", &src)]),
                Stage::new(
                    "Build",
                    [Action::codebuild(
                        &standalone,
                        &src,
                        CodeBuildActionProps {
                            environment_variables: vec![
                                ("TAG".into(), "#{Nowhere.CommitId}".into()),
                                ("NPM_TOKEN".into(), "npm_abcdef".into()),
                            ],
                            ..Default::default()
                        },
                    )],
                ),
                Stage::new(
                    "Deploy",
                    [Action::cloudformation_deploy(
                        elsewhere,
                        src.template_of(&elsewhere),
                        CloudFormationDeployProps::default(),
                    )],
                ),
            ],
            artifact_bucket: Some(unencrypted),
            ..Default::default()
        },
    );
    let annotations = Annotations::from_app(&app);
    annotations.has_error_code(
        "S/Pipeline",
        codes::codepipeline::PROJECT_SOURCE_NOT_PIPELINE,
    );
    annotations.has_error_code("S/Pipeline", codes::codepipeline::NAMESPACE_UNKNOWN);
    annotations.has_error_with_hint("S/Pipeline", "action Build/Standalone: environment variable \"NPM_TOKEN\" is named like a secret (TOKEN) and has a plain-text value", "a pipeline action's variables are plain text");
    annotations.has_error_code(
        "S/Pipeline",
        codes::codepipeline::DEPLOY_ACROSS_ENVIRONMENTS,
    );
    annotations.has_error_code(
        "S/Pipeline",
        codes::codepipeline::ARTIFACT_BUCKET_UNENCRYPTED,
    );
}

#[test]
fn plaintext_secrets_are_refused_everywhere() {
    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    Project::new(
        stack,
        "Build",
        ProjectProps {
            environment_variables: vec![
                ("DB_PASSWORD".into(), EnvVar::plain("hunter2")),
                ("AWS_KEY".into(), EnvVar::plain("AKIAIOSFODNN7EXAMPLE")),
                // Not refused: the value is not in the template, or is declared not secret.
                (
                    "API_TOKEN".into(),
                    EnvVar::secret(&Secret::from_name(stack, "ImportedSecret", "api", None)),
                ),
                ("CACHE_KEY".into(), EnvVar::NotSecret("v2".into())),
            ],
            build_spec: BuildSpec::inline(InlineBuildSpec {
                env: BuildEnv {
                    variables: vec![("GITHUB_TOKEN".into(), EnvVar::plain("abc"))],
                    ..Default::default()
                },
                phases: Phases {
                    build: Some(Phase::commands(["make"])),
                    ..Default::default()
                },
                ..Default::default()
            }),
            ..Default::default()
        },
    );
    StringParameter::new(
        stack,
        "DbPassword",
        "hunter2",
        StringParameterProps::default(),
    );
    Secret::new(
        stack,
        "Login",
        SecretProps {
            value: SecretValue::Generated(GeneratedValue {
                json: Some(JsonTemplate {
                    template: r#"{"username": "admin", "apiKey": "abc123"}"#.into(),
                    key: "password".into(),
                }),
                ..Default::default()
            }),
            ..Default::default()
        },
    );
    let annotations = Annotations::from_app(&app);
    annotations.has_error_with_hint("S/Build", "environment variable \"DB_PASSWORD\" is named like a secret (PASSWORD) and has a plain-text value", "keep the value in a secretsmanager::Secret");
    assert_eq!(
        annotations
            .find_code("S/Build", codes::codebuild::ENV_VAR_PLAINTEXT_SECRET)
            .len(),
        3
    );
    annotations.has_error_with_hint("S/DbPassword", "parameter DbPassword: \"DbPassword\" is named like a secret (PASSWORD) and has a plain-text value; a String parameter is plain text in the template", "keep secrets in a secretsmanager::Secret");
    annotations.has_error_code("S/Login", codes::secrets::JSON_TEMPLATE_HOLDS_SECRET);
    assert_eq!(annotations.errors().len(), 5, "{annotations:#?}");
}

#[test]
fn project_settings_are_checked() {
    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    Project::new(
        stack,
        "NoSource",
        ProjectProps {
            source: Source::None,
            project_name: Some("-bad".into()),
            timeout_minutes: 3,
            ..Default::default()
        },
    );
    Project::new(
        stack,
        "Empty",
        ProjectProps {
            build_spec: BuildSpec::inline(InlineBuildSpec {
                phases: Phases {
                    install: Some(InstallPhase::default()),
                    ..Default::default()
                },
                cache_paths: vec!["node_modules/**/*".into()],
                ..Default::default()
            }),
            environment_variables: vec![
                ("CODEBUILD_X".into(), EnvVar::plain("1")),
                ("1ST".into(), EnvVar::plain("1")),
            ],
            cache: Cache::Local(vec![]),
            ..Default::default()
        },
    );
    let vpc = Vpc::from_attributes(
        stack,
        "Vpc",
        VpcAttributes {
            vpc_id: "vpc-0a1b2c3d4e5f60718".into(),
            cidr_block: "10.0.0.0/16".into(),
            public_subnets: vec![(
                "subnet-0a000000000000000".into(),
                "eu-west-1a".into(),
                "rtb-0a000000000000000".into(),
            )],
            private_subnets: vec![],
            isolated_subnets: vec![],
        },
    );
    let sg = SecurityGroup::new(stack, "Sg", &vpc, "builds", SecurityGroupProps::default());
    Project::new(
        stack,
        "Public",
        ProjectProps {
            vpc: Some(ProjectVpc::new(&vpc, SubnetType::Public, &sg)),
            ..Default::default()
        },
    );
    Project::new(
        stack,
        "NoSubnets",
        ProjectProps {
            vpc: Some(ProjectVpc::new(&vpc, SubnetType::Isolated, &sg)),
            cache: Cache::Local(vec![LocalCacheMode::DockerLayer]),
            ..Default::default()
        },
    );
    let annotations = Annotations::from_app(&app);
    annotations.has_error_code("S/Public", codes::codebuild::PUBLIC_SUBNETS);
    annotations.has_error_code("S/NoSubnets", codes::codebuild::VPC_SUBNETS_MISSING);
    annotations.has_error_code("S/NoSubnets", codes::codebuild::DOCKER_CACHE_NOT_PRIVILEGED);
    annotations.has_error_code("S/NoSource", codes::codebuild::BUILDSPEC_WITHOUT_SOURCE);
    annotations.has_error_code("S/NoSource", codes::codebuild::PROJECT_NAME_INVALID);
    annotations.has_error_code("S/NoSource", codes::codebuild::TIMEOUT_OUT_OF_RANGE);
    annotations.has_error_code("S/Empty", codes::codebuild::BUILDSPEC_INVALID);
    annotations.has_error_code("S/Empty", codes::codebuild::CACHE_PATHS_WITHOUT_CACHE);
    annotations.has_error_code("S/Empty", codes::codebuild::CACHE_WITHOUT_MODES);
    assert_eq!(
        annotations
            .find_code("S/Empty", codes::codebuild::ENV_VAR_NAME_INVALID)
            .len(),
        2
    );
}

fn concat(a: &[&'static str], b: &[&'static str]) -> Vec<&'static str> {
    a.iter().chain(b).copied().collect()
}

/// The logical id of the one role whose logical id starts with `prefix`.
fn role_id(resources: &serde_json::Map<String, serde_json::Value>, prefix: &str) -> String {
    let found: Vec<&String> = resources
        .iter()
        .filter(|(id, r)| id.starts_with(prefix) && r["Type"] == "AWS::IAM::Role")
        .map(|(id, _)| id)
        .collect();
    assert_eq!(found.len(), 1, "roles starting with {prefix}: {found:?}");
    found[0].clone()
}

/// The statements of the one policy attached to the role `role`.
fn statements_of(
    resources: &serde_json::Map<String, serde_json::Value>,
    role: &str,
) -> serde_json::Value {
    let found: Vec<&serde_json::Value> = resources
        .values()
        .filter(|r| {
            r["Type"] == "AWS::IAM::Policy" && r["Properties"]["Roles"] == json!([{"Ref": role}])
        })
        .collect();
    assert_eq!(found.len(), 1, "policies of {role}: {found:#?}");
    found[0]["Properties"]["PolicyDocument"]["Statement"].clone()
}

/// Every action the statements allow.
fn actions_in(statements: &serde_json::Value) -> Vec<String> {
    let mut out = Vec::new();
    for statement in statements.as_array().unwrap() {
        match &statement["Action"] {
            serde_json::Value::String(a) => out.push(a.clone()),
            serde_json::Value::Array(a) => {
                out.extend(a.iter().map(|a| a.as_str().unwrap().to_owned()));
            }
            other => panic!("no actions: {other}"),
        }
    }
    out
}

fn get_att(id: &str) -> serde_json::Value {
    json!({"Fn::GetAtt": [id, "Arn"]})
}

const PUT: [&str; 6] = [
    "s3:PutObject",
    "s3:PutObjectLegalHold",
    "s3:PutObjectRetention",
    "s3:PutObjectTagging",
    "s3:PutObjectVersionTagging",
    "s3:Abort*",
];
const READ: [&str; 3] = ["s3:GetObject*", "s3:GetBucket*", "s3:List*"];
const ENCRYPT_DECRYPT: [&str; 4] = [
    "kms:Decrypt",
    "kms:Encrypt",
    "kms:ReEncrypt*",
    "kms:GenerateDataKey*",
];

/// The artifact bucket and its key, as the default pipeline below `S/Pipeline` has them.
fn artifacts() -> (serde_json::Value, serde_json::Value) {
    (
        json!([get_att("PipelineArtifactsBucket22248F97"),
               {"Fn::Sub": "${PipelineArtifactsBucket22248F97.Arn}/*"}]),
        get_att("PipelineArtifactsKey217FCEDC"),
    )
}

/// Each action runs as a role of its own (`<stage>/<action>/CodePipelineActionRole`) that only
/// the pipeline's role may assume and that holds that action's statements alone: the source's
/// CodeCommit actions and artifact put, the build's start/stop (its artifacts are the project
/// role's business), the deploy's artifact read and write on the site with the site's key.
/// The pipeline's role keeps the artifacts and may assume those three roles, nothing else.
#[test]
fn each_action_runs_as_its_own_role_with_exactly_its_permissions() {
    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    let (repo, build) = parts(stack);
    let site_key = Key::new(stack, "SiteKey", KeyProps::default());
    let site = Bucket::new(
        stack,
        "Site",
        BucketProps {
            encryption: BucketEncryption::Kms(site_key),
            ..Default::default()
        },
    );
    let (src, dist) = (Artifact::new("Src"), Artifact::new("Dist"));
    Pipeline::new(
        stack,
        "Pipeline",
        PipelineProps {
            stages: vec![
                Stage::new("Source", [Action::codecommit_source(&repo, "main", &src)]),
                Stage::new(
                    "Build",
                    [Action::codebuild(
                        &build,
                        &src,
                        CodeBuildActionProps::output(&dist),
                    )],
                ),
                Stage::new(
                    "Deploy",
                    [Action::s3_deploy(&site, &dist, S3DeployProps::default())],
                ),
            ],
            ..Default::default()
        },
    );
    let template = Template::from_stack(&stack);
    let resources = template.to_json()["Resources"].as_object().unwrap().clone();
    let (bucket, key) = artifacts();
    let pipeline_role = role_id(&resources, "PipelineRole");
    let source = role_id(&resources, "PipelineSourceCodePipelineActionRole");
    let build_ = role_id(&resources, "PipelineBuildCodePipelineActionRole");
    let deploy = role_id(&resources, "PipelineDeployCodePipelineActionRole");

    // The declarations name their roles.
    let pipeline = props_of(&resources, "PipelineC660917D");
    for (stage, role) in [&source, &build_, &deploy].into_iter().enumerate() {
        assert_eq!(
            pipeline["Stages"][stage]["Actions"][0]["RoleArn"],
            get_att(role)
        );
    }
    assert_eq!(pipeline["RoleArn"], get_att(&pipeline_role));
    // Only the pipeline's role may assume them.
    for role in [&source, &build_, &deploy] {
        assert_eq!(
            resources[role.as_str()]["Properties"]["AssumeRolePolicyDocument"]["Statement"],
            json!([{"Effect": "Allow", "Principal": {"AWS": get_att(&pipeline_role)},
                    "Action": "sts:AssumeRole"}]),
            "{role}"
        );
    }

    let source_statements = statements_of(&resources, &source);
    assert_eq!(
        source_statements,
        json!([
            {"Effect": "Allow", "Action": PUT, "Resource": bucket},
            {"Effect": "Allow", "Action": ENCRYPT_DECRYPT, "Resource": key},
            {"Effect": "Allow",
             "Action": ["codecommit:GetBranch", "codecommit:GetCommit", "codecommit:UploadArchive",
                        "codecommit:GetUploadArchiveStatus", "codecommit:CancelUploadArchive"],
             "Resource": get_att("Repo02AC86CF")}
        ])
    );
    for action in actions_in(&source_statements) {
        assert!(
            !action.starts_with("codebuild:")
                && !action.starts_with("cloudformation:")
                && action != "iam:PassRole",
            "the source role may {action}"
        );
    }
    assert_eq!(
        statements_of(&resources, &build_),
        json!([{"Effect": "Allow",
                "Action": ["codebuild:BatchGetBuilds", "codebuild:StartBuild", "codebuild:StopBuild"],
                "Resource": get_att("Build45A36621")}])
    );
    assert_eq!(
        statements_of(&resources, &deploy),
        json!([
            {"Effect": "Allow", "Action": READ, "Resource": bucket},
            {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": key},
            {"Effect": "Allow", "Action": concat(&PUT, &["s3:DeleteObject*"]),
             "Resource": [get_att("SiteE53D7754"), {"Fn::Sub": "${SiteE53D7754.Arn}/*"}]},
            {"Effect": "Allow", "Action": ENCRYPT_DECRYPT, "Resource": get_att("SiteKey02EBA150")}
        ])
    );
    // The pipeline's role: the artifacts, and the three roles.
    assert_eq!(
        statements_of(&resources, &pipeline_role),
        json!([
            {"Effect": "Allow", "Action": concat(&READ, &PUT), "Resource": bucket},
            {"Effect": "Allow", "Action": ENCRYPT_DECRYPT, "Resource": key},
            {"Effect": "Allow", "Action": "sts:AssumeRole",
             "Resource": [get_att(&source), get_att(&build_), get_att(&deploy)]}
        ])
    );
    // The pipeline is created once every one of these policies exists.
    let depends_on = resources["PipelineC660917D"]["DependsOn"].clone();
    let mut expected: Vec<String> = [&pipeline_role, &source, &build_, &deploy]
        .iter()
        .map(|role| {
            resources
                .iter()
                .find(|(_, r)| r["Properties"]["Roles"] == json!([{"Ref": role}]))
                .unwrap()
                .0
                .clone()
        })
        .collect();
    expected.sort();
    assert_eq!(depends_on, json!(expected));

    // The project's own role reads and writes the artifacts it builds.
    assert_eq!(
        props_of(&resources, "BuildRoleDefaultPolicy")["PolicyDocument"]["Statement"],
        json!([
            {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
             "Resource": get_att("BuildLogs04E75593")},
            {"Effect": "Allow", "Action": concat(&READ, &PUT), "Resource": bucket},
            {"Effect": "Allow", "Action": ENCRYPT_DECRYPT, "Resource": key}
        ])
    );
    assert_eq!(
        props_of(&resources, "PipelineEventsRoleDefaultPolicy")["PolicyDocument"]["Statement"],
        json!([{"Effect": "Allow", "Action": "codepipeline:StartPipelineExecution",
                "Resource": {"Fn::Sub": "arn:${AWS::Partition}:codepipeline:${AWS::Region}:${AWS::AccountId}:${PipelineC660917D}"}}])
    );
    let trigger = props_of(&resources, "PipelineSourceTrigger");
    assert_eq!(
        trigger["EventPattern"]["detail"],
        json!({"event": ["referenceCreated", "referenceUpdated"],
               "referenceType": ["branch"], "referenceName": ["main"]})
    );
}

#[test]
fn a_cloudformation_action_role_may_manage_its_stack_only_and_pass_its_role_to_cloudformation_only()
{
    let app = App::new("t");
    let infra = app.stack("Infra", StackProps::default());
    Bucket::new(infra, "Data", BucketProps::default());
    let stack = app.stack("S", StackProps::default());
    let repo = Repository::new(stack, "Repo", "templates", RepositoryProps::default());
    let templates = Artifact::new("Templates");
    let pipeline = Pipeline::new(
        stack,
        "Pipeline",
        PipelineProps {
            stages: vec![
                Stage::new(
                    "Source",
                    [Action::codecommit_source(&repo, "main", &templates)],
                ),
                Stage::new(
                    "Deploy",
                    [Action::cloudformation_deploy(
                        infra,
                        templates.template_of(&infra),
                        CloudFormationDeployProps::default(),
                    )],
                ),
            ],
            ..Default::default()
        },
    );
    assert!(pipeline.deploy_role().is_some());
    let template = Template::from_stack(&stack);
    let resources = template.to_json()["Resources"].as_object().unwrap().clone();
    let (bucket, key) = artifacts();
    let action_role = role_id(&resources, "PipelineDeployInfraCodePipelineActionRole");
    let deploy_role = "PipelineDeployRole3451C4A0";
    assert_eq!(
        statements_of(&resources, &action_role),
        json!([
            {"Effect": "Allow", "Action": READ, "Resource": bucket},
            {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": key},
            {"Effect": "Allow",
             "Action": ["cloudformation:CreateStack", "cloudformation:DescribeStack*",
                        "cloudformation:GetStackPolicy", "cloudformation:GetTemplate*",
                        "cloudformation:SetStackPolicy", "cloudformation:UpdateStack",
                        "cloudformation:ValidateTemplate"],
             "Resource": {"Fn::Sub": "arn:${AWS::Partition}:cloudformation:${AWS::Region}:${AWS::AccountId}:stack/Infra/*"}},
            {"Effect": "Allow", "Action": "iam:PassRole", "Resource": get_att(deploy_role),
             "Condition": {"StringEquals": {"iam:PassedToService": "cloudformation.amazonaws.com"}}}
        ])
    );
    // Neither the pipeline's role nor the source's may touch the stack or pass the role.
    for role in [
        role_id(&resources, "PipelineRole"),
        role_id(&resources, "PipelineSourceCodePipelineActionRole"),
    ] {
        for action in actions_in(&statements_of(&resources, &role)) {
            assert!(
                !action.starts_with("cloudformation:") && action != "iam:PassRole",
                "{role} may {action}"
            );
        }
    }
    // CloudFormation reads the template with the deployment role.
    assert_eq!(
        statements_of(&resources, deploy_role),
        json!([
            {"Effect": "Allow", "Action": READ, "Resource": bucket},
            {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": key}
        ])
    );
    let pipeline = props_of(&resources, "PipelineC660917D");
    let action = &pipeline["Stages"][1]["Actions"][0];
    assert_eq!(action["RoleArn"], get_att(&action_role));
    assert_eq!(
        action["Configuration"],
        json!({"ActionMode": "CREATE_UPDATE", "StackName": "Infra",
               "TemplatePath": "Templates::Infra.template.json",
               "RoleArn": get_att(deploy_role)})
    );
}

/// An approval calls AWS only to notify a topic: without one it runs as the pipeline's role
/// and has no role of its own. An ECR source may describe its repository's images and put
/// artifacts.
#[test]
fn approvals_get_a_role_only_to_notify_and_an_image_source_describes_its_repository() {
    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    let image = Artifact::new("Image");
    Pipeline::new(
        stack,
        "Pipeline",
        PipelineProps {
            stages: vec![
                Stage::new("Source", [Action::ecr_source("app/api", "latest", &image)]),
                Stage::new(
                    "Approve",
                    [
                        Action::manual_approval(ManualApprovalProps::default()),
                        Action::manual_approval(ManualApprovalProps {
                            notify_topic_arn: Some(
                                "arn:aws:sns:us-east-1:111111111111:releases".into(),
                            ),
                            ..Default::default()
                        })
                        .named("Notify"),
                    ],
                ),
            ],
            ..Default::default()
        },
    );
    let template = Template::from_stack(&stack);
    let resources = template.to_json()["Resources"].as_object().unwrap().clone();
    let (bucket, key) = artifacts();
    let source = role_id(&resources, "PipelineSourceImageCodePipelineActionRole");
    let notify = role_id(&resources, "PipelineApproveNotifyCodePipelineActionRole");
    let roles = resources
        .iter()
        .filter(|(_, r)| r["Type"] == "AWS::IAM::Role")
        .count();
    assert_eq!(
        roles, 4,
        "the pipeline's, the trigger's, the source's, the notifier's"
    );
    let pipeline = props_of(&resources, "PipelineC660917D");
    let approvals = &pipeline["Stages"][1]["Actions"];
    assert!(approvals[0].get("RoleArn").is_none(), "{approvals}");
    assert_eq!(approvals[1]["RoleArn"], get_att(&notify));
    assert_eq!(
        statements_of(&resources, &notify),
        json!([{"Effect": "Allow", "Action": "sns:Publish",
                "Resource": "arn:aws:sns:us-east-1:111111111111:releases"}])
    );
    assert_eq!(
        statements_of(&resources, &source),
        json!([
            {"Effect": "Allow", "Action": PUT, "Resource": bucket},
            {"Effect": "Allow", "Action": ENCRYPT_DECRYPT, "Resource": key},
            {"Effect": "Allow", "Action": "ecr:DescribeImages",
             "Resource": {"Fn::Sub": "arn:${AWS::Partition}:ecr:${AWS::Region}:${AWS::AccountId}:repository/app/api"}}
        ])
    );
    assert_eq!(
        statements_of(&resources, &role_id(&resources, "PipelineRole"))[2],
        json!({"Effect": "Allow", "Action": "sts:AssumeRole",
               "Resource": [get_att(&source), get_att(&notify)]})
    );
}

/// Action roles hang below `<stage>/<action>`: a stage or action whose construct id would
/// clash with another child of the same scope is an error naming both.
#[test]
fn stage_and_action_names_that_clash_as_construct_ids_are_errors() {
    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    let (repo, build) = parts(stack);
    let src = Artifact::new("Src");
    Pipeline::new(
        stack,
        "Pipeline",
        PipelineProps {
            stages: vec![
                Stage::new("Source", [Action::codecommit_source(&repo, "main", &src)]),
                Stage::new(
                    "Role",
                    [Action::codebuild(&build, &src, Default::default())],
                ),
                Stage::new(
                    "Test-1",
                    [
                        Action::codebuild(&build, &src, Default::default()).named("unit.tests"),
                        Action::codebuild(&build, &src, Default::default()).named("unit_tests"),
                    ],
                ),
                Stage::new(
                    "Test_1",
                    [Action::codebuild(&build, &src, Default::default())],
                ),
                Stage::new(
                    "SourceTrigger",
                    [Action::codebuild(&build, &src, Default::default())],
                ),
                Stage::new("@", [Action::codebuild(&build, &src, Default::default())]),
            ],
            ..Default::default()
        },
    );
    let annotations = Annotations::from_app(&app);
    annotations.has_error_with_hint(
        "S/Pipeline",
        "stage Role clashes with the pipeline's Role: both are \"Role\" in construct ids",
        "rename the stage",
    );
    assert_eq!(
        annotations
            .find_code("*", codes::codepipeline::STAGE_ID_INVALID)
            .len(),
        4
    );
    annotations.has_error_with_hint("*", "action Test-1/unit_tests clashes with action Test-1/unit.tests: both are \"unittests\" in construct ids", "rename the action with Action::named");
    // No generic duplicate-id error on top.
    annotations.has_no_code("*", cirrus_core::codes::DUPLICATE_ID);
    annotations.has_no_code("*", cirrus_core::codes::ID_COLLISION);
}

fn build_spec_of(stack: &Stack<'_>) -> serde_json::Value {
    let template = Template::from_stack(stack);
    let resources = template.to_json()["Resources"].as_object().unwrap();
    props_of(resources, "Build45A36621")["Source"]["BuildSpec"].clone()
}

#[test]
fn an_inline_buildspec_renders_as_yaml_text() {
    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    Project::new(
        stack,
        "Build",
        ProjectProps {
            build_spec: BuildSpec::inline(InlineBuildSpec {
                env: BuildEnv {
                    shell: Some("bash".into()),
                    variables: vec![("MODE".into(), EnvVar::plain("on"))],
                    ..Default::default()
                },
                phases: Phases {
                    install: Some(InstallPhase {
                        runtime_versions: vec![("nodejs".into(), "20".into())],
                        ..Default::default()
                    }),
                    build: Some(Phase::commands([
                        "npm run build -- --mode \"${MODE}\"",
                        "if true; then\n  echo yes\nfi",
                    ])),
                    ..Default::default()
                },
                ..Default::default()
            }),
            ..Default::default()
        },
    );
    // YAML 1.1 would read `on` as true and 20 as a number: both are quoted.
    assert_eq!(
        build_spec_of(&stack),
        json!(
            "version: 0.2\nenv:\n  shell: bash\n  variables:\n    MODE: \"on\"\nphases:\n  install:\n    runtime-versions:\n      nodejs: \"20\"\n  build:\n    commands:\n    - npm run build -- --mode \"${MODE}\"\n    - |-\n      if true; then\n        echo yes\n      fi\n"
        )
    );
}

#[test]
fn a_buildspec_with_resolved_values_is_a_sub_that_keeps_shell_dollars() {
    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    let secret = Secret::new(stack, "Webhook", SecretProps::default());
    let parameter =
        StringParameter::new(stack, "Url", "https://x", StringParameterProps::default());
    Project::new(
        stack,
        "Build",
        ProjectProps {
            build_spec: BuildSpec::inline(InlineBuildSpec {
                env: BuildEnv {
                    variables: vec![
                        ("URL".into(), EnvVar::parameter(&parameter)),
                        ("HOOK".into(), EnvVar::secret_field(&secret, "url")),
                    ],
                    ..Default::default()
                },
                phases: Phases {
                    build: Some(Phase::commands(["curl -d @out.json \"${HOOK}\""])),
                    ..Default::default()
                },
                ..Default::default()
            }),
            ..Default::default()
        },
    );
    assert_eq!(
        build_spec_of(&stack),
        json!({"Fn::Sub": "version: 0.2\nenv:\n  parameter-store:\n    URL: \"${UrlD4FAABD0}\"\n  secrets-manager:\n    HOOK: \"${WebhookB701416B}:url::\"\nphases:\n  build:\n    commands:\n    - curl -d @out.json \"${!HOOK}\"\n"})
    );
    // Referencing the secret and the parameter granted read on exactly them.
    let template = Template::from_stack(&stack);
    let resources = template.to_json()["Resources"].as_object().unwrap().clone();
    let statements =
        props_of(&resources, "BuildRoleDefaultPolicy")["PolicyDocument"]["Statement"].clone();
    assert_eq!(
        statements[1],
        json!({"Effect": "Allow", "Action": ["ssm:GetParameter", "ssm:GetParameters", "ssm:GetParameterHistory"],
               "Resource": {"Fn::Sub": "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/${UrlD4FAABD0}"}})
    );
    assert_eq!(
        statements[2],
        json!({"Effect": "Allow", "Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
               "Resource": {"Ref": "WebhookB701416B"}})
    );
    assert_eq!(statements[3]["Action"], json!("kms:Decrypt"));
    assert_eq!(
        statements[3]["Condition"],
        json!({"StringEquals": {"kms:ViaService": {"Fn::Sub": "secretsmanager.${AWS::Region}.amazonaws.com"}}})
    );
}

#[test]
fn rules_and_other_constructs_check_their_settings() {
    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    Rule::new(
        stack,
        "Cron",
        Trigger::Schedule(Schedule::cron("0 2 * * * *")),
        RuleProps::default(),
    );
    Rule::new(
        stack,
        "Rate",
        Trigger::Schedule(Schedule::rate(0, TimeUnit::Minutes)),
        RuleProps {
            event_bus_name: Some("custom".into()),
            ..Default::default()
        },
    );
    Rule::new(
        stack,
        "Pattern",
        Trigger::Pattern(EventPattern {
            detail: Some(Value::from(json!({"state": "running"}))),
            ..Default::default()
        }),
        RuleProps::default(),
    );
    Rule::new(
        stack,
        "Empty",
        Trigger::Pattern(EventPattern::default()),
        RuleProps::default(),
    );
    let crowded = Rule::new(
        stack,
        "Crowded",
        Trigger::Schedule(Schedule::rate(5, TimeUnit::Minutes)),
        RuleProps::default(),
    );
    for i in 0..6 {
        crowded.add_target(Target::SnsTopic {
            arn: format!("arn:aws:sns:eu-west-1:111122223333:topic-{i}").into(),
        });
    }
    Repository::new(stack, "Repo", "app.git", RepositoryProps::default());
    StringParameter::new(
        stack,
        "Param",
        "x",
        StringParameterProps {
            parameter_name: Some("app/no-slash".into()),
            ..Default::default()
        },
    );
    Secret::new(
        stack,
        "Secret",
        SecretProps {
            secret_name: Some("bad name".into()),
            value: SecretValue::Generated(GeneratedValue {
                length: 0,
                ..Default::default()
            }),
            ..Default::default()
        },
    );
    let annotations = Annotations::from_app(&app);
    annotations.has_error_code("S/Cron", codes::events::SCHEDULE_INVALID);
    annotations.has_error_code("S/Rate", codes::events::SCHEDULE_INVALID);
    annotations.has_error_code("S/Rate", codes::events::SCHEDULE_ON_CUSTOM_BUS);
    annotations.has_error_code("S/Pattern", codes::events::PATTERN_INVALID);
    annotations.has_error_code("S/Empty", codes::events::PATTERN_INVALID);
    annotations.has_error_code("S/Repo", codes::codecommit::REPOSITORY_NAME_INVALID);
    annotations.has_error_code("S/Param", codes::ssm::PARAMETER_NAME_INVALID);
    annotations.has_error_code("S/Secret", codes::secrets::SECRET_NAME_INVALID);
    annotations.has_error_code("S/Secret", codes::secrets::GENERATED_VALUE_INVALID);
}

#[test]
fn secrets_share_one_stack_key_and_never_hold_a_value_in_the_template() {
    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    Secret::new(stack, "A", SecretProps::default());
    Secret::new(
        stack,
        "B",
        SecretProps {
            value: SecretValue::Empty,
            ..Default::default()
        },
    );
    let template = Template::from_stack(&stack);
    let resources = template.to_json()["Resources"].as_object().unwrap().clone();
    let keys = resources
        .values()
        .filter(|r| r["Type"] == "AWS::KMS::Key")
        .count();
    assert_eq!(keys, 1);
    for secret in resources
        .values()
        .filter(|r| r["Type"] == "AWS::SecretsManager::Secret")
    {
        assert!(secret["Properties"].get("SecretString").is_none());
        assert_eq!(
            secret["Properties"]["KmsKeyId"],
            json!({"Fn::GetAtt": ["SecretsKey317DCF94", "Arn"]})
        );
        assert_eq!(secret["DeletionPolicy"], json!("Retain"));
    }
}

/// Lets EventBridge encrypt with `key` only for what `rule` sends (an encrypted queue or
/// topic target), whichever kind of rule it is.
fn let_rule_encrypt(key: &Key<'_>, sid: &str, rule: &impl IRule) {
    key.add_to_resource_policy(
        PolicyStatement::allow()
            .sid(sid)
            .principal(Principal::service("events.amazonaws.com"))
            .actions(["kms:Decrypt", "kms:GenerateDataKey"])
            .resources(["*"])
            .condition("ArnEquals", "aws:SourceArn", rule.arn()),
    );
}

#[test]
fn imported_rules_are_named_like_rules_of_the_app() {
    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    let owned = Rule::new(
        stack,
        "Owned",
        Trigger::Schedule(Schedule::rate(1, TimeUnit::Hours)),
        RuleProps::default(),
    );
    let by_name = Rule::from_name(stack, "Nightly", "nightly-build");
    let on_bus = Rule::from_arn(
        stack,
        "Orders",
        "arn:aws:events:eu-west-1:111122223333:rule/orders/order-placed",
    );
    assert_eq!(on_bus.name(), "order-placed".into());
    assert_eq!(by_name.name(), "nightly-build".into());
    let key = Key::new(stack, "Key", KeyProps::default());
    let_rule_encrypt(&key, "Owned", &owned);
    let_rule_encrypt(&key, "ByName", &by_name);
    let_rule_encrypt(&key, "OnBus", &on_bus);

    let template = Template::from_stack(&stack);
    let resources = template.to_json()["Resources"].as_object().unwrap().clone();
    let policy = &props_of(&resources, "Key")["KeyPolicy"]["Statement"];
    let source = |i: usize| policy[i]["Condition"]["ArnEquals"]["aws:SourceArn"].clone();
    assert_eq!(source(1), json!({"Fn::GetAtt": ["Owned132ED500", "Arn"]}));
    assert_eq!(
        source(2),
        json!({"Fn::Sub": "arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:rule/nightly-build"})
    );
    assert_eq!(
        source(3),
        json!("arn:aws:events:eu-west-1:111122223333:rule/orders/order-placed")
    );
    // An import adds no resource.
    assert_eq!(resources.len(), 2, "{:?}", resources.keys());
}

#[test]
fn imported_rules_check_their_name_and_arn() {
    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    Rule::from_name(stack, "Spaced", "nightly build");
    Rule::from_arn(stack, "Queue", "arn:aws:sqs:eu-west-1:111122223333:builds");
    let annotations = Annotations::from_app(&app);
    annotations.has_error_code("S/Spaced", codes::events::RULE_NAME_INVALID);
    annotations.has_error_with_hint(
        "S/Queue",
        "\"arn:aws:sqs:eu-west-1:111122223333:builds\" is not the ARN of an EventBridge rule",
        "rule ARNs read arn:aws:events:<region>:<account>:rule/<name>",
    );
}

/// A pipeline of a source, a build of `project` producing `Dist`, and a deploy of `Dist`.
fn pipeline_running<'a>(stack: Stack<'a>, project: &impl IProject<'a>) {
    let repo = Repository::new(stack, "Repo", "app", RepositoryProps::default());
    let site = Bucket::new(stack, "Site", BucketProps::default());
    let (src, dist) = (Artifact::new("Src"), Artifact::new("Dist"));
    Pipeline::new(
        stack,
        "Pipeline",
        PipelineProps {
            stages: vec![
                Stage::new("Source", [Action::codecommit_source(&repo, "main", &src)]),
                Stage::new(
                    "Build",
                    [Action::codebuild(
                        project,
                        &src,
                        CodeBuildActionProps::output(&dist),
                    )],
                ),
                Stage::new(
                    "Deploy",
                    [Action::s3_deploy(&site, &dist, S3DeployProps::default())],
                ),
            ],
            ..Default::default()
        },
    );
}

/// An imported project runs in a pipeline like one of the app: the action's role may start,
/// watch and stop builds of the imported ARN only, and the artifacts are granted to the role
/// given for the project (here an imported role, through a policy attached to it by name).
#[test]
fn an_imported_project_runs_in_a_pipeline_with_its_given_role() {
    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    let builder = Role::from_name(stack, "Builder", "legacy-builder");
    let project = Project::from_name(stack, "Legacy", "legacy-build").with_role(&builder);
    pipeline_running(stack, &project);
    let out = app
        .synth()
        .unwrap_or_else(|e| panic!("{:#?}", e.diagnostics));
    assert!(out.warnings.is_empty(), "{:#?}", out.warnings);
    let template = Template::from_stack(&stack);
    let resources = template.to_json()["Resources"].as_object().unwrap().clone();
    let (bucket, key) = artifacts();
    let arn = json!({"Fn::Sub": "arn:${AWS::Partition}:codebuild:${AWS::Region}:${AWS::AccountId}:project/legacy-build"});
    let build = role_id(&resources, "PipelineBuildLegacyCodePipelineActionRole");
    assert_eq!(
        statements_of(&resources, &build),
        json!([{"Effect": "Allow",
                "Action": ["codebuild:BatchGetBuilds", "codebuild:StartBuild", "codebuild:StopBuild"],
                "Resource": arn}])
    );
    let pipeline = props_of(&resources, "PipelineC660917D");
    assert_eq!(
        pipeline["Stages"][1]["Actions"][0]["Name"],
        json!("Legacy"),
        "the action is named after the import's construct id"
    );
    assert_eq!(
        pipeline["Stages"][1]["Actions"][0]["Configuration"]["ProjectName"],
        json!("legacy-build")
    );
    let granted: Vec<&serde_json::Value> = resources
        .values()
        .filter(|r| {
            r["Type"] == "AWS::IAM::Policy" && r["Properties"]["Roles"] == json!(["legacy-builder"])
        })
        .collect();
    assert_eq!(granted.len(), 1, "{resources:#?}");
    assert_eq!(
        granted[0]["Properties"]["PolicyDocument"]["Statement"],
        json!([
            {"Effect": "Allow", "Action": concat(&READ, &PUT), "Resource": bucket},
            {"Effect": "Allow", "Action": ENCRYPT_DECRYPT, "Resource": key}
        ])
    );

    // By ARN, with a role of the app: the same grants, to that role.
    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    let role = Role::new(
        stack,
        "Builder",
        Principal::service("codebuild.amazonaws.com"),
        RoleProps::default(),
    );
    let project = Project::from_arn(
        stack,
        "Legacy",
        "arn:aws:codebuild:eu-west-1:111122223333:project/legacy-build",
    )
    .with_role(&role);
    assert_eq!(project.name(), "legacy-build".into());
    pipeline_running(stack, &project);
    let template = Template::from_stack(&stack);
    let resources = template.to_json()["Resources"].as_object().unwrap().clone();
    let build = role_id(&resources, "PipelineBuildLegacyCodePipelineActionRole");
    assert_eq!(
        statements_of(&resources, &build)[0]["Resource"],
        json!("arn:aws:codebuild:eu-west-1:111122223333:project/legacy-build")
    );
    assert_eq!(
        statements_of(&resources, &role_id(&resources, "Builder")),
        json!([
            {"Effect": "Allow", "Action": concat(&READ, &PUT), "Resource": bucket},
            {"Effect": "Allow", "Action": ENCRYPT_DECRYPT, "Resource": key}
        ])
    );
}

/// Without its role, an imported project's artifacts cannot be granted: the pipeline still
/// synthesizes, warns on the action, and grants them to no one. Its source is not checked.
#[test]
fn an_imported_project_without_a_role_is_a_warning_on_its_action() {
    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    let project = Project::from_name(stack, "Legacy", "legacy-build");
    pipeline_running(stack, &project);
    let out = app
        .synth()
        .unwrap_or_else(|e| panic!("{:#?}", e.diagnostics));
    let warnings: Vec<String> = out
        .warnings
        .iter()
        .map(|d| {
            format!(
                "{}: {} (hint: {})",
                d.path,
                d.message,
                d.hint.clone().unwrap_or_default()
            )
        })
        .collect();
    assert_eq!(
        warnings,
        vec![
            "S/Pipeline/Build/Legacy: the role of imported project S/Legacy is unknown, so it is not granted the artifacts: it must be able to read and write the artifact bucket S/Pipeline/ArtifactsBucket and use its key (hint: give the project's role with ImportedProject::with_role, and the pipeline grants it)"
        ]
    );
    let template = Template::from_stack(&stack);
    let resources = template.to_json()["Resources"].as_object().unwrap().clone();
    let build = role_id(&resources, "PipelineBuildLegacyCodePipelineActionRole");
    assert_eq!(
        actions_in(&statements_of(&resources, &build)),
        [
            "codebuild:BatchGetBuilds",
            "codebuild:StartBuild",
            "codebuild:StopBuild"
        ]
    );
    // Only the pipeline's role and the source and deploy action roles read the artifacts.
    let readers = resources
        .values()
        .filter(|r| {
            r["Type"] == "AWS::IAM::Policy"
                && r["Properties"]["PolicyDocument"]["Statement"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|s| s["Resource"] == artifacts().0)
        })
        .count();
    assert_eq!(readers, 3);
}

/// A rule starts an imported pipeline and builds of an imported project, with its role scoped
/// to their ARNs.
#[test]
fn imported_pipelines_and_projects_are_rule_targets() {
    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    let pipeline = Pipeline::from_name(stack, "Release", "release");
    assert_eq!(pipeline.name(), "release".into());
    let project = Project::from_arn(
        stack,
        "Legacy",
        "arn:aws:codebuild:eu-west-1:111122223333:project/legacy-build",
    );
    Rule::new(
        stack,
        "Nightly",
        Trigger::Schedule(Schedule::rate(1, TimeUnit::Days)),
        RuleProps {
            targets: vec![Target::pipeline(&pipeline), Target::codebuild(&project)],
            ..Default::default()
        },
    );
    let template = Template::from_stack(&stack);
    let resources = template.to_json()["Resources"].as_object().unwrap().clone();
    let pipeline_arn = json!({"Fn::Sub": "arn:${AWS::Partition}:codepipeline:${AWS::Region}:${AWS::AccountId}:release"});
    let targets = &props_of(&resources, "NightlyC44")["Targets"];
    assert_eq!(targets[0]["Arn"], pipeline_arn);
    assert_eq!(
        targets[1]["Arn"],
        json!("arn:aws:codebuild:eu-west-1:111122223333:project/legacy-build")
    );
    assert_eq!(
        props_of(&resources, "NightlyRoleDefaultPolicy")["PolicyDocument"]["Statement"],
        json!([
            {"Effect": "Allow", "Action": "codepipeline:StartPipelineExecution", "Resource": pipeline_arn},
            {"Effect": "Allow", "Action": "codebuild:StartBuild",
             "Resource": "arn:aws:codebuild:eu-west-1:111122223333:project/legacy-build"}
        ])
    );
}

#[test]
fn imported_projects_and_pipelines_check_their_names_and_arns() {
    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    Project::from_name(stack, "Spaced", "legacy build");
    Project::from_arn(stack, "Queue", "arn:aws:sqs:eu-west-1:111122223333:builds");
    Project::from_arn(
        stack,
        "NoName",
        "arn:aws:codebuild:eu-west-1:111122223333:project/",
    );
    Pipeline::from_name(stack, "Slashed", "release/main");
    let annotations = Annotations::from_app(&app);
    annotations.has_error_code("S/Spaced", codes::codebuild::PROJECT_NAME_INVALID);
    annotations.has_error_with_hint(
        "S/Queue",
        "\"arn:aws:sqs:eu-west-1:111122223333:builds\" is not the ARN of a CodeBuild project",
        "project ARNs read arn:aws:codebuild:<region>:<account>:project/<name>",
    );
    annotations.has_error_code("S/NoName", codes::codebuild::PROJECT_NAME_INVALID);
    annotations.has_error_code("S/Slashed", codes::codepipeline::PIPELINE_NAME_INVALID);
}

/// Resources of `stack`'s template.
fn resources(stack: &Stack<'_>) -> serde_json::Map<String, serde_json::Value> {
    Template::from_stack(stack).to_json()["Resources"]
        .as_object()
        .unwrap()
        .clone()
}

/// The properties of the one pipeline whose logical id starts with `prefix`.
fn pipeline_props(
    resources: &serde_json::Map<String, serde_json::Value>,
    prefix: &str,
) -> serde_json::Value {
    let found: Vec<_> = resources
        .iter()
        .filter(|(id, r)| id.starts_with(prefix) && r["Type"] == "AWS::CodePipeline::Pipeline")
        .collect();
    assert_eq!(found.len(), 1, "pipelines starting with {prefix}");
    found[0].1["Properties"].clone()
}

/// The actions of stage `stage` of the one pipeline of `resources`.
fn stage_actions(
    resources: &serde_json::Map<String, serde_json::Value>,
    stage: usize,
) -> serde_json::Value {
    let pipelines: Vec<_> = resources
        .values()
        .filter(|r| r["Type"] == "AWS::CodePipeline::Pipeline")
        .collect();
    assert_eq!(pipelines.len(), 1);
    pipelines[0]["Properties"]["Stages"][stage]["Actions"].clone()
}

/// A connection source reads through its connection: the configuration names it, the action's
/// role may use that connection alone (both service prefixes) and write the artifacts; no
/// EventBridge rule is made (the connection detects pushes). A typed variable of the source
/// gives the source a namespace and a later action its text. A clone reference lets the
/// project's own role use the connection.
#[test]
fn a_connection_source_uses_only_its_connection_and_publishes_typed_variables() {
    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    let connection = Connection::new(
        stack,
        "GitHub",
        ConnectionProvider::GitHub,
        ConnectionProps::default(),
    );
    let build = Project::new(
        stack,
        "Build",
        ProjectProps {
            source: Source::CodePipeline,
            ..Default::default()
        },
    );
    let src = Artifact::new("Src");
    let source = Action::connection_source(
        &connection,
        "acme/shop",
        "main",
        &src,
        ConnectionSourceProps {
            format: SourceFormat::CloneRef,
            ..Default::default()
        },
    );
    let commit = source.commit_id();
    assert_eq!(commit, "#{SourceVariables.CommitId}");
    Pipeline::new(
        stack,
        "Pipeline",
        PipelineProps {
            stages: vec![
                Stage::new("Source", [source]),
                Stage::new(
                    "Build",
                    [Action::codebuild(
                        &build,
                        &src,
                        CodeBuildActionProps::default().env("COMMIT", &commit),
                    )],
                ),
            ],
            ..Default::default()
        },
    );
    let annotations = Annotations::from_app(&app);
    assert!(annotations.errors().is_empty(), "{annotations:#?}");
    assert!(annotations.warnings().is_empty(), "{annotations:#?}");
    let resources = resources(&stack);
    let connection_id = resources
        .iter()
        .find(|(_, r)| r["Type"] == "AWS::CodeConnections::Connection")
        .map(|(id, r)| {
            assert_eq!(
                r["Properties"],
                json!({"ConnectionName": "GitHub", "ProviderType": "GitHub"})
            );
            id.clone()
        })
        .unwrap();
    let connection_arn = json!({"Fn::GetAtt": [connection_id, "ConnectionArn"]});
    let actions = stage_actions(&resources, 0);
    assert_eq!(
        actions[0]["ActionTypeId"],
        json!({"Category": "Source", "Owner": "AWS", "Provider": "CodeStarSourceConnection", "Version": "1"})
    );
    assert_eq!(
        actions[0]["Configuration"],
        json!({"ConnectionArn": connection_arn, "FullRepositoryId": "acme/shop",
               "BranchName": "main", "OutputArtifactFormat": "CODEBUILD_CLONE_REF",
               "DetectChanges": true})
    );
    assert_eq!(actions[0]["Namespace"], "SourceVariables");
    let build_config = &stage_actions(&resources, 1)[0]["Configuration"];
    assert_eq!(
        build_config["EnvironmentVariables"],
        json!([{"name": "COMMIT", "type": "PLAINTEXT", "value": "#{SourceVariables.CommitId}"}])
            .to_string()
    );
    let use_connection = json!({"Effect": "Allow",
        "Action": ["codeconnections:UseConnection", "codestar-connections:UseConnection"],
        "Resource": connection_arn});
    let (bucket, key) = artifacts();
    let source_role = role_id(&resources, "PipelineSourceCodePipelineActionRole");
    assert_eq!(
        statements_of(&resources, &source_role),
        json!([
            {"Effect": "Allow", "Action": PUT, "Resource": bucket},
            {"Effect": "Allow", "Action": ENCRYPT_DECRYPT, "Resource": key},
            use_connection
        ])
    );
    let project_role = role_id(&resources, "BuildRole");
    let project_statements = statements_of(&resources, &project_role);
    assert!(
        project_statements
            .as_array()
            .unwrap()
            .contains(&use_connection),
        "{project_statements:#}"
    );
    assert!(
        !resources.values().any(|r| r["Type"] == "AWS::Events::Rule"),
        "a connection needs no rule"
    );
}

/// A push trigger with branch and path filters is a V2 trigger on the source action; a source
/// that nothing triggers is warned, and an approval that nothing follows is warned.
#[test]
fn push_triggers_filter_branches_and_untriggered_sources_and_trailing_approvals_are_warned() {
    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    let connection = Connection::from_arn(
        stack,
        "Conn",
        "arn:aws:codeconnections:eu-west-1:111111111111:connection/abc",
    );
    let src = Artifact::new("Src");
    let props = |trigger| ConnectionSourceProps {
        trigger,
        ..Default::default()
    };
    Pipeline::new(
        stack,
        "Filtered",
        PipelineProps {
            stages: vec![
                Stage::new(
                    "Source",
                    [Action::connection_source(
                        &connection,
                        "acme/shop",
                        "main",
                        &src,
                        props(ConnectionTrigger::Push {
                            branches: vec!["release/*".into()],
                            file_paths: vec!["src/**".into()],
                        }),
                    )],
                ),
                Stage::new(
                    "Gate",
                    [
                        Action::manual_approval(ManualApprovalProps::default()),
                        Action::commands(["make test"], &src, CommandsProps::default())
                            .run_order(2),
                    ],
                ),
            ],
            ..Default::default()
        },
    );
    let manual_src = Artifact::new("Manual");
    Pipeline::new(
        stack,
        "Manual",
        PipelineProps {
            stages: vec![
                Stage::new(
                    "Source",
                    [Action::connection_source(
                        &connection,
                        "acme/shop",
                        "main",
                        &manual_src,
                        props(ConnectionTrigger::Manual),
                    )],
                ),
                Stage::new(
                    "Gate",
                    [Action::manual_approval(ManualApprovalProps::default())],
                ),
            ],
            ..Default::default()
        },
    );
    let annotations = Annotations::from_app(&app);
    assert!(annotations.errors().is_empty(), "{annotations:#?}");
    annotations.has_no_code("S/Filtered", codes::codepipeline::SOURCE_WITHOUT_TRIGGER);
    annotations.has_no_code("S/Filtered", codes::codepipeline::APPROVAL_GATES_NOTHING);
    annotations.has_warning_code("S/Manual", codes::codepipeline::SOURCE_WITHOUT_TRIGGER);
    annotations.has_warning_code("S/Manual", codes::codepipeline::APPROVAL_GATES_NOTHING);
    let resources = resources(&stack);
    let pipeline = pipeline_props(&resources, "Filtered");
    assert_eq!(
        pipeline["Triggers"],
        json!([{"GitConfiguration": {
                    "Push": [{"Branches": {"Includes": ["release/*"]},
                              "FilePaths": {"Includes": ["src/**"]}}],
                    "SourceActionName": "Source"},
                "ProviderType": "CodeStarSourceConnection"}])
    );
    assert_eq!(
        pipeline["Stages"][0]["Actions"][0]["Configuration"]["DetectChanges"],
        true
    );
    let manual = pipeline_props(&resources, "Manual");
    assert!(manual.get("Triggers").is_none());
    assert_eq!(
        manual["Stages"][0]["Actions"][0]["Configuration"]["DetectChanges"],
        false
    );
    // The Commands action made the first pipeline need a name of its own.
    assert_eq!(pipeline["Name"], "S-Filtered");
}

/// An S3 source reads one object of a versioned bucket that sends its events to EventBridge:
/// a rule on `Object Created` for that key starts the pipeline, polling is off, and the role
/// may read that key only; a bucket that does neither is an error naming both.
#[test]
fn an_s3_source_is_started_by_the_buckets_eventbridge_events() {
    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    let drop = Bucket::new(
        stack,
        "Drop",
        BucketProps {
            event_bridge: true,
            ..Default::default()
        },
    );
    let bad_app = App::new("b");
    let bad_stack = bad_app.stack("S", StackProps::default());
    let quiet = Bucket::new(
        bad_stack,
        "Quiet",
        BucketProps {
            versioned: false,
            ..Default::default()
        },
    );
    let (src, other) = (Artifact::new("Src"), Artifact::new("Other"));
    let pipeline_with = |stack: Stack<'_>, id: &str, bucket: &Bucket<'_>, artifact: &Artifact| {
        let build = Project::new(stack, "Build", ProjectProps::default());
        let source = Action::s3_source(bucket, "release/app.zip", artifact);
        let version = source.version_id();
        Pipeline::new(
            stack,
            id,
            PipelineProps {
                stages: vec![
                    Stage::new("Source", [source]),
                    Stage::new(
                        "Build",
                        [Action::codebuild(
                            &build,
                            artifact,
                            CodeBuildActionProps::default().env("VERSION", &version),
                        )],
                    ),
                ],
                ..Default::default()
            },
        );
    };
    pipeline_with(stack, "Good", &drop, &src);
    pipeline_with(bad_stack, "Bad", &quiet, &other);
    let annotations = Annotations::from_app(&app);
    assert!(annotations.errors().is_empty(), "{annotations:#?}");
    let bad = Annotations::from_app(&bad_app);
    bad.has_error(
        "S/Bad",
        "action Source/Source: bucket S/Quiet does not send its events to EventBridge (BucketProps::event_bridge) and is not versioned",
    );
    assert_eq!(bad.errors().len(), 1, "{bad:#?}");
    let resources = resources(&stack);
    let drop_id = resources
        .keys()
        .find(|id| id.starts_with("Drop"))
        .unwrap()
        .clone();
    let good = pipeline_props(&resources, "Good");
    assert_eq!(
        good["Stages"][0]["Actions"][0]["Configuration"],
        json!({"S3Bucket": {"Ref": drop_id}, "S3ObjectKey": "release/app.zip",
               "PollForSourceChanges": false})
    );
    let rule = props_of(&resources, "GoodSourceTrigger");
    assert_eq!(
        rule["EventPattern"],
        json!({"source": ["aws.s3"], "detail-type": ["Object Created"],
               "detail": {"bucket": {"name": [{"Ref": drop_id}]},
                          "object": {"key": ["release/app.zip"]}}})
    );
    let role = role_id(&resources, "GoodSourceCodePipelineActionRole");
    let statements = statements_of(&resources, &role);
    assert!(
        statements.as_array().unwrap().contains(&json!({
            "Effect": "Allow", "Action": ["s3:GetObject", "s3:GetObjectVersion"],
            "Resource": {"Fn::Sub": format!("${{{drop_id}.Arn}}/release/app.zip")}})),
        "{statements:#}"
    );
}

/// A change set is created, then executed at a later run order: the creating role may manage
/// the stack's change sets and pass the deployment role; the executing role may execute and
/// describe them only. Executing a change set nothing creates earlier is an error.
#[test]
fn change_sets_are_created_then_executed_each_by_a_role_of_its_own() {
    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    let target = app.stack("web-prod", StackProps::default());
    Bucket::new(target, "Data", BucketProps::default());
    let (repo, _) = parts(stack);
    let src = Artifact::new("Src");
    let [prepare, execute] = Action::change_set(
        target,
        src.template_of(&target),
        "release",
        CloudFormationDeployProps::default(),
    );
    Pipeline::new(
        stack,
        "Pipeline",
        PipelineProps {
            stages: vec![
                Stage::new("Source", [Action::codecommit_source(&repo, "main", &src)]),
                Stage::new(
                    "Deploy",
                    [
                        prepare,
                        Action::manual_approval(ManualApprovalProps::default()).run_order(2),
                        execute.run_order(3),
                    ],
                ),
            ],
            ..Default::default()
        },
    );
    let bad_app = App::new("b");
    let bad_stack = bad_app.stack("S", StackProps::default());
    let (bad_repo, _) = parts(bad_stack);
    Pipeline::new(
        bad_stack,
        "Orphan",
        PipelineProps {
            stages: vec![
                Stage::new(
                    "Source",
                    [Action::codecommit_source(&bad_repo, "main", &src)],
                ),
                Stage::new(
                    "Deploy",
                    [Action::change_set_execute("web-prod", "release")],
                ),
            ],
            ..Default::default()
        },
    );
    let annotations = Annotations::from_app(&app);
    assert!(annotations.errors().is_empty(), "{annotations:#?}");
    let bad = Annotations::from_app(&bad_app);
    bad.has_error_code("S/Orphan", codes::codepipeline::CHANGE_SET_WITHOUT_CREATE);
    assert_eq!(bad.errors().len(), 1, "{bad:#?}");
    let resources = resources(&stack);
    let actions = &props_of(&resources, "PipelineC660917D")["Stages"][1]["Actions"];
    let deploy_role = role_id(&resources, "PipelineDeployRole");
    assert_eq!(
        actions[0]["Configuration"],
        json!({"ActionMode": "CHANGE_SET_REPLACE", "StackName": "web-prod",
               "ChangeSetName": "release", "TemplatePath": "Src::web-prod.template.json",
               "RoleArn": get_att(&deploy_role)})
    );
    assert_eq!(actions[0]["Name"], "web-prod.Prepare");
    assert_eq!(
        actions[2]["Configuration"],
        json!({"ActionMode": "CHANGE_SET_EXECUTE", "StackName": "web-prod",
               "ChangeSetName": "release"})
    );
    assert_eq!(actions[2]["RunOrder"], 3);
    let stack_arn = json!({"Fn::Sub": "arn:${AWS::Partition}:cloudformation:${AWS::Region}:${AWS::AccountId}:stack/web-prod/*"});
    let prepare_role = role_id(
        &resources,
        "PipelineDeploywebprodPrepareCodePipelineActionRole",
    );
    let prepare_actions = actions_in(&statements_of(&resources, &prepare_role));
    for action in [
        "cloudformation:CreateChangeSet",
        "cloudformation:DeleteChangeSet",
        "iam:PassRole",
    ] {
        assert!(
            prepare_actions.contains(&action.to_owned()),
            "{prepare_actions:?}"
        );
    }
    assert!(!prepare_actions.contains(&"cloudformation:ExecuteChangeSet".to_owned()));
    let execute_role = role_id(
        &resources,
        "PipelineDeploywebprodExecuteCodePipelineActionRole",
    );
    assert_eq!(
        statements_of(&resources, &execute_role),
        json!([{"Effect": "Allow",
                "Action": ["cloudformation:DescribeChangeSet", "cloudformation:DescribeStacks",
                           "cloudformation:ExecuteChangeSet"],
                "Resource": stack_arn}])
    );
}

/// A Commands action runs on CodePipeline's compute: its commands and output variables are
/// declared on the action, the pipeline gets a name so that its role may write that
/// pipeline's log group only, and later actions read its variables through `variable`.
/// Commands CodePipeline refuses, and variables the action does not export, are errors.
#[test]
fn commands_run_with_logs_of_their_pipeline_only_and_export_their_variables() {
    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    let (repo, build) = parts(stack);
    let (src, dist) = (Artifact::new("Src"), Artifact::new("Dist"));
    let commands = Action::commands(
        ["npm ci", "npm run build", "export VERSION=$(cat VERSION)"],
        &src,
        CommandsProps {
            output: Some(dist.clone()),
            output_files: vec!["dist/**/*".into()],
            output_variables: vec!["VERSION".into()],
            ..Default::default()
        },
    )
    .named("Compile");
    let version = commands.variable("VERSION");
    Pipeline::new(
        stack,
        "Pipeline",
        PipelineProps {
            pipeline_name: Some("shop".into()),
            stages: vec![
                Stage::new("Source", [Action::codecommit_source(&repo, "main", &src)]),
                Stage::new("Compile", [commands]),
                Stage::new(
                    "Package",
                    [Action::codebuild(
                        &build,
                        &dist,
                        CodeBuildActionProps::default().env("VERSION", &version),
                    )],
                ),
            ],
            ..Default::default()
        },
    );
    assert_eq!(version, "#{CompileVariables.VERSION}");
    let annotations = Annotations::from_app(&app);
    assert!(annotations.errors().is_empty(), "{annotations:#?}");
    let bad_app = App::new("b");
    let bad_stack = bad_app.stack("S", StackProps::default());
    let (bad_repo, _) = parts(bad_stack);
    let run = Action::commands(Vec::<String>::new(), &src, CommandsProps::default());
    let wrong = run.variable("COMMIT");
    assert_eq!(wrong, "#{CommandsVariables.COMMIT}");
    Pipeline::new(
        bad_stack,
        "Bad",
        PipelineProps {
            stages: vec![
                Stage::new(
                    "Source",
                    [Action::codecommit_source(&bad_repo, "main", &src)],
                ),
                Stage::new("Run", [run]),
            ],
            ..Default::default()
        },
    );
    let bad = Annotations::from_app(&bad_app);
    bad.has_error(
        "S/Bad",
        "action Run/Commands publishes no variable COMMIT (it publishes none)",
    );
    bad.has_error_code("S/Bad", codes::codepipeline::COMMANDS_INVALID);
    assert_eq!(bad.errors().len(), 2, "{bad:#?}");
    let resources = resources(&stack);
    let pipeline = props_of(&resources, "PipelineC660917D");
    let action = &pipeline["Stages"][1]["Actions"][0];
    assert_eq!(
        action["ActionTypeId"],
        json!({"Category": "Compute", "Owner": "AWS", "Provider": "Commands", "Version": "1"})
    );
    assert_eq!(
        action["Commands"],
        json!(["npm ci", "npm run build", "export VERSION=$(cat VERSION)"])
    );
    assert_eq!(action["OutputVariables"], json!(["VERSION"]));
    assert_eq!(action["Namespace"], "CompileVariables");
    assert_eq!(
        action["OutputArtifacts"],
        json!([{"Files": ["dist/**/*"], "Name": "Dist"}])
    );
    let role = role_id(&resources, "PipelineCompileCodePipelineActionRole");
    let statements = statements_of(&resources, &role);
    let group = "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/codepipeline/shop";
    assert!(
        statements.as_array().unwrap().contains(&json!({
            "Effect": "Allow",
            "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": [{"Fn::Sub": group}, {"Fn::Sub": format!("{group}:*")}]})),
        "{statements:#}"
    );
}

/// An EKS deploy action names its cluster and what it applies; its role may describe that
/// cluster only, and an access entry lets the role into the action's namespace only (or the
/// whole cluster when asked). For a private cluster it also gets the VPC statements its
/// compute needs. Settings EKS or CodePipeline would refuse are errors.
#[test]
fn an_eks_deploy_action_is_let_into_its_cluster_through_an_access_entry() {
    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    let (repo, _) = parts(stack);
    let src = Artifact::new("Src");
    let imported = cirrus_aws::eks::Cluster::from_name(stack, "Prod", "prod");
    Pipeline::new(
        stack,
        "Pipeline",
        PipelineProps {
            stages: vec![
                Stage::new("Source", [Action::codecommit_source(&repo, "main", &src)]),
                Stage::new(
                    "Deploy",
                    [
                        Action::eks_deploy(
                            &imported,
                            &src,
                            EksDeployment::Manifests(vec!["k8s/app.yaml".into()]),
                            EksDeployProps {
                                namespace: Some("shop".into()),
                                subnet_ids: vec!["subnet-1".into()],
                                security_group_ids: vec!["sg-1".into()],
                                ..Default::default()
                            },
                        ),
                        Action::eks_deploy(
                            EksCluster::named("staging"),
                            &src,
                            EksDeployment::Helm {
                                release_name: "shop".into(),
                                chart_location: "chart".into(),
                                values_files: vec!["values.yaml".into(), "prod.yaml".into()],
                            },
                            EksDeployProps {
                                access: EksAccess::Cluster,
                                ..Default::default()
                            },
                        )
                        .named("Helm"),
                    ],
                ),
            ],
            ..Default::default()
        },
    );
    let bad_app = App::new("b");
    let bad_stack = bad_app.stack("S", StackProps::default());
    let (bad_repo, _) = parts(bad_stack);
    Pipeline::new(
        bad_stack,
        "Bad",
        PipelineProps {
            stages: vec![
                Stage::new(
                    "Source",
                    [Action::codecommit_source(&bad_repo, "main", &src)],
                ),
                Stage::new(
                    "Deploy",
                    [Action::eks_deploy(
                        EksCluster::named("prod"),
                        &src,
                        EksDeployment::Helm {
                            release_name: "Shop_Release".into(),
                            chart_location: String::new(),
                            values_files: vec![],
                        },
                        EksDeployProps {
                            subnet_ids: vec!["subnet-1".into()],
                            ..Default::default()
                        },
                    )],
                ),
            ],
            ..Default::default()
        },
    );
    let annotations = Annotations::from_app(&app);
    assert!(annotations.errors().is_empty(), "{annotations:#?}");
    let bad = Annotations::from_app(&bad_app);
    assert_eq!(
        bad.find_code("S/Bad", codes::codepipeline::EKS_DEPLOY_INVALID)
            .len(),
        3,
        "{bad:#?}"
    );
    assert_eq!(bad.errors().len(), 3, "{bad:#?}");
    let resources = resources(&stack);
    let actions = &props_of(&resources, "PipelineC660917D")["Stages"][1]["Actions"];
    assert_eq!(
        actions[0]["ActionTypeId"],
        json!({"Category": "Deploy", "Owner": "AWS", "Provider": "EKS", "Version": "1"})
    );
    assert_eq!(
        actions[0]["Configuration"],
        json!({"ClusterName": "prod", "ManifestFiles": "k8s/app.yaml", "Namespace": "shop",
               "Subnets": "subnet-1", "SecurityGroupIds": "sg-1"})
    );
    assert_eq!(
        actions[1]["Configuration"],
        json!({"ClusterName": "staging", "HelmReleaseName": "shop", "HelmChartLocation": "chart",
               "HelmValuesFiles": "values.yaml,prod.yaml"})
    );
    let role = role_id(&resources, "PipelineDeployCodePipelineActionRole");
    let statements = statements_of(&resources, &role);
    let list = statements.as_array().unwrap();
    assert!(list.contains(&json!({"Effect": "Allow", "Action": "eks:DescribeCluster",
        "Resource": {"Fn::Sub": "arn:${AWS::Partition}:eks:${AWS::Region}:${AWS::AccountId}:cluster/prod"}})),
        "{statements:#}");
    assert!(actions_in(&statements).contains(&"ec2:CreateNetworkInterfacePermission".to_owned()));
    let helm_role = role_id(&resources, "PipelineDeployHelmCodePipelineActionRole");
    assert!(
        !actions_in(&statements_of(&resources, &helm_role))
            .contains(&"ec2:CreateNetworkInterface".to_owned()),
        "a public cluster's compute needs no network interfaces"
    );
    let entries: Vec<_> = resources
        .iter()
        .filter(|(_, r)| r["Type"] == "AWS::EKS::AccessEntry")
        .map(|(_, r)| r["Properties"].clone())
        .collect();
    assert_eq!(entries.len(), 2);
    assert_eq!(
        entries[0],
        json!({"AccessPolicies": [{"AccessScope": {"Namespaces": ["shop"], "Type": "namespace"},
                  "PolicyArn": {"Fn::Sub": "arn:${AWS::Partition}:eks::aws:cluster-access-policy/AmazonEKSAdminPolicy"}}],
               "ClusterName": "prod", "PrincipalArn": get_att(&role), "Type": "STANDARD"})
    );
    assert_eq!(
        entries[1]["AccessPolicies"][0]["AccessScope"],
        json!({"Type": "cluster"})
    );
}

/// Any action type is declared with its owner, category, provider and version, its settings
/// in order and the statements its role needs; an AWS provider's required settings are
/// checked, and so are malformed providers and versions.
#[test]
fn a_custom_action_declares_any_action_type_with_its_role_statements() {
    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    let (repo, _) = parts(stack);
    let src = Artifact::new("Src");
    let function = "arn:aws:lambda:us-east-1:111111111111:function:smoke";
    let source = Action::codecommit_source(&repo, "main", &src);
    let commit = source.commit_id();
    Pipeline::new(
        stack,
        "Pipeline",
        PipelineProps {
            stages: vec![
                Stage::new("Source", [source]),
                Stage::new(
                    "Test",
                    [Action::custom(
                        ActionOwner::Aws,
                        ActionCategory::Invoke,
                        "Lambda",
                        "1",
                        CustomActionProps {
                            inputs: vec![src.clone()],
                            statements: vec![
                                PolicyStatement::allow()
                                    .actions(["lambda:InvokeFunction"])
                                    .resources([function]),
                            ],
                            ..Default::default()
                        }
                        .setting("FunctionName", "smoke")
                        .setting("UserParameters", commit.as_str()),
                    )],
                ),
            ],
            ..Default::default()
        },
    );
    let bad_app = App::new("b");
    let bad_stack = bad_app.stack("S", StackProps::default());
    let (bad_repo, _) = parts(bad_stack);
    Pipeline::new(
        bad_stack,
        "Bad",
        PipelineProps {
            stages: vec![
                Stage::new(
                    "Source",
                    [Action::codecommit_source(&bad_repo, "main", &src)],
                ),
                Stage::new(
                    "Deploy",
                    [
                        Action::custom(
                            ActionOwner::Aws,
                            ActionCategory::Deploy,
                            "CodeDeploy",
                            "1",
                            CustomActionProps::default().setting("ApplicationName", "shop"),
                        ),
                        Action::custom(
                            ActionOwner::Custom,
                            ActionCategory::Deploy,
                            "My Deployer",
                            "1",
                            CustomActionProps::default().setting("Note", "#{Nowhere.Value}"),
                        )
                        .named("Mine"),
                    ],
                ),
            ],
            ..Default::default()
        },
    );
    let annotations = Annotations::from_app(&app);
    assert!(annotations.errors().is_empty(), "{annotations:#?}");
    let bad = Annotations::from_app(&bad_app);
    bad.has_error(
        "S/Bad",
        "action Deploy/CodeDeploy: the Deploy action CodeDeploy requires the setting DeploymentGroupName",
    );
    bad.has_error(
        "S/Bad",
        "action Deploy/Mine: provider \"My Deployer\" (1 to 35) and version \"1\" (1 to 9) must be letters, digits, '_' and '-'",
    );
    // The setting reads a namespace nothing publishes.
    bad.has_error_code("S/Bad", codes::codepipeline::NAMESPACE_UNKNOWN);
    assert_eq!(bad.errors().len(), 3, "{bad:#?}");
    let resources = resources(&stack);
    let action = &props_of(&resources, "PipelineC660917D")["Stages"][1]["Actions"][0];
    assert_eq!(
        action["ActionTypeId"],
        json!({"Category": "Invoke", "Owner": "AWS", "Provider": "Lambda", "Version": "1"})
    );
    assert_eq!(
        action["Configuration"],
        json!({"FunctionName": "smoke", "UserParameters": "#{SourceVariables.CommitId}"})
    );
    assert_eq!(action["InputArtifacts"], json!([{"Name": "Src"}]));
    let role = role_id(&resources, "PipelineTestLambdaCodePipelineActionRole");
    let statements = statements_of(&resources, &role);
    assert!(
        statements
            .as_array()
            .unwrap()
            .contains(&json!({"Effect": "Allow",
            "Action": "lambda:InvokeFunction", "Resource": function})),
        "{statements:#}"
    );
}

/// Settings of the new sources are checked: a repository that is not `owner/name`, a push
/// trigger without branches, a variable a source does not publish, a namespace given after
/// a variable was used; and a connection's name and an imported connection's ARN.
#[test]
fn source_settings_and_connections_are_checked() {
    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    let connection = Connection::new(
        stack,
        "Conn",
        ConnectionProvider::GitLab,
        ConnectionProps::default().connection_name("a-connection-name-far-longer-than-32"),
    );
    Connection::from_arn(stack, "Wrong", "arn:aws:s3:::bucket");
    let (src, build) = (
        Artifact::new("Src"),
        Project::new(stack, "Build", ProjectProps::default()),
    );
    let source = Action::connection_source(
        &connection,
        "shop",
        "main",
        &src,
        ConnectionSourceProps {
            trigger: ConnectionTrigger::Push {
                branches: vec![],
                file_paths: vec![],
            },
            ..Default::default()
        },
    );
    let image = source.image_uri();
    let source = source.variables_namespace("Late");
    Pipeline::new(
        stack,
        "Pipeline",
        PipelineProps {
            stages: vec![
                Stage::new("Source", [source]),
                Stage::new(
                    "Build",
                    [Action::codebuild(
                        &build,
                        &src,
                        CodeBuildActionProps::default().env("IMAGE", &image),
                    )],
                ),
            ],
            ..Default::default()
        },
    );
    let annotations = Annotations::from_app(&app);
    annotations.has_error_code("S/Conn", codes::codeconnections::CONNECTION_NAME_INVALID);
    annotations.has_error_code("S/Wrong", codes::codeconnections::CONNECTION_ARN_INVALID);
    annotations.has_error(
        "S/Pipeline",
        "action Source/Source: repository \"shop\" is not <owner>/<name>",
    );
    annotations.has_error(
        "S/Pipeline",
        "action Source/Source: a push trigger takes 1 to 8 non-empty branch patterns, it has 0",
    );
    annotations.has_error_code("S/Pipeline", codes::codepipeline::VARIABLE_NOT_PUBLISHED);
    annotations.has_error(
        "S/Pipeline",
        "action Source/Source: variables namespace \"Late\" was given after its variables were used under \"SourceVariables\"",
    );
    assert_eq!(annotations.errors().len(), 6, "{annotations:#?}");
}

/// A clone reference can be read by CodeBuild only; a change set deployed to another region is
/// refused like a CloudFormation deploy.
#[test]
fn clone_references_are_for_codebuild_and_change_sets_stay_in_the_pipelines_region() {
    let app = App::new("t");
    let env = |region: &str| StackProps {
        env: Env {
            account: Some("111111111111".into()),
            region: Some(region.into()),
        },
        ..Default::default()
    };
    let stack = app.stack("S", env("eu-west-1"));
    let target = app.stack("Far", env("us-east-1"));
    Bucket::new(target, "Data", BucketProps::default());
    let connection = Connection::from_arn(
        stack,
        "Conn",
        "arn:aws:codeconnections:eu-west-1:111111111111:connection/abc",
    );
    let site = Bucket::new(stack, "Site", BucketProps::default());
    let src = Artifact::new("Src");
    Pipeline::new(
        stack,
        "Pipeline",
        PipelineProps {
            stages: vec![
                Stage::new(
                    "Source",
                    [Action::connection_source(
                        &connection,
                        "acme/site",
                        "main",
                        &src,
                        ConnectionSourceProps {
                            format: SourceFormat::CloneRef,
                            ..Default::default()
                        },
                    )],
                ),
                Stage::new(
                    "Deploy",
                    [
                        Action::s3_deploy(&site, &src, S3DeployProps::default()),
                        Action::change_set_replace(
                            target,
                            src.template_of(&target),
                            "release",
                            CloudFormationDeployProps::default(),
                        ),
                    ],
                ),
            ],
            ..Default::default()
        },
    );
    let annotations = Annotations::from_app(&app);
    annotations.has_error(
        "S/Pipeline",
        "action Deploy/Deploy reads artifact \"Src\", a clone reference that only CodeBuild actions can read",
    );
    annotations.has_error_code(
        "S/Pipeline",
        codes::codepipeline::DEPLOY_ACROSS_ENVIRONMENTS,
    );
    // The change set reads the template from the clone reference too.
    assert_eq!(
        annotations
            .find_code("S/Pipeline", codes::codepipeline::CLONE_REF_NOT_CODEBUILD)
            .len(),
        2
    );
    assert_eq!(annotations.errors().len(), 3, "{annotations:#?}");
}

/// An EKS deploy action takes a cluster of the app in another stack: the pipeline's stack
/// imports the cluster's name and holds the access entry, so the cluster's stack never depends
/// on the pipeline's.
#[test]
fn an_eks_deploy_action_reaches_a_cluster_of_the_app_in_another_stack() {
    let app = App::new("t");
    let platform = app.stack("Platform", StackProps::default());
    let subnet = |i: i64| {
        (
            format!("subnet-0b{i}00000000000000").into(),
            format!("eu-west-1{}", ["a", "b"][i as usize]).into(),
            format!("rtb-0b{i}00000000000000").into(),
        )
    };
    let vpc = Vpc::from_attributes(
        platform,
        "Vpc",
        VpcAttributes {
            vpc_id: "vpc-0a1b2c3d4e5f60718".into(),
            cidr_block: "10.0.0.0/16".into(),
            public_subnets: vec![],
            private_subnets: vec![subnet(0), subnet(1)],
            isolated_subnets: vec![],
        },
    );
    let cluster = cirrus_aws::eks::Cluster::new(
        platform,
        "Cluster",
        &vpc,
        cirrus_aws::eks::ClusterProps::default(),
    );
    let delivery = app.stack("Delivery", StackProps::default());
    let (repo, _) = parts(delivery);
    let src = Artifact::new("Src");
    Pipeline::new(
        delivery,
        "Pipeline",
        PipelineProps {
            stages: vec![
                Stage::new("Source", [Action::codecommit_source(&repo, "main", &src)]),
                Stage::new(
                    "Deploy",
                    [Action::eks_deploy(
                        &cluster,
                        &src,
                        EksDeployment::Manifests(vec!["app.yaml".into()]),
                        EksDeployProps::default(),
                    )],
                ),
            ],
            ..Default::default()
        },
    );
    let synth = app
        .synth()
        .unwrap_or_else(|e| panic!("{:#?}", e.diagnostics));
    let delivery = synth.stacks.iter().find(|s| s.id == "Delivery").unwrap();
    let platform = synth.stacks.iter().find(|s| s.id == "Platform").unwrap();
    let text = delivery.template.to_string();
    assert!(text.contains("Fn::ImportValue"), "{text}");
    let entries = delivery.template["Resources"]
        .as_object()
        .unwrap()
        .values()
        .filter(|r| r["Type"] == "AWS::EKS::AccessEntry")
        .count();
    assert_eq!(entries, 1);
    assert!(
        !platform.template.to_string().contains("Fn::ImportValue"),
        "the cluster's stack imports nothing from the pipeline's"
    );
}

/// A site deployed to its bucket and then invalidated: the invalidation is a Commands action
/// that reads the distribution id from its environment and may only invalidate that
/// distribution; bad paths fail synthesis.
#[test]
fn a_deployed_site_is_invalidated_by_a_commands_action_scoped_to_its_distribution() {
    use cirrus_aws::cloudfront::{Behavior, Distribution, DistributionProps, Origin};
    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    let (repo, build) = parts(stack);
    let site = Bucket::new(stack, "Site", BucketProps::default());
    let cdn = Distribution::new(
        stack,
        "Cdn",
        Behavior::new(Origin::S3(site)),
        DistributionProps::default(),
    );
    let (src, dist) = (Artifact::new("Src"), Artifact::new("Dist"));
    Pipeline::new(
        stack,
        "Pipeline",
        PipelineProps {
            stages: vec![
                Stage::new("Source", [Action::codecommit_source(&repo, "main", &src)]),
                Stage::new(
                    "Build",
                    [Action::codebuild(
                        &build,
                        &src,
                        CodeBuildActionProps::output(&dist),
                    )],
                ),
                Stage::new(
                    "Deploy",
                    [
                        Action::s3_deploy(&site, &dist, S3DeployProps::default()),
                        Action::cloudfront_invalidation(
                            cdn.id(),
                            ["/index.html", "/docs/*"],
                            &dist,
                        )
                        .run_order(2),
                    ],
                ),
            ],
            ..Default::default()
        },
    );
    let template = Template::from_stack(&stack);
    let resources = template.to_json()["Resources"].as_object().unwrap().clone();
    let pipeline = resources
        .values()
        .find(|r| r["Type"] == "AWS::CodePipeline::Pipeline")
        .unwrap();
    let invalidate = &pipeline["Properties"]["Stages"][2]["Actions"][1];
    assert_eq!(invalidate["Name"], "Invalidate");
    assert_eq!(invalidate["ActionTypeId"]["Provider"], "Commands");
    let cdn_id = resources
        .keys()
        .find(|k| k.starts_with("Cdn") && resources[*k]["Type"] == "AWS::CloudFront::Distribution")
        .unwrap();
    assert_eq!(
        invalidate["EnvironmentVariables"],
        json!([{"Name": "DISTRIBUTION_ID", "Value": {"Ref": cdn_id}}])
    );
    let commands = invalidate["Commands"].to_string();
    assert!(
        commands.contains("--paths '/index.html' '/docs/*'"),
        "{commands}"
    );
    assert!(
        commands.contains("wait invalidation-completed"),
        "{commands}"
    );
    let role = role_id(&resources, "PipelineDeployInvalidateCodePipelineActionRole");
    let statements = statements_of(&resources, &role);
    let invalidation = statements
        .as_array()
        .unwrap()
        .iter()
        .find(|s| {
            s["Action"]
                .to_string()
                .contains("cloudfront:CreateInvalidation")
        })
        .unwrap_or_else(|| panic!("{statements:#}"));
    assert_eq!(
        invalidation["Resource"],
        json!({"Fn::Sub": format!("arn:${{AWS::Partition}}:cloudfront::${{AWS::AccountId}}:distribution/${{{cdn_id}}}")})
    );

    let bad = App::new("t");
    let stack = bad.stack("S", StackProps::default());
    let (repo, _) = parts(stack);
    let src = Artifact::new("Src");
    Pipeline::new(
        stack,
        "Pipeline",
        PipelineProps {
            stages: vec![
                Stage::new("Source", [Action::codecommit_source(&repo, "main", &src)]),
                Stage::new(
                    "Invalidate",
                    [Action::cloudfront_invalidation(
                        "E123",
                        ["docs/*", "/a*b", "/ok"],
                        &src,
                    )],
                ),
            ],
            ..Default::default()
        },
    );
    let annotations = Annotations::from_app(&bad);
    assert_eq!(
        annotations
            .find_code(
                "S/Pipeline",
                codes::codepipeline::INVALIDATION_PATHS_INVALID
            )
            .len(),
        2,
        "{annotations:#?}"
    );
}

#[test]
fn a_stage_entered_on_a_variable_no_earlier_stage_publishes_is_an_error() {
    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    let (repo, build) = parts(stack);
    let (src, dist) = (Artifact::new("Src"), Artifact::new("Dist"));
    let pipeline = |id: &str, variable: &str| {
        let action = Action::codebuild(&build, &src, CodeBuildActionProps::output(&dist))
            .variables_namespace("Build");
        let variable = if variable.is_empty() {
            action.variable("READY")
        } else {
            variable.to_owned()
        };
        Pipeline::new(
            stack,
            id,
            PipelineProps {
                stages: vec![
                    Stage::new("Source", [Action::codecommit_source(&repo, "main", &src)]),
                    Stage::new("Build", [action]),
                    Stage::new(
                        "Approve",
                        [Action::manual_approval(ManualApprovalProps::default())],
                    )
                    .skip_unless(variable, "true"),
                    Stage::new(
                        "Publish",
                        [
                            Action::codebuild(&build, &dist, CodeBuildActionProps::default())
                                .named("Publish"),
                        ],
                    ),
                ],
                ..Default::default()
            },
        )
    };
    pipeline("Published", "");
    pipeline("Unknown", "#{Nope.READY}");
    pipeline("Plain", "READY");
    let annotations = Annotations::from_app(&app);
    annotations.has_error_code("S/Unknown", codes::codepipeline::STAGE_CONDITION_INVALID);
    annotations.has_error_code("S/Plain", codes::codepipeline::STAGE_CONDITION_INVALID);
    assert!(
        annotations
            .errors()
            .iter()
            .all(|d| !d.path.starts_with("S/Published")),
        "{:?}",
        annotations.errors()
    );
}

/// An imported project or bucket whose import says where it is: an action runs in the
/// pipeline's region and account, so one elsewhere fails synthesis instead of the pipeline.
#[test]
fn an_action_on_an_imported_resource_of_another_region_is_an_error() {
    let app = App::new("t");
    let stack = app.stack(
        "S",
        StackProps::default().env(Env::new("123456789012", "eu-west-1")),
    );
    let repo = Repository::new(stack, "Repo", "app", RepositoryProps::default());
    let (src, dist) = (Artifact::new("Src"), Artifact::new("Dist"));
    let pipeline = |id: &str, region: &str| {
        let project = Project::from_arn(
            stack,
            &format!("{id}Build"),
            format!("arn:aws:codebuild:{region}:123456789012:project/build"),
        );
        let site = Bucket::from_name(stack, &format!("{id}Site"), "site-bucket").in_region(region);
        Pipeline::new(
            stack,
            id,
            PipelineProps {
                stages: vec![
                    Stage::new("Source", [Action::codecommit_source(&repo, "main", &src)]),
                    Stage::new(
                        "Build",
                        [Action::codebuild(
                            &project,
                            &src,
                            CodeBuildActionProps::output(&dist),
                        )],
                    ),
                    Stage::new(
                        "Deploy",
                        [Action::s3_deploy(&site, &dist, S3DeployProps::default())],
                    ),
                ],
                ..Default::default()
            },
        );
    };
    pipeline("Here", "eu-west-1");
    pipeline("Away", "us-east-1");
    let annotations = Annotations::from_app(&app);
    let away: Vec<_> = annotations
        .errors()
        .into_iter()
        .filter(|d| d.code == codes::codepipeline::IMPORTED_RESOURCE_ELSEWHERE.code())
        .collect();
    assert_eq!(away.len(), 2, "{away:?}");
    assert!(away.iter().all(|d| d.path == "S/Away"), "{away:?}");
    assert!(
        away.iter().any(|d| d.message.contains(
            "bucket site-bucket is in us-east-1, but the pipeline's stack deploys to eu-west-1"
        )),
        "{away:?}"
    );
}
