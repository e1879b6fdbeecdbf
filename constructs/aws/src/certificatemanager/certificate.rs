//! `Certificate`: a public ACM certificate, validated through DNS.

use cirrus_cfn::certificatemanager::{CfnCertificate, certificate};
use cirrus_core::{Construct, Expr, List, Node, ResourceRef};

use crate::codes;
use crate::route53::names::{NameKind, is_within, normalize};
use crate::route53::{IHostedZone, ImportedHostedZone};

/// The region CloudFront takes its viewer certificates from.
pub const CLOUDFRONT_CERTIFICATE_REGION: &str = "us-east-1";

/// What a certificate offers to the load balancers and distributions that serve it.
pub trait ICertificate<'a>: Construct<'a> {
    /// The certificate's ARN.
    fn arn(&self) -> Expr<String>;

    /// The region the certificate is in, when it is known at synthesis (the stack's region,
    /// or the region of a literal ARN).
    fn certificate_region(&self) -> Option<String>;

    /// The certificate as a value that can be stored in props; messages about it name this
    /// construct's path.
    fn to_ref(&self) -> ImportedCertificate<'a> {
        ImportedCertificate {
            node: self.node(),
            arn: self.arn(),
            region: self.certificate_region(),
        }
    }
}

/// A certificate as the resources that serve it see it: an existing one
/// ([`Certificate::from_arn`]), or one of this app ([`ICertificate::to_ref`]). A malformed
/// ARN is reported when the certificate is imported; the region, which only the resource that
/// serves the certificate can judge, is checked there, with the certificate's path in the
/// message.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedCertificate<'a> {
    node: Node<'a>,
    arn: Expr<String>,
    region: Option<String>,
}

impl<'a> Construct<'a> for ImportedCertificate<'a> {
    fn node(&self) -> Node<'a> {
        self.node
    }
}

impl<'a> ICertificate<'a> for ImportedCertificate<'a> {
    fn arn(&self) -> Expr<String> {
        self.arn.clone()
    }

    fn certificate_region(&self) -> Option<String> {
        self.region.clone()
    }

    fn to_ref(&self) -> ImportedCertificate<'a> {
        self.clone()
    }
}

impl ImportedCertificate<'_> {
    /// Reports on `node` when the certificate is known to be outside us-east-1, where
    /// CloudFront cannot use it.
    pub(crate) fn check_for_cloudfront(&self, node: Node<'_>) {
        if let Some(region) = &self.region
            && region != CLOUDFRONT_CERTIFICATE_REGION
        {
            node.error_with_hint(codes::acm::NOT_IN_US_EAST_1,
                format!(
                    "the viewer certificate {} is in {region}; CloudFront only uses certificates from us-east-1",
                    self.node.path()
                ),
                "create the certificate in a stack whose env region is us-east-1 (and keep the distribution there too: references between regions are refused), or import one from us-east-1 with Certificate::from_arn",
            );
        }
    }

    /// Reports on `node` when the certificate is known to be in another region than `region`
    /// (load balancers use certificates of their own region).
    pub(crate) fn check_in_region(&self, node: Node<'_>, region: Option<&str>) {
        if let (Some(cert), Some(here)) = (&self.region, region)
            && cert != here
        {
            node.error_with_hint(
                codes::acm::REGION_MISMATCH,
                format!(
                    "the certificate {} is in {cert}, the load balancer in {here}",
                    self.node.path()
                ),
                "a load balancer serves certificates of its own region: request one there",
            );
        }
    }
}

/// The key algorithm of a certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum KeyAlgorithm {
    /// RSA 2048: what every client accepts.
    #[default]
    Rsa2048,
    /// ECDSA P-256: smaller and faster handshakes; CloudFront and load balancers serve it.
    EcPrime256v1,
    /// ECDSA P-384.
    EcSecp384r1,
}

impl KeyAlgorithm {
    fn as_str(self) -> &'static str {
        match self {
            KeyAlgorithm::Rsa2048 => "RSA_2048",
            KeyAlgorithm::EcPrime256v1 => "EC_prime256v1",
            KeyAlgorithm::EcSecp384r1 => "EC_secp384r1",
        }
    }
}

/// How ACM checks that the names are yours.
#[derive(Debug, Clone, PartialEq)]
pub enum CertificateValidation<'a> {
    /// DNS: CloudFormation writes the validation records into this hosted zone, which holds
    /// every name of the certificate, and waits for the certificate to be issued.
    Dns(ImportedHostedZone<'a>),
    /// DNS, each name validated in the zone given for it (names spread over several zones).
    DnsZones(Vec<(String, ImportedHostedZone<'a>)>),
    /// DNS, records written by you: the stack waits until they exist (see the ACM console for
    /// their names and values).
    DnsManual,
    /// Email to the domain's registered contacts; the stack waits until one approves.
    Email,
}

/// Options of a certificate.
#[derive(Debug, Clone, Default, cirrus_derive::Setters)]
pub struct CertificateProps {
    /// Further names the certificate covers. A wildcard (`*.example.com`) fails checkov's
    /// CKV2_AWS_71: list the names instead where you can. Default: none.
    pub subject_alternative_names: Vec<String>,
    /// The key algorithm. Default: RSA 2048.
    pub key_algorithm: KeyAlgorithm,
}

/// A public certificate from ACM, renewed by ACM for as long as its validation records stay.
/// Certificate transparency logging is always on (browsers reject certificates without it).
///
/// A certificate for CloudFront must be in us-east-1: the distribution reports one that is
/// known to be elsewhere.
#[derive(Debug, Clone, Copy)]
pub struct Certificate<'a> {
    node: Node<'a>,
    resource: ResourceRef<'a, CfnCertificate>,
}

impl<'a> Construct<'a> for Certificate<'a> {
    fn node(&self) -> Node<'a> {
        self.node
    }
}

