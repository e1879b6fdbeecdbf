//! The Rust shape of each resource type: names resolved, value types mapped, recursive
//! fields boxed. The emitters only print what this module decided.
//!
//! Value types:
//! - `string` and `date-time` -> `Expr<String>`; with allowed values, a generated enum
//! - `integer` -> `Expr<i64>`, `number` -> `Expr<f64>`, `boolean` -> `Expr<bool>`
//! - `tag` -> `Expr<cirrus_core::Tag>`
//! - `array` -> `Expr<List<T>>`, `map` -> `Expr<Map<T>>`
//! - `ref` -> `Expr<PropertyType>`, boxed where the types contain each other
//! - `json` and `union` -> `Value`: a union of JSON and string (a policy document as an
//!   object or as text) is any JSON value, and a `Value` holds either shape and intrinsics.

use std::collections::{BTreeMap, BTreeSet};

use crate::docs;
use crate::error::Error;
use crate::naming::{camel_case, snake_case, variant};
use crate::services::{SERVICES, Service};
use crate::spec::{PropertySpec, Replacement, ResourceSpec, Spec, TagVariant, TypeRef, TypeSpec};

/// Names the generated files import or the prelude provides; a generated type of the same
/// name would shadow them.
pub const RESERVED_TYPE_NAMES: &[&str] = &[
    "Box",
    "Clone",
    "Debug",
    "Default",
    "ElementRef",
    "Eq",
    "Expr",
    "List",
    "Map",
    "None",
    "ObjectBuilder",
    "Option",
    "PartialEq",
    "Resource",
    "Self_",
    "Some",
    "String",
    "Tag",
    "TagSpec",
    "ToValue",
    "Value",
    "Vec",
];

/// The whole generated crate.
#[derive(Debug)]
pub struct CrateModel {
    /// The spec package version, for the header of every file.
    pub spec_version: String,
    /// The services, sorted by module name.
    pub services: Vec<ServiceModel>,
}

/// One service: a module and a cargo feature.
#[derive(Debug)]
pub struct ServiceModel {
    /// The service as listed in [`SERVICES`].
    pub service: Service,
    /// The resource types, sorted by CloudFormation type name.
    pub resources: Vec<ResourceModel>,
}

/// One resource type: one file.
#[derive(Debug)]
pub struct ResourceModel {
    /// The CloudFormation type name.
    pub cfn_type: String,
    /// The file and module name (`bucket_policy`).
    pub module: String,
    /// The properties, as a struct named `Cfn<Name>`.
    pub root: StructModel,
    /// The attributes struct's name (`Cfn<Name>Attrs`).
    pub attrs_name: String,
    /// The `Fn::GetAtt` attributes, sorted by name.
    pub attributes: Vec<AttrModel>,
    /// Which property carries tags.
    pub tagging: Option<(String, TagVariant)>,
    /// The property types the properties use, sorted by Rust name.
    pub structs: Vec<StructModel>,
    /// The enums of allowed values, sorted by Rust name.
    pub enums: Vec<EnumModel>,
}

/// A struct: the resource's properties or a property type.
#[derive(Debug)]
pub struct StructModel {
    /// The CloudFormation name (the resource name for the root struct).
    pub cfn_name: String,
    /// The Rust name.
    pub rust_name: String,
    /// The doc paragraph.
    pub doc: String,
    /// The CloudFormation reference page.
    pub url: String,
    /// The fields, sorted by CloudFormation name.
    pub fields: Vec<FieldModel>,
}

impl StructModel {
    /// Whether any field is required (then the struct gets `new` instead of `Default`).
    pub fn has_required(&self) -> bool {
        self.fields.iter().any(|f| f.required)
    }
}

/// A field of a struct.
#[derive(Debug)]
pub struct FieldModel {
    /// The CloudFormation property name.
    pub cfn_name: String,
    /// The Rust field name.
    pub rust_name: String,
    /// The value type.
    pub ty: Ty,
    /// Whether the field is boxed because the types contain each other.
    pub boxed: bool,
    /// Whether CloudFormation requires the property.
    pub required: bool,
    /// The spec's property, for docs.
    pub spec: PropertySpec,
}

/// A value type in Rust terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ty {
    /// `String`.
    String,
    /// `i64`.
    Int,
    /// `f64`.
    Float,
    /// `bool`.
    Bool,
    /// Any JSON: `Value`.
    Value,
    /// `cirrus_core::Tag`.
    Tag,
    /// A generated enum, by Rust name.
    Enum(String),
    /// A generated struct, by Rust name.
    Struct(String),
    /// `List<T>`.
    List(Box<Ty>),
    /// `Map<T>`.
    Map(Box<Ty>),
}

