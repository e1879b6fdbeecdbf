//! Assertions for tests of an app's output, in the manner of the AWS CDK's `assertions` module:
//! [`Template`] for what a stack's template holds, [`Match`] for patterns that match part of a
//! value, [`Annotations`] for the errors and warnings synthesis reports.
//!
//! Testing the output with these rather than by walking JSON keeps a test to what it means
//! ("some bucket is versioned") and makes its failure say what the template has instead, with
//! the path of every difference. The assertions panic, as test assertions do; each has a `try_`
//! twin returning an [`AssertionError`]. Nothing here does IO.
//!
//! ```
//! use cirrus_core::assertions::{Annotations, Match, Template};
//! use cirrus_core::prelude::*;
//! use serde_json::json;
//!
//! let app = App::new("demo");
//! let stack = app.stack("Queues", StackProps::default());
//! let queue = stack.add(
//!     "Jobs",
//!     RawResource::new("AWS::SQS::Queue", json!({ "MessageRetentionPeriod": 1209600 })),
//! );
//! stack.add_output("JobsUrl", queue.ref_());
//!
//! let template = Template::from_stack(&stack);
//! template.has_resource_properties(
//!     "AWS::SQS::Queue",
//!     json!({ "MessageRetentionPeriod": 1209600, "FifoQueue": Match::absent() }),
//! );
//! template.has_output("JobsUrl", json!({ "Value": { "Ref": "Jobs" } }));
//! assert_eq!(template.find_resources("AWS::SQS::Queue", json!({}))[0].0, "Jobs");
//! Annotations::from_app(&app).has_no_errors();
//! ```

mod annotations;
mod matcher;
mod template;

pub use annotations::Annotations;
pub use matcher::{Match, Mismatch};
pub use template::Template;

/// An assertion that does not hold; the message says what was expected and what there is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct AssertionError {
    message: String,
}

impl AssertionError {
    pub(crate) fn new(message: String) -> AssertionError {
        AssertionError { message }
    }
}
