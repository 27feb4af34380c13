//! pods/proxy: `/api/v1/namespaces/{ns}/pods/{[scheme:]name[:port]}/proxy{path}`
//! forwarded to the pod as kube-apiserver's UpgradeAwareHandler does.
//!
//! What a client sees, and this module keeps: the method, body, query and
//! end-to-end headers reach the pod (hop-by-hop headers and `Authorization`
//! do not; `X-Forwarded-For` and `X-Forwarded-Uri` are added); the path is
//! decoded, cleaned (`//`, `.`, `..`) and re-escaped the Go way; the pod's
//! status, headers and body come back, minus hop-by-hop and CORS headers,
//! with `Location` and `text/html` links rewritten to go through the proxy
//! (see [`super::html`]); `.../proxy` without a slash is a 301 to `.../proxy/`;
//! and failures to reach the pod are 503 `error trying to reach service: ...`.

use std::io::{Read, Write};
use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper::header::{
    CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_TYPE, HeaderName, HeaderValue, LOCATION,
};
use hyper::{HeaderMap, Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use percent_encoding::percent_decode_str;
use serde_json::Value;

use super::Shared;
use super::html::{Rewriter, clean, escape_path};
use super::resource::Kind;
use super::server::{Body, BoxError, failure_response, full};
use super::status::{self, Failure};
use super::store::DialTarget;

/// Go's ReverseProxy hop-by-hop list.
const HOP_BY_HOP: &[&str] = &[
    "connection",
    "proxy-connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
];

const CORS: &[&str] = &[
    "access-control-allow-credentials",
    "access-control-allow-headers",
    "access-control-allow-methods",
    "access-control-allow-origin",
];

/// Removes hop-by-hop headers, including those `Connection` names.
fn strip_hop_by_hop(headers: &mut HeaderMap) {
    let named: Vec<String> = headers
        .get_all("connection")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().to_ascii_lowercase())
        .filter(|t| !t.is_empty())
        .collect();
    for name in HOP_BY_HOP
        .iter()
        .copied()
        .chain(named.iter().map(String::as_str))
    {
        headers.remove(name);
    }
}

/// The 503 of a pod the proxy could not reach or read from.
fn cannot_reach(why: impl std::fmt::Display) -> Failure {
    status::service_unavailable(&format!("error trying to reach service: {why}"))
}

fn unreachable(why: impl std::fmt::Display) -> Response<Body> {
    failure_response(&cannot_reach(why))
}

/// Where a proxied request goes, resolved from the URL and the Pod.
struct Location {
    addr: SocketAddr,
    /// `podIP:port` as the real proxy would dial it (and as `Location` and
    /// HTML rewriting compare hosts).
    pod_host: String,
    /// The cleaned, re-escaped path on the pod.
    path: String,
    /// The decoded incoming path minus the pod path: the proxy prefix.
    prefix: String,
}

