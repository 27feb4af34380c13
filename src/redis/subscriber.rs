//! A subscription that outlives its connection: subscribes to channels and patterns on a
//! dedicated pub/sub connection, forwards every message, and when the connection goes away
//! (Redis restarted, the network dropped, a PING went unanswered) reconnects with backoff and
//! subscribes again, reporting every change of state.
//!
//! Why not the crate's ConnectionManager with automatic resubscription: it needs RESP3 (Redis 6+)
//! and says nothing of when the subscription was gone. A pub/sub connection never reconnects (its
//! stream just ends), so this loop does, and knows at every moment whether it is subscribed.
//! Invariants: [`Link::Subscribed`] is sent only once the server has confirmed every
//! subscription; a message is forwarded once, in the order received; the loop ends only when
//! cancelled (or the receiver is gone).

use std::time::{Duration, SystemTime};

use ::redis::aio::{PubSubSink, PubSubStream};
use futures_util::StreamExt;
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::{Failure, Redis};

/// How often an idle subscription checks, with PING, that its connection is alive.
const PING_EVERY: Duration = Duration::from_secs(10);
/// First reconnect delay; doubles per failure, with jitter, up to [`BACKOFF_CAP`].
const BACKOFF_BASE: Duration = Duration::from_millis(100);
const BACKOFF_CAP: Duration = Duration::from_secs(5);

/// What to subscribe to.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Topics {
    pub channels: Vec<String>,
    pub patterns: Vec<String>,
}

impl Topics {
    pub fn channel(c: impl Into<String>) -> Topics {
        Topics {
            channels: vec![c.into()],
            patterns: Vec::new(),
        }
    }

