//! Synth-time checks over the objects of one cluster.
//!
//! The API server accepts much that fails later or is unsafe: an object in a namespace nobody
//! creates fails only when applied, a Canary without its CRD likewise, a pod whose service
//! account is missing is never created and its Deployment just waits, an image tagged `latest`
//! changes under a running Deployment, a container without limits starves its neighbours, a
//! privileged container owns the node. These checks find such problems when the app is
//! synthesized, with the field to set, before anything reaches a cluster.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use k8s_openapi::api::core::v1::{Container, PodSpec, SecurityContext};
use serde::de::DeserializeOwned;

use crate::object::{Object, Scope};

/// One check. The names are stable: they may appear in skip lists and in reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Check {
    /// An object of a built-in workload kind cannot be read as its Kubernetes 1.35 type.
    MalformedObject,
    /// An object is in a namespace that neither an object nor the context declares.
    UndeclaredNamespace,
    /// Two objects have the same group, kind, namespace and name.
    DuplicateObject,
    /// A custom kind whose CRD is neither among the objects nor installed otherwise.
    MissingCrd,
    /// A custom resource made with the other scope than its CRD (among the objects) declares.
    CustomKindScope,
    /// A pod runs as a service account that is not declared.
    UndeclaredServiceAccount,
    /// An image without a tag or with the tag `latest`.
    ImageTag,
    /// A container without CPU and memory requests and limits.
    ResourceLimits,
    /// A container of a Deployment, StatefulSet or DaemonSet without a readiness probe.
    ReadinessProbe,
    /// A privileged container.
    Privileged,
    /// A container whose `allowPrivilegeEscalation` is not `false`.
    PrivilegeEscalation,
    /// A pod that mounts a `hostPath` volume.
    HostPath,
    /// A pod that shares the node's network, PID or IPC namespace.
    HostNamespaces,
    /// A container that may run as root.
    RunAsNonRoot,
    /// A container whose root filesystem is writable.
    ReadOnlyRootFilesystem,
    /// A container running as a non-root user that mounts a Secret or ConfigMap volume whose
    /// files only root may read (its mode gives the group and others nothing, and no
    /// `fsGroup` gives the pod's group the files).
    UnreadableVolume,
    /// A LoadBalancer Service that is not internal, when the app wants internal load balancers.
    LoadBalancerInternal,
    /// A LoadBalancer Service without a TLS certificate, when the app wants TLS.
    LoadBalancerTls,
}

impl Check {
    /// Every check, in the order findings of one object are reported.
    pub const ALL: [Check; 18] = [
        Check::MalformedObject,
        Check::UndeclaredNamespace,
        Check::DuplicateObject,
        Check::MissingCrd,
        Check::CustomKindScope,
        Check::UndeclaredServiceAccount,
        Check::ImageTag,
        Check::ResourceLimits,
        Check::ReadinessProbe,
        Check::Privileged,
        Check::PrivilegeEscalation,
        Check::HostPath,
        Check::HostNamespaces,
        Check::RunAsNonRoot,
        Check::ReadOnlyRootFilesystem,
        Check::UnreadableVolume,
        Check::LoadBalancerInternal,
        Check::LoadBalancerTls,
    ];

    /// The stable kebab-case name (`image-tag`).
    pub fn name(self) -> &'static str {
        match self {
            Check::MalformedObject => "malformed-object",
            Check::UndeclaredNamespace => "undeclared-namespace",
            Check::DuplicateObject => "duplicate-object",
            Check::MissingCrd => "missing-crd",
            Check::CustomKindScope => "custom-kind-scope",
            Check::UndeclaredServiceAccount => "undeclared-service-account",
            Check::ImageTag => "image-tag",
            Check::ResourceLimits => "resource-limits",
            Check::ReadinessProbe => "readiness-probe",
            Check::Privileged => "privileged",
            Check::PrivilegeEscalation => "privilege-escalation",
            Check::HostPath => "host-path",
            Check::HostNamespaces => "host-namespaces",
            Check::RunAsNonRoot => "run-as-non-root",
            Check::ReadOnlyRootFilesystem => "read-only-root-filesystem",
            Check::UnreadableVolume => "unreadable-volume",
            Check::LoadBalancerInternal => "load-balancer-internal",
            Check::LoadBalancerTls => "load-balancer-tls",
        }
    }

    /// The check of this name, if there is one.
    pub fn from_name(name: &str) -> Option<Check> {
        Check::ALL.into_iter().find(|c| c.name() == name)
    }
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One problem found, about one object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The index of the object in the checked slice.
    pub object: usize,
    /// The check that found it.
    pub check: Check,
    /// What is wrong, naming the object (`Deployment shop/api`) and the container where
    /// relevant.
    pub message: String,
    /// The fix: the field to set or the object to declare.
    pub hint: String,
    /// The index of another object the finding is about: for a duplicate, the first
    /// declaration.
    pub other: Option<usize>,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} [{}]", self.message, self.check)
    }
}

/// What exists on the cluster besides the checked objects, and what the app wants.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckContext {
    /// Namespaces created otherwise (by a Helm chart, by the cluster's own setup). `default`
    /// and the `kube-` namespaces always exist and need not be listed. Default: none.
    pub namespaces: BTreeSet<String>,
    /// Service accounts created otherwise, as (namespace, name); the `default` service account
    /// of every namespace always exists. Default: none.
    pub service_accounts: BTreeSet<(String, String)>,
    /// Custom kinds whose CRDs are installed otherwise (by a Helm chart), as (group, kind).
    /// Default: none.
    pub custom_kinds: BTreeSet<(String, String)>,
    /// Every LoadBalancer Service must be internal (AWS Load Balancer Controller annotation
    /// `service.beta.kubernetes.io/aws-load-balancer-scheme: internal`). Default: false.
    pub internal_load_balancers: bool,
    /// Every LoadBalancer Service must terminate TLS with a certificate
    /// (`service.beta.kubernetes.io/aws-load-balancer-ssl-cert`). Default: false.
    pub load_balancer_tls: bool,
}

impl CheckContext {
    /// A context with nothing outside the objects and no load balancer requirements.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a namespace that exists without being among the objects.
    pub fn namespace(mut self, name: impl Into<String>) -> Self {
        self.namespaces.insert(name.into());
        self
    }

    /// Adds a service account that exists without being among the objects.
    pub fn service_account(
        mut self,
        namespace: impl Into<String>,
        name: impl Into<String>,
    ) -> Self {
        self.service_accounts
            .insert((namespace.into(), name.into()));
        self
    }

    /// Adds a custom kind whose CRD is installed otherwise.
    pub fn custom_kind(mut self, group: impl Into<String>, kind: impl Into<String>) -> Self {
        self.custom_kinds.insert((group.into(), kind.into()));
        self
    }

    /// Sets whether LoadBalancer Services must be internal.
    pub fn internal_load_balancers(mut self, yes: bool) -> Self {
        self.internal_load_balancers = yes;
        self
    }

