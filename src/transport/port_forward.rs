//! The port-forward transport: HTTP/1.1 over `Api<Pod>::portforward` (a WebSocket speaking
//! `v4.channel.k8s.io` to the API server, which the kubelet connects to the pod's port).
//!
//! A forward yields one stream per port, once, so each HTTP connection is its own forward:
//! this module keeps a pool per pod of idle connections (hyper's client connection over the
//! forwarded stream), reuses them while the pod keeps them open, and opens new ones up to
//! `per_pod` at once. Invariants: at most `per_pod` forwards are open to one pod (a semaphore
//! permit travels with each connection); a connection goes back to its pool only once its
//! response body has been read to the end; responses are read by their length, never to EOF (the
//! v4 protocol cannot half-close, so EOF comes only when the forward ends); a reused connection
//! that the pod closed meanwhile fails before any answer and is retried once on a fresh forward;
//! the kubelet's reason for a failed forward (its error channel: "connection refused") is what
//! the failure says; `Portforwarder::join` failing after the pod closed first is expected and
//! only logged.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::header::{HOST, USER_AGENT};
use http::{HeaderValue, Request};
use http_body_util::Full;
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use k8s_openapi::api::core::v1::Pod;
use kube::api::Api;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::{Body, FailureKind, PodRequest, PodResponse, TransportError};

/// How long an idle connection is kept: under Node.js's default keep-alive timeout (5 s), so the
/// pod has not closed it yet.
const IDLE_FOR: Duration = Duration::from_secs(4);

type Key = (String, String, u16);
type ErrorChannel = Pin<Box<dyn Future<Output = Option<String>> + Send>>;

/// One HTTP connection over one forward.
struct Conn {
    sender: SendRequest<Full<Bytes>>,
    /// Resolves with the kubelet's message when the forward fails.
    error: ErrorChannel,
    _permit: OwnedSemaphorePermit,
}

#[derive(Default)]
struct PodPool {
    idle: Vec<(Conn, Instant)>,
}

struct Shared {
    client: kube::Client,
    per_pod: usize,
    pools: Mutex<HashMap<Key, PodPool>>,
    limits: Mutex<HashMap<Key, Arc<Semaphore>>>,
}

/// Every pod's port-forwards. Cheap to clone.
#[derive(Clone)]
pub(super) struct Forwards {
    shared: Arc<Shared>,
}

/// Hands a connection back to its pool once its response has been read.
pub(super) struct Release {
    shared: Arc<Shared>,
    key: Key,
    conn: Conn,
}

impl Release {
    pub(super) fn release(self) {
        self.shared.put(self.key, self.conn);
    }
}

impl Shared {
    fn take(&self, key: &Key) -> Option<Conn> {
        let mut pools = self.pools.lock().unwrap_or_else(|e| e.into_inner());
        let pool = pools.get_mut(key)?;
        while let Some((conn, since)) = pool.idle.pop() {
            if since.elapsed() < IDLE_FOR && !conn.sender.is_closed() {
                return Some(conn);
            }
        }
        None
    }

    fn put(&self, key: Key, conn: Conn) {
        if conn.sender.is_closed() {
            return;
        }
        let mut pools = self.pools.lock().unwrap_or_else(|e| e.into_inner());
        let pool = pools.entry(key).or_default();
        if pool.idle.len() < self.per_pod {
            pool.idle.push((conn, Instant::now()));
        }
    }

    fn limit(&self, key: &Key) -> Arc<Semaphore> {
        let mut limits = self.limits.lock().unwrap_or_else(|e| e.into_inner());
        limits
            .entry(key.clone())
            .or_insert_with(|| Arc::new(Semaphore::new(self.per_pod)))
            .clone()
    }
}

/// Why an exchange failed, and whether a fresh forward may fix it.
enum Failed {
    /// Nothing reached the pod on a reused connection: try once more on a new forward.
    Stale(TransportError),
    Final(TransportError),
}

impl Forwards {
    pub(super) fn new(client: kube::Client, per_pod: usize) -> Forwards {
        Forwards {
            shared: Arc::new(Shared {
                client,
                per_pod: per_pod.max(1),
                pools: Mutex::new(HashMap::new()),
                limits: Mutex::new(HashMap::new()),
            }),
        }
    }

    pub(super) async fn send(
        &self,
        namespace: &str,
        pod: &str,
        port: u16,
        req: PodRequest,
    ) -> Result<PodResponse, TransportError> {
        let key: Key = (namespace.to_string(), pod.to_string(), port);
        if let Some(conn) = self.shared.take(&key) {
            match self.exchange(conn, key.clone(), req.clone(), true).await {
                Ok(r) => return Ok(r),
                Err(Failed::Final(e)) => return Err(e),
                Err(Failed::Stale(e)) => {
                    tracing::debug!(
                        "{namespace}/{pod}: a kept port-forward was closed ({e}); opening a new one"
                    );
                }
            }
        }
        let conn = self.open(&key).await?;
        match self.exchange(conn, key, req, false).await {
            Ok(r) => Ok(r),
            Err(Failed::Final(e) | Failed::Stale(e)) => Err(e),
        }
    }

