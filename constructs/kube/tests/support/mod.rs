//! A fake Kubernetes API server for the tests: plain HTTP/1.1 on 127.0.0.1, one request per
//! connection. It serves discovery, keeps objects in memory (so apply, list and delete behave
//! as on a cluster), records every request, and can be told to fail requests, to keep a
//! workload unready or a CRD unestablished for some polls, and to keep a deleted object for
//! some polls.

#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cirrus_kube::{Client, Cluster, RetryPolicy, Timeouts};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use serde_json::{Value, json};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;

pub const TOKEN: &str = "test-token";

/// The "status" of a failure that never answers.
const HANG: u16 = 0;

/// One request as the server received it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub query: BTreeMap<String, String>,
    pub headers: BTreeMap<String, String>,
    pub body: Vec<u8>,
}

impl Recorded {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("the request body is JSON")
    }
}

#[derive(Debug, Clone)]
struct Resource {
    plural: String,
    kind: String,
    namespaced: bool,
}

#[derive(Debug)]
struct Failure {
    method: String,
    path_contains: String,
    status: u16,
    body: Value,
    remaining: usize,
}

type Key = (String, String, Option<String>, String);

#[derive(Debug, Default)]
struct State {
    /// group version ("v1", "apps/v1") -> resources.
    resources: BTreeMap<String, Vec<Resource>>,
    objects: BTreeMap<Key, Value>,
    requests: Vec<Recorded>,
    failures: Vec<Failure>,
    not_ready: BTreeMap<String, usize>,
    /// Jobs that end `Failed` once they are no longer running.
    failing_jobs: BTreeSet<String>,
    unestablished: BTreeMap<String, usize>,
    lingering: BTreeMap<String, usize>,
    /// Kinds served only after this many more `GET /apis/<group>` of their group: an operator
    /// that registers its CRDs when it starts.
    registered_later: Vec<(usize, String, Resource)>,
    next_uid: u64,
    /// Accept any EKS token (`k8s-aws-v1.` ...) besides `TOKEN`: for a runner that signs its
    /// own from the credentials it has.
    eks_tokens: bool,
}

