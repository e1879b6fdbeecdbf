//! The generator's error type.

use std::path::PathBuf;

/// What can go wrong while extracting the spec or generating code.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file could not be read.
    #[error("cannot read {path}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A file could not be written.
    #[error("cannot write {path}")]
    Write {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A JSON file is not what the generator expects.
    #[error("cannot parse {path}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: serde_json::Error,
    },
    /// Serializing the spec data failed.
    #[error("cannot serialize the spec data")]
    Serialize(#[source] serde_json::Error),
    /// A spec file does not hold the data its name promises.
    #[error("{path}: {detail}")]
    SpecMismatch {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        detail: String,
    },
    /// The upstream spec package does not have the expected shape.
    #[error("upstream spec: {0}")]
    Upstream(String),
    /// `npm pack` failed or reported something unexpected.
    #[error("npm pack {spec}: {detail}")]
    Npm {
        /// The package spec handed to npm.
        spec: String,
        /// What went wrong.
        detail: String,
    },
    /// A fix-up no longer matches the spec: upstream fixed the bug or changed the data.
    #[error(
        "fix-up \"{name}\" no longer applies ({detail}); remove or update it in constructs/codegen/src/fixups.rs"
    )]
    FixupStale {
        /// The fix-up's name.
        name: &'static str,
        /// What the fix-up expected and did not find.
        detail: String,
    },
    /// The spec leads to Rust code that would not compile or would be ambiguous.
    #[error("{context}: {detail}")]
    Naming {
        /// Where: a resource or property type.
        context: String,
        /// The clash or invalid name.
        detail: String,
    },
    /// A sample hint of the cfn-lint test no longer matches the spec.
    #[error(
        "sample hint for {resource} {path} no longer applies ({detail}); update constructs/codegen/src/sample_hints.rs"
    )]
    SampleHintStale {
        /// The resource type.
        resource: &'static str,
        /// The property path.
        path: &'static str,
        /// What is wrong.
        detail: String,
    },
    /// The committed generated code differs from what the spec produces.
    #[error("{} generated file(s) are stale: {}; run `cargo run -p cirrus-codegen -- generate`", .0.len(), .0.join(", "))]
    Stale(Vec<String>),
}
