//! Objects as one multi-document YAML file, the form `kubectl apply -f` reads and reviewers know.

use crate::object::Object;

/// Objects that could not be rendered as YAML.
#[derive(Debug, thiserror::Error)]
#[error("cannot render the kubernetes objects as yaml")]
pub struct YamlError {
    /// What the serializer said.
    #[source]
    pub source: serde_saphyr::SerializeError,
}

/// The objects as YAML documents separated by `---` lines, in the order given (pass them in
/// [`apply_order`](crate::apply_order) for a file that applies top to bottom). Keys keep the
/// objects' order, so the same objects always give the same bytes. Strings that YAML 1.1 would
/// read as something else (`yes`, `on`, `0755`, `1.10`) are quoted, as in the CloudFormation
/// templates: Kubernetes' own YAML reader follows YAML 1.1 there. No objects give an empty
/// string.
pub fn to_yaml(objects: &[Object]) -> Result<String, YamlError> {
    // serde-saphyr (the renderer of cirrus-core's templates) writes `---` between documents
    // and none before the first one.
    serde_saphyr::to_string_multiple(objects).map_err(|source| YamlError { source })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn documents_are_separated_and_ambiguous_strings_quoted() {
        let objects = [
            Object::untyped(json!({
                "apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": "settings", "namespace": "shop"},
                "data": {"enabled": "yes", "mode": "0755", "version": "1.10", "plain": "text"},
            }))
            .unwrap(),
            Object::untyped(
                json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}}),
            )
            .unwrap(),
        ];
        let yaml = to_yaml(&objects).unwrap();
        assert_eq!(yaml.matches("\n---\n").count(), 1, "{yaml}");
        for quoted in [
            "enabled: \"yes\"\n",
            "mode: \"0755\"\n",
            "version: \"1.10\"\n",
            "plain: text\n",
        ] {
            assert!(yaml.contains(quoted), "{quoted} in {yaml}");
        }
        assert!(
            yaml.starts_with("apiVersion: v1\nkind: ConfigMap\nmetadata:\n"),
            "{yaml}"
        );
        assert!(
            yaml.ends_with("kind: Namespace\nmetadata:\n  name: shop\n"),
            "{yaml}"
        );
        assert_eq!(to_yaml(&[]).unwrap(), "");
    }
}