    /// Sets whether LoadBalancer Services must terminate TLS.
    pub fn load_balancer_tls(mut self, yes: bool) -> Self {
        self.load_balancer_tls = yes;
        self
    }
}

/// The AWS Load Balancer Controller's (and the in-tree controller's) scheme annotation.
pub const SCHEME_ANNOTATION: &str = "service.beta.kubernetes.io/aws-load-balancer-scheme";
/// The deprecated form of the scheme annotation, `"true"` for internal.
pub const LEGACY_INTERNAL_ANNOTATION: &str =
    "service.beta.kubernetes.io/aws-load-balancer-internal";
/// The annotation that names the ACM certificate(s) of a load balancer's TLS listeners.
pub const SSL_CERT_ANNOTATION: &str = "service.beta.kubernetes.io/aws-load-balancer-ssl-cert";

/// Runs every check over the objects of one cluster. Findings come ordered by object, then in
/// the order of [`Check::ALL`]; the same input always gives the same findings.
pub fn check(objects: &[Object], context: &CheckContext) -> Vec<Finding> {
    let declared = Declared::new(objects, context);
    let mut findings = Vec::new();
    let mut seen: BTreeMap<(&str, &str, Option<&str>, &str), usize> = BTreeMap::new();
    for (index, object) in objects.iter().enumerate() {
        let mut out = Out {
            object: index,
            findings: &mut findings,
        };
        let namespace = effective_namespace(object);
        if let Some(ns) = object.namespace()
            && !declared.namespace(ns)
        {
            out.push(
                Check::UndeclaredNamespace,
                format!("{object} is in namespace {ns:?}, which nothing declares"),
                format!(
                    "declare a Namespace named {ns:?} on the cluster, or let the Helm release that installs into it create it"
                ),
            );
        }
        let key = (object.group(), object.kind(), namespace, object.name());
        if let Some(&first) = seen.get(&key) {
            out.push_about(
                first,
                Check::DuplicateObject,
                format!(
                    "{object} is declared twice (same group, kind, namespace and name); the second would overwrite the first"
                ),
                "rename one of them (metadata.name) or put it in another namespace".to_owned(),
            );
        } else {
            seen.insert(key, index);
        }
        if !object.is_builtin() && !declared.custom_kind(object.group(), object.kind()) {
            out.push(
                Check::MissingCrd,
                format!(
                    "{object} is of the custom kind {} of {}, whose CustomResourceDefinition is neither declared nor installed",
                    object.kind(),
                    object.group()
                ),
                "declare the CustomResourceDefinition on the cluster, or install the Helm chart that provides it".to_owned(),
            );
        }
        if let Some(&(crd, scope)) = declared.crd_scopes.get(&(object.group(), object.kind()))
            && scope != object.scope()
        {
            let fix = match scope {
                Scope::Cluster => {
                    "make it with Object::untyped_with_scope(.., Scope::Cluster), or set NAMESPACED to false, and remove metadata.namespace"
                }
                Scope::Namespaced => {
                    "make it with Object::untyped (custom kinds are namespaced), or set NAMESPACED to true"
                }
            };
            out.push_about(
                crd,
                Check::CustomKindScope,
                format!(
                    "{object} was made {}, but its CustomResourceDefinition declares the kind {scope}",
                    object.scope()
                ),
                fix.to_owned(),
            );
        }
        if let Some(pod) = pod_template(object, &mut out) {
            check_pod(
                object,
                &pod,
                namespace.unwrap_or("default"),
                &declared,
                &mut out,
            );
        }
        check_service(object, context, &mut out);
    }
    // Stable: findings of one object and one check keep their order (containers in order).
    findings.sort_by_key(|f| (f.object, f.check));
    findings
}

/// The namespace a namespaced object lands in (`default` when it names none); `None` for a
/// cluster-scoped object.
fn effective_namespace(object: &Object) -> Option<&str> {
    object
        .is_namespaced()
        .then(|| object.namespace().unwrap_or("default"))
}

struct Out<'f> {
    object: usize,
    findings: &'f mut Vec<Finding>,
}

impl Out<'_> {
    fn push(&mut self, check: Check, message: String, hint: String) {
        self.findings.push(Finding {
            object: self.object,
            check,
            message,
            hint,
            other: None,
        });
    }

    /// A finding that is also about the object at index `other`.
    fn push_about(&mut self, other: usize, check: Check, message: String, hint: String) {
        self.push(check, message, hint);
        if let Some(last) = self.findings.last_mut() {
            last.other = Some(other);
        }
    }
}

/// What exists: declared by the objects or named by the context.
struct Declared<'a> {
    namespaces: BTreeSet<&'a str>,
    service_accounts: BTreeSet<(&'a str, &'a str)>,
    custom_kinds: BTreeSet<(&'a str, &'a str)>,
    /// The scope of each custom kind whose CRD is among the objects, and the CRD's index.
    crd_scopes: BTreeMap<(&'a str, &'a str), (usize, Scope)>,
}

impl<'a> Declared<'a> {
    fn new(objects: &'a [Object], context: &'a CheckContext) -> Self {
        let mut namespaces: BTreeSet<&str> =
            context.namespaces.iter().map(String::as_str).collect();
        let mut service_accounts: BTreeSet<(&str, &str)> = context
            .service_accounts
            .iter()
            .map(|(ns, name)| (ns.as_str(), name.as_str()))
            .collect();
        let mut custom_kinds: BTreeSet<(&str, &str)> = context
            .custom_kinds
            .iter()
            .map(|(group, kind)| (group.as_str(), kind.as_str()))
            .collect();
        let mut crd_scopes = BTreeMap::new();
        for (index, object) in objects.iter().enumerate() {
            match (object.group(), object.kind()) {
                ("", "Namespace") => {
                    namespaces.insert(object.name());
                }
                ("", "ServiceAccount") => {
                    service_accounts.insert((
                        effective_namespace(object).unwrap_or("default"),
                        object.name(),
                    ));
                }
                _ => {}
            }
            if let (Some(defined), Some(scope)) = (object.defines_kind(), object.defines_scope()) {
                custom_kinds.insert(defined);
                crd_scopes.entry(defined).or_insert((index, scope));
            }
        }
        Declared {
            namespaces,
            service_accounts,
            custom_kinds,
            crd_scopes,
        }
    }

    fn namespace(&self, name: &str) -> bool {
        name == "default" || name.starts_with("kube-") || self.namespaces.contains(name)
    }

    fn service_account(&self, namespace: &str, name: &str) -> bool {
        name == "default" || self.service_accounts.contains(&(namespace, name))
    }

    fn custom_kind(&self, group: &str, kind: &str) -> bool {
        self.custom_kinds.contains(&(group, kind))
    }
}

/// A pod spec found in an object, with the JSON path to it (for hints).
struct PodTemplate {
    spec: PodSpec,
    path: &'static str,
    /// A long-running workload behind a rollout, whose containers need readiness probes.
    rolled_out: bool,
}

