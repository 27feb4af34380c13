//! The agent's health server: `/healthz` for a readiness probe and `/metrics` in Prometheus's
//! text format, both from one [`Metrics`] the agent updates as it works.
//!
//! Invariants: `/healthz` answers 200 only while the agent is ready (subscribed, the app
//! answered, any catch-up done) and 503 otherwise, with the reason in the body; counters only
//! grow; rendering is a pure function of the metrics, so it is unit-tested.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use bytes::Bytes;
use http_body_util::Full;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::error::Error;

/// Everything the agent counts. Shared between the agent and the health server.
#[derive(Debug, Default)]
pub struct Metrics {
    pub messages_pubsub: AtomicU64,
    pub messages_stream: AtomicU64,
    pub duplicates: AtomicU64,
    pub invalid: AtomicU64,
    pub revalidations: Mutex<BTreeMap<String, u64>>,
    pub revalidation_seconds: Mutex<f64>,
    pub acks_sent: AtomicU64,
    pub acks_failed: AtomicU64,
    pub reconnects: AtomicU64,
    pub subscribed: AtomicBool,
    pub app_up: AtomicBool,
    pub caught_up: AtomicBool,
    pub stopping: AtomicBool,
    pub in_flight: AtomicU64,
    /// When a message was last handled (unix ms; 0: none yet), for the registry's heartbeat.
    pub last_message_ms: AtomicU64,
    /// While not caught up: what the catch-up is doing or waiting for, in words.
    pub catch_up_why: Mutex<Option<String>>,
    /// The catch-up from the record: paths to revalidate, and what became of them so far.
    pub catch_up_paths: AtomicU64,
    pub catch_up_revalidated: AtomicU64,
    pub catch_up_failed: AtomicU64,
    pub catch_up_skipped: AtomicU64,
    /// The catch-up's tags to revalidate (their results are counted with the paths').
    pub catch_up_tags: AtomicU64,
    /// Tags changed since the build that this agent cannot apply (no --tag-endpoint).
    pub catch_up_tags_unapplied: AtomicU64,
}

impl Metrics {
    /// Whether a readiness probe should pass, and if not, every reason why.
    pub fn readiness(&self) -> Result<(), String> {
        if self.stopping.load(Ordering::SeqCst) {
            return Err("stopping".into());
        }
        let mut why = Vec::new();
        if !self.subscribed.load(Ordering::SeqCst) {
            why.push("not subscribed to Redis".to_string());
        }
        if !self.app_up.load(Ordering::SeqCst) {
            why.push("the app has not answered yet".into());
        }
        if !self.caught_up.load(Ordering::SeqCst) {
            why.push(
                self.catch_up_why
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .clone()
                    .unwrap_or_else(|| "catching up on recent messages".into()),
            );
        }
        if why.is_empty() {
            Ok(())
        } else {
            Err(why.join("; "))
        }
    }

    pub fn revalidated(&self, outcome: &str, seconds: f64) {
        let mut m = self.revalidations.lock().unwrap_or_else(|e| e.into_inner());
        *m.entry(outcome.to_string()).or_default() += 1;
        *self
            .revalidation_seconds
            .lock()
            .unwrap_or_else(|e| e.into_inner()) += seconds;
    }

