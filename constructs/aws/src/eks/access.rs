//! Who may do what in a cluster: EKS access entries for IAM principals (people, CI roles),
//! and Pod Identity associations for Kubernetes service accounts.

use cirrus_cfn::eks::{CfnAccessEntry, CfnPodIdentityAssociation, access_entry};
use cirrus_core::{Construct, Expr, Node, NodeKey, ResourceRef, fns};

use crate::codes;
use crate::eks::names;
use crate::eks::{AccessRecord, Cluster};

/// An AWS managed EKS access policy: the Kubernetes permissions an access entry grants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccessPolicy {
    /// `AmazonEKSClusterAdminPolicy`: everything, like `cluster-admin`.
    ClusterAdmin,
    /// `AmazonEKSAdminPolicy`: most resources, including RBAC within the scope, like `admin`.
    Admin,
    /// `AmazonEKSEditPolicy`: create and change most workload resources, like `edit`: what a
    /// deploy role needs.
    Edit,
    /// `AmazonEKSViewPolicy`: read most resources (not secrets), like `view`.
    View,
    /// Another AWS managed access policy, by name (`AmazonEKSAdminViewPolicy`).
    Named(String),
}

impl AccessPolicy {
    fn policy_name(&self) -> &str {
        match self {
            AccessPolicy::ClusterAdmin => "AmazonEKSClusterAdminPolicy",
            AccessPolicy::Admin => "AmazonEKSAdminPolicy",
            AccessPolicy::Edit => "AmazonEKSEditPolicy",
            AccessPolicy::View => "AmazonEKSViewPolicy",
            AccessPolicy::Named(name) => name,
        }
    }

    /// The policy's ARN in the stack's partition.
    pub fn arn(&self) -> Expr<String> {
        fns::sub(
            &format!(
                "arn:${{AWS::Partition}}:eks::aws:cluster-access-policy/{}",
                self.policy_name()
            ),
            [],
        )
    }
}

/// Where an access policy applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccessScope {
    /// The whole cluster.
    Cluster,
    /// These namespaces only (a name, or a prefix ending in `*`).
    Namespaces(Vec<String>),
}

impl AccessScope {
    fn cfn(&self) -> access_entry::AccessScope {
        match self {
            AccessScope::Cluster => {
                access_entry::AccessScope::new(access_entry::AccessScopeType::Cluster)
            }
            AccessScope::Namespaces(namespaces) => access_entry::AccessScope {
                namespaces: Some(namespaces.clone().into()),
                ..access_entry::AccessScope::new(access_entry::AccessScopeType::Namespace)
            },
        }
    }
}

const MAX_POLICIES: usize = 20;

