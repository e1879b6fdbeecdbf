//! `RecordSet`: one DNS record set in a hosted zone, with its routing policy.

use cirrus_cfn::route53::{CfnRecordSet, record_set};
use cirrus_core::{Construct, Expr, List, Node, ResourceRef};

use crate::codes;
use crate::route53::IHostedZone;
use crate::route53::names::{NameKind, is_within, normalize};

/// Where an alias record points: a CloudFront distribution, a load balancer, another record.
/// [`crate::cloudfront::Distribution::alias_target`] and
/// [`crate::elbv2::ApplicationLoadBalancer::alias_target`] give the right values.
#[derive(Debug, Clone, PartialEq)]
pub struct AliasTarget {
    /// The target's DNS name.
    pub dns_name: Expr<String>,
    /// The hosted zone id of the target (CloudFront's is `Z2FDTNDATAQYW2`; a load balancer's
    /// is its canonical hosted zone id).
    pub hosted_zone_id: Expr<String>,
    /// Answer only while the target is healthy (load balancers: healthy targets). CloudFront
    /// does not support it.
    pub evaluate_target_health: bool,
}

/// What the record answers.
#[derive(Debug, Clone, PartialEq)]
pub enum RecordTarget {
    /// An `A` alias record (IPv4) to an AWS resource.
    AliasA(AliasTarget),
    /// An `AAAA` alias record (IPv6) to an AWS resource.
    AliasAaaa(AliasTarget),
    /// `A` records: IPv4 addresses.
    A(Vec<String>),
    /// `AAAA` records: IPv6 addresses.
    Aaaa(Vec<String>),
    /// A `CNAME` record: another name. Not allowed at the zone apex.
    Cname(String),
    /// `TXT` records, each at most 255 characters (quoted for Route 53 here).
    Txt(Vec<String>),
}

impl RecordTarget {
    fn record_type(&self) -> &'static str {
        match self {
            RecordTarget::AliasA(_) | RecordTarget::A(_) => "A",
            RecordTarget::AliasAaaa(_) | RecordTarget::Aaaa(_) => "AAAA",
            RecordTarget::Cname(_) => "CNAME",
            RecordTarget::Txt(_) => "TXT",
        }
    }
}

/// The two roles of failover routing: `Primary` is answered while healthy, `Secondary` while
/// the primary is unhealthy. The L1 enum itself, re-exported.
pub use record_set::RecordSetFailover as FailoverRole;

/// How Route 53 chooses among the record sets of one name and type. Every policy but
/// `Simple` needs a set identifier, unique among the record sets of that name and type.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Routing {
    /// One record set answers.
    #[default]
    Simple,
    /// Primary while healthy, else secondary. A primary needs a health check, or an alias
    /// target that evaluates target health: without either it always counts as healthy.
    Failover {
        /// Primary or secondary.
        role: FailoverRole,
        /// Identifies this record set among those of the name.
        set_identifier: String,
        /// The health check deciding whether this record set answers. Default: none.
        health_check_id: Option<Expr<String>>,
    },
    /// The record set of the region with the lowest latency to the resolver answers.
    Latency {
        /// The region of the resource this record set points to.
        region: String,
        /// Identifies this record set among those of the name.
        set_identifier: String,
        /// A health check; unhealthy record sets are skipped. Default: none.
        health_check_id: Option<Expr<String>>,
    },
    /// The record set of the resolver's location answers: the most specific match of
    /// subdivision, country and continent, else the record set with [`GeoLocation::Default`].
    /// Without a default record set, queries from locations no record set covers get no answer.
    Geolocation {
        /// The location this record set answers for.
        location: GeoLocation,
        /// Identifies this record set among those of the name.
        set_identifier: String,
        /// A health check; unhealthy record sets are skipped. Default: none.
        health_check_id: Option<Expr<String>>,
    },
    /// Record sets answer in proportion to their weights.
    Weighted {
        /// 0 to 255; 0 answers only when every other weight is 0 too.
        weight: u8,
        /// Identifies this record set among those of the name.
        set_identifier: String,
        /// A health check; unhealthy record sets are skipped. Default: none.
        health_check_id: Option<Expr<String>>,
    },
}

