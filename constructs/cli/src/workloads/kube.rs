//! Kubernetes manifests: the step's YAML read back, its placeholders substituted, and the
//! objects applied through the cluster's API with `cirrus-kube` (server-side apply, pruning
//! of what the step no longer declares, waiting for workloads to be ready).
//!
//! The runner talks to the cluster's API server directly, with a short-lived EKS token made
//! from the same credentials it deploys the stacks with: no kubectl, no Lambda, no custom
//! resource. The endpoint must be reachable from where the runner runs (a public endpoint
//! that allows this machine's address, or a VPN or bastion into the VPC).

use std::time::SystemTime;

use base64::Engine;
use serde_json::{Map, Value as J};
use yaml_rust2::{Yaml, YamlLoader};

/// How to reach the cluster of a step, read from the step's properties (placeholders
/// already substituted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Connection {
    pub(crate) cluster: String,
    pub(crate) endpoint: String,
    /// PEM, decoded from the base64 EKS gives; `None` when the step has none.
    pub(crate) ca_pem: Option<Vec<u8>>,
    pub(crate) step: String,
}

impl Connection {
    pub(crate) fn from_properties(p: &Map<String, J>) -> Result<Connection, String> {
        let text = |key: &str| {
            p.get(key)
                .and_then(J::as_str)
                .map(str::to_owned)
                .ok_or_else(|| format!("the step has no \"{key}\""))
        };
        let ca = match p.get("certificateAuthority").and_then(J::as_str) {
            Some(data) if !data.is_empty() => Some(
                base64::engine::general_purpose::STANDARD
                    .decode(data.trim())
                    .map_err(|e| {
                        format!("the cluster's certificate authority is not base64: {e}")
                    })?,
            ),
            _ => None,
        };
        Ok(Connection {
            cluster: text("cluster")?,
            endpoint: text("endpoint")?,
            ca_pem: ca,
            step: text("step")?,
        })
    }

    /// The client's view: endpoint, authority and a token valid for about 15 minutes.
    pub(crate) fn cluster(&self, token: String) -> cirrus_kube::Cluster {
        cirrus_kube::Cluster {
            endpoint: self.endpoint.clone(),
            ca_pem: self.ca_pem.clone(),
            token,
        }
    }
}

/// The bearer token EKS accepts for `credentials` in `region`.
pub(crate) fn token(
    credentials: &aws_credential_types::Credentials,
    region: &str,
    cluster: &str,
) -> Result<String, String> {
    cirrus_kube::eks_token(credentials, region, cluster, SystemTime::now())
        .map_err(|e| e.to_string())
}

/// The documents of a YAML stream as JSON values, comments dropped.
pub(crate) fn documents(text: &str) -> Result<Vec<J>, String> {
    let docs = YamlLoader::load_from_str(text).map_err(|e| format!("cannot read the YAML: {e}"))?;
    docs.iter().map(to_json).collect()
}

fn to_json(y: &Yaml) -> Result<J, String> {
    Ok(match y {
        Yaml::Null => J::Null,
        Yaml::Boolean(b) => J::Bool(*b),
        Yaml::Integer(i) => J::from(*i),
        Yaml::Real(r) => {
            let f: f64 = r.parse().map_err(|_| format!("{r} is not a number"))?;
            serde_json::Number::from_f64(f).map_or(J::Null, J::Number)
        }
        Yaml::String(s) => J::String(s.clone()),
        Yaml::Array(items) => J::Array(items.iter().map(to_json).collect::<Result<_, _>>()?),
        Yaml::Hash(map) => {
            let mut out = Map::new();
            for (k, v) in map {
                let key = match k {
                    Yaml::String(s) => s.clone(),
                    Yaml::Integer(i) => i.to_string(),
                    Yaml::Boolean(b) => b.to_string(),
                    other => return Err(format!("a map key that is not a string: {other:?}")),
                };
                out.insert(key, to_json(v)?);
            }
            J::Object(out)
        }
        Yaml::Alias(_) | Yaml::BadValue => return Err("an alias or a malformed value".into()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_yaml_stream_reads_back_as_the_objects_it_holds() {
        let text = "# header\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  mode: '0755'\n  on: 'yes'\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: b\nspec:\n  replicas: 2\n";
        let docs = documents(text).unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0]["data"], json!({ "mode": "0755", "on": "yes" }));
        assert_eq!(docs[1]["spec"]["replicas"], json!(2));
    }

    #[test]
    fn the_connection_comes_from_the_step_properties() {
        let pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
        let props = json!({
            "cluster": "shop",
            "endpoint": "https://ABC.gr7.us-east-1.eks.amazonaws.com",
            "certificateAuthority": base64::engine::general_purpose::STANDARD.encode(pem),
            "step": "A1B2C3D4",
        });
        let c = Connection::from_properties(props.as_object().unwrap()).unwrap();
        assert_eq!(c.ca_pem.as_deref(), Some(pem.as_bytes()));
        assert_eq!(c.step, "A1B2C3D4");
        let bad = json!({ "cluster": "shop", "endpoint": "x", "certificateAuthority": "%%", "step": "s" });
        assert!(
            Connection::from_properties(bad.as_object().unwrap())
                .unwrap_err()
                .contains("not base64")
        );
    }
}
