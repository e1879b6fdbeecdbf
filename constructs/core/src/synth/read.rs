//! Reading a cloud assembly back: the inverse of [`Synthesized::files`].
//!
//! The runner that synthesizes and the deploy runner that talks to AWS are two programs (so that
//! `synth` never compiles the AWS SDK); the assembly folder is the contract between them. This
//! reads exactly what [`Synthesized::files`] writes, and refuses anything else with the file
//! and the field at fault, rather than guessing: an assembly written by another tool, or by
//! another version of cirrus, is not deployed half-understood.

use std::collections::{BTreeMap, BTreeSet};

use indexmap::IndexMap;
use serde_json::{Map, Value as J};

use super::artifacts::ADDED_PROPERTIES;
use super::assembly::{
    CLOUD_ASSEMBLY_VERSION, DeployArtifact, DeployValue, StackArtifact, Synthesized,
};
use crate::stack::Env;

/// Why an assembly folder cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {message}")]
pub struct AssemblyError {
    /// The file at fault, relative to the app's folder (`manifest.json`).
    pub file: String,
    /// What is wrong with it.
    pub message: String,
}

fn fail(file: &str, message: impl Into<String>) -> AssemblyError {
    AssemblyError {
        file: file.to_owned(),
        message: message.into(),
    }
}

const MANIFEST: &str = "manifest.json";

impl Synthesized {
    /// Reads an app's assembly from its files by name (`manifest.json`, `tree.json` and the
    /// templates the manifest names; other files are ignored), as [`Synthesized::files`]
    /// wrote them. The stacks keep the manifest's order, which is the deploy order, and the
    /// waves are computed again from the stacks' dependencies. Warnings are not part of an
    /// assembly: the result has none.
    pub fn from_files(
        app: &str,
        files: &BTreeMap<String, Vec<u8>>,
    ) -> Result<Synthesized, AssemblyError> {
        let manifest = parse(files, MANIFEST)?;
        let version = manifest.get("version").and_then(J::as_str);
        if version != Some(CLOUD_ASSEMBLY_VERSION) {
            return Err(fail(
                MANIFEST,
                format!(
                    "schema version {}, but this runner reads {CLOUD_ASSEMBLY_VERSION} only",
                    version.map_or_else(|| "missing".to_owned(), |v| format!("\"{v}\""))
                ),
            ));
        }
        let artifacts = manifest
            .get("artifacts")
            .and_then(J::as_object)
            .ok_or_else(|| fail(MANIFEST, "no \"artifacts\" object"))?;
        let mut tree = None;
        let mut stacks = Vec::new();
        let mut deployed = Vec::new();
        for (id, artifact) in artifacts {
            match artifact.get("type").and_then(J::as_str) {
                Some("cdk:tree") => {
                    let file = str_at(artifact, &["properties", "file"], id)?;
                    tree = Some(parse(files, file)?);
                }
                Some("aws:cloudformation:stack") => stacks.push(stack(id, artifact, files)?),
                Some(kind) if kind.starts_with("cirrus:") => {
                    deployed.push(other_artifact(id, kind, artifact, files)?);
                }
                Some(other) => {
                    return Err(fail(
                        MANIFEST,
                        format!(
                            "artifact \"{id}\" is of type \"{other}\", which cirrus does not deploy"
                        ),
                    ));
                }
                None => return Err(fail(MANIFEST, format!("artifact \"{id}\" has no type"))),
            }
        }
        let tree = tree.ok_or_else(|| fail(MANIFEST, "no artifact of type \"cdk:tree\""))?;
        let waves = waves(&stacks)?;
        Ok(Synthesized {
            app: app.to_owned(),
            stacks,
            artifacts: deployed,
            waves,
            warnings: Vec::new(),
            standing_costs: Vec::new(),
            tree: super::assembly::AppTree::read(tree),
        })
    }
}

fn parse(files: &BTreeMap<String, Vec<u8>>, name: &str) -> Result<J, AssemblyError> {
    parse_text(files, name).map(|(_, value)| value)
}

/// The bytes of the file `name`, and the JSON they hold.
fn parse_text<'f>(
    files: &'f BTreeMap<String, Vec<u8>>,
    name: &str,
) -> Result<(&'f [u8], J), AssemblyError> {
    let bytes = files
        .get(name)
        .ok_or_else(|| fail(name, "missing from the assembly"))?;
    let value =
        serde_json::from_slice(bytes).map_err(|e| fail(name, format!("not valid JSON: {e}")))?;
    Ok((bytes, value))
}

/// The string at `path` below `artifact`.
fn str_at<'j>(artifact: &'j J, path: &[&str], id: &str) -> Result<&'j str, AssemblyError> {
    path.iter()
        .try_fold(artifact, |j, key| j.get(key))
        .and_then(J::as_str)
        .ok_or_else(|| {
            fail(
                MANIFEST,
                format!("artifact \"{id}\" has no string at \"{}\"", path.join(".")),
            )
        })
}

