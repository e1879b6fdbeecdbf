//! Kubernetes on the cluster: manifests, Helm releases and Pod Identity service accounts as
//! artifacts of the app, with AWS values as tokens, ordered, and checked at synthesis.

mod fixtures;

use std::collections::BTreeMap;

use cirrus_aws::ecr::{IRepository, Repository, RepositoryProps};
use cirrus_aws::eks::k8s::{CustomResource, Object};
use cirrus_aws::eks::{Cluster, ClusterProps, HelmChart, Nodegroup, NodegroupProps};
use cirrus_aws::s3::{Bucket, BucketProps, IBucket};
use cirrus_core::{App, StackProps, Synthesized};
use fixtures::network::imported_vpc;
use k8s_openapi::api::apps::v1::{Deployment, DeploymentSpec};
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::core::v1::{
    Capabilities, Container, ContainerPort, HTTPGetAction, Namespace, PodSecurityContext, PodSpec,
    PodTemplateSpec, Probe, ResourceRequirements, SeccompProfile, SecurityContext, Service,
    ServicePort, ServiceSpec,
};
use k8s_openapi::api::networking::v1::{
    NetworkPolicy, NetworkPolicyIngressRule, NetworkPolicyPort, NetworkPolicySpec,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use serde::Serialize;
use serde_json::json;

fn meta(name: &str, namespace: Option<&str>) -> ObjectMeta {
    ObjectMeta {
        name: Some(name.into()),
        namespace: namespace.map(Into::into),
        labels: Some(BTreeMap::from([("app".into(), name.into())])),
        ..Default::default()
    }
}

fn quantities(cpu: &str, memory: &str) -> BTreeMap<String, Quantity> {
    BTreeMap::from([
        ("cpu".into(), Quantity(cpu.into())),
        ("memory".into(), Quantity(memory.into())),
    ])
}

fn probe(path: &str) -> Probe {
    Probe {
        http_get: Some(HTTPGetAction {
            path: Some(path.into()),
            port: IntOrString::Int(8080),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// Only the load balancer's traffic reaches the API's port.
fn network_policy() -> NetworkPolicy {
    NetworkPolicy {
        metadata: meta("api", Some("shop")),
        spec: Some(NetworkPolicySpec {
            pod_selector: Some(LabelSelector {
                match_labels: Some(BTreeMap::from([("app".into(), "api".into())])),
                ..Default::default()
            }),
            policy_types: Some(vec!["Ingress".into()]),
            ingress: Some(vec![NetworkPolicyIngressRule {
                ports: Some(vec![NetworkPolicyPort {
                    port: Some(IntOrString::Int(8080)),
                    protocol: Some("TCP".into()),
                    ..Default::default()
                }]),
                ..Default::default()
            }]),
            ..Default::default()
        }),
    }
}

/// A Deployment that passes every check: resources, probe, non-root, read-only root.
fn deployment(image: String, service_account: &str) -> Deployment {
    Deployment {
        metadata: meta("api", Some("shop")),
        spec: Some(DeploymentSpec {
            selector: LabelSelector {
                match_labels: Some(BTreeMap::from([("app".into(), "api".into())])),
                ..Default::default()
            },
            template: PodTemplateSpec {
                metadata: Some(meta("api", None)),
                spec: Some(PodSpec {
                    service_account_name: Some(service_account.into()),
                    // Pod Identity mounts its own token; the Kubernetes API token is not needed.
                    automount_service_account_token: Some(false),
                    security_context: Some(PodSecurityContext {
                        run_as_non_root: Some(true),
                        run_as_user: Some(10001),
                        seccomp_profile: Some(SeccompProfile {
                            type_: "RuntimeDefault".into(),
                            ..Default::default()
                        }),
                        ..Default::default()
                    }),
                    containers: vec![Container {
                        name: "api".into(),
                        image: Some(image),
                        ports: Some(vec![ContainerPort {
                            container_port: 8080,
                            ..Default::default()
                        }]),
                        resources: Some(ResourceRequirements {
                            requests: Some(quantities("250m", "256Mi")),
                            limits: Some(quantities("500m", "512Mi")),
                            ..Default::default()
                        }),
                        readiness_probe: Some(probe("/ready")),
                        liveness_probe: Some(probe("/health")),
                        security_context: Some(SecurityContext {
                            run_as_non_root: Some(true),
                            read_only_root_filesystem: Some(true),
                            allow_privilege_escalation: Some(false),
                            privileged: Some(false),
                            capabilities: Some(Capabilities {
                                drop: Some(vec!["ALL".into()]),
                                ..Default::default()
                            }),
                            ..Default::default()
                        }),
                        ..Default::default()
                    }],
                    ..Default::default()
                }),
            },
            ..Default::default()
        }),
        ..Default::default()
    }
}

fn service() -> Service {
    Service {
        metadata: meta("api", Some("shop")),
        spec: Some(ServiceSpec {
            selector: Some(BTreeMap::from([("app".into(), "api".into())])),
            ports: Some(vec![ServicePort {
                port: 80,
                target_port: Some(IntOrString::Int(8080)),
                ..Default::default()
            }]),
            ..Default::default()
        }),
        ..Default::default()
    }
}

fn autoscaler() -> HorizontalPodAutoscaler {
    cirrus_aws::eks::k8s::workload::cpu_autoscaler(meta("api", Some("shop")), "api", (2, 10), 70)
}

/// Flagger's Canary, as an app writes a custom resource.
#[derive(Serialize)]
struct Canary {
    metadata: ObjectMeta,
    spec: serde_json::Value,
}

impl CustomResource for Canary {
    const API_VERSION: &'static str = "flagger.app/v1beta1";
    const KIND: &'static str = "Canary";
    const NAMESPACED: bool = true;
}

fn file<'s>(synth: &'s Synthesized, name: &str) -> &'s str {
    let names: Vec<&str> = synth
        .artifacts
        .iter()
        .flat_map(|a| a.files.iter().map(|(n, _)| n.as_str()))
        .collect();
    let (_, bytes) = synth
        .artifacts
        .iter()
        .flat_map(|a| &a.files)
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no file {name} among {names:?}"));
    std::str::from_utf8(bytes).unwrap()
}

fn artifact<'s>(synth: &'s Synthesized, id: &str) -> &'s cirrus_core::DeployArtifact {
    synth
        .artifacts
        .iter()
        .find(|a| a.id == id)
        .unwrap_or_else(|| panic!("no artifact {id}"))
}

/// The app of the guide: a Deployment with an image of the app's repository, a Service, an
/// HPA, a service account with a bucket grant, a pinned chart, and a custom resource.
fn shop() -> App {
    let app = App::new("shop");
    let images = app.stack("Images", StackProps::default());
    let repo = Repository::new(images, "Api", RepositoryProps::default());
    let platform = app.stack("Platform", StackProps::default());
    let vpc = imported_vpc(platform);
    let cluster = Cluster::new(platform, "Cluster", &vpc, ClusterProps::default());
    cluster.add_core_addons();
    Nodegroup::new(platform, "Nodes", &cluster, NodegroupProps::default());
    let data = Bucket::new(platform, "Data", BucketProps::default());

    cluster.add_manifest(
        "Namespace",
        [Object::new(&Namespace {
            metadata: meta("shop", None),
            ..Default::default()
        })],
    );
    let sa = cluster.add_service_account("shop", "api");
    data.grant_read(&sa);
    let image = format!("{}:v1", cluster.token(repo.uri()));
    cluster.add_helm_chart(
        "Flagger",
        HelmChart::new("https://flagger.app", "flagger", "1.38.0")
            .namespace("flagger-system")
            .create_namespace(true)
            .crds([("flagger.app".to_owned(), "Canary".to_owned())])
            .values(json!({ "meshProvider": "gloo", "metricsServer": "http://prometheus:9090" })),
    );
    cluster.add_manifest(
        "Api",
        [
            Object::new(&deployment(image, &sa.name())),
            Object::new(&service()),
            Object::new(&autoscaler()),
            Object::new(&network_policy()),
            Object::custom(&Canary {
                metadata: meta("api", Some("shop")),
                spec: json!({ "targetRef": { "apiVersion": "apps/v1", "kind": "Deployment", "name": "api" } }),
            }),
        ],
    );
    app
}

#[test]
fn a_workload_with_an_app_image_a_service_account_and_a_chart() {
    let app = shop();
    let synth = app
        .synth()
        .unwrap_or_else(|e| panic!("{:?}", e.diagnostics));

    // The order: namespace, then the service account and the chart, then the workload.
    let ids: Vec<&str> = synth.artifacts.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "Platform-Cluster-Kubernetes-Namespace",
            "Platform-Cluster-Kubernetes-shop-api",
            "Platform-Cluster-Kubernetes-Flagger",
            "Platform-Cluster-Kubernetes-Api",
        ]
    );
    let deployed = artifact(&synth, "Platform-Cluster-Kubernetes-Api");
    assert_eq!(deployed.kind, "cirrus:kubernetes-manifest");
    assert_eq!(
        deployed.dependencies,
        [
            "Images",
            "Platform",
            "Platform-Cluster-Kubernetes-Flagger",
            "Platform-Cluster-Kubernetes-Namespace",
            "Platform-Cluster-Kubernetes-shop-api",
        ]
    );
    assert_eq!(
        deployed.properties["objects"],
        json!([
            "NetworkPolicy shop/api",
            "Service shop/api",
            "Deployment shop/api",
            "HorizontalPodAutoscaler shop/api",
            "Canary shop/api"
        ])
    );
    let text = file(&synth, "Platform-Cluster-Kubernetes-Api.yaml");
    let (key, value) = deployed
        .values
        .iter()
        .find(|(_, v)| v.stack == "Images")
        .expect("the image's value");
    assert!(
        text.contains(&format!("image: ${{cirrus:{key}}}:v1")),
        "{text}"
    );
    assert!(value.source.contains("Images/Api/Resource"), "{value:?}");
    // The repository URI is an output of the images stack, read by the runner.
    let outputs = synth.stack("Images").unwrap().template["Outputs"].clone();
    assert!(
        outputs[&value.output]["Value"]["Fn::GetAtt"][1] == "RepositoryUri",
        "{outputs}"
    );

    // The service account: a role bound through Pod Identity, with the grant on it.
    let template = &synth.stack("Platform").unwrap().template;
    let association = template["Resources"]
        .as_object()
        .unwrap()
        .values()
        .find(|r| r["Type"] == "AWS::EKS::PodIdentityAssociation")
        .expect("association");
    assert_eq!(association["Properties"]["Namespace"], "shop");
    assert_eq!(association["Properties"]["ServiceAccount"], "api");
    let policy = template["Resources"]
        .as_object()
        .unwrap()
        .iter()
        .find(|(id, r)| {
            id.starts_with("ClusterServiceAccountsshopapiRoleDefaultPolicy")
                && r["Type"] == "AWS::IAM::Policy"
        })
        .map(|(_, r)| r)
        .expect("the role's default policy");
    assert!(policy.to_string().contains("s3:GetObject"), "{policy}");
    let sa_text = file(&synth, "Platform-Cluster-Kubernetes-shop-api.yaml");
    assert!(sa_text.contains("kind: ServiceAccount"), "{sa_text}");

    // The chart: pinned, its values reviewable.
    let chart = artifact(&synth, "Platform-Cluster-Kubernetes-Flagger");
    assert_eq!(chart.kind, "cirrus:helm-release");
    assert_eq!(chart.properties["version"], "1.38.0");
    assert_eq!(
        chart.properties["chart"],
        json!({ "repository": "https://flagger.app", "name": "flagger" })
    );
    let values = file(&synth, "Platform-Cluster-Kubernetes-Flagger.values.yaml");
    assert!(values.contains("meshProvider: gloo"), "{values}");
    assert!(
        chart.properties["cluster"]
            .as_str()
            .unwrap()
            .starts_with("${cirrus:Platform.")
    );
}

