//! Elastic Load Balancing v2: application load balancers, their listeners and target groups.
//!
//! Existing ones are imported: a load balancer by its attributes
//! ([`ApplicationLoadBalancer::from_attributes`]), as an alias target or a CloudFront origin
//! ([`ILoadBalancer`]); a listener by ARN ([`Listener::from_arn`], [`IListener`]); a target
//! group by ARN ([`TargetGroup::from_arn`]), which a listener of this app forwards to like one
//! of its own ([`TargetGroupRef`]).

mod listener;
mod load_balancer;
mod quotas;
mod target_group;

pub use listener::{
    IListener, ImportedListener, Listener, ListenerAction, ListenerProps, ListenerProtocol,
    Redirect, SslPolicy,
};
pub use load_balancer::{
    ApplicationLoadBalancer, ApplicationLoadBalancerProps, DesyncMitigation, ILoadBalancer,
    ImportedApplicationLoadBalancer, LoadBalancerAttributes, LoadBalancerLogs, Scheme,
};
pub use target_group::{
    HealthCheck, ITargetGroup, ImportedTargetGroup, ProtocolVersion, TargetGroup, TargetGroupProps,
    TargetGroupRef, TargetProtocol, TargetType,
};
