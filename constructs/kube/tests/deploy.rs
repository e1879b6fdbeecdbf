//! Apply, wait, prune and delete against the fake API server of `support`.

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use cirrus_kube::{
    ApplyOptions, Client, Cluster, DeleteOptions, GroupKind, KubeError, Progress, StepLabel,
};
use serde_json::{Value, json};
use support::FakeApi;

fn step() -> StepLabel {
    StepLabel::new("3f2a9c").unwrap()
}

fn recorder() -> (Arc<Mutex<Vec<String>>>, cirrus_kube::ProgressFn) {
    let lines = Arc::new(Mutex::new(Vec::new()));
    let sink = lines.clone();
    (
        lines,
        Arc::new(move |p: &Progress| sink.lock().unwrap().push(p.to_string())),
    )
}

/// [`fast`] options whose progress lines are recorded.
fn recording() -> (Arc<Mutex<Vec<String>>>, ApplyOptions) {
    let (lines, progress) = recorder();
    let options = ApplyOptions {
        progress: Some(progress),
        ..fast()
    };
    (lines, options)
}

fn fast() -> ApplyOptions {
    ApplyOptions {
        poll_interval: Duration::from_millis(5),
        timeout: Duration::from_secs(5),
        crd_timeout: Duration::from_secs(5),
        ..ApplyOptions::default()
    }
}

fn namespace(name: &str) -> Value {
    json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
}

fn config_map(ns: &str, name: &str) -> Value {
    json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": ns}, "data": {"k": "v"}})
}

fn deployment(ns: &str, name: &str, replicas: i64) -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "namespace": ns, "labels": {"app": name}},
        "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                 "template": {"metadata": {"labels": {"app": name}},
                              "spec": {"containers": [{"name": "c", "image": "nginx:1.27"}]}}}
    })
}