#[test]
fn bad_objects_and_charts_fail_synth_at_their_path() {
    let app = App::new("bad");
    let platform = app.stack("Platform", StackProps::default());
    let vpc = imported_vpc(platform);
    let cluster = Cluster::new(platform, "Cluster", &vpc, ClusterProps::default());
    cluster.add_core_addons();
    // No namespace "shop" anywhere, and an image by "latest".
    let mut bad = deployment("nginx:latest".into(), "default");
    bad.metadata.name = Some("web".into());
    cluster.add_manifest("Web", [Object::new(&bad)]);
    cluster.add_manifest("Broken", [Object::untyped(json!({ "kind": "ConfigMap" }))]);
    cluster.add_helm_chart(
        "Loose",
        HelmChart::new("http://charts.example.com", "thing", "^1.2"),
    );
    let err = app.synth().unwrap_err();
    let at = |path: &str, needle: &str| {
        err.diagnostics.errors().any(|d| {
            d.path == path
                && (d.message.contains(needle) || d.hint.as_deref().unwrap_or("").contains(needle))
        })
    };
    assert!(
        at("Platform/Cluster/Kubernetes/Web", "shop"),
        "{:?}",
        err.diagnostics
    );
    assert!(
        at("Platform/Cluster/Kubernetes/Web", "latest"),
        "{:?}",
        err.diagnostics
    );
    assert!(
        at("Platform/Cluster/Kubernetes/Broken", "object 1"),
        "{:?}",
        err.diagnostics
    );
    assert!(
        at("Platform/Cluster/Kubernetes/Loose", "not an exact version"),
        "{:?}",
        err.diagnostics
    );
    assert!(
        at("Platform/Cluster/Kubernetes/Loose", "https://"),
        "{:?}",
        err.diagnostics
    );
}

