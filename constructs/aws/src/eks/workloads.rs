//! What a cluster runs: its manifests, Helm releases and service accounts, each an artifact of
//! the app (see `cirrus_core::artifact`) that the runner deploys after the stacks it depends
//! on, in the order this module works out.
//!
//! Every step (a manifest, a release) lives under `<cluster>/Kubernetes/<id>`. Whenever one is
//! added, the implicit order of all of them is worked out again: a step that uses a namespace,
//! a custom kind or a service account deploys after the step that declares it. A validation
//! runs the checks of `cirrus_k8s` over every object of the cluster when the app is
//! synthesized, since only then is the set complete.

use cirrus_core::{
    Artifact, ArtifactFile, ArtifactProps, Construct, Diagnostic, FileContent, Node, NodeKey,
};
use cirrus_k8s::Object;
use serde_json::{Value as J, json};

use crate::codepipeline::KubernetesTarget;
use crate::eks::ICluster;
use crate::eks::access::child;
use crate::eks::cluster::Cluster;

/// The manifest type of a step of objects.
pub(crate) const MANIFEST_KIND: &str = "cirrus:kubernetes-manifest";
/// The manifest type of a Helm release.
pub(crate) const HELM_KIND: &str = "cirrus:helm-release";

/// The steps of one cluster, in the order they were added.
#[derive(Debug, Default)]
pub(crate) struct Workloads {
    steps: Vec<Step>,
    validation: bool,
}

#[derive(Debug)]
struct Step {
    artifact: NodeKey,
    what: What,
}

#[derive(Debug)]
pub(crate) enum What {
    /// Objects applied together.
    Objects(Vec<Object>),
    /// A Helm release.
    Release(Release),
}

/// What the ordering and the checks need to know of a Helm release.
#[derive(Debug, Clone)]
pub(crate) struct Release {
    pub(crate) namespace: String,
    pub(crate) create_namespace: bool,
    /// `(group, kind)` of every CRD the chart installs.
    pub(crate) crds: Vec<(String, String)>,
}

impl Step {
    /// Namespaces the step declares (Namespace objects, or a release that creates its own).
    fn declared_namespaces(&self) -> Vec<&str> {
        match &self.what {
            What::Objects(objects) => objects
                .iter()
                .filter(|o| o.group().is_empty() && o.kind() == "Namespace")
                .map(Object::name)
                .collect(),
            What::Release(r) if r.create_namespace => vec![r.namespace.as_str()],
            What::Release(_) => Vec::new(),
        }
    }

    /// Namespaces the step puts something in.
    fn used_namespaces(&self) -> Vec<&str> {
        match &self.what {
            What::Objects(objects) => objects.iter().filter_map(Object::namespace).collect(),
            What::Release(r) if !r.create_namespace => vec![r.namespace.as_str()],
            What::Release(_) => Vec::new(),
        }
    }

    /// `(group, kind)` of the custom kinds the step makes available.
    fn provided_kinds(&self) -> Vec<(&str, &str)> {
        match &self.what {
            What::Objects(objects) => objects.iter().filter_map(Object::defines_kind).collect(),
            What::Release(r) => r
                .crds
                .iter()
                .map(|(g, k)| (g.as_str(), k.as_str()))
                .collect(),
        }
    }

    /// `(group, kind)` of the custom kinds the step's objects are.
    fn used_kinds(&self) -> Vec<(&str, &str)> {
        match &self.what {
            What::Objects(objects) => objects
                .iter()
                .filter(|o| !o.is_builtin())
                .map(|o| (o.group(), o.kind()))
                .collect(),
            What::Release(_) => Vec::new(),
        }
    }

    /// `(namespace, name)` of the service accounts the step declares.
    fn declared_service_accounts(&self) -> Vec<(&str, &str)> {
        match &self.what {
            What::Objects(objects) => objects
                .iter()
                .filter(|o| o.group().is_empty() && o.kind() == "ServiceAccount")
                .map(|o| (o.namespace().unwrap_or("default"), o.name()))
                .collect(),
            What::Release(_) => Vec::new(),
        }
    }

    /// `(namespace, name)` of the service accounts the step's pods run as.
    fn used_service_accounts(&self) -> Vec<(&str, &str)> {
        match &self.what {
            What::Objects(objects) => objects
                .iter()
                .filter_map(|o| {
                    pod_spec(o)
                        .and_then(|spec| spec.get("serviceAccountName"))
                        .and_then(J::as_str)
                        .map(|sa| (o.namespace().unwrap_or("default"), sa))
                })
                .collect(),
            What::Release(_) => Vec::new(),
        }
    }
}

/// The pod spec of a workload object, if it has one.
fn pod_spec(object: &Object) -> Option<&J> {
    let body = object.body();
    match (object.group(), object.kind()) {
        ("", "Pod") => body.get("spec"),
        ("batch", "CronJob") => body.pointer("/spec/jobTemplate/spec/template/spec"),
        ("apps", "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet") | ("batch", "Job") => {
            body.pointer("/spec/template/spec")
        }
        _ => None,
    }
}

