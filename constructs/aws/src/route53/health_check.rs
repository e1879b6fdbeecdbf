//! `HealthCheck`: a Route 53 health check of an endpoint, for failover records.

use cirrus_cfn::route53::{CfnHealthCheck, health_check};
use cirrus_core::{Construct, Expr, Node, ResourceRef};

use crate::codes;

/// What the health check probes.
#[derive(Debug, Clone, PartialEq)]
pub enum HealthCheckEndpoint {
    /// An HTTPS request to `domain` (with SNI) on `port` for `path`; healthy on a 2xx or 3xx
    /// answer within 4 seconds.
    Https {
        /// The host name to connect to and send as SNI and `Host`.
        domain: Expr<String>,
        /// The path requested, starting with `/`.
        path: String,
        /// The port.
        port: u16,
    },
    /// A TCP connection to `domain` on `port`.
    Tcp {
        /// The host name to connect to.
        domain: Expr<String>,
        /// The port.
        port: u16,
    },
}

impl HealthCheckEndpoint {
    /// HTTPS on port 443 for `path`.
    pub fn https(domain: impl Into<Expr<String>>, path: &str) -> HealthCheckEndpoint {
        HealthCheckEndpoint::Https {
            domain: domain.into(),
            path: path.to_owned(),
            port: 443,
        }
    }
}

/// Options of a health check.
#[derive(Debug, Clone, cirrus_derive::Setters)]
pub struct HealthCheckProps {
    /// Consecutive failures (or successes) before the status changes, 1 to 10. Default: 3.
    pub failure_threshold: u8,
    /// Probe every 10 seconds instead of 30 (costs more). Default: `false`.
    pub fast_interval: bool,
    /// Record the latency of each probe in CloudWatch. Default: `false`.
    pub measure_latency: bool,
}

impl Default for HealthCheckProps {
    fn default() -> Self {
        HealthCheckProps {
            failure_threshold: 3,
            fast_interval: false,
            measure_latency: false,
        }
    }
}

/// A Route 53 health check. Failover records name it so that Route 53 answers with the
/// secondary record while the primary endpoint is unhealthy. Plain HTTP is not offered: the
/// probe would travel in clear text to an endpoint that should not answer it.
#[derive(Debug, Clone, Copy)]
pub struct HealthCheck<'a> {
    node: Node<'a>,
    resource: ResourceRef<'a, CfnHealthCheck>,
}

impl<'a> Construct<'a> for HealthCheck<'a> {
    fn node(&self) -> Node<'a> {
        self.node
    }
}

impl<'a> HealthCheck<'a> {
    /// A health check of `endpoint`.
    pub fn new(
        scope: impl Construct<'a>,
        id: &str,
        endpoint: HealthCheckEndpoint,
        props: HealthCheckProps,
    ) -> HealthCheck<'a> {
        let node = scope.node().add_child(id);
        if !(1..=10).contains(&props.failure_threshold) {
            node.error(
                codes::route53::FAILURE_THRESHOLD_OUT_OF_RANGE,
                format!(
                    "failure_threshold is {}; Route 53 accepts 1 to 10",
                    props.failure_threshold
                ),
            );
        }
        let mut config = match endpoint {
            HealthCheckEndpoint::Https { domain, path, port } => {
                if !path.starts_with('/') || path.len() > 255 {
                    node.error(codes::route53::HEALTH_CHECK_PATH_INVALID, format!(
                        "health check path \"{path}\" must start with '/' and be at most 255 characters long"
                    ));
                }
                health_check::HealthCheckConfig {
                    fully_qualified_domain_name: Some(domain),
                    resource_path: Some(path.into()),
                    port: Some(i64::from(port).into()),
                    enable_sni: Some(true.into()),
                    ..health_check::HealthCheckConfig::new(
                        health_check::HealthCheckConfigType::Https,
                    )
                }
            }
            HealthCheckEndpoint::Tcp { domain, port } => health_check::HealthCheckConfig {
                fully_qualified_domain_name: Some(domain),
                port: Some(i64::from(port).into()),
                ..health_check::HealthCheckConfig::new(health_check::HealthCheckConfigType::Tcp)
            },
        };
        config.failure_threshold = Some(i64::from(props.failure_threshold).into());
        let interval: i64 = if props.fast_interval { 10 } else { 30 };
        config.request_interval = Some(interval.into());
        config.measure_latency = props.measure_latency.then(|| true.into());
        let resource = node.add("Resource", CfnHealthCheck::new(config));
        HealthCheck { node, resource }
    }

    /// The health check id, for a record's routing.
    pub fn id(&self) -> Expr<String> {
        self.resource.attrs().health_check_id()
    }

    /// The L1 resource.
    pub fn l1(&self) -> ResourceRef<'a, CfnHealthCheck> {
        self.resource
    }
}
