//! Errors of the EC2 networking constructs.

mod fixtures;

use cirrus_aws::ec2::{Peer, Port, SecurityGroup, SecurityGroupProps};
use cirrus_core::{App, StackProps};

#[test]
fn dangerous_or_undescribed_rules_are_refused() {
    let app = App::new("t");
    let stack = app.stack("S", StackProps::default());
    let sg = SecurityGroup::new(
        stack,
        "Sg",
        &fixtures::network::imported_vpc(stack),
        "test",
        SecurityGroupProps::default(),
    );
    sg.add_ingress_rule(Peer::AnyIpv4, Port::Tcp(22), "ssh");
    sg.add_ingress_rule(Peer::AnyIpv6, Port::AllTraffic, "everything");
    sg.add_ingress_rule(Peer::Ipv4("10.0.0.0/33".into()), Port::Tcp(443), "bad cidr");
    sg.add_ingress_rule(Peer::Ipv4("10.0.0.0/8".into()), Port::Tcp(443), " ");
    let errs: Vec<String> = app
        .synth()
        .unwrap_err()
        .diagnostics
        .errors()
        .map(|d| format!("{}: {}", d.path, d.message))
        .collect();
    for needle in [
        "S/Sg: ingress from 0.0.0.0/0 includes SSH (port 22)",
        "S/Sg: ingress from ::/0 includes RDP (port 3389)",
        "S/Sg: \"10.0.0.0/33\" is not an IPv4 CIDR block",
        "S/Sg: a security-group rule needs a description",
    ] {
        assert!(
            errs.iter().any(|e| e.contains(needle)),
            "{needle}\n{errs:#?}"
        );
    }
}
