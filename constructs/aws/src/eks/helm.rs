//! `Cluster::add_helm_chart`: a Helm release, pinned to an exact chart version.

use cirrus_core::{Artifact, ArtifactFile, ArtifactProps, Construct, FileContent, Node};
use serde_json::{Value as J, json};

use crate::eks::cluster::Cluster;
use crate::eks::workloads::{self, HELM_KIND, Release, What};

/// A Helm chart to install on a cluster: where it comes from, its exact version, and its
/// values. The three required parts are the arguments of [`HelmChart::new`]; the rest are
/// chained setters.
#[derive(Debug, Clone, PartialEq, cirrus_derive::Setters)]
pub struct HelmChart {
    /// The repository: `https://...` for a chart repository, `oci://registry/path` for an
    /// OCI registry (the chart is then `<repository>/<chart>`). Plain `http://` is refused.
    pub repository: String,
    /// The chart's name in the repository (`flagger`, `aws-load-balancer-controller`).
    pub chart: String,
    /// The chart version, exactly (`1.38.0`): not a range, not `latest`, so that a deploy
    /// installs what was reviewed.
    pub version: String,
    /// The release's namespace. Default: `default`.
    pub namespace: Option<String>,
    /// Lets Helm create the namespace. Default: false, so that the namespace is one of the
    /// app's objects (reviewed, labelled) or a system namespace.
    pub create_namespace: bool,
    /// The release name: lower-case letters, digits and `-`, at most 53 characters.
    /// Default: the chart's name.
    pub release: Option<String>,
    /// The values, written to `<artifact id>.values.yaml`; strings may hold
    /// [`Cluster::token`]s. Default: none (the chart's defaults).
    pub values: Option<J>,
    /// `(group, kind)` of the custom resource definitions the chart installs, or its operator
    /// registers when it starts, so that objects of those kinds are applied after the release:
    /// the runner waits after the install, within [`HelmChart::timeout_seconds`] again, until
    /// the cluster serves each of them. Default: none.
    pub crds: Vec<(String, String)>,
    /// How long the runner lets Helm wait for the release's resources to become ready before
    /// it rolls the release back (`--atomic`). Default: 600 seconds.
    pub timeout_seconds: Option<u32>,
    /// Why the values given to [`HelmChart::typed_values`] could not be serialized, reported
    /// when the chart is added.
    #[setters(skip)]
    values_error: Option<String>,
}

impl HelmChart {
    /// A chart from `repository`, at exactly `version`.
    pub fn new(repository: &str, chart: &str, version: &str) -> HelmChart {
        HelmChart {
            repository: repository.to_owned(),
            chart: chart.to_owned(),
            version: version.to_owned(),
            namespace: None,
            create_namespace: false,
            release: None,
            values: None,
            crds: Vec::new(),
            timeout_seconds: None,
            values_error: None,
        }
    }

    /// The values, from any serializable type (a typed values struct of the chart).
    #[must_use]
    pub fn typed_values(mut self, values: &impl serde::Serialize) -> HelmChart {
        match serde_json::to_value(values) {
            Ok(values) => self.values = Some(values),
            Err(e) => self.values_error = Some(e.to_string()),
        }
        self
    }

    /// What is wrong with the chart's settings, each with its fix.
    fn problems(&self) -> Vec<(String, &'static str)> {
        let mut out = Vec::new();
        let repo = &self.repository;
        if !(repo.starts_with("https://") || repo.starts_with("oci://")) || repo.len() <= 8 {
            out.push((
                format!("repository \"{repo}\" is neither an https:// chart repository nor an oci:// registry"),
                "give the repository's https:// URL, or oci://<registry>/<path> for an OCI registry",
            ));
        }
        if self.chart.is_empty()
            || !self.chart.chars().all(|c| {
                c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_' || c == '.'
            })
        {
            out.push((
                format!("chart name \"{}\" is not a chart name", self.chart),
                "give the chart's name in the repository, without the repository (\"flagger\")",
            ));
        }
        if !is_exact_version(&self.version) {
            out.push((
                format!("chart version \"{}\" is not an exact version", self.version),
                "pin the exact version, such as \"1.38.0\": a range or \"latest\" installs whatever the repository serves that day",
            ));
        }
        let release = self.release_name();
        if release.is_empty()
            || release.len() > 53
            || !release
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            || release.starts_with('-')
            || release.ends_with('-')
        {
            out.push((
                format!("release name \"{release}\" is invalid"),
                "use lower-case letters, digits and '-', at most 53 characters (HelmChart::release)",
            ));
        }
        if let Some(ns) = &self.namespace
            && let Err(problem) = cirrus_k8s::NameRule::Dns1123Label.check(ns)
        {
            out.push((
                format!("namespace \"{ns}\": {problem}"),
                "give a namespace name of lower-case letters, digits and '-'",
            ));
        }
        if let Some(error) = &self.values_error {
            out.push((
                format!("the values cannot be serialized: {error}"),
                "give values that serialize to a JSON object (string map keys, finite numbers)",
            ));
        }
        if self.timeout_seconds == Some(0) {
            out.push((
                "a timeout of 0 seconds".to_owned(),
                "give the seconds Helm may wait for the release, or leave the default",
            ));
        }
        if let Some(values) = &self.values
            && !values.is_object()
        {
            out.push((
                "the values are not a map".to_owned(),
                "give the values as a JSON object (serde_json::json!({ ... })) or a struct",
            ));
        }
        out
    }

