//! `registry.rs` of `cirrus-cfn`: what the runner needs to know about every resource type at
//! run time, whatever the cargo features: which properties cause replacement (for `diff`),
//! which property carries tags, which attributes `Fn::GetAtt` accepts, and the shape of every
//! property's value down to the nested property types, with the values the spec allows.
//!
//! The shapes are what lets synthesis check what the compiler cannot: values written through
//! escape hatches (`RawResource`, property overrides, JSON patches) and the `Other` variants of
//! the generated enums. A property type is one `static` named after its service, resource and
//! Rust name, so that types that contain each other (WAF statements) can point at each other.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::emit::header;
use crate::model::{CrateModel, FieldModel, ResourceModel, StructModel};
use crate::naming::snake_case;
use crate::spec::{Replacement, TypeRef};

/// `registry.rs` for the whole crate.
pub fn emit(model: &CrateModel) -> String {
    let mut entries: Vec<(String, &ResourceModel)> = Vec::new();
    for s in &model.services {
        for r in &s.resources {
            entries.push((s.service.module(), r));
        }
    }
    entries.sort_by(|a, b| a.1.cfn_type.cmp(&b.1.cfn_type));

    let mut table = String::new();
    let mut structs = String::new();
    for (module, r) in entries {
        let names: BTreeMap<&str, String> = r
            .structs
            .iter()
            .map(|s| (s.cfn_name.as_str(), static_name(&module, r, s)))
            .collect();
        let _ = writeln!(
            table,
            "    ResourceInfo {{\n        type_name: \"{}\",",
            r.cfn_type
        );
        if r.root.fields.is_empty() {
            table.push_str("        properties: &[],\n");
        } else {
            table.push_str("        properties: &[\n");
            for f in &r.root.fields {
                let replacement = match f.spec.causes_replacement {
                    Some(Replacement::Yes) => "Always",
                    Some(Replacement::Maybe) => "Conditional",
                    None => "Never",
                };
                let _ = writeln!(
                    table,
                    "            prop(\"{}\", {}, {replacement}, {}),",
                    f.cfn_name,
                    f.required,
                    shape(&f.spec.ty, &names)
                );
            }
            table.push_str("        ],\n");
        }
        let attrs: Vec<String> = r
            .attributes
            .iter()
            .map(|a| format!("\"{}\"", a.cfn_name))
            .collect();
        let _ = writeln!(table, "        attributes: &[{}],", attrs.join(", "));
        match &r.tagging {
            Some((p, _)) => {
                let _ = writeln!(table, "        tag_property: Some(\"{p}\"),");
            }
            None => table.push_str("        tag_property: None,\n"),
        }
        table.push_str("    },\n");
        for s in &r.structs {
            struct_info(&mut structs, &names[s.cfn_name.as_str()], s, &names);
        }
    }

    let mut out = String::from(
        "//! What the runner needs to know about resource types at run time, for every type of the\n//! supported services whether or not its cargo feature is enabled: which properties cause\n//! replacement (for `diff`), which property carries tags, which attributes `Fn::GetAtt` accepts,\n//! and the shape of every value, nested property types and allowed values included.\n",
    );
    header(&mut out, &model.spec_version);
    out.push_str(API);
    out.push_str("\nuse Replacement::{Always, Conditional, Never};\n\n");
    out.push_str("static TYPES: &[ResourceInfo] = &[\n");
    out.push_str(&table);
    out.push_str("];\n");
    out.push_str(&structs);
    out.push_str(TESTS);
    out
}

/// The `static` of a property type: `<SERVICE>_<RESOURCE>_<TYPE>`, unique in the crate since
/// the service module, the resource's module within it and the type's Rust name within the
/// resource all are.
fn static_name(module: &str, r: &ResourceModel, s: &StructModel) -> String {
    format!("{module}_{}_{}", r.module, snake_case(&s.rust_name)).to_ascii_uppercase()
}

fn struct_info(out: &mut String, name: &str, s: &StructModel, names: &BTreeMap<&str, String>) {
    let _ = writeln!(
        out,
        "\nstatic {name}: StructInfo = StructInfo {{\n    name: \"{}\",",
        s.cfn_name
    );
    if s.fields.is_empty() {
        out.push_str("    fields: &[],\n};\n");
        return;
    }
    out.push_str("    fields: &[\n");
    for f in &s.fields {
        field(out, f, names);
    }
    out.push_str("    ],\n};\n");
}

