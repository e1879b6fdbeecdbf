//! Errors, rendering and grants of the EKS and ECR constructs.

mod fixtures;

use cirrus_aws::codes;
use std::collections::BTreeMap;

use cirrus_aws::ec2::Peer;
use cirrus_aws::ecr::{
    IRepository, LifecycleRule, Repository, RepositoryEncryption, RepositoryProps, TagMutability,
};
use cirrus_aws::eks::{
    AccessPolicy, AccessScope, AddonProps, AddonTiming, AmiType, AuthenticationMode, CapacityType,
    Cluster, ClusterProps, EndpointAccess, ICluster, KubernetesVersion, MaxUnavailable, Nodegroup,
    NodegroupProps, Taint, TaintEffect, UpgradeSupport, addons,
};
use cirrus_aws::iam::{Principal, Role, RoleProps};
use cirrus_aws::kms::{Key, KeyProps};
use cirrus_core::assertions::{Annotations, Match, Template};
use cirrus_core::{App, RemovalPolicy, StackProps};
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
        .unwrap_or_else(|| panic!("no resource {prefix}"))
}

/// The resource of type `cfn_type` whose logical id starts with `prefix`, and that id.
fn typed<'t>(template: &'t Template, cfn_type: &str, prefix: &str) -> (&'t str, &'t Value) {
    template
        .find_resources(cfn_type, Match::any_value())
        .into_iter()
        .find(|(id, _)| id.starts_with(prefix))
        .unwrap_or_else(|| panic!("no {cfn_type} {prefix}"))
}

fn depends_on(resource: &Value) -> Vec<String> {
    resource["DependsOn"]
        .as_array()
        .map(|a| a.iter().map(|v| v.as_str().unwrap().to_owned()).collect())
        .unwrap_or_default()
}

#[test]
fn nodegroup_props_are_checked() {
    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    let cluster = Cluster::new(
        stack,
        "Cluster",
        &imported_vpc(stack),
        ClusterProps::default(),
    );
    Nodegroup::new(
        stack,
        "Backwards",
        &cluster,
        NodegroupProps {
            min_size: 3,
            desired_size: 2,
            max_size: 5,
            ..Default::default()
        },
    );
    Nodegroup::new(
        stack,
        "Empty",
        &cluster,
        NodegroupProps {
            min_size: 0,
            desired_size: 0,
            max_size: 0,
            instance_types: vec![],
            ..Default::default()
        },
    );
    let mut labels = BTreeMap::new();
    labels.insert("bad key".to_owned(), "x".to_owned());
    labels.insert("team".to_owned(), "-x".to_owned());
    Nodegroup::new(
        stack,
        "Named",
        &cluster,
        NodegroupProps {
            nodegroup_name: Some("no spaces allowed".into()),
            instance_types: vec!["m5.large".into(), "large".into()],
            ami_type: AmiType::Al2023Arm,
            labels,
            taints: vec![Taint::new("", "x", TaintEffect::NoExecute)],
            disk_size_gib: Some(0),
            max_unavailable: MaxUnavailable::Percent(0),
            metadata_hop_limit: 0,
            subnet_types: vec![cirrus_aws::ec2::SubnetType::Isolated],
            ..Default::default()
        },
    );
    let annotations = Annotations::from_app(&app);
    for needle in [
        "S/Backwards: scaling sizes must satisfy min <= desired <= max; they are min 3, desired 2, max 5",
        "S/Empty: max_size is 0",
        "S/Empty: instance_types is empty",
        "S/Named: node group name \"no spaces allowed\" may contain only",
        "S/Named: instance type m5.large is x86-64 but the AMI type AL2023_ARM_64_STANDARD is ARM",
        "S/Named: \"large\" is not an EC2 instance type",
        "S/Named: label key \"bad key\" is not a Kubernetes key",
        "S/Named: label \"team\" has the value \"-x\"",
        "S/Named: taint key \"\" is not a Kubernetes key",
        "S/Named: disk_size_gib is 0",
        "S/Named: max_unavailable percentage is 0; EKS accepts 1 to 100",
        "S/Named: metadata_hop_limit is 0",
        "S/Named: the cluster's VPC has no subnets of the types [Isolated]",
    ] {
        let (path, message) = needle.split_once(": ").unwrap();
        annotations.has_error(path, message);
    }
}

