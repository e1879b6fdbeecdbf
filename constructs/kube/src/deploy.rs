//! Deploying a step's objects: server-side apply, readiness waits, pruning, deletion.

use std::collections::BTreeSet;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use http::{Method, StatusCode};
use serde_json::Value;
use tokio::time::Instant;

use crate::applyset::{FoundObject, PARENT_NAMESPACE, PrunePlan, StepLabel, read_parent};
use crate::client::Client;
use crate::discovery::{ApiResource, split_api_version};
use crate::error::KubeError;
use crate::object::{GroupKind, ObjectRef};
use crate::status::api_error;

/// The field manager of every apply: the owner of the fields cirrus sets, as the API server
/// records it (`kubectl` shows it in `managedFields`).
pub const FIELD_MANAGER: &str = "cirrus";

/// A callback told of each step of the work, for the runner's progress lines.
pub type ProgressFn = Arc<dyn Fn(&Progress) + Send + Sync>;

/// What happened to an object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProgressEvent {
    /// The object was applied (created or updated).
    Applied,
    /// A CustomResourceDefinition was applied and is established: its kind can be used.
    Established,
    /// A workload is not ready yet; the text says how far it is
    /// (`1 of 3 replicas available`). Told when the state changes.
    Waiting(String),
    /// A workload is ready.
    Ready,
    /// An object the step no longer declares was deleted.
    Pruned,
    /// The object was deleted and is gone.
    Deleted,
    /// The object to delete did not exist.
    AlreadyAbsent,
}

/// One progress line: an object and what happened to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    /// The object.
    pub object: ObjectRef,
    /// What happened.
    pub event: ProgressEvent,
}

impl fmt::Display for Progress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match &self.event {
            ProgressEvent::Applied => "applied",
            ProgressEvent::Established => "established",
            ProgressEvent::Waiting(detail) => return write!(f, "{}: {detail}", self.object),
            ProgressEvent::Ready => "ready",
            ProgressEvent::Pruned => "pruned",
            ProgressEvent::Deleted => "deleted",
            ProgressEvent::AlreadyAbsent => "already absent",
        };
        write!(f, "{}: {what}", self.object)
    }
}

/// How [`Client::apply`] works.
#[derive(Clone)]
pub struct ApplyOptions {
    /// Whether to wait for Deployments, StatefulSets and DaemonSets to be ready, and for the
    /// Jobs that ask ([`WAIT_ANNOTATION`]) to complete. Default: true.
    pub wait: bool,
    /// How long all workloads together may take to be ready. Default: 10 minutes.
    pub timeout: Duration,
    /// How long a CustomResourceDefinition may take to be established. Default: 60 s.
    pub crd_timeout: Duration,
    /// Whether to delete the objects the step applied before and no longer declares.
    /// Default: true.
    pub prune: bool,
    /// How often to ask for the state of what is waited for. Default: 2 s.
    pub poll_interval: Duration,
    /// Told of every object applied, established, waited for and pruned. Default: none.
    pub progress: Option<ProgressFn>,
}

impl Default for ApplyOptions {
    fn default() -> Self {
        ApplyOptions {
            wait: true,
            timeout: Duration::from_secs(600),
            crd_timeout: Duration::from_secs(60),
            prune: true,
            poll_interval: Duration::from_secs(2),
            progress: None,
        }
    }
}

impl fmt::Debug for ApplyOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApplyOptions")
            .field("wait", &self.wait)
            .field("timeout", &self.timeout)
            .field("crd_timeout", &self.crd_timeout)
            .field("prune", &self.prune)
            .field("poll_interval", &self.poll_interval)
            .field("progress", &self.progress.as_ref().map(|_| "Fn"))
            .finish()
    }
}

/// How [`Client::delete`] works.
#[derive(Clone)]
pub struct DeleteOptions {
    /// How long each object may take to be gone (a Namespace deletes its content first).
    /// Default: 10 minutes.
    pub timeout: Duration,
    /// How often to ask whether an object is gone. Default: 2 s.
    pub poll_interval: Duration,
    /// Told of every object deleted. Default: none.
    pub progress: Option<ProgressFn>,
}

