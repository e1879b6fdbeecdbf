//! `yelp-search`: what matters in its templates, so that a regression fails here and not only
//! as a diff of `synth-out/`.

use std::path::{Path, PathBuf};

use apps::yelp_search::{self, STACKS, config};
use cirrus_aws::eks::KubernetesVersion;
use cirrus_core::assertions::{Match, Template};
use cirrus_core::{App, Synthesized};
use serde_json::{Value, json};

fn synth() -> Synthesized {
    let app = App::new("yelp-search");
    yelp_search::define(&app);
    match app.synth() {
        Ok(synthesized) => synthesized,
        Err(e) => panic!("yelp-search does not synthesize: {e:?}"),
    }
}

fn one<'t>(template: &'t Template, type_: &str) -> &'t Value {
    let found = template.find_resources(type_, Match::any_value());
    assert_eq!(found.len(), 1, "expected one {type_}");
    found[0].1
}

/// Every value in `v` under the key `key`, at any depth.
fn find_all<'v>(v: &'v Value, key: &str, out: &mut Vec<&'v Value>) {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                if k == key {
                    out.push(child);
                }
                find_all(child, key, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|i| find_all(i, key, out)),
        _ => {}
    }
}

/// Every string in `v`, at any depth (keys included).
fn strings<'v>(v: &'v Value, out: &mut Vec<&'v str>) {
    match v {
        Value::String(s) => out.push(s),
        Value::Object(map) => {
            for (k, child) in map {
                out.push(k);
                strings(child, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|i| strings(i, out)),
        _ => {}
    }
}

/// A value or a list of values as a list.
fn list(v: &Value) -> Vec<&Value> {
    match v {
        Value::Array(items) => items.iter().collect(),
        Value::Null => Vec::new(),
        other => vec![other],
    }
}

/// The text of a literal or `Fn::Sub` string.
fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => match &other["Fn::Sub"] {
            Value::String(s) => s.clone(),
            Value::Array(parts) => parts[0].as_str().unwrap_or_default().to_owned(),
            _ => other.to_string(),
        },
    }
}

/// The IAM data the deployment roles are derived from (`constructs/spec/permissions.json`).
fn iam_data() -> &'static Value {
    static DATA: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    DATA.get_or_init(|| {
        serde_json::from_str(include_str!("../../constructs/spec/permissions.json")).unwrap()
    })
}

/// Whether the Service Authorization Reference names no resource type for `action`, so that
/// only `*` can grant it.
fn takes_no_resource(action: &str) -> bool {
    iam_data()["actions"][action]["resources"]
        .as_array()
        .is_some_and(Vec::is_empty)
}

/// IAM's wildcard match of actions (`*`, `?`), case-insensitive.
fn glob(pattern: &str, text: &str) -> bool {
    fn go(p: &[u8], t: &[u8]) -> bool {
        match (p.first(), t.first()) {
            (None, None) => true,
            (Some(b'*'), _) => go(&p[1..], t) || (!t.is_empty() && go(p, &t[1..])),
            (Some(b'?'), Some(_)) => go(&p[1..], &t[1..]),
            (Some(a), Some(b)) if a.eq_ignore_ascii_case(b) => go(&p[1..], &t[1..]),
            _ => false,
        }
    }
    go(pattern.as_bytes(), text.as_bytes())
}

/// The statements of every policy (inline or managed) attached to the role `role_id`.
fn role_statements<'t>(template: &'t Template, role_id: &str) -> Vec<&'t Value> {
    let mut out = Vec::new();
    for type_ in ["AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"] {
        for (_, policy) in template.find_resources(type_, Match::any_value()) {
            let attached = list(&policy["Properties"]["Roles"])
                .iter()
                .any(|r| r["Ref"] == role_id);
            if attached {
                out.extend(list(&policy["Properties"]["PolicyDocument"]["Statement"]));
            }
        }
    }
    out
}

/// The logical id of the role whose id starts with `prefix`.
fn role_id<'t>(template: &'t Template, prefix: &str) -> &'t str {
    let found: Vec<&str> = template
        .find_resources("AWS::IAM::Role", Match::any_value())
        .into_iter()
        .map(|(id, _)| id)
        .filter(|id| id.starts_with(prefix))
        .collect();
    assert_eq!(found.len(), 1, "roles starting with {prefix}: {found:?}");
    found[0]
}

fn allowed_actions(statements: &[&Value]) -> Vec<String> {
    statements
        .iter()
        .filter(|s| s["Effect"] == "Allow")
        .flat_map(|s| list(&s["Action"]))
        .filter_map(|a| a.as_str().map(str::to_owned))
        .collect()
}

#[test]
fn four_stacks_in_three_waves() {
    let app = synth();
    let ids: Vec<&str> = app.stacks.iter().map(|s| s.id.as_str()).collect();
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    let mut expected = STACKS.to_vec();
    expected.sort_unstable();
    assert_eq!(sorted, expected);
    assert_eq!(
        app.waves,
        vec![
            vec!["Delivery", "FrontendInfra"],
            vec!["EksCluster"],
            vec!["BackendInfra"],
        ]
    );
    for stack in &app.stacks {
        assert_eq!(stack.env.region.as_deref(), Some(config::REGION));
        assert_eq!(stack.stack_name, stack.id, "pipelines deploy stacks by id");
        let count = stack.template["Resources"].as_object().unwrap().len();
        assert!(count < 100, "{} has {count} resources", stack.id);
    }
    let deps = |id: &str| app.stack(id).unwrap().dependencies.clone();
    assert!(deps("FrontendInfra").is_empty());
    assert_eq!(deps("EksCluster"), ["Delivery"]);
    assert_eq!(deps("BackendInfra"), ["Delivery", "EksCluster"]);
}

