//! A round-robin HTTP load balancer in front of the simulated pods, standing
//! in for the nginx of the reference setup.
//!
//! Invariant: the balancer is transparent. It forwards method, path, query,
//! end-to-end headers and body bytes unchanged (no decompression, no
//! redirects followed), returns the pod's status, headers and body bytes
//! unchanged, and only adds `X-Upstream: 127.0.0.1:PORT` naming the pod that
//! answered. Consecutive requests go to consecutive pods, so a revalidation
//! sent through it reaches exactly one pod, as it does through nginx.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{self, HeaderValue};
use hyper::{Request, Response, StatusCode};
use tokio_util::sync::CancellationToken;

/// How long the balancer waits for a pod before answering 504, like nginx's
/// default `proxy_read_timeout`.
const UPSTREAM_TIMEOUT: Duration = Duration::from_secs(60);

/// A running balancer; dropping it (or calling [`Balancer::shutdown`]) stops it.
#[derive(Debug)]
pub struct Balancer {
    addr: SocketAddr,
    token: CancellationToken,
}

struct State {
    upstreams: Vec<SocketAddr>,
    next: AtomicUsize,
    client: reqwest::Client,
}

impl Balancer {
    /// Starts a balancer on 127.0.0.1 with an OS-chosen port. It stops when
    /// `parent` is cancelled (the fleet shuts down) or when it is dropped.
    pub(crate) async fn start(
        upstreams: Vec<SocketAddr>,
        parent: &CancellationToken,
    ) -> std::io::Result<Balancer> {
        let client = reqwest::Client::builder()
            .no_gzip()
            .no_brotli()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(UPSTREAM_TIMEOUT)
            .http1_only()
            .build()
            .map_err(std::io::Error::other)?;
        let token = parent.child_token();
        let state = Arc::new(State {
            upstreams,
            next: AtomicUsize::new(0),
            client,
        });
        let addr = super::serve::spawn(token.clone(), move |req| {
            let state = state.clone();
            async move {
                match proxy(state, req).await {
                    Ok(r) => r,
                    Err(never) => match never {},
                }
            }
        })?;
        Ok(Balancer { addr, token })
    }

    /// "http://127.0.0.1:PORT"
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The address the balancer listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting and drops open connections.
    pub fn shutdown(self) {
        self.token.cancel();
    }
}

impl Drop for Balancer {
    fn drop(&mut self) {
        self.token.cancel();
    }
}

fn error_response(status: StatusCode, upstream: Option<SocketAddr>) -> Response<Full<Bytes>> {
    let reason = status.canonical_reason().unwrap_or("Error");
    let body = format!(
        "<html><head><title>{code} {reason}</title></head><body><center><h1>{code} {reason}</h1></center></body></html>\n",
        code = status.as_u16()
    );
    let mut resp = Response::new(Full::new(Bytes::from(body)));
    *resp.status_mut() = status;
    let headers = resp.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
    if let Some(up) = upstream
        && let Ok(v) = HeaderValue::from_str(&up.to_string())
    {
        headers.insert("x-upstream", v);
    }
    resp
}

async fn proxy(
    state: Arc<State>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    if state.upstreams.is_empty() {
        return Ok(error_response(StatusCode::BAD_GATEWAY, None));
    }
    let upstream =
        state.upstreams[state.next.fetch_add(1, Ordering::Relaxed) % state.upstreams.len()];
    let (parts, body) = req.into_parts();
    let Ok(body) = body.collect().await.map(|b| b.to_bytes()) else {
        return Ok(error_response(StatusCode::BAD_REQUEST, None));
    };
    let path = parts.uri.path_and_query().map_or("/", |pq| pq.as_str());
    let mut request = state
        .client
        .request(parts.method.clone(), format!("http://{upstream}{path}"));
    for (name, value) in &parts.headers {
        // Host names the upstream (reqwest sets it) and the length is
        // recomputed from the forwarded bytes.
        if !crate::serve::is_hop_by_hop(name)
            && name != header::HOST
            && name != header::CONTENT_LENGTH
        {
            request = request.header(name, value);
        }
    }
    if !body.is_empty() {
        request = request.body(body);
    }
    let upstream_resp = match request.send().await {
        Ok(r) => r,
        Err(e) => {
            let status = if e.is_timeout() {
                StatusCode::GATEWAY_TIMEOUT
            } else {
                StatusCode::BAD_GATEWAY
            };
            tracing::debug!(%upstream, error = %e, "upstream failed");
            return Ok(error_response(status, Some(upstream)));
        }
    };
    let status = upstream_resp.status();
    let headers = upstream_resp.headers().clone();
    let bytes = match upstream_resp.bytes().await {
        Ok(b) => b,
        Err(e) => {
            tracing::debug!(%upstream, error = %e, "upstream body failed");
            return Ok(error_response(StatusCode::BAD_GATEWAY, Some(upstream)));
        }
    };
    let mut resp = Response::new(Full::new(bytes));
    *resp.status_mut() = status;
    let out = resp.headers_mut();
    for (name, value) in &headers {
        if !crate::serve::is_hop_by_hop(name) {
            out.append(name, value.clone());
        }
    }
    if let Ok(v) = HeaderValue::from_str(&upstream.to_string()) {
        out.insert("x-upstream", v);
    }
    Ok(resp)
}