impl<'a> Cluster<'a> {
    /// Grants the IAM role or user `principal_arn` `policy` within `scope`, through an access
    /// entry (`AWS::EKS::AccessEntry` under `Access/<id>`, of type `STANDARD`).
    ///
    /// A principal has one access entry per cluster: grant it several policies by calling
    /// this again with the same `id`. The id is the entry's construct id, so keep it stable:
    /// a new id replaces the entry, and EKS refuses to create the new one while the old one
    /// exists. The principal also needs `eks:DescribeCluster` to build its kubeconfig
    /// ([`ICluster::grant_describe`](crate::eks::ICluster::grant_describe)).
    pub fn grant_access(
        &self,
        id: &str,
        principal_arn: impl Into<Expr<String>>,
        policy: AccessPolicy,
        scope: AccessScope,
    ) -> ResourceRef<'a, CfnAccessEntry> {
        let principal = principal_arn.into();
        let node = self.node();
        if let Some(arn) = principal.as_literal()
            && !is_principal_arn(arn)
        {
            node.error_with_hint(codes::eks::ACCESS_PRINCIPAL_INVALID,
                format!("access entry {id}: \"{arn}\" is not the ARN of an IAM role or user"),
                "give a role ARN (arn:aws:iam::<account>:role/<name>) or user ARN; EKS refuses assumed-role session ARNs",
            );
        }
        if let AccessPolicy::Named(name) = &policy
            && (name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric()))
        {
            node.error(codes::eks::ACCESS_POLICY_UNKNOWN, format!(
                "access entry {id}: \"{name}\" is not the name of an EKS access policy, such as \"AmazonEKSAdminViewPolicy\""
            ));
        }
        if let AccessScope::Namespaces(namespaces) = &scope {
            if namespaces.is_empty() {
                node.error_with_hint(
                    codes::eks::ACCESS_SCOPE_EMPTY,
                    format!("access entry {id}: a namespace scope needs at least one namespace"),
                    "list the namespaces, or use AccessScope::Cluster",
                );
            }
            for problem in namespaces
                .iter()
                .filter_map(|n| names::namespace_pattern(n))
            {
                node.error(
                    codes::eks::KUBERNETES_NAME_INVALID,
                    format!("access entry {id}: {problem}"),
                );
            }
        }

        let (policies, problems) = self.state(|state| {
            let mut problems = Vec::new();
            if let Some(other) = state
                .access
                .iter()
                .find(|r| r.id != id && r.principal == principal)
            {
                problems.push((
                    codes::eks::ACCESS_ENTRY_PRINCIPAL_CONFLICT,
                    format!(
                        "access entries {} and {id} are for the same principal; EKS allows one entry per principal: grant both policies under one id",
                        other.id
                    ),
                ));
            }
            let index = match state.access.iter().position(|r| r.id == id) {
                Some(i) => i,
                None => {
                    state.access.push(AccessRecord {
                        id: id.to_owned(),
                        principal: principal.clone(),
                        policies: Vec::new(),
                        resource: None,
                    });
                    state.access.len() - 1
                }
            };
            let record = &mut state.access[index];
            if record.principal != principal {
                problems.push((
                    codes::eks::ACCESS_ENTRY_PRINCIPAL_CONFLICT,
                    format!(
                        "access entry {id} is already granted to another principal; give each principal its own id"
                    ),
                ));
            }
            match record.policies.iter().find(|(p, _)| *p == policy) {
                Some((_, existing)) if *existing != scope => problems.push((
                    codes::eks::ACCESS_POLICY_SCOPE_CONFLICT,
                    format!(
                        "access entry {id} already has {} with another scope; EKS associates a policy once per entry",
                        policy.policy_name()
                    ),
                )),
                Some(_) => {}
                None => record.policies.push((policy, scope)),
            }
            if record.policies.len() > MAX_POLICIES {
                problems.push((
                    codes::eks::TOO_MANY_ACCESS_POLICIES,
                    format!(
                        "access entry {id} has {} policies; EKS allows {MAX_POLICIES}",
                        record.policies.len()
                    ),
                ));
            }
            (record.policies.clone(), problems)
        });
        for (code, problem) in problems {
            node.error(code, problem);
        }

        let cfn_policies: Vec<access_entry::AccessPolicy> = policies
            .iter()
            .map(|(policy, scope)| access_entry::AccessPolicy::new(scope.cfn(), policy.arn()))
            .collect();
        let existing = self.state(|state| {
            state
                .access
                .iter()
                .find(|r| r.id == id)
                .and_then(|r| r.resource)
        });
        if let Some(entry) = existing.and_then(|key| key.get(node.app())) {
            entry.update(|e| e.access_policies = Some(cfn_policies.into()));
            return entry;
        }
        let entry = child(node, "Access").add(
            id,
            CfnAccessEntry {
                type_: Some("STANDARD".into()),
                access_policies: Some(cfn_policies.into()),
                ..CfnAccessEntry::new(self.name_ref(), principal)
            },
        );
        let key = entry.key();
        self.state(|state| {
            if let Some(record) = state.access.iter_mut().find(|r| r.id == id) {
                record.resource = Some(key);
            }
        });
        entry
    }

    /// Lets pods running as `service_account` in `namespace` act with the role `role_arn`
    /// through EKS Pod Identity (`AWS::EKS::PodIdentityAssociation` under
    /// `PodIdentity/<namespace>_<service account>`). The role must trust
    /// `pods.eks.amazonaws.com` (`Role::new(.., Principal::service("pods.eks.amazonaws.com"),
    /// ..)` adds `sts:TagSession` for it), and the cluster needs the `eks-pod-identity-agent`
    /// add-on.
    pub fn add_pod_identity(
        &self,
        namespace: &str,
        service_account: &str,
        role_arn: impl Into<Expr<String>>,
    ) -> ResourceRef<'a, CfnPodIdentityAssociation> {
        let node = self.node();
        let role_arn = role_arn.into();
        for problem in names::namespace(namespace)
            .into_iter()
            .chain(names::service_account(service_account))
        {
            node.error(
                codes::eks::KUBERNETES_NAME_INVALID,
                format!("pod identity: {problem}"),
            );
        }
        check_role_arn(node, &role_arn, "pod identity");
        let pair = (namespace.to_owned(), service_account.to_owned());
        let existing = self.state(|state| {
            state
                .pod_identities
                .iter()
                .find(|(p, _)| *p == pair)
                .map(|(_, key)| *key)
        });
        // Namespaces have no `_` and service accounts no `_` either, so `<ns>_<sa>` (with the
        // service account's `.` as `_`) names each pair once.
        let id = format!("{namespace}_{}", service_account.replace('.', "_"));
        if let Some(existing) = existing {
            node.error_with_hint(codes::eks::POD_IDENTITY_DUPLICATE,
                format!(
                    "service account {namespace}/{service_account} already has a pod identity association"
                ),
                "EKS allows one association per service account; give its role all the permissions the pods need",
            );
            if let Some(existing) = existing.get(node.app()) {
                return existing;
            }
        }
        let association = child(node, "PodIdentity").add(
            &id,
            CfnPodIdentityAssociation::new(self.name_ref(), namespace, role_arn, service_account),
        );
        let key = association.key();
        self.state(|state| state.pod_identities.push((pair, key)));
        association
    }

    /// `Ref` to the cluster: its name, and the dependency on it.
    pub(crate) fn name_ref(&self) -> Expr<String> {
        self.l1().ref_()
    }
}