    /// Opens a forward to the pod's port and an HTTP connection over it.
    async fn open(&self, key: &Key) -> Result<Conn, TransportError> {
        let (namespace, pod, port) = key;
        let permit = self
            .shared
            .limit(key)
            .acquire_owned()
            .await
            .map_err(|_| TransportError::new(FailureKind::Request, "the pool is closed"))?;
        let api: Api<Pod> = Api::namespaced(self.shared.client.clone(), namespace);
        let mut forwarder = api
            .portforward(pod, &[*port])
            .await
            .map_err(|e| forward_failed(&e, namespace, pod))?;
        let (Some(stream), Some(error)) =
            (forwarder.take_stream(*port), forwarder.take_error(*port))
        else {
            return Err(TransportError::new(
                FailureKind::Request,
                "the port-forward has no stream for the port asked",
            ));
        };
        let (sender, connection) = hyper::client::conn::http1::Builder::new()
            .handshake(TokioIo::new(stream))
            .await
            .map_err(|e| TransportError::new(FailureKind::Connect, crate::error::chain(&e)))?;
        let shown = format!("{namespace}/{pod}:{port}");
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!("{shown}: port-forwarded connection ended: {e}");
            }
            // The stream has ended; when the pod closed first, the forwarder reports an error
            // about a second later (v4 cannot half-close), which tells nothing new.
            if let Err(e) = forwarder.join().await {
                tracing::trace!("{shown}: port-forward ended: {e}");
            }
        });
        Ok(Conn {
            sender,
            error: Box::pin(error),
            _permit: permit,
        })
    }

    async fn exchange(
        &self,
        mut conn: Conn,
        key: Key,
        req: PodRequest,
        reused: bool,
    ) -> Result<PodResponse, Failed> {
        let stale_or_final = |e: TransportError| {
            if reused {
                Failed::Stale(e)
            } else {
                Failed::Final(e)
            }
        };
        if let Err(e) = conn.sender.ready().await {
            let e = closed(&mut conn, &e).await;
            return Err(stale_or_final(e));
        }
        let mut builder = Request::builder()
            .method(req.method)
            .uri(req.route.as_str());
        if let Some(h) = builder.headers_mut() {
            *h = req.headers;
            h.entry(USER_AGENT)
                .or_insert(HeaderValue::from_static(super::USER_AGENT));
            // What the pod sees through a port-forward: its own loopback, as `curl localhost`.
            if let Ok(host) = HeaderValue::from_str(&format!("localhost:{}", key.2)) {
                h.entry(HOST).or_insert(host);
            }
        }
        let request = builder
            .body(Full::new(req.body.unwrap_or_default()))
            .map_err(|e| Failed::Final(TransportError::new(FailureKind::Request, e.to_string())))?;
        let resp = match conn.sender.send_request(request).await {
            Ok(r) => r,
            Err(e) => {
                let nothing_sent = e.is_canceled() || e.is_closed() || e.is_incomplete_message();
                let failure = closed(&mut conn, &e).await;
                return Err(if nothing_sent {
                    stale_or_final(failure)
                } else {
                    Failed::Final(failure)
                });
            }
        };
        let (parts, body) = resp.into_parts();
        Ok(PodResponse {
            status: parts.status.as_u16(),
            headers: parts.headers,
            body: Body::Forwarded {
                body,
                release: Some(Release {
                    shared: self.shared.clone(),
                    key,
                    conn,
                }),
            },
        })
    }
}

/// How long a closed forward's reason may trail its close (the error channel and the data
/// channel are read apart).
const REASON_GRACE: std::time::Duration = std::time::Duration::from_millis(500);

/// A connection that failed before an answer: the kubelet's reason when it gave one, which may
/// arrive just after the data channel closed.
async fn closed(conn: &mut Conn, e: &hyper::Error) -> TransportError {
    let reason = tokio::time::timeout(REASON_GRACE, &mut conn.error)
        .await
        .ok()
        .flatten();
    match reason {
        Some(reason) => TransportError::new(FailureKind::Connect, reason),
        None => TransportError::new(
            FailureKind::Connect,
            format!(
                "the port-forward closed before an answer: {}",
                crate::error::chain(e)
            ),
        ),
    }
}

/// Why a port-forward could not be opened.
fn forward_failed(e: &kube::Error, namespace: &str, pod: &str) -> TransportError {
    match e {
        kube::Error::Api(s) if s.code == 404 => TransportError::new(
            FailureKind::Connect,
            format!(
                "pod {namespace}/{pod} not found (it went away): {}",
                s.message
            ),
        ),
        kube::Error::Api(s) if s.code == 403 => TransportError::new(
            FailureKind::Request,
            format!(
                "forbidden: port-forward needs get and create on pods/portforward in namespace {namespace}: {}",
                s.message
            ),
        ),
        kube::Error::Api(s) => TransportError::new(
            FailureKind::Connect,
            format!(
                "the API server refused the port-forward ({} {}): {}",
                s.code, s.reason, s.message
            ),
        ),
        other => TransportError::new(
            FailureKind::Connect,
            format!(
                "cannot open a port-forward: {}",
                crate::targets::kubernetes::access::describe(other)
            ),
        ),
    }
}
