//! `eks-progressive`: the EKS platform of a team doing canary delivery with Flagger and Gloo
//! Edge (seed 002), defined once and instantiated for its four environments.
//!
//! Each environment is one self-contained stack: a VPC across two availability zones, an EKS
//! cluster with a private endpoint (production: private only; the others also a public one
//! restricted to the administrators' CIDR) and the VPC CNI and CoreDNS add-ons, a managed node group that scales
//! between a minimum and a maximum, the ECR repository the application images are pushed to,
//! an administrator role with cluster access, and the cluster autoscaler's role. What runs on
//! the cluster (Gloo Edge, Flagger with Prometheus, the cluster autoscaler, the podinfo app
//! under canary delivery and its load tester, the External Secrets Operator that turns the
//! Slack webhook's Secrets Manager secret into the Kubernetes Secret Flagger's alerts read) is
//! part of the app too (`workloads.rs`): Helm releases pinned to exact chart versions and typed
//! objects, written to `synth-out/eks-progressive/` and put on each cluster after its stack (by
//! the delivery pipeline, or `cirrus deploy`), through the cluster's in-VPC deployer; and
//! operators run kubectl (the seed's `kubectl get canaries`) from an AWS CloudShell VPC
//! environment with the stack's `OperatorSubnetIds` and `OperatorSecurityGroupId`, after `aws
//! eks update-kubeconfig --name ps-eks-production --role-arn <AdminRoleArn>`.

mod canary;
mod config;
mod platform;
mod workloads;

use cirrus_aws::codeconnections::{Connection, ConnectionProps};
use cirrus_aws::codepipeline::{
    Approval, DeliveryPipeline, DeliveryProps, DeliverySource, Environment,
};
use cirrus_aws::iam;
use cirrus_aws::prelude::*;

pub use config::{ENVIRONMENTS, EnvSpec};

/// Adds the delivery stack and one stack per environment to `app`.
pub fn define(app: &App) {
    let props = StackProps::default()
        .env(Env::region(config::REGION))
        .description(
            "eks-progressive: the pipeline that delivers the four environments from a push",
        );
    let delivery = app.stack("EksProgressiveDelivery", props);
    Tags::of(&delivery).add("app", "eks-progressive");
    iam::default_role_path(delivery, platform::IAM_PATH);
    let stacks: Vec<(&str, Stack<'_>)> = ENVIRONMENTS
        .iter()
        .map(|spec| (spec.name, platform::platform(app, spec)))
        .collect();

    // Environments in order, production last and only once a person approves.
    let mut ordered = stacks;
    ordered.sort_by_key(|(name, _)| {
        config::DELIVERY_ORDER
            .iter()
            .position(|n| n == name)
            .unwrap_or(usize::MAX)
    });
    let environments = ordered.into_iter().map(|(name, stack)| {
        let environment = Environment::new(&title(name), [stack]);
        if name == "production" {
            environment.approval(Approval::Always)
        } else {
            environment
        }
    });
    let connection = Connection::new(
        delivery,
        "Connection",
        config::SOURCE_PROVIDER,
        ConnectionProps::default().connection_name("eks-progressive"),
    );
    delivery
        .add_output("ConnectionArn", connection.arn())
        .description("complete this connection's handshake once in the console (Developer Tools > Connections)");
    let source = DeliverySource::connection(&connection, config::SOURCE_REPOSITORY, config::BRANCH);
    let props = DeliveryProps::default().environments(environments);
    let pipeline = DeliveryPipeline::new(delivery, "Delivery", source, props);
    delivery.add_output("PipelineName", pipeline.pipeline().name());
}

/// `production` -> `Production`, for stage names.
fn title(name: &str) -> String {
    let mut chars = name.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_ascii_uppercase().to_string() + chars.as_str()
    })
}
