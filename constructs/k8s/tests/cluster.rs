//! One cluster's objects written the way an app writes them: k8s-openapi types for the built-in
//! kinds, serde structs for Flagger's Canary and the AWS Load Balancer Controller's
//! TargetGroupBinding. They pass every check, apply in dependency order, and render to YAML that
//! reads back as the same objects.

use std::collections::BTreeMap;

use cirrus_k8s::{
    Check, CheckContext, CustomResource, Object, ObjectError, SCHEME_ANNOTATION,
    SSL_CERT_ANNOTATION, Scope, apply_order, check, delete_order, to_yaml,
};
use k8s_openapi::api::apps::v1::{Deployment, DeploymentSpec};
use k8s_openapi::api::batch::v1::{CronJob, CronJobSpec, JobSpec, JobTemplateSpec};
use k8s_openapi::api::core::v1::{
    ConfigMap, Container, ContainerPort, HTTPGetAction, Namespace, PersistentVolumeClaim,
    PersistentVolumeClaimSpec, PodSecurityContext, PodSpec, PodTemplateSpec, Probe,
    ResourceRequirements, SecurityContext, Service, ServiceAccount, ServicePort, ServiceSpec,
    Volume, VolumeMount, VolumeResourceRequirements,
};
use k8s_openapi::api::storage::v1::StorageClass;
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use serde::Serialize;
use serde_json::{Value, json};

const NS: &str = "shop";

fn meta(name: &str, namespace: Option<&str>) -> ObjectMeta {
    ObjectMeta {
        name: Some(name.into()),
        namespace: namespace.map(Into::into),
        labels: Some(labels()),
        ..Default::default()
    }
}

fn labels() -> BTreeMap<String, String> {
    [("app".to_owned(), "api".to_owned())].into()
}

fn quantities(cpu: &str, memory: &str) -> BTreeMap<String, Quantity> {
    [
        ("cpu".to_owned(), Quantity(cpu.into())),
        ("memory".to_owned(), Quantity(memory.into())),
    ]
    .into()
}

/// A container that passes every check: pinned image, requests and limits, probes, non-root,
/// read-only root filesystem, no privilege escalation. The image is a deploy-time value.
fn container(name: &str) -> Container {
    Container {
        name: name.into(),
        image: Some("${cirrus:Shop.RepositoryUri}:1.4.2".into()),
        ports: Some(vec![ContainerPort {
            container_port: 8080,
            name: Some("http".into()),
            ..Default::default()
        }]),
        readiness_probe: Some(Probe {
            http_get: Some(HTTPGetAction {
                path: Some("/ready".into()),
                port: IntOrString::String("http".into()),
                ..Default::default()
            }),
            period_seconds: Some(5),
            ..Default::default()
        }),
        liveness_probe: Some(Probe {
            http_get: Some(HTTPGetAction {
                path: Some("/live".into()),
                port: IntOrString::Int(8080),
                ..Default::default()
            }),
            ..Default::default()
        }),
        resources: Some(ResourceRequirements {
            requests: Some(quantities("250m", "256Mi")),
            limits: Some(quantities("1", "512Mi")),
            ..Default::default()
        }),
        security_context: Some(SecurityContext {
            allow_privilege_escalation: Some(false),
            read_only_root_filesystem: Some(true),
            ..Default::default()
        }),
        volume_mounts: Some(vec![VolumeMount {
            name: "tmp".into(),
            mount_path: "/tmp".into(),
            ..Default::default()
        }]),
        ..Default::default()
    }
}

fn pod_spec(service_account: &str) -> PodSpec {
    PodSpec {
        service_account_name: Some(service_account.into()),
        security_context: Some(PodSecurityContext {
            run_as_non_root: Some(true),
            run_as_user: Some(10001),
            ..Default::default()
        }),
        containers: vec![container("api")],
        volumes: Some(vec![Volume {
            name: "tmp".into(),
            empty_dir: Some(Default::default()),
            ..Default::default()
        }]),
        ..Default::default()
    }
}

