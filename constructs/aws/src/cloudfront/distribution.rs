//! `Distribution`: a CloudFront distribution that speaks HTTPS to viewers and origins, keeps
//! logs, and sits behind a WAF web ACL unless told otherwise.
//!
//! The AWS CDK's `Distribution` lets viewers use plain HTTP, keeps no logs and has no web ACL
//! by default; this one redirects HTTP to HTTPS, keeps standard logs in a bucket of its own,
//! and creates a web ACL of AWS managed rules.

use cirrus_cfn::cloudfront::{
    CfnDistribution, CfnOriginAccessControl, distribution, origin_access_control,
};
use cirrus_core::id::{path_hash, strip_non_alphanumeric};
use cirrus_core::{Construct, Expr, List, Node, ResourceRef, fns};

use crate::certificatemanager::{ICertificate, ImportedCertificate};
use crate::cloudfront::function::{Function, FunctionEvent};
use crate::cloudfront::origin::{HttpOrigin, Origin, OriginProtocol};
use crate::cloudfront::policies::{cache, response_headers};
use crate::cloudfront::s3_facts::{self, Sse};
use crate::codes;
use crate::iam::{Grantable, PolicyStatement, Principal};
use crate::route53::names::{NameKind, normalize};
use crate::route53::{AliasTarget, CLOUDFRONT_HOSTED_ZONE_ID};
use crate::s3::{Bucket, BucketProps, IBucket, LifecycleRule, ObjectOwnership};
use crate::wafv2::{IWebAcl, ImportedWebAcl, WebAcl, WebAclProps, WebAclScope};

/// What viewers may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ViewerProtocol {
    /// HTTP requests are redirected to HTTPS.
    #[default]
    RedirectToHttps,
    /// HTTP requests are refused (403).
    HttpsOnly,
}

/// The HTTP methods a behavior accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AllowedMethods {
    /// GET and HEAD: read-only content.
    #[default]
    GetHead,
    /// GET, HEAD and OPTIONS (CORS preflight).
    GetHeadOptions,
    /// Every method, for APIs: DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT.
    All,
}

/// How requests matching a path are handled.
#[derive(Debug, Clone)]
pub struct Behavior<'a> {
    /// Where requests go.
    pub origin: Origin<'a>,
    /// What viewers may use. Default: HTTP redirected to HTTPS.
    pub viewer_protocol: ViewerProtocol,
    /// The methods accepted. Default: GET and HEAD.
    pub allowed_methods: AllowedMethods,
    /// The cache policy id ([`cache`] has the managed ones). Default: `CachingOptimized`.
    pub cache_policy_id: Expr<String>,
    /// The origin request policy id ([`crate::cloudfront::origin_request`]). Default: none.
    pub origin_request_policy_id: Option<Expr<String>>,
    /// The response headers policy id ([`response_headers`]). Default: `SecurityHeadersPolicy`
    /// (HSTS, nosniff, frame options, referrer policy); the AWS CDK adds none.
    pub response_headers_policy_id: Option<Expr<String>>,
    /// Compress responses (gzip, brotli). Default: `true`.
    pub compress: bool,
    /// CloudFront Functions to run, by event, with their ARNs ([`Behavior::function`]), one
    /// per event. Default: none.
    pub functions: Vec<(FunctionEvent, Expr<String>)>,
}

impl<'a> Behavior<'a> {
    /// A behavior with the defaults, sending requests to `origin`.
    pub fn new(origin: Origin<'a>) -> Behavior<'a> {
        Behavior {
            origin,
            viewer_protocol: ViewerProtocol::RedirectToHttps,
            allowed_methods: AllowedMethods::GetHead,
            cache_policy_id: cache::CACHING_OPTIMIZED.into(),
            origin_request_policy_id: None,
            response_headers_policy_id: Some(response_headers::SECURITY_HEADERS.into()),
            compress: true,
            functions: Vec::new(),
        }
    }

    /// Runs `function` on `event` of the requests this behaviour handles.
    pub fn function(mut self, event: FunctionEvent, function: &Function<'_>) -> Behavior<'a> {
        self.functions.push((event, function.arn()));
        self
    }
}

/// The minimum TLS version (CloudFront security policy) for viewers of a custom domain.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ViewerTlsPolicy {
    /// `TLSv1.2_2021`: TLS 1.2 and 1.3 with strong ciphers only (checkov CKV_AWS_174).
    #[default]
    Tls12_2021,
    /// `TLSv1.2_2019`: TLS 1.2 and 1.3, with some older ciphers.
    Tls12_2019,
    /// Another security policy by name; only `TLSv1.2_<year>` and `TLSv1.3_<year>` policies
    /// are accepted.
    Named(String),
}

impl ViewerTlsPolicy {
    fn name(&self) -> &str {
        match self {
            ViewerTlsPolicy::Tls12_2021 => "TLSv1.2_2021",
            ViewerTlsPolicy::Tls12_2019 => "TLSv1.2_2019",
            ViewerTlsPolicy::Named(name) => name,
        }
    }