fn field(out: &mut String, f: &FieldModel, names: &BTreeMap<&str, String>) {
    let _ = writeln!(
        out,
        "        field(\"{}\", {}, {}),",
        f.cfn_name,
        f.required,
        shape(&f.spec.ty, names)
    );
}

/// The `Shape` expression of a spec type.
fn shape(ty: &TypeRef, names: &BTreeMap<&str, String>) -> String {
    match ty {
        TypeRef::String { allowed_values } if !allowed_values.is_empty() => {
            let values: Vec<String> = allowed_values.iter().map(|v| format!("{v:?}")).collect();
            format!("Shape::StringOf(&[{}])", values.join(", "))
        }
        TypeRef::String { .. } => "Shape::String".to_owned(),
        TypeRef::Integer { allowed_values } if !allowed_values.is_empty() => {
            let values: Vec<String> = allowed_values.iter().map(i64::to_string).collect();
            format!("Shape::IntegerOf(&[{}])", values.join(", "))
        }
        TypeRef::Integer { .. } => "Shape::Integer".to_owned(),
        TypeRef::Number => "Shape::Number".to_owned(),
        TypeRef::Boolean => "Shape::Boolean".to_owned(),
        TypeRef::DateTime => "Shape::DateTime".to_owned(),
        TypeRef::Json => "Shape::Json".to_owned(),
        TypeRef::Tag => "Shape::Tag".to_owned(),
        TypeRef::Array { element } => format!("Shape::List(&{})", shape(element, names)),
        TypeRef::Map { element } => format!("Shape::Map(&{})", shape(element, names)),
        // A type that only attributes use is not among the structs; nothing reaches it from
        // a property, so this arm is never taken for one.
        TypeRef::Ref { name } => names.get(name.as_str()).map_or_else(
            || "Shape::Json".to_owned(),
            |s| format!("Shape::Struct(&{s})"),
        ),
        TypeRef::Union { types } => {
            let shapes: Vec<String> = types.iter().map(|t| shape(t, names)).collect();
            format!("Shape::Union(&[{}])", shapes.join(", "))
        }
    }
}

const API: &str = r#"
/// Whether changing a property replaces the resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replacement {
    /// Updated in place.
    Never,
    /// Always replaced (a create-only property).
    Always,
    /// Replaced for some changes (CloudFormation decides at deploy time).
    Conditional,
}

/// The shape of a property's value, as the spec describes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// A string (CloudFormation also takes a number or boolean, as its text).
    String,
    /// One of these strings.
    StringOf(&'static [&'static str]),
    /// An integer (or a string of one).
    Integer,
    /// One of these integers.
    IntegerOf(&'static [i64]),
    /// A number (or a string of one).
    Number,
    /// A boolean (or `"true"`, `"false"`).
    Boolean,
    /// A timestamp, as a string.
    DateTime,
    /// Any JSON: an object, or a string of JSON.
    Json,
    /// A `{"Key", "Value"}` tag.
    Tag,
    /// A list of values of one shape.
    List(&'static Shape),
    /// An object whose values have one shape.
    Map(&'static Shape),
    /// A property type: an object with known properties.
    Struct(&'static StructInfo),
    /// Any of these shapes.
    Union(&'static [Shape]),
}

/// A property type: the properties of a nested object.
pub struct StructInfo {
    /// The property type's name in the spec.
    pub name: &'static str,
    /// Its properties, sorted by name.
    pub fields: &'static [FieldInfo],
}

impl StructInfo {
    /// The property of that name.
    pub fn field(&self, name: &str) -> Option<&'static FieldInfo> {
        self.fields
            .binary_search_by(|f| f.name.cmp(name))
            .ok()
            .map(|i| &self.fields[i])
    }
}

// Property types may contain each other, so equality is identity and `Debug` prints the name
// only: comparing or printing the contents could go round forever.
impl PartialEq for StructInfo {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}

impl Eq for StructInfo {}

impl std::fmt::Debug for StructInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

/// A property of a property type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldInfo {
    /// The CloudFormation property name.
    pub name: &'static str,
    /// Whether the property is required.
    pub required: bool,
    /// The shape of its value.
    pub shape: Shape,
}

/// A property of a resource type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PropertyInfo {
    /// The CloudFormation property name.
    pub name: &'static str,
    /// Whether the property is required.
    pub required: bool,
    /// Whether changing it replaces the resource.
    pub replacement: Replacement,
    /// The shape of its value.
    pub shape: Shape,
}

/// A resource type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResourceInfo {
    /// The CloudFormation type name.
    pub type_name: &'static str,
    /// The top-level properties, sorted by name.
    pub properties: &'static [PropertyInfo],
    /// The `Fn::GetAtt` attribute names, sorted.
    pub attributes: &'static [&'static str],
    /// The property that carries tags, if the type is taggable.
    pub tag_property: Option<&'static str>,
}

