//! The locked-down pieces of a pod spec that every workload of an app repeats, so that the
//! secure choice is one call rather than a dozen fields copied between workloads: what the
//! checks of this crate require (no root, no privilege escalation, a read-only root
//! filesystem, requests and limits) and what checkov's Kubernetes checks add (every capability
//! dropped, the runtime's seccomp profile, a high user id, no service-account token).
//!
//! Each returns a plain `k8s-openapi` value: change a field after the call where a workload
//! needs another one. The `NetworkPolicy`s admit one port of the app's pods and nothing else.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    Capabilities, PodSecurityContext, ResourceRequirements, SeccompProfile, SecurityContext,
};
use k8s_openapi::api::networking::v1::{
    NetworkPolicy, NetworkPolicyIngressRule, NetworkPolicyPeer, NetworkPolicyPort,
    NetworkPolicySpec,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::workload::matching;

/// The user id pods run as: not root, and above the range a host's own users take (checkov's
/// `CKV_K8S_40` asks for 10000 or more).
pub const NON_ROOT_USER: i64 = 10001;

/// A container that may not gain privileges, writes nothing to its root filesystem (mount an
/// `emptyDir` where it must write) and holds no Linux capability.
pub fn container_security() -> SecurityContext {
    SecurityContext {
        allow_privilege_escalation: Some(false),
        read_only_root_filesystem: Some(true),
        capabilities: Some(Capabilities {
            drop: Some(vec!["ALL".into()]),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// A pod whose containers run as [`NON_ROOT_USER`], under the container runtime's default
/// seccomp profile.
pub fn pod_security() -> PodSecurityContext {
    PodSecurityContext {
        run_as_non_root: Some(true),
        run_as_user: Some(NON_ROOT_USER),
        seccomp_profile: Some(SeccompProfile {
            type_: "RuntimeDefault".into(),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// CPU and memory requests (what the scheduler reserves) and limits (what the container may
/// use), in Kubernetes' quantities (`"250m"`, `"512Mi"`).
pub fn resources(requests: (&str, &str), limits: (&str, &str)) -> ResourceRequirements {
    let quantities = |(cpu, memory): (&str, &str)| {
        BTreeMap::from([
            ("cpu".to_owned(), Quantity(cpu.into())),
            ("memory".to_owned(), Quantity(memory.into())),
        ])
    };
    ResourceRequirements {
        requests: Some(quantities(requests)),
        limits: Some(quantities(limits)),
        ..Default::default()
    }
}

/// A `NetworkPolicy` named by `metadata` that admits traffic to the pods `selector` matches
/// on TCP `port` only, from anywhere (a load balancer's addresses are not known in advance;
/// its security group is what admits it), and nothing else.
pub fn ingress_on_port(
    metadata: ObjectMeta,
    selector: BTreeMap<String, String>,
    port: i32,
) -> NetworkPolicy {
    ingress(metadata, selector, None, port)
}

/// A `NetworkPolicy` named by `metadata` that admits traffic to the pods `selector` matches
/// on TCP `port` only, from the pods of the same namespace that `from` matches, and nothing
/// else: a database that only its application may reach.
pub fn ingress_from_pods(
    metadata: ObjectMeta,
    selector: BTreeMap<String, String>,
    from: BTreeMap<String, String>,
    port: i32,
) -> NetworkPolicy {
    let peer = NetworkPolicyPeer {
        pod_selector: Some(matching(from)),
        ..Default::default()
    };
    ingress(metadata, selector, Some(vec![peer]), port)
}

/// A `NetworkPolicy` named by `metadata` that admits no traffic to the pods `selector`
/// matches: a job's pods, which serve nothing (what they call out to is not limited).
pub fn no_ingress(metadata: ObjectMeta, selector: BTreeMap<String, String>) -> NetworkPolicy {
    NetworkPolicy {
        metadata,
        spec: Some(NetworkPolicySpec {
            pod_selector: Some(matching(selector)),
            policy_types: Some(vec!["Ingress".into()]),
            ingress: Some(Vec::new()),
            ..Default::default()
        }),
    }
}

/// Ingress to the pods `selector` matches on TCP `port`, from `from` (anywhere when `None`).
fn ingress(
    metadata: ObjectMeta,
    selector: BTreeMap<String, String>,
    from: Option<Vec<NetworkPolicyPeer>>,
    port: i32,
) -> NetworkPolicy {
    NetworkPolicy {
        metadata,
        spec: Some(NetworkPolicySpec {
            pod_selector: Some(matching(selector)),
            policy_types: Some(vec!["Ingress".into()]),
            ingress: Some(vec![NetworkPolicyIngressRule {
                from,
                ports: Some(vec![NetworkPolicyPort {
                    port: Some(IntOrString::Int(port)),
                    protocol: Some("TCP".into()),
                    ..Default::default()
                }]),
            }]),
            ..Default::default()
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CheckContext, Object, check};
    use k8s_openapi::api::apps::v1::{Deployment, DeploymentSpec};
    use k8s_openapi::api::core::v1::{Container, PodSpec, PodTemplateSpec, Probe, TCPSocketAction};
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
    use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

    fn deployment(container: Container, pod: Option<PodSecurityContext>) -> Object {
        Object::new(&Deployment {
            metadata: ObjectMeta {
                name: Some("api".into()),
                namespace: Some("shop".into()),
                ..Default::default()
            },
            spec: Some(DeploymentSpec {
                selector: LabelSelector::default(),
                template: PodTemplateSpec {
                    metadata: None,
                    spec: Some(PodSpec {
                        security_context: pod,
                        containers: vec![container],
                        ..Default::default()
                    }),
                },
                ..Default::default()
            }),
            ..Default::default()
        })
        .unwrap()
    }

    /// A container made of these pieces passes the crate's checks; without them it fails
    /// several.
    #[test]
    fn the_pieces_pass_the_checks_they_exist_for() {
        let base = Container {
            name: "api".into(),
            image: Some("registry.example/api:1.0.0".into()),
            readiness_probe: Some(Probe {
                tcp_socket: Some(TCPSocketAction {
                    port: IntOrString::Int(8080),
                    ..Default::default()
                }),
                ..Default::default()
            }),
            ..Default::default()
        };
        let context = CheckContext {
            namespaces: ["shop".to_owned()].into(),
            ..Default::default()
        };
        let secured = Container {
            security_context: Some(container_security()),
            resources: Some(resources(("250m", "256Mi"), ("500m", "512Mi"))),
            ..base.clone()
        };
        let findings = check(&[deployment(secured, Some(pod_security()))], &context);
        assert!(findings.is_empty(), "{findings:?}");
        let findings = check(&[deployment(base, None)], &context);
        assert!(findings.len() >= 3, "{findings:?}");
    }
}

#[cfg(test)]
mod ingress_tests {
    use super::*;

    #[test]
    fn the_ingress_policy_admits_the_one_port_of_the_selected_pods() {
        let meta = ObjectMeta {
            name: Some("api".into()),
            ..Default::default()
        };
        let selector = BTreeMap::from([("app".to_owned(), "api".to_owned())]);
        let policy = serde_json::to_value(ingress_on_port(meta, selector, 8080)).unwrap();
        assert_eq!(policy["spec"]["podSelector"]["matchLabels"]["app"], "api");
        assert_eq!(
            policy["spec"]["policyTypes"],
            serde_json::json!(["Ingress"])
        );
        assert_eq!(
            policy["spec"]["ingress"],
            serde_json::json!([{"ports": [{"port": 8080, "protocol": "TCP"}]}])
        );
    }

    #[test]
    fn the_pods_policy_admits_only_the_pods_it_names() {
        let meta = ObjectMeta {
            name: Some("db".into()),
            ..Default::default()
        };
        let selector = BTreeMap::from([("app".to_owned(), "db".to_owned())]);
        let from = BTreeMap::from([("app".to_owned(), "api".to_owned())]);
        let policy = serde_json::to_value(ingress_from_pods(meta, selector, from, 5432)).unwrap();
        assert_eq!(
            policy["spec"]["ingress"],
            serde_json::json!([{
                "from": [{"podSelector": {"matchLabels": {"app": "api"}}}],
                "ports": [{"port": 5432, "protocol": "TCP"}],
            }])
        );
    }

    #[test]
    fn the_no_ingress_policy_selects_the_pods_and_admits_nothing() {
        let meta = ObjectMeta {
            name: Some("setup".into()),
            ..Default::default()
        };
        let selector = BTreeMap::from([("app".to_owned(), "setup".to_owned())]);
        let policy = serde_json::to_value(no_ingress(meta, selector)).unwrap();
        assert_eq!(
            policy["spec"],
            serde_json::json!({
                "podSelector": {"matchLabels": {"app": "setup"}},
                "policyTypes": ["Ingress"],
                "ingress": [],
            })
        );
    }
}
