//! Kubernetes objects for the apps' EKS clusters, as pure data: no IO, no cluster, no YAML
//! strings.
//!
//! An app declares the objects of a cluster in Rust; this crate makes each one an [`Object`]
//! (validated when it is made), orders them for applying and deleting ([`apply_order`],
//! [`delete_order`]), checks them together at synth time ([`check`]), and renders them as one
//! multi-document YAML file ([`to_yaml`]) for `synth-out/`, where reviewers read them.
//!
//! # Three ways to make an object
//!
//! - **A built-in kind**, with its k8s-openapi type (Kubernetes 1.35): [`Object::new`] takes any
//!   `Deployment`, `Service`, `HorizontalPodAutoscaler`, ... The compiler checks the fields;
//!   `apiVersion`, `kind` and the scope come from the type.
//! - **A custom kind** (Flagger's `Canary`, Gloo's `VirtualService`, the AWS Load Balancer
//!   Controller's `TargetGroupBinding`), with a serde struct of the app that implements
//!   [`CustomResource`] (three constants) and goes through [`Object::custom`]. The struct can be as
//!   typed as the app wants; the constants are checked (`group/version`, UpperCamelCase).
//! - **Untyped JSON**, for the rare object neither fits: [`Object::untyped`] checks that
//!   `apiVersion`, `kind` and `metadata.name` are there and well formed, and knows the scope of
//!   every built-in kind.
//!
//! Every way checks `metadata.name` and `metadata.namespace` the way the API server would (a
//! DNS-1123 subdomain for most kinds, a DNS-1035 label for a Service, ...), so that a bad name
//! fails at synth, naming the field, instead of halfway through a deploy.
//!
//! ```
//! use cirrus_k8s::{CheckContext, Object, apply_order, check, to_yaml};
//! use k8s_openapi::api::core::v1::{Namespace, ServiceAccount};
//! use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
//!
//! let meta = |name: &str, namespace: Option<&str>| ObjectMeta {
//!     name: Some(name.into()),
//!     namespace: namespace.map(Into::into),
//!     ..Default::default()
//! };
//! let objects = vec![
//!     Object::new(&ServiceAccount { metadata: meta("api", Some("shop")), ..Default::default() })
//!         .unwrap(),
//!     Object::new(&Namespace { metadata: meta("shop", None), ..Default::default() }).unwrap(),
//! ];
//! assert_eq!(apply_order(&objects), [1, 0]);
//! assert!(check(&objects, &CheckContext::new()).is_empty());
//! let ordered: Vec<Object> = apply_order(&objects).into_iter().map(|i| objects[i].clone()).collect();
//! assert!(to_yaml(&ordered).unwrap().starts_with("apiVersion: v1\nkind: Namespace\n"));
//! ```
//!
//! # Workloads in a few lines
//!
//! [`workload`] makes the objects every app writes around its pods (Deployment, Service,
//! autoscaler, CronJob, claims, volumes) in one call each, with [`secure`]'s locked-down pod
//! and container as the defaults.
//!
//! # Why the checks exist
//!
//! The API server accepts objects one by one, and accepts much that fails later or is unsafe: a
//! Deployment whose namespace or service account nobody creates never gets a pod, a custom
//! resource without its CRD is refused in the middle of a deploy, an image tagged `latest`
//! changes under running pods, a container without requests and limits starves its neighbours,
//! a privileged container or a `hostPath` volume owns the node, a public load balancer where the
//! app meant an internal one exposes it. [`check`] looks at all the objects of a cluster at once,
//! with what else exists there ([`CheckContext`]), and returns every such problem as a
//! [`Finding`]: the object, the [`Check`] (with a stable name), what is wrong, and the field to
//! set.

mod builtin;
mod checks;
mod names;
mod object;
mod order;
pub mod secure;
pub mod workload;
mod yaml;

pub use checks::{
    Check, CheckContext, Finding, LEGACY_INTERNAL_ANNOTATION, SCHEME_ANNOTATION,
    SSL_CERT_ANNOTATION, check,
};
pub use names::NameRule;
pub use object::{CustomResource, Gvk, KnownScope, Object, ObjectError, Scope};
pub use order::{apply_order, delete_order};
pub use yaml::{YamlError, to_yaml};