/// Adds a step under `<cluster>/Kubernetes/<id>` and works the order of all steps out again.
pub(crate) fn add_step<'a>(
    cluster: &Cluster<'a>,
    scope: Node<'a>,
    id: &str,
    what: What,
    props: ArtifactProps,
) -> Artifact<'a> {
    let artifact = scope.add_artifact(id, props);
    let step = Step {
        artifact: artifact.node().key(),
        what,
    };
    target(cluster, artifact, &step);
    let node = Construct::node(cluster);
    node.with_state(|w: &mut Workloads| w.steps.push(step));
    order(node);
    after_cluster_parts(cluster);
    let first = node.with_state(|w: &mut Workloads| !std::mem::replace(&mut w.validation, true));
    if first {
        node.add_validation(validate);
    }
    artifact
}

/// Tells a delivery pipeline that applies the step with EKS deploy actions where it goes
/// (`codepipeline`'s `KubernetesTarget`, kept on the step's node).
fn target(cluster: &Cluster<'_>, artifact: Artifact<'_>, step: &Step) {
    let deployer = crate::eks::deployer::record(cluster);
    let objects: &[Object] = match &step.what {
        What::Objects(objects) => objects,
        What::Release(_) => &[],
    };
    let (key, value) = cirrus_k8s::workload::WAIT_FOR_COMPLETION;
    let kinds = |kinds: Vec<(&str, &str)>| {
        kinds
            .into_iter()
            .map(|(g, k)| (g.to_owned(), k.to_owned()))
            .collect()
    };
    let mut namespaces: Vec<String> = objects
        .iter()
        .filter(|o| o.is_namespaced())
        .map(|o| o.namespace().unwrap_or("default").to_owned())
        .collect();
    namespaces.sort();
    namespaces.dedup();
    let target = KubernetesTarget {
        cluster: Some(Construct::node(cluster).key()),
        cluster_name: Some(cluster.name()),
        subnets: deployer
            .as_ref()
            .map(|d| d.subnets.clone())
            .unwrap_or_default(),
        security_group: deployer.map(|d| d.security_group),
        namespaces,
        provided_kinds: kinds(step.provided_kinds()),
        used_kinds: kinds(step.used_kinds()),
        awaited_jobs: objects
            .iter()
            .filter(|o| o.group() == "batch" && o.kind() == "Job")
            .filter(|o| o.body()["metadata"]["annotations"][key] == value)
            .map(|o| o.name().to_owned())
            .collect(),
    };
    artifact
        .node()
        .with_state(|t: &mut KubernetesTarget| *t = target);
}

/// Makes every step deploy after the cluster's node groups and add-ons: in the cluster's own
/// stack that is already so, in another stack it orders the artifacts after that stack.
pub(crate) fn after_cluster_parts(cluster: &Cluster<'_>) {
    let node = Construct::node(cluster);
    let app = node.app();
    let steps: Vec<NodeKey> =
        node.with_state(|w: &mut Workloads| w.steps.iter().map(|s| s.artifact).collect());
    if steps.is_empty() {
        return;
    }
    let parts: Vec<NodeKey> = cluster.state(|state| {
        state
            .nodegroups
            .iter()
            .map(|k| k.node_key())
            .chain(state.addons.iter().map(|a| a.resource.node_key()))
            .collect()
    });
    for step in steps.iter().filter_map(|k| k.node(app)) {
        for part in parts.iter().filter_map(|k| k.node(app)) {
            step.add_dependency(&part);
        }
    }
}

/// The grouping node of the cluster's steps.
pub(crate) fn group<'a>(cluster: &Cluster<'a>) -> Node<'a> {
    child(Construct::node(cluster), "Kubernetes")
}

/// Makes each step depend on the steps that declare what it uses.
fn order(cluster: Node<'_>) {
    let app = cluster.app();
    let pairs: Vec<(NodeKey, NodeKey)> = cluster.with_state(|w: &mut Workloads| {
        let mut pairs = Vec::new();
        for step in &w.steps {
            let mut providers: Vec<&Step> = Vec::new();
            for ns in step.used_namespaces() {
                providers.extend(
                    w.steps
                        .iter()
                        .find(|s| s.declared_namespaces().contains(&ns)),
                );
            }
            for kind in step.used_kinds() {
                providers.extend(w.steps.iter().find(|s| s.provided_kinds().contains(&kind)));
            }
            for sa in step.used_service_accounts() {
                providers.extend(
                    w.steps
                        .iter()
                        .find(|s| s.declared_service_accounts().contains(&sa)),
                );
            }
            for provider in providers {
                if provider.artifact != step.artifact {
                    pairs.push((step.artifact, provider.artifact));
                }
            }
        }
        pairs
    });
    for (consumer, provider) in pairs {
        if let (Some(consumer), Some(provider)) = (consumer.node(app), provider.node(app)) {
            consumer.add_dependency(&provider);
        }
    }
}

