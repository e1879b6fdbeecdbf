//! EventBridge: rules that start pipelines and builds on events or on a schedule.

mod pattern;
mod rule;
mod schedule;

pub use pattern::EventPattern;
pub(crate) use rule::target_role;
pub use rule::{Rule, RuleProps, Target, Trigger};
pub use schedule::{Schedule, TimeUnit};