impl Ty {
    /// The type inside `Expr<...>`.
    pub fn inner(&self) -> String {
        match self {
            Ty::String => "String".to_owned(),
            Ty::Int => "i64".to_owned(),
            Ty::Float => "f64".to_owned(),
            Ty::Bool => "bool".to_owned(),
            Ty::Value => "Value".to_owned(),
            Ty::Tag => "Tag".to_owned(),
            Ty::Enum(name) | Ty::Struct(name) => name.clone(),
            Ty::List(t) => format!("List<{}>", t.inner()),
            Ty::Map(t) => format!("Map<{}>", t.inner()),
        }
    }

    /// The field type, before `Option` and `Box`: JSON is a plain `Value` (it holds
    /// intrinsics itself), everything else an `Expr`.
    pub fn field_type(&self) -> String {
        match self {
            Ty::Value => "Value".to_owned(),
            other => format!("Expr<{}>", other.inner()),
        }
    }

    /// Calls `f` for this type and every type inside it.
    pub fn visit(&self, f: &mut impl FnMut(&Ty)) {
        f(self);
        if let Ty::List(t) | Ty::Map(t) = self {
            t.visit(f);
        }
    }
}

/// A `Fn::GetAtt` attribute.
#[derive(Debug)]
pub struct AttrModel {
    /// The attribute name (`CertificateAuthority.Data`).
    pub cfn_name: String,
    /// The accessor name (`certificate_authority_data`).
    pub rust_name: String,
    /// What the accessor returns, inside `Expr<...>`.
    pub ty: Ty,
    /// Whether CloudFormation returns a list (`Fn::GetAtt` with a list result).
    pub list: bool,
    /// The doc paragraph.
    pub doc: String,
}

/// An enum of allowed values.
#[derive(Debug)]
pub struct EnumModel {
    /// The Rust name.
    pub rust_name: String,
    /// The property it serves, as `Owner.Property` (the owner's Rust name), for the docs.
    pub used_by: String,
    /// `(variant, value)` in the spec's order.
    pub variants: Vec<(String, String)>,
}

/// Builds the model of the whole crate from the (fixed-up) spec.
pub fn build(spec: &Spec) -> Result<CrateModel, Error> {
    let mut services = Vec::new();
    for service in SERVICES {
        let data = spec
            .services
            .get(&service.module())
            .ok_or_else(|| Error::Naming {
                context: service.namespace(),
                detail: "no spec data".to_owned(),
            })?;
        let mut resources = Vec::new();
        // Module names and the names `mod.rs` re-exports share the service module.
        let mut names = BTreeSet::new();
        for (cfn_type, resource) in &data.resources {
            let model = resource_model(cfn_type, resource)?;
            for name in [&model.module, &model.root.rust_name, &model.attrs_name] {
                if !names.insert(name.clone()) {
                    return Err(Error::Naming {
                        context: cfn_type.clone(),
                        detail: format!("{name} is used twice in module {}", service.module()),
                    });
                }
            }
            resources.push(model);
        }
        services.push(ServiceModel {
            service: *service,
            resources,
        });
    }
    Ok(CrateModel {
        spec_version: spec.source.version.clone(),
        services,
    })
}