impl Default for DeleteOptions {
    fn default() -> Self {
        DeleteOptions {
            timeout: Duration::from_secs(600),
            poll_interval: Duration::from_secs(2),
            progress: None,
        }
    }
}

impl fmt::Debug for DeleteOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeleteOptions")
            .field("timeout", &self.timeout)
            .field("poll_interval", &self.poll_interval)
            .field("progress", &self.progress.as_ref().map(|_| "Fn"))
            .finish()
    }
}

/// What [`Client::apply`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApplyReport {
    /// The objects applied, in order, with the namespace they were applied in.
    pub applied: Vec<ObjectRef>,
    /// The workloads waited for until ready.
    pub ready: Vec<ObjectRef>,
    /// The objects pruned, in the order deleted.
    pub pruned: Vec<ObjectRef>,
}

/// What [`Client::delete`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeleteReport {
    /// The objects deleted, in order, including members found on the cluster that the
    /// objects given did not list.
    pub deleted: Vec<ObjectRef>,
    /// The objects that did not exist.
    pub absent: Vec<ObjectRef>,
}

/// An object to apply, resolved against discovery.
struct Resolved {
    object: ObjectRef,
    resource: ApiResource,
}

impl Resolved {
    fn path(&self) -> String {
        self.resource
            .object_path(self.object.namespace.as_deref(), &self.object.name)
    }
}

fn tell(progress: &Option<ProgressFn>, object: &ObjectRef, event: ProgressEvent) {
    if let Some(f) = progress {
        f(&Progress {
            object: object.clone(),
            event,
        });
    }
}

fn is_crd(object: &ObjectRef) -> bool {
    object.group() == "apiextensions.k8s.io" && object.kind == "CustomResourceDefinition"
}

/// Whether a workload is ready, and if not, how far it is. `None` for kinds not waited on.
///
/// Deployments: the controller has seen the latest spec (`observedGeneration >= generation`),
/// and every replica is updated and available. StatefulSets: seen, every replica updated and
/// ready, and (for rolling updates) the current revision is the update revision. DaemonSets:
/// seen, and every scheduled pod updated and available. A Job only when it asks for it with
/// the annotation [`WAIT_ANNOTATION`]` = `[`WAIT_COMPLETE`] (a one-off setup step the rest
/// needs): its `Complete` condition (see [`job_failure`] for its `Failed` one). Other Jobs are
/// not waited on: a Job that runs for hours is not a failed deployment.
pub fn workload_status(object: &ObjectRef, body: &Value) -> Option<Result<(), String>> {
    if object.group() == "batch" && object.kind == "Job" {
        if !awaits_completion(body) {
            return None;
        }
        let active = body
            .pointer("/status/active")
            .and_then(Value::as_i64)
            .unwrap_or(0);
        let failed = body
            .pointer("/status/failed")
            .and_then(Value::as_i64)
            .unwrap_or(0);
        return Some(if job_condition(body, "Complete").is_some() {
            Ok(())
        } else {
            Err(format!(
                "not complete: {active} pod(s) running, {failed} failed"
            ))
        });
    }
    if object.group() != "apps" {
        return None;
    }
    let int = |pointer: &str| body.pointer(pointer).and_then(Value::as_i64);
    let generation = int("/metadata/generation").unwrap_or(0);
    let observed = int("/status/observedGeneration").unwrap_or(-1);
    let seen = observed >= generation;
    let not_seen = || Err("waiting for the controller to see the new spec".to_string());
    match object.kind.as_str() {
        "Deployment" => {
            let replicas = int("/spec/replicas").unwrap_or(1);
            let updated = int("/status/updatedReplicas").unwrap_or(0);
            let available = int("/status/availableReplicas").unwrap_or(0);
            Some(if !seen {
                not_seen()
            } else if updated < replicas {
                Err(format!("{updated} of {replicas} replicas updated"))
            } else if available < replicas {
                Err(format!("{available} of {replicas} replicas available"))
            } else {
                Ok(())
            })
        }
        "StatefulSet" => {
            let replicas = int("/spec/replicas").unwrap_or(1);
            let updated = int("/status/updatedReplicas").unwrap_or(0);
            let ready = int("/status/readyReplicas").unwrap_or(0);
            let rolling = body
                .pointer("/spec/updateStrategy/type")
                .and_then(Value::as_str)
                .is_none_or(|t| t == "RollingUpdate");
            let current = body.pointer("/status/currentRevision");
            let update = body.pointer("/status/updateRevision");
            Some(if !seen {
                not_seen()
            } else if rolling && updated < replicas {
                Err(format!("{updated} of {replicas} replicas updated"))
            } else if ready < replicas {
                Err(format!("{ready} of {replicas} replicas ready"))
            } else if rolling && update.is_some() && current != update {
                Err("waiting for the rollout to finish".to_string())
            } else {
                Ok(())
            })
        }
        "DaemonSet" => {
            let desired = int("/status/desiredNumberScheduled").unwrap_or(0);
            let updated = int("/status/updatedNumberScheduled").unwrap_or(0);
            let available = int("/status/numberAvailable").unwrap_or(0);
            Some(if !seen {
                not_seen()
            } else if updated < desired {
                Err(format!("{updated} of {desired} pods updated"))
            } else if available < desired {
                Err(format!("{available} of {desired} pods available"))
            } else {
                Ok(())
            })
        }
        _ => None,
    }
}

