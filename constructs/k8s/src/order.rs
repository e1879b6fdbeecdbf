//! The order in which a cluster's objects are applied, and deleted.
//!
//! An object can only be created once what it lives in or refers to exists: a Deployment needs
//! its namespace, its ServiceAccount, the ConfigMaps and Secrets it mounts; a custom resource
//! needs its CRD. Kubernetes itself has no order, so tools agree on one by kind. This is Helm's
//! (the `InstallOrder` list of Helm's kind sorter), with two changes: Namespaces come first and
//! CustomResourceDefinitions right after them (Helm installs a chart's `crds/` before
//! everything else, so its CRDs are never waiting on anything either), and a kind is matched
//! with its group, so that Knative's `Service` is not taken for the core `Service`. Kinds that
//! are not in the list, custom kinds above all, come last, after the admission webhooks that
//! may validate them. Objects of the same rank keep the order they were given in.

use crate::object::Object;

/// Built-in kinds in apply order, by (group, kind).
const INSTALL_ORDER: &[(&str, &str)] = &[
    ("", "Namespace"),
    ("apiextensions.k8s.io", "CustomResourceDefinition"),
    ("scheduling.k8s.io", "PriorityClass"),
    ("networking.k8s.io", "NetworkPolicy"),
    ("", "ResourceQuota"),
    ("", "LimitRange"),
    ("policy", "PodDisruptionBudget"),
    ("", "ServiceAccount"),
    ("", "Secret"),
    ("", "ConfigMap"),
    ("storage.k8s.io", "StorageClass"),
    ("", "PersistentVolume"),
    ("", "PersistentVolumeClaim"),
    ("rbac.authorization.k8s.io", "ClusterRole"),
    ("rbac.authorization.k8s.io", "ClusterRoleBinding"),
    ("rbac.authorization.k8s.io", "Role"),
    ("rbac.authorization.k8s.io", "RoleBinding"),
    ("", "Service"),
    ("apps", "DaemonSet"),
    ("", "Pod"),
    ("", "ReplicationController"),
    ("apps", "ReplicaSet"),
    ("apps", "Deployment"),
    ("autoscaling", "HorizontalPodAutoscaler"),
    ("apps", "StatefulSet"),
    ("batch", "Job"),
    ("batch", "CronJob"),
    ("networking.k8s.io", "IngressClass"),
    ("networking.k8s.io", "Ingress"),
    ("apiregistration.k8s.io", "APIService"),
    (
        "admissionregistration.k8s.io",
        "MutatingWebhookConfiguration",
    ),
    (
        "admissionregistration.k8s.io",
        "ValidatingWebhookConfiguration",
    ),
];

/// The rank of an object's kind: its place in `INSTALL_ORDER`, or after all of them.
fn rank(object: &Object) -> usize {
    INSTALL_ORDER
        .iter()
        .position(|(group, kind)| *group == object.group() && *kind == object.kind())
        .unwrap_or(INSTALL_ORDER.len())
}

/// The indexes of `objects` in the order to apply them: by kind (Namespaces, then
/// CustomResourceDefinitions, then Helm's install order, then every other kind), objects of
/// the same rank in the order given. The same input always gives the same order.
pub fn apply_order(objects: &[Object]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..objects.len()).collect();
    // A stable sort: equal ranks keep their input order.
    order.sort_by_key(|&i| rank(&objects[i]));
    order
}

/// The indexes of `objects` in the order to delete them: the reverse of [`apply_order`], so that
/// custom resources go before their CRDs and everything before its namespace.
pub fn delete_order(objects: &[Object]) -> Vec<usize> {
    let mut order = apply_order(objects);
    order.reverse();
    order
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(api_version: &str, kind: &str, name: &str) -> Object {
        Object::untyped(
            json!({"apiVersion": api_version, "kind": kind, "metadata": {"name": name}}),
        )
        .unwrap()
    }

    fn kinds(objects: &[Object], order: &[usize]) -> Vec<String> {
        order
            .iter()
            .map(|&i| format!("{}/{}", objects[i].kind(), objects[i].name()))
            .collect()
    }

    #[test]
    fn namespaces_then_crds_then_helm_order_then_custom_kinds() {
        let objects = [
            obj("flagger.app/v1beta1", "Canary", "api"),
            obj("networking.k8s.io/v1", "Ingress", "web"),
            obj("apps/v1", "Deployment", "api"),
            obj("v1", "Service", "api"),
            obj("autoscaling/v2", "HorizontalPodAutoscaler", "api"),
            obj("v1", "ConfigMap", "settings"),
            obj("rbac.authorization.k8s.io/v1", "RoleBinding", "read"),
            obj("rbac.authorization.k8s.io/v1", "Role", "read"),
            obj("v1", "PersistentVolumeClaim", "data"),
            obj("storage.k8s.io/v1", "StorageClass", "gp3"),
            obj("v1", "Secret", "token"),
            obj("v1", "ServiceAccount", "api"),
            Object::untyped(json!({
                "apiVersion": "apiextensions.k8s.io/v1",
                "kind": "CustomResourceDefinition",
                "metadata": {"name": "canaries.flagger.app"},
                "spec": {"group": "flagger.app", "scope": "Namespaced",
                         "names": {"kind": "Canary", "plural": "canaries"}},
            }))
            .unwrap(),
            obj("v1", "Namespace", "shop"),
            obj("batch/v1", "CronJob", "report"),
            obj(
                "admissionregistration.k8s.io/v1",
                "ValidatingWebhookConfiguration",
                "hook",
            ),
        ];
        let order = apply_order(&objects);
        assert_eq!(
            kinds(&objects, &order),
            [
                "Namespace/shop",
                "CustomResourceDefinition/canaries.flagger.app",
                "ServiceAccount/api",
                "Secret/token",
                "ConfigMap/settings",
                "StorageClass/gp3",
                "PersistentVolumeClaim/data",
                "Role/read",
                "RoleBinding/read",
                "Service/api",
                "Deployment/api",
                "HorizontalPodAutoscaler/api",
                "CronJob/report",
                "Ingress/web",
                "ValidatingWebhookConfiguration/hook",
                "Canary/api",
            ]
        );
        let mut reversed = delete_order(&objects);
        reversed.reverse();
        assert_eq!(reversed, order);
    }

    #[test]
    fn equal_ranks_keep_their_order() {
        let objects = [
            obj("gateway.gloo.solo.io/v1", "VirtualService", "b"),
            obj("apps/v1", "Deployment", "z"),
            obj("flagger.app/v1beta1", "Canary", "a"),
            obj("apps/v1", "Deployment", "a"),
            obj("gateway.gloo.solo.io/v1", "VirtualService", "a"),
        ];
        assert_eq!(
            kinds(&objects, &apply_order(&objects)),
            [
                "Deployment/z",
                "Deployment/a",
                "VirtualService/b",
                "Canary/a",
                "VirtualService/a"
            ]
        );
        assert!(apply_order(&[]).is_empty());
    }

    #[test]
    fn a_kind_is_matched_with_its_group() {
        // Knative's Service is a custom kind: after the core kinds, not with core Services.
        let objects = [
            obj("serving.knative.dev/v1", "Service", "hello"),
            obj("apps/v1", "Deployment", "api"),
            obj("v1", "Service", "api"),
        ];
        assert_eq!(
            kinds(&objects, &apply_order(&objects)),
            ["Service/api", "Deployment/api", "Service/hello"]
        );
        assert_eq!(apply_order(&objects), [2, 1, 0]);
    }
}
