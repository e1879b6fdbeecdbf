//! The connection to one cluster: TLS trusting the cluster's own certificate authority, a
//! bearer token, timeouts on every request and bounded retries.

use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http::{Method, Request, StatusCode, header};
use http_body_util::{BodyExt, Full};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client as HyperClient;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use serde_json::Value;

use crate::discovery::Discovery;
use crate::error::KubeError;

/// How to reach a cluster and who the caller is.
#[derive(Clone)]
pub struct Cluster {
    /// The API server: `https://<host>[:port]`, as EKS's `DescribeCluster` gives it. Plain
    /// `http://` is accepted only for a loopback address (`http://127.0.0.1:<port>`), which is
    /// what tests use; anything else would send the token in clear.
    pub endpoint: String,
    /// The cluster's certificate authority, PEM. EKS gives it base64-encoded
    /// (`certificateAuthority.data`): decode it first. When given, it is the only authority
    /// trusted; when `None`, the machine's trusted roots are (for an endpoint behind a
    /// publicly trusted certificate).
    pub ca_pem: Option<Vec<u8>>,
    /// The bearer token: for EKS, [`crate::eks_token`]'s output.
    pub token: String,
}

impl std::fmt::Debug for Cluster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cluster")
            .field("endpoint", &self.endpoint)
            .field("ca_pem", &self.ca_pem.as_ref().map(|c| c.len()))
            .field("token", &"<redacted>")
            .finish()
    }
}

/// When and how often a request is tried again: on a connection error, a timeout, 429 and 5xx.
/// The delay doubles from `base_delay` up to `max_delay`; a `Retry-After` of the server is
/// honoured up to `max_delay`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// How many times a request is sent at most. Default: 5.
    pub attempts: u32,
    /// The delay before the first retry. Default: 250 ms.
    pub base_delay: Duration,
    /// The longest delay between two tries. Default: 8 s.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            attempts: 5,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(8),
        }
    }
}

/// Timeouts of every request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Establishing the TCP connection. Default: 10 s.
    pub connect: Duration,
    /// One request, from sending it to the end of the answer's body. Default: 30 s.
    pub request: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(10),
            request: Duration::from_secs(30),
        }
    }
}

/// A client of one cluster's API server. Cheap to clone (the connection pool and the discovery
/// cache are shared).
#[derive(Clone, Debug)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    base: String,
    authorization: String,
    http: HyperClient<HttpsConnector<HttpConnector>, Full<Bytes>>,
    retry: RetryPolicy,
    timeouts: Timeouts,
    pub(crate) discovery: Mutex<Discovery>,
}

impl std::fmt::Debug for Inner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base", &self.base)
            .field("retry", &self.retry)
            .field("timeouts", &self.timeouts)
            .finish_non_exhaustive()
    }
}

/// An answer of the API server.
#[derive(Debug, Clone)]
pub(crate) struct Answer {
    pub status: StatusCode,
    pub body: Bytes,
    /// The server's `Retry-After`, in seconds, when it gave one.
    pub retry_after: Option<Duration>,
}

impl Answer {
    pub fn json(&self, object: &str) -> Result<Value, KubeError> {
        serde_json::from_slice(&self.body).map_err(|e| KubeError::Protocol {
            object: object.to_string(),
            message: format!("the body is not JSON: {e}"),
        })
    }
}

/// The rustls crypto provider: ring, the one the AWS SDK's HTTP client uses in this workspace
/// (`rustls-ring`, which keeps the aws-lc-sys C build out of the deploy runner), so that rustls
/// is built once with one provider. Chosen here and nowhere else.
fn crypto_provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// The TLS configuration: only `ca_pem`'s certificates are trusted when given, else the
/// machine's roots.
fn tls_config(ca_pem: Option<&[u8]>) -> Result<rustls::ClientConfig, KubeError> {
    let bad = |reason: String| KubeError::CertificateAuthority { reason };
    let mut roots = rustls::RootCertStore::empty();
    match ca_pem {
        Some(pem) => {
            let certs = CertificateDer::pem_slice_iter(pem)
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| bad(format!("not PEM: {e}")))?;
            if certs.is_empty() {
                return Err(bad(
                    "no CERTIFICATE block in the PEM (EKS gives it base64-encoded: decode it first)"
                        .to_string(),
                ));
            }
            for cert in certs {
                roots
                    .add(cert)
                    .map_err(|e| bad(format!("not an X.509 certificate: {e}")))?;
            }
        }
        None => {
            let found = rustls_native_certs::load_native_certs();
            let (added, _) = roots.add_parsable_certificates(found.certs);
            if added == 0 {
                return Err(bad(
                    "none given and none found on this machine (give the cluster's ca_pem)"
                        .to_string(),
                ));
            }
        }
    }
    rustls::ClientConfig::builder_with_provider(crypto_provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| bad(format!("tls setup: {e}")))
        .map(|b| b.with_root_certificates(roots).with_no_client_auth())
}

/// Checks the endpoint and returns it without a trailing `/`.
fn check_endpoint(endpoint: &str) -> Result<String, KubeError> {
    let bad = |reason: &str| KubeError::Endpoint {
        endpoint: endpoint.to_string(),
        reason: reason.to_string(),
    };
    let uri: http::Uri = endpoint
        .parse()
        .map_err(|_| bad("not a URL (give https://<host>)"))?;
    let host = uri.host().ok_or_else(|| bad("no host"))?;
    if uri.path_and_query().is_some_and(|p| p.as_str() != "/") {
        return Err(bad(
            "a path or query is not supported (give https://<host>[:port])",
        ));
    }
    match uri.scheme_str() {
        Some("https") => {}
        Some("http") => {
            let ip: Option<IpAddr> = host.trim_matches(['[', ']']).parse().ok();
            if !(ip.is_some_and(|ip| ip.is_loopback()) || host == "localhost") {
                return Err(bad(
                    "http is allowed only for a loopback address (the token would travel in clear); use https",
                ));
            }
        }
        _ => return Err(bad("the scheme must be https")),
    }
    Ok(endpoint.trim_end_matches('/').to_string())
}

