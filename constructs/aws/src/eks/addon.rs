//! EKS add-ons (`AWS::EKS::Addon`), and the order they are created in relative to node
//! groups.
//!
//! The cluster does not bootstrap the self-managed add-ons, so networking and DNS are add-ons
//! CloudFormation manages like everything else, and their order matters: nodes only become
//! `Ready` once the VPC CNI and kube-proxy run on them, so those come before the node groups;
//! Deployments such as CoreDNS only become active once they have nodes to run on, so they come
//! after. The order is kept whichever is added first.

use cirrus_cfn::eks::{CfnAddon, addon};
use cirrus_core::{Construct, Expr, ResourceRef};

use crate::codes;
use crate::eks::access::{check_role_arn, child};
use crate::eks::cluster::{AddonRecord, same_stack};
use crate::eks::{Cluster, names};

/// The names of the add-ons every cluster needs.
pub mod addons {
    /// The Amazon VPC CNI: pod networking. Before nodes.
    pub const VPC_CNI: &str = "vpc-cni";
    /// kube-proxy: service routing on each node. Before nodes.
    pub const KUBE_PROXY: &str = "kube-proxy";
    /// CoreDNS: cluster DNS (a Deployment). After nodes.
    pub const COREDNS: &str = "coredns";
    /// The EKS Pod Identity agent: credentials for pods' roles. Before nodes, so that pods
    /// scheduled as the nodes come up get their credentials.
    pub const POD_IDENTITY_AGENT: &str = "eks-pod-identity-agent";
    /// The Kubernetes metrics server, for `kubectl top` and horizontal pod autoscaling. After
    /// nodes.
    pub const METRICS_SERVER: &str = "metrics-server";

    /// The add-ons [`Cluster::add_core_addons`](crate::eks::Cluster::add_core_addons) adds.
    pub const CORE: [&str; 4] = [VPC_CNI, KUBE_PROXY, POD_IDENTITY_AGENT, COREDNS];
}

/// When an add-on is created relative to the cluster's node groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AddonTiming {
    /// Before node groups for `vpc-cni`, `kube-proxy` and `eks-pod-identity-agent`
    /// (DaemonSets the nodes need), after them for every other add-on (their Deployments only
    /// become active on running nodes).
    #[default]
    Auto,
    /// Before the node groups: for DaemonSets that nodes need to become ready.
    BeforeNodes,
    /// After the node groups: for add-ons whose pods must be scheduled to become active.
    AfterNodes,
}

/// What EKS does when the add-on's settings conflict with changes made in the cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ResolveConflicts {
    /// The add-on's settings win: what CloudFormation declares is what runs.
    #[default]
    Overwrite,
    /// Changes made in the cluster are kept (on updates).
    Preserve,
    /// Fail on a conflict.
    None,
}

/// Options of an add-on.
#[derive(Debug, Clone, Default, cirrus_derive::Setters)]
pub struct AddonProps {
    /// The add-on version (`v1.19.2-eksbuild.1`). Default: the version EKS picks for the
    /// cluster's Kubernetes version when the add-on is created (later EKS defaults do not
    /// change it: set a version to upgrade).
    pub version: Option<String>,
    /// Pod Identity associations EKS creates for the add-on's service accounts: (service
    /// account, role ARN), each role trusting `pods.eks.amazonaws.com`. The add-on then waits
    /// for the Pod Identity agent add-on, when the cluster has one. Default: none.
    pub pod_identity: Vec<(String, Expr<String>)>,
    /// The add-on's configuration, as JSON matching its schema (`aws eks
    /// describe-addon-configuration`). Default: none.
    pub configuration_values: Option<String>,
    /// How conflicts with changes made in the cluster are resolved. Default: overwrite.
    pub resolve_conflicts: ResolveConflicts,
    /// When it is created relative to node groups. Default: [`AddonTiming::Auto`].
    pub timing: AddonTiming,
}

