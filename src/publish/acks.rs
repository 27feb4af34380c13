//! `publish --wait-acks`: the acknowledgements agents send on `<channel>:acks`, matched to this
//! run's messages by id, and the verdict per message.
//!
//! Invariants: the subscription exists before the first message is published (the caller makes
//! it), so no acknowledgement can be missed; only acknowledgements of this run's ids count; a
//! message is `acknowledged` only when every expected pod (by name when the pods are configured,
//! else by count) acknowledged success; the wait ends as soon as that holds for every message, or
//! at the timeout, or when the run is stopped.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use futures_util::StreamExt;
use tokio::time::Instant;

use super::{AckSeen, Expect, Message, Outcome, Plan};
use crate::context::RunContext;
use crate::redis::message::Ack;
use crate::redis::subscriber::Session;

/// Reads acknowledgements into `messages` until every message has what it needs, `timeout`
/// passes or the run stops. Returns how long it waited, and, when the subscription was lost
/// while acknowledgements were still awaited, why: Redis failed (exit 5), which is not the
/// same as pods that did not answer.
pub async fn collect(
    ctx: &RunContext,
    session: Session,
    plan: &Plan,
    expect: &Expect,
    timeout: Duration,
    messages: &mut [Message],
    mut on_ack: impl FnMut(&str, &str, &AckSeen),
) -> (Duration, Option<String>) {
    let started = Instant::now();
    let by_id: HashMap<String, usize> = messages
        .iter()
        .enumerate()
        .filter(|(_, m)| m.receivers.is_some())
        .map(|(i, m)| (m.id.clone(), i))
        .collect();
    let mut pending: HashSet<usize> = by_id
        .values()
        .copied()
        .filter(|&i| !settled(&messages[i], expect, plan.stream.is_some()))
        .collect();
    let mut stream = session.into_stream();
    let deadline = started + timeout;
    while !pending.is_empty() {
        let msg = tokio::select! {
            _ = tokio::time::sleep_until(deadline) => break,
            s = ctx.stop() => {
                ctx.observe(s);
                break;
            }
            m = stream.next() => m,
        };
        let Some(msg) = msg else {
            let waiting = pending.len();
            return (
                started.elapsed(),
                Some(format!(
                    "the connection to Redis receiving acknowledgements was lost after {}, while {waiting} message{} awaited acknowledgements",
                    crate::units::short_duration(started.elapsed()),
                    if waiting == 1 { "" } else { "s" },
                )),
            );
        };
        let Ok(ack) = serde_json::from_slice::<Ack>(&msg.payload) else {
            continue;
        };
        let Some(&i) = ack.id.as_ref().and_then(|id| by_id.get(id)) else {
            continue;
        };
        let seen = AckSeen {
            pod: ack.pod,
            outcome: ack.outcome,
            ms: ack.ms,
        };
        on_ack(&messages[i].subject(), &messages[i].id, &seen);
        messages[i].acks.push(seen);
        if settled(&messages[i], expect, plan.stream.is_some()) {
            pending.remove(&i);
        }
    }
    (started.elapsed(), None)
}

/// Pods that acknowledged success.
fn succeeded(m: &Message) -> HashSet<&str> {
    m.acks
        .iter()
        .filter(|a| matches!(a.outcome.as_str(), "revalidated" | "not-generated"))
        .map(|a| a.pod.as_str())
        .collect()
}

/// Whether waiting longer can change nothing for this message: every expected pod has answered
/// (by name), or enough pods have (by count, at least as many as received it). Without the
/// stream, only the subscribers that received the message can answer, so once every one of them
/// has, no other acknowledgement can come; with it, an agent that was cut off may still answer
/// after it reconnects and reads the stream.
fn settled(m: &Message, expect: &Expect, streamed: bool) -> bool {
    let answered: HashSet<&str> = m.acks.iter().map(|a| a.pod.as_str()).collect();
    let receivers = m.receivers.unwrap_or(0);
    if !streamed && answered.len() as i64 >= receivers {
        return true;
    }
    if !expect.pods.is_empty() {
        return expect.pods.iter().all(|p| answered.contains(p.as_str()));
    }
    let want = i64::from(expect.subscribers).max(receivers);
    answered.len() as i64 >= want
}

