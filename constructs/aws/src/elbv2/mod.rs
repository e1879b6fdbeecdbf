//! Elastic Load Balancing v2: application load balancers, their listeners and target groups.

mod listener;
mod load_balancer;
mod target_group;

pub use listener::{
    Listener, ListenerAction, ListenerProps, ListenerProtocol, Redirect, SslPolicy,
};
pub use load_balancer::{
    ApplicationLoadBalancer, ApplicationLoadBalancerProps, DesyncMitigation, LoadBalancerLogs,
    Scheme,
};
pub use target_group::{
    HealthCheck, ProtocolVersion, TargetGroup, TargetGroupProps, TargetProtocol, TargetType,
};
