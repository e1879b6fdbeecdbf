//! The custom resources of the seed, typed: Flagger's `Canary` and `AlertProvider`
//! (flagger.app/v1beta1) and Gloo Edge's `VirtualService` (gateway.solo.io/v1), with the fields
//! the app sets. Their CRDs come with the Flagger and Gloo charts.

use cirrus_aws::eks::k8s::CustomResource;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Serialize;

/// A Flagger canary: how a Deployment's new version is rolled out.
#[derive(Debug, Clone, Serialize)]
pub struct Canary {
    pub metadata: ObjectMeta,
    pub spec: CanarySpec,
}

impl CustomResource for Canary {
    const API_VERSION: &'static str = "flagger.app/v1beta1";
    const KIND: &'static str = "Canary";
    const NAMESPACED: bool = true;
}

/// `Canary.spec`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CanarySpec {
    /// The routing provider (`gloo`).
    pub provider: String,
    pub target_ref: Reference,
    pub autoscaler_ref: Reference,
    pub service: CanaryService,
    pub analysis: Analysis,
}

/// A reference to another object of the namespace.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Reference {
    pub api_version: String,
    pub kind: String,
    pub name: String,
}

/// The port Flagger's generated services expose.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CanaryService {
    pub port: i32,
    pub target_port: i32,
}

/// The canary analysis: how often, how many failed checks abort, how traffic moves.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Analysis {
    /// Time between checks (`10s`).
    pub interval: String,
    /// Failed checks before the rollout is rolled back.
    pub threshold: u32,
    /// The largest share of traffic the canary gets, in percent.
    pub max_weight: u32,
    /// The step by which the canary's share grows, in percent.
    pub step_weight: u32,
    pub metrics: Vec<Metric>,
    pub webhooks: Vec<Webhook>,
    /// Where Flagger posts the analysis' events.
    pub alerts: Vec<Alert>,
}

/// An alert of the analysis, through an `AlertProvider`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Alert {
    pub name: String,
    /// `info` (every event), `warn` or `error`.
    pub severity: String,
    pub provider_ref: NamespacedName,
}

/// Flagger's `AlertProvider` (flagger.app/v1beta1): a chat channel, its webhook address from a
/// Kubernetes Secret (key `address`).
#[derive(Debug, Clone, Serialize)]
pub struct AlertProvider {
    pub metadata: ObjectMeta,
    pub spec: AlertProviderSpec,
}

impl CustomResource for AlertProvider {
    const API_VERSION: &'static str = "flagger.app/v1beta1";
    const KIND: &'static str = "AlertProvider";
    const NAMESPACED: bool = true;
}

/// `AlertProvider.spec`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AlertProviderSpec {
    /// `slack`.
    #[serde(rename = "type")]
    pub kind: String,
    pub channel: String,
    pub username: String,
    pub secret_ref: SecretRef,
}

/// A Kubernetes Secret of the provider's namespace.
#[derive(Debug, Clone, Serialize)]
pub struct SecretRef {
    pub name: String,
}

/// A metric check of the analysis.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Metric {
    /// A built-in metric (`request-success-rate`, `request-duration`).
    pub name: String,
    pub threshold_range: ThresholdRange,
    /// The window the metric is computed over (`1m`).
    pub interval: String,
}

/// The range a metric must stay in.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ThresholdRange {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
}

/// A webhook Flagger calls during the analysis (the load tester).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Webhook {
    pub name: String,
    /// `pre-rollout`, or none for a call at every step.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    pub url: String,
    pub timeout: String,
    pub metadata: WebhookCommand,
}

/// What the load tester runs.
#[derive(Debug, Clone, Serialize)]
pub struct WebhookCommand {
    /// `bash` or `cmd`.
    #[serde(rename = "type")]
    pub kind: String,
    pub cmd: String,
}

/// A Gloo Edge virtual service: the domains the gateway serves and where their routes go.
#[derive(Debug, Clone, Serialize)]
pub struct VirtualService {
    pub metadata: ObjectMeta,
    pub spec: VirtualServiceSpec,
}

impl CustomResource for VirtualService {
    const API_VERSION: &'static str = "gateway.solo.io/v1";
    const KIND: &'static str = "VirtualService";
    const NAMESPACED: bool = true;
}

/// `VirtualService.spec`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VirtualServiceSpec {
    pub virtual_host: VirtualHost,
}

/// The domains and routes of a virtual service.
#[derive(Debug, Clone, Serialize)]
pub struct VirtualHost {
    pub domains: Vec<String>,
    pub routes: Vec<Route>,
}

/// A route that hands matching requests to a route table (the one Flagger generates for the
/// canary, named after it).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Route {
    pub matchers: Vec<Matcher>,
    pub delegate_action: Delegate,
}

/// A path prefix to match.
#[derive(Debug, Clone, Serialize)]
pub struct Matcher {
    pub prefix: String,
}

/// The route table a route delegates to.
#[derive(Debug, Clone, Serialize)]
pub struct Delegate {
    #[serde(rename = "ref")]
    pub reference: NamespacedName,
}

/// An object by name and namespace.
#[derive(Debug, Clone, Serialize)]
pub struct NamespacedName {
    pub name: String,
    pub namespace: String,
}