/// The annotation by which a Job asks `apply` to wait for it to complete, with the value
/// [`WAIT_COMPLETE`].
pub const WAIT_ANNOTATION: &str = "cirrus.dev/wait";

/// See [`WAIT_ANNOTATION`].
pub const WAIT_COMPLETE: &str = "complete";

/// Whether an object (a Job) asks to be waited for with [`WAIT_ANNOTATION`].
pub fn awaits_completion(body: &Value) -> bool {
    body.pointer("/metadata/annotations")
        .and_then(|a| a.get(WAIT_ANNOTATION))
        .and_then(Value::as_str)
        == Some(WAIT_COMPLETE)
}

/// The condition of `kind` of a Job's status when it is true: `(reason, message)`.
fn job_condition<'v>(body: &'v Value, kind: &str) -> Option<(&'v str, &'v str)> {
    let conditions = body.pointer("/status/conditions")?.as_array()?;
    conditions.iter().find_map(|c| {
        let text = |key: &str| c.get(key).and_then(Value::as_str);
        (text("type") == Some(kind) && text("status") == Some("True"))
            .then(|| (text("reason").unwrap_or(""), text("message").unwrap_or("")))
    })
}

/// Why a Job that `apply` waits for failed (its `Failed` condition's reason and message), or
/// `None` while it has not.
pub fn job_failure(object: &ObjectRef, body: &Value) -> Option<String> {
    if object.group() != "batch" || object.kind != "Job" || !awaits_completion(body) {
        return None;
    }
    job_condition(body, "Failed").map(|(reason, message)| match (reason, message) {
        ("", "") => "no reason given".to_string(),
        (reason, "") => reason.to_string(),
        ("", message) => message.to_string(),
        (reason, message) => format!("{reason}: {message}"),
    })
}

