//! `Node::acknowledge`: an app accepts a diagnostic by its code, with a reason a reviewer reads
//! in `tree.json`. Each rule has a case that is refused and one that is accepted.

use cirrus_core::assertions::Annotations;
use cirrus_core::synth::pretty;
use cirrus_core::{
    App, ErrorCode, RawResource, StackProps, TemplateFormat, WarningCode, codes, value,
};

const OPEN_PORT: ErrorCode =
    ErrorCode::new("TEST-001", "a port open to the internet").acknowledgeable();
const BROKEN: ErrorCode = ErrorCode::new("TEST-002", "a structural error");
const SLOW: WarningCode = WarningCode::new("TEST-003", "something slow");

fn app() -> App {
    let app = App::new("ack");
    let stack = app.stack("S", StackProps::default());
    stack.add("Topic", RawResource::new("AWS::SNS::Topic", value!({})));
    app
}

/// `tree.json` is written from compact entries without building the JSON value; both must say
/// the same, acknowledgements, types and logical ids included.
#[test]
fn the_written_tree_is_the_tree_value() {
    let app = app();
    let stack = app.stacks()[0];
    let bastion = stack.node().add_child("Bastion");
    bastion
        .add_child("Ingress")
        .error(OPEN_PORT, "port 22 is open to 0.0.0.0/0");
    bastion.acknowledge(OPEN_PORT, "reviewed by security");
    let out = app.synth().expect("the acknowledged error no longer fails");
    // Written first: the value is built on the first call of `tree()`, and then written as is.
    let files = out.files(TemplateFormat::Json).unwrap();
    let written = &files
        .iter()
        .find(|(name, _)| name == "tree.json")
        .unwrap()
        .1;
    let value = out.tree();
    assert_eq!(
        value["tree"]["children"]["S"]["children"]["Topic"]["attributes"]["logicalId"],
        "Topic"
    );
    assert_eq!(
        String::from_utf8_lossy(written),
        String::from_utf8_lossy(&pretty(value))
    );
}

#[test]
fn an_acknowledged_error_no_longer_fails_synthesis_and_is_recorded_in_the_tree() {
    let app = app();
    let stack = app.stacks()[0];
    let bastion = stack.node().add_child("Bastion");
    bastion
        .add_child("Ingress")
        .error(OPEN_PORT, "port 22 is open to 0.0.0.0/0");
    Annotations::from_app(&app).has_error_code("S/Bastion/Ingress", OPEN_PORT);

    bastion.acknowledge(
        OPEN_PORT,
        "the bastion is the only way in; reviewed by security",
    );
    let out = app.synth().expect("the acknowledged error no longer fails");
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    let node = &out.tree()["tree"]["children"]["S"]["children"]["Bastion"];
    assert_eq!(
        node["acknowledgements"],
        serde_json::json!([{
            "code": "TEST-001",
            "summary": "a port open to the internet",
            "reason": "the bastion is the only way in; reviewed by security",
        }])
    );
    // Only the acknowledging node carries it.
    assert!(
        out.tree()["tree"]["children"]["S"]
            .get("acknowledgements")
            .is_none()
    );
}

#[test]
fn a_tree_without_acknowledgements_has_no_such_field() {
    let out = app().synth().unwrap();
    assert!(!out.tree().to_string().contains("acknowledgements"));
}

#[test]
fn an_acknowledgement_covers_its_node_and_below_only() {
    let app = app();
    let stack = app.stacks()[0];
    stack.node().add_child("Web").warning(SLOW, "slow");
    stack.node().add_child("WebTier").warning(SLOW, "slow too");
    stack.node().add_child("Web").acknowledge(SLOW, "accepted");
    let a = Annotations::from_app(&app);
    a.has_no_code("S/Web", SLOW);
    // The sibling "S/WebTier" shares the path prefix "S/Web" only, and is not covered.
    a.has_warning_code("S/WebTier", SLOW);
    // A warning of another code at the acknowledged node is still reported.
    let app = self::app();
    let web = app.stacks()[0].node().add_child("Web");
    web.warning(SLOW, "slow");
    web.error(BROKEN, "broken");
    web.acknowledge(SLOW, "accepted");
    let a = Annotations::from_app(&app);
    a.has_no_code("*", SLOW);
    a.has_error_code("S/Web", BROKEN);
}

#[test]
fn a_warning_is_acknowledged_at_a_stack() {
    let app = app();
    let stack = app.stacks()[0];
    stack
        .node()
        .add_child("A")
        .add_child("B")
        .warning(SLOW, "slow");
    stack.node().acknowledge(SLOW, "batch jobs may be slow");
    let out = app.synth().unwrap();
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
}

#[test]
fn an_acknowledgement_needs_a_reason() {
    let app = app();
    let node = app.stacks()[0].node().add_child("Bastion");
    node.error(OPEN_PORT, "port 22 is open to 0.0.0.0/0");
    node.acknowledge(OPEN_PORT, "  ");
    let a = Annotations::from_app(&app);
    a.has_error_code("S/Bastion", codes::ACKNOWLEDGEMENT_WITHOUT_REASON);
    // Not recorded: the error stands.
    a.has_error_code("S/Bastion", OPEN_PORT);
}

#[test]
fn structural_errors_cannot_be_acknowledged() {
    let app = app();
    let node = app.stacks()[0].node().add_child("Thing");
    node.error(BROKEN, "broken");
    node.acknowledge(BROKEN, "we like it broken");
    let a = Annotations::from_app(&app);
    a.has_error_code("S/Thing", codes::NOT_ACKNOWLEDGEABLE);
    a.has_error_code("S/Thing", BROKEN);
    a.has_no_warning("*", "");
    // Nor can core's own structural checks, whatever the reason.
    let app = self::app();
    app.stacks()[0]
        .node()
        .acknowledge(codes::DUPLICATE_ID, "ids are hard");
    Annotations::from_app(&app).has_error_code("S", codes::NOT_ACKNOWLEDGEABLE);
}

#[test]
fn a_stale_acknowledgement_is_a_warning() {
    let app = app();
    let node = app.stacks()[0].node().add_child("Quiet");
    node.acknowledge(SLOW, "it used to be slow");
    let a = Annotations::from_app(&app);
    a.has_no_errors();
    a.has_warning_code("S/Quiet", codes::STALE_ACKNOWLEDGEMENT);
    let warning = &a.find_code("S/Quiet", codes::STALE_ACKNOWLEDGEMENT)[0];
    assert!(
        warning.message.starts_with("TEST-003 is acknowledged here"),
        "{warning}"
    );
    // A diagnostic of that code elsewhere does not make it current.
    app.stacks()[0]
        .node()
        .add_child("Loud")
        .warning(SLOW, "slow");
    let a = Annotations::from_app(&app);
    a.has_warning_code("S/Quiet", codes::STALE_ACKNOWLEDGEMENT);
    a.has_warning_code("S/Loud", SLOW);
    // The stale warning itself cannot be acknowledged away.
    node.acknowledge(codes::STALE_ACKNOWLEDGEMENT, "leave me alone");
    Annotations::from_app(&app).has_error_code("S/Quiet", codes::NOT_ACKNOWLEDGEABLE);
}