fn resource_model(cfn_type: &str, resource: &ResourceSpec) -> Result<ResourceModel, Error> {
    let err = |detail: String| Error::Naming {
        context: cfn_type.to_owned(),
        detail,
    };
    let root_name = format!("Cfn{}", camel_case(&resource.name));
    let attrs_name = format!("{root_name}Attrs");

    // Property types reachable from the properties; types only attributes use stay out.
    let reachable = reachable_types(resource)?;
    let mut type_names: BTreeMap<String, String> = BTreeMap::new();
    let mut taken: BTreeSet<String> = [root_name.clone(), attrs_name.clone()].into();
    for name in &reachable {
        let rust = camel_case(name);
        check_type_name(&rust).map_err(&err)?;
        if !taken.insert(rust.clone()) {
            return Err(err(format!("two types are named {rust} in Rust")));
        }
        type_names.insert(name.clone(), rust);
    }

    let enums = name_enums(cfn_type, resource, &reachable, &type_names, &mut taken)?;
    let boxed = boxed_edges(resource, &reachable);

    let ctx = Ctx {
        cfn_type,
        type_names: &type_names,
        enums: &enums,
        boxed: &boxed,
    };
    let root = ctx.struct_model(
        &resource.name,
        &root_name,
        &resource.documentation,
        docs::resource_url(cfn_type),
        &resource.properties,
        None,
    )?;
    let mut structs = Vec::new();
    for name in &reachable {
        let def = &resource.types[name];
        structs.push(ctx.struct_model(
            name,
            &type_names[name],
            &def.documentation,
            docs::property_type_url(cfn_type, name),
            &def.properties,
            Some(name),
        )?);
    }
    structs.sort_by(|a, b| a.rust_name.cmp(&b.rust_name));

    let mut attributes = Vec::new();
    let mut attr_names = BTreeSet::new();
    for (name, attr) in &resource.attributes {
        let rust_name = snake_case(name);
        if !name.contains('.') && dotted_alias(resource, name) {
            // `CertificateAuthorityData` next to `CertificateAuthority.Data`: CloudFormation
            // accepts both for the same value; the dotted name gets the accessor.
            continue;
        }
        if !attr_names.insert(rust_name.clone()) {
            return Err(err(format!("two attributes are named {rust_name} in Rust")));
        }
        let (ty, list) = match &attr.ty {
            TypeRef::Array { element } => (Ty::List(Box::new(attr_scalar(element))), true),
            other => (attr_scalar(other), false),
        };
        attributes.push(AttrModel {
            cfn_name: name.clone(),
            rust_name,
            ty,
            list,
            doc: attr.documentation.clone(),
        });
    }

    let mut enum_models = Vec::new();
    for ((owner, prop), (name, values)) in &enums {
        let mut variants = Vec::new();
        let mut seen = BTreeSet::new();
        for value in values {
            let v = variant(value);
            if v.is_empty() || v == "Other" {
                return Err(err(format!(
                    "allowed value {value:?} of {prop} gives no usable variant name"
                )));
            }
            // Another spelling of a value already listed (`lowestPrice` next to
            // `lowest-price`): CloudFormation accepts both, the later one is `...Alt`.
            let mut name = v.clone();
            let mut n = 1;
            while !seen.insert(name.clone()) {
                name = if n == 1 {
                    format!("{v}Alt")
                } else {
                    format!("{v}Alt{n}")
                };
                n += 1;
            }
            variants.push((name, value.clone()));
        }
        enum_models.push(EnumModel {
            rust_name: name.clone(),
            used_by: format!("{owner}.{prop}"),
            variants,
        });
    }
    enum_models.sort_by(|a, b| a.rust_name.cmp(&b.rust_name));

    Ok(ResourceModel {
        cfn_type: cfn_type.to_owned(),
        module: snake_case(&resource.name),
        root,
        attrs_name,
        attributes,
        tagging: resource
            .tagging
            .as_ref()
            .map(|t| (t.property.clone(), t.variant)),
        structs,
        enums: enum_models,
    })
}

/// Whether a flat attribute name has a dotted twin with the same Rust name.
fn dotted_alias(resource: &ResourceSpec, flat: &str) -> bool {
    let rust = snake_case(flat);
    resource
        .attributes
        .keys()
        .any(|other| other.contains('.') && snake_case(other) == rust)
}

fn check_type_name(rust: &str) -> Result<(), String> {
    if RESERVED_TYPE_NAMES.contains(&rust) {
        return Err(format!(
            "type name {rust} would shadow a name the code uses"
        ));
    }
    if !rust.starts_with(|c: char| c.is_ascii_uppercase()) {
        return Err(format!("type name {rust:?} is not a Rust type name"));
    }
    Ok(())
}

/// The Rust type of an attribute: scalars as such, anything structured as `Value`.
fn attr_scalar(ty: &TypeRef) -> Ty {
    match ty {
        TypeRef::String { .. } | TypeRef::DateTime => Ty::String,
        TypeRef::Integer { .. } => Ty::Int,
        TypeRef::Number => Ty::Float,
        TypeRef::Boolean => Ty::Bool,
        _ => Ty::Value,
    }
}