fn crd() -> Value {
    json!({
        "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.com"},
        "spec": {"group": "example.com", "scope": "Namespaced",
                 "names": {"plural": "widgets", "singular": "widget", "kind": "Widget"},
                 "versions": [{"name": "v1", "served": true, "storage": true,
                               "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}]}
    })
}

fn widget(ns: Option<&str>, name: &str) -> Value {
    let mut w = json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": name}, "spec": {"size": 3}});
    if let Some(ns) = ns {
        w["metadata"]["namespace"] = json!(ns);
    }
    w
}

/// The PATCH paths, without the step's ApplySet parent.
fn applied_paths(api: &FakeApi) -> Vec<String> {
    api.paths("PATCH")
        .into_iter()
        .filter(|p| !p.contains("cirrus-step-"))
        .collect()
}

#[tokio::test]
async fn applies_in_the_given_order_with_server_side_apply() {
    let api = FakeApi::start().await;
    let objects = vec![
        namespace("shop"),
        config_map("shop", "settings"),
        deployment("shop", "api", 2),
    ];
    let report = api
        .client()
        .apply(&objects, &step(), &fast())
        .await
        .unwrap();
    assert_eq!(
        applied_paths(&api),
        [
            "/api/v1/namespaces/shop",
            "/api/v1/namespaces/shop/configmaps/settings",
            "/apis/apps/v1/namespaces/shop/deployments/api",
        ]
    );
    let names: Vec<String> = report.applied.iter().map(ToString::to_string).collect();
    assert_eq!(
        names,
        [
            "Namespace shop",
            "ConfigMap shop/settings",
            "Deployment shop/api"
        ]
    );
    let patch = api
        .requests()
        .into_iter()
        .find(|r| r.method == "PATCH" && r.path.ends_with("/deployments/api"))
        .unwrap();
    assert_eq!(patch.query["fieldManager"], "cirrus");
    assert_eq!(patch.query["force"], "true");
    assert_eq!(
        patch.headers["content-type"],
        "application/apply-patch+yaml"
    );
    assert_eq!(patch.headers["authorization"], "Bearer test-token");
    let body = patch.json();
    let labels = &body["metadata"]["labels"];
    assert_eq!(labels["app"], "api", "the object's own labels stay");
    assert_eq!(labels["app.kubernetes.io/managed-by"], "cirrus");
    assert_eq!(labels["cirrus.dev/step"], "3f2a9c");
    assert_eq!(
        labels["applyset.kubernetes.io/part-of"],
        step().applyset_id().as_str()
    );
    assert_eq!(body["spec"]["replicas"], 2, "the object is sent whole");
    // Discovery is asked once per group version.
    let discovery: Vec<String> = api
        .paths("GET")
        .into_iter()
        .filter(|p| p == "/api/v1" || p == "/apis/apps/v1")
        .collect();
    assert_eq!(discovery, ["/api/v1", "/apis/apps/v1"]);
    // The ApplySet parent lists the members' kinds and namespaces.
    let parent = api
        .object(
            "v1",
            "configmaps",
            Some("kube-system"),
            "cirrus-step-3f2a9c",
        )
        .unwrap();
    let annotations = &parent["metadata"]["annotations"];
    assert_eq!(
        annotations["applyset.kubernetes.io/contains-group-kinds"],
        "ConfigMap,Deployment.apps,Namespace"
    );
    assert_eq!(
        annotations["applyset.kubernetes.io/additional-namespaces"],
        "shop"
    );
    assert!(
        annotations["applyset.kubernetes.io/tooling"]
            .as_str()
            .unwrap()
            .starts_with("cirrus/")
    );
    assert_eq!(
        parent["metadata"]["labels"]["applyset.kubernetes.io/id"],
        step().applyset_id().as_str()
    );
}

#[tokio::test]
async fn discovers_a_custom_kind_and_defaults_the_namespace() {
    let api = FakeApi::start().await;
    api.serve_kind("example.com/v1", "widgets", "Widget", true);
    let report = api
        .client()
        .apply(&[widget(None, "w1")], &step(), &fast())
        .await
        .unwrap();
    assert_eq!(
        applied_paths(&api),
        ["/apis/example.com/v1/namespaces/default/widgets/w1"]
    );
    assert_eq!(report.applied[0].to_string(), "Widget default/w1");
    assert!(
        api.paths("GET")
            .contains(&"/apis/example.com/v1".to_string())
    );
}

#[tokio::test]
async fn an_unknown_kind_is_named_with_a_hint() {
    let api = FakeApi::start().await;
    let err = api
        .client()
        .apply(&[widget(Some("shop"), "w1")], &step(), &fast())
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(
        text.starts_with("Widget shop/w1: the cluster serves no kind Widget in example.com/v1"),
        "{text}"
    );
    assert!(text.contains("CustomResourceDefinition"), "{text}");
}

#[tokio::test]
async fn waits_for_a_crd_to_be_established_before_its_objects() {
    let api = FakeApi::start().await;
    api.establish_after("widgets.example.com", 3);
    let (lines, options) = recording();
    api.client()
        .apply(&[crd(), widget(Some("default"), "w1")], &step(), &options)
        .await
        .unwrap();
    let requests = api.requests();
    let crd_path = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com";
    let widget_at = requests
        .iter()
        .position(|r| r.method == "PATCH" && r.path.ends_with("/widgets/w1"))
        .unwrap();
    let polls_before = requests[..widget_at]
        .iter()
        .filter(|r| r.method == "GET" && r.path == crd_path)
        .count();
    assert_eq!(
        polls_before, 4,
        "three unestablished answers, then established"
    );
    let lines = lines.lock().unwrap();
    assert_eq!(
        lines[..3],
        [
            "CustomResourceDefinition widgets.example.com: applied",
            "CustomResourceDefinition widgets.example.com: established",
            "Widget default/w1: applied",
        ]
    );
}

#[tokio::test]
async fn a_crd_never_established_times_out() {
    let api = FakeApi::start().await;
    api.establish_after("widgets.example.com", usize::MAX);
    let options = ApplyOptions {
        crd_timeout: Duration::from_millis(100),
        ..fast()
    };
    let err = api
        .client()
        .apply(&[crd(), widget(None, "w1")], &step(), &options)
        .await
        .unwrap_err();
    assert!(matches!(err, KubeError::Timeout { .. }), "{err}");
    assert!(
        err.to_string()
            .contains("CustomResourceDefinition widgets.example.com: not established yet"),
        "{err}"
    );
    assert!(
        applied_paths(&api)
            .iter()
            .all(|p| !p.contains("widgets/w1"))
    );
}

/// An operator's kind, registered when the operator starts: waited for until a version of its
/// group serves it, asking the server again each time.
#[tokio::test]
async fn waits_until_a_kind_an_operator_registers_is_served() {
    let api = FakeApi::start().await;
    api.serve_kind_after(
        3,
        "stork.libopenstorage.org/v1alpha1",
        "schedulepolicies",
        "SchedulePolicy",
        false,
    );
    let kinds = [
        GroupKind::parse("SchedulePolicy.stork.libopenstorage.org").unwrap(),
        GroupKind::parse("ConfigMap").unwrap(),
    ];
    api.client()
        .wait_served(&kinds, Duration::from_secs(5), Duration::from_millis(5))
        .await
        .unwrap();
    let group_gets = api
        .paths("GET")
        .iter()
        .filter(|p| *p == "/apis/stork.libopenstorage.org")
        .count();
    assert_eq!(
        group_gets, 4,
        "three answers without the kind, then with it"
    );
}

#[tokio::test]
async fn a_kind_never_served_times_out_naming_it() {
    let api = FakeApi::start().await;
    let kinds = [GroupKind::parse("SchedulePolicy.stork.libopenstorage.org").unwrap()];
    let err = api
        .client()
        .wait_served(&kinds, Duration::from_millis(50), Duration::from_millis(5))
        .await
        .unwrap_err();
    assert!(matches!(err, KubeError::Timeout { .. }), "{err}");
    assert!(
        err.to_string().contains(
            "not served after 50ms: SchedulePolicy.stork.libopenstorage.org: no version of its group serves it yet"
        ),
        "{err}"
    );
}

#[tokio::test]
async fn prunes_only_labelled_objects_no_longer_declared() {
    let api = FakeApi::start().await;
    let client = api.client();
    client
        .apply(
            &[
                config_map("shop", "a"),
                config_map("shop", "b"),
                deployment("shop", "old", 1),
            ],
            &step(),
            &fast(),
        )
        .await
        .unwrap();
    // Someone else's ConfigMap, and one of another step.
    api.put(config_map("shop", "foreign"));
    let other = StepLabel::new("other").unwrap();
    client
        .apply(&[config_map("shop", "theirs")], &other, &fast())
        .await
        .unwrap();
    // A ConfigMap with the step label but without the ApplySet label: not cirrus's doing.
    let mut forged = config_map("shop", "forged");
    forged["metadata"]["labels"] = json!({"cirrus.dev/step": "3f2a9c"});
    api.put(forged);

    let (lines, options) = recording();
    let report = client
        .apply(&[config_map("shop", "a")], &step(), &options)
        .await
        .unwrap();
    let pruned: Vec<String> = report.pruned.iter().map(ToString::to_string).collect();
    assert_eq!(pruned, ["ConfigMap shop/b", "Deployment shop/old"]);
    assert!(
        lines
            .lock()
            .unwrap()
            .contains(&"ConfigMap shop/b: pruned".to_string())
    );
    let mut stored = api.stored();
    stored.retain(|s| !s.contains("kube-system"));
    assert_eq!(
        stored,
        [
            "configmaps shop/a",
            "configmaps shop/foreign",
            "configmaps shop/forged",
            "configmaps shop/theirs",
        ]
    );
    // The lists asked for the step's labels only.
    let list = api
        .requests()
        .into_iter()
        .find(|r| r.method == "GET" && r.path == "/api/v1/configmaps")
        .unwrap();
    assert_eq!(
        list.query["labelSelector"],
        format!(
            "applyset.kubernetes.io/part-of={},cirrus.dev/step=3f2a9c",
            step().applyset_id()
        )
    );
    // The parent now lists only what the step declares.
    let parent = api
        .object(
            "v1",
            "configmaps",
            Some("kube-system"),
            "cirrus-step-3f2a9c",
        )
        .unwrap();
    assert_eq!(
        parent["metadata"]["annotations"]["applyset.kubernetes.io/contains-group-kinds"],
        "ConfigMap"
    );
}

#[tokio::test]
async fn a_failed_prune_leaves_the_kinds_for_the_next_run() {
    let api = FakeApi::start().await;
    let client = api.client();
    client
        .apply(&[deployment("shop", "old", 1)], &step(), &fast())
        .await
        .unwrap();
    api.fail(
        "DELETE",
        "/deployments/old",
        403,
        json!({"kind": "Status", "reason": "Forbidden", "message": "deployments.apps \"old\" is forbidden"}),
        1,
    );
    let err = client
        .apply(&[config_map("shop", "a")], &step(), &fast())
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("Deployment shop/old: Forbidden"),
        "{err}"
    );
    let parent = api
        .object(
            "v1",
            "configmaps",
            Some("kube-system"),
            "cirrus-step-3f2a9c",
        )
        .unwrap();
    assert_eq!(
        parent["metadata"]["annotations"]["applyset.kubernetes.io/contains-group-kinds"],
        "ConfigMap,Deployment.apps"
    );
    let report = client
        .apply(&[config_map("shop", "a")], &step(), &fast())
        .await
        .unwrap();
    assert_eq!(report.pruned[0].to_string(), "Deployment shop/old");
}

#[tokio::test]
async fn waits_for_workloads_to_be_ready() {
    let api = FakeApi::start().await;
    api.not_ready_for("api", 3);
    api.not_ready_for("db", 2);
    let statefulset = json!({"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "db", "namespace": "shop"}, "spec": {"replicas": 1}});
    let job = json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "migrate", "namespace": "shop"}, "spec": {}});
    let (lines, options) = recording();
    let report = api
        .client()
        .apply(
            &[deployment("shop", "api", 3), statefulset, job],
            &step(),
            &options,
        )
        .await
        .unwrap();
    let ready: Vec<String> = report.ready.iter().map(ToString::to_string).collect();
    assert_eq!(ready, ["StatefulSet shop/db", "Deployment shop/api"]);
    let lines = lines.lock().unwrap();
    assert!(
        lines.contains(&"Deployment shop/api: 0 of 3 replicas available".to_string()),
        "{lines:?}"
    );
    assert!(lines.contains(&"Deployment shop/api: ready".to_string()));
    // Told once per change of state, not once per poll.
    assert_eq!(
        lines
            .iter()
            .filter(|l| l.starts_with("Deployment shop/api: 0 of 3"))
            .count(),
        1
    );
    assert!(
        !api.paths("GET")
            .iter()
            .any(|p| p.ends_with("/jobs/migrate")),
        "jobs are not waited on"
    );
}