    fn is_modern(&self) -> bool {
        let name = self.name();
        let year = name
            .strip_prefix("TLSv1.2_")
            .or_else(|| name.strip_prefix("TLSv1.3_"));
        year.is_some_and(|y| y.len() == 4 && y.chars().all(|c| c.is_ascii_digit()))
    }
}

/// Custom domain names served with an ACM certificate (from us-east-1), by SNI.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomDomain<'a> {
    /// The names (`www.example.com`); each must be on the certificate.
    pub names: Vec<String>,
    /// The certificate.
    pub certificate: ImportedCertificate<'a>,
    /// The minimum TLS version for viewers. Default: TLS 1.2 (`TLSv1.2_2021`).
    pub minimum_tls: ViewerTlsPolicy,
}

impl<'a> CustomDomain<'a> {
    /// `names` served with `certificate`, TLS 1.2 and later.
    pub fn new<S: AsRef<str>>(
        names: impl IntoIterator<Item = S>,
        certificate: &impl ICertificate<'a>,
    ) -> CustomDomain<'a> {
        CustomDomain {
            names: names.into_iter().map(|n| n.as_ref().to_owned()).collect(),
            certificate: certificate.to_ref(),
            minimum_tls: ViewerTlsPolicy::default(),
        }
    }
}

/// Where standard (access) logs go. checkov's CKV_AWS_86 only recognises these legacy S3 logs,
/// which need a bucket with ACLs enabled.
#[derive(Debug, Clone, Copy, Default)]
pub enum DistributionLogging<'a> {
    /// To a new bucket of the distribution (`Logs`): ACLs enabled (bucket owner preferred),
    /// SSE-S3, logs expire after a year; its own access logs go to the stack's access-log
    /// bucket.
    #[default]
    NewBucket,
    /// To this bucket, under `prefix`. It must have ACLs enabled
    /// (`ObjectOwnership::BucketOwnerPreferred`) and S3-managed encryption.
    To {
        /// The bucket.
        bucket: Bucket<'a>,
        /// The key prefix (`cdn/`).
        prefix: &'a str,
    },
    /// No logs. Fails checkov's CKV_AWS_86.
    Disabled,
}

/// The WAF web ACL in front of the distribution.
#[derive(Debug, Clone, Default)]
pub enum Firewall<'a> {
    /// A new CloudFront web ACL (`WebAcl`) with the default managed rule groups. The
    /// distribution's stack must then be in us-east-1 (or have no region).
    #[default]
    NewWebAcl,
    /// This CloudFront web ACL: one of this app (`acl.to_ref()`) or an existing one
    /// ([`WebAcl::from_arn`]). A regional ACL is refused.
    WebAcl(ImportedWebAcl<'a>),
    /// No web ACL (a cost choice). Fails checkov's CKV_AWS_68: record it in
    /// `checkov-skips.txt`.
    Disabled,
}

/// The edge locations that serve the distribution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PriceClass {
    /// North America, Europe, Israel.
    PriceClass100,
    /// Also Asia, the Middle East and Africa.
    PriceClass200,
    /// Every edge location.
    #[default]
    All,
}

/// The HTTP versions viewers may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HttpVersion {
    /// HTTP/1.1 and HTTP/2.
    Http2,
    /// HTTP/1.1, HTTP/2 and HTTP/3 (QUIC).
    #[default]
    Http2And3,
}

/// A custom answer to an error from the origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorResponse {
    /// The origin's status code (400, 403, 404, 405, 414, 416, 500, 501, 502, 503, 504).
    pub error_code: u16,
    /// The status code sent to the viewer instead. Default: the origin's.
    pub response_code: Option<u16>,
    /// The page sent instead (`/index.html`), starting with `/`. Default: the origin's.
    pub response_page_path: Option<String>,
    /// Seconds the error is cached. Default: `None`: 10.
    pub caching_min_ttl_secs: Option<u32>,
}

impl ErrorResponse {
    /// The answers of a single-page app whose router runs in the browser: 403 (what S3 says
    /// through OAC for a missing key) and 404 become `page` with status 200.
    pub fn single_page_app(page: &str) -> Vec<ErrorResponse> {
        [403, 404]
            .into_iter()
            .map(|code| ErrorResponse {
                error_code: code,
                response_code: Some(200),
                response_page_path: Some(page.to_owned()),
                caching_min_ttl_secs: Some(10),
            })
            .collect()
    }
}