/// `BackendInfra` imports the cluster, the subnets and security group its pipelines' EKS
/// deploy actions run with and the data-files bucket from `EksCluster`, and the connection to
/// the app's repository from `Delivery`; `EksCluster` imports only the role of the delivery
/// pipeline's EKS deploy actions, which it lets in. `EksCluster` needs nothing of the
/// components.
#[test]
fn cross_stack_references_go_from_the_components_to_the_cluster() {
    let app = synth();
    let mut from: Vec<String> = Vec::new();
    for stack in &app.stacks {
        let mut imports = Vec::new();
        find_all(&stack.template, "Fn::ImportValue", &mut imports);
        if stack.id == "EksCluster" {
            for import in &imports {
                let name = import.as_str().unwrap_or_default();
                assert!(
                    name.starts_with("Delivery:ExportsOutput")
                        && name.contains("DeliveryPipelineKubernetesDeployActionRole"),
                    "{name}"
                );
            }
            assert_eq!(imports.len(), 2, "{imports:?}");
            continue;
        }
        if stack.id != "BackendInfra" {
            assert!(imports.is_empty(), "{} imports {imports:?}", stack.id);
            continue;
        }
        for import in imports {
            let name = import.as_str().unwrap_or_else(|| panic!("{import}"));
            from.push(name.split(':').next().unwrap().to_owned());
        }
    }
    from.sort();
    from.dedup();
    assert_eq!(from, ["Delivery", "EksCluster"]);
    let eks = &Template::from_synthesized(&app, "EksCluster");
    assert_eq!(
        one(eks, "AWS::EKS::Cluster")["Properties"]["Name"],
        config::CLUSTER_NAME
    );
}

/// One delivery pipeline takes the app's repository through the connection, verifies the
/// committed templates, updates itself, and deploys the app's stacks wave by wave through
/// change sets, with the pipeline's deployment role.
#[test]
fn the_delivery_pipeline_deploys_the_app_stacks() {
    let app = synth();
    let t = &Template::from_synthesized(&app, "Delivery");
    let pipeline = one(t, "AWS::CodePipeline::Pipeline");
    let deploy_role = role_id(t, "DeliveryPipelineDeployRole");
    let stages = pipeline["Properties"]["Stages"].as_array().unwrap();
    let names: Vec<&str> = stages.iter().map(|s| s["Name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "Source",
            "Synth",
            "ApprovePipeline",
            "UpdatePipeline",
            "ApproveDeploy",
            "Deploy-1",
            "Deploy-2",
            "Deploy-Kubernetes"
        ]
    );
    let source = &stages[0]["Actions"][0];
    assert_eq!(
        source["ActionTypeId"]["Provider"],
        "CodeStarSourceConnection"
    );
    let config::AppSource::Connection { repository, .. } = config::SOURCE else {
        panic!("the committed example uses a connection")
    };
    assert_eq!(source["Configuration"]["FullRepositoryId"], repository);
    assert_eq!(source["Configuration"]["BranchName"], config::BRANCH);
    let projects = t.find_resources("AWS::CodeBuild::Project", Match::any_value());
    let spec_of = |name: &str| {
        let project = projects
            .iter()
            .find(|(_, p)| p["Properties"]["Name"] == name)
            .unwrap_or_else(|| panic!("no project {name}"));
        text(&project.1["Properties"]["Source"]["BuildSpec"])
    };
    let synth_spec = spec_of("yelp-search-delivery-synth");
    assert!(
        synth_spec.contains("synth --app yelp-search --check"),
        "{synth_spec}"
    );
    // The cluster's own objects go through EKS deploy actions, after a render action, in
    // the steps' order: the namespace and the controller, then what lives in the namespace.
    let render_spec = spec_of("yelp-search-delivery-render");
    assert!(
        render_spec.contains("python3 /tmp/render_steps.py"),
        "{render_spec}"
    );
    let kubernetes = stages.last().unwrap()["Actions"].as_array().unwrap();
    let order: Vec<(&str, &str, i64)> = kubernetes
        .iter()
        .map(|a| {
            (
                a["Name"].as_str().unwrap(),
                a["ActionTypeId"]["Provider"].as_str().unwrap(),
                a["RunOrder"].as_i64().unwrap(),
            )
        })
        .collect();
    let step = |id: &str| format!("EksCluster-Cluster-Kubernetes-{id}");
    assert_eq!(
        order,
        [
            ("Render", "CodeBuild", 1),
            (step("LoadBalancerController").as_str(), "EKS", 2),
            (step("AppNamespace").as_str(), "EKS", 2),
            (step("yelp-search-data-jobs").as_str(), "EKS", 3),
            (step("SharedData").as_str(), "EKS", 3),
        ]
    );
    // The component pipelines' steps are theirs, not the delivery's.
    assert!(!order.iter().any(|(name, ..)| name.ends_with("AppApi")));
    let expected = [
        ("UpdatePipeline", vec!["Delivery"]),
        ("Deploy-1", vec!["FrontendInfra", "EksCluster"]),
        ("Deploy-2", vec!["BackendInfra"]),
    ];
    for (stage_name, stacks) in expected {
        let stage = stages.iter().find(|s| s["Name"] == stage_name).unwrap();
        let actions = stage["Actions"].as_array().unwrap();
        assert_eq!(actions.len(), 2 * stacks.len(), "{stage_name}");
        for stack in stacks {
            let prepare = actions
                .iter()
                .find(|a| a["Name"] == format!("{stack}.Prepare"))
                .unwrap_or_else(|| panic!("{stage_name}: no change set for {stack}"));
            let c = &prepare["Configuration"];
            assert_eq!(c["ActionMode"], "CHANGE_SET_REPLACE");
            assert_eq!(c["StackName"], stack);
            assert_eq!(
                c["TemplatePath"],
                format!("Synthesized::{stack}.template.json")
            );
            assert_eq!(c["Capabilities"], "CAPABILITY_IAM,CAPABILITY_NAMED_IAM");
            assert_eq!(c["RoleArn"]["Fn::GetAtt"][0], deploy_role);
            assert!(app.stack(stack).is_some());
            // The action runs as a role of its own, which alone may manage the stack and
            // pass the deployment role to CloudFormation.
            let action_role = text(&prepare["RoleArn"]["Fn::GetAtt"][0]);
            let statements = role_statements(t, &action_role);
            let pass = statements
                .iter()
                .find(|s| s["Action"] == "iam:PassRole")
                .unwrap_or_else(|| panic!("{action_role} may not pass the deployment role"));
            assert_eq!(pass["Resource"]["Fn::GetAtt"][0], deploy_role);
            assert!(
                statements
                    .iter()
                    .any(|s| text(&s["Resource"]).ends_with(&format!(":stack/{stack}/*")))
            );
        }
    }
    // The pipeline's own role keeps the artifacts and assumes the action roles: it may
    // neither deploy nor pass a role.
    let pipeline_role = text(&pipeline["Properties"]["RoleArn"]["Fn::GetAtt"][0]);
    for statement in role_statements(t, &pipeline_role) {
        let actions = statement["Action"].to_string();
        assert!(
            !actions.contains("cloudformation:") && !actions.contains("iam:PassRole"),
            "the pipeline role may {actions}"
        );
    }
    // The deployment role is CloudFormation's alone.
    let trust = &t.to_json()["Resources"][deploy_role]["Properties"]["AssumeRolePolicyDocument"];
    assert_eq!(
        trust["Statement"][0]["Principal"]["Service"],
        "cloudformation.amazonaws.com"
    );
}