impl Client {
    /// Applies `objects`, in the order given (give them in `cirrus_k8s::apply_order`), as the
    /// step `step`; then waits for its workloads to be ready and prunes what the step applied
    /// before and no longer declares.
    ///
    /// Each object is sent whole by server-side apply (`PATCH ..?fieldManager=cirrus&force=true`,
    /// `application/apply-patch+yaml`), labelled `app.kubernetes.io/managed-by: cirrus`,
    /// `cirrus.dev/step: <hash>` and with the step's ApplySet label (see [`StepLabel`] and the crate docs on pruning).
    /// `force` takes over fields another manager set: the app is the source of truth for what
    /// it declares. A namespaced object without a namespace goes to `default`, as with
    /// kubectl. After a CustomResourceDefinition, its `Established` condition is awaited
    /// before the next object, which may be of its kind.
    ///
    /// Pruning comes last, after the new workloads are ready, so that a renamed Deployment's
    /// old pods serve until the new ones do; when applying or waiting fails, nothing is pruned
    /// and the next run prunes.
    pub async fn apply(
        &self,
        objects: &[Value],
        step: &StepLabel,
        options: &ApplyOptions,
    ) -> Result<ApplyReport, KubeError> {
        let refs = objects
            .iter()
            .enumerate()
            .map(|(i, o)| ObjectRef::of(o, i))
            .collect::<Result<Vec<_>, _>>()?;
        let (old_kinds, old_namespaces) = self.read_parent(step).await?;
        let declared_kinds: BTreeSet<GroupKind> = refs.iter().map(ObjectRef::group_kind).collect();
        let mut namespaces: BTreeSet<String> =
            refs.iter().filter_map(|o| o.namespace.clone()).collect();
        if refs.iter().any(|o| o.namespace.is_none()) {
            // Not known until discovery says whether the kind is namespaced: a superset is
            // what the KEP asks for while applying.
            namespaces.insert("default".to_string());
        }
        // Before applying: the parent lists the old and the new members' kinds, so that an
        // interrupted run still lets the next one find everything.
        self.write_parent(
            step,
            &old_kinds.union(&declared_kinds).cloned().collect(),
            &old_namespaces.union(&namespaces).cloned().collect(),
        )
        .await?;

        let mut report = ApplyReport::default();
        let mut resolved = Vec::with_capacity(objects.len());
        for (object, reference) in objects.iter().zip(refs) {
            let applied = self.apply_one(object, reference, step).await?;
            tell(&options.progress, &applied.object, ProgressEvent::Applied);
            if is_crd(&applied.object) {
                self.wait_established(&applied, object, options).await?;
                tell(
                    &options.progress,
                    &applied.object,
                    ProgressEvent::Established,
                );
            }
            report.applied.push(applied.object.clone());
            // What the step declares decides what is waited for (a Job's annotation).
            let awaited = workload_status(&applied.object, object).is_some();
            resolved.push((applied, awaited));
        }

        if options.wait {
            let awaited: Vec<&Resolved> = resolved
                .iter()
                .filter_map(|(r, awaited)| awaited.then_some(r))
                .collect();
            report.ready = self.wait_ready(&awaited, options).await?;
        }
        let resolved: Vec<Resolved> = resolved.into_iter().map(|(r, _)| r).collect();

        if options.prune {
            let kinds: BTreeSet<GroupKind> = old_kinds.union(&declared_kinds).cloned().collect();
            let found = self.list_members(step, &kinds, &resolved).await?;
            let plan = PrunePlan::new(&report.applied, &found, step);
            for object in plan.delete {
                let resource = self.resource_for(&object).await?;
                let path = resource.object_path(object.namespace.as_deref(), &object.name);
                if self.delete_path(&path, &object).await? {
                    tell(&options.progress, &object, ProgressEvent::Pruned);
                    report.pruned.push(object);
                }
            }
            let namespaces: BTreeSet<String> = report
                .applied
                .iter()
                .filter_map(|o| o.namespace.clone())
                .collect();
            self.write_parent(step, &declared_kinds, &namespaces)
                .await?;
        }
        Ok(report)
    }

    /// Applies one object; returns it with its resolved namespace and resource.
    async fn apply_one(
        &self,
        object: &Value,
        mut reference: ObjectRef,
        step: &StepLabel,
    ) -> Result<Resolved, KubeError> {
        let resource = self.resource_for(&reference).await?;
        let mut body = object.clone();
        if resource.namespaced {
            let ns = reference
                .namespace
                .get_or_insert_with(|| "default".to_string())
                .clone();
            if let Some(metadata) = body.get_mut("metadata").and_then(Value::as_object_mut) {
                metadata.insert("namespace".to_string(), Value::String(ns));
            }
        } else {
            // A namespace on a cluster-scoped object means nothing; the server would reject
            // the apply for a name mismatch in some versions, so it is not sent.
            reference.namespace = None;
            if let Some(metadata) = body.get_mut("metadata").and_then(Value::as_object_mut) {
                metadata.remove("namespace");
            }
        }
        step.label(&mut body);
        let resolved = Resolved {
            object: reference,
            resource,
        };
        self.server_side_apply(&resolved.path(), &body, &resolved.object.to_string())
            .await?;
        Ok(resolved)
    }

