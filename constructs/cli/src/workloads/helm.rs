//! Helm releases: `helm upgrade --install --atomic` with the exact chart version, and
//! `helm uninstall` on destroy.
//!
//! The runner does not reimplement Helm (its templates, hooks and release history are Helm's
//! own); it runs the `helm` binary (`CIRRUS_HELM`, else `helm` on the `PATH`) against the
//! cluster with the same short-lived EKS token it applies manifests with. The token and the API
//! server go through Helm's environment (`HELM_KUBETOKEN`, `HELM_KUBEAPISERVER`,
//! `HELM_KUBECAFILE`), never its command line, where other users of the machine could read
//! them.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use serde_json::Value as J;

/// A release as the artifact's properties describe it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Release {
    pub(crate) release: String,
    pub(crate) namespace: String,
    pub(crate) create_namespace: bool,
    /// `(repository URL, chart name)`, or the `oci://` reference.
    pub(crate) chart: Chart,
    pub(crate) version: String,
    pub(crate) timeout_seconds: u64,
    /// The custom kinds the release makes available (`Kind.group`): waited for after the
    /// install, within `timeout_seconds` again, since an operator may register them only when
    /// it starts.
    pub(crate) crds: Vec<cirrus_kube::GroupKind>,
}

/// Where the chart comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Chart {
    Repository { url: String, name: String },
    Oci(String),
}

impl Release {
    /// Reads the artifact's properties (placeholders already substituted).
    pub(crate) fn from_properties(p: &serde_json::Map<String, J>) -> Result<Release, String> {
        let text = |key: &str| {
            p.get(key)
                .and_then(J::as_str)
                .map(str::to_owned)
                .ok_or_else(|| format!("the release has no \"{key}\""))
        };
        let chart = match p.get("chart") {
            Some(J::Object(c)) => match (c.get("oci"), c.get("repository"), c.get("name")) {
                (Some(J::String(oci)), _, _) => Chart::Oci(oci.clone()),
                (None, Some(J::String(url)), Some(J::String(name))) => Chart::Repository {
                    url: url.clone(),
                    name: name.clone(),
                },
                _ => {
                    return Err(
                        "the release's chart has neither oci nor repository and name".into(),
                    );
                }
            },
            _ => return Err("the release has no chart".into()),
        };
        Ok(Release {
            release: text("release")?,
            namespace: text("namespace")?,
            create_namespace: p
                .get("createNamespace")
                .and_then(J::as_bool)
                .unwrap_or(false),
            chart,
            version: text("version")?,
            timeout_seconds: p.get("timeoutSeconds").and_then(J::as_u64).unwrap_or(600),
            crds: match p.get("crds") {
                None => Vec::new(),
                Some(J::Array(kinds)) => kinds
                    .iter()
                    .map(|k| {
                        k.as_str()
                            .and_then(cirrus_kube::GroupKind::parse)
                            .filter(|k| !k.group.is_empty())
                            .ok_or_else(|| format!("the release's crds has {k}, not Kind.group"))
                    })
                    .collect::<Result<_, _>>()?,
                Some(other) => return Err(format!("the release's crds is {other}, not a list")),
            },
        })
    }

    /// `helm upgrade --install ...` with the values file `values`.
    pub(crate) fn upgrade_args(&self, values: &Path) -> Vec<OsString> {
        let mut args: Vec<OsString> = vec![
            "upgrade".into(),
            "--install".into(),
            self.release.clone().into(),
        ];
        match &self.chart {
            Chart::Repository { url, name } => {
                args.push(name.clone().into());
                args.push("--repo".into());
                args.push(url.clone().into());
            }
            Chart::Oci(reference) => args.push(reference.clone().into()),
        }
        args.extend(
            [
                "--version",
                &self.version,
                "--namespace",
                &self.namespace,
                "--atomic",
                "--wait",
                "--timeout",
                &format!("{}s", self.timeout_seconds),
                "--values",
            ]
            .map(OsString::from),
        );
        args.push(values.as_os_str().to_owned());
        if self.create_namespace {
            args.push("--create-namespace".into());
        }
        args
    }