/// Per component: a repository, an image repository, a privileged Docker build that pushes
/// there and exports the tag, and a pipeline Source -> Build -> Deploy whose EKS deploy action
/// applies the component's synthesized objects with that tag, from inside the VPC, admitted to
/// the app's namespace only.
#[test]
fn component_pipelines_build_push_and_deploy() {
    let app = synth();
    let backend = &Template::from_synthesized(&app, "BackendInfra");
    let projects = backend.find_resources("AWS::CodeBuild::Project", Match::any_value());
    assert_eq!(projects.len(), 3);
    for c in config::COMPONENTS {
        let name = format!("{}-{}-build", config::APP, c.slug);
        let build = projects
            .iter()
            .find(|(_, p)| p["Properties"]["Name"] == name.as_str())
            .unwrap_or_else(|| panic!("no project {name}"))
            .1;
        assert_eq!(
            build["Properties"]["Environment"]["PrivilegedMode"], true,
            "{}",
            c.repo
        );
        let buildspec = text(&build["Properties"]["Source"]["BuildSpec"]);
        assert!(buildspec.contains("exported-variables"), "{buildspec}");

        let repo = backend
            .find_resources("AWS::CodeCommit::Repository", Match::any_value())
            .into_iter()
            .find(|(_, r)| r["Properties"]["RepositoryName"] == c.repo);
        assert!(repo.is_some(), "no repository {}", c.repo);
        let (images_id, images) = backend
            .find_resources("AWS::ECR::Repository", Match::any_value())
            .into_iter()
            .find(|(_, r)| {
                r["Properties"]["RepositoryName"] == format!("{}/{}", config::APP, c.slug)
            })
            .unwrap();
        assert_eq!(images["Properties"]["ImageTagMutability"], "IMMUTABLE");
        assert_eq!(
            images["Properties"]["ImageScanningConfiguration"]["ScanOnPush"],
            true
        );

        // The build pushes to its own image repository, named in its environment.
        let build_role = build["Properties"]["ServiceRole"]["Fn::GetAtt"][0]
            .as_str()
            .unwrap();
        let statements = role_statements(backend, build_role);
        assert!(statements.iter().any(|s| {
            list(&s["Action"]).iter().any(|a| *a == "ecr:PutImage")
                && list(&s["Resource"])
                    .iter()
                    .all(|r| r["Fn::GetAtt"][0] == images_id)
        }));
        let env = build["Properties"]["Environment"]["EnvironmentVariables"]
            .as_array()
            .unwrap();
        assert!(env.iter().any(|v| v["Name"] == "IMAGE_REPO_URI"
            && v["Value"]["Fn::GetAtt"] == serde_json::json!([images_id, "RepositoryUri"])));

        // The pipeline: the component's code and the synthesized files, the build tagged with
        // the commit, the EKS deploy action with the tag the build exported.
        let pipeline = backend
            .find_resources("AWS::CodePipeline::Pipeline", Match::any_value())
            .into_iter()
            .find(|(_, p)| p["Properties"]["Name"] == format!("{}-{}", config::APP, c.slug))
            .unwrap()
            .1;
        let stages = pipeline["Properties"]["Stages"].as_array().unwrap();
        let names: Vec<&str> = stages.iter().map(|s| s["Name"].as_str().unwrap()).collect();
        assert_eq!(names, ["Source", "Build", "Deploy"]);
        assert_eq!(stages[0]["Actions"].as_array().unwrap().len(), 2);
        let build_action = &stages[1]["Actions"][0];
        assert_eq!(build_action["Namespace"], "Build");
        assert!(
            build_action["Configuration"]["EnvironmentVariables"]
                .as_str()
                .unwrap()
                .contains("#{SourceVariables.CommitId}")
        );
        let deploy = &stages[2]["Actions"][0];
        assert_eq!(deploy["ActionTypeId"]["Provider"], "EKS");
        assert_eq!(deploy["InputArtifacts"], json!([{"Name": "Synthesized"}]));
        let configuration = &deploy["Configuration"];
        assert_eq!(
            configuration["ManifestFiles"],
            format!(
                "synth-out/{}/EksCluster-Cluster-Kubernetes-{}.yaml",
                config::APP,
                c.id
            )
        );
        assert_eq!(configuration["Namespace"], config::K8S_NAMESPACE);
        assert!(configuration["ClusterName"]["Fn::ImportValue"].is_string());
        assert!(!configuration["Subnets"].is_null());
        assert!(!configuration["SecurityGroupIds"].is_null());
        let variables: Vec<&str> = deploy["EnvironmentVariables"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["Name"].as_str().unwrap())
            .collect();
        let expected: &[&str] = match c.schedule {
            None => &["IMAGE_REPOSITORY", "API_TARGET_GROUP", "IMAGE_TAG"],
            Some(_) => &["IMAGE_REPOSITORY", "DATA_BUCKET", "IMAGE_TAG"],
        };
        assert_eq!(variables, expected);
        let tag = deploy["EnvironmentVariables"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["Name"] == "IMAGE_TAG")
            .unwrap();
        assert_eq!(tag["Value"], "#{Build.IMAGE_TAG}");

        // Its Kubernetes rights: admin of the app's namespace, nothing else.
        let entry = backend
            .find_resources("AWS::EKS::AccessEntry", Match::any_value())
            .into_iter()
            .find(|(id, _)| id.starts_with(&format!("{}Pipeline", c.id)))
            .unwrap()
            .1;
        let policies = entry["Properties"]["AccessPolicies"].as_array().unwrap();
        assert_eq!(policies.len(), 1);
        assert!(text(&policies[0]["PolicyArn"]).ends_with("/AmazonEKSAdminPolicy"));
        assert_eq!(
            policies[0]["AccessScope"],
            serde_json::json!({"Type": "namespace", "Namespaces": [config::K8S_NAMESPACE]})
        );
    }
    // The objects the pipelines apply: the image from their pipeline, nothing for `deploy`.
    for c in config::COMPONENTS {
        let id = format!("EksCluster-Cluster-Kubernetes-{}", c.id);
        let step = app.artifacts.iter().find(|a| a.id == id).unwrap();
        assert_eq!(step.properties["appliedBy"], "pipeline");
        let yaml = String::from_utf8(step.files[0].1.clone()).unwrap();
        assert!(
            yaml.contains("image: $IMAGE_REPOSITORY:$IMAGE_TAG"),
            "{yaml}"
        );
    }
    // Only the three Docker builds run privileged, in the whole app.
    let privileged = app
        .stacks
        .iter()
        .map(|s| {
            Template::from_synthesized(&app, &s.id)
                .find_resources(
                    "AWS::CodeBuild::Project",
                    json!({ "Properties": { "Environment": { "PrivilegedMode": true } } }),
                )
                .len()
        })
        .sum::<usize>();
    assert_eq!(privileged, 3);
}

