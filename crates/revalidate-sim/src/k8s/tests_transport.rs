//! The two API-server transports against the real `kube` client and the
//! simulated pods: pods/proxy (`client.send`, `client.request_text`) and
//! `Api<Pod>::portforward` over WebSocket.
//!
//! Invariant: conditions are polled or awaited, never slept on; the only
//! timing asserted is the port-forward's linger after the pod closes.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use k8s_openapi::api::core::v1::Pod;
use kube::api::Api;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};

use super::tests::{api_status, fixture};
use super::*;
use crate::Fault;

/// A backend that answers with what it received, to see what the proxy
/// passed on; counts the connections it accepted.
struct Echo {
    addr: SocketAddr,
    connections: Arc<AtomicUsize>,
}

async fn echo_server() -> Echo {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let connections = Arc::new(AtomicUsize::new(0));
    let count = connections.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            count.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                let service = hyper::service::service_fn(echo);
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    Echo { addr, connections }
}

async fn echo(req: Request<hyper::body::Incoming>) -> Result<Response<Full<Bytes>>, hyper::Error> {
    let (parts, body) = req.into_parts();
    let body = body.collect().await?.to_bytes();
    let mut headers: HashMap<String, Vec<String>> = HashMap::new();
    for (k, v) in &parts.headers {
        headers
            .entry(k.to_string())
            .or_default()
            .push(v.to_str().unwrap_or("").to_owned());
    }
    let reply = |status: u16, kind: &str, body: String| {
        Response::builder()
            .status(status)
            .header("content-type", kind)
            .header("cache-control", "s-maxage=60")
            .header("access-control-allow-origin", "*")
            .header("keep-alive", "timeout=5")
            .header("x-backend", "echo")
            .body(Full::new(Bytes::from(body)))
            .unwrap()
    };
    Ok(match parts.uri.path() {
        "/teapot" => reply(418, "text/plain", "short and stout".into()),
        "/redirect" => {
            let mut r = reply(302, "text/plain", String::new());
            r.headers_mut()
                .insert("location", "/login".parse().unwrap());
            r
        }
        "/page" => reply(
            200,
            "text/html; charset=utf-8",
            "<a href=/next>n</a>".into(),
        ),
        _ => {
            let json = serde_json::json!({
                "method": parts.method.as_str(),
                "uri": parts.uri.to_string(),
                "headers": headers,
                "body": String::from_utf8_lossy(&body),
            });
            reply(200, "application/json", json.to_string())
        }
    })
}

fn proxy_path(pod: &str, port: u16, rest: &str) -> String {
    format!("/api/v1/namespaces/web/pods/{pod}:{port}/proxy{rest}")
}

async fn send(client: &kube::Client, req: Request<Vec<u8>>) -> (u16, hyper::HeaderMap, String) {
    let response = client
        .send(req.map(kube::client::Body::from))
        .await
        .unwrap();
    let (parts, body) = response.into_parts();
    let bytes = body.collect().await.unwrap().to_bytes();
    (
        parts.status.as_u16(),
        parts.headers,
        String::from_utf8_lossy(&bytes).into_owned(),
    )
}

#[tokio::test]
async fn proxy_carries_x_prerender_revalidate_to_the_pod_and_its_answer_back() {
    let f = fixture(2).await;
    let path = proxy_path("web-1", f.port(), "/posts/a");
    let req = Request::get(&path)
        .header("x-prerender-revalidate", f.fleet.preview_id())
        .body(Vec::new())
        .unwrap();
    let (status, headers, body) = send(&f.client, req).await;
    assert_eq!(status, 200);
    assert_eq!(headers["x-nextjs-cache"], "REVALIDATED");
    let cache: Vec<_> = headers
        .get_all("cache-control")
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect();
    assert_eq!(cache[0], "no-cache, private", "the API server's own, first");
    assert!(cache[1].contains("s-maxage"), "{cache:?}");
    assert_eq!(f.fleet.pods()[1].counters().revalidate_requests, 1);
    assert_eq!(f.fleet.pods()[0].counters().requests, 0);
    // Links in the HTML now go through the proxy, tags re-serialised the Go way.
    let prefix = proxy_path("web-1", f.port(), "");
    assert!(
        body.contains(&format!("src=\"{prefix}/_next/static/")),
        "{body}"
    );
    assert!(body.contains("<meta charset=\"utf-8\"/>"));
    assert!(!body.contains("charSet"));
    f.cluster.set_rewrite_html(false);
    let text = f
        .client
        .request_text(Request::get(&path).body(Vec::new()).unwrap())
        .await
        .unwrap();
    assert!(text.contains("<meta charSet=\"utf-8\"/>"));
    assert_eq!(f.fleet.pods()[1].counters().hits, 1);

    // HEAD of an HTML page: Go rewrites the empty body, so the length goes.
    f.cluster.set_rewrite_html(true);
    let head = Request::head(&path).body(Vec::new()).unwrap();
    let (status, headers, body) = send(&f.client, head).await;
    assert_eq!((status, body.as_str()), (200, ""));
    assert!(headers.get("etag").is_some());
    assert!(headers.get("content-length").is_none(), "{headers:?}");
}

