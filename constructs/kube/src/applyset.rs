//! Which objects belong to a step, and which of them to delete: the ApplySet convention of
//! kubectl (Kubernetes Enhancement Proposal 3659, "ApplySet: kubectl apply --prune redesign
//! and graduation strategy").
//!
//! Each step has a parent object, the ConfigMap `cirrus-step-<hash>` in `kube-system` (a
//! namespace every cluster has, and where nobody's application lives), labelled
//! `applyset.kubernetes.io/id: <id>`, whose annotations list the group/kinds
//! (`applyset.kubernetes.io/contains-group-kinds`) and the namespaces
//! (`applyset.kubernetes.io/additional-namespaces`) of its members, and name the tool
//! (`applyset.kubernetes.io/tooling: cirrus/<version>`). Every member carries
//! `applyset.kubernetes.io/part-of: <id>` beside cirrus's own labels. The id is the KEP's:
//! `applyset-` + unpadded base64url of the SHA-256 of `<name>.<namespace>.<kind>.<group>` +
//! `-v1`.
//!
//! Why the convention rather than a private record: `kubectl get` and other tools understand
//! it (kubectl refuses to change a set another tool manages, as the KEP requires, but lists and
//! explains it), and the record lives in the cluster, beside what it describes, rather than in
//! the runner's files. As the KEP says, the parent lists a superset of the members' kinds
//! while applying (the previous and the new kinds), and exactly the new ones once pruning has
//! succeeded, so that an interrupted run is pruned by the next.

use std::collections::BTreeSet;

use base64::Engine;
use serde_json::{Value, json};
use sha2::Digest;

use crate::error::KubeError;
use crate::object::{GroupKind, ObjectRef};

/// The label cirrus sets on everything it applies.
pub const MANAGED_BY_LABEL: &str = "app.kubernetes.io/managed-by";
/// Its value.
pub const MANAGED_BY: &str = "cirrus";
/// The label naming the step an object belongs to.
pub const STEP_LABEL: &str = "cirrus.dev/step";
/// The ApplySet membership label of a member.
pub const PART_OF_LABEL: &str = "applyset.kubernetes.io/part-of";
/// The ApplySet id label of the parent.
pub const ID_LABEL: &str = "applyset.kubernetes.io/id";
/// The parent's annotation listing the members' group/kinds.
pub const GROUP_KINDS_ANNOTATION: &str = "applyset.kubernetes.io/contains-group-kinds";
/// The parent's annotation listing the members' namespaces besides its own.
pub const NAMESPACES_ANNOTATION: &str = "applyset.kubernetes.io/additional-namespaces";
/// The parent's annotation naming the tool that manages the set.
pub const TOOLING_ANNOTATION: &str = "applyset.kubernetes.io/tooling";
/// The namespace of every step's parent.
pub const PARENT_NAMESPACE: &str = "kube-system";

/// A step's identity on the cluster: the value of the `cirrus.dev/step` label.
///
/// The caller gives it (the runner hashes the step's construct path); it must be 1 to 50
/// lowercase letters, digits and `-`, starting and ending with a letter or digit: a valid
/// label value (63 characters at most) that also fits into the parent's name
/// `cirrus-step-<hash>`. It must stay the same across deployments of the step, or the next
/// deployment cannot find (and prune) what the previous one applied.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StepLabel {
    hash: String,
}

impl StepLabel {
    /// Checks `hash` (see the type's documentation).
    pub fn new(hash: impl Into<String>) -> Result<StepLabel, KubeError> {
        let hash = hash.into();
        let bad = |reason: &str| KubeError::StepLabel {
            value: hash.clone(),
            reason: reason.to_string(),
        };
        if hash.is_empty() || hash.len() > 50 {
            return Err(bad("it must be 1 to 50 characters long"));
        }
        if !hash
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err(bad("it may hold only lowercase letters, digits and '-'"));
        }
        if hash.starts_with('-') || hash.ends_with('-') {
            return Err(bad("it must start and end with a letter or digit"));
        }
        Ok(StepLabel { hash })
    }

    /// The label value.
    pub fn hash(&self) -> &str {
        &self.hash
    }

    /// The name of the step's ApplySet parent, a ConfigMap in [`PARENT_NAMESPACE`].
    pub fn parent_name(&self) -> String {
        format!("cirrus-step-{}", self.hash)
    }

    /// The ApplySet id, as KEP 3659 derives it from the parent's identity.
    pub fn applyset_id(&self) -> String {
        let key = format!("{}.{PARENT_NAMESPACE}.ConfigMap.", self.parent_name());
        let digest = sha2::Sha256::digest(key.as_bytes());
        format!(
            "applyset-{}-v1",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest)
        )
    }

    /// The label selector of the step's members: both the ApplySet's and cirrus's label.
    pub fn selector(&self) -> String {
        format!(
            "{PART_OF_LABEL}={},{STEP_LABEL}={}",
            self.applyset_id(),
            self.hash
        )
    }

    /// Sets the labels of a member on `object` (the caller's other labels stay).
    pub(crate) fn label(&self, object: &mut Value) {
        let Some(body) = object.as_object_mut() else {
            return;
        };
        let metadata = body.entry("metadata").or_insert_with(|| json!({}));
        let Some(metadata) = metadata.as_object_mut() else {
            return;
        };
        let labels = metadata.entry("labels").or_insert_with(|| json!({}));
        if !labels.is_object() {
            *labels = json!({});
        }
        if let Some(labels) = labels.as_object_mut() {
            labels.insert(MANAGED_BY_LABEL.to_string(), json!(MANAGED_BY));
            labels.insert(STEP_LABEL.to_string(), json!(self.hash));
            labels.insert(PART_OF_LABEL.to_string(), json!(self.applyset_id()));
        }
    }

    /// The parent ConfigMap listing `kinds` and `namespaces`.
    pub(crate) fn parent(
        &self,
        kinds: &BTreeSet<GroupKind>,
        namespaces: &BTreeSet<String>,
    ) -> Value {
        // Sorted as text, as kubectl writes them.
        let kinds: BTreeSet<String> = kinds.iter().map(ToString::to_string).collect();
        let kinds: Vec<String> = kinds.into_iter().collect();
        let namespaces: Vec<&str> = namespaces
            .iter()
            .map(String::as_str)
            .filter(|ns| *ns != PARENT_NAMESPACE)
            .collect();
        json!({
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {
                "name": self.parent_name(),
                "namespace": PARENT_NAMESPACE,
                "labels": {
                    ID_LABEL: self.applyset_id(),
                    MANAGED_BY_LABEL: MANAGED_BY,
                },
                "annotations": {
                    TOOLING_ANNOTATION: concat!("cirrus/", env!("CARGO_PKG_VERSION")),
                    GROUP_KINDS_ANNOTATION: kinds.join(","),
                    NAMESPACES_ANNOTATION: namespaces.join(","),
                },
            },
        })
    }
}

