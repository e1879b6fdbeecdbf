//! The generated enums' `values`, `as_str` and `From<&str>`: checked for every enum through the
//! generated list (`every_enum/mod.rs`), and on a few enums whose values are known here.

use cirrus_cfn::ec2::ec2_fleet::SpotOptionsRequestAllocationStrategy as Strategy;
use cirrus_cfn::s3::bucket::ServerSideEncryptionByDefaultSseAlgorithm as Sse;
use cirrus_codegen::fixups;
use cirrus_codegen::generate::{SPEC_DIR, workspace_root};
use cirrus_codegen::model;
use cirrus_codegen::spec::Spec;

/// A string no spec lists as an allowed value.
const UNLISTED: &str = "not-a-listed-value";

/// Checks one enum: `values` lists only known variants, each once, each spelled differently;
/// `From<&str>` gives back the variant `as_str` spells and `Other` for anything else, which
/// spells the string it was given.
macro_rules! check_enum {
    ($name:path) => {{
        use $name as E;
        let values = E::values();
        assert!(!values.is_empty(), "{} lists no values", stringify!($name));
        let mut spellings = std::collections::BTreeSet::new();
        for v in values {
            assert!(
                !matches!(v, E::Other(_)),
                "{}::values() holds Other",
                stringify!($name)
            );
            assert!(
                spellings.insert(v.as_str()),
                "{} spells {} twice",
                stringify!($name),
                v.as_str()
            );
            assert_eq!(&E::from(v.as_str()), v, "{}", stringify!($name));
            assert_eq!(
                cirrus_core::ToValue::to_value(v),
                cirrus_core::Value::String(v.as_str().to_owned())
            );
        }
        let other = E::from(crate::UNLISTED);
        assert_eq!(
            other,
            E::Other(crate::UNLISTED.to_owned()),
            "{}",
            stringify!($name)
        );
        assert_eq!(other.as_str(), crate::UNLISTED);
    }};
}

// Generated (see `cirrus_codegen::samples::every_enum`) and formatted by the generator.
#[rustfmt::skip]
mod every_enum;

#[test]
fn every_enum_lists_its_values_and_parses_them_back() {
    every_enum::check_all();
    // The list holds every enum of the model (`fresh.rs` checks that it is the committed one).
    let mut spec = Spec::load(&workspace_root().join(SPEC_DIR)).expect("spec data loads");
    fixups::apply(&mut spec).expect("fix-ups apply");
    let model = model::build(&spec).expect("the model builds");
    let enums: usize = model
        .services
        .iter()
        .flat_map(|s| &s.resources)
        .map(|r| r.enums.len())
        .sum();
    assert_eq!(every_enum::COUNT, enums);
}

#[test]
fn values_are_the_listed_ones_in_the_spec_order() {
    assert_eq!(Sse::values(), &[Sse::AwsKms, Sse::Aes256, Sse::AwsKmsDsse]);
    let spelled: Vec<&str> = Sse::values().iter().map(Sse::as_str).collect();
    assert_eq!(spelled, ["aws:kms", "AES256", "aws:kms:dsse"]);
}

#[test]
fn from_str_matches_the_exact_spelling() {
    assert_eq!(Sse::from("aws:kms"), Sse::AwsKms);
    assert_eq!(Sse::from("AES256"), Sse::Aes256);
    // CloudFormation compares values exactly: another case is another value.
    assert_eq!(Sse::from("aes256"), Sse::Other("aes256".to_owned()));
    assert_eq!(Sse::from(""), Sse::Other(String::new()));
}

#[test]
fn from_str_tells_two_spellings_of_one_value_apart() {
    assert_eq!(Strategy::from("lowest-price"), Strategy::LowestPrice);
    assert_eq!(Strategy::from("lowestPrice"), Strategy::LowestPriceAlt);
    assert_eq!(Strategy::LowestPriceAlt.as_str(), "lowestPrice");
    assert!(Strategy::values().contains(&Strategy::LowestPriceAlt));
}
