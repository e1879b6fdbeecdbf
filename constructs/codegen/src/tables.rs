//! Lists of values that have a known set, which the L2 constructs check names against at synth:
//! the EC2 instance types and the regions of each AWS partition.
//!
//! One public source, pinned by the test tooling (`scripts/test`): botocore, the data of the
//! AWS SDK for Python:
//! - `data/ec2/2016-11-15/service-2.json.gz`, the EC2 service model, whose `InstanceType`
//!   shape enumerates every instance type the EC2 API accepts;
//! - `data/endpoints.json`, the partitions (`aws`, `aws-cn`, `aws-us-gov`, ...) and the regions
//!   of each.
//!
//! `tables` writes them to `constructs/spec/` ([`INSTANCE_TYPES_FILE`], [`REGIONS_FILE`]) with
//! the botocore version they came from; `generate` turns the committed files into Rust tables
//! (`cirrus-cfn`'s `ec2_instance_types`, `cirrus-core`'s `regions_table`), so that generation
//! runs offline and a botocore update shows up as a readable diff of the data.

use std::fmt::Write as _;
use std::io::Read as _;
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::Error;

/// The instance types, in `constructs/spec/`.
pub const INSTANCE_TYPES_FILE: &str = "ec2-instance-types.json";

/// The partitions and their regions, in `constructs/spec/`.
pub const REGIONS_FILE: &str = "regions.json";

/// The generated instance-type table, relative to the workspace root.
pub const INSTANCE_TYPES_RS: &str = "constructs/cfn/src/ec2_instance_types.rs";

/// The generated region table, relative to the workspace root.
pub const REGIONS_RS: &str = "constructs/core/src/regions_table.rs";

/// The EC2 service model inside botocore's `data` directory.
const EC2_MODEL: &str = "ec2/2016-11-15/service-2.json.gz";

/// The endpoints file inside botocore's `data` directory.
const ENDPOINTS: &str = "endpoints.json";

/// Where a table came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableSource {
    /// The package, `botocore`.
    pub package: String,
    /// Its version.
    pub version: String,
    /// The file inside the package's `data` directory.
    pub file: String,
    /// What in the file the list is.
    pub selection: String,
}

/// `ec2-instance-types.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstanceTypes {
    /// Where the list came from.
    pub source: TableSource,
    /// Every instance type, sorted by bytes (so the Rust table can be searched by bisection).
    #[serde(rename = "instanceTypes")]
    pub instance_types: Vec<String>,
}

/// One partition of `regions.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartitionData {
    /// The partition as ARNs write it: `aws`, `aws-cn`.
    pub partition: String,
    /// Its name in words: `AWS China`.
    pub name: String,
    /// Its regions, sorted.
    pub regions: Vec<String>,
}

/// `regions.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Regions {
    /// Where the list came from.
    pub source: TableSource,
    /// The partitions, in the order botocore lists them (the commercial one first).
    pub partitions: Vec<PartitionData>,
}

fn read_error(path: &Path, source: std::io::Error) -> Error {
    Error::Read {
        path: path.to_owned(),
        source,
    }
}

fn mismatch(path: &Path, detail: impl Into<String>) -> Error {
    Error::SpecMismatch {
        path: path.to_owned(),
        detail: detail.into(),
    }
}

fn parse(path: &Path, text: &str) -> Result<Value, Error> {
    serde_json::from_str(text).map_err(|source| Error::Parse {
        path: path.to_owned(),
        source,
    })
}

/// The version botocore records in its `__init__.py`.
fn botocore_version(botocore: &Path) -> Result<String, Error> {
    let path = botocore.join("__init__.py");
    let text = std::fs::read_to_string(&path).map_err(|e| read_error(&path, e))?;
    text.lines()
        .find_map(|line| line.strip_prefix("__version__ = "))
        .map(|v| v.trim().trim_matches(['\'', '"']).to_owned())
        .filter(|v| !v.is_empty())
        .ok_or_else(|| mismatch(&path, "no __version__ line"))
}

fn source(version: &str, file: &str, selection: &str) -> TableSource {
    TableSource {
        package: "botocore".to_owned(),
        version: version.to_owned(),
        file: format!("data/{file}"),
        selection: selection.to_owned(),
    }
}

