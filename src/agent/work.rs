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
use crate::tags::Tag;
use crate::targets::Target;
use crate::transport::PodRequest;
use crate::transport::Transport;
use std::sync::atomic::Ordering;
use std::time::Duration;

/// What a message asks for, checked.
enum Asked {
    Path(UrlPath),
    Tag(Tag),
}

/// Revalidates the app for one message and acknowledges it.
pub(super) async fn handle(shared: &Shared, w: Work) -> Handled {
    let m = &shared.metrics;
    let asked = match (&w.path, &w.tag) {
        (Some(p), _) => UrlPath::parse(p, Purpose::Pod)
            .map(Asked::Path)
            .map_err(|rule| format!("the path {p:?} {rule}")),
        (None, Some(t)) => Tag::parse(t)
            .map(Asked::Tag)
            .map_err(|rule| format!("the tag {t:?}: {rule}")),
        (None, None) => Err(
            "the message has no path (JSON with a \"path\" field, or a bare path) nor tag"
                .to_string(),
        ),
    };
    let mut h = Handled {
        id: w.id.clone(),
        path: w.path.clone(),
        tag: if w.path.is_none() {
            w.tag.clone()
        } else {
            None
        },
        source: w.source,
        outcome: "invalid".into(),
        ok: false,
        status: None,
        ms: 0.0,
        error: None,
        acked: false,
    };
    match asked {
        Ok(Asked::Tag(_)) if shared.plan.revalidate.tag_endpoint.is_none() => {
            h.outcome = "no-tag-endpoint".into();
            h.error = Some(
                "a cache tag, and this agent has no --tag-endpoint to apply it (a route handler calling revalidateTag)".into(),
            );
        }
        Err(why) => {
            m.invalid.fetch_add(1, Ordering::SeqCst);
            tracing::warn!(
                id = w.id.as_deref().unwrap_or(""),
                source = w.source.name(),
                "invalid message: {why}"
            );
            h.error = Some(why);
        }
        Ok(asked) => {
            let mut plan = shared.plan.revalidate.clone();
            match asked {
                Asked::Path(path) => plan.paths = vec![path],
                Asked::Tag(tag) => plan.tags = vec![tag],
            }
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
    if w.path.is_none() && h.tag.is_none() {
        return h;
    }
    let ack = Ack {
        id: w.id.clone(),
        path: w.path.clone().unwrap_or_default(),
        tag: h.tag.clone(),
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
            tag = h.tag.as_deref().unwrap_or(""),
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
            tag = h.tag.as_deref().unwrap_or(""),
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