#[test]
fn service_accounts_need_the_pod_identity_agent() {
    let app = App::new("agent");
    let platform = app.stack("Platform", StackProps::default());
    let vpc = imported_vpc(platform);
    let cluster = Cluster::new(platform, "Cluster", &vpc, ClusterProps::default());
    cluster.add_service_account("kube-system", "worker");
    let err = app.synth().unwrap_err();
    assert!(
        err.diagnostics
            .errors()
            .any(|d| d.path == "Platform/Cluster" && d.message.contains("eks-pod-identity-agent")),
        "{:?}",
        err.diagnostics
    );
    cluster.add_core_addons();
    assert!(app.synth().is_ok());
}

#[test]
fn explicit_dependencies_between_steps_and_their_cycles() {
    let app = App::new("cycle");
    let platform = app.stack("Platform", StackProps::default());
    let vpc = imported_vpc(platform);
    let cluster = Cluster::new(platform, "Cluster", &vpc, ClusterProps::default());
    cluster.add_core_addons();
    let ns = |name: &str| {
        Object::new(&Namespace {
            metadata: meta(name, None),
            ..Default::default()
        })
    };
    let a = cluster.add_manifest("A", [ns("a")]);
    let b = cluster.add_manifest("B", [ns("b")]);
    a.add_dependency(&b);
    let synth = app.synth().expect("synth");
    let ids: Vec<&str> = synth.artifacts.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "Platform-Cluster-Kubernetes-B",
            "Platform-Cluster-Kubernetes-A"
        ]
    );
    b.add_dependency(&a);
    let err = app.synth().unwrap_err();
    assert!(
        err.diagnostics.errors().any(|d| d.message.contains(
            "Platform/Cluster/Kubernetes/A -> Platform/Cluster/Kubernetes/B -> Platform/Cluster/Kubernetes/A"
        )),
        "{:?}",
        err.diagnostics
    );
}