/// No template, buildspec or environment variable holds a credential: ECR needs none, the
/// jobs use Pod Identity, and nothing creates access keys or users.
#[test]
fn no_credentials_in_any_template_or_buildspec() {
    let app = synth();
    let forbidden_types = [
        "AWS::IAM::User",
        "AWS::IAM::AccessKey",
        "AWS::SecretsManager::Secret",
    ];
    for stack in &app.stacks {
        let t = &stack.template;
        let template = Template::from_synthesized(&app, &stack.id);
        for type_ in forbidden_types {
            template.resource_count_is(type_, 0);
        }
        let mut all = Vec::new();
        strings(t, &mut all);
        for s in &all {
            let lower = s.to_lowercase();
            for needle in [
                "aws_access_key_id",
                "aws_secret_access_key",
                "secretaccesskey",
                "-----begin",
                "glpat-",
                "ghp_",
                "imagepullsecrets",
                "registry.gitlab.com",
            ] {
                assert!(!lower.contains(needle), "{}: {needle} in {s}", stack.id);
            }
            assert!(
                !(s.contains("AKIA")
                    && s.len() >= 20
                    && s.chars().all(|c| c.is_ascii_alphanumeric())),
                "{}: an access key id: {s}",
                stack.id
            );
            // `docker login` only ever reads a short-lived ECR token from stdin.
            if s.contains("docker login") {
                assert!(s.contains("aws ecr get-login-password"), "{s}");
                assert!(s.contains("--password-stdin"), "{s}");
            }
        }
        for (id, project) in template.find_resources("AWS::CodeBuild::Project", Match::any_value())
        {
            for variable in list(&project["Properties"]["Environment"]["EnvironmentVariables"]) {
                let name = variable["Name"].as_str().unwrap().to_uppercase();
                for word in ["SECRET", "PASSWORD", "TOKEN", "ACCESS_KEY", "CREDENTIAL"] {
                    assert!(!name.contains(word), "{}/{id}: {name}", stack.id);
                }
            }
        }
    }
    // The jobs read the data bucket through Pod Identity.
    let eks = &Template::from_synthesized(&app, "EksCluster");
    let associations = eks.find_resources("AWS::EKS::PodIdentityAssociation", Match::any_value());
    let association = &associations
        .iter()
        .find(|(_, a)| a["Properties"]["Namespace"] == config::K8S_NAMESPACE)
        .expect("the data jobs' association")
        .1["Properties"];
    assert_eq!(association["Namespace"], config::K8S_NAMESPACE);
    assert_eq!(
        association["ServiceAccount"],
        config::DATA_JOBS_SERVICE_ACCOUNT
    );
    let reader = text(&association["RoleArn"]["Fn::GetAtt"][0]);
    let trust = &eks.to_json()["Resources"][reader.as_str()]["Properties"]["AssumeRolePolicyDocument"]
        ["Statement"][0];
    assert_eq!(trust["Principal"]["Service"], "pods.eks.amazonaws.com");
    let data_files = eks
        .find_resources("AWS::S3::Bucket", Match::any_value())
        .into_iter()
        .find(|(id, _)| id.starts_with("DataFiles"))
        .unwrap()
        .0;
    let statements = role_statements(eks, &reader);
    let actions = allowed_actions(&statements);
    assert!(
        actions
            .iter()
            .all(|a| a.starts_with("s3:Get") || a.starts_with("s3:List") || a == "kms:Decrypt"),
        "{actions:?}"
    );
    assert!(statements.iter().any(|s| {
        list(&s["Resource"])
            .iter()
            .any(|r| r["Fn::GetAtt"][0] == data_files)
    }));
}