/// The property types reachable from the resource's properties, sorted by name.
fn reachable_types(resource: &ResourceSpec) -> Result<Vec<String>, Error> {
    let mut found = BTreeSet::new();
    let mut stack: Vec<&TypeRef> = resource.properties.values().map(|p| &p.ty).collect();
    while let Some(ty) = stack.pop() {
        match ty {
            TypeRef::Ref { name } if found.insert(name.clone()) => {
                let def = resource.types.get(name).ok_or_else(|| Error::Naming {
                    context: resource.name.clone(),
                    detail: format!("property type {name} is not in the spec data"),
                })?;
                stack.extend(def.properties.values().map(|p| &p.ty));
            }
            TypeRef::Array { element } | TypeRef::Map { element } => stack.push(element),
            TypeRef::Union { types } => stack.extend(types),
            _ => {}
        }
    }
    Ok(found.into_iter().collect())
}

/// An enum occurrence: the owner's Rust name (without `Cfn`) and the property name.
type EnumKey = (String, String);

/// Names the enums of a resource, one per property with allowed values, by a rule that looks
/// at nothing but the property itself: `<Owner><Property>` ([`enum_name`]), where the owner is
/// the property type's Rust name, or the resource's name for its own properties
/// (`BucketAccessControl`, `VersioningConfigurationStatus`). A name therefore never changes because another property
/// or type appears; a spec that would give two things one name fails generation instead of
/// renaming either. Returns the name and values per occurrence.
fn name_enums(
    cfn_type: &str,
    resource: &ResourceSpec,
    reachable: &[String],
    type_names: &BTreeMap<String, String>,
    taken: &mut BTreeSet<String>,
) -> Result<BTreeMap<EnumKey, (String, Vec<String>)>, Error> {
    let err = |detail: String| Error::Naming {
        context: cfn_type.to_owned(),
        detail,
    };
    let mut owners: Vec<(String, &BTreeMap<String, PropertySpec>)> =
        vec![(camel_case(&resource.name), &resource.properties)];
    for name in reachable {
        owners.push((type_names[name].clone(), &resource.types[name].properties));
    }
    let mut out = BTreeMap::new();
    for (owner, props) in owners {
        for (prop, spec) in props {
            let Some(values) = enum_values(&spec.ty) else {
                continue;
            };
            let name = enum_name(&owner, prop);
            check_type_name(&name).map_err(&err)?;
            if !taken.insert(name.clone()) {
                return Err(err(format!(
                    "enum name {name} of {owner}.{prop} is already the name of another type or enum"
                )));
            }
            out.insert((owner.clone(), prop.clone()), (name, values));
        }
    }
    Ok(out)
}

/// The Rust name of the enum of a property: `<Owner><Property>`, both in Rust's camel case,
/// without repeating the owner when the property's name already begins with it
/// (`Certificate.CertificateExport` -> `CertificateExport`, not `CertificateCertificateExport`).
pub fn enum_name(owner: &str, property: &str) -> String {
    let property = camel_case(property);
    // Only a whole word: `Bucket` begins `BucketNamespace`, not `BucketsLimit`.
    let repeats = property
        .strip_prefix(owner)
        .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_uppercase()));
    if repeats {
        property
    } else {
        format!("{owner}{property}")
    }
}

/// The allowed values of a string type, also inside lists and maps.
fn enum_values(ty: &TypeRef) -> Option<Vec<String>> {
    match ty {
        TypeRef::String { allowed_values } if !allowed_values.is_empty() => {
            let mut values: Vec<String> = Vec::new();
            for v in allowed_values {
                if !values.contains(v) {
                    values.push(v.clone());
                }
            }
            Some(values)
        }
        TypeRef::Array { element } | TypeRef::Map { element } => enum_values(element),
        _ => None,
    }
}

/// The fields (`owner type`, `property`) to box: a property type that contains, without a
/// list or map in between, a type that contains it again would have infinite size.
fn boxed_edges(resource: &ResourceSpec, reachable: &[String]) -> BTreeSet<(String, String)> {
    let direct = |def: &TypeSpec| -> Vec<(String, String)> {
        def.properties
            .iter()
            .filter_map(|(prop, spec)| match &spec.ty {
                TypeRef::Ref { name } => Some((prop.clone(), name.clone())),
                _ => None,
            })
            .collect()
    };
    let edges: BTreeMap<&String, Vec<(String, String)>> = reachable
        .iter()
        .map(|name| (name, direct(&resource.types[name])))
        .collect();
    let reaches = |from: &String, to: &String| -> bool {
        let mut seen = BTreeSet::new();
        let mut stack = vec![from.clone()];
        while let Some(n) = stack.pop() {
            if &n == to {
                return true;
            }
            if seen.insert(n.clone()) {
                if let Some(out) = edges.get(&n) {
                    stack.extend(out.iter().map(|(_, t)| t.clone()));
                }
            }
        }
        false
    };
    let mut boxed = BTreeSet::new();
    for (owner, out) in &edges {
        for (prop, target) in out {
            if reaches(target, owner) {
                boxed.insert(((*owner).clone(), prop.clone()));
            }
        }
    }
    boxed
}

