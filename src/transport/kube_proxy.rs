//! The apiserver-proxy transport: each request goes to
//! `/api/v1/namespaces/{ns}/pods/{pod}:{port}/proxy{route}` on the API server, through the run's
//! kube client (its auth, including exec plugins and token refresh, and its pool sized for one
//! origin). The API server passes the method, body and end-to-end headers (the revalidation
//! header and secrets among them) to the pod and its answer back.
//!
//! Invariant: an answer of the API server itself (a `Status` object: the pod could not be
//! dialled, the pod is gone, RBAC refused) is a transport failure naming what happened, never
//! handed to a step as if the pod had answered it: a 404 from the API server for a pod that went
//! away must not read as the page being gone, nor its 503 as the pod's own 503.

use bytes::{Bytes, BytesMut};
use http::header::{CONTENT_TYPE, USER_AGENT};
use http::{HeaderValue, Request};
use http_body_util::BodyExt;

use super::{Body, FailureKind, PodRequest, PodResponse, TransportError};

/// Most of an error answer read to tell a Status from the pod's own error page.
const STATUS_MAX: usize = 64 * 1024;

#[derive(Clone)]
pub(super) struct Proxy {
    client: kube::Client,
}

impl Proxy {
    pub(super) fn new(client: kube::Client) -> Proxy {
        Proxy { client }
    }

    pub(super) async fn send(
        &self,
        namespace: &str,
        pod: &str,
        port: u16,
        req: PodRequest,
    ) -> Result<PodResponse, TransportError> {
        let path = crate::targets::proxy_path(namespace, pod, port, &req.route);
        let head = req.method == http::Method::HEAD;
        let mut builder = Request::builder().method(req.method).uri(path);
        if let Some(h) = builder.headers_mut() {
            *h = req.headers;
            h.entry(USER_AGENT)
                .or_insert(HeaderValue::from_static(super::USER_AGENT));
        }
        let request = builder
            .body(kube::client::Body::from(req.body.unwrap_or_default()))
            .map_err(|e| TransportError::new(FailureKind::Request, e.to_string()))?;
        let resp = self.client.send(request).await.map_err(|e| failure(&e))?;
        let (parts, mut body) = resp.into_parts();
        let status = parts.status.as_u16();
        let json = parts
            .headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"));
        if status < 400 || !json {
            return Ok(PodResponse {
                status,
                headers: parts.headers,
                body: Body::Kube {
                    read: None,
                    rest: Some(body),
                },
            });
        }
        // Read enough to tell the API server's Status from the pod's own JSON error.
        let mut read = BytesMut::new();
        let mut ended = false;
        while read.len() <= STATUS_MAX {
            match body.frame().await {
                None => {
                    ended = true;
                    break;
                }
                Some(Ok(frame)) => {
                    if let Ok(data) = frame.into_data() {
                        read.extend_from_slice(&data);
                    }
                }
                Some(Err(e)) => {
                    return Err(TransportError::new(
                        FailureKind::Body,
                        crate::error::chain(&e),
                    ));
                }
            }
        }
        let read = read.freeze();
        if ended && let Some(s) = api_status(&read) {
            return Err(from_status(&s, namespace, pod, port));
        }
        if ended && read.is_empty() && head {
            // The answer to HEAD has no body, so a Status cannot be read. A page's own error
            // through pods/proxy is HTML; JSON without a body is taken for the API server's
            // (a failure either way, so never a wrong "gone" nor a wrong success).
            let s = kube::core::Status {
                code: status,
                ..kube::core::Status::default()
            };
            return Err(from_status(&s, namespace, pod, port));
        }
        Ok(PodResponse {
            status,
            headers: parts.headers,
            body: Body::Kube {
                read: (!read.is_empty()).then_some(read),
                rest: (!ended).then_some(body),
            },
        })
    }
}

/// The body as the API server's own `Status` (`kind: Status`, `apiVersion: v1`), if it is one.
fn api_status(body: &Bytes) -> Option<kube::core::Status> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    if v.get("kind")? != "Status" || v.get("apiVersion")? != "v1" {
        return None;
    }
    serde_json::from_value(v).ok()
}

/// What a Status from pods/proxy means for the request.
fn from_status(s: &kube::core::Status, namespace: &str, pod: &str, port: u16) -> TransportError {
    let message = s.message.as_str();
    if message.is_empty() {
        let why = match s.code {
            502..=504 => "the API server could not reach the pod (is it up?)".to_string(),
            404 => format!("pod {namespace}/{pod} not found (it went away)"),
            403 => format!("forbidden: get pods/proxy in namespace {namespace}"),
            code => format!("the API server answered {code}"),
        };
        return TransportError::new(
            if matches!(s.code, 502..=504 | 404) {
                FailureKind::Connect
            } else {
                FailureKind::Request
            },
            format!("{why}; HEAD answers carry no details, GET ones do"),
        );
    }
    match s.code {
        503 | 502 if message.starts_with("error trying to reach service") => {
            let why = message
                .trim_start_matches("error trying to reach service")
                .trim_start_matches(':')
                .trim();
            TransportError::new(
                FailureKind::Connect,
                format!("the API server could not reach the pod: {why}"),
            )
        }
        404 => TransportError::new(
            FailureKind::Connect,
            format!("pod {namespace}/{pod} not found (it went away): {message}"),
        ),
        401 => TransportError::new(
            FailureKind::Request,
            "the API server refused the credentials (401) for pods/proxy".to_string(),
        ),
        403 => TransportError::new(
            FailureKind::Request,
            format!("forbidden: get pods/proxy in namespace {namespace} (port {port}): {message}"),
        ),
        code => TransportError::new(
            FailureKind::Request,
            format!("the API server answered {code} {}: {message}", s.reason),
        ),
    }
}