#[test]
fn the_front_end_is_private_behind_cloudfront() {
    let app = synth();
    let t = &Template::from_synthesized(&app, "FrontendInfra");
    let site = t
        .find_resources("AWS::S3::Bucket", Match::any_value())
        .into_iter()
        .find(|(id, _)| id.starts_with("Site"))
        .unwrap();
    assert!(site.1["Properties"]["WebsiteConfiguration"].is_null());
    let policy = t
        .find_resources("AWS::S3::BucketPolicy", Match::any_value())
        .into_iter()
        .find(|(_, p)| p["Properties"]["Bucket"]["Ref"] == site.0)
        .unwrap()
        .1;
    for statement in list(&policy["Properties"]["PolicyDocument"]["Statement"]) {
        if statement["Effect"] == "Allow" {
            assert_eq!(
                statement["Principal"]["Service"],
                "cloudfront.amazonaws.com"
            );
            assert_eq!(statement["Action"], "s3:GetObject");
            assert!(
                text(&statement["Condition"]["StringEquals"]["AWS:SourceArn"])
                    .contains(":distribution/")
            );
        }
    }
    let cdn = &one(t, "AWS::CloudFront::Distribution")["Properties"]["DistributionConfig"];
    assert!(!cdn["Origins"][0]["OriginAccessControlId"].is_null());
    assert_eq!(
        cdn["DefaultCacheBehavior"]["ViewerProtocolPolicy"],
        "redirect-to-https"
    );
    assert!(!cdn["WebACLId"].is_null());
    assert!(!cdn["Logging"].is_null());
    assert_eq!(
        one(t, "AWS::WAFv2::WebACL")["Properties"]["Scope"],
        "CLOUDFRONT"
    );
    // The build reads the API's URL from Parameter Store; the pipeline deploys into the site.
    let parameter = &one(t, "AWS::SSM::Parameter")["Properties"];
    assert_eq!(parameter["Value"], config::api_url());
    let project = &one(t, "AWS::CodeBuild::Project")["Properties"];
    let buildspec = text(&project["Source"]["BuildSpec"]);
    assert!(buildspec.contains("parameter-store"), "{buildspec}");
    assert!(buildspec.contains("npm run build"));
    assert!(buildspec.contains("base-directory: build"));
    let pipeline = &one(t, "AWS::CodePipeline::Pipeline")["Properties"];
    let deploy = &pipeline["Stages"][2]["Actions"][0];
    assert_eq!(deploy["ActionTypeId"]["Provider"], "S3");
    assert_eq!(deploy["Configuration"]["BucketName"]["Ref"], site.0);
    assert_eq!(deploy["Configuration"]["Extract"], true);
}

#[test]
fn the_cluster_is_locked_down() {
    let app = synth();
    let t = &Template::from_synthesized(&app, "EksCluster");
    let cluster = &one(t, "AWS::EKS::Cluster")["Properties"];
    assert_eq!(cluster["Version"], KubernetesVersion::default().as_str());
    assert_eq!(cluster["AccessConfig"]["AuthenticationMode"], "API");
    assert_eq!(
        cluster["AccessConfig"]["BootstrapClusterCreatorAdminPermissions"],
        false
    );
    assert_eq!(cluster["EncryptionConfig"][0]["Resources"][0], "secrets");
    assert_eq!(
        cluster["Logging"]["ClusterLogging"]["EnabledTypes"]
            .as_array()
            .unwrap()
            .len(),
        5
    );
    assert_eq!(cluster["ResourcesVpcConfig"]["EndpointPrivateAccess"], true);
    assert_eq!(cluster["ResourcesVpcConfig"]["EndpointPublicAccess"], false);
    let template_data = &one(t, "AWS::EC2::LaunchTemplate")["Properties"]["LaunchTemplateData"];
    assert_eq!(template_data["MetadataOptions"]["HttpTokens"], "required");
    assert_eq!(
        template_data["MetadataOptions"]["HttpPutResponseHopLimit"],
        1
    );
    let nodes = &one(t, "AWS::EKS::Nodegroup")["Properties"];
    assert!(nodes["RemoteAccess"].is_null());
    assert_eq!(nodes["InstanceTypes"][0], config::NODE_INSTANCE_TYPE);
    // The shared volume: encrypted, TLS only, reachable from the cluster on NFS only.
    let fs = &one(t, "AWS::EFS::FileSystem")["Properties"];
    assert_eq!(fs["Encrypted"], true);
    let deny = &fs["FileSystemPolicy"]["Statement"][1];
    assert_eq!(deny["Effect"], "Deny");
    assert_eq!(deny["Condition"]["Bool"]["aws:SecureTransport"], "false");
    t.resource_count_is("AWS::EFS::MountTarget", 2);
    // The cluster admits NFS clients to the volume, its in-VPC deployer, the pipelines'
    // deploy actions and operators' shells to its API, and the API's load balancer to the
    // API's port, each by security group.
    let mut ports: Vec<i64> = t
        .find_resources("AWS::EC2::SecurityGroupIngress", Match::any_value())
        .into_iter()
        .map(|(_, i)| {
            assert!(!i["Properties"]["SourceSecurityGroupId"].is_null());
            i["Properties"]["FromPort"].as_i64().unwrap()
        })
        .collect();
    ports.sort_unstable();
    assert_eq!(ports, [443, 443, 443, 2049, 5000]);
    let outputs = t.to_json()["Outputs"].as_object().unwrap();
    assert!(outputs.contains_key("OperatorSecurityGroupId"));
    assert!(outputs.contains_key("OperatorSubnetIds"));
    // Add-ons: networking, DNS, Pod Identity, metrics for the HPA, the EFS driver.
    let mut addons: Vec<&str> = t
        .find_resources("AWS::EKS::Addon", Match::any_value())
        .into_iter()
        .map(|(_, a)| a["Properties"]["AddonName"].as_str().unwrap())
        .collect();
    addons.sort_unstable();
    assert_eq!(
        addons,
        [
            "aws-efs-csi-driver",
            "coredns",
            "eks-pod-identity-agent",
            "kube-proxy",
            "metrics-server",
            "vpc-cni"
        ]
    );
    // Two AZs, public and private, a NAT gateway each, chosen with Fn::GetAZs.
    t.resource_count_is("AWS::EC2::Subnet", 4);
    t.resource_count_is("AWS::EC2::NatGateway", 2);
    for (_, subnet) in t.find_resources("AWS::EC2::Subnet", Match::any_value()) {
        assert!(!subnet["Properties"]["AvailabilityZone"]["Fn::Select"].is_null());
    }
    // The cluster administrator role, the in-VPC deployer and the delivery pipeline's EKS
    // deploy actions; the component pipelines' entries are in BackendInfra, with them.
    t.resource_count_is("AWS::EKS::AccessEntry", 3);
}