    /// The Prometheus text exposition of every metric.
    pub fn render(&self) -> String {
        let g = |a: &AtomicU64| a.load(Ordering::SeqCst);
        let b = |a: &AtomicBool| u8::from(a.load(Ordering::SeqCst));
        let mut out = String::new();
        let mut metric = |name: &str, kind: &str, help: &str, samples: &[(String, String)]| {
            out.push_str(&format!(
                "# HELP revalidate_agent_{name} {help}\n# TYPE revalidate_agent_{name} {kind}\n"
            ));
            for (labels, value) in samples {
                out.push_str(&format!("revalidate_agent_{name}{labels} {value}\n"));
            }
        };
        metric(
            "messages_total",
            "counter",
            "Messages received, by where they came from.",
            &[
                (
                    "{source=\"pubsub\"}".into(),
                    g(&self.messages_pubsub).to_string(),
                ),
                (
                    "{source=\"stream\"}".into(),
                    g(&self.messages_stream).to_string(),
                ),
            ],
        );
        metric(
            "duplicates_total",
            "counter",
            "Messages skipped because their id was handled within the dedupe window.",
            &[(String::new(), g(&self.duplicates).to_string())],
        );
        metric(
            "invalid_messages_total",
            "counter",
            "Messages without a valid path.",
            &[(String::new(), g(&self.invalid).to_string())],
        );
        let revalidations = self
            .revalidations
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let by_outcome: Vec<(String, String)> = revalidations
            .iter()
            .map(|(o, n)| (format!("{{outcome=\"{o}\"}}"), n.to_string()))
            .collect();
        metric(
            "revalidations_total",
            "counter",
            "Revalidations of the app, by outcome.",
            &by_outcome,
        );
        let total: u64 = revalidations.values().sum();
        let seconds = *self
            .revalidation_seconds
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        metric(
            "revalidation_seconds",
            "summary",
            "Time spent revalidating the app.",
            &[
                ("_sum".into(), format!("{seconds:.6}")),
                ("_count".into(), total.to_string()),
            ],
        );
        metric(
            "acks_total",
            "counter",
            "Acknowledgements published, by result.",
            &[
                ("{result=\"sent\"}".into(), g(&self.acks_sent).to_string()),
                (
                    "{result=\"failed\"}".into(),
                    g(&self.acks_failed).to_string(),
                ),
            ],
        );
        metric(
            "reconnects_total",
            "counter",
            "Connections to Redis regained after being lost.",
            &[(String::new(), g(&self.reconnects).to_string())],
        );
        metric(
            "subscribed",
            "gauge",
            "1 while subscribed to the channel.",
            &[(String::new(), b(&self.subscribed).to_string())],
        );
        metric(
            "ready",
            "gauge",
            "1 while /healthz answers 200.",
            &[(
                String::new(),
                u8::from(self.readiness().is_ok()).to_string(),
            )],
        );
        metric(
            "catch_up_paths",
            "gauge",
            "Paths the catch-up from the record revalidates at start (changed since the build).",
            &[(String::new(), g(&self.catch_up_paths).to_string())],
        );
        metric(
            "catch_up_tags",
            "gauge",
            "Tags the catch-up from the record revalidates at start (changed since the build; with --tag-endpoint).",
            &[(String::new(), g(&self.catch_up_tags).to_string())],
        );
        metric(
            "catch_up_tags_unapplied",
            "gauge",
            "Tags changed since the build that this agent cannot apply (no --tag-endpoint): its pod serves the data its build cached for them.",
            &[(String::new(), g(&self.catch_up_tags_unapplied).to_string())],
        );
        metric(
            "catch_up_done_total",
            "counter",
            "Paths and tags of the catch-up from the record done, by result.",
            &[
                (
                    "{result=\"revalidated\"}".into(),
                    g(&self.catch_up_revalidated).to_string(),
                ),
                (
                    "{result=\"failed\"}".into(),
                    g(&self.catch_up_failed).to_string(),
                ),
                (
                    "{result=\"skipped\"}".into(),
                    g(&self.catch_up_skipped).to_string(),
                ),
            ],
        );
        metric(
            "caught_up",
            "gauge",
            "1 once every catch-up (the record's, the stream's) is done.",
            &[(String::new(), b(&self.caught_up).to_string())],
        );
        metric(
            "in_flight",
            "gauge",
            "Revalidations in progress.",
            &[(String::new(), g(&self.in_flight).to_string())],
        );
        out
    }
}

/// A bound health listener, made before the agent starts so a bad address fails at once.
pub struct Listener {
    inner: TcpListener,
}

impl Listener {
    /// Binds `addr`: `HOST:PORT`, or `:PORT` for every interface (what a Kubernetes probe,
    /// which connects to the pod's IP, needs).
    pub async fn bind(addr: &str) -> Result<Listener, Error> {
        let parsed = parse_addr(addr).map_err(Error::usage)?;
        let inner = TcpListener::bind(parsed).await.map_err(|e| {
            Error::io(
                format!("cannot listen on {parsed} (--health-addr) for /healthz and /metrics"),
                e,
            )
        })?;
        Ok(Listener { inner })
    }

    pub fn local_addr(&self) -> Option<SocketAddr> {
        self.inner.local_addr().ok()
    }
}

/// `HOST:PORT` or `:PORT`.
pub fn parse_addr(addr: &str) -> Result<SocketAddr, String> {
    let full = if addr.starts_with(':') {
        format!("0.0.0.0{addr}")
    } else {
        addr.to_string()
    };
    full.parse().map_err(|_| {
        format!(
            "--health-addr {addr:?} is not an address to listen on: write IP:PORT, e.g. 127.0.0.1:9102, or :9102 for every interface"
        )
    })
}