#[cfg(test)]
mod tests {
    use crate::testkit::{client, fleet, get, get_with};
    use crate::{Fault, Flavor};

    #[tokio::test]
    async fn round_robin_cycles_through_every_pod() {
        let f = fleet(Flavor::Next13).await;
        let lb = f.start_balancer().await.unwrap();
        let c = client();
        let mut upstreams = Vec::new();
        for _ in 0..6 {
            let r = get(&c, &format!("{}/posts/a", lb.url())).await;
            assert_eq!((r.status, r.cache()), (200, Some("HIT")));
            upstreams.push(r.header("x-upstream").unwrap().to_owned());
        }
        let pods: Vec<String> = f.pods().iter().map(|p| p.addr().to_string()).collect();
        assert_eq!(&upstreams[..3], &upstreams[3..]);
        let mut first_three = upstreams[..3].to_vec();
        first_three.sort();
        let mut expected = pods.clone();
        expected.sort();
        assert_eq!(first_three, expected);
        for p in f.pods() {
            assert_eq!(p.counters().requests, 2);
        }
        lb.shutdown();
        f.shutdown().await;
    }

    #[tokio::test]
    async fn passes_bytes_and_headers_through() {
        let f = fleet(Flavor::Next16).await;
        for p in f.pods() {
            p.set_compress(true);
        }
        let lb = f.start_balancer().await.unwrap();
        let c = client();
        // gzip stays gzip: the balancer must not decode.
        let r = get_with(
            &c,
            &format!("{}/plain/a", lb.url()),
            &[("accept-encoding", "gzip")],
        )
        .await;
        assert_eq!(r.header("content-encoding"), Some("gzip"));
        assert_eq!(r.body[..2], [0x1f, 0x8b]);
        // The revalidation header reaches exactly one pod.
        f.cms().set_title("a", "via LB");
        let r = get_with(
            &c,
            &format!("{}/posts/a", lb.url()),
            &[("x-prerender-revalidate", f.preview_id())],
        )
        .await;
        assert_eq!(r.cache(), Some("REVALIDATED"));
        let fresh: Vec<bool> = f
            .pods()
            .iter()
            .map(|p| p.cached_title("/posts/a").as_deref() == Some("via LB"))
            .collect();
        assert_eq!(fresh.iter().filter(|x| **x).count(), 1);
        // HEAD keeps Content-Length; redirects are not followed.
        let head = c
            .head(format!("{}/posts/a", lb.url()))
            .send()
            .await
            .unwrap();
        assert_eq!(head.status(), 200);
        assert!(head.headers().contains_key("content-length"));
        let r = get(&c, &format!("{}/posts/a/", lb.url())).await;
        assert_eq!(r.status, 308);
        drop(lb);
        f.shutdown().await;
    }

    #[tokio::test]
    async fn unreachable_pod_gives_502() {
        let f = fleet(Flavor::Next13).await;
        let lb = f.start_balancer().await.unwrap();
        f.pods()[1].set_fault(Fault::Down).await;
        let c = client();
        let mut statuses = Vec::new();
        for _ in 0..3 {
            let r = get(&c, &format!("{}/posts/a", lb.url())).await;
            statuses.push((r.status, r.header("x-upstream").map(str::to_owned)));
        }
        assert_eq!(statuses[0].0, 200);
        assert_eq!(statuses[1].0, 502);
        assert_eq!(statuses[1].1, Some(f.pods()[1].addr().to_string()));
        assert_eq!(statuses[2].0, 200);
        f.shutdown().await;
    }
}