/// What a parent says: the group/kinds and namespaces of the members.
pub(crate) fn read_parent(parent: &Value) -> (BTreeSet<GroupKind>, BTreeSet<String>) {
    let annotation = |key: &str| {
        parent
            .pointer(&format!("/metadata/annotations/{}", key.replace('/', "~1")))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let kinds = annotation(GROUP_KINDS_ANNOTATION)
        .split(',')
        .filter_map(GroupKind::parse)
        .collect();
    let namespaces = annotation(NAMESPACES_ANNOTATION)
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    (kinds, namespaces)
}

/// An object found on the cluster while pruning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundObject {
    /// Its identity (the namespace as the server gave it).
    pub object: ObjectRef,
    /// Its labels.
    pub labels: std::collections::BTreeMap<String, String>,
}

impl FoundObject {
    /// Reads an item of a list answer, whose `apiVersion` and `kind` the list gives.
    pub fn from_item(api_version: &str, kind: &str, item: &Value) -> Option<FoundObject> {
        let metadata = item.get("metadata")?;
        let name = metadata.get("name")?.as_str()?.to_string();
        let namespace = metadata
            .get("namespace")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string);
        let labels = metadata
            .get("labels")
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                    .collect()
            })
            .unwrap_or_default();
        Some(FoundObject {
            object: ObjectRef {
                api_version: api_version.to_string(),
                kind: kind.to_string(),
                namespace,
                name,
            },
            labels,
        })
    }
}

/// The objects to delete after a step was applied: those found with the step's labels that
/// the step no longer declares.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PrunePlan {
    /// The objects to delete, in the order to delete them: namespaced objects, then other
    /// cluster-scoped ones, then CustomResourceDefinitions, then Namespaces (whose deletion
    /// takes their content with it).
    pub delete: Vec<ObjectRef>,
}

impl PrunePlan {
    /// The plan for `found` (the members listed on the cluster) against `declared` (the
    /// step's objects, with the namespace they were applied in). An object counts as declared
    /// when its group, kind, namespace and name match, whatever the version. An object without
    /// both the step's `cirrus.dev/step` label and its ApplySet label is never deleted, even
    /// when a list returned it.
    pub fn new(declared: &[ObjectRef], found: &[FoundObject], step: &StepLabel) -> PrunePlan {
        let key = |o: &ObjectRef| {
            (
                o.group().to_string(),
                o.kind.clone(),
                o.namespace.clone(),
                o.name.clone(),
            )
        };
        let declared: BTreeSet<_> = declared.iter().map(key).collect();
        let id = step.applyset_id();
        let mut delete: Vec<ObjectRef> = found
            .iter()
            .filter(|f| {
                f.labels.get(STEP_LABEL).map(String::as_str) == Some(step.hash())
                    && f.labels.get(PART_OF_LABEL) == Some(&id)
            })
            .filter(|f| !declared.contains(&key(&f.object)))
            .map(|f| f.object.clone())
            .collect();
        delete.sort_by(|a, b| {
            (prune_rank(a), a.group(), &a.kind, &a.namespace, &a.name).cmp(&(
                prune_rank(b),
                b.group(),
                &b.kind,
                &b.namespace,
                &b.name,
            ))
        });
        delete.dedup();
        PrunePlan { delete }
    }
}

fn prune_rank(o: &ObjectRef) -> u8 {
    match (o.group(), o.kind.as_str()) {
        ("", "Namespace") => 3,
        ("apiextensions.k8s.io", "CustomResourceDefinition") => 2,
        _ if o.namespace.is_none() => 1,
        _ => 0,
    }
}
