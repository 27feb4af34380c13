//! Transports: how a request reaches a target, whatever the [`Reach`]. A step builds a
//! [`PodRequest`] (method, route, headers, body) and gets back a [`PodResponse`] (status,
//! headers, body stream); it never builds a URL or touches an HTTP client.
//!
//! Invariants: every request to a pod goes through [`Transport::call`], which applies the
//! per-request timeout to the whole exchange (connect, headers and body), retries through the
//! run context, and turns transport failures into data for the step; redirects are never
//! followed and environment proxies never used (the point is to reach each pod itself);
//! connection pools are sized per origin, not per pod. Pods discovered in Kubernetes may be
//! reached through the API server ([`kube_proxy`]: pods/proxy, one origin for every pod) or
//! through port-forwards ([`port_forward`]: one WebSocket per HTTP connection, a bounded number
//! per pod); an answer of the API server itself (a Status: the pod could not be reached, RBAC
//! refused) is a transport failure, never mistaken for the pod's own status.

pub mod decode;
mod direct;
pub mod header;
mod kube_proxy;
mod port_forward;

use std::future::Future;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, Method};
use http_body_util::BodyExt;

use crate::context::Limits;
use crate::context::{Attempt, Done, RunContext};
use crate::targets::{Reach, Target};

/// The user agent every request carries, so pod logs can tell revalidate's traffic apart.
pub const USER_AGENT: &str = concat!("revalidate/", env!("CARGO_PKG_VERSION"));

/// One request, as a step means it: the route is the canonical path (and query) on the target.
#[derive(Clone, Debug)]
pub struct PodRequest {
    pub method: Method,
    pub route: String,
    pub headers: HeaderMap,
    pub body: Option<Bytes>,
}

impl PodRequest {
    pub fn new(method: Method, route: impl Into<String>) -> PodRequest {
        PodRequest {
            method,
            route: route.into(),
            headers: HeaderMap::new(),
            body: None,
        }
    }
}

/// One request as --dry-run and the logs show it: secrets redacted, credentials masked.
#[derive(
    Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
pub struct RequestView {
    pub path: String,
    pub pod: String,
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
}

/// A response whose body is read as it arrives.
pub struct PodResponse {
    pub status: u16,
    pub headers: HeaderMap,
    body: Body,
}

/// A response body, whichever transport brought it.
enum Body {
    /// A pooled direct connection.
    Hyper(hyper::body::Incoming),
    /// Through the API server (kube's client), after the bytes already read, if any.
    Kube {
        read: Option<Bytes>,
        rest: Option<kube::client::Body>,
    },
    /// A port-forwarded connection, handed back to its pod's pool when the body ends.
    Forwarded {
        body: hyper::body::Incoming,
        release: Option<port_forward::Release>,
    },
}

impl PodResponse {
    /// A header's value as text, when present and printable.
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    }

    /// The next chunk of the body; `None` at its end.
    pub async fn chunk(&mut self) -> Result<Option<Bytes>, TransportError> {
        loop {
            let frame = match &mut self.body {
                Body::Hyper(body) | Body::Forwarded { body, .. } => body
                    .frame()
                    .await
                    .map(|r| r.map_err(|e| TransportError::from_hyper(&e))),
                Body::Kube { read, rest } => {
                    if let Some(bytes) = read.take() {
                        return Ok(Some(bytes));
                    }
                    match rest {
                        Some(body) => body.frame().await.map(|r| {
                            r.map_err(|e| {
                                TransportError::new(FailureKind::Body, crate::error::chain(&e))
                            })
                        }),
                        None => None,
                    }
                }
            };
            match frame {
                None => {
                    if let Body::Forwarded { release, .. } = &mut self.body
                        && let Some(r) = release.take()
                    {
                        r.release();
                    }
                    return Ok(None);
                }
                Some(Ok(frame)) => {
                    if let Ok(data) = frame.into_data() {
                        return Ok(Some(data));
                    }
                    // Trailers carry nothing a step reads.
                }
                Some(Err(e)) => return Err(e),
            }
        }
    }

    /// Reads the whole body, keeping at most `keep` bytes (the rest is read and dropped so the
    /// connection can be reused).
    pub async fn drain(mut self, keep: usize) -> Result<Vec<u8>, TransportError> {
        let mut kept = Vec::new();
        while let Some(chunk) = self.chunk().await? {
            let room = keep.saturating_sub(kept.len());
            kept.extend_from_slice(&chunk[..chunk.len().min(room)]);
        }
        Ok(kept)
    }
}

/// Why a request got no (complete) answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailureKind {
    /// No connection could be made.
    Connect,
    /// No complete answer within the per-request timeout.
    Timeout,
    /// The connection failed while the answer was being read (reset, closed early).
    Body,
    /// Anything else: a malformed answer, a URL the client cannot use.
    Request,
}

impl FailureKind {
    fn name(self) -> &'static str {
        match self {
            FailureKind::Connect => "connect error",
            FailureKind::Timeout => "timeout",
            FailureKind::Body => "body error",
            FailureKind::Request => "request error",
        }
    }
}

/// A transport failure, described without the URL (reports name the pod and path already).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TransportError {
    pub kind: FailureKind,
    pub detail: String,
}

impl std::fmt::Display for TransportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let text = format!("{}: {}", self.kind.name(), self.detail);
        f.write_str(&crate::secret::redact(&text))
    }
}

impl TransportError {
    pub fn new(kind: FailureKind, detail: impl Into<String>) -> TransportError {
        TransportError {
            kind,
            detail: detail.into(),
        }
    }