/// Options of a distribution.
#[derive(Debug, Clone, Default, cirrus_derive::Setters)]
pub struct DistributionProps<'a> {
    /// Behaviors for path patterns (`/static/*`, `/api/*`), matched in this order before the
    /// default behavior. Default: none.
    pub additional_behaviors: Vec<(String, Behavior<'a>)>,
    /// Custom domain names and their certificate. Default: none: the `*.cloudfront.net` name
    /// with CloudFront's default certificate, whose minimum TLS version cannot be set (checkov
    /// CKV_AWS_174 fails: record it in `checkov-skips.txt`).
    pub domain: Option<CustomDomain<'a>>,
    /// The object returned for `/` (`index.html`). Default: none.
    pub default_root_object: Option<String>,
    /// Custom error answers. Default: none.
    pub error_responses: Vec<ErrorResponse>,
    /// Where standard logs go. Default: a new bucket of the distribution.
    pub logging: DistributionLogging<'a>,
    /// The WAF web ACL. Default: a new web ACL of AWS managed rules.
    pub firewall: Firewall<'a>,
    /// The edge locations used. Default: all.
    pub price_class: PriceClass,
    /// The HTTP versions offered to viewers. Default: HTTP/2 and HTTP/3.
    pub http_version: HttpVersion,
    /// Answer over IPv6 too. Default: enabled.
    pub ipv6: Ipv6,
    /// Route origin requests through Origin Shield in this region (`us-east-1`), for every
    /// origin. Default: none.
    pub origin_shield_region: Option<String>,
    /// A comment (at most 128 characters). Default: none.
    pub comment: Option<String>,
}

/// Whether the distribution answers over IPv6.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Ipv6 {
    /// IPv4 and IPv6.
    #[default]
    Enabled,
    /// IPv4 only.
    Disabled,
}

/// What a distribution offers to the records that point at it and the jobs that invalidate
/// its cache: implemented by [`Distribution`] and by [`ImportedDistribution`].
pub trait IDistribution<'a> {
    /// The distribution's id (`E1U5RQF7T870K0`).
    fn id(&self) -> Expr<String>;

    /// The distribution's domain name (`d111111abcdef8.cloudfront.net`).
    fn domain_name(&self) -> Expr<String>;

    /// The distribution's ARN:
    /// `arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/<id>` (CloudFront is
    /// global: no region; the account is the stack's).
    fn arn(&self) -> Expr<String> {
        fns::sub(
            "arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/${Id}",
            [("Id", self.id())],
        )
    }

    /// An alias target for Route 53 `A` and `AAAA` records of the custom domain names.
    fn distribution_alias_target(&self) -> AliasTarget {
        AliasTarget {
            dns_name: self.domain_name(),
            hosted_zone_id: CLOUDFRONT_HOSTED_ZONE_ID.into(),
            evaluate_target_health: false,
        }
    }

    /// Lets `grantee` invalidate cached objects of this distribution
    /// (`cloudfront:CreateInvalidation` on its ARN), as a deployment job does after uploading
    /// new content.
    fn grant_create_invalidation(&self, grantee: &impl Grantable<'a>) {
        grantee.add_to_principal_policy(
            PolicyStatement::allow()
                .actions(["cloudfront:CreateInvalidation"])
                .resources([self.arn()]),
        );
    }
}

/// A CloudFront distribution.
#[derive(Debug, Clone, Copy)]
pub struct Distribution<'a> {
    node: Node<'a>,
    resource: ResourceRef<'a, CfnDistribution>,
}

impl<'a> Construct<'a> for Distribution<'a> {
    fn node(&self) -> Node<'a> {
        self.node
    }
}

/// The origins of a distribution, each with its id, in the order of first use.
#[derive(Default)]
struct Origins<'a> {
    list: Vec<(Origin<'a>, String)>,
}

impl<'a> Origins<'a> {
    fn id_of(&mut self, origin: &Origin<'a>) -> String {
        if let Some((_, id)) = self.list.iter().find(|(o, _)| o == origin) {
            return id.clone();
        }
        let id = format!("Origin{}", self.list.len() + 1);
        self.list.push((origin.clone(), id.clone()));
        id
    }
}

impl<'a> Distribution<'a> {
    /// A distribution whose requests go to `default_behavior` unless a path behavior of the
    /// props matches first.
    pub fn new(
        scope: impl Construct<'a>,
        id: &str,
        default_behavior: Behavior<'a>,
        props: DistributionProps<'a>,
    ) -> Distribution<'a> {
        let node = scope.node().add_child(id);
        let mut origins = Origins::default();

