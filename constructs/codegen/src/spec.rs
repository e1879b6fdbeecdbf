//! The committed spec data under `constructs/spec/`: the subset of `@aws-cdk/aws-service-spec`
//! the generator needs, one JSON file per service.
//!
//! The upstream database identifies type definitions by numeric ids that change with every
//! release; here a type is named by its CloudFormation name inside its resource, so a version
//! bump shows up as a readable diff of the data. Maps are `BTreeMap`s, so the files keep a
//! stable key order.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::services::SERVICES;

/// Where the spec data came from: the npm package and the exact version (`source.json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// The npm package name.
    pub package: String,
    /// The pinned version.
    pub version: String,
    /// npm's integrity hash of the package tarball, checked when the data is extracted again.
    pub integrity: String,
}

/// The resource types of one service (`s3.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceSpec {
    /// The CloudFormation namespace, such as `AWS::S3`.
    pub namespace: String,
    /// The resource types, by CloudFormation type name.
    pub resources: BTreeMap<String, ResourceSpec>,
}

/// One resource type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResourceSpec {
    /// The resource name without the namespace, such as `Bucket`.
    pub name: String,
    /// The first paragraph of the upstream documentation (Markdown).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub documentation: String,
    /// The properties, by CloudFormation name.
    pub properties: BTreeMap<String, PropertySpec>,
    /// The `Fn::GetAtt` attributes, by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, AttributeSpec>,
    /// Which property carries tags, if the type is taggable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tagging: Option<Tagging>,
    /// The property types this resource uses, by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub types: BTreeMap<String, TypeSpec>,
}

/// Which property carries tags, and in what shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tagging {
    /// The property name, usually `Tags`.
    pub property: String,
    /// The shape of the property.
    pub variant: TagVariant,
}

/// The shape of a tag property.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TagVariant {
    /// A list of `{"Key", "Value"}` objects.
    Standard,
    /// A key-to-value object.
    Map,
    /// The Auto Scaling group shape, with `PropagateAtLaunch`.
    Asg,
}

/// A property type (a nested object).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TypeSpec {
    /// The first paragraph of the upstream documentation (Markdown).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub documentation: String,
    /// The properties, by CloudFormation name.
    pub properties: BTreeMap<String, PropertySpec>,
}

/// A property of a resource or of a property type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PropertySpec {
    /// The value type.
    #[serde(rename = "type")]
    pub ty: TypeRef,
    /// Whether CloudFormation requires the property.
    #[serde(default, skip_serializing_if = "is_false")]
    pub required: bool,
    /// Whether changing the property replaces the resource.
    #[serde(
        default,
        rename = "causesReplacement",
        skip_serializing_if = "Option::is_none"
    )]
    pub causes_replacement: Option<Replacement>,
    /// Whether the property is deprecated.
    #[serde(default, skip_serializing_if = "is_false")]
    pub deprecated: bool,
    /// The first paragraph of the upstream documentation (Markdown).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub documentation: String,
}

/// A `Fn::GetAtt` attribute.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttributeSpec {
    /// The value type.
    #[serde(rename = "type")]
    pub ty: TypeRef,
    /// The first paragraph of the upstream documentation (Markdown).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub documentation: String,
}

/// Whether changing a property replaces the resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Replacement {
    /// Always.
    Yes,
    /// For some changes; CloudFormation decides at deploy time.
    Maybe,
}

/// A value type, as the upstream spec spells it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case", deny_unknown_fields)]
pub enum TypeRef {
    /// A string; with allowed values, an enumeration.
    String {
        /// The values the spec lists; empty for any string.
        #[serde(
            default,
            rename = "allowedValues",
            skip_serializing_if = "Vec::is_empty"
        )]
        allowed_values: Vec<String>,
    },
    /// An integer.
    Integer {
        /// The values the spec lists; empty for any integer.
        #[serde(
            default,
            rename = "allowedValues",
            skip_serializing_if = "Vec::is_empty"
        )]
        allowed_values: Vec<i64>,
    },
    /// A floating-point number.
    Number,
    /// A boolean.
    Boolean,
    /// A timestamp, written as a string.
    DateTime,
    /// Any JSON.
    Json,
    /// A `{"Key", "Value"}` tag.
    Tag,
    /// A list.
    Array {
        /// The item type.
        element: Box<TypeRef>,
    },
    /// A string-keyed map.
    Map {
        /// The value type.
        element: Box<TypeRef>,
    },
    /// A property type of the same resource, by name.
    Ref {
        /// The property type's name.
        name: String,
    },
    /// One of several types.
    Union {
        /// The alternatives.
        types: Vec<TypeRef>,
    },
}

impl TypeRef {
    /// A plain string.
    pub fn string() -> TypeRef {
        TypeRef::String {
            allowed_values: Vec::new(),
        }
    }
}

// Serde's `skip_serializing_if` hands the field by reference.
#[allow(clippy::trivially_copy_pass_by_ref)]
fn is_false(b: &bool) -> bool {
    !*b
}

/// The whole committed spec: the source and every service's data, by module name.
#[derive(Debug, Clone, PartialEq)]
pub struct Spec {
    /// Where the data came from.
    pub source: Source,
    /// The services, by module name (`s3`).
    pub services: BTreeMap<String, ServiceSpec>,
}

/// The file that records the source package.
pub const SOURCE_FILE: &str = "source.json";

impl Spec {
    /// Reads `source.json` and one file per service from `dir`.
    pub fn load(dir: &Path) -> Result<Spec, Error> {
        let source: Source = read_json(&dir.join(SOURCE_FILE))?;
        let mut services = BTreeMap::new();
        for service in SERVICES {
            let path = dir.join(service.spec_file());
            let data: ServiceSpec = read_json(&path)?;
            if data.namespace != service.namespace() {
                return Err(Error::SpecMismatch {
                    path: path.clone(),
                    detail: format!(
                        "namespace is {}, expected {}",
                        data.namespace,
                        service.namespace()
                    ),
                });
            }
            services.insert(service.module(), data);
        }
        Ok(Spec { source, services })
    }

    /// The files of the spec data, by file name, as `extract` writes them.
    pub fn files(&self) -> Result<BTreeMap<String, String>, Error> {
        let mut files = BTreeMap::new();
        files.insert(SOURCE_FILE.to_owned(), to_json(&self.source)?);
        for (module, service) in &self.services {
            files.insert(format!("{module}.json"), to_json(service)?);
        }
        Ok(files)
    }
}

/// Pretty JSON with a final newline.
pub fn to_json<T: Serialize>(value: &T) -> Result<String, Error> {
    let mut text = serde_json::to_string_pretty(value).map_err(Error::Serialize)?;
    text.push('\n');
    Ok(text)
}

fn read_json<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<T, Error> {
    let text = fs::read_to_string(path).map_err(|source| Error::Read {
        path: path.to_owned(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|source| Error::Parse {
        path: path.to_owned(),
        source,
    })
}
