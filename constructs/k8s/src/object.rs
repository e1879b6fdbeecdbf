//! [`Object`]: one validated Kubernetes object, made from a k8s-openapi type, from a custom
//! resource struct, or from JSON.

use std::fmt;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::builtin;
use crate::names::{self, NameRule};

/// Whether objects of a kind live in a namespace or in the cluster as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    /// Objects live in a namespace (`metadata.namespace`): Deployments, Services, most kinds.
    Namespaced,
    /// Objects belong to the cluster: Namespaces, StorageClasses, ClusterRoles, CRDs.
    Cluster,
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Scope::Namespaced => "namespaced",
            Scope::Cluster => "cluster-scoped",
        })
    }
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for k8s_openapi::ClusterResourceScope {}
    impl Sealed for k8s_openapi::NamespaceResourceScope {}
    impl Sealed for k8s_openapi::SubResourceScope {}
}

/// k8s-openapi's scope marker types (`Resource::Scope`) read as a [`Scope`]; `None` for a
/// subresource (`Scale`, `TokenRequest`), which is not an object one applies. Implemented for
/// k8s-openapi's three markers only.
pub trait KnownScope: sealed::Sealed {
    /// The scope this marker stands for.
    const SCOPE: Option<Scope>;
}

impl KnownScope for k8s_openapi::ClusterResourceScope {
    const SCOPE: Option<Scope> = Some(Scope::Cluster);
}
impl KnownScope for k8s_openapi::NamespaceResourceScope {
    const SCOPE: Option<Scope> = Some(Scope::Namespaced);
}
impl KnownScope for k8s_openapi::SubResourceScope {
    const SCOPE: Option<Scope> = None;
}

/// A custom resource (a kind that a CustomResourceDefinition adds to the cluster) written as a
/// serde struct: its `apiVersion`, `kind` and scope, which k8s-openapi has no type for.
///
/// The struct serializes to the object's body: `metadata` (k8s-openapi's `ObjectMeta` is the
/// easiest) and the kind's fields (`spec`). It need not serialize `apiVersion` and `kind`; if it
/// does, they must be the constants'. Skip unset options (`#[serde(skip_serializing_if =
/// "Option::is_none")]`) so that the YAML shows only what the app sets.
///
/// ```
/// use cirrus_k8s::{CustomResource, Object};
/// use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
/// use serde::Serialize;
///
/// /// Flagger's progressive-delivery resource (flagger.app/v1beta1).
/// #[derive(Serialize)]
/// struct Canary {
///     metadata: ObjectMeta,
///     spec: serde_json::Value,
/// }
///
/// impl CustomResource for Canary {
///     const API_VERSION: &'static str = "flagger.app/v1beta1";
///     const KIND: &'static str = "Canary";
///     const NAMESPACED: bool = true;
/// }
///
/// let canary = Canary {
///     metadata: ObjectMeta {
///         name: Some("api".into()),
///         namespace: Some("shop".into()),
///         ..Default::default()
///     },
///     spec: serde_json::json!({
///         "targetRef": { "apiVersion": "apps/v1", "kind": "Deployment", "name": "api" },
///         "analysis": { "interval": "1m", "threshold": 5 },
///     }),
/// };
/// let object = Object::custom(&canary).unwrap();
/// assert_eq!(object.to_string(), "Canary shop/api");
/// assert_eq!(object.group(), "flagger.app");
/// assert!(object.is_namespaced());
/// ```
pub trait CustomResource: Serialize {
    /// `group/version`, e.g. `flagger.app/v1beta1`.
    const API_VERSION: &'static str;
    /// The kind, UpperCamelCase, e.g. `Canary`.
    const KIND: &'static str;
    /// Whether objects of the kind live in a namespace (the CRD's `spec.scope: Namespaced`).
    const NAMESPACED: bool;
}

/// What a CustomResourceDefinition adds to the cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Defines {
    group: String,
    kind: String,
    scope: Scope,
}

/// One Kubernetes object, validated: a well-formed `apiVersion` and `kind`, a `metadata.name`
/// (and `metadata.namespace`, if any) that the API server accepts for the kind, and the whole
/// body with `apiVersion`, `kind` and `metadata` first, in that order, then the rest as given.
///
/// Make one with [`Object::new`] (a k8s-openapi type), [`Object::custom`] (a
/// [`CustomResource`]) or [`Object::untyped`] (JSON). It serializes as its body.
#[derive(Debug, Clone, PartialEq)]
pub struct Object {
    api_version: String,
    kind: String,
    name: String,
    namespace: Option<String>,
    scope: Scope,
    defines: Option<Defines>,
    body: Value,
}