#[test]
fn the_objects_pass_kubernetes_validate_and_checkov() {
    let validate = cirrus_scan::tool("CIRRUS_KUBERNETES_VALIDATE");
    let checkov = cirrus_scan::tool("CIRRUS_CHECKOV");
    if validate.is_none() && checkov.is_none() {
        return;
    }
    let synth = shop().synth().expect("synth");
    // Not a hidden folder (tempdir()'s ".tmp..."): checkov skips those.
    let dir = tempfile::Builder::new()
        .prefix("cirrus-k8s-")
        .tempdir()
        .unwrap();
    let mut files = Vec::new();
    for artifact in synth
        .artifacts
        .iter()
        .filter(|a| a.kind == "cirrus:kubernetes-manifest")
    {
        for (name, bytes) in &artifact.files {
            let path = dir.path().join(name);
            std::fs::write(&path, bytes).unwrap();
            files.push(path);
        }
    }
    assert_eq!(files.len(), 3, "{files:?}");
    if let Some(validate) = validate {
        cirrus_scan::kubernetes_validate(&validate, "1.35.0", &files)
            .unwrap_or_else(|e| panic!("{e}"));
    }
    if let Some(checkov) = checkov {
        let skips = cirrus_scan::workspace_skips().unwrap();
        match cirrus_scan::checkov_kubernetes(&checkov, dir.path(), &skips, "constructs-kubernetes")
        {
            Ok(passed) => assert!(passed > 0, "checkov checked nothing"),
            Err(e) => panic!("{e}"),
        }
    }
}

#[test]
fn steps_deploy_after_node_groups_in_other_stacks() {
    let app = App::new("nodes");
    let platform = app.stack("Platform", StackProps::default());
    let vpc = imported_vpc(platform);
    let cluster = Cluster::new(platform, "Cluster", &vpc, ClusterProps::default());
    cluster.add_core_addons();
    cluster.add_manifest(
        "Ns",
        [Object::new(&Namespace {
            metadata: meta("shop", None),
            ..Default::default()
        })],
    );
    let compute = app.stack("Compute", StackProps::default());
    Nodegroup::new(compute, "Nodes", &cluster, NodegroupProps::default());
    let synth = app
        .synth()
        .unwrap_or_else(|e| panic!("{:?}", e.diagnostics));
    assert_eq!(synth.artifacts[0].dependencies, ["Compute", "Platform"]);
}

fn load_balancer(annotations: &[(&str, &str)]) -> Service {
    let mut service = service();
    service.metadata.namespace = Some("default".into());
    service.metadata.annotations = Some(
        annotations
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
    );
    if let Some(spec) = service.spec.as_mut() {
        spec.type_ = Some("LoadBalancer".into());
    }
    service
}

