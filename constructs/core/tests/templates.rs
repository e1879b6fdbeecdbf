//! How synthesis keeps a template (`TemplateBody`: the text of its file) and the checks an app
//! adds on its rendered resources (`App::add_resource_check`).

mod common;

use std::cell::RefCell;
use std::rc::Rc;

use cirrus_core::assertions::Annotations;
use cirrus_core::synth::pretty;
use cirrus_core::{App, Diagnostic, StackProps, TemplateFormat, Value, codes};
use common::{Topic, synth};
use serde_json::json;

/// Two stacks, the second importing from the first (an automatic export is added to the
/// first's outputs after both are rendered), with outputs, an override and a description.
fn app() -> App {
    let app = App::new("templates");
    let producer = app.stack(
        "Producer",
        StackProps::default().description("makes the \"topic\"\nand exports it"),
    );
    let topic = producer.add("Topic", Topic::default());
    topic.add_property_override("/DisplayName", "overridden");
    // A newline inside a string of the outputs, which are appended to the text indented.
    producer
        .add_output("TopicName", topic.attrs().topic_name())
        .description("the topic's name,\n  \"indented\" here");
    let consumer = app.stack("Consumer", StackProps::default());
    consumer.add(
        "Mirror",
        Topic {
            display_name: Some(topic.attrs().topic_arn()),
            ..Topic::default()
        },
    );
    app
}

#[test]
fn a_template_is_the_text_of_its_file_and_reads_as_its_value() {
    let out = synth(&app());
    for stack in &out.stacks {
        let text = stack.template.text();
        assert_eq!(
            text.as_bytes(),
            pretty(stack.template.value()),
            "{}: the text is the value written as synthesis writes it",
            stack.id
        );
        assert_eq!(
            stack.template_size,
            serde_json::to_vec(stack.template.value()).unwrap().len(),
            "{}: the size is the minified template's",
            stack.id
        );
        let files = out.files(TemplateFormat::Json).unwrap();
        let (_, written) = files
            .iter()
            .find(|(name, _)| *name == stack.template_file())
            .unwrap();
        assert_eq!(written.as_slice(), text.as_bytes());
    }
    // The producer's outputs, its own and the export added once the consumer was rendered,
    // end its text.
    let producer = out.stack("Producer").unwrap();
    let outputs = producer.template["Outputs"].as_object().unwrap();
    assert_eq!(outputs.len(), 2, "{outputs:?}");
    assert!(outputs.contains_key("TopicName"));
    assert_eq!(
        producer.template["Resources"]["Topic"]["Properties"]["DisplayName"],
        json!("overridden")
    );
    assert!(producer.template.text().ends_with("}\n  }\n}\n"));
    // A consumer without outputs has none.
    let consumer = out.stack("Consumer").unwrap();
    assert!(consumer.template.get("Outputs").is_none());
}

#[test]
fn an_assembly_read_back_has_the_same_templates() {
    let out = synth(&app());
    let files = out.files(TemplateFormat::Json).unwrap();
    let files = files.into_iter().collect();
    let read = cirrus_core::Synthesized::from_files("templates", &files).unwrap();
    for (written, read) in out.stacks.iter().zip(&read.stacks) {
        assert_eq!(written.template, read.template);
        assert_eq!(written.template_size, read.template_size);
    }
}

#[test]
fn a_resource_check_reads_every_stack_s_resources_as_written() {
    let app = app();
    let seen: Rc<RefCell<Vec<(String, String, String)>>> = Rc::default();
    let record = Rc::clone(&seen);
    app.add_resource_check(move |stack| {
        for (logical_id, resource) in stack.resources() {
            let name = resource
                .as_object()
                .and_then(|r| r.get("Properties"))
                .and_then(Value::as_object)
                .and_then(|p| p.get("DisplayName"));
            let read = match name {
                Some(Value::String(text)) => text.clone(),
                // A reference, resolved as the template is written.
                Some(Value::Fn(_)) => "a reference".to_owned(),
                other => format!("{other:?}"),
            };
            record.borrow_mut().push((
                stack.stack_id().to_owned(),
                stack.path_of(logical_id).unwrap_or_default().to_owned(),
                read,
            ));
        }
        Vec::new()
    });
    let out = synth(&app);
    assert_eq!(
        *seen.borrow(),
        [
            (
                "Producer".to_owned(),
                "Producer/Topic".to_owned(),
                "overridden".to_owned()
            ),
            (
                "Consumer".to_owned(),
                "Consumer/Mirror".to_owned(),
                "a reference".to_owned()
            ),
        ]
    );
    let consumer = out.stacks.iter().find(|s| s.id == "Consumer").unwrap();
    assert_eq!(
        consumer.template["Resources"]["Mirror"]["Properties"]["DisplayName"],
        json!({"Fn::ImportValue": "Producer:ExportsOutputFnGetAttTopicTopicArnA6C2F99C"})
    );
}

#[test]
fn a_resource_check_s_errors_fail_synthesis_and_its_warnings_are_not_acknowledged() {
    let app = app();
    app.add_resource_check(|stack| {
        stack
            .resources()
            .keys()
            .map(|lid| {
                let path = stack.path_of(lid).unwrap_or_default();
                if stack.stack_id() == "Consumer" {
                    Diagnostic::error(codes::REGISTRY_TYPE_UNKNOWN, path, "not in the registry")
                } else {
                    Diagnostic::warning(codes::TEMPLATE_NEEDS_S3, path, "large")
                }
            })
            .collect()
    });
    app.stacks()[0]
        .node()
        .acknowledge(codes::TEMPLATE_NEEDS_S3, "checked by hand");
    let annotations = Annotations::from_app(&app);
    annotations.has_error_code("Consumer/Mirror", codes::REGISTRY_TYPE_UNKNOWN);
    annotations.has_warning_code("Producer/Topic", codes::TEMPLATE_NEEDS_S3);
    // Nothing of synthesis's own was there to acknowledge.
    annotations.has_warning_code("Producer", codes::STALE_ACKNOWLEDGEMENT);
    assert!(app.synth().is_err());
}