impl ResourceInfo {
    /// The property of that name.
    pub fn property(&self, name: &str) -> Option<&'static PropertyInfo> {
        self.properties
            .binary_search_by(|p| p.name.cmp(name))
            .ok()
            .map(|i| &self.properties[i])
    }
}

/// The resource type of that name.
pub fn lookup(type_name: &str) -> Option<&'static ResourceInfo> {
    TYPES
        .binary_search_by(|t| t.type_name.cmp(type_name))
        .ok()
        .map(|i| &TYPES[i])
}

/// Every known resource type, sorted by type name.
pub fn all() -> &'static [ResourceInfo] {
    TYPES
}

const fn prop(
    name: &'static str,
    required: bool,
    replacement: Replacement,
    shape: Shape,
) -> PropertyInfo {
    PropertyInfo {
        name,
        required,
        replacement,
        shape,
    }
}

const fn field(name: &'static str, required: bool, shape: Shape) -> FieldInfo {
    FieldInfo {
        name,
        required,
        shape,
    }
}
"#;

const TESTS: &str = r#"
#[cfg(test)]
mod tests {
    use super::*;

    fn structs_of(shape: &Shape, out: &mut Vec<&'static StructInfo>) {
        match shape {
            Shape::List(inner) | Shape::Map(inner) => structs_of(inner, out),
            Shape::Struct(s) => out.push(s),
            Shape::Union(shapes) => shapes.iter().for_each(|s| structs_of(s, out)),
            _ => {}
        }
    }

    #[test]
    fn tables_are_sorted_for_binary_search() {
        assert!(TYPES.windows(2).all(|w| w[0].type_name < w[1].type_name));
        for t in TYPES {
            assert!(t.properties.windows(2).all(|w| w[0].name < w[1].name), "{}", t.type_name);
            assert!(t.attributes.windows(2).all(|w| w[0] < w[1]), "{}", t.type_name);
            let mut structs = Vec::new();
            t.properties.iter().for_each(|p| structs_of(&p.shape, &mut structs));
            let mut seen: Vec<*const StructInfo> = Vec::new();
            while let Some(s) = structs.pop() {
                if seen.contains(&std::ptr::from_ref(s)) {
                    continue;
                }
                seen.push(s);
                assert!(s.fields.windows(2).all(|w| w[0].name < w[1].name), "{}", s.name);
                s.fields.iter().for_each(|f| structs_of(&f.shape, &mut structs));
            }
        }
    }

    #[test]
    fn lookups() {
        let bucket = lookup("AWS::S3::Bucket").unwrap();
        assert_eq!(bucket.property("BucketName").unwrap().replacement, Replacement::Always);
        assert_eq!(bucket.tag_property, Some("Tags"));
        assert!(bucket.property("Nope").is_none());
        assert!(lookup("AWS::S3::Nope").is_none());
        let retention = lookup("AWS::Logs::LogGroup").unwrap().property("RetentionInDays").unwrap();
        assert!(matches!(retention.shape, Shape::IntegerOf(days) if days.contains(&365)));
        let Shape::Struct(encryption) = bucket.property("BucketEncryption").unwrap().shape else {
            panic!("BucketEncryption is a property type");
        };
        assert!(encryption.field("ServerSideEncryptionConfiguration").unwrap().required);
    }
}
"#;