    async fn server_side_apply(
        &self,
        path: &str,
        body: &Value,
        object: &str,
    ) -> Result<Value, KubeError> {
        let bytes = serde_json::to_vec(body).map_err(|e| KubeError::Protocol {
            object: object.to_string(),
            message: format!("cannot write the object as JSON: {e}"),
        })?;
        let path = format!("{path}?fieldManager={FIELD_MANAGER}&force=true");
        let answer = self
            .send(
                Method::PATCH,
                &path,
                Some(("application/apply-patch+yaml", bytes)),
                object,
            )
            .await?;
        if !answer.status.is_success() {
            return Err(api_error(object, &answer));
        }
        answer.json(object)
    }

    /// GETs an object; `None` when it does not exist.
    async fn get(&self, path: &str, object: &str) -> Result<Option<Value>, KubeError> {
        let answer = self.send(Method::GET, path, None, object).await?;
        if answer.status == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        if !answer.status.is_success() {
            return Err(api_error(object, &answer));
        }
        answer.json(object).map(Some)
    }

    /// DELETEs an object (its dependents in the background, as kubectl does); false when it
    /// did not exist.
    async fn delete_path(&self, path: &str, object: &ObjectRef) -> Result<bool, KubeError> {
        let name = object.to_string();
        let answer = self
            .send(
                Method::DELETE,
                &format!("{path}?propagationPolicy=Background"),
                None,
                &name,
            )
            .await?;
        if answer.status == StatusCode::NOT_FOUND {
            return Ok(false);
        }
        if !answer.status.is_success() {
            return Err(api_error(&name, &answer));
        }
        Ok(true)
    }

    fn parent_resource() -> ApiResource {
        ApiResource {
            group: String::new(),
            version: "v1".to_string(),
            kind: "ConfigMap".to_string(),
            plural: "configmaps".to_string(),
            namespaced: true,
        }
    }

    fn parent_ref(step: &StepLabel) -> ObjectRef {
        ObjectRef {
            api_version: "v1".to_string(),
            kind: "ConfigMap".to_string(),
            namespace: Some(PARENT_NAMESPACE.to_string()),
            name: step.parent_name(),
        }
    }

    async fn read_parent(
        &self,
        step: &StepLabel,
    ) -> Result<(BTreeSet<GroupKind>, BTreeSet<String>), KubeError> {
        let path = Self::parent_resource().object_path(Some(PARENT_NAMESPACE), &step.parent_name());
        let parent = self.get(&path, &Self::parent_ref(step).to_string()).await?;
        Ok(parent.as_ref().map(read_parent).unwrap_or_default())
    }

    async fn write_parent(
        &self,
        step: &StepLabel,
        kinds: &BTreeSet<GroupKind>,
        namespaces: &BTreeSet<String>,
    ) -> Result<(), KubeError> {
        let path = Self::parent_resource().object_path(Some(PARENT_NAMESPACE), &step.parent_name());
        self.server_side_apply(
            &path,
            &step.parent(kinds, namespaces),
            &format!("{} (the step's applyset parent)", Self::parent_ref(step)),
        )
        .await
        .map(drop)
    }

