//! pods/portforward over WebSocket, subprotocol `v4.channel.k8s.io`, as the
//! kubelet's streaming server (with containerd behind it) serves it.
//!
//! The protocol, as kube's `Portforwarder` expects it: per requested port
//! two channels, data (`2i`) and error (`2i+1`); every frame starts with its
//! channel byte; the first frame on each channel is the port number, 2 bytes
//! little-endian. Invariants kept, as measured on real clusters: one
//! WebSocket opens exactly one connection per port, at once, and never
//! another; a refused connection is reported as text on the error channel;
//! v4 cannot close one channel, so when the pod closes its connection the
//! port lingers (1 s, containerd's wait for the other direction) and the
//! WebSocket closes once every port is done; a client Close ends everything.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use hyper::body::Incoming;
use hyper::header::{
    CONNECTION, HeaderValue, SEC_WEBSOCKET_ACCEPT, SEC_WEBSOCKET_KEY, SEC_WEBSOCKET_PROTOCOL,
    UPGRADE,
};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, Role};

use super::Shared;
use super::resource::Kind;
use super::server::{Body, failure_response, full, query_pairs};
use super::status;
use super::store::DialTarget;

const PROTOCOL: &str = "v4.channel.k8s.io";

/// Whether the request asks for a WebSocket.
pub(crate) fn is_upgrade(req: &Request<Incoming>) -> bool {
    let has = |name, token: &str| {
        req.headers().get_all(name).iter().any(|v| {
            v.to_str()
                .is_ok_and(|v| v.split(',').any(|t| t.trim().eq_ignore_ascii_case(token)))
        })
    };
    has(CONNECTION, "upgrade") && has(UPGRADE, "websocket")
}

/// One requested port and where its connection goes.
struct PortPlan {
    port: u16,
    target: Option<SocketAddr>,
    /// The container runtime's sandbox id, for error messages.
    sandbox: String,
}

pub(crate) async fn handle(
    shared: &Arc<Shared>,
    mut req: Request<Incoming>,
    ns: &str,
    name: &str,
) -> Response<Body> {
    if !is_upgrade(&req) {
        return failure_response(&status::bad_request("Upgrade request required"));
    }
    let mut ports = Vec::new();
    for (key, value) in query_pairs(req.uri().query().unwrap_or("")) {
        if key != "ports" {
            continue;
        }
        for p in value.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            match p.parse::<u16>() {
                Ok(port) if port > 0 => ports.push(port),
                _ => return failure_response(&status::bad_request(&format!("invalid port {p:?}"))),
            }
        }
    }
    if ports.is_empty() {
        return failure_response(&status::bad_request("query parameter \"port\" is required"));
    }
    let offered: Vec<String> = req
        .headers()
        .get_all(SEC_WEBSOCKET_PROTOCOL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
        .collect();
    if !offered.is_empty() && !offered.iter().any(|p| p == PROTOCOL) {
        let message = format!(
            "requested protocol(s) are not supported: {offered:?}; supports [\"{PROTOCOL}\"]"
        );
        return failure_response(&status::bad_request(&message));
    }
    let Some(key) = req
        .headers()
        .get(SEC_WEBSOCKET_KEY)
        .map(|k| k.as_bytes().to_vec())
    else {
        return failure_response(&status::bad_request("missing Sec-WebSocket-Key"));
    };

    let (plans, linger) = {
        let state = shared.state();
        let Some(pod) = state.get(Kind::Pod, ns, name) else {
            return failure_response(&status::not_found(Kind::Pod, name));
        };
        let uid = pod
            .pointer("/metadata/uid")
            .and_then(|u| u.as_str())
            .unwrap_or("");
        let sandbox = uid.replace('-', "").repeat(2);
        let plans: Vec<PortPlan> = ports
            .iter()
            .map(|&port| PortPlan {
                port,
                target: match state.dial_target(pod, port) {
                    DialTarget::Addr(addr) => Some(addr),
                    DialTarget::NoAddress | DialTarget::Unroutable(_) => None,
                },
                sandbox: sandbox.clone(),
            })
            .collect();
        (plans, state.port_forward_linger)
    };

    let on_upgrade = hyper::upgrade::on(&mut req);
    let token = shared.token.clone();
    shared.tasks.spawn(async move {
        let Ok(upgraded) = on_upgrade.await else {
            return;
        };
        let ws = WebSocketStream::from_raw_socket(TokioIo::new(upgraded), Role::Server, None).await;
        tokio::select! {
            () = token.cancelled() => {}
            () = forward(ws, plans, linger) => {}
        }
    });

    let mut response = Response::new(full(Bytes::new()));
    *response.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
    let headers = response.headers_mut();
    headers.insert(UPGRADE, HeaderValue::from_static("websocket"));
    headers.insert(CONNECTION, HeaderValue::from_static("Upgrade"));
    if let Ok(accept) = HeaderValue::from_str(&derive_accept_key(&key)) {
        headers.insert(SEC_WEBSOCKET_ACCEPT, accept);
    }
    if !offered.is_empty() {
        headers.insert(SEC_WEBSOCKET_PROTOCOL, HeaderValue::from_static(PROTOCOL));
    }
    response
}

