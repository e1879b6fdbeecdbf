//! `eks-progressive`: the EKS platform of a team doing canary delivery with Flagger and Gloo
//! Edge (seed 002), defined once and instantiated for its four environments.
//!
//! Each environment is one self-contained stack: a VPC across two availability zones, an EKS
//! cluster with a private endpoint (production: private only; the others also a public one
//! restricted to the administrators' CIDR) and the VPC CNI and CoreDNS add-ons, a managed node group that scales
//! between a minimum and a maximum, the ECR repository the application images are pushed to,
//! an administrator role with cluster access, and the cluster autoscaler's role. What runs on
//! the cluster (Gloo Edge, Flagger, Prometheus, the podinfo app and its load tester) is
//! installed with Helm and kubectl, not CloudFormation; see `docs/guide.md`.

mod bootstrap;
mod config;
mod platform;

use cirrus_core::App;

pub use config::{ENVIRONMENTS, EnvSpec};

/// Adds one stack per environment to `app`.
pub fn define(app: &App) {
    for spec in ENVIRONMENTS {
        platform::platform(app, spec);
    }
}