#[test]
fn a_cluster_that_asks_for_internal_tls_load_balancers_gets_them_checked() {
    let app = App::new("lb");
    let platform = app.stack("Platform", StackProps::default());
    let vpc = imported_vpc(platform);
    let cluster = Cluster::new(
        platform,
        "Cluster",
        &vpc,
        ClusterProps::default()
            .internal_load_balancers(true)
            .load_balancer_tls(true),
    );
    cluster.add_core_addons();
    cluster.add_manifest("Open", [Object::new(&load_balancer(&[]))]);
    let err = app.synth().unwrap_err();
    let at_open: Vec<_> = err
        .diagnostics
        .errors()
        .filter(|d| d.path == "Platform/Cluster/Kubernetes/Open")
        .collect();
    assert_eq!(at_open.len(), 2, "internal and TLS: {at_open:?}");

    let app = App::new("lb");
    let platform = app.stack("Platform", StackProps::default());
    let vpc = imported_vpc(platform);
    let cluster = Cluster::new(
        platform,
        "Cluster",
        &vpc,
        ClusterProps::default()
            .internal_load_balancers(true)
            .load_balancer_tls(true),
    );
    cluster.add_core_addons();
    cluster.add_manifest(
        "Closed",
        [Object::new(&load_balancer(&[
            ("service.beta.kubernetes.io/aws-load-balancer-scheme", "internal"),
            (
                "service.beta.kubernetes.io/aws-load-balancer-ssl-cert",
                "arn:aws:acm:us-east-1:111122223333:certificate/0f3b1c4e-1111-2222-3333-444455556666",
            ),
        ]))],
    );
    app.synth()
        .unwrap_or_else(|e| panic!("{:?}", e.diagnostics));
}

#[test]
fn a_duplicate_across_manifests_names_both_places() {
    let app = App::new("dup");
    let platform = app.stack("Platform", StackProps::default());
    let vpc = imported_vpc(platform);
    let cluster = Cluster::new(platform, "Cluster", &vpc, ClusterProps::default());
    cluster.add_core_addons();
    let ns = || {
        Object::new(&Namespace {
            metadata: meta("shop", None),
            ..Default::default()
        })
    };
    cluster.add_manifest("First", [ns()]);
    cluster.add_manifest("Second", [ns()]);
    let err = app.synth().unwrap_err();
    assert!(
        err.diagnostics
            .errors()
            .any(|d| d.path == "Platform/Cluster/Kubernetes/Second"
                && d.hint
                    .as_deref()
                    .is_some_and(|h| h.contains("Platform/Cluster/Kubernetes/First"))),
        "{:?}",
        err.diagnostics
    );
}

