//! `HostedZone`: a Route 53 hosted zone, created here or known by its id and name.

use cirrus_cfn::route53::{CfnHostedZone, hosted_zone};
use cirrus_core::{Construct, Expr, List, Node, RemovalPolicy, ResourceRef, pseudo};

use crate::codes;
use crate::route53::names::{NameKind, normalize};

/// What a hosted zone offers to the records and certificates that use it.
pub trait IHostedZone<'a>: Construct<'a> {
    /// The hosted zone id (`Z0123456789ABCDEFGHIJ`).
    fn id(&self) -> Expr<String>;

    /// The zone's name, lower case, without the trailing dot (`example.com`).
    fn zone_name(&self) -> String;

    /// The zone as a value that can be stored in props.
    fn to_ref(&self) -> ImportedHostedZone<'a> {
        ImportedHostedZone {
            node: self.node(),
            id: self.id(),
            name: self.zone_name(),
        }
    }
}

/// A hosted zone known by its id and name: one created elsewhere
/// ([`HostedZone::from_attributes`], which reports a malformed id or name at its path), or a
/// [`HostedZone`] of this app ([`IHostedZone::to_ref`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedHostedZone<'a> {
    node: Node<'a>,
    id: Expr<String>,
    name: String,
}

impl<'a> Construct<'a> for ImportedHostedZone<'a> {
    fn node(&self) -> Node<'a> {
        self.node
    }
}

impl<'a> IHostedZone<'a> for ImportedHostedZone<'a> {
    fn id(&self) -> Expr<String> {
        self.id.clone()
    }

    fn zone_name(&self) -> String {
        self.name.clone()
    }

    fn to_ref(&self) -> ImportedHostedZone<'a> {
        self.clone()
    }
}

/// Options of a hosted zone.
#[derive(Debug, Clone, cirrus_derive::Setters)]
pub struct HostedZoneProps {
    /// A comment shown in the console. Default: none.
    pub comment: Option<String>,
    /// Makes the zone private to these VPCs (of the stack's region). Default: none: a public
    /// zone.
    pub private_vpc_ids: Vec<Expr<String>>,
    /// What happens to the zone when it leaves the stack. Default: `Retain`: the zone's name
    /// servers are what the registrar delegates to, and a new zone gets new ones.
    pub removal_policy: RemovalPolicy,
}

impl Default for HostedZoneProps {
    fn default() -> Self {
        HostedZoneProps {
            comment: None,
            private_vpc_ids: Vec::new(),
            removal_policy: RemovalPolicy::Retain,
        }
    }
}

/// A Route 53 hosted zone. Most apps use an existing zone ([`HostedZone::from_attributes`]):
/// a zone created by a stack needs its name servers delegated by the registrar before records
/// in it resolve.
#[derive(Debug, Clone, Copy)]
pub struct HostedZone<'a> {
    node: Node<'a>,
    resource: ResourceRef<'a, CfnHostedZone>,
}

impl<'a> Construct<'a> for HostedZone<'a> {
    fn node(&self) -> Node<'a> {
        self.node
    }
}

impl<'a> IHostedZone<'a> for HostedZone<'a> {
    fn id(&self) -> Expr<String> {
        self.resource.ref_()
    }

    fn zone_name(&self) -> String {
        self.resource
            .props()
            .and_then(|p| p.name)
            .and_then(|n| n.as_literal().cloned())
            .unwrap_or_default()
    }
}

impl<'a> HostedZone<'a> {
    /// A new hosted zone for `zone_name` (`example.com`).
    pub fn new(
        scope: impl Construct<'a>,
        id: &str,
        zone_name: &str,
        props: HostedZoneProps,
    ) -> HostedZone<'a> {
        let node = scope.node().add_child(id);
        let name = match normalize(zone_name, NameKind::Zone) {
            Ok(name) => name,
            Err(problem) => {
                node.error_with_hint(
                    codes::route53::ZONE_NAME_INVALID,
                    format!("hosted zone {problem}"),
                    "give the domain name, such as \"example.com\"",
                );
                zone_name.to_owned()
            }
        };
        if props.comment.as_ref().is_some_and(|c| c.len() > 256) {
            node.error(
                codes::route53::ZONE_COMMENT_TOO_LONG,
                "a hosted zone comment is at most 256 characters long",
            );
        }
        let vpcs: List<hosted_zone::Vpc> = props
            .private_vpc_ids
            .into_iter()
            .map(|vpc| hosted_zone::Vpc::new(vpc, pseudo::region()).into())
            .collect();
        let resource = node.add(
            "Resource",
            CfnHostedZone {
                name: Some(name.into()),
                hosted_zone_config: props.comment.map(|c| {
                    hosted_zone::HostedZoneConfig {
                        comment: Some(c.into()),
                    }
                    .into()
                }),
                vpcs: (!vpcs.is_empty()).then(|| vpcs.into()),
                ..Default::default()
            },
        );
        resource.apply_removal_policy(props.removal_policy);
        HostedZone { node, resource }
    }

    /// An existing zone, by its id (`Z0123456789ABCDEFGHIJ`) and name (`example.com`). The
    /// name is what record names are checked against. A malformed literal id, or a malformed
    /// name, is reported here, at the import's path.
    pub fn from_attributes(
        scope: impl Construct<'a>,
        id: &str,
        zone_id: impl Into<Expr<String>>,
        zone_name: &str,
    ) -> ImportedHostedZone<'a> {
        let node = scope.node().add_child(id);
        let zone_id = zone_id.into();
        if let Some(literal) = zone_id.as_literal()
            && (literal.is_empty()
                || literal.len() > 32
                || !literal
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()))
        {
            node.error_with_hint(codes::route53::ZONE_ID_INVALID,
                format!("hosted zone id \"{literal}\" is not a Route 53 zone id"),
                "give the id as the console shows it, such as \"Z0123456789ABCDEFGHIJ\", without \"/hostedzone/\"",
            );
        }
        let name = match normalize(zone_name, NameKind::Zone) {
            Ok(name) => name,
            Err(p) => {
                node.error_with_hint(
                    codes::route53::ZONE_NAME_INVALID,
                    format!("hosted zone {p}"),
                    "give the zone's domain name, such as \"example.com\"",
                );
                zone_name.to_owned()
            }
        };
        ImportedHostedZone {
            node,
            id: zone_id,
            name,
        }
    }

    /// The zone's name servers, for the delegation at the registrar or the parent zone.
    pub fn name_servers(&self) -> Expr<List<String>> {
        self.resource.attrs().name_servers()
    }

    /// The L1 resource.
    pub fn l1(&self) -> ResourceRef<'a, CfnHostedZone> {
        self.resource
    }
}
