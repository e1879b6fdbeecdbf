//! The bootstrap build: what the post runs by hand from a client machine (Helm installs of Gloo
//! Edge, Flagger with Prometheus, and the cluster autoscaler; the `apps` namespace), as a
//! CodeBuild project inside the VPC. Production's API server is private, so the installs must
//! run from inside the VPC; a build is auditable and leaves no instance to patch.
//!
//! Start it once per environment after the stack is deployed:
//! `aws codebuild start-build --project-name ps-eks-<env>-bootstrap`.
//! Set the Slack webhook first: `aws secretsmanager put-secret-value --secret-id
//! eks-progressive/<env>/slack-webhook --secret-string https://hooks.slack.com/services/...`.

use cirrus_aws::codebuild::{
    BuildEnv, BuildSpec, EnvVar, InlineBuildSpec, InstallPhase, Phase, Phases, Project,
    ProjectProps, ProjectVpc, Source,
};
use cirrus_aws::ec2::{
    ISecurityGroup, Peer, Port, SecurityGroup, SecurityGroupProps, SubnetType, Vpc,
};
use cirrus_aws::eks::{AccessPolicy, AccessScope, Cluster, ICluster};
use cirrus_aws::secretsmanager::{Secret, SecretProps};
use cirrus_core::prelude::*;

use super::config::{EnvSpec, HELM_CHARTS, HELM_VERSION, KUBECTL_VERSION};

/// Adds the bootstrap project of one environment; returns it.
pub fn bootstrap<'a>(
    stack: Stack<'a>,
    spec: &EnvSpec,
    vpc: &Vpc<'a>,
    cluster: &Cluster<'a>,
    cluster_name: &str,
) -> Project<'a> {
    // The post passes the webhook on the helm command line ("--set slack.url=..."); here it
    // lives in Secrets Manager and reaches the build as a masked variable.
    let slack = Secret::new(
        stack,
        "SlackWebhook",
        SecretProps {
            secret_name: Some(format!("eks-progressive/{}/slack-webhook", spec.name)),
            description: Some("Flagger's Slack webhook URL; set the value out of band".into()),
            ..Default::default()
        },
    );

    let group = SecurityGroup::new(
        stack,
        "BootstrapSecurityGroup",
        vpc,
        "bootstrap builds: helm and kubectl against the cluster",
        SecurityGroupProps::default(),
    );
    group.add_egress_rule(
        Peer::AnyIpv4,
        Port::Tcp(443),
        "HTTPS: chart repositories, AWS APIs, the cluster API",
    );
    cluster.allow_api_from(
        "Bootstrap",
        Peer::SecurityGroup(group.id()),
        "bootstrap builds",
    );

    let charts: Vec<String> = HELM_CHARTS
        .iter()
        .map(|(repo, url)| format!("helm repo add {repo} {url}"))
        .collect();
    let mut build = charts;
    build.extend([
        "helm repo update".to_owned(),
        "kubectl create namespace gloo-system --dry-run=client -o yaml | kubectl apply -f -".to_owned(),
        "helm upgrade -i gloo gloo/gloo --namespace gloo-system --wait".to_owned(),
        "helm upgrade -i flagger flagger/flagger --namespace gloo-system --set prometheus.install=true --set meshProvider=gloo --set slack.url=\"$SLACK_URL\" --set slack.channel=general --set slack.user=flagger --set clusterName=\"$CLUSTER_NAME\"".to_owned(),
        "helm upgrade -i cluster-autoscaler autoscaler/cluster-autoscaler --namespace kube-system --set autoDiscovery.clusterName=\"$CLUSTER_NAME\" --set awsRegion=\"$AWS_REGION\" --set rbac.serviceAccount.name=cluster-autoscaler".to_owned(),
        "kubectl create namespace apps --dry-run=client -o yaml | kubectl apply -f -".to_owned(),
    ]);
    let project = Project::new(
        stack,
        "Bootstrap",
        ProjectProps {
            project_name: Some(format!("{cluster_name}-bootstrap")),
            description: Some(format!(
                "installs Gloo Edge, Flagger and the autoscaler on {cluster_name}"
            )),
            source: Source::None,
            build_spec: BuildSpec::inline(InlineBuildSpec {
                env: BuildEnv {
                    shell: Some("bash".into()),
                    variables: vec![
                        ("CLUSTER_NAME".into(), EnvVar::plain(cluster_name)),
                        ("SLACK_URL".into(), EnvVar::secret(&slack)),
                    ],
                    ..Default::default()
                },
                phases: Phases {
                    install: Some(InstallPhase {
                        commands: vec![
                            format!(
                                "curl -fsSLO https://dl.k8s.io/release/{KUBECTL_VERSION}/bin/linux/amd64/kubectl"
                            ),
                            format!(
                                "curl -fsSLO https://dl.k8s.io/release/{KUBECTL_VERSION}/bin/linux/amd64/kubectl.sha256"
                            ),
                            "echo \"$(cat kubectl.sha256)  kubectl\" | sha256sum --check".into(),
                            "install -m 0755 kubectl /usr/local/bin/kubectl".into(),
                            format!(
                                "curl -fsSLO https://get.helm.sh/helm-{HELM_VERSION}-linux-amd64.tar.gz"
                            ),
                            format!(
                                "curl -fsSLO https://get.helm.sh/helm-{HELM_VERSION}-linux-amd64.tar.gz.sha256sum"
                            ),
                            format!(
                                "sha256sum --check helm-{HELM_VERSION}-linux-amd64.tar.gz.sha256sum"
                            ),
                            format!(
                                "tar -xzf helm-{HELM_VERSION}-linux-amd64.tar.gz && install -m 0755 linux-amd64/helm /usr/local/bin/helm"
                            ),
                        ],
                        ..Default::default()
                    }),
                    pre_build: Some(Phase::commands([
                        "aws eks update-kubeconfig --name \"$CLUSTER_NAME\" --region \"$AWS_REGION\"",
                    ])),
                    build: Some(Phase::commands(build)),
                    post_build: None,
                },
                ..Default::default()
            }),
            vpc: Some(ProjectVpc::new(vpc, SubnetType::PrivateWithEgress, &group)),
            role_path: Some("/eks-progressive/".into()),
            ..Default::default()
        },
    );
    // Installing charts creates namespaces, CRDs and cluster roles: cluster admin.
    cluster.grant_access(
        "Bootstrap",
        project.role().arn(),
        AccessPolicy::ClusterAdmin,
        AccessScope::Cluster,
    );
    cluster.grant_describe(&project);
    project
}