    /// `helm uninstall ...`.
    pub(crate) fn uninstall_args(&self) -> Vec<OsString> {
        [
            "uninstall",
            &self.release,
            "--namespace",
            &self.namespace,
            "--wait",
            "--timeout",
            &format!("{}s", self.timeout_seconds),
            "--ignore-not-found",
        ]
        .map(OsString::from)
        .to_vec()
    }
}

/// The `helm` to run.
pub(crate) fn binary() -> PathBuf {
    std::env::var_os("CIRRUS_HELM").map_or_else(|| PathBuf::from("helm"), PathBuf::from)
}

/// Runs helm with `args`, the cluster in its environment; returns its combined output, or
/// why it failed.
pub(crate) fn run(
    args: &[OsString],
    api_server: &str,
    token: &str,
    ca_file: Option<&Path>,
) -> Result<String, String> {
    let helm = binary();
    let mut command = std::process::Command::new(&helm);
    command
        .args(args)
        .env("HELM_KUBEAPISERVER", api_server)
        .env("HELM_KUBETOKEN", token);
    if let Some(ca) = ca_file {
        command.env("HELM_KUBECAFILE", ca);
    }
    let out = command.output().map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            format!(
                "{} not found: install Helm 3 (https://helm.sh/docs/intro/install/), or set CIRRUS_HELM to its path",
                helm.display()
            )
        } else {
            format!("cannot run {}: {e}", helm.display())
        }
    })?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    if out.status.success() {
        Ok(text)
    } else {
        Err(text.trim().to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn release(chart: J) -> Release {
        let props = json!({
            "release": "flagger", "namespace": "flagger-system", "createNamespace": true,
            "chart": chart, "version": "1.38.0", "timeoutSeconds": 300,
        });
        Release::from_properties(props.as_object().unwrap()).unwrap()
    }

    fn strings(args: &[OsString]) -> Vec<String> {
        args.iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn a_repository_chart_is_installed_at_its_exact_version_atomically() {
        let r = release(json!({ "repository": "https://flagger.app", "name": "flagger" }));
        assert_eq!(
            strings(&r.upgrade_args(Path::new("/tmp/values.yaml"))).join(" "),
            "upgrade --install flagger flagger --repo https://flagger.app --version 1.38.0 --namespace flagger-system --atomic --wait --timeout 300s --values /tmp/values.yaml --create-namespace"
        );
        assert_eq!(
            strings(&r.uninstall_args()).join(" "),
            "uninstall flagger --namespace flagger-system --wait --timeout 300s --ignore-not-found"
        );
    }

    #[test]
    fn an_oci_chart_is_given_by_reference() {
        let r = release(json!({ "oci": "oci://public.ecr.aws/aws-controllers-k8s/s3-chart" }));
        assert_eq!(
            strings(&r.upgrade_args(Path::new("v.yaml")))[3],
            "oci://public.ecr.aws/aws-controllers-k8s/s3-chart"
        );
    }

    #[test]
    fn a_release_without_a_chart_is_refused() {
        let props = json!({ "release": "x", "namespace": "y", "version": "1.0.0" });
        assert_eq!(
            Release::from_properties(props.as_object().unwrap()).unwrap_err(),
            "the release has no chart"
        );
    }

    #[test]
    fn the_kinds_a_release_makes_available_are_read_and_checked() {
        let mut props = json!({
            "release": "portworx", "namespace": "portworx", "version": "9.0.0",
            "chart": { "repository": "https://example.invalid", "name": "portworx" },
            "crds": ["StorageCluster.core.libopenstorage.org", "SchedulePolicy.stork.libopenstorage.org"],
        });
        let r = Release::from_properties(props.as_object().unwrap()).unwrap();
        let kinds: Vec<String> = r.crds.iter().map(ToString::to_string).collect();
        assert_eq!(
            kinds,
            [
                "StorageCluster.core.libopenstorage.org",
                "SchedulePolicy.stork.libopenstorage.org"
            ]
        );
        props["crds"] = json!(["SchedulePolicy"]);
        assert_eq!(
            Release::from_properties(props.as_object().unwrap()).unwrap_err(),
            "the release's crds has \"SchedulePolicy\", not Kind.group"
        );
    }
}