        let default_origin = origins.id_of(&default_behavior.origin);
        check_functions(node, "the default behavior", &default_behavior);
        let default_cache_behavior = default_cache_behavior(&default_behavior, default_origin);
        let mut patterns: Vec<&str> = Vec::new();
        let mut cache_behaviors: List<distribution::CacheBehavior> = Vec::new();
        for (pattern, behavior) in &props.additional_behaviors {
            check_functions(node, &format!("behavior \"{pattern}\""), behavior);
            if pattern.is_empty() || pattern.len() > 255 || pattern == "*" {
                node.error_with_hint(codes::cloudfront::PATH_PATTERN_INVALID,
                    format!("path pattern \"{pattern}\""),
                    "give a pattern such as \"/static/*\" (1 to 255 characters; \"*\" is the default behavior's)",
                );
            }
            if patterns.contains(&pattern.as_str()) {
                node.error(
                    codes::cloudfront::PATH_PATTERN_DUPLICATE,
                    format!("path pattern \"{pattern}\" is given twice"),
                );
            }
            patterns.push(pattern);
            let origin_id = origins.id_of(&behavior.origin);
            cache_behaviors.push(cache_behavior(pattern, behavior, origin_id).into());
        }

        let mut config = distribution::DistributionConfig {
            http_version: Some(
                match props.http_version {
                    HttpVersion::Http2 => "http2",
                    HttpVersion::Http2And3 => "http2and3",
                }
                .into(),
            ),
            ipv6_enabled: Some((props.ipv6 == Ipv6::Enabled).into()),
            price_class: Some(
                match props.price_class {
                    PriceClass::PriceClass100 => "PriceClass_100",
                    PriceClass::PriceClass200 => "PriceClass_200",
                    PriceClass::All => "PriceClass_All",
                }
                .into(),
            ),
            cache_behaviors: (!cache_behaviors.is_empty()).then(|| cache_behaviors.into()),
            ..distribution::DistributionConfig::new(default_cache_behavior, true)
        };
        if let Some(comment) = props.comment {
            if comment.len() > 128 {
                node.error(
                    codes::cloudfront::COMMENT_TOO_LONG,
                    "a distribution comment is at most 128 characters long",
                );
            }
            config.comment = Some(comment.into());
        }
        if let Some(object) = props.default_root_object {
            if object.is_empty() || object.starts_with('/') || object.len() > 255 {
                node.error_with_hint(
                    codes::cloudfront::DEFAULT_ROOT_OBJECT_INVALID,
                    format!("default root object \"{object}\""),
                    "give the object's key without a leading '/', such as \"index.html\"",
                );
            }
            config.default_root_object = Some(object.into());
        }
        config.custom_error_responses = error_responses(node, &props.error_responses);
        config.viewer_certificate =
            Some(viewer_certificate(node, props.domain.as_ref(), &mut config).into());
        config.logging = logging(node, props.logging);
        config.web_acl_id = firewall(node, props.firewall);

        let mut oac: Option<Expr<String>> = None;
        let rendered: List<distribution::Origin> = origins
            .list
            .iter()
            .map(|(origin, id)| {
                render_origin(
                    node,
                    origin,
                    id,
                    &mut oac,
                    props.origin_shield_region.as_deref(),
                )
                .into()
            })
            .collect();
        config.origins = Some(rendered.into());