/// Each acknowledgeable check, acknowledged with a reason on the step that trips it, leaves an
/// app that synthesizes the object as written: the acknowledgement accepts the setting and
/// never swaps it for the secure one. (`tests/acknowledge.rs` counts these codes as covered.)
#[test]
fn each_acknowledgeable_kubernetes_check_accepts_what_the_app_wrote() {
    use cirrus_aws::codes::k8s;
    use cirrus_core::ErrorCode;
    use cirrus_core::assertions::Annotations;
    use k8s_openapi::api::core::v1::{HostPathVolumeSource, Volume};

    type Mutate = fn(&mut Deployment);
    fn pod(d: &mut Deployment) -> &mut PodSpec {
        d.spec.as_mut().unwrap().template.spec.as_mut().unwrap()
    }
    fn container(d: &mut Deployment) -> &mut Container {
        &mut pod(d).containers[0]
    }
    fn security(d: &mut Deployment) -> &mut SecurityContext {
        container(d).security_context.as_mut().unwrap()
    }
    let cases: Vec<(ErrorCode, Mutate, &str)> = vec![
        (
            k8s::IMAGE_TAG,
            |d| container(d).image = Some("nginx:latest".into()),
            "image: nginx:latest",
        ),
        (
            k8s::RESOURCE_LIMITS,
            |d| container(d).resources = None,
            "name: api",
        ),
        (
            k8s::READINESS_PROBE,
            |d| container(d).readiness_probe = None,
            "livenessProbe",
        ),
        (
            k8s::PRIVILEGED,
            |d| security(d).privileged = Some(true),
            "privileged: true",
        ),
        (
            k8s::PRIVILEGE_ESCALATION,
            |d| security(d).allow_privilege_escalation = Some(true),
            "allowPrivilegeEscalation: true",
        ),
        (
            k8s::HOST_PATH,
            |d| {
                pod(d).volumes = Some(vec![Volume {
                    name: "host".into(),
                    host_path: Some(HostPathVolumeSource {
                        path: "/var/log".into(),
                        ..Default::default()
                    }),
                    ..Default::default()
                }]);
            },
            "path: /var/log",
        ),
        (
            k8s::HOST_NAMESPACES,
            |d| pod(d).host_network = Some(true),
            "hostNetwork: true",
        ),
        (
            k8s::RUN_AS_NON_ROOT,
            |d| {
                pod(d).security_context = None;
                security(d).run_as_non_root = Some(false);
            },
            "runAsNonRoot: false",
        ),
        (
            k8s::READ_ONLY_ROOT_FILESYSTEM,
            |d| security(d).read_only_root_filesystem = Some(false),
            "readOnlyRootFilesystem: false",
        ),
        (
            k8s::UNDECLARED_NAMESPACE,
            |d| {
                // Its own service account is in "shop"; the namespace's default one runs it.
                d.metadata.namespace = Some("elsewhere".into());
                pod(d).service_account_name = None;
            },
            "namespace: elsewhere",
        ),
        (
            k8s::UNDECLARED_SERVICE_ACCOUNT,
            |d| pod(d).service_account_name = Some("ghost".into()),
            "serviceAccountName: ghost",
        ),
    ];
    for (code, mutate, needle) in cases {
        let app = App::new("ack");
        let platform = app.stack("Platform", StackProps::default());
        let vpc = imported_vpc(platform);
        let cluster = Cluster::new(platform, "Cluster", &vpc, ClusterProps::default());
        cluster.add_core_addons();
        cluster.add_manifest(
            "Namespace",
            [Object::new(&Namespace {
                metadata: meta("shop", None),
                ..Default::default()
            })],
        );
        cluster.add_service_account("shop", "api");
        let mut object = deployment("nginx:1.27.3".into(), "api");
        mutate(&mut object);
        let step = cluster.add_manifest("Case", [Object::new(&object)]);
        Annotations::from_app(&app).has_error_code("Platform/Cluster/Kubernetes/Case", code);
        step.node()
            .acknowledge(code, "reviewed: accepted for this workload");
        let synth = app.synth().unwrap_or_else(|e| {
            panic!(
                "{code:?} still fails once acknowledged: {:#?}",
                e.diagnostics
            )
        });
        assert!(synth.warnings.is_empty(), "{:#?}", synth.warnings);
        let text = file(&synth, "Platform-Cluster-Kubernetes-Case.yaml");
        assert!(text.contains(needle), "{code:?}: {text}");
    }

    // A custom kind whose CRD is installed outside the app.
    let app = App::new("ack");
    let platform = app.stack("Platform", StackProps::default());
    let vpc = imported_vpc(platform);
    let cluster = Cluster::new(platform, "Cluster", &vpc, ClusterProps::default());
    cluster.add_core_addons();
    let step = cluster.add_manifest(
        "Case",
        [Object::custom(&Canary {
            metadata: meta("api", Some("default")),
            spec: json!({}),
        })],
    );
    Annotations::from_app(&app)
        .has_error_code("Platform/Cluster/Kubernetes/Case", k8s::MISSING_CRD);
    step.node().acknowledge(
        k8s::MISSING_CRD,
        "Flagger is installed by the platform team",
    );
    assert!(app.synth().is_ok());

    // Load-balancer requirements of the cluster, acknowledged for one Service.
    for code in [k8s::LOAD_BALANCER_INTERNAL, k8s::LOAD_BALANCER_TLS] {
        let app = App::new("ack");
        let platform = app.stack("Platform", StackProps::default());
        let vpc = imported_vpc(platform);
        let cluster = Cluster::new(
            platform,
            "Cluster",
            &vpc,
            ClusterProps::default()
                .internal_load_balancers(true)
                .load_balancer_tls(true),
        );
        cluster.add_core_addons();
        let step = cluster.add_manifest("Case", [Object::new(&load_balancer(&[]))]);
        Annotations::from_app(&app).has_error_code("Platform/Cluster/Kubernetes/Case", code);
        step.node()
            .acknowledge(k8s::LOAD_BALANCER_INTERNAL, "the public storefront");
        step.node()
            .acknowledge(k8s::LOAD_BALANCER_TLS, "TLS ends at CloudFront");
        let synth = app
            .synth()
            .unwrap_or_else(|e| panic!("{:#?}", e.diagnostics));
        let text = file(&synth, "Platform-Cluster-Kubernetes-Case.yaml");
        assert!(text.contains("type: LoadBalancer"), "{text}");
    }
}

/// The component pipeline of `pipeline_app`: its own repository as source, a build that
/// publishes `IMAGE_TAG`, and the manifest applied with that tag.
fn component_pipeline<'a>(
    stack: cirrus_core::Stack<'a>,
    manifest: &cirrus_aws::eks::PipelineManifest<'a>,
    environment: Vec<(String, cirrus_core::Expr<String>)>,
    access: cirrus_aws::codepipeline::EksAccess,
) {
    use cirrus_aws::codebuild::{BuildSpec, Project, ProjectProps};
    use cirrus_aws::codecommit::{Repository as Code, RepositoryProps as CodeProps};
    use cirrus_aws::codepipeline::{
        Action, Artifact, CodeBuildActionProps, EksDeployProps, Pipeline, PipelineProps, Stage,
    };
    let code = Code::new(stack, "Code", "shop", CodeProps::default());
    let project = Project::new(
        stack,
        "Build",
        ProjectProps::default().build_spec(BuildSpec::inline(
            cirrus_aws::codebuild::InlineBuildSpec {
                env: cirrus_aws::codebuild::BuildEnv {
                    exported_variables: vec!["IMAGE_TAG".into()],
                    ..Default::default()
                },
                phases: cirrus_aws::codebuild::Phases {
                    build: Some(cirrus_aws::codebuild::Phase::commands([
                        "IMAGE_TAG=\"${CODEBUILD_RESOLVED_SOURCE_VERSION:0:12}\"",
                    ])),
                    ..Default::default()
                },
                ..Default::default()
            },
        )),
    );
    let src = Artifact::new("Src");
    let build = Action::codebuild(&project, &src, CodeBuildActionProps::default())
        .named("Build")
        .variables_namespace("Build");
    let mut env = environment;
    if env.is_empty() {
        env.push(("IMAGE_TAG".to_owned(), build.variable("IMAGE_TAG").into()));
    }
    Pipeline::new(
        stack,
        "Pipeline",
        PipelineProps::default().stages([
            Stage::new("Source", [Action::codecommit_source(&code, "main", &src)]),
            Stage::new("Build", [build]),
            Stage::new(
                "Deploy",
                [Action::eks_deploy_manifest(
                    manifest,
                    &src,
                    EksDeployProps::default().environment(env).access(access),
                )],
            ),
        ]),
    );
}

