//! What the runner needs to know about resource types at run time, for every type whether or
//! not its cargo feature is enabled: which properties cause replacement (for `diff`), which
//! property carries tags, which attributes `Fn::GetAtt` accepts.

/// Whether changing a property replaces the resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replacement {
    /// Updated in place.
    Never,
    /// Always replaced (a create-only property).
    Always,
    /// Replaced for some changes (CloudFormation decides at deploy time).
    Conditional,
}

/// A property of a resource type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PropertyInfo {
    /// The CloudFormation property name.
    pub name: &'static str,
    /// Whether the property is required.
    pub required: bool,
    /// Whether changing it replaces the resource.
    pub replacement: Replacement,
}

/// A resource type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResourceInfo {
    /// The CloudFormation type name.
    pub type_name: &'static str,
    /// The top-level properties, sorted by name.
    pub properties: &'static [PropertyInfo],
    /// The `Fn::GetAtt` attribute names, sorted.
    pub attributes: &'static [&'static str],
    /// The property that carries tags, if the type is taggable.
    pub tag_property: Option<&'static str>,
}

impl ResourceInfo {
    /// The property of that name.
    pub fn property(&self, name: &str) -> Option<&'static PropertyInfo> {
        self.properties
            .binary_search_by(|p| p.name.cmp(name))
            .ok()
            .map(|i| &self.properties[i])
    }
}

/// The resource type of that name.
pub fn lookup(type_name: &str) -> Option<&'static ResourceInfo> {
    TYPES
        .binary_search_by(|t| t.type_name.cmp(type_name))
        .ok()
        .map(|i| &TYPES[i])
}

/// Every known resource type, sorted by type name.
pub fn all() -> &'static [ResourceInfo] {
    TYPES
}

const fn prop(name: &'static str, required: bool, replacement: Replacement) -> PropertyInfo {
    PropertyInfo {
        name,
        required,
        replacement,
    }
}

use Replacement::{Always, Never};

static TYPES: &[ResourceInfo] = &[
    ResourceInfo {
        type_name: "AWS::IAM::Policy",
        properties: &[
            prop("Groups", false, Never),
            prop("PolicyDocument", true, Never),
            prop("PolicyName", true, Never),
            prop("Roles", false, Never),
            prop("Users", false, Never),
        ],
        attributes: &["Id"],
        tag_property: None,
    },
    ResourceInfo {
        type_name: "AWS::IAM::Role",
        properties: &[
            prop("AssumeRolePolicyDocument", true, Never),
            prop("Description", false, Never),
            prop("ManagedPolicyArns", false, Never),
            prop("Policies", false, Never),
            prop("RoleName", false, Always),
            prop("Tags", false, Never),
        ],
        attributes: &["Arn", "RoleId"],
        tag_property: Some("Tags"),
    },
    ResourceInfo {
        type_name: "AWS::S3::Bucket",
        properties: &[
            prop("BucketEncryption", false, Never),
            prop("BucketName", false, Always),
            prop("LoggingConfiguration", false, Never),
            prop("PublicAccessBlockConfiguration", false, Never),
            prop("Tags", false, Never),
            prop("VersioningConfiguration", false, Never),
        ],
        attributes: &["Arn", "DomainName", "RegionalDomainName"],
        tag_property: Some("Tags"),
    },
    ResourceInfo {
        type_name: "AWS::S3::BucketPolicy",
        properties: &[
            prop("Bucket", true, Always),
            prop("PolicyDocument", true, Never),
        ],
        attributes: &[],
        tag_property: None,
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups() {
        let bucket = lookup("AWS::S3::Bucket").unwrap();
        assert_eq!(
            bucket.property("BucketName").unwrap().replacement,
            Replacement::Always
        );
        assert!(lookup("AWS::S3::Nope").is_none());
        assert!(TYPES.windows(2).all(|w| w[0].type_name < w[1].type_name));
        for t in TYPES {
            assert!(
                t.properties.windows(2).all(|w| w[0].name < w[1].name),
                "{}",
                t.type_name
            );
        }
    }
}