/// An object that is not a valid Kubernetes object.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ObjectError {
    /// The value could not be serialized to JSON.
    #[error("cannot serialize {kind} to json: {message}")]
    Serialize {
        /// The declared kind.
        kind: String,
        /// What serde_json said.
        message: String,
    },
    /// The value is not a JSON object (a map).
    #[error("{what} is not a json object but {found}")]
    NotAnObject {
        /// The declared kind, or `the object` when untyped.
        what: String,
        /// What it is instead (`an array`, `a string`, ...).
        found: &'static str,
    },
    /// A required field is missing or is not a string.
    #[error("{what} has no {field} string")]
    MissingField {
        /// The object as far as it is known (`Deployment`, `the object`).
        what: String,
        /// The JSON path of the field (`apiVersion`, `metadata.name`).
        field: &'static str,
    },
    /// `apiVersion` is not `group/version` or `v1`.
    #[error("apiVersion {api_version:?} is not valid: {reason}")]
    InvalidApiVersion {
        /// The value given.
        api_version: String,
        /// Why it is not valid.
        reason: String,
    },
    /// `kind` is not UpperCamelCase.
    #[error("kind {kind:?} is not valid: {reason}")]
    InvalidKind {
        /// The value given.
        kind: String,
        /// Why it is not valid.
        reason: String,
    },
    /// The serialized body carries an `apiVersion` or `kind` other than its type declares.
    #[error("{kind} serializes {field} {found:?}, but its type declares {expected:?}")]
    Mismatch {
        /// The declared kind.
        kind: String,
        /// `apiVersion` or `kind`.
        field: &'static str,
        /// What the type's constant says.
        expected: String,
        /// What the body says.
        found: String,
    },
    /// `metadata.name` does not follow the kind's name rule.
    #[error("metadata.name {name:?} of {kind} is not a valid {rule}: {reason}")]
    InvalidName {
        /// The kind.
        kind: String,
        /// The name given.
        name: String,
        /// The rule the kind's names follow.
        rule: NameRule,
        /// Why it does not follow it.
        reason: String,
    },
    /// `metadata.namespace` is not a DNS-1123 label.
    #[error("metadata.namespace {namespace:?} of {object} is not a valid dns-1123 label: {reason}")]
    InvalidNamespace {
        /// The object (`Deployment api`).
        object: String,
        /// The namespace given.
        namespace: String,
        /// Why it is not a label.
        reason: String,
    },
    /// A cluster-scoped object has a namespace.
    #[error(
        "{object} is cluster-scoped but has metadata.namespace {namespace:?}; remove the namespace"
    )]
    NamespaceOnClusterScoped {
        /// The object (`ClusterRole reader`).
        object: String,
        /// The namespace given.
        namespace: String,
    },
    /// A built-in kind was declared with the other scope.
    #[error("{kind} of {group:?} is a built-in {builtin} kind, it cannot be declared {declared}")]
    ScopeMismatch {
        /// The kind.
        kind: String,
        /// Its group (`""` for the core group).
        group: String,
        /// Its scope in Kubernetes.
        builtin: Scope,
        /// The scope given.
        declared: Scope,
    },
    /// The type is a subresource (`Scale`, `Eviction`), which is not applied on its own.
    #[error("{kind} is a subresource, not an object that can be applied")]
    Subresource {
        /// The kind.
        kind: String,
    },
    /// A CustomResourceDefinition that does not say (consistently) what it defines.
    #[error("{object} is not a valid custom resource definition: {reason}")]
    InvalidCrd {
        /// The object (`CustomResourceDefinition canaries.flagger.app`).
        object: String,
        /// What is missing or inconsistent.
        reason: String,
    },
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// `Kind namespace/name` or `Kind name`, the way messages name an object.
fn describe(kind: &str, namespace: Option<&str>, name: &str) -> String {
    match namespace {
        Some(ns) => format!("{kind} {ns}/{name}"),
        None => format!("{kind} {name}"),
    }
}