pub struct FakeApi {
    pub addr: SocketAddr,
    tls: bool,
    state: Arc<Mutex<State>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FakeApi {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn status(code: u16, reason: &str, message: &str) -> Value {
    json!({"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": reason, "message": message, "code": code})
}

/// The test certificate authority, and the server certificate it signed (for `localhost` and
/// `127.0.0.1`); see `fixtures/README.md`.
pub const CA: &[u8] = include_bytes!("../fixtures/ca.pem");
pub const OTHER_CA: &[u8] = include_bytes!("../fixtures/other-ca.pem");
const SERVER_CERT: &[u8] = include_bytes!("../fixtures/server.pem");
const SERVER_KEY: &[u8] = include_bytes!("../fixtures/server.key");

fn tls_acceptor() -> tokio_rustls::TlsAcceptor {
    let certs = CertificateDer::pem_slice_iter(SERVER_CERT)
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    let key = PrivateKeyDer::from_pem_slice(SERVER_KEY).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(certs, key)
    .unwrap();
    tokio_rustls::TlsAcceptor::from(Arc::new(config))
}

impl FakeApi {
    /// The fake over plain HTTP.
    pub async fn start() -> FakeApi {
        FakeApi::start_with(None).await
    }

    /// The fake over HTTPS, with the certificate `CA` signed.
    pub async fn start_tls() -> FakeApi {
        FakeApi::start_with(Some(tls_acceptor())).await
    }

    async fn start_with(tls: Option<tokio_rustls::TlsAcceptor>) -> FakeApi {
        let tls_on = tls.is_some();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut state = State::default();
        let core = [
            ("namespaces", "Namespace", false),
            ("configmaps", "ConfigMap", true),
            ("services", "Service", true),
            ("serviceaccounts", "ServiceAccount", true),
            ("secrets", "Secret", true),
        ];
        let apps = [
            // A subresource first: discovery must not take it for the kind's resource.
            ("deployments/status", "Deployment", true),
            ("deployments", "Deployment", true),
            ("statefulsets", "StatefulSet", true),
            ("daemonsets", "DaemonSet", true),
        ];
        for (gv, list) in [
            ("v1", &core[..]),
            ("apps/v1", &apps[..]),
            ("batch/v1", &[("jobs", "Job", true)][..]),
            (
                "apiextensions.k8s.io/v1",
                &[(
                    "customresourcedefinitions",
                    "CustomResourceDefinition",
                    false,
                )][..],
            ),
            (
                "rbac.authorization.k8s.io/v1",
                &[
                    ("clusterroles", "ClusterRole", false),
                    ("roles", "Role", true),
                ][..],
            ),
        ] {
            state.resources.insert(
                gv.to_string(),
                list.iter()
                    .map(|(p, k, n)| Resource {
                        plural: p.to_string(),
                        kind: k.to_string(),
                        namespaced: *n,
                    })
                    .collect(),
            );
        }
        let state = Arc::new(Mutex::new(state));
        let shared = state.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let state = shared.clone();
                let tls = tls.clone();
                tokio::spawn(async move {
                    let _ = match tls {
                        Some(tls) => match tls.accept(stream).await {
                            Ok(stream) => serve(stream, state).await,
                            // A client that refused the certificate.
                            Err(_) => Ok(()),
                        },
                        None => serve(stream, state).await,
                    };
                });
            }
        });
        FakeApi {
            addr,
            tls: tls_on,
            state,
            task,
        }
    }

    pub fn endpoint(&self) -> String {
        match self.tls {
            true => format!("https://localhost:{}", self.addr.port()),
            false => format!("http://{}", self.addr),
        }
    }

    pub fn cluster(&self) -> Cluster {
        Cluster {
            endpoint: self.endpoint(),
            ca_pem: self.tls.then(|| CA.to_vec()),
            token: TOKEN.to_string(),
        }
    }

    /// A client with short retry delays.
    pub fn client(&self) -> Client {
        Client::with_policy(
            &self.cluster(),
            Timeouts {
                connect: Duration::from_secs(2),
                request: Duration::from_secs(5),
            },
            RetryPolicy {
                attempts: 4,
                base_delay: Duration::from_millis(5),
                max_delay: Duration::from_millis(20),
            },
        )
        .unwrap()
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.state.lock().unwrap().requests.clone()
    }

    /// The requests of one method, as `path` strings.
    pub fn paths(&self, method: &str) -> Vec<String> {
        self.requests()
            .into_iter()
            .filter(|r| r.method == method)
            .map(|r| r.path)
            .collect()
    }

    /// Accepts EKS tokens (`Bearer k8s-aws-v1.<presigned URL>`), whatever they sign.
    pub fn accept_eks_tokens(&self) {
        self.state.lock().unwrap().eks_tokens = true;
    }

    /// Serves a kind as a CRD would.
    pub fn serve_kind(&self, group_version: &str, plural: &str, kind: &str, namespaced: bool) {
        let mut s = self.state.lock().unwrap();
        s.resources
            .entry(group_version.to_string())
            .or_default()
            .push(Resource {
                plural: plural.into(),
                kind: kind.into(),
                namespaced,
            });
    }

    /// Answers the next `times` requests of `method` whose path contains `path_contains` with
    /// `status` and `body`.
    pub fn fail(&self, method: &str, path_contains: &str, status: u16, body: Value, times: usize) {
        self.state.lock().unwrap().failures.push(Failure {
            method: method.into(),
            path_contains: path_contains.into(),
            status,
            body,
            remaining: times,
        });
    }

    /// Never answers the next `times` requests of `method` whose path contains
    /// `path_contains`.
    pub fn hang(&self, method: &str, path_contains: &str, times: usize) {
        self.fail(method, path_contains, HANG, Value::Null, times);
    }

    /// The Job named `name` fails (its backoff limit reached) once it is no longer running.
    pub fn fail_job(&self, name: &str) {
        self.state.lock().unwrap().failing_jobs.insert(name.into());
    }

    /// The workload named `name` reports not ready for the next `polls` GETs.
    pub fn not_ready_for(&self, name: &str, polls: usize) {
        self.state
            .lock()
            .unwrap()
            .not_ready
            .insert(name.into(), polls);
    }

    /// The CRD named `name` is not established for the next `polls` GETs.
    pub fn establish_after(&self, name: &str, polls: usize) {
        self.state
            .lock()
            .unwrap()
            .unestablished
            .insert(name.into(), polls);
    }

    /// Serves a kind as [`FakeApi::serve_kind`] does, but only after `group_gets` more
    /// requests for its group (`GET /apis/<group>`) have been answered without it.
    pub fn serve_kind_after(
        &self,
        group_gets: usize,
        group_version: &str,
        plural: &str,
        kind: &str,
        namespaced: bool,
    ) {
        self.state.lock().unwrap().registered_later.push((
            group_gets,
            group_version.to_string(),
            Resource {
                plural: plural.into(),
                kind: kind.into(),
                namespaced,
            },
        ));
    }

    /// The object named `name`, once deleted, is still there for `polls` GETs.
    pub fn linger(&self, name: &str, polls: usize) {
        self.state
            .lock()
            .unwrap()
            .lingering
            .insert(name.into(), polls);
    }

    /// Puts an object on the "cluster" directly, as someone else would.
    pub fn put(&self, object: Value) {
        let mut s = self.state.lock().unwrap();
        let gv = object["apiVersion"].as_str().unwrap().to_string();
        let kind = object["kind"].as_str().unwrap();
        let resource = s.resources[&gv]
            .iter()
            .find(|r| r.kind == kind && !r.plural.contains('/'))
            .unwrap()
            .clone();
        let ns = object["metadata"]["namespace"].as_str().map(str::to_string);
        let name = object["metadata"]["name"].as_str().unwrap().to_string();
        s.objects
            .insert((root_of(&gv), resource.plural, ns, name), object);
    }

    /// The stored object, if any.
    pub fn object(
        &self,
        group_version: &str,
        plural: &str,
        ns: Option<&str>,
        name: &str,
    ) -> Option<Value> {
        self.state
            .lock()
            .unwrap()
            .objects
            .get(&(
                root_of(group_version),
                plural.to_string(),
                ns.map(str::to_string),
                name.to_string(),
            ))
            .cloned()
    }

    /// `plural ns/name` of every stored object.
    pub fn stored(&self) -> Vec<String> {
        self.state
            .lock()
            .unwrap()
            .objects
            .keys()
            .map(|(_, plural, ns, name)| match ns {
                Some(ns) => format!("{plural} {ns}/{name}"),
                None => format!("{plural} {name}"),
            })
            .collect()
    }
}

