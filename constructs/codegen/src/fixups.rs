//! Corrections to the upstream spec, applied before generation.
//!
//! Each fix-up says why it exists and checks that the data still looks the way it corrects:
//! when upstream fixes the bug (or changes the property), the fix-up fails generation with
//! [`Error::FixupStale`] instead of silently doing nothing or something wrong. Then delete or
//! update it. The committed spec data stays as upstream published it, so a version bump
//! diffs cleanly.

use crate::error::Error;
use crate::spec::{PropertySpec, Spec};

/// A correction to the spec.
#[derive(Debug, Clone, Copy)]
pub struct Fixup {
    /// A short name, for messages.
    pub name: &'static str,
    /// Why the spec is wrong, with the evidence.
    pub reason: &'static str,
    /// What to change.
    pub change: Change,
}

/// What a fix-up changes.
#[derive(Debug, Clone, Copy)]
pub enum Change {
    /// Marks a property required that the spec has as optional.
    Require {
        /// The resource type.
        resource: &'static str,
        /// The property type inside it, or `None` for the resource's own properties.
        in_type: Option<&'static str>,
        /// The property.
        property: &'static str,
    },
}

/// Every fix-up.
pub const FIXUPS: &[Fixup] = &[
    Fixup {
        name: "lambda-network-connector-security-groups",
        reason: "CloudFormation's schema for AWS::Lambda::NetworkConnector (as bundled with \
                 cfn-lint 1.58.0) requires SecurityGroupIds in VpcEgressConfiguration; the spec \
                 still lists it as optional, from before the schema changed",
        change: Change::Require {
            resource: "AWS::Lambda::NetworkConnector",
            in_type: Some("VpcEgressConfiguration"),
            property: "SecurityGroupIds",
        },
    },
    Fixup {
        name: "lambda-network-connector-network-protocol",
        reason: "CloudFormation's schema for AWS::Lambda::NetworkConnector (as bundled with \
                 cfn-lint 1.58.0) requires NetworkProtocol in VpcEgressConfiguration; the spec \
                 still lists it as optional",
        change: Change::Require {
            resource: "AWS::Lambda::NetworkConnector",
            in_type: Some("VpcEgressConfiguration"),
            property: "NetworkProtocol",
        },
    },
];

/// Applies every fix-up to `spec`.
pub fn apply(spec: &mut Spec) -> Result<(), Error> {
    for fixup in FIXUPS {
        apply_one(spec, fixup)?;
    }
    Ok(())
}

/// Applies one fix-up; fails when the spec no longer has the bug it corrects.
pub fn apply_one(spec: &mut Spec, fixup: &Fixup) -> Result<(), Error> {
    change(spec, fixup.change).map_err(|detail| Error::FixupStale {
        name: fixup.name,
        detail,
    })
}

fn change(spec: &mut Spec, change: Change) -> Result<(), String> {
    match change {
        Change::Require {
            resource,
            in_type,
            property,
        } => {
            let prop = property_mut(spec, resource, in_type, property)?;
            if prop.required {
                return Err(format!("{resource} {property} is required in the spec now"));
            }
            prop.required = true;
            Ok(())
        }
    }
}

fn property_mut<'a>(
    spec: &'a mut Spec,
    resource: &str,
    in_type: Option<&str>,
    property: &str,
) -> Result<&'a mut PropertySpec, String> {
    let res = spec
        .services
        .values_mut()
        .find_map(|s| s.resources.get_mut(resource))
        .ok_or_else(|| format!("no resource type {resource}"))?;
    let props = match in_type {
        None => &mut res.properties,
        Some(t) => {
            &mut res
                .types
                .get_mut(t)
                .ok_or_else(|| format!("{resource} has no property type {t}"))?
                .properties
        }
    };
    props
        .get_mut(property)
        .ok_or_else(|| format!("{resource} has no property {property}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_reasons_given() {
        for (i, f) in FIXUPS.iter().enumerate() {
            assert!(!f.reason.is_empty(), "{}", f.name);
            assert!(
                FIXUPS[..i].iter().all(|g| g.name != f.name),
                "duplicate fix-up {}",
                f.name
            );
        }
    }
}