/// The manifest artifact's content: the objects in apply order.
pub(crate) fn manifest_props(
    cluster: &Cluster<'_>,
    path: &str,
    objects: &[Object],
) -> ArtifactProps {
    let order = cirrus_k8s::apply_order(objects);
    let documents: Vec<J> = order.iter().map(|&i| objects[i].body().clone()).collect();
    let listed: Vec<String> = order.iter().map(|&i| objects[i].to_string()).collect();
    let mut properties = serde_json::Map::new();
    properties.extend(connection(cluster, path));
    properties.insert("objects".into(), json!(listed));
    ArtifactProps {
        kind: MANIFEST_KIND.into(),
        properties,
        files: vec![ArtifactFile {
            suffix: "yaml".into(),
            header: vec![format!(
                "Kubernetes objects of {path}, applied in this order (server-side apply)."
            )],
            content: FileContent::YamlDocuments(documents),
        }],
    }
}

/// What the runner needs to reach the cluster and to recognise the step's objects: the
/// cluster's name, endpoint and certificate authority (tokens: outputs of the cluster's stack)
/// and the step's label value (`cirrus.dev/step`), a hash of the app and the step's path, which
/// marks the objects the runner may prune.
pub(crate) fn connection(cluster: &Cluster<'_>, path: &str) -> serde_json::Map<String, J> {
    let app = Construct::node(cluster).app().name().to_owned();
    let mut out = serde_json::Map::new();
    out.insert("cluster".into(), J::String(cluster.token(cluster.name())));
    out.insert(
        "endpoint".into(),
        J::String(cluster.token(cluster.endpoint())),
    );
    out.insert(
        "certificateAuthority".into(),
        J::String(cluster.token(cluster.certificate_authority_data())),
    );
    out.insert(
        "step".into(),
        J::String(cirrus_core::id::path_hash(&[app.as_str(), path]).to_ascii_lowercase()),
    );
    if let Some(deployer) = crate::eks::deployer::property(cluster) {
        out.insert("deployer".into(), deployer);
    }
    out
}

/// The checks over every object of the cluster, at synthesis.
fn validate(cluster: Node<'_>) -> Vec<Diagnostic> {
    let app = cluster.app();
    let (internal, tls) =
        cluster.with_state(|state: &mut crate::eks::cluster::ClusterState| state.load_balancers);
    cluster.with_state(|w: &mut Workloads| {
        let mut objects: Vec<Object> = Vec::new();
        let mut owners: Vec<NodeKey> = Vec::new();
        let mut context = cirrus_k8s::CheckContext {
            internal_load_balancers: internal,
            load_balancer_tls: tls,
            ..Default::default()
        };
        for step in &w.steps {
            match &step.what {
                What::Objects(list) => {
                    objects.extend(list.iter().cloned());
                    owners.extend(std::iter::repeat_n(step.artifact, list.len()));
                }
                What::Release(r) => {
                    if r.create_namespace {
                        context.namespaces.insert(r.namespace.clone());
                    }
                    context.custom_kinds.extend(r.crds.iter().cloned());
                }
            }
        }
        cirrus_k8s::check(&objects, &context)
            .into_iter()
            .map(|finding| {
                let path = owners
                    .get(finding.object)
                    .and_then(|k| k.node(app))
                    .map(|n| n.path())
                    .unwrap_or_default();
                let mut hint = finding.hint;
                if let Some(other) = finding
                    .other
                    .and_then(|o| owners.get(o))
                    .and_then(|k| k.node(app))
                {
                    hint = format!("{hint} (the other one is in {})", other.path());
                }
                Diagnostic::error(code(finding.check), path, finding.message).with_hint(hint)
            })
            .collect()
    })
}

/// The diagnostic code of each check of `cirrus_k8s`.
fn code(check: cirrus_k8s::Check) -> cirrus_core::ErrorCode {
    use crate::codes::k8s;
    use cirrus_k8s::Check;
    match check {
        Check::MalformedObject => k8s::MALFORMED_OBJECT,
        Check::UndeclaredNamespace => k8s::UNDECLARED_NAMESPACE,
        Check::DuplicateObject => k8s::DUPLICATE_OBJECT,
        Check::MissingCrd => k8s::MISSING_CRD,
        Check::CustomKindScope => k8s::CUSTOM_KIND_SCOPE,
        Check::UndeclaredServiceAccount => k8s::UNDECLARED_SERVICE_ACCOUNT,
        Check::ImageTag => k8s::IMAGE_TAG,
        Check::ResourceLimits => k8s::RESOURCE_LIMITS,
        Check::ReadinessProbe => k8s::READINESS_PROBE,
        Check::Privileged => k8s::PRIVILEGED,
        Check::PrivilegeEscalation => k8s::PRIVILEGE_ESCALATION,
        Check::HostPath => k8s::HOST_PATH,
        Check::HostNamespaces => k8s::HOST_NAMESPACES,
        Check::RunAsNonRoot => k8s::RUN_AS_NON_ROOT,
        Check::ReadOnlyRootFilesystem => k8s::READ_ONLY_ROOT_FILESYSTEM,
        Check::UnreadableVolume => k8s::UNREADABLE_VOLUME,
        Check::LoadBalancerInternal => k8s::LOAD_BALANCER_INTERNAL,
        Check::LoadBalancerTls => k8s::LOAD_BALANCER_TLS,
    }
}