/// Serves `/healthz` and `/metrics` until `cancel`.
pub async fn serve(
    listener: Listener,
    metrics: std::sync::Arc<Metrics>,
    cancel: CancellationToken,
) {
    loop {
        let accepted = tokio::select! {
            () = cancel.cancelled() => break,
            a = listener.inner.accept() => a,
        };
        let Ok((stream, _)) = accepted else {
            continue;
        };
        let metrics = metrics.clone();
        let cancel = cancel.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req: Request<hyper::body::Incoming>| {
                let reply = answer(req.uri().path(), &metrics);
                async move { Ok::<_, Infallible>(reply) }
            });
            let conn = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service);
            tokio::select! {
                _ = conn => {}
                () = cancel.cancelled() => {}
            }
        });
    }
}

fn answer(path: &str, metrics: &Metrics) -> Response<Full<Bytes>> {
    let (status, kind, body) = match path {
        "/healthz" | "/readyz" => match metrics.readiness() {
            Ok(()) => (
                StatusCode::OK,
                "text/plain; charset=utf-8",
                "ok\n".to_string(),
            ),
            Err(why) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "text/plain; charset=utf-8",
                format!("not ready: {why}\n"),
            ),
        },
        "/metrics" => (
            StatusCode::OK,
            "text/plain; version=0.0.4; charset=utf-8",
            metrics.render(),
        ),
        _ => (
            StatusCode::NOT_FOUND,
            "text/plain; charset=utf-8",
            "not found: /healthz, /metrics\n".to_string(),
        ),
    };
    Response::builder()
        .status(status)
        .header("content-type", kind)
        .header("cache-control", "no-store")
        .body(Full::new(Bytes::from(body)))
        .expect("static response parts")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readiness_needs_subscription_app_and_catch_up() {
        let m = Metrics::default();
        *m.catch_up_why.lock().unwrap() = Some("catching up: the record r cannot be read".into());
        assert_eq!(
            m.readiness().unwrap_err(),
            "not subscribed to Redis; the app has not answered yet; catching up: the record r cannot be read"
        );
        m.subscribed.store(true, Ordering::SeqCst);
        m.app_up.store(true, Ordering::SeqCst);
        assert_eq!(
            m.readiness().unwrap_err(),
            "catching up: the record r cannot be read"
        );
        let body = answer("/healthz", &m);
        assert_eq!(body.status(), StatusCode::SERVICE_UNAVAILABLE);
        m.caught_up.store(true, Ordering::SeqCst);
        assert_eq!(m.readiness(), Ok(()));
        assert_eq!(answer("/healthz", &m).status(), StatusCode::OK);
        m.stopping.store(true, Ordering::SeqCst);
        assert_eq!(
            answer("/healthz", &m).status(),
            StatusCode::SERVICE_UNAVAILABLE
        );
        assert_eq!(answer("/nope", &m).status(), StatusCode::NOT_FOUND);
    }

    #[test]
    fn metrics_render_in_prometheus_text_format() {
        let m = Metrics::default();
        m.messages_pubsub.store(3, Ordering::SeqCst);
        m.revalidated("revalidated", 0.25);
        m.revalidated("revalidated", 0.25);
        m.revalidated("unreachable", 1.0);
        m.subscribed.store(true, Ordering::SeqCst);
        let text = m.render();
        for line in [
            "# TYPE revalidate_agent_messages_total counter",
            "revalidate_agent_messages_total{source=\"pubsub\"} 3",
            "revalidate_agent_revalidations_total{outcome=\"revalidated\"} 2",
            "revalidate_agent_revalidations_total{outcome=\"unreachable\"} 1",
            "revalidate_agent_revalidation_seconds_sum 1.500000",
            "revalidate_agent_revalidation_seconds_count 3",
            "revalidate_agent_subscribed 1",
            "revalidate_agent_ready 0",
        ] {
            assert!(text.contains(line), "{line} missing from\n{text}");
        }
        // Every sample line is `name{labels} value`.
        for l in text.lines().filter(|l| !l.starts_with('#')) {
            let (name, value) = l.rsplit_once(' ').unwrap();
            assert!(name.starts_with("revalidate_agent_"), "{l}");
            assert!(value.parse::<f64>().is_ok(), "{l}");
        }
    }

    #[test]
    fn addresses_take_an_ip_and_port_or_a_port() {
        assert_eq!(parse_addr(":9102").unwrap().to_string(), "0.0.0.0:9102");
        assert_eq!(parse_addr("127.0.0.1:9102").unwrap().port(), 9102);
        assert!(parse_addr("localhost").unwrap_err().contains("IP:PORT"));
    }
}