/// An artifact of ours (`cirrus:*`: Kubernetes steps, Helm releases), as
/// `artifacts::manifest_entry` writes it.
fn other_artifact(
    id: &str,
    kind: &str,
    artifact: &J,
    files: &BTreeMap<String, Vec<u8>>,
) -> Result<DeployArtifact, AssemblyError> {
    let bad = |what: &str| fail(MANIFEST, format!("artifact \"{id}\": {what}"));
    let env = env(str_at(artifact, &["environment"], id)?)
        .ok_or_else(|| bad("\"environment\" is not of the form aws://<account>/<region>"))?;
    let mut properties = artifact
        .get("properties")
        .and_then(J::as_object)
        .cloned()
        .ok_or_else(|| bad("no \"properties\" object"))?;
    let stack = str_at(artifact, &["properties", "stack"], id)?.to_owned();
    let mut read = Vec::new();
    for name in properties
        .get("files")
        .and_then(J::as_array)
        .ok_or_else(|| bad("no \"files\" list"))?
    {
        let name = name
            .as_str()
            .ok_or_else(|| bad("a file name is not a string"))?;
        let bytes = files
            .get(name)
            .ok_or_else(|| fail(name, "missing from the assembly"))?;
        read.push((name.to_owned(), bytes.clone()));
    }
    let mut values = BTreeMap::new();
    if let Some(given) = properties.get("values") {
        for (key, v) in given
            .as_object()
            .ok_or_else(|| bad("\"values\" is not an object"))?
        {
            let text = |field: &str| {
                v.get(field)
                    .and_then(J::as_str)
                    .map(str::to_owned)
                    .ok_or_else(|| bad(&format!("value \"{key}\" has no string \"{field}\"")))
            };
            values.insert(
                key.clone(),
                DeployValue {
                    stack: text("stack")?,
                    stack_name: text("stackName")?,
                    output: text("output")?,
                    source: text("source").unwrap_or_default(),
                },
            );
        }
    }
    for key in ADDED_PROPERTIES {
        properties.remove(key);
    }
    let dependencies = match artifact.get("dependencies") {
        None => Vec::new(),
        Some(J::Array(items)) => items
            .iter()
            .map(|d| d.as_str().map(str::to_owned))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| bad("a dependency is not a string"))?,
        Some(_) => return Err(bad("\"dependencies\" is not a list")),
    };
    Ok(DeployArtifact {
        id: id.to_owned(),
        kind: kind.to_owned(),
        path: str_at(artifact, &["displayName"], id)?.to_owned(),
        stack,
        env,
        dependencies,
        properties,
        files: read,
        values,
    })
}

fn stack(
    id: &str,
    artifact: &J,
    files: &BTreeMap<String, Vec<u8>>,
) -> Result<StackArtifact, AssemblyError> {
    let bad = |what: &str| fail(MANIFEST, format!("artifact \"{id}\": {what}"));
    let env = env(str_at(artifact, &["environment"], id)?)
        .ok_or_else(|| bad("\"environment\" is not of the form aws://<account>/<region>"))?;
    let empty = Map::new();
    let properties = match artifact.get("properties") {
        Some(p) => p
            .as_object()
            .ok_or_else(|| bad("\"properties\" is not an object"))?,
        None => &empty,
    };
    let template_file = str_at(artifact, &["properties", "templateFile"], id)?;
    let (bytes, value) = parse_text(files, template_file)?;
    // Valid JSON is valid UTF-8.
    let text = String::from_utf8_lossy(bytes).into_owned();
    let stack_name = match properties.get("stackName") {
        None => id.to_owned(),
        Some(J::String(name)) => name.clone(),
        Some(_) => return Err(bad("\"stackName\" is not a string")),
    };
    let mut tags = BTreeMap::new();
    if let Some(given) = properties.get("tags") {
        let given = given
            .as_object()
            .ok_or_else(|| bad("\"tags\" is not an object"))?;
        for (key, value) in given {
            let value = value
                .as_str()
                .ok_or_else(|| bad(&format!("tag \"{key}\" is not a string")))?;
            tags.insert(key.clone(), value.to_owned());
        }
    }
    let termination_protection = match properties.get("terminationProtection") {
        None => false,
        Some(J::Bool(on)) => *on,
        Some(_) => return Err(bad("\"terminationProtection\" is not a boolean")),
    };
    let dependencies = match artifact.get("dependencies") {
        None => Vec::new(),
        Some(J::Array(deps)) => deps
            .iter()
            .map(|d| {
                d.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| bad("a dependency is not a string"))
            })
            .collect::<Result<_, _>>()?,
        Some(_) => return Err(bad("\"dependencies\" is not a list")),
    };
    let mut logical_ids = IndexMap::new();
    if let Some(metadata) = artifact.get("metadata") {
        let metadata = metadata
            .as_object()
            .ok_or_else(|| bad("\"metadata\" is not an object"))?;
        for (path, entries) in metadata {
            let path = path
                .strip_prefix('/')
                .ok_or_else(|| bad(&format!("metadata path \"{path}\" does not start with /")))?;
            let entries = entries
                .as_array()
                .ok_or_else(|| bad(&format!("metadata of \"/{path}\" is not a list")))?;
            for entry in entries {
                if entry.get("type").and_then(J::as_str) == Some("aws:cdk:logicalId") {
                    let lid = entry.get("data").and_then(J::as_str).ok_or_else(|| {
                        bad(&format!("the logical id of \"/{path}\" is not a string"))
                    })?;
                    logical_ids.insert(lid.to_owned(), path.to_owned());
                }
            }
        }
    }
    let template_size = super::size::minified(&value);
    Ok(StackArtifact {
        id: id.to_owned(),
        stack_name,
        env,
        template: super::TemplateBody::parsed(text, value),
        dependencies,
        logical_ids,
        tags,
        termination_protection,
        template_size,
    })
}