impl<'a> ICertificate<'a> for Certificate<'a> {
    fn arn(&self) -> Expr<String> {
        self.resource.ref_()
    }

    fn certificate_region(&self) -> Option<String> {
        self.node.stack().env().region
    }
}

impl<'a> Certificate<'a> {
    /// A certificate for `domain_name` (and the props' further names), validated as
    /// `validation` says.
    pub fn new(
        scope: impl Construct<'a>,
        id: &str,
        domain_name: &str,
        validation: CertificateValidation<'a>,
        props: CertificateProps,
    ) -> Certificate<'a> {
        let node = scope.node().add_child(id);
        let mut names: Vec<String> = Vec::new();
        for raw in std::iter::once(domain_name)
            .chain(props.subject_alternative_names.iter().map(String::as_str))
        {
            match normalize(raw, NameKind::Host) {
                Ok(name) if names.contains(&name) => node.error(
                    codes::acm::NAME_DUPLICATE,
                    format!("the certificate lists \"{name}\" twice"),
                ),
                Ok(name) => names.push(name),
                Err(problem) => {
                    node.error(codes::acm::NAME_INVALID, format!("certificate {problem}"))
                }
            }
        }
        if names.len() > 100 {
            node.error(
                codes::acm::TOO_MANY_NAMES,
                format!(
                    "the certificate has {} names; ACM allows at most 100",
                    names.len()
                ),
            );
        }
        let (method, options) = validation_options(node, &names, validation);
        let primary = names
            .first()
            .cloned()
            .unwrap_or_else(|| domain_name.to_owned());
        let sans: List<String> = names.iter().skip(1).cloned().map(Into::into).collect();
        let resource = node.add(
            "Resource",
            CfnCertificate {
                subject_alternative_names: (!sans.is_empty()).then(|| sans.into()),
                validation_method: Some(method.into()),
                domain_validation_options: (!options.is_empty()).then(|| options.into()),
                key_algorithm: Some(props.key_algorithm.as_str().into()),
                certificate_transparency_logging_preference: Some(
                    certificate::CertificateTransparencyLoggingPreference::Enabled.into(),
                ),
                ..CfnCertificate::new(primary)
            },
        );
        Certificate { node, resource }
    }

    /// An existing certificate, by ARN. A literal ARN tells its region, which is checked where
    /// the certificate is used; a malformed one is reported here, at the import's path.
    pub fn from_arn(
        scope: impl Construct<'a>,
        id: &str,
        arn: impl Into<Expr<String>>,
    ) -> ImportedCertificate<'a> {
        let node = scope.node().add_child(id);
        let arn = arn.into();
        let region = arn.as_literal().and_then(|literal| {
            let parts: Vec<&str> = literal.splitn(6, ':').collect();
            if parts.len() == 6
                && parts[0] == "arn"
                && parts[2] == "acm"
                && !parts[3].is_empty()
                && parts[5].starts_with("certificate/")
            {
                Some(parts[3].to_owned())
            } else {
                node.error_with_hint(
                    codes::acm::ARN_INVALID,
                    format!("\"{literal}\" is not the ARN of an ACM certificate"),
                    "certificate ARNs read arn:aws:acm:<region>:<account>:certificate/<id>",
                );
                None
            }
        });
        ImportedCertificate { node, arn, region }
    }

    /// The certificate's ARN.
    pub fn arn(&self) -> Expr<String> {
        self.resource.ref_()
    }

    /// The L1 resource.
    pub fn l1(&self) -> ResourceRef<'a, CfnCertificate> {
        self.resource
    }
}

/// The validation method and the per-name validation options.
fn validation_options(
    node: Node<'_>,
    names: &[String],
    validation: CertificateValidation<'_>,
) -> (&'static str, List<certificate::DomainValidationOption>) {
    let option =
        |name: &str, zone: &ImportedHostedZone<'_>| -> Expr<certificate::DomainValidationOption> {
            let zone_name = zone.zone_name();
            let bare = name.strip_prefix("*.").unwrap_or(name);
            if !zone_name.is_empty() && !is_within(bare, &zone_name) {
                node.error_with_hint(codes::acm::NAME_OUTSIDE_ZONE,
                format!("\"{name}\" is not in the validation zone \"{zone_name}\""),
                "validate each name in the zone that holds it (CertificateValidation::DnsZones)",
            );
            }
            certificate::DomainValidationOption {
                domain_name: Some(name.into()),
                hosted_zone_id: Some(zone.id()),
                validation_domain: None,
            }
            .into()
        };
    match validation {
        CertificateValidation::Dns(zone) => (
            "DNS",
            names.iter().map(|name| option(name, &zone)).collect(),
        ),
        CertificateValidation::DnsZones(zones) => {
            let mut options = Vec::new();
            let mut given: Vec<String> = Vec::new();
            for (raw, zone) in &zones {
                let name = normalize(raw, NameKind::Host).unwrap_or_else(|_| raw.clone());
                if !names.contains(&name) {
                    node.error(codes::acm::ZONE_UNUSED, format!(
                        "the validation zones name \"{name}\", which the certificate does not cover"
                    ));
                }
                given.push(name.clone());
                options.push(option(&name, zone));
            }
            for name in names {
                if !given.contains(name) {
                    node.error_with_hint(
                        codes::acm::ZONE_MISSING,
                        format!("no validation zone is given for \"{name}\""),
                        "list every name of the certificate in CertificateValidation::DnsZones",
                    );
                }
            }
            ("DNS", options)
        }
        CertificateValidation::DnsManual => ("DNS", Vec::new()),
        CertificateValidation::Email => ("EMAIL", Vec::new()),
    }
}