impl Object {
    /// An object of a built-in kind, from its k8s-openapi type (`Deployment`, `Service`, ...).
    /// The `apiVersion`, `kind` and scope come from the type.
    ///
    /// ```
    /// use cirrus_k8s::Object;
    /// use k8s_openapi::api::core::v1::ConfigMap;
    /// use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
    ///
    /// let config = ConfigMap {
    ///     metadata: ObjectMeta { name: Some("settings".into()), ..Default::default() },
    ///     data: Some([("mode".to_owned(), "fast".to_owned())].into()),
    ///     ..Default::default()
    /// };
    /// let object = Object::new(&config).unwrap();
    /// assert_eq!(object.api_version(), "v1");
    /// assert_eq!(object.body()["data"]["mode"], "fast");
    /// ```
    pub fn new<T>(resource: &T) -> Result<Self, ObjectError>
    where
        T: k8s_openapi::Resource + Serialize,
        T::Scope: KnownScope,
    {
        let scope = <T::Scope as KnownScope>::SCOPE.ok_or_else(|| ObjectError::Subresource {
            kind: T::KIND.to_owned(),
        })?;
        let body = serde_json::to_value(resource).map_err(|e| ObjectError::Serialize {
            kind: T::KIND.to_owned(),
            message: e.to_string(),
        })?;
        Self::build(Some((T::API_VERSION, T::KIND)), scope, body)
    }

    /// An object of a custom kind, from a serde struct that implements [`CustomResource`]
    /// (see there for an example). The constants give `apiVersion`, `kind` and scope; a body
    /// that serializes its own `apiVersion` or `kind` must agree with them.
    pub fn custom<T: CustomResource>(resource: &T) -> Result<Self, ObjectError> {
        let scope = if T::NAMESPACED {
            Scope::Namespaced
        } else {
            Scope::Cluster
        };
        let body = serde_json::to_value(resource).map_err(|e| ObjectError::Serialize {
            kind: T::KIND.to_owned(),
            message: e.to_string(),
        })?;
        Self::build(Some((T::API_VERSION, T::KIND)), scope, body)
    }

    /// An object from JSON, for the rare kind that has neither a k8s-openapi type nor a struct
    /// of the app: `apiVersion`, `kind` and `metadata.name` are required and checked. A
    /// built-in kind has its Kubernetes scope; any other kind is taken as namespaced (use
    /// [`Object::untyped_with_scope`] for a cluster-scoped custom kind).
    pub fn untyped(value: Value) -> Result<Self, ObjectError> {
        let (group, kind) = Self::peek_group_kind(&value);
        let scope = builtin::builtin_scope(&group, &kind).unwrap_or(Scope::Namespaced);
        Self::build(None, scope, value)
    }

    /// [`Object::untyped`] with the kind's scope given: needed for a cluster-scoped custom kind
    /// (a CRD with `spec.scope: Cluster`, such as cert-manager's `ClusterIssuer`). A built-in
    /// kind declared with the other scope is an error.
    pub fn untyped_with_scope(value: Value, scope: Scope) -> Result<Self, ObjectError> {
        let (group, kind) = Self::peek_group_kind(&value);
        if let Some(builtin) = builtin::builtin_scope(&group, &kind)
            && builtin != scope
        {
            return Err(ObjectError::ScopeMismatch {
                kind,
                group,
                builtin,
                declared: scope,
            });
        }
        Self::build(None, scope, value)
    }

    /// The group and kind as far as they can be read; `build` reports what is wrong with them.
    fn peek_group_kind(value: &Value) -> (String, String) {
        let api_version = value.get("apiVersion").and_then(Value::as_str);
        let group = api_version
            .and_then(|v| names::parse_api_version(v).ok())
            .map_or("", |(group, _)| group);
        let kind = value.get("kind").and_then(Value::as_str).unwrap_or("");
        (group.to_owned(), kind.to_owned())
    }

