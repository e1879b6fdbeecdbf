//! API discovery: which URL serves a kind, and whether its objects live in a namespace. Asked
//! of the server (`GET /api/v1`, `GET /apis/<group>/<version>`) rather than derived from the
//! kind's name, because plurals of custom kinds are whatever their CRD says.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use http::{Method, StatusCode};
use serde::Deserialize;
use tokio::time::Instant;

use crate::client::Client;
use crate::error::KubeError;
use crate::object::{GroupKind, ObjectRef};
use crate::status::api_error;

/// One resource of an API group version, as discovery describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiResource {
    /// `""` for the core group.
    pub group: String,
    /// `v1`, `v1beta1`.
    pub version: String,
    /// The kind (`Deployment`).
    pub kind: String,
    /// The URL segment (`deployments`).
    pub plural: String,
    /// Whether objects of the kind live in a namespace.
    pub namespaced: bool,
}

impl ApiResource {
    /// The URL of the kind's objects: in `namespace` when namespaced, across all namespaces
    /// when `namespace` is `None`.
    pub fn collection_path(&self, namespace: Option<&str>) -> String {
        let root = if self.group.is_empty() {
            format!("/api/{}", self.version)
        } else {
            format!("/apis/{}/{}", self.group, self.version)
        };
        match namespace {
            Some(ns) if self.namespaced => {
                format!("{root}/namespaces/{}/{}", segment(ns), self.plural)
            }
            _ => format!("{root}/{}", self.plural),
        }
    }

    /// The URL of one object.
    pub fn object_path(&self, namespace: Option<&str>, name: &str) -> String {
        format!("{}/{}", self.collection_path(namespace), segment(name))
    }
}

/// Everything but RFC 3986's unreserved characters.
const UNRESERVED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A path segment or query value, percent-encoded (names are DNS-like, but nothing relies on
/// it).
pub(crate) fn segment(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, UNRESERVED).to_string()
}

/// The cache: one resource list per group version, kept for the client's life. A group
/// version that was missing is not cached, so that a kind whose CRD was just applied is found.
#[derive(Debug, Default)]
pub(crate) struct Discovery {
    lists: BTreeMap<String, Arc<Vec<ApiResource>>>,
}

#[derive(Deserialize)]
struct ResourceList {
    #[serde(default)]
    resources: Vec<ResourceEntry>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ResourceEntry {
    name: String,
    kind: String,
    #[serde(default)]
    namespaced: bool,
}

/// `GET /apis/<group>`: the versions the group serves.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ApiGroup {
    #[serde(default)]
    versions: Vec<GroupVersion>,
    preferred_version: Option<GroupVersion>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GroupVersion {
    group_version: String,
}

/// Splits `apps/v1` into `("apps", "v1")` and `v1` into `("", "v1")`.
pub(crate) fn split_api_version(api_version: &str) -> (&str, &str) {
    api_version.split_once('/').unwrap_or(("", api_version))
}

impl Client {
    /// The resources of `api_version`, from the cache or the server. `None` when the server
    /// does not serve that group version.
    async fn resources(
        &self,
        api_version: &str,
        object: &str,
    ) -> Result<Option<Arc<Vec<ApiResource>>>, KubeError> {
        if let Some(list) = self.discovery_cache().lists.get(api_version) {
            return Ok(Some(list.clone()));
        }
        let (group, version) = split_api_version(api_version);
        let path = if group.is_empty() {
            format!("/api/{}", segment(version))
        } else {
            format!("/apis/{}/{}", segment(group), segment(version))
        };
        let answer = self.send(Method::GET, &path, None, object).await?;
        if answer.status == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        if !answer.status.is_success() {
            return Err(api_error(object, &answer));
        }
        let list: ResourceList =
            serde_json::from_slice(&answer.body).map_err(|e| KubeError::Protocol {
                object: object.to_string(),
                message: format!("discovery of {api_version}: {e}"),
            })?;
        let resources: Vec<ApiResource> = list
            .resources
            .into_iter()
            // `deployments/status` and the like are subresources, not kinds.
            .filter(|r| !r.name.contains('/'))
            .map(|r| ApiResource {
                group: group.to_string(),
                version: version.to_string(),
                kind: r.kind,
                plural: r.name,
                namespaced: r.namespaced,
            })
            .collect();
        let resources = Arc::new(resources);
        self.discovery_cache()
            .lists
            .insert(api_version.to_string(), resources.clone());
        Ok(Some(resources))
    }

