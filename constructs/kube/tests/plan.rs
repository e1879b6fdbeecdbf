//! The pure parts: the prune plan, the readiness rules, the step label, the ApplySet id, and
//! the certificate authority.

use std::collections::BTreeMap;

use cirrus_kube::{
    Client, Cluster, FoundObject, KubeError, ObjectRef, PART_OF_LABEL, PrunePlan, STEP_LABEL,
    StepLabel, workload_status,
};
use serde_json::json;

fn object(api_version: &str, kind: &str, namespace: Option<&str>, name: &str) -> ObjectRef {
    ObjectRef {
        api_version: api_version.to_string(),
        kind: kind.to_string(),
        namespace: namespace.map(str::to_string),
        name: name.to_string(),
    }
}

fn found(step: &StepLabel, object: ObjectRef) -> FoundObject {
    FoundObject {
        object,
        labels: BTreeMap::from([
            (STEP_LABEL.to_string(), step.hash().to_string()),
            (PART_OF_LABEL.to_string(), step.applyset_id()),
        ]),
    }
}

#[test]
fn the_plan_deletes_only_labelled_undeclared_objects_namespaces_last() {
    let step = StepLabel::new("abc123").unwrap();
    let other = StepLabel::new("def456").unwrap();
    let declared = vec![
        object("apps/v1", "Deployment", Some("shop"), "api"),
        object("v1", "ConfigMap", Some("shop"), "kept"),
    ];
    let mut unlabelled = found(&step, object("v1", "ConfigMap", Some("shop"), "mine?"));
    unlabelled.labels.remove(STEP_LABEL);
    let mut no_applyset = found(&step, object("v1", "ConfigMap", Some("shop"), "half"));
    no_applyset.labels.remove(PART_OF_LABEL);
    let found = vec![
        found(&step, object("v1", "Namespace", None, "old-ns")),
        // Declared, listed under another version of its API: kept.
        found(
            &step,
            object("apps/v1beta2", "Deployment", Some("shop"), "api"),
        ),
        found(&step, object("v1", "ConfigMap", Some("shop"), "kept")),
        // Same name, other namespace: not the declared one.
        found(&step, object("v1", "ConfigMap", Some("other"), "kept")),
        found(
            &step,
            object(
                "apiextensions.k8s.io/v1",
                "CustomResourceDefinition",
                None,
                "w.example.com",
            ),
        ),
        found(
            &step,
            object(
                "rbac.authorization.k8s.io/v1",
                "ClusterRole",
                None,
                "reader",
            ),
        ),
        found(&step, object("apps/v1", "Deployment", Some("shop"), "old")),
        found(&other, object("v1", "ConfigMap", Some("shop"), "theirs")),
        unlabelled,
        no_applyset,
    ];
    let plan = PrunePlan::new(&declared, &found, &step);
    let names: Vec<String> = plan.delete.iter().map(ToString::to_string).collect();
    assert_eq!(
        names,
        [
            "ConfigMap other/kept",
            "Deployment shop/old",
            "ClusterRole reader",
            "CustomResourceDefinition w.example.com",
            "Namespace old-ns",
        ]
    );
    assert_eq!(
        PrunePlan::new(&declared, &[], &step),
        PrunePlan::default(),
        "nothing found, nothing deleted"
    );
}