#[test]
fn cluster_props_are_checked() {
    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    let vpc = imported_vpc(stack);
    Cluster::new(
        stack,
        "Named",
        &vpc,
        ClusterProps {
            cluster_name: Some("under_score".into()),
            version: KubernetesVersion::Other("v1.36".into()),
            endpoint_access: EndpointAccess::PublicAndPrivate(vec![]),
            ..Default::default()
        },
    );
    Cluster::new(
        stack,
        "Public",
        &vpc,
        ClusterProps {
            endpoint_access: EndpointAccess::Public(vec!["10.0.0.0/33".into(), "::/0".into()]),
            subnet_types: vec![cirrus_aws::ec2::SubnetType::Isolated],
            ..Default::default()
        },
    );
    let long = app.stack(&"L".repeat(90), StackProps::default());
    Cluster::new(long, "VeryLongClusterId", &vpc, ClusterProps::default());
    let annotations = Annotations::from_app(&app);
    for needle in [
        "S/Named: cluster name \"under_score\" may contain only letters, digits and '-'",
        "S/Named: Kubernetes version \"v1.36\" is not a minor version",
        "S/Named: a public endpoint needs the CIDR blocks allowed to reach it",
        "S/Public: public endpoint access: \"10.0.0.0/33\" is not an IPv4 CIDR block",
        "S/Public: public endpoint access: \"::/0\" is not an IPv4 CIDR block",
        "S/Public: the cluster needs subnets in at least two availability zones; the VPC has 0",
    ] {
        let (path, message) = needle.split_once(": ").unwrap();
        annotations.has_error(path, message);
    }
    annotations.has_error_code(
        &format!("{}/VeryLongClusterId", long.path()),
        codes::eks::CLUSTER_NAME_INVALID,
    );
}

#[test]
fn access_and_identity_inputs_are_checked() {
    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    let cluster = Cluster::new(
        stack,
        "Cluster",
        &imported_vpc(stack),
        ClusterProps::default(),
    );
    let role = "arn:aws:iam::123456789012:role/deploy";
    cluster.grant_access(
        "NoNamespaces",
        role,
        AccessPolicy::Edit,
        AccessScope::Namespaces(vec![]),
    );
    cluster.grant_access(
        "BadNamespace",
        "arn:aws:iam::123456789012:user/ops",
        AccessPolicy::View,
        AccessScope::Namespaces(vec!["Apps".into(), "team-*".into()]),
    );
    cluster.grant_access(
        "Session",
        "arn:aws:sts::123456789012:assumed-role/deploy/session",
        AccessPolicy::View,
        AccessScope::Cluster,
    );
    cluster.grant_access("Twice", role, AccessPolicy::View, AccessScope::Cluster);
    cluster.grant_access(
        "Twice",
        role,
        AccessPolicy::View,
        AccessScope::Namespaces(vec!["apps".into()]),
    );
    cluster.grant_access(
        "Named",
        "arn:aws:iam::123456789012:role/other",
        AccessPolicy::Named("Amazon EKS".into()),
        AccessScope::Cluster,
    );
    cluster.add_pod_identity("Shop", "orders_sa", "arn:aws:iam::123456789012:role/orders");
    cluster.add_pod_identity("shop", "orders", "arn:aws:iam::123456789012:user/orders");
    cluster.add_pod_identity("shop", "orders", "arn:aws:iam::123456789012:role/orders");
    cluster.add_addon("VPC CNI", AddonProps::default());
    cluster.add_addon(
        addons::COREDNS,
        AddonProps {
            configuration_values: Some(" ".into()),
            pod_identity: vec![("Bad SA".into(), "arn:aws:iam::1:policy/x".into())],
            ..Default::default()
        },
    );
    cluster.add_addon(addons::COREDNS, AddonProps::default());
    cluster.allow_api_from("World", Peer::AnyIpv4, "everyone");
    cluster.allow_api_from("Vpc", Peer::Ipv4("10.0.0.0/16".into()), " ");
    let annotations = Annotations::from_app(&app);
    for needle in [
        "S/Cluster: access entry NoNamespaces: a namespace scope needs at least one namespace",
        "S/Cluster: access entry BadNamespace: namespace \"Apps\" is not a Kubernetes namespace name",
        "S/Cluster: access entry Session: \"arn:aws:sts::123456789012:assumed-role/deploy/session\" is not the ARN of an IAM role or user",
        "S/Cluster: access entries NoNamespaces and Twice are for the same principal",
        "S/Cluster: access entry Twice already has AmazonEKSViewPolicy with another scope",
        "S/Cluster: access entry Named: \"Amazon EKS\" is not the name of an EKS access policy",
        "S/Cluster: pod identity: namespace \"Shop\" is not a Kubernetes namespace name",
        "S/Cluster: pod identity: service account \"orders_sa\" is not a Kubernetes service account name",
        "S/Cluster: pod identity: \"arn:aws:iam::123456789012:user/orders\" is not the ARN of an IAM role",
        "S/Cluster: service account shop/orders already has a pod identity association",
        "S/Cluster: add-on name \"VPC CNI\" is not an EKS add-on name",
        "S/Cluster: add-on coredns: configuration_values is empty",
        "S/Cluster: add-on coredns: service account \"Bad SA\"",
        "S/Cluster: add-on coredns: \"arn:aws:iam::1:policy/x\" is not the ARN of an IAM role",
        "S/Cluster: add-on coredns is added twice",
        "S/Cluster: API access World would open the private endpoint to 0.0.0.0/0",
        "S/Cluster: API access Vpc needs a description",
    ] {
        let (path, message) = needle.split_once(": ").unwrap();
        annotations.has_error(path, message);
    }
    // The namespace pattern itself is fine.
    assert!(
        !annotations
            .errors()
            .iter()
            .any(|d| d.to_string().contains("team-*")),
        "{annotations:#?}"
    );
}