fn awaited_job(name: &str) -> Value {
    json!({"apiVersion": "batch/v1", "kind": "Job",
           "metadata": {"name": name, "namespace": "portworx",
                        "annotations": {"cirrus.dev/wait": "complete"}},
           "spec": {}})
}

/// A Job that asks for it is waited for until it completes.
#[tokio::test]
async fn a_job_that_asks_is_waited_for_until_it_completes() {
    assert_eq!(
        (cirrus_kube::WAIT_ANNOTATION, cirrus_kube::WAIT_COMPLETE),
        ("cirrus.dev/wait", "complete")
    );
    let api = FakeApi::start().await;
    api.not_ready_for("setup", 2);
    let (lines, options) = recording();
    let report = api
        .client()
        .apply(&[awaited_job("setup")], &step(), &options)
        .await
        .unwrap();
    let ready: Vec<String> = report.ready.iter().map(ToString::to_string).collect();
    assert_eq!(ready, ["Job portworx/setup"]);
    let lines = lines.lock().unwrap();
    assert_eq!(
        lines[1..],
        [
            "Job portworx/setup: not complete: 1 pod(s) running, 0 failed",
            "Job portworx/setup: ready",
        ]
    );
}

/// A Job that fails ends the wait at once, with its reason, and nothing is pruned.
#[tokio::test]
async fn a_failed_job_ends_the_wait_with_its_reason() {
    let api = FakeApi::start().await;
    api.fail_job("setup");
    let options = ApplyOptions {
        timeout: Duration::from_secs(600),
        ..fast()
    };
    let err = api
        .client()
        .apply(&[awaited_job("setup")], &step(), &options)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Job portworx/setup failed: BackoffLimitExceeded: Job has reached the specified backoff limit"
    );
    assert!(api.paths("DELETE").is_empty(), "{:?}", api.paths("DELETE"));
}

