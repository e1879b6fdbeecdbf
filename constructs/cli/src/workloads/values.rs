//! The placeholders of an artifact, `${cirrus:<stack>.<output>}`, replaced by the outputs of
//! the deployed stacks.

use std::collections::BTreeMap;

use cirrus_core::DeployArtifact;

/// Outputs of deployed stacks: stack name, then output key, then value.
pub(crate) type Outputs = BTreeMap<String, BTreeMap<String, String>>;

/// A placeholder whose output does not exist.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "stack {stack_name} has no output {output} (needed for ${{cirrus:{key}}}); is it deployed?"
)]
pub(crate) struct MissingValue {
    pub(crate) artifact: String,
    pub(crate) key: String,
    pub(crate) stack_name: String,
    pub(crate) output: String,
}

/// The value of every placeholder of `artifact`, by placeholder text.
pub(crate) fn resolve(
    artifact: &DeployArtifact,
    outputs: &Outputs,
) -> Result<BTreeMap<String, String>, MissingValue> {
    let mut out = BTreeMap::new();
    for (key, value) in &artifact.values {
        let found = outputs
            .get(&value.stack_name)
            .and_then(|o| o.get(&value.output))
            .ok_or_else(|| MissingValue {
                artifact: artifact.id.clone(),
                key: key.clone(),
                stack_name: value.stack_name.clone(),
                output: value.output.clone(),
            })?;
        out.insert(format!("${{cirrus:{key}}}"), found.clone());
    }
    Ok(out)
}

/// `text` with every placeholder replaced. Placeholders are distinct, literal strings, so
/// plain replacement is exact; a value is never scanned again for placeholders.
pub(crate) fn substitute(text: &str, values: &BTreeMap<String, String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("${cirrus:") {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        match values.iter().find(|(p, _)| tail.starts_with(p.as_str())) {
            Some((placeholder, value)) => {
                out.push_str(value);
                rest = &tail[placeholder.len()..];
            }
            None => {
                out.push_str("${cirrus:");
                rest = &tail["${cirrus:".len()..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// `value` (a JSON tree of the artifact's properties) with every placeholder replaced.
pub(crate) fn substitute_json(
    value: &serde_json::Value,
    values: &BTreeMap<String, String>,
) -> serde_json::Value {
    match value {
        serde_json::Value::String(s) => serde_json::Value::String(substitute(s, values)),
        serde_json::Value::Array(items) => {
            serde_json::Value::Array(items.iter().map(|v| substitute_json(v, values)).collect())
        }
        serde_json::Value::Object(map) => serde_json::Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), substitute_json(v, values)))
                .collect(),
        ),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cirrus_core::{DeployValue, Env};

    fn artifact() -> DeployArtifact {
        DeployArtifact {
            id: "Platform-Cluster-Kubernetes-Api".into(),
            kind: "cirrus:kubernetes-manifest".into(),
            path: "Platform/Cluster/Kubernetes/Api".into(),
            stack: "Platform".into(),
            env: Env::default(),
            dependencies: vec!["Images".into(), "Platform".into()],
            properties: serde_json::Map::new(),
            files: Vec::new(),
            values: BTreeMap::from([(
                "Images.DeployValueRepoUri".to_owned(),
                DeployValue {
                    stack: "Images".into(),
                    stack_name: "shop-images".into(),
                    output: "DeployValueRepoUri".into(),
                    source: "Fn::GetAtt Repo.RepositoryUri of Images/Repo".into(),
                },
            )]),
        }
    }

    #[test]
    fn placeholders_become_the_outputs_of_the_deployed_stacks() {
        let outputs: Outputs = BTreeMap::from([(
            "shop-images".to_owned(),
            BTreeMap::from([(
                "DeployValueRepoUri".to_owned(),
                "111122223333.dkr.ecr.us-east-1.amazonaws.com/api".to_owned(),
            )]),
        )]);
        let values = resolve(&artifact(), &outputs).unwrap();
        assert_eq!(
            substitute(
                "image: ${cirrus:Images.DeployValueRepoUri}:v1 # ${cirrus:Other.X} stays",
                &values
            ),
            "image: 111122223333.dkr.ecr.us-east-1.amazonaws.com/api:v1 # ${cirrus:Other.X} stays"
        );
    }

    #[test]
    fn a_missing_output_names_the_stack_and_the_placeholder() {
        let err = resolve(&artifact(), &Outputs::new()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "stack shop-images has no output DeployValueRepoUri (needed for ${cirrus:Images.DeployValueRepoUri}); is it deployed?"
        );
    }
}