/// The location a geolocation record set answers for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GeoLocation {
    /// A continent: `AF`, `AN`, `AS`, `EU`, `NA`, `OC` or `SA`.
    Continent(String),
    /// A country by its ISO 3166-1 alpha-2 code (`DE`, `JP`).
    Country(String),
    /// A subdivision of a country (`US` and `WA` for Washington state).
    Subdivision {
        /// ISO 3166-1 alpha-2 code of the country.
        country: String,
        /// The subdivision's code within the country.
        code: String,
    },
    /// Every location no other record set of the name covers (country code `*`).
    Default,
}

/// The continent codes Route 53 accepts.
const CONTINENTS: [&str; 7] = ["AF", "AN", "AS", "EU", "NA", "OC", "SA"];

impl GeoLocation {
    /// The L1 property, or what is wrong with the location.
    fn to_cfn(&self) -> Result<record_set::GeoLocation, String> {
        let letters = |code: &str, len: std::ops::RangeInclusive<usize>| {
            len.contains(&code.len())
                && code
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        };
        let mut geo = record_set::GeoLocation::default();
        match self {
            GeoLocation::Continent(code) => {
                if !CONTINENTS.contains(&code.as_str()) {
                    return Err(format!(
                        "\"{code}\" is not a continent code; use one of {}",
                        CONTINENTS.join(", ")
                    ));
                }
                geo.continent_code = Some(code.clone().into());
            }
            GeoLocation::Country(code) => {
                if !letters(code, 2..=2) {
                    return Err(format!(
                        "\"{code}\" is not an ISO 3166-1 alpha-2 country code such as \"DE\""
                    ));
                }
                geo.country_code = Some(code.clone().into());
            }
            GeoLocation::Subdivision { country, code } => {
                if !letters(country, 2..=2) {
                    return Err(format!(
                        "\"{country}\" is not an ISO 3166-1 alpha-2 country code such as \"US\""
                    ));
                }
                if !letters(code, 1..=3) {
                    return Err(format!(
                        "\"{code}\" is not a subdivision code such as \"WA\" (1 to 3 capital letters or digits)"
                    ));
                }
                geo.country_code = Some(country.clone().into());
                geo.subdivision_code = Some(code.clone().into());
            }
            GeoLocation::Default => geo.country_code = Some("*".to_owned().into()),
        }
        Ok(geo)
    }
}

/// Options of a record set.
#[derive(Debug, Clone, Default, cirrus_derive::Setters)]
pub struct RecordSetProps {
    /// The routing policy. Default: simple.
    pub routing: Routing,
    /// How long resolvers cache the answer, in seconds. Alias records take the target's TTL
    /// and cannot set one. Default: 300 for other records.
    pub ttl_secs: Option<u32>,
    /// A comment. Default: none.
    pub comment: Option<String>,
}

/// A record set: the records of one name and type in a hosted zone. The name must lie in the
/// zone; it is written fully qualified, with the trailing dot.
#[derive(Debug, Clone, Copy)]
pub struct RecordSet<'a> {
    node: Node<'a>,
    resource: ResourceRef<'a, CfnRecordSet>,
}

impl<'a> Construct<'a> for RecordSet<'a> {
    fn node(&self) -> Node<'a> {
        self.node
    }
}