pub(crate) async fn handle(
    shared: &Arc<Shared>,
    peer: SocketAddr,
    req: Request<Incoming>,
    ns: &str,
    name_port: &str,
) -> Response<Body> {
    let location = match locate(shared, &req, ns, name_port) {
        Ok(Some(location)) => location,
        Ok(None) => {
            // `.../proxy` without a trailing slash: redirect, as the real one does.
            let query = req.uri().query().map_or(String::new(), |q| format!("?{q}"));
            let mut response = Response::new(full(Bytes::new()));
            *response.status_mut() = StatusCode::MOVED_PERMANENTLY;
            let target = format!("{}/{query}", req.uri().path());
            if let Ok(v) = HeaderValue::from_str(&target) {
                response.headers_mut().insert(LOCATION, v);
            }
            return response;
        }
        Err(failure) => return failure_response(&failure),
    };
    let request_host = req
        .headers()
        .get("host")
        .and_then(|h| h.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let rewrite = shared.state().rewrite_html;
    let (mut parts, body) = req.into_parts();
    let query = parts
        .uri
        .query()
        .map(|q| format!("?{q}"))
        .unwrap_or_default();
    parts.uri = match format!("{}{query}", location.path).parse() {
        Ok(uri) => uri,
        Err(e) => return failure_response(&status::bad_request(&e.to_string())),
    };
    let headers = &mut parts.headers;
    strip_hop_by_hop(headers);
    headers.remove("authorization");
    let forwarded_for = match headers.get("x-forwarded-for").and_then(|v| v.to_str().ok()) {
        Some(prior) => format!("{prior}, {}", peer.ip()),
        None => peer.ip().to_string(),
    };
    let mut forwarded_uri = clean(&format!("{}/{}", location.prefix, location.path));
    if location.path.ends_with('/') {
        forwarded_uri.push('/');
    }
    for (name, value) in [
        ("x-forwarded-for", forwarded_for),
        ("x-forwarded-uri", forwarded_uri),
    ] {
        if let Ok(v) = HeaderValue::from_str(&value) {
            headers.insert(HeaderName::from_static(name), v);
        }
    }
    let method = parts.method.clone();
    let upstream = Request::from_parts(parts, body);

    let stream = match tokio::net::TcpStream::connect(location.addr).await {
        Ok(stream) => stream,
        Err(e) => {
            return unreachable(format!(
                "dial tcp {}: connect: {}",
                location.pod_host,
                go_io_error(&e)
            ));
        }
    };
    let (mut sender, conn) = match hyper::client::conn::http1::handshake(TokioIo::new(stream)).await
    {
        Ok(pair) => pair,
        Err(e) => return unreachable(e),
    };
    let token = shared.token.clone();
    shared.tasks.spawn(async move {
        tokio::select! {
            () = token.cancelled() => {}
            _ = conn => {}
        }
    });
    let response = match sender.send_request(upstream).await {
        Ok(response) => response,
        Err(e) if e.is_incomplete_message() => return unreachable("EOF"),
        Err(e) => return unreachable(e),
    };
    let rewriter = Rewriter {
        prefix: location.prefix,
        pod_host: location.pod_host,
        request_host,
    };
    respond(response, &rewriter, rewrite, method == Method::HEAD).await
}

/// Resolves the pod and port; `Ok(None)` asks for the trailing-slash redirect.
fn locate(
    shared: &Arc<Shared>,
    req: &Request<Incoming>,
    ns: &str,
    name_port: &str,
) -> Result<Option<Location>, Failure> {
    let parts: Vec<&str> = name_port.split(':').collect();
    let (scheme, name, port) = match parts.as_slice() {
        [name] => ("", *name, ""),
        [name, port] => ("", *name, *port),
        [scheme, name, port] => (*scheme, *name, *port),
        _ => ("?", "", ""),
    };
    if name.is_empty() || !matches!(scheme, "" | "http" | "https") {
        let message = format!("invalid pod request {name_port:?}");
        return Err(status::bad_request(&message));
    }
    let state = shared.state();
    let Some(pod) = state.get(Kind::Pod, ns, name) else {
        return Err(status::not_found(Kind::Pod, name));
    };
    let port = match port {
        "" => first_container_port(pod).unwrap_or(80),
        p => p
            .parse::<u16>()
            .map_err(|_| cannot_reach(format!("dial tcp: lookup tcp/{p}: unknown port")))?,
    };
    let pod_ip = pod
        .pointer("/status/podIP")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    let addr = match state.dial_target(pod, port) {
        DialTarget::Addr(addr) => addr,
        DialTarget::NoAddress => return Err(status::bad_request("address not allowed")),
        DialTarget::Unroutable(why) => return Err(cannot_reach(why)),
    };
    drop(state);
    if scheme == "https" {
        return Err(cannot_reach(
            "tls: first record does not look like a TLS handshake",
        ));
    }

    // The sub-path after `/proxy`, decoded, as the API server's RequestInfo sees it.
    // Segments: "", api, v1, namespaces, {ns}, pods, {name}, proxy, {rest}.
    let raw = req.uri().path();
    let decoded = percent_decode_str(raw).decode_utf8_lossy().into_owned();
    let after = raw
        .splitn(9, '/')
        .nth(8)
        .map_or(String::new(), |rest| format!("/{rest}"));
    let sub = percent_decode_str(&after).decode_utf8_lossy().into_owned();
    if sub.is_empty() {
        return Ok(None);
    }
    let mut path = clean(&sub);
    if sub.ends_with('/') && !path.ends_with('/') {
        path.push('/');
    }
    let prefix = decoded
        .strip_suffix(path.as_str())
        .unwrap_or(&decoded)
        .to_owned();
    let pod_host = match pod_ip.parse::<std::net::IpAddr>() {
        Ok(ip) => SocketAddr::new(ip, port).to_string(),
        Err(_) => addr.to_string(),
    };
    Ok(Some(Location {
        addr,
        pod_host,
        path: escape_path(&path),
        prefix,
    }))
}

fn first_container_port(pod: &Value) -> Option<u16> {
    let containers = pod.pointer("/spec/containers")?.as_array()?;
    containers
        .iter()
        .filter_map(|c| c.pointer("/ports/0/containerPort")?.as_u64())
        .next()
        .and_then(|p| u16::try_from(p).ok())
}

/// How Go words the common connect errors.
fn go_io_error(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::ConnectionRefused => "connection refused".to_owned(),
        std::io::ErrorKind::ConnectionReset => "connection reset by peer".to_owned(),
        _ => e.to_string(),
    }
}

