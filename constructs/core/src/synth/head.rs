//! The text of a stack's template without its outputs, with the resources' references
//! resolved as the text is written.
//!
//! A resource's entry is rendered as a [`Value`] (properties, tags, attributes, overrides);
//! writing it resolves each reference where it stands (`Ref`, `Fn::GetAtt`, an import across
//! stacks), so the template's resources never exist as JSON values, which were built only to
//! be written and freed (resolving into them took 36 ms of synthesis's 0.18 s at 16,000
//! resources). The other sections are few and small, and are resolved into JSON values before
//! (`render.rs`). Outputs are rendered after this is written, so that references are
//! resolved, and recorded as edges and exports, in the order they always were.

use std::cell::RefCell;

use indexmap::IndexMap;
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};
use serde_json::Value as J;

use crate::synth::render::Sections;
use crate::synth::resolve::{Place, Resolver, Site};
use crate::tree::{NodeId, NodeKind, Tree};
use crate::value::Value;

/// The template of `stack` without `Outputs`, in CloudFormation's order of sections.
pub(crate) struct Head<'s, 'r, 't> {
    stack: NodeId,
    description: Option<&'s str>,
    sections: &'s Sections,
    resolver: &'r RefCell<&'r mut Resolver<'t>>,
}

impl<'s, 'r, 't> Head<'s, 'r, 't> {
    /// The head of `stack`'s template, of its rendered `sections`.
    pub(crate) fn new(
        tree: &'s Tree,
        stack: NodeId,
        sections: &'s Sections,
        resolver: &'r RefCell<&'r mut Resolver<'t>>,
    ) -> Self {
        let description = match &tree.node(stack).kind {
            NodeKind::Stack(data) => data.props.description.as_deref(),
            _ => None,
        };
        Head {
            stack,
            description,
            sections,
            resolver,
        }
    }
}

impl Serialize for Head<'_, '_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let s = self.sections;
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("AWSTemplateFormatVersion", "2010-09-09")?;
        if let Some(description) = self.description {
            map.serialize_entry("Description", description)?;
        }
        for (name, section) in [
            ("Parameters", &s.parameters),
            ("Rules", &s.rules),
            ("Mappings", &s.mappings),
            ("Conditions", &s.conditions),
        ] {
            if !section.is_empty() {
                map.serialize_entry(name, section)?;
            }
        }
        let resources = Resources {
            stack: self.stack,
            entries: &s.resources,
            nodes: &s.resource_nodes,
            resolver: self.resolver,
        };
        map.serialize_entry("Resources", &resources)?;
        map.end()
    }
}

/// The `Resources` section: each entry resolved as it is written.
struct Resources<'s, 'r, 't> {
    stack: NodeId,
    entries: &'s IndexMap<String, Value>,
    /// The resource node of each entry, in the same order.
    nodes: &'s [NodeId],
    resolver: &'r RefCell<&'r mut Resolver<'t>>,
}

impl Serialize for Resources<'_, '_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.entries.len()))?;
        for ((logical_id, entry), &node) in self.entries.iter().zip(self.nodes) {
            let site = Site {
                stack: self.stack,
                element: node,
                place: Place::Resource,
            };
            let resolved = Resolved {
                value: entry,
                site,
                resolver: self.resolver,
            };
            map.serialize_entry(logical_id, &resolved)?;
        }
        map.end()
    }
}

/// A value written as the template holds it: what `Resolver::resolve` makes of it, without
/// building it.
struct Resolved<'v, 'r, 't> {
    value: &'v Value,
    site: Site,
    resolver: &'r RefCell<&'r mut Resolver<'t>>,
}

impl<'r, 't> Resolved<'_, 'r, 't> {
    fn of<'w>(&self, value: &'w Value) -> Resolved<'w, 'r, 't> {
        Resolved {
            value,
            site: self.site,
            resolver: self.resolver,
        }
    }
}

impl Serialize for Resolved<'_, '_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.value {
            Value::String(s) => {
                self.resolver.borrow_mut().no_token(self.site, s);
                serializer.serialize_str(s)
            }
            Value::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(&self.of(item))?;
                }
                seq.end()
            }
            Value::Object(entries) => {
                let mut map = serializer.serialize_map(Some(entries.len()))?;
                for (key, item) in entries {
                    map.serialize_entry(key, &self.of(item))?;
                }
                map.end()
            }
            // Numbers (a non-finite one is reported and written as null), booleans, null and
            // intrinsic functions: as resolving makes them, each small.
            other => {
                let resolved: J = self.resolver.borrow_mut().resolve(self.site, other);
                resolved.serialize(serializer)
            }
        }
    }
}