/// The grouping nodes a cluster made below its node (`Access`, `PodIdentity`, `Addon`).
#[derive(Debug, Default)]
struct Groups(Vec<(&'static str, NodeKey)>);

/// The grouping node `id` below the cluster's `node`, created on first use.
pub(crate) fn child<'a>(node: Node<'a>, id: &'static str) -> Node<'a> {
    let known = node.with_state(|groups: &mut Groups| {
        groups.0.iter().find(|(g, _)| *g == id).map(|(_, key)| *key)
    });
    if let Some(group) = known.and_then(|key| key.node(node.app())) {
        return group;
    }
    let group = node.add_child(id);
    node.with_state(|groups: &mut Groups| groups.0.push((id, group.key())));
    group
}

/// Reports a literal ARN that is not an IAM role's.
pub(crate) fn check_role_arn(node: Node<'_>, arn: &Expr<String>, what: &str) {
    if let Some(arn) = arn.as_literal()
        && !(arn.starts_with("arn:") && arn.contains(":iam::") && arn.contains(":role/"))
    {
        node.error_with_hint(
            codes::eks::ROLE_ARN_INVALID,
            format!("{what}: \"{arn}\" is not the ARN of an IAM role"),
            "pass a role's ARN (role.arn()), of a role trusting pods.eks.amazonaws.com",
        );
    }
}

fn is_principal_arn(arn: &str) -> bool {
    arn.starts_with("arn:")
        && arn.contains(":iam::")
        && (arn.contains(":role/") || arn.contains(":user/"))
}