/// The pod spec of a workload object, read through its k8s-openapi type; `None` for other
/// kinds. An object of a workload kind that cannot be read is reported.
fn pod_template(object: &Object, out: &mut Out<'_>) -> Option<PodTemplate> {
    use k8s_openapi::api::{apps::v1 as apps, batch::v1 as batch, core::v1 as core};
    type Extract<T> = fn(T) -> Option<PodSpec>;
    fn read<T: DeserializeOwned + k8s_openapi::Resource>(
        object: &Object,
        out: &mut Out<'_>,
        path: &'static str,
        extract: Extract<T>,
    ) -> Option<PodSpec> {
        if object.api_version() != T::API_VERSION {
            out.push(
                Check::MalformedObject,
                format!(
                    "{object} has apiVersion {}, which Kubernetes 1.35 does not serve for {}",
                    object.api_version(),
                    T::KIND
                ),
                format!("set apiVersion to {}", T::API_VERSION),
            );
            return None;
        }
        let typed: T = match serde_json::from_value(object.body().clone()) {
            Ok(typed) => typed,
            Err(e) => {
                out.push(
                    Check::MalformedObject,
                    format!(
                        "{object} is not a valid {} {}: {e}",
                        T::API_VERSION,
                        T::KIND
                    ),
                    format!("fix the object so that it matches the {} schema", T::KIND),
                );
                return None;
            }
        };
        let spec = extract(typed);
        if spec.is_none() {
            out.push(
                Check::MalformedObject,
                format!("{object} has no pod spec"),
                format!("set {path}"),
            );
        }
        spec
    }
    let (path, rolled_out, spec) = match (object.group(), object.kind()) {
        ("", "Pod") => (
            "spec",
            false,
            read::<core::Pod>(object, out, "spec", |p| p.spec),
        ),
        ("", "ReplicationController") => {
            let path = "spec.template.spec";
            let spec = read::<core::ReplicationController>(object, out, path, |r| {
                r.spec.and_then(|s| s.template).and_then(|t| t.spec)
            });
            (path, false, spec)
        }
        ("apps", "Deployment") => {
            let path = "spec.template.spec";
            (
                path,
                true,
                read::<apps::Deployment>(object, out, path, |d| {
                    d.spec.and_then(|s| s.template.spec)
                }),
            )
        }
        ("apps", "StatefulSet") => {
            let path = "spec.template.spec";
            (
                path,
                true,
                read::<apps::StatefulSet>(object, out, path, |d| {
                    d.spec.and_then(|s| s.template.spec)
                }),
            )
        }
        ("apps", "DaemonSet") => {
            let path = "spec.template.spec";
            (
                path,
                true,
                read::<apps::DaemonSet>(object, out, path, |d| {
                    d.spec.and_then(|s| s.template.spec)
                }),
            )
        }
        ("apps", "ReplicaSet") => {
            let path = "spec.template.spec";
            (
                path,
                false,
                read::<apps::ReplicaSet>(object, out, path, |d| {
                    d.spec.and_then(|s| s.template).and_then(|t| t.spec)
                }),
            )
        }
        ("batch", "Job") => {
            let path = "spec.template.spec";
            (
                path,
                false,
                read::<batch::Job>(object, out, path, |j| j.spec.and_then(|s| s.template.spec)),
            )
        }
        ("batch", "CronJob") => {
            let path = "spec.jobTemplate.spec.template.spec";
            let spec = read::<batch::CronJob>(object, out, path, |c| {
                c.spec
                    .and_then(|s| s.job_template.spec)
                    .and_then(|s| s.template.spec)
            });
            (path, false, spec)
        }
        _ => return None,
    };
    spec.map(|spec| PodTemplate {
        spec,
        path,
        rolled_out,
    })
}

/// One container of a pod spec, with how messages and hints name it.
struct ContainerRef<'p> {
    container: &'p Container,
    /// `container "api"` or `init container "migrate"`.
    label: String,
    /// `spec.template.spec.containers[0]`.
    path: String,
    init: bool,
}

fn containers<'p>(pod: &'p PodTemplate) -> Vec<ContainerRef<'p>> {
    let init = pod
        .spec
        .init_containers
        .iter()
        .flatten()
        .enumerate()
        .map(|(i, c)| ContainerRef {
            container: c,
            label: format!("init container {:?}", c.name),
            path: format!("{}.initContainers[{i}]", pod.path),
            init: true,
        });
    let main = pod
        .spec
        .containers
        .iter()
        .enumerate()
        .map(|(i, c)| ContainerRef {
            container: c,
            label: format!("container {:?}", c.name),
            path: format!("{}.containers[{i}]", pod.path),
            init: false,
        });
    init.chain(main).collect()
}

fn check_pod(
    object: &Object,
    pod: &PodTemplate,
    namespace: &str,
    declared: &Declared<'_>,
    out: &mut Out<'_>,
) {
    let spec = &pod.spec;
    #[allow(deprecated)]
    let account = spec
        .service_account_name
        .as_deref()
        .or(spec.service_account.as_deref())
        .unwrap_or("default");
    if !declared.service_account(namespace, account) {
        out.push(
            Check::UndeclaredServiceAccount,
            format!(
                "{object} runs as service account {account:?}, which is not declared in namespace {namespace:?}"
            ),
            format!(
                "declare a ServiceAccount named {account:?} in namespace {namespace:?}, or fix {}.serviceAccountName",
                pod.path
            ),
        );
    }
    let containers = containers(pod);
    fn security<'p>(c: &ContainerRef<'p>) -> Option<&'p SecurityContext> {
        c.container.security_context.as_ref()
    }
    for c in &containers {
        check_image(object, c, out);
    }
    for c in &containers {
        check_resources(object, c, out);
    }
    if pod.rolled_out {
        for c in containers.iter().filter(|c| !c.init) {
            if c.container.readiness_probe.is_none() {
                out.push(
                    Check::ReadinessProbe,
                    format!("{object}: {} has no readiness probe, so a rollout sends traffic to it before it is ready", c.label),
                    format!("set {}.readinessProbe", c.path),
                );
            }
        }
    }
    for c in &containers {
        if security(c).and_then(|s| s.privileged) == Some(true) {
            out.push(
                Check::Privileged,
                format!(
                    "{object}: {} is privileged, with full access to the node",
                    c.label
                ),
                format!("remove {}.securityContext.privileged", c.path),
            );
        }
    }
    for c in &containers {
        if security(c).and_then(|s| s.allow_privilege_escalation) != Some(false) {
            out.push(
                Check::PrivilegeEscalation,
                format!("{object}: {} may gain more privileges than its process has (allowPrivilegeEscalation is not false)", c.label),
                format!("set {}.securityContext.allowPrivilegeEscalation to false", c.path),
            );
        }
    }
    for (i, volume) in spec.volumes.iter().flatten().enumerate() {
        if let Some(host) = &volume.host_path {
            out.push(
                Check::HostPath,
                format!(
                    "{object} mounts the node's path {:?} (hostPath volume {:?})",
                    host.path, volume.name
                ),
                format!(
                    "replace {}.volumes[{i}].hostPath with a volume of the pod's own (emptyDir, a PersistentVolumeClaim, a ConfigMap)",
                    pod.path
                ),
            );
        }
    }
    for (set, field) in [
        (spec.host_network, "hostNetwork"),
        (spec.host_pid, "hostPID"),
        (spec.host_ipc, "hostIPC"),
    ] {
        if set == Some(true) {
            out.push(
                Check::HostNamespaces,
                format!("{object} shares the node's namespaces ({field} is true)"),
                format!("remove {}.{field}", pod.path),
            );
        }
    }
    let pod_security = spec.security_context.as_ref();
    for c in &containers {
        // The container's settings override the pod's.
        let user = security(c)
            .and_then(|s| s.run_as_user)
            .or(pod_security.and_then(|s| s.run_as_user));
        let non_root = security(c)
            .and_then(|s| s.run_as_non_root)
            .or(pod_security.and_then(|s| s.run_as_non_root));
        let problem = match (user, non_root) {
            (Some(0), _) => Some("runs as root (runAsUser is 0)"),
            (Some(u), _) if u > 0 => None,
            (_, Some(true)) => None,
            _ => Some("may run as root (neither runAsNonRoot is true nor runAsUser above 0)"),
        };
        if let Some(problem) = problem {
            out.push(
                Check::RunAsNonRoot,
                format!("{object}: {} {problem}", c.label),
                format!(
                    "set {}.securityContext.runAsNonRoot to true and runAsUser to a non-zero id (or both in {}.securityContext, for every container)",
                    c.path, pod.path
                ),
            );
        }
    }
    check_volume_modes(object, pod, &containers, out);
    for c in &containers {
        if security(c).and_then(|s| s.read_only_root_filesystem) != Some(true) {
            out.push(
                Check::ReadOnlyRootFilesystem,
                format!("{object}: {} has a writable root filesystem", c.label),
                format!(
                    "set {}.securityContext.readOnlyRootFilesystem to true, with an emptyDir volume where it must write",
                    c.path
                ),
            );
        }
    }
}