/// Every role of the app sits under the app's path, so that the deployment roles' IAM rights
/// (`role/yelp-search/*`) cover them and nothing else; log groups are encrypted and expire.
#[test]
fn roles_are_under_the_app_path_and_logs_expire() {
    let app = synth();
    for stack in &app.stacks {
        for (id, role) in Template::from_synthesized(&app, &stack.id)
            .find_resources("AWS::IAM::Role", Match::any_value())
        {
            assert_eq!(
                role["Properties"]["Path"],
                config::IAM_PATH,
                "{}/{id}",
                stack.id
            );
        }
        for (id, group) in Template::from_synthesized(&app, &stack.id)
            .find_resources("AWS::Logs::LogGroup", Match::any_value())
        {
            assert_eq!(
                group["Properties"]["RetentionInDays"], 30,
                "{}/{id}",
                stack.id
            );
            assert!(
                !group["Properties"]["KmsKeyId"].is_null(),
                "{}/{id}",
                stack.id
            );
        }
        for (id, key) in Template::from_synthesized(&app, &stack.id)
            .find_resources("AWS::KMS::Key", Match::any_value())
        {
            assert_eq!(
                key["Properties"]["EnableKeyRotation"], true,
                "{}/{id}",
                stack.id
            );
        }
    }
}

/// No identity policy of the app allows a change on every resource: `*` only for reads and
/// for the actions that have no resource (the ECR login token, creating a KMS key, creating a
/// CloudFront distribution).
#[test]
fn identity_policies_write_only_to_named_resources() {
    let app = synth();
    for stack in &app.stacks {
        for type_ in ["AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"] {
            for (id, policy) in Template::from_synthesized(&app, &stack.id)
                .find_resources(type_, Match::any_value())
            {
                for statement in list(&policy["Properties"]["PolicyDocument"]["Statement"]) {
                    if !list(&statement["Resource"]).iter().any(|r| *r == "*") {
                        continue;
                    }
                    for action in list(&statement["Action"]) {
                        let action = action.as_str().unwrap();
                        let name = action.split(':').nth(1).unwrap();
                        let read = ["Describe", "List", "Get"]
                            .iter()
                            .any(|p| name.starts_with(p));
                        assert!(
                            read || ["ecr:GetAuthorizationToken", "kms:CreateKey"]
                                .contains(&action)
                                || takes_no_resource(action),
                            "{}/{id}: {action} on *",
                            stack.id
                        );
                    }
                }
            }
        }
    }
}

/// What a deployment role may do, against what its stacks contain.
struct DeployRole {
    statements: Vec<Value>,
    /// The `cirrus:notGranted` metadata of its policies: action -> why.
    not_granted: serde_json::Map<String, Value>,
}

impl DeployRole {
    fn of(app: &Synthesized, pipeline_stack: &str) -> DeployRole {
        let t = &Template::from_synthesized(app, pipeline_stack);
        let role = role_id(t, "DeliveryPipelineDeployRole");
        let mut not_granted = serde_json::Map::new();
        for (_, policy) in t.find_resources("AWS::IAM::ManagedPolicy", Match::any_value()) {
            if let Some(listed) = policy["Metadata"]["cirrus:notGranted"].as_object() {
                not_granted.extend(listed.clone());
            }
        }
        DeployRole {
            statements: role_statements(t, role).into_iter().cloned().collect(),
            not_granted,
        }
    }

    fn not_granted(&self) -> &serde_json::Map<String, Value> {
        &self.not_granted
    }

    fn allows(&self, action: &str) -> bool {
        self.statements.iter().any(|s| {
            s["Effect"] == "Allow"
                && list(&s["Action"])
                    .iter()
                    .any(|a| glob(a.as_str().unwrap(), action))
        })
    }

    /// The resource patterns of the statements allowing `action`.
    fn resources_of(&self, action: &str) -> Vec<String> {
        self.statements
            .iter()
            .filter(|s| {
                list(&s["Action"])
                    .iter()
                    .any(|a| glob(a.as_str().unwrap(), action))
            })
            .flat_map(|s| list(&s["Resource"]).into_iter().map(text))
            .collect()
    }
}

