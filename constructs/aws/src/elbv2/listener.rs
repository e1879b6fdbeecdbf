//! `Listener`: a port of an application load balancer and what it does with requests.

use cirrus_cfn::elasticloadbalancingv2::{
    CfnListener, CfnListenerCertificate, listener, listener_certificate,
};
use cirrus_core::{Construct, Expr, List, Node, ResourceRef, ToValue};

use crate::certificatemanager::{ICertificate, ImportedCertificate};
use crate::codes;
use crate::ec2::Peer;
use crate::elbv2::quotas::ListenerEntry;
use crate::elbv2::{ApplicationLoadBalancer, ITargetGroup, TargetGroup, TargetGroupRef};

/// The TLS security policy of an HTTPS listener: which protocol versions and ciphers it
/// accepts.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum SslPolicy {
    /// `ELBSecurityPolicy-TLS13-1-2-2021-06`: TLS 1.3 and 1.2 with forward secrecy; what
    /// AWS recommends (checkov CKV_AWS_103).
    #[default]
    Tls13And12,
    /// `ELBSecurityPolicy-TLS13-1-3-2021-06`: TLS 1.3 only.
    Tls13Only,
    /// `ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04`: TLS 1.3 and 1.2 with FIPS ciphers.
    Tls13And12Fips,
    /// Another policy by name. Only policies without TLS 1.0 and 1.1 are accepted: names
    /// starting `ELBSecurityPolicy-TLS13-1-2`, `-TLS13-1-3`, `-TLS-1-2` or `-FS-1-2`.
    Named(String),
}

impl SslPolicy {
    fn name(&self) -> &str {
        match self {
            SslPolicy::Tls13And12 => "ELBSecurityPolicy-TLS13-1-2-2021-06",
            SslPolicy::Tls13Only => "ELBSecurityPolicy-TLS13-1-3-2021-06",
            SslPolicy::Tls13And12Fips => "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
            SslPolicy::Named(name) => name,
        }
    }

    fn problem(&self) -> Option<String> {
        let SslPolicy::Named(name) = self else {
            return None;
        };
        let modern = [
            "ELBSecurityPolicy-TLS13-1-2",
            "ELBSecurityPolicy-TLS13-1-3",
            "ELBSecurityPolicy-TLS-1-2",
            "ELBSecurityPolicy-FS-1-2",
        ];
        (!modern.iter().any(|p| name.starts_with(p))).then(|| {
            format!("ssl policy \"{name}\" is not one that refuses TLS versions before 1.2")
        })
    }
}

/// The protocol of a listener.
#[derive(Debug, Clone, PartialEq)]
pub enum ListenerProtocol<'a> {
    /// HTTPS: TLS ends at the load balancer. The first certificate is the default one; the
    /// others are chosen by SNI.
    Https {
        /// The certificates (of the load balancer's region); at least one.
        certificates: Vec<ImportedCertificate<'a>>,
        /// The TLS policy.
        ssl_policy: SslPolicy,
    },
    /// Plain HTTP. checkov fails it (CKV_AWS_2, CKV_AWS_103) unless its default action
    /// redirects to HTTPS, as [`ApplicationLoadBalancer::add_redirect_listener`] does.
    Http,
}

impl<'a> ListenerProtocol<'a> {
    /// HTTPS with these certificates and the recommended TLS policy.
    pub fn https(certificates: Vec<ImportedCertificate<'a>>) -> ListenerProtocol<'a> {
        ListenerProtocol::Https {
            certificates,
            ssl_policy: SslPolicy::default(),
        }
    }
}

/// A redirect answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Redirect {
    /// `HTTPS`, `HTTP` or `#{protocol}` (unchanged).
    pub protocol: String,
    /// The port, or `#{port}`.
    pub port: String,
    /// The host, or `#{host}`.
    pub host: String,
    /// The path, starting with `/` (`/#{path}` keeps it).
    pub path: String,
    /// The query, without `?` (`#{query}` keeps it).
    pub query: String,
    /// 301 rather than 302.
    pub permanent: bool,
}

impl Redirect {
    /// The same URL over HTTPS on port 443, permanently.
    pub fn to_https() -> Redirect {
        Redirect {
            protocol: "HTTPS".into(),
            port: "443".into(),
            host: "#{host}".into(),
            path: "/#{path}".into(),
            query: "#{query}".into(),
            permanent: true,
        }
    }
}