/// Secret and ConfigMap volumes whose files a container's non-root user cannot read. The
/// kubelet writes their files as root, with the volume's `defaultMode` (or an item's `mode`;
/// 0644 when neither is set); with the pod's `fsGroup` it also gives them that group and adds
/// group read. Without `fsGroup`, a mode such as 0400 leaves a process of user 10001 unable to
/// read the password it was given, which shows only when the pod starts.
fn check_volume_modes(
    object: &Object,
    pod: &PodTemplate,
    containers: &[ContainerRef<'_>],
    out: &mut Out<'_>,
) {
    let pod_security = pod.spec.security_context.as_ref();
    if pod_security.and_then(|s| s.fs_group).is_some() {
        return;
    }
    // The volumes whose files only their owner (root) may read, with the mode that says so.
    let mut root_only: BTreeMap<&str, i32> = BTreeMap::new();
    for volume in pod.spec.volumes.iter().flatten() {
        let modes: Vec<i32> = if let Some(secret) = &volume.secret {
            let items = secret.items.iter().flatten().filter_map(|i| i.mode);
            std::iter::once(secret.default_mode.unwrap_or(0o644))
                .chain(items)
                .collect()
        } else if let Some(map) = &volume.config_map {
            let items = map.items.iter().flatten().filter_map(|i| i.mode);
            std::iter::once(map.default_mode.unwrap_or(0o644))
                .chain(items)
                .collect()
        } else {
            continue;
        };
        if let Some(mode) = modes.into_iter().find(|mode| mode & 0o044 == 0) {
            root_only.insert(&volume.name, mode);
        }
    }
    if root_only.is_empty() {
        return;
    }
    for c in containers {
        let user = c
            .container
            .security_context
            .as_ref()
            .and_then(|s| s.run_as_user)
            .or(pod_security.and_then(|s| s.run_as_user));
        let Some(user) = user.filter(|u| *u > 0) else {
            continue;
        };
        for mount in c.container.volume_mounts.iter().flatten() {
            if let Some(mode) = root_only.get(mount.name.as_str()) {
                out.push(
                    Check::UnreadableVolume,
                    format!(
                        "{object}: {} runs as user {user} and cannot read volume {:?}: its files are root's with mode {mode:04o}, and the pod sets no fsGroup",
                        c.label, mount.name
                    ),
                    format!(
                        "set {}.securityContext.fsGroup (the kubelet then gives the files that group, readable), or a mode the container's user may read",
                        pod.path
                    ),
                );
            }
        }
    }
}

fn check_image(object: &Object, c: &ContainerRef<'_>, out: &mut Out<'_>) {
    let Some(image) = c.container.image.as_deref() else {
        out.push(
            Check::ImageTag,
            format!("{object}: {} has no image", c.label),
            format!(
                "set {}.image to an image with a version tag or a digest",
                c.path
            ),
        );
        return;
    };
    let problem = match image_tag(image) {
        ImageTag::Digest | ImageTag::Tag(_) => return,
        ImageTag::Latest => "has the tag latest",
        ImageTag::None => "has no tag, so Kubernetes pulls latest",
    };
    out.push(
        Check::ImageTag,
        format!(
            "{object}: {} image {image:?} {problem}, which changes under running pods",
            c.label
        ),
        format!(
            "pin {}.image to a version tag (name:1.2.3) or a digest (name@sha256:...)",
            c.path
        ),
    );
}

/// What an image reference says about its version.
#[derive(Debug, PartialEq, Eq)]
enum ImageTag<'a> {
    /// Pinned by digest (`@sha256:...`).
    Digest,
    /// A tag other than `latest`.
    Tag(&'a str),
    /// The tag `latest`.
    Latest,
    /// No tag.
    None,
}

/// Reads the tag of an image reference. The tag is the text after the last `:` that follows the
/// last `/` (a `:` before it is a registry port). A `${...}` placeholder, a value filled in at
/// deploy time (`${cirrus:Stack.Output}:v1`), is opaque: a `:` or `/` inside it is not a
/// separator, and a placeholder in the tag's place is a tag.
fn image_tag(image: &str) -> ImageTag<'_> {
    // Blank out placeholders so that their separators do not count; positions stay the same.
    let mut masked: Vec<u8> = image.as_bytes().to_vec();
    let mut from = 0;
    while let Some(start) = image[from..].find("${").map(|i| from + i) {
        let Some(end) = image[start..].find('}').map(|i| start + i) else {
            break;
        };
        for b in &mut masked[start..=end] {
            *b = b'x';
        }
        from = end + 1;
    }
    if let Some(at) = masked.iter().position(|b| *b == b'@') {
        if image[at + 1..].starts_with("sha256:") {
            return ImageTag::Digest;
        }
    }
    let after_slash = masked.iter().rposition(|b| *b == b'/').map_or(0, |i| i + 1);
    match masked[after_slash..].iter().rposition(|b| *b == b':') {
        None => ImageTag::None,
        Some(i) => match &image[after_slash + i + 1..] {
            "" => ImageTag::None,
            "latest" => ImageTag::Latest,
            tag => ImageTag::Tag(tag),
        },
    }
}

