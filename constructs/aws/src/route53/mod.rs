//! Route 53: hosted zones, record sets with their routing policies, and health checks.
//!
//! Names are checked when the construct is built: a record must lie in its zone, a CNAME
//! cannot sit at the apex, a primary failover record needs a way to be found unhealthy.

mod health_check;
mod hosted_zone;
pub(crate) mod names;
mod record_set;

pub use health_check::{HealthCheck, HealthCheckEndpoint, HealthCheckProps};
pub use hosted_zone::{HostedZone, HostedZoneProps, IHostedZone, ImportedHostedZone};
pub use record_set::{
    AliasTarget, FailoverRole, GeoLocation, RecordSet, RecordSetProps, RecordTarget, Routing,
};

/// The hosted zone id of every CloudFront distribution, for alias records.
pub const CLOUDFRONT_HOSTED_ZONE_ID: &str = "Z2FDTNDATAQYW2";
