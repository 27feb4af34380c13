//! HTTP plumbing shared by the edge-cache fakes (the caching edge, the
//! CloudFront proxy, the Cloudflare API): a loopback listener that serves a
//! handler until cancelled, a clock tests can move forward, and the few
//! header and body helpers they all need.
//!
//! Invariant: a fake started here listens on 127.0.0.1 only, answers every
//! request it reads (handlers are infallible), and stops accepting and drops
//! its connections as soon as its token is cancelled.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::header::{HeaderName, HeaderValue};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// The response type of every fake: one buffered body.
pub(crate) type Reply = Response<Full<Bytes>>;

/// Binds 127.0.0.1 with an OS-chosen port and serves `handler` on it until
/// `token` is cancelled. Returns the bound address.
pub(crate) fn spawn<H, F>(token: CancellationToken, handler: H) -> std::io::Result<SocketAddr>
where
    H: Fn(Request<Incoming>) -> F + Clone + Send + Sync + 'static,
    F: Future<Output = Reply> + Send + 'static,
{
    let listener = super::pod::bind(SocketAddr::from(([127, 0, 0, 1], 0)))?;
    let addr = listener.local_addr()?;
    tokio::spawn(accept_loop(listener, token, handler));
    Ok(addr)
}

async fn accept_loop<H, F>(listener: TcpListener, token: CancellationToken, handler: H)
where
    H: Fn(Request<Incoming>) -> F + Clone + Send + Sync + 'static,
    F: Future<Output = Reply> + Send + 'static,
{
    loop {
        let accepted = tokio::select! {
            () = token.cancelled() => break,
            accepted = listener.accept() => accepted,
        };
        match accepted {
            Ok((stream, _)) => {
                let _ = stream.set_nodelay(true);
                let handler = handler.clone();
                let token = token.clone();
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |req| {
                        let reply = handler(req);
                        async move { Ok::<_, Infallible>(reply.await) }
                    });
                    let conn = hyper::server::conn::http1::Builder::new()
                        .keep_alive(true)
                        .serve_connection(TokioIo::new(stream), service);
                    tokio::select! {
                        _ = conn => {}
                        () = token.cancelled() => {}
                    }
                });
            }
            Err(e) => {
                tracing::warn!(error = %e, "fake accept failed");
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        }
    }
}

/// A monotonic clock that tests can move forward, so that ages, TTLs and
/// time-based completion are checked without sleeping.
#[derive(Debug, Default)]
pub(crate) struct Clock {
    offset: Mutex<Duration>,
}

impl Clock {
    pub(crate) fn now(&self) -> Instant {
        Instant::now() + *lock(&self.offset)
    }

    pub(crate) fn advance(&self, by: Duration) {
        let mut offset = lock(&self.offset);
        *offset = offset.saturating_add(by);
    }
}

/// Locks a std mutex, ignoring poisoning: the fakes' state stays usable
/// after a panicking test thread, which has already failed its test.
pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A response with a status, a content type and a body.
pub(crate) fn reply(
    status: StatusCode,
    content_type: &'static str,
    body: impl Into<Bytes>,
) -> Reply {
    let mut resp = Response::new(Full::new(body.into()));
    *resp.status_mut() = status;
    resp.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        HeaderValue::from_static(content_type),
    );
    resp
}

/// Sets a header from a string, dropping it when the value is not a valid
/// header value (the fakes only build values from their own data).
pub(crate) fn set_header(resp: &mut Reply, name: &'static str, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        resp.headers_mut().insert(HeaderName::from_static(name), v);
    }
}

/// Headers that describe one hop, not the message, and so are never
/// forwarded by a proxy.
pub(crate) fn is_hop_by_hop(name: &HeaderName) -> bool {
    matches!(
        name.as_str(),
        "connection"
            | "keep-alive"
            | "proxy-connection"
            | "transfer-encoding"
            | "te"
            | "trailer"
            | "upgrade"
            | "proxy-authenticate"
            | "proxy-authorization"
    )
}

/// A reqwest client for forwarding: no decompression, no redirects, no
/// proxy from the environment, HTTP/1.1 only.
pub(crate) fn forwarding_client(timeout: Duration) -> std::io::Result<reqwest::Client> {
    reqwest::Client::builder()
        .no_gzip()
        .no_brotli()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(timeout)
        .http1_only()
        .build()
        .map_err(std::io::Error::other)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clock_moves_only_forward_and_only_when_told() {
        let clock = Clock::default();
        let before = clock.now();
        clock.advance(Duration::from_secs(3600));
        let after = clock.now();
        assert!(after.duration_since(before) >= Duration::from_secs(3600));
        assert!(after.duration_since(before) < Duration::from_secs(3700));
    }

    #[tokio::test]
    async fn a_served_handler_answers_until_cancelled() {
        let token = CancellationToken::new();
        let addr = spawn(token.clone(), |req: Request<Incoming>| async move {
            reply(StatusCode::OK, "text/plain", req.uri().path().to_owned())
        })
        .unwrap();
        assert!(addr.ip().is_loopback());
        let c = crate::testkit::client();
        let r = crate::testkit::get(&c, &format!("http://{addr}/hello")).await;
        assert_eq!((r.status, r.text()), (200, "/hello".to_owned()));
        token.cancel();
        // The listener is dropped by the accept loop; poll until connecting fails.
        let mut refused = false;
        for _ in 0..200 {
            if tokio::net::TcpStream::connect(addr).await.is_err() {
                refused = true;
                break;
            }
            tokio::task::yield_now().await;
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        assert!(refused, "port still open after cancel");
    }
}