/// The final outcome of a published message under `--wait-acks`. Under-delivery stays the
/// verdict when it explains the missing acknowledgements; a failure is kept as it is. Any pod
/// that acknowledged a failure (and no success) makes the message unacknowledged, expected or
/// not: a pod known to serve the old page is never hidden behind a count.
pub fn judge(m: &mut Message, expect: &Expect) {
    if !matches!(m.outcome, Outcome::Delivered | Outcome::UnderDelivered) {
        return;
    }
    let (failed, missing, successes) = {
        let ok = succeeded(m);
        let failed = m.acks.iter().any(|a| !ok.contains(a.pod.as_str()));
        let missing: Vec<String> = expect
            .pods
            .iter()
            .filter(|p| !ok.contains(p.as_str()))
            .cloned()
            .collect();
        (failed, missing, ok.len())
    };
    let enough = if expect.pods.is_empty() {
        successes as i64 >= i64::from(expect.subscribers)
    } else {
        missing.is_empty()
    };
    m.missing_pods = missing;
    let acknowledged = enough && !failed;
    m.outcome = match (m.outcome, acknowledged) {
        (Outcome::UnderDelivered, _) => Outcome::UnderDelivered,
        (_, true) => Outcome::Acknowledged,
        (_, false) => Outcome::Unacknowledged,
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(receivers: i64, acks: &[(&str, &str)]) -> Message {
        Message {
            path: Some("/a".into()),
            tag: None,
            id: "i".into(),
            receivers: Some(receivers),
            stream_id: None,
            outcome: Outcome::NotSent,
            ok: false,
            acks: acks
                .iter()
                .map(|(p, o)| AckSeen {
                    pod: p.to_string(),
                    outcome: o.to_string(),
                    ms: 1.0,
                })
                .collect(),
            missing_pods: vec![],
            error: None,
        }
    }

    fn named(pods: &[&str]) -> Expect {
        Expect {
            subscribers: pods.len() as u32,
            source: "configured pods".into(),
            pods: pods.iter().map(|p| p.to_string()).collect(),
        }
    }

    #[test]
    fn named_pods_must_each_acknowledge_success() {
        let e = named(&["a", "b", "c"]);
        let mut m = message(3, &[("a", "revalidated"), ("b", "rejected")]);
        super::super::judge_delivery(&mut m, &e);
        assert!(!settled(&m, &e, false));
        judge(&mut m, &e);
        assert_eq!(m.outcome, Outcome::Unacknowledged);
        assert_eq!(m.missing_pods, vec!["b", "c"]);
        let mut m = message(
            3,
            &[
                ("c", "revalidated"),
                ("a", "revalidated"),
                ("b", "revalidated"),
            ],
        );
        super::super::judge_delivery(&mut m, &e);
        assert!(settled(&m, &e, false));
        judge(&mut m, &e);
        assert_eq!(m.outcome, Outcome::Acknowledged);
    }

    #[test]
    fn a_failure_from_any_pod_is_never_counted_away() {
        let e = Expect {
            subscribers: 1,
            source: "at least one".into(),
            pods: vec![],
        };
        let mut m = message(
            3,
            &[
                ("a", "revalidated"),
                ("b", "rejected"),
                ("c", "revalidated"),
            ],
        );
        super::super::judge_delivery(&mut m, &e);
        judge(&mut m, &e);
        assert_eq!(m.outcome, Outcome::Unacknowledged);
        // Named pods all fine, an unnamed one failing: still not acknowledged.
        let e = named(&["a"]);
        let mut m = message(2, &[("a", "revalidated"), ("z", "unreachable")]);
        super::super::judge_delivery(&mut m, &e);
        judge(&mut m, &e);
        assert_eq!(m.outcome, Outcome::Unacknowledged);
    }

    #[test]
    fn once_every_receiver_answered_nothing_more_can_come_unless_streamed() {
        let e = named(&["a", "b", "c"]);
        // Two received it (the third pod's subscriber is gone); both answered.
        let m = message(2, &[("a", "revalidated"), ("b", "revalidated")]);
        assert!(settled(&m, &e, false));
        // With --stream, the third pod's agent may still read it after reconnecting.
        assert!(!settled(&m, &e, true));
    }

    #[test]
    fn by_count_distinct_pods_count_and_under_delivery_stays() {
        let e = Expect {
            subscribers: 2,
            source: "--expect-subscribers".into(),
            pods: vec![],
        };
        let mut m = message(2, &[("a", "revalidated"), ("a", "revalidated")]);
        super::super::judge_delivery(&mut m, &e);
        judge(&mut m, &e);
        assert_eq!(m.outcome, Outcome::Unacknowledged);
        let mut m = message(1, &[("a", "revalidated")]);
        super::super::judge_delivery(&mut m, &e);
        judge(&mut m, &e);
        assert_eq!(m.outcome, Outcome::UnderDelivered);
    }
}
