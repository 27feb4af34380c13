//! The direct transport: HTTP/1.1 (over TLS for https://) to the target's own address, with
//! hyper's pooled client.
//!
//! Invariants: one connection pool keyed by origin, idle connections capped per origin; each
//! connection reads into a fixed-size buffer (so memory stays bounded by the number of
//! connections, not by the size of the pages they read); TLS goes through the process's one
//! rustls provider with the platform's verifier.

use std::time::Duration;

use bytes::Bytes;
use http::header::USER_AGENT;
use http::{HeaderValue, Request, Uri};
use http_body_util::Full;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use super::{FailureKind, PodRequest, PodResponse, TransportError};

/// Bytes read from a connection at a time; also the most a connection's read buffer holds.
const READ_BUF: usize = 64 * 1024;

type Connector = hyper_rustls::HttpsConnector<HttpConnector>;

#[derive(Clone)]
pub(super) struct Direct {
    client: Client<Connector, Full<Bytes>>,
}

impl Direct {
    pub(super) fn new(
        connect_timeout: Duration,
        idle_per_origin: usize,
    ) -> Result<Direct, crate::error::Error> {
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_nodelay(true);
        http.set_connect_timeout(Some(connect_timeout));
        let tls = hyper_rustls::HttpsConnectorBuilder::new()
            .try_with_platform_verifier()
            .map_err(|e| crate::error::Error::unexpected(format!("cannot set up TLS: {e}")))?
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        let client = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(30))
            .pool_max_idle_per_host(idle_per_origin)
            .http1_read_buf_exact_size(READ_BUF)
            .build(tls);
        Ok(Direct { client })
    }

    pub(super) async fn send(
        &self,
        url: &str,
        req: PodRequest,
    ) -> Result<PodResponse, TransportError> {
        let uri: Uri = url.parse().map_err(|e| {
            TransportError::new(FailureKind::Request, format!("not a usable URL: {e}"))
        })?;
        let mut builder = Request::builder().method(req.method).uri(uri);
        if let Some(h) = builder.headers_mut() {
            *h = req.headers;
            h.entry(USER_AGENT)
                .or_insert(HeaderValue::from_static(super::USER_AGENT));
        }
        let request = builder
            .body(Full::new(req.body.unwrap_or_default()))
            .map_err(|e| TransportError::new(FailureKind::Request, e.to_string()))?;
        let resp = self.client.request(request).await.map_err(|e| {
            if e.is_connect() {
                // "client error (Connect): tcp connect error: Connection refused": the last
                // cause is what people need.
                TransportError::new(FailureKind::Connect, crate::error::root_cause(&e))
            } else {
                TransportError::new(FailureKind::Body, crate::error::chain(&e))
            }
        })?;
        let (parts, body) = resp.into_parts();
        Ok(PodResponse {
            status: parts.status.as_u16(),
            headers: parts.headers,
            body: super::Body::Hyper(body),
        })
    }
}