#[tokio::test]
async fn proxy_passes_method_query_body_and_end_to_end_headers_only() {
    let f = fixture(1).await;
    let echo = echo_server().await;
    f.cluster.set_route("web", "web-0", 9999, echo.addr);
    let http = reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let url = |rest: &str| format!("{}{}", f.cluster.url(), proxy_path("web-0", 9999, rest));
    let r = http
        .post(url("/echo/caf%C3%A9?a=1&b=%2F"))
        .bearer_auth(f.cluster.admin_token())
        .header("x-prerender-revalidate", "abc")
        .header("connection", "x-hop")
        .header("x-hop", "1")
        .body("payload")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["x-backend"], "echo");
    assert!(r.headers().get("access-control-allow-origin").is_none());
    assert!(r.headers().get("keep-alive").is_none());
    let seen: serde_json::Value = r.json().await.unwrap();
    assert_eq!(seen["method"], "POST");
    assert_eq!(seen["uri"], "/echo/caf%C3%A9?a=1&b=%2F");
    assert_eq!(seen["body"], "payload");
    let h = &seen["headers"];
    assert_eq!(h["x-prerender-revalidate"][0], "abc");
    assert!(h.get("authorization").is_none() && h.get("x-hop").is_none());
    assert_eq!(h["x-forwarded-for"][0], "127.0.0.1");
    assert_eq!(
        h["x-forwarded-uri"][0],
        "/api/v1/namespaces/web/pods/web-0:9999/proxy/echo/caf%C3%A9"
    );
    assert_eq!(h["host"][0], f.cluster.addr().to_string());
    let logged = f.cluster.requests().pop().unwrap();
    assert_eq!(logged.header("x-prerender-revalidate"), Some("abc"));

    // The path is cleaned the way Go's path.Join cleans it.
    let r = http
        .get(url("/a//b/./c/../d/"))
        .bearer_auth(f.cluster.admin_token())
        .send()
        .await
        .unwrap();
    let seen: serde_json::Value = r.json().await.unwrap();
    assert_eq!(seen["uri"], "/a/b/d/");

    let r = http
        .get(url("/teapot"))
        .bearer_auth(f.cluster.admin_token())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 418);
    assert_eq!(r.text().await.unwrap(), "short and stout");
    let r = http
        .get(url("/redirect"))
        .bearer_auth(f.cluster.admin_token())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 302);
    assert_eq!(r.headers()["location"], proxy_path("web-0", 9999, "/login"));
    let r = http
        .get(url("/page"))
        .bearer_auth(f.cluster.admin_token())
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.text().await.unwrap(),
        format!("<a href=\"{}\">n</a>", proxy_path("web-0", 9999, "/next"))
    );
    let r = http
        .get(url(""))
        .bearer_auth(f.cluster.admin_token())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 301);
    assert_eq!(r.headers()["location"], proxy_path("web-0", 9999, "/"));
}

#[tokio::test]
async fn proxy_failures_are_statuses_kube_parses() {
    let f = fixture(1).await;
    let client = no_retry_client(&f.cluster, f.cluster.admin_token()).await;
    let get = |path: String| client.request_text(Request::get(path).body(Vec::new()).unwrap());

    f.fleet.pods()[0].set_fault(Fault::Down).await;
    let s = api_status(
        get(proxy_path("web-0", f.port(), "/posts/a"))
            .await
            .unwrap_err(),
    );
    assert_eq!((s.code, s.reason.as_str()), (503, "ServiceUnavailable"));
    assert_eq!(
        s.message,
        format!(
            "error trying to reach service: dial tcp 127.0.0.11:{}: connect: connection refused",
            f.port()
        )
    );
    f.fleet.pods()[0].clear_faults().await;
    assert!(get(proxy_path("web-0", f.port(), "/posts/a")).await.is_ok());

    let s = api_status(get(proxy_path("web-9", f.port(), "/")).await.unwrap_err());
    assert_eq!(
        (s.code, s.message.as_str()),
        (404, "pods \"web-9\" not found")
    );
    let s = api_status(
        get("/api/v1/namespaces/web/pods/a:b:c:d/proxy/".into())
            .await
            .unwrap_err(),
    );
    assert_eq!(
        (s.code, s.message.as_str()),
        (400, "invalid pod request \"a:b:c:d\"")
    );

    let user = "system:serviceaccount:web:reader";
    f.cluster
        .add_token("reader", user, Access::all().deny("get", "pods/proxy"));
    let reader = no_retry_client(&f.cluster, "reader").await;
    let req = Request::get(proxy_path("web-0", f.port(), "/posts/a"))
        .body(Vec::new())
        .unwrap();
    let s = api_status(reader.request_text(req).await.unwrap_err());
    assert_eq!(s.code, 403);
    assert_eq!(
        s.message,
        format!(
            "pods \"web-0:{}\" is forbidden: User \"{user}\" cannot get resource \"pods/proxy\" in API group \"\" in the namespace \"web\"",
            f.port()
        )
    );
    assert_eq!(
        f.fleet.pods()[0].counters().requests,
        1,
        "only the one allowed request got through"
    );
}