        let resource = node.add("Resource", CfnDistribution::new(config));
        let this = Distribution { node, resource };
        for (origin, _) in &origins.list {
            if let Origin::S3(bucket) = origin {
                this.grant_origin_read(*bucket);
            }
        }
        this
    }

    /// Lets this distribution (and only it) read the objects of `bucket` through origin
    /// access control, and decrypt them with the bucket's customer managed key.
    fn grant_origin_read(&self, bucket: Bucket<'a>) {
        bucket.add_to_resource_policy(
            PolicyStatement::allow()
                .principal(Principal::service("cloudfront.amazonaws.com"))
                .actions(["s3:GetObject"])
                .resources([bucket.arn_for_objects("*")])
                .condition("StringEquals", "AWS:SourceArn", self.arn()),
        );
        if let Some(key) = bucket.encryption_key() {
            // The key policy cannot name this distribution: the bucket refers to the key and
            // the distribution to the bucket, so the key would depend on itself. Any
            // distribution of the account may decrypt; only this one may read the objects.
            key.add_to_resource_policy(
                PolicyStatement::allow()
                    .principal(Principal::service("cloudfront.amazonaws.com"))
                    .actions(["kms:Decrypt"])
                    .resources(["*"])
                    .condition(
                        "ArnLike",
                        "AWS:SourceArn",
                        fns::sub(
                            "arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/*",
                            [],
                        ),
                    ),
            );
        }
    }

    /// The distribution's domain name (`d111111abcdef8.cloudfront.net`).
    pub fn domain_name(&self) -> Expr<String> {
        self.resource.attrs().domain_name()
    }

    /// The distribution's id (`E1U5RQF7T870K0`).
    pub fn id(&self) -> Expr<String> {
        self.resource.ref_()
    }

    /// The distribution's ARN:
    /// `arn:${AWS::Partition}:cloudfront::${AWS::AccountId}:distribution/<id>`.
    pub fn arn(&self) -> Expr<String> {
        IDistribution::arn(self)
    }

    /// An alias target for Route 53 `A` and `AAAA` records of the custom domain names.
    pub fn alias_target(&self) -> AliasTarget {
        self.distribution_alias_target()
    }

    /// Lets `grantee` invalidate cached objects of this distribution
    /// (`cloudfront:CreateInvalidation` on its ARN).
    pub fn grant_create_invalidation(&self, grantee: &impl Grantable<'a>) {
        IDistribution::grant_create_invalidation(self, grantee);
    }

    /// The L1 resource.
    pub fn l1(&self) -> ResourceRef<'a, CfnDistribution> {
        self.resource
    }

    /// An existing distribution, by id (`E1U5RQF7T870K0`) and domain name
    /// (`d111111abcdef8.cloudfront.net`): an alias target for Route 53 records and a target of
    /// invalidation grants, as one of this app is ([`IDistribution`]). Its ARN is built in the
    /// stack's account.
    pub fn from_attributes(
        scope: impl Construct<'a>,
        id: &str,
        distribution_id: impl Into<Expr<String>>,
        domain_name: impl Into<Expr<String>>,
    ) -> ImportedDistribution<'a> {
        ImportedDistribution {
            node: scope.node().add_child(id),
            id: distribution_id.into(),
            domain_name: domain_name.into(),
        }
    }
}

impl<'a> IDistribution<'a> for Distribution<'a> {
    fn id(&self) -> Expr<String> {
        self.resource.ref_()
    }

    fn domain_name(&self) -> Expr<String> {
        self.domain_name()
    }
}

/// A distribution defined elsewhere, known by its id and domain name.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedDistribution<'a> {
    node: Node<'a>,
    id: Expr<String>,
    domain_name: Expr<String>,
}

impl<'a> Construct<'a> for ImportedDistribution<'a> {
    fn node(&self) -> Node<'a> {
        self.node
    }
}

impl ImportedDistribution<'_> {
    /// The distribution's id.
    pub fn id(&self) -> Expr<String> {
        self.id.clone()
    }

    /// The distribution's domain name.
    pub fn domain_name(&self) -> Expr<String> {
        self.domain_name.clone()
    }

    /// The distribution's ARN, in the stack's account.
    pub fn arn(&self) -> Expr<String> {
        IDistribution::arn(self)
    }

    /// An alias target for Route 53 `A` and `AAAA` records.
    pub fn alias_target(&self) -> AliasTarget {
        IDistribution::distribution_alias_target(self)
    }
}

impl<'a> IDistribution<'a> for ImportedDistribution<'a> {
    fn id(&self) -> Expr<String> {
        self.id.clone()
    }

    fn domain_name(&self) -> Expr<String> {
        self.domain_name.clone()
    }
}

fn methods(allowed: AllowedMethods) -> (Vec<&'static str>, Vec<&'static str>) {
    let allowed = match allowed {
        AllowedMethods::GetHead => vec!["GET", "HEAD"],
        AllowedMethods::GetHeadOptions => vec!["GET", "HEAD", "OPTIONS"],
        AllowedMethods::All => vec!["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"],
    };
    (allowed, vec!["GET", "HEAD"])
}

fn viewer_protocol(p: ViewerProtocol) -> &'static str {
    match p {
        ViewerProtocol::RedirectToHttps => "redirect-to-https",
        ViewerProtocol::HttpsOnly => "https-only",
    }
}

fn default_cache_behavior(
    b: &Behavior<'_>,
    origin_id: String,
) -> distribution::DefaultCacheBehavior {
    let (allowed, cached) = methods(b.allowed_methods);
    distribution::DefaultCacheBehavior {
        allowed_methods: Some(allowed.into()),
        cached_methods: Some(cached.into()),
        cache_policy_id: Some(b.cache_policy_id.clone()),
        origin_request_policy_id: b.origin_request_policy_id.clone(),
        response_headers_policy_id: b.response_headers_policy_id.clone(),
        compress: Some(b.compress.into()),
        function_associations: function_associations(b),
        ..distribution::DefaultCacheBehavior::new(origin_id, viewer_protocol(b.viewer_protocol))
    }
}

