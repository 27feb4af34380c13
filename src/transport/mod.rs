//! Transports: how a request reaches a target, whatever the [`Reach`]. A step builds a
//! [`PodRequest`] (method, route, headers, body) and gets back a [`PodResponse`] (status,
//! headers, body stream); it never builds a URL or touches an HTTP client.
//!
//! Invariants: every request to a pod goes through [`Transport::call`], which applies the
//! per-request timeout to the whole exchange (connect, headers and body), retries through the
//! run context, and turns transport failures into data for the step; redirects are never
//! followed and environment proxies never used (the point is to reach each pod itself);
//! connection pools are sized per origin, not per pod.

pub mod decode;
mod direct;
pub mod header;

use std::future::Future;
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, Method};
use http_body_util::BodyExt;

use crate::config::Limits;
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
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
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
    body: hyper::body::Incoming,
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
            match self.body.frame().await {
                None => return Ok(None),
                Some(Ok(frame)) => {
                    if let Ok(data) = frame.into_data() {
                        return Ok(Some(data));
                    }
                    // Trailers carry nothing a step reads.
                }
                Some(Err(e)) => return Err(TransportError::from_hyper(&e)),
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

    /// The whole cause chain, de-duplicated.
    fn chain(e: &(dyn std::error::Error + 'static)) -> String {
        let mut parts: Vec<String> = Vec::new();
        let mut src: Option<&(dyn std::error::Error + 'static)> = Some(e);
        while let Some(s) = src {
            let t = s.to_string();
            if !parts.iter().any(|p| p.contains(&t)) {
                parts.push(t);
            }
            src = s.source();
        }
        parts.join(": ")
    }

    /// The innermost cause alone.
    fn root_cause(e: &(dyn std::error::Error + 'static)) -> String {
        let mut last = e;
        while let Some(s) = last.source() {
            last = s;
        }
        last.to_string()
    }

    fn from_hyper(e: &hyper::Error) -> TransportError {
        let kind = if e.is_timeout() {
            FailureKind::Timeout
        } else {
            FailureKind::Body
        };
        TransportError::new(kind, Self::chain(e))
    }
}

/// Every transport this run needs, chosen per target by its [`Reach`]. Cheap to clone.
#[derive(Clone)]
pub struct Transport {
    direct: direct::Direct,
}

impl Transport {
    /// A transport for `origins` distinct origins under `limits`: idle connections per origin
    /// are capped near each origin's share of the global limit, so memory follows concurrency.
    pub fn new(limits: &Limits, origins: usize) -> Result<Transport, crate::error::Error> {
        let share = limits.concurrency.div_ceil(origins.max(1)) + 1;
        Ok(Transport {
            direct: direct::Direct::new(limits.timeout, limits.per_pod_concurrency.min(share))?,
        })
    }

    /// The URL a request to `target` goes to, for dry runs and logs (not redacted here).
    pub fn url(&self, target: &Target, route: &str) -> String {
        target.url_for(route)
    }

    /// Sends one request; the response's body is still to be read.
    pub async fn send(
        &self,
        target: &Target,
        req: PodRequest,
    ) -> Result<PodResponse, TransportError> {
        match &target.reach {
            Reach::Direct { .. } => self.direct.send(&target.url_for(&req.route), req).await,
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

/// Statuses worth retrying: the pod or a proxy in front of it is overloaded or restarting.
pub fn retryable_status(status: u16) -> bool {
    matches!(status, 502..=504)
}
