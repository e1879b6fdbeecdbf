//! `Cluster::add_service_account`: a Kubernetes service account whose pods act as an IAM role
//! through EKS Pod Identity, and which takes grants like a role.

use cirrus_core::{Construct, Diagnostic, Expr, Node};
use cirrus_k8s::Object;
use k8s_openapi::api::core::v1::ServiceAccount as KubeServiceAccount;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::eks::access::child;
use crate::eks::cluster::{Cluster, ClusterState};
use crate::eks::workloads::{self, What, manifest_props};
use crate::iam::{Grantable, PolicyStatement, Principal, Role, RoleProps};

/// The namespace and name of a service account, kept on its node (handles are `Copy`).
#[derive(Debug, Default)]
struct Names {
    namespace: String,
    name: String,
}

/// A Kubernetes service account bound to an IAM role through EKS Pod Identity (see
/// [`Cluster::add_service_account`]). Grants land on the role: `bucket.grant_read(&sa)`.
#[derive(Debug, Clone, Copy)]
pub struct ServiceAccount<'a> {
    node: Node<'a>,
    role: Role<'a>,
}

impl<'a> Construct<'a> for ServiceAccount<'a> {
    fn node(&self) -> Node<'a> {
        self.node
    }
}

impl<'a> Grantable<'a> for ServiceAccount<'a> {
    fn add_to_principal_policy(&self, statement: PolicyStatement) {
        self.role.add_to_principal_policy(statement);
    }

    fn grant_principal(&self) -> Principal {
        self.role.grant_principal()
    }

    fn grant_node(&self) -> Node<'a> {
        self.role.grant_node()
    }
}

impl<'a> ServiceAccount<'a> {
    /// The IAM role its pods act as.
    pub fn role(&self) -> Role<'a> {
        self.role
    }

    /// The role's ARN.
    pub fn role_arn(&self) -> Expr<String> {
        self.role.arn()
    }

    /// The service account's name, for a pod spec's `serviceAccountName`.
    pub fn name(&self) -> String {
        self.node.with_state(|n: &mut Names| n.name.clone())
    }

    /// Its namespace.
    pub fn namespace(&self) -> String {
        self.node.with_state(|n: &mut Names| n.namespace.clone())
    }
}

impl<'a> Cluster<'a> {
    /// A service account `name` in `namespace` whose pods act as a new IAM role through EKS Pod
    /// Identity: the role (trusting `pods.eks.amazonaws.com` with `sts:TagSession`), the
    /// `AWS::EKS::PodIdentityAssociation`, and the `ServiceAccount` object (a step under
    /// `Kubernetes/`, after the step that declares the namespace). Grant it access like a
    /// role: `bucket.grant_read(&sa)`.
    ///
    /// The cluster needs the `eks-pod-identity-agent` add-on ([`Cluster::add_core_addons`]);
    /// synthesis reports its absence.
    pub fn add_service_account(&self, namespace: &str, name: &str) -> ServiceAccount<'a> {
        let id = format!("{namespace}-{name}");
        let node = child(Construct::node(self), "ServiceAccounts").add_child(&id);
        node.with_state(|n: &mut Names| {
            n.namespace = namespace.to_owned();
            n.name = name.to_owned();
        });
        let path = self.state(|s: &mut ClusterState| s.role_path.clone());
        let role = Role::new(
            node,
            "Role",
            Principal::service("pods.eks.amazonaws.com"),
            RoleProps {
                description: Some(format!(
                    "Pods running as service account {namespace}/{name}"
                )),
                path,
                ..Default::default()
            },
        );
        self.add_pod_identity(namespace, name, role.arn());
        let object = Object::new(&KubeServiceAccount {
            metadata: ObjectMeta {
                name: Some(name.to_owned()),
                namespace: Some(namespace.to_owned()),
                ..Default::default()
            },
            ..Default::default()
        });
        let group = workloads::group(self);
        let path = format!("{}/{id}", group.path());
        let (objects, problem) = match object {
            Ok(object) => (vec![object], None),
            Err(error) => (Vec::new(), Some(error.to_string())),
        };
        let props = manifest_props(self, &path, &objects);
        let artifact = workloads::add_step(self, group, &id, What::Objects(objects), props);
        if let Some(problem) = problem {
            artifact.node().error(
                crate::codes::k8s::OBJECT_INVALID,
                format!("service account: {problem}"),
            );
        }
        let cluster = Construct::node(self);
        let first = cluster.with_state(|c: &mut AgentCheck| !std::mem::replace(&mut c.0, true));
        if first {
            cluster.add_validation(needs_pod_identity_agent);
        }
        ServiceAccount { node, role }
    }
}

#[derive(Debug, Default)]
struct AgentCheck(bool);

fn needs_pod_identity_agent(cluster: Node<'_>) -> Vec<Diagnostic> {
    let has_agent = cluster.with_state(|state: &mut crate::eks::cluster::ClusterState| {
        state
            .addons
            .iter()
            .any(|a| a.name == "eks-pod-identity-agent")
    });
    if has_agent {
        Vec::new()
    } else {
        vec![Diagnostic::error(
            crate::codes::k8s::POD_IDENTITY_AGENT_MISSING,
            "",
            "the cluster has service accounts bound through Pod Identity but no eks-pod-identity-agent add-on; their pods would get no credentials",
        )
        .with_hint("call cluster.add_core_addons(), or cluster.add_addon(\"eks-pod-identity-agent\", AddonProps::default())")]
    }
}
