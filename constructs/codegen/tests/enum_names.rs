//! Enum names come from one rule, `<Owner><Property>`, that looks at nothing else in the spec:
//! a spec update that adds properties or types named like existing ones renames no existing
//! enum, and a name the rule would give to two things stops generation instead.

use std::collections::{BTreeMap, BTreeSet};

use cirrus_codegen::generate::{SPEC_DIR, workspace_root};
use cirrus_codegen::model::{self, CrateModel};
use cirrus_codegen::naming::camel_case;
use cirrus_codegen::spec::{PropertySpec, ResourceSpec, Spec, TypeRef, TypeSpec};
use cirrus_codegen::{Error, fixups};

/// The owner the added properties live in; no resource has a type of that name.
const ADDED: &str = "ZzAdded";

fn spec() -> Spec {
    let mut spec = Spec::load(&workspace_root().join(SPEC_DIR)).expect("spec data loads");
    fixups::apply(&mut spec).expect("fix-ups apply");
    spec
}

/// Every enum's name, by resource type and `Owner.Property`.
fn enum_names(model: &CrateModel) -> BTreeMap<(String, String), String> {
    let mut names = BTreeMap::new();
    for r in model.services.iter().flat_map(|s| &s.resources) {
        for e in &r.enums {
            let key = (r.cfn_type.clone(), e.used_by.clone());
            assert!(names.insert(key, e.rust_name.clone()).is_none());
        }
    }
    names
}

fn property(ty: TypeRef) -> PropertySpec {
    PropertySpec {
        ty,
        required: false,
        causes_replacement: None,
        deprecated: false,
        documentation: String::new(),
    }
}

fn allowed(values: &[&str]) -> TypeRef {
    TypeRef::String {
        allowed_values: values.iter().map(|v| (*v).to_owned()).collect(),
    }
}

fn reference(name: &str) -> PropertySpec {
    property(TypeRef::Ref {
        name: name.to_owned(),
    })
}

/// The names of the properties with allowed values, anywhere in the resource.
fn enum_properties(resource: &ResourceSpec) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let all =
        std::iter::once(&resource.properties).chain(resource.types.values().map(|t| &t.properties));
    for props in all {
        for (name, p) in props {
            let mut ty = &p.ty;
            while let TypeRef::Array { element } | TypeRef::Map { element } = ty {
                ty = element;
            }
            if matches!(ty, TypeRef::String { allowed_values } if !allowed_values.is_empty()) {
                out.insert(name.clone());
            }
        }
    }
    out
}

/// What the earlier, collision-dependent naming renamed on: for every resource, a new
/// property type with a property of every enum property's name but other values, and a new
/// property type named after each enum property (`Format`, `Status`).
fn add_colliding_names(spec: &mut Spec, taken: &BTreeSet<String>) -> usize {
    let mut added = 0;
    for service in spec.services.values_mut() {
        for resource in service.resources.values_mut() {
            let props = enum_properties(resource);
            if props.is_empty() {
                continue;
            }
            assert!(!resource.types.contains_key(ADDED));
            let mut extra = BTreeMap::new();
            let mut new_types = BTreeSet::new();
            let mut new_props = BTreeSet::new();
            for prop in &props {
                let rust = camel_case(prop);
                // `S3BackupMode` and `s3BackupMode` (of two owners) are one Rust name.
                if !new_props.insert(rust.clone()) {
                    continue;
                }
                extra.insert(
                    prop.clone(),
                    property(allowed(&["zz-added-1", "zz-added-2"])),
                );
                added += 1;
                // A type whose name the rule already gives to an enum would clash: that case
                // fails generation (the test below), it cannot rename anything. Names the
                // generated code uses itself are refused whatever the enums.
                if !resource.types.contains_key(prop)
                    && !taken.contains(&rust)
                    && !model::RESERVED_TYPE_NAMES.contains(&rust.as_str())
                    && new_types.insert(rust)
                {
                    resource.types.insert(
                        prop.clone(),
                        TypeSpec {
                            documentation: String::new(),
                            properties: [("Value".to_owned(), property(TypeRef::string()))].into(),
                        },
                    );
                    resource
                        .properties
                        .insert(format!("{ADDED}{prop}"), reference(prop));
                }
            }
            resource.types.insert(
                ADDED.to_owned(),
                TypeSpec {
                    documentation: String::new(),
                    properties: extra,
                },
            );
            resource
                .properties
                .insert(format!("{ADDED}Settings"), reference(ADDED));
        }
    }
    added
}