    fn discovery_cache(&self) -> std::sync::MutexGuard<'_, Discovery> {
        // A panic while holding the lock cannot leave the cache inconsistent (each update is
        // one insert or remove), so a poisoned lock is used as it is.
        self.discovery()
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Forgets a group version, so that the next lookup asks the server again.
    pub(crate) fn forget(&self, api_version: &str) {
        self.discovery_cache().lists.remove(api_version);
    }

    /// The resource serving `object`'s kind. A kind the server does not serve is asked for
    /// again a few times (a CRD established a moment ago may not be in discovery yet).
    pub(crate) async fn resource_for(&self, object: &ObjectRef) -> Result<ApiResource, KubeError> {
        let name = object.to_string();
        let policy = self.retry_policy();
        let mut delay = policy.base_delay;
        let mut attempt = 1;
        loop {
            if let Some(list) = self.resources(&object.api_version, &name).await?
                && let Some(found) = list.iter().find(|r| r.kind == object.kind)
            {
                return Ok(found.clone());
            }
            if attempt >= policy.attempts.clamp(1, 3) {
                return Err(KubeError::UnknownKind {
                    object: name,
                    kind: object.kind.clone(),
                    api_version: object.api_version.clone(),
                });
            }
            self.forget(&object.api_version);
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(policy.max_delay);
            attempt += 1;
        }
    }

    /// Waits until the server serves every kind of `kinds` in some version of its group,
    /// asking discovery every `poll` for at most `timeout`.
    ///
    /// For the kinds a Helm release makes available: a chart that ships its CRDs has them
    /// established when Helm returns, but an operator that registers its own when it starts
    /// (Portworx's Stork) adds them minutes later, and objects of those kinds applied before
    /// would be refused as unknown.
    pub async fn wait_served(
        &self,
        kinds: &[GroupKind],
        timeout: Duration,
        poll: Duration,
    ) -> Result<(), KubeError> {
        let deadline = Instant::now() + timeout;
        let mut pending: Vec<&GroupKind> = kinds.iter().collect();
        loop {
            let mut still = Vec::new();
            for kind in pending {
                if !self.serves(kind).await? {
                    still.push(kind);
                }
            }
            pending = still;
            if pending.is_empty() {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(KubeError::Timeout {
                    what: "not served".to_string(),
                    timeout,
                    pending: pending
                        .iter()
                        .map(|k| format!("{k}: no version of its group serves it yet"))
                        .collect(),
                });
            }
            tokio::time::sleep(poll).await;
        }
    }

    /// Whether some version of `kind`'s group serves it now (asked of the server, not the
    /// cache).
    async fn serves(&self, kind: &GroupKind) -> Result<bool, KubeError> {
        let name = kind.to_string();
        let versions = if kind.group.is_empty() {
            vec!["v1".to_string()]
        } else {
            let path = format!("/apis/{}", segment(&kind.group));
            let answer = self.send(Method::GET, &path, None, &name).await?;
            if answer.status == StatusCode::NOT_FOUND {
                return Ok(false);
            }
            if !answer.status.is_success() {
                return Err(api_error(&name, &answer));
            }
            let group: ApiGroup =
                serde_json::from_slice(&answer.body).map_err(|e| KubeError::Protocol {
                    object: name.clone(),
                    message: format!("discovery of {}: {e}", kind.group),
                })?;
            let mut versions: Vec<String> = group
                .versions
                .into_iter()
                .map(|v| v.group_version)
                .collect();
            if let Some(preferred) = group.preferred_version
                && !versions.contains(&preferred.group_version)
            {
                versions.push(preferred.group_version);
            }
            versions
        };
        for api_version in versions {
            self.forget(&api_version);
            if let Some(list) = self.resources(&api_version, &name).await?
                && list.iter().any(|r| r.kind == kind.kind)
            {
                return Ok(true);
            }
        }
        Ok(false)
    }
}