fn check_resources(object: &Object, c: &ContainerRef<'_>, out: &mut Out<'_>) {
    let resources = c.container.resources.as_ref();
    let mut missing = Vec::new();
    for (field, map) in [
        ("requests", resources.and_then(|r| r.requests.as_ref())),
        ("limits", resources.and_then(|r| r.limits.as_ref())),
    ] {
        for resource in ["cpu", "memory"] {
            if !map.is_some_and(|m| m.contains_key(resource)) {
                missing.push(format!("{field}.{resource}"));
            }
        }
    }
    if !missing.is_empty() {
        out.push(
            Check::ResourceLimits,
            format!("{object}: {} has no {}", c.label, missing.join(", ")),
            format!(
                "set {}.resources.requests and .limits, both cpu and memory",
                c.path
            ),
        );
    }
}

fn check_service(object: &Object, context: &CheckContext, out: &mut Out<'_>) {
    if (object.group(), object.kind()) != ("", "Service")
        || object.body().pointer("/spec/type").and_then(|t| t.as_str()) != Some("LoadBalancer")
    {
        return;
    }
    if context.internal_load_balancers {
        let scheme = object.annotation(SCHEME_ANNOTATION);
        let legacy = object.annotation(LEGACY_INTERNAL_ANNOTATION);
        if scheme != Some("internal") && !(scheme.is_none() && legacy == Some("true")) {
            let state = match scheme {
                Some(other) => format!("its scheme is {other:?}"),
                None => "it does not say its scheme".to_owned(),
            };
            out.push(
                Check::LoadBalancerInternal,
                format!("{object} is a LoadBalancer Service and {state}, but the app wants internal load balancers"),
                format!("set the annotation {SCHEME_ANNOTATION}: internal"),
            );
        }
    }
    if context.load_balancer_tls
        && object
            .annotation(SSL_CERT_ANNOTATION)
            .is_none_or(|cert| cert.trim().is_empty())
    {
        out.push(
            Check::LoadBalancerTls,
            format!("{object} is a LoadBalancer Service without a TLS certificate, but the app wants TLS"),
            format!("set the annotation {SSL_CERT_ANNOTATION} to the ARN of an ACM certificate"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    /// A container that passes every check.
    fn container(name: &str) -> Value {
        json!({
            "name": name,
            "image": "registry.example.com/shop/api:1.4.2",
            "readinessProbe": {"httpGet": {"path": "/ready", "port": 8080}},
            "resources": {
                "requests": {"cpu": "250m", "memory": "256Mi"},
                "limits": {"cpu": "1", "memory": "512Mi"},
            },
            "securityContext": {
                "allowPrivilegeEscalation": false,
                "runAsNonRoot": true,
                "readOnlyRootFilesystem": true,
            },
        })
    }

    /// A Deployment in namespace `shop` that passes every check.
    fn deployment() -> Value {
        json!({
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "api", "namespace": "shop"},
            "spec": {
                "selector": {"matchLabels": {"app": "api"}},
                "template": {
                    "metadata": {"labels": {"app": "api"}},
                    "spec": {"serviceAccountName": "api", "containers": [container("api")]},
                },
            },
        })
    }

    fn namespace(name: &str) -> Value {
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
    }

    fn service_account(ns: &str, name: &str) -> Value {
        json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": name, "namespace": ns}})
    }

    fn objects(values: impl IntoIterator<Item = Value>) -> Vec<Object> {
        values
            .into_iter()
            .map(|v| Object::untyped(v).unwrap())
            .collect()
    }

    /// The deployment (edited) with its namespace and service account.
    fn run(edit: impl FnOnce(&mut Value)) -> Vec<Finding> {
        run_with(edit, &CheckContext::new())
    }

    fn run_with(edit: impl FnOnce(&mut Value), context: &CheckContext) -> Vec<Finding> {
        let mut d = deployment();
        edit(&mut d);
        check(
            &objects([namespace("shop"), service_account("shop", "api"), d]),
            context,
        )
    }

    fn only(findings: &[Finding]) -> (Check, &str, &str) {
        assert_eq!(findings.len(), 1, "{findings:#?}");
        let f = &findings[0];
        (f.check, f.message.as_str(), f.hint.as_str())
    }

    fn c0(d: &mut Value) -> &mut Value {
        &mut d["spec"]["template"]["spec"]["containers"][0]
    }

    #[test]
    fn a_compliant_deployment_has_no_findings() {
        assert_eq!(run(|_| {}), []);
    }

    #[test]
    fn check_names_are_unique_and_round_trip() {
        let names: BTreeSet<&str> = Check::ALL.iter().map(|c| c.name()).collect();
        assert_eq!(names.len(), Check::ALL.len());
        for c in Check::ALL {
            assert_eq!(Check::from_name(c.name()), Some(c));
        }
        assert_eq!(Check::from_name("nope"), None);
        assert_eq!(Check::ImageTag.to_string(), "image-tag");
    }

    #[test]
    fn undeclared_namespace() {
        let found = check(
            &objects([service_account("shop", "api"), deployment()]),
            &CheckContext::new(),
        );
        assert_eq!(found.len(), 2, "{found:#?}");
        assert!(found.iter().all(|f| f.check == Check::UndeclaredNamespace));
        assert_eq!(found[1].object, 1);
        assert_eq!(
            found[1].message,
            "Deployment shop/api is in namespace \"shop\", which nothing declares"
        );
        // Declared by the context; default and kube-* are implicit.
        let context = CheckContext::new().namespace("shop");
        assert_eq!(
            check(
                &objects([service_account("shop", "api"), deployment()]),
                &context
            ),
            []
        );
        let mut d = deployment();
        d["metadata"]["namespace"] = json!("kube-system");
        d["spec"]["template"]["spec"]["serviceAccountName"] = json!("default");
        let mut in_default = deployment();
        in_default["metadata"]["namespace"] = json!("default");
        in_default["spec"]["template"]["spec"]["serviceAccountName"] = json!("default");
        assert_eq!(check(&objects([d, in_default]), &CheckContext::new()), []);
    }

    #[test]
    fn duplicate_objects() {
        let found = check(
            &objects([
                namespace("shop"),
                service_account("shop", "api"),
                service_account("shop", "api"),
            ]),
            &CheckContext::new(),
        );
        let (check_, message, _) = only(&found);
        assert_eq!(check_, Check::DuplicateObject);
        assert_eq!(found[0].object, 2);
        assert_eq!(
            message,
            "ServiceAccount shop/api is declared twice (same group, kind, namespace and name); the second would overwrite the first"
        );
        assert_eq!(found[0].other, Some(1));
        // Same name in another namespace, or another kind: not duplicates. No namespace is
        // `default`, so these two are the same object.
        let found = check(
            &objects([
                namespace("shop"),
                namespace("web"),
                service_account("shop", "api"),
                service_account("web", "api"),
                json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "api", "namespace": "shop"}}),
                json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}}),
                json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "namespace": "default"}}),
            ]),
            &CheckContext::new(),
        );
        assert_eq!(only(&found).0, Check::DuplicateObject);
        assert_eq!(found[0].object, 6);
    }

    #[test]
    fn missing_crd() {
        let canary = json!({"apiVersion": "flagger.app/v1beta1", "kind": "Canary",
            "metadata": {"name": "api", "namespace": "shop"}, "spec": {}});
        let crd = json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": "canaries.flagger.app"},
            "spec": {"group": "flagger.app", "scope": "Namespaced",
                     "names": {"kind": "Canary", "plural": "canaries"}, "versions": []}});
        let found = check(
            &objects([namespace("shop"), canary.clone()]),
            &CheckContext::new(),
        );
        let (c, message, hint) = only(&found);
        assert_eq!(c, Check::MissingCrd);
        assert_eq!(
            message,
            "Canary shop/api is of the custom kind Canary of flagger.app, whose CustomResourceDefinition is neither declared nor installed"
        );
        assert_eq!(
            hint,
            "declare the CustomResourceDefinition on the cluster, or install the Helm chart that provides it"
        );
        // Among the objects, or installed by a chart.
        assert_eq!(
            check(
                &objects([namespace("shop"), canary.clone(), crd]),
                &CheckContext::new()
            ),
            []
        );
        let context = CheckContext::new().custom_kind("flagger.app", "Canary");
        assert_eq!(check(&objects([namespace("shop"), canary]), &context), []);
    }

    #[test]
    fn custom_kind_scope() {
        let crd = json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": {"name": "clusterissuers.cert-manager.io"},
            "spec": {"group": "cert-manager.io", "scope": "Cluster",
                     "names": {"kind": "ClusterIssuer", "plural": "clusterissuers"}, "versions": []}});
        let issuer = json!({"apiVersion": "cert-manager.io/v1", "kind": "ClusterIssuer",
            "metadata": {"name": "letsencrypt"}, "spec": {}});
        // Made untyped without the flag: namespaced, which the CRD contradicts.
        let found = check(
            &objects([crd.clone(), issuer.clone()]),
            &CheckContext::new(),
        );
        let (c, message, hint) = only(&found);
        assert_eq!(c, Check::CustomKindScope);
        assert_eq!(
            message,
            "ClusterIssuer letsencrypt was made namespaced, but its CustomResourceDefinition declares the kind cluster-scoped"
        );
        assert!(hint.contains("Scope::Cluster"), "{hint}");
        assert_eq!((found[0].object, found[0].other), (1, Some(0)));
        let objects = vec![
            Object::untyped(crd).unwrap(),
            Object::untyped_with_scope(issuer, Scope::Cluster).unwrap(),
        ];
        assert_eq!(check(&objects, &CheckContext::new()), []);
    }

    #[test]
    fn undeclared_service_account() {
        let found = check(
            &objects([namespace("shop"), deployment()]),
            &CheckContext::new(),
        );
        let (c, message, hint) = only(&found);
        assert_eq!(c, Check::UndeclaredServiceAccount);
        assert_eq!(
            message,
            "Deployment shop/api runs as service account \"api\", which is not declared in namespace \"shop\""
        );
        assert!(
            hint.contains("spec.template.spec.serviceAccountName"),
            "{hint}"
        );
        // Declared in another namespace does not count.
        let found = check(
            &objects([
                namespace("shop"),
                service_account("web", "api"),
                deployment(),
            ]),
            &CheckContext::new().namespace("web"),
        );
        assert_eq!(only(&found).0, Check::UndeclaredServiceAccount);
        // From the context (Pod Identity glue, a chart), or the implicit default.
        let context = CheckContext::new().service_account("shop", "api");
        assert_eq!(
            check(&objects([namespace("shop"), deployment()]), &context),
            []
        );
        assert_eq!(
            run(|d| {
                d["spec"]["template"]["spec"]
                    .as_object_mut()
                    .unwrap()
                    .remove("serviceAccountName");
            }),
            []
        );
    }

    #[test]
    fn image_tags() {
        for (image, ok) in [
            ("nginx", false),
            ("nginx:latest", false),
            ("localhost:5000/shop/api", false),
            ("registry.example.com/shop/api:latest", false),
            ("${cirrus:Registry.Uri}", false),
            ("${cirrus:Registry.Uri}:latest", false),
            ("nginx:1.27", true),
            ("localhost:5000/shop/api:2", true),
            ("nginx@sha256:0123abcd", true),
            ("nginx:1.27@sha256:0123abcd", true),
            ("${cirrus:Registry.Uri}:v1", true),
            (
                "123456789012.dkr.ecr.eu-west-1.amazonaws.com/api:${cirrus:Build.Tag}",
                true,
            ),
            ("${cirrus:Registry.Host}/api:${cirrus:Build.Tag}", true),
        ] {
            let found = run(|d| c0(d)["image"] = json!(image));
            assert_eq!(found.is_empty(), ok, "{image}: {found:#?}");
            if !ok {
                assert_eq!(only(&found).0, Check::ImageTag);
                assert!(
                    found[0].message.contains(&format!("{image:?}")),
                    "{}",
                    found[0].message
                );
                assert_eq!(
                    found[0].hint,
                    "pin spec.template.spec.containers[0].image to a version tag (name:1.2.3) or a digest (name@sha256:...)"
                );
            }
        }
        assert_eq!(image_tag("${cirrus:A.B}:v1"), ImageTag::Tag("v1"));
        assert_eq!(image_tag("a/${x:y}"), ImageTag::None);
        assert_eq!(image_tag("nginx:"), ImageTag::None);
        // An unclosed placeholder is plain text.
        assert_eq!(image_tag("${a:b"), ImageTag::Tag("b"));
        let found = run(|d| {
            c0(d).as_object_mut().unwrap().remove("image");
        });
        assert_eq!(
            only(&found).1,
            "Deployment shop/api: container \"api\" has no image"
        );
    }

    #[test]
    fn resource_requests_and_limits() {
        let found = run(|d| {
            c0(d)["resources"] = json!({"limits": {"memory": "512Mi"}});
        });
        let (c, message, hint) = only(&found);
        assert_eq!(c, Check::ResourceLimits);
        assert_eq!(
            message,
            "Deployment shop/api: container \"api\" has no requests.cpu, requests.memory, limits.cpu"
        );
        assert_eq!(
            hint,
            "set spec.template.spec.containers[0].resources.requests and .limits, both cpu and memory"
        );
        // Init containers too.
        let found = run(|d| {
            let mut init = container("migrate");
            init.as_object_mut().unwrap().remove("resources");
            init.as_object_mut().unwrap().remove("readinessProbe");
            d["spec"]["template"]["spec"]["initContainers"] = json!([init]);
        });
        let (c, message, hint) = only(&found);
        assert_eq!(c, Check::ResourceLimits);
        assert!(message.contains("init container \"migrate\" has no requests.cpu, requests.memory, limits.cpu, limits.memory"));
        assert!(hint.starts_with("set spec.template.spec.initContainers[0].resources"));
    }

    #[test]
    fn readiness_probes() {
        let found = run(|d| {
            c0(d).as_object_mut().unwrap().remove("readinessProbe");
        });
        let (c, message, hint) = only(&found);
        assert_eq!(c, Check::ReadinessProbe);
        assert!(
            message.starts_with("Deployment shop/api: container \"api\" has no readiness probe")
        );
        assert_eq!(hint, "set spec.template.spec.containers[0].readinessProbe");
        // A Job's containers need none.
        let mut c = container("report");
        c.as_object_mut().unwrap().remove("readinessProbe");
        let job = json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "report"},
            "spec": {"template": {"spec": {"restartPolicy": "Never", "containers": [c]}}}});
        assert_eq!(check(&objects([job]), &CheckContext::new()), []);
    }

    #[test]
    fn privileged_and_privilege_escalation() {
        let found = run(|d| c0(d)["securityContext"]["privileged"] = json!(true));
        let (c, message, hint) = only(&found);
        assert_eq!(c, Check::Privileged);
        assert_eq!(
            message,
            "Deployment shop/api: container \"api\" is privileged, with full access to the node"
        );
        assert_eq!(
            hint,
            "remove spec.template.spec.containers[0].securityContext.privileged"
        );
        assert_eq!(
            run(|d| c0(d)["securityContext"]["privileged"] = json!(false)),
            []
        );

        let found = run(|d| {
            c0(d)["securityContext"]
                .as_object_mut()
                .unwrap()
                .remove("allowPrivilegeEscalation");
        });
        let (c, _, hint) = only(&found);
        assert_eq!(c, Check::PrivilegeEscalation);
        assert_eq!(
            hint,
            "set spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation to false"
        );
        let found = run(|d| c0(d)["securityContext"]["allowPrivilegeEscalation"] = json!(true));
        assert_eq!(only(&found).0, Check::PrivilegeEscalation);
    }

    #[test]
    fn host_path_and_host_namespaces() {
        let found = run(|d| {
            d["spec"]["template"]["spec"]["volumes"] = json!([
                {"name": "cache", "emptyDir": {}},
                {"name": "docker", "hostPath": {"path": "/var/run/docker.sock"}},
            ]);
        });
        let (c, message, hint) = only(&found);
        assert_eq!(c, Check::HostPath);
        assert_eq!(
            message,
            "Deployment shop/api mounts the node's path \"/var/run/docker.sock\" (hostPath volume \"docker\")"
        );
        assert!(
            hint.starts_with("replace spec.template.spec.volumes[1].hostPath"),
            "{hint}"
        );

        let found = run(|d| {
            d["spec"]["template"]["spec"]["hostNetwork"] = json!(true);
            d["spec"]["template"]["spec"]["hostPID"] = json!(true);
            d["spec"]["template"]["spec"]["hostIPC"] = json!(false);
        });
        assert_eq!(found.len(), 2, "{found:#?}");
        assert!(found.iter().all(|f| f.check == Check::HostNamespaces));
        assert_eq!(
            found[0].message,
            "Deployment shop/api shares the node's namespaces (hostNetwork is true)"
        );
        assert_eq!(found[1].hint, "remove spec.template.spec.hostPID");
    }

    #[test]
    fn run_as_non_root() {
        let without = |d: &mut Value| {
            c0(d)["securityContext"]
                .as_object_mut()
                .unwrap()
                .remove("runAsNonRoot");
        };
        let found = run(without);
        let (c, message, hint) = only(&found);
        assert_eq!(c, Check::RunAsNonRoot);
        assert_eq!(
            message,
            "Deployment shop/api: container \"api\" may run as root (neither runAsNonRoot is true nor runAsUser above 0)"
        );
        assert!(hint.starts_with(
            "set spec.template.spec.containers[0].securityContext.runAsNonRoot to true"
        ));
        // The pod's setting applies to the container; a user id above 0 is enough.
        assert_eq!(
            run(|d| {
                without(d);
                d["spec"]["template"]["spec"]["securityContext"] = json!({"runAsNonRoot": true});
            }),
            []
        );
        assert_eq!(
            run(|d| {
                without(d);
                c0(d)["securityContext"]["runAsUser"] = json!(1000);
            }),
            []
        );
        // The container's false overrides the pod's true; user 0 is root whatever else says.
        let found = run(|d| {
            c0(d)["securityContext"]["runAsNonRoot"] = json!(false);
            d["spec"]["template"]["spec"]["securityContext"] = json!({"runAsNonRoot": true});
        });
        assert_eq!(only(&found).0, Check::RunAsNonRoot);
        let found = run(|d| {
            d["spec"]["template"]["spec"]["securityContext"] = json!({"runAsUser": 0});
        });
        assert!(only(&found).1.ends_with("runs as root (runAsUser is 0)"));
    }

    #[test]
    fn read_only_root_filesystem() {
        let found = run(|d| c0(d)["securityContext"]["readOnlyRootFilesystem"] = json!(false));
        let (c, message, hint) = only(&found);
        assert_eq!(c, Check::ReadOnlyRootFilesystem);
        assert_eq!(
            message,
            "Deployment shop/api: container \"api\" has a writable root filesystem"
        );
        assert!(hint.starts_with(
            "set spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem to true"
        ));
    }

    #[test]
    fn volumes_only_root_may_read() {
        // A non-root user, a Secret volume of mode 0400 mounted: unreadable.
        let secret = |d: &mut Value, mode: Value| {
            let pod = &mut d["spec"]["template"]["spec"];
            pod["securityContext"] = json!({"runAsUser": 10001});
            pod["volumes"] =
                json!([{"name": "db", "secret": {"secretName": "db", "defaultMode": mode}}]);
            c0(d)["volumeMounts"] = json!([{"name": "db", "mountPath": "/db", "readOnly": true}]);
        };
        let found = run(|d| secret(d, json!(0o400)));
        let (c, message, hint) = only(&found);
        assert_eq!(c, Check::UnreadableVolume);
        assert_eq!(
            message,
            "Deployment shop/api: container \"api\" runs as user 10001 and cannot read volume \"db\": its files are root's with mode 0400, and the pod sets no fsGroup"
        );
        assert!(hint.starts_with("set spec.template.spec.securityContext.fsGroup"));
        // The pod's fsGroup gives the files its group and group read.
        let with_group = run(|d| {
            secret(d, json!(0o400));
            d["spec"]["template"]["spec"]["securityContext"]["fsGroup"] = json!(10001);
        });
        assert_eq!(with_group, []);
        // A mode others may read, the default mode, or an item of a ConfigMap set to 0600.
        assert_eq!(run(|d| secret(d, json!(0o444))), []);
        assert_eq!(run(|d| secret(d, Value::Null)), []);
        let item = run(|d| {
            secret(d, json!(0o444));
            d["spec"]["template"]["spec"]["volumes"] = json!([{"name": "db", "configMap": {
                "name": "db", "items": [{"key": "k", "path": "k", "mode": 0o600}]}}]);
        });
        assert_eq!(only(&item).0, Check::UnreadableVolume);
        // A volume nobody mounts, or a root container, is not a problem of this check.
        let unmounted = run(|d| {
            secret(d, json!(0o400));
            c0(d)["volumeMounts"] = json!([]);
        });
        assert_eq!(unmounted, []);
    }

    #[test]
    fn every_pod_template_kind_is_read() {
        let pod_spec = json!({"containers": [{"name": "app", "image": "nginx"}]});
        let template = json!({"spec": pod_spec});
        let selector = json!({"matchLabels": {"app": "a"}});
        for (value, path) in [
            (
                json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a"}, "spec": pod_spec}),
                "spec",
            ),
            (
                json!({"apiVersion": "v1", "kind": "ReplicationController", "metadata": {"name": "a"},
                "spec": {"template": template}}),
                "spec.template.spec",
            ),
            (
                json!({"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "a"},
                "spec": {"selector": selector, "template": template}}),
                "spec.template.spec",
            ),
            (
                json!({"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "a"},
                "spec": {"selector": selector, "template": template}}),
                "spec.template.spec",
            ),
            (
                json!({"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "a"},
                "spec": {"selector": selector, "template": template}}),
                "spec.template.spec",
            ),
            (
                json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "a"},
                "spec": {"template": template}}),
                "spec.template.spec",
            ),
            (
                json!({"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "a"},
                "spec": {"schedule": "0 * * * *", "jobTemplate": {"spec": {"template": template}}}}),
                "spec.jobTemplate.spec.template.spec",
            ),
        ] {
            let found = check(&objects([value]), &CheckContext::new());
            let image = found
                .iter()
                .find(|f| f.check == Check::ImageTag)
                .expect("image finding");
            assert!(
                image
                    .hint
                    .starts_with(&format!("pin {path}.containers[0].image")),
                "{}",
                image.hint
            );
        }
    }

    #[test]
    fn malformed_workloads_are_reported() {
        let found = run(|d| d["apiVersion"] = json!("apps/v1beta2"));
        let (c, message, hint) = only(&found);
        assert_eq!(c, Check::MalformedObject);
        assert_eq!(
            message,
            "Deployment shop/api has apiVersion apps/v1beta2, which Kubernetes 1.35 does not serve for Deployment"
        );
        assert_eq!(hint, "set apiVersion to apps/v1");
        let found = run(|d| d["spec"]["template"]["spec"]["containers"] = json!("api"));
        let (c, message, _) = only(&found);
        assert_eq!(c, Check::MalformedObject);
        assert!(
            message.starts_with("Deployment shop/api is not a valid apps/v1 Deployment: "),
            "{message}"
        );
        let found = run(|d| {
            d["spec"]["template"]
                .as_object_mut()
                .unwrap()
                .remove("spec");
        });
        assert_eq!(only(&found).1, "Deployment shop/api has no pod spec");
    }

    fn load_balancer(annotations: Value) -> Value {
        json!({"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": "web", "namespace": "shop", "annotations": annotations},
            "spec": {"type": "LoadBalancer", "ports": [{"port": 443}]}})
    }

    fn lb_findings(annotations: Value, context: &CheckContext) -> Vec<Finding> {
        check(
            &objects([namespace("shop"), load_balancer(annotations)]),
            context,
        )
    }

    #[test]
    fn internal_load_balancers() {
        let internal = CheckContext::new().internal_load_balancers(true);
        let found = lb_findings(json!({}), &internal);
        let (c, message, hint) = only(&found);
        assert_eq!(c, Check::LoadBalancerInternal);
        assert_eq!(
            message,
            "Service shop/web is a LoadBalancer Service and it does not say its scheme, but the app wants internal load balancers"
        );
        assert_eq!(
            hint,
            "set the annotation service.beta.kubernetes.io/aws-load-balancer-scheme: internal"
        );
        let found = lb_findings(json!({SCHEME_ANNOTATION: "internet-facing"}), &internal);
        assert!(only(&found).1.contains("its scheme is \"internet-facing\""));
        // The scheme wins over the legacy annotation.
        let found = lb_findings(
            json!({SCHEME_ANNOTATION: "internet-facing", LEGACY_INTERNAL_ANNOTATION: "true"}),
            &internal,
        );
        assert_eq!(only(&found).0, Check::LoadBalancerInternal);
        assert_eq!(
            lb_findings(json!({SCHEME_ANNOTATION: "internal"}), &internal),
            []
        );
        assert_eq!(
            lb_findings(json!({LEGACY_INTERNAL_ANNOTATION: "true"}), &internal),
            []
        );
        // Not asked for, or not a load balancer: nothing.
        assert_eq!(lb_findings(json!({}), &CheckContext::new()), []);
        let mut cluster_ip = load_balancer(json!({}));
        cluster_ip["spec"]["type"] = json!("ClusterIP");
        assert_eq!(
            check(&objects([namespace("shop"), cluster_ip]), &internal),
            []
        );
    }

    #[test]
    fn load_balancer_tls() {
        let tls = CheckContext::new().load_balancer_tls(true);
        let found = lb_findings(json!({SCHEME_ANNOTATION: "internal"}), &tls);
        let (c, message, hint) = only(&found);
        assert_eq!(c, Check::LoadBalancerTls);
        assert_eq!(
            message,
            "Service shop/web is a LoadBalancer Service without a TLS certificate, but the app wants TLS"
        );
        assert!(hint.starts_with(
            "set the annotation service.beta.kubernetes.io/aws-load-balancer-ssl-cert"
        ));
        assert_eq!(
            only(&lb_findings(json!({SSL_CERT_ANNOTATION: " "}), &tls)).0,
            Check::LoadBalancerTls
        );
        let cert = "arn:aws:acm:eu-west-1:123456789012:certificate/abc";
        assert_eq!(lb_findings(json!({SSL_CERT_ANNOTATION: cert}), &tls), []);
    }

    #[test]
    fn findings_are_ordered_by_object_then_check() {
        let mut bare = deployment();
        bare["spec"]["template"]["spec"]["containers"] = json!([{"name": "api", "image": "api"}]);
        let found = check(&objects([bare, namespace("shop")]), &CheckContext::new());
        let checks: Vec<&str> = found.iter().map(|f| f.check.name()).collect();
        assert_eq!(
            checks,
            [
                "undeclared-service-account",
                "image-tag",
                "resource-limits",
                "readiness-probe",
                "privilege-escalation",
                "run-as-non-root",
                "read-only-root-filesystem",
            ]
        );
        assert!(found.iter().all(|f| f.object == 0));
    }
}
