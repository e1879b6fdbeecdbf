//! The API's public endpoint, in `EksCluster`: `https://<API_DOMAIN>`, an application load
//! balancer with a certificate for that name, whose target group the AWS Load Balancer
//! Controller fills with the API's pods (a `TargetGroupBinding` the `app_api` pipeline applies
//! with the API).
//!
//! 000 exposes the API through a NodePort and notes that production needs a load balancer; a
//! `LoadBalancer` Service would let Kubernetes make one, without TLS and under a name known only
//! after the first deploy, which the front end's build then has to be given by hand. Here the
//! load balancer is the stack's: TLS 1.2 and later with an ACM certificate, and a name fixed in
//! [`config::API_DOMAIN`], which the front end's build reads from the start.
//!
//! [`config::API_DOMAIN`]: super::config::API_DOMAIN

use cirrus_aws::certificatemanager::{Certificate, CertificateProps, CertificateValidation};
use cirrus_aws::ec2::{ISecurityGroup, Peer, Port, Vpc};
use cirrus_aws::eks::Cluster;
use cirrus_aws::elbv2::{
    ApplicationLoadBalancer, ApplicationLoadBalancerProps, HealthCheck, ListenerAction,
    ListenerProps, ListenerProtocol, Scheme, TargetGroup, TargetGroupProps,
};
use cirrus_aws::iam::{Principal, Role, RoleProps};
use cirrus_aws::prelude::*;
use cirrus_aws::route53::{HostedZone, RecordSet, RecordSetProps, RecordTarget};
use cirrus_cfn::ec2::CfnSecurityGroupIngress;

use super::config::{API_DOMAIN, API_HEALTH_PATH, API_PORT, CLUSTER_NAME, HOSTED_ZONE, REGION};
use crate::load_balancer_controller;

/// The API's load balancer, certificate and record; returns the target group its pods are
/// bound to.
pub fn define<'a>(stack: Stack<'a>, vpc: &Vpc<'a>, cluster: &Cluster<'a>) -> TargetGroup<'a> {
    let (zone_id, zone_name) = HOSTED_ZONE;
    let zone = HostedZone::from_attributes(stack, "HostedZone", zone_id, zone_name);
    let certificate = Certificate::new(
        stack,
        "ApiCert",
        API_DOMAIN,
        CertificateValidation::Dns(zone.clone()),
        CertificateProps::default(),
    );
    let alb = ApplicationLoadBalancer::new(
        stack,
        "ApiAlb",
        vpc,
        // Outbound only towards the pods, below.
        ApplicationLoadBalancerProps::default()
            .scheme(Scheme::InternetFacing)
            .egress_to_vpc(false),
    );
    let port = u16::try_from(API_PORT).unwrap_or(5000);
    let api = TargetGroup::new(
        stack,
        "ApiTargets",
        vpc,
        port,
        TargetGroupProps::default()
            .health_check(
                HealthCheck::default()
                    .path(API_HEALTH_PATH)
                    .healthy_codes("200-399"),
            )
            .deregistration_delay_secs(30),
    );
    alb.add_listener(
        "Https",
        ListenerProtocol::https(vec![certificate.to_ref()]),
        ListenerAction::forward(api),
        ListenerProps::default(),
    );
    // The pods have the cluster security group: the load balancer reaches them on the API's
    // port, and nothing else.
    let pods = cluster.cluster_security_group_id();
    alb.security_group().add_egress_rule(
        Peer::SecurityGroup(pods.clone()),
        Port::Tcp(port),
        "to the pods of the API",
    );
    stack.add(
        "ApiAlbToPods",
        CfnSecurityGroupIngress {
            group_id: Some(pods),
            source_security_group_id: Some(alb.security_group().id()),
            from_port: Some(i64::from(port).into()),
            to_port: Some(i64::from(port).into()),
            description: Some("the API's load balancer to the pods of the API".into()),
            ..CfnSecurityGroupIngress::new("tcp")
        },
    );
    RecordSet::new(
        stack,
        "ApiRecord",
        &zone,
        API_DOMAIN,
        RecordTarget::AliasA(alb.alias_target()),
        RecordSetProps::default(),
    );

    let controller = Role::new(
        stack,
        "LoadBalancerControllerRole",
        Principal::service("pods.eks.amazonaws.com"),
        RoleProps::default().description(
            "the AWS Load Balancer Controller: binds the API's pods to its target group",
        ),
    );
    load_balancer_controller::install(
        cluster,
        &controller,
        vec![api.arn()],
        (CLUSTER_NAME, REGION, vpc.id()),
    );
    stack
        .add_output("ApiUrl", format!("https://{API_DOMAIN}"))
        .description("what the front end calls");
    api
}
