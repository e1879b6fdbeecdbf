//! What the client needs to know of an object: its identity, read from the JSON.

use std::fmt;

use serde_json::Value;

use crate::discovery::split_api_version;
use crate::error::KubeError;

/// An object's identity: apiVersion, kind, namespace and name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObjectRef {
    /// `apps/v1`, `v1`.
    pub api_version: String,
    /// `Deployment`.
    pub kind: String,
    /// The namespace, for a namespaced object; `None` for a cluster-scoped one, or one whose
    /// scope is not known yet (before discovery).
    pub namespace: Option<String>,
    /// The name.
    pub name: String,
}

impl ObjectRef {
    /// Reads the identity of `object`, the `index`th of a list.
    pub fn of(object: &Value, index: usize) -> Result<ObjectRef, KubeError> {
        let bad = |reason: &str| KubeError::InvalidObject {
            index,
            reason: reason.to_string(),
        };
        fn text(v: Option<&Value>) -> Option<&str> {
            v.and_then(Value::as_str).filter(|s| !s.is_empty())
        }
        let api_version = text(object.get("apiVersion")).ok_or_else(|| bad("no apiVersion"))?;
        let kind = text(object.get("kind")).ok_or_else(|| bad("no kind"))?;
        let metadata = object.get("metadata");
        let name = text(metadata.and_then(|m| m.get("name")))
            .ok_or_else(|| bad(&format!("{kind} has no metadata.name")))?;
        let namespace = text(metadata.and_then(|m| m.get("namespace"))).map(str::to_string);
        Ok(ObjectRef {
            api_version: api_version.to_string(),
            kind: kind.to_string(),
            namespace,
            name: name.to_string(),
        })
    }

    /// The API group, `""` for the core group.
    pub fn group(&self) -> &str {
        split_api_version(&self.api_version).0
    }

    /// The group and kind as the ApplySet annotations write them: `Deployment.apps`, and
    /// `Namespace` for the core group.
    pub fn group_kind(&self) -> GroupKind {
        GroupKind {
            group: self.group().to_string(),
            kind: self.kind.clone(),
        }
    }
}

/// A kind and its API group, without the version: what stays the same when an object moves
/// to a newer version of its API.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GroupKind {
    /// `""` for the core group.
    pub group: String,
    /// `Deployment`.
    pub kind: String,
}

impl GroupKind {
    /// Parses `Deployment.apps` or `Namespace`.
    pub fn parse(text: &str) -> Option<GroupKind> {
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        let (kind, group) = text.split_once('.').unwrap_or((text, ""));
        Some(GroupKind {
            group: group.to_string(),
            kind: kind.to_string(),
        })
    }
}

impl fmt::Display for GroupKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.group.is_empty() {
            write!(f, "{}", self.kind)
        } else {
            write!(f, "{}.{}", self.kind, self.group)
        }
    }
}

/// `Deployment shop/api`, `Namespace shop`: how kubectl names objects.
impl fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.namespace {
            Some(ns) => write!(f, "{} {ns}/{}", self.kind, self.name),
            None => write!(f, "{} {}", self.kind, self.name),
        }
    }
}