/// A client without kube's default retry layer, which would retry a 503
/// for minutes.
async fn no_retry_client(cluster: &FakeCluster, token: &str) -> kube::Client {
    let mut config = cluster.config_with_token(token, None).await.unwrap();
    config.default_retry = false;
    kube::Client::try_from(config).unwrap()
}

#[tokio::test]
async fn kube_retries_a_proxied_503_unless_told_not_to() {
    let f = fixture(1).await;
    let pod = &f.fleet.pods()[0];
    pod.set_fault(Fault::Status(503)).await;
    let path = proxy_path("web-0", f.port(), "/posts/a");
    let request = || Request::get(&path).body(Vec::new()).unwrap();
    let retried =
        tokio::time::timeout(Duration::from_secs(2), f.client.request_text(request())).await;
    assert!(retried.is_err(), "still retrying after 2 s: {retried:?}");
    assert!(pod.counters().requests >= 3, "{:?}", pod.counters());
    let before = pod.counters().requests;
    let client = no_retry_client(&f.cluster, f.cluster.admin_token()).await;
    let s = api_status(client.request_text(request()).await.unwrap_err());
    assert_eq!(s.code, 503);
    assert_eq!(pod.counters().requests, before + 1);
}

/// Sends one HTTP/1.1 request over a forwarded stream and reads the answer
/// (status, headers, body by Content-Length).
async fn http_exchange<S>(stream: &mut S, request: &str) -> (u16, HashMap<String, String>, String)
where
    S: AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    let mut byte = [0u8; 1];
    while !raw.ends_with(b"\r\n\r\n") {
        assert_eq!(
            stream.read(&mut byte).await.unwrap(),
            1,
            "stream ended inside the head"
        );
        raw.push(byte[0]);
    }
    let head = String::from_utf8(raw).unwrap();
    let mut lines = head.split("\r\n");
    let status = lines.next().unwrap()[9..12].parse().unwrap();
    let headers: HashMap<String, String> = lines
        .filter_map(|l| l.split_once(": "))
        .map(|(k, v)| (k.to_ascii_lowercase(), v.to_owned()))
        .collect();
    let len: usize = headers["content-length"].parse().unwrap();
    let mut body = vec![0u8; len];
    stream.read_exact(&mut body).await.unwrap();
    (status, headers, String::from_utf8(body).unwrap())
}

#[tokio::test]
async fn port_forward_round_trips_http_over_one_connection_per_port() {
    let f = fixture(1).await;
    let echo = echo_server().await;
    f.cluster.set_route("web", "web-0", 9999, echo.addr);
    let pods = Api::<Pod>::namespaced(f.client.clone(), "web");
    let mut forward = pods.portforward("web-0", &[f.port(), 9999]).await.unwrap();
    let mut web = forward.take_stream(f.port()).unwrap();
    assert!(
        forward.take_stream(f.port()).is_none(),
        "one stream per port, once"
    );
    let revalidate = format!(
        "GET /posts/a HTTP/1.1\r\nhost: web\r\nx-prerender-revalidate: {}\r\n\r\n",
        f.fleet.preview_id()
    );
    let (status, headers, body) = http_exchange(&mut web, &revalidate).await;
    assert_eq!(
        (status, headers["x-nextjs-cache"].as_str()),
        (200, "REVALIDATED")
    );
    assert!(
        body.contains("<meta charSet=\"utf-8\"/>"),
        "no rewriting on a port-forward"
    );
    let (status, headers, _) =
        http_exchange(&mut web, "GET /posts/a HTTP/1.1\r\nhost: web\r\n\r\n").await;
    assert_eq!((status, headers["x-nextjs-cache"].as_str()), (200, "HIT"));
    assert_eq!(f.fleet.pods()[0].counters().requests, 2);

    let mut other = forward.take_stream(9999).unwrap();
    for _ in 0..2 {
        let (status, _, body) =
            http_exchange(&mut other, "GET /x HTTP/1.1\r\nhost: echo\r\n\r\n").await;
        assert_eq!(status, 200);
        assert!(body.contains("\"uri\":\"/x\""));
    }
    assert_eq!(echo.connections.load(Ordering::SeqCst), 1);
    let logged = f.cluster.requests().pop().unwrap();
    assert_eq!(logged.status, 101);
    assert_eq!(
        logged.query_param("ports"),
        Some(format!("{},9999", f.port()))
    );
    assert_eq!(
        logged.header("sec-websocket-protocol"),
        Some("v5.channel.k8s.io, v4.channel.k8s.io")
    );

    drop((web, other));
    tokio::time::timeout(Duration::from_secs(5), forward.join())
        .await
        .expect("the forward ends once the client closed every port")
        .expect("closing from the client side is clean");
}

