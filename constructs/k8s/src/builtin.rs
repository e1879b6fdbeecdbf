//! What Kubernetes 1.35 itself serves: its API groups, its cluster-scoped kinds, and the name
//! rule of each kind. Tests check these tables against k8s-openapi's types, which carry the
//! same facts as Rust types and constants.

use crate::names::{NameRule, SUBDOMAIN_MAX};
use crate::object::Scope;

/// The API groups Kubernetes 1.35 serves itself (`""` is the core group). A kind in any other
/// group comes from a CustomResourceDefinition (or an aggregated API server). CRDs cannot use
/// these groups, so a group alone says whether a kind is built in.
pub(crate) const GROUPS: &[&str] = &[
    "",
    "admissionregistration.k8s.io",
    "apiextensions.k8s.io",
    "apiregistration.k8s.io",
    "apps",
    "authentication.k8s.io",
    "authorization.k8s.io",
    "autoscaling",
    "batch",
    "certificates.k8s.io",
    "coordination.k8s.io",
    "discovery.k8s.io",
    "events.k8s.io",
    "flowcontrol.apiserver.k8s.io",
    "internal.apiserver.k8s.io",
    "networking.k8s.io",
    "node.k8s.io",
    "policy",
    "rbac.authorization.k8s.io",
    "resource.k8s.io",
    "scheduling.k8s.io",
    "storage.k8s.io",
    "storagemigration.k8s.io",
];

/// The cluster-scoped kinds of Kubernetes 1.35, by group; every other built-in kind is
/// namespaced.
const CLUSTER_SCOPED: &[(&str, &str)] = &[
    ("", "ComponentStatus"),
    ("", "Namespace"),
    ("", "Node"),
    ("", "PersistentVolume"),
    ("admissionregistration.k8s.io", "MutatingAdmissionPolicy"),
    (
        "admissionregistration.k8s.io",
        "MutatingAdmissionPolicyBinding",
    ),
    (
        "admissionregistration.k8s.io",
        "MutatingWebhookConfiguration",
    ),
    ("admissionregistration.k8s.io", "ValidatingAdmissionPolicy"),
    (
        "admissionregistration.k8s.io",
        "ValidatingAdmissionPolicyBinding",
    ),
    (
        "admissionregistration.k8s.io",
        "ValidatingWebhookConfiguration",
    ),
    ("apiextensions.k8s.io", "CustomResourceDefinition"),
    ("apiregistration.k8s.io", "APIService"),
    ("authentication.k8s.io", "SelfSubjectReview"),
    ("authentication.k8s.io", "TokenReview"),
    ("authorization.k8s.io", "SelfSubjectAccessReview"),
    ("authorization.k8s.io", "SelfSubjectRulesReview"),
    ("authorization.k8s.io", "SubjectAccessReview"),
    ("certificates.k8s.io", "CertificateSigningRequest"),
    ("certificates.k8s.io", "ClusterTrustBundle"),
    ("flowcontrol.apiserver.k8s.io", "FlowSchema"),
    ("flowcontrol.apiserver.k8s.io", "PriorityLevelConfiguration"),
    ("internal.apiserver.k8s.io", "StorageVersion"),
    ("networking.k8s.io", "IPAddress"),
    ("networking.k8s.io", "IngressClass"),
    ("networking.k8s.io", "ServiceCIDR"),
    ("node.k8s.io", "RuntimeClass"),
    ("rbac.authorization.k8s.io", "ClusterRole"),
    ("rbac.authorization.k8s.io", "ClusterRoleBinding"),
    ("resource.k8s.io", "DeviceClass"),
    ("resource.k8s.io", "DeviceTaintRule"),
    ("resource.k8s.io", "ResourceSlice"),
    ("scheduling.k8s.io", "PriorityClass"),
    ("storage.k8s.io", "CSIDriver"),
    ("storage.k8s.io", "CSINode"),
    ("storage.k8s.io", "StorageClass"),
    ("storage.k8s.io", "VolumeAttachment"),
    ("storage.k8s.io", "VolumeAttributesClass"),
    ("storagemigration.k8s.io", "StorageVersionMigration"),
];

/// Whether `group` is one of Kubernetes' own API groups.
pub(crate) fn is_builtin_group(group: &str) -> bool {
    GROUPS.contains(&group)
}

/// The scope of a built-in kind, `None` for a kind of another group (a custom kind).
pub(crate) fn builtin_scope(group: &str, kind: &str) -> Option<Scope> {
    if !is_builtin_group(group) {
        return None;
    }
    if CLUSTER_SCOPED.contains(&(group, kind)) {
        Some(Scope::Cluster)
    } else {
        Some(Scope::Namespaced)
    }
}

