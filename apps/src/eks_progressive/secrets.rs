//! Secrets Manager values as Kubernetes Secrets, typed: the External Secrets Operator's
//! `SecretStore` and `ExternalSecret` (external-secrets.io/v1). The operator reads the value with
//! its own role (EKS Pod Identity, read on the one secret) and writes the Kubernetes Secret; the
//! value is in no file of the app and no template.

use cirrus_aws::eks::k8s::CustomResource;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Serialize;

/// Where an `ExternalSecret` reads from: Secrets Manager of a region, with the operator's
/// credentials (no `auth`).
#[derive(Debug, Clone, Serialize)]
pub struct SecretStore {
    pub metadata: ObjectMeta,
    pub spec: SecretStoreSpec,
}

impl CustomResource for SecretStore {
    const API_VERSION: &'static str = "external-secrets.io/v1";
    const KIND: &'static str = "SecretStore";
    const NAMESPACED: bool = true;
}

/// `SecretStore.spec`.
#[derive(Debug, Clone, Serialize)]
pub struct SecretStoreSpec {
    pub provider: Provider,
}

/// The store's provider.
#[derive(Debug, Clone, Serialize)]
pub struct Provider {
    pub aws: AwsProvider,
}

/// AWS Secrets Manager in `region`.
#[derive(Debug, Clone, Serialize)]
pub struct AwsProvider {
    /// `SecretsManager`.
    pub service: String,
    pub region: String,
}

/// A Kubernetes Secret kept equal to a Secrets Manager secret.
#[derive(Debug, Clone, Serialize)]
pub struct ExternalSecret {
    pub metadata: ObjectMeta,
    pub spec: ExternalSecretSpec,
}

impl CustomResource for ExternalSecret {
    const API_VERSION: &'static str = "external-secrets.io/v1";
    const KIND: &'static str = "ExternalSecret";
    const NAMESPACED: bool = true;
}

/// `ExternalSecret.spec`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExternalSecretSpec {
    /// How often the value is read again (`1h`).
    pub refresh_interval: String,
    pub secret_store_ref: StoreRef,
    pub target: Target,
    pub data: Vec<SecretData>,
}

/// The store, by name and kind.
#[derive(Debug, Clone, Serialize)]
pub struct StoreRef {
    pub name: String,
    pub kind: String,
}

/// The Kubernetes Secret written, owned by the `ExternalSecret`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Target {
    pub name: String,
    /// `Owner`: the Secret goes with the `ExternalSecret`.
    pub creation_policy: String,
}

/// One key of the Secret, and the Secrets Manager secret it holds.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SecretData {
    pub secret_key: String,
    pub remote_ref: RemoteRef,
}

/// A Secrets Manager secret by name.
#[derive(Debug, Clone, Serialize)]
pub struct RemoteRef {
    pub key: String,
}