/// What a listener does with a request.
#[derive(Debug, Clone, PartialEq)]
pub enum ListenerAction<'a> {
    /// Forward to target groups (of this app or imported), each with a weight 0 to 999
    /// (blue/green: [`ListenerAction::weighted`]`([(blue, 100), (green, 0)])`). One to five
    /// groups.
    Forward(Vec<(TargetGroupRef<'a>, u16)>),
    /// Answer directly.
    FixedResponse {
        /// The status code, 2XX, 4XX or 5XX.
        status_code: u16,
        /// The content type (`text/plain`, `text/html`, `application/json`...).
        content_type: Option<String>,
        /// The body, at most 1024 characters.
        body: Option<String>,
    },
    /// Redirect.
    Redirect(Redirect),
}

impl<'a> ListenerAction<'a> {
    /// Forward everything to one target group: one of this app, or an existing one
    /// ([`TargetGroup::from_arn`]).
    pub fn forward(target_group: impl Into<TargetGroupRef<'a>>) -> ListenerAction<'a> {
        ListenerAction::Forward(vec![(target_group.into(), 1)])
    }

    /// Forward to target groups by weight (0 to 999 each): `[(blue, 100), (green, 0)]`.
    pub fn weighted<G: Into<TargetGroupRef<'a>>>(
        groups: impl IntoIterator<Item = (G, u16)>,
    ) -> ListenerAction<'a> {
        ListenerAction::Forward(groups.into_iter().map(|(g, w)| (g.into(), w)).collect())
    }
}

impl PartialEq for TargetGroup<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.node() == other.node()
    }
}

/// Options of a listener.
#[derive(Debug, Clone, Default, cirrus_derive::Setters)]
pub struct ListenerProps {
    /// The port. Default: 443 for HTTPS, 80 for HTTP.
    pub port: Option<u16>,
    /// Who may connect; each peer gets an ingress rule in the load balancer's security group.
    /// Default: `None`: anyone (IPv4, and IPv6 when dual-stack) for an internet-facing load
    /// balancer, the VPC's CIDR block for an internal one. CloudFront-only origins pass the
    /// CloudFront origin-facing prefix list here.
    pub allow_from: Option<Vec<Peer>>,
}

/// A listener of an application load balancer.
#[derive(Debug, Clone, Copy)]
pub struct Listener<'a> {
    node: Node<'a>,
    resource: ResourceRef<'a, CfnListener>,
}

impl<'a> Construct<'a> for Listener<'a> {
    fn node(&self) -> Node<'a> {
        self.node
    }
}

impl<'a> Listener<'a> {
    /// The listener's ARN.
    pub fn arn(&self) -> Expr<String> {
        self.resource.ref_()
    }

    /// The L1 resource.
    pub fn l1(&self) -> ResourceRef<'a, CfnListener> {
        self.resource
    }

    /// An existing listener, by ARN
    /// (`arn:aws:elasticloadbalancing:<region>:<account>:listener/app/<lb>/<lb-id>/<id>`):
    /// what listener rules and certificates (`CfnListenerRule`, `CfnListenerCertificate`)
    /// of this app attach to, as they would to a [`Listener`] of this app ([`IListener`]).
    pub fn from_arn(
        scope: impl Construct<'a>,
        id: &str,
        arn: impl Into<Expr<String>>,
    ) -> ImportedListener<'a> {
        let node = scope.node().add_child(id);
        let arn = arn.into();
        if let Some(literal) = arn.as_literal()
            && !(literal.starts_with("arn:") && literal.contains(":listener/"))
        {
            node.error_with_hint(codes::elb::LISTENER_ARN_INVALID,
                format!("\"{literal}\" is not the ARN of an ELB listener"),
                "listener ARNs read arn:aws:elasticloadbalancing:<region>:<account>:listener/app/<lb>/<lb-id>/<id>",
            );
        }
        ImportedListener { node, arn }
    }
}

/// What a listener offers to the rules and certificates attached to it: its ARN.
/// Implemented by [`Listener`] and [`ImportedListener`].
pub trait IListener {
    /// The listener's ARN.
    fn arn(&self) -> Expr<String>;
}

impl IListener for Listener<'_> {
    fn arn(&self) -> Expr<String> {
        self.arn()
    }
}

/// A listener defined elsewhere, known by its ARN.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedListener<'a> {
    node: Node<'a>,
    arn: Expr<String>,
}

