//! `Artifact`: what one action of a pipeline hands to the next.

use cirrus_core::Stack;

/// A named artifact. One action produces it; later actions read it. The pipeline checks,
/// when it is created, that every artifact read was produced earlier.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Artifact {
    name: String,
}

impl Artifact {
    /// An artifact named `name` (letters, digits, `_` and `-`, up to 100 characters).
    pub fn new(name: &str) -> Artifact {
        Artifact {
            name: name.to_owned(),
        }
    }

    /// The artifact's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The file at `path` inside the artifact (`Templates::infra.template.json`).
    pub fn at(&self, path: &str) -> ArtifactPath {
        ArtifactPath {
            artifact: self.clone(),
            path: path.to_owned(),
        }
    }

    /// The template file cirrus writes for `stack` (`<stack id>.template.json`), inside the
    /// artifact: where a pipeline finds a template committed from `synth-out/`.
    pub fn template_of(&self, stack: &Stack<'_>) -> ArtifactPath {
        self.at(&format!("{}.template.json", stack.id()))
    }

    /// What CodePipeline would refuse in the name.
    pub(crate) fn problem(&self) -> Option<String> {
        let valid = (1..=100).contains(&self.name.len())
            && self
                .name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        (!valid).then(|| {
            format!(
                "artifact name \"{}\" must be 1 to 100 letters, digits, '_' and '-'",
                self.name
            )
        })
    }
}

/// A file inside an artifact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArtifactPath {
    pub(crate) artifact: Artifact,
    pub(crate) path: String,
}

impl ArtifactPath {
    /// The artifact.
    pub fn artifact(&self) -> &Artifact {
        &self.artifact
    }

    /// As CodePipeline writes it: `<artifact>::<path>`.
    pub fn location(&self) -> String {
        format!("{}::{}", self.artifact.name, self.path)
    }
}
