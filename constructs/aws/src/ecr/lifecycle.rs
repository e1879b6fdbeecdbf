//! Lifecycle rules: which images ECR expires, rendered to the lifecycle policy's JSON text.

/// A lifecycle rule. Rules are evaluated in the order given (the first gets `rulePriority`
/// 1); an image is expired by the first rule that selects it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LifecycleRule {
    /// Expire untagged images (left behind when a tag moves, or by multi-architecture builds)
    /// this many days after they were pushed.
    ExpireUntaggedAfterDays(u32),
    /// Keep the newest this many images whatever their tags, and expire older ones. ECR
    /// evaluates such an "any" rule last, so it must be the last rule, and there can be one.
    KeepLastImages(u32),
    /// Keep the newest `count` images with a tag starting with one of `prefixes`, and expire
    /// older ones with such a tag.
    KeepLastTagged {
        /// Tag prefixes (`v`, `release-`).
        prefixes: Vec<String>,
        /// How many to keep.
        count: u32,
    },
    /// Expire images with a tag starting with one of `prefixes` this many days after they
    /// were pushed.
    ExpireTaggedAfterDays {
        /// Tag prefixes (`pr-`, `dev-`).
        prefixes: Vec<String>,
        /// Days after the push.
        days: u32,
    },
}

impl LifecycleRule {
    fn number(&self) -> u32 {
        match self {
            LifecycleRule::ExpireUntaggedAfterDays(n) | LifecycleRule::KeepLastImages(n) => *n,
            LifecycleRule::KeepLastTagged { count, .. } => *count,
            LifecycleRule::ExpireTaggedAfterDays { days, .. } => *days,
        }
    }

    fn prefixes(&self) -> &[String] {
        match self {
            LifecycleRule::KeepLastTagged { prefixes, .. }
            | LifecycleRule::ExpireTaggedAfterDays { prefixes, .. } => prefixes,
            _ => &[],
        }
    }

    fn description(&self) -> String {
        let tags = || {
            self.prefixes()
                .iter()
                .map(|p| format!("{p}*"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        match self {
            LifecycleRule::ExpireUntaggedAfterDays(days) => {
                format!("expire untagged images {days} days after push")
            }
            LifecycleRule::KeepLastImages(count) => format!("keep the newest {count} images"),
            LifecycleRule::KeepLastTagged { count, .. } => {
                format!("keep the newest {count} images tagged {}", tags())
            }
            LifecycleRule::ExpireTaggedAfterDays { days, .. } => {
                format!("expire images tagged {} {days} days after push", tags())
            }
        }
    }

    /// The rule's `selection` object, as JSON.
    fn selection(&self) -> String {
        let prefix_list = || {
            self.prefixes()
                .iter()
                .map(|p| format!("\"{p}\""))
                .collect::<Vec<_>>()
                .join(",")
        };
        match self {
            LifecycleRule::ExpireUntaggedAfterDays(days) => format!(
                r#"{{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":{days}}}"#
            ),
            LifecycleRule::KeepLastImages(count) => format!(
                r#"{{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":{count}}}"#
            ),
            LifecycleRule::KeepLastTagged { count, .. } => format!(
                r#"{{"tagStatus":"tagged","tagPrefixList":[{}],"countType":"imageCountMoreThan","countNumber":{count}}}"#,
                prefix_list()
            ),
            LifecycleRule::ExpireTaggedAfterDays { days, .. } => format!(
                r#"{{"tagStatus":"tagged","tagPrefixList":[{}],"countType":"sinceImagePushed","countUnit":"days","countNumber":{days}}}"#,
                prefix_list()
            ),
        }
    }
}

/// What is wrong with the rules, in words.
pub(crate) fn problems(rules: &[LifecycleRule]) -> Vec<String> {
    let mut out = Vec::new();
    for (i, rule) in rules.iter().enumerate() {
        let n = i + 1;
        if rule.number() == 0 {
            out.push(format!(
                "lifecycle rule {n} ({}) counts 0; counts and days start at 1",
                rule.description()
            ));
        }
        if matches!(
            rule,
            LifecycleRule::KeepLastTagged { .. } | LifecycleRule::ExpireTaggedAfterDays { .. }
        ) && rule.prefixes().is_empty()
        {
            out.push(format!(
                "lifecycle rule {n} selects tagged images but lists no tag prefixes"
            ));
        }
        for prefix in rule.prefixes() {
            let valid = !prefix.is_empty()
                && prefix.len() <= 128
                && prefix
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
            if !valid {
                out.push(format!(
                    "lifecycle rule {n}: tag prefix \"{prefix}\" may contain only letters, digits, '.', '_' and '-'"
                ));
            }
        }
        if matches!(rule, LifecycleRule::KeepLastImages(_)) && n != rules.len() {
            out.push(format!(
                "lifecycle rule {n} (KeepLastImages) must be the last rule: ECR evaluates rules that select any image last"
            ));
        }
    }
    out
}

/// The lifecycle policy text (JSON) of the rules.
pub(crate) fn policy_text(rules: &[LifecycleRule]) -> String {
    let rules: Vec<String> = rules
        .iter()
        .enumerate()
        .map(|(i, rule)| {
            format!(
                r#"{{"rulePriority":{},"description":"{}","selection":{},"action":{{"type":"expire"}}}}"#,
                i + 1,
                rule.description(),
                rule.selection()
            )
        })
        .collect();
    format!(r#"{{"rules":[{}]}}"#, rules.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_text_is_ecr_json() {
        let text = policy_text(&[
            LifecycleRule::ExpireUntaggedAfterDays(14),
            LifecycleRule::KeepLastTagged {
                prefixes: vec!["v".into(), "release-".into()],
                count: 10,
            },
            LifecycleRule::KeepLastImages(100),
        ]);
        let parsed: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            parsed,
            serde_json::json!({"rules": [
                {"rulePriority": 1, "description": "expire untagged images 14 days after push",
                 "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 14},
                 "action": {"type": "expire"}},
                {"rulePriority": 2, "description": "keep the newest 10 images tagged v*, release-*",
                 "selection": {"tagStatus": "tagged", "tagPrefixList": ["v", "release-"], "countType": "imageCountMoreThan", "countNumber": 10},
                 "action": {"type": "expire"}},
                {"rulePriority": 3, "description": "keep the newest 100 images",
                 "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 100},
                 "action": {"type": "expire"}}
            ]})
        );
    }

    #[test]
    fn bad_rules_are_named() {
        let problems = problems(&[
            LifecycleRule::KeepLastImages(5),
            LifecycleRule::ExpireUntaggedAfterDays(0),
            LifecycleRule::ExpireTaggedAfterDays {
                prefixes: vec![],
                days: 3,
            },
            LifecycleRule::KeepLastTagged {
                prefixes: vec!["a\"b".into()],
                count: 1,
            },
        ]);
        assert_eq!(problems.len(), 4, "{problems:#?}");
        assert!(problems[0].contains("must be the last rule"));
        assert!(problems[1].contains("counts 0"));
        assert!(problems[2].contains("lists no tag prefixes"));
        assert!(problems[3].contains("may contain only"));
    }
}