impl Client {
    /// A client of `cluster` with the default timeouts and retries.
    pub fn new(cluster: &Cluster) -> Result<Client, KubeError> {
        Client::with_policy(cluster, Timeouts::default(), RetryPolicy::default())
    }

    /// A client with the given timeouts and retries.
    pub fn with_policy(
        cluster: &Cluster,
        timeouts: Timeouts,
        retry: RetryPolicy,
    ) -> Result<Client, KubeError> {
        let base = check_endpoint(&cluster.endpoint)?;
        let tls = tls_config(cluster.ca_pem.as_deref())?;
        let mut http = HttpConnector::new();
        http.set_connect_timeout(Some(timeouts.connect));
        http.enforce_http(false);
        let builder = hyper_rustls::HttpsConnectorBuilder::new().with_tls_config(tls);
        // `https_or_http` only because the endpoint was checked above: plain http is for
        // loopback only, and every request goes to that one endpoint.
        let connector = if base.starts_with("https://") {
            builder.https_only().enable_http1().wrap_connector(http)
        } else {
            builder.https_or_http().enable_http1().wrap_connector(http)
        };
        let http = HyperClient::builder(TokioExecutor::new()).build(connector);
        if cluster.token.is_empty() || cluster.token.contains(['\r', '\n']) {
            return Err(KubeError::Token {
                message: "the cluster's token is empty or holds a line break".to_string(),
            });
        }
        Ok(Client {
            inner: Arc::new(Inner {
                base,
                authorization: format!("Bearer {}", cluster.token),
                http,
                retry,
                timeouts,
                discovery: Mutex::new(Discovery::default()),
            }),
        })
    }

    pub(crate) fn retry_policy(&self) -> RetryPolicy {
        self.inner.retry
    }

    pub(crate) fn discovery(&self) -> &Mutex<Discovery> {
        &self.inner.discovery
    }

    /// Sends a request, retrying on connection errors, timeouts, 429 and 5xx. `object` names
    /// what the request is about, for errors. Returns every other answer, errors included.
    pub(crate) async fn send(
        &self,
        method: Method,
        path_and_query: &str,
        body: Option<(&'static str, Vec<u8>)>,
        object: &str,
    ) -> Result<Answer, KubeError> {
        let retry = self.inner.retry;
        let mut delay = retry.base_delay;
        let mut attempt = 1;
        loop {
            let outcome = self.send_once(&method, path_and_query, body.as_ref()).await;
            let (retryable, retry_after) = match &outcome {
                Ok(answer) => (
                    answer.status == StatusCode::TOO_MANY_REQUESTS
                        || answer.status.is_server_error(),
                    answer.retry_after,
                ),
                // A certificate the client does not trust stays untrusted.
                Err(message) => (!message.contains("certificate"), None),
            };
            if !retryable || attempt >= retry.attempts.max(1) {
                return outcome.map_err(|mut message| {
                    if attempt > 1 {
                        message.push_str(&format!(" (after {attempt} tries)"));
                    }
                    if message.contains("certificate") {
                        message.push_str(
                            " (hint: is ca_pem the cluster's certificate authority, base64-decoded from EKS's certificateAuthority.data?)",
                        );
                    }
                    KubeError::Transport {
                        object: object.to_string(),
                        message,
                    }
                });
            }
            let wait = retry_after.unwrap_or(delay).min(retry.max_delay);
            tokio::time::sleep(wait).await;
            delay = (delay * 2).min(retry.max_delay);
            attempt += 1;
        }
    }

    async fn send_once(
        &self,
        method: &Method,
        path_and_query: &str,
        body: Option<&(&'static str, Vec<u8>)>,
    ) -> Result<Answer, String> {
        let uri = format!("{}{}", self.inner.base, path_and_query);
        let mut request = Request::builder()
            .method(method.clone())
            .uri(&uri)
            .header(header::AUTHORIZATION, &self.inner.authorization)
            .header(header::ACCEPT, "application/json")
            .header(header::USER_AGENT, "cirrus");
        if let Some((content_type, _)) = body {
            request = request.header(header::CONTENT_TYPE, *content_type);
        }
        let request = request
            .body(Full::new(Bytes::from(
                body.map(|(_, b)| b.clone()).unwrap_or_default(),
            )))
            .map_err(|e| format!("invalid request {method} {path_and_query}: {e}"))?;
        let timeout = self.inner.timeouts.request;
        let exchange = async {
            let response = self
                .inner
                .http
                .request(request)
                .await
                .map_err(|e| describe_hyper_error(&e))?;
            let status = response.status();
            let retry_after = response
                .headers()
                .get(header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok());
            let body = response
                .into_body()
                .collect()
                .await
                .map_err(|e| format!("reading the answer: {e}"))?
                .to_bytes();
            Ok::<_, String>((status, retry_after, body))
        };
        match tokio::time::timeout(timeout, exchange).await {
            Err(_) => Err(format!(
                "{method} {path_and_query}: no answer within {timeout:?}"
            )),
            Ok(Err(e)) => Err(format!("{method} {path_and_query}: {e}")),
            Ok(Ok((status, retry_after, body))) => Ok(Answer {
                status,
                body,
                retry_after: retry_after.map(Duration::from_secs),
            }),
        }
    }
}

/// A hyper error with its causes: "client error (Connect): tcp connect error: Connection
/// refused" says more than "client error (Connect)".
fn describe_hyper_error(e: &hyper_util::client::legacy::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