#[tokio::test]
async fn a_workload_never_ready_times_out_naming_it() {
    let api = FakeApi::start().await;
    api.not_ready_for("api", usize::MAX);
    let options = ApplyOptions {
        timeout: Duration::from_millis(100),
        ..fast()
    };
    let err = api
        .client()
        .apply(&[deployment("shop", "api", 3)], &step(), &options)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "not ready after 100ms: Deployment shop/api: 0 of 3 replicas available"
    );
}

#[tokio::test]
async fn an_invalid_object_names_it_and_kubernetes_reason() {
    let api = FakeApi::start().await;
    let message = "Deployment.apps \"api\" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0";
    api.fail(
        "PATCH",
        "/deployments/api",
        422,
        json!({"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "Invalid", "message": message, "code": 422}),
        1,
    );
    let err = api
        .client()
        .apply(&[deployment("shop", "api", -1)], &step(), &fast())
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("Deployment shop/api: Invalid: {message}")
    );
    assert_eq!(err.status(), Some(422));
    assert_eq!(
        api.paths("PATCH")
            .iter()
            .filter(|p| p.ends_with("/deployments/api"))
            .count(),
        1,
        "a 422 is not retried"
    );
}

#[tokio::test]
async fn forbidden_and_unauthorized_answers_hint_at_the_access_entry() {
    let api = FakeApi::start().await;
    api.fail(
        "PATCH",
        "/configmaps/a",
        403,
        json!({"kind": "Status", "reason": "Forbidden", "message": "configmaps \"a\" is forbidden: User \"arn:aws:sts::1:assumed-role/deploy\" cannot patch resource"}),
        1,
    );
    let err = api
        .client()
        .apply(&[config_map("shop", "a")], &step(), &fast())
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(
        text.starts_with("ConfigMap shop/a: Forbidden: configmaps \"a\" is forbidden"),
        "{text}"
    );
    assert!(text.contains("cluster.grant_access(..)"), "{text}");

    let wrong = Cluster {
        token: "expired".to_string(),
        ..api.cluster()
    };
    let err = Client::new(&wrong)
        .unwrap()
        .apply(&[config_map("shop", "a")], &step(), &fast())
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(401));
    assert!(err.to_string().contains("expired"), "{err}");
}

