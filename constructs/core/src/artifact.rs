//! Artifacts: what an app deploys besides its CloudFormation stacks (the Kubernetes objects
//! of a cluster, for example), and tokens, the strings that stand for values only known once
//! the stacks are deployed.
//!
//! An artifact is a node of the construct tree, inside the stack of the construct it belongs
//! to, holding files (JSON or YAML) and properties that the runner reads. Its content may hold
//! tokens (`Node::token`): at synthesis each token becomes an output of the stack that
//! produces the value and a placeholder `${cirrus:<stack>.<output>}` in the files, listed with
//! its source in the artifact's `values`, so a reviewer sees every unresolved value and where
//! it comes from; the runner substitutes the outputs' values when it deploys the artifact,
//! after the stacks it depends on. Nothing runs inside CloudFormation to do this: no custom
//! resource, no Lambda.

use serde_json::Value as J;

use crate::construct::{Construct, Node};
use crate::tree::NodeKind;

/// What an artifact holds. The content is replaced as a whole by [`Artifact::update`], so a
/// construct that accumulates content (objects added one by one) keeps it in its own state and
/// re-renders the artifact on every change, like a policy document.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ArtifactProps {
    /// The artifact's `type` in `manifest.json`, which tells the runner how to deploy it
    /// (`cirrus:kubernetes-manifest`, for example). Must not be empty.
    pub kind: String,
    /// The artifact's `properties` in `manifest.json`, beside the `files` and `values` that
    /// synthesis adds. Strings may hold tokens. Default: none.
    pub properties: serde_json::Map<String, J>,
    /// The files, written next to the templates as `<artifact id>.<suffix>`, in this order.
    /// Default: none.
    pub files: Vec<ArtifactFile>,
}

/// One file of an artifact.
#[derive(Debug, Clone, PartialEq)]
pub struct ArtifactFile {
    /// The end of the file name after the artifact id and a dot (`yaml`, `values.yaml`).
    pub suffix: String,
    /// Comment lines printed at the top of a YAML file (without `#`), for reviewers.
    /// Default: none.
    pub header: Vec<String>,
    /// The content. Strings may hold tokens.
    pub content: FileContent,
}

/// How a file's content is written.
#[derive(Debug, Clone, PartialEq)]
pub enum FileContent {
    /// Pretty JSON.
    Json(J),
    /// One YAML document.
    Yaml(J),
    /// A YAML stream: the documents in order, separated by `---`.
    YamlDocuments(Vec<J>),
}

impl FileContent {
    pub(crate) fn values_mut(&mut self) -> Vec<&mut J> {
        match self {
            FileContent::Json(v) | FileContent::Yaml(v) => vec![v],
            FileContent::YamlDocuments(docs) => docs.iter_mut().collect(),
        }
    }
}

/// What an app's artifact says of itself, for constructs that act on the complete app (a
/// delivery pipeline that applies the Kubernetes steps of the stacks it delivers).
#[derive(Debug, Clone, PartialEq)]
pub struct ArtifactView {
    /// The construct path.
    pub path: String,
    /// The id of the stack it belongs to (and deploys after).
    pub stack: String,
    /// The type the runner deploys it as (`cirrus:kubernetes-manifest`).
    pub kind: String,
    /// Its properties, placeholders unresolved.
    pub properties: serde_json::Map<String, J>,
    /// The paths of the artifacts it deploys after (its explicit dependencies on artifacts).
    pub after: Vec<String>,
    /// The key of its node ([`Node::artifact`] gives the handle back).
    pub key: crate::NodeKey,
}

/// A handle to an artifact of the app.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Artifact<'a> {
    node: Node<'a>,
}

impl<'a> Construct<'a> for Artifact<'a> {
    fn node(&self) -> Node<'a> {
        self.node
    }
}

impl<'a> Artifact<'a> {
    pub(crate) fn create(scope: Node<'a>, id: &str, props: ArtifactProps) -> Artifact<'a> {
        if props.kind.is_empty() {
            scope.error_with_hint(
                crate::codes::ARTIFACT_KIND_MISSING,
                format!("artifact \"{id}\" has no kind"),
                "set ArtifactProps::kind to the type the runner deploys it as",
            );
        }
        let node = scope.create_child(id, NodeKind::Artifact(Box::new(props)));
        Artifact {
            node: Node::new(scope.app(), node),
        }
    }

    /// The handle of an artifact node (checked by [`Node::artifact`]).
    pub(crate) fn of(node: Node<'a>) -> Artifact<'a> {
        Artifact { node }
    }

    /// The artifact's node.
    pub fn node(&self) -> Node<'a> {
        self.node
    }

    /// Changes the content.
    pub fn update<R>(&self, f: impl FnOnce(&mut ArtifactProps) -> R) -> R {
        let mut tree = self.node.app().tree_mut();
        match &mut tree.node_mut(self.node.node_id()).kind {
            NodeKind::Artifact(props) => f(props),
            _ => f(&mut ArtifactProps::default()),
        }
    }

    /// Makes this artifact deploy after `target`: a stack, a construct (its stack), or another
    /// artifact. Dependencies on stacks the content refers to through tokens are added by
    /// synthesis; this is for the others (a Helm chart whose CRDs a manifest uses).
    pub fn add_dependency(&self, target: &impl Construct<'a>) {
        self.node.add_dependency(target);
    }
}

/// The text of a token: unlikely in any real value, and tied to one app.
pub(crate) fn token_text(app: u32, index: usize) -> String {
    format!("${{cirrus-token:{app}:{index}}}")
}

/// The tokens in a string, in order: `(byte range, app, index)`.
pub(crate) fn find_tokens(s: &str) -> Vec<(std::ops::Range<usize>, u32, usize)> {
    const START: &str = "${cirrus-token:";
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(at) = s[from..].find(START) {
        let begin = from + at;
        let rest = &s[begin + START.len()..];
        let Some(end) = rest.find('}') else { break };
        let inner = &rest[..end];
        from = begin + START.len() + end + 1;
        let mut parts = inner.splitn(2, ':');
        if let (Some(Ok(app)), Some(Ok(index))) = (
            parts.next().map(str::parse::<u32>),
            parts.next().map(str::parse::<usize>),
        ) {
            out.push((begin..from, app, index));
        }
    }
    out
}

/// True when `text` holds a token ([`Node::token`]): for constructs whose content is applied by
/// something other than the runner, which cannot resolve one.
pub fn contains_token(text: &str) -> bool {
    has_token(text)
}

/// True when the string holds something that looks like a token.
pub(crate) fn has_token(s: &str) -> bool {
    s.contains("${cirrus-token:")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_found_inside_text() {
        let text = format!("{}:{}/x", token_text(3, 0), token_text(3, 12));
        let found = find_tokens(&text);
        assert_eq!(found.len(), 2);
        assert_eq!((found[0].1, found[0].2), (3, 0));
        assert_eq!((found[1].1, found[1].2), (3, 12));
        assert_eq!(&text[found[1].0.clone()], token_text(3, 12));
        assert!(find_tokens("${cirrus-token:x:1}").is_empty());
        assert!(has_token(&token_text(1, 1)));
    }
}
