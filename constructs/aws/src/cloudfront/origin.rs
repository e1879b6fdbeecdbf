//! Where a distribution fetches what it serves.

use cirrus_core::Expr;

use crate::s3::Bucket;

/// The protocol CloudFront speaks to an HTTP origin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OriginProtocol {
    /// HTTPS only, TLS 1.2 (checkov CKV2_AWS_72). The origin's certificate must match the
    /// origin domain name.
    #[default]
    HttpsOnly,
    /// Plain HTTP: requests cross the internet unencrypted between CloudFront and the origin.
    /// Only for origins that cannot serve TLS.
    HttpOnly,
}

/// An origin reached over HTTP(S) by domain name: a load balancer, API Gateway, any web
/// server.
///
/// CloudFront checks the origin's certificate against `domain_name`, and a load balancer's
/// own DNS name (`ApplicationLoadBalancer::dns_name()`) is not on any certificate you can get:
/// point a name of your zone at the load balancer (an alias record), put that name on the
/// listener's certificate, and give that name here.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpOrigin {
    /// The origin's domain name.
    pub domain_name: Expr<String>,
    /// The protocol to the origin. Default: HTTPS only, TLS 1.2.
    pub protocol: OriginProtocol,
    /// The HTTPS port. Default: 443.
    pub https_port: u16,
    /// The HTTP port. Default: 80.
    pub http_port: u16,
    /// A path prepended to every request (`/api`). Default: none.
    pub origin_path: Option<String>,
    /// Seconds CloudFront waits for a response, 1 to 120. Default: `None`: 30.
    pub read_timeout_secs: Option<u32>,
    /// Headers added to every origin request (a shared secret the origin checks, so that it
    /// only answers CloudFront). Default: none.
    pub custom_headers: Vec<(String, String)>,
}

impl HttpOrigin {
    /// An HTTPS origin at `domain_name`.
    pub fn new(domain_name: impl Into<Expr<String>>) -> HttpOrigin {
        HttpOrigin {
            domain_name: domain_name.into(),
            protocol: OriginProtocol::HttpsOnly,
            https_port: 443,
            http_port: 80,
            origin_path: None,
            read_timeout_secs: None,
            custom_headers: Vec::new(),
        }
    }
}

/// Where a behavior's requests go.
#[derive(Debug, Clone)]
pub enum Origin<'a> {
    /// A private S3 bucket, read through origin access control: CloudFront signs its requests
    /// and the bucket policy lets only this distribution read objects. The bucket must be in
    /// the distribution's stack (its policy names the distribution); a bucket encrypted with a
    /// customer managed key also gets a key policy statement for CloudFront.
    S3(Bucket<'a>),
    /// An HTTP(S) origin.
    Http(HttpOrigin),
}

impl PartialEq for Origin<'_> {
    fn eq(&self, other: &Self) -> bool {
        use cirrus_core::Construct;
        match (self, other) {
            (Origin::S3(a), Origin::S3(b)) => a.node() == b.node(),
            (Origin::Http(a), Origin::Http(b)) => a == b,
            _ => false,
        }
    }
}
