//! `ecommerce`: the global e-commerce service of seed 003 ("Deployment Plan — E-Commerce
//! Service"): a storefront on EKS behind CloudFront and Route 53, an analytics VPC that turns
//! CloudWatch's logs, metrics and events into a warehouse, and a disaster-recovery copy in a
//! second region.
//!
//! Four stacks, split the way 003's figures split the system:
//!
//! | stack | region | what (003) |
//! |---|---|---|
//! | `EcommerceEdge` | primary | Figure 1's first stations: CloudFront, WAF, the shop's records |
//! | `EcommerceProduction` | primary | Figure 3: VPC in 3 zones, EKS, node groups, load balancer |
//! | `EcommerceAnalytics` | primary | Figure 2: the analytics VPC, peered with production |
//! | `EcommerceDr` | second | "DR (Disaster Recovery) plan in another region" |
//!
//! **Across regions nothing is referred to.** CloudFormation exports do not cross regions (the
//! core refuses such a reference), so the DR stack takes nothing from the primary region, and the
//! primary region names what it needs of the DR region with constants and names built the same
//! way in both ([`config::cloudsnap_bucket_name`], [`config::CLOUDSNAP_KEY_ALIAS`]). The
//! hosted zone is a constant for the same reason. Within the primary region, the analytics
//! stack imports production's VPC id, private route tables and log group names.
//!
//! Deployment order: `EcommerceDr` first (S3 checks that a replication destination exists),
//! then `EcommerceProduction`, then `EcommerceAnalytics` and `EcommerceEdge` (its origin answers
//! once production does).
//!
//! What is not CloudFormation and stays by hand (003: "to deploy the containerized application
//! code to the cluster" is the runner's, below):
//! - The account owner's value: a Portworx Enterprise license (the trial runs 30 days).
//! - Restoring the database from Cloud Snap in the DR region after a failover: a runbook step,
//!   taken when a person decides the primary region is lost.
//! - QuickSight (an account subscription made in the console), EMR steps, Redshift schemas.
//!
//! Applied by `cirrus deploy` after each region's stack: Portworx (`storage.rs`: the operator and
//! its `StorageCluster` on the storage nodes, and the databases' `StorageClass` with three
//! replicas); Cloud Snap (`cloudsnap.rs`: the credential for the region's bucket, made by a Job
//! through Portworx's API, and hourly and nightly cloud snapshots of every database volume, which
//! production's bucket replicates to the DR region); (`workloads.rs`) the AWS Load Balancer
//! Controller (Helm, pinned, with Pod Identity) and a `TargetGroupBinding` per colour binding the
//! `storefront-blue` and `storefront-green` Services to the blue and green target groups (without
//! `networking`: the security groups are managed here); the storefront's blue and green
//! `Deployment`s; its PostgreSQL database (`database.rs`: a `StatefulSet` on the storage nodes with
//! a `px-db` claim, 003's "DB_Config (DB-PVC)"); the cluster autoscaler (Helm, pinned); the
//! External Secrets Operator (Helm, pinned, Pod Identity), which keeps the Kubernetes `Secret` of
//! the storefront database's password (003: "Kubernetes Secrets ... protect the secret
//! information", envelope-encrypted with the cluster's key) equal to the region's Secrets Manager
//! secret, so the value is in no file. The release: deploy the new version as green
//! ([`config::GREEN_TAG`]), test it, swap [`config::BLUE_WEIGHT`] and [`config::GREEN_WEIGHT`] and
//! deploy; swap back to roll back (Argo Rollouts can automate it later).

pub mod analytics;
pub mod cloudsnap;
pub mod config;
pub mod database;
pub mod edge;
pub mod storage;
pub mod storefront;
mod support;
pub mod workloads;

use cirrus_core::App;

/// Adds the four stacks of the app.
pub fn define(app: &App) {
    let dr = storefront::storefront(app, &config::DISASTER_RECOVERY);
    let production = storefront::storefront(app, &config::PRODUCTION);
    // The replication destination must exist before production's bucket names it: an ordering
    // across regions, with no value passed.
    production.stack.add_dependency(&dr.stack);
    analytics::analytics(app, &production);
    let edge = edge::edge(app);
    // CloudFront fetches from the origin name as soon as the distribution is deployed.
    edge.add_dependency(&production.stack);
}