fn deployment() -> Deployment {
    Deployment {
        metadata: meta("api", Some(NS)),
        spec: Some(DeploymentSpec {
            replicas: Some(2),
            selector: LabelSelector {
                match_labels: Some(labels()),
                ..Default::default()
            },
            template: PodTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: Some(labels()),
                    ..Default::default()
                }),
                spec: Some(pod_spec("api")),
            },
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// Flagger's Canary, as an app would type the part it uses.
#[derive(Serialize)]
struct Canary {
    metadata: ObjectMeta,
    spec: CanarySpec,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CanarySpec {
    target_ref: TargetRef,
    service: CanaryService,
    analysis: Analysis,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TargetRef {
    api_version: &'static str,
    kind: &'static str,
    name: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CanaryService {
    port: u16,
    target_port: u16,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Analysis {
    interval: String,
    threshold: u32,
    max_weight: u32,
    step_weight: u32,
}

impl CustomResource for Canary {
    const API_VERSION: &'static str = "flagger.app/v1beta1";
    const KIND: &'static str = "Canary";
    const NAMESPACED: bool = true;
}

/// The AWS Load Balancer Controller's TargetGroupBinding.
#[derive(Serialize)]
struct TargetGroupBinding {
    metadata: ObjectMeta,
    spec: Value,
}

impl CustomResource for TargetGroupBinding {
    const API_VERSION: &'static str = "elbv2.k8s.aws/v1beta1";
    const KIND: &'static str = "TargetGroupBinding";
    const NAMESPACED: bool = true;
}

fn cluster() -> Vec<Object> {
    let hpa = cirrus_k8s::workload::cpu_autoscaler(meta("api", Some(NS)), "api", (2, 10), 70);
    let service = Service {
        metadata: ObjectMeta {
            annotations: Some(
                [
                    (SCHEME_ANNOTATION.to_owned(), "internal".to_owned()),
                    (
                        SSL_CERT_ANNOTATION.to_owned(),
                        "${cirrus:Shop.CertificateArn}".to_owned(),
                    ),
                ]
                .into(),
            ),
            ..meta("api", Some(NS))
        },
        spec: Some(ServiceSpec {
            type_: Some("LoadBalancer".into()),
            selector: Some(labels()),
            ports: Some(vec![ServicePort {
                port: 443,
                target_port: Some(IntOrString::String("http".into())),
                ..Default::default()
            }]),
            ..Default::default()
        }),
        ..Default::default()
    };
    let storage_class = StorageClass {
        metadata: meta("gp3", None),
        provisioner: "ebs.csi.aws.com".into(),
        parameters: Some(
            [
                ("type".to_owned(), "gp3".to_owned()),
                ("encrypted".to_owned(), "true".to_owned()),
            ]
            .into(),
        ),
        volume_binding_mode: Some("WaitForFirstConsumer".into()),
        ..Default::default()
    };
    let pvc = PersistentVolumeClaim {
        metadata: meta("reports", Some(NS)),
        spec: Some(PersistentVolumeClaimSpec {
            access_modes: Some(vec!["ReadWriteOnce".into()]),
            storage_class_name: Some("gp3".into()),
            resources: Some(VolumeResourceRequirements {
                requests: Some([("storage".to_owned(), Quantity("20Gi".into()))].into()),
                ..Default::default()
            }),
            ..Default::default()
        }),
        ..Default::default()
    };
    let cron_job = CronJob {
        metadata: meta("nightly-report", Some(NS)),
        spec: Some(CronJobSpec {
            schedule: "0 2 * * *".into(),
            job_template: JobTemplateSpec {
                metadata: None,
                spec: Some(JobSpec {
                    template: PodTemplateSpec {
                        metadata: None,
                        spec: Some(PodSpec {
                            restart_policy: Some("OnFailure".into()),
                            containers: vec![Container {
                                readiness_probe: None,
                                ..container("report")
                            }],
                            ..pod_spec("reports")
                        }),
                    },
                    ..Default::default()
                }),
            },
            ..Default::default()
        }),
        ..Default::default()
    };
    let canary = Canary {
        metadata: meta("api", Some(NS)),
        spec: CanarySpec {
            target_ref: TargetRef {
                api_version: "apps/v1",
                kind: "Deployment",
                name: "api".into(),
            },
            service: CanaryService {
                port: 80,
                target_port: 8080,
            },
            analysis: Analysis {
                interval: "1m".into(),
                threshold: 5,
                max_weight: 50,
                step_weight: 10,
            },
        },
    };
    let binding = TargetGroupBinding {
        metadata: meta("api", Some(NS)),
        spec: json!({
            "serviceRef": {"name": "api", "port": 443},
            "targetGroupARN": "${cirrus:Shop.TargetGroupArn}",
            "targetType": "ip",
        }),
    };
    vec![
        Object::custom(&canary).unwrap(),
        Object::new(&hpa).unwrap(),
        Object::new(&deployment()).unwrap(),
        Object::new(&service).unwrap(),
        Object::new(&cron_job).unwrap(),
        Object::new(&pvc).unwrap(),
        Object::new(&storage_class).unwrap(),
        Object::new(&ServiceAccount {
            metadata: meta("api", Some(NS)),
            ..Default::default()
        })
        .unwrap(),
        Object::new(&ServiceAccount {
            metadata: meta("reports", Some(NS)),
            ..Default::default()
        })
        .unwrap(),
        Object::new(&Namespace {
            metadata: meta(NS, None),
            ..Default::default()
        })
        .unwrap(),
        Object::custom(&binding).unwrap(),
        Object::new(&ConfigMap {
            metadata: meta("settings", Some(NS)),
            // Strings a YAML reader would take for a boolean, a number or null if unquoted.
            data: Some(
                [
                    ("enabled", "yes"),
                    ("strict", "true"),
                    ("mode", "0755"),
                    ("version", "1.10"),
                    ("retries", "3"),
                    ("fallback", "null"),
                    ("empty", ""),
                ]
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
            ),
            ..Default::default()
        })
        .unwrap(),
    ]
}

/// Flagger and the AWS Load Balancer Controller come from Helm charts, with their CRDs.
fn context() -> CheckContext {
    CheckContext::new()
        .custom_kind("flagger.app", "Canary")
        .custom_kind("elbv2.k8s.aws", "TargetGroupBinding")
        .internal_load_balancers(true)
        .load_balancer_tls(true)
}

#[test]
fn a_well_written_cluster_passes_every_check() {
    let objects = cluster();
    let findings = check(&objects, &context());
    assert!(findings.is_empty(), "{findings:#?}");
}

#[test]
fn objects_apply_in_dependency_order() {
    let objects = cluster();
    let names: Vec<String> = apply_order(&objects)
        .into_iter()
        .map(|i| format!("{} {}", objects[i].kind(), objects[i].name()))
        .collect();
    assert_eq!(
        names,
        [
            "Namespace shop",
            "ServiceAccount api",
            "ServiceAccount reports",
            "ConfigMap settings",
            "StorageClass gp3",
            "PersistentVolumeClaim reports",
            "Service api",
            "Deployment api",
            "HorizontalPodAutoscaler api",
            "CronJob nightly-report",
            "Canary api",
            "TargetGroupBinding api",
        ]
    );
    let mut deletes = delete_order(&objects);
    deletes.reverse();
    assert_eq!(deletes, apply_order(&objects));
}

#[test]
fn yaml_reads_back_as_the_same_objects() {
    let objects = cluster();
    let ordered: Vec<Object> = apply_order(&objects)
        .into_iter()
        .map(|i| objects[i].clone())
        .collect();
    let yaml = to_yaml(&ordered).unwrap();
    assert_eq!(yaml.matches("\n---\n").count(), ordered.len() - 1);
    // The same objects always give the same bytes.
    assert_eq!(to_yaml(&ordered).unwrap(), yaml);

    let documents: Vec<Value> = yaml_rust2::YamlLoader::load_from_str(&yaml)
        .unwrap()
        .iter()
        .map(to_json)
        .collect();
    assert_eq!(documents.len(), ordered.len());
    for (document, object) in documents.iter().zip(&ordered) {
        assert_eq!(document, object.body(), "{object}");
    }
    // Made again from the YAML, they are the same objects, and render the same bytes: key
    // order included.
    let again: Vec<Object> = documents
        .into_iter()
        .map(|d| Object::untyped(d).unwrap())
        .collect();
    assert_eq!(again, ordered);
    assert_eq!(to_yaml(&again).unwrap(), yaml);
}

/// A document read by yaml-rust2 (YAML 1.2, an independent parser) as JSON.
fn to_json(yaml: &yaml_rust2::Yaml) -> Value {
    use yaml_rust2::Yaml;
    match yaml {
        Yaml::Null => Value::Null,
        Yaml::Boolean(b) => Value::Bool(*b),
        Yaml::Integer(i) => json!(i),
        Yaml::Real(r) => json!(r.parse::<f64>().unwrap()),
        Yaml::String(s) => Value::String(s.clone()),
        Yaml::Array(items) => Value::Array(items.iter().map(to_json).collect()),
        Yaml::Hash(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.as_str().expect("string keys").to_owned(), to_json(v)))
                .collect(),
        ),
        Yaml::Alias(_) | Yaml::BadValue => panic!("unexpected {yaml:?}"),
    }
}

#[test]
fn typed_objects_render_as_kubectl_expects() {
    let objects = cluster();
    let canary = &objects[0];
    assert_eq!(
        to_yaml(std::slice::from_ref(canary)).unwrap(),
        "\
apiVersion: flagger.app/v1beta1
kind: Canary
metadata:
  labels:
    app: api
  name: api
  namespace: shop
spec:
  targetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: api
  service:
    port: 80
    targetPort: 8080
  analysis:
    interval: 1m
    threshold: 5
    maxWeight: 50
    stepWeight: 10
"
    );
    let deployment = &objects[2];
    let body = deployment.body();
    assert_eq!(
        body["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]["httpGet"]["port"],
        "http"
    );
    assert_eq!(
        body["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]["memory"],
        "512Mi"
    );
    assert!(body.get("status").is_none());
    let storage_class = &objects[6];
    assert_eq!(storage_class.scope(), Scope::Cluster);
    assert_eq!(storage_class.namespace(), None);
}

#[test]
fn a_careless_cluster_gets_a_finding_per_problem() {
    let mut objects = cluster();
    // Drop the namespace and the reports service account; add an unsafe Deployment.
    objects.retain(|o| o.kind() != "Namespace" && o.name() != "reports");
    let mut unsafe_pod = pod_spec("api");
    unsafe_pod.host_network = Some(true);
    unsafe_pod.security_context = None;
    unsafe_pod.containers = vec![Container {
        name: "agent".into(),
        image: Some("datadog/agent".into()),
        security_context: Some(SecurityContext {
            privileged: Some(true),
            ..Default::default()
        }),
        ..Default::default()
    }];
    let mut agent = deployment();
    agent.metadata.name = Some("agent".into());
    agent.spec.as_mut().unwrap().template.spec = Some(unsafe_pod);
    objects.push(Object::new(&agent).unwrap());
    let agent_index = objects.len() - 1;

    // Neither chart is installed this time.
    let mut context = context();
    context.custom_kinds.clear();
    let findings = check(&objects, &context);
    let summary: Vec<(String, &str)> = findings
        .iter()
        .map(|f| (objects[f.object].to_string(), f.check.name()))
        .collect();
    let expected: Vec<(String, &str)> = [
        ("Canary shop/api", "undeclared-namespace"),
        ("Canary shop/api", "missing-crd"),
        ("HorizontalPodAutoscaler shop/api", "undeclared-namespace"),
        ("Deployment shop/api", "undeclared-namespace"),
        ("Service shop/api", "undeclared-namespace"),
        ("CronJob shop/nightly-report", "undeclared-namespace"),
        ("CronJob shop/nightly-report", "undeclared-service-account"),
        ("ServiceAccount shop/api", "undeclared-namespace"),
        ("TargetGroupBinding shop/api", "undeclared-namespace"),
        ("TargetGroupBinding shop/api", "missing-crd"),
        ("ConfigMap shop/settings", "undeclared-namespace"),
        ("Deployment shop/agent", "undeclared-namespace"),
        ("Deployment shop/agent", "image-tag"),
        ("Deployment shop/agent", "resource-limits"),
        ("Deployment shop/agent", "readiness-probe"),
        ("Deployment shop/agent", "privileged"),
        ("Deployment shop/agent", "privilege-escalation"),
        ("Deployment shop/agent", "host-namespaces"),
        ("Deployment shop/agent", "run-as-non-root"),
        ("Deployment shop/agent", "read-only-root-filesystem"),
    ]
    .into_iter()
    .map(|(o, c)| (o.to_owned(), c))
    .collect();
    assert_eq!(summary, expected);
    let image = findings
        .iter()
        .find(|f| f.object == agent_index && f.check == Check::ImageTag)
        .unwrap();
    assert_eq!(
        image.message,
        "Deployment shop/agent: container \"agent\" image \"datadog/agent\" has no tag, so Kubernetes pulls latest, which changes under running pods"
    );
}

#[test]
fn bad_names_fail_when_the_object_is_made() {
    let mut bad = deployment();
    bad.metadata.name = Some("API".into());
    assert!(matches!(
        Object::new(&bad),
        Err(ObjectError::InvalidName { .. })
    ));
    let mut job = CronJob {
        metadata: meta(&"n".repeat(53), Some(NS)),
        ..Default::default()
    };
    let err = Object::new(&job).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "metadata.name \"{}\" of CronJob is not a valid dns-1123 subdomain: it is 53 characters long, at most 52 are allowed",
            "n".repeat(53)
        )
    );
    job.metadata.name = Some("n".repeat(52));
    assert!(Object::new(&job).is_ok());
}
