//! The in-VPC deployer of a private cluster's Kubernetes steps: created with the first step
//! when the endpoint is private, in the cluster's private subnets, reaching the API server
//! through the cluster security group, with a role that reads only its inputs and an access
//! entry; a buildspec that installs pinned, checksum-verified kubectl and helm; and the choice
//! per cluster.

mod fixtures;

use cirrus_aws::ec2::{ImportedVpc, Vpc, VpcAttributes};
use cirrus_aws::eks::k8s::Object;
use cirrus_aws::eks::{
    Cluster, ClusterProps, Digest, EndpointAccess, HELM, HelmChart, KUBECTL, WorkloadDeployer,
};
use cirrus_core::{App, StackProps, Synthesized, fns};
use fixtures::network::imported_vpc;
use serde_json::{Value as J, json};

fn namespace(name: &str) -> Result<Object, cirrus_aws::eks::k8s::ObjectError> {
    Object::untyped(
        json!({ "apiVersion": "v1", "kind": "Namespace", "metadata": { "name": name } }),
    )
}

/// A cluster named `shop` with a manifest and a release, as `props` make it.
fn app_with(props: ClusterProps<'static>, steps: bool) -> Synthesized {
    let app = Box::leak(Box::new(App::new("shop")));
    let stack = app.stack("Platform", StackProps::default());
    let cluster = Cluster::new(
        stack,
        "Cluster",
        &imported_vpc(stack),
        props.cluster_name("shop"),
    );
    cluster.add_core_addons();
    if steps {
        cluster.add_manifest("Namespace", [namespace("shop")]);
        cluster.add_helm_chart(
            "Flagger",
            HelmChart::new("https://flagger.app", "flagger", "1.38.0").namespace("shop"),
        );
    }
    app.synth()
        .unwrap_or_else(|e| panic!("{:#?}", e.diagnostics))
}

