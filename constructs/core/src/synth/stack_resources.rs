//! What a check added with [`App::add_resource_check`](crate::App::add_resource_check) reads:
//! the resources of one stack's template, while synthesis still holds them as JSON values.

use indexmap::IndexMap;
use serde_json::{Map, Value as J};

/// The rendered `Resources` of one stack's template, with the construct path of each logical
/// id, as the template will hold them (overrides and patches applied).
#[derive(Debug, Clone, Copy)]
pub struct StackResources<'a> {
    pub(crate) stack_id: &'a str,
    pub(crate) resources: &'a Map<String, J>,
    pub(crate) logical_ids: &'a IndexMap<String, String>,
}

impl<'a> StackResources<'a> {
    /// The stack's artifact id.
    pub fn stack_id(&self) -> &'a str {
        self.stack_id
    }

    /// The resources by logical id, in template order.
    pub fn resources(&self) -> &'a Map<String, J> {
        self.resources
    }

    /// The construct path of a logical id (`Stack/Bucket/Resource`).
    pub fn path_of(&self, logical_id: &str) -> Option<&'a str> {
        self.logical_ids.get(logical_id).map(String::as_str)
    }
}