#[test]
fn readiness_follows_each_kind_rule() {
    let deployment = object("apps/v1", "Deployment", Some("s"), "d");
    let body = |status: serde_json::Value| json!({"metadata": {"generation": 2}, "spec": {"replicas": 3}, "status": status});
    let ready =
        body(json!({"observedGeneration": 2, "updatedReplicas": 3, "availableReplicas": 3}));
    assert_eq!(workload_status(&deployment, &ready), Some(Ok(())));
    let stale =
        body(json!({"observedGeneration": 1, "updatedReplicas": 3, "availableReplicas": 3}));
    assert_eq!(
        workload_status(&deployment, &stale),
        Some(Err(
            "waiting for the controller to see the new spec".to_string()
        ))
    );
    let rolling =
        body(json!({"observedGeneration": 2, "updatedReplicas": 1, "availableReplicas": 3}));
    assert_eq!(
        workload_status(&deployment, &rolling),
        Some(Err("1 of 3 replicas updated".to_string()))
    );

    let statefulset = object("apps/v1", "StatefulSet", Some("s"), "db");
    let sts = |current: &str| {
        json!({"metadata": {"generation": 1}, "spec": {"replicas": 2},
               "status": {"observedGeneration": 1, "updatedReplicas": 2, "readyReplicas": 2,
                          "currentRevision": current, "updateRevision": "db-2"}})
    };
    assert_eq!(workload_status(&statefulset, &sts("db-2")), Some(Ok(())));
    assert_eq!(
        workload_status(&statefulset, &sts("db-1")),
        Some(Err("waiting for the rollout to finish".to_string()))
    );

    let daemonset = object("apps/v1", "DaemonSet", Some("s"), "agent");
    let ds = json!({"metadata": {"generation": 1},
                    "status": {"observedGeneration": 1, "desiredNumberScheduled": 4,
                               "updatedNumberScheduled": 4, "numberAvailable": 3}});
    assert_eq!(
        workload_status(&daemonset, &ds),
        Some(Err("3 of 4 pods available".to_string()))
    );

    for other in [
        object("batch/v1", "Job", Some("s"), "j"),
        object("v1", "ConfigMap", Some("s"), "c"),
    ] {
        assert_eq!(workload_status(&other, &json!({})), None);
    }
}

#[test]
fn the_step_label_must_be_a_label_value_and_a_name() {
    assert!(StepLabel::new("0123abcd-ef").is_ok());
    for bad in ["", "-a", "a-", "UPPER", "a_b", "a.b", &"a".repeat(51)] {
        let err = StepLabel::new(bad).unwrap_err();
        assert!(matches!(err, KubeError::StepLabel { .. }), "{bad}");
    }
}

#[test]
fn the_applyset_id_is_the_keps() {
    // KEP 3659: "applyset-" + base64url(sha256("<name>.<namespace>.<kind>.<group>")) + "-v1",
    // computed independently: sha256 of "cirrus-step-abc.kube-system.ConfigMap.".
    let step = StepLabel::new("abc").unwrap();
    assert_eq!(step.parent_name(), "cirrus-step-abc");
    let id = step.applyset_id();
    assert_eq!(
        id,
        "applyset-JZUYbfvH4eHjnqj9bHAyXJozykRw66AChPMzv_AVjgU-v1"
    );
    assert!(id.len() <= 63, "a label value");
}

const CA: &[u8] = include_bytes!("fixtures/ca.pem");

#[test]
fn the_certificate_authority_must_be_pem() {
    let cluster = |ca: &[u8]| Cluster {
        endpoint: "https://ABC.gr7.eu-west-1.eks.amazonaws.com".to_string(),
        ca_pem: Some(ca.to_vec()),
        token: "t".to_string(),
    };
    assert!(Client::new(&cluster(CA)).is_ok());
    let base64_of_pem = b"LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t";
    let err = Client::new(&cluster(base64_of_pem))
        .unwrap_err()
        .to_string();
    assert!(err.contains("decode it first"), "{err}");
    let broken = String::from_utf8_lossy(CA).replace("MII", "XXX");
    let err = Client::new(&cluster(broken.as_bytes())).unwrap_err();
    assert!(
        matches!(err, KubeError::CertificateAuthority { .. }),
        "{err}"
    );
}

/// The runner may spawn the work on tokio's multi-threaded runtime.
#[test]
fn the_futures_are_send() {
    fn send<T: Send>(_: &T) {}
    let client = Client::new(&Cluster {
        endpoint: "http://127.0.0.1:1".to_string(),
        ca_pem: None,
        token: "t".to_string(),
    })
    .unwrap();
    let step = StepLabel::new("a").unwrap();
    let apply_options = cirrus_kube::ApplyOptions::default();
    let delete_options = cirrus_kube::DeleteOptions::default();
    send(&client.apply(&[], &step, &apply_options));
    send(&client.delete(&[], &step, &delete_options));
}