    fn build(
        declared: Option<(&str, &str)>,
        scope: Scope,
        body: Value,
    ) -> Result<Self, ObjectError> {
        // How errors name the object until its name is known: its kind, if it says one.
        let what = declared
            .map(|(_, kind)| kind)
            .or_else(|| body.get("kind").and_then(Value::as_str))
            .unwrap_or("the object")
            .to_owned();
        let Value::Object(mut map) = body else {
            return Err(ObjectError::NotAnObject {
                what,
                found: json_type(&body),
            });
        };
        let api_version = Self::take_string(&mut map, "apiVersion", declared.map(|d| d.0), &what)?;
        let kind = Self::take_string(&mut map, "kind", declared.map(|d| d.1), &what)?;
        let (group, _) = names::parse_api_version(&api_version).map_err(|reason| {
            ObjectError::InvalidApiVersion {
                api_version: api_version.clone(),
                reason,
            }
        })?;
        let group = group.to_owned();
        names::check_kind(&kind).map_err(|reason| ObjectError::InvalidKind {
            kind: kind.clone(),
            reason,
        })?;

        let metadata = match map.shift_remove("metadata") {
            Some(Value::Object(metadata)) => metadata,
            _ => {
                return Err(ObjectError::MissingField {
                    what: kind,
                    field: "metadata.name",
                });
            }
        };
        let Some(name) = metadata.get("name").and_then(Value::as_str) else {
            return Err(ObjectError::MissingField {
                what: kind,
                field: "metadata.name",
            });
        };
        let name = name.to_owned();
        let rule = builtin::name_rule(&group, &kind);
        rule.check(&name)
            .map_err(|reason| ObjectError::InvalidName {
                kind: kind.clone(),
                name: name.clone(),
                rule,
                reason,
            })?;
        let namespace = match metadata.get("namespace") {
            None | Some(Value::Null) => None,
            Some(Value::String(ns)) => Some(ns.clone()),
            Some(_) => {
                return Err(ObjectError::MissingField {
                    what: describe(&kind, None, &name),
                    field: "metadata.namespace",
                });
            }
        };
        if let Some(ns) = &namespace {
            Self::check_namespace(&kind, &name, scope, ns)?;
        }

        let mut ordered = Map::with_capacity(map.len() + 3);
        ordered.insert("apiVersion".to_owned(), Value::String(api_version.clone()));
        ordered.insert("kind".to_owned(), Value::String(kind.clone()));
        ordered.insert("metadata".to_owned(), Value::Object(metadata));
        ordered.extend(map);
        let body = Value::Object(ordered);

        let defines = if group == "apiextensions.k8s.io" && kind == "CustomResourceDefinition" {
            Some(Self::crd_defines(&name, &body)?)
        } else {
            None
        };
        Ok(Object {
            api_version,
            kind,
            name,
            namespace,
            scope,
            defines,
            body,
        })
    }

    /// Removes `field` from the body and returns it; the declared value where the body has none.
    fn take_string(
        map: &mut Map<String, Value>,
        field: &'static str,
        declared: Option<&str>,
        what: &str,
    ) -> Result<String, ObjectError> {
        match (map.shift_remove(field), declared) {
            (Some(Value::String(found)), Some(expected)) if found != expected => {
                Err(ObjectError::Mismatch {
                    kind: what.to_owned(),
                    field,
                    expected: expected.to_owned(),
                    found,
                })
            }
            (Some(Value::String(found)), _) => Ok(found),
            (None | Some(Value::Null), Some(expected)) => Ok(expected.to_owned()),
            (Some(Value::Null) | None, None) | (Some(_), _) => Err(ObjectError::MissingField {
                what: what.to_owned(),
                field,
            }),
        }
    }

    fn check_namespace(
        kind: &str,
        name: &str,
        scope: Scope,
        namespace: &str,
    ) -> Result<(), ObjectError> {
        if scope == Scope::Cluster {
            return Err(ObjectError::NamespaceOnClusterScoped {
                object: describe(kind, None, name),
                namespace: namespace.to_owned(),
            });
        }
        NameRule::Dns1123Label
            .check(namespace)
            .map_err(|reason| ObjectError::InvalidNamespace {
                object: describe(kind, None, name),
                namespace: namespace.to_owned(),
                reason,
            })
    }

    fn crd_defines(name: &str, body: &Value) -> Result<Defines, ObjectError> {
        let invalid = |reason: String| ObjectError::InvalidCrd {
            object: describe("CustomResourceDefinition", None, name),
            reason,
        };
        let field = |pointer: &str| {
            body.pointer(pointer)
                .and_then(Value::as_str)
                .ok_or_else(|| {
                    invalid(format!(
                        "it has no {} string",
                        &pointer[1..].replace('/', ".")
                    ))
                })
        };
        let group = field("/spec/group")?;
        let kind = field("/spec/names/kind")?;
        let plural = field("/spec/names/plural")?;
        let scope = match field("/spec/scope")? {
            "Namespaced" => Scope::Namespaced,
            "Cluster" => Scope::Cluster,
            other => {
                return Err(invalid(format!(
                    "spec.scope is {other:?}, not Namespaced or Cluster"
                )));
            }
        };
        names::check_kind(kind).map_err(|e| invalid(format!("spec.names.kind {kind:?}: {e}")))?;
        let expected = format!("{plural}.{group}");
        if name != expected {
            return Err(invalid(format!(
                "metadata.name must be <spec.names.plural>.<spec.group>, {expected:?}"
            )));
        }
        if builtin::is_builtin_group(group) {
            return Err(invalid(format!(
                "spec.group {group:?} is one of Kubernetes' own API groups"
            )));
        }
        Ok(Defines {
            group: group.to_owned(),
            kind: kind.to_owned(),
            scope,
        })
    }

    /// `apiVersion`: `group/version`, or `v1` for the core group.
    pub fn api_version(&self) -> &str {
        &self.api_version
    }

