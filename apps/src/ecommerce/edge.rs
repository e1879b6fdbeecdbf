//! `EcommerceEdge`: where every request starts. 003: "At first, the request will encounter AWS
//! CloudFront in which the service speeds up the secure delivery of both static and dynamic
//! content of the website to the customers around the world. ... Next, it will trigger highly
//! available and scalable cloud DNS web service – Route53".
//!
//! The distribution answers for [`DOMAIN`] with its own certificate, behind a WAF web ACL, and
//! fetches from [`ORIGIN_NAME`] over HTTPS: a name, not a reference, which Route 53 resolves to
//! the load balancer of the region that serves (production, or the DR copy when production's
//! targets are unhealthy). So the edge imports nothing from the regional stacks, and neither
//! region depends on the other through it.

use cirrus_aws::certificatemanager::{Certificate, CertificateProps, CertificateValidation};
use cirrus_aws::cloudfront::{
    AllowedMethods, Behavior, CustomDomain, Distribution, DistributionProps, Firewall, HttpOrigin,
    Origin, PriceClass, cache, origin_request,
};
use cirrus_aws::route53::{HostedZone, RecordSet, RecordSetProps, RecordTarget};
use cirrus_aws::wafv2::{IWebAcl, RateLimit, WebAcl, WebAclProps, WebAclScope};
use cirrus_core::prelude::*;

use super::config::{DOMAIN, HOSTED_ZONE_ID, HOSTED_ZONE_NAME, ORIGIN_NAME, PRIMARY_REGION};
use super::support::stack;

/// Requests one client address may make in five minutes before the web ACL blocks it.
const RATE_LIMIT_PER_FIVE_MINUTES: u32 = 2000;

/// Adds the edge stack. CloudFront's certificate and web ACL must be in us-east-1, which is
/// why the edge sits in the primary region.
pub fn edge(app: &App) -> Stack<'_> {
    let stack = stack(
        app,
        "EcommerceEdge",
        PRIMARY_REGION,
        None,
        "CloudFront distribution, WAF web ACL and the shop's DNS records",
    );
    let zone = HostedZone::from_attributes(stack, "HostedZone", HOSTED_ZONE_ID, HOSTED_ZONE_NAME);
    let certificate = Certificate::new(
        stack,
        "ViewerCert",
        DOMAIN,
        CertificateValidation::Dns(zone.clone()),
        CertificateProps::default(),
    );
    // AWS's common rules, known bad inputs and the IP reputation list, and a per-client limit.
    let acl = WebAcl::new(
        stack,
        "WebAcl",
        WebAclScope::CloudFront,
        WebAclProps {
            description: Some("protects the CloudFront distribution of the shop".into()),
            rate_limit: Some(RateLimit::per_five_minutes(RATE_LIMIT_PER_FIVE_MINUTES)),
            ..Default::default()
        },
    );

    // Dynamic content: every method, nothing cached, every viewer header but Host forwarded
    // (the origin sees its own name, the one on its certificate).
    let origin = Origin::Http(HttpOrigin::new(ORIGIN_NAME));
    let dynamic = Behavior {
        allowed_methods: AllowedMethods::All,
        cache_policy_id: cache::CACHING_DISABLED.into(),
        origin_request_policy_id: Some(origin_request::ALL_VIEWER_EXCEPT_HOST_HEADER.into()),
        ..Behavior::new(origin.clone())
    };
    // Static content: cached at the edge ("a multi-tier cache by default ensuring diminished
    // latency and load on the origin servers").
    let assets = Behavior::new(origin);
    let cdn = Distribution::new(
        stack,
        "Cdn",
        dynamic,
        DistributionProps {
            additional_behaviors: vec![("/static/*".into(), assets)],
            domain: Some(CustomDomain::new([DOMAIN], &certificate)),
            firewall: Firewall::WebAcl(acl.to_ref()),
            // "the customers around the world": every edge location.
            price_class: PriceClass::All,
            comment: Some(format!("{DOMAIN} storefront")),
            ..Default::default()
        },
    );
    for (id, target) in [
        ("ShopA", RecordTarget::AliasA(cdn.alias_target())),
        ("ShopAaaa", RecordTarget::AliasAaaa(cdn.alias_target())),
    ] {
        RecordSet::new(stack, id, &zone, DOMAIN, target, RecordSetProps::default());
    }

    stack
        .add_output("DistributionDomainName", cdn.domain_name())
        .description(format!("what {DOMAIN} points to"));
    stack
}