impl<'a> RecordSet<'a> {
    /// A record set for `name` (`www.example.com`) in `zone`.
    pub fn new(
        scope: impl Construct<'a>,
        id: &str,
        zone: &impl IHostedZone<'a>,
        name: &str,
        target: RecordTarget,
        props: RecordSetProps,
    ) -> RecordSet<'a> {
        let node = scope.node().add_child(id);
        let zone = zone.to_ref();
        let zone_name = zone.zone_name();
        let full_name = match normalize(name, NameKind::Record) {
            Ok(full) => {
                if !zone_name.is_empty() && !is_within(&full, &zone_name) {
                    node.error_with_hint(codes::route53::RECORD_NOT_IN_ZONE,
                        format!("record name \"{full}\" is not in the zone \"{zone_name}\""),
                        format!("give a name that ends with \"{zone_name}\", or use the zone that holds it"),
                    );
                }
                full
            }
            Err(problem) => {
                node.error(
                    codes::route53::RECORD_NAME_INVALID,
                    format!("record {problem}"),
                );
                name.to_owned()
            }
        };
        let mut cfn = CfnRecordSet {
            hosted_zone_id: Some(zone.id()),
            comment: props.comment.map(Into::into),
            ..CfnRecordSet::new(format!("{full_name}."), target.record_type())
        };
        let alias_evaluates_health = match &target {
            RecordTarget::AliasA(alias) | RecordTarget::AliasAaaa(alias) => {
                if props.ttl_secs.is_some() {
                    node.error_with_hint(
                        codes::route53::ALIAS_WITH_TTL,
                        "an alias record cannot have a TTL",
                        "leave ttl_secs unset: alias records use the target's TTL",
                    );
                }
                cfn.alias_target = Some(
                    record_set::AliasTarget {
                        evaluate_target_health: Some(alias.evaluate_target_health.into()),
                        ..record_set::AliasTarget::new(
                            alias.dns_name.clone(),
                            alias.hosted_zone_id.clone(),
                        )
                    }
                    .into(),
                );
                alias.evaluate_target_health
            }
            plain => {
                let values = record_values(node, plain, &full_name, &zone_name);
                let ttl = props.ttl_secs.unwrap_or(300);
                if ttl > 2_147_483_647 {
                    node.error(
                        codes::route53::TTL_OUT_OF_RANGE,
                        "ttl_secs is larger than Route 53's 2147483647",
                    );
                }
                cfn.ttl = Some(ttl.to_string().into());
                cfn.resource_records = Some(values.into());
                false
            }
        };
        apply_routing(node, &mut cfn, props.routing, alias_evaluates_health);
        let resource = node.add("Resource", cfn);
        RecordSet { node, resource }
    }

    /// The L1 resource.
    pub fn l1(&self) -> ResourceRef<'a, CfnRecordSet> {
        self.resource
    }
}

/// The values of a record that is not an alias, checked.
fn record_values(node: Node<'_>, target: &RecordTarget, name: &str, zone: &str) -> List<String> {
    let mut values: Vec<String> = Vec::new();
    match target {
        RecordTarget::A(addresses) => {
            for a in addresses {
                if a.parse::<std::net::Ipv4Addr>().is_err() {
                    node.error(
                        codes::route53::RECORD_VALUE_INVALID,
                        format!("\"{a}\" is not an IPv4 address"),
                    );
                }
            }
            values.clone_from(addresses);
        }
        RecordTarget::Aaaa(addresses) => {
            for a in addresses {
                if a.parse::<std::net::Ipv6Addr>().is_err() {
                    node.error(
                        codes::route53::RECORD_VALUE_INVALID,
                        format!("\"{a}\" is not an IPv6 address"),
                    );
                }
            }
            values.clone_from(addresses);
        }
        RecordTarget::Cname(other) => {
            if name == zone {
                node.error_with_hint(
                    codes::route53::CNAME_AT_APEX,
                    format!("a CNAME record cannot be at the zone apex \"{zone}\""),
                    "use an alias record (RecordTarget::AliasA) for the apex",
                );
            }
            match normalize(other, NameKind::Record) {
                Ok(n) => values.push(n),
                Err(p) => node.error(
                    codes::route53::RECORD_VALUE_INVALID,
                    format!("CNAME target {p}"),
                ),
            }
        }
        RecordTarget::Txt(texts) => {
            for t in texts {
                if t.len() > 255 || t.contains('"') {
                    node.error(
                        codes::route53::RECORD_VALUE_INVALID,
                        format!(
                            "TXT value \"{t}\" must be at most 255 characters and hold no '\"'"
                        ),
                    );
                }
                values.push(format!("\"{t}\""));
            }
        }
        RecordTarget::AliasA(_) | RecordTarget::AliasAaaa(_) => {}
    }
    if values.is_empty() {
        node.error(
            codes::route53::RECORD_WITHOUT_VALUES,
            "a record set needs at least one value",
        );
    }
    values.into_iter().map(Into::into).collect()
}

