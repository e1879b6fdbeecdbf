//! A small Kubernetes API client for exactly what deploying an app's objects to an EKS cluster
//! needs: the EKS bearer token, API discovery, server-side apply, waiting for CRDs and
//! workloads, pruning what a step no longer declares, and deletion.
//!
//! # Why no kubectl, and no Lambda
//!
//! The AWS CDK applies manifests through a custom resource: a Lambda function in the cluster's
//! VPC that runs kubectl and Helm. cirrus deploys from the runner instead: everything kubectl
//! does for `apply --server-side --prune` is a handful of HTTP requests (discovery, `PATCH`
//! with `application/apply-patch+yaml`, label-selected lists, `DELETE`), the API server does
//! the merging, and EKS authenticates a presigned STS URL that the runner can sign with the
//! credentials it already deploys with. No binary to install or pin, no function to deploy
//! and keep patched, no VPC access for it, and errors that reach the user as the API server
//! wrote them, naming the object.
//!
//! # What the runner gives it
//!
//! - A [`Cluster`]: the endpoint and the certificate authority from EKS's `DescribeCluster`
//!   (`endpoint`, `certificateAuthority.data` base64-decoded to PEM), and a token from
//!   [`eks_token`] made with the runner's credentials, region and the cluster's name. The
//!   runner's role needs an access entry on the cluster (`cluster.grant_access(..)` in the
//!   app); a 401 or 403 says so.
//! - The step's objects as JSON (the artifact's YAML with its `${cirrus:..}` placeholders
//!   substituted), in apply order, and a [`StepLabel`]: a hash of the step that stays the
//!   same across deployments (see [`StepLabel::new`] for what it may hold).
//! - [`ApplyOptions`]/[`DeleteOptions`]: timeouts, and a progress callback for its lines.
//!
//! Then [`Client::apply`] on deploy, [`Client::delete`] (with the objects in apply order) on
//! destroy.
//!
//! # Pruning: kubectl's ApplySet convention
//!
//! A step's objects form an ApplySet (Kubernetes Enhancement Proposal 3659): a parent
//! ConfigMap `kube-system/cirrus-step-<hash>` lists the members' group/kinds and namespaces in
//! `applyset.kubernetes.io/*` annotations, and each member carries
//! `applyset.kubernetes.io/part-of: <id>` beside `cirrus.dev/step: <hash>`. Pruning lists each
//! recorded kind by both labels and deletes what the step no longer declares
//! ([`PrunePlan`]); nothing without both labels is ever deleted. The convention rather than a
//! private record because the record then lives in the cluster beside what it describes, and
//! `kubectl` and other tools recognise the set (kubectl lists it, and refuses to change a set
//! another tool manages, as the KEP asks of every tool).
//!
//! # Why hyper and not the `kube` crate
//!
//! Measured with `cargo build -p <crate> --timings` in this workspace's warm target directory
//! (2 shared cores), the same way for both:
//!
//! - `kube` 5.0 (features `client`, `rustls-tls`, `aws-lc-rs`) with a 10-line server-side
//!   apply: 47 new crates in Cargo.lock (kube-client, kube-core, jiff, jsonpath-rust, pest,
//!   regex, tower-http, futures, ...), 161 units compiled, 109 s wall and 202 s of compile
//!   time. About 85 s of it rebuilt crates the workspace already has (k8s-openapi, rustls,
//!   tokio, serde-saphyr, hyper, serde_json), because kube enables more of their features:
//!   serde-saphyr's default features, its deserializer among them, which `cirrus-k8s` keeps
//!   out on purpose, would be unified into every build of the workspace. `kube` 5 also needs
//!   Rust 1.89, above the workspace's 1.85.
//! - This crate, on hyper 1, hyper-util, hyper-rustls and rustls: no new crate in Cargo.lock,
//!   11 units compiled, 30 s of compile time, of which 27 s are rustls, hyper-util and the
//!   SigV4 crates rebuilt for `-p`'s narrower feature set (in the workspace build they are
//!   shared with the runner's AWS SDK, whose features are a superset of the ones asked here),
//!   and 2.4 s the crate itself.
//!
//! What deploying needs (discovery, apply, list, delete, one readiness rule per workload kind)
//! is a few hundred lines; `kube`'s typed API, watchers and runtime would go unused.
//!
//! # TLS
//!
//! rustls with the ring provider, the one the AWS SDK's HTTP client uses here (chosen in one
//! function, `client.rs`'s `crypto_provider`), trusting only the cluster's certificate
//! authority when one is given.

mod applyset;
mod client;
mod deploy;
mod discovery;
mod error;
mod object;
mod status;
mod token;

pub use applyset::{
    FoundObject, GROUP_KINDS_ANNOTATION, ID_LABEL, MANAGED_BY, MANAGED_BY_LABEL,
    NAMESPACES_ANNOTATION, PARENT_NAMESPACE, PART_OF_LABEL, PrunePlan, STEP_LABEL, StepLabel,
    TOOLING_ANNOTATION,
};
pub use client::{Client, Cluster, RetryPolicy, Timeouts};
pub use deploy::{
    ApplyOptions, ApplyReport, DeleteOptions, DeleteReport, FIELD_MANAGER, Progress, ProgressEvent,
    ProgressFn, WAIT_ANNOTATION, WAIT_COMPLETE, awaits_completion, job_failure, workload_status,
};
pub use discovery::ApiResource;
pub use error::KubeError;
pub use object::{GroupKind, ObjectRef};
pub use token::{CLUSTER_ID_HEADER, TOKEN_PREFIX, eks_token, presigned_url};
