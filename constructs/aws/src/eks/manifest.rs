//! `Cluster::add_manifest`: typed Kubernetes objects deployed with the app.

use cirrus_core::{Artifact, Construct, Expr, Node};
use cirrus_k8s::{Object, ObjectError};

use crate::eks::cluster::Cluster;
use crate::eks::workloads::{self, What, manifest_props};

/// Kubernetes objects on a cluster, applied together by the runner after the stacks they
/// depend on (see [`Cluster::add_manifest`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KubernetesManifest<'a> {
    artifact: Artifact<'a>,
}

impl<'a> Construct<'a> for KubernetesManifest<'a> {
    fn node(&self) -> Node<'a> {
        self.artifact.node()
    }
}

impl<'a> KubernetesManifest<'a> {
    /// The step's node (for `acknowledge`, dependencies, paths).
    pub fn node(&self) -> Node<'a> {
        self.artifact.node()
    }

    /// Applies these objects after `other` (another manifest or a Helm release of the app).
    /// Namespaces, custom kinds and service accounts need no explicit dependency: a step that
    /// uses one already waits for the step that declares it.
    pub fn add_dependency(&self, other: &impl Construct<'a>) {
        self.artifact.add_dependency(other);
    }
}

impl<'a> Cluster<'a> {
    /// Puts Kubernetes objects on the cluster, as one step under `Kubernetes/<id>`: written to
    /// `synth-out` as `<artifact id>.yaml` in apply order (namespaces, then CRDs, then the
    /// kinds in the order Helm installs them), checked at synthesis against the rest of the
    /// cluster's objects, and applied by the runner after the stacks.
    ///
    /// Make each object with [`Object::new`] (a `k8s-openapi` type), [`Object::custom`] (a
    /// [`cirrus_k8s::CustomResource`] struct) or [`Object::untyped`] (JSON); an object that is
    /// not valid is reported at this manifest's path. Values of the app's resources (an image
    /// URI, a role ARN) go in as [`Cluster::token`]s.
    pub fn add_manifest(
        &self,
        id: &str,
        objects: impl IntoIterator<Item = Result<Object, ObjectError>>,
    ) -> KubernetesManifest<'a> {
        let group = workloads::group(self);
        let mut valid = Vec::new();
        let mut problems = Vec::new();
        for (index, object) in objects.into_iter().enumerate() {
            match object {
                Ok(object) => valid.push(object),
                Err(error) => problems.push((
                    format!("object {}: {error}", index + 1),
                    crate::codes::k8s::OBJECT_INVALID,
                )),
            }
        }
        let path = format!("{}/{id}", group.path());
        if valid.is_empty() && problems.is_empty() {
            problems.push((
                "a manifest needs at least one object".to_owned(),
                crate::codes::k8s::MANIFEST_EMPTY,
            ));
        }
        let props = manifest_props(self, &path, &valid);
        let artifact = workloads::add_step(self, group, id, What::Objects(valid), props);
        for (problem, code) in problems {
            artifact.node().error_with_hint(
                code,
                problem,
                "build the object with Object::new (k8s-openapi types), Object::custom or Object::untyped, with a valid apiVersion, kind and metadata.name",
            );
        }
        KubernetesManifest { artifact }
    }

    /// A string that stands for `value` (an image URI, a role ARN, a file system id) inside a
    /// Kubernetes object or Helm values. Synthesis makes it an output of the stack that
    /// produces it and writes `${cirrus:<stack>.<output>}` in the YAML, with its source listed
    /// at the top of the file; the runner substitutes the output when it deploys. A literal
    /// stays as it is.
    pub fn token(&self, value: impl Into<Expr<String>>) -> String {
        Construct::node(self).token(value)
    }
}