/// The pod's response as the proxy hands it on.
async fn respond(
    response: Response<Incoming>,
    rewriter: &Rewriter,
    rewrite_html: bool,
    head: bool,
) -> Response<Body> {
    let (mut parts, body) = response.into_parts();
    strip_hop_by_hop(&mut parts.headers);
    for name in CORS {
        parts.headers.remove(*name);
    }
    if let Some(location) = parts.headers.get(LOCATION).and_then(|v| v.to_str().ok()) {
        if let Some(new) = rewriter.url(location)
            && let Ok(v) = HeaderValue::from_str(&new)
        {
            parts.headers.insert(LOCATION, v);
        }
        return Response::from_parts(parts, body.map_err(|e| Box::new(e) as BoxError).boxed());
    }
    let media_type = parts
        .headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(str::trim)
        .unwrap_or("");
    let encoding = parts
        .headers
        .get(CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    if !rewrite_html || media_type != "text/html" || !matches!(encoding.as_str(), "" | "gzip") {
        return Response::from_parts(parts, body.map_err(|e| Box::new(e) as BoxError).boxed());
    }
    if head {
        // Go rewrites the empty body too: the length goes, and a gzip header
        // that is not there fails the gzip reader.
        if encoding == "gzip" {
            return failure_response(&status::internal_error("errorf making gzip reader: EOF"));
        }
        parts.headers.remove(CONTENT_LENGTH);
        return Response::from_parts(parts, full(Bytes::new()));
    }
    let bytes = match body.collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(e) => return unreachable(e),
    };
    let rewritten = match rewrite_body(&bytes, &encoding, rewriter) {
        Some(new) => {
            parts.headers.remove(CONTENT_LENGTH);
            Bytes::from(new)
        }
        None => bytes,
    };
    Response::from_parts(parts, full(rewritten))
}

/// The rewritten body, or `None` to pass the original (not UTF-8, or a gzip
/// stream that does not decode).
fn rewrite_body(bytes: &[u8], encoding: &str, rewriter: &Rewriter) -> Option<Vec<u8>> {
    if encoding == "gzip" {
        let mut html = String::new();
        flate2::read::GzDecoder::new(bytes)
            .read_to_string(&mut html)
            .ok()?;
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(rewriter.html(&html).as_bytes()).ok()?;
        encoder.finish().ok()
    } else {
        let html = std::str::from_utf8(bytes).ok()?;
        Some(rewriter.html(html).into_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hop_by_hop_headers_go_including_connection_tokens() {
        let mut h = HeaderMap::new();
        for (k, v) in [
            ("connection", "keep-alive, x-secret-hop"),
            ("x-secret-hop", "1"),
            ("keep-alive", "timeout=5"),
            ("transfer-encoding", "chunked"),
            ("x-prerender-revalidate", "abc"),
        ] {
            h.insert(HeaderName::from_static(k), HeaderValue::from_static(v));
        }
        strip_hop_by_hop(&mut h);
        let left: Vec<_> = h.keys().map(|k| k.as_str()).collect();
        assert_eq!(left, ["x-prerender-revalidate"]);
    }

    #[test]
    fn gzip_html_is_rewritten_and_recompressed() {
        let rw = Rewriter {
            prefix: "/p".into(),
            pod_host: "127.0.0.11:3000".into(),
            request_host: "h".into(),
        };
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(b"<a href=\"/x\">x</a>").unwrap();
        let out = rewrite_body(&gz.finish().unwrap(), "gzip", &rw).unwrap();
        let mut text = String::new();
        flate2::read::GzDecoder::new(&out[..])
            .read_to_string(&mut text)
            .unwrap();
        assert_eq!(text, "<a href=\"/p/x\">x</a>");
        assert_eq!(rewrite_body(&[0xff, 0xfe], "", &rw), None);
    }
}
