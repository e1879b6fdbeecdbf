//! EMR release labels and the applications a cluster installs.

use std::fmt;

/// An EMR release (`emr-7.12.0`): the versions of every application on the cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct ReleaseLabel {
    major: u32,
    minor: u32,
    patch: u32,
}

impl ReleaseLabel {
    /// `emr-7.12.0`, the newest release whose application versions the EMR release guide listed
    /// when this library was written. Pin the release in the app rather than following this
    /// constant: a new release replaces the cluster.
    pub const LATEST: ReleaseLabel = ReleaseLabel::new(7, 12, 0);

    /// The oldest release this construct supports: managed scaling and encrypted log files need
    /// 5.30.0.
    pub const OLDEST_SUPPORTED: ReleaseLabel = ReleaseLabel::new(5, 30, 0);

    /// The release `emr-<major>.<minor>.<patch>`.
    pub const fn new(major: u32, minor: u32, patch: u32) -> ReleaseLabel {
        ReleaseLabel {
            major,
            minor,
            patch,
        }
    }

    /// Reads a label such as `emr-7.12.0`.
    pub fn parse(label: &str) -> Result<ReleaseLabel, String> {
        let parts: Option<Vec<u32>> = label
            .strip_prefix("emr-")
            .map(|v| v.split('.').map(|p| p.parse::<u32>().ok()).collect())
            .and_then(|p: Option<Vec<u32>>| p);
        match parts.as_deref() {
            Some(&[major, minor, patch]) => Ok(ReleaseLabel::new(major, minor, patch)),
            _ => Err(format!(
                "\"{label}\" is not an EMR release label; labels read emr-<major>.<minor>.<patch>, such as emr-7.12.0"
            )),
        }
    }

    /// The major version.
    pub fn major(&self) -> u32 {
        self.major
    }

    /// What keeps a cluster of this construct from using the release, in words for a
    /// diagnostic.
    pub(crate) fn problem(&self) -> Option<String> {
        if *self < ReleaseLabel::OLDEST_SUPPORTED {
            Some(format!(
                "release {self} is older than {}: managed scaling and encrypted log files need it",
                ReleaseLabel::OLDEST_SUPPORTED
            ))
        } else if *self == ReleaseLabel::new(6, 0, 0) {
            Some(format!("release {self} cannot encrypt its log files"))
        } else if self.major > 7 {
            Some(format!(
                "release {self} is not supported: the managed security-group rules written here are those of releases up to 7.x"
            ))
        } else {
            None
        }
    }
}

impl Default for ReleaseLabel {
    fn default() -> Self {
        ReleaseLabel::LATEST
    }
}

impl fmt::Display for ReleaseLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "emr-{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// An application EMR installs on the cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum Application {
    Flink,
    HBase,
    HCatalog,
    Hadoop,
    Hive,
    Hue,
    JupyterEnterpriseGateway,
    JupyterHub,
    Livy,
    Oozie,
    Phoenix,
    Pig,
    Presto,
    Spark,
    Sqoop,
    Tez,
    Trino,
    Zeppelin,
    ZooKeeper,
    /// An application this list does not name, as EMR spells it.
    Other(String),
}

impl Application {
    /// The name as EMR spells it.
    pub fn as_str(&self) -> &str {
        match self {
            Application::Flink => "Flink",
            Application::HBase => "HBase",
            Application::HCatalog => "HCatalog",
            Application::Hadoop => "Hadoop",
            Application::Hive => "Hive",
            Application::Hue => "Hue",
            Application::JupyterEnterpriseGateway => "JupyterEnterpriseGateway",
            Application::JupyterHub => "JupyterHub",
            Application::Livy => "Livy",
            Application::Oozie => "Oozie",
            Application::Phoenix => "Phoenix",
            Application::Pig => "Pig",
            Application::Presto => "Presto",
            Application::Spark => "Spark",
            Application::Sqoop => "Sqoop",
            Application::Tez => "Tez",
            Application::Trino => "Trino",
            Application::Zeppelin => "Zeppelin",
            Application::ZooKeeper => "ZooKeeper",
            Application::Other(name) => name,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_parse_and_print() {
        let label = ReleaseLabel::parse("emr-7.12.0").unwrap();
        assert_eq!(label, ReleaseLabel::new(7, 12, 0));
        assert_eq!(label.to_string(), "emr-7.12.0");
        for bad in ["7.12.0", "emr-7.12", "emr-7.x.0", "emr-spark-8.0.0", ""] {
            assert!(ReleaseLabel::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn unsupported_releases() {
        assert!(ReleaseLabel::LATEST.problem().is_none());
        assert!(ReleaseLabel::new(5, 30, 0).problem().is_none());
        assert!(
            ReleaseLabel::new(5, 29, 0)
                .problem()
                .unwrap()
                .contains("older")
        );
        assert!(
            ReleaseLabel::new(6, 0, 0)
                .problem()
                .unwrap()
                .contains("log files")
        );
        assert!(
            ReleaseLabel::new(8, 0, 0)
                .problem()
                .unwrap()
                .contains("7.x")
        );
        assert!(ReleaseLabel::new(5, 30, 0) < ReleaseLabel::new(5, 100, 0));
    }
}