/// A kube client failure, as a transport failure.
fn failure(e: &kube::Error) -> TransportError {
    if let kube::Error::Service(inner) = e
        && let Some(h) = inner.downcast_ref::<hyper_util::client::legacy::Error>()
        && h.is_connect()
    {
        return TransportError::new(
            FailureKind::Connect,
            format!(
                "cannot reach the API server: {}",
                crate::error::root_cause(h)
            ),
        );
    }
    match e {
        kube::Error::Auth(_) => TransportError::new(
            FailureKind::Request,
            crate::targets::kubernetes::access::describe(e),
        ),
        other => TransportError::new(FailureKind::Body, crate::error::chain(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_are_told_from_pod_answers() {
        let dial = Bytes::from_static(
            br#"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"error trying to reach service: dial tcp 10.0.0.5:3000: connect: connection refused","reason":"ServiceUnavailable","code":503}"#,
        );
        let s = api_status(&dial).unwrap();
        let e = from_status(&s, "web", "web-0", 3000);
        assert_eq!(e.kind, FailureKind::Connect);
        assert_eq!(
            e.detail,
            "the API server could not reach the pod: dial tcp 10.0.0.5:3000: connect: connection refused"
        );
        let gone = Bytes::from_static(
            br#"{"kind":"Status","apiVersion":"v1","status":"Failure","message":"pods \"web-3\" not found","reason":"NotFound","code":404}"#,
        );
        let e = from_status(&api_status(&gone).unwrap(), "web", "web-3", 3000);
        assert_eq!(e.kind, FailureKind::Connect);
        assert!(
            e.detail.starts_with("pod web/web-3 not found"),
            "{}",
            e.detail
        );
        // The pod's own JSON is the pod's answer.
        assert!(api_status(&Bytes::from_static(br#"{"error":"not found"}"#)).is_none());
        assert!(api_status(&Bytes::from_static(br#"{"kind":"Status"}"#)).is_none());
    }
}

#[cfg(test)]
mod against_the_fake {
    use super::*;
    use revalidate_sim::k8s::{FakeCluster, FleetPods, ServicePort, loopback_fleet};
    use revalidate_sim::{Fault, FleetOptions};

    #[tokio::test]
    async fn a_down_pod_and_a_missing_pod_are_connect_failures() {
        crate::install_crypto_provider();
        let fleet = loopback_fleet(FleetOptions {
            pods: 1,
            ..FleetOptions::default()
        })
        .await
        .unwrap();
        let cluster = FakeCluster::builder()
            .namespace("web")
            .service("web", &[ServicePort::http()])
            .pods_from_fleet("web", &fleet, FleetPods::default())
            .start()
            .await
            .unwrap();
        let config = cluster
            .config_with_token(cluster.admin_token(), None)
            .await
            .unwrap();
        let limits = crate::context::Limits {
            concurrency: 4,
            per_pod_concurrency: 2,
            timeout: std::time::Duration::from_secs(5),
            retries: 0,
            deadline: None,
        };
        let client = crate::targets::kubernetes::client(&config, &limits).unwrap();
        let proxy = Proxy::new(client);
        let port = fleet.pods()[0].addr().port();
        let req = || PodRequest::new(http::Method::GET, "/posts/a");
        let head = || PodRequest::new(http::Method::HEAD, "/posts/a");
        let ok = proxy.send("web", "web-0", port, req()).await.unwrap();
        assert_eq!(ok.status, 200);
        // A page's own 404 is the pod's answer.
        let missing = PodRequest::new(http::Method::HEAD, "/no/such/page");
        let page = proxy.send("web", "web-0", port, missing).await.unwrap();
        assert_eq!(page.status, 404);
        fleet.pods()[0].set_fault(Fault::Down).await;
        let e = proxy.send("web", "web-0", port, req()).await.err().unwrap();
        assert_eq!(e.kind, FailureKind::Connect, "{e}");
        assert!(e.detail.contains("connection refused"), "{e}");
        let e = proxy
            .send("web", "web-0", port, head())
            .await
            .err()
            .unwrap();
        assert_eq!(e.kind, FailureKind::Connect, "{e}");
        assert!(
            e.detail
                .starts_with("the API server could not reach the pod"),
            "{e}"
        );
        for r in [req(), head()] {
            let e = proxy.send("web", "web-9", port, r).await.err().unwrap();
            assert!(e.detail.starts_with("pod web/web-9 not found"), "{e}");
        }
    }
}