#[test]
fn access_entries_render_one_entry_per_principal() {
    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    let cluster = Cluster::new(
        stack,
        "Cluster",
        &imported_vpc(stack),
        ClusterProps::default(),
    );
    let sso = "arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/Admin";
    cluster.grant_access("Sso", sso, AccessPolicy::ClusterAdmin, AccessScope::Cluster);
    cluster.grant_access(
        "Ci",
        "arn:aws:iam::123456789012:role/ci",
        AccessPolicy::Edit,
        AccessScope::Namespaces(vec!["apps".into(), "team-*".into()]),
    );
    cluster.grant_access(
        "Ci",
        "arn:aws:iam::123456789012:role/ci",
        AccessPolicy::Named("AmazonEKSAdminViewPolicy".into()),
        AccessScope::Cluster,
    );
    // The same grant again changes nothing.
    cluster.grant_access(
        "Ci",
        "arn:aws:iam::123456789012:role/ci",
        AccessPolicy::Edit,
        AccessScope::Namespaces(vec!["apps".into(), "team-*".into()]),
    );
    let t = Template::from_stack(&stack);
    t.resource_count_is("AWS::EKS::AccessEntry", 2);
    assert_eq!(
        resource(&t, "ClusterAccessSso")["Properties"],
        json!({
            "AccessPolicies": [{
                "AccessScope": {"Type": "cluster"},
                "PolicyArn": {"Fn::Sub": "arn:${AWS::Partition}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"}
            }],
            "ClusterName": {"Ref": "ClusterEB0386A7"},
            "PrincipalArn": sso,
            "Type": "STANDARD"
        })
    );
    assert_eq!(
        resource(&t, "ClusterAccessCi")["Properties"]["AccessPolicies"],
        json!([
            {"AccessScope": {"Namespaces": ["apps", "team-*"], "Type": "namespace"},
             "PolicyArn": {"Fn::Sub": "arn:${AWS::Partition}:eks::aws:cluster-access-policy/AmazonEKSEditPolicy"}},
            {"AccessScope": {"Type": "cluster"},
             "PolicyArn": {"Fn::Sub": "arn:${AWS::Partition}:eks::aws:cluster-access-policy/AmazonEKSAdminViewPolicy"}}
        ])
    );
    // Access entries need the API authentication mode, whatever the props say.
    let cluster = resource(&t, "ClusterEB0386A7");
    assert_eq!(
        cluster["Properties"]["AccessConfig"],
        json!({"AuthenticationMode": "API", "BootstrapClusterCreatorAdminPermissions": false})
    );
}

