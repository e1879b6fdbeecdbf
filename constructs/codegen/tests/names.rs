//! Every Rust name the generator derives from the committed spec is a valid identifier in
//! the conventional case, and unique where it must be: fields within their struct, accessors
//! within their attributes type, variants within their enum, types within their file, and
//! modules and re-exported types within their service.
//!
//! The generator refuses clashes itself; this test checks the outcome independently, on the
//! model the emitters print.

use std::collections::BTreeSet;

use cirrus_codegen::fixups;
use cirrus_codegen::generate::{SPEC_DIR, workspace_root};
use cirrus_codegen::model::{self, CrateModel};
use cirrus_codegen::spec::Spec;

const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "Self", "static", "struct", "super", "trait", "true", "try", "type",
    "typeof", "union", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

fn crate_model() -> CrateModel {
    let mut spec = Spec::load(&workspace_root().join(SPEC_DIR)).expect("spec data loads");
    fixups::apply(&mut spec).expect("fix-ups apply");
    model::build(&spec).expect("the model builds")
}

fn is_snake(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !name.contains("__")
        && !KEYWORDS.contains(&name)
}

fn is_camel(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_uppercase())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !KEYWORDS.contains(&name)
}

/// Inserts `name` into `seen`, failing with `what` when it is already there.
fn unique(seen: &mut BTreeSet<String>, name: &str, what: &str) {
    assert!(seen.insert(name.to_owned()), "{name} is not unique: {what}");
}

#[test]
fn every_generated_name_is_unique_within_its_scope() {
    let model = crate_model();
    let mut fields = 0;
    for service in &model.services {
        let module = service.service.module();
        let mut in_module = BTreeSet::new();
        for r in &service.resources {
            let ctx = format!("{module}::{} ({})", r.module, r.cfn_type);
            unique(&mut in_module, &r.module, &ctx);
            unique(&mut in_module, &r.root.rust_name, &ctx);
            unique(&mut in_module, &r.attrs_name, &ctx);

            let mut types = BTreeSet::new();
            unique(&mut types, &r.root.rust_name, &ctx);
            unique(&mut types, &r.attrs_name, &ctx);
            for s in std::iter::once(&r.root).chain(&r.structs) {
                if !std::ptr::eq(s, &r.root) {
                    unique(&mut types, &s.rust_name, &ctx);
                }
                let mut names = BTreeSet::new();
                for f in &s.fields {
                    unique(&mut names, &f.rust_name, &format!("{ctx} {}", s.rust_name));
                    fields += 1;
                }
            }
            for e in &r.enums {
                unique(&mut types, &e.rust_name, &ctx);
                let mut variants: BTreeSet<String> = ["Other".to_owned()].into();
                for (v, _) in &e.variants {
                    unique(&mut variants, v, &format!("{ctx} {}", e.rust_name));
                }
            }
            let mut accessors = BTreeSet::new();
            for a in &r.attributes {
                unique(
                    &mut accessors,
                    &a.rust_name,
                    &format!("{ctx} {}", r.attrs_name),
                );
            }
        }
    }
    assert!(
        fields > 5_000,
        "only {fields} fields: is the spec data complete?"
    );
}

#[test]
fn every_generated_name_is_an_identifier_in_its_case() {
    let model = crate_model();
    for service in &model.services {
        for r in &service.resources {
            assert!(is_snake(&r.module), "module {}", r.module);
            for s in std::iter::once(&r.root).chain(&r.structs) {
                assert!(is_camel(&s.rust_name), "type {}", s.rust_name);
                for f in &s.fields {
                    assert!(
                        is_snake(&f.rust_name),
                        "field {} of {}",
                        f.rust_name,
                        s.rust_name
                    );
                }
            }
            for e in &r.enums {
                assert!(is_camel(&e.rust_name), "enum {}", e.rust_name);
                for (v, value) in &e.variants {
                    assert!(is_camel(v), "variant {v} for {value:?}");
                }
            }
            for a in &r.attributes {
                assert!(
                    is_snake(&a.rust_name),
                    "accessor {} of {}",
                    a.rust_name,
                    r.cfn_type
                );
            }
        }
    }
}

#[test]
fn known_names_map_as_documented() {
    let model = crate_model();
    let find = |cfn_type: &str| {
        model
            .services
            .iter()
            .flat_map(|s| &s.resources)
            .find(|r| r.cfn_type == cfn_type)
            .unwrap_or_else(|| panic!("{cfn_type} is generated"))
    };
    let field = |cfn_type: &str, owner: &str, prop: &str| {
        let r = find(cfn_type);
        std::iter::once(&r.root)
            .chain(&r.structs)
            .find(|s| s.cfn_name == owner)
            .and_then(|s| s.fields.iter().find(|f| f.cfn_name == prop))
            .map(|f| f.rust_name.clone())
            .unwrap_or_else(|| panic!("{cfn_type} {owner}.{prop}"))
    };
    assert_eq!(field("AWS::EC2::Subnet", "Subnet", "VpcId"), "vpc_id");
    assert_eq!(
        field(
            "AWS::S3::Bucket",
            "ServerSideEncryptionByDefault",
            "SSEAlgorithm"
        ),
        "sse_algorithm"
    );
    assert_eq!(
        field(
            "AWS::S3::Bucket",
            "ServerSideEncryptionByDefault",
            "KMSMasterKeyID"
        ),
        "kms_master_key_id"
    );
    assert_eq!(
        field("AWS::Route53::RecordSet", "RecordSet", "Type"),
        "type_"
    );
    assert_eq!(find("AWS::EC2::VPC").root.rust_name, "CfnVpc");
    let eks = find("AWS::EKS::Cluster");
    assert!(
        eks.attributes
            .iter()
            .any(|a| a.cfn_name == "CertificateAuthority.Data"
                && a.rust_name == "certificate_authority_data")
    );
}