struct Ctx<'a> {
    cfn_type: &'a str,
    type_names: &'a BTreeMap<String, String>,
    enums: &'a BTreeMap<EnumKey, (String, Vec<String>)>,
    boxed: &'a BTreeSet<(String, String)>,
}

impl Ctx<'_> {
    fn struct_model(
        &self,
        cfn_name: &str,
        rust_name: &str,
        doc: &str,
        url: String,
        props: &BTreeMap<String, PropertySpec>,
        type_name: Option<&String>,
    ) -> Result<StructModel, Error> {
        let owner = type_name.map_or_else(|| camel_case(cfn_name), |n| self.type_names[n].clone());
        let mut fields = Vec::new();
        let mut names = BTreeSet::new();
        for (prop, spec) in props {
            let rust = snake_case(prop);
            if !names.insert(rust.clone()) {
                return Err(Error::Naming {
                    context: format!("{} {cfn_name}", self.cfn_type),
                    detail: format!("two properties are named {rust} in Rust"),
                });
            }
            let ty = self.ty(&spec.ty, &owner, prop)?;
            let boxed = type_name.is_some_and(|t| self.boxed.contains(&(t.clone(), prop.clone())));
            fields.push(FieldModel {
                cfn_name: prop.clone(),
                rust_name: rust,
                ty,
                boxed,
                required: spec.required,
                spec: spec.clone(),
            });
        }
        Ok(StructModel {
            cfn_name: cfn_name.to_owned(),
            rust_name: rust_name.to_owned(),
            doc: doc.to_owned(),
            url,
            fields,
        })
    }

    fn ty(&self, ty: &TypeRef, owner: &str, prop: &str) -> Result<Ty, Error> {
        Ok(match ty {
            TypeRef::String { allowed_values } if !allowed_values.is_empty() => {
                let key = (owner.to_owned(), prop.to_owned());
                Ty::Enum(self.enums[&key].0.clone())
            }
            TypeRef::String { .. } | TypeRef::DateTime => Ty::String,
            TypeRef::Integer { .. } => Ty::Int,
            TypeRef::Number => Ty::Float,
            TypeRef::Boolean => Ty::Bool,
            TypeRef::Json | TypeRef::Union { .. } => Ty::Value,
            TypeRef::Tag => Ty::Tag,
            TypeRef::Array { element } => Ty::List(Box::new(self.ty(element, owner, prop)?)),
            TypeRef::Map { element } => Ty::Map(Box::new(self.ty(element, owner, prop)?)),
            TypeRef::Ref { name } => Ty::Struct(
                self.type_names
                    .get(name)
                    .ok_or_else(|| Error::Naming {
                        context: self.cfn_type.to_owned(),
                        detail: format!("property type {name} is not in the spec data"),
                    })?
                    .clone(),
            ),
        })
    }
}

/// The replacement marker of a property for its doc comment.
pub fn replacement_note(spec: &PropertySpec) -> &'static str {
    match spec.causes_replacement {
        Some(Replacement::Yes) => "Changing this replaces the resource.",
        Some(Replacement::Maybe) => "Changing this may replace the resource.",
        None => "",
    }
}

#[cfg(test)]
mod tests {
    use super::enum_name;

    #[test]
    fn enum_names_are_owner_and_property() {
        assert_eq!(enum_name("Bucket", "AccessControl"), "BucketAccessControl");
        assert_eq!(
            enum_name("ServerSideEncryptionByDefault", "SSEAlgorithm"),
            "ServerSideEncryptionByDefaultSseAlgorithm"
        );
        assert_eq!(enum_name("Destination", "Format"), "DestinationFormat");
    }

    #[test]
    fn enum_names_do_not_repeat_the_owner() {
        assert_eq!(
            enum_name("Certificate", "CertificateExport"),
            "CertificateExport"
        );
        assert_eq!(enum_name("Bucket", "BucketNamespace"), "BucketNamespace");
        // Only a whole word of the property counts.
        assert_eq!(enum_name("Bucket", "BucketsLimit"), "BucketBucketsLimit");
        assert_eq!(enum_name("Rule", "Rule"), "RuleRule");
    }
}