#[test]
fn cluster_options_render() {
    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    let role = Role::new(
        stack,
        "ControlPlane",
        Principal::service("eks.amazonaws.com"),
        RoleProps {
            path: Some("/shop/".into()),
            ..Default::default()
        },
    );
    let cluster = Cluster::new(
        stack,
        "Cluster",
        &imported_vpc(stack),
        ClusterProps {
            cluster_name: Some("shop".into()),
            version: KubernetesVersion::Other("1.36".into()),
            endpoint_access: EndpointAccess::Public(vec!["0.0.0.0/0".into()]),
            subnet_types: vec![
                cirrus_aws::ec2::SubnetType::PrivateWithEgress,
                cirrus_aws::ec2::SubnetType::Public,
            ],
            security_group_ids: vec!["sg-0123456789abcdef0".into()],
            authentication_mode: AuthenticationMode::ApiAndConfigMap,
            upgrade_support: UpgradeSupport::Extended,
            log_types: vec![],
            role: Some(role),
            ..Default::default()
        },
    );
    // Newer than the calendar the library pins: the app says EKS has it.
    cirrus_core::Construct::node(&cluster).acknowledge(
        codes::eks::KUBERNETES_VERSION_NEWER,
        "EKS released 1.36 after the calendar was pinned",
    );
    let t = Template::from_stack(&stack);
    let props = &resource(&t, "ClusterEB0386A7")["Properties"];
    assert_eq!(props["Version"], "1.36");
    assert_eq!(
        props["ResourcesVpcConfig"],
        json!({
            "EndpointPrivateAccess": false,
            "EndpointPublicAccess": true,
            "PublicAccessCidrs": ["0.0.0.0/0"],
            "SecurityGroupIds": ["sg-0123456789abcdef0"],
            "SubnetIds": ["subnet-0b000000000000000", "subnet-0b100000000000000",
                          "subnet-0a000000000000000", "subnet-0a100000000000000"]
        })
    );
    assert_eq!(
        props["AccessConfig"]["AuthenticationMode"],
        "API_AND_CONFIG_MAP"
    );
    assert_eq!(props["UpgradePolicy"]["SupportType"], "EXTENDED");
    let (role_id, role_resource) = typed(&t, "AWS::IAM::Role", "ControlPlane");
    assert_eq!(props["RoleArn"], json!({"Fn::GetAtt": [role_id, "Arn"]}));
    // No logging, so no log group; the given role got the cluster policy.
    assert!(props.get("Logging").is_none());
    t.resource_count_is("AWS::Logs::LogGroup", 0);
    assert_eq!(
        role_resource["Properties"]["ManagedPolicyArns"],
        json!([{"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/AmazonEKSClusterPolicy"}])
    );
}

#[test]
fn addons_and_nodegroups_are_ordered_whichever_comes_first() {
    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    let cluster = Cluster::new(
        stack,
        "Cluster",
        &imported_vpc(stack),
        ClusterProps::default(),
    );
    // Node group first, then the add-ons.
    Nodegroup::new(stack, "Nodes", &cluster, NodegroupProps::default());
    cluster.add_core_addons();
    cluster.add_addon(addons::METRICS_SERVER, AddonProps::default());
    cluster.add_addon(
        "my-daemonset",
        AddonProps {
            timing: AddonTiming::BeforeNodes,
            ..Default::default()
        },
    );
    // And a second node group after them.
    Nodegroup::new(stack, "More", &cluster, NodegroupProps::default());
    let t = Template::from_stack(&stack);
    let before = [
        "ClusterAddonEksPodIdentityAgent907B139B",
        "ClusterAddonKubeProxy186E451B",
        "ClusterAddonMyDaemonset",
        "ClusterAddonVpcCni6649BEA7",
    ];
    for nodes in ["Nodes66C30434", "More"] {
        let deps = depends_on(typed(&t, "AWS::EKS::Nodegroup", nodes).1);
        assert_eq!(deps.len(), 4, "{nodes}: {deps:?}");
        for (dep, expected) in deps.iter().zip(before) {
            assert!(dep.starts_with(expected), "{nodes}: {deps:?}");
        }
    }
    for addon in ["ClusterAddonCoredns", "ClusterAddonMetricsServer"] {
        let deps = depends_on(resource(&t, addon));
        assert_eq!(deps.len(), 2, "{addon}: {deps:?}");
        assert!(deps[0].starts_with("More") && deps[1].starts_with("Nodes"));
    }
    assert!(depends_on(resource(&t, "ClusterAddonVpcCni")).is_empty());
}

