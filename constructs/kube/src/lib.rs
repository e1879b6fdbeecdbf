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
//! # Why hyper and not the `kube` crate
//!
//! Measured with `cargo build --timings` in this workspace (2 cores): `kube` 5.0 (features
//! `client`, `rustls-tls`, `aws-lc-rs`) added 48 crates to Cargo.lock (jiff, jsonpath-rust,
//! pest, regex, tower-http, futures, ...) and 109 s of compilation, about half of it
//! rebuilding crates the workspace already had (k8s-openapi, rustls, tokio, hyper,
//! serde-saphyr) because kube enables other features of them: serde-saphyr's deserializer,
//! which `cirrus-k8s` avoids on purpose, would be unified into every build. It also needs Rust
//! 1.89, above the workspace's 1.85. This crate uses only crates the AWS SDK already builds
//! for the runner, with a subset of their features, so it adds its own few seconds only; and
//! what deploying needs (apply, list, delete, a readiness rule per kind) is small.
//!
//! # TLS
//!
//! rustls with the aws-lc-rs provider, the one the AWS SDK enables here (chosen in one
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
    ProgressFn, workload_status,
};
pub use discovery::ApiResource;
pub use error::KubeError;
pub use object::{GroupKind, ObjectRef};
pub use token::{CLUSTER_ID_HEADER, TOKEN_PREFIX, eks_token, presigned_url};