/// The rule `metadata.name` of this kind must follow, as the API server validates it.
pub(crate) fn name_rule(group: &str, kind: &str) -> NameRule {
    match (group, kind) {
        ("", "Namespace") => NameRule::Dns1123Label,
        // Services: the name is a DNS label and the prefix of environment variables, so it
        // must start with a letter.
        ("", "Service") => NameRule::Dns1035Label,
        (
            "rbac.authorization.k8s.io",
            "Role" | "ClusterRole" | "RoleBinding" | "ClusterRoleBinding",
        ) => NameRule::PathSegment,
        // A CronJob's Jobs are named `<cronjob>-<11 characters>`, and a Job's name must fit a
        // 63-character label value, so the API server allows 52 characters.
        ("batch", "CronJob") => NameRule::Dns1123Subdomain { max: 52 },
        _ => NameRule::Dns1123Subdomain { max: SUBDOMAIN_MAX },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::Resource;
    use k8s_openapi::api as a;

    fn scope_of<T: Resource>() -> Option<Scope>
    where
        T::Scope: crate::object::KnownScope,
    {
        <T::Scope as crate::object::KnownScope>::SCOPE
    }

    /// Every k8s-openapi type's group is in `GROUPS`, and the table gives its scope.
    macro_rules! agree {
        ($($t:ty),* $(,)?) => {{
            let mut cluster = 0;
            $(
                let expected = scope_of::<$t>().expect("an object, not a subresource");
                assert_eq!(
                    builtin_scope(<$t>::GROUP, <$t>::KIND),
                    Some(expected),
                    "{} {}",
                    <$t>::API_VERSION,
                    <$t>::KIND
                );
                if expected == Scope::Cluster {
                    cluster += 1;
                }
            )*
            cluster
        }};
    }

    #[test]
    fn the_tables_agree_with_k8s_openapi() {
        let cluster = agree!(
            a::core::v1::ComponentStatus,
            a::core::v1::Namespace,
            a::core::v1::Node,
            a::core::v1::PersistentVolume,
            a::admissionregistration::v1::MutatingWebhookConfiguration,
            a::admissionregistration::v1::ValidatingAdmissionPolicy,
            a::admissionregistration::v1::ValidatingAdmissionPolicyBinding,
            a::admissionregistration::v1::ValidatingWebhookConfiguration,
            a::admissionregistration::v1beta1::MutatingAdmissionPolicy,
            a::admissionregistration::v1beta1::MutatingAdmissionPolicyBinding,
            k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition,
            k8s_openapi::kube_aggregator::pkg::apis::apiregistration::v1::APIService,
            a::authentication::v1::SelfSubjectReview,
            a::authentication::v1::TokenReview,
            a::authorization::v1::SelfSubjectAccessReview,
            a::authorization::v1::SelfSubjectRulesReview,
            a::authorization::v1::SubjectAccessReview,
            a::certificates::v1::CertificateSigningRequest,
            a::certificates::v1beta1::ClusterTrustBundle,
            a::flowcontrol::v1::FlowSchema,
            a::flowcontrol::v1::PriorityLevelConfiguration,
            a::apiserverinternal::v1alpha1::StorageVersion,
            a::networking::v1::IPAddress,
            a::networking::v1::IngressClass,
            a::networking::v1::ServiceCIDR,
            a::node::v1::RuntimeClass,
            a::rbac::v1::ClusterRole,
            a::rbac::v1::ClusterRoleBinding,
            a::resource::v1::DeviceClass,
            a::resource::v1alpha3::DeviceTaintRule,
            a::resource::v1::ResourceSlice,
            a::scheduling::v1::PriorityClass,
            a::storage::v1::CSIDriver,
            a::storage::v1::CSINode,
            a::storage::v1::StorageClass,
            a::storage::v1::VolumeAttachment,
            a::storage::v1::VolumeAttributesClass,
            a::storagemigration::v1beta1::StorageVersionMigration,
            // Namespaced kinds, one or more of each group.
            a::core::v1::Pod,
            a::core::v1::Service,
            a::core::v1::ServiceAccount,
            a::core::v1::Secret,
            a::core::v1::ConfigMap,
            a::core::v1::PersistentVolumeClaim,
            a::apps::v1::Deployment,
            a::apps::v1::StatefulSet,
            a::autoscaling::v2::HorizontalPodAutoscaler,
            a::batch::v1::CronJob,
            a::coordination::v1::Lease,
            a::discovery::v1::EndpointSlice,
            a::events::v1::Event,
            a::networking::v1::Ingress,
            a::networking::v1::NetworkPolicy,
            a::policy::v1::PodDisruptionBudget,
            a::rbac::v1::Role,
            a::rbac::v1::RoleBinding,
            a::resource::v1::ResourceClaim,
            a::storage::v1::CSIStorageCapacity,
            a::authorization::v1::LocalSubjectAccessReview,
        );
        // Every cluster-scoped kind of the table was compared with a type.
        assert_eq!(cluster, CLUSTER_SCOPED.len());
    }

    #[test]
    fn custom_groups_have_no_builtin_scope() {
        assert_eq!(builtin_scope("flagger.app", "Canary"), None);
        // A CRD group that merely ends in k8s.io is not a built-in group.
        assert_eq!(builtin_scope("gateway.networking.k8s.io", "Gateway"), None);
    }

    #[test]
    fn name_rules() {
        assert_eq!(name_rule("", "Service"), NameRule::Dns1035Label);
        assert_eq!(name_rule("", "Namespace"), NameRule::Dns1123Label);
        assert_eq!(
            name_rule("rbac.authorization.k8s.io", "ClusterRole"),
            NameRule::PathSegment
        );
        assert_eq!(
            name_rule("batch", "CronJob"),
            NameRule::Dns1123Subdomain { max: 52 }
        );
        // Knative's Service is a custom kind: the usual subdomain rule.
        assert_eq!(
            name_rule("serving.knative.dev", "Service"),
            NameRule::Dns1123Subdomain { max: 253 }
        );
    }
}