    /// The API group, `""` for the core group (`v1`).
    pub fn group(&self) -> &str {
        self.api_version
            .split_once('/')
            .map_or("", |(group, _)| group)
    }

    /// The version within the group (`v1`, `v1beta1`).
    pub fn version(&self) -> &str {
        self.api_version
            .split_once('/')
            .map_or(self.api_version.as_str(), |(_, version)| version)
    }

    /// `kind`, UpperCamelCase.
    pub fn kind(&self) -> &str {
        &self.kind
    }

    /// Group, version and kind together.
    pub fn gvk(&self) -> Gvk<'_> {
        Gvk {
            group: self.group(),
            version: self.version(),
            kind: &self.kind,
        }
    }

    /// `metadata.name`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// `metadata.namespace`, if the object sets one. A namespaced object without one is
    /// created in the namespace `kubectl` or the runner applies it to (`default` unless told).
    pub fn namespace(&self) -> Option<&str> {
        self.namespace.as_deref()
    }

    /// The scope of the object's kind.
    pub fn scope(&self) -> Scope {
        self.scope
    }

    /// Whether the object's kind lives in a namespace.
    pub fn is_namespaced(&self) -> bool {
        self.scope == Scope::Namespaced
    }

    /// Whether the kind is one Kubernetes serves itself (not one a CRD adds).
    pub fn is_builtin(&self) -> bool {
        builtin::is_builtin_group(self.group())
    }

    /// For a CustomResourceDefinition, the `(group, kind)` it adds to the cluster.
    pub fn defines_kind(&self) -> Option<(&str, &str)> {
        self.defines
            .as_ref()
            .map(|d| (d.group.as_str(), d.kind.as_str()))
    }

    /// For a CustomResourceDefinition, the scope of the kind it adds (`spec.scope`).
    pub fn defines_scope(&self) -> Option<Scope> {
        self.defines.as_ref().map(|d| d.scope)
    }

    /// The whole object: `apiVersion`, `kind`, `metadata`, then the rest.
    pub fn body(&self) -> &Value {
        &self.body
    }

    /// The whole object, owned.
    pub fn into_body(self) -> Value {
        self.body
    }

    /// The value of one annotation, if set to a string.
    pub fn annotation(&self, key: &str) -> Option<&str> {
        self.body
            .get("metadata")?
            .get("annotations")?
            .get(key)?
            .as_str()
    }

    /// Puts a namespaced object into `namespace` (replacing the one it had), for glue code
    /// that places an app's objects. A cluster-scoped object or a namespace that is not a
    /// DNS-1123 label is an error, and the object is left as it was.
    pub fn set_namespace(&mut self, namespace: &str) -> Result<(), ObjectError> {
        Self::check_namespace(&self.kind, &self.name, self.scope, namespace)?;
        if let Some(Value::Object(metadata)) = self.body.get_mut("metadata") {
            if let Some(slot) = metadata.get_mut("namespace") {
                *slot = Value::String(namespace.to_owned());
            } else {
                // Right after the name, where kubectl and k8s-openapi put it.
                let at = metadata
                    .keys()
                    .position(|k| k == "name")
                    .map_or(0, |i| i + 1);
                metadata.shift_insert(
                    at,
                    "namespace".to_owned(),
                    Value::String(namespace.to_owned()),
                );
            }
        }
        self.namespace = Some(namespace.to_owned());
        Ok(())
    }
}

impl fmt::Display for Object {
    /// `Kind namespace/name`, or `Kind name` without a namespace: how messages name an object.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&describe(&self.kind, self.namespace(), &self.name))
    }
}

impl Serialize for Object {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.body.serialize(serializer)
    }
}

/// Group, version and kind of an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Gvk<'a> {
    /// The API group, `""` for the core group.
    pub group: &'a str,
    /// The version within the group.
    pub version: &'a str,
    /// The kind.
    pub kind: &'a str,
}