/// Every type name the model generates, per resource and across all (enough for the test).
fn type_names(model: &CrateModel) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for r in model.services.iter().flat_map(|s| &s.resources) {
        out.extend(r.structs.iter().map(|s| s.rust_name.clone()));
        out.extend(r.enums.iter().map(|e| e.rust_name.clone()));
    }
    out
}

#[test]
fn adding_colliding_properties_and_types_renames_no_enum() {
    let before_spec = spec();
    let before_model = model::build(&before_spec).expect("the model builds");
    let before = enum_names(&before_model);

    let mut after_spec = before_spec.clone();
    let added = add_colliding_names(&mut after_spec, &type_names(&before_model));
    let after = enum_names(&model::build(&after_spec).expect("the model still builds"));

    for (key, name) in &before {
        assert_eq!(after.get(key), Some(name), "{key:?} was renamed");
    }
    assert_eq!(after.len(), before.len() + added);
    // The new ones are named by the same rule.
    let key = |owner_prop: &str| ("AWS::S3::Bucket".to_owned(), owner_prop.to_owned());
    assert_eq!(after[&key("ZzAdded.Status")], "ZzAddedStatus");
    assert_eq!(
        before[&key("VersioningConfiguration.Status")],
        "VersioningConfigurationStatus"
    );
    assert_eq!(before[&key("Destination.Format")], "DestinationFormat");
}

#[test]
fn the_rule_names_every_enum_after_its_owner_and_property() {
    let model = model::build(&spec()).expect("the model builds");
    for ((cfn_type, owner_prop), name) in enum_names(&model) {
        let (owner, prop) = owner_prop.split_once('.').expect("Owner.Property");
        assert_eq!(
            name,
            model::enum_name(owner, prop),
            "{cfn_type} {owner_prop}"
        );
    }
    let names = enum_names(&model);
    let s3 = |k: &str| names[&("AWS::S3::Bucket".to_owned(), k.to_owned())].clone();
    assert_eq!(s3("Bucket.AccessControl"), "BucketAccessControl");
    assert_eq!(
        s3("ServerSideEncryptionByDefault.SSEAlgorithm"),
        "ServerSideEncryptionByDefaultSseAlgorithm"
    );
    // A property whose name begins with its owner's does not repeat it.
    assert_eq!(s3("Bucket.BucketNamespace"), "BucketNamespace");
    // Properties of one name in different owners are different enums, even with equal
    // values: their names must not depend on whether the values still agree.
    assert_eq!(s3("RedirectRule.Protocol"), "RedirectRuleProtocol");
    assert_eq!(
        s3("RedirectAllRequestsTo.Protocol"),
        "RedirectAllRequestsToProtocol"
    );
}

#[test]
fn a_name_the_rule_gives_twice_stops_generation() {
    let mut spec = spec();
    let bucket = spec
        .services
        .get_mut("s3")
        .and_then(|s| s.resources.get_mut("AWS::S3::Bucket"))
        .expect("AWS::S3::Bucket");
    // A new property type named like the enum of `Bucket.AccessControl`.
    bucket.types.insert(
        "BucketAccessControl".to_owned(),
        TypeSpec {
            documentation: String::new(),
            properties: [("Value".to_owned(), property(TypeRef::string()))].into(),
        },
    );
    bucket
        .properties
        .insert("Grants".to_owned(), reference("BucketAccessControl"));
    match model::build(&spec) {
        Err(Error::Naming { context, detail }) => {
            assert_eq!(context, "AWS::S3::Bucket");
            assert!(detail.contains("BucketAccessControl"), "{detail}");
        }
        Err(other) => panic!("a clash must fail as a naming error: {other}"),
        Ok(_) => panic!("a clash must fail generation, the model built"),
    }
}