/// The deployment roles: scoped to what their stacks create, `*` only for the actions that
/// take no resource, unable to delete what holds data, and attaching only the AWS managed
/// policies the stacks use.
#[test]
fn deploy_roles_are_scoped_to_their_stacks() {
    let app = synth();
    for (pipeline_stack, deployed) in [(
        "Delivery",
        vec!["Delivery", "FrontendInfra", "EksCluster", "BackendInfra"],
    )] {
        let role = DeployRole::of(&app, pipeline_stack);
        for statement in &role.statements {
            let any_resource = list(&statement["Resource"]).iter().any(|r| *r == "*");
            if any_resource {
                for action in list(&statement["Action"]) {
                    let action = action.as_str().unwrap();
                    let artifacts = ["s3:GetObject", "s3:GetObjectVersion"].contains(&action);
                    assert!(
                        takes_no_resource(action) && !artifacts,
                        "{pipeline_stack}: {action} on *"
                    );
                }
            }
        }
        // What is retained cannot be deleted. (The handlers' lists are taken whole for the
        // stacks' own resources: a bucket's create handler lists `s3:DeleteObject` and a
        // key's `kms:DisableKey`, so those are allowed on the stacks' buckets and keys.)
        for destructive in [
            "s3:DeleteBucket",
            "ecr:BatchDeleteImage",
            "elasticfilesystem:DeleteFileSystem",
            "kms:ScheduleKeyDeletion",
            "iam:CreateUser",
            "iam:CreateAccessKey",
        ] {
            assert!(
                !role.allows(destructive),
                "{pipeline_stack} may {destructive}"
            );
        }
        // Named repositories and log groups are retained too, except when the create that
        // made them fails (`RetainExceptOnCreate`: the retry would otherwise find them and
        // fail), which CloudFormation does with this role: it may delete them, by their names,
        // and nothing else.
        for (delete, marker) in [
            ("ecr:DeleteRepository", ":repository/yelp-search/"),
            ("codecommit:DeleteRepository", ":${AWS::AccountId}:"),
            ("logs:DeleteLogGroup", ":log-group:/"),
        ] {
            for resource in role.resources_of(delete) {
                let name = resource
                    .split_once(marker)
                    .unwrap_or_else(|| panic!("{pipeline_stack} may {delete} {resource}"))
                    .1;
                let name = name
                    .strip_suffix('*')
                    .filter(|_| delete == "logs:DeleteLogGroup")
                    .unwrap_or(name);
                assert!(
                    !name.contains('*') && !name.contains("${"),
                    "{pipeline_stack} may {delete} {resource}, not one named resource"
                );
            }
        }
        // Objects: only the templates in the pipeline's artifact bucket, none of the
        // deployed stacks' buckets.
        for resource in role.resources_of("s3:GetObject") {
            assert!(
                !resource.contains(":s3:::"),
                "{pipeline_stack} reads {resource}"
            );
        }
        // IAM: the deployed stacks' roles, under the app's path, only.
        for resource in role.resources_of("iam:PutRolePolicy") {
            assert!(
                deployed
                    .iter()
                    .any(|stack| resource.ends_with(&format!(":role{}{stack}-*", config::IAM_PATH))),
                "{resource}"
            );
        }
        // Attaching managed policies: only those the deployed stacks attach, and all of them.
        let allowed_policies: Vec<String> = role
            .statements
            .iter()
            .filter(|s| {
                list(&s["Action"])
                    .iter()
                    .any(|a| *a == "iam:AttachRolePolicy")
            })
            .flat_map(|s| {
                list(&s["Condition"]["ArnLike"]["iam:PolicyARN"])
                    .into_iter()
                    .map(text)
            })
            .collect();
        let mut attached: Vec<String> = Vec::new();
        for stack in &deployed {
            for (_, r) in Template::from_synthesized(&app, stack)
                .find_resources("AWS::IAM::Role", Match::any_value())
            {
                attached.extend(
                    list(&r["Properties"]["ManagedPolicyArns"])
                        .into_iter()
                        .map(text),
                );
            }
        }
        // The role updates its own stack, and with it the managed policies derived for it,
        // which the role's attachments name by their stack's prefix under the app's path.
        attached.push(format!(
            "arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:policy{}{pipeline_stack}-*",
            config::IAM_PATH
        ));
        attached.sort();
        attached.dedup();
        let mut allowed_sorted = allowed_policies.clone();
        allowed_sorted.sort();
        assert_eq!(allowed_sorted, attached, "{pipeline_stack}");

        // Named resources of the deployed stacks are within the role's resource patterns.
        // What follows `arn:<partition>:<service>:<region>:<account>:`.
        let arn_tail = |resource: &str| {
            let resolved = resource
                .replace("${AWS::Partition}", "aws")
                .replace("${AWS::Region}", "us-east-1")
                .replace("${AWS::AccountId}", "123456789012");
            resolved
                .splitn(6, ':')
                .nth(5)
                .unwrap_or_default()
                .to_owned()
        };
        let covered = |action: &str, name: &str| {
            role.resources_of(action)
                .iter()
                .any(|r| glob(&arn_tail(r), name))
        };
        for stack in &deployed {
            let t = &Template::from_synthesized(&app, stack);
            for (type_, property, action, prefix) in [
                (
                    "AWS::Logs::LogGroup",
                    "LogGroupName",
                    "logs:CreateLogGroup",
                    "log-group:",
                ),
                (
                    "AWS::CodeBuild::Project",
                    "Name",
                    "codebuild:CreateProject",
                    "project/",
                ),
                (
                    "AWS::CodePipeline::Pipeline",
                    "Name",
                    "codepipeline:CreatePipeline",
                    "",
                ),
                (
                    "AWS::CodeCommit::Repository",
                    "RepositoryName",
                    "codecommit:CreateRepository",
                    "",
                ),
                (
                    "AWS::ECR::Repository",
                    "RepositoryName",
                    "ecr:CreateRepository",
                    "repository/",
                ),
                (
                    "AWS::SSM::Parameter",
                    "Name",
                    "ssm:PutParameter",
                    "parameter",
                ),
            ] {
                for (id, r) in t.find_resources(type_, Match::any_value()) {
                    // A name CloudFormation generates starts with the stack's name, which
                    // the role's own patterns cover; only the cluster's in-VPC deployer,
                    // which the library makes, leaves its log group unnamed.
                    let Some(name) = r["Properties"][property].as_str() else {
                        assert!(
                            id.starts_with("ClusterDeployer"),
                            "{stack}/{id} has no literal {property}"
                        );
                        continue;
                    };
                    assert!(
                        covered(action, &format!("{prefix}{name}")),
                        "{pipeline_stack} may not {action} {name}"
                    );
                }
            }
        }
    }
}

/// The schemas of CloudFormation's resource types, as cfn-lint ships them.
fn schemas_dir(cfn_lint: &Path) -> PathBuf {
    let venv = cfn_lint
        .canonicalize()
        .unwrap()
        .parent()
        .and_then(Path::parent)
        .unwrap()
        .to_path_buf();
    let lib = venv.join("lib");
    for entry in std::fs::read_dir(&lib).unwrap() {
        let dir = entry
            .unwrap()
            .path()
            .join("site-packages/cfnlint/data/schemas");
        if dir.is_dir() {
            return dir;
        }
    }
    panic!("no cfnlint/data/schemas under {}", lib.display());
}

/// Actions CloudFormation's handler schemas list that the derived deployment roles do not
/// grant, and why that is right for these stacks (the roles list them in their first
/// policy's `cirrus:notGranted` metadata).
const NOT_GRANTED: &[(&str, &str)] = &[
    ("iam:*UserPolicy", "no IAM users"),
    ("iam:*GroupPolicy", "no IAM groups"),
    (
        "iam:*InstanceProfile*",
        "instance profiles are for EKS Auto Mode only",
    ),
    ("s3tables:*", "no S3 metadata tables"),
    (
        "acm-pca:*",
        "the API's certificate is public, validated by DNS: no private certificate authority",
    ),
    (
        "cognito-idp:*",
        "the API's listener authenticates nobody through Cognito",
    ),
    (
        "s3:PutObjectAcl",
        "object ACLs are off: the buckets enforce bucket-owner ownership",
    ),
    ("logs:*ResourcePolicy", "no log group resource policies"),
    (
        "codestar-connections:PassConnection",
        "CodeCommit sources, no connections",
    ),
    (
        "firehose:TagDeliveryStream",
        "no log deliveries to Firehose",
    ),
    (
        "s3:GetObject*",
        "repositories start empty: no initial commit read from S3",
    ),
];