fn cache_behavior(
    pattern: &str,
    b: &Behavior<'_>,
    origin_id: String,
) -> distribution::CacheBehavior {
    let (allowed, cached) = methods(b.allowed_methods);
    distribution::CacheBehavior {
        allowed_methods: Some(allowed.into()),
        cached_methods: Some(cached.into()),
        cache_policy_id: Some(b.cache_policy_id.clone()),
        origin_request_policy_id: b.origin_request_policy_id.clone(),
        response_headers_policy_id: b.response_headers_policy_id.clone(),
        compress: Some(b.compress.into()),
        function_associations: function_associations(b),
        ..distribution::CacheBehavior::new(pattern, origin_id, viewer_protocol(b.viewer_protocol))
    }
}

fn function_associations(
    b: &Behavior<'_>,
) -> Option<Expr<List<distribution::FunctionAssociation>>> {
    if b.functions.is_empty() {
        return None;
    }
    let list: List<distribution::FunctionAssociation> = b
        .functions
        .iter()
        .map(|(event, arn)| {
            distribution::FunctionAssociation {
                event_type: Some(event.as_str().into()),
                function_arn: Some(arn.clone()),
            }
            .into()
        })
        .collect();
    Some(list.into())
}

/// A behaviour runs at most one function per event.
fn check_functions(node: Node<'_>, what: &str, b: &Behavior<'_>) {
    for (i, (event, _)) in b.functions.iter().enumerate() {
        if b.functions[..i].iter().any(|(e, _)| e == event) {
            node.error(
                codes::cloudfront::FUNCTION_EVENT_TWICE,
                format!(
                    "{what} has two functions for {}; CloudFront runs one per event: combine them",
                    event.as_str()
                ),
            );
        }
    }
}

const ERROR_CODES: [u16; 11] = [400, 403, 404, 405, 414, 416, 500, 501, 502, 503, 504];

fn error_responses(
    node: Node<'_>,
    responses: &[ErrorResponse],
) -> Option<Expr<List<distribution::CustomErrorResponse>>> {
    let mut seen = Vec::new();
    let rendered: List<distribution::CustomErrorResponse> = responses
        .iter()
        .map(|r| {
            if !ERROR_CODES.contains(&r.error_code) {
                node.error(codes::cloudfront::ERROR_STATUS_UNSUPPORTED, format!(
                    "CloudFront cannot customise the answer to status {}; it can for {ERROR_CODES:?}",
                    r.error_code
                ));
            }
            if seen.contains(&r.error_code) {
                node.error(codes::cloudfront::ERROR_RESPONSE_DUPLICATE, format!("status {} has two error responses", r.error_code));
            }
            seen.push(r.error_code);
            if let Some(code) = r.response_code
                && code != 200
                && !ERROR_CODES.contains(&code)
            {
                node.error(codes::cloudfront::ERROR_STATUS_UNSUPPORTED, format!(
                    "CloudFront cannot answer with status {code}; it can with 200 or {ERROR_CODES:?}"
                ));
            }
            if r.response_code.is_some() != r.response_page_path.is_some() {
                node.error_with_hint(codes::cloudfront::ERROR_RESPONSE_INCOMPLETE,
                    format!("the error response for status {} has a response code or a page, not both", r.error_code),
                    "give response_code and response_page_path together",
                );
            }
            if let Some(path) = &r.response_page_path
                && (!path.starts_with('/') || path.len() > 4096)
            {
                node.error(codes::cloudfront::ERROR_PAGE_PATH_INVALID, format!(
                    "error page \"{path}\" must start with '/'"
                ));
            }
            distribution::CustomErrorResponse {
                response_code: r.response_code.map(|c| i64::from(c).into()),
                response_page_path: r.response_page_path.clone().map(Into::into),
                error_caching_min_ttl: r
                    .caching_min_ttl_secs
                    .map(|s| Expr::lit(f64::from(s))),
                ..distribution::CustomErrorResponse::new(i64::from(r.error_code))
            }
            .into()
        })
        .collect();
    (!rendered.is_empty()).then(|| rendered.into())
}