#[test]
fn a_nodegroup_in_another_stack_is_not_waited_for() {
    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    let cluster = Cluster::new(
        stack,
        "Cluster",
        &imported_vpc(stack),
        ClusterProps::default(),
    );
    cluster.add_core_addons();
    let other = app.stack("Nodes", StackProps::default());
    Nodegroup::new(other, "Nodes", &cluster, NodegroupProps::default());
    let out = app
        .synth()
        .unwrap_or_else(|e| panic!("{:#?}", e.diagnostics));
    let warnings: Vec<String> = out.warnings.iter().map(|d| d.message.clone()).collect();
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("add-on coredns is in another stack")),
        "{warnings:#?}"
    );
    let t = &Template::from_synthesized(&out, "Nodes");
    // The cross-stack dependency on the networking add-ons orders the stacks instead.
    assert!(depends_on(typed(t, "AWS::EKS::Nodegroup", "Nodes").1).is_empty());
    assert!(
        depends_on(resource(
            &Template::from_synthesized(&out, "S"),
            "ClusterAddonCoredns"
        ))
        .is_empty()
    );
}

#[test]
fn cluster_grants_and_names() {
    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    let cluster = Cluster::new(
        stack,
        "Cluster",
        &imported_vpc(stack),
        ClusterProps::default(),
    );
    let role = Role::new(
        stack,
        "Deploy",
        Principal::service("codebuild.amazonaws.com"),
        RoleProps::default(),
    );
    cluster.grant_describe(&role);
    let other = app.stack("Other", StackProps::default());
    let builder = Role::new(
        other,
        "Builder",
        Principal::service("codebuild.amazonaws.com"),
        RoleProps::default(),
    );
    Cluster::from_name(stack, "ImportedCluster", "yelp-search").grant_describe(&builder);
    let t = Template::from_stack(&stack);
    assert_eq!(
        resource(&t, "DeployDefaultPolicy")["Properties"]["PolicyDocument"]["Statement"],
        json!([{"Effect": "Allow", "Action": "eks:DescribeCluster",
                "Resource": {"Fn::GetAtt": ["ClusterEB0386A7", "Arn"]}}])
    );
    // By name, no reference to the cluster's stack: no export, no stack dependency.
    let o = Template::from_stack(&other);
    assert_eq!(
        resource(&o, "BuilderDefaultPolicy")["Properties"]["PolicyDocument"]["Statement"],
        json!([{"Effect": "Allow", "Action": "eks:DescribeCluster",
                "Resource": {"Fn::Sub": "arn:${AWS::Partition}:eks:${AWS::Region}:${AWS::AccountId}:cluster/yelp-search"}}])
    );
    assert!(t.to_json().get("Outputs").is_none());
    assert_eq!(
        resource(&t, "ClusterEB0386A7")["Properties"]["Name"],
        "S-Cluster"
    );
}

#[test]
fn container_fixtures_have_no_lambda_or_custom_resource() {
    let mut seen = 0;
    for fixture in fixtures::all()
        .into_iter()
        .filter(|f| f.name.starts_with("eks_") || f.name.starts_with("ecr_"))
    {
        let app = App::new("fixture");
        (fixture.build)(&app);
        let out = app
            .synth()
            .unwrap_or_else(|e| panic!("{:#?}", e.diagnostics));
        for stack in &out.stacks {
            for (id, r) in stack.template["Resources"].as_object().unwrap() {
                let t = r["Type"].as_str().unwrap();
                assert!(
                    !(t.starts_with("AWS::Lambda::")
                        || t.starts_with("Custom::")
                        || t == "AWS::CloudFormation::CustomResource"
                        || t == "AWS::CloudFormation::Stack"),
                    "{}: {id} is {t}",
                    fixture.name
                );
                seen += 1;
            }
        }
    }
    assert!(
        seen > 40,
        "the container fixtures have only {seen} resources"
    );
}