#[tokio::test]
async fn an_error_without_a_status_body_gives_the_http_status() {
    let api = FakeApi::start().await;
    api.fail("PATCH", "/configmaps/a", 409, json!("conflict"), 1);
    let err = api
        .client()
        .apply(&[config_map("shop", "a")], &step(), &fast())
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), "ConfigMap shop/a: http 409 conflict");
}

#[tokio::test]
async fn retries_server_errors_and_throttling() {
    let api = FakeApi::start().await;
    api.fail(
        "PATCH",
        "/configmaps/a",
        500,
        json!({"kind": "Status", "reason": "InternalError", "message": "etcd timeout"}),
        1,
    );
    api.fail(
        "PATCH",
        "/configmaps/a",
        429,
        json!({"kind": "Status", "reason": "TooManyRequests", "message": "slow down"}),
        1,
    );
    api.client()
        .apply(&[config_map("shop", "a")], &step(), &fast())
        .await
        .unwrap();
    assert_eq!(
        api.paths("PATCH")
            .iter()
            .filter(|p| p.ends_with("/configmaps/a"))
            .count(),
        3
    );
    assert!(api.object("v1", "configmaps", Some("shop"), "a").is_some());

    // Bounded: after the last try, the server's error is reported.
    api.fail("PATCH", "/configmaps/b", 503, json!({"kind": "Status", "reason": "ServiceUnavailable", "message": "apiserver is shutting down"}), 100);
    let err = api
        .client()
        .apply(&[config_map("shop", "b")], &step(), &fast())
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "ConfigMap shop/b: ServiceUnavailable: apiserver is shutting down"
    );
    assert_eq!(
        api.paths("PATCH")
            .iter()
            .filter(|p| p.ends_with("/configmaps/b"))
            .count(),
        4,
        "as many tries as the policy allows"
    );
}