/// Reads both tables from an installed botocore package (the directory holding its
/// `__init__.py` and `data/`).
pub fn extract(botocore: &Path) -> Result<(InstanceTypes, Regions), Error> {
    let version = botocore_version(botocore)?;
    let data = botocore.join("data");

    let path = data.join(EC2_MODEL);
    let file = std::fs::File::open(&path).map_err(|e| read_error(&path, e))?;
    let mut text = String::new();
    flate2::read::GzDecoder::new(file)
        .read_to_string(&mut text)
        .map_err(|e| read_error(&path, e))?;
    let model = parse(&path, &text)?;
    let mut instance_types: Vec<String> = model["shapes"]["InstanceType"]["enum"]
        .as_array()
        .ok_or_else(|| mismatch(&path, "no enum in shapes.InstanceType"))?
        .iter()
        .map(|v| {
            v.as_str()
                .map(str::to_owned)
                .ok_or_else(|| mismatch(&path, format!("instance type {v} is not a string")))
        })
        .collect::<Result<_, _>>()?;
    instance_types.sort();
    instance_types.dedup();
    if let Some(odd) = instance_types.iter().find(|t| !is_instance_type_shape(t)) {
        return Err(mismatch(
            &path,
            format!("instance type \"{odd}\" is not family.size in lower case"),
        ));
    }

    let path = data.join(ENDPOINTS);
    let text = std::fs::read_to_string(&path).map_err(|e| read_error(&path, e))?;
    let endpoints = parse(&path, &text)?;
    let partitions = endpoints["partitions"]
        .as_array()
        .ok_or_else(|| mismatch(&path, "no partitions"))?
        .iter()
        .map(|p| {
            let partition = p["partition"]
                .as_str()
                .ok_or_else(|| mismatch(&path, "a partition without a name"))?;
            let mut regions: Vec<String> = p["regions"]
                .as_object()
                .ok_or_else(|| mismatch(&path, format!("partition {partition} has no regions")))?
                .keys()
                .cloned()
                .collect();
            regions.sort();
            Ok(PartitionData {
                partition: partition.to_owned(),
                name: p["partitionName"].as_str().unwrap_or(partition).to_owned(),
                regions,
            })
        })
        .collect::<Result<Vec<_>, Error>>()?;

    Ok((
        InstanceTypes {
            source: source(&version, EC2_MODEL, "shapes.InstanceType.enum"),
            instance_types,
        },
        Regions {
            source: source(&version, ENDPOINTS, "partitions[].regions"),
            partitions,
        },
    ))
}

/// `family.size`, lower-case letters, digits and `-`: what the generated table and the checks
/// that split a name at its dot assume.
fn is_instance_type_shape(t: &str) -> bool {
    t.split_once('.').is_some_and(|(family, size)| {
        !family.is_empty()
            && !size.is_empty()
            && !size.contains('.')
            && t.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-')
    })
}

fn to_text<T: Serialize>(value: &T) -> Result<String, Error> {
    let mut text = serde_json::to_string_pretty(value).map_err(Error::Serialize)?;
    text.push('\n');
    Ok(text)
}

/// The files `tables` writes to `constructs/spec/`, by name.
pub fn files(
    types: &InstanceTypes,
    regions: &Regions,
) -> Result<Vec<(&'static str, String)>, Error> {
    Ok(vec![
        (INSTANCE_TYPES_FILE, to_text(types)?),
        (REGIONS_FILE, to_text(regions)?),
    ])
}

/// Reads the committed tables from the spec directory.
pub fn load(spec_dir: &Path) -> Result<(InstanceTypes, Regions), Error> {
    fn read<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, Error> {
        let text = std::fs::read_to_string(path).map_err(|e| read_error(path, e))?;
        serde_json::from_str(&text).map_err(|source| Error::Parse {
            path: path.to_owned(),
            source,
        })
    }
    let types: InstanceTypes = read(&spec_dir.join(INSTANCE_TYPES_FILE))?;
    let regions: Regions = read(&spec_dir.join(REGIONS_FILE))?;
    let path = spec_dir.join(INSTANCE_TYPES_FILE);
    if types.instance_types.windows(2).any(|w| w[0] >= w[1]) {
        return Err(mismatch(
            &path,
            "the instance types are not sorted and unique",
        ));
    }
    if let Some(odd) = types
        .instance_types
        .iter()
        .find(|t| !is_instance_type_shape(t))
    {
        return Err(mismatch(
            &path,
            format!("instance type \"{odd}\" is not family.size in lower case"),
        ));
    }
    Ok((types, regions))
}