    fn release_name(&self) -> String {
        self.release.clone().unwrap_or_else(|| self.chart.clone())
    }

    fn namespace_name(&self) -> String {
        self.namespace
            .clone()
            .unwrap_or_else(|| "default".to_owned())
    }
}

/// `1.2.3`, optionally with a `v`, a pre-release and build metadata: SemVer 2.0, one version.
fn is_exact_version(version: &str) -> bool {
    let version = version.strip_prefix('v').unwrap_or(version);
    let (core, _build) = version.split_once('+').unwrap_or((version, ""));
    let (core, pre) = core.split_once('-').unwrap_or((core, ""));
    let numbers: Vec<&str> = core.split('.').collect();
    numbers.len() == 3
        && numbers
            .iter()
            .all(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
        && pre
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
}

/// A Helm release on a cluster (see [`Cluster::add_helm_chart`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HelmRelease<'a> {
    artifact: Artifact<'a>,
}

impl<'a> Construct<'a> for HelmRelease<'a> {
    fn node(&self) -> Node<'a> {
        self.artifact.node()
    }
}

impl<'a> HelmRelease<'a> {
    /// The step's node (for `acknowledge`, dependencies, paths).
    pub fn node(&self) -> Node<'a> {
        self.artifact.node()
    }

    /// Installs this release after `other` (a manifest or another release of the app).
    pub fn add_dependency(&self, other: &impl Construct<'a>) {
        self.artifact.add_dependency(other);
    }
}

impl<'a> Cluster<'a> {
    /// Installs a Helm chart on the cluster, as one step under `Kubernetes/<id>`: the runner
    /// runs `helm upgrade --install --atomic` with the exact version after the stacks it
    /// depends on. The release and its values are written to `synth-out` for review
    /// (`<artifact id>.values.yaml`, the chart in the manifest's properties).
    pub fn add_helm_chart(&self, id: &str, chart: HelmChart) -> HelmRelease<'a> {
        let group = workloads::group(self);
        let problems = chart.problems();
        let namespace = chart.namespace_name();
        let location = if chart.repository.starts_with("oci://") {
            json!({ "oci": format!("{}/{}", chart.repository.trim_end_matches('/'), chart.chart) })
        } else {
            json!({ "repository": chart.repository, "name": chart.chart })
        };
        let path = format!("{}/{id}", group.path());
        let mut properties = workloads::connection(self, &path);
        properties.insert("release".into(), J::String(chart.release_name()));
        properties.insert("namespace".into(), J::String(namespace.clone()));
        properties.insert("createNamespace".into(), J::Bool(chart.create_namespace));
        properties.insert("chart".into(), location);
        properties.insert("version".into(), J::String(chart.version.clone()));
        properties.insert(
            "timeoutSeconds".into(),
            json!(chart.timeout_seconds.unwrap_or(600)),
        );
        if !chart.crds.is_empty() {
            let crds: Vec<String> = chart.crds.iter().map(|(g, k)| format!("{k}.{g}")).collect();
            properties.insert("crds".into(), json!(crds));
        }
        let values = chart.values.clone().unwrap_or_else(|| json!({}));
        let props = ArtifactProps {
            kind: HELM_KIND.into(),
            properties,
            files: vec![ArtifactFile {
                suffix: "values.yaml".into(),
                header: vec![format!(
                    "Values of Helm release {} ({} {} from {}) in namespace {namespace}.",
                    chart.release_name(),
                    chart.chart,
                    chart.version,
                    chart.repository
                )],
                content: FileContent::Yaml(values),
            }],
        };
        let release = Release {
            namespace,
            create_namespace: chart.create_namespace,
            crds: chart.crds.clone(),
        };
        let artifact = workloads::add_step(self, group, id, What::Release(release), props);
        for (problem, hint) in problems {
            artifact.node().error_with_hint(
                crate::codes::k8s::HELM_CHART_INVALID,
                format!("helm chart: {problem}"),
                hint,
            );
        }
        HelmRelease { artifact }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_that_do_not_serialize_are_reported_not_dropped() {
        let bad = std::collections::BTreeMap::from([((1, 2), "x")]);
        let chart = HelmChart::new("https://flagger.app", "flagger", "1.38.0").typed_values(&bad);
        assert_eq!(chart.values, None);
        assert!(
            chart
                .problems()
                .iter()
                .any(|(p, _)| p.starts_with("the values cannot be serialized")),
            "{:?}",
            chart.problems()
        );
    }

    #[test]
    fn only_exact_versions_pass() {
        for ok in ["1.2.3", "v1.38.0", "0.1.0-rc.1", "2.0.0+build.5"] {
            assert!(is_exact_version(ok), "{ok}");
        }
        for bad in [
            "",
            "latest",
            "1.2",
            "^1.2.3",
            "~1.2.3",
            "1.2.x",
            ">=1.0.0",
            "1.2.3 || 1.2.4",
        ] {
            assert!(!is_exact_version(bad), "{bad}");
        }
    }
}