fn resources_of<'s>(synth: &'s Synthesized, kind: &str) -> Vec<(&'s String, &'s J)> {
    let template = &synth.stack("Platform").unwrap().template;
    template["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, r)| r["Type"] == kind)
        .collect()
}

fn project(synth: &Synthesized) -> Option<(&String, &J)> {
    let projects = resources_of(synth, "AWS::CodeBuild::Project");
    assert!(projects.len() <= 1, "{projects:?}");
    projects.into_iter().next()
}

#[test]
fn a_private_cluster_with_steps_gets_a_deployer_in_its_private_subnets() {
    let synth = app_with(ClusterProps::default(), true);
    let (id, project) = project(&synth).expect("a CodeBuild project");
    assert!(id.starts_with("ClusterDeployerProject"), "{id}");
    let props = &project["Properties"];
    assert_eq!(props["Source"]["Type"], "NO_SOURCE");
    assert_eq!(props["Artifacts"]["Type"], "NO_ARTIFACTS");
    // In the VPC, in its private subnets with egress, with the deployer's security group.
    let vpc = &props["VpcConfig"];
    assert_eq!(vpc["VpcId"], "vpc-0a1b2c3d4e5f60718");
    assert_eq!(vpc["Subnets"].as_array().unwrap().len(), 2, "{vpc}");
    let group = vpc["SecurityGroupIds"][0]["Fn::GetAtt"][0]
        .as_str()
        .unwrap();
    assert!(group.starts_with("ClusterDeployerSecurityGroup"), "{group}");
    // Logs go to its own encrypted log group.
    let logs = &props["LogsConfig"]["CloudWatchLogs"];
    assert_eq!(logs["Status"], "ENABLED");
    let log_group = logs["GroupName"]["Ref"].as_str().unwrap();
    let groups = resources_of(&synth, "AWS::Logs::LogGroup");
    let (_, group_resource) = groups.iter().find(|(id, _)| *id == log_group).unwrap();
    assert!(
        group_resource["Properties"].get("KmsKeyId").is_some(),
        "{group_resource}"
    );

    // The control plane admits the deployer's group on 443.
    let ingress = resources_of(&synth, "AWS::EC2::SecurityGroupIngress");
    let rule = ingress
        .iter()
        .map(|(_, r)| &r["Properties"])
        .find(|p| p["SourceSecurityGroupId"]["Fn::GetAtt"][0] == group)
        .expect("an ingress rule from the deployer");
    assert_eq!(
        (rule["FromPort"].clone(), rule["ToPort"].clone()),
        (json!(443), json!(443))
    );
    assert_eq!(
        rule["GroupId"]["Fn::GetAtt"][1], "ClusterSecurityGroupId",
        "{rule}"
    );
    // The deployer's group lets out only HTTPS.
    let groups = resources_of(&synth, "AWS::EC2::SecurityGroup");
    let (_, sg) = groups.iter().find(|(id, _)| *id == group).unwrap();
    assert_eq!(
        sg["Properties"]["SecurityGroupEgress"],
        json!([{ "CidrIp": "0.0.0.0/0", "Description": "HTTPS: the cluster API, AWS APIs, tool downloads and chart repositories", "FromPort": 443, "IpProtocol": "tcp", "ToPort": 443 }])
    );

    // The role: its inputs in the staging bucket, its logs, DescribeCluster on this cluster.
    let role = props["ServiceRole"]["Fn::GetAtt"][0].as_str().unwrap();
    let policies = resources_of(&synth, "AWS::IAM::Policy");
    let statements: Vec<&J> = policies
        .iter()
        .filter(|(_, p)| p["Properties"]["Roles"][0]["Ref"] == role)
        .flat_map(|(_, p)| {
            p["Properties"]["PolicyDocument"]["Statement"]
                .as_array()
                .unwrap()
        })
        .collect();
    let actions: Vec<String> = statements
        .iter()
        .flat_map(|s| match &s["Action"] {
            J::String(a) => vec![a.clone()],
            J::Array(a) => a.iter().map(|a| a.as_str().unwrap().to_owned()).collect(),
            _ => vec![],
        })
        .collect();
    assert!(
        actions.iter().all(|a| a.starts_with("logs:")
            || a.starts_with("ec2:")
            || a == "s3:GetObject"
            || a == "eks:DescribeCluster"),
        "{actions:?}"
    );
    let get = statements
        .iter()
        .find(|s| s["Action"] == "s3:GetObject")
        .expect("s3:GetObject");
    assert_eq!(
        get["Resource"]["Fn::Sub"],
        "arn:${AWS::Partition}:s3:::cirrus-staging-${AWS::AccountId}-${AWS::Region}/kubernetes/shop/*"
    );
    let describe = statements
        .iter()
        .find(|s| s["Action"] == "eks:DescribeCluster")
        .expect("eks:DescribeCluster");
    assert_eq!(describe["Resource"]["Fn::GetAtt"][1], "Arn", "{describe}");
    assert!(
        describe["Resource"]["Fn::GetAtt"][0]
            .as_str()
            .unwrap()
            .starts_with("Cluster"),
        "{describe}"
    );

    // An access entry for the role, with the cluster admin policy at cluster scope.
    let entries = resources_of(&synth, "AWS::EKS::AccessEntry");
    let entry = entries
        .iter()
        .map(|(_, e)| &e["Properties"])
        .find(|e| e["PrincipalArn"]["Fn::GetAtt"][0] == role)
        .expect("an access entry for the deployer's role");
    assert_eq!(
        entry["AccessPolicies"][0]["AccessScope"]["Type"], "cluster",
        "{entry}"
    );
    assert!(
        entry["AccessPolicies"][0]["PolicyArn"]["Fn::Sub"]
            .as_str()
            .unwrap()
            .ends_with("/AmazonEKSClusterAdminPolicy"),
        "{entry}"
    );

    // Every step names the project, which is named after the cluster (so that a delivery
    // pipeline in another stack can be allowed to start it by name).
    assert_eq!(project["Properties"]["Name"], "shop-deployer");
    for artifact in &synth.artifacts {
        let deployer = &artifact.properties["deployer"];
        assert_eq!(
            deployer["inputPrefix"], "kubernetes/shop/",
            "{}",
            artifact.id
        );
        assert_eq!(deployer["project"], "shop-deployer", "{}", artifact.id);
    }
}

#[test]
fn the_buildspec_installs_pinned_tools_checked_against_their_published_sums() {
    let synth = app_with(ClusterProps::default(), true);
    let (_, project) = project(&synth).unwrap();
    let spec = project["Properties"]["Source"]["BuildSpec"]
        .as_str()
        .unwrap();
    assert_eq!(
        KUBECTL.url,
        format!(
            "https://dl.k8s.io/v{}/kubernetes-client-linux-amd64.tar.gz",
            KUBECTL.version
        )
    );
    assert_eq!(
        HELM.url,
        format!(
            "https://get.helm.sh/helm-v{}-linux-amd64.tar.gz",
            HELM.version
        )
    );
    for (tool, check, len) in [(KUBECTL, "sha512sum", 128), (HELM, "sha256sum", 64)] {
        let sum = match tool.digest {
            Digest::Sha256(s) | Digest::Sha512(s) => s,
        };
        assert_eq!(sum.len(), len, "{}", tool.name);
        assert!(
            sum.chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
        let archive = format!("/tmp/cirrus-{}.tar.gz", tool.name);
        let download = format!("curl -fsSL --retry 3 -o {archive} {}", tool.url);
        let verify = format!("echo \"{sum}  {archive}\" | {check} -c -");
        let unpack = format!("tar -xzf {archive}");
        let (d, v, u) = (
            spec.find(&download)
                .unwrap_or_else(|| panic!("{download} in {spec}")),
            spec.find(&verify)
                .unwrap_or_else(|| panic!("{verify} in {spec}")),
            spec.find(&unpack)
                .unwrap_or_else(|| panic!("{unpack} in {spec}")),
        );
        // Nothing is unpacked before its sum is checked.
        assert!(d < v && v < u, "{spec}");
    }
    // The manifest step: same field manager and ApplySet parent as cirrus-kube.
    assert!(spec.contains("--server-side --force-conflicts --field-manager=cirrus --prune --applyset=\"configmaps/$parent\""), "{spec}");
    assert!(
        spec.contains("parent=\"cirrus-step-$CIRRUS_STEP\""),
        "{spec}"
    );
    assert!(spec.contains("KUBECTL_APPLYSET=true"), "{spec}");
    assert!(
        spec.contains(&format!(
            "applyset.kubernetes.io/tooling=kubectl/v{}",
            KUBECTL.version
        )),
        "{spec}"
    );
    // The release: atomic, with a timeout.
    assert!(
        spec.contains("helm upgrade --install \"$CIRRUS_RELEASE\""),
        "{spec}"
    );
    assert!(
        spec.contains("--atomic --wait --timeout \"${CIRRUS_TIMEOUT}s\""),
        "{spec}"
    );
    assert!(
        spec.contains("aws eks update-kubeconfig --name \"$CIRRUS_CLUSTER\""),
        "{spec}"
    );
}

#[test]
fn the_default_follows_the_endpoint_and_a_cluster_can_choose() {
    let public = || EndpointAccess::PublicAndPrivate(vec!["203.0.113.0/24".into()]);
    assert_eq!(
        WorkloadDeployer::for_endpoint(&EndpointAccess::Private),
        WorkloadDeployer::InVpc
    );
    assert_eq!(
        WorkloadDeployer::for_endpoint(&public()),
        WorkloadDeployer::Direct
    );
    assert_eq!(
        WorkloadDeployer::for_endpoint(&EndpointAccess::Public(vec!["203.0.113.0/24".into()])),
        WorkloadDeployer::Direct
    );

    // Reachable endpoint: direct, no project, no deployer property.
    let synth = app_with(ClusterProps::default().endpoint_access(public()), true);
    assert!(project(&synth).is_none());
    assert!(
        synth
            .artifacts
            .iter()
            .all(|a| !a.properties.contains_key("deployer"))
    );
    // Private, but the app deploys from inside the VPC itself: opted out.
    let synth = app_with(
        ClusterProps::default().workload_deployer(WorkloadDeployer::Direct),
        true,
    );
    assert!(project(&synth).is_none());
    assert!(
        synth
            .artifacts
            .iter()
            .all(|a| !a.properties.contains_key("deployer"))
    );
    // Reachable, but chosen explicitly.
    let synth = app_with(
        ClusterProps::default()
            .endpoint_access(public())
            .workload_deployer(WorkloadDeployer::InVpc),
        true,
    );
    assert!(project(&synth).is_some());
    assert!(
        synth
            .artifacts
            .iter()
            .all(|a| a.properties.contains_key("deployer"))
    );
    // A private cluster without steps needs no deployer.
    let synth = app_with(ClusterProps::default(), false);
    assert!(project(&synth).is_none());
}

#[test]
fn a_vpc_without_private_subnets_with_egress_is_reported_at_the_deployer() {
    let app = App::new("shop");
    let stack = app.stack("Platform", StackProps::default());
    let subnet = |i: i64, id: &str| {
        (
            id.into(),
            fns::select(i, fns::get_azs("")),
            "rtb-0123456789abcdef0".into(),
        )
    };
    let vpc: ImportedVpc = Vpc::from_attributes(
        stack,
        "Vpc",
        VpcAttributes {
            vpc_id: "vpc-0a1b2c3d4e5f60718".into(),
            cidr_block: "10.0.0.0/16".into(),
            public_subnets: vec![],
            private_subnets: vec![],
            isolated_subnets: vec![
                subnet(0, "subnet-0a1b2c3d4e5f60718"),
                subnet(1, "subnet-0f1e2d3c4b5a69788"),
            ],
        },
    );
    let cluster = Cluster::new(
        stack,
        "Cluster",
        &vpc,
        ClusterProps::default().subnet_types(vec![cirrus_aws::ec2::SubnetType::Isolated]),
    );
    cluster.add_manifest("Namespace", [namespace("shop")]);
    let err = app.synth().unwrap_err();
    let found = err
        .diagnostics
        .errors()
        .find(|d| d.code == cirrus_aws::codes::eks::DEPLOYER_SUBNETS_MISSING)
        .unwrap_or_else(|| panic!("{:#?}", err.diagnostics));
    assert_eq!(found.path, "Platform/Cluster/Deployer");
    assert!(
        found
            .hint
            .as_deref()
            .unwrap()
            .contains("WorkloadDeployer::Direct"),
        "{found:?}"
    );
}

/// Operators reach a private endpoint from a shell inside the VPC: a security group the
/// cluster admits on 443, allowed out on 443 only.
#[test]
fn operators_get_a_security_group_the_private_endpoint_admits() {
    let app = App::new("t");
    let stack = app.stack("P", StackProps::default());
    let vpc = imported_vpc(stack);
    let cluster = Cluster::new(stack, "Cluster", &vpc, ClusterProps::default());
    cluster.add_operator_access("Shell", &vpc);
    let synth = app
        .synth()
        .unwrap_or_else(|e| panic!("{:#?}", e.diagnostics));
    let resources = synth.stacks[0].template["Resources"].as_object().unwrap();
    let group_id = resources
        .iter()
        .find(|(id, r)| {
            id.starts_with("ClusterOperatorsShell") && r["Type"] == "AWS::EC2::SecurityGroup"
        })
        .map(|(id, _)| id.clone())
        .unwrap_or_else(|| panic!("no operators' group in {:?}", resources.keys()));
    let group = &resources[&group_id]["Properties"];
    assert_eq!(group["SecurityGroupEgress"][0]["FromPort"], 443);
    assert_eq!(group["SecurityGroupEgress"].as_array().unwrap().len(), 1);
    let ingress: Vec<&J> = resources
        .values()
        .filter(|r| {
            r["Type"] == "AWS::EC2::SecurityGroupIngress"
                && r["Properties"]["SourceSecurityGroupId"]["Fn::GetAtt"][0] == group_id.as_str()
        })
        .collect();
    assert_eq!(
        ingress.len(),
        1,
        "the cluster admits the operators' group once"
    );
    assert_eq!(ingress[0]["Properties"]["FromPort"], 443);
    assert_eq!(
        ingress[0]["Properties"]["GroupId"]["Fn::GetAtt"][1],
        "ClusterSecurityGroupId"
    );
}