impl<'a> Cluster<'a> {
    /// Adds the add-on `name` (`AWS::EKS::Addon` under `Addon/<Name>`), ordered against the
    /// cluster's node groups as [`AddonTiming`] says.
    pub fn add_addon(&self, name: &str, props: AddonProps) -> ResourceRef<'a, CfnAddon> {
        let node = self.node();
        if let Some(problem) = names::addon_name(name) {
            node.error(codes::eks::ADDON_NAME_INVALID, problem);
        }
        if props
            .configuration_values
            .as_deref()
            .is_some_and(|c| c.trim().is_empty())
        {
            node.error(
                codes::eks::ADDON_CONFIGURATION_EMPTY,
                format!(
                    "add-on {name}: configuration_values is empty; leave it unset for the defaults"
                ),
            );
        }
        for (service_account, role) in &props.pod_identity {
            if let Some(problem) = names::service_account(service_account) {
                node.error(
                    codes::eks::KUBERNETES_NAME_INVALID,
                    format!("add-on {name}: {problem}"),
                );
            }
            check_role_arn(node, role, &format!("add-on {name}"));
        }
        let before_nodes = match props.timing {
            AddonTiming::Auto => [
                addons::VPC_CNI,
                addons::KUBE_PROXY,
                addons::POD_IDENTITY_AGENT,
            ]
            .contains(&name),
            AddonTiming::BeforeNodes => true,
            AddonTiming::AfterNodes => false,
        };

        let group = child(node, "Addon");
        let id = names::pascal(name);
        let cfn = CfnAddon {
            addon_version: props.version.map(Into::into),
            configuration_values: props.configuration_values.map(Into::into),
            resolve_conflicts: Some(
                match props.resolve_conflicts {
                    ResolveConflicts::Overwrite => addon::AddonResolveConflicts::Overwrite,
                    ResolveConflicts::Preserve => addon::AddonResolveConflicts::Preserve,
                    ResolveConflicts::None => addon::AddonResolveConflicts::None,
                }
                .into(),
            ),
            pod_identity_associations: (!props.pod_identity.is_empty()).then(|| {
                props
                    .pod_identity
                    .iter()
                    .map(|(sa, role)| addon::PodIdentityAssociation::new(role.clone(), sa.as_str()))
                    .collect::<Vec<_>>()
                    .into()
            }),
            ..CfnAddon::new(name, self.name_ref())
        };
        let (others, nodegroups, duplicate) = self.state(|state| {
            let duplicate = state
                .addons
                .iter()
                .find(|a| a.name == name)
                .map(|a| a.resource);
            (state.addons.clone(), state.nodegroups.clone(), duplicate)
        });
        if let Some(existing) = duplicate {
            node.error_with_hint(
                codes::eks::ADDON_DUPLICATE,
                format!("add-on {name} is added twice"),
                "add each add-on once, with all its settings",
            );
            if let Some(existing) = existing.get(node.app()) {
                return existing;
            }
        }
        let resource = group.add(&id, cfn);
        let record = AddonRecord {
            name: name.to_owned(),
            resource: resource.key(),
            before_nodes,
            uses_pod_identity: !props.pod_identity.is_empty(),
        };

        let app = node.app();
        for nodegroup in nodegroups.iter().filter_map(|key| key.get(app)) {
            order(&record, resource.node(), nodegroup.node());
        }
        for other in &others {
            let Some(other_addon) = other.resource.get(app) else {
                continue;
            };
            if record.uses_pod_identity && other.name == addons::POD_IDENTITY_AGENT {
                resource.add_dependency(&other_addon);
            }
            if name == addons::POD_IDENTITY_AGENT && other.uses_pod_identity {
                other_addon.add_dependency(&resource);
            }
        }
        self.state(|state| state.addons.push(record));
        crate::eks::workloads::after_cluster_parts(self);
        resource
    }

    /// Adds the add-ons every cluster needs, with their default versions: `vpc-cni`,
    /// `kube-proxy` and `eks-pod-identity-agent` before the node groups, `coredns` after them.
    pub fn add_core_addons(&self) {
        for name in addons::CORE {
            self.add_addon(name, AddonProps::default());
        }
    }
}

/// Orders the add-on `addon` (its record and resource node) against the node group resource
/// `nodegroup`.
pub(crate) fn order(
    record: &AddonRecord,
    addon: cirrus_core::Node<'_>,
    nodegroup: cirrus_core::Node<'_>,
) {
    if record.before_nodes {
        nodegroup.add_dependency(&addon);
    } else if same_stack(addon, nodegroup) {
        addon.add_dependency(&nodegroup);
    } else {
        nodegroup.warning(codes::eks::ADDON_CANNOT_WAIT, format!(
            "add-on {} is in another stack and cannot wait for this node group without a cycle between the stacks; it may fail to become active until nodes exist",
            record.name
        ));
    }
}
