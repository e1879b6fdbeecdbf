//! What the apps' tests share: reading a Kubernetes step back as JSON.

use cirrus_core::Synthesized;
use serde_json::{Value, json};

/// A YAML value as JSON.
pub fn json_of(yaml: &yaml_rust2::Yaml) -> Value {
    use yaml_rust2::Yaml;
    match yaml {
        Yaml::Hash(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.as_str().unwrap_or_default().to_owned(), json_of(v)))
                .collect(),
        ),
        Yaml::Array(items) => Value::Array(items.iter().map(json_of).collect()),
        Yaml::String(s) => Value::String(s.clone()),
        Yaml::Integer(i) => json!(i),
        Yaml::Real(r) => json!(r.parse::<f64>().unwrap()),
        Yaml::Boolean(b) => json!(b),
        _ => Value::Null,
    }
}

/// The objects of the step `<stack>-Cluster-Kubernetes-<step>`, as JSON.
pub fn documents(out: &Synthesized, stack: &str, step: &str) -> Vec<Value> {
    let id = format!("{stack}-Cluster-Kubernetes-{step}");
    let artifact = out
        .artifacts
        .iter()
        .find(|a| a.id == id)
        .unwrap_or_else(|| panic!("no step {id}"));
    let text = String::from_utf8(artifact.files[0].1.clone()).unwrap();
    yaml_rust2::YamlLoader::load_from_str(&text)
        .unwrap()
        .iter()
        .map(json_of)
        .collect()
}
