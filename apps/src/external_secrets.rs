//! Secrets Manager values as Kubernetes Secrets, what `eks-progressive` and `ecommerce` share:
//! the External Secrets Operator's chart and its `SecretStore` and `ExternalSecret`
//! (external-secrets.io/v1), typed. The operator reads a value with its own role (EKS Pod
//! Identity, read on the secrets the app grants it) and writes the Kubernetes Secret; the value
//! is in no file of the app and no template.

use cirrus_aws::eks::HelmChart;
use cirrus_aws::eks::k8s::{CustomResource, Object, ObjectError};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Serialize;
use serde_json::json;

/// The operator's chart, `(repository, chart, exact version)`.
pub const CHART: (&str, &str, &str) = (
    "https://charts.external-secrets.io",
    "external-secrets",
    "2.5.0",
);

/// The operator's namespace and service account, which Pod Identity gives the role that may
/// read the app's secrets.
pub const OPERATOR: (&str, &str) = ("external-secrets", "external-secrets");

/// The operator's Helm release, in its own namespace, as [`OPERATOR`]'s service account.
pub fn operator_chart() -> HelmChart {
    let (repository, chart, version) = CHART;
    HelmChart::new(repository, chart, version)
        .namespace(OPERATOR.0)
        .create_namespace(true)
        .values(json!({ "serviceAccount": { "name": OPERATOR.1 } }))
        .crds(
            ["ExternalSecret", "SecretStore", "ClusterSecretStore"]
                .map(|kind| ("external-secrets.io".to_owned(), kind.to_owned()))
                .to_vec(),
        )
}

/// The store name the objects of [`synced_secret`] use.
const STORE: &str = "aws-secrets-manager";

/// A Kubernetes Secret `target` in `namespace`, kept equal to Secrets Manager secrets of
/// `region`: each `(key, secret name, JSON field)` of `data` a key of the Secret. Returns the
/// namespace's `SecretStore` (the operator's credentials) and the `ExternalSecret`.
pub fn synced_secret(
    namespace: &str,
    region: &str,
    target: &str,
    data: &[(&str, &str, Option<&str>)],
) -> Vec<Result<Object, ObjectError>> {
    let meta = |name: &str| ObjectMeta {
        name: Some(name.into()),
        namespace: Some(namespace.into()),
        ..Default::default()
    };
    let store = SecretStore {
        metadata: meta(STORE),
        spec: SecretStoreSpec {
            provider: Provider {
                aws: AwsProvider {
                    service: "SecretsManager".into(),
                    region: region.into(),
                },
            },
        },
    };
    let external = ExternalSecret {
        metadata: meta(target),
        spec: ExternalSecretSpec {
            refresh_interval: "1h".into(),
            secret_store_ref: StoreRef {
                name: STORE.into(),
                kind: "SecretStore".into(),
            },
            target: Target {
                name: target.into(),
                creation_policy: "Owner".into(),
            },
            data: data
                .iter()
                .map(|(key, name, property)| SecretData {
                    secret_key: (*key).into(),
                    remote_ref: RemoteRef {
                        key: (*name).into(),
                        property: property.map(Into::into),
                    },
                })
                .collect(),
        },
    };
    vec![Object::custom(&store), Object::custom(&external)]
}

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

/// A Secrets Manager secret by name, and a field of its JSON value.
#[derive(Debug, Clone, Serialize)]
pub struct RemoteRef {
    pub key: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub property: Option<String>,
}