/// Every action CloudFormation's resource handlers list for the resources of the deployed
/// stacks (create, read, update, and delete unless every resource of the type is retained),
/// read from cfn-lint's copy of the schemas, is allowed, or listed by the role as not granted
/// for a reason [`NOT_GRANTED`] accepts.
#[test]
fn deploy_roles_cover_what_cloudformation_calls() {
    let Some(cfn_lint) = cirrus_scan::tool("CIRRUS_CFN_LINT") else {
        return;
    };
    let schemas = schemas_dir(&cfn_lint);
    let read = |path: PathBuf| -> Value {
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
    };
    let index = read(
        schemas
            .join("providers")
            .join(format!("{}.json", config::REGION)),
    );
    let app = synth();
    let mut missing: Vec<String> = Vec::new();
    let mut unused_reasons: Vec<&str> = NOT_GRANTED.iter().map(|(p, _)| *p).collect();
    for (pipeline_stack, deployed) in [(
        "Delivery",
        vec!["Delivery", "FrontendInfra", "EksCluster", "BackendInfra"],
    )] {
        let role = DeployRole::of(&app, pipeline_stack);
        let not_granted = role.not_granted();
        for action in not_granted.keys() {
            match NOT_GRANTED.iter().find(|(p, _)| glob(p, action)) {
                Some((pattern, _)) => unused_reasons.retain(|p| p != pattern),
                None => missing.push(format!(
                    "{pipeline_stack}: {action} is not granted ({}), and NOT_GRANTED says nothing of it",
                    not_granted[action]
                )),
            }
        }
        for stack in deployed {
            let t = &Template::from_synthesized(&app, stack);
            let mut types: Vec<&str> = t.to_json()["Resources"]
                .as_object()
                .unwrap()
                .values()
                .map(|r| r["Type"].as_str().unwrap())
                .collect();
            types.sort_unstable();
            types.dedup();
            for type_ in types {
                let hash = index[type_]
                    .as_str()
                    .unwrap_or_else(|| panic!("no schema for {type_}"));
                let schema = read(schemas.join("resources").join(format!("{hash}.json")));
                let retained = t
                    .find_resources(type_, Match::any_value())
                    .iter()
                    .all(|(_, r)| r["DeletionPolicy"] == "Retain");
                for phase in ["create", "read", "update", "delete"] {
                    if phase == "delete" && retained {
                        continue;
                    }
                    for permission in list(&schema["handlers"][phase]["permissions"]) {
                        let action = permission.as_str().unwrap();
                        if role.allows(action) {
                            continue;
                        }
                        if not_granted.contains_key(action) {
                            continue;
                        }
                        // Not IAM actions (API names IAM authorises as another action).
                        let unknown = iam_data()["unknown"].as_array().unwrap();
                        if unknown.iter().any(|u| u == action) {
                            continue;
                        }
                        missing.push(format!(
                            "{pipeline_stack} -> {stack}: {type_} {phase} needs {action}"
                        ));
                    }
                }
            }
        }
    }
    missing.sort();
    missing.dedup();
    assert!(missing.is_empty(), "{}", missing.join("\n"));
    assert!(
        unused_reasons.is_empty(),
        "NOT_GRANTED entries that match nothing: {unused_reasons:?}"
    );
}

/// The API's endpoint is the app's: an internet-facing load balancer with a certificate for
/// `API_DOMAIN` (TLS 1.2 and later), its alias record, and a target group the API's pods are
/// bound to by the AWS Load Balancer Controller, whose role may move targets of that group only;
/// the front end's build is given that name from the start.
#[test]
fn the_api_is_served_over_tls_under_the_apps_own_name() {
    let app = synth();
    let eks = &Template::from_synthesized(&app, "EksCluster");
    let listener = &one(eks, "AWS::ElasticLoadBalancingV2::Listener")["Properties"];
    assert_eq!(listener["Protocol"], "HTTPS");
    assert!(
        listener["SslPolicy"]
            .as_str()
            .is_some_and(|p| p.contains("TLS13") || p.contains("TLS-1-2")),
        "{listener}"
    );
    eks.has_resource_properties(
        "AWS::CertificateManager::Certificate",
        json!({"DomainName": config::API_DOMAIN, "ValidationMethod": "DNS"}),
    );
    eks.has_resource_properties(
        "AWS::Route53::RecordSet",
        json!({"Name": format!("{}.", config::API_DOMAIN), "Type": "A"}),
    );
    let group = eks.find_resources(
        "AWS::ElasticLoadBalancingV2::TargetGroup",
        Match::any_value(),
    );
    assert_eq!(group.len(), 1);
    let group_id = group[0].0.to_owned();
    assert_eq!(group[0].1["Properties"]["TargetType"], "ip");
    let policies = eks.find_resources("AWS::IAM::Policy", Match::any_value());
    let (_, controller) = policies
        .iter()
        .find(|(id, _)| id.starts_with("LoadBalancerControllerRole"))
        .expect("the controller's role has a policy");
    let register = controller["Properties"]["PolicyDocument"]["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["Action"].to_string().contains("RegisterTargets"))
        .unwrap();
    assert_eq!(register["Resource"], json!({"Ref": group_id}));

    // The API's pipeline binds the pods, with the group's ARN from the stack.
    let manifest = app
        .artifacts
        .iter()
        .find(|a| a.id == "EksCluster-Cluster-Kubernetes-AppApi")
        .unwrap();
    let text = String::from_utf8(manifest.files[0].1.clone()).unwrap();
    assert!(text.contains("kind: TargetGroupBinding"), "{text}");
    assert!(text.contains("targetGroupARN: $API_TARGET_GROUP"), "{text}");
    assert!(!text.contains("type: LoadBalancer"), "{text}");
    assert!(
        app.artifacts.iter().any(|a| a.stack == "EksCluster"
            && a.properties["chart"]["name"] == "aws-load-balancer-controller"),
        "the controller is installed with the cluster"
    );
}
