//! The Kubernetes version of a cluster.

/// A Kubernetes minor version of the EKS control plane.
///
/// EKS gives each minor version 14 months of standard support from its EKS release, then 12
/// months of extended support at an extra hourly charge per cluster; a cluster whose upgrade
/// policy is `Standard` is upgraded automatically when standard support ends. Amazon Linux 2
/// node AMIs are not published from 1.33 on, which is why node groups default to AL2023.
/// A cluster is checked against EKS's release calendar (a pinned table, as of 2026-12-07): a
/// version out of support, or newer than the table, is an error; one in extended support only
/// (1.33 and 1.34 on that day) a warning that names the charge and the end date.
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
        minor_of(v)
            .is_none()
            .then(|| format!("Kubernetes version \"{v}\" is not a minor version such as \"1.35\""))
    }

    /// Where the version stands in EKS's release calendar, as of [`CALENDAR_AS_OF`]; `None`
    /// for a malformed `Other` version ([`KubernetesVersion::problem`] reports it).
    pub(crate) fn support(&self) -> Option<Support> {
        let minor = minor_of(self.as_str())?;
        let newest = CALENDAR.last().map_or(0, |r| r.minor);
        Some(match CALENDAR.iter().find(|r| r.minor == minor) {
            Some(r) if r.end_of_extended <= CALENDAR_AS_OF => Support::Ended(r),
            Some(r) if r.end_of_standard <= CALENDAR_AS_OF => Support::Extended(r),
            Some(r) => Support::Standard(r),
            None if minor > newest => Support::Newer,
            None => Support::Older,
        })
    }
}

/// The minor version of `1.NN`.
fn minor_of(version: &str) -> Option<u32> {
    version
        .strip_prefix("1.")
        .filter(|minor| minor.len() == 2 && minor.chars().all(|c| c.is_ascii_digit()))
        .and_then(|minor| minor.parse().ok())
}

/// One minor version of EKS's release calendar, with the days (UTC) its support ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Release {
    /// The minor version: 35 for 1.35.
    pub(crate) minor: u32,
    /// The first day of extended support (and of its charge), `YYYY-MM-DD`.
    pub(crate) end_of_standard: &'static str,
    /// The day EKS stops supporting the version and upgrades its clusters, `YYYY-MM-DD`.
    pub(crate) end_of_extended: &'static str,
}

/// The day the calendar was last compared with EKS's; the support status of each version is
/// the one it had on that day. No clock is read, so that synthesis gives the same output on
/// every day; bump this date with the calendar.
pub(crate) const CALENDAR_AS_OF: &str = "2026-12-07";

/// The Amazon EKS Kubernetes release calendar, from the Amazon EKS User Guide ("Understand the
/// Kubernetes version lifecycle on EKS": 14 months of standard support from the EKS release,
/// then 12 months of extended support at an additional charge per cluster and hour), oldest
/// first. Versions older than the first entry are out of extended support; versions newer
/// than the last one were not released by EKS when the calendar was copied.
pub(crate) const CALENDAR: &[Release] = &[
    Release {
        minor: 29,
        end_of_standard: "2025-03-23",
        end_of_extended: "2026-03-23",
    },
    Release {
        minor: 30,
        end_of_standard: "2025-07-23",
        end_of_extended: "2026-07-23",
    },
    Release {
        minor: 31,
        end_of_standard: "2025-11-26",
        end_of_extended: "2026-11-26",
    },
    Release {
        minor: 32,
        end_of_standard: "2026-03-23",
        end_of_extended: "2027-03-23",
    },
    Release {
        minor: 33,
        end_of_standard: "2026-07-29",
        end_of_extended: "2027-07-29",
    },
    Release {
        minor: 34,
        end_of_standard: "2026-12-02",
        end_of_extended: "2027-12-02",
    },
    Release {
        minor: 35,
        end_of_standard: "2027-03-27",
        end_of_extended: "2028-03-27",
    },
];

/// Where a version stands in [`CALENDAR`] on [`CALENDAR_AS_OF`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Support {
    /// In standard support.
    Standard(&'static Release),
    /// In extended support only: billed extra.
    Extended(&'static Release),
    /// Out of extended support: EKS creates no cluster of it.
    Ended(&'static Release),
    /// Older than the calendar: long out of support.
    Older,
    /// Newer than the calendar.
    Newer,
}

/// The newest version of the calendar in standard support, what the hints suggest.
pub(crate) fn newest_standard() -> Option<&'static Release> {
    CALENDAR
        .iter()
        .rev()
        .find(|r| r.end_of_standard > CALENDAR_AS_OF)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions() {
        assert_eq!(KubernetesVersion::default().as_str(), "1.35");
        assert!(KubernetesVersion::Other("1.36".into()).problem().is_none());
        for bad in ["1.3", "v1.36", "1.36.1", "2.0"] {
            assert!(
                KubernetesVersion::Other(bad.into()).problem().is_some(),
                "{bad}"
            );
            assert!(KubernetesVersion::Other(bad.into()).support().is_none());
        }
    }

    #[test]
    fn the_calendar_is_ordered_and_consistent() {
        for pair in CALENDAR.windows(2) {
            assert_eq!(pair[0].minor + 1, pair[1].minor);
            assert!(pair[0].end_of_standard < pair[1].end_of_standard);
        }
        for r in CALENDAR {
            assert!(r.end_of_standard < r.end_of_extended, "1.{}", r.minor);
            for day in [r.end_of_standard, r.end_of_extended] {
                let lengths: Vec<usize> = day.split('-').map(str::len).collect();
                assert_eq!(lengths, [4, 2, 2], "{day}");
            }
        }
    }

    #[test]
    fn support_as_of_the_calendar_date() {
        let support = |v: &str| KubernetesVersion::Other(v.into()).support();
        assert!(matches!(support("1.35"), Some(Support::Standard(r)) if r.minor == 35));
        assert!(matches!(support("1.34"), Some(Support::Extended(r)) if r.minor == 34));
        assert!(matches!(support("1.32"), Some(Support::Extended(_))));
        assert!(matches!(support("1.31"), Some(Support::Ended(_))));
        assert_eq!(support("1.28"), Some(Support::Older));
        assert_eq!(support("1.36"), Some(Support::Newer));
        assert_eq!(newest_standard().map(|r| r.minor), Some(35));
    }
}
