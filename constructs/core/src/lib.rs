//! The core of cirrus: the construct tree, typed CloudFormation expressions, the dependency
//! graph, and synthesis to templates and a cloud-assembly manifest.
//!
//! This crate is pure: no IO, nothing async, no network, no credentials. The same app gives
//! byte-identical output on every machine. Writing files and talking to AWS is the runner's job
//! (`cirrus-cli`).
//!
//! ```
//! use cirrus_core::prelude::*;
//!
//! let app = App::new("hello");
//! let stack = app.stack("Hello", StackProps::default());
//! let topic = stack.add("Topic", RawResource::new("AWS::SNS::Topic", serde_json::json!({})));
//! stack.add_output("TopicArn", topic.ref_());
//! let out = app.synth().unwrap();
//! assert_eq!(out.stacks[0].template["Outputs"]["TopicArn"]["Value"]["Ref"], "Topic");
//! ```

mod app;
mod app_def;
mod arn;
pub mod artifact;
pub mod assertions;
pub mod codes;
mod condition;
mod construct;
mod costs;
mod diagnostics;
mod expr;
pub mod id;
mod intrinsic;
mod key;
mod mapping;
mod output;
mod parameter;
mod patch;
mod policies;
pub mod regions;
#[rustfmt::skip]
mod regions_table;
mod resource;
mod rule;
mod secrets;
mod stack;
pub mod suggest;
pub mod synth;
mod tags;
mod tree;
mod value;

pub use app::App;
pub use app_def::AppDef;
pub use arn::Arn;
pub use artifact::{Artifact, ArtifactFile, ArtifactProps, ArtifactView, FileContent};
pub use condition::Condition;
pub use construct::{Construct, Node};
pub use costs::{StandingCost, StandingCostEntry};
pub use diagnostics::{
    Code, Diagnostic, Diagnostics, ErrorCode, Severity, SynthError, WarningCode, registry_problems,
};
pub use expr::{Expr, List, Map, fns, pseudo};
pub use intrinsic::{CondExpr, Intrinsic, Pseudo, RuleExpr};
pub use key::{NodeKey, ResourceKey};
pub use mapping::{Mapping, MappingTable};
pub use output::Output;
pub use parameter::{
    ListParameterProps, ListType, NumberParameterProps, Parameter, StringParameterProps, StringType,
};
pub use patch::{PatchError, PatchOp};
pub use policies::{
    CreationPolicy, DeletionPolicy, RemovalPolicy, ResourceSignal, RollingUpdate, UpdatePolicy,
    UpdateReplacePolicy,
};
pub use resource::{
    OUTSIDE_REGISTRY, RawAttrs, RawResource, Resource, ResourceRead, ResourceRef, ResourceView,
};
pub use rule::{Assertion, RuleProps};
pub use stack::{Env, Stack, StackProps};
pub use synth::{
    AssemblyError, DeployArtifact, DeployValue, RenderFile, StackArtifact, StackResources,
    Synthesized, TemplateBody, TemplateFormat, YamlError,
};
pub use tags::{Tag, TagProps, TagSpec, TagVariant, Tags};
pub use tree::ElementRef;
pub use tree::StackGraph;
pub use value::{ObjectBuilder, ToValue, Value};

/// What an app definition needs, in one import.
pub mod prelude {
    pub use crate::{
        App, Arn, CondExpr, Condition, Construct, Env, Expr, List, Node, Output, RawResource,
        RemovalPolicy, Resource, ResourceRef, Stack, StackProps, Tags, Value, fns, pseudo,
    };
}
