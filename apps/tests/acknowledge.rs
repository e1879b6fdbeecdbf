//! An app acknowledges a secure-default error by its code, with a reason, and the reviewer
//! finds the acknowledgement in `tree.json`. The guide ("Diagnostic codes and
//! acknowledgements") quotes this test.

use cirrus_aws::codes;
use cirrus_aws::ec2::{Peer, Port, SecurityGroup, SecurityGroupProps, Vpc, VpcProps};
use cirrus_core::assertions::Annotations;
use cirrus_core::{App, Construct, StackProps};

#[test]
fn ssh_from_the_internet_needs_an_acknowledgement_with_a_reason() {
    let app = App::new("bastion");
    let stack = app.stack("Bastion", StackProps::default());
    let vpc = Vpc::new(stack, "Vpc", VpcProps::default());
    let group = SecurityGroup::new(
        stack,
        "BreakGlass",
        &vpc,
        "SSH for incident response",
        SecurityGroupProps::default(),
    );
    group.add_ingress_rule(
        Peer::AnyIpv4,
        Port::Tcp(22),
        "on-call engineers, from anywhere",
    );
    Annotations::from_app(&app)
        .has_error_code("Bastion/BreakGlass", codes::ec2::SG_ADMIN_PORTS_OPEN);

    group.node().acknowledge(
        codes::ec2::SG_ADMIN_PORTS_OPEN,
        "break-glass access for incidents; the instance behind it is stopped otherwise",
    );
    let out = app.synth().expect("acknowledged, the app synthesizes");
    let acks =
        &out.tree()["tree"]["children"]["Bastion"]["children"]["BreakGlass"]["acknowledgements"];
    assert_eq!(acks[0]["code"], "EC2-004");
}