    /// For messages: `revalidate, news:* (pattern)`.
    pub fn describe(&self) -> String {
        self.channels
            .iter()
            .cloned()
            .chain(self.patterns.iter().map(|p| format!("{p} (pattern)")))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// One message as received.
#[derive(Clone, Debug)]
pub struct Incoming {
    pub channel: String,
    /// The pattern that matched, for a pattern subscription.
    pub pattern: Option<String>,
    pub payload: Vec<u8>,
    pub received: SystemTime,
}

/// A change of the subscription's state.
#[derive(Clone, Debug, PartialEq)]
pub enum Link {
    /// Every subscription is confirmed. `down_for` is how long it was gone (None the first time).
    Subscribed {
        down_for: Option<Duration>,
        attempts: u32,
    },
    /// The connection is gone; reconnecting.
    Lost { error: String },
    /// A reconnect attempt failed; the next one is in `retry_in`.
    Retrying {
        attempt: u32,
        error: String,
        retry_in: Duration,
    },
}

/// A change of a link to Redis as reports show it (watch and agent).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LinkEvent {
    /// What the link is for: "pubsub" (the subscription) or "stream" (the agent's stream reader).
    pub source: String,
    /// "subscribed", "reconnected", "lost" or "retrying".
    pub state: String,
    /// Redis's host:port.
    pub redis: String,
    pub error: Option<String>,
    /// "reconnected": how long the link was down.
    pub down_ms: Option<f64>,
    /// "retrying": which attempt failed, and when the next one is.
    pub attempt: Option<u32>,
    pub retry_in_ms: Option<f64>,
}

impl Link {
    /// This change as reports show it.
    pub fn event(&self, source: &str, redis: &str) -> LinkEvent {
        let mut e = LinkEvent {
            source: source.into(),
            state: String::new(),
            redis: redis.into(),
            error: None,
            down_ms: None,
            attempt: None,
            retry_in_ms: None,
        };
        match self {
            Link::Subscribed { down_for: None, .. } => e.state = "subscribed".into(),
            Link::Subscribed {
                down_for: Some(d), ..
            } => {
                e.state = "reconnected".into();
                e.down_ms = Some(crate::report::millis(*d));
            }
            Link::Lost { error } => {
                e.state = "lost".into();
                e.error = Some(error.clone());
            }
            Link::Retrying {
                attempt,
                error,
                retry_in,
            } => {
                e.state = "retrying".into();
                e.error = Some(error.clone());
                e.attempt = Some(*attempt);
                e.retry_in_ms = Some(crate::report::millis(*retry_in));
            }
        }
        e
    }
}

/// What the subscription sends.
#[derive(Clone, Debug)]
pub enum Update {
    Link(Link),
    Message(Incoming),
}

/// An established, subscribed connection.
pub struct Session {
    sink: PubSubSink,
    stream: PubSubStream,
}

impl Session {
    /// The messages, for a caller that reads them itself and does not reconnect (publish's
    /// acknowledgements: a lost connection ends the wait). The connection lives as long as the
    /// stream.
    pub fn into_stream(self) -> PubSubStream {
        drop(self.sink);
        self.stream
    }
}

/// Connects and subscribes once; the error is the first failure.
pub async fn connect(redis: &Redis, topics: &Topics) -> Result<Session, Failure> {
    let pubsub = redis.pubsub().await?;
    let (mut sink, stream) = pubsub.split();
    let t = redis.timeout();
    let confirm = async {
        if !topics.channels.is_empty() {
            sink.subscribe(&topics.channels).await?;
        }
        if !topics.patterns.is_empty() {
            sink.psubscribe(&topics.patterns).await?;
        }
        Ok::<(), ::redis::RedisError>(())
    };
    match tokio::time::timeout(t, confirm).await {
        Ok(Ok(())) => Ok(Session { sink, stream }),
        Ok(Err(e)) => Err(redis.failure(&e)),
        Err(_) => Err(redis.timed_out()),
    }
}

/// Runs the subscription until `cancel`, starting from `first` when already connected.
pub async fn run(
    redis: Redis,
    topics: Topics,
    first: Option<Session>,
    cancel: CancellationToken,
    tx: mpsc::UnboundedSender<Update>,
) {
    let mut session = first;
    let mut down_since: Option<Instant> = None;
    let mut attempts: u32 = 0;
    loop {
        let s = match session.take() {
            Some(s) => s,
            None => {
                let connected = tokio::select! {
                    _ = cancel.cancelled() => return,
                    c = connect(&redis, &topics) => c,
                };
                match connected {
                    Ok(s) => s,
                    Err(e) => {
                        attempts += 1;
                        let retry_in = backoff(attempts);
                        let update = Update::Link(Link::Retrying {
                            attempt: attempts,
                            error: e.to_string(),
                            retry_in,
                        });
                        if tx.send(update).is_err() {
                            return;
                        }
                        tokio::select! {
                            _ = cancel.cancelled() => return,
                            _ = tokio::time::sleep(retry_in) => {}
                        }
                        continue;
                    }
                }
            }
        };
        let up = Update::Link(Link::Subscribed {
            down_for: down_since.map(|d| d.elapsed()),
            attempts,
        });
        if tx.send(up).is_err() {
            return;
        }
        attempts = 0;
        match pump(s, redis.timeout(), &cancel, &tx).await {
            None => return,
            Some(error) => {
                down_since = Some(Instant::now());
                if tx.send(Update::Link(Link::Lost { error })).is_err() {
                    return;
                }
            }
        }
    }
}

/// Forwards messages until the connection is lost (returns why) or the run is cancelled (None).
async fn pump(
    s: Session,
    timeout: Duration,
    cancel: &CancellationToken,
    tx: &mpsc::UnboundedSender<Update>,
) -> Option<String> {
    let Session { sink, mut stream } = s;
    // PING runs beside the stream, so a slow answer never holds a message back.
    let (dead_tx, mut dead) = tokio::sync::oneshot::channel::<String>();
    let pinger = tokio::spawn(async move {
        let mut sink = sink;
        loop {
            tokio::time::sleep(PING_EVERY).await;
            match tokio::time::timeout(timeout, sink.ping::<::redis::Value>()).await {
                Ok(Ok(_)) => {}
                Ok(Err(e)) => {
                    let _ = dead_tx.send(format!("PING failed: {e}"));
                    return;
                }
                Err(_) => {
                    let _ = dead_tx.send(format!(
                        "no answer to PING within {}",
                        humantime::format_duration(timeout)
                    ));
                    return;
                }
            }
        }
    });
    let why = loop {
        tokio::select! {
            _ = cancel.cancelled() => break None,
            why = &mut dead => break Some(why.unwrap_or_else(|_| "the connection was closed".into())),
            m = stream.next() => match m {
                Some(msg) => {
                    let pattern = if msg.from_pattern() {
                        msg.get_pattern::<String>().ok()
                    } else {
                        None
                    };
                    let incoming = Incoming {
                        channel: msg.get_channel_name().to_string(),
                        pattern,
                        payload: msg.get_payload_bytes().to_vec(),
                        received: SystemTime::now(),
                    };
                    if tx.send(Update::Message(incoming)).is_err() {
                        break None;
                    }
                }
                None => break Some("the connection was closed (Redis restarted or the network dropped)".into()),
            }
        }
    };
    pinger.abort();
    why
}

/// Exponential backoff with equal jitter: half the step fixed, half random.
pub fn backoff(attempt: u32) -> Duration {
    let step = BACKOFF_BASE
        .saturating_mul(1 << attempt.saturating_sub(1).min(16))
        .min(BACKOFF_CAP);
    let half = step / 2;
    half + half.mul_f64(rand::random::<f64>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_to_its_cap() {
        assert!(backoff(1) <= BACKOFF_BASE);
        for a in 1..20 {
            assert!(backoff(a) <= BACKOFF_CAP, "{a}");
        }
        assert!(backoff(20) >= BACKOFF_CAP / 2);
    }

    #[test]
    fn topics_describe_themselves() {
        let t = Topics {
            channels: vec!["a".into(), "b".into()],
            patterns: vec!["n:*".into()],
        };
        assert_eq!(t.describe(), "a, b, n:* (pattern)");
    }
}
