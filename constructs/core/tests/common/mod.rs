//! Shared helpers of the core integration tests: a taggable test resource type and snapshot
//! settings. Errors are asserted through `cirrus_core::assertions::Annotations`.

#![allow(dead_code)]

use cirrus_core::{
    App, ElementRef, Expr, ObjectBuilder, RawAttrs, Resource, Synthesized, TagSpec, ToValue, Value,
};

/// A resource type written the way generated L1 types are: typed fields, typed attributes,
/// standard tags. CloudFormation's `AWS::SNS::Topic` shape.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Topic {
    pub topic_name: Option<Expr<String>>,
    pub display_name: Option<Expr<String>>,
    pub tags: Option<Value>,
}

impl ToValue for Topic {
    fn to_value(&self) -> Value {
        ObjectBuilder::new()
            .optional("DisplayName", &self.display_name)
            .optional("Tags", &self.tags)
            .optional("TopicName", &self.topic_name)
            .build()
    }
}

impl Resource for Topic {
    type Attrs = TopicAttrs;

    fn cfn_type(&self) -> &str {
        "AWS::SNS::Topic"
    }

    fn properties(&self) -> Value {
        self.to_value()
    }

    fn tag_spec(&self) -> Option<TagSpec> {
        Some(TagSpec::standard("Tags"))
    }

    fn attrs(target: ElementRef) -> TopicAttrs {
        TopicAttrs { target }
    }
}

/// The attributes of [`Topic`].
#[derive(Debug, Clone, Copy)]
pub struct TopicAttrs {
    target: ElementRef,
}

impl TopicAttrs {
    pub fn topic_arn(&self) -> Expr<String> {
        Expr::get_att(self.target, "TopicArn")
    }

    pub fn topic_name(&self) -> Expr<String> {
        Expr::get_att(self.target, "TopicName")
    }
}

/// Attributes of a raw resource, re-exported for brevity.
pub type Raw = RawAttrs;

/// Synthesizes, panicking with the diagnostics when there are errors.
pub fn synth(app: &App) -> Synthesized {
    match app.synth() {
        Ok(s) => s,
        Err(e) => panic!(
            "unexpected synth errors:\n{}",
            e.diagnostics
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        ),
    }
}

/// Asserts a JSON snapshot stored in the workspace's `snapshots/core/`.
#[macro_export]
macro_rules! snapshot {
    ($name:expr, $value:expr) => {
        insta::with_settings!({
            snapshot_path => concat!(env!("CARGO_MANIFEST_DIR"), "/../../snapshots/core"),
            prepend_module_to_snapshot => false,
            omit_expression => true,
        }, {
            insta::assert_json_snapshot!($name, $value);
        })
    };
}
