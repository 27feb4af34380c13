//! One message's work: revalidate the app with fanout's code, then acknowledge it (retried when
//! Redis has just restarted); and waiting for the app to answer at start.

use super::ACK_ATTEMPTS;
use super::APP_PROBE_EVERY;
use super::Handled;
use super::Shared;
use super::Source;
use super::Work;
use crate::context::Retain;
use crate::fanout;
use crate::paths::Purpose;
use crate::paths::UrlPath;
use crate::redis::message::Ack;
use crate::redis::subscriber;
use crate::targets::Target;
use crate::transport::PodRequest;
use crate::transport::Transport;
use std::sync::atomic::Ordering;
use std::time::Duration;

/// Revalidates the app for one message and acknowledges it.
pub(super) async fn handle(shared: &Shared, w: Work) -> Handled {
    let m = &shared.metrics;
    let path = w
        .path
        .as_deref()
        .ok_or_else(|| {
            "the message has no path (JSON with a \"path\" field, or a bare path)".to_string()
        })
        .and_then(|p| {
            UrlPath::parse(p, Purpose::Pod).map_err(|rule| format!("the path {p:?} {rule}"))
        });
    let mut h = Handled {
        id: w.id.clone(),
        path: w.path.clone(),
        source: w.source,
        outcome: "invalid".into(),
        ok: false,
        status: None,
        ms: 0.0,
        error: None,
        acked: false,
    };
    match path {
        Err(why) => {
            m.invalid.fetch_add(1, Ordering::SeqCst);
            tracing::warn!(
                id = w.id.as_deref().unwrap_or(""),
                source = w.source.name(),
                "invalid message: {why}"
            );
            h.error = Some(why);
        }
        Ok(path) => {
            let mut plan = shared.plan.revalidate.clone();
            plan.paths = vec![path];
            let r = fanout::run(&shared.ctx, &shared.transport, &plan, Retain::All, |_| {}).await;
            if let Some(c) = r.cells.into_iter().next() {
                h.outcome = c.outcome.name().to_string();
                h.ok = c.ok;
                h.status = c.status;
                h.ms = c.latency_ms;
                h.error = c.error;
            }
            m.revalidated(&h.outcome, h.ms / 1000.0);
        }
    }
    m.last_message_ms
        .store(crate::redis::message::now_ms(), Ordering::SeqCst);
    let Some(path) = w.path.clone() else {
        return h;
    };
    let ack = Ack {
        id: w.id.clone(),
        path,
        pod: shared.plan.pod.clone(),
        outcome: h.outcome.clone(),
        ms: h.ms,
    };
    // The catch-up from the record answers no message: nobody waits for its acknowledgement.
    if let Some(conn) = shared.acks.as_ref().filter(|_| w.source != Source::Record) {
        // The manager reconnects after a failed command (Redis restarted since the last ack):
        // the acknowledgement is tried again, a few times, before it is given up.
        let mut conn = conn.clone();
        let payload = ack.to_json();
        let mut last_error = None;
        for attempt in 1..=ACK_ATTEMPTS {
            let sent: ::redis::RedisResult<i64> = ::redis::cmd("PUBLISH")
                .arg(&shared.ack_channel)
                .arg(&payload)
                .query_async(&mut conn)
                .await;
            match sent {
                Ok(_) => {
                    h.acked = true;
                    last_error = None;
                    break;
                }
                Err(e) => {
                    last_error = Some(e);
                    if attempt < ACK_ATTEMPTS {
                        tokio::time::sleep(subscriber::backoff(attempt + 1)).await;
                    }
                }
            }
        }
        if h.acked {
            m.acks_sent.fetch_add(1, Ordering::SeqCst);
        } else if let Some(e) = last_error {
            m.acks_failed.fetch_add(1, Ordering::SeqCst);
            tracing::warn!(
                id = w.id.as_deref().unwrap_or(""),
                error = %e,
                "the acknowledgement could not be published"
            );
        }
    }
    let level_ok = h.ok;
    if level_ok {
        tracing::info!(
            path = h.path.as_deref().unwrap_or(""),
            id = h.id.as_deref().unwrap_or(""),
            source = w.source.name(),
            outcome = %h.outcome,
            ms = h.ms,
            acked = h.acked,
            "revalidated"
        );
    } else {
        tracing::warn!(
            path = h.path.as_deref().unwrap_or(""),
            id = h.id.as_deref().unwrap_or(""),
            source = w.source.name(),
            outcome = %h.outcome,
            ms = h.ms,
            acked = h.acked,
            error = h.error.as_deref().unwrap_or(""),
            "revalidation failed"
        );
    }
    h
}

/// Resolves once the app answers anything over HTTP (a HEAD of `/`).
pub(super) async fn wait_for_app(transport: Transport, target: Target) {
    loop {
        let req = PodRequest::new(http::Method::HEAD, "/");
        let answered =
            tokio::time::timeout(Duration::from_secs(5), transport.send(&target, req)).await;
        if let Ok(Ok(mut resp)) = answered {
            while let Ok(Some(_)) = resp.chunk().await {}
            return;
        }
        tokio::time::sleep(APP_PROBE_EVERY).await;
    }
}