#[tokio::test]
async fn connection_errors_are_retried_then_reported() {
    // A port nothing listens on: bind, take the port, close.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let cluster = Cluster {
        endpoint: format!("http://127.0.0.1:{port}"),
        ca_pem: None,
        token: "t".to_string(),
    };
    let client = Client::with_policy(
        &cluster,
        cirrus_kube::Timeouts::default(),
        cirrus_kube::RetryPolicy {
            attempts: 3,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(2),
        },
    )
    .unwrap();
    let err = client
        .apply(&[config_map("shop", "a")], &step(), &fast())
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, KubeError::Transport { .. }), "{text}");
    assert!(text.contains("(after 3 tries)"), "{text}");
    assert!(
        text.contains("ConfigMap kube-system/cirrus-step-3f2a9c"),
        "{text}"
    );
}

#[tokio::test]
async fn deletes_in_reverse_order_waiting_and_ignoring_absent_objects() {
    let api = FakeApi::start().await;
    let client = api.client();
    let objects = vec![
        namespace("shop"),
        config_map("shop", "a"),
        deployment("shop", "api", 1),
    ];
    client.apply(&objects, &step(), &fast()).await.unwrap();
    api.linger("shop", 3);
    let mut to_delete = objects.clone();
    to_delete.push(config_map("shop", "never-applied"));
    let (lines, progress) = recorder();
    let options = DeleteOptions {
        poll_interval: Duration::from_millis(5),
        timeout: Duration::from_secs(5),
        progress: Some(progress),
    };
    let report = client.delete(&to_delete, &step(), &options).await.unwrap();
    assert_eq!(
        api.paths("DELETE"),
        [
            "/api/v1/namespaces/shop/configmaps/never-applied",
            "/apis/apps/v1/namespaces/shop/deployments/api",
            "/api/v1/namespaces/shop/configmaps/a",
            "/api/v1/namespaces/shop",
            "/api/v1/namespaces/kube-system/configmaps/cirrus-step-3f2a9c",
        ]
    );
    let deleted: Vec<String> = report.deleted.iter().map(ToString::to_string).collect();
    assert_eq!(
        deleted,
        ["Deployment shop/api", "ConfigMap shop/a", "Namespace shop"]
    );
    assert_eq!(report.absent[0].to_string(), "ConfigMap shop/never-applied");
    let polls = api
        .paths("GET")
        .iter()
        .filter(|p| *p == "/api/v1/namespaces/shop")
        .count();
    assert_eq!(polls, 4, "the namespace was polled until gone");
    assert!(
        lines
            .lock()
            .unwrap()
            .contains(&"ConfigMap shop/never-applied: already absent".to_string())
    );
    assert!(api.stored().is_empty(), "{:?}", api.stored());
}

#[tokio::test]
async fn delete_removes_members_the_objects_given_no_longer_list() {
    let api = FakeApi::start().await;
    let client = api.client();
    client
        .apply(
            &[config_map("shop", "a"), config_map("shop", "b")],
            &step(),
            &fast(),
        )
        .await
        .unwrap();
    api.put(config_map("shop", "foreign"));
    let report = client
        .delete(
            &[config_map("shop", "a")],
            &step(),
            &DeleteOptions::default(),
        )
        .await
        .unwrap();
    let deleted: Vec<String> = report.deleted.iter().map(ToString::to_string).collect();
    assert_eq!(deleted, ["ConfigMap shop/a", "ConfigMap shop/b"]);
    assert_eq!(api.stored(), ["configmaps shop/foreign"]);
}