fn header(out: &mut String, file: &str, source: &TableSource) {
    let _ = writeln!(
        out,
        "//!\n//! Generated by cirrus-codegen from `constructs/spec/{file}` ({} {},\n//! `{}`). Do not edit; regenerate with\n//! `{}`.",
        source.package,
        source.version,
        source.file,
        crate::emit::REGENERATE
    );
}

/// `ec2_instance_types.rs` of `cirrus-cfn`.
pub fn emit_instance_types(types: &InstanceTypes) -> String {
    let mut out = String::from(
        "//! The EC2 instance types, as the EC2 API lists them: what the L2 constructs check an\n//! instance type against at synth, rather than guessing from the shape of the name.\n",
    );
    header(&mut out, INSTANCE_TYPES_FILE, &types.source);
    let _ = writeln!(
        out,
        "\n/// Where the list comes from: the package and its version.\npub const SOURCE: &str = \"{} {}\";",
        types.source.package, types.source.version
    );
    out.push_str(
        "\n/// Every instance type the EC2 API accepts, sorted by bytes: search it with\n/// `binary_search`.\npub const INSTANCE_TYPES: &[&str] = &[\n",
    );
    for t in &types.instance_types {
        let _ = writeln!(out, "    \"{t}\",");
    }
    out.push_str("];\n");
    out
}

/// `regions_table.rs` of `cirrus-core`.
pub fn emit_regions(regions: &Regions) -> String {
    let mut out = String::from(
        "//! The AWS partitions and the regions of each, as the AWS SDKs' endpoint data lists them:\n//! what a stack's region and other region names are checked against at synth.\n",
    );
    header(&mut out, REGIONS_FILE, &regions.source);
    let _ = writeln!(
        out,
        "\n/// Where the list comes from: the package and its version.\npub const SOURCE: &str = \"{} {}\";",
        regions.source.package, regions.source.version
    );
    out.push_str(
        "\n/// A partition: a group of regions with ARNs of their own (`arn:aws-cn:...`).\n#[derive(Debug, Clone, Copy, PartialEq, Eq)]\npub struct Partition {\n    /// The partition as ARNs write it: `aws`, `aws-cn`, `aws-us-gov`.\n    pub id: &'static str,\n    /// Its name in words.\n    pub name: &'static str,\n    /// Its regions, sorted.\n    pub regions: &'static [&'static str],\n}\n\n/// Every partition, the commercial one first.\npub const PARTITIONS: &[Partition] = &[\n",
    );
    for p in &regions.partitions {
        let _ = writeln!(
            out,
            "    Partition {{\n        id: \"{}\",\n        name: \"{}\",\n        regions: &[",
            p.partition,
            p.name.replace('\\', "\\\\").replace('"', "\\\"")
        );
        for r in &p.regions {
            let _ = writeln!(out, "            \"{r}\",");
        }
        out.push_str("        ],\n    },\n");
    }
    out.push_str("];\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instance_type_shapes() {
        for ok in [
            "m5.large",
            "u-12tb1.112xlarge",
            "mac2-m2pro.metal",
            "c7i-flex.large",
        ] {
            assert!(is_instance_type_shape(ok), "{ok}");
        }
        for bad in ["large", "m5.", ".large", "M5.large", "m5.large.x"] {
            assert!(!is_instance_type_shape(bad), "{bad}");
        }
    }

    #[test]
    fn tables_render_as_rust() {
        let source = source("1.0.0", "x.json", "y");
        let types = InstanceTypes {
            source: source.clone(),
            instance_types: vec!["a1.large".into(), "m5.large".into()],
        };
        let text = emit_instance_types(&types);
        assert!(text.contains("pub const SOURCE: &str = \"botocore 1.0.0\";"));
        assert!(text.contains("    \"a1.large\",\n    \"m5.large\",\n];"));
        let regions = Regions {
            source,
            partitions: vec![PartitionData {
                partition: "aws-cn".into(),
                name: "AWS China".into(),
                regions: vec!["cn-north-1".into()],
            }],
        };
        let text = emit_regions(&regions);
        assert!(text.contains("id: \"aws-cn\",\n        name: \"AWS China\","));
        assert!(text.contains("            \"cn-north-1\",\n        ],"));
    }
}