#[test]
fn repository_props_are_checked() {
    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    Repository::new(
        stack,
        "Named",
        RepositoryProps {
            repository_name: Some("Shop/API".into()),
            empty_on_delete: true,
            lifecycle_rules: vec![
                LifecycleRule::KeepLastImages(10),
                LifecycleRule::ExpireUntaggedAfterDays(0),
            ],
            ..Default::default()
        },
    );
    let repo = Repository::new(stack, "Public", RepositoryProps::default());
    repo.add_to_resource_policy(
        cirrus_aws::iam::PolicyStatement::allow()
            .principal(Principal::Anyone)
            .actions(["ecr:BatchGetImage"]),
    );
    let annotations = Annotations::from_app(&app);
    for needle in [
        "S/Named: repository name \"Shop/API\" must be lower-case letters and digits",
        "S/Named: empty_on_delete only applies to a repository that is deleted",
        "S/Named: lifecycle rule 1 (KeepLastImages) must be the last rule",
        "S/Named: lifecycle rule 2 (expire untagged images 0 days after push) counts 0",
        "S/Public: the repository policy would let anyone use the repository",
    ] {
        let (path, message) = needle.split_once(": ").unwrap();
        annotations.has_error(path, message);
    }
}

#[test]
fn repository_options_render() {
    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    let key = Key::new(stack, "Key", KeyProps::default());
    Repository::new(
        stack,
        "Cache",
        RepositoryProps {
            tag_mutability: TagMutability::Mutable,
            scan_on_push: false,
            encryption: RepositoryEncryption::Kms(key),
            removal_policy: RemovalPolicy::Destroy,
            ..Default::default()
        },
    );
    let t = Template::from_stack(&stack);
    let cache = resource(&t, "Cache");
    assert_eq!(
        cache["Properties"],
        json!({
            "EncryptionConfiguration": {"EncryptionType": "KMS",
                                        "KmsKey": {"Fn::GetAtt": ["Key961B73FD", "Arn"]}},
            "ImageScanningConfiguration": {"ScanOnPush": false},
            "ImageTagMutability": "MUTABLE"
        })
    );
    assert_eq!(cache["DeletionPolicy"], "Delete");
}

