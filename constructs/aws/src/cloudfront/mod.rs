//! CloudFront: distributions in front of S3 buckets (through origin access control) and HTTP
//! origins such as load balancers.

mod distribution;
mod origin;
mod policies;
pub(crate) mod s3_facts;

pub use distribution::{
    AllowedMethods, Behavior, CustomDomain, Distribution, DistributionLogging, DistributionProps,
    ErrorResponse, Firewall, HttpVersion, Ipv6, PriceClass, ViewerProtocol, ViewerTlsPolicy,
};
pub use origin::{HttpOrigin, Origin, OriginProtocol};
pub use policies::{cache, origin_request, response_headers};
