//! EC2 instance types, checked against the list the EC2 API accepts (the generated
//! `cirrus_cfn::ec2_instance_types`, from the pinned botocore data), not against the shape of a
//! name: `m5.larg`, `m7.large` and `t3.xxlarge` look like instance types and are not.

use cirrus_cfn::ec2_instance_types::{INSTANCE_TYPES, SOURCE};
use cirrus_core::suggest;

/// The processor architecture of an instance type, as far as the node groups of a cluster
/// care.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Architecture {
    /// 64-bit ARM: the Graviton families, and the Grace CPUs of the `p6e-gb200` UltraServers.
    Arm64,
    /// 64-bit x86: Intel and AMD.
    X86_64,
    /// A Mac (`mac1`, `mac2`, `mac-m4`, ...): dedicated hosts that run macOS only.
    Mac,
}

impl Architecture {
    /// The architecture in words, for messages.
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Architecture::Arm64 => "ARM",
            Architecture::X86_64 => "x86-64",
            Architecture::Mac => "a Mac (macOS only)",
        }
    }
}

/// Whether EC2 knows `instance_type`.
pub(crate) fn is_known(instance_type: &str) -> bool {
    INSTANCE_TYPES.binary_search(&instance_type).is_ok()
}

/// The three known instance types closest to `instance_type`, quoted for a hint.
pub(crate) fn closest(instance_type: &str) -> String {
    let names = suggest::closest(instance_type, INSTANCE_TYPES.iter().copied(), 3);
    suggest::quoted_alternatives(&names)
}

/// The message and hint for an instance type EC2 does not know.
pub(crate) fn unknown(instance_type: &str) -> (String, String) {
    (
        format!("\"{instance_type}\" is not an EC2 instance type"),
        format!(
            "the closest instance types are {}; the list is EC2's as of {SOURCE}",
            closest(instance_type)
        ),
    )
}

/// The architecture of a known instance type; `None` for a name EC2 does not know.
///
/// The EC2 API's list says nothing of architectures, so it is read from the family, the part
/// before the dot: Mac families begin with `mac`; `a1` and the families with a `g` after
/// their generation digits (`m7g`, `c7gn`, `g5g`, `im4gn`, `is4gen`, `p6e-gb200`) are ARM;
/// every other family is x86-64. A test checks the rule against every family of the table.
pub(crate) fn architecture(instance_type: &str) -> Option<Architecture> {
    if !is_known(instance_type) {
        return None;
    }
    let (family, _) = instance_type.split_once('.')?;
    if family.starts_with("mac") {
        return Some(Architecture::Mac);
    }
    if family == "a1" {
        return Some(Architecture::Arm64);
    }
    let arm = family
        .find(|c: char| c.is_ascii_digit())
        .is_some_and(|digit| {
            family[digit..]
                .trim_start_matches(|c: char| c.is_ascii_digit())
                .contains('g')
        });
    Some(if arm {
        Architecture::Arm64
    } else {
        Architecture::X86_64
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn known_and_unknown_types() {
        for known in ["m5.large", "t3.medium", "m7g.large", "u-12tb1.112xlarge"] {
            assert!(is_known(known), "{known}");
        }
        for unknown in ["m5.larg", "m7.large", "t3.xxlarge", "large", "M5.large"] {
            assert!(!is_known(unknown), "{unknown}");
        }
        assert!(closest("m5.larg").starts_with("\"m5.large\""));
        assert!(closest("t3.xxlarge").contains("\"t3.2xlarge\""));
    }

    #[test]
    fn architectures() {
        use Architecture::{Arm64, Mac, X86_64};
        for (t, arch) in [
            ("m7g.large", Arm64),
            ("c7gn.xlarge", Arm64),
            ("g5g.2xlarge", Arm64),
            ("im4gn.large", Arm64),
            ("is4gen.large", Arm64),
            ("a1.large", Arm64),
            ("r8g.medium", Arm64),
            ("m5.large", X86_64),
            ("t3.medium", X86_64),
            ("g4dn.xlarge", X86_64),
            ("m6idn.large", X86_64),
            ("p5e.48xlarge", X86_64),
            ("inf2.xlarge", X86_64),
            ("gr6.4xlarge", X86_64),
            ("mac2.metal", Mac),
            ("mac-m4.metal", Mac),
        ] {
            assert_eq!(architecture(t), Some(arch), "{t}");
        }
        assert_eq!(architecture("m7.large"), None);
    }

    /// The rule was checked against every family of the table: the ARM ones are listed, and
    /// the number of families is pinned, so that a table update that brings a family fails
    /// here until someone has looked up its architecture (an ARM family without a `g` after
    /// its generation would otherwise pass as x86-64).
    #[test]
    fn every_family_of_the_table_was_checked_against_the_rule() {
        let families: BTreeSet<&str> = INSTANCE_TYPES
            .iter()
            .filter_map(|t| t.split_once('.').map(|(f, _)| f))
            .collect();
        assert_eq!(
            families.len(),
            210,
            "the table's families changed: check the architecture of the new ones, then update this test"
        );
        let arm: BTreeSet<&str> = families
            .iter()
            .copied()
            .filter(|f| {
                INSTANCE_TYPES
                    .iter()
                    .find(|t| t.starts_with(&format!("{f}.")))
                    .and_then(|t| architecture(t))
                    == Some(Architecture::Arm64)
            })
            .collect();
        let expected = [
            "a1",
            "c6g",
            "c6gd",
            "c6gn",
            "c7g",
            "c7gd",
            "c7gn",
            "c8g",
            "c8gb",
            "c8gd",
            "c8gn",
            "c9g",
            "c9gd",
            "g5g",
            "hpc7g",
            "i4g",
            "i8g",
            "i8ge",
            "im4gn",
            "is4gen",
            "m6g",
            "m6gd",
            "m7g",
            "m7gd",
            "m8g",
            "m8gb",
            "m8gd",
            "m8gn",
            "m9g",
            "m9gd",
            "p6e-gb200",
            "r6g",
            "r6gd",
            "r7g",
            "r7gd",
            "r8g",
            "r8gb",
            "r8gd",
            "r8gn",
            "r9g",
            "r9gd",
            "t4g",
            "x2gd",
            "x8g",
        ];
        assert_eq!(arm, expected.into_iter().collect::<BTreeSet<_>>());
    }
}
