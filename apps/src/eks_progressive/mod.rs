//! `eks-progressive`: the EKS platform of a team doing canary delivery with Flagger and Gloo
//! Edge (seed 002), defined once and instantiated for its four environments.
//!
//! Each environment is one self-contained stack: a VPC across two availability zones, an EKS
//! cluster with a private endpoint (production: private only; the others also a public one
//! restricted to the administrators' CIDR) and the VPC CNI and CoreDNS add-ons, a managed node group that scales
//! between a minimum and a maximum, the ECR repository the application images are pushed to,
//! an administrator role with cluster access, and the cluster autoscaler's role. What runs on
//! the cluster (Gloo Edge, Flagger with Prometheus, the cluster autoscaler, the podinfo app
//! under canary delivery and its load tester) is part of the app too (`workloads.rs`): Helm
//! releases pinned to exact chart versions and typed objects, written to
//! `synth-out/eks-progressive/` and put on each cluster by `cirrus deploy` after its stack.
//! Production's endpoint is private, so its steps run in the cluster's in-VPC deployer, and
//! operators run kubectl (the seed's `kubectl get canaries`) from an AWS CloudShell VPC
//! environment with the stack's `OperatorSubnetIds` and `OperatorSecurityGroupId`, after `aws
//! eks update-kubeconfig --name ps-eks-production --role-arn <AdminRoleArn>`.

mod canary;
mod config;
mod platform;
mod workloads;

use cirrus_core::App;

pub use config::{ENVIRONMENTS, EnvSpec};

/// Adds one stack per environment to `app`.
pub fn define(app: &App) {
    for spec in ENVIRONMENTS {
        platform::platform(app, spec);
    }
}