fn viewer_certificate(
    node: Node<'_>,
    domain: Option<&CustomDomain<'_>>,
    config: &mut distribution::DistributionConfig,
) -> distribution::ViewerCertificate {
    let Some(domain) = domain else {
        return distribution::ViewerCertificate {
            cloud_front_default_certificate: Some(true.into()),
            ..Default::default()
        };
    };
    domain.certificate.check_for_cloudfront(node);
    if domain.names.is_empty() {
        node.error_with_hint(
            codes::cloudfront::DOMAIN_WITHOUT_NAMES,
            "a custom domain needs at least one name",
            "list the names the distribution answers to, such as \"www.example.com\"",
        );
    }
    let mut names: List<String> = Vec::new();
    for raw in &domain.names {
        match normalize(raw, NameKind::Host) {
            Ok(name) => names.push(name.into()),
            Err(problem) => {
                node.error(codes::cloudfront::ALIAS_INVALID, format!("alias {problem}"))
            }
        }
    }
    if !domain.minimum_tls.is_modern() {
        node.error_with_hint(
            codes::cloudfront::VIEWER_TLS_OUTDATED,
            format!(
                "viewer TLS policy \"{}\" accepts TLS versions before 1.2",
                domain.minimum_tls.name()
            ),
            "use ViewerTlsPolicy::Tls12_2021 (TLSv1.2_2021)",
        );
    }
    config.aliases = Some(names.into());
    distribution::ViewerCertificate {
        acm_certificate_arn: Some(domain.certificate.arn()),
        ssl_support_method: Some("sni-only".into()),
        minimum_protocol_version: Some(domain.minimum_tls.name().to_owned().into()),
        ..Default::default()
    }
}

fn logging(
    node: Node<'_>,
    logging: DistributionLogging<'_>,
) -> Option<Expr<distribution::Logging>> {
    let (bucket, prefix) = match logging {
        DistributionLogging::NewBucket => {
            let bucket = Bucket::new(
                node,
                "Logs",
                BucketProps {
                    object_ownership: ObjectOwnership::BucketOwnerPreferred,
                    lifecycle_rules: vec![LifecycleRule {
                        id: Some("ExpireLogs".into()),
                        expiration_days: Some(365),
                        noncurrent_version_expiration_days: Some(30),
                        abort_incomplete_upload_days: Some(7),
                        ..Default::default()
                    }],
                    ..Default::default()
                },
            );
            (bucket, None)
        }
        DistributionLogging::To { bucket, prefix } => {
            if !s3_facts::acls_enabled(&bucket) {
                node.error_with_hint(codes::cloudfront::LOG_BUCKET_WITHOUT_ACLS,
                    format!(
                        "CloudFront standard logs cannot go to {}: its ACLs are disabled",
                        bucket.node().path()
                    ),
                    "create the log bucket with object_ownership: ObjectOwnership::BucketOwnerPreferred",
                );
            }
            if s3_facts::sse(&bucket) != Sse::S3Managed {
                node.error_with_hint(
                    codes::cloudfront::LOG_BUCKET_KMS,
                    format!(
                        "CloudFront standard logs cannot go to {}: it is encrypted with KMS",
                        bucket.node().path()
                    ),
                    "give the log bucket S3-managed encryption (BucketEncryption::S3Managed)",
                );
            }
            (bucket, Some(prefix))
        }
        DistributionLogging::Disabled => return None,
    };
    Some(
        distribution::Logging {
            bucket: Some(bucket.regional_domain_name()),
            include_cookies: Some(false.into()),
            prefix: prefix.map(Into::into),
        }
        .into(),
    )
}

fn firewall(node: Node<'_>, firewall: Firewall<'_>) -> Option<Expr<String>> {
    match firewall {
        Firewall::NewWebAcl => Some(
            WebAcl::new(
                node,
                "WebAcl",
                WebAclScope::CloudFront,
                WebAclProps::default(),
            )
            .arn(),
        ),
        Firewall::WebAcl(acl) => {
            if acl.web_acl_scope() == Some(WebAclScope::Regional) {
                node.error_with_hint(
                    codes::cloudfront::WEB_ACL_REGIONAL,
                    format!(
                        "web ACL {} is regional; a distribution needs a CloudFront web ACL",
                        acl.label()
                    ),
                    "create it with WebAclScope::CloudFront, in us-east-1",
                );
            }
            Some(acl.arn())
        }
        Firewall::Disabled => None,
    }
}