#[tokio::test]
async fn when_the_pod_closes_first_the_forward_ends_a_second_later_with_an_error() {
    let f = fixture(1).await;
    let pods = Api::<Pod>::namespaced(f.client.clone(), "web");
    let mut forward = pods.portforward("web-0", &[f.port()]).await.unwrap();
    let mut stream = forward.take_stream(f.port()).unwrap();
    let request = "GET /posts/a HTTP/1.1\r\nhost: web\r\nconnection: close\r\n\r\n";
    let (status, _, _) = http_exchange(&mut stream, request).await;
    assert_eq!(status, 200);
    let answered = Instant::now();
    let mut rest = Vec::new();
    stream.read_to_end(&mut rest).await.unwrap();
    let closed = answered.elapsed();
    assert!(rest.is_empty());
    assert!(
        closed >= Duration::from_millis(900),
        "closed after {closed:?}"
    );
    assert!(closed < Duration::from_secs(5), "closed after {closed:?}");
    drop(stream);
    let joined = tokio::time::timeout(Duration::from_secs(5), forward.join())
        .await
        .unwrap();
    assert!(joined.is_err(), "{joined:?}");

    // The linger is the runtime's wait; a test may shorten it.
    f.cluster.set_port_forward_linger(Duration::from_millis(10));
    let mut forward = pods.portforward("web-0", &[f.port()]).await.unwrap();
    let mut stream = forward.take_stream(f.port()).unwrap();
    let (status, _, _) = http_exchange(&mut stream, request).await;
    assert_eq!(status, 200);
    let answered = Instant::now();
    stream.read_to_end(&mut rest).await.unwrap();
    assert!(answered.elapsed() < Duration::from_millis(900));
}

#[tokio::test]
async fn a_refused_port_is_reported_on_the_error_channel() {
    let f = fixture(1).await;
    let pods = Api::<Pod>::namespaced(f.client.clone(), "web");
    let mut forward = pods.portforward("web-0", &[1]).await.unwrap();
    let error = forward.take_error(1).unwrap();
    let mut stream = forward.take_stream(1).unwrap();
    let message = tokio::time::timeout(Duration::from_secs(5), error)
        .await
        .unwrap()
        .expect("an error message");
    assert!(
        message.starts_with("error forwarding port 1 to pod "),
        "{message}"
    );
    assert!(
        message.contains("dial tcp4 127.0.0.1:1: connect: connection refused"),
        "{message}"
    );
    let mut rest = Vec::new();
    stream.read_to_end(&mut rest).await.unwrap();
    assert!(rest.is_empty());
}

#[tokio::test]
async fn port_forward_needs_get_and_create_on_pods_portforward() {
    let f = fixture(1).await;
    let user = "system:serviceaccount:web:viewer";
    for verb in ["get", "create"] {
        let token = format!("no-{verb}");
        f.cluster
            .add_token(&token, user, Access::all().deny(verb, "pods/portforward"));
        let client = f.cluster.client_with_token(&token, None).await.unwrap();
        let pods = Api::<Pod>::namespaced(client, "web");
        let s = api_status(pods.portforward("web-0", &[f.port()]).await.err().unwrap());
        assert_eq!((s.code, s.reason.as_str()), (403, "Forbidden"));
        assert_eq!(
            s.message,
            format!(
                "pods \"web-0\" is forbidden: User \"{user}\" cannot {verb} resource \"pods/portforward\" in API group \"\" in the namespace \"web\""
            )
        );
    }
    let s = api_status(
        Api::<Pod>::namespaced(f.client.clone(), "web")
            .portforward("web-7", &[f.port()])
            .await
            .err()
            .unwrap(),
    );
    assert_eq!(
        (s.code, s.message.as_str()),
        (404, "pods \"web-7\" not found")
    );
    assert_eq!(f.fleet.pods()[0].counters().requests, 0);
}
