//! EventBridge: rules that start pipelines and builds on events or on a schedule.
//!
//! An existing rule is imported by name ([`Rule::from_name`], default event bus) or ARN
//! ([`Rule::from_arn`]); it offers its ARN and name ([`IRule`]) wherever a rule of this app
//! does, such as the `aws:SourceArn` condition of a topic or queue policy.

mod pattern;
mod rule;
mod schedule;

pub use pattern::EventPattern;
pub(crate) use rule::target_role;
pub use rule::{IRule, ImportedRule, Rule, RuleProps, Target, Trigger};
pub use schedule::{Schedule, TimeUnit};