    /// The resource of a group/kind: the version an applied object used, else the group's
    /// preferred version. `None` when the cluster no longer serves the kind (its CRD is gone,
    /// and its objects with it).
    async fn resource_of_kind(
        &self,
        kind: &GroupKind,
        applied: &[Resolved],
    ) -> Result<Option<ApiResource>, KubeError> {
        if let Some(r) = applied.iter().find(|r| r.object.group_kind() == *kind) {
            return Ok(Some(r.resource.clone()));
        }
        let version = if kind.group.is_empty() {
            "v1".to_string()
        } else {
            let what = format!("the api group {}", kind.group);
            let path = format!("/apis/{}", crate::discovery::segment(&kind.group));
            let Some(group) = self.get(&path, &what).await? else {
                return Ok(None);
            };
            match group
                .pointer("/preferredVersion/groupVersion")
                .and_then(Value::as_str)
            {
                Some(gv) => split_api_version(gv).1.to_string(),
                None => return Ok(None),
            }
        };
        let probe = ObjectRef {
            api_version: if kind.group.is_empty() {
                version
            } else {
                format!("{}/{version}", kind.group)
            },
            kind: kind.kind.clone(),
            namespace: None,
            name: String::new(),
        };
        match self.resource_for(&probe).await {
            Ok(r) => Ok(Some(r)),
            Err(KubeError::UnknownKind { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Every object on the cluster of one of `kinds` with the step's labels.
    async fn list_members(
        &self,
        step: &StepLabel,
        kinds: &BTreeSet<GroupKind>,
        applied: &[Resolved],
    ) -> Result<Vec<FoundObject>, KubeError> {
        let selector = crate::discovery::segment(&step.selector());
        let mut found = Vec::new();
        for kind in kinds {
            let Some(resource) = self.resource_of_kind(kind, applied).await? else {
                continue;
            };
            let path = format!(
                "{}?labelSelector={selector}",
                resource.collection_path(None)
            );
            let what = format!("listing the step's {kind} objects");
            let Some(list) = self.get(&path, &what).await? else {
                continue;
            };
            let api_version = if resource.group.is_empty() {
                resource.version.clone()
            } else {
                format!("{}/{}", resource.group, resource.version)
            };
            let items =
                list.get("items")
                    .and_then(Value::as_array)
                    .ok_or_else(|| KubeError::Protocol {
                        object: what.clone(),
                        message: "the list has no items".to_string(),
                    })?;
            found.extend(
                items
                    .iter()
                    .filter_map(|item| FoundObject::from_item(&api_version, &kind.kind, item)),
            );
        }
        Ok(found)
    }

    async fn wait_established(
        &self,
        crd: &Resolved,
        body: &Value,
        options: &ApplyOptions,
    ) -> Result<(), KubeError> {
        let name = crd.object.to_string();
        let deadline = Instant::now() + options.crd_timeout;
        let mut last = "not established yet".to_string();
        loop {
            if let Some(current) = self.get(&crd.path(), &name).await? {
                let conditions = current
                    .pointer("/status/conditions")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default();
                let condition = |kind: &str| {
                    conditions
                        .iter()
                        .find(|c| c.get("type").and_then(Value::as_str) == Some(kind))
                };
                if condition("Established")
                    .and_then(|c| c.get("status"))
                    .and_then(Value::as_str)
                    == Some("True")
                {
                    break;
                }
                if let Some(c) = condition("NamesAccepted")
                    .filter(|c| c.get("status").and_then(Value::as_str) == Some("False"))
                {
                    last = format!(
                        "names not accepted: {}",
                        c.get("message").and_then(Value::as_str).unwrap_or("")
                    );
                }
            }
            if Instant::now() >= deadline {
                return Err(KubeError::Timeout {
                    what: "not established".to_string(),
                    timeout: options.crd_timeout,
                    pending: vec![format!("{name}: {last}")],
                });
            }
            tokio::time::sleep(options.poll_interval).await;
        }
        // Its kind's group versions are asked again on first use.
        let group = body.pointer("/spec/group").and_then(Value::as_str);
        let versions = body
            .pointer("/spec/versions")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        if let Some(group) = group {
            for version in versions
                .iter()
                .filter_map(|v| v.get("name").and_then(Value::as_str))
            {
                self.forget(&format!("{group}/{version}"));
            }
        }
        Ok(())
    }

    /// Waits for every workload of `awaited` to be ready, all within `options.timeout`; a Job
    /// that fails ends the wait at once.
    async fn wait_ready(
        &self,
        awaited: &[&Resolved],
        options: &ApplyOptions,
    ) -> Result<Vec<ObjectRef>, KubeError> {
        let mut pending: Vec<(&Resolved, Option<String>)> =
            awaited.iter().map(|r| (*r, None)).collect();
        let mut ready = Vec::new();
        let deadline = Instant::now() + options.timeout;
        while !pending.is_empty() {
            let mut still = Vec::new();
            for (resolved, last) in pending {
                let name = resolved.object.to_string();
                let state = match self.get(&resolved.path(), &name).await? {
                    None => Err("not found (deleted by someone else?)".to_string()),
                    Some(body) => {
                        if let Some(reason) = job_failure(&resolved.object, &body) {
                            return Err(KubeError::Failed {
                                object: name,
                                reason,
                            });
                        }
                        workload_status(&resolved.object, &body).unwrap_or(Ok(()))
                    }
                };
                match state {
                    Ok(()) => {
                        tell(&options.progress, &resolved.object, ProgressEvent::Ready);
                        ready.push(resolved.object.clone());
                    }
                    Err(detail) => {
                        if last.as_ref() != Some(&detail) {
                            tell(
                                &options.progress,
                                &resolved.object,
                                ProgressEvent::Waiting(detail.clone()),
                            );
                        }
                        still.push((resolved, Some(detail)));
                    }
                }
            }
            pending = still;
            if pending.is_empty() {
                break;
            }
            if Instant::now() >= deadline {
                return Err(KubeError::Timeout {
                    what: "not ready".to_string(),
                    timeout: options.timeout,
                    pending: pending
                        .iter()
                        .map(|(r, last)| {
                            format!("{}: {}", r.object, last.as_deref().unwrap_or("unknown"))
                        })
                        .collect(),
                });
            }
            tokio::time::sleep(options.poll_interval).await;
        }
        Ok(ready)
    }

    /// Deletes `objects` in the reverse of the order given, each one gone before the next
    /// (so that a controller outlives the objects whose finalizers it runs); then any other
    /// member of the step the cluster still has, and the step's ApplySet parent. Objects that
    /// do not exist, and kinds the cluster no longer serves, are skipped.
    pub async fn delete(
        &self,
        objects: &[Value],
        step: &StepLabel,
        options: &DeleteOptions,
    ) -> Result<DeleteReport, KubeError> {
        let refs = objects
            .iter()
            .enumerate()
            .map(|(i, o)| ObjectRef::of(o, i))
            .collect::<Result<Vec<_>, _>>()?;
        let mut report = DeleteReport::default();
        for mut object in refs.into_iter().rev() {
            let resource = match self.resource_for(&object).await {
                Ok(r) => r,
                Err(KubeError::UnknownKind { .. }) => {
                    tell(&options.progress, &object, ProgressEvent::AlreadyAbsent);
                    report.absent.push(object);
                    continue;
                }
                Err(e) => return Err(e),
            };
            object.namespace = if resource.namespaced {
                Some(object.namespace.unwrap_or_else(|| "default".to_string()))
            } else {
                None
            };
            self.delete_and_wait(&resource, object, options, &mut report)
                .await?;
        }
        // Members left from an interrupted or earlier run.
        let (kinds, _) = self.read_parent(step).await?;
        let found = self.list_members(step, &kinds, &[]).await?;
        for object in PrunePlan::new(&[], &found, step).delete {
            if report.deleted.contains(&object) {
                continue;
            }
            let resource = self.resource_for(&object).await?;
            self.delete_and_wait(&resource, object, options, &mut report)
                .await?;
        }
        let parent = Self::parent_ref(step);
        let path = Self::parent_resource().object_path(Some(PARENT_NAMESPACE), &parent.name);
        self.delete_path(&path, &parent).await?;
        Ok(report)
    }

    async fn delete_and_wait(
        &self,
        resource: &ApiResource,
        object: ObjectRef,
        options: &DeleteOptions,
        report: &mut DeleteReport,
    ) -> Result<(), KubeError> {
        let path = resource.object_path(object.namespace.as_deref(), &object.name);
        if !self.delete_path(&path, &object).await? {
            tell(&options.progress, &object, ProgressEvent::AlreadyAbsent);
            report.absent.push(object);
            return Ok(());
        }
        let name = object.to_string();
        let deadline = Instant::now() + options.timeout;
        while let Some(current) = self.get(&path, &name).await? {
            if Instant::now() >= deadline {
                let finalizers = current
                    .pointer("/metadata/finalizers")
                    .and_then(Value::as_array)
                    .map(|f| {
                        f.iter()
                            .filter_map(Value::as_str)
                            .collect::<Vec<_>>()
                            .join(", ")
                    })
                    .filter(|f| !f.is_empty());
                return Err(KubeError::Timeout {
                    what: "not deleted".to_string(),
                    timeout: options.timeout,
                    pending: vec![match finalizers {
                        Some(f) => format!("{name}: still there, waiting for finalizers {f}"),
                        None => format!("{name}: still there"),
                    }],
                });
            }
            tokio::time::sleep(options.poll_interval).await;
        }
        tell(&options.progress, &object, ProgressEvent::Deleted);
        report.deleted.push(object);
        Ok(())
    }
}
