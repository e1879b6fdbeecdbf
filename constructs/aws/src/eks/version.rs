//! The Kubernetes version of a cluster.

/// A Kubernetes minor version of the EKS control plane.
///
/// EKS gives each minor version 14 months of standard support from its EKS release, then 12
/// months of extended support at an extra hourly charge per cluster; a cluster whose upgrade
/// policy is `Standard` is upgraded automatically when standard support ends. Amazon Linux 2
/// node AMIs are not published from 1.33 on, which is why node groups default to AL2023.
///
/// The default is 1.35: at the end of 2026 it is the newest version in standard support
/// (until 2027-03-27), so a new cluster starts with the longest runway. Pin the version in
/// the app (one constant shared by its clusters) and upgrade deliberately: EKS upgrades one
/// minor version at a time, and node groups follow the control plane.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum KubernetesVersion {
    /// 1.33.
    V1_33,
    /// 1.34.
    V1_34,
    /// 1.35.
    #[default]
    V1_35,
    /// Another version, written `1.NN`: one EKS released after this library, for example.
    Other(String),
}

impl KubernetesVersion {
    /// The version as EKS writes it (`1.35`).
    pub fn as_str(&self) -> &str {
        match self {
            KubernetesVersion::V1_33 => "1.33",
            KubernetesVersion::V1_34 => "1.34",
            KubernetesVersion::V1_35 => "1.35",
            KubernetesVersion::Other(v) => v,
        }
    }

    /// What is wrong with an `Other` version, in words.
    pub(crate) fn problem(&self) -> Option<String> {
        let KubernetesVersion::Other(v) = self else {
            return None;
        };
        let valid = v
            .strip_prefix("1.")
            .is_some_and(|minor| minor.len() == 2 && minor.chars().all(|c| c.is_ascii_digit()));
        (!valid)
            .then(|| format!("Kubernetes version \"{v}\" is not a minor version such as \"1.35\""))
    }
}

#[cfg(test)]
mod tests {
    use super::KubernetesVersion;

    #[test]
    fn versions() {
        assert_eq!(KubernetesVersion::default().as_str(), "1.35");
        assert!(KubernetesVersion::Other("1.36".into()).problem().is_none());
        for bad in ["1.3", "v1.36", "1.36.1", "2.0"] {
            assert!(
                KubernetesVersion::Other(bad.into()).problem().is_some(),
                "{bad}"
            );
        }
    }
}
