//! CloudFront: distributions in front of S3 buckets (through origin access control) and HTTP
//! origins such as load balancers.
//!
//! An existing distribution is imported by id and domain name
//! ([`Distribution::from_attributes`]): an alias target and a target of
//! [`IDistribution::grant_create_invalidation`], as a distribution of this app is. An existing
//! web ACL goes in front of a distribution with
//! [`Firewall::WebAcl`]`(`[`WebAcl::from_arn`](crate::wafv2::WebAcl::from_arn)`(..))`.

mod distribution;
mod function;
mod origin;
mod policies;
pub(crate) mod s3_facts;

pub use distribution::{
    AllowedMethods, Behavior, CustomDomain, Distribution, DistributionLogging, DistributionProps,
    ErrorResponse, Firewall, HttpVersion, IDistribution, ImportedDistribution, Ipv6, PriceClass,
    ViewerProtocol, ViewerTlsPolicy,
};
pub use function::{
    Function, FunctionCode, FunctionEvent, FunctionProps, KeyValueStore, KeyValueStoreProps,
};
pub use origin::{HttpOrigin, Origin, OriginProtocol};
pub use policies::{cache, origin_request, response_headers};