fn root_of(group_version: &str) -> String {
    if group_version.contains('/') {
        format!("/apis/{group_version}")
    } else {
        format!("/api/{group_version}")
    }
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
            out.push(u8::from_str_radix(hex, 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

async fn serve(
    mut stream: impl AsyncRead + AsyncWrite + Unpin,
    state: Arc<Mutex<State>>,
) -> std::io::Result<()> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(());
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(at) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break at;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let mut lines = head.split("\r\n");
    let mut first = lines.next().unwrap_or("").split(' ');
    let method = first.next().unwrap_or("").to_string();
    let target = first.next().unwrap_or("").to_string();
    let mut headers = BTreeMap::new();
    for line in lines {
        if let Some((k, v)) = line.split_once(':') {
            headers.insert(k.trim().to_lowercase(), v.trim().to_string());
        }
    }
    let length: usize = headers
        .get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = buf[head_end + 4..].to_vec();
    while body.len() < length {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let query: BTreeMap<String, String> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect();
    let recorded = Recorded {
        method,
        path: path.to_string(),
        query,
        headers,
        body,
    };
    let (code, answer) = {
        let mut s = state.lock().unwrap();
        s.requests.push(recorded.clone());
        handle(&mut s, &recorded)
    };
    if code == HANG {
        // Holds the connection open without a word, until the test ends.
        tokio::time::sleep(Duration::from_secs(3600)).await;
        return Ok(());
    }
    let text = answer.to_string();
    let response = format!(
        "HTTP/1.1 {code} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{text}",
        text.len()
    );
    stream.write_all(response.as_bytes()).await?;
    stream.shutdown().await
}

fn handle(s: &mut State, r: &Recorded) -> (u16, Value) {
    let authorization = r.headers.get("authorization").map(String::as_str);
    let eks = s.eks_tokens
        && authorization.is_some_and(|a| a.starts_with("Bearer k8s-aws-v1.") && a.len() > 40);
    if !eks && authorization != Some(&format!("Bearer {TOKEN}")) {
        return (401, status(401, "Unauthorized", "Unauthorized"));
    }
    if let Some(f) = s
        .failures
        .iter_mut()
        .find(|f| f.remaining > 0 && f.method == r.method && r.path.contains(&f.path_contains))
    {
        f.remaining -= 1;
        return (f.status, f.body.clone());
    }
    let segments: Vec<&str> = r.path.trim_matches('/').split('/').collect();
    let (gv, rest): (String, &[&str]) = match segments.as_slice() {
        ["api", v, rest @ ..] => (v.to_string(), rest),
        ["apis", g] => {
            let prefix = format!("{g}/");
            let mut later = Vec::new();
            for (gets, gv, resource) in std::mem::take(&mut s.registered_later) {
                if !gv.starts_with(&prefix) {
                    later.push((gets, gv, resource));
                } else if gets == 0 {
                    s.resources.entry(gv).or_default().push(resource);
                } else {
                    later.push((gets - 1, gv, resource));
                }
            }
            s.registered_later = later;
            let versions: Vec<&String> = s
                .resources
                .keys()
                .filter(|k| k.starts_with(&format!("{g}/")))
                .collect();
            return match versions.first() {
                Some(gv) => (
                    200,
                    json!({"kind": "APIGroup", "name": g, "preferredVersion": {"groupVersion": gv, "version": gv.split('/').nth(1)}}),
                ),
                None => (
                    404,
                    status(
                        404,
                        "NotFound",
                        "the server could not find the requested resource",
                    ),
                ),
            };
        }
        ["apis", g, v, rest @ ..] => (format!("{g}/{v}"), rest),
        _ => return (404, status(404, "NotFound", "no such path")),
    };
    let Some(resources) = s.resources.get(&gv).cloned() else {
        return (
            404,
            status(
                404,
                "NotFound",
                "the server could not find the requested resource",
            ),
        );
    };
    if rest.is_empty() {
        if r.method != "GET" {
            return (
                405,
                status(405, "MethodNotAllowed", "discovery is read-only"),
            );
        }
        let list: Vec<Value> = resources
            .iter()
            .map(|x| json!({"name": x.plural, "kind": x.kind, "namespaced": x.namespaced, "verbs": ["get"]}))
            .collect();
        return (
            200,
            json!({"kind": "APIResourceList", "groupVersion": gv, "resources": list}),
        );
    }
    let (ns, plural, name) = match rest {
        ["namespaces", ns, plural, name] => (Some(ns.to_string()), *plural, Some(name.to_string())),
        ["namespaces", ns, plural] => (Some(ns.to_string()), *plural, None),
        [plural, name] => (None, *plural, Some(name.to_string())),
        [plural] => (None, *plural, None),
        _ => return (404, status(404, "NotFound", "no such path")),
    };
    let Some(resource) = resources.iter().find(|x| x.plural == plural).cloned() else {
        return (
            404,
            status(
                404,
                "NotFound",
                "the server could not find the requested resource",
            ),
        );
    };
    if resource.namespaced == ns.is_none() && name.is_some() {
        return (404, status(404, "NotFound", "scope does not match"));
    }
    let root = root_of(&gv);
    match (r.method.as_str(), name) {
        ("GET", None) => {
            let selector: Vec<(String, String)> = r
                .query
                .get("labelSelector")
                .map(|s| {
                    s.split(',')
                        .filter_map(|t| t.split_once('='))
                        .map(|(k, v)| (k.to_string(), v.to_string()))
                        .collect()
                })
                .unwrap_or_default();
            let items: Vec<Value> = s
                .objects
                .iter()
                .filter(|((ro, p, o_ns, _), _)| {
                    *ro == root && p == plural && (ns.is_none() || *o_ns == ns)
                })
                .map(|(_, o)| o)
                .filter(|o| {
                    selector
                        .iter()
                        .all(|(k, v)| o["metadata"]["labels"][k].as_str() == Some(v))
                })
                .map(|o| {
                    let mut item = o.clone();
                    // Items of a list carry no apiVersion or kind.
                    item.as_object_mut().unwrap().remove("apiVersion");
                    item.as_object_mut().unwrap().remove("kind");
                    item
                })
                .collect();
            (
                200,
                json!({"kind": format!("{}List", resource.kind), "apiVersion": gv, "items": items}),
            )
        }
        ("GET", Some(name)) => {
            let key = (root, plural.to_string(), ns, name.clone());
            let Some(mut object) = s.objects.get(&key).cloned() else {
                return (
                    404,
                    status(404, "NotFound", &format!("{plural} \"{name}\" not found")),
                );
            };
            if object["metadata"].get("deletionTimestamp").is_some() {
                let left = s.lingering.get_mut(&name).unwrap();
                if *left == 0 {
                    s.objects.remove(&key);
                    return (
                        404,
                        status(404, "NotFound", &format!("{plural} \"{name}\" not found")),
                    );
                }
                *left -= 1;
                return (200, object);
            }
            let generation = object["metadata"]["generation"].clone();
            let replicas = object["spec"]["replicas"].as_i64().unwrap_or(1);
            let pending = |map: &mut BTreeMap<String, usize>| match map.get_mut(&name) {
                Some(n) if *n > 0 => {
                    *n -= 1;
                    true
                }
                _ => false,
            };
            match resource.kind.as_str() {
                "Deployment" => {
                    let ready = if pending(&mut s.not_ready) {
                        0
                    } else {
                        replicas
                    };
                    object["status"] = json!({"observedGeneration": generation, "replicas": replicas, "updatedReplicas": replicas, "availableReplicas": ready});
                }
                "StatefulSet" => {
                    let ready = if pending(&mut s.not_ready) {
                        0
                    } else {
                        replicas
                    };
                    object["status"] = json!({"observedGeneration": generation, "replicas": replicas, "updatedReplicas": replicas, "readyReplicas": ready, "currentRevision": "r1", "updateRevision": "r1"});
                }
                "DaemonSet" => {
                    let ready = if pending(&mut s.not_ready) { 0 } else { 2 };
                    object["status"] = json!({"observedGeneration": generation, "desiredNumberScheduled": 2, "updatedNumberScheduled": 2, "numberAvailable": ready});
                }
                "Job" => {
                    object["status"] = if pending(&mut s.not_ready) {
                        json!({"active": 1})
                    } else if s.failing_jobs.contains(&name) {
                        json!({"failed": 7, "conditions": [{"type": "Failed", "status": "True",
                            "reason": "BackoffLimitExceeded",
                            "message": "Job has reached the specified backoff limit"}]})
                    } else {
                        json!({"succeeded": 1, "conditions": [{"type": "Complete", "status": "True"}]})
                    };
                }
                "CustomResourceDefinition" => {
                    let established = !pending(&mut s.unestablished);
                    object["status"] = json!({"conditions": [
                        {"type": "NamesAccepted", "status": "True"},
                        {"type": "Established", "status": if established { "True" } else { "False" }},
                    ]});
                }
                _ => {}
            }
            (200, object)
        }
        ("PATCH", Some(name)) => {
            if r.headers.get("content-type").map(String::as_str)
                != Some("application/apply-patch+yaml")
            {
                return (
                    415,
                    status(415, "UnsupportedMediaType", "not an apply patch"),
                );
            }
            if !r.query.contains_key("fieldManager") {
                return (
                    422,
                    status(422, "Invalid", "fieldManager is required for apply"),
                );
            }
            let Ok(mut object) = serde_json::from_slice::<Value>(&r.body) else {
                return (400, status(400, "BadRequest", "not JSON"));
            };
            if object["metadata"]["name"].as_str() != Some(name.as_str()) {
                return (
                    400,
                    status(
                        400,
                        "BadRequest",
                        "the name of the object does not match the name in the URL",
                    ),
                );
            }
            let key = (root, plural.to_string(), ns, name.clone());
            let generation = match s.objects.get(&key) {
                Some(old) if old["spec"] == object["spec"] => {
                    old["metadata"]["generation"].as_i64().unwrap_or(1)
                }
                Some(old) => old["metadata"]["generation"].as_i64().unwrap_or(1) + 1,
                None => 1,
            };
            s.next_uid += 1;
            object["metadata"]["generation"] = json!(generation);
            object["metadata"]["uid"] = json!(format!("uid-{}", s.next_uid));
            if resource.kind == "CustomResourceDefinition" {
                let group = object["spec"]["group"].as_str().unwrap_or("").to_string();
                let plural = object["spec"]["names"]["plural"]
                    .as_str()
                    .unwrap_or("")
                    .to_string();
                let kind = object["spec"]["names"]["kind"]
                    .as_str()
                    .unwrap_or("")
                    .to_string();
                let namespaced = object["spec"]["scope"].as_str() == Some("Namespaced");
                for v in object["spec"]["versions"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
                {
                    let gv = format!("{group}/{}", v["name"].as_str().unwrap_or(""));
                    let list = s.resources.entry(gv).or_default();
                    if !list.iter().any(|x| x.plural == plural) {
                        list.push(Resource {
                            plural: plural.clone(),
                            kind: kind.clone(),
                            namespaced,
                        });
                    }
                }
            }
            s.objects.insert(key, object.clone());
            (200, object)
        }
        ("DELETE", Some(name)) => {
            let key = (root, plural.to_string(), ns, name.clone());
            if !s.objects.contains_key(&key) {
                return (
                    404,
                    status(404, "NotFound", &format!("{plural} \"{name}\" not found")),
                );
            }
            if s.lingering.contains_key(&name) {
                s.objects.get_mut(&key).unwrap()["metadata"]["deletionTimestamp"] =
                    json!("2026-01-01T00:00:00Z");
            } else {
                s.objects.remove(&key);
            }
            (
                200,
                json!({"kind": "Status", "apiVersion": "v1", "status": "Success"}),
            )
        }
        _ => (
            405,
            status(405, "MethodNotAllowed", "not supported by the fake"),
        ),
    }
}