impl fmt::Display for Gvk<'_> {
    /// Kubernetes' own notation: `apps/v1, Kind=Deployment`, `/v1, Kind=Service`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}, Kind={}", self.group, self.version, self.kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::apps::v1::Deployment;
    use k8s_openapi::api::autoscaling::v1::Scale;
    use k8s_openapi::api::core::v1::{Namespace, Service};
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
    use serde_json::json;

    fn meta(name: &str, namespace: Option<&str>) -> ObjectMeta {
        ObjectMeta {
            name: Some(name.into()),
            namespace: namespace.map(Into::into),
            ..Default::default()
        }
    }

    #[derive(Serialize)]
    struct Canary {
        metadata: ObjectMeta,
        spec: Value,
    }

    impl CustomResource for Canary {
        const API_VERSION: &'static str = "flagger.app/v1beta1";
        const KIND: &'static str = "Canary";
        const NAMESPACED: bool = true;
    }

    /// A struct that writes its own apiVersion and kind.
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct SelfDescribed {
        api_version: &'static str,
        kind: &'static str,
        metadata: ObjectMeta,
    }

    macro_rules! self_described {
        ($name:ident, $api_version:literal, $kind:literal, $namespaced:literal) => {
            struct $name(SelfDescribed);
            impl Serialize for $name {
                fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                    self.0.serialize(s)
                }
            }
            impl CustomResource for $name {
                const API_VERSION: &'static str = $api_version;
                const KIND: &'static str = $kind;
                const NAMESPACED: bool = $namespaced;
            }
        };
    }

    self_described!(Issuer, "cert-manager.io/v1", "ClusterIssuer", false);
    self_described!(BadGroup, "Cert-Manager.io/v1", "ClusterIssuer", false);
    self_described!(BadKind, "cert-manager.io/v1", "clusterIssuer", false);

    #[test]
    fn typed_objects_take_version_kind_and_scope_from_the_type() {
        let deployment = Object::new(&Deployment {
            metadata: meta("api", Some("shop")),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(deployment.api_version(), "apps/v1");
        assert_eq!(deployment.group(), "apps");
        assert_eq!(deployment.version(), "v1");
        assert_eq!(deployment.kind(), "Deployment");
        assert_eq!(deployment.gvk().to_string(), "apps/v1, Kind=Deployment");
        assert_eq!(deployment.name(), "api");
        assert_eq!(deployment.namespace(), Some("shop"));
        assert!(deployment.is_namespaced() && deployment.is_builtin());
        assert_eq!(deployment.to_string(), "Deployment shop/api");
        let keys: Vec<&String> = deployment.body().as_object().unwrap().keys().collect();
        assert_eq!(keys, ["apiVersion", "kind", "metadata"]);

        let namespace = Object::new(&Namespace {
            metadata: meta("shop", None),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(namespace.scope(), Scope::Cluster);
        assert_eq!(namespace.gvk().to_string(), "/v1, Kind=Namespace");
        assert_eq!(namespace.to_string(), "Namespace shop");
    }

    #[test]
    fn subresources_are_not_objects() {
        let scale = Scale {
            metadata: meta("api", None),
            ..Default::default()
        };
        assert_eq!(
            Object::new(&scale).unwrap_err().to_string(),
            "Scale is a subresource, not an object that can be applied"
        );
    }

    #[test]
    fn names_follow_the_kinds_rule() {
        let err = Object::new(&Deployment {
            metadata: meta("My_App", None),
            ..Default::default()
        })
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "metadata.name \"My_App\" of Deployment is not a valid dns-1123 subdomain: 'M' at character 1 is not allowed (names are lowercase); use only lowercase letters, digits, '-' and '.'"
        );
        // A Service name is a DNS-1035 label: no dots, a letter first.
        let service = |name: &str| {
            Object::new(&Service {
                metadata: meta(name, None),
                ..Default::default()
            })
        };
        assert!(service("api").is_ok());
        assert_eq!(
            service("1api").unwrap_err().to_string(),
            "metadata.name \"1api\" of Service is not a valid dns-1035 label: it must start with a lowercase letter"
        );
        assert!(service("api.v2").is_err());
        // A Namespace name is a label; a Deployment's may have dots.
        assert!(
            Object::new(&Namespace {
                metadata: meta("team.a", None),
                ..Default::default()
            })
            .is_err()
        );
        assert!(
            Object::new(&Deployment {
                metadata: meta("api.v2", None),
                ..Default::default()
            })
            .is_ok()
        );
        // RBAC names are path segments.
        assert!(
            Object::untyped(
                json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
                "metadata": {"name": "system:aggregate-to-view"}})
            )
            .is_ok()
        );
        let err = Object::new(&Deployment {
            metadata: meta("api", Some("Shop")),
            ..Default::default()
        })
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "metadata.namespace \"Shop\" of Deployment api is not a valid dns-1123 label: 'S' at character 1 is not allowed (names are lowercase); use only lowercase letters, digits and '-'"
        );
        let err = Object::new(&Deployment {
            metadata: ObjectMeta::default(),
            ..Default::default()
        })
        .unwrap_err();
        assert_eq!(err.to_string(), "Deployment has no metadata.name string");
    }

    #[test]
    fn custom_resources_take_the_traits_constants() {
        let canary = Object::custom(&Canary {
            metadata: meta("api", Some("shop")),
            spec: json!({"targetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "api"}}),
        })
        .unwrap();
        assert_eq!(canary.api_version(), "flagger.app/v1beta1");
        assert_eq!(canary.kind(), "Canary");
        assert!(canary.is_namespaced() && !canary.is_builtin());
        let keys: Vec<&String> = canary.body().as_object().unwrap().keys().collect();
        assert_eq!(keys, ["apiVersion", "kind", "metadata", "spec"]);

        let issuer = Object::custom(&Issuer(SelfDescribed {
            api_version: "cert-manager.io/v1",
            kind: "ClusterIssuer",
            metadata: meta("letsencrypt", None),
        }))
        .unwrap();
        assert_eq!(issuer.scope(), Scope::Cluster);
        let err = Object::custom(&Issuer(SelfDescribed {
            api_version: "cert-manager.io/v1",
            kind: "ClusterIssuer",
            metadata: meta("letsencrypt", Some("shop")),
        }))
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "ClusterIssuer letsencrypt is cluster-scoped but has metadata.namespace \"shop\"; remove the namespace"
        );
    }

    #[test]
    fn a_body_that_disagrees_with_its_constants_is_an_error() {
        let err = Object::custom(&Issuer(SelfDescribed {
            api_version: "cert-manager.io/v1alpha2",
            kind: "ClusterIssuer",
            metadata: meta("letsencrypt", None),
        }))
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "ClusterIssuer serializes apiVersion \"cert-manager.io/v1alpha2\", but its type declares \"cert-manager.io/v1\""
        );
        let err = Object::custom(&Issuer(SelfDescribed {
            api_version: "cert-manager.io/v1",
            kind: "Issuer",
            metadata: meta("letsencrypt", None),
        }))
        .unwrap_err();
        assert!(
            matches!(err, ObjectError::Mismatch { field: "kind", .. }),
            "{err}"
        );
    }

    #[test]
    fn the_constants_are_checked() {
        let described = || SelfDescribed {
            api_version: "cert-manager.io/v1",
            kind: "ClusterIssuer",
            metadata: meta("letsencrypt", None),
        };
        let err = Object::custom(&BadGroup(SelfDescribed {
            api_version: "Cert-Manager.io/v1",
            ..described()
        }))
        .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("apiVersion \"Cert-Manager.io/v1\" is not valid: the group"),
            "{err}"
        );
        let err = Object::custom(&BadKind(SelfDescribed {
            kind: "clusterIssuer",
            ..described()
        }))
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "kind \"clusterIssuer\" is not valid: it must start with a capital letter (UpperCamelCase), not 'c'"
        );
    }

    #[test]
    fn untyped_objects_need_version_kind_and_name() {
        let err = |value: Value| Object::untyped(value).unwrap_err().to_string();
        assert_eq!(
            err(json!([])),
            "the object is not a json object but an array"
        );
        assert_eq!(
            err(json!({"kind": "ConfigMap", "metadata": {"name": "a"}})),
            "ConfigMap has no apiVersion string"
        );
        assert_eq!(
            err(json!({"apiVersion": 1, "kind": 2, "metadata": {"name": "a"}})),
            "the object has no apiVersion string"
        );
        assert_eq!(
            err(json!({"apiVersion": "v1", "metadata": {"name": "a"}})),
            "the object has no kind string"
        );
        assert_eq!(
            err(json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {}})),
            "ConfigMap has no metadata.name string"
        );
        assert_eq!(
            err(json!({"apiVersion": "v1", "kind": "ConfigMap"})),
            "ConfigMap has no metadata.name string"
        );
        assert_eq!(
            err(
                json!({"apiVersion": "apps/v1/x", "kind": "Deployment", "metadata": {"name": "a"}})
            ),
            "apiVersion \"apps/v1/x\" is not valid: it has more than one '/'"
        );
        // The body is reordered: apiVersion, kind, metadata, then the rest as given.
        let object = Object::untyped(json!({
            "data": {"a": "1"}, "metadata": {"name": "settings"}, "kind": "ConfigMap",
            "apiVersion": "v1", "immutable": true,
        }))
        .unwrap();
        let keys: Vec<&String> = object.body().as_object().unwrap().keys().collect();
        assert_eq!(
            keys,
            ["apiVersion", "kind", "metadata", "data", "immutable"]
        );
    }

    #[test]
    fn untyped_scope_comes_from_the_builtin_table_or_the_caller() {
        let namespace =
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}});
        assert!(!Object::untyped(namespace.clone()).unwrap().is_namespaced());
        let err = Object::untyped_with_scope(namespace, Scope::Namespaced).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Namespace of \"\" is a built-in cluster-scoped kind, it cannot be declared namespaced"
        );
        let issuer = json!({"apiVersion": "cert-manager.io/v1", "kind": "ClusterIssuer",
            "metadata": {"name": "letsencrypt"}});
        // A custom kind is namespaced unless told.
        assert!(Object::untyped(issuer.clone()).unwrap().is_namespaced());
        assert!(
            !Object::untyped_with_scope(issuer, Scope::Cluster)
                .unwrap()
                .is_namespaced()
        );
    }

    fn crd(name: &str, group: &str, kind: &str, scope: &str) -> Value {
        json!({
            "apiVersion": "apiextensions.k8s.io/v1",
            "kind": "CustomResourceDefinition",
            "metadata": {"name": name},
            "spec": {
                "group": group,
                "scope": scope,
                "names": {"kind": kind, "plural": "canaries", "singular": "canary"},
                "versions": [],
            },
        })
    }

    #[test]
    fn a_crd_says_what_it_defines() {
        let object = Object::untyped(crd(
            "canaries.flagger.app",
            "flagger.app",
            "Canary",
            "Namespaced",
        ))
        .unwrap();
        assert_eq!(object.defines_kind(), Some(("flagger.app", "Canary")));
        assert_eq!(object.defines_scope(), Some(Scope::Namespaced));
        assert_eq!(
            Object::new(&Namespace {
                metadata: meta("shop", None),
                ..Default::default()
            })
            .unwrap()
            .defines_kind(),
            None
        );
        // The typed CRD works the same.
        let typed: k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition =
            serde_json::from_value(crd("canaries.flagger.app", "flagger.app", "Canary", "Namespaced")).unwrap();
        assert_eq!(
            Object::new(&typed).unwrap().defines_kind(),
            Some(("flagger.app", "Canary"))
        );

        let err = |value: Value| Object::untyped(value).unwrap_err().to_string();
        assert_eq!(
            err(crd(
                "canary.flagger.app",
                "flagger.app",
                "Canary",
                "Namespaced"
            )),
            "CustomResourceDefinition canary.flagger.app is not a valid custom resource definition: metadata.name must be <spec.names.plural>.<spec.group>, \"canaries.flagger.app\""
        );
        assert_eq!(
            err(crd(
                "canaries.flagger.app",
                "flagger.app",
                "Canary",
                "Global"
            )),
            "CustomResourceDefinition canaries.flagger.app is not a valid custom resource definition: spec.scope is \"Global\", not Namespaced or Cluster"
        );
        let mut no_kind = crd(
            "canaries.flagger.app",
            "flagger.app",
            "Canary",
            "Namespaced",
        );
        no_kind["spec"]["names"]
            .as_object_mut()
            .unwrap()
            .remove("kind");
        assert_eq!(
            err(no_kind),
            "CustomResourceDefinition canaries.flagger.app is not a valid custom resource definition: it has no spec.names.kind string"
        );
        assert!(
            err(crd("canaries.apps", "apps", "Canary", "Namespaced"))
                .ends_with("spec.group \"apps\" is one of Kubernetes' own API groups")
        );
    }

    #[test]
    fn set_namespace_places_a_namespaced_object() {
        let mut object = Object::new(&Deployment {
            metadata: ObjectMeta {
                name: Some("api".into()),
                labels: Some([("app".to_owned(), "api".to_owned())].into()),
                ..Default::default()
            },
            ..Default::default()
        })
        .unwrap();
        object.set_namespace("shop").unwrap();
        assert_eq!(object.namespace(), Some("shop"));
        let keys: Vec<&String> = object.body()["metadata"]
            .as_object()
            .unwrap()
            .keys()
            .collect();
        assert_eq!(keys, ["labels", "name", "namespace"]);
        object.set_namespace("web").unwrap();
        assert_eq!(object.body()["metadata"]["namespace"], "web");
        assert!(object.set_namespace("Web").is_err());
        assert_eq!(object.namespace(), Some("web"));

        let mut namespace = Object::new(&Namespace {
            metadata: meta("shop", None),
            ..Default::default()
        })
        .unwrap();
        assert!(matches!(
            namespace.set_namespace("shop"),
            Err(ObjectError::NamespaceOnClusterScoped { .. })
        ));
    }

    #[test]
    fn annotations_are_read() {
        let object = Object::untyped(json!({"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": "api", "annotations": {"a": "b"}}}))
        .unwrap();
        assert_eq!(object.annotation("a"), Some("b"));
        assert_eq!(object.annotation("c"), None);
    }
}
