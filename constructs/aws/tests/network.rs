//! Errors of the EC2 networking constructs.

mod fixtures;

use cirrus_aws::ec2::{ISecurityGroup, Peer, Port, SecurityGroup, SecurityGroupProps};
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

/// EC2 refuses an apostrophe (and anything outside its character set) in a group's or a rule's
/// description, at deploy time; synthesis finds it with the path. The same texts without it
/// synthesize.
#[test]
fn descriptions_ec2_would_refuse_fail_synth() {
    let build = |group: &str, rule: &str, api: &str| {
        let app = App::new("t");
        let stack = app.stack("S", StackProps::default());
        let vpc = fixtures::network::imported_vpc(stack);
        let sg = SecurityGroup::new(stack, "Sg", &vpc, group, SecurityGroupProps::default());
        sg.add_ingress_rule(Peer::Ipv4("10.0.0.0/8".into()), Port::Tcp(443), rule);
        let cluster = cirrus_aws::eks::Cluster::new(
            stack,
            "Cluster",
            &vpc,
            cirrus_aws::eks::ClusterProps::default(),
        );
        cluster.allow_api_from("Ci", Peer::SecurityGroup(sg.id()), api);
        app.synth()
    };
    let errors = build(
        "the builds' group",
        "from the VPC's clients",
        "the pipeline's builds",
    )
    .unwrap_err()
    .diagnostics;
    let found: Vec<(&str, &str)> = errors
        .errors()
        .filter(|d| d.code.id() == "EC2-022")
        .map(|d| (d.path.as_str(), d.message.as_str()))
        .collect();
    assert_eq!(found.len(), 3, "{errors:#?}");
    let at = |path: &str| found.iter().filter(|(p, _)| *p == path).count();
    assert_eq!((at("S/Sg"), at("S/Cluster")), (2, 1), "{found:?}");
    assert!(
        found.iter().all(|(_, m)| m.contains("holds '\''")),
        "{found:?}"
    );
    assert!(
        build(
            "the builds",
            "from clients of the VPC",
            "the pipeline builds"
        )
        .is_ok()
    );
}

/// A group takes 60 rules per direction and address family by default: the 61st inbound IPv4
/// rule fails synth, where EC2 would fail the update; 60 pass.
#[test]
fn rules_beyond_the_quota_fail_synth() {
    let with = |count: u8| {
        let app = App::new("t");
        let stack = app.stack("S", StackProps::default());
        let vpc = fixtures::network::imported_vpc(stack);
        let sg = SecurityGroup::new(
            stack,
            "Sg",
            &vpc,
            "many clients",
            SecurityGroupProps::default(),
        );
        for i in 0..count {
            sg.add_ingress_rule(
                Peer::Ipv4(format!("10.0.{i}.0/24")),
                Port::Tcp(443),
                "a client network",
            );
        }
        app.synth()
            .err()
            .map(|e| {
                e.diagnostics
                    .errors()
                    .filter(|d| d.code.id() == "EC2-023" && d.path == "S/Sg")
                    .count()
            })
            .unwrap_or(0)
    };
    assert_eq!(with(60), 0);
    assert_eq!(with(61), 1);
}