/// The inverse of [`Env::uri`].
fn env(uri: &str) -> Option<Env> {
    let (account, region) = uri.strip_prefix("aws://")?.split_once('/')?;
    if account.is_empty() || region.is_empty() || region.contains('/') {
        return None;
    }
    let known = |v: &str, unknown: &str| (v != unknown).then(|| v.to_owned());
    Some(Env {
        account: known(account, "unknown-account"),
        region: known(region, "unknown-region"),
    })
}

/// The deployment waves of stacks listed in deploy order, as synthesis computes them: each
/// wave holds, in list order, the stacks not yet placed whose dependencies all are.
fn waves(stacks: &[StackArtifact]) -> Result<Vec<Vec<String>>, AssemblyError> {
    let ids: BTreeSet<&str> = stacks.iter().map(|s| s.id.as_str()).collect();
    for s in stacks {
        if let Some(unknown) = s.dependencies.iter().find(|d| !ids.contains(d.as_str())) {
            return Err(fail(
                MANIFEST,
                format!(
                    "artifact \"{}\" depends on \"{unknown}\", which is not a stack of the assembly",
                    s.id
                ),
            ));
        }
    }
    let mut placed: BTreeSet<&str> = BTreeSet::new();
    let mut waves = Vec::new();
    while placed.len() < stacks.len() {
        let wave: Vec<&str> = stacks
            .iter()
            .filter(|s| !placed.contains(s.id.as_str()))
            .filter(|s| s.dependencies.iter().all(|d| placed.contains(d.as_str())))
            .map(|s| s.id.as_str())
            .collect();
        if wave.is_empty() {
            let left: Vec<&str> = stacks
                .iter()
                .map(|s| s.id.as_str())
                .filter(|id| !placed.contains(id))
                .collect();
            return Err(fail(
                MANIFEST,
                format!(
                    "the stacks {} depend on each other in a cycle",
                    left.join(", ")
                ),
            ));
        }
        placed.extend(wave.iter().copied());
        waves.push(wave.into_iter().map(str::to_owned).collect());
    }
    Ok(waves)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synth::TemplateFormat;
    use crate::{App, RawResource, StackProps, StringParameterProps, value};

    type Files = BTreeMap<String, Vec<u8>>;

    fn files_of(s: &Synthesized) -> Files {
        s.files(TemplateFormat::JsonAndYaml)
            .unwrap()
            .into_iter()
            .collect()
    }

    fn assert_same(read: &Synthesized, written: &Synthesized) {
        assert_eq!(read.app, written.app);
        assert_eq!(read.stacks, written.stacks);
        assert_eq!(read.waves, written.waves);
        assert_eq!(read.tree(), written.tree());
        assert!(read.warnings.is_empty());
    }

    /// Three stacks in two waves, a cross-stack reference, a parameter, tags, a stack name,
    /// termination protection and a pinned environment.
    fn sample() -> Synthesized {
        let app = App::new("sample");
        let base = app.stack(
            "Base",
            StackProps {
                env: Env::new("123456789012", "eu-west-1"),
                termination_protection: true,
                ..StackProps::default()
            },
        );
        let topic = base.add("Topic", RawResource::new("AWS::SNS::Topic", value!({})));
        let _ = base.add_string_parameter("Stage", StringParameterProps::default());
        let web = app.stack(
            "Web",
            StackProps {
                stack_name: Some("web-prod".into()),
                env: Env::new("123456789012", "eu-west-1"),
                ..StackProps::default()
            },
        );
        web.add(
            "Queue",
            RawResource::new("AWS::SQS::Queue", value!({ "QueueName": (topic.ref_()) })),
        );
        let other = app.stack(
            "Other",
            StackProps {
                tags: [("team".to_owned(), "infra".to_owned())].into(),
                ..StackProps::default()
            },
        );
        other.add("Bucket", RawResource::new("AWS::S3::Bucket", value!({})));
        app.synth().unwrap()
    }

    #[test]
    fn an_assembly_reads_back_as_it_was_written() {
        let written = sample();
        assert_eq!(written.waves, [vec!["Base", "Other"], vec!["Web"]]);
        assert_eq!(written.stacks[2].dependencies, ["Base"]);
        let read = Synthesized::from_files("sample", &files_of(&written)).unwrap();
        assert_same(&read, &written);
        assert_eq!(read.stack("web-prod").unwrap().id, "Web");
        assert!(read.stack("Base").unwrap().termination_protection);
    }

    /// `manifest.json` is written without building its JSON value; both must say the same,
    /// also when a stack id repeats the tree artifact's (the value keeps one entry).
    #[test]
    fn the_written_manifest_is_the_manifest_value() {
        let clash = App::new("clash");
        clash
            .stack("Tree", StackProps::default())
            .add("Topic", RawResource::new("AWS::SNS::Topic", value!({})));
        for app in [sample(), clash.synth().unwrap()] {
            let files = files_of(&app);
            assert_eq!(
                String::from_utf8_lossy(&files["manifest.json"]),
                String::from_utf8_lossy(&crate::synth::pretty(&app.manifest()))
            );
        }
    }

    #[test]
    fn what_the_reader_cannot_trust_is_refused_with_file_and_field() {
        let written = sample();
        let read = |edit: &dyn Fn(&mut Files)| {
            let mut files = files_of(&written);
            edit(&mut files);
            Synthesized::from_files("sample", &files).unwrap_err()
        };
        fn manifest(f: impl Fn(&mut J)) -> impl Fn(&mut Files) {
            move |files| {
                let mut m: J = serde_json::from_slice(&files[MANIFEST]).unwrap();
                f(&mut m);
                files.insert(MANIFEST.into(), serde_json::to_vec(&m).unwrap());
            }
        }

        let e = read(&|files| {
            files.remove("Web.template.json");
        });
        assert_eq!(
            e.to_string(),
            "Web.template.json: missing from the assembly"
        );
        let e = read(&|files| {
            files.insert("tree.json".into(), b"{".to_vec());
        });
        assert!(
            e.to_string().starts_with("tree.json: not valid JSON"),
            "{e}"
        );
        let e = read(&manifest(|m| m["version"] = "99.0.0".into()));
        assert_eq!(
            e.to_string(),
            "manifest.json: schema version \"99.0.0\", but this runner reads 36.0.0 only"
        );
        let e = read(&manifest(|m| {
            m["artifacts"]["Assets"] = serde_json::json!({ "type": "cdk:asset-manifest" });
        }));
        assert_eq!(
            e.to_string(),
            "manifest.json: artifact \"Assets\" is of type \"cdk:asset-manifest\", which cirrus does not deploy"
        );
        let e = read(&manifest(|m| {
            m["artifacts"]["Web"]["environment"] = "eu-west-1".into();
        }));
        assert_eq!(
            e.to_string(),
            "manifest.json: artifact \"Web\": \"environment\" is not of the form aws://<account>/<region>"
        );
        let e = read(&manifest(|m| {
            m["artifacts"]["Web"]["dependencies"] = serde_json::json!(["Gone"]);
        }));
        assert_eq!(
            e.to_string(),
            "manifest.json: artifact \"Web\" depends on \"Gone\", which is not a stack of the assembly"
        );
        let e = read(&manifest(|m| {
            m["artifacts"]["Base"]["dependencies"] = serde_json::json!(["Web"]);
        }));
        assert_eq!(
            e.to_string(),
            "manifest.json: the stacks Base, Web depend on each other in a cycle"
        );
        let e = read(&manifest(|m| {
            m["artifacts"]["Other"]["properties"]["tags"]["team"] = 1.into();
        }));
        assert_eq!(
            e.to_string(),
            "manifest.json: artifact \"Other\": tag \"team\" is not a string"
        );
    }

    #[test]
    fn environments_read_back() {
        for e in [
            Env::default(),
            Env::region("us-east-1"),
            Env::new("123456789012", "eu-west-1"),
        ] {
            assert_eq!(env(&e.uri()), Some(e));
        }
        assert_eq!(env("aws://123456789012"), None);
        assert_eq!(env("aws:///eu-west-1"), None);
        assert_eq!(env("gcp://a/b"), None);
    }
}