fn apply_routing(node: Node<'_>, cfn: &mut CfnRecordSet, routing: Routing, alias_health: bool) {
    let check_identifier = |id: &str| {
        if id.is_empty() || id.len() > 128 {
            node.error(
                codes::route53::SET_IDENTIFIER_INVALID,
                format!("set identifier \"{id}\" must be 1 to 128 characters long"),
            );
        }
    };
    match routing {
        Routing::Simple => {}
        Routing::Failover {
            role,
            set_identifier,
            health_check_id,
        } => {
            check_identifier(&set_identifier);
            if role == FailoverRole::Primary && health_check_id.is_none() && !alias_health {
                node.error_with_hint(codes::route53::FAILOVER_WITHOUT_HEALTH_CHECK,
                    "a primary failover record without a health check always counts as healthy, so the secondary never answers",
                    "give the primary a health check (route53::HealthCheck), or an alias target with evaluate_target_health",
                );
            }
            cfn.failover = Some(role.into());
            cfn.set_identifier = Some(set_identifier.into());
            cfn.health_check_id = health_check_id;
        }
        Routing::Latency {
            region,
            set_identifier,
            health_check_id,
        } => {
            check_identifier(&set_identifier);
            region_problem(node, &region);
            cfn.region = Some(region.into());
            cfn.set_identifier = Some(set_identifier.into());
            cfn.health_check_id = health_check_id;
        }
        Routing::Geolocation {
            location,
            set_identifier,
            health_check_id,
        } => {
            check_identifier(&set_identifier);
            match location.to_cfn() {
                Ok(geo) => cfn.geo_location = Some(geo.into()),
                Err(problem) => node.error(
                    codes::route53::GEOLOCATION_INVALID,
                    format!("geolocation {problem}"),
                ),
            }
            cfn.set_identifier = Some(set_identifier.into());
            cfn.health_check_id = health_check_id;
        }
        Routing::Weighted {
            weight,
            set_identifier,
            health_check_id,
        } => {
            check_identifier(&set_identifier);
            cfn.weight = Some(i64::from(weight).into());
            cfn.set_identifier = Some(set_identifier.into());
            cfn.health_check_id = health_check_id;
        }
    }
}

/// A latency record's region must be one Route 53 can measure latency to: a region of the
/// pinned table ([`cirrus_core::regions`]). A name shaped like a region but absent from the
/// table may be one opened since, so that error can be acknowledged.
fn region_problem(node: Node<'_>, region: &str) {
    let closest = cirrus_core::regions::closest(region, 1);
    let closest = cirrus_core::suggest::quoted_alternatives(&closest);
    if !cirrus_core::regions::is_region_shaped(region) {
        node.error_with_hint(
            codes::route53::REGION_INVALID,
            format!("\"{region}\" is not an AWS region name such as \"us-east-1\""),
            format!("the closest region is {closest}"),
        );
    } else if !cirrus_core::regions::is_known(region) {
        node.error_with_hint(
            codes::route53::REGION_UNKNOWN,
            format!("latency region \"{region}\" is not a region of any AWS partition"),
            format!(
                "the closest region is {closest}; for a region newer than the region table ({}), acknowledge {} on the record with the reason",
                cirrus_core::regions::SOURCE,
                codes::route53::REGION_UNKNOWN.code().id()
            ),
        );
    }
}