#[test]
fn repository_grants_are_scoped_and_the_token_stands_alone() {
    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    let repo = Repository::new(stack, "Images", RepositoryProps::default());
    let puller = Role::new(
        stack,
        "Puller",
        Principal::service("ec2.amazonaws.com"),
        RoleProps::default(),
    );
    repo.grant_pull(&puller);
    let pusher = Role::new(
        stack,
        "Pusher",
        Principal::service("codebuild.amazonaws.com"),
        RoleProps::default(),
    );
    repo.grant_push(&pusher);
    Repository::from_name(stack, "ImportedRepository", "team/base").grant_push(&pusher);
    let t = Template::from_stack(&stack);
    let arn = json!({"Fn::GetAtt": ["Images2D38C313", "Arn"]});
    assert_eq!(
        resource(&t, "PullerDefaultPolicy")["Properties"]["PolicyDocument"]["Statement"],
        json!([
            {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
            {"Effect": "Allow",
             "Action": ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"],
             "Resource": arn}
        ])
    );
    assert_eq!(
        resource(&t, "PusherDefaultPolicy")["Properties"]["PolicyDocument"]["Statement"],
        json!([
            {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
            {"Effect": "Allow",
             "Action": ["ecr:BatchCheckLayerAvailability", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart",
                        "ecr:CompleteLayerUpload", "ecr:PutImage", "ecr:BatchGetImage"],
             "Resource": [arn, {"Fn::Sub": "arn:${AWS::Partition}:ecr:${AWS::Region}:${AWS::AccountId}:repository/team/base"}]}
        ])
    );
}

#[test]
fn repository_uris() {
    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    let repo = Repository::new(stack, "Images", RepositoryProps::default());
    stack.add_output("Uri", repo.uri_for_tag("v1"));
    stack.add_output(
        "Imported",
        Repository::from_name(stack, "ImportedRepository", "team/base").uri(),
    );
    let t = Template::from_stack(&stack);
    assert_eq!(
        t.to_json()["Outputs"]["Uri"]["Value"],
        json!({"Fn::Sub": "${Images2D38C313.RepositoryUri}:v1"})
    );
    assert_eq!(
        t.to_json()["Outputs"]["Imported"]["Value"],
        json!({"Fn::Sub": "${AWS::AccountId}.dkr.ecr.${AWS::Region}.${AWS::URLSuffix}/team/base"})
    );
}

#[test]
fn the_cluster_autoscaler_may_resize_only_this_clusters_node_groups() {
    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    let cluster = Cluster::new(
        stack,
        "Cluster",
        &imported_vpc(stack),
        ClusterProps {
            cluster_name: Some("shop".into()),
            ..Default::default()
        },
    );
    let role = Role::new(
        stack,
        "Autoscaler",
        Principal::service("pods.eks.amazonaws.com"),
        RoleProps::default(),
    );
    cluster.add_cluster_autoscaler(&role);
    let t = Template::from_stack(&stack);
    let resources = t.to_json()["Resources"].as_object().unwrap();
    let policy = resources
        .iter()
        .find(|(id, _)| id.starts_with("AutoscalerDefaultPolicy"))
        .map(|(_, r)| &r["Properties"]["PolicyDocument"]["Statement"])
        .unwrap();
    assert_eq!(
        policy[0]["Condition"],
        json!({"StringEquals": {"aws:ResourceTag/k8s.io/cluster-autoscaler/shop": "owned"}})
    );
    assert_eq!(
        policy[0]["Action"],
        json!([
            "autoscaling:SetDesiredCapacity",
            "autoscaling:TerminateInstanceInAutoScalingGroup"
        ])
    );
    assert!(
        policy[1]["Action"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a.as_str().unwrap().contains(":Describe"))
    );
    assert_eq!(
        policy[2]["Resource"],
        json!({"Fn::Sub": "arn:${AWS::Partition}:eks:${AWS::Region}:${AWS::AccountId}:nodegroup/shop/*"})
    );
    let association = resources
        .values()
        .find(|r| r["Type"] == "AWS::EKS::PodIdentityAssociation")
        .unwrap();
    assert_eq!(association["Properties"]["Namespace"], "kube-system");
    assert_eq!(
        association["Properties"]["ServiceAccount"],
        "cluster-autoscaler"
    );
}

#[test]
fn cluster_log_types_are_the_l1_enum_and_default_to_every_one() {
    // The L2 name is the generated enum itself, not a copy kept in step with it by hand.
    let every: &[cirrus_cfn::eks::cluster::LoggingTypeConfigType] =
        cirrus_aws::eks::ClusterLogType::values();
    assert_eq!(every.len(), 5);
    assert_eq!(ClusterProps::default().log_types, every);
}

/// A node group whose On-Demand Standard vCPUs at its desired size exceed the EC2 quota's
/// default (5 vCPUs) is a warning with the figure and the quota to raise; a small one, Spot
/// capacity, and families the quota does not count are not.
#[test]
fn node_groups_above_the_default_on_demand_quota_are_warned_about() {
    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    let cluster = Cluster::new(
        stack,
        "Cluster",
        &imported_vpc(stack),
        ClusterProps::default(),
    );
    let group = |id: &str, types: &[&str], desired: u32, capacity: CapacityType| {
        Nodegroup::new(
            stack,
            id,
            &cluster,
            NodegroupProps {
                instance_types: types.iter().map(|t| (*t).to_owned()).collect(),
                min_size: 1,
                desired_size: desired,
                max_size: desired.max(1) * 2,
                capacity_type: capacity,
                ..Default::default()
            },
        );
    };
    group("Large", &["m5.2xlarge"], 60, CapacityType::OnDemand);
    group("Small", &["t3.medium"], 2, CapacityType::OnDemand);
    group("Spot", &["m5.2xlarge"], 60, CapacityType::Spot);
    group("Gpu", &["g5.xlarge"], 4, CapacityType::OnDemand);
    let annotations = Annotations::from_app(&app);
    annotations.has_warning_code("S/Large", codes::eks::NODES_ABOVE_DEFAULT_QUOTA);
    let warning = &annotations.find_code("S/Large", codes::eks::NODES_ABOVE_DEFAULT_QUOTA)[0];
    assert!(warning.message.contains("480 vCPUs"), "{}", warning.message);
    assert!(
        warning.message.contains("L-1216C47A"),
        "{}",
        warning.message
    );
    for quiet in ["S/Small", "S/Spot", "S/Gpu"] {
        annotations.has_no_code(quiet, codes::eks::NODES_ABOVE_DEFAULT_QUOTA);
    }
}

#[test]
fn nodegroup_instance_types_are_checked_against_ec2s_list() {
    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    let cluster = Cluster::new(
        stack,
        "Cluster",
        &imported_vpc(stack),
        ClusterProps::default(),
    );
    let group = |id: &str, types: &[&str], ami_type: AmiType| {
        Nodegroup::new(
            stack,
            id,
            &cluster,
            NodegroupProps {
                instance_types: types.iter().map(|t| (*t).to_owned()).collect(),
                ami_type,
                ..Default::default()
            },
        );
    };
    // Shaped like instance types, unknown to EC2.
    group("Typo", &["m5.larg"], AmiType::default());
    group("NoSuchFamily", &["m7.large"], AmiType::default());
    group("Mac", &["mac2.metal"], AmiType::default());
    group(
        "Graviton",
        &["m7g.large", "c7gn.xlarge"],
        AmiType::Al2023Arm,
    );
    group("Intel", &["m6i.large", "t3.medium"], AmiType::default());
    let annotations = Annotations::from_app(&app);
    annotations.has_error_with_hint(
        "S/Typo",
        "\"m5.larg\" is not an EC2 instance type",
        "the closest instance types are \"m5.large\"",
    );
    annotations.has_error_code("S/NoSuchFamily", codes::eks::INSTANCE_TYPE_UNKNOWN);
    annotations.has_error(
        "S/Mac",
        "instance type mac2.metal is a Mac (macOS only) but the AMI type AL2023_x86_64_STANDARD is x86-64",
    );
    for fine in ["S/Graviton", "S/Intel"] {
        annotations.has_no_code(fine, codes::eks::INSTANCE_TYPE_UNKNOWN);
        annotations.has_no_code(fine, codes::eks::INSTANCE_ARCHITECTURE_MISMATCH);
    }
}

#[test]
fn kubernetes_versions_are_checked_against_the_eks_release_calendar() {
    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    let vpc = imported_vpc(stack);
    for (id, version) in [
        ("Ended", KubernetesVersion::Other("1.31".into())),
        ("Ancient", KubernetesVersion::Other("1.24".into())),
        ("Newer", KubernetesVersion::Other("1.37".into())),
        ("Extended", KubernetesVersion::V1_34),
        ("Current", KubernetesVersion::V1_35),
    ] {
        Cluster::new(
            stack,
            id,
            &vpc,
            ClusterProps {
                version,
                ..Default::default()
            },
        );
    }
    let annotations = Annotations::from_app(&app);
    annotations.has_error_with_hint(
        "S/Ended",
        "Kubernetes version 1.31 left EKS extended support on 2026-11-26",
        "use 1.35 (in standard support until 2027-03-27)",
    );
    annotations.has_error_code("S/Ancient", codes::eks::KUBERNETES_VERSION_UNSUPPORTED);
    annotations.has_error_with_hint(
        "S/Newer",
        "Kubernetes version 1.37 is newer than every version of EKS's release calendar",
        "acknowledge EKS-034 on the cluster",
    );
    annotations.has_warning(
        "S/Extended",
        "Kubernetes version 1.34 is in EKS extended support only (standard support ended 2026-12-02): the cluster is billed the extended support charge per cluster and hour on top of the standard one, and EKS upgrades it when extended support ends on 2027-12-02",
    );
    for code in [
        codes::eks::KUBERNETES_VERSION_UNSUPPORTED.code(),
        codes::eks::KUBERNETES_VERSION_NEWER.code(),
        codes::eks::KUBERNETES_VERSION_EXTENDED_SUPPORT.code(),
    ] {
        annotations.has_no_code("S/Current", code);
    }
}