fn render_origin<'a>(
    node: Node<'a>,
    origin: &Origin<'a>,
    id: &str,
    oac: &mut Option<Expr<String>>,
    shield_region: Option<&str>,
) -> distribution::Origin {
    let mut rendered = match origin {
        Origin::S3(bucket) => {
            check_s3_origin(node, bucket);
            let oac_id = oac
                .get_or_insert_with(|| origin_access_control(node))
                .clone();
            distribution::Origin {
                s3_origin_config: Some(
                    distribution::S3OriginConfig {
                        origin_access_identity: Some("".into()),
                        ..Default::default()
                    }
                    .into(),
                ),
                origin_access_control_id: Some(oac_id),
                ..distribution::Origin::new(bucket.regional_domain_name(), id)
            }
        }
        Origin::Http(http) => render_http_origin(node, http, id),
    };
    if let Some(region) = shield_region {
        rendered.origin_shield = Some(
            distribution::OriginShield {
                enabled: Some(true.into()),
                origin_shield_region: Some(region.into()),
            }
            .into(),
        );
    }
    rendered
}

fn render_http_origin(node: Node<'_>, http: &HttpOrigin, id: &str) -> distribution::Origin {
    if let Some(secs) = http.read_timeout_secs
        && !(1..=120).contains(&secs)
    {
        node.error(
            codes::cloudfront::ORIGIN_TIMEOUT_OUT_OF_RANGE,
            format!("origin read timeout of {secs} seconds; CloudFront accepts 1 to 120"),
        );
    }
    if let Some(path) = &http.origin_path
        && (!path.starts_with('/') || path.ends_with('/'))
    {
        node.error(
            codes::cloudfront::ORIGIN_PATH_INVALID,
            format!("origin path \"{path}\" must start with '/' and not end with one"),
        );
    }
    if let Some(literal) = http.domain_name.as_literal()
        && let Err(problem) = normalize(literal, NameKind::Host)
    {
        node.error(
            codes::cloudfront::ORIGIN_DOMAIN_INVALID,
            format!("origin domain {problem}"),
        );
    }
    let headers: List<distribution::OriginCustomHeader> = http
        .custom_headers
        .iter()
        .map(|(k, v)| distribution::OriginCustomHeader::new(k.as_str(), v.as_str()).into())
        .collect();
    let custom = distribution::CustomOriginConfig {
        https_port: Some(i64::from(http.https_port).into()),
        http_port: Some(i64::from(http.http_port).into()),
        origin_ssl_protocols: Some(vec!["TLSv1.2"].into()),
        origin_read_timeout: http.read_timeout_secs.map(|s| i64::from(s).into()),
        ..distribution::CustomOriginConfig::new(match http.protocol {
            OriginProtocol::HttpsOnly => "https-only",
            OriginProtocol::HttpOnly => "http-only",
        })
    };
    distribution::Origin {
        custom_origin_config: Some(custom.into()),
        origin_path: http.origin_path.clone().map(Into::into),
        origin_custom_headers: (!headers.is_empty()).then(|| headers.into()),
        ..distribution::Origin::new(http.domain_name.clone(), id)
    }
}

/// Refuses S3 origins CloudFront could not read, or whose policy would make a cycle.
fn check_s3_origin(node: Node<'_>, bucket: &Bucket<'_>) {
    if bucket.node().stack() != node.stack() {
        node.error_with_hint(codes::cloudfront::S3_ORIGIN_IN_OTHER_STACK,
            format!(
                "the origin bucket {} is in another stack than the distribution",
                bucket.node().path()
            ),
            "keep an S3 origin in the distribution's stack: its bucket policy names the distribution, which names the bucket",
        );
    }
    if s3_facts::sse(bucket) == Sse::AwsManagedKms {
        node.error_with_hint(codes::cloudfront::S3_ORIGIN_UNREADABLE,
            format!(
                "CloudFront cannot read {}: its objects are encrypted with the AWS managed key aws/s3, whose policy cannot admit CloudFront",
                bucket.node().path()
            ),
            "use S3-managed encryption, or a customer managed key (BucketEncryption::Kms), for an S3 origin",
        );
    }
}

/// The distribution's origin access control (`OriginAccessControl`), shared by its S3
/// origins. Its name is unique per account, so it carries the stack, the path and the region.
fn origin_access_control(node: Node<'_>) -> Expr<String> {
    let path = node.path();
    let mut readable = strip_non_alphanumeric(&path);
    readable.truncate(32);
    let hash = path_hash(&[node.stack().stack_name(), path.clone()]);
    let name = fns::sub(&format!("{readable}-{hash}-${{AWS::Region}}"), []);
    let config = origin_access_control::OriginAccessControlConfig {
        description: Some(format!("S3 origins of {path}").into()),
        ..origin_access_control::OriginAccessControlConfig::new(name, "s3", "always", "sigv4")
    };
    node.add("OriginAccessControl", CfnOriginAccessControl::new(config))
        .attrs()
        .id()
}
