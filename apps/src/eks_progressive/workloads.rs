//! What runs on each environment's cluster, deployed by `cirrus deploy` after the stack
//! (production's private endpoint is reached through the cluster's in-VPC deployer): the
//! seed's Helm releases, pinned to exact chart versions, and podinfo under canary delivery.
//!
//! The seed: "Create a namespace “gloo-system” and Install Gloo with Helm Chart", "Install
//! Flagger and the Prometheus add-on in the same gloo-system namespace", "Create a namespace
//! “apps”, and applications and load testing service will be deployed into this namespace",
//! "Create a deployment and a horizontal pod autoscaler", "Use canary.yaml to create a canary
//! custom resource". The canary's analysis is the one of Flagger's "Gloo Canary Deployments"
//! tutorial (docs.flagger.app), which the seed follows: a check every 10 s, rollback after 5
//! failed checks, traffic to the canary in steps of 5 % up to 50 %, at least 99 % successful
//! requests over a minute and at most 500 ms per request over 30 s.

use std::collections::BTreeMap;

use cirrus_aws::ecr::Repository;
use cirrus_aws::eks::k8s::workload::{
    self, delayed, empty_dir, http_probe, labels, mount, tcp_port,
};
use cirrus_aws::eks::k8s::{Object, ObjectError, secure};
use cirrus_aws::eks::{Cluster, HelmChart};
use cirrus_aws::prelude::*;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Container, ContainerPort};
use k8s_openapi::api::networking::v1::{
    NetworkPolicy, NetworkPolicyIngressRule, NetworkPolicyPeer, NetworkPolicyPort,
    NetworkPolicySpec,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use serde_json::json;

use super::canary::{
    Alert, AlertProvider, AlertProviderSpec, Analysis, Canary, CanaryService, CanarySpec, Delegate,
    Matcher, Metric, NamespacedName, Reference, Route, SecretRef, ThresholdRange, VirtualHost,
    VirtualService, VirtualServiceSpec, Webhook, WebhookCommand,
};
use super::config::{
    APPS_NAMESPACE, CHARTS, EnvSpec, PODINFO_TAG, REGION, SLACK_PROVIDER, SLACK_SECRET,
};
use crate::external_secrets;

/// podinfo's HTTP port.
const PORT: i32 = 9898;

/// Adds the releases and objects of one environment to its cluster.
pub fn workloads(
    cluster: &Cluster<'_>,
    spec: &EnvSpec,
    cluster_name: &str,
    images: &Repository<'_>,
    slack_secret: &str,
) {
    let [gloo, flagger, autoscaler, loadtester] = CHARTS;
    let chart =
        |(repository, name, version): (&str, &str, &str)| HelmChart::new(repository, name, version);
    let gloo = cluster.add_helm_chart(
        "Gloo",
        chart(gloo)
            .namespace("gloo-system")
            .create_namespace(true)
            .crds(crds(
                "gateway.solo.io",
                &["Gateway", "RouteTable", "VirtualService"],
            )),
    );
    let flagger = cluster.add_helm_chart(
        "Flagger",
        chart(flagger)
            .namespace("gloo-system")
            .values(json!({
                "prometheus": { "install": true },
                "meshProvider": "gloo",
                "clusterName": cluster_name,
            }))
            .crds(crds(
                "flagger.app",
                &["Canary", "MetricTemplate", "AlertProvider"],
            )),
    );
    flagger.add_dependency(&gloo);
    // The role and its Pod Identity association are the stack's (`add_cluster_autoscaler`).
    cluster.add_helm_chart(
        "ClusterAutoscaler",
        chart(autoscaler).namespace("kube-system").values(json!({
            "autoDiscovery": { "clusterName": cluster_name },
            "awsRegion": REGION,
            "rbac": { "serviceAccount": { "name": "cluster-autoscaler" } },
        })),
    );

    // The role and its Pod Identity association are the stack's (`platform.rs`).
    // The role and its Pod Identity association are the stack's (`platform.rs`).
    let operator = cluster.add_helm_chart("ExternalSecrets", external_secrets::operator_chart());

    let namespace = workload::namespace(APPS_NAMESPACE);
    let apps = cluster.add_manifest("AppsNamespace", [Object::new(&namespace)]);
    let alerts = cluster.add_manifest("SlackAlerts", slack_alerts(slack_secret));
    alerts.add_dependency(&apps);
    alerts.add_dependency(&operator);
    alerts.add_dependency(&flagger);
    let tester = cluster.add_helm_chart(
        "LoadTester",
        chart(loadtester)
            .namespace(APPS_NAMESPACE)
            .release("flagger-loadtester"),
    );
    tester.add_dependency(&apps);

    let image = format!("{}:{PODINFO_TAG}", cluster.token(images.uri()));
    let account = workload::service_account("podinfo", APPS_NAMESPACE);
    let podinfo = cluster.add_manifest(
        "Podinfo",
        [
            Object::new(&account),
            Object::new(&deployment(image)),
            // Two to four podinfo pods, on CPU (Flagger's example: 99 % of the request).
            Object::new(&workload::cpu_autoscaler(
                meta("podinfo"),
                "podinfo",
                (2, 4),
                99,
            )),
            Object::new(&ingress_policy("podinfo")),
            Object::new(&ingress_policy("podinfo-primary")),
            Object::custom(&canary()),
            Object::custom(&virtual_service(spec)),
        ],
    );
    podinfo.add_dependency(&tester);
    podinfo.add_dependency(&alerts);
}

/// `(group, kind)` of a chart's custom resource definitions.
fn crds(group: &str, kinds: &[&str]) -> Vec<(String, String)> {
    kinds
        .iter()
        .map(|kind| (group.to_owned(), (*kind).to_owned()))
        .collect()
}

fn meta(name: &str) -> ObjectMeta {
    workload::meta(name, APPS_NAMESPACE)
}

/// podinfo from the environment's image repository, as Flagger's example runs it, locked
/// down: no token, no root, no privilege escalation, a read-only root filesystem (podinfo's
/// data directory is an `emptyDir`).
fn deployment(image: String) -> Deployment {
    let probe = |path: &str| delayed(http_probe(path, PORT), 5);
    let container = Container {
        command: Some(
            [
                "./podinfo",
                "--port=9898",
                "--level=info",
                "--data-path=/data",
                "--random-delay=false",
                "--random-error=false",
            ]
            .map(String::from)
            .to_vec(),
        ),
        ports: Some(vec![ContainerPort {
            name: Some("http".into()),
            ..tcp_port(PORT)
        }]),
        readiness_probe: Some(probe("/readyz")),
        liveness_probe: Some(probe("/healthz")),
        resources: Some(secure::resources(("100m", "64Mi"), ("1000m", "256Mi"))),
        volume_mounts: Some(vec![mount("data", "/data")]),
        ..workload::container("podinfod", image)
    };
    let pod = workload::pod(Some("podinfo"), vec![container], vec![empty_dir("data")]);
    workload::deployment(meta("podinfo"), labels([("app", "podinfo")]), None, pod)
}

/// Who may reach podinfo's pods (`app` is `podinfo` for the canary, `podinfo-primary` for the
/// copy Flagger promotes): the gateway and Flagger's Prometheus in `gloo-system`, and the load
/// tester in `apps`, on podinfo's port only.
fn ingress_policy(app: &str) -> NetworkPolicy {
    let from_namespace = |name: &str| NetworkPolicyPeer {
        namespace_selector: Some(LabelSelector {
            match_labels: Some(BTreeMap::from([(
                "kubernetes.io/metadata.name".to_owned(),
                name.to_owned(),
            )])),
            ..Default::default()
        }),
        ..Default::default()
    };
    NetworkPolicy {
        metadata: meta(app),
        spec: Some(NetworkPolicySpec {
            pod_selector: Some(LabelSelector {
                match_labels: Some(BTreeMap::from([("app".to_owned(), app.to_owned())])),
                ..Default::default()
            }),
            policy_types: Some(vec!["Ingress".into()]),
            ingress: Some(vec![NetworkPolicyIngressRule {
                from: Some(vec![
                    from_namespace("gloo-system"),
                    from_namespace(APPS_NAMESPACE),
                ]),
                ports: Some(vec![NetworkPolicyPort {
                    port: Some(IntOrString::Int(PORT)),
                    protocol: Some("TCP".into()),
                    ..Default::default()
                }]),
            }]),
            ..Default::default()
        }),
    }
}

/// The load tester's address in the namespace.
const LOAD_TESTER: &str = "http://flagger-loadtester.apps/";

fn canary() -> Canary {
    let reference = |api_version: &str, kind: &str| Reference {
        api_version: api_version.into(),
        kind: kind.into(),
        name: "podinfo".into(),
    };
    let hook = |name: &str, kind: Option<&str>, timeout: &str, command: (&str, &str)| Webhook {
        name: name.into(),
        kind: kind.map(Into::into),
        url: LOAD_TESTER.into(),
        timeout: timeout.into(),
        metadata: WebhookCommand {
            kind: command.0.into(),
            cmd: command.1.into(),
        },
    };
    Canary {
        metadata: meta("podinfo"),
        spec: CanarySpec {
            provider: "gloo".into(),
            target_ref: reference("apps/v1", "Deployment"),
            autoscaler_ref: reference("autoscaling/v2", "HorizontalPodAutoscaler"),
            service: CanaryService {
                port: PORT,
                target_port: PORT,
            },
            analysis: Analysis {
                interval: "10s".into(),
                threshold: 5,
                max_weight: 50,
                step_weight: 5,
                metrics: vec![
                    Metric {
                        name: "request-success-rate".into(),
                        threshold_range: ThresholdRange {
                            min: Some(99.0),
                            max: None,
                        },
                        interval: "1m".into(),
                    },
                    Metric {
                        name: "request-duration".into(),
                        threshold_range: ThresholdRange {
                            min: None,
                            max: Some(500.0),
                        },
                        interval: "30s".into(),
                    },
                ],
                webhooks: vec![
                    hook(
                        "acceptance-test",
                        Some("pre-rollout"),
                        "10s",
                        (
                            "bash",
                            "curl -sd 'test' http://podinfo-canary.apps:9898/token | grep token",
                        ),
                    ),
                    hook(
                        "load-test",
                        None,
                        "5s",
                        (
                            "cmd",
                            "hey -z 2m -q 5 -c 5 -host podinfo.apps http://gateway-proxy.gloo-system",
                        ),
                    ),
                ],
                alerts: vec![Alert {
                    name: "slack".into(),
                    severity: "info".into(),
                    provider_ref: NamespacedName {
                        name: SLACK_PROVIDER.into(),
                        namespace: APPS_NAMESPACE.into(),
                    },
                }],
            },
        },
    }
}

/// The seed's Slack alerts ("--set slack.channel=general --set slack.user=flagger"), the
/// webhook address from the Kubernetes Secret the External Secrets Operator keeps equal to the
/// stack's Secrets Manager secret `secret_name` (its `address` key): the value is in no file.
fn slack_alerts(secret_name: &str) -> Vec<Result<Object, ObjectError>> {
    let provider = AlertProvider {
        metadata: meta(SLACK_PROVIDER),
        spec: AlertProviderSpec {
            kind: "slack".into(),
            channel: "general".into(),
            username: "flagger".into(),
            secret_ref: SecretRef {
                name: SLACK_SECRET.into(),
            },
        },
    };
    let mut objects = external_secrets::synced_secret(
        APPS_NAMESPACE,
        REGION,
        SLACK_SECRET,
        &[("address", secret_name, None)],
    );
    objects.push(Object::custom(&provider));
    objects
}

/// The gateway's route to podinfo: every path of the environment's domain goes to the route
/// table Flagger generates for the canary.
fn virtual_service(spec: &EnvSpec) -> VirtualService {
    VirtualService {
        metadata: meta("podinfo"),
        spec: VirtualServiceSpec {
            virtual_host: VirtualHost {
                domains: vec![spec.domain.into(), "podinfo.apps".into()],
                routes: vec![Route {
                    matchers: vec![Matcher { prefix: "/".into() }],
                    delegate_action: Delegate {
                        reference: NamespacedName {
                            name: "podinfo".into(),
                            namespace: APPS_NAMESPACE.into(),
                        },
                    },
                }],
            },
        },
    }
}