fn frame(channel: u8, data: &[u8]) -> Message {
    let mut bytes = Vec::with_capacity(data.len() + 1);
    bytes.push(channel);
    bytes.extend_from_slice(data);
    Message::binary(bytes)
}

/// The containerd wording of a failed connection inside the pod.
fn refused(plan: &PortPlan) -> String {
    let (port, sandbox) = (plan.port, &plan.sandbox);
    format!(
        "error forwarding port {port} to pod {sandbox}, uid : failed to execute portforward in network namespace \
         \"/var/run/netns/cni-{}\": failed to connect to localhost:{port} inside namespace \"{sandbox}\", \
         IPv4: dial tcp4 127.0.0.1:{port}: connect: connection refused IPv6 dial tcp6 [::1]:{port}: connect: connection refused ",
        &sandbox[..sandbox.len().min(36)]
    )
}

/// Runs one port-forward WebSocket to its end.
async fn forward<S>(ws: WebSocketStream<S>, plans: Vec<PortPlan>, linger: Duration)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let (mut sink, mut incoming) = ws.split();
    for (i, plan) in plans.iter().enumerate() {
        let channel = u8::try_from(2 * i).unwrap_or(u8::MAX);
        let port = plan.port.to_le_bytes();
        if sink.send(frame(channel, &port)).await.is_err()
            || sink.send(frame(channel + 1, &port)).await.is_err()
        {
            return;
        }
    }
    let (tx, mut rx) = mpsc::channel::<Message>(64);
    let mut writers: Vec<Option<OwnedWriteHalf>> = Vec::with_capacity(plans.len());
    // Aborted when this function returns, which closes the pod connections.
    let mut pumps = JoinSet::new();
    for (i, plan) in plans.iter().enumerate() {
        let channel = u8::try_from(2 * i).unwrap_or(u8::MAX);
        let connected = match plan.target {
            Some(addr) => tokio::net::TcpStream::connect(addr).await.ok(),
            None => None,
        };
        match connected {
            Some(stream) => {
                let (reader, writer) = stream.into_split();
                writers.push(Some(writer));
                let context = format!(
                    "error forwarding port {} to pod {}, uid : ",
                    plan.port, plan.sandbox
                );
                pumps.spawn(pump(channel, reader, tx.clone(), linger, context));
            }
            None => {
                writers.push(None);
                let _ = tx.send(frame(channel + 1, refused(plan).as_bytes())).await;
            }
        }
    }
    drop(tx);
    loop {
        tokio::select! {
            outgoing = rx.recv() => match outgoing {
                Some(message) => {
                    if sink.send(message).await.is_err() {
                        return;
                    }
                }
                // Every port is done: close as x/net/websocket does (1000, then the socket).
                None => break,
            },
            message = incoming.next() => match message {
                Some(Ok(Message::Binary(data))) if data.len() > 1 => {
                    let index = usize::from(data[0]);
                    if index % 2 == 0
                        && let Some(slot) = writers.get_mut(index / 2)
                        && let Some(writer) = slot
                        && writer.write_all(&data[1..]).await.is_err()
                    {
                        *slot = None;
                    }
                }
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => break,
                Some(Ok(_)) => {}
            },
        }
    }
    pumps.abort_all();
    let _ = sink
        .send(Message::Close(Some(CloseFrame {
            code: CloseCode::Normal,
            reason: "".into(),
        })))
        .await;
    let _ = sink.close().await;
}

/// Copies pod bytes to the data channel; after the pod's end, lingers, then
/// reports a read error (not a clean end) on the error channel.
async fn pump(
    channel: u8,
    mut reader: OwnedReadHalf,
    tx: mpsc::Sender<Message>,
    linger: Duration,
    context: String,
) {
    let mut buf = vec![0u8; 32 * 1024];
    let failure = loop {
        match reader.read(&mut buf).await {
            Ok(0) => break None,
            Ok(n) => {
                if tx.send(frame(channel, &buf[..n])).await.is_err() {
                    return;
                }
            }
            Err(e) => break Some(e),
        }
    };
    tokio::time::sleep(linger).await;
    if let Some(e) = failure {
        let _ = tx
            .send(frame(channel + 1, format!("{context}{e}").as_bytes()))
            .await;
    }
}
