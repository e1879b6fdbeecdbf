//! What a check added with [`App::add_resource_check`](crate::App::add_resource_check) reads:
//! the resources of one stack's template, as values, before the template is written.

use indexmap::IndexMap;

use crate::value::Value;

/// The rendered `Resources` of one stack's template, with the construct path of each logical
/// id, as the template will hold them (overrides and patches applied), except that references
/// are not resolved yet: a reference is a [`Value::Fn`] where the template will hold its
/// `Ref`, `Fn::GetAtt` or `Fn::ImportValue`.
#[derive(Debug, Clone, Copy)]
pub struct StackResources<'a> {
    pub(crate) stack_id: &'a str,
    pub(crate) resources: &'a IndexMap<String, Value>,
    pub(crate) logical_ids: &'a IndexMap<String, String>,
}

impl<'a> StackResources<'a> {
    /// The stack's artifact id.
    pub fn stack_id(&self) -> &'a str {
        self.stack_id
    }

    /// The resources by logical id, in template order: each the whole entry (`Type`,
    /// `Properties`, `DependsOn`, `Metadata`, ...).
    pub fn resources(&self) -> &'a IndexMap<String, Value> {
        self.resources
    }

    /// The construct path of a logical id (`Stack/Bucket/Resource`).
    pub fn path_of(&self, logical_id: &str) -> Option<&'a str> {
        self.logical_ids.get(logical_id).map(String::as_str)
    }
}