impl<'a> Construct<'a> for ImportedListener<'a> {
    fn node(&self) -> Node<'a> {
        self.node
    }
}

impl ImportedListener<'_> {
    /// The listener's ARN.
    pub fn arn(&self) -> Expr<String> {
        self.arn.clone()
    }
}

impl IListener for ImportedListener<'_> {
    fn arn(&self) -> Expr<String> {
        self.arn()
    }
}

impl<'a> ApplicationLoadBalancer<'a> {
    /// Adds a listener that speaks `protocol` and answers with `default_action`, and opens its
    /// port in the security group.
    pub fn add_listener(
        &self,
        id: &str,
        protocol: ListenerProtocol<'a>,
        default_action: ListenerAction<'a>,
        props: ListenerProps,
    ) -> Listener<'a> {
        let node = self.node().add_child(id);
        let https = matches!(protocol, ListenerProtocol::Https { .. });
        let port = props.port.unwrap_or(if https { 443 } else { 80 });
        if port == 0 {
            node.error(
                codes::elb::PORT_OUT_OF_RANGE,
                "a listener port is 1 to 65535",
            );
        }
        let action = self.render_action(node, default_action);
        let mut cfn = CfnListener {
            port: Some(i64::from(port).into()),
            ..CfnListener::new(vec![action], self.arn())
        };
        let mut extra_certificates: List<listener_certificate::Certificate> = Vec::new();
        match protocol {
            ListenerProtocol::Https {
                certificates,
                ssl_policy,
            } => {
                if let Some(problem) = ssl_policy.problem() {
                    node.error_with_hint(
                        codes::elb::TLS_POLICY_OUTDATED,
                        problem,
                        "use SslPolicy::Tls13And12 (ELBSecurityPolicy-TLS13-1-2-2021-06)",
                    );
                }
                if certificates.is_empty() {
                    node.error_with_hint(codes::elb::HTTPS_WITHOUT_CERTIFICATE,
                        "an HTTPS listener needs a certificate",
                        "pass the load balancer's certificate (certificatemanager::Certificate) in ListenerProtocol::Https",
                    );
                }
                let region = self.region();
                for certificate in &certificates {
                    certificate.check_in_region(node, region.as_deref());
                }
                let mut arns = certificates.iter().map(ICertificate::arn);
                cfn.certificates = arns.next().map(|first| {
                    vec![listener::Certificate {
                        certificate_arn: Some(first),
                    }]
                    .into()
                });
                extra_certificates.extend(arns.map(|arn| {
                    listener_certificate::Certificate {
                        certificate_arn: Some(arn),
                    }
                    .into()
                }));
                cfn.protocol = Some("HTTPS".into());
                cfn.ssl_policy = Some(ssl_policy.name().to_owned().into());
            }
            ListenerProtocol::Http => cfn.protocol = Some("HTTP".into()),
        }
        let resource = node.add("Resource", cfn);
        let entry = ListenerEntry {
            path: node.path(),
            arn: resource.ref_().to_value(),
            extra_certificates: extra_certificates.len(),
        };
        self.state(|s| s.listeners.push(entry));
        if !extra_certificates.is_empty() {
            node.add(
                "Certificates",
                CfnListenerCertificate::new(extra_certificates, resource.ref_()),
            );
        }
        self.open_listener_port(node, port, props.allow_from);
        Listener { node, resource }
    }

    /// Adds an HTTP listener on port 80 that redirects every request to HTTPS on 443, open to
    /// the same audience as the HTTPS listener by default. Port 80 from the internet fails
    /// checkov's CKV_AWS_260 even though it only redirects: record that in
    /// `checkov-skips.txt` for the load balancer's security group.
    pub fn add_redirect_listener(&self, id: &str, props: ListenerProps) -> Listener<'a> {
        self.add_listener(
            id,
            ListenerProtocol::Http,
            ListenerAction::Redirect(Redirect::to_https()),
            props,
        )
    }

    fn render_action(&self, node: Node<'a>, action: ListenerAction<'a>) -> Expr<listener::Action> {
        match action {
            ListenerAction::Forward(groups) => {
                if groups.is_empty() || groups.len() > 5 {
                    node.error(
                        codes::elb::FORWARD_TARGET_COUNT,
                        format!(
                            "a forward action takes 1 to 5 target groups, not {}",
                            groups.len()
                        ),
                    );
                }
                if groups.len() > 1 && groups.iter().all(|(_, w)| *w == 0) {
                    node.error(
                        codes::elb::FORWARD_WEIGHTS_INVALID,
                        "every target group of the forward action has weight 0",
                    );
                }
                let egress_to_vpc = self.state(|s| s.egress_to_vpc);
                for (i, (group, weight)) in groups.iter().enumerate() {
                    if *weight > 999 {
                        node.error(
                            codes::elb::FORWARD_WEIGHTS_INVALID,
                            format!("target group weight {weight} is above ELB's 999"),
                        );
                    }
                    if groups[..i].iter().any(|(g, _)| g == group) {
                        node.error(
                            codes::elb::FORWARD_TARGET_DUPLICATE,
                            format!("target group {} is listed twice", group.label()),
                        );
                    }
                    let label = group.label();
                    self.state(|s| s.target_groups.insert(label));
                    let ports = group.ports();
                    if ports.is_empty() && egress_to_vpc {
                        node.warning(codes::elb::IMPORTED_TARGET_PORTS_UNKNOWN, format!(
                            "the ports of the imported target group {} are not known, so the load balancer's security group is not opened towards its targets: give them with ImportedTargetGroup::with_ports, or add the egress rule to the load balancer's security group",
                            group.label()
                        ));
                    }
                    for port in ports {
                        self.open_target_port(port);
                    }
                }
                match groups.as_slice() {
                    [(only, _)] => listener::Action {
                        target_group_arn: Some(only.arn()),
                        ..listener::Action::new("forward")
                    },
                    _ => {
                        let tuples: List<listener::TargetGroupTuple> = groups
                            .iter()
                            .map(|(g, w)| {
                                listener::TargetGroupTuple {
                                    target_group_arn: Some(g.arn()),
                                    weight: Some(i64::from(*w).into()),
                                }
                                .into()
                            })
                            .collect();
                        listener::Action {
                            forward_config: Some(
                                listener::ForwardConfig {
                                    target_groups: Some(tuples.into()),
                                    ..Default::default()
                                }
                                .into(),
                            ),
                            ..listener::Action::new("forward")
                        }
                    }
                }
                .into()
            }
            ListenerAction::FixedResponse {
                status_code,
                content_type,
                body,
            } => {
                if !matches!(status_code / 100, 2 | 4 | 5) || status_code > 599 {
                    node.error(
                        codes::elb::FIXED_RESPONSE_INVALID,
                        format!(
                            "fixed response status {status_code} is not a 2XX, 4XX or 5XX code"
                        ),
                    );
                }
                if body.as_ref().is_some_and(|b| b.len() > 1024) {
                    node.error(
                        codes::elb::FIXED_RESPONSE_INVALID,
                        "a fixed response body is at most 1024 characters long",
                    );
                }
                listener::Action {
                    fixed_response_config: Some(
                        listener::FixedResponseConfig {
                            content_type: content_type.map(Into::into),
                            message_body: body.map(Into::into),
                            ..listener::FixedResponseConfig::new(status_code.to_string())
                        }
                        .into(),
                    ),
                    ..listener::Action::new("fixed-response")
                }
                .into()
            }
            ListenerAction::Redirect(redirect) => {
                if !redirect.path.starts_with('/') {
                    node.error(
                        codes::elb::REDIRECT_INVALID,
                        format!("redirect path \"{}\" must start with '/'", redirect.path),
                    );
                }
                if !["HTTP", "HTTPS", "#{protocol}"].contains(&redirect.protocol.as_str()) {
                    node.error(
                        codes::elb::REDIRECT_INVALID,
                        format!(
                            "redirect protocol \"{}\" is not HTTP, HTTPS or #{{protocol}}",
                            redirect.protocol
                        ),
                    );
                }
                listener::Action {
                    redirect_config: Some(
                        listener::RedirectConfig {
                            protocol: Some(redirect.protocol.into()),
                            port: Some(redirect.port.into()),
                            host: Some(redirect.host.into()),
                            path: Some(redirect.path.into()),
                            query: Some(redirect.query.into()),
                            ..listener::RedirectConfig::new(if redirect.permanent {
                                "HTTP_301"
                            } else {
                                "HTTP_302"
                            })
                        }
                        .into(),
                    ),
                    ..listener::Action::new("redirect")
                }
                .into()
            }
        }
    }
}