/// In `Platform`: the API's image repository and a cluster with the `shop` namespace and the
/// API's service account.
fn shop_cluster(
    app: &App,
) -> (
    Repository<'_>,
    Cluster<'_>,
    cirrus_aws::eks::ServiceAccount<'_>,
) {
    let platform = app.stack("Platform", StackProps::default());
    let repo = Repository::new(platform, "Api", RepositoryProps::default());
    let vpc = imported_vpc(platform);
    let cluster = Cluster::new(platform, "Cluster", &vpc, ClusterProps::default());
    cluster.add_core_addons();
    Nodegroup::new(platform, "Nodes", &cluster, NodegroupProps::default());
    cluster.add_manifest(
        "Namespace",
        [Object::new(&Namespace {
            metadata: meta("shop", None),
            ..Default::default()
        })],
    );
    let sa = cluster.add_service_account("shop", "api");
    (repo, cluster, sa)
}

/// A cluster with the `shop` namespace, and the API's Deployment applied by a pipeline with
/// the image tag its build published.
fn pipeline_app(
    values: impl FnOnce(&Repository<'_>, &mut cirrus_aws::eks::PipelineValues) -> String,
    pipeline: bool,
) -> App {
    let app = App::new("shop");
    let (repo, cluster, sa) = shop_cluster(&app);
    let mut pipeline_values = cirrus_aws::eks::PipelineValues::default();
    let image = values(&repo, &mut pipeline_values);
    let manifest = cluster.add_pipeline_manifest(
        "Api",
        pipeline_values,
        [
            Object::new(&deployment(image, &sa.name())),
            Object::new(&service()),
        ],
    );
    if pipeline {
        let delivery = app.stack("Delivery", StackProps::default());
        component_pipeline(
            delivery,
            &manifest,
            Vec::new(),
            cirrus_aws::codepipeline::EksAccess::Namespace,
        );
    }
    app
}

/// How a test writes the API's image with a manifest's values.
type ImageOf = fn(&Repository<'_>, &mut cirrus_aws::eks::PipelineValues) -> String;

fn tagged_image(repo: &Repository<'_>, values: &mut cirrus_aws::eks::PipelineValues) -> String {
    format!(
        "{}:{}",
        values.value("IMAGE_REPOSITORY", repo.uri()),
        values.variable("IMAGE_TAG")
    )
}

/// The pipeline's EKS deploy action applies the committed file with the image it built: the
/// file keeps `$NAME` for the action to replace, the repository's URI travels in the action's
/// environment (imported from the cluster's stack), the tag is the build's variable, and the
/// runner is told to leave the step alone.
#[test]
fn a_pipeline_applies_its_manifest_with_the_image_it_built() {
    let app = pipeline_app(tagged_image, true);
    let synth = app
        .synth()
        .unwrap_or_else(|e| panic!("{:#?}", e.diagnostics));
    let step = artifact(&synth, "Platform-Cluster-Kubernetes-Api");
    assert_eq!(step.properties["appliedBy"], "pipeline");
    let yaml = file(&synth, "Platform-Cluster-Kubernetes-Api.yaml");
    assert!(
        yaml.contains("image: $IMAGE_REPOSITORY:$IMAGE_TAG"),
        "{yaml}"
    );
    assert!(
        yaml.contains("#   $IMAGE_TAG: a pipeline variable"),
        "{yaml}"
    );
    // It still deploys after the namespace and the service account it uses.
    assert!(
        step.dependencies
            .contains(&"Platform-Cluster-Kubernetes-Namespace".to_owned()),
        "{:?}",
        step.dependencies
    );

    let delivery = synth.stacks.iter().find(|s| s.id == "Delivery").unwrap();
    let pipeline = delivery.template["Resources"]
        .as_object()
        .unwrap()
        .values()
        .find(|r| r["Type"] == "AWS::CodePipeline::Pipeline")
        .unwrap();
    let deploy = &pipeline["Properties"]["Stages"][2]["Actions"][0];
    assert_eq!(deploy["ActionTypeId"]["Provider"], "EKS");
    assert_eq!(
        deploy["Configuration"]["ManifestFiles"],
        "synth-out/shop/Platform-Cluster-Kubernetes-Api.yaml"
    );
    assert_eq!(deploy["Configuration"]["Namespace"], "shop");
    let env = deploy["EnvironmentVariables"].as_array().unwrap();
    assert_eq!(env[0]["Name"], "IMAGE_REPOSITORY");
    assert!(
        env[0]["Value"].to_string().contains("Fn::ImportValue"),
        "{env:?}"
    );
    assert_eq!(env[1]["Name"], "IMAGE_TAG");
    assert_eq!(env[1]["Value"], "#{Build.IMAGE_TAG}");
}

/// A manifest no pipeline applies is reported, since `deploy` skips it.
#[test]
fn a_pipeline_manifest_without_a_pipeline_is_a_warning() {
    let app = pipeline_app(tagged_image, false);
    let synth = app
        .synth()
        .unwrap_or_else(|e| panic!("{:#?}", e.diagnostics));
    let codes: Vec<_> = synth.warnings.iter().map(|d| d.code.id()).collect();
    assert!(codes.contains(&"K8S-023"), "{codes:?}");
    let app = pipeline_app(tagged_image, true);
    let synth = app.synth().unwrap();
    assert!(!synth.warnings.iter().any(|d| d.code.id() == "K8S-023"));
}

/// Values that are misnamed, repeated, unused, run into the next characters, or are runner
/// tokens fail synthesis at the manifest's path.
#[test]
fn bad_pipeline_values_fail_synth_at_the_manifest() {
    let cases: Vec<(&str, ImageOf)> = vec![
        ("misnamed", |repo, v| {
            format!(
                "{}:{}",
                v.value("IMAGE-REPOSITORY", repo.uri()),
                v.variable("IMAGE_TAG")
            )
        }),
        ("twice", |repo, v| {
            v.variable("IMAGE_TAG");
            format!(
                "{}:{}",
                v.value("IMAGE_REPOSITORY", repo.uri()),
                v.variable("IMAGE_TAG")
            )
        }),
        ("unused", |repo, v| {
            v.variable("UNUSED");
            format!("{}:v1", v.value("IMAGE_REPOSITORY", repo.uri()))
        }),
        ("ambiguous", |repo, v| {
            format!(
                "{}:{}x",
                v.value("IMAGE_REPOSITORY", repo.uri()),
                v.variable("IMAGE_TAG")
            )
        }),
    ];
    for (case, values) in cases {
        let app = pipeline_app(values, true);
        let errors = app.synth().expect_err(case).diagnostics;
        assert!(
            errors
                .iter()
                .any(|d| d.code.id() == "K8S-022" && d.path == "Platform/Cluster/Kubernetes/Api"),
            "{case}: {errors:#?}"
        );
    }
    // The passing case of each: `tagged_image`, in the tests above.
}

/// The action must give every variable the manifest needs, and may not repeat a value of the
/// manifest; objects across namespaces need cluster-wide access.
#[test]
fn an_eks_deploy_of_a_manifest_checks_its_environment_and_access() {
    use cirrus_aws::codepipeline::EksAccess;
    let app = App::new("shop");
    let (repo, cluster, sa) = shop_cluster(&app);
    let mut values = cirrus_aws::eks::PipelineValues::default();
    let image = tagged_image(&repo, &mut values);
    let manifest = cluster.add_pipeline_manifest(
        "Api",
        values,
        [
            Object::new(&deployment(image, &sa.name())),
            Object::new(&Namespace {
                metadata: meta("shop-extra", None),
                ..Default::default()
            }),
        ],
    );
    let one = app.stack("One", StackProps::default());
    component_pipeline(
        one,
        &manifest,
        vec![("IMAGE_REPOSITORY".into(), "x".into())],
        EksAccess::Namespace,
    );
    let errors = app.synth().unwrap_err().diagnostics;
    let at = |code: &str| {
        errors
            .iter()
            .filter(|d| d.path == "One/Pipeline" && d.code.id() == code)
            .map(|d| d.message.clone())
            .collect::<Vec<_>>()
    };
    let environment = at("CODEPIPELINE-039");
    assert!(
        environment.iter().any(|m| m.contains("needs $IMAGE_TAG")),
        "{errors:#?}"
    );
    assert!(
        environment
            .iter()
            .any(|m| m.contains("IMAGE_REPOSITORY is a value of its manifest")),
        "{errors:#?}"
    );
    assert!(
        at("CODEPIPELINE-034")
            .iter()
            .any(|m| m.contains("EksAccess::Cluster")),
        "{errors:#?}"
    );
}