    fn timeout(after: Duration) -> TransportError {
        TransportError::new(
            FailureKind::Timeout,
            format!(
                "no complete answer within {}",
                humantime::format_duration(after)
            ),
        )
    }

    fn from_hyper(e: &hyper::Error) -> TransportError {
        let kind = if e.is_timeout() {
            FailureKind::Timeout
        } else {
            FailureKind::Body
        };
        TransportError::new(kind, crate::error::chain(e))
    }
}

/// Every transport this run needs, chosen per target by its [`Reach`]. Cheap to clone.
#[derive(Clone)]
pub struct Transport {
    direct: direct::Direct,
    kubernetes: Option<Kubernetes>,
}

/// The transports through a Kubernetes API server.
#[derive(Clone)]
struct Kubernetes {
    /// The API server's URL, for dry runs and logs.
    server: String,
    proxy: kube_proxy::Proxy,
    forward: port_forward::Forwards,
}

impl Transport {
    /// A transport for `origins` distinct origins under `limits`: idle connections per origin
    /// are capped near each origin's share of the global limit, so memory follows concurrency.
    pub fn new(limits: &Limits, origins: usize) -> Result<Transport, crate::error::Error> {
        let share = limits.concurrency.div_ceil(origins.max(1)) + 1;
        Ok(Transport {
            direct: direct::Direct::new(limits.timeout, limits.per_pod_concurrency.min(share))?,
            kubernetes: None,
        })
    }

    /// Adds the API-server transports (pods/proxy, port-forward) through `client`, whose pool
    /// is sized for the one origin they share; at most `per_pod_concurrency` port-forwards are
    /// open to any one pod.
    pub fn with_kubernetes(
        mut self,
        client: kube::Client,
        server: &str,
        limits: &Limits,
    ) -> Transport {
        self.kubernetes = Some(Kubernetes {
            server: server.trim_end_matches('/').to_string(),
            proxy: kube_proxy::Proxy::new(client.clone()),
            forward: port_forward::Forwards::new(client, limits.per_pod_concurrency),
        });
        self
    }

    /// The URL a request to `target` goes to, for dry runs and logs (not redacted here).
    pub fn url(&self, target: &Target, route: &str) -> String {
        match (&target.reach, &self.kubernetes) {
            (Reach::ApiServerProxy { .. }, Some(k)) => {
                format!("{}{}", k.server, target.url_for(route))
            }
            _ => target.url_for(route),
        }
    }

    /// Sends one request; the response's body is still to be read.
    pub async fn send(
        &self,
        target: &Target,
        req: PodRequest,
    ) -> Result<PodResponse, TransportError> {
        let kubernetes = || {
            self.kubernetes.as_ref().ok_or_else(|| {
                TransportError::new(
                    FailureKind::Request,
                    format!(
                        "{} needs a Kubernetes client: give --kubeconfig or --context",
                        target.reach.kind()
                    ),
                )
            })
        };
        match &target.reach {
            Reach::Direct { .. } => self.direct.send(&target.url_for(&req.route), req).await,
            Reach::ApiServerProxy {
                namespace,
                pod,
                port,
            } => kubernetes()?.proxy.send(namespace, pod, *port, req).await,
            Reach::PortForward {
                namespace,
                pod,
                port,
            } => kubernetes()?.forward.send(namespace, pod, *port, req).await,
        }
    }

    /// The one request skeleton every step uses: sends `make()` to `target`, hands the response
    /// to `read`, all within the per-request timeout; a transport failure becomes `failed(e)`.
    /// Both are retried through `ctx` when `retry(&result)` says the failure is transient
    /// (transport failures always are).
    pub async fn call<T, M, R, RF, E, Q>(
        &self,
        ctx: &RunContext,
        target: &Target,
        make: M,
        read: R,
        failed: E,
        retry: Q,
    ) -> Done<T>
    where
        M: Fn() -> PodRequest,
        R: Fn(PodResponse) -> RF,
        RF: Future<Output = Result<T, TransportError>>,
        E: Fn(TransportError) -> T,
        Q: Fn(&T) -> bool,
    {
        let timeout = ctx.limits().timeout;
        ctx.attempt(|| {
            let req = make();
            let exchange = async {
                let resp = self.send(target, req).await?;
                read(resp).await
            };
            let (failed, retry) = (&failed, &retry);
            async move {
                match tokio::time::timeout(timeout, exchange).await {
                    Ok(Ok(t)) if retry(&t) => Attempt::Retry(t),
                    Ok(Ok(t)) => Attempt::Final(t),
                    Ok(Err(e)) => Attempt::Retry(failed(e)),
                    Err(_) => Attempt::Retry(failed(TransportError::timeout(timeout))),
                }
            }
        })
        .await
    }
}

impl Transport {
    /// A GET of a small resource (a build manifest): its status and at most `max` bytes of its
    /// body, retried as every call is; `Err` says why there is no answer.
    pub async fn get_small(
        &self,
        ctx: &RunContext,
        target: &Target,
        route: &str,
        max: usize,
    ) -> Result<(u16, Vec<u8>), String> {
        let done = self
            .call(
                ctx,
                target,
                || PodRequest::new(Method::GET, route.to_string()),
                |resp| async move {
                    let status = resp.status;
                    Ok(Ok((status, resp.drain(max).await?)))
                },
                |e| Err(e.to_string()),
                |r| matches!(r, Ok((status, _)) if retryable_status(*status)),
            )
            .await;
        match done.result {
            Ok(r) => r,
            Err(stop) => Err(stop.describe().to_string()),
        }
    }
}

/// Statuses worth retrying: the pod or a proxy in front of it is overloaded or restarting.
pub fn retryable_status(status: u16) -> bool {
    matches!(status, 502..=504)
}