#[tokio::test]
async fn a_deletion_that_never_finishes_times_out_naming_the_object() {
    let api = FakeApi::start().await;
    let client = api.client();
    client
        .apply(&[namespace("shop")], &step(), &fast())
        .await
        .unwrap();
    api.linger("shop", usize::MAX);
    let options = DeleteOptions {
        poll_interval: Duration::from_millis(5),
        timeout: Duration::from_millis(50),
        progress: None,
    };
    let err = client
        .delete(&[namespace("shop")], &step(), &options)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "not deleted after 50ms: Namespace shop: still there"
    );
}

#[test]
fn plain_http_is_allowed_only_for_loopback() {
    let cluster = |endpoint: &str| Cluster {
        endpoint: endpoint.to_string(),
        ca_pem: None,
        token: "t".to_string(),
    };
    for ok in [
        "http://127.0.0.1:8080",
        "http://[::1]:8080",
        "http://localhost:1",
    ] {
        assert!(Client::new(&cluster(ok)).is_ok(), "{ok}");
    }
    for (bad, says) in [
        ("http://10.0.0.1:80", "only for a loopback address"),
        ("http://example.com", "only for a loopback address"),
        (
            "http://127.0.0.1.example.com",
            "only for a loopback address",
        ),
        ("ftp://127.0.0.1", "the scheme must be https"),
        (
            "https://x.eks.amazonaws.com/path",
            "a path or query is not supported",
        ),
        ("not a url", "not a URL"),
    ] {
        let err = Client::new(&cluster(bad)).unwrap_err().to_string();
        assert!(err.contains(says), "{bad}: {err}");
    }
}

#[test]
fn the_objects_must_say_what_they_are() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = Client::new(&Cluster {
        endpoint: "http://127.0.0.1:1".to_string(),
        ca_pem: None,
        token: "t".to_string(),
    })
    .unwrap();
    let err = runtime
        .block_on(client.apply(
            &[
                namespace("a"),
                json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {}}),
            ],
            &step(),
            &ApplyOptions::default(),
        ))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "object 1 of the step: ConfigMap has no metadata.name"
    );
}

#[tokio::test]
async fn https_trusts_the_clusters_authority_and_only_it() {
    let api = FakeApi::start_tls().await;
    api.client()
        .apply(&[config_map("shop", "a")], &step(), &fast())
        .await
        .unwrap();
    assert!(api.object("v1", "configmaps", Some("shop"), "a").is_some());

    let untrusted = Cluster {
        ca_pem: Some(support::OTHER_CA.to_vec()),
        ..api.cluster()
    };
    let client = Client::with_policy(
        &untrusted,
        cirrus_kube::Timeouts::default(),
        cirrus_kube::RetryPolicy {
            base_delay: Duration::from_millis(1),
            ..cirrus_kube::RetryPolicy::default()
        },
    )
    .unwrap();
    let err = client
        .apply(&[config_map("shop", "b")], &step(), &fast())
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, KubeError::Transport { .. }), "{text}");
    assert!(text.to_lowercase().contains("certificate"), "{text}");
    assert!(
        text.contains("hint: is ca_pem the cluster's certificate authority"),
        "{text}"
    );
    assert!(api.object("v1", "configmaps", Some("shop"), "b").is_none());
}

#[tokio::test]
async fn a_request_without_answer_times_out_and_is_retried() {
    let api = FakeApi::start().await;
    api.hang("PATCH", "/configmaps/a", 1);
    let timeouts = cirrus_kube::Timeouts {
        connect: Duration::from_secs(1),
        request: Duration::from_millis(200),
    };
    let retry = cirrus_kube::RetryPolicy {
        attempts: 2,
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(1),
    };
    let client = Client::with_policy(&api.cluster(), timeouts, retry).unwrap();
    client
        .apply(&[config_map("shop", "a")], &step(), &fast())
        .await
        .unwrap();
    assert!(api.object("v1", "configmaps", Some("shop"), "a").is_some());

    api.hang("PATCH", "/configmaps/b", 2);
    let err = client
        .apply(&[config_map("shop", "b")], &step(), &fast())
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "ConfigMap shop/b: PATCH /api/v1/namespaces/shop/configmaps/b?fieldManager=cirrus&force=true: no answer within 200ms (after 2 tries)"
    );
}
