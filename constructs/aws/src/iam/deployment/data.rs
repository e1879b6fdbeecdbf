//! `constructs/spec/permissions.json`, read once per process when a deployment role is
//! derived: the actions CloudFormation's handlers call per resource type and phase, and the
//! IAM definition of each (access level, resource types, ARN formats). The codegen crate's
//! `permissions` command writes it from the CloudFormation registry schemas and the Service
//! Authorization Reference; `scripts/test` checks that it is current.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Deserialize;

/// The handler permissions and IAM definitions.
#[derive(Debug, Deserialize)]
pub(crate) struct Permissions {
    /// Per resource type, per phase (`create`, `read`, `update`, `delete`), the actions.
    pub(crate) types: BTreeMap<String, BTreeMap<String, Vec<String>>>,
    /// Per action: its access level and resource types.
    pub(crate) actions: BTreeMap<String, ActionInfo>,
    /// Per service prefix, per resource type: the ARN format (`arn:${Partition}:s3:::${BucketName}`).
    pub(crate) arns: BTreeMap<String, BTreeMap<String, String>>,
}

/// An action's IAM definition.
#[derive(Debug, Deserialize)]
pub(crate) struct ActionInfo {
    /// `List`, `Read`, `Write`, `Tagging` or `Permissions management`.
    pub(crate) level: String,
    /// The resource types it acts on; empty when it takes only `*`.
    pub(crate) resources: Vec<String>,
    /// Those of `resources` that every call involves.
    #[serde(default)]
    pub(crate) required: Vec<String>,
}

impl ActionInfo {
    /// True for actions that only read.
    pub(crate) fn reads(&self) -> bool {
        self.level == "List" || self.level == "Read"
    }
}

/// The data, parsed on first use.
pub(crate) fn permissions() -> &'static Permissions {
    static DATA: OnceLock<Permissions> = OnceLock::new();
    DATA.get_or_init(|| {
        // The file is generated and checked by the test suite; a parse failure is a build
        // defect, not user input.
        serde_json::from_str(include_str!("../../../../spec/permissions.json"))
            .unwrap_or_else(|e| unreachable!("constructs/spec/permissions.json is invalid: {e}"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_data_parses_and_names_what_it_uses() {
        let data = permissions();
        let bucket = &data.types["AWS::S3::Bucket"];
        assert!(bucket["create"].iter().any(|a| a == "s3:CreateBucket"));
        for phases in data.types.values() {
            for action in phases.values().flatten() {
                let info = &data.actions[action];
                let service = action.split(':').next().unwrap();
                for resource in &info.resources {
                    assert!(
                        data.arns[service].contains_key(resource),
                        "{action}: no ARN format for {resource}"
                    );
                }
            }
        }
    }
}
